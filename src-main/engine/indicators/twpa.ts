import { secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { TimeWeightedWindow } from './core/time-weighted-window';

/**
 * TWPA(t1,t2): time-weighted average trade price over [now − t1, now − t2]. Each price counts
 * for as long as it held; the price holding at the window start counts from the window start.
 * null until a trade at or before now − t1 exists (see TimeWeightedWindow).
 */
export class Twpa implements Indicator {
  readonly type = 'TWPA';
  private readonly window: TimeWeightedWindow;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [from = 0, to = 0] = params;
    this.window = context.priceWindow(secondsToMs(from), secondsToMs(to));
  }

  value(): number | null {
    return this.window.value();
  }
}
