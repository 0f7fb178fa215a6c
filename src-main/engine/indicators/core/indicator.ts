import { INDICATOR_TYPE_NAMES, type IndicatorType } from '../../../../src-shared/strategy/indicator-ids';
/** The indicator types are the strategy format's (src-shared/strategy): one list for both sides. */
export const INDICATOR_TYPES: readonly IndicatorType[] = INDICATOR_TYPE_NAMES;
export type { IndicatorType };

/** One parameterised instance. Its value is recomputed from its blocks when asked, in O(1). */
export interface Indicator {
  readonly variantId: string;
  readonly type: IndicatorType;
  /** Every parameter, defaults filled in, in declaration order. */
  readonly params: readonly number[];
  /** null while the indicator is undefined (not enough data yet, or a zero denominator). */
  value(): number | null;
}

/** Window lengths are given in seconds; internally everything is event-time milliseconds. */
export function secondsToMs(seconds: number): number {
  // Rounded to the microsecond so that 0.1 s is exactly 100 ms, not 100.00000000000001.
  return Math.round(seconds * 1_000_000) / 1000;
}

/** (recent − base) / base × 100, null when either side is undefined or base is zero. */
export function changePct(recent: number | null, base: number | null): number | null {
  if (recent === null || base === null || base === 0) return null;
  return ((recent - base) / base) * 100;
}
