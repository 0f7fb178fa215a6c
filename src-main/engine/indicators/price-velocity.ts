import { changePct, secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { TimeWeightedWindow } from './core/time-weighted-window';

/**
 * Price change between a recent window (t1, 0) and a base window (t3, t3−d), in % per second:
 * the TWPA change in % divided by the distance between the window centres, (t3 − d/2) − t1/2.
 * Shared by PRICE_VELOCITY, MOMENTUM_REVERSAL_INDEX and VELOCITY_CASCADE.
 */
export class VelocityMeasure {
  private readonly recent: TimeWeightedWindow;
  private readonly base: TimeWeightedWindow;
  readonly centreDistanceSeconds: number;

  constructor(context: IndicatorContext, t1: number, t3: number, d: number) {
    this.recent = context.priceWindow(secondsToMs(t1), 0);
    this.base = context.priceWindow(secondsToMs(t3), secondsToMs(t3 - d));
    this.centreDistanceSeconds = t3 - d / 2 - t1 / 2;
  }

  value(): number | null {
    const change = changePct(this.recent.value(), this.base.value());
    return change === null ? null : change / this.centreDistanceSeconds;
  }
}

/** PRICE_VELOCITY(t1,t3,d): see VelocityMeasure; unit % per second. */
export class PriceVelocity implements Indicator {
  readonly type = 'PRICE_VELOCITY';
  private readonly measure: VelocityMeasure;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [t1 = 0, t3 = 0, d = 0] = params;
    this.measure = new VelocityMeasure(context, t1, t3, d);
  }

  value(): number | null {
    return this.measure.value();
  }
}
