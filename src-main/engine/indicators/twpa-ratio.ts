import { secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { TimeWeightedWindow } from './core/time-weighted-window';

/** TWPA_RATIO(t1,t2,t3,t4) = TWPA(t1,t2) / TWPA(t3,t4). */
export class TwpaRatio implements Indicator {
  readonly type = 'TWPA_RATIO';
  private readonly numerator: TimeWeightedWindow;
  private readonly denominator: TimeWeightedWindow;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [t1 = 0, t2 = 0, t3 = 0, t4 = 0] = params;
    this.numerator = context.priceWindow(secondsToMs(t1), secondsToMs(t2));
    this.denominator = context.priceWindow(secondsToMs(t3), secondsToMs(t4));
  }

  value(): number | null {
    const numerator = this.numerator.value();
    const denominator = this.denominator.value();
    if (numerator === null || denominator === null || denominator === 0) return null;
    return numerator / denominator;
  }
}
