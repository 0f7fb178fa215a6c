import type { PositionDto, RiskAlertDto } from '../../../src-shared/contract/schemas';
import type { Settings } from '../../../src-shared/contract/settings';
import { Decimal } from '../../../src-shared/domain/decimal';
import { InstrumentId } from '../../../src-shared/domain/ids';
import type { EventBus } from '../bus/types';
import type { Clock, TimerHandle } from '../clock/clock';
import type { Logger } from '../ops/logger';
import { AlertRaiser } from '../risk/alerts';
import type { Venue, VenueClosedPosition, VenuePosition } from '../venues/venue';
import { exchangeMarginRatio, liquidationDistanceOfPricePercent, liquidationDistancePercent, maintenanceMargin, type Account, type AccountPosition, type RoundTrip } from './accounting';
import type { CircuitBreaker } from './circuit-breaker';
import type { ClosePositionInput, SubmitOutcome } from './order-manager';

/**
 * Position sync (ARCHITECTURE §9): every settings.positionSync.intervalMs, and on demand, the
 * venue's positions are compared with the local book:
 *
 *   matched        same side and quantity
 *   local_only     the app holds a position the exchange does not (liquidated, or closed outside the app)
 *   exchange_only  the exchange holds a position the app does not know (opened outside the app)
 *   mismatch       both hold one, with a different side or quantity
 *
 * For every position the exchange holds it computes the exchange's margin ratio (MM ÷ margin
 * balance) and the liquidation distance % (accounting.ts), raising a warning below
 * liquidationWarningPct and a critical alert below liquidationCriticalPct — once per level
 * change, not every sync. Matched positions take the exchange's mark and are published as
 * `position_updated`. Differences raise an alert once and stay in the report; the trader (or
 * the live-session gate) resolves them with adopt() or flatten().
 *
 * One difference settles itself when the venue keeps a position history (fetchClosedPositions):
 * a local-only position the venue lists as closed since the local one opened was liquidated or
 * closed outside the app, and the venue says at what price and for what PnL and fees. It is
 * closed locally with exactly those figures (a liquidation loses the margin the exchange took,
 * whatever the feed printed), published, alerted (critical for a liquidation, a warning
 * otherwise) and reported to onPositionClosedOutside, before the comparison — so it never
 * stays open counting against risk limits. The report lists it under `closedOutside`.
 *
 * An instrument with working orders is compared but not alerted on: a fill in flight makes a
 * transient difference, and the next sync sees it settled.
 */

export type PositionDifferenceKind = 'matched' | 'local_only' | 'exchange_only' | 'mismatch';
export type AlertLevel = 'ok' | 'warning' | 'critical';

export interface PositionView {
  side: 'LONG' | 'SHORT';
  quantity: string;
  entryPrice: string | null;
  leverage: number;
}

export interface ExchangePositionView extends PositionView {
  markPrice: string | null;
  liquidationPrice: string | null;
  unrealizedPnl: string | null;
  margin: string | null;
}

export interface PositionComparison {
  kind: PositionDifferenceKind;
  instrumentId: string;
  local: PositionView | null;
  exchange: ExchangePositionView | null;
  /** 0…100, the gauge (null when unknown). */
  liquidationDistancePercent: number | null;
  /** The exchange's margin ratio MM ÷ (margin + unrealised) as a decimal fraction; null when unknown. */
  exchangeMarginRatio: string | null;
  liquidationAlert: AlertLevel;
  /** The instrument had working orders: differences may be fills in flight. */
  ordersWorking: boolean;
}

/** A local-only position settled from the venue's position history during a reconcile. */
export interface ClosedOutsideResolution {
  instrumentId: string;
  reason: 'liquidated' | 'closed_outside';
  /** The local position that was closed. */
  side: 'LONG' | 'SHORT';
  quantity: string;
  /** The venue's exit price (for a liquidation, the price it liquidated at). */
  exitPrice: string;
  /** Gross PnL and fees booked by this close (the venue's figures less what the app had booked). */
  realizedPnl: string;
  fees: string;
  /** The round trip's net PnL (null when the account kept no round trip). */
  netPnl: string | null;
  /** The venue's close time. */
  closedAt: number;
}

export interface ReconciliationReport {
  ts: number;
  /** No differences (working-order instruments included). */
  clean: boolean;
  matched: PositionComparison[];
  localOnly: PositionComparison[];
  exchangeOnly: PositionComparison[];
  mismatched: PositionComparison[];
  /** Local-only positions this reconcile closed from the venue's position history (they are in no list above). */
  closedOutside: ClosedOutsideResolution[];
}

export interface FlattenResult {
  /** The local book after adopting the exchange's position. */
  adopted: PositionDto | null;
  /** The reduce-only close order; null when nothing was left to close on the exchange. */
  order: SubmitOutcome | null;
}

export interface PositionSyncOptions {
  venue: Venue;
  breaker: CircuitBreaker;
  clock: Clock;
  settings: Settings['positionSync'];
  account: Account;
  bus?: Pick<EventBus, 'publish'>;
  /** Risk events are stored here; adopted positions are journalled here. */
  store?: { riskEvents: { insert(alert: RiskAlertDto): boolean }; positions: { upsert(position: PositionDto): void } };
  /** Closes positions for flatten() (the order manager). */
  closer?: { closePosition(input: ClosePositionInput): Promise<SubmitOutcome | null> };
  /** Working orders on an instrument (the order manager's openOrders().length). */
  workingOrders?: (instrumentId: string) => number;
  /** A sync succeeded at this clock time (metrics: position_sync_last_success_timestamp). */
  onSynced?: (ts: number) => void;
  /** A local position was closed by adopting the exchange's truth (tell the strategy engine). */
  onPositionClosedOutside?: (instrumentId: string, strategyId: string | null, trade: RoundTrip | null) => void;
  logger?: Logger;
  idFactory?: () => string;
}

const LEVEL_RANK: Record<AlertLevel, number> = { ok: 0, warning: 1, critical: 2 };

export class PositionSync {
  private readonly alerts: AlertRaiser;
  private readonly liquidationLevels = new Map<string, AlertLevel>();
  private readonly differenceAlerts = new Map<string, PositionDifferenceKind>();
  private timer: TimerHandle | null = null;
  private inFlight: Promise<ReconciliationReport> | null = null;
  private lastSuccess: number | null = null;
  private latest: ReconciliationReport | null = null;
  private failures = 0;

  constructor(private readonly options: PositionSyncOptions) {
    this.alerts = new AlertRaiser({ source: 'position-sync', clock: options.clock, bus: options.bus, store: options.store, logger: options.logger, idFactory: options.idFactory });
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = this.options.clock.setInterval(() => {
      this.reconcile().catch((error: unknown) => {
        this.options.logger?.warn('position sync failed', { error: error instanceof Error ? error.message : String(error), failures: this.failures });
      });
    }, this.options.settings.intervalMs);
  }

  stop(): void {
    if (this.timer !== null) this.options.clock.clearInterval(this.timer);
    this.timer = null;
  }

  /** Clock time of the last successful sync (metrics: position_sync_last_success_timestamp). */
  lastSuccessAt(): number | null {
    return this.lastSuccess;
  }

  lastReport(): ReconciliationReport | null {
    return this.latest;
  }

  /** Consecutive failed syncs. */
  failureCount(): number {
    return this.failures;
  }

  /** Fetches the venue's positions (through the breaker) and compares; concurrent callers share one run. */
  reconcile(): Promise<ReconciliationReport> {
    if (this.inFlight !== null) return this.inFlight;
    this.inFlight = (async () => {
      let venuePositions: VenuePosition[];
      try {
        venuePositions = await this.options.breaker.execute(() => this.options.venue.fetchPositions());
      } catch (error) {
        this.failures++;
        throw error;
      }
      const closedOutside = await this.settleClosedOutside(venuePositions);
      const report = this.compare(venuePositions);
      report.closedOutside = closedOutside;
      return report;
    })().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** The comparison itself, on positions already fetched (reconcile() and the benchmark use it). */
  compare(venuePositions: readonly VenuePosition[]): ReconciliationReport {
    const { account } = this.options;
    const now = this.options.clock.now();
    const report: ReconciliationReport = { ts: now, clean: true, matched: [], localOnly: [], exchangeOnly: [], mismatched: [], closedOutside: [] };
    const local = new Map<string, AccountPosition>();
    for (const position of account.openPositions()) local.set(position.instrumentId, position);
    const seen = new Set<string>();
    const updated: PositionDto[] = [];

    for (const remote of venuePositions) {
      if (remote.side === 'FLAT' || !remote.quantity.isPositive()) continue;
      const id = remote.instrumentId;
      seen.add(id);
      const mine = local.get(id) ?? null;
      const kind: PositionDifferenceKind = mine === null ? 'exchange_only' : mine.side === remote.side && mine.quantity.eq(remote.quantity) ? 'matched' : 'mismatch';
      if (mine !== null && remote.markPrice !== null && account.mark(InstrumentId(id), remote.markPrice)) {
        const dto = account.toDto(InstrumentId(id));
        if (dto !== null) updated.push(dto);
      }
      const comparison = this.compareOne(kind, id, mine, remote);
      this.file(report, comparison);
    }
    for (const [id, mine] of local) {
      if (seen.has(id)) continue;
      this.file(report, this.compareOne('local_only', id, mine, null));
    }

    const differing = new Set<string>();
    for (const kind of ['localOnly', 'exchangeOnly', 'mismatched'] as const) {
      for (const comparison of report[kind]) {
        differing.add(comparison.instrumentId);
        this.alertDifference(comparison);
      }
    }
    // differences that went away: forget them so a recurrence alerts again
    for (const id of this.differenceAlerts.keys()) if (!differing.has(id)) this.differenceAlerts.delete(id);
    for (const dto of updated) this.options.bus?.publish('position_updated', dto);
    this.lastSuccess = now;
    this.options.onSynced?.(now);
    this.failures = 0;
    this.latest = report;
    return report;
  }

  /**
   * Makes the local book what the exchange says for this difference: takes over an exchange-only
   * or mismatched position (entry, quantity, leverage, margin from the exchange), or closes a
   * local-only one at its liquidation price when the mark passed it (liquidated) or else at the mark.
   */
  adopt(diff: PositionComparison): PositionDto | null {
    const { account } = this.options;
    const id = InstrumentId(diff.instrumentId);
    const now = this.options.clock.now();
    if (diff.exchange === null) {
      const before = account.position(id);
      if (before === null || before.side === 'FLAT') return account.toDto(id);
      const mark = before.markPrice ?? before.averageEntryPrice;
      const liquidation = account.liquidationPrice(id);
      const liquidated = liquidation !== null && mark !== null && (before.side === 'LONG' ? mark.lte(liquidation) : mark.gte(liquidation));
      const exit = liquidated ? liquidation : mark;
      if (exit === null) return account.toDto(id);
      const trade = account.closeOutside(id, exit, now, liquidated ? 'liquidated' : 'closed_outside');
      this.options.onPositionClosedOutside?.(diff.instrumentId, before.strategyId, trade);
    } else {
      const remote = diff.exchange;
      account.adoptPosition({
        instrumentId: id, side: remote.side, quantity: Decimal.of(remote.quantity), entryPrice: remote.entryPrice === null ? null : Decimal.of(remote.entryPrice),
        leverage: remote.leverage, margin: remote.margin === null ? null : Decimal.of(remote.margin), ts: now,
      });
      if (remote.markPrice !== null) account.mark(id, remote.markPrice);
    }
    const dto = account.toDto(id);
    if (dto !== null) {
      this.options.store?.positions.upsert(dto);
      this.options.bus?.publish('position_updated', dto);
    }
    this.differenceAlerts.delete(diff.instrumentId);
    this.options.logger?.info('position adopted from the exchange', { instrumentId: diff.instrumentId, kind: diff.kind });
    return dto;
  }

  /**
   * Ends the difference with no position: adopts the exchange's position locally (so the close
   * nets to zero in both books), then closes it on the exchange with an emergency reduce-only
   * market order. A local-only position has nothing on the exchange: it is only adopted.
   */
  async flatten(diff: PositionComparison): Promise<FlattenResult> {
    const adopted = this.adopt(diff);
    if (diff.exchange === null) return { adopted, order: null };
    const closer = this.options.closer;
    if (closer === undefined) throw new Error('position sync has no order manager to flatten with');
    const remote = diff.exchange;
    const order = await closer.closePosition({
      instrumentId: diff.instrumentId, side: remote.side, quantity: remote.quantity, referencePrice: remote.markPrice ?? remote.entryPrice, leverage: remote.leverage,
      reason: 'reconciliation_flatten', emergency: true,
    });
    return { adopted, order };
  }

  /**
   * Closes the local-only positions the venue's history shows closed (see the class comment).
   * Skipped: instruments with working orders (the history may show our own close whose fill is
   * still on its way, which the order manager will book) and positions with no opening time
   * (nothing to tell their close from an older one). When the history cannot be read, the
   * positions stay local-only and are alerted as before.
   */
  private async settleClosedOutside(venuePositions: readonly VenuePosition[]): Promise<ClosedOutsideResolution[]> {
    const { venue, account } = this.options;
    const fetchClosed = venue.fetchClosedPositions;
    if (fetchClosed === undefined) return [];
    const held = new Set<string>();
    for (const remote of venuePositions) if (remote.side !== 'FLAT' && remote.quantity.isPositive()) held.add(remote.instrumentId);
    const candidates = account.openPositions().filter((p) => !held.has(p.instrumentId) && p.openedAt !== null && (this.options.workingOrders?.(p.instrumentId) ?? 0) === 0);
    if (candidates.length === 0) return [];
    const since = Math.min(...candidates.map((p) => p.openedAt ?? 0));
    let history: VenueClosedPosition[];
    try {
      history = await this.options.breaker.execute(() => fetchClosed.call(venue, since));
    } catch (error) {
      this.options.logger?.warn('closed positions unavailable: local-only positions wait for the trader', { error: error instanceof Error ? error.message : String(error) });
      return [];
    }
    const resolutions: ClosedOutsideResolution[] = [];
    for (const position of candidates) {
      // while the history was read the app may have sent a close, or closed and reopened: only the position asked about is settled
      const now = account.position(position.instrumentId);
      if (now === null || now.side !== position.side || now.openedAt !== position.openedAt || (this.options.workingOrders?.(position.instrumentId) ?? 0) > 0) continue;
      // the first close after the local position opened is the one that ended it; later ones were opened outside the app
      let closing: VenueClosedPosition | null = null;
      for (const entry of history) {
        if (entry.instrumentId !== position.instrumentId || entry.side !== position.side || entry.closedAt < (position.openedAt ?? 0)) continue;
        if (closing === null || entry.closedAt < closing.closedAt) closing = entry;
      }
      if (closing !== null) resolutions.push(this.closeFromHistory(position, closing));
    }
    return resolutions;
  }

  private closeFromHistory(position: AccountPosition, closed: VenueClosedPosition): ClosedOutsideResolution {
    const { account } = this.options;
    const id = position.instrumentId;
    const reason = closed.liquidated ? 'liquidated' : 'closed_outside';
    const realizedBefore = account.realizedPnl();
    const feesBefore = account.totalCommissions();
    const trade = account.closeOutside(id, closed.exitPrice, this.options.clock.now(), reason, { realizedPnl: closed.realizedPnl, fees: closed.fees });
    const realized = account.realizedPnl().sub(realizedBefore);
    const fees = account.totalCommissions().sub(feesBefore);
    const loss = realized.sub(fees).neg();
    const side = position.side === 'SHORT' ? 'SHORT' : 'LONG';
    const resolution: ClosedOutsideResolution = {
      instrumentId: id, reason, side, quantity: position.quantity.toString(), exitPrice: closed.exitPrice.toString(), realizedPnl: realized.toString(), fees: fees.toString(),
      netPnl: trade?.netPnl ?? null, closedAt: closed.closedAt,
    };
    const dto = account.toDto(id);
    if (dto !== null) {
      this.options.store?.positions.upsert(dto);
      this.options.bus?.publish('position_updated', dto);
    }
    this.differenceAlerts.delete(id);
    const details = { ...resolution, entryPrice: position.averageEntryPrice?.toString() ?? null, margin: position.margin.toString(), venueRealizedPnl: closed.realizedPnl.toString(), venueFees: closed.fees?.toString() ?? null };
    const currency = closed.realizedPnl.currency;
    if (closed.liquidated) {
      this.alerts.raise('critical', 'liquidated', `${id} ${side} ${resolution.quantity} was liquidated by the exchange at ${resolution.exitPrice}: ${loss.toString()} ${currency} lost`, id, details);
    } else {
      const outcome = loss.isPositive() ? `${loss.toString()} ${currency} lost` : `${loss.neg().toString()} ${currency} gained`;
      this.alerts.raise('warning', 'position_closed_outside', `${id} ${side} ${resolution.quantity} was closed outside the app at ${resolution.exitPrice}: ${outcome}`, id, details);
    }
    this.options.logger?.info('position closed from the exchange history', { instrumentId: id, reason, exitPrice: resolution.exitPrice, realizedPnl: resolution.realizedPnl, fees: resolution.fees });
    this.options.onPositionClosedOutside?.(id, position.strategyId, trade);
    return resolution;
  }

  private compareOne(kind: PositionDifferenceKind, instrumentId: string, mine: AccountPosition | null, remote: VenuePosition | null): PositionComparison {
    const working = (this.options.workingOrders?.(instrumentId) ?? 0) > 0;
    let distance: number | null = null;
    let ratio: Decimal | null = null;
    if (remote !== null && remote.side !== 'FLAT' && remote.markPrice !== null) {
      const entry = remote.entryPrice ?? mine?.averageEntryPrice ?? null;
      const liquidation = remote.liquidationPrice ?? (mine === null ? null : this.options.account.liquidationPrice(InstrumentId(instrumentId)));
      if (entry !== null) distance = liquidationDistancePercent(remote.side, entry, remote.markPrice, liquidation);
      const instrument = this.options.account.instrument(InstrumentId(instrumentId));
      if (instrument !== undefined && remote.margin !== null && remote.unrealizedPnl !== null) {
        const markNotional = remote.markPrice.mul(remote.quantity, 'half-even').mul(instrument.contractSize, 'half-even');
        const mm = maintenanceMargin(markNotional, this.options.account.maintenanceMarginRate(InstrumentId(instrumentId)));
        ratio = exchangeMarginRatio(remote.margin, remote.unrealizedPnl, mm);
      }
    } else if (mine !== null) {
      distance = this.options.account.liquidationDistancePercent(InstrumentId(instrumentId));
      ratio = this.options.account.marginRatio(InstrumentId(instrumentId));
    }
    const level: AlertLevel = distance === null ? 'ok'
      : distance < this.options.settings.liquidationCriticalPct ? 'critical'
      : distance < this.options.settings.liquidationWarningPct ? 'warning' : 'ok';
    const comparison: PositionComparison = {
      kind, instrumentId, local: mine === null ? null : viewOf(mine), exchange: remote === null || remote.side === 'FLAT' ? null : exchangeViewOf(remote),
      liquidationDistancePercent: distance, exchangeMarginRatio: ratio?.toString() ?? null, liquidationAlert: level, ordersWorking: working,
    };
    if (remote !== null) this.alertLiquidation(comparison, remote);
    return comparison;
  }

  private file(report: ReconciliationReport, comparison: PositionComparison): void {
    switch (comparison.kind) {
      case 'matched':
        report.matched.push(comparison);
        return;
      case 'local_only':
        report.localOnly.push(comparison);
        break;
      case 'exchange_only':
        report.exchangeOnly.push(comparison);
        break;
      case 'mismatch':
        report.mismatched.push(comparison);
        break;
    }
    report.clean = false;
  }

  /** Once per level change; back to ok forgets the level so the next approach alerts again. */
  private alertLiquidation(comparison: PositionComparison, remote: VenuePosition): void {
    const id = comparison.instrumentId;
    const previous = this.liquidationLevels.get(id) ?? 'ok';
    const level = comparison.liquidationAlert;
    if (level === 'ok') {
      this.liquidationLevels.delete(id);
      return;
    }
    this.liquidationLevels.set(id, level);
    if (LEVEL_RANK[level] <= LEVEL_RANK[previous]) return;
    const distance = comparison.liquidationDistancePercent ?? 0;
    const ofPrice = remote.markPrice === null ? null : liquidationDistanceOfPricePercent(remote.markPrice, remote.liquidationPrice);
    const threshold = level === 'critical' ? this.options.settings.liquidationCriticalPct : this.options.settings.liquidationWarningPct;
    this.alerts.raise(level, `liquidation_${level}`, `${id} ${remote.side}: ${distance.toFixed(1)}% of the distance to liquidation left (below ${threshold}%)`, id, {
      liquidationDistancePercent: distance, liquidationPrice: remote.liquidationPrice?.toString() ?? null, markPrice: remote.markPrice?.toString() ?? null,
      distanceOfPricePercent: ofPrice, exchangeMarginRatio: comparison.exchangeMarginRatio,
    });
  }

  private alertDifference(comparison: PositionComparison): void {
    if (comparison.ordersWorking) return;
    const id = comparison.instrumentId;
    if (this.differenceAlerts.get(id) === comparison.kind) return;
    this.differenceAlerts.set(id, comparison.kind);
    const local = comparison.local;
    const remote = comparison.exchange;
    switch (comparison.kind) {
      case 'local_only':
        this.alerts.raise('critical', 'position_local_only', `${id}: the app holds ${local?.side ?? ''} ${local?.quantity ?? ''} but the exchange has no position (liquidated or closed outside the app)`, id, { local, exchange: null });
        return;
      case 'exchange_only':
        this.alerts.raise('critical', 'position_exchange_only', `${id}: the exchange holds ${remote?.side ?? ''} ${remote?.quantity ?? ''} that the app does not know (opened outside the app)`, id, { local: null, exchange: remote });
        return;
      case 'mismatch':
        this.alerts.raise('warning', 'position_mismatch', `${id}: the app holds ${local?.side ?? ''} ${local?.quantity ?? ''}, the exchange ${remote?.side ?? ''} ${remote?.quantity ?? ''}`, id, { local, exchange: remote });
        return;
      case 'matched':
        return;
    }
  }
}

function viewOf(position: AccountPosition): PositionView {
  return {
    side: position.side === 'SHORT' ? 'SHORT' : 'LONG',
    quantity: position.quantity.toString(),
    entryPrice: position.averageEntryPrice?.toString() ?? null,
    leverage: position.leverage,
  };
}

function exchangeViewOf(position: VenuePosition): ExchangePositionView {
  return {
    side: position.side === 'SHORT' ? 'SHORT' : 'LONG',
    quantity: position.quantity.toString(),
    entryPrice: position.entryPrice?.toString() ?? null,
    leverage: position.leverage,
    markPrice: position.markPrice?.toString() ?? null,
    liquidationPrice: position.liquidationPrice?.toString() ?? null,
    unrealizedPnl: position.unrealizedPnl?.toString() ?? null,
    margin: position.margin?.toString() ?? null,
  };
}
