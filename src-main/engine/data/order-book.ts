/**
 * A price-level (L2) order book of one instrument, rebuilt from snapshots and deltas. Used by
 * the depth-CSV importer (snapshot + diff stream → top-N snapshots) and by replay (recorded
 * updates → the top of book the indicators read).
 *
 * Each side keeps its prices sorted best first in a plain array beside a price → quantity map:
 * a delta is a map write plus, for a new or vanished level, one binary search and an array
 * splice — cheap for the few thousand levels an exchange publishes, and the top N is a slice.
 */
export type Level = [price: number, quantity: number];

class BookSide {
  private readonly quantities = new Map<number, number>();
  /** Best first: descending for bids, ascending for asks. */
  private readonly prices: number[] = [];

  constructor(private readonly descending: boolean) {}

  get size(): number {
    return this.prices.length;
  }

  clear(): void {
    this.quantities.clear();
    this.prices.length = 0;
  }

  /** quantity 0 removes the level (the exchanges' delta convention). */
  set(price: number, quantity: number): void {
    const known = this.quantities.has(price);
    if (quantity === 0) {
      if (!known) return;
      this.quantities.delete(price);
      this.prices.splice(this.indexOf(price), 1);
      return;
    }
    this.quantities.set(price, quantity);
    if (!known) this.prices.splice(this.indexOf(price), 0, price);
  }

  /** The best `count` levels, best first; writes into `into` to spare an allocation per call. */
  top(count: number, into: Level[] = []): Level[] {
    const n = Math.min(count, this.prices.length);
    into.length = n;
    for (let i = 0; i < n; i++) {
      const price = this.prices[i]!;
      into[i] = [price, this.quantities.get(price)!];
    }
    return into;
  }

  best(): number | undefined {
    return this.prices[0];
  }

  /** Position of `price` in the sorted array, or where it would be inserted. */
  private indexOf(price: number): number {
    const prices = this.prices;
    let low = 0;
    let high = prices.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const before = this.descending ? prices[mid]! > price : prices[mid]! < price;
      if (before) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

export class OrderBook {
  private readonly bidSide = new BookSide(true);
  private readonly askSide = new BookSide(false);

  /** Replaces the whole book. */
  snapshot(bids: ReadonlyArray<readonly [number, number]>, asks: ReadonlyArray<readonly [number, number]>): void {
    this.bidSide.clear();
    this.askSide.clear();
    this.apply(bids, asks);
  }

  /** Applies changed levels; quantity 0 removes a level. */
  apply(bids: ReadonlyArray<readonly [number, number]>, asks: ReadonlyArray<readonly [number, number]>): void {
    for (const [price, quantity] of bids) this.bidSide.set(price, quantity);
    for (const [price, quantity] of asks) this.askSide.set(price, quantity);
  }

  setBid(price: number, quantity: number): void {
    this.bidSide.set(price, quantity);
  }

  setAsk(price: number, quantity: number): void {
    this.askSide.set(price, quantity);
  }

  clear(): void {
    this.bidSide.clear();
    this.askSide.clear();
  }

  bids(count: number, into?: Level[]): Level[] {
    return this.bidSide.top(count, into);
  }

  asks(count: number, into?: Level[]): Level[] {
    return this.askSide.top(count, into);
  }

  get bidLevels(): number {
    return this.bidSide.size;
  }

  get askLevels(): number {
    return this.askSide.size;
  }

  /** True when the best bid is at or above the best ask: a book rebuilt from bad data. */
  get crossed(): boolean {
    const bid = this.bidSide.best();
    const ask = this.askSide.best();
    return bid !== undefined && ask !== undefined && bid >= ask;
  }
}
