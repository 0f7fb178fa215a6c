import type { PositionDto } from '../../../src-shared/contract/schemas';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import { roundPrice, type Instrument } from '../../../src-shared/domain/instrument';
import type { PositionSide } from '../../../src-shared/domain/position';
import { Money, Price, Quantity } from '../../../src-shared/domain/values';
import type { ClosedTrade } from '../session/backtest-report';

/**
 * Exact accounting for USDT-margined linear perpetuals, isolated margin, one-way (net) mode.
 *
 * Definitions used throughout (q = contracts, cs = contract size, E = average entry price,
 * P = mark price, L = leverage, mmr = maintenance margin rate):
 *
 * - entry cost          C  = Σ fill price × contracts × cs of the open contracts (the cost basis).
 *                          Keeping C instead of a rounded average makes PnL conserve exactly:
 *                          realised + unrealised always equals the cash flows at the mark.
 * - position margin     IM = C / L (isolated: the margin locked when the position opened).
 * - unrealised PnL      U  = P·q·cs − C for a long, C − P·q·cs for a short.
 * - margin balance      MB = IM + U.
 * - maintenance margin  MM = P·q·cs·mmr.
 * - margin ratio        MM / MB — the exchange's number (MEXC and Binance, isolated): the position
 *                          is liquidated when it reaches 1 (100 %). Reported as null when MB ≤ 0.
 * - liquidation price   the mark at which MB = MM:
 *                          long  P = (C − IM) / (q·cs·(1 − mmr))
 *                          short P = (C + IM) / (q·cs·(1 + mmr))
 *                          rounded to the tick towards the entry (the conservative side);
 *                          null when a long cannot be liquidated (1× leverage, P ≤ 0).
 * - liquidation distance % (the UI's "margin ratio %" gauge, PositionDto.marginRatioPercent,
 *                          and the position-sync alert thresholds): how much of the way from the
 *                          liquidation price to the entry price the mark still has left,
 *                          100 × (P − liq) / (E − liq) for a long, 100 × (liq − P) / (liq − E)
 *                          for a short, clamped to 0…100. 100 at entry (or in profit), 0 at
 *                          liquidation; it falls linearly with the adverse move at any
 *                          leverage, which is why the gauge uses it instead of 1 − MM/MB (that
 *                          stays above 90 % until the last few ticks before liquidation).
 * - funding payment     q·P·cs·rate, paid by longs and received by shorts when rate > 0.
 */

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const UNIT = 10n ** 18n;

/** A whole number as a Decimal without the text round trip Decimal.of(number) takes (hot paths). */
export function whole(value: number): Decimal {
  if (!Number.isSafeInteger(value)) return Decimal.of(value);
  return Decimal.fromRaw(BigInt(value) * UNIT);
}
export const HUNDRED = whole(100);

/** Isolated initial margin: entry cost ÷ leverage. */
export function positionMargin(entryCost: Decimal, leverage: number): Decimal {
  if (!(Number.isInteger(leverage) && leverage >= 1)) throw new RangeError(`leverage must be a whole number ≥ 1, got ${leverage}`);
  return entryCost.abs().div(whole(leverage), 'half-even');
}

export function maintenanceMargin(markNotional: Decimal, maintenanceMarginRate: Decimal): Decimal {
  return markNotional.abs().mul(maintenanceMarginRate, 'half-even');
}

/** Unrealised PnL from the cost basis, exact. */
export function unrealizedFromCost(side: PositionSide, markNotional: Decimal, entryCost: Decimal): Decimal {
  if (side === 'LONG') return markNotional.sub(entryCost);
  if (side === 'SHORT') return entryCost.sub(markNotional);
  return Decimal.ZERO;
}

/** MM ÷ (IM + U), the exchange's isolated margin ratio as a fraction (1 = liquidation); null when no margin is left. */
export function exchangeMarginRatio(margin: Decimal, unrealized: Decimal, maintenance: Decimal): Decimal | null {
  const balance = margin.add(unrealized);
  if (!balance.isPositive()) return null;
  return maintenance.div(balance, 'half-even');
}

export interface LiquidationInput {
  side: PositionSide;
  quantity: Decimal; // contracts
  entryCost: Decimal; // quote currency, includes the contract size
  margin: Decimal; // isolated position margin
  contractSize: Decimal;
  maintenanceMarginRate: Decimal;
  tickSize: Decimal;
}

/** The isolated liquidation price (see the definitions above), or null when there is none. */
export function liquidationPrice(input: LiquidationInput): Price | null {
  if (input.side === 'FLAT' || !input.quantity.isPositive()) return null;
  const units = input.quantity.mul(input.contractSize, 'half-even');
  if (input.side === 'LONG') {
    const numerator = input.entryCost.sub(input.margin);
    if (!numerator.isPositive()) return null;
    const raw = numerator.div(units.mul(Decimal.ONE.sub(input.maintenanceMarginRate), 'half-even'), 'ceil');
    // rounding up moves a long's liquidation towards the entry: the trader is warned early, never late
    return Price.of(raw.roundToStep(input.tickSize, 'ceil'));
  }
  const raw = input.entryCost.add(input.margin).div(units.mul(Decimal.ONE.add(input.maintenanceMarginRate), 'half-even'), 'floor');
  return Price.of(raw.roundToStep(input.tickSize, 'floor'));
}

/** 0…100: share of the entry→liquidation distance the mark still has left (100 when none can happen). */
export function liquidationDistancePercent(side: PositionSide, entryPrice: Decimal, markPrice: Decimal, liquidation: Decimal | null): number {
  if (side === 'FLAT' || liquidation === null) return 100;
  const full = side === 'LONG' ? entryPrice.sub(liquidation) : liquidation.sub(entryPrice);
  const left = side === 'LONG' ? markPrice.sub(liquidation) : liquidation.sub(markPrice);
  if (!left.isPositive()) return 0;
  if (!full.isPositive() || left.gte(full)) return 100;
  return Number(left.mul(HUNDRED).div(full, 'half-even').toFixed(4));
}

/** Distance from the mark to the liquidation price in % of the mark (for alert details). */
export function liquidationDistanceOfPricePercent(markPrice: Decimal, liquidation: Decimal | null): number | null {
  if (liquidation === null || !markPrice.isPositive()) return null;
  return Number(markPrice.sub(liquidation).abs().mul(HUNDRED).div(markPrice, 'half-even').toFixed(4));
}

/** Signed funding cash flow for the holder: negative = paid. */
export function fundingPayment(side: PositionSide, markNotional: Decimal, rate: Decimal): Decimal {
  if (side === 'FLAT') return Decimal.ZERO;
  const amount = markNotional.abs().mul(rate, 'half-even');
  return side === 'LONG' ? amount.neg() : amount;
}

/**
 * Funding times in (fromExclusive, toInclusive]: every intervalHours from 00:00 UTC of each day
 * (8 h → 00:00, 08:00, 16:00 UTC, the MEXC and Binance schedule).
 */
export function fundingTimes(fromExclusive: number, toInclusive: number, intervalHours: number): number[] {
  if (!(Number.isInteger(intervalHours) && intervalHours >= 1 && intervalHours <= 24)) throw new RangeError(`intervalHours must be 1…24, got ${intervalHours}`);
  const times: number[] = [];
  const step = intervalHours * HOUR_MS;
  let day = Math.floor(fromExclusive / DAY_MS) * DAY_MS;
  while (day <= toInclusive) {
    for (let t = day; t < day + DAY_MS; t += step) {
      if (t > fromExclusive && t <= toInclusive) times.push(t);
    }
    day += DAY_MS;
  }
  return times;
}

/** Start of the next UTC day after ts. */
export function nextUtcDay(ts: number): number {
  return (Math.floor(ts / DAY_MS) + 1) * DAY_MS;
}

export interface FillContext {
  strategyId: string | null;
  leverage: number;
  /** Why the order was placed (ZE1, E1, kill_switch …): the exit reason of a closed trade. */
  reason?: string | null;
}

/** One open position as the account sees it. Money includes the contract size. */
export interface AccountPosition {
  instrumentId: InstrumentId;
  side: PositionSide;
  quantity: Quantity;
  entryCost: Money;
  averageEntryPrice: Price | null;
  leverage: number;
  strategyId: string | null;
  /** Isolated position margin (C / L unless adopted from the exchange). */
  margin: Money;
  markPrice: Price | null;
  /** Lifetime on this instrument in this account: gross realised PnL, fees paid, funding (signed). */
  realizedPnl: Money;
  commissions: Money;
  funding: Money;
  openedAt: number | null;
  updatedAt: number;
}

/** A venue's own figures for a position it closed, over the position's whole life (its position history). */
export interface VenueCloseTotals {
  /** Close PnL before fees (MEXC closeProfitLoss); a liquidated isolated position's includes the margin lost. */
  realizedPnl: Decimal;
  /** Every trading fee of the position, opening and closing; null when the venue does not say. */
  fees: Decimal | null;
}

/** A round trip with its funding; netPnl = gross − fees + funding. */
export interface RoundTrip extends ClosedTrade {
  funding: string;
}

export interface FillOutcome {
  before: AccountPosition;
  position: AccountPosition;
  /** Gross PnL this fill realised. */
  realized: Money;
  /** The round trip this fill completed (flat, or the closed part of a flip). */
  closedTrade: RoundTrip | null;
}

export interface EquityPoint {
  ts: number;
  equity: string;
  realizedPnl: string;
  unrealizedPnl: string;
  commissions: string;
  funding: string;
}

interface RawEquityPoint {
  ts: number;
  equity: Decimal;
  realized: Decimal;
  unrealized: Decimal;
  commissions: Decimal;
  funding: Decimal;
}

export interface StrategyResult {
  strategyId: string;
  trades: number;
  wins: number;
  losses: number;
  grossPnl: string;
  fees: string;
  funding: string;
  netPnl: string;
}

export interface AccountOptions {
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  startingCapital: Money;
  sessionId: string | null;
  /** Fraction, e.g. 0.004 (settings.paper.maintenanceMarginRate); per-instrument overrides below. */
  maintenanceMarginRate: Decimal;
  maintenanceMarginRates?: ReadonlyMap<InstrumentId, Decimal>;
  /** The engine-managed stop-loss / take-profit of a position, shown in its DTO (ProtectiveStops). */
  protectionOf?: (instrumentId: InstrumentId) => { stopLoss: number | null; takeProfit: number | null } | null;
}

interface Trip {
  strategyId: string | null;
  direction: 'LONG' | 'SHORT';
  openedAt: number;
  openedQty: Decimal;
  entryNotional: Decimal; // Σ px × qty over opening fills (no contract size): the average entry
  exitQty: Decimal;
  exitNotional: Decimal;
  realized: Decimal;
  fees: Decimal;
  funding: Decimal;
}

interface PositionState {
  instrumentId: InstrumentId;
  instrument: Instrument;
  /** Signed contracts: + long, − short. */
  signed: Decimal;
  cost: Decimal;
  leverage: number;
  strategyId: string | null;
  marginOverride: Decimal | null;
  mark: Decimal | null;
  realized: Decimal;
  commissions: Decimal;
  funding: Decimal;
  openedAt: number | null;
  updatedAt: number;
  trip: Trip | null;
  /** unrealizedOf's last answer and its inputs (raw mark, signed contracts, cost). */
  unrealizedCache: { mark: bigint; signed: bigint; cost: bigint; value: Decimal } | null;
  /** marginOf's last answer and its inputs. */
  marginCache: { cost: bigint; leverage: number; value: Decimal } | null;
}

interface StrategyTotals {
  trades: number;
  wins: number;
  losses: number;
  gross: Decimal;
  fees: Decimal;
  funding: Decimal;
}

/** A protective level as a price on the instrument's tick (the nearest one). */
const protectionLevel = (instrument: Instrument, level: number | null): string | null =>
  level === null ? null : roundPrice(instrument, Decimal.of(level)).toString();

const sideOf = (signed: Decimal): PositionSide => (signed.isZero() ? 'FLAT' : signed.isPositive() ? 'LONG' : 'SHORT');
const notionalOf = (price: Decimal, contracts: Decimal, contractSize: Decimal): Decimal =>
  // exact whenever the product fits 18 decimals (always, for prices on a tick and amounts on a lot)
  price.mul(contracts, 'half-even').mul(contractSize, 'half-even');

/**
 * The account of one session (or the live account book): positions from fills, realised and
 * unrealised PnL, fees, funding, margin, liquidation, the equity curve and per-strategy results,
 * exact throughout. It holds no timers and does no I/O: callers journal fills before applying them.
 */
export class Account {
  readonly currency: string;
  readonly sessionId: string | null;
  readonly startingCapital: Money;
  private readonly instruments: ReadonlyMap<InstrumentId, Instrument>;
  private readonly defaultMmr: Decimal;
  private readonly mmrs: ReadonlyMap<InstrumentId, Decimal>;
  private readonly protectionOf: AccountOptions['protectionOf'];
  private readonly states = new Map<InstrumentId, PositionState>();
  private readonly strategies = new Map<string, StrategyTotals>();
  private readonly trades: RoundTrip[] = [];
  private readonly curve: RawEquityPoint[] = [];
  private realized = Decimal.ZERO;
  private commissions = Decimal.ZERO;
  private funding = Decimal.ZERO;
  private lastFundingCheck: number | null = null;

  constructor(options: AccountOptions) {
    this.instruments = options.instruments;
    this.startingCapital = options.startingCapital;
    this.currency = options.startingCapital.currency;
    this.sessionId = options.sessionId;
    this.defaultMmr = options.maintenanceMarginRate;
    this.mmrs = options.maintenanceMarginRates ?? new Map();
    this.protectionOf = options.protectionOf;
    if (this.defaultMmr.isNegative() || this.defaultMmr.gte(1)) throw new RangeError(`maintenance margin rate must be in [0, 1), got ${this.defaultMmr.toString()}`);
  }

  instrument(instrumentId: InstrumentId): Instrument | undefined {
    return this.instruments.get(instrumentId);
  }

  maintenanceMarginRate(instrumentId: InstrumentId): Decimal {
    return this.mmrs.get(instrumentId) ?? this.defaultMmr;
  }

  /** Applies one fill: adds to, reduces, closes or flips the position. The caller journals the fill first. */
  applyFill(fill: Fill, context: FillContext): FillOutcome {
    const state = this.stateFor(fill.instrumentId, fill.tsEvent);
    const before = this.snapshot(state);
    const cs = state.instrument.contractSize;
    const qty: Decimal = fill.lastQty;
    const px: Decimal = fill.lastPx;
    const delta = fill.side === 'BUY' ? qty : qty.neg();
    const commission = Decimal.fromRaw(fill.commission.raw);
    let realized = Decimal.ZERO;
    let closedTrade: RoundTrip | null = null;

    this.commissions = this.commissions.add(commission);
    state.commissions = state.commissions.add(commission);
    state.mark ??= px;

    const increasing = state.signed.isZero() || state.signed.isPositive() === delta.isPositive();
    if (increasing) {
      if (state.signed.isZero()) this.open(state, fill, context);
      state.cost = state.cost.add(notionalOf(px, qty, cs));
      state.signed = state.signed.add(delta);
      const trip = state.trip!;
      trip.openedQty = trip.openedQty.add(qty);
      trip.entryNotional = trip.entryNotional.add(px.mul(qty, 'half-even'));
      trip.fees = trip.fees.add(commission);
    } else {
      const held = state.signed.abs();
      const closing = Decimal.min(held, qty);
      const opening = qty.sub(closing);
      // the last contract out takes whatever cost is left, so rounding never leaks out of a round trip
      const costOut = closing.eq(held) ? state.cost : state.cost.mul(closing, 'half-even').div(held, 'half-even');
      const proceeds = notionalOf(px, closing, cs);
      realized = state.signed.isPositive() ? proceeds.sub(costOut) : costOut.sub(proceeds);
      state.cost = state.cost.sub(costOut);
      state.signed = state.signed.isPositive() ? state.signed.sub(closing) : state.signed.add(closing);
      state.realized = state.realized.add(realized);
      this.realized = this.realized.add(realized);
      const closingFee = opening.isZero() ? commission : commission.mul(closing, 'half-even').div(qty, 'half-even');
      const trip = state.trip;
      if (trip !== null) {
        trip.realized = trip.realized.add(realized);
        trip.fees = trip.fees.add(closingFee);
        trip.exitQty = trip.exitQty.add(closing);
        trip.exitNotional = trip.exitNotional.add(px.mul(closing, 'half-even'));
      }
      if (state.signed.isZero()) {
        closedTrade = this.closeTrip(state, fill.tsEvent, context.reason ?? 'exit');
        state.openedAt = null;
        state.marginOverride = null;
        if (opening.isPositive()) {
          // flipped: the remainder opens a new round trip at this fill
          this.open(state, fill, context);
          state.cost = notionalOf(px, opening, cs);
          state.signed = fill.side === 'BUY' ? opening : opening.neg();
          const next = state.trip!;
          next.openedQty = opening;
          next.entryNotional = px.mul(opening, 'half-even');
          next.fees = commission.sub(closingFee);
        }
      }
    }
    state.updatedAt = fill.tsEvent;
    const position = this.snapshot(state);
    this.recordEquity(fill.tsEvent);
    return { before, position, realized: this.money(realized), closedTrade };
  }

  /** Sets the mark price; true when an open position's mark changed. */
  mark(instrumentId: InstrumentId, price: Decimal | number | string): boolean {
    const state = this.states.get(instrumentId);
    if (state === undefined) {
      if (!this.instruments.has(instrumentId)) return false;
      this.states.set(instrumentId, this.emptyState(instrumentId, 0));
      return this.mark(instrumentId, price);
    }
    const next = Decimal.of(price);
    if (state.mark !== null && state.mark.eq(next)) return false;
    state.mark = next;
    return !state.signed.isZero();
  }

  markPrice(instrumentId: InstrumentId): Price | null {
    const mark = this.states.get(instrumentId)?.mark ?? null;
    return mark === null ? null : Price.fromRaw(mark.raw);
  }

  /**
   * Applies one funding payment to an open position at its mark (or the given mark). Returns the
   * signed cash flow (negative = paid), zero when flat.
   */
  applyFunding(instrumentId: InstrumentId, rate: Decimal, ts: number, markPrice?: Decimal): Money {
    const state = this.states.get(instrumentId);
    if (state === undefined || state.signed.isZero()) return this.money(Decimal.ZERO);
    const mark = markPrice ?? state.mark;
    if (mark === null) return this.money(Decimal.ZERO);
    const payment = fundingPayment(sideOf(state.signed), notionalOf(mark, state.signed.abs(), state.instrument.contractSize), rate);
    state.funding = state.funding.add(payment);
    this.funding = this.funding.add(payment);
    if (state.trip !== null) state.trip.funding = state.trip.funding.add(payment);
    state.updatedAt = ts;
    this.recordEquity(ts);
    return this.money(payment);
  }

  /**
   * Applies funding for every funding time passed since the previous call (the first call only
   * remembers ts). rateFor answers the rate of an instrument at a funding time, null to skip.
   */
  settleFunding(ts: number, intervalHours: number, rateFor: (instrumentId: InstrumentId, fundingTime: number) => Decimal | null): Money {
    const from = this.lastFundingCheck;
    this.lastFundingCheck = from === null ? ts : Math.max(from, ts);
    let total = Decimal.ZERO;
    if (from === null || ts <= from) return this.money(total);
    for (const fundingTime of fundingTimes(from, ts, intervalHours)) {
      for (const state of this.states.values()) {
        if (state.signed.isZero()) continue;
        const rate = rateFor(state.instrumentId, fundingTime);
        if (rate === null) continue;
        total = total.add(this.applyFunding(state.instrumentId, rate, fundingTime));
      }
    }
    return this.money(total);
  }

  /**
   * Makes the local position what the exchange says (reconciliation "adopt"): the cost basis
   * becomes entry × quantity, nothing is realised (the app never saw those trades).
   */
  adoptPosition(input: { instrumentId: InstrumentId; side: PositionSide; quantity: Decimal; entryPrice: Decimal | null; leverage: number; margin?: Decimal | null; strategyId?: string | null; ts: number }): AccountPosition {
    const state = this.stateFor(input.instrumentId, input.ts);
    const quantity = input.side === 'FLAT' ? Decimal.ZERO : input.quantity;
    if (quantity.isZero()) {
      state.signed = Decimal.ZERO;
      state.cost = Decimal.ZERO;
      state.trip = null;
      state.openedAt = null;
      state.marginOverride = null;
    } else {
      const entry = input.entryPrice ?? state.mark;
      if (entry === null) throw new Error(`adopting ${input.instrumentId} needs an entry or mark price`);
      state.signed = input.side === 'LONG' ? quantity : quantity.neg();
      state.cost = notionalOf(entry, quantity, state.instrument.contractSize);
      state.leverage = input.leverage;
      state.marginOverride = input.margin ?? null;
      state.strategyId = input.strategyId ?? state.strategyId;
      state.openedAt ??= input.ts;
      state.mark ??= entry;
      state.trip = {
        strategyId: state.strategyId, direction: input.side === 'LONG' ? 'LONG' : 'SHORT', openedAt: input.ts, openedQty: quantity,
        entryNotional: entry.mul(quantity, 'half-even'), exitQty: Decimal.ZERO, exitNotional: Decimal.ZERO, realized: Decimal.ZERO, fees: Decimal.ZERO, funding: Decimal.ZERO,
      };
    }
    state.updatedAt = input.ts;
    this.recordEquity(input.ts);
    return this.snapshot(state);
  }

  /**
   * The position was closed outside the app (liquidated, or closed by the trader elsewhere) and
   * its round trip ends with `reason`. Without `venueTotals` it is realised at `price` with no
   * fee (what the app can infer). With them — the venue's own figures for the whole position,
   * from its position history — the round trip ends with exactly the venue's close PnL and fees:
   * what it booked already (the app's own partial closes, its fills' fees) is taken off, the rest
   * is booked now, so a liquidation loses the margin the venue took, not (price − entry) × size.
   * `price` is the exit price either way. Null when there was nothing to close.
   */
  closeOutside(instrumentId: InstrumentId, price: Decimal, ts: number, reason: string, venueTotals?: VenueCloseTotals): RoundTrip | null {
    const state = this.states.get(instrumentId);
    if (state === undefined || state.signed.isZero()) return null;
    const held = state.signed.abs();
    const proceeds = notionalOf(price, held, state.instrument.contractSize);
    const trip = state.trip;
    const realized = venueTotals === undefined
      ? (state.signed.isPositive() ? proceeds.sub(state.cost) : state.cost.sub(proceeds))
      : venueTotals.realizedPnl.sub(trip?.realized ?? Decimal.ZERO);
    // never a refund: fees the app booked above the venue's figure stay booked
    const fee = venueTotals?.fees == null ? Decimal.ZERO : Decimal.max(Decimal.ZERO, venueTotals.fees.sub(trip?.fees ?? Decimal.ZERO));
    state.realized = state.realized.add(realized);
    this.realized = this.realized.add(realized);
    state.commissions = state.commissions.add(fee);
    this.commissions = this.commissions.add(fee);
    if (state.trip !== null) {
      state.trip.realized = state.trip.realized.add(realized);
      state.trip.fees = state.trip.fees.add(fee);
      state.trip.exitQty = state.trip.exitQty.add(held);
      state.trip.exitNotional = state.trip.exitNotional.add(price.mul(held, 'half-even'));
    }
    state.signed = Decimal.ZERO;
    state.cost = Decimal.ZERO;
    state.openedAt = null;
    state.marginOverride = null;
    state.updatedAt = ts;
    const trade = this.closeTrip(state, ts, reason);
    this.recordEquity(ts);
    return trade;
  }

  /** Loads a journalled position after a restart (its lifetime totals included). */
  restorePosition(dto: PositionDto, strategyId: string | null = null): AccountPosition {
    const instrumentId = dto.instrumentId as InstrumentId;
    const state = this.stateFor(instrumentId, dto.updatedAt);
    const realized = Decimal.of(dto.realizedPnl);
    const commissions = Decimal.of(dto.commissions);
    this.realized = this.realized.sub(state.realized).add(realized);
    this.commissions = this.commissions.sub(state.commissions).add(commissions);
    state.realized = realized;
    state.commissions = commissions;
    if (dto.markPrice !== null) state.mark = Decimal.of(dto.markPrice);
    this.adoptPosition({
      instrumentId, side: dto.side, quantity: Decimal.of(dto.quantity), entryPrice: dto.averageEntryPrice === null ? null : Decimal.of(dto.averageEntryPrice),
      leverage: dto.leverage, strategyId, ts: dto.updatedAt,
    });
    state.openedAt = dto.openedAt;
    return this.snapshot(state);
  }

  position(instrumentId: InstrumentId): AccountPosition | null {
    const state = this.states.get(instrumentId);
    return state === undefined ? null : this.snapshot(state);
  }

  /** Signed contracts held (+ long, − short); zero when flat or unknown. */
  signedQuantity(instrumentId: InstrumentId): Decimal {
    return this.states.get(instrumentId)?.signed ?? Decimal.ZERO;
  }

  openPositions(): AccountPosition[] {
    const out: AccountPosition[] = [];
    for (const state of this.states.values()) if (!state.signed.isZero()) out.push(this.snapshot(state));
    return out;
  }

  openPositionCount(): number {
    let count = 0;
    for (const state of this.states.values()) if (!state.signed.isZero()) count++;
    return count;
  }

  unrealizedPnl(instrumentId: InstrumentId): Money {
    const state = this.states.get(instrumentId);
    return this.money(state === undefined ? Decimal.ZERO : this.unrealizedOf(state));
  }

  totalUnrealizedPnl(): Money {
    return this.money(Decimal.fromRaw(this.unrealizedRaw()));
  }

  realizedPnl(): Money {
    return this.money(this.realized);
  }
  totalCommissions(): Money {
    return this.money(this.commissions);
  }
  /** Signed: positive when the account received more funding than it paid. */
  totalFunding(): Money {
    return this.money(this.funding);
  }
  /** Capital + realised − fees + funding: the wallet balance, before unrealised PnL. */
  balance(): Money {
    return this.money(Decimal.fromRaw(this.balanceRaw()));
  }
  /** Balance + unrealised PnL at the marks. */
  equity(): Money {
    return this.money(Decimal.fromRaw(this.balanceRaw() + this.unrealizedRaw()));
  }

  /** Notional at the mark (entry cost when no mark is known). */
  markNotional(instrumentId: InstrumentId): Money {
    const state = this.states.get(instrumentId);
    if (state === undefined || state.signed.isZero()) return this.money(Decimal.ZERO);
    return this.money(state.mark === null ? state.cost : notionalOf(state.mark, state.signed.abs(), state.instrument.contractSize));
  }

  positionMargin(instrumentId: InstrumentId): Money {
    const state = this.states.get(instrumentId);
    return this.money(state === undefined ? Decimal.ZERO : this.marginOf(state));
  }

  /** Σ isolated position margin of every open position. */
  usedMargin(): Money {
    let total = 0n;
    for (const state of this.states.values()) total += this.marginOf(state).raw;
    return this.money(Decimal.fromRaw(total));
  }

  maintenanceMargin(instrumentId: InstrumentId): Money {
    const state = this.states.get(instrumentId);
    if (state === undefined || state.signed.isZero() || state.mark === null) return this.money(Decimal.ZERO);
    return this.money(maintenanceMargin(notionalOf(state.mark, state.signed.abs(), state.instrument.contractSize), this.maintenanceMarginRate(state.instrumentId)));
  }

  /** The exchange's margin ratio MM ÷ (IM + U) as a fraction; null when flat, unmarked or out of margin. */
  marginRatio(instrumentId: InstrumentId): Decimal | null {
    const state = this.states.get(instrumentId);
    if (state === undefined || state.signed.isZero() || state.mark === null) return null;
    return exchangeMarginRatio(this.marginOf(state), this.unrealizedOf(state), this.maintenanceMargin(instrumentId));
  }

  liquidationPrice(instrumentId: InstrumentId): Price | null {
    const state = this.states.get(instrumentId);
    if (state === undefined || state.signed.isZero()) return null;
    return liquidationPrice({
      side: sideOf(state.signed), quantity: state.signed.abs(), entryCost: state.cost, margin: this.marginOf(state),
      contractSize: state.instrument.contractSize, maintenanceMarginRate: this.maintenanceMarginRate(instrumentId), tickSize: state.instrument.tickSize,
    });
  }

  /** The gauge: 0…100 (see liquidationDistancePercent); null when flat or unmarked. */
  liquidationDistancePercent(instrumentId: InstrumentId): number | null {
    const state = this.states.get(instrumentId);
    if (state === undefined || state.signed.isZero() || state.mark === null) return null;
    const entry = this.averageEntry(state);
    return entry === null ? null : liquidationDistancePercent(sideOf(state.signed), entry, state.mark, this.liquidationPrice(instrumentId));
  }

  /** Used margin as % of equity (100 or more when equity is gone). */
  marginUtilizationPercent(): number {
    const equity = this.equity();
    const used = this.usedMargin();
    if (used.isZero()) return 0;
    if (!equity.isPositive()) return 100;
    return Number(used.mul(HUNDRED).div(equity, 'half-even').toFixed(4));
  }

  /** Appends an equity point (a point at the same ts replaces the previous one). */
  recordEquity(ts: number): void {
    // kept as decimals and formatted when read: a point per fill must stay cheap
    const unrealized = this.unrealizedRaw();
    const point: RawEquityPoint = {
      ts, equity: Decimal.fromRaw(this.balanceRaw() + unrealized), realized: this.realized, unrealized: Decimal.fromRaw(unrealized), commissions: this.commissions, funding: this.funding,
    };
    const last = this.curve[this.curve.length - 1];
    if (last !== undefined && last.ts === ts) this.curve[this.curve.length - 1] = point;
    else this.curve.push(point);
  }

  equityCurve(): EquityPoint[] {
    return this.curve.map((p) => ({
      ts: p.ts, equity: p.equity.toString(), realizedPnl: p.realized.toString(), unrealizedPnl: p.unrealized.toString(), commissions: p.commissions.toString(), funding: p.funding.toString(),
    }));
  }

  closedTrades(): readonly RoundTrip[] {
    return this.trades;
  }

  strategyResults(): StrategyResult[] {
    return [...this.strategies.entries()].map(([strategyId, t]) => ({
      strategyId, trades: t.trades, wins: t.wins, losses: t.losses, grossPnl: t.gross.toString(), fees: t.fees.toString(),
      funding: t.funding.toString(), netPnl: t.gross.sub(t.fees).add(t.funding).toString(),
    }));
  }

  toDto(instrumentId: InstrumentId): PositionDto | null {
    const state = this.states.get(instrumentId);
    if (state === undefined) return null;
    const entry = this.averageEntry(state);
    const liquidation = this.liquidationPrice(instrumentId);
    const protection = state.signed.isZero() ? null : (this.protectionOf?.(instrumentId) ?? null);
    // the gauge from the entry and liquidation just computed (liquidationDistancePercent would compute both again)
    const gauge = state.signed.isZero() || state.mark === null || entry === null ? null : liquidationDistancePercent(sideOf(state.signed), entry, state.mark, liquidation);
    return {
      sessionId: this.sessionId,
      instrumentId,
      side: sideOf(state.signed),
      quantity: state.signed.abs().toString(),
      averageEntryPrice: entry?.toString() ?? null,
      markPrice: state.mark?.toString() ?? null,
      realizedPnl: state.realized.toString(),
      unrealizedPnl: this.unrealizedOf(state).toString(),
      commissions: state.commissions.toString(),
      leverage: state.leverage,
      marginRatioPercent: gauge,
      liquidationPrice: liquidation?.toString() ?? null,
      stopLoss: protectionLevel(state.instrument, protection?.stopLoss ?? null),
      takeProfit: protectionLevel(state.instrument, protection?.takeProfit ?? null),
      openedAt: state.openedAt,
      updatedAt: state.updatedAt,
    };
  }

  /** Every instrument this account has traded (flat ones included), not those only marked. */
  allDtos(): PositionDto[] {
    const out: PositionDto[] = [];
    for (const [id, state] of this.states) {
      if (state.signed.isZero() && state.commissions.isZero() && state.realized.isZero()) continue;
      const dto = this.toDto(id);
      if (dto !== null) out.push(dto);
    }
    return out;
  }

  private open(state: PositionState, fill: Fill, context: FillContext): void {
    state.openedAt = fill.tsEvent;
    state.leverage = context.leverage;
    state.strategyId = context.strategyId;
    state.marginOverride = null;
    state.trip = {
      strategyId: context.strategyId, direction: fill.side === 'BUY' ? 'LONG' : 'SHORT', openedAt: fill.tsEvent, openedQty: Decimal.ZERO,
      entryNotional: Decimal.ZERO, exitQty: Decimal.ZERO, exitNotional: Decimal.ZERO, realized: Decimal.ZERO, fees: Decimal.ZERO, funding: Decimal.ZERO,
    };
  }

  private closeTrip(state: PositionState, ts: number, reason: string): RoundTrip | null {
    const trip = state.trip;
    state.trip = null;
    if (trip === null || trip.openedQty.isZero()) return null;
    const net = trip.realized.sub(trip.fees).add(trip.funding);
    const trade: RoundTrip = {
      strategyId: trip.strategyId ?? '',
      instrumentId: state.instrumentId,
      direction: trip.direction,
      entryTs: trip.openedAt,
      exitTs: ts,
      entryPrice: trip.entryNotional.div(trip.openedQty, 'half-even').toString(),
      exitPrice: trip.exitQty.isZero() ? '0' : trip.exitNotional.div(trip.exitQty, 'half-even').toString(),
      quantity: trip.openedQty.toString(),
      grossPnl: trip.realized.toString(),
      fees: trip.fees.toString(),
      netPnl: net.toString(),
      exitReason: reason,
      funding: trip.funding.toString(),
    };
    this.trades.push(trade);
    const key = trip.strategyId ?? 'manual';
    const totals = this.strategies.get(key) ?? { trades: 0, wins: 0, losses: 0, gross: Decimal.ZERO, fees: Decimal.ZERO, funding: Decimal.ZERO };
    totals.trades++;
    if (net.isPositive()) totals.wins++;
    else if (net.isNegative()) totals.losses++;
    totals.gross = totals.gross.add(trip.realized);
    totals.fees = totals.fees.add(trip.fees);
    totals.funding = totals.funding.add(trip.funding);
    this.strategies.set(key, totals);
    return trade;
  }

  private averageEntry(state: PositionState): Decimal | null {
    if (state.signed.isZero()) return null;
    return state.cost.div(state.signed.abs().mul(state.instrument.contractSize, 'half-even'), 'half-even');
  }

  /**
   * Unrealised PnL of one position. Equity is read on every risk check and every fill while a
   * position's mark, size and cost change far less often, so the last answer is kept on the
   * state with the three inputs it was computed from, and reused while they are the same.
   */
  private unrealizedOf(state: PositionState): Decimal {
    const mark = state.mark;
    if (state.signed.isZero() || mark === null) return Decimal.ZERO;
    const cached = state.unrealizedCache;
    if (cached !== null && cached.mark === mark.raw && cached.signed === state.signed.raw && cached.cost === state.cost.raw) return cached.value;
    const value = unrealizedFromCost(sideOf(state.signed), notionalOf(mark, state.signed.abs(), state.instrument.contractSize), state.cost);
    state.unrealizedCache = { mark: mark.raw, signed: state.signed.raw, cost: state.cost.raw, value };
    return value;
  }

  /** Σ unrealised PnL (units of 10^-18). */
  private unrealizedRaw(): bigint {
    let total = 0n;
    for (const state of this.states.values()) total += this.unrealizedOf(state).raw;
    return total;
  }

  /** Capital + realised − fees + funding (units of 10^-18). */
  private balanceRaw(): bigint {
    return this.startingCapital.raw + this.realized.raw - this.commissions.raw + this.funding.raw;
  }

  /** Isolated margin of one position; like unrealizedOf, kept with the cost and leverage it was computed from. */
  private marginOf(state: PositionState): Decimal {
    if (state.signed.isZero()) return Decimal.ZERO;
    if (state.marginOverride !== null) return state.marginOverride;
    const cached = state.marginCache;
    if (cached !== null && cached.cost === state.cost.raw && cached.leverage === state.leverage) return cached.value;
    const value = positionMargin(state.cost, state.leverage);
    state.marginCache = { cost: state.cost.raw, leverage: state.leverage, value };
    return value;
  }

  private stateFor(instrumentId: InstrumentId, ts: number): PositionState {
    let state = this.states.get(instrumentId);
    if (state === undefined) {
      state = this.emptyState(instrumentId, ts);
      this.states.set(instrumentId, state);
    }
    return state;
  }

  private emptyState(instrumentId: InstrumentId, ts: number): PositionState {
    const instrument = this.instruments.get(instrumentId);
    if (instrument === undefined) throw new Error(`unknown instrument ${instrumentId}`);
    return {
      instrumentId, instrument, signed: Decimal.ZERO, cost: Decimal.ZERO, leverage: 1, strategyId: null, marginOverride: null, mark: null,
      realized: Decimal.ZERO, commissions: Decimal.ZERO, funding: Decimal.ZERO, openedAt: null, updatedAt: ts, trip: null, unrealizedCache: null, marginCache: null,
    };
  }

  private snapshot(state: PositionState): AccountPosition {
    const entry = this.averageEntry(state);
    return {
      instrumentId: state.instrumentId,
      side: sideOf(state.signed),
      quantity: Quantity.fromRaw(state.signed.abs().raw),
      entryCost: this.money(state.cost),
      averageEntryPrice: entry === null ? null : Price.fromRaw(entry.raw),
      leverage: state.leverage,
      strategyId: state.strategyId,
      margin: this.money(this.marginOf(state)),
      markPrice: state.mark === null ? null : Price.fromRaw(state.mark.raw),
      realizedPnl: this.money(state.realized),
      commissions: this.money(state.commissions),
      funding: this.money(state.funding),
      openedAt: state.openedAt,
      updatedAt: state.updatedAt,
    };
  }

  private money(value: Decimal): Money {
    return Money.money(value, this.currency);
  }
}
