export type TradeSide = 'buy' | 'sell';

/** One price level, best first on each side: [price, quantity in base units]. */
export type BookLevel = readonly [price: number, quantity: number];

/**
 * Every stateful building block and indicator receives each market event in registration order,
 * which is also dependency order (a block registers after the blocks it reads). `ts` is already
 * the instrument's "now": event time, never earlier than any previous event.
 */
export interface MarketListener {
  onTrade(ts: number, price: number, quantity: number, side: TradeSide): void;
  /** The current top of book (not a delta): bids best-first descending, asks best-first ascending. */
  onBook(ts: number, bids: readonly BookLevel[], asks: readonly BookLevel[]): void;
}
