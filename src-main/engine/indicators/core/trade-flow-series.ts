import { nextPowerOfTwo } from './step-series';

/**
 * Traded quantity and notional (price × quantity) per distinct timestamp. Trades sharing a
 * millisecond are summed into one bucket; the newest bucket stays open to further trades until
 * time moves on, so windows keep only closed buckets in their running sums.
 */
export class TradeFlowSeries {
  private times: Float64Array;
  private quantities: Float64Array;
  private notionals: Float64Array;
  private mask: number;
  private headSlot = 0;
  private firstIndex = 0;
  private count = 0;
  private lookbackMs = 0;

  constructor(initialCapacity = 64) {
    const capacity = nextPowerOfTwo(initialCapacity);
    this.times = new Float64Array(capacity);
    this.quantities = new Float64Array(capacity);
    this.notionals = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  requireLookback(ms: number): void {
    if (ms > this.lookbackMs) this.lookbackMs = ms;
  }

  get start(): number {
    return this.firstIndex;
  }
  get end(): number {
    return this.firstIndex + this.count;
  }
  get size(): number {
    return this.count;
  }

  timeAt(index: number): number {
    return this.times[(this.headSlot + index - this.firstIndex) & this.mask]!;
  }
  quantityAt(index: number): number {
    return this.quantities[(this.headSlot + index - this.firstIndex) & this.mask]!;
  }
  notionalAt(index: number): number {
    return this.notionals[(this.headSlot + index - this.firstIndex) & this.mask]!;
  }

  append(ts: number, quantity: number, notional: number): void {
    if (this.count > 0) {
      const lastSlot = (this.headSlot + this.count - 1) & this.mask;
      const lastTs = this.times[lastSlot]!;
      if (ts === lastTs) {
        this.quantities[lastSlot]! += quantity;
        this.notionals[lastSlot]! += notional;
        return;
      }
      // Windows cover (now − lookback, now] and have advanced to at least lastTs.
      const cutoff = lastTs - this.lookbackMs;
      while (this.count > 0 && this.times[this.headSlot]! <= cutoff) {
        this.headSlot = (this.headSlot + 1) & this.mask;
        this.firstIndex++;
        this.count--;
      }
    }
    if (this.count === this.times.length) this.grow();
    const slot = (this.headSlot + this.count) & this.mask;
    this.times[slot] = ts;
    this.quantities[slot] = quantity;
    this.notionals[slot] = notional;
    this.count++;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const quantities = new Float64Array(capacity);
    const notionals = new Float64Array(capacity);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.headSlot + i) & this.mask;
      times[i] = this.times[slot]!;
      quantities[i] = this.quantities[slot]!;
      notionals[i] = this.notionals[slot]!;
    }
    this.times = times;
    this.quantities = quantities;
    this.notionals = notionals;
    this.mask = capacity - 1;
    this.headSlot = 0;
  }
}
