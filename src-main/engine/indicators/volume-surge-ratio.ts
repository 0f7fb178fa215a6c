import { secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { TradeFlowWindow } from './core/trade-flow-window';

/**
 * VOLUME_SURGE_RATIO(t1,t2,t3,t4) = (volume in (t1,t2) per second) / (volume in (t3,t4) per second),
 * volume in base quantity over half-open windows (now − t, now − t'].
 * null until both windows are covered, and while the baseline window saw no trades.
 */
export class VolumeSurgeRatio implements Indicator {
  readonly type = 'VOLUME_SURGE_RATIO';
  private readonly recent: TradeFlowWindow;
  private readonly baseline: TradeFlowWindow;
  private readonly recentSeconds: number;
  private readonly baselineSeconds: number;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [t1 = 0, t2 = 0, t3 = 0, t4 = 0] = params;
    this.recent = context.flowWindow(secondsToMs(t1), secondsToMs(t2));
    this.baseline = context.flowWindow(secondsToMs(t3), secondsToMs(t4));
    this.recentSeconds = t1 - t2;
    this.baselineSeconds = t3 - t4;
  }

  value(): number | null {
    const recent = this.recent.quantity();
    const baseline = this.baseline.quantity();
    if (recent === null || baseline === null || baseline === 0) return null;
    return recent / this.recentSeconds / (baseline / this.baselineSeconds);
  }
}
