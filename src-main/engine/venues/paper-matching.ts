import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill, LiquiditySide } from '../../../src-shared/domain/fill';
import { FillId, type ClientOrderId, type InstrumentId } from '../../../src-shared/domain/ids';
import { notional, roundPrice, type Instrument } from '../../../src-shared/domain/instrument';
import type { OrderSide, OrderType } from '../../../src-shared/domain/order';
import type { Quantity } from '../../../src-shared/domain/values';
import { Money, Price } from '../../../src-shared/domain/values';

export interface PaperOrder {
  clientOrderId: ClientOrderId;
  instrumentId: InstrumentId;
  side: OrderSide;
  type: OrderType;
  quantity: Quantity; // contracts
  price: Price | null; // limit price
  submittedAt: number;
}

/** One book level as the recorded data gives it: `{price, quantity}` or the engine's `[price, quantity]` tuple (data/order-book.ts). */
export type PaperBookLevel = { readonly price: number; readonly quantity: number } | readonly [price: number, quantity: number];

/** What the recorded books' quantities count: base units (the engine's feeds and imports, the default) or contracts (raw MEXC contract depth). */
export type BookQuantityUnit = 'base' | 'contracts';

/** Default of PaperMatchingOptions.bookStaleMs (settings.paper.bookStaleMs). */
export const DEFAULT_BOOK_STALE_MS = 2_000;

export interface PaperMatchingOptions {
  /** Slippage for market orders filled at the next trade, and for what a thin book cannot fill, in basis points against the taker. */
  slippageBps: number;
  makerFee?: Decimal; // overrides the instrument's fee (fraction)
  takerFee?: Decimal;
  /** At a trade, a book older than this (event time) is not walked: the order fills at the trade plus slippage instead. */
  bookStaleMs?: number;
  bookQuantityUnit?: BookQuantityUnit;
}

/** A level of the book walk, exact, quantity in contracts. */
export interface WalkLevel {
  price: Decimal;
  quantity: Decimal;
}

export interface BookWalk {
  /** The one fill's price: the volume-weighted average, rounded to the tick against the taker. */
  price: Price;
  best: Decimal;
  /** The worst price the walk paid: the last level touched, or that level plus slippage when the book ran out. */
  worst: Decimal;
  /** Contracts taken from each level, in walk order (what a later order of the same event can no longer take). */
  taken: Decimal[];
  /** Contracts the book could not fill, priced at the last level plus slippage. */
  beyondBook: Decimal;
}

/** price ± slippage, against the taker (unrounded). */
function slipped(side: OrderSide, price: Decimal, slippageBps: number): Decimal {
  if (slippageBps === 0) return price;
  const slip = price.mul(Decimal.of(slippageBps), 'half-even').div(10_000, 'half-even');
  return side === 'BUY' ? price.add(slip) : price.sub(slip);
}

/**
 * Walks one side of a book best-first for a market order of `quantity` contracts: one fill at
 * the volume-weighted average price, rounded to the tick against the taker (up for a buy, down
 * for a sell). What the book cannot fill is priced at the last level plus slippage. Null when
 * the side has no level at all.
 */
export function walkBook(side: OrderSide, quantity: Decimal, levels: Iterable<WalkLevel>, tickSize: Decimal, slippageBps: number): BookWalk | null {
  let remaining = quantity;
  let cost = Decimal.ZERO;
  let best: Decimal | null = null;
  let worst: Decimal | null = null;
  const taken: Decimal[] = [];
  for (const level of levels) {
    if (!level.quantity.isPositive()) {
      taken.push(Decimal.ZERO);
      continue;
    }
    const take = Decimal.min(remaining, level.quantity);
    best ??= level.price;
    worst = level.price;
    cost = cost.add(level.price.mul(take, 'half-even'));
    remaining = remaining.sub(take);
    taken.push(take);
    if (!remaining.isPositive()) break; // before the iterator converts another level
  }
  if (best === null || worst === null) return null;
  const beyondBook = remaining;
  if (beyondBook.isPositive()) {
    worst = slipped(side, worst, slippageBps);
    cost = cost.add(worst.mul(beyondBook, 'half-even'));
  }
  const average = quantity.isPositive() ? cost.div(quantity, side === 'BUY' ? 'ceil' : 'floor') : best;
  const price = Price.of(average.roundToStep(tickSize, side === 'BUY' ? 'ceil' : 'floor'));
  return { price, best, worst, taken, beyondBook };
}

interface RestingOrder {
  order: PaperOrder;
  /** The limit price as a number: compared against every trade print, so it is converted once. */
  limit: number;
}

/** The latest book of one instrument, as given (numbers); levels are converted to exact decimals only when an order walks them. */
interface BookState {
  ts: number;
  bidPrices: number[];
  bidQuantities: number[];
  askPrices: number[];
  askQuantities: number[];
  /** Contracts our own fills took from this book, per level index (cleared by the next book). */
  bidTaken: Map<number, Decimal> | null;
  askTaken: Map<number, Decimal> | null;
}

interface PendingFill {
  order: PaperOrder;
  instrument: Instrument;
  price: Price;
  liquidity: LiquiditySide;
}

const isTuple = (level: PaperBookLevel): level is readonly [number, number] => Array.isArray(level);

/**
 * The paper venue's matching (ARCHITECTURE §10), deterministic (fill ids are counters, times
 * are event times):
 *
 * - A market order fills at the first event (trade or book update) at or after its submission.
 *   With a book for the instrument (the one just received, or at a trade the latest one no older
 *   than bookStaleMs) it walks the opposite side best-first and fills in one piece at the
 *   volume-weighted average, rounded to the tick against the taker; what the book cannot fill is
 *   priced at the last level plus slippage. Contracts it took stay taken for later orders until
 *   the next book arrives. Without a usable book it fills at the trade plus slippage; at a book
 *   update with an empty opposite side it waits for the next event.
 * - A limit order fills in full at its price, as maker, when a trade prints through the price.
 */
export class PaperMatching {
  private readonly open = new Map<InstrumentId, RestingOrder[]>();
  private readonly books = new Map<InstrumentId, BookState>();
  private readonly bookStaleMs: number;
  private fillSeq = 0;

  constructor(
    private readonly instruments: ReadonlyMap<InstrumentId, Instrument>,
    private readonly options: PaperMatchingOptions,
    private readonly onFill: (fill: Fill) => void,
  ) {
    this.bookStaleMs = options.bookStaleMs ?? DEFAULT_BOOK_STALE_MS;
  }

  submit(order: PaperOrder): void {
    if (!this.instruments.has(order.instrumentId)) throw new Error(`paper venue: unknown instrument ${order.instrumentId}`);
    const resting: RestingOrder = { order, limit: order.price === null ? Number.NaN : order.price.toNumber() };
    const list = this.open.get(order.instrumentId);
    if (list === undefined) this.open.set(order.instrumentId, [resting]);
    else list.push(resting);
  }

  cancel(instrumentId: InstrumentId, clientOrderId: ClientOrderId): boolean {
    const list = this.open.get(instrumentId);
    if (list === undefined) return false;
    const index = list.findIndex((o) => o.order.clientOrderId === clientOrderId);
    if (index < 0) return false;
    list.splice(index, 1);
    if (list.length === 0) this.open.delete(instrumentId);
    return true;
  }

  openOrders(instrumentId?: InstrumentId): PaperOrder[] {
    if (instrumentId !== undefined) return (this.open.get(instrumentId) ?? []).map((o) => o.order);
    const out: PaperOrder[] = [];
    for (const list of this.open.values()) for (const resting of list) out.push(resting.order);
    return out;
  }

  /** True while any order rests on any instrument. */
  get hasOpenOrders(): boolean {
    return this.open.size !== 0;
  }

  /** Called for every trade print, after the strategy saw the previous one. */
  onTrade(instrumentId: InstrumentId, ts: number, price: number): void {
    const list = this.open.get(instrumentId);
    if (list === undefined) return; // the backtest hot path: most trades meet no order
    const instrument = this.instruments.get(instrumentId)!;
    let book = this.books.get(instrumentId);
    if (book !== undefined && ts - book.ts > this.bookStaleMs) book = undefined;
    let fills: PendingFill[] | null = null;
    for (const { order, limit } of list) {
      if (order.submittedAt > ts) continue;
      let fillPrice: Price | null = null;
      let liquidity: LiquiditySide = 'TAKER';
      if (order.type === 'MARKET') {
        fillPrice = (book === undefined ? null : this.walk(book, order, instrument)) ?? roundPrice(instrument, slipped(order.side, Decimal.of(price), this.options.slippageBps), order.side === 'BUY' ? 'up' : 'down');
      } else if (order.type === 'LIMIT' && order.price !== null && (order.side === 'BUY' ? price < limit : price > limit)) {
        fillPrice = order.price;
        liquidity = 'MAKER';
      }
      if (fillPrice !== null) (fills ??= []).push({ order, instrument, price: fillPrice, liquidity });
    }
    if (fills !== null) this.settle(instrumentId, fills, ts);
  }

  /**
   * The instrument's book now (levels best first; a full top of book, not a delta): kept for
   * market orders, and market orders already waiting walk it at once.
   */
  onBook(instrumentId: InstrumentId, ts: number, bids: ReadonlyArray<PaperBookLevel>, asks: ReadonlyArray<PaperBookLevel>): void {
    const instrument = this.instruments.get(instrumentId);
    if (instrument === undefined) return;
    let book = this.books.get(instrumentId);
    if (book === undefined) {
      book = { ts, bidPrices: [], bidQuantities: [], askPrices: [], askQuantities: [], bidTaken: null, askTaken: null };
      this.books.set(instrumentId, book);
    }
    book.ts = ts;
    book.bidTaken = null;
    book.askTaken = null;
    copyLevels(bids, book.bidPrices, book.bidQuantities);
    copyLevels(asks, book.askPrices, book.askQuantities);
    const list = this.open.get(instrumentId);
    if (list === undefined) return;
    let fills: PendingFill[] | null = null;
    for (const { order } of list) {
      if (order.type !== 'MARKET' || order.submittedAt > ts) continue;
      const fillPrice = this.walk(book, order, instrument);
      if (fillPrice !== null) (fills ??= []).push({ order, instrument, price: fillPrice, liquidity: 'TAKER' });
    }
    if (fills !== null) this.settle(instrumentId, fills, ts);
  }

  /** Forgets an instrument's book (it stopped updating): market orders fall back to trades. */
  clearBook(instrumentId: InstrumentId): void {
    this.books.delete(instrumentId);
  }

  /** Walks the side a market order takes from; null when that side is empty. Marks what it took. */
  private walk(book: BookState, order: PaperOrder, instrument: Instrument): Price | null {
    const buying = order.side === 'BUY';
    const prices = buying ? book.askPrices : book.bidPrices;
    const quantities = buying ? book.askQuantities : book.bidQuantities;
    if (prices.length === 0) return null;
    let takenSoFar = buying ? book.askTaken : book.bidTaken;
    const toContracts = this.options.bookQuantityUnit === 'contracts' ? null : instrument.contractSize;
    const levels = function* (): Generator<WalkLevel> {
      for (let i = 0; i < prices.length; i++) {
        const raw = Decimal.of(quantities[i]!);
        const contracts = toContracts === null ? raw : raw.div(toContracts, 'down');
        const already = takenSoFar?.get(i);
        yield { price: Decimal.of(prices[i]!), quantity: already === undefined ? contracts : contracts.sub(already) };
      }
    };
    const result = walkBook(order.side, order.quantity, levels(), instrument.tickSize, this.options.slippageBps);
    if (result === null) return null;
    if (takenSoFar === null) {
      takenSoFar = new Map();
      if (buying) book.askTaken = takenSoFar;
      else book.bidTaken = takenSoFar;
    }
    for (let i = 0; i < result.taken.length; i++) {
      const take = result.taken[i]!;
      if (take.isPositive()) takenSoFar.set(i, (takenSoFar.get(i) ?? Decimal.ZERO).add(take));
    }
    return result.price;
  }

  /**
   * Removes the filled orders first and emits their fills after: a listener may submit or cancel
   * from inside onFill, and must find the open orders as they are.
   */
  private settle(instrumentId: InstrumentId, fills: PendingFill[], ts: number): void {
    const list = this.open.get(instrumentId);
    if (list !== undefined) {
      const filled = new Set(fills.map((f) => f.order));
      const remaining = list.filter((o) => !filled.has(o.order));
      if (remaining.length === 0) this.open.delete(instrumentId);
      else this.open.set(instrumentId, remaining);
    }
    for (const fill of fills) this.emit(fill.order, fill.instrument, fill.price, fill.liquidity, ts);
  }

  private emit(order: PaperOrder, instrument: Instrument, price: Price, liquidity: LiquiditySide, ts: number): void {
    const feeRate = liquidity === 'MAKER' ? (this.options.makerFee ?? instrument.makerFee) : (this.options.takerFee ?? instrument.takerFee);
    const commission = Money.money(notional(instrument, price, order.quantity).mul(feeRate, 'half-even'), instrument.settle);
    this.onFill({
      fillId: FillId(`paper-fill-${++this.fillSeq}`),
      clientOrderId: order.clientOrderId,
      venueOrderId: null,
      instrumentId: order.instrumentId,
      side: order.side,
      lastQty: order.quantity,
      lastPx: price,
      liquiditySide: liquidity,
      commission,
      tsEvent: ts,
    });
  }
}

/** Copies levels into reused arrays: the caller may reuse its own (replay does), and a book per update must not allocate. */
function copyLevels(levels: ReadonlyArray<PaperBookLevel>, prices: number[], quantities: number[]): void {
  prices.length = levels.length;
  quantities.length = levels.length;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (isTuple(level)) {
      prices[i] = level[0];
      quantities[i] = level[1];
    } else {
      prices[i] = level.price;
      quantities[i] = level.quantity;
    }
  }
}
