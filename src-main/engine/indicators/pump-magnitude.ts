import { changePct, secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { TimeWeightedWindow } from './core/time-weighted-window';

/** PUMP_MAGNITUDE_PCT(t1,t3,d) = (TWPA(t1,0) − TWPA(t3,t3−d)) / TWPA(t3,t3−d) × 100. */
export class PumpMagnitudePct implements Indicator {
  readonly type = 'PUMP_MAGNITUDE_PCT';
  private readonly recent: TimeWeightedWindow;
  private readonly base: TimeWeightedWindow;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [t1 = 0, t3 = 0, d = 0] = params;
    this.recent = context.priceWindow(secondsToMs(t1), 0);
    this.base = context.priceWindow(secondsToMs(t3), secondsToMs(t3 - d));
  }

  value(): number | null {
    return changePct(this.recent.value(), this.base.value());
  }
}
