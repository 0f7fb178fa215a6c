import { CompensatedSum } from './compensated-sum';
import type { MarketListener } from './market-listener';
import type { StepSeries } from './step-series';

/**
 * Time-weighted average of a step series over [now − fromMs, now − toMs].
 *
 * Two cursors follow the window edges as now moves forward: `startIndex` is the point holding at
 * the window start, `endIndex` the point holding at the window end. The closed segments strictly
 * between them are kept as a running integral (value × duration); the two partial segments at the
 * edges are added at query time. Each point enters and leaves the running integral once, so an
 * update is O(1) amortised and a query is O(1).
 *
 * The value is null until the series has a point at or before the window start: an average
 * that silently covered only part of its window would make a young window look like a stable one.
 */
export class TimeWeightedWindow implements MarketListener {
  private startIndex = -1;
  private endIndex = -1;
  private readonly innerIntegral = new CompensatedSum();
  private now = Number.NaN;

  constructor(
    private readonly series: StepSeries,
    readonly fromMs: number,
    readonly toMs: number,
  ) {
    series.requireLookback(fromMs);
  }

  onTrade(ts: number): void {
    this.advance(ts);
  }
  onBook(ts: number): void {
    this.advance(ts);
  }

  advance(now: number): void {
    this.now = now;
    const series = this.series;
    const end = series.end;
    const windowEnd = now - this.toMs;
    const windowStart = now - this.fromMs;
    let endIndex = this.endIndex;
    let startIndex = this.startIndex;
    while (endIndex + 1 < end && series.timeAt(endIndex + 1) <= windowEnd) {
      if (endIndex > startIndex) this.innerIntegral.add(this.segmentArea(endIndex));
      endIndex++;
    }
    // windowStart < windowEnd, so startIndex never passes endIndex.
    while (startIndex + 1 < end && series.timeAt(startIndex + 1) <= windowStart) {
      startIndex++;
      if (startIndex < endIndex) this.innerIntegral.add(-this.segmentArea(startIndex));
    }
    if (startIndex + 1 >= endIndex) this.innerIntegral.reset();
    this.startIndex = startIndex;
    this.endIndex = endIndex;
  }

  value(): number | null {
    const startIndex = this.startIndex;
    if (startIndex < 0) return null;
    const series = this.series;
    const startValue = series.valueAt(startIndex);
    if (startIndex === this.endIndex) return startValue;
    const windowStart = this.now - this.fromMs;
    const windowEnd = this.now - this.toMs;
    const endIndex = this.endIndex;
    const integral =
      startValue * (series.timeAt(startIndex + 1) - windowStart) +
      this.innerIntegral.value() +
      series.valueAt(endIndex) * (windowEnd - series.timeAt(endIndex));
    return integral / (windowEnd - windowStart);
  }

  /** Points currently between the cursors; bounded by the window, which the tests assert. */
  get span(): number {
    return this.endIndex - this.startIndex + 1;
  }

  private segmentArea(index: number): number {
    return this.series.valueAt(index) * (this.series.timeAt(index + 1) - this.series.timeAt(index));
  }
}
