import type { FillDto, OrderDto, PositionDto } from '../../../src-shared/contract/schemas';
import type { Settings } from '../../../src-shared/contract/settings';
import { Decimal, type DecimalInput } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import { ClientOrderId, FillId, InstrumentId, StrategyId, SessionId, VenueOrderId } from '../../../src-shared/domain/ids';
import { notional as notionalOf, roundPrice, roundQuantity, type Instrument } from '../../../src-shared/domain/instrument';
import { canTransition, orderWith, TERMINAL_STATUSES, transition, type Order, type OrderSide, type OrderStatus } from '../../../src-shared/domain/order';
import { Money, Price, Quantity } from '../../../src-shared/domain/values';
import type { EventBus } from '../bus/types';
import type { Clock, TimerHandle } from '../clock/clock';
import type { Logger } from '../ops/logger';
import type { RiskApproval, RiskDenial, RiskManager, Reservation } from '../risk/risk-manager';
import { VenueError, type SubmitOrderRequest, type Venue, type VenueOrderState } from '../venues/venue';
import type { Account, FillOutcome } from './accounting';
import { CircuitBreakerOpenError, type CircuitBreaker, type CircuitBreakerState } from './circuit-breaker';
import { OrderJournal, type JournalStore } from './journal';

/**
 * The order manager (ARCHITECTURE §9): takes risk-approved orders, journals each one before it
 * is sent, sends it through the circuit breaker, retries retryable failures with exponential
 * backoff on the injected clock, and turns the venue's answers and fills into order states,
 * fills and positions — journalled, then published.
 *
 * No duplicates: our client order id is the venue's external id, and before an order is sent
 * again after an ambiguous failure (timeout, dropped connection, garbled answer) the venue is
 * asked for it by that id; only when the venue has never seen it is it sent again.
 *
 * Staleness: a market order older than marketOrderMaxAgeMs is expired instead of being sent (or
 * sent again) late into a fast market — except emergency closes, which only reduce exposure; any
 * order the venue has not acknowledged within orderTtlMs is expired.
 *
 * Circuit breaker: while it is open, orders wait (queued, journalled, never dropped) and
 * listeners hear onTradingPaused; when a trial call is due the manager makes a harmless one
 * (open orders); when the breaker closes the waiting orders are resolved, listeners hear
 * onTradingResumed and onReconciliationRequested.
 *
 * Events: `order_created` once the order is journalled; `order_filled` per accounted fill;
 * `order_cancelled` for every unfilled end — CANCELED, EXPIRED and REJECTED (the payload's status
 * says which); `position_updated` once per instrument per fill batch.
 *
 * Journal: an order row is committed before the order is sent; the ACCEPTED acknowledgement is
 * staged and rides along with the next commit (a crash in between is harmless: recovery looks
 * the order up). A fill, its order's new state and the new position commit in one transaction
 * before anything is published or told to risk and strategies.
 */

export interface SubmitAccepted {
  accepted: true;
  order: OrderDto;
}
export interface SubmitDenied {
  accepted: false;
  denial: RiskDenial;
}
export type SubmitOutcome = SubmitAccepted | SubmitDenied;

export interface OrderMeta {
  purpose: string;
  strategyId: string | null;
  emergency: boolean;
}

export interface FillEvent {
  order: OrderDto;
  fill: FillDto;
  outcome: FillOutcome;
  meta: OrderMeta;
}

export interface OrderManagerListener {
  /** The breaker opened: strategies should pause new entries. */
  onTradingPaused?(reason: string): void;
  onTradingResumed?(reason: string): void;
  /** The venue is reachable again after an outage: run a full reconciliation. */
  onReconciliationRequested?(reason: string): void;
  onOrderUpdate?(order: OrderDto, meta: OrderMeta): void;
  /** After the fill, the order and the position were committed and the account updated. */
  onFill?(event: FillEvent): void;
}

export interface ClosePositionInput {
  instrumentId: string;
  /** The side held; default: the local position's. */
  side?: 'LONG' | 'SHORT';
  /** Contracts held; default: the local position's. */
  quantity?: DecimalInput;
  referencePrice?: DecimalInput | null;
  leverage?: number;
  /** Journalled as the order's purpose and the closed trade's exit reason. */
  reason: string;
  /** Operator action (kill switch, flatten): passes HALTED. */
  emergency?: boolean;
  strategyId?: string | null;
}

export interface RecoveryReport {
  /** Open orders found in the journal. */
  resumed: number;
  adopted: number;
  sent: number;
  expired: number;
  rejected: number;
  cancelled: number;
  /** Still unresolved (the venue was unreachable): they wait for the breaker to close. */
  waiting: number;
}

export interface OrderManagerOptions {
  venue: Venue;
  breaker: CircuitBreaker;
  clock: Clock;
  settings: Settings['orderManager'];
  store: JournalStore;
  risk: RiskManager;
  account: Account;
  bus?: Pick<EventBus, 'publish'>;
  sessionId: string | null;
  /** Our client order ids (deterministic by default: prefix, clock, counter). */
  clientOrderIds?: () => string;
  logger?: Logger;
}

type SendState =
  | 'unsent' // never handed to the venue
  | 'in_flight' // a venue call is running
  | 'sent' // the venue answered: it knows the order
  | 'refused' // the call provably did not reach the venue (breaker open, rate limited): safe to send again
  | 'ambiguous'; // it may or may not have reached the venue: look it up before sending again

interface ManagedOrder {
  order: Order;
  instrument: Instrument;
  meta: OrderMeta;
  referencePrice: Price;
  reservation: Reservation | null;
  sendState: SendState;
  /** The venue confirmed it (any answer past SUBMITTED). */
  acknowledged: boolean;
  attempts: number;
  cancelAttempts: number;
  retryTimer: TimerHandle | null;
  /** Contracts whose fills were journalled and accounted. */
  accounted: Decimal;
  accountedNotional: Decimal;
  accountedCommission: Decimal;
  /** What the venue last said was filled (may run ahead of the fills). */
  venueFilled: Decimal;
  cancelRequested: string | null;
  /** Recovered from the journal: SUBMITTED and not found means rejected, not "send again". */
  recovered: boolean;
  /** The journal holds a row for it (its first write committed): a commit need not look for the row. */
  journalled: boolean;
  lastError: string | null;
  /** Retries are used up: only look it up from now on, never send it again. */
  noResend: boolean;
  busy: boolean;
  settled: Array<(order: OrderDto) => void>;
  dto: OrderDto | null;
  /** The quantity's text, formatted once: every state's DTO carries it. */
  quantityText: string;
  /** What the journal calls for the order's row: its DTO at commit time. */
  current: (() => OrderDto) | null;
}

const PAUSE_REASON = 'circuit_breaker_open';
/** Purposes (journalled in `reason` while an order works) that mark an emergency close after a restart. */
const EMERGENCY_PURPOSES: ReadonlySet<string> = new Set(['kill_switch', 'reconciliation_flatten', 'E1']);

/** `quantityText`: the quantity's text when the caller has it (an order's quantity never changes). */
export function orderToDto(order: Order, quantityText: string = order.quantity.toString()): OrderDto {
  return {
    clientOrderId: order.clientOrderId,
    venueOrderId: order.venueOrderId,
    instrumentId: order.instrumentId,
    strategyId: order.strategyId,
    sessionId: order.sessionId,
    side: order.side,
    type: order.type,
    quantity: quantityText,
    price: order.price?.toString() ?? null,
    triggerPrice: order.triggerPrice?.toString() ?? null,
    timeInForce: order.timeInForce,
    reduceOnly: order.reduceOnly,
    leverage: order.leverage,
    status: order.status,
    filledQuantity: order.filledQuantity.toString(),
    averageFillPrice: order.averageFillPrice?.toString() ?? null,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    reason: order.reason,
  };
}

export function orderFromDto(dto: OrderDto): Order {
  return {
    clientOrderId: ClientOrderId(dto.clientOrderId),
    venueOrderId: dto.venueOrderId === null ? null : VenueOrderId(dto.venueOrderId),
    instrumentId: InstrumentId(dto.instrumentId),
    strategyId: dto.strategyId === null ? null : StrategyId(dto.strategyId),
    sessionId: dto.sessionId === null ? null : SessionId(dto.sessionId),
    side: dto.side,
    type: dto.type,
    quantity: Quantity.of(dto.quantity),
    price: dto.price === null ? null : Price.of(dto.price),
    triggerPrice: dto.triggerPrice === null ? null : Price.of(dto.triggerPrice),
    timeInForce: dto.timeInForce,
    reduceOnly: dto.reduceOnly,
    leverage: dto.leverage,
    status: dto.status,
    filledQuantity: Quantity.of(dto.filledQuantity),
    averageFillPrice: dto.averageFillPrice === null ? null : Price.of(dto.averageFillPrice),
    createdAt: dto.createdAt,
    updatedAt: dto.updatedAt,
    reason: dto.reason,
  };
}

export function fillToDto(fill: Fill): FillDto {
  return {
    fillId: fill.fillId,
    clientOrderId: fill.clientOrderId,
    venueOrderId: fill.venueOrderId,
    instrumentId: fill.instrumentId,
    side: fill.side,
    lastQty: fill.lastQty.toString(),
    lastPx: fill.lastPx.toString(),
    liquiditySide: fill.liquiditySide,
    commission: fill.commission.toString(),
    commissionCurrency: fill.commission.currency,
    tsEvent: fill.tsEvent,
  };
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class OrderManager {
  private readonly venue: Venue;
  private readonly breaker: CircuitBreaker;
  private readonly clock: Clock;
  private readonly settings: Settings['orderManager'];
  private readonly risk: RiskManager;
  private readonly account: Account;
  private readonly journal: OrderJournal;
  private readonly logger: Logger | undefined;
  private readonly nextClientOrderId: () => string;
  private readonly orders = new Map<string, ManagedOrder>();
  private readonly listeners = new Set<OrderManagerListener>();
  private readonly usedApprovals = new WeakSet<RiskApproval>();
  private readonly pendingFills: Fill[] = [];
  private fillFlushScheduled = false;
  private unsubscribeVenue: (() => void) | null = null;
  private unsubscribeBreaker: (() => void) | null = null;
  private housekeepingTimer: TimerHandle | null = null;
  private cleanupTimer: TimerHandle | null = null;
  private running = false;
  private working = 0;
  private paused = false;
  private polling = false;
  private probing = false;

  constructor(private readonly options: OrderManagerOptions) {
    this.venue = options.venue;
    this.breaker = options.breaker;
    this.clock = options.clock;
    this.settings = options.settings;
    this.risk = options.risk;
    this.account = options.account;
    this.logger = options.logger;
    this.journal = new OrderJournal(options.store, options.sessionId);
    let seq = 0;
    const prefix = (options.sessionId ?? 'acct').replace(/[^A-Za-z0-9]/g, '').slice(0, 8) || 'acct';
    this.nextClientOrderId = options.clientOrderIds ?? (() => `${prefix}-${this.clock.now().toString(36)}-${(++seq).toString(36)}`);
  }

  addListener(listener: OrderManagerListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Subscribes to the venue and the breaker, starts polling and cleanup, and resumes the open
   * orders of the journal (after a crash): each is looked up at the venue by client order id.
   */
  async start(): Promise<RecoveryReport> {
    if (this.running) return { resumed: 0, adopted: 0, sent: 0, expired: 0, rejected: 0, cancelled: 0, waiting: 0 };
    this.running = true;
    this.unsubscribeVenue = this.venue.subscribe({
      onOrderUpdate: (state) => this.onVenueOrderUpdate(state),
      onFill: (fill) => this.onVenueFill(fill),
    });
    this.unsubscribeBreaker = this.breaker.onStateChange((state, previous) => this.onBreakerState(state, previous));
    this.housekeepingTimer = this.clock.setInterval(() => {
      void this.housekeeping();
    }, this.settings.statusPollIntervalMs);
    this.cleanupTimer = this.clock.setInterval(() => this.cleanup(), this.settings.cleanupIntervalMs);
    if (this.breaker.getState() === 'open') this.pause();
    return this.recover();
  }

  /** Stops timers and subscriptions; in-flight answers are still journalled. Orders stay at the venue. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribeVenue?.();
    this.unsubscribeVenue = null;
    this.unsubscribeBreaker?.();
    this.unsubscribeBreaker = null;
    if (this.housekeepingTimer !== null) this.clock.clearInterval(this.housekeepingTimer);
    if (this.cleanupTimer !== null) this.clock.clearInterval(this.cleanupTimer);
    this.housekeepingTimer = null;
    this.cleanupTimer = null;
    for (const managed of this.orders.values()) this.clearRetry(managed);
    this.flushFills();
    if (this.journal.hasStaged) this.commitNow();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Journal transactions committed (group commit makes this less than one per write). */
  get journalCommits(): number {
    return this.journal.commitCount;
  }

  /** True while the circuit breaker keeps orders waiting. */
  get tradingPaused(): boolean {
    return this.paused;
  }

  // ------------------------------------------------------------------------------------------
  // Orders

  /**
   * Journals and sends a risk-approved order. Resolves once the order is committed to the
   * journal (and handed to the venue unless it must wait); its later life arrives as events.
   */
  async submit(approval: RiskApproval): Promise<SubmitOutcome> {
    if (approval.reservation.released || this.usedApprovals.has(approval)) throw new Error('this approval was already used or released');
    this.usedApprovals.add(approval);
    if (!this.running) {
      return { accepted: false, denial: this.risk.denyApproved(approval, 'order_manager_stopped', 'the order manager is not running') };
    }
    if (this.queueSize() >= this.settings.maxQueue) {
      return { accepted: false, denial: this.risk.denyApproved(approval, 'queue_full', `${this.queueSize()} orders are queued or working; the limit is ${this.settings.maxQueue}`) };
    }
    const a = approval.order;
    const now = this.clock.now();
    const order: Order = {
      clientOrderId: ClientOrderId(this.nextClientOrderId()),
      venueOrderId: null,
      instrumentId: a.instrumentId,
      strategyId: a.strategyId === null ? null : StrategyId(a.strategyId),
      sessionId: a.sessionId === null ? (this.options.sessionId === null ? null : SessionId(this.options.sessionId)) : SessionId(a.sessionId),
      side: a.side,
      type: a.type,
      quantity: a.quantity,
      price: a.price,
      triggerPrice: a.triggerPrice,
      timeInForce: a.timeInForce,
      reduceOnly: a.reduceOnly,
      leverage: a.leverage,
      status: 'INITIALIZED',
      filledQuantity: Quantity.of(0),
      averageFillPrice: null,
      createdAt: now,
      updatedAt: now,
      reason: a.purpose,
    };
    const managed = this.manage(order, a.instrument, { purpose: a.purpose, strategyId: a.strategyId, emergency: a.emergency }, a.referencePrice, approval.reservation);
    const sendNow = !this.paused && this.breaker.getState() !== 'open';
    if (sendNow) {
      this.setOrder(managed, transition(managed.order, 'SUBMITTED', now));
      managed.sendState = 'in_flight';
    }
    this.stage(managed, true);
    try {
      await this.journal.commitSoon();
    } catch (error) {
      this.orders.delete(order.clientOrderId);
      this.working--;
      this.journalFailed(error);
      return { accepted: false, denial: this.risk.denyApproved(approval, 'journal_failure', `the order could not be journalled (${describe(error)}); it was not sent`, 100) };
    }
    managed.journalled = true;
    const dto = this.dtoOf(managed);
    this.options.bus?.publish('order_created', dto);
    this.notifyUpdate(managed);
    if (sendNow) void this.send(managed);
    else this.logger?.info('order waits for the circuit breaker', { clientOrderId: order.clientOrderId });
    return { accepted: true, order: dto };
  }

  /** Cancels an order: locally when it was never sent, else at the venue (waiting while the breaker is open). */
  async cancel(clientOrderId: string, reason = 'cancelled'): Promise<OrderDto | null> {
    const managed = this.orders.get(clientOrderId);
    if (managed === undefined) return this.options.store.orders.get(clientOrderId);
    if (TERMINAL_STATUSES.has(managed.order.status)) return this.dtoOf(managed);
    managed.cancelRequested = reason;
    if (managed.order.status === 'INITIALIZED' && managed.sendState !== 'in_flight') {
      this.clearRetry(managed);
      this.finish(managed, 'CANCELED', reason);
      return this.dtoOf(managed);
    }
    if (managed.sendState === 'in_flight' || managed.busy) return this.dtoOf(managed); // cancelled once the venue answers
    await this.sendCancel(managed);
    return this.dtoOf(managed);
  }

  /**
   * Cancels every working order (of one instrument). `keepReduceOnly` spares reduce-only orders
   * (exits and flattens in progress): a kill switch or an exit must not cancel its own closes.
   */
  async cancelAll(options: { instrumentId?: string; reason?: string; keepReduceOnly?: boolean } = {}): Promise<OrderDto[]> {
    const reason = options.reason ?? 'cancel_all';
    const targets = [...this.orders.values()].filter((m) =>
      !TERMINAL_STATUSES.has(m.order.status) && m.order.status !== 'PENDING_CANCEL'
      && (options.instrumentId === undefined || m.order.instrumentId === options.instrumentId)
      && !(options.keepReduceOnly === true && m.order.reduceOnly));
    const results = await Promise.all(targets.map((m) => this.cancel(m.order.clientOrderId, reason)));
    return results.filter((o): o is OrderDto => o !== null);
  }

  /**
   * Closes a position with a reduce-only market order, net of reduce-only orders already
   * working on it — so asking twice (a second kill switch, an exit racing a flatten) never
   * closes twice. Sized from the local position unless side and quantity are given (the
   * exchange's truth, for reconciliation). Returns null when nothing is left to close.
   */
  async closePosition(input: ClosePositionInput): Promise<SubmitOutcome | null> {
    const instrumentId = InstrumentId(input.instrumentId);
    const instrument = this.account.instrument(instrumentId);
    if (instrument === undefined) throw new Error(`unknown instrument ${input.instrumentId}`);
    const local = this.account.position(instrumentId);
    const side = input.side ?? (local === null || local.side === 'FLAT' ? null : local.side);
    if (side === null) return null;
    const held = input.quantity === undefined ? (local?.quantity ?? Decimal.ZERO) : Decimal.of(input.quantity);
    const orderSide = closingSide(side);
    const remaining = held.sub(this.risk.pendingReduceOnly(instrumentId, orderSide));
    if (!remaining.isPositive()) return null;
    const quantity = toLots(instrument, remaining);
    if (!quantity.isPositive()) return null;
    const reference = input.referencePrice ?? this.account.markPrice(instrumentId) ?? local?.averageEntryPrice ?? null;
    const decision = this.risk.check({
      instrumentId, side: orderSide, type: 'MARKET', quantity, referencePrice: reference, leverage: input.leverage ?? local?.leverage ?? 1,
      reduceOnly: true, emergency: input.emergency ?? false, strategyId: input.strategyId ?? local?.strategyId ?? null, sessionId: this.options.sessionId, purpose: input.reason,
    });
    if (!decision.approved) return { accepted: false, denial: decision.denial };
    return this.submit(decision.approval);
  }

  /** The order's state: from memory, else from the journal. */
  status(clientOrderId: string): OrderDto | null {
    const managed = this.orders.get(clientOrderId);
    return managed === undefined ? this.options.store.orders.get(clientOrderId) : this.dtoOf(managed);
  }

  /** Orders that are queued or working (not terminal), oldest first. */
  openOrders(instrumentId?: string): OrderDto[] {
    const out: OrderDto[] = [];
    for (const m of this.orders.values()) {
      if (TERMINAL_STATUSES.has(m.order.status)) continue;
      if (instrumentId !== undefined && m.order.instrumentId !== instrumentId) continue;
      out.push(orderToDto(m.order));
    }
    return out;
  }

  metaOf(clientOrderId: string): OrderMeta | null {
    return this.orders.get(clientOrderId)?.meta ?? null;
  }

  /** Orders queued or working: what counts against maxQueue. */
  queueSize(): number {
    return this.working;
  }

  /** Orders held in memory (terminal ones until the next cleanup). */
  trackedOrders(): number {
    return this.orders.size;
  }

  /** Resolves when the order is terminal and every fill the venue reported is accounted. */
  whenSettled(clientOrderId: string): Promise<OrderDto> {
    const managed = this.orders.get(clientOrderId);
    if (managed === undefined) {
      const stored = this.options.store.orders.get(clientOrderId);
      return stored === null ? Promise.reject(new Error(`unknown order ${clientOrderId}`)) : Promise.resolve(stored);
    }
    if (this.isSettled(managed)) return Promise.resolve(this.dtoOf(managed));
    return new Promise((resolve) => managed.settled.push(resolve));
  }

  // ------------------------------------------------------------------------------------------
  // Sending

  private manage(order: Order, instrument: Instrument, meta: OrderMeta, referencePrice: Price, reservation: Reservation | null): ManagedOrder {
    const managed: ManagedOrder = {
      order, instrument, meta, referencePrice, reservation, sendState: 'unsent', acknowledged: false, attempts: 0, cancelAttempts: 0, retryTimer: null,
      accounted: Decimal.fromRaw(order.filledQuantity.raw), accountedNotional: order.averageFillPrice === null ? Decimal.ZERO : order.averageFillPrice.mul(order.filledQuantity, 'half-even'), accountedCommission: Decimal.ZERO,
      venueFilled: Decimal.fromRaw(order.filledQuantity.raw), cancelRequested: null, recovered: false, journalled: false, lastError: null, noResend: false, busy: false, settled: [], dto: null, quantityText: order.quantity.toString(), current: null,
    };
    this.orders.set(order.clientOrderId, managed);
    if (!TERMINAL_STATUSES.has(order.status)) this.working++;
    return managed;
  }

  /** `isNew`: the order's first write (submit), which the journal inserts without looking for a row. */
  private stage(managed: ManagedOrder, isNew = false): void {
    managed.current ??= () => this.dtoOf(managed); // one closure per order, not one per write
    this.journal.stageOrderState(managed.order.clientOrderId, managed.current, isNew, managed.journalled);
  }

  /** The order's DTO, built once per state (journal, events and listeners share it; nobody mutates it). */
  private dtoOf(managed: ManagedOrder): OrderDto {
    managed.dto ??= orderToDto(managed.order, managed.quantityText);
    return managed.dto;
  }

  /** Every status change passes here, so the count of working orders stays exact. */
  private setOrder(managed: ManagedOrder, next: Order): void {
    if (next === managed.order) return; // the same state: its DTO still holds
    managed.dto = null;
    const was = TERMINAL_STATUSES.has(managed.order.status);
    const is = TERMINAL_STATUSES.has(next.status);
    if (!was && is) this.working--;
    else if (was && !is) this.working++;
    managed.order = next;
  }

  /** Decides what an unresolved order needs now: expire, look up, send, or wait. */
  private async dispatch(managed: ManagedOrder): Promise<void> {
    if (TERMINAL_STATUSES.has(managed.order.status) || managed.busy || managed.retryTimer !== null || managed.sendState === 'in_flight') return;
    if (!this.running) return;
    if (this.paused || this.breaker.getState() === 'open') return; // resolved when the breaker closes
    if (managed.cancelRequested !== null && managed.sendState !== 'ambiguous' && managed.sendState !== 'sent' && managed.order.status === 'INITIALIZED') {
      this.finish(managed, 'CANCELED', managed.cancelRequested);
      return;
    }
    if (managed.order.status === 'PENDING_CANCEL') {
      await this.sendCancel(managed);
      return;
    }
    if (managed.sendState === 'sent' || managed.acknowledged) {
      if (managed.recovered) await this.lookUp(managed);
      return;
    }
    if (managed.sendState === 'ambiguous') {
      const found = await this.lookUp(managed);
      if (found !== 'not_found') return;
      if (managed.recovered && managed.order.status !== 'INITIALIZED') {
        await this.confirmMissing(managed);
        return;
      }
      if (managed.noResend) {
        this.finish(managed, 'REJECTED', `no answer after ${managed.attempts} attempts: ${managed.lastError ?? 'unknown'}`);
        return;
      }
      managed.sendState = 'refused'; // the venue never saw it: sending again cannot duplicate
    }
    if (this.expireIfStale(managed)) return;
    await this.send(managed);
  }

  /** Expires an order that was never acknowledged once it is too old to send. */
  private expireIfStale(managed: ManagedOrder): boolean {
    if (managed.acknowledged || managed.sendState === 'sent') return false;
    const age = this.clock.now() - managed.order.createdAt;
    // an emergency close (kill switch, flatten) only ever reduces exposure: late is better than never
    if (managed.order.type === 'MARKET' && !managed.meta.emergency && age > this.settings.marketOrderMaxAgeMs) {
      this.finish(managed, 'EXPIRED', `market order ${age} ms old (max ${this.settings.marketOrderMaxAgeMs} ms): not sent late`);
      return true;
    }
    if (age > this.settings.orderTtlMs) {
      this.finish(managed, 'EXPIRED', `not acknowledged by the venue within ${this.settings.orderTtlMs} ms`);
      return true;
    }
    return false;
  }

  private async send(managed: ManagedOrder): Promise<void> {
    if (this.expireIfStale(managed)) return;
    if (managed.order.status === 'INITIALIZED') {
      this.setOrder(managed, transition(managed.order, 'SUBMITTED', this.clock.now()));
      managed.sendState = 'in_flight';
      this.stage(managed);
      try {
        await this.journal.commitSoon();
      } catch (error) {
        // not journalled, so not sent; trading halts and the order waits in memory
        managed.sendState = 'refused';
        this.journalFailed(error);
        return;
      }
    }
    managed.sendState = 'in_flight';
    managed.attempts++;
    const order = managed.order;
    const request: SubmitOrderRequest = {
      clientOrderId: order.clientOrderId, instrumentId: order.instrumentId, side: order.side, type: order.type, quantity: order.quantity, price: order.price,
      triggerPrice: order.triggerPrice, timeInForce: order.timeInForce, reduceOnly: order.reduceOnly, leverage: order.leverage, marginMode: 'isolated',
    };
    try {
      const state = await this.breaker.execute(() => this.venue.submitOrder(request));
      managed.sendState = 'sent';
      this.applyVenueState(managed, state, !this.venue.has.privateStream);
      if (managed.cancelRequested !== null && !TERMINAL_STATUSES.has(managed.order.status)) await this.sendCancel(managed);
    } catch (error) {
      this.onSendError(managed, error);
    }
  }

  private onSendError(managed: ManagedOrder, error: unknown): void {
    managed.lastError = describe(error);
    if (error instanceof CircuitBreakerOpenError) {
      managed.sendState = managed.sendState === 'in_flight' ? 'refused' : managed.sendState;
      managed.attempts = Math.max(0, managed.attempts - 1); // the call never ran
      this.pause();
      return;
    }
    if (error instanceof VenueError && error.family === 'retryable') {
      // a rate limit is a refusal; anything else may have reached the venue
      managed.sendState = error.kind === 'rate_limited' ? 'refused' : 'ambiguous';
      if (managed.attempts > this.settings.retries) {
        this.logger?.warn('order retries exhausted', { clientOrderId: managed.order.clientOrderId, error: managed.lastError });
        void this.giveUp(managed, `no answer after ${managed.attempts} attempts: ${managed.lastError}`);
        return;
      }
      this.scheduleRetry(managed);
      return;
    }
    if (error instanceof VenueError && error.kind !== 'bad_response') {
      managed.sendState = 'sent';
      const plain = error.kind === 'permission_denied'
        ? `the exchange refuses API order placement for this account: ${error.message}`
        : `${error.kind}: ${error.message}`;
      // the trader must hear this one: no order will ever pass until the account's API trading is enabled
      if (error.kind === 'permission_denied') this.risk.raise('critical', 'api_orders_refused', plain, managed.order.instrumentId, { clientOrderId: managed.order.clientOrderId });
      this.finish(managed, 'REJECTED', plain);
      return;
    }
    // a garbled answer (or an adapter bug) may hide an accepted order: look once, never resend
    managed.sendState = 'ambiguous';
    void this.giveUp(managed, `the venue's answer could not be read: ${managed.lastError}`);
  }

  /** Final attempt at clarity: adopt the order if the venue has it, else reject it. */
  private async giveUp(managed: ManagedOrder, reason: string): Promise<void> {
    managed.noResend = true;
    const found = await this.lookUp(managed);
    if (found === 'not_found') this.finish(managed, 'REJECTED', reason);
    else if (found === 'unreachable' && !this.paused) this.scheduleRetry(managed);
  }

  private scheduleRetry(managed: ManagedOrder): void {
    if (!this.running || managed.retryTimer !== null) return;
    const exponent = Math.max(0, managed.attempts - 1);
    const delay = Math.min(this.settings.retryMaxDelayMs, this.settings.retryBaseDelayMs * 2 ** exponent);
    managed.retryTimer = this.clock.setTimeout(() => {
      managed.retryTimer = null;
      void this.dispatch(managed);
    }, delay);
  }

  private clearRetry(managed: ManagedOrder): void {
    if (managed.retryTimer === null) return;
    this.clock.clearTimeout(managed.retryTimer);
    managed.retryTimer = null;
  }

  /** Asks the venue for the order by client id. */
  private async lookUp(managed: ManagedOrder, deriveFills = !this.venue.has.privateStream || managed.recovered): Promise<'found' | 'not_found' | 'unreachable'> {
    const order = managed.order;
    managed.busy = true;
    try {
      let state: VenueOrderState | null;
      if (this.venue.has.clientOrderIdLookup || order.venueOrderId !== null) {
        state = await this.breaker.execute(() => this.venue.fetchOrder(order.instrumentId, order.clientOrderId, order.venueOrderId));
      } else {
        const open = await this.breaker.execute(() => this.venue.fetchOpenOrders(order.instrumentId));
        state = open.find((o) => o.clientOrderId === order.clientOrderId) ?? null;
      }
      if (state === null) return 'not_found';
      managed.sendState = 'sent';
      this.applyVenueState(managed, state, deriveFills);
      if (managed.cancelRequested !== null && !TERMINAL_STATUSES.has(managed.order.status) && managed.order.status !== 'PENDING_CANCEL') {
        managed.busy = false;
        await this.sendCancel(managed);
      }
      return 'found';
    } catch (error) {
      managed.lastError = describe(error);
      if (error instanceof CircuitBreakerOpenError) this.pause();
      else if (error instanceof VenueError && error.kind === 'order_not_found') return 'not_found';
      else this.logger?.warn('order lookup failed', { clientOrderId: order.clientOrderId, error: managed.lastError });
      return 'unreachable';
    } finally {
      managed.busy = false;
    }
  }

  /** A recovered order the venue does not know by id: confirm against its open orders, then close it out. */
  private async confirmMissing(managed: ManagedOrder): Promise<void> {
    let open: VenueOrderState[];
    try {
      open = await this.breaker.execute(() => this.venue.fetchOpenOrders(managed.order.instrumentId));
    } catch (error) {
      if (error instanceof CircuitBreakerOpenError) this.pause();
      managed.lastError = describe(error);
      return;
    }
    const found = open.find((o) => o.clientOrderId === managed.order.clientOrderId);
    if (found !== undefined) {
      managed.sendState = 'sent';
      this.applyVenueState(managed, found, true);
      return;
    }
    if (managed.order.status === 'SUBMITTED') this.finish(managed, 'REJECTED', 'not found at the venue after a restart: it never arrived');
    else this.finish(managed, 'CANCELED', 'not found at the venue after a restart');
  }

  private async sendCancel(managed: ManagedOrder): Promise<void> {
    if (TERMINAL_STATUSES.has(managed.order.status) || managed.busy) return;
    if (managed.order.status !== 'PENDING_CANCEL') {
      if (!canTransition(managed.order.status, 'PENDING_CANCEL')) return;
      this.setOrder(managed, transition(managed.order, 'PENDING_CANCEL', this.clock.now(), managed.cancelRequested ?? managed.order.reason));
      this.stage(managed);
      this.notifyUpdate(managed);
    }
    if (this.paused || this.breaker.getState() === 'open') return;
    managed.busy = true;
    managed.cancelAttempts++;
    const order = managed.order;
    try {
      const state = await this.breaker.execute(() => this.venue.cancelOrder(order.instrumentId, order.clientOrderId, order.venueOrderId));
      managed.busy = false;
      managed.sendState = 'sent';
      this.applyVenueState(managed, state, !this.venue.has.privateStream);
    } catch (error) {
      managed.busy = false;
      managed.lastError = describe(error);
      if (error instanceof CircuitBreakerOpenError) {
        this.pause();
      } else if (error instanceof VenueError && error.kind === 'order_not_found') {
        const found = await this.lookUp(managed);
        if (found === 'not_found') this.finish(managed, 'CANCELED', managed.cancelRequested ?? 'cancelled');
      } else if (error instanceof VenueError && error.family === 'retryable' && managed.cancelAttempts <= this.settings.retries) {
        managed.attempts = managed.cancelAttempts;
        this.scheduleRetry(managed);
      } else {
        // the venue refused the cancel: its state decides (it may have filled meanwhile)
        this.logger?.warn('cancel failed', { clientOrderId: order.clientOrderId, error: managed.lastError });
        await this.lookUp(managed);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Venue answers

  private onVenueOrderUpdate(state: VenueOrderState): void {
    const managed = this.orders.get(state.clientOrderId) ?? this.reload(state.clientOrderId);
    if (managed === undefined) return; // not ours
    // fills arrive on the stream separately: the update only moves the status
    this.applyVenueState(managed, state, false);
  }

  private onVenueFill(fill: Fill): void {
    this.pendingFills.push(fill);
    if (this.fillFlushScheduled) return;
    this.fillFlushScheduled = true;
    // every fill of one venue callback burst (one trade can fill many orders) shares one commit
    queueMicrotask(() => this.flushFills());
  }

  /**
   * Applies what the venue says about an order. With `deriveFills` (no private stream, recovery,
   * lookups) a filled quantity ahead of the accounted fills becomes a fill built from the
   * average-price change, because no fill event will arrive for it.
   */
  private applyVenueState(managed: ManagedOrder, state: VenueOrderState, deriveFills: boolean): void {
    const now = this.clock.now();
    const order = managed.order;
    if (state.venueOrderId !== null && order.venueOrderId === null) {
      this.setOrder(managed, orderWith(order, state.venueOrderId, order.status, order.filledQuantity, order.averageFillPrice, order.updatedAt, order.reason));
    }
    if (state.status !== 'SUBMITTED' && state.status !== 'INITIALIZED') managed.acknowledged = true;
    if (state.filledQuantity.gt(managed.venueFilled)) managed.venueFilled = Decimal.fromRaw(state.filledQuantity.raw);
    if (deriveFills) {
      this.flushFills(); // fills already received count first
      if (state.filledQuantity.gt(managed.accounted)) {
        this.pendingFills.push(this.derivedFill(managed, state, now));
        this.flushFills();
      }
    }
    const target = state.status;
    if (target === 'PARTIALLY_FILLED' || target === 'FILLED') {
      // fill-driven statuses follow the accounted fills (flushFills); keep the venue's numbers for display
      this.stageStatus(managed, managed.order.status, now, null);
      this.settleIfDone(managed);
      return;
    }
    if (target === 'CANCELED' || target === 'EXPIRED' || target === 'REJECTED') {
      // the trader's (or the strategy's) reason for a cancel says more than the venue's 'cancelled'
      this.finish(managed, target, (target === 'CANCELED' ? managed.cancelRequested : null) ?? state.reason ?? managed.cancelRequested ?? target.toLowerCase());
      return;
    }
    this.stageStatus(managed, target, now, null);
  }

  /** Moves the order towards a non-terminal status the venue reported, through the transition table. */
  private stageStatus(managed: ManagedOrder, target: OrderStatus, now: number, reason: string | null): void {
    const from = managed.order.status;
    let next = managed.order;
    if (target !== from) {
      if (canTransition(from, target)) next = transition(next, target, now, reason ?? next.reason);
      else if (from === 'INITIALIZED' && canTransition('SUBMITTED', target)) next = transition(transition(next, 'SUBMITTED', now), target, now, reason ?? next.reason);
      else {
        this.logger?.debug('stale order status ignored', { clientOrderId: next.clientOrderId, from, to: target });
      }
    }
    const changed = next.status !== from;
    this.setOrder(managed, next);
    // acknowledgements ride along with the next commit: recovery looks the order up anyway
    this.stage(managed);
    if (changed) this.notifyUpdate(managed);
  }

  /** Ends the order in a terminal status (or records a late fill's status), journals, publishes, releases risk. */
  private finish(managed: ManagedOrder, target: 'CANCELED' | 'EXPIRED' | 'REJECTED', reason: string): void {
    if (TERMINAL_STATUSES.has(managed.order.status)) return;
    const now = this.clock.now();
    let order = managed.order;
    if (!canTransition(order.status, target)) {
      if (order.status === 'INITIALIZED' && canTransition('SUBMITTED', target)) order = transition(order, 'SUBMITTED', now);
      else if (canTransition(order.status, 'CANCELED')) target = 'CANCELED';
      else {
        this.logger?.warn('terminal status not allowed', { clientOrderId: order.clientOrderId, from: order.status, to: target });
        return;
      }
    }
    this.setOrder(managed, transition(order, target, now, reason));
    this.clearRetry(managed);
    this.stage(managed);
    this.commitNow();
    this.options.bus?.publish('order_cancelled', this.dtoOf(managed));
    this.notifyUpdate(managed);
    this.settleIfDone(managed);
  }

  /** Journals and accounts every pending fill in one transaction, then publishes. */
  private flushFills(): void {
    this.fillFlushScheduled = false;
    if (this.pendingFills.length === 0) return;
    const fills = this.pendingFills.splice(0, this.pendingFills.length);
    const events: Array<FillEvent & { quantity: Decimal }> = [];
    const positions = new Map<string, PositionDto>();
    try {
      this.journal.commit(() => {
        const touched = new Set<InstrumentId>();
        for (const fill of fills) {
          // an order staged in this batch has its latest state in the journal's stage, not yet on disk
          const managed = this.orders.get(fill.clientOrderId) ?? this.reload(fill.clientOrderId, this.journal.stagedOrder(fill.clientOrderId));
          if (managed === undefined) {
            this.logger?.warn('fill for an unknown order ignored', { clientOrderId: fill.clientOrderId, fillId: fill.fillId });
            continue;
          }
          if (managed.accounted.add(fill.lastQty).gt(managed.order.quantity)) {
            // more than the order's size: this fill was counted already under another id
            this.logger?.error('fill beyond the order quantity ignored', { clientOrderId: fill.clientOrderId, fillId: fill.fillId });
            continue;
          }
          const dto = fillToDto(fill);
          if (!this.journal.insertFill(dto)) continue; // delivered before (stream and poll, or before a restart)
          const outcome = this.account.applyFill(fill, { strategyId: managed.meta.strategyId, leverage: managed.order.leverage, reason: managed.meta.purpose });
          this.accountFill(managed, fill);
          touched.add(fill.instrumentId);
          this.stage(managed);
          events.push({ order: this.dtoOf(managed), fill: dto, outcome, meta: managed.meta, quantity: fill.lastQty });
        }
        // one position row per instrument per batch: its state after the batch's last fill
        for (const instrumentId of touched) {
          const position = this.account.toDto(instrumentId);
          if (position === null) continue;
          positions.set(instrumentId, position);
          this.journal.stagePosition(position);
        }
      });
    } catch (error) {
      // the account may already hold these fills in memory; with the journal gone nothing may trade on
      this.journalFailed(error);
      return;
    }
    for (const event of events) {
      const managed = this.orders.get(event.order.clientOrderId);
      if (managed?.reservation) this.risk.consume(managed.reservation, event.quantity);
      if (event.outcome.closedTrade !== null) this.risk.recordTradeResult(Decimal.of(event.outcome.closedTrade.netPnl), event.fill.tsEvent);
      this.options.bus?.publish('order_filled', { order: event.order, fill: event.fill });
      for (const listener of [...this.listeners]) listener.onFill?.(event);
      if (managed !== undefined) {
        this.notifyUpdate(managed);
        this.settleIfDone(managed);
      }
    }
    for (const position of positions.values()) this.options.bus?.publish('position_updated', position);
    if (events.length > 0) this.risk.refresh();
  }

  /** Inside the fill transaction: the order's filled quantity, average and fill-driven status. */
  private accountFill(managed: ManagedOrder, fill: Fill): void {
    managed.accounted = managed.accounted.add(fill.lastQty);
    managed.accountedNotional = managed.accountedNotional.add(fill.lastPx.mul(fill.lastQty, 'half-even'));
    managed.accountedCommission = managed.accountedCommission.add(fill.commission);
    if (managed.accounted.gt(managed.venueFilled)) managed.venueFilled = managed.accounted;
    managed.acknowledged = true;
    if (managed.sendState !== 'sent') managed.sendState = 'sent';
    const now = fill.tsEvent;
    const complete = managed.accounted.gte(managed.order.quantity);
    const before = managed.order;
    const target: OrderStatus = complete ? 'FILLED' : 'PARTIALLY_FILLED';
    let status = before.status;
    // a partial fill after a cancel or expiry keeps the terminal status; the quantity still counts.
    // A fill without an acknowledgement seen first passes through SUBMITTED, which allows both targets.
    if (status !== target && !(TERMINAL_STATUSES.has(status) && !complete) && (canTransition(status, target) || status === 'INITIALIZED')) status = target;
    // one copy of the order per fill, its status moved along the transition table
    this.setOrder(managed, orderWith(
      before, before.venueOrderId ?? fill.venueOrderId, status, Quantity.fromRaw(managed.accounted.raw),
      roundPrice(managed.instrument, managed.accountedNotional.div(managed.accounted, 'half-even')), now, before.reason,
    ));
  }

  private derivedFill(managed: ManagedOrder, state: VenueOrderState, now: number): Fill {
    const filled = Decimal.fromRaw(state.filledQuantity.raw);
    const delta = filled.sub(managed.accounted);
    const instrument = managed.instrument;
    let price: Price;
    if (state.averageFillPrice !== null) {
      const totalNotional = state.averageFillPrice.mul(filled, 'half-even');
      price = roundPrice(instrument, totalNotional.sub(managed.accountedNotional).div(delta, 'half-even'));
      if (!price.isPositive()) price = state.averageFillPrice;
    } else {
      price = managed.order.price ?? managed.referencePrice;
    }
    const liquidity = managed.order.type === 'LIMIT' ? 'MAKER' : 'TAKER';
    const rate = liquidity === 'MAKER' ? instrument.makerFee : instrument.takerFee;
    const qty = Quantity.fromRaw(delta.raw);
    // the venue's cumulative fee when it reports one (less what earlier fills carried), else the fee schedule's
    const commission = state.commission !== undefined && state.commission.gte(managed.accountedCommission)
      ? Money.money(state.commission.sub(managed.accountedCommission), state.commission.currency)
      : Money.money(notionalOf(instrument, price, qty).mul(rate, 'half-even'), instrument.settle);
    return {
      // deterministic: the same venue state derives the same fill id, so a repeat is a no-op
      fillId: FillId(`${managed.order.clientOrderId}:${filled.toString()}`),
      clientOrderId: managed.order.clientOrderId,
      venueOrderId: state.venueOrderId ?? managed.order.venueOrderId,
      instrumentId: managed.order.instrumentId,
      side: managed.order.side,
      lastQty: qty,
      lastPx: price,
      liquiditySide: liquidity,
      commission,
      tsEvent: now,
    };
  }

  private isSettled(managed: ManagedOrder): boolean {
    return TERMINAL_STATUSES.has(managed.order.status) && managed.accounted.gte(managed.venueFilled);
  }

  private settleIfDone(managed: ManagedOrder): void {
    if (!this.isSettled(managed)) return;
    if (managed.reservation !== null) {
      this.risk.release(managed.reservation);
      managed.reservation = null;
    }
    if (managed.settled.length > 0) {
      const dto = this.dtoOf(managed);
      for (const resolve of managed.settled.splice(0)) resolve(dto);
    }
    // a settled order stays in memory until cleanup, rarely read again: its DTO (and the
    // journal's closure) are rebuilt on demand rather than held, a few hundred bytes per order
    // the garbage collector would otherwise keep copying
    managed.dto = null;
    managed.current = null;
  }

  /** A terminal order dropped from memory by cleanup can still get a late fill: bring it back. */
  private reload(clientOrderId: string, staged: OrderDto | null = null): ManagedOrder | undefined {
    const dto = staged ?? this.options.store.orders.get(clientOrderId);
    if (dto === null) return undefined;
    const instrument = this.account.instrument(InstrumentId(dto.instrumentId));
    if (instrument === undefined) return undefined;
    const order = orderFromDto(dto);
    const managed = this.manage(order, instrument, { purpose: dto.reason ?? 'unknown', strategyId: dto.strategyId, emergency: false }, order.price ?? order.averageFillPrice ?? instrument.tickSize, null);
    // read from the journal, it has a row; a staged state may not have reached the disk yet
    managed.journalled = staged === null;
    managed.sendState = 'sent';
    managed.acknowledged = order.status !== 'INITIALIZED' && order.status !== 'SUBMITTED';
    return managed;
  }

  private commitNow(): void {
    try {
      this.journal.commit();
    } catch (error) {
      this.journalFailed(error);
    }
  }

  private journalFailed(error: unknown): void {
    this.logger?.error('order journal write failed: trading halts', { error: describe(error) });
    this.risk.setTradingState('HALTED', 'journal_failure');
    this.risk.raise('critical', 'journal_failure', `The order journal could not be written (${describe(error)}): trading halted`, null);
  }

  private notifyUpdate(managed: ManagedOrder): void {
    if (this.listeners.size === 0) return;
    const dto = this.dtoOf(managed);
    for (const listener of [...this.listeners]) listener.onOrderUpdate?.(dto, managed.meta);
  }

  // ------------------------------------------------------------------------------------------
  // Breaker, polling, cleanup, recovery

  private onBreakerState(state: CircuitBreakerState, previous: CircuitBreakerState): void {
    this.logger?.info('circuit breaker state', { state, previous });
    if (state === 'open') {
      this.pause();
      return;
    }
    if (state === 'half-open') {
      void this.probe();
      return;
    }
    if (this.paused) void this.resume();
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.logger?.warn('venue unreachable: orders wait, strategies pause');
    for (const listener of [...this.listeners]) listener.onTradingPaused?.(PAUSE_REASON);
  }

  /** The breaker's trial call: harmless (open orders), so no order is risked on a flaky venue. */
  private async probe(): Promise<void> {
    if (this.probing || !this.running) return;
    this.probing = true;
    try {
      await this.breaker.execute(() => this.venue.fetchOpenOrders());
    } catch (error) {
      this.logger?.info('venue still unreachable', { error: describe(error) });
    } finally {
      this.probing = false;
    }
  }

  private async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    this.logger?.info('venue reachable again: resolving waiting orders');
    for (const listener of [...this.listeners]) listener.onTradingResumed?.(PAUSE_REASON);
    const waiting = [...this.orders.values()].filter((m) => !TERMINAL_STATUSES.has(m.order.status));
    await Promise.all(waiting.map((m) => this.dispatch(m)));
    for (const listener of [...this.listeners]) listener.onReconciliationRequested?.('circuit_breaker_closed');
  }

  /** Every statusPollIntervalMs: expire stale orders, poll where the venue has no stream, retry stuck work. */
  private async housekeeping(): Promise<void> {
    if (!this.running || this.polling) return;
    this.polling = true;
    try {
      if (this.journal.hasStaged) this.commitNow();
      if (this.paused && this.breaker.getState() !== 'open') void this.probe();
      const now = this.clock.now();
      for (const managed of [...this.orders.values()]) {
        if (TERMINAL_STATUSES.has(managed.order.status) || managed.busy || managed.sendState === 'in_flight' || managed.retryTimer !== null) continue;
        if (this.paused) {
          // nothing reaches the venue, but a never-sent order can still go stale
          if (managed.sendState === 'unsent' || managed.sendState === 'refused') this.expireIfStale(managed);
          continue;
        }
        if (!managed.acknowledged && managed.sendState !== 'sent') {
          await this.dispatch(managed);
          continue;
        }
        const unacknowledged = !managed.acknowledged && now - managed.order.updatedAt >= this.settings.statusPollIntervalMs;
        const fillsMissing = managed.venueFilled.gt(managed.accounted) && now - managed.order.updatedAt >= this.settings.statusPollIntervalMs;
        if (fillsMissing) {
          // the stream reported a fill quantity whose fills never came: take them from the order state
          await this.lookUp(managed, true);
          continue;
        }
        if (!this.venue.has.privateStream || unacknowledged || managed.order.status === 'PENDING_CANCEL') {
          if (managed.order.status === 'PENDING_CANCEL' && managed.sendState !== 'sent') await this.sendCancel(managed);
          else await this.lookUp(managed);
          if (!managed.acknowledged && !TERMINAL_STATUSES.has(managed.order.status) && now - managed.order.createdAt > this.settings.orderTtlMs) {
            this.finish(managed, 'EXPIRED', `not acknowledged by the venue within ${this.settings.orderTtlMs} ms`);
          }
        }
      }
    } finally {
      this.polling = false;
    }
  }

  /** Drops settled orders from memory; the journal keeps them. */
  private cleanup(): void {
    for (const [id, managed] of this.orders) {
      if (this.isSettled(managed) && managed.settled.length === 0) this.orders.delete(id);
    }
  }

  private async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { resumed: 0, adopted: 0, sent: 0, expired: 0, rejected: 0, cancelled: 0, waiting: 0 };
    const open = this.options.store.orders.listOpen(this.options.sessionId ?? undefined);
    const recovered: ManagedOrder[] = [];
    for (const dto of open) {
      if (this.orders.has(dto.clientOrderId)) continue;
      const instrument = this.account.instrument(InstrumentId(dto.instrumentId));
      if (instrument === undefined) {
        this.logger?.error('journalled order for an unknown instrument left as is', { clientOrderId: dto.clientOrderId, instrumentId: dto.instrumentId });
        continue;
      }
      const order = orderFromDto(dto);
      const reference = order.price ?? order.triggerPrice ?? this.account.markPrice(order.instrumentId) ?? instrument.tickSize;
      const remaining = order.quantity.sub(order.filledQuantity);
      const reservation = this.risk.restoreReservation({
        instrumentId: order.instrumentId, side: order.side, reduceOnly: order.reduceOnly, remaining: Decimal.max(Decimal.ZERO, remaining), price: reference, leverage: order.leverage,
      });
      const purpose = dto.reason ?? 'recovered';
      const meta: OrderMeta = { purpose, strategyId: dto.strategyId, emergency: dto.reduceOnly && EMERGENCY_PURPOSES.has(purpose) };
      const managed = this.manage(order, instrument, meta, Price.fromRaw(reference.raw), reservation);
      managed.recovered = true;
      managed.journalled = true;
      managed.sendState = order.status === 'INITIALIZED' ? 'unsent' : 'ambiguous';
      managed.acknowledged = order.status !== 'INITIALIZED' && order.status !== 'SUBMITTED';
      if (managed.acknowledged) managed.sendState = 'sent';
      recovered.push(managed);
      report.resumed++;
    }
    for (const managed of recovered) {
      const before = managed.order.status;
      if (before === 'INITIALIZED') {
        // it may still have been sent by a process that died between the journal write and the answer
        const found = this.paused ? 'unreachable' : await this.lookUp(managed);
        if (found === 'not_found') {
          managed.sendState = 'refused';
          if (!this.expireIfStale(managed)) {
            await this.send(managed);
            if ((managed.sendState as SendState) === 'sent') report.sent++;
          }
        }
      } else if (!this.paused) {
        const found = await this.lookUp(managed);
        if (found === 'not_found') await this.confirmMissing(managed);
      }
      const after = managed.order.status;
      if (after === 'EXPIRED') report.expired++;
      else if (after === 'REJECTED') report.rejected++;
      else if (after === 'CANCELED' && before !== 'CANCELED') report.cancelled++;
      else if (managed.sendState === 'sent' && before !== 'INITIALIZED') report.adopted++;
      if (!TERMINAL_STATUSES.has(after) && managed.sendState !== 'sent') report.waiting++;
    }
    return report;
  }
}

/**
 * The circuit breaker's failure test for venue calls: only retryable venue errors (network,
 * timeout, rate limit, unavailable) count; a refused order proves the venue is answering.
 */
export function countsAgainstBreaker(error: unknown): boolean {
  return error instanceof VenueError ? error.family === 'retryable' : true;
}

/** Contracts to close a position of this side: the opposite order side. */
export function closingSide(side: 'LONG' | 'SHORT'): OrderSide {
  return side === 'LONG' ? 'SELL' : 'BUY';
}

/** Rounds contracts down to the lot (a close never asks for more than is held). */
export function toLots(instrument: Instrument, contracts: Decimal): Quantity {
  return roundQuantity(instrument, contracts);
}
