import { nextPowerOfTwo } from './core/step-series';
import { secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { MarketListener } from './core/market-listener';
import { VelocityMeasure } from './price-velocity';

/**
 * MOMENTUM_REVERSAL_INDEX(t1,t3,d,peakWindow) = (v_now − v_peak) / |v_peak| × 100.
 *
 * v is PRICE_VELOCITY(t1,t3,d), sampled at every market event (trade or book) where it is
 * defined. v_peak is the sample with the largest |v| among samples taken in
 * [now − peakWindow, now] (the latest one on ties), kept in a monotonic deque: O(1) amortised.
 * The peak is taken over the samples available, so the index is defined as soon as v is.
 * 0 at the peak itself; −100 when the velocity has fallen to zero; below −100 once it reversed.
 * null while v is undefined or the peak velocity is exactly zero.
 */
export class MomentumReversalIndex implements Indicator, MarketListener {
  readonly type = 'MOMENTUM_REVERSAL_INDEX';
  private readonly velocity: VelocityMeasure;
  private readonly peakWindowMs: number;
  private readonly peaks = new MaxMagnitudeDeque();
  private current: number | null = null;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [t1 = 0, t3 = 0, d = 0, peakWindow = 0] = params;
    this.velocity = new VelocityMeasure(context, t1, t3, d);
    this.peakWindowMs = secondsToMs(peakWindow);
    context.register(this);
  }

  onTrade(ts: number): void {
    this.sample(ts);
  }
  onBook(ts: number): void {
    this.sample(ts);
  }

  value(): number | null {
    const current = this.current;
    if (current === null || this.peaks.size === 0) return null;
    const peak = this.peaks.frontValue();
    if (peak === 0) return null;
    return ((current - peak) / Math.abs(peak)) * 100;
  }

  /** Samples held in the deque; bounded by the samples in one peak window. */
  get dequeSize(): number {
    return this.peaks.size;
  }

  private sample(now: number): void {
    const velocity = this.velocity.value();
    this.current = velocity;
    if (velocity !== null) this.peaks.push(now, velocity);
    this.peaks.expireBefore(now - this.peakWindowMs);
  }
}

/** Samples ordered by time with strictly decreasing |value| from the front: the front is the peak. */
class MaxMagnitudeDeque {
  private times = new Float64Array(64);
  private values = new Float64Array(64);
  private mask = 63;
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  frontValue(): number {
    return this.values[this.head]!;
  }

  push(ts: number, value: number): void {
    const magnitude = Math.abs(value);
    while (this.count > 0 && Math.abs(this.values[(this.head + this.count - 1) & this.mask]!) <= magnitude) this.count--;
    if (this.count === this.times.length) this.grow();
    const slot = (this.head + this.count) & this.mask;
    this.times[slot] = ts;
    this.values[slot] = value;
    this.count++;
  }

  expireBefore(cutoff: number): void {
    while (this.count > 0 && this.times[this.head]! < cutoff) {
      this.head = (this.head + 1) & this.mask;
      this.count--;
    }
  }

  private grow(): void {
    const capacity = nextPowerOfTwo(this.times.length * 2);
    const times = new Float64Array(capacity);
    const values = new Float64Array(capacity);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) & this.mask;
      times[i] = this.times[slot]!;
      values[i] = this.values[slot]!;
    }
    this.times = times;
    this.values = values;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
