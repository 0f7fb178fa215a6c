import { secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { StepSeries } from './core/step-series';
import type { TimeWeightedWindow } from './core/time-weighted-window';

/**
 * LIQUIDITY_DRAIN_INDEX(baseline,levels) = (baselineDepth − currentDepth) / baselineDepth × 100.
 * Depth = Σ price × quantity over the best `levels` levels of both sides (quote currency);
 * baselineDepth = its time-weighted average over [now − baseline, now]. Positive = liquidity
 * has been pulled from the book. null until a book update at or before now − baseline.
 */
export class LiquidityDrainIndex implements Indicator {
  readonly type = 'LIQUIDITY_DRAIN_INDEX';
  private readonly baseline: TimeWeightedWindow;
  private readonly depth: StepSeries;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [baselineSeconds = 0, levels = 0] = params;
    this.depth = context.bookDepthSeries(levels);
    this.baseline = context.bookDepthWindow(levels, secondsToMs(baselineSeconds), 0);
  }

  value(): number | null {
    const baseline = this.baseline.value();
    if (baseline === null || baseline === 0) return null;
    return ((baseline - this.depth.lastValue()) / baseline) * 100;
  }
}
