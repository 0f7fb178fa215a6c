import type { Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { BookLevel, MarketListener } from './core/market-listener';

/**
 * SPREAD_PCT = (bestAsk − bestBid) / mid × 100 from the latest book with both sides present.
 * A crossed book gives a negative value rather than being hidden.
 */
export class SpreadPct implements Indicator, MarketListener {
  readonly type = 'SPREAD_PCT';
  private latest: number | null = null;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    context.register(this);
  }

  onTrade(): void {}

  onBook(_ts: number, bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
    const bid = bids[0];
    const ask = asks[0];
    if (bid === undefined || ask === undefined) return;
    this.latest = ((ask[0] - bid[0]) / ((ask[0] + bid[0]) / 2)) * 100;
  }

  value(): number | null {
    return this.latest;
  }
}
