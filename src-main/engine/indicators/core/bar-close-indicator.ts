import type { Indicator, IndicatorType } from './indicator';
import type { IndicatorContext } from './indicator-context';
import type { MarketListener } from './market-listener';

/**
 * Base for the classic bar indicators (RSI, EMA, SMA), which are defined on bar closes.
 *
 * Bars are fixed time buckets aligned to the epoch (bar k covers [k·barMs, (k+1)·barMs)); a
 * bar's close is the last trade price in it, and a bar with no trades closes at the previous
 * close, as exchange klines do. The bar in progress counts as the latest close with its current
 * price, so the value moves with every trade (as a live chart does) and settles when the bar closes.
 * Bars roll on any event, so a book update after a quiet bar boundary closes that bar too.
 */
export abstract class BarCloseIndicator implements Indicator, MarketListener {
  abstract readonly type: IndicatorType;
  private readonly barMs: number;
  private barIndex = Number.NaN;
  /** Close so far of the bar in progress; meaningful once the first trade arrived. */
  protected currentClose = Number.NaN;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
    barSeconds: number,
  ) {
    this.barMs = Math.round(barSeconds * 1000);
    context.register(this);
  }

  onTrade(ts: number, price: number): void {
    if (Number.isNaN(this.barIndex)) this.barIndex = Math.floor(ts / this.barMs);
    else this.roll(ts);
    this.currentClose = price;
  }

  onBook(ts: number): void {
    if (!Number.isNaN(this.barIndex)) this.roll(ts);
  }

  get hasBar(): boolean {
    return !Number.isNaN(this.barIndex);
  }

  abstract value(): number | null;

  /** Called once per finished bar, in order, with its close. */
  protected abstract commitClose(close: number): void;

  private roll(ts: number): void {
    const index = Math.floor(ts / this.barMs);
    // Quiet stretches commit one flat bar each, like exchange klines; bounded by elapsed time / bar length.
    while (this.barIndex < index) {
      this.commitClose(this.currentClose);
      this.barIndex++;
    }
  }
}
