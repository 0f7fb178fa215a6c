import { secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { TimeWeightedWindow } from './core/time-weighted-window';

/**
 * BID_ASK_IMBALANCE(t1,levels): (bidQty − askQty)/(bidQty + askQty) × 100 summed over the best
 * `levels` levels of each side, time-weighted over [now − t1, now] (each book state counts for as
 * long as it held). Range −100..100, positive = more resting bids. null until a book update at
 * or before now − t1. A book with no quantity at all leaves the previous state holding.
 */
export class BidAskImbalance implements Indicator {
  readonly type = 'BID_ASK_IMBALANCE';
  private readonly window: TimeWeightedWindow;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [windowSeconds = 0, levels = 0] = params;
    this.window = context.bookImbalanceWindow(levels, secondsToMs(windowSeconds), 0);
  }

  value(): number | null {
    return this.window.value();
  }
}
