import type { Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { MarketListener } from './core/market-listener';

/** PRICE: the last trade price. Also the benchmark's baseline (the cheapest possible update). */
export class LastPrice implements Indicator, MarketListener {
  readonly type = 'PRICE';
  private last: number | null = null;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    context.register(this);
  }

  onTrade(_ts: number, price: number): void {
    this.last = price;
  }
  onBook(): void {}

  value(): number | null {
    return this.last;
  }
}
