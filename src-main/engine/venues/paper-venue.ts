import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import { VenueOrderId, type ClientOrderId, type InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import { TERMINAL_STATUSES } from '../../../src-shared/domain/order';
import { applyFill, flatPosition, unrealizedPnl, type Position } from '../../../src-shared/domain/position';
import { Money, Price, Quantity } from '../../../src-shared/domain/values';
import type { Clock } from '../clock/clock';
import { liquidationPrice, positionMargin } from '../execution/accounting';
import { PaperMatching } from './paper-matching';
import { VenueError, type SubmitOrderRequest, type Venue, type VenueBalance, type VenueCapabilities, type VenueListener, type VenueOrderState, type VenuePosition } from './venue';

export interface PaperVenueOptions {
  clock: Clock;
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  startingBalance: Money;
  /** Market orders fill at the next trade plus this slippage (settings.paper.slippageBps). */
  slippageBps: number;
  makerFee?: Decimal;
  takerFee?: Decimal;
  /** For the liquidation price it reports (settings.paper.maintenanceMarginRate). */
  maintenanceMarginRate: Decimal;
  name?: string;
  /** Ended orders kept for lookups by client order id; the oldest are forgotten beyond this. */
  maxRememberedOrders?: number;
}

interface PaperVenueOrder {
  state: VenueOrderState;
  request: SubmitOrderRequest;
}

/**
 * The paper venue: the Venue interface on top of PaperMatching, so backtest, paper and live
 * sessions drive the same order manager. Market orders fill at the next trade (onTrade) plus
 * slippage; limit orders fill when a trade prints through their price. Order updates and fills
 * are pushed to subscribers (a private stream), synchronously inside onTrade. Idempotent by
 * client order id, like the exchange adapters.
 */
export class PaperVenue implements Venue {
  readonly name: string;
  readonly has: VenueCapabilities = { privateStream: true, positionStream: false, clientOrderIdLookup: true, attachedStopLoss: false, reduceOnly: true };
  private readonly matching: PaperMatching;
  private readonly orders = new Map<ClientOrderId, PaperVenueOrder>();
  private readonly ended: ClientOrderId[] = [];
  private endedHead = 0;
  private readonly positions = new Map<InstrumentId, Position>();
  private readonly marks = new Map<InstrumentId, Price>();
  private readonly leverage = new Map<InstrumentId, number>();
  private readonly listeners = new Set<VenueListener>();
  private readonly maxRemembered: number;
  private balance: Money;
  private orderSeq = 0;

  constructor(private readonly options: PaperVenueOptions) {
    this.name = options.name ?? 'paper';
    this.balance = options.startingBalance;
    this.maxRemembered = options.maxRememberedOrders ?? 100_000;
    const matchingOptions: ConstructorParameters<typeof PaperMatching>[1] = { slippageBps: options.slippageBps };
    if (options.makerFee !== undefined) matchingOptions.makerFee = options.makerFee;
    if (options.takerFee !== undefined) matchingOptions.takerFee = options.takerFee;
    this.matching = new PaperMatching(options.instruments, matchingOptions, (fill) => this.onFill(fill));
  }

  /** A trade printed: fills what it reaches and moves the mark. */
  onTrade(instrumentId: InstrumentId, ts: number, price: number): void {
    this.marks.set(instrumentId, Price.of(price));
    this.matching.onTrade(instrumentId, ts, price);
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
    this.leverage.set(request.instrumentId, request.leverage);
    this.matching.submit({
      clientOrderId: request.clientOrderId, instrumentId: request.instrumentId, side: request.side, type: request.type, quantity: request.quantity,
      price: request.price, submittedAt: this.options.clock.now(),
    });
    return { ...state };
  }

  async cancelOrder(_instrumentId: InstrumentId, clientOrderId: ClientOrderId, _venueOrderId: VenueOrderId | null = null): Promise<VenueOrderState> {
    const order = this.orders.get(clientOrderId);
    if (order === undefined) throw new VenueError('order_not_found', `paper venue: no order ${clientOrderId}`);
    if (!TERMINAL_STATUSES.has(order.state.status) && this.matching.cancel(order.state.instrumentId, clientOrderId)) {
      order.state = { ...order.state, status: 'CANCELED', reason: 'cancelled' };
      this.remember(clientOrderId);
      this.emitOrder(order.state);
    }
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
      const leverage = this.leverage.get(id) ?? 1;
      const cost = position.averageEntryPrice.mul(position.quantity, 'half-even').mul(instrument.contractSize, 'half-even');
      const margin = positionMargin(cost, leverage);
      const mark = this.marks.get(id) ?? position.averageEntryPrice;
      out.push({
        instrumentId: id, side: position.side, quantity: position.quantity, entryPrice: position.averageEntryPrice, markPrice: mark,
        liquidationPrice: liquidationPrice({ side: position.side, quantity: position.quantity, entryCost: cost, margin, contractSize: instrument.contractSize, maintenanceMarginRate: this.options.maintenanceMarginRate, tickSize: instrument.tickSize }),
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
    this.leverage.set(instrumentId, leverage);
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
    const instrument = this.options.instruments.get(fill.instrumentId)!;
    const venueFill: Fill = { ...fill, venueOrderId: order.state.venueOrderId };
    const before = this.positions.get(fill.instrumentId) ?? flatPosition(fill.instrumentId, fill.tsEvent, instrument.settle);
    const after = applyFill(before, venueFill, instrument);
    this.positions.set(fill.instrumentId, after);
    this.balance = this.balance.plus(after.realizedPnl.minus(before.realizedPnl)).minus(fill.commission);
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
