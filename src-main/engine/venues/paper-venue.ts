import type { Settings } from '../../../src-shared/contract/settings';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import { ClientOrderId, FillId, VenueOrderId, type InstrumentId } from '../../../src-shared/domain/ids';
import { notional, type Instrument } from '../../../src-shared/domain/instrument';
import { TERMINAL_STATUSES } from '../../../src-shared/domain/order';
import { applyFill, flatPosition, unrealizedPnl, type Position } from '../../../src-shared/domain/position';
import { Money, Price, Quantity } from '../../../src-shared/domain/values';
import type { Clock } from '../clock/clock';
import { DAY_MS, fundingPayment, fundingTimes, liquidationPrice, positionMargin } from '../execution/accounting';
import { PaperMatching, type BookQuantityUnit, type PaperBookLevel, type PaperMatchingOptions } from './paper-matching';
import {
  VenueError, type SubmitOrderRequest, type Venue, type VenueBalance, type VenueCapabilities, type VenueLiquidationEvent, type VenueListener, type VenueOrderState, type VenuePosition,
} from './venue';

export interface PaperVenueOptions {
  clock: Clock;
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  startingBalance: Money;
  /** Market orders without a usable book fill at the next trade plus this slippage; a thin book's remainder at its last level plus it (settings.paper.slippageBps). */
  slippageBps: number;
  /** Fee fractions overriding the instruments' own (settings.paper.makerFee / takerFee). */
  makerFee?: Decimal;
  takerFee?: Decimal;
  /** For the liquidation price it reports and the liquidation rule it applies (settings.paper.maintenanceMarginRate). */
  maintenanceMarginRate: Decimal;
  /** Funding rate per interval for every instrument, signed (settings.paper.fundingRate). Without it and fundingRateFor no funding is charged. */
  fundingRate?: Decimal;
  /** Funding rate of one instrument at one funding time (null: none); wins over fundingRate. */
  fundingRateFor?: (instrumentId: InstrumentId, fundingTime: number) => Decimal | null;
  /** Funding every this many hours from 00:00 UTC (settings.paper.fundingIntervalHours, default 8: 00:00, 08:00, 16:00). */
  fundingIntervalHours?: number;
  /** A book older than this at the trade that fills a market order is not walked (settings.paper.bookStaleMs, default 2 000). */
  bookStaleMs?: number;
  /** Units of the quantities given to onBook (default 'base', what the engine's feeds and imports record). */
  bookQuantityUnit?: BookQuantityUnit;
  name?: string;
  /** Ended orders kept for lookups by client order id; the oldest are forgotten beyond this. */
  maxRememberedOrders?: number;
}

/** The paper venue's options from settings.paper (fee overrides only when set). */
export function paperVenueSettings(paper: Settings['paper']): Pick<PaperVenueOptions, 'slippageBps' | 'makerFee' | 'takerFee' | 'maintenanceMarginRate' | 'fundingRate' | 'fundingIntervalHours' | 'bookStaleMs'> {
  return {
    slippageBps: paper.slippageBps,
    ...(paper.makerFee !== null ? { makerFee: Decimal.of(paper.makerFee) } : {}),
    ...(paper.takerFee !== null ? { takerFee: Decimal.of(paper.takerFee) } : {}),
    maintenanceMarginRate: Decimal.of(paper.maintenanceMarginRate),
    fundingRate: Decimal.of(paper.fundingRate),
    fundingIntervalHours: paper.fundingIntervalHours,
    bookStaleMs: paper.bookStaleMs,
  };
}

interface PaperVenueOrder {
  state: VenueOrderState;
  request: SubmitOrderRequest;
}

/** Where an open position is liquidated, as a number: every trade is compared with it. */
interface LiquidationLevel {
  long: boolean;
  price: number;
}

const HOUR_MS = 3_600_000;

/** The first funding time strictly after ts (times run every intervalHours from 00:00 UTC, restarting each day). */
function nextFundingTime(ts: number, intervalHours: number): number {
  const day = Math.floor(ts / DAY_MS) * DAY_MS;
  const step = intervalHours * HOUR_MS;
  const next = day + (Math.floor((ts - day) / step) + 1) * step;
  return next < day + DAY_MS ? next : day + DAY_MS;
}

/**
 * The paper venue: the Venue interface on top of PaperMatching, so backtest, paper and live
 * sessions drive the same order manager (ARCHITECTURE §10). Fills come from the market data the
 * session passes in — onTrade for every trade print, onBook for every book update — and only
 * event time counts, never the wall clock:
 *
 * - Matching: see PaperMatching (market orders walk the book, or the next trade plus slippage;
 *   limit orders fill as maker when a trade prints through their price).
 * - Fees: maker/taker from the options, else the instrument's.
 * - Funding: at every funding time an event passes, each open position pays (long, positive
 *   rate) or receives rate × its notional at the mark (the last trade before the event); the
 *   balance changes and listeners get onFunding. Isolated margin, and so the liquidation price,
 *   is unchanged by funding.
 * - Liquidation (isolated): when a trade reaches a position's liquidation price
 *   (accounting.liquidationPrice), the position closes at that price with a TAKER fill whose
 *   commission is the margin left there (it goes to the exchange), so the balance loses exactly
 *   the position margin; open reduce-only orders of the instrument are cancelled; listeners get
 *   onLiquidation (not onFill: no order of theirs owns that fill).
 *
 * Order updates and fills are pushed to subscribers synchronously inside onTrade/onBook.
 * Idempotent by client order id, like the exchange adapters.
 */
export class PaperVenue implements Venue {
  readonly name: string;
  readonly has: VenueCapabilities = { privateStream: true, positionStream: false, clientOrderIdLookup: true, attachedStopLoss: false, reduceOnly: true };
  private readonly matching: PaperMatching;
  private readonly orders = new Map<ClientOrderId, PaperVenueOrder>();
  private readonly ended: ClientOrderId[] = [];
  private endedHead = 0;
  /** Open positions only: closed ones are deleted (their realised PnL is already in the balance). */
  private readonly positions = new Map<InstrumentId, Position>();
  /** Last trade price per instrument, kept as a number (a Price per trade would cost more than the rest of onTrade). */
  private readonly marks = new Map<InstrumentId, number>();
  private readonly liquidationLevels = new Map<InstrumentId, LiquidationLevel>();
  private readonly leverage = new Map<InstrumentId, number>();
  private readonly listeners = new Set<VenueListener>();
  private readonly maxRemembered: number;
  private readonly fundingIntervalHours: number;
  private balance: Money;
  private funding: Money;
  private orderSeq = 0;
  private liquidationSeq = 0;
  /** Event time funding was last settled up to (null before the first event); nextFundingAt is +∞ when no funding is configured. */
  private fundingFrom: number | null = null;
  private nextFundingAt: number;

  constructor(private readonly options: PaperVenueOptions) {
    this.name = options.name ?? 'paper';
    this.balance = options.startingBalance;
    this.funding = Money.zero(options.startingBalance.currency);
    this.maxRemembered = options.maxRememberedOrders ?? 100_000;
    this.fundingIntervalHours = options.fundingIntervalHours ?? 8;
    fundingTimes(0, 0, this.fundingIntervalHours); // validates the interval now rather than at the first funding time
    this.nextFundingAt = options.fundingRate !== undefined || options.fundingRateFor !== undefined ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    const matchingOptions: PaperMatchingOptions = { slippageBps: options.slippageBps };
    if (options.makerFee !== undefined) matchingOptions.makerFee = options.makerFee;
    if (options.takerFee !== undefined) matchingOptions.takerFee = options.takerFee;
    if (options.bookStaleMs !== undefined) matchingOptions.bookStaleMs = options.bookStaleMs;
    if (options.bookQuantityUnit !== undefined) matchingOptions.bookQuantityUnit = options.bookQuantityUnit;
    this.matching = new PaperMatching(options.instruments, matchingOptions, (fill) => this.onFill(fill));
  }

  /**
   * A trade printed: settles funding times passed, moves the mark, fills what it reaches, then
   * liquidates a position whose liquidation price it reached. Runs for every recorded trade of a
   * backtest, so with nothing open it is a comparison and two map lookups.
   */
  onTrade(instrumentId: InstrumentId, ts: number, price: number): void {
    if (ts >= this.nextFundingAt) this.settleFunding(ts);
    this.marks.set(instrumentId, price);
    this.matching.onTrade(instrumentId, ts, price);
    if (this.liquidationLevels.size === 0) return;
    const level = this.liquidationLevels.get(instrumentId);
    if (level !== undefined && (level.long ? price <= level.price : price >= level.price)) this.liquidate(instrumentId, ts);
  }

  /**
   * The instrument's book now, levels best first (a full top of book, not a delta; quantities in
   * bookQuantityUnit). Waiting market orders walk it at once; later ones walk it at their first
   * trade while it is no older than bookStaleMs. The levels are copied.
   */
  onBook(instrumentId: InstrumentId, ts: number, bids: ReadonlyArray<PaperBookLevel>, asks: ReadonlyArray<PaperBookLevel>): void {
    if (ts >= this.nextFundingAt) this.settleFunding(ts);
    this.matching.onBook(instrumentId, ts, bids, asks);
  }

  /** Funding paid (negative) or received since the start, over all instruments. */
  totalFunding(): Money {
    return this.funding;
  }

  async loadInstruments(): Promise<Map<InstrumentId, Instrument>> {
    return new Map(this.options.instruments);
  }

  async submitOrder(request: SubmitOrderRequest): Promise<VenueOrderState> {
    const existing = this.orders.get(request.clientOrderId);
    if (existing !== undefined) return { ...existing.state };
    if (!this.options.instruments.has(request.instrumentId)) throw new VenueError('invalid_order', `paper venue: unknown instrument ${request.instrumentId}`);
    if (request.type === 'LIMIT' && request.price === null) throw new VenueError('invalid_order', 'a limit order needs a price');
    if (request.reduceOnly) {
      const position = this.positions.get(request.instrumentId);
      const reduces = position !== undefined && (request.side === 'SELL' ? position.side === 'LONG' : position.side === 'SHORT');
      if (!reduces || request.quantity.gt(position.quantity)) throw new VenueError('invalid_order', 'reduce-only order would open or increase a position');
    }
    const state: VenueOrderState = {
      clientOrderId: request.clientOrderId, venueOrderId: VenueOrderId(`paper-${++this.orderSeq}`), instrumentId: request.instrumentId,
      status: 'ACCEPTED', filledQuantity: Quantity.ZERO_QTY, averageFillPrice: null, reason: null,
    };
    this.orders.set(request.clientOrderId, { state, request });
    this.setPositionLeverage(request.instrumentId, request.leverage);
    this.matching.submit({
      clientOrderId: request.clientOrderId, instrumentId: request.instrumentId, side: request.side, type: request.type, quantity: request.quantity,
      price: request.price, submittedAt: this.options.clock.now(),
    });
    return { ...state };
  }

  async cancelOrder(_instrumentId: InstrumentId, clientOrderId: ClientOrderId, _venueOrderId: VenueOrderId | null = null): Promise<VenueOrderState> {
    const order = this.orders.get(clientOrderId);
    if (order === undefined) throw new VenueError('order_not_found', `paper venue: no order ${clientOrderId}`);
    this.cancelResting(order, 'cancelled');
    return { ...order.state };
  }

  async fetchOrder(_instrumentId: InstrumentId, clientOrderId: ClientOrderId, _venueOrderId: VenueOrderId | null = null): Promise<VenueOrderState | null> {
    const order = this.orders.get(clientOrderId);
    return order === undefined ? null : { ...order.state };
  }

  async fetchOpenOrders(instrumentId?: InstrumentId): Promise<VenueOrderState[]> {
    return this.matching.openOrders(instrumentId).map((o) => ({ ...this.orders.get(o.clientOrderId)!.state }));
  }

  async fetchPositions(): Promise<VenuePosition[]> {
    const out: VenuePosition[] = [];
    for (const [id, position] of this.positions) {
      if (position.side === 'FLAT' || position.averageEntryPrice === null) continue;
      const instrument = this.options.instruments.get(id)!;
      const { leverage, margin, liquidation } = this.figures(position, instrument);
      const markNumber = this.marks.get(id);
      const mark = markNumber === undefined ? position.averageEntryPrice : Price.of(markNumber);
      out.push({
        instrumentId: id, side: position.side, quantity: position.quantity, entryPrice: position.averageEntryPrice, markPrice: mark, liquidationPrice: liquidation,
        leverage, margin: Money.money(margin, instrument.settle), unrealizedPnl: unrealizedPnl(position, mark, instrument),
      });
    }
    return out;
  }

  async fetchBalance(): Promise<VenueBalance> {
    let used = Decimal.ZERO;
    for (const position of await this.fetchPositions()) used = used.add(position.margin ?? Decimal.ZERO);
    const currency = this.balance.currency;
    return { currency, total: this.balance, free: Money.money(this.balance.sub(used), currency), used: Money.money(used, currency) };
  }

  async setLeverage(instrumentId: InstrumentId, leverage: number): Promise<void> {
    this.setPositionLeverage(instrumentId, leverage);
  }

  subscribe(listener: VenueListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private onFill(fill: Fill): void {
    const order = this.orders.get(fill.clientOrderId);
    if (order === undefined) return;
    const venueFill: Fill = { ...fill, venueOrderId: order.state.venueOrderId };
    this.applyToPosition(venueFill);
    const filled = order.state.filledQuantity.add(fill.lastQty);
    order.state = {
      ...order.state,
      status: filled.gte(order.request.quantity) ? 'FILLED' : 'PARTIALLY_FILLED',
      filledQuantity: Quantity.fromRaw(filled.raw),
      averageFillPrice: fill.lastPx, // PaperMatching fills an order in one piece
    };
    if (order.state.status === 'FILLED') this.remember(fill.clientOrderId);
    for (const listener of this.listeners) listener.onFill(venueFill);
    this.emitOrder(order.state);
  }

  /** Applies a fill to the position and the balance (realised PnL less the commission). */
  private applyToPosition(fill: Fill): void {
    const instrument = this.options.instruments.get(fill.instrumentId)!;
    const before = this.positions.get(fill.instrumentId) ?? flatPosition(fill.instrumentId, fill.tsEvent, instrument.settle);
    const after = applyFill(before, fill, instrument);
    if (after.side === 'FLAT') this.positions.delete(fill.instrumentId);
    else this.positions.set(fill.instrumentId, after);
    this.balance = this.balance.plus(after.realizedPnl.minus(before.realizedPnl)).minus(fill.commission);
    this.refreshLiquidationLevel(fill.instrumentId);
  }

  /** Leverage, isolated margin and liquidation price of an open position (the figures fetchPositions reports). */
  private figures(position: Position, instrument: Instrument): { leverage: number; cost: Decimal; margin: Decimal; liquidation: Price | null } {
    const leverage = this.leverage.get(position.instrumentId) ?? 1;
    const cost = position.averageEntryPrice === null ? Decimal.ZERO : position.averageEntryPrice.mul(position.quantity, 'half-even').mul(instrument.contractSize, 'half-even');
    const margin = positionMargin(cost, leverage);
    const liquidation = liquidationPrice({
      side: position.side, quantity: position.quantity, entryCost: cost, margin, contractSize: instrument.contractSize,
      maintenanceMarginRate: this.options.maintenanceMarginRate, tickSize: instrument.tickSize,
    });
    return { leverage, cost, margin, liquidation };
  }

  private setPositionLeverage(instrumentId: InstrumentId, leverage: number): void {
    if (this.leverage.get(instrumentId) === leverage) return;
    this.leverage.set(instrumentId, leverage);
    if (this.positions.has(instrumentId)) this.refreshLiquidationLevel(instrumentId); // the margin, and so the liquidation price, moved
  }

  private refreshLiquidationLevel(instrumentId: InstrumentId): void {
    const position = this.positions.get(instrumentId);
    const liquidation = position === undefined ? null : this.figures(position, this.options.instruments.get(instrumentId)!).liquidation;
    if (position === undefined || liquidation === null) this.liquidationLevels.delete(instrumentId);
    else this.liquidationLevels.set(instrumentId, { long: position.side === 'LONG', price: liquidation.toNumber() });
  }

  /**
   * The exchange's isolated liquidation: closes the position at its liquidation price. The fill's
   * commission is the margin still left at that price (the maintenance margin, taken by the
   * exchange), so realised PnL − commission = −margin whatever the rounding.
   */
  private liquidate(instrumentId: InstrumentId, ts: number): void {
    const position = this.positions.get(instrumentId);
    if (position === undefined || position.side === 'FLAT') return;
    const instrument = this.options.instruments.get(instrumentId)!;
    const { leverage, margin, liquidation } = this.figures(position, instrument);
    if (liquidation === null) return;
    const realized = unrealizedPnl(position, liquidation, instrument);
    const fee = Decimal.max(Decimal.ZERO, margin.add(realized));
    const seq = ++this.liquidationSeq;
    const clientOrderId = ClientOrderId(`liquidation-${instrumentId}-${seq}`);
    const venueOrderId = VenueOrderId(`paper-liquidation-${seq}`);
    const side = position.side === 'LONG' ? 'SELL' : 'BUY';
    const fill: Fill = {
      fillId: FillId(`paper-liquidation-fill-${seq}`), clientOrderId, venueOrderId, instrumentId, side, lastQty: position.quantity, lastPx: liquidation,
      liquiditySide: 'TAKER', commission: Money.money(fee, instrument.settle), tsEvent: ts,
    };
    this.applyToPosition(fill);
    // the exchange lists the forced close among the account's orders
    this.orders.set(clientOrderId, {
      request: {
        clientOrderId, instrumentId, side, type: 'MARKET', quantity: position.quantity, price: null, triggerPrice: null, timeInForce: 'IOC', reduceOnly: true, leverage, marginMode: 'isolated',
      },
      state: { clientOrderId, venueOrderId, instrumentId, status: 'FILLED', filledQuantity: position.quantity, averageFillPrice: liquidation, commission: fill.commission, reason: 'liquidation' },
    });
    this.remember(clientOrderId);
    // with the position gone a reduce-only order could only open a new one
    for (const resting of this.matching.openOrders(instrumentId)) {
      const order = this.orders.get(resting.clientOrderId);
      if (order?.request.reduceOnly === true) this.cancelResting(order, 'liquidation');
    }
    const event: VenueLiquidationEvent = {
      instrumentId, side: position.side, quantity: position.quantity, price: liquidation, margin: Money.money(margin, instrument.settle), realizedPnl: realized, fill, ts,
    };
    for (const listener of this.listeners) listener.onLiquidation?.(event);
  }

  /** Applies every funding time in (previous event, ts] to the positions open now (they were open then: fills happen at events). */
  private settleFunding(ts: number): void {
    const from = this.fundingFrom;
    this.fundingFrom = ts;
    this.nextFundingAt = nextFundingTime(ts, this.fundingIntervalHours);
    if (from === null || this.positions.size === 0) return;
    for (const fundingTime of fundingTimes(from, ts, this.fundingIntervalHours)) {
      for (const [instrumentId, position] of this.positions) {
        if (position.side === 'FLAT' || position.averageEntryPrice === null) continue;
        const rate = this.options.fundingRateFor !== undefined ? this.options.fundingRateFor(instrumentId, fundingTime) : (this.options.fundingRate ?? null);
        if (rate === null || rate.isZero()) continue;
        const instrument = this.options.instruments.get(instrumentId)!;
        const markNumber = this.marks.get(instrumentId);
        const markPrice = markNumber === undefined ? position.averageEntryPrice : Price.of(markNumber);
        const amount = Money.money(fundingPayment(position.side, notional(instrument, markPrice, position.quantity), rate), instrument.settle);
        this.balance = this.balance.plus(amount);
        this.funding = this.funding.plus(amount);
        for (const listener of this.listeners) listener.onFunding?.({ instrumentId, rate, amount, markPrice, ts: fundingTime });
      }
    }
  }

  private cancelResting(order: PaperVenueOrder, reason: string): void {
    if (TERMINAL_STATUSES.has(order.state.status) || !this.matching.cancel(order.state.instrumentId, order.state.clientOrderId)) return;
    order.state = { ...order.state, status: 'CANCELED', reason };
    this.remember(order.state.clientOrderId);
    this.emitOrder(order.state);
  }

  private emitOrder(state: VenueOrderState): void {
    for (const listener of this.listeners) listener.onOrderUpdate({ ...state });
  }

  /** Keeps ended orders for lookups, forgetting the oldest beyond maxRememberedOrders (the map must not grow forever). */
  private remember(clientOrderId: ClientOrderId): void {
    this.ended.push(clientOrderId);
    while (this.ended.length - this.endedHead > this.maxRemembered) {
      this.orders.delete(this.ended[this.endedHead]!);
      this.endedHead++;
    }
    if (this.endedHead > 4096 && this.endedHead * 2 > this.ended.length) {
      this.ended.splice(0, this.endedHead);
      this.endedHead = 0;
    }
  }
}
