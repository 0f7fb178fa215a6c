import type { Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import { VelocityMeasure } from './price-velocity';

/**
 * VELOCITY_CASCADE(w1,w2,w3), w1 < w2 < w3: an acceleration index in % per second².
 *
 * For each scale w the velocity v(w) compares TWPA(w, 0) with TWPA(2w, w), i.e. PRICE_VELOCITY
 * with t1 = w, t3 = 2w, d = w: window centres w/2 and 3w/2 apart by w, so v(w) is the price
 * slope around w seconds ago. Between two scales the acceleration is
 *   a(i,j) = (v(w_i) − v(w_j)) / (w_j − w_i)
 * and the index is the mean of the two adjacent accelerations:
 *   index = ( a(1,2) + a(2,3) ) / 2.
 * Positive means the move is speeding up toward now (short-scale velocity above longer-scale
 * velocity); unlike (v1 − v2) + (v2 − v3) it does not collapse to v1 − v3, so the middle scale counts.
 * null until TWPA(2·w3, w3) is defined, i.e. after 2·w3 seconds of trades.
 */
export class VelocityCascade implements Indicator {
  readonly type = 'VELOCITY_CASCADE';
  private readonly short: VelocityMeasure;
  private readonly mid: VelocityMeasure;
  private readonly long: VelocityMeasure;
  private readonly shortToMid: number;
  private readonly midToLong: number;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [w1 = 0, w2 = 0, w3 = 0] = params;
    this.short = new VelocityMeasure(context, w1, 2 * w1, w1);
    this.mid = new VelocityMeasure(context, w2, 2 * w2, w2);
    this.long = new VelocityMeasure(context, w3, 2 * w3, w3);
    this.shortToMid = w2 - w1;
    this.midToLong = w3 - w2;
  }

  value(): number | null {
    const short = this.short.value();
    const mid = this.mid.value();
    const long = this.long.value();
    if (short === null || mid === null || long === null) return null;
    return ((short - mid) / this.shortToMid + (mid - long) / this.midToLong) / 2;
  }
}
