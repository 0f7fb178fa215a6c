import type { Settings } from '../../../src-shared/contract/settings';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import type { Money } from '../../../src-shared/domain/values';
import type { EventBus } from '../bus/types';
import type { Clock } from '../clock/clock';
import type { Logger } from '../ops/logger';
import { KillSwitch, type KillSwitchReport } from '../risk/kill-switch';
import { RiskManager } from '../risk/risk-manager';
import type { Store } from '../store/store';
import type { EntryRequest, EntryResult, ExitRequest } from '../strategy/strategy-runner';
import type { Venue, VenueLiquidationEvent } from '../venues/venue';
import { Account, type FillOutcome } from './accounting';
import { CircuitBreaker, type CircuitBreakerState } from './circuit-breaker';
import { countsAgainstBreaker, fillToDto, OrderManager, type RecoveryReport } from './order-manager';
import { PositionSync, type ReconciliationReport } from './position-sync';
import { ProtectiveStops, type ProtectionLevels } from './protective-stops';
import { StrategyOrders, STRATEGY_ENTRY } from './strategy-orders';

/** How often a marked open position is republished between fills (per instrument). */
const MARK_PUBLISH_INTERVAL_MS = 1_000;

/** What the execution layer reports to the app's metrics beyond the bus events (EngineMetrics implements it). */
export interface ExecutionMetricsHooks {
  observeSubmissionLatency(seconds: number): void;
  setBreakerState(breaker: string, state: CircuitBreakerState): void;
  positionSyncStarted(venue: string): void;
  setPositionSyncSuccess(venue: string, ts: number): void;
  positionSyncStopped(venue: string): void;
  setDailyLossPercent(percent: number): void;
}

export interface TradingSnapshot {
  openPositions: number;
  currency: string;
  net: Money;
  unrealized: Money;
}

/** The kill switch's reports of several sessions, added up for the engine-wide control. */
export function killSwitchTotals(reports: readonly KillSwitchReport[]): { cancelledOrders: number; flattenedPositions: number } {
  return {
    cancelledOrders: reports.reduce((n, r) => n + r.cancelledOrders, 0),
    flattenedPositions: reports.reduce((n, r) => n + r.closeOrders + r.alreadyClosing, 0),
  };
}

/** The strategy engine as the execution layer sees it. */
export interface StrategySink {
  onEntryResult(strategyId: string, instrumentId: string, result: EntryResult): boolean;
  onPositionClosed(strategyId: string, instrumentId: string): boolean;
  pause(reason: string): void;
  resume(reason: string): void;
}

export interface TradingStackOptions {
  sessionId: string;
  venue: Venue;
  clock: Clock;
  settings: Settings;
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  capital: Money;
  store: Store;
  bus: Pick<EventBus, 'publish'>;
  /**
   * An exchange account (live or simulated-live): staged capital caps apply, positions are
   * reconciled with the venue every positionSync.intervalMs, and the kill switch flattens what
   * the venue holds, not only the local book.
   */
  exchange: boolean;
  metrics?: ExecutionMetricsHooks;
  logger?: Logger;
  /** Deterministic client order ids (replays); the default is the order manager's. */
  clientOrderIds?: () => string;
}

/**
 * One session's execution layer, composed the same way for backtest, paper and live (ARCHITECTURE
 * §8–§10): account, risk manager, circuit breaker, order manager with its journal, the strategy
 * adapter (sizing → risk → orders), engine-managed stop-loss and take-profit, the kill switch,
 * and for exchange accounts position sync. Only the venue and the clock differ between a
 * backtest (paper venue, the data's event time) and live (exchange venue, the wall clock), which
 * is what makes a paper session reproduce its backtest.
 */
export class TradingStack {
  readonly account: Account;
  readonly risk: RiskManager;
  readonly breaker: CircuitBreaker;
  readonly orders: OrderManager;
  readonly protections: ProtectiveStops;
  readonly killSwitch: KillSwitch;
  readonly positionSync: PositionSync | null;
  private strategyOrders: StrategyOrders | null = null;
  private strategies: StrategySink | null = null;
  private readonly disposers: Array<() => void> = [];
  /** Stop-loss / take-profit offsets of entries still working, applied when they fill. */
  private readonly entryProtections = new Map<string, { stopLossPct: number | null; takeProfitPct: number | null }>();
  private started = false;
  private readonly markPublishedAt = new Map<string, number>();

  constructor(private readonly options: TradingStackOptions) {
    const { settings, clock, instruments, store, bus, logger, sessionId, venue } = options;
    const alertIds = (source: string): (() => string) => {
      let seq = 0;
      // several sessions share the app's alert journal: their ids must not collide
      return () => `${sessionId}-${source}-${clock.now()}-${++seq}`;
    };
    this.account = new Account({
      instruments, startingCapital: options.capital, sessionId, maintenanceMarginRate: Decimal.of(settings.paper.maintenanceMarginRate),
      // read when a position is turned into its DTO, after the constructor is done
      protectionOf: (instrumentId) => this.protections.get(instrumentId),
    });
    this.risk = new RiskManager({
      settings: settings.risk, clock, account: this.account, instruments, bus, store, stagedCaps: options.exchange, idFactory: alertIds('risk'),
      ...(logger !== undefined ? { logger: logger.child('risk') } : {}),
    });
    this.breaker = new CircuitBreaker({
      name: venue.name, clock, failureThreshold: settings.circuitBreaker.failureThreshold, failureWindowMs: settings.circuitBreaker.failureWindowMs,
      halfOpenAfterMs: settings.circuitBreaker.halfOpenAfterMs, isFailure: countsAgainstBreaker,
    });
    this.orders = new OrderManager({
      venue, breaker: this.breaker, clock, settings: settings.orderManager, store, risk: this.risk, account: this.account, bus, sessionId,
      ...(options.clientOrderIds !== undefined ? { clientOrderIds: options.clientOrderIds } : {}),
      ...(logger !== undefined ? { logger: logger.child('orders') } : {}),
    });
    this.protections = new ProtectiveStops({
      account: this.account, closer: this.orders,
      // the position's DTO carries its levels: the chart's price lines and the position monitor follow them
      onChange: (instrumentId) => {
        const dto = this.account.toDto(instrumentId as InstrumentId);
        if (dto === null) return;
        store.positions.upsert(dto);
        bus.publish('position_updated', dto);
      },
      ...(logger !== undefined ? { logger: logger.child('protections') } : {}),
    });
    this.positionSync = options.exchange
      ? new PositionSync({
        venue, breaker: this.breaker, clock, settings: settings.positionSync, account: this.account, bus, store, closer: this.orders,
        workingOrders: (instrumentId) => this.orders.openOrders(instrumentId).length, idFactory: alertIds('sync'),
        ...(options.metrics !== undefined ? { onSynced: (ts: number) => options.metrics?.setPositionSyncSuccess(venue.name, ts) } : {}),
        onPositionClosedOutside: (instrumentId, strategyId, trade) => {
          this.protections.onPosition(instrumentId, 'FLAT');
          // a close the exchange did (liquidation, by hand) counts for the loss streak and the day's loss like any other
          if (trade !== null) this.risk.recordTradeResult(Decimal.of(trade.netPnl), trade.exitTs);
          this.risk.refresh();
          if (strategyId !== null) this.strategies?.onPositionClosed(strategyId, instrumentId);
        },
        ...(logger !== undefined ? { logger: logger.child('position-sync') } : {}),
      })
      : null;
    this.killSwitch = new KillSwitch({
      risk: this.risk, orders: this.orders, account: this.account, clock, ...(options.exchange ? { venue, breaker: this.breaker } : {}), reportSeverity: 'info',
      ...(logger !== undefined ? { logger: logger.child('kill-switch') } : {}),
    });
    this.wireMetrics();
    // a venue that settles funding or liquidates by its own rule (the paper venue) tells the account
    this.disposers.push(venue.subscribe({
      onOrderUpdate: () => undefined,
      onFill: () => undefined,
      onFunding: (event) => {
        this.account.applyFunding(event.instrumentId, event.rate, event.ts, event.markPrice);
      },
      onLiquidation: (event) => this.onLiquidation(event),
    }));
    this.disposers.push(this.orders.addListener({
      onFill: ({ order, fill, outcome, meta }) => {
        const instrumentId = order.instrumentId;
        this.protections.onPosition(instrumentId, outcome.position.side);
        const pending = this.entryProtections.get(order.clientOrderId);
        if (pending !== undefined && meta.purpose === STRATEGY_ENTRY && outcome.position.side !== 'FLAT') {
          this.entryProtections.delete(order.clientOrderId);
          this.protections.setFromOffsets(instrumentId, outcome.position.side, Number(fill.lastPx), pending.stopLossPct, pending.takeProfitPct);
        }
      },
      onOrderUpdate: (order) => {
        if (order.status === 'CANCELED' || order.status === 'EXPIRED' || order.status === 'REJECTED' || order.status === 'FILLED') this.entryProtections.delete(order.clientOrderId);
      },
      onReconciliationRequested: (reason) => {
        if (this.positionSync === null) return;
        this.positionSync.reconcile().catch((error: unknown) => logger?.warn('reconciliation after recovery failed', { reason, error: error instanceof Error ? error.message : String(error) }));
      },
    }));
  }

  /** Routes the strategy engine's entries and exits through risk and the order manager, and pauses it while the venue is unreachable. */
  connectStrategies(strategies: StrategySink): void {
    this.strategies = strategies;
    this.strategyOrders = new StrategyOrders({
      risk: this.risk, orders: this.orders, account: this.account, sessionId: this.options.sessionId,
      onEntryResult: (strategyId, instrumentId, result) => strategies.onEntryResult(strategyId, instrumentId, result),
      onPositionClosed: (strategyId, instrumentId) => strategies.onPositionClosed(strategyId, instrumentId),
      ...(this.options.logger !== undefined ? { logger: this.options.logger.child('strategy-orders') } : {}),
    });
    this.disposers.push(this.orders.addListener({
      onTradingPaused: (reason) => strategies.pause(reason),
      onTradingResumed: (reason) => strategies.resume(reason),
    }));
  }

  /** Starts the order manager (resuming journalled orders) and, for exchange accounts, position sync. */
  async start(): Promise<RecoveryReport> {
    if (this.started) return { resumed: 0, adopted: 0, sent: 0, expired: 0, rejected: 0, cancelled: 0, waiting: 0 };
    this.started = true;
    const report = await this.orders.start();
    if (this.positionSync !== null) {
      this.positionSync.start();
      this.options.metrics?.positionSyncStarted(this.options.venue.name);
    }
    return report;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.positionSync?.stop();
    if (this.positionSync !== null) this.options.metrics?.positionSyncStopped(this.options.venue.name);
    await this.orders.stop();
    this.strategyOrders?.dispose();
    for (const dispose of this.disposers.splice(0)) dispose();
    this.risk.stop();
    this.breaker.dispose();
  }

  /** A strategy's entry: sized, checked by risk and sent; its stop-loss / take-profit are set when it fills. */
  async enter(request: EntryRequest): Promise<void> {
    const orders = this.strategyOrders;
    if (orders === null) throw new Error('connectStrategies() first');
    const outcome = await orders.onEntry(request);
    if (outcome.accepted && (request.stopLoss !== null || request.takeProfit !== null)) {
      this.entryProtections.set(outcome.order.clientOrderId, { stopLossPct: request.stopLoss?.offsetPercent ?? null, takeProfitPct: request.takeProfit?.offsetPercent ?? null });
    }
  }

  /**
   * After a restart: a journalled entry still working gets its strategy's stop-loss / take-profit
   * offsets back (they lived in memory), applied when it fills — also when it filled while the
   * app was down and recovery accounts the fill. Call before start().
   */
  protectRecoveredEntry(clientOrderId: string, offsets: { stopLossPct: number | null; takeProfitPct: number | null }): void {
    if (offsets.stopLossPct === null && offsets.takeProfitPct === null) return;
    this.entryProtections.set(clientOrderId, offsets);
  }

  async exit(request: ExitRequest): Promise<void> {
    const orders = this.strategyOrders;
    if (orders === null) throw new Error('connectStrategies() first');
    await orders.onExit(request);
  }

  /**
   * A trade printed: marks the account, checks the protective levels, and at most once a second
   * per instrument publishes the open position at its new mark (PnL, margin-ratio gauge: the
   * position monitor and the margin_ratio_percent metric follow the market, not only fills).
   */
  onTrade(instrumentId: InstrumentId, price: number): void {
    const changed = this.account.mark(instrumentId, price);
    if (this.protections.active) this.protections.onTrade(instrumentId, price);
    if (!changed) return; // unchanged, or no open position
    const now = this.options.clock.now();
    const last = this.markPublishedAt.get(instrumentId);
    if (last !== undefined && now - last < MARK_PUBLISH_INTERVAL_MS) return;
    this.markPublishedAt.set(instrumentId, now);
    const dto = this.account.toDto(instrumentId);
    if (dto !== null) this.options.bus.publish('position_updated', dto);
  }

  /** Sets the stop-loss / take-profit of the open position on an instrument (the trader's inline edit). */
  setProtection(instrumentId: string, levels: ProtectionLevels): ReturnType<ProtectiveStops['set']> {
    const mark = this.account.markPrice(instrumentId as InstrumentId);
    return this.protections.set(instrumentId, levels, mark === null ? null : mark.toNumber());
  }

  /** Open positions and PnL for the engine status (tray, status bar). */
  tradingSnapshot(): TradingSnapshot {
    const account = this.account;
    return { openPositions: account.openPositionCount(), currency: account.currency, net: account.equity().minus(account.startingCapital), unrealized: account.totalUnrealizedPnl() };
  }

  engageKillSwitch(reason = 'kill_switch'): Promise<KillSwitchReport> {
    return this.killSwitch.engage(reason);
  }

  reconcile(): Promise<ReconciliationReport> {
    if (this.positionSync === null) return Promise.reject(new Error('a paper account has nothing to reconcile with'));
    return this.positionSync.reconcile();
  }

  private wireMetrics(): void {
    const metrics = this.options.metrics;
    if (metrics === undefined) return;
    const { clock, venue } = this.options;
    metrics.setBreakerState(venue.name, this.breaker.getState());
    this.disposers.push(this.breaker.onStateChange((state) => metrics.setBreakerState(venue.name, state)));
    this.disposers.push(this.orders.addListener({
      onOrderUpdate: (order) => {
        // submission latency: from the order's creation to the venue's first answer about it
        if (order.status !== 'INITIALIZED' && order.status !== 'SUBMITTED' && this.firstAnswer(order.clientOrderId)) {
          metrics.observeSubmissionLatency(Math.max(0, clock.now() - order.createdAt) / 1000);
        }
      },
      onFill: () => metrics.setDailyLossPercent(this.dailyLossPercent()),
    }));
  }

  /**
   * The venue liquidated a position: the closing fill is journalled and accounted (the margin is
   * lost), the strategy hears the position closed, and the trader gets a critical alert.
   */
  private onLiquidation(event: VenueLiquidationEvent): void {
    const { store, bus, logger } = this.options;
    const before = this.account.position(event.instrumentId);
    const strategyId = before?.strategyId ?? null;
    let outcome: FillOutcome | null = null;
    try {
      store.transaction(() => {
        store.fills.insert(fillToDto(event.fill), this.options.sessionId);
        outcome = this.account.applyFill(event.fill, { strategyId, leverage: before?.leverage ?? 1, reason: 'liquidated' });
        const dto = this.account.toDto(event.instrumentId);
        if (dto !== null) store.positions.upsert(dto);
      });
    } catch (error) {
      logger?.error('liquidation could not be journalled', { instrumentId: event.instrumentId, error: error instanceof Error ? error.message : String(error) });
    }
    const dto = this.account.toDto(event.instrumentId);
    if (dto !== null) bus.publish('position_updated', dto);
    this.protections.onPosition(event.instrumentId, 'FLAT');
    const trade = (outcome as FillOutcome | null)?.closedTrade ?? null;
    if (trade !== null) this.risk.recordTradeResult(Decimal.of(trade.netPnl), event.ts);
    this.risk.raise('critical', 'liquidated', `${event.side} ${event.quantity.toString()} ${event.instrumentId} was liquidated at ${event.price.toString()}: margin ${event.margin.toString()} lost`, event.instrumentId, {
      side: event.side, quantity: event.quantity.toString(), price: event.price.toString(), margin: event.margin.toString(),
    });
    if (strategyId !== null) this.strategies?.onPositionClosed(strategyId, event.instrumentId);
    this.risk.refresh();
  }

  private readonly answered = new Set<string>();

  /** Today's loss as % of the day's starting equity (the risk manager's day), 0 when up. */
  dailyLossPercent(): number {
    const dayStart = this.risk.snapshotProtections().dayStartEquity;
    if (dayStart === null) return 0;
    const start = Decimal.of(dayStart);
    const loss = start.sub(Decimal.fromRaw(this.account.equity().raw));
    return start.isPositive() && loss.isPositive() ? loss.mul(100).div(start, 'half-even').toNumber() : 0;
  }

  /** True the first time an order is seen answered (its latency is observed once). */
  private firstAnswer(clientOrderId: string): boolean {
    if (this.answered.has(clientOrderId)) return false;
    this.answered.add(clientOrderId);
    if (this.answered.size > 10_000) this.answered.clear();
    return true;
  }
}
