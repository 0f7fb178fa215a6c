import type { RiskAlertDto } from '../../../src-shared/contract/schemas';
import type { Settings } from '../../../src-shared/contract/settings';
import { Decimal, PrecisionError, type DecimalInput } from '../../../src-shared/domain/decimal';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import { checkPrice, checkQuantity, type Instrument } from '../../../src-shared/domain/instrument';
import type { OrderSide, OrderType, TimeInForce } from '../../../src-shared/domain/order';
import { Money, Price, Quantity } from '../../../src-shared/domain/values';
import type { EventBus } from '../bus/types';
import type { Clock, TimerHandle } from '../clock/clock';
import { DAY_MS, HUNDRED, nextUtcDay, whole, type Account } from '../execution/accounting';
import type { Logger } from '../ops/logger';
import { AlertRaiser } from './alerts';

/**
 * The pre-trade risk manager (ARCHITECTURE §9). Every order — strategy entries and exits,
 * manual orders, kill-switch and reconciliation flattens — is checked here before the order
 * manager may journal or send it, and nothing reaches a venue without a RiskApproval.
 *
 * Check order: bad input (unknown symbol, NaN, lot, tick, leverage) → trading state
 * (HALTED / REDUCING) → protections (loss cooldown, daily loss, drawdown) → the six limits and
 * the staged live caps. Reduce-only orders skip the exposure limits: they can only shrink risk.
 *
 * Async safety: check() is synchronous and reserves the order's exposure before it returns, so
 * two orders checked "at the same time" (Promise.all) are checked one after the other against
 * the account plus every outstanding reservation, and can never both pass a limit only one of
 * them fits. A reservation shrinks as fills are accounted and is released when the order ends.
 *
 * Limits (percentages of capital = current account equity):
 *   position_size         this order's margin (notional ÷ leverage) ≤ maxPositionPctOfCapital
 *   max_open_positions    positions open or being opened (reserved) ≤ maxOpenPositions
 *   symbol_concentration  margin in the symbol (position + reserved + this order) ≤ maxSymbolConcentrationPct
 *   daily_loss            (equity at the UTC day's start − equity) < maxDailyLossPct; a breach halts until the next UTC day
 *   drawdown              (peak equity − equity) < maxDrawdownPct; a breach halts until the trader resumes
 *   margin_utilization    (used + reserved + this order's margin) < maxMarginUtilizationPct
 *   staged caps (live)    order notional ≤ maxOrderNotional; Σ mark notional + reserved + order ≤ maxTotalExposure
 *
 * Risk score (0–100): 100 × the largest share of any limit the order would use (capped at 100),
 * so an order at 60 % of its tightest limit scores 60 and every limit denial scores 100. Denials
 * that are not about a limit score by kind: bad input and HALTED 100, REDUCING 90, loss cooldown 80.
 */

export type TradingStateName = 'ACTIVE' | 'REDUCING' | 'HALTED';

export type DenialCode =
  | 'unknown_instrument'
  | 'invalid_number'
  | 'invalid_quantity'
  | 'invalid_price'
  | 'invalid_leverage'
  | 'invalid_order'
  | 'trading_halted'
  | 'reducing_only'
  | 'loss_cooldown'
  | 'daily_loss'
  | 'drawdown'
  | 'no_capital'
  | 'position_size'
  | 'max_open_positions'
  | 'symbol_concentration'
  | 'margin_utilization'
  | 'max_order_notional'
  | 'max_total_exposure'
  | 'reduce_only_without_position'
  | 'reduce_only_exceeds_position'
  /** Raised by the order manager after approval: its queue is full, or the journal cannot be written. */
  | 'queue_full'
  | 'journal_failure'
  | 'order_manager_stopped';

/** What a caller proposes. Numbers arrive from strategies and commands, so everything is re-validated here. */
export interface OrderProposal {
  instrumentId: string;
  side: OrderSide;
  type: OrderType;
  /** Contracts. */
  quantity: DecimalInput;
  /** Limit price (LIMIT). */
  price?: DecimalInput | null;
  /** Trigger price (STOP_MARKET). */
  triggerPrice?: DecimalInput | null;
  /** Last trade or mark: the notional of a market order. */
  referencePrice?: DecimalInput | null;
  leverage: number;
  reduceOnly?: boolean;
  timeInForce?: TimeInForce;
  strategyId?: string | null;
  sessionId?: string | null;
  /**
   * An operator's protective action (kill switch, flatten from reconciliation). Only reduce-only
   * orders may carry it; it passes HALTED and is not checked against the local position, because
   * it is sized from the exchange's truth.
   */
  emergency?: boolean;
  /** Why the order exists (entry, ZE1, E1, kill_switch, flatten, manual): journalled as the exit reason. */
  purpose?: string;
}

/** The validated order an approval carries: exact types only. */
export interface ApprovedOrder {
  instrument: Instrument;
  instrumentId: InstrumentId;
  side: OrderSide;
  type: OrderType;
  quantity: Quantity;
  price: Price | null;
  triggerPrice: Price | null;
  referencePrice: Price;
  leverage: number;
  reduceOnly: boolean;
  timeInForce: TimeInForce;
  strategyId: string | null;
  sessionId: string | null;
  emergency: boolean;
  purpose: string;
  notional: Money;
  margin: Money;
}

const approvalKey: unique symbol = Symbol('risk-approval');

/** Exposure held for an approved order until it has ended and its fills are accounted. */
export class Reservation {
  private remaining: Decimal;
  private notionalValue: Decimal;
  private marginValue: Decimal;
  released = false;

  constructor(
    readonly id: number,
    readonly instrumentId: InstrumentId,
    readonly side: OrderSide,
    readonly reduceOnly: boolean,
    quantity: Decimal,
    /** price × contract size: notional per contract. */
    private readonly unitNotional: Decimal,
    private readonly leverage: number,
  ) {
    this.remaining = quantity;
    this.notionalValue = Decimal.ZERO;
    this.marginValue = Decimal.ZERO;
    this.recompute();
  }

  get remainingQuantity(): Decimal {
    return this.remaining;
  }
  notional(): Decimal {
    return this.notionalValue;
  }
  margin(): Decimal {
    return this.marginValue;
  }
  /** Fills accounted: the position now carries this exposure. */
  reduce(quantity: Decimal): void {
    this.remaining = Decimal.max(Decimal.ZERO, this.remaining.sub(quantity));
    this.recompute();
  }

  // every risk check reads these for every outstanding reservation: computed once per change
  private recompute(): void {
    this.notionalValue = this.reduceOnly ? Decimal.ZERO : this.remaining.mul(this.unitNotional, 'half-even');
    this.marginValue = this.notionalValue.div(whole(this.leverage), 'half-even');
  }
}

/** Proof that the risk manager approved this order; the order manager accepts nothing else. */
export class RiskApproval {
  constructor(
    key: typeof approvalKey,
    readonly order: ApprovedOrder,
    readonly riskScore: number,
    readonly reservation: Reservation,
  ) {
    if (key !== approvalKey) throw new Error('only the risk manager issues approvals');
  }
}

export interface RiskDenial {
  code: DenialCode;
  message: string;
  riskScore: number;
  alert: RiskAlertDto;
}

export type RiskDecision = { approved: true; approval: RiskApproval } | { approved: false; denial: RiskDenial };

export interface TradingStateChange {
  state: TradingStateName;
  previous: TradingStateName;
  reasons: string[];
  ts: number;
}

/** What survives a restart so protections do not reset by crashing. */
export interface ProtectionSnapshot {
  day: number;
  dayStartEquity: string | null;
  peakEquity: string;
  dailyLossHaltUntil: number | null;
  drawdownHalted: boolean;
  consecutiveLosses: number;
  cooldownUntil: number | null;
  manualState: TradingStateName;
  killSwitch: boolean;
}

export interface RiskManagerOptions {
  settings: Settings['risk'];
  clock: Clock;
  account: Account;
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  /** Live sessions apply the staged capital caps (maxOrderNotional, maxTotalExposure). */
  stagedCaps?: boolean;
  bus?: Pick<EventBus, 'publish'>;
  store?: { riskEvents: { insert(alert: RiskAlertDto): boolean } };
  logger?: Logger;
  /** Alert ids; the default is deterministic on the clock (replays repeat exactly). */
  idFactory?: () => string;
}

const SCORE_INPUT = 100;
const SCORE_HALTED = 100;
const SCORE_REDUCING = 90;
const SCORE_COOLDOWN = 80;

class Denied extends Error {
  constructor(
    readonly code: DenialCode,
    message: string,
    readonly riskScore: number,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function parseDecimal(value: DecimalInput | null | undefined, field: string): Decimal | null {
  if (value === null || value === undefined) return null;
  try {
    return Decimal.of(value);
  } catch (error) {
    if (error instanceof PrecisionError) throw new Denied('invalid_number', `${field} is not a finite decimal number (${String(value)})`, SCORE_INPUT, { field });
    throw error;
  }
}

/** pctLimit % of base, rounded half-even at both steps. */
const percentOf = (pctLimit: Decimal, base: Decimal): Decimal => base.mul(pctLimit, 'half-even').div(HUNDRED, 'half-even');

interface CapitalLimits {
  capital: bigint;
  position: Decimal;
  concentration: Decimal;
  marginUtilization: Decimal;
}

const pct = (value: Decimal, of: Decimal): Decimal => (of.isPositive() ? value.mul(HUNDRED).div(of, 'half-even') : whole(100_000));

export class RiskManager {
  private readonly settings: Settings['risk'];
  private readonly clock: Clock;
  private readonly account: Account;
  private readonly instruments: ReadonlyMap<InstrumentId, Instrument>;
  private readonly stagedCaps: boolean;
  private readonly logger: Logger | undefined;
  private readonly alerts: AlertRaiser;
  /** The settings' limits as exact decimals, read once. */
  private readonly limits: { position: Decimal; concentration: Decimal; dailyLoss: Decimal; drawdown: Decimal; marginUtilization: Decimal; orderNotional: Decimal; totalExposure: Decimal };
  private readonly reservations = new Map<number, Reservation>();
  // the last answers of capitalLimits, dailyLossLimit and drawdownLimit, keyed by their input
  private capitalLimitsCache: CapitalLimits | null = null;
  private dailyLossCache: { base: bigint; limit: Decimal } | null = null;
  private drawdownCache: { base: bigint; limit: Decimal } | null = null;
  private readonly stateListeners = new Set<(change: TradingStateChange) => void>();
  private reservationSeq = 0;

  private manualState: TradingStateName = 'ACTIVE';
  private killSwitch = false;
  private day: number;
  private dayStartEquity: Decimal | null = null;
  private peakEquity: Decimal;
  private dailyLossHaltUntil: number | null = null;
  private drawdownHalted = false;
  private consecutiveLosses = 0;
  private cooldownUntil: number | null = null;
  private reportedState: TradingStateName = 'ACTIVE';
  private dayTimer: TimerHandle | null = null;

  constructor(private readonly options: RiskManagerOptions) {
    this.settings = options.settings;
    this.clock = options.clock;
    this.account = options.account;
    this.instruments = options.instruments;
    this.stagedCaps = options.stagedCaps ?? false;
    this.logger = options.logger;
    const r = options.settings;
    this.limits = {
      position: Decimal.of(r.maxPositionPctOfCapital), concentration: Decimal.of(r.maxSymbolConcentrationPct), dailyLoss: Decimal.of(r.maxDailyLossPct),
      drawdown: Decimal.of(r.maxDrawdownPct), marginUtilization: Decimal.of(r.maxMarginUtilizationPct), orderNotional: Decimal.of(r.maxOrderNotional), totalExposure: Decimal.of(r.maxTotalExposure),
    };
    this.alerts = new AlertRaiser({ source: 'risk', clock: options.clock, bus: options.bus, store: options.store, logger: options.logger, idFactory: options.idFactory });
    this.day = Math.floor(this.clock.now() / DAY_MS);
    this.peakEquity = Decimal.max(Decimal.fromRaw(options.account.startingCapital.raw), Decimal.fromRaw(options.account.equity().raw));
  }

  // ------------------------------------------------------------------------------------------
  // Pre-trade check

  /** Checks the proposal and, when it passes, reserves its exposure. Synchronous on purpose (see above). */
  check(proposal: OrderProposal): RiskDecision {
    const now = this.clock.now();
    try {
      const order = this.validate(proposal);
      // one read of the account serves both: nothing between them changes it
      const equity = Decimal.fromRaw(this.account.equity().raw);
      this.refreshWith(this.clock.now(), equity);
      const riskScore = this.checkLimits(order, now, equity);
      const unitNotional = order.referencePrice.mul(order.instrument.contractSize, 'half-even');
      const reservation = new Reservation(++this.reservationSeq, order.instrumentId, order.side, order.reduceOnly, order.quantity, unitNotional, order.leverage);
      this.reservations.set(reservation.id, reservation);
      return { approved: true, approval: new RiskApproval(approvalKey, order, riskScore, reservation) };
    } catch (error) {
      if (!(error instanceof Denied)) throw error;
      return { approved: false, denial: this.deny(error.code, error.message, error.riskScore, proposal, error.details) };
    }
  }

  /**
   * A denial raised after approval (the order manager's full queue): releases the reservation
   * and records it like any other denial.
   */
  denyApproved(approval: RiskApproval, code: DenialCode, message: string, riskScore = 50): RiskDenial {
    this.release(approval.reservation);
    const order = approval.order;
    return this.deny(code, message, riskScore, {
      instrumentId: order.instrumentId, side: order.side, type: order.type, quantity: order.quantity, leverage: order.leverage,
      strategyId: order.strategyId, purpose: order.purpose,
    });
  }

  /** The order's fills were accounted in the position: that part no longer needs reserving. */
  consume(reservation: Reservation, quantity: Decimal): void {
    reservation.reduce(quantity);
  }

  /** The order ended (rejected, cancelled, expired, or filled and accounted). Safe to call twice. */
  release(reservation: Reservation): void {
    reservation.released = true;
    this.reservations.delete(reservation.id);
  }

  /**
   * Re-reserves an order that survived a restart (the order manager resumes it from the store):
   * no checks — it was approved before the crash and may already be at the venue.
   */
  restoreReservation(input: { instrumentId: InstrumentId; side: OrderSide; reduceOnly: boolean; remaining: Decimal; price: Decimal; leverage: number }): Reservation {
    const instrument = this.instruments.get(input.instrumentId);
    const unitNotional = input.price.mul(instrument?.contractSize ?? Decimal.ONE, 'half-even');
    const reservation = new Reservation(++this.reservationSeq, input.instrumentId, input.side, input.reduceOnly, input.remaining, unitNotional, Math.max(1, input.leverage));
    this.reservations.set(reservation.id, reservation);
    return reservation;
  }

  /** Remaining contracts of pending reduce-only orders on the instrument (kill switch and exits size with it). */
  pendingReduceOnly(instrumentId: InstrumentId, side: OrderSide): Decimal {
    let total = Decimal.ZERO;
    for (const r of this.reservations.values()) if (r.instrumentId === instrumentId && r.reduceOnly && r.side === side) total = total.add(r.remainingQuantity);
    return total;
  }

  reservationCount(): number {
    return this.reservations.size;
  }

  // ------------------------------------------------------------------------------------------
  // Trading state and protections

  tradingState(): TradingStateName {
    return this.effectiveState(this.clock.now());
  }

  /** Why trading is not ACTIVE (empty when it is). */
  stateReasons(): string[] {
    const now = this.clock.now();
    const reasons: string[] = [];
    if (this.killSwitch) reasons.push('kill_switch');
    if (this.dailyLossHaltUntil !== null && now < this.dailyLossHaltUntil) reasons.push('daily_loss');
    if (this.drawdownHalted) reasons.push('drawdown');
    if (this.manualState !== 'ACTIVE') reasons.push(`manual_${this.manualState.toLowerCase()}`);
    return reasons;
  }

  onTradingStateChange(listener: (change: TradingStateChange) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  /** The trader sets ACTIVE, REDUCING or HALTED. ACTIVE also lifts a kill-switch and a drawdown halt, never a daily-loss halt. */
  setTradingState(state: TradingStateName, reason = 'manual'): TradingStateName {
    this.manualState = state;
    if (state === 'ACTIVE') {
      this.killSwitch = false;
      if (this.drawdownHalted) {
        // resuming accepts the loss: drawdown is measured from here on
        this.drawdownHalted = false;
        this.peakEquity = Decimal.fromRaw(this.account.equity().raw);
      }
    }
    this.logger?.info('trading state set', { state, reason });
    this.publishState(reason);
    return this.tradingState();
  }

  /** The kill switch's halt: only emergency orders pass until the trader sets ACTIVE. */
  haltForKillSwitch(reason: string): void {
    this.killSwitch = true;
    this.publishState(reason);
  }

  /** A closed round trip's net PnL, for the consecutive-loss cooldown. */
  recordTradeResult(netPnl: Decimal, ts = this.clock.now()): void {
    const cooldown = this.settings.consecutiveLossCooldown;
    if (!netPnl.isNegative()) {
      this.consecutiveLosses = 0;
      return;
    }
    this.consecutiveLosses++;
    if (!cooldown.enabled || this.consecutiveLosses < cooldown.losses) return;
    this.cooldownUntil = ts + Math.round(cooldown.minutes * 60_000);
    const losses = this.consecutiveLosses;
    this.consecutiveLosses = 0;
    this.raise('warning', 'loss_cooldown', `${losses} losing trades in a row: new entries pause for ${cooldown.minutes} min`, null, { until: this.cooldownUntil, losses });
  }

  /** Re-reads the account: day start, peak, daily-loss and drawdown breaches. Call after fills and marks. */
  refresh(): void {
    this.refreshWith(this.clock.now(), Decimal.fromRaw(this.account.equity().raw));
  }

  private refreshWith(now: number, equity: Decimal): void {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.day || this.dayStartEquity === null) {
      this.day = day;
      this.dayStartEquity = equity;
    }
    if (equity.gt(this.peakEquity)) this.peakEquity = equity;
    const dayStart = this.dayStartEquity;
    if ((this.dailyLossHaltUntil === null || now >= this.dailyLossHaltUntil) && dayStart.isPositive()) {
      const lost = dayStart.sub(equity);
      if (lost.mul(HUNDRED).gte(this.dailyLossLimit(dayStart))) {
        const loss = pct(lost, dayStart);
        this.dailyLossHaltUntil = nextUtcDay(now);
        this.scheduleDayEnd(this.dailyLossHaltUntil - now);
        this.raise('critical', 'daily_loss', `Daily loss ${loss.toFixed(2)}% reached the ${this.settings.maxDailyLossPct}% limit: trading halted until 00:00 UTC`, null, {
          lossPercent: loss.toFixed(4), dayStartEquity: dayStart.toString(), equity: equity.toString(), until: this.dailyLossHaltUntil,
        });
        this.publishState('daily_loss');
      }
    }
    if (!this.drawdownHalted && this.peakEquity.isPositive()) {
      const fallen = this.peakEquity.sub(equity);
      if (fallen.mul(HUNDRED).gte(this.drawdownLimit(this.peakEquity))) {
        const drawdown = pct(fallen, this.peakEquity);
        this.drawdownHalted = true;
        this.raise('critical', 'drawdown', `Equity is ${drawdown.toFixed(2)}% below its peak (limit ${this.settings.maxDrawdownPct}%): trading halted until resumed`, null, {
          drawdownPercent: drawdown.toFixed(4), peakEquity: this.peakEquity.toString(), equity: equity.toString(),
        });
        this.publishState('drawdown');
      }
    }
    if (this.dailyLossHaltUntil !== null && now >= this.dailyLossHaltUntil) {
      this.dailyLossHaltUntil = null;
      this.publishState('new_day');
    }
  }

  snapshotProtections(): ProtectionSnapshot {
    return {
      day: this.day, dayStartEquity: this.dayStartEquity?.toString() ?? null, peakEquity: this.peakEquity.toString(), dailyLossHaltUntil: this.dailyLossHaltUntil,
      drawdownHalted: this.drawdownHalted, consecutiveLosses: this.consecutiveLosses, cooldownUntil: this.cooldownUntil, manualState: this.manualState, killSwitch: this.killSwitch,
    };
  }

  restoreProtections(snapshot: ProtectionSnapshot): void {
    this.day = snapshot.day;
    this.dayStartEquity = snapshot.dayStartEquity === null ? null : Decimal.of(snapshot.dayStartEquity);
    this.peakEquity = Decimal.of(snapshot.peakEquity);
    this.dailyLossHaltUntil = snapshot.dailyLossHaltUntil;
    this.drawdownHalted = snapshot.drawdownHalted;
    this.consecutiveLosses = snapshot.consecutiveLosses;
    this.cooldownUntil = snapshot.cooldownUntil;
    this.manualState = snapshot.manualState;
    this.killSwitch = snapshot.killSwitch;
    const now = this.clock.now();
    if (this.dailyLossHaltUntil !== null && this.dailyLossHaltUntil > now) this.scheduleDayEnd(this.dailyLossHaltUntil - now);
    this.publishState('restored');
  }

  /** Releases the day-end timer and listeners. */
  stop(): void {
    if (this.dayTimer !== null) this.clock.clearTimeout(this.dayTimer);
    this.dayTimer = null;
    this.stateListeners.clear();
  }

  /** Raises a risk alert: stored in risk_events, then published as `risk_alert`. */
  raise(severity: RiskAlertDto['severity'], code: string, message: string, instrumentId: string | null, details?: Record<string, unknown>): RiskAlertDto {
    return this.alerts.raise(severity, code, message, instrumentId, details);
  }

  // ------------------------------------------------------------------------------------------

  private validate(proposal: OrderProposal): ApprovedOrder {
    const instrumentId = proposal.instrumentId as InstrumentId;
    const instrument = this.instruments.get(instrumentId);
    if (instrument === undefined) throw new Denied('unknown_instrument', `unknown instrument ${String(proposal.instrumentId)}`, SCORE_INPUT);
    if (proposal.side !== 'BUY' && proposal.side !== 'SELL') throw new Denied('invalid_order', `side must be BUY or SELL, got ${String(proposal.side)}`, SCORE_INPUT);
    const quantityRaw = parseDecimal(proposal.quantity, 'quantity');
    const price = parseDecimal(proposal.price, 'price');
    const triggerPrice = parseDecimal(proposal.triggerPrice, 'triggerPrice');
    const reference = parseDecimal(proposal.referencePrice, 'referencePrice');
    if (typeof proposal.leverage !== 'number' || Number.isNaN(proposal.leverage) || !Number.isFinite(proposal.leverage)) {
      throw new Denied('invalid_number', `leverage is not a finite number (${String(proposal.leverage)})`, SCORE_INPUT, { field: 'leverage' });
    }
    if (quantityRaw === null || quantityRaw.isNegative()) throw new Denied('invalid_quantity', `quantity must be a positive number of contracts, got ${String(proposal.quantity)}`, SCORE_INPUT);
    const quantity = Quantity.fromRaw(quantityRaw.raw);
    const quantityProblem = checkQuantity(instrument, quantity);
    if (quantityProblem !== null) throw new Denied('invalid_quantity', quantityProblem, SCORE_INPUT);
    for (const [field, value] of [['price', price], ['triggerPrice', triggerPrice]] as const) {
      if (value === null) continue;
      const problem = checkPrice(instrument, Price.fromRaw(value.raw));
      if (problem !== null) throw new Denied('invalid_price', `${field}: ${problem}`, SCORE_INPUT, { field });
    }
    if (reference !== null && !reference.isPositive()) throw new Denied('invalid_price', `referencePrice must be positive, got ${reference.toString()}`, SCORE_INPUT);
    const leverage = proposal.leverage;
    if (!Number.isInteger(leverage) || leverage < 1) throw new Denied('invalid_leverage', `leverage must be a whole number ≥ 1, got ${leverage}`, SCORE_INPUT);
    const maxLeverage = Math.min(this.settings.maxLeverage, instrument.maxLeverage);
    // a reduce-only close takes the position's leverage as it is (adopted from the exchange, set by
    // hand): refusing it would leave an over-levered position open, the opposite of the limit's point
    if (leverage > maxLeverage && proposal.reduceOnly !== true) {
      throw new Denied('invalid_leverage', `leverage ${leverage}× is above the allowed ${maxLeverage}× (settings ${this.settings.maxLeverage}×, ${instrument.symbol} ${instrument.maxLeverage}×)`, SCORE_INPUT);
    }
    const type = proposal.type;
    if (type === 'LIMIT' && price === null) throw new Denied('invalid_order', 'a limit order needs a price', SCORE_INPUT);
    if (type === 'STOP_MARKET' && triggerPrice === null) throw new Denied('invalid_order', 'a stop order needs a trigger price', SCORE_INPUT);
    if (type !== 'MARKET' && type !== 'LIMIT' && type !== 'STOP_MARKET') throw new Denied('invalid_order', `unknown order type ${String(type)}`, SCORE_INPUT);
    const referencePrice = type === 'LIMIT' ? price : type === 'STOP_MARKET' ? triggerPrice : reference;
    if (referencePrice === null) throw new Denied('invalid_order', 'a market order needs a reference price (last trade) for its notional', SCORE_INPUT);
    const reduceOnly = proposal.reduceOnly === true;
    const emergency = proposal.emergency === true;
    if (emergency && !reduceOnly) throw new Denied('invalid_order', 'only reduce-only orders may be emergency orders', SCORE_INPUT);
    const notional = referencePrice.mul(quantity, 'half-even').mul(instrument.contractSize, 'half-even');
    return {
      instrument, instrumentId, side: proposal.side, type, quantity,
      price: price === null ? null : Price.fromRaw(price.raw),
      triggerPrice: triggerPrice === null ? null : Price.fromRaw(triggerPrice.raw),
      referencePrice: Price.fromRaw(referencePrice.raw),
      leverage, reduceOnly,
      timeInForce: proposal.timeInForce ?? (type === 'MARKET' ? 'IOC' : 'GTC'),
      strategyId: proposal.strategyId ?? null,
      sessionId: proposal.sessionId ?? null,
      emergency,
      purpose: proposal.purpose ?? (reduceOnly ? 'exit' : 'entry'),
      notional: Money.money(notional, instrument.settle),
      margin: Money.money(notional.div(whole(leverage), 'half-even'), instrument.settle),
    };
  }

  /** Throws Denied, or returns the order's risk score. */
  private checkLimits(order: ApprovedOrder, now: number, equity: Decimal): number {
    const state = this.effectiveState(now);
    if (state === 'HALTED' && !order.emergency) {
      const reasons = this.stateReasons();
      // a protection's own code tells the trader which limit stopped trading
      const code: DenialCode = reasons.includes('kill_switch') || reasons.some((r) => r.startsWith('manual_'))
        ? 'trading_halted' : reasons.includes('daily_loss') ? 'daily_loss' : reasons.includes('drawdown') ? 'drawdown' : 'trading_halted';
      throw new Denied(code, `trading is halted (${reasons.join(', ')}): only the kill switch and flatten actions may trade`, SCORE_HALTED, { reasons });
    }
    if (order.reduceOnly) return this.checkReduceOnly(order);
    if (state === 'REDUCING') throw new Denied('reducing_only', 'trading is REDUCING: only reduce-only orders pass', SCORE_REDUCING);
    if (this.cooldownUntil !== null) {
      if (now < this.cooldownUntil) {
        throw new Denied('loss_cooldown', `cooling down after consecutive losses until ${new Date(this.cooldownUntil).toISOString()}`, SCORE_COOLDOWN, { until: this.cooldownUntil });
      }
      this.cooldownUntil = null;
    }

    const s = this.settings;
    const l = this.limits;
    const capital = equity;
    if (!capital.isPositive()) throw new Denied('no_capital', `account equity is ${capital.toString()}: nothing to trade with`, 100);
    // decisions compare exact decimals; the score is a float read of the same figures
    let score = 0;
    // the score is the highest share of any limit used (a module function: no closures per order)
    const capitalLimits = this.capitalLimits(capital);

    const dayStart = this.dayStartEquity ?? capital;
    score = higherShare(score, Decimal.max(Decimal.ZERO, dayStart.sub(capital)).mul(HUNDRED), this.dailyLossLimit(dayStart));
    score = higherShare(score, Decimal.max(Decimal.ZERO, this.peakEquity.sub(capital)).mul(HUNDRED), this.drawdownLimit(this.peakEquity));

    const margin = Decimal.fromRaw(order.margin.raw);
    const notional = Decimal.fromRaw(order.notional.raw);
    const positionLimit = capitalLimits.position;
    score = higherShare(score, margin, positionLimit);
    if (margin.gt(positionLimit)) {
      throw new Denied('position_size', `margin ${margin.toFixed(2)} is above ${s.maxPositionPctOfCapital}% of capital (${positionLimit.toFixed(2)})`, 100, { margin: margin.toString(), limit: positionLimit.toString() });
    }

    const held = this.account.signedQuantity(order.instrumentId);
    const openingSymbols = new Set<InstrumentId>();
    let reservedMargin = Decimal.ZERO;
    let reservedNotional = Decimal.ZERO;
    let symbolReserved = Decimal.ZERO;
    for (const r of this.reservations.values()) {
      if (r.reduceOnly) continue;
      const m = r.margin();
      reservedMargin = reservedMargin.add(m);
      reservedNotional = reservedNotional.add(r.notional());
      if (r.instrumentId === order.instrumentId) symbolReserved = symbolReserved.add(m);
      if (this.account.signedQuantity(r.instrumentId).isZero()) openingSymbols.add(r.instrumentId);
    }
    const opens = held.isZero() && !openingSymbols.has(order.instrumentId);
    const positionsAfter = this.account.openPositionCount() + openingSymbols.size + (opens ? 1 : 0);
    score = Math.max(score, positionsAfter / s.maxOpenPositions);
    if (positionsAfter > s.maxOpenPositions) {
      throw new Denied('max_open_positions', `${positionsAfter - 1} positions are open or opening; the limit is ${s.maxOpenPositions}`, 100, { positions: positionsAfter - 1 });
    }

    const symbolMargin = Decimal.fromRaw(this.account.positionMargin(order.instrumentId).raw).add(symbolReserved).add(margin);
    const symbolLimit = capitalLimits.concentration;
    score = higherShare(score, symbolMargin, symbolLimit);
    if (symbolMargin.gt(symbolLimit)) {
      throw new Denied('symbol_concentration', `${order.instrument.symbol} would hold margin ${symbolMargin.toFixed(2)}, above ${s.maxSymbolConcentrationPct}% of capital (${symbolLimit.toFixed(2)})`, 100, {
        symbolMargin: symbolMargin.toString(), limit: symbolLimit.toString(),
      });
    }

    const usedAfter = Decimal.fromRaw(this.account.usedMargin().raw).add(reservedMargin).add(margin);
    const utilisationLimit = capitalLimits.marginUtilization;
    score = higherShare(score, usedAfter, utilisationLimit);
    if (usedAfter.gte(utilisationLimit)) {
      const utilisation = pct(usedAfter, capital);
      throw new Denied('margin_utilization', `margin utilisation would be ${utilisation.toFixed(2)}%, at or above the ${s.maxMarginUtilizationPct}% limit`, 100, { utilisationPercent: utilisation.toFixed(4) });
    }

    if (this.stagedCaps) {
      score = higherShare(score, notional, l.orderNotional);
      if (notional.gt(l.orderNotional)) {
        throw new Denied('max_order_notional', `order notional ${notional.toFixed(2)} is above the live cap of ${s.maxOrderNotional}`, 100, { notional: notional.toString() });
      }
      let exposure = reservedNotional.add(notional);
      for (const position of this.account.openPositions()) exposure = exposure.add(this.account.markNotional(position.instrumentId));
      score = higherShare(score, exposure, l.totalExposure);
      if (exposure.gt(l.totalExposure)) {
        throw new Denied('max_total_exposure', `total exposure would be ${exposure.toFixed(2)}, above the live cap of ${s.maxTotalExposure}`, 100, { exposure: exposure.toString() });
      }
    }
    return Math.min(100, Math.round(score * 100));
  }

  /**
   * The percentage limits in money for this capital. Capital (equity) moves with fills and marks,
   * not with every check, so the last answer is kept and reused while capital is unchanged.
   */
  private capitalLimits(capital: Decimal): CapitalLimits {
    const cached = this.capitalLimitsCache;
    if (cached !== null && cached.capital === capital.raw) return cached;
    const l = this.limits;
    const next: CapitalLimits = {
      capital: capital.raw,
      position: percentOf(l.position, capital),
      concentration: percentOf(l.concentration, capital),
      marginUtilization: percentOf(l.marginUtilization, capital),
    };
    this.capitalLimitsCache = next;
    return next;
  }

  /** dayStart × maxDailyLossPct (the loss × 100 it may not reach); dayStart changes once a day. */
  private dailyLossLimit(dayStart: Decimal): Decimal {
    const cached = this.dailyLossCache;
    if (cached !== null && cached.base === dayStart.raw) return cached.limit;
    const limit = dayStart.mul(this.limits.dailyLoss, 'half-even');
    this.dailyLossCache = { base: dayStart.raw, limit };
    return limit;
  }

  /** peak × maxDrawdownPct (the fall × 100 it may not reach); the peak changes only on new highs. */
  private drawdownLimit(peak: Decimal): Decimal {
    const cached = this.drawdownCache;
    if (cached !== null && cached.base === peak.raw) return cached.limit;
    const limit = peak.mul(this.limits.drawdown, 'half-even');
    this.drawdownCache = { base: peak.raw, limit };
    return limit;
  }

  private checkReduceOnly(order: ApprovedOrder): number {
    if (order.emergency) return 0;
    const held = this.account.signedQuantity(order.instrumentId);
    const reduces = order.side === 'SELL' ? held.isPositive() : held.isNegative();
    if (!reduces) throw new Denied('reduce_only_without_position', `reduce-only ${order.side} on ${order.instrument.symbol}, but there is no ${order.side === 'SELL' ? 'long' : 'short'} position to reduce`, 100);
    const pending = this.pendingReduceOnly(order.instrumentId, order.side);
    if (pending.add(order.quantity).gt(held.abs())) {
      throw new Denied('reduce_only_exceeds_position', `reduce-only ${order.quantity.toString()} plus ${pending.toString()} pending would exceed the ${held.abs().toString()} contracts held`, 100);
    }
    return 0;
  }

  private deny(code: DenialCode, message: string, riskScore: number, proposal: Partial<OrderProposal> | Record<string, unknown>, details: Record<string, unknown> = {}): RiskDenial {
    const instrumentId = typeof proposal.instrumentId === 'string' ? proposal.instrumentId : null;
    const severity: RiskAlertDto['severity'] = code === 'trading_halted' ? 'critical' : 'warning';
    const alert = this.raise(severity, `order_denied_${code}`, `Order denied: ${message}`, instrumentId, {
      ...details, reason: code, riskScore, order: describeProposal(proposal),
    });
    this.logger?.info('order denied', { code, message, instrumentId });
    return { code, message, riskScore, alert };
  }

  private effectiveState(now: number): TradingStateName {
    if (this.killSwitch || this.drawdownHalted || this.manualState === 'HALTED') return 'HALTED';
    if (this.dailyLossHaltUntil !== null && now < this.dailyLossHaltUntil) return 'HALTED';
    return this.manualState === 'REDUCING' ? 'REDUCING' : 'ACTIVE';
  }

  private publishState(reason: string): void {
    const now = this.clock.now();
    const state = this.effectiveState(now);
    if (state === this.reportedState) return;
    const change: TradingStateChange = { state, previous: this.reportedState, reasons: this.stateReasons(), ts: now };
    this.reportedState = state;
    this.logger?.warn('trading state changed', { state, previous: change.previous, reason });
    for (const listener of [...this.stateListeners]) {
      try {
        listener(change);
      } catch (error) {
        this.logger?.error('trading state listener failed', { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  private scheduleDayEnd(delayMs: number): void {
    if (this.dayTimer !== null) this.clock.clearTimeout(this.dayTimer);
    this.dayTimer = this.clock.setTimeout(() => {
      this.dayTimer = null;
      this.refresh();
      this.publishState('new_day');
    }, delayMs);
  }
}

function describeProposal(proposal: Partial<OrderProposal> | Record<string, unknown>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(proposal)) {
    if (value === undefined) continue;
    if (value instanceof Decimal) out[key] = value.toString();
    else if (typeof value === 'number') out[key] = Number.isFinite(value) ? value : String(value);
    else if (typeof value === 'string' || typeof value === 'boolean' || value === null) out[key] = value;
    else if (typeof value === 'bigint') out[key] = value.toString();
  }
  return out;
}

/** The larger of `score` and value's share of limit (a float read for the risk score; the decisions compare exact decimals). */
function higherShare(score: number, value: Decimal, limit: Decimal): number {
  const ratio = limit.isPositive() ? Number(value.raw) / Number(limit.raw) : Number.POSITIVE_INFINITY;
  return ratio > score ? ratio : score;
}
