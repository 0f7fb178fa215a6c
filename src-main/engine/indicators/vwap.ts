import { CompensatedSum } from './core/compensated-sum';
import { secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { MarketListener } from './core/market-listener';

/**
 * VWAP(t1) = Σ price × quantity / Σ quantity over trades in (now − t1, now].
 * VWAP or VWAP(0) is the session VWAP: every trade since this instrument's indicators started.
 * A windowed VWAP is null until the window is covered; either is null while no quantity traded.
 */
export class Vwap implements Indicator {
  readonly type = 'VWAP';
  private readonly source: { quantity(): number | null; notional(): number | null };

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [windowSeconds = 0] = params;
    this.source = windowSeconds === 0 ? new SessionFlow(context) : context.flowWindow(secondsToMs(windowSeconds), 0);
  }

  value(): number | null {
    const quantity = this.source.quantity();
    const notional = this.source.notional();
    if (quantity === null || notional === null || quantity === 0) return null;
    return notional / quantity;
  }
}

class SessionFlow implements MarketListener {
  private readonly quantitySum = new CompensatedSum();
  private readonly notionalSum = new CompensatedSum();

  constructor(context: IndicatorContext) {
    context.register(this);
  }

  onTrade(_ts: number, price: number, quantity: number): void {
    this.quantitySum.add(quantity);
    this.notionalSum.add(price * quantity);
  }
  onBook(): void {}

  quantity(): number {
    return this.quantitySum.value();
  }
  notional(): number {
    return this.notionalSum.value();
  }
}
