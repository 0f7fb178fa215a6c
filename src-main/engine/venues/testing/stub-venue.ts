import { Decimal, type DecimalInput } from '../../../../src-shared/domain/decimal';
import type { Fill } from '../../../../src-shared/domain/fill';
import { FillId, VenueOrderId, type ClientOrderId, type InstrumentId } from '../../../../src-shared/domain/ids';
import { notional, type Instrument } from '../../../../src-shared/domain/instrument';
import { TERMINAL_STATUSES } from '../../../../src-shared/domain/order';
import type { PositionSide } from '../../../../src-shared/domain/position';
import { Money, Price, Quantity } from '../../../../src-shared/domain/values';
import type { Clock } from '../../clock/clock';
import { liquidationPrice, positionMargin } from '../../execution/accounting';
import {
  VenueError, type SubmitOrderRequest, type Venue, type VenueBalance, type VenueCapabilities, type VenueClosedPosition, type VenueListener, type VenueOrderState, type VenuePosition,
} from '../venue';

/**
 * A real in-memory venue for unit tests of the execution layer: it keeps orders (idempotent by
 * client order id), fills market orders at its mark, rests limit orders until the mark crosses
 * them or a test fills them, nets positions, and keeps a balance. Tests steer it: faults per
 * method (once or until cleared), a response dropped after the order was accepted, latency on
 * the injected clock, and changes made "outside the app" (positions opened, closed or
 * liquidated, orders cancelled or lost). With `positionHistory` it also keeps every closed
 * position (MEXC's history_positions: close PnL before fees, every fee, liquidated or not) and
 * offers fetchClosedPositions. It is not the exchange simulator (tests/mexc-sim) and speaks no
 * protocol.
 */

export type StubMethod = 'loadInstruments' | 'submitOrder' | 'cancelOrder' | 'fetchOrder' | 'fetchOpenOrders' | 'fetchPositions' | 'fetchBalance' | 'setLeverage' | 'fetchClosedPositions';

export interface StubVenueOptions {
  clock: Clock;
  instruments: Iterable<Instrument>;
  name?: string;
  has?: Partial<VenueCapabilities>;
  /** Every call waits this long on the injected clock first (default 0: answers at once). */
  latencyMs?: number;
  /** Market orders fill at once at the mark (default) or only when a test calls fill(). */
  marketFills?: 'immediate' | 'manual';
  balance?: DecimalInput;
  currency?: string;
  /** For the liquidation price the stub reports (default 0.004). */
  maintenanceMarginRate?: DecimalInput;
  /** The account's fee tier, when it differs from the instrument's schedule (fractions). */
  fees?: { maker: DecimalInput; taker: DecimalInput };
  /** Keeps closed positions and offers fetchClosedPositions (default false: a venue without a position history). */
  positionHistory?: boolean;
}

interface StubOrder {
  state: VenueOrderState;
  request: SubmitOrderRequest;
  filledNotional: Decimal; // Σ px × qty, for the average price
  fills: Fill[];
}

interface StubPosition {
  signed: Decimal;
  entry: Decimal | null;
  leverage: number;
  openedAt: number;
  /** Over the position's life, for its history entry: close PnL before fees, every fee, Σ closed contracts and px × contracts. */
  realized: Decimal;
  fees: Decimal;
  closedQty: Decimal;
  closedNotional: Decimal;
}

type Fault = { error: VenueError; remaining: number };

const METHODS: readonly StubMethod[] = ['loadInstruments', 'submitOrder', 'cancelOrder', 'fetchOrder', 'fetchOpenOrders', 'fetchPositions', 'fetchBalance', 'setLeverage', 'fetchClosedPositions'];

export class StubVenue implements Venue {
  readonly name: string;
  readonly has: VenueCapabilities;
  /** How often each method was called (including failed calls). */
  readonly calls: Record<StubMethod, number>;
  /** Present only with `positionHistory`, as on a venue that has one. */
  readonly fetchClosedPositions?: (since: number) => Promise<VenueClosedPosition[]>;
  private readonly clock: Clock;
  private readonly instruments = new Map<InstrumentId, Instrument>();
  private readonly orders = new Map<ClientOrderId, StubOrder>();
  private readonly byVenueId = new Map<VenueOrderId, ClientOrderId>();
  private readonly positions = new Map<InstrumentId, StubPosition>();
  private readonly marks = new Map<InstrumentId, Decimal>();
  private readonly leverage = new Map<InstrumentId, number>();
  private readonly listeners = new Set<VenueListener>();
  private readonly faults = new Map<StubMethod, Fault[]>();
  private readonly persistentFaults = new Map<StubMethod, VenueError>();
  private readonly marketFills: 'immediate' | 'manual';
  private readonly currency: string;
  private readonly mmr: Decimal;
  private readonly fees: { maker: Decimal; taker: Decimal } | null;
  private readonly history: VenueClosedPosition[] = [];
  private latencyMs: number;
  private droppedResponses = 0;
  private balance: Decimal;
  private orderSeq = 0;
  private fillSeq = 0;
  private closed = false;

  constructor(options: StubVenueOptions) {
    this.clock = options.clock;
    this.name = options.name ?? 'stub';
    this.has = { privateStream: true, positionStream: false, clientOrderIdLookup: true, attachedStopLoss: false, reduceOnly: true, ...options.has };
    for (const instrument of options.instruments) this.instruments.set(instrument.id, instrument);
    this.latencyMs = options.latencyMs ?? 0;
    this.marketFills = options.marketFills ?? 'immediate';
    this.currency = options.currency ?? 'USDT';
    this.balance = Decimal.of(options.balance ?? '10000');
    this.mmr = Decimal.of(options.maintenanceMarginRate ?? '0.004');
    this.fees = options.fees === undefined ? null : { maker: Decimal.of(options.fees.maker), taker: Decimal.of(options.fees.taker) };
    this.calls = Object.fromEntries(METHODS.map((m) => [m, 0])) as Record<StubMethod, number>;
    if (options.positionHistory === true) {
      this.fetchClosedPositions = async (since) => {
        await this.enter('fetchClosedPositions');
        return this.history.filter((entry) => entry.closedAt >= since).sort((a, b) => b.closedAt - a.closedAt).map((entry) => ({ ...entry }));
      };
    }
  }

  // ------------------------------------------------------------------------------------------
  // Test controls

  /** The next `times` calls of method fail with error before doing anything. */
  failNext(method: StubMethod, error: VenueError, times = 1): void {
    const list = this.faults.get(method) ?? [];
    list.push({ error, remaining: times });
    this.faults.set(method, list);
  }

  /** Every call of method fails with error until failAlways(method, null). */
  failAlways(method: StubMethod, error: VenueError | null): void {
    if (error === null) this.persistentFaults.delete(method);
    else this.persistentFaults.set(method, error);
  }

  /** The next `times` submissions are accepted (and filled, for market orders), then answer with a timeout. */
  dropSubmitResponses(times = 1): void {
    this.droppedResponses += times;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Moves the mark; resting limit orders it crosses fill at their price. */
  setMark(instrumentId: string, price: DecimalInput): void {
    const id = instrumentId as InstrumentId;
    const mark = Decimal.of(price);
    this.marks.set(id, mark);
    for (const order of [...this.orders.values()]) {
      const { state, request } = order;
      if (state.instrumentId !== id || TERMINAL_STATUSES.has(state.status) || request.type !== 'LIMIT' || request.price === null) continue;
      const crosses = request.side === 'BUY' ? mark.lte(request.price) : mark.gte(request.price);
      if (crosses) this.fillOrder(order, request.quantity.sub(state.filledQuantity), request.price);
    }
  }

  /** Fills an open order (all of what is left by default) at the given price (default: its limit price or the mark). */
  fill(clientOrderId: string, quantity?: DecimalInput, price?: DecimalInput): VenueOrderState {
    const order = this.orders.get(clientOrderId as ClientOrderId);
    if (order === undefined) throw new Error(`stub venue: no order ${clientOrderId}`);
    const left = order.request.quantity.sub(order.state.filledQuantity);
    const qty = quantity === undefined ? left : Decimal.of(quantity);
    const px = price !== undefined ? Decimal.of(price) : (order.request.price ?? this.marks.get(order.state.instrumentId) ?? null);
    if (px === null) throw new Error(`stub venue: no price to fill ${clientOrderId} at`);
    this.fillOrder(order, qty, px);
    return this.copy(order.state);
  }

  /** A position opened outside the app (another device, the exchange's web UI). */
  openPositionOutside(instrumentId: string, side: 'LONG' | 'SHORT', quantity: DecimalInput, entryPrice: DecimalInput, leverage = 1): void {
    const qty = Decimal.of(quantity);
    this.positions.set(instrumentId as InstrumentId, { ...this.newPosition(leverage), signed: side === 'LONG' ? qty : qty.neg(), entry: Decimal.of(entryPrice) });
    if (!this.marks.has(instrumentId as InstrumentId)) this.marks.set(instrumentId as InstrumentId, Decimal.of(entryPrice));
    this.emitPosition(instrumentId as InstrumentId);
  }

  /**
   * The exchange liquidated the position at its liquidation price (the mark when it has none):
   * gone, its margin lost. `history: false` leaves it out of the position history (a venue
   * that has not written it yet).
   */
  liquidate(instrumentId: string, options: { history?: boolean } = {}): void {
    const id = instrumentId as InstrumentId;
    const position = this.positions.get(id);
    if (position === undefined || position.entry === null) return;
    const venuePosition = this.venuePosition(id);
    const margin = venuePosition?.margin ?? Decimal.ZERO;
    const price = venuePosition?.liquidationPrice ?? venuePosition?.markPrice ?? position.entry;
    this.balance = this.balance.sub(margin);
    position.realized = position.realized.sub(margin);
    position.closedQty = position.closedQty.add(position.signed.abs());
    position.closedNotional = position.closedNotional.add(price.mul(position.signed.abs(), 'half-even'));
    if (options.history !== false) this.recordClosed(id, position, true);
    this.positions.delete(id);
    this.emitPosition(id);
  }

  /** The trader closed the position outside the app, at the mark (or `price`), paying `fee` (default none). */
  closePositionOutside(instrumentId: string, options: { price?: DecimalInput; fee?: DecimalInput; history?: boolean } = {}): void {
    const id = instrumentId as InstrumentId;
    const position = this.positions.get(id);
    if (position === undefined) return;
    const price = options.price !== undefined ? Decimal.of(options.price) : (this.marks.get(id) ?? position.entry);
    if (price !== null && position.entry !== null) this.realize(id, position, position.signed.abs(), price);
    const fee = Decimal.of(options.fee ?? 0);
    this.balance = this.balance.sub(fee);
    position.fees = position.fees.add(fee);
    if (options.history !== false && price !== null) this.recordClosed(id, position, false);
    this.positions.delete(id);
    this.emitPosition(id);
  }

  /** Sends the order's fills to subscribers again (a stream that re-delivers after a reconnect). */
  redeliverFills(clientOrderId: string): number {
    const order = this.orders.get(clientOrderId as ClientOrderId);
    if (order === undefined) return 0;
    for (const fill of order.fills) for (const listener of [...this.listeners]) listener.onFill({ ...fill });
    return order.fills.length;
  }

  cancelOrderOutside(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId as ClientOrderId);
    if (order === undefined || TERMINAL_STATUSES.has(order.state.status)) return;
    order.state = { ...order.state, status: 'CANCELED', reason: 'cancelled outside the app' };
    this.emitOrder(order.state);
  }

  /** Orders the venue accepted (each client order id once, however often it was sent). */
  get ordersCreated(): number {
    return this.orders.size;
  }

  orderState(clientOrderId: string): VenueOrderState | null {
    const order = this.orders.get(clientOrderId as ClientOrderId);
    return order === undefined ? null : this.copy(order.state);
  }

  allOrders(): VenueOrderState[] {
    return [...this.orders.values()].map((o) => this.copy(o.state));
  }

  position(instrumentId: string): { side: PositionSide; quantity: Decimal } {
    const p = this.positions.get(instrumentId as InstrumentId);
    if (p === undefined || p.signed.isZero()) return { side: 'FLAT', quantity: Decimal.ZERO };
    return { side: p.signed.isPositive() ? 'LONG' : 'SHORT', quantity: p.signed.abs() };
  }

  // ------------------------------------------------------------------------------------------
  // Venue

  async loadInstruments(): Promise<Map<InstrumentId, Instrument>> {
    await this.enter('loadInstruments');
    return new Map(this.instruments);
  }

  async submitOrder(request: SubmitOrderRequest): Promise<VenueOrderState> {
    await this.enter('submitOrder');
    const existing = this.orders.get(request.clientOrderId);
    if (existing !== undefined) return this.copy(existing.state);
    const instrument = this.instruments.get(request.instrumentId);
    if (instrument === undefined) throw new VenueError('invalid_order', `unknown symbol ${request.instrumentId}`);
    if (request.reduceOnly) {
      const held = this.positions.get(request.instrumentId)?.signed ?? Decimal.ZERO;
      const reduces = request.side === 'SELL' ? held.isPositive() : held.isNegative();
      if (!reduces || request.quantity.gt(held.abs())) throw new VenueError('invalid_order', 'reduce-only order would open or increase a position');
    }
    const venueOrderId = VenueOrderId(`stub-${++this.orderSeq}`);
    const order: StubOrder = {
      request,
      filledNotional: Decimal.ZERO,
      fills: [],
      state: {
        clientOrderId: request.clientOrderId, venueOrderId, instrumentId: request.instrumentId, status: 'ACCEPTED',
        filledQuantity: Quantity.of(0), averageFillPrice: null, reason: null,
      },
    };
    this.orders.set(request.clientOrderId, order);
    this.byVenueId.set(venueOrderId, request.clientOrderId);
    this.leverage.set(request.instrumentId, request.leverage);
    this.emitOrder(order.state);
    if (request.type === 'MARKET' && this.marketFills === 'immediate') {
      const mark = this.marks.get(request.instrumentId);
      if (mark === undefined) {
        order.state = { ...order.state, status: 'REJECTED', reason: 'no market price' };
        this.emitOrder(order.state);
      } else {
        this.fillOrder(order, request.quantity, mark);
      }
    } else if (request.type === 'LIMIT' && request.price !== null) {
      const mark = this.marks.get(request.instrumentId);
      const crosses = mark !== undefined && (request.side === 'BUY' ? mark.lte(request.price) : mark.gte(request.price));
      if (crosses) this.fillOrder(order, request.quantity, request.price);
    }
    if (this.droppedResponses > 0) {
      this.droppedResponses--;
      throw new VenueError('timeout', 'the response was lost after the venue accepted the order');
    }
    return this.copy(order.state);
  }

  async cancelOrder(_instrumentId: InstrumentId, clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): Promise<VenueOrderState> {
    await this.enter('cancelOrder');
    const order = this.find(clientOrderId, venueOrderId);
    if (order === undefined) throw new VenueError('order_not_found', `no order ${clientOrderId}`);
    if (!TERMINAL_STATUSES.has(order.state.status)) {
      order.state = { ...order.state, status: 'CANCELED', reason: 'cancelled' };
      this.emitOrder(order.state);
    }
    return this.copy(order.state);
  }

  async fetchOrder(_instrumentId: InstrumentId, clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): Promise<VenueOrderState | null> {
    await this.enter('fetchOrder');
    const order = this.find(clientOrderId, venueOrderId);
    return order === undefined ? null : this.copy(order.state);
  }

  async fetchOpenOrders(instrumentId?: InstrumentId): Promise<VenueOrderState[]> {
    await this.enter('fetchOpenOrders');
    return [...this.orders.values()]
      .filter((o) => !TERMINAL_STATUSES.has(o.state.status) && (instrumentId === undefined || o.state.instrumentId === instrumentId))
      .map((o) => this.copy(o.state));
  }

  async fetchPositions(): Promise<VenuePosition[]> {
    await this.enter('fetchPositions');
    const out: VenuePosition[] = [];
    for (const id of this.positions.keys()) {
      const position = this.venuePosition(id);
      if (position !== null) out.push(position);
    }
    return out;
  }

  async fetchBalance(): Promise<VenueBalance> {
    await this.enter('fetchBalance');
    let used = Decimal.ZERO;
    for (const [id, position] of this.positions) {
      if (position.entry === null) continue;
      const cost = position.entry.mul(position.signed.abs(), 'half-even').mul(this.instrumentOf(id).contractSize, 'half-even');
      used = used.add(positionMargin(cost, position.leverage));
    }
    return { currency: this.currency, total: Money.money(this.balance, this.currency), free: Money.money(this.balance.sub(used), this.currency), used: Money.money(used, this.currency) };
  }

  async setLeverage(instrumentId: InstrumentId, leverage: number): Promise<void> {
    await this.enter('setLeverage');
    this.leverage.set(instrumentId, leverage);
  }

  subscribe(listener: VenueListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  // ------------------------------------------------------------------------------------------

  private async enter(method: StubMethod): Promise<void> {
    this.calls[method]++;
    if (this.closed) throw new VenueError('network', 'stub venue is closed');
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
    const persistent = this.persistentFaults.get(method);
    if (persistent !== undefined) throw persistent;
    const list = this.faults.get(method);
    const fault = list?.[0];
    if (list !== undefined && fault !== undefined) {
      fault.remaining--;
      if (fault.remaining <= 0) list.shift();
      if (list.length === 0) this.faults.delete(method);
      throw fault.error;
    }
  }

  private find(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): StubOrder | undefined {
    if (this.has.clientOrderIdLookup) {
      const byClient = this.orders.get(clientOrderId);
      if (byClient !== undefined) return byClient;
    }
    if (venueOrderId === null) return undefined;
    const id = this.byVenueId.get(venueOrderId);
    return id === undefined ? undefined : this.orders.get(id);
  }

  private fillOrder(order: StubOrder, quantity: Decimal, price: Decimal): void {
    const { request } = order;
    const instrument = this.instrumentOf(request.instrumentId);
    const left = request.quantity.sub(order.state.filledQuantity);
    const qty = Decimal.min(left, quantity);
    if (!qty.isPositive()) return;
    const px = Price.of(price);
    const filled = order.state.filledQuantity.add(qty);
    order.filledNotional = order.filledNotional.add(px.mul(qty, 'half-even'));
    const liquidity = request.type === 'LIMIT' ? 'MAKER' : 'TAKER';
    const feeRate = liquidity === 'MAKER' ? (this.fees?.maker ?? instrument.makerFee) : (this.fees?.taker ?? instrument.takerFee);
    const commission = Money.money(notional(instrument, px, Quantity.of(qty)).mul(feeRate, 'half-even'), instrument.settle);
    order.state = {
      ...order.state,
      status: filled.gte(request.quantity) ? 'FILLED' : 'PARTIALLY_FILLED',
      filledQuantity: Quantity.of(filled),
      averageFillPrice: Price.of(order.filledNotional.div(filled, 'half-even')),
      commission: (order.state.commission ?? Money.zero(instrument.settle)).plus(commission),
    };
    this.applyToPosition(request.instrumentId, request.side === 'BUY' ? qty : qty.neg(), px, request.leverage, commission);
    this.balance = this.balance.sub(commission);
    const fill: Fill = {
      fillId: FillId(`stub-fill-${++this.fillSeq}`), clientOrderId: request.clientOrderId, venueOrderId: order.state.venueOrderId,
      instrumentId: request.instrumentId, side: request.side, lastQty: Quantity.of(qty), lastPx: px, liquiditySide: liquidity, commission, tsEvent: this.clock.now(),
    };
    order.fills.push(fill);
    if (this.has.privateStream) for (const listener of [...this.listeners]) listener.onFill(fill);
    this.emitOrder(order.state);
    this.emitPosition(request.instrumentId);
  }

  private applyToPosition(instrumentId: InstrumentId, delta: Decimal, price: Decimal, leverage: number, commission: Decimal): void {
    let position = this.positions.get(instrumentId) ?? this.newPosition(leverage);
    const before = position.signed;
    const after = before.add(delta);
    if (before.isZero() || before.isPositive() === delta.isPositive()) {
      const entry = position.entry ?? price;
      position.entry = entry.mul(before.abs(), 'half-even').add(price.mul(delta.abs(), 'half-even')).div(after.abs(), 'half-even');
      if (before.isZero()) position.leverage = leverage;
      position.fees = position.fees.add(commission);
    } else {
      const closing = Decimal.min(before.abs(), delta.abs());
      const closingFee = commission.mul(closing, 'half-even').div(delta.abs(), 'half-even');
      this.realize(instrumentId, position, closing, price);
      position.fees = position.fees.add(closingFee);
      if (!after.isZero() && after.isPositive() === before.isPositive()) {
        position.signed = after;
        this.positions.set(instrumentId, position);
        return;
      }
      this.recordClosed(instrumentId, position, false);
      if (after.isZero()) {
        this.positions.delete(instrumentId);
        return;
      }
      // flipped: the rest opens a new position at this price
      position = { ...this.newPosition(leverage), entry: price, fees: commission.sub(closingFee) };
    }
    position.signed = after;
    this.positions.set(instrumentId, position);
  }

  private newPosition(leverage: number): StubPosition {
    return { signed: Decimal.ZERO, entry: null, leverage, openedAt: this.clock.now(), realized: Decimal.ZERO, fees: Decimal.ZERO, closedQty: Decimal.ZERO, closedNotional: Decimal.ZERO };
  }

  private realize(instrumentId: InstrumentId, position: StubPosition, closing: Decimal, price: Decimal): void {
    if (position.entry === null) return;
    const cs = this.instrumentOf(instrumentId).contractSize;
    const perContract = position.signed.isPositive() ? price.sub(position.entry) : position.entry.sub(price);
    const pnl = perContract.mul(closing, 'half-even').mul(cs, 'half-even');
    this.balance = this.balance.add(pnl);
    position.realized = position.realized.add(pnl);
    position.closedQty = position.closedQty.add(closing);
    position.closedNotional = position.closedNotional.add(price.mul(closing, 'half-even'));
  }

  /** The position's history entry, as the venue would write it once the position is closed. */
  private recordClosed(instrumentId: InstrumentId, position: StubPosition, liquidated: boolean): void {
    if (this.fetchClosedPositions === undefined || position.closedQty.isZero() || position.entry === null) return;
    const settle = this.instrumentOf(instrumentId).settle;
    this.history.push({
      instrumentId, side: position.signed.isPositive() ? 'LONG' : 'SHORT', quantity: Quantity.of(position.closedQty), entryPrice: Price.of(position.entry),
      exitPrice: Price.of(position.closedNotional.div(position.closedQty, 'half-even')), realizedPnl: Money.money(position.realized, settle),
      fees: Money.money(position.fees, settle), liquidated, openedAt: position.openedAt, closedAt: this.clock.now(),
    });
  }

  private venuePosition(instrumentId: InstrumentId): VenuePosition | null {
    const position = this.positions.get(instrumentId);
    if (position === undefined || position.signed.isZero() || position.entry === null) return null;
    const instrument = this.instrumentOf(instrumentId);
    const quantity = position.signed.abs();
    const side: PositionSide = position.signed.isPositive() ? 'LONG' : 'SHORT';
    const cost = position.entry.mul(quantity, 'half-even').mul(instrument.contractSize, 'half-even');
    const margin = positionMargin(cost, position.leverage);
    const mark = this.marks.get(instrumentId) ?? position.entry;
    const markNotional = mark.mul(quantity, 'half-even').mul(instrument.contractSize, 'half-even');
    return {
      instrumentId, side, quantity: Quantity.of(quantity), entryPrice: Price.of(position.entry), markPrice: Price.of(mark),
      liquidationPrice: liquidationPrice({ side, quantity, entryCost: cost, margin, contractSize: instrument.contractSize, maintenanceMarginRate: this.mmr, tickSize: instrument.tickSize }),
      leverage: position.leverage, margin: Money.money(margin, instrument.settle),
      unrealizedPnl: Money.money(side === 'LONG' ? markNotional.sub(cost) : cost.sub(markNotional), instrument.settle),
    };
  }

  private emitOrder(state: VenueOrderState): void {
    if (!this.has.privateStream) return;
    for (const listener of [...this.listeners]) listener.onOrderUpdate(this.copy(state));
  }

  private emitPosition(instrumentId: InstrumentId): void {
    if (!this.has.positionStream) return;
    const position = this.venuePosition(instrumentId);
    const flat: VenuePosition = {
      instrumentId, side: 'FLAT', quantity: Quantity.of(0), entryPrice: null, markPrice: null, liquidationPrice: null, leverage: this.leverage.get(instrumentId) ?? 1, margin: null, unrealizedPnl: null,
    };
    for (const listener of [...this.listeners]) listener.onPositionUpdate?.(position ?? flat);
  }

  private instrumentOf(id: InstrumentId): Instrument {
    const instrument = this.instruments.get(id);
    if (instrument === undefined) throw new Error(`stub venue: unknown instrument ${id}`);
    return instrument;
  }

  private copy(state: VenueOrderState): VenueOrderState {
    return { ...state };
  }
}
