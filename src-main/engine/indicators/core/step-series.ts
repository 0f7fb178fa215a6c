/**
 * A piecewise-constant series: each point's value holds from its timestamp until the next point.
 * Points with the same timestamp collapse into one (the latest value wins), so every closed
 * segment has a positive duration. Storage is a ring indexed by absolute point number so that
 * windows can keep stable cursors while old points are dropped from the front.
 */
export class StepSeries {
  private times: Float64Array;
  private values: Float64Array;
  private mask: number;
  private headSlot = 0;
  private firstIndex = 0;
  private count = 0;
  private lookbackMs = 0;

  constructor(initialCapacity = 64) {
    const capacity = nextPowerOfTwo(initialCapacity);
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  /** A window reaching `ms` back from now registers here so the points it still needs are kept. */
  requireLookback(ms: number): void {
    if (ms > this.lookbackMs) this.lookbackMs = ms;
  }

  /** Absolute index of the oldest point kept. */
  get start(): number {
    return this.firstIndex;
  }
  /** One past the absolute index of the newest point. */
  get end(): number {
    return this.firstIndex + this.count;
  }
  get size(): number {
    return this.count;
  }

  timeAt(index: number): number {
    return this.times[(this.headSlot + index - this.firstIndex) & this.mask]!;
  }
  valueAt(index: number): number {
    return this.values[(this.headSlot + index - this.firstIndex) & this.mask]!;
  }
  /** Value of the newest point; only meaningful when size > 0. */
  lastValue(): number {
    return this.values[(this.headSlot + this.count - 1) & this.mask]!;
  }

  /** `ts` must not be earlier than the newest point (the instrument clamps event time). */
  append(ts: number, value: number): void {
    if (this.count > 0) {
      const lastSlot = (this.headSlot + this.count - 1) & this.mask;
      const lastTs = this.times[lastSlot]!;
      if (ts === lastTs) {
        this.values[lastSlot] = value;
        return;
      }
      // Every window has already advanced to at least lastTs, so nothing it can reach starts before this cutoff.
      const cutoff = lastTs - this.lookbackMs;
      while (this.count >= 2 && this.times[(this.headSlot + 1) & this.mask]! <= cutoff) {
        this.headSlot = (this.headSlot + 1) & this.mask;
        this.firstIndex++;
        this.count--;
      }
    }
    if (this.count === this.times.length) this.grow();
    const slot = (this.headSlot + this.count) & this.mask;
    this.times[slot] = ts;
    this.values[slot] = value;
    this.count++;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const values = new Float64Array(capacity);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.headSlot + i) & this.mask;
      times[i] = this.times[slot]!;
      values[i] = this.values[slot]!;
    }
    this.times = times;
    this.values = values;
    this.mask = capacity - 1;
    this.headSlot = 0;
  }
}

export function nextPowerOfTwo(n: number): number {
  let capacity = 1;
  while (capacity < n) capacity *= 2;
  return capacity;
}
