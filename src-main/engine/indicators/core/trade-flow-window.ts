import { CompensatedSum } from './compensated-sum';
import type { MarketListener } from './market-listener';
import type { TradeFlowSeries } from './trade-flow-series';

/**
 * Traded quantity and notional in the half-open window (now − fromMs, now − toMs].
 *
 * Cursors: buckets [low, high) are inside the window; the running sums cover the closed buckets
 * [low, summedUpTo). The newest bucket may still grow (another trade in the same millisecond), so
 * it is read directly at query time instead of being summed.
 *
 * The value is null until the instrument has been observed since before the window start (the
 * first event of any kind seen at or before now − fromMs); a window with no trades in it after
 * that is a genuine zero.
 */
export class TradeFlowWindow implements MarketListener {
  private low = 0;
  private high = 0;
  private summedUpTo = 0;
  private readonly quantitySum = new CompensatedSum();
  private readonly notionalSum = new CompensatedSum();
  private firstEventTs = Number.NaN;
  private now = Number.NaN;

  constructor(
    private readonly series: TradeFlowSeries,
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
    if (Number.isNaN(this.firstEventTs)) {
      this.firstEventTs = now;
      this.low = this.high = this.summedUpTo = this.series.start;
    }
    this.now = now;
    const series = this.series;
    const end = series.end;
    const windowEnd = now - this.toMs;
    const windowStart = now - this.fromMs;
    let high = this.high;
    while (high < end && series.timeAt(high) <= windowEnd) high++;
    let low = this.low;
    const summedUpTo = this.summedUpTo;
    while (low < high && series.timeAt(low) <= windowStart) {
      if (low < summedUpTo) {
        this.quantitySum.add(-series.quantityAt(low));
        this.notionalSum.add(-series.notionalAt(low));
      }
      low++;
    }
    let next = summedUpTo > low ? summedUpTo : low;
    const closedEnd = high < end - 1 ? high : end - 1;
    if (next <= low) {
      // Nothing summed is still inside: restart from an exact zero so rounding residue cannot build up.
      this.quantitySum.reset();
      this.notionalSum.reset();
    }
    while (next < closedEnd) {
      this.quantitySum.add(series.quantityAt(next));
      this.notionalSum.add(series.notionalAt(next));
      next++;
    }
    this.low = low;
    this.high = high;
    this.summedUpTo = next;
  }

  covered(): boolean {
    return this.firstEventTs <= this.now - this.fromMs;
  }

  /** Base quantity traded in the window, or null before the window is covered. */
  quantity(): number | null {
    if (!this.covered()) return null;
    const openIndex = this.series.end - 1;
    const open = openIndex >= this.low && openIndex < this.high ? this.series.quantityAt(openIndex) : 0;
    return this.quantitySum.value() + open;
  }

  /** Σ price × quantity in the window, or null before the window is covered. */
  notional(): number | null {
    if (!this.covered()) return null;
    const openIndex = this.series.end - 1;
    const open = openIndex >= this.low && openIndex < this.high ? this.series.notionalAt(openIndex) : 0;
    return this.notionalSum.value() + open;
  }

  get span(): number {
    return this.high - this.low;
  }
}
