import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventPayload } from '../../../src-shared/contract/events';
import type { HealthReport, OrderDto, PositionDto } from '../../../src-shared/contract/schemas';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { EventBus, Subscription } from '../bus/types';
import type { Clock } from '../clock/clock';
import type { CircuitBreakerState } from '../execution/circuit-breaker';

/** circuit_breaker_state's values: the order matches the severity, so `max()` over breakers is the worst one. */
export const BREAKER_STATE_VALUE: Readonly<Record<CircuitBreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * Seconds. Fine steps below a second (a healthy venue answers in tens of milliseconds) and
 * steps around 5 s, where OrderSubmissionLatencyHigh draws its line, so its p95 is not smeared.
 */
export const SUBMISSION_LATENCY_BUCKETS: readonly number[] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10, 30];

/** An order that reached one of these never traded because the venue or time said no. */
const FAILED_STATUSES: ReadonlySet<OrderDto['status']> = new Set(['REJECTED', 'EXPIRED']);
const TERMINAL_SESSION_STATUSES: ReadonlySet<EventPayload<'session_state'>['status']> = new Set(['stopped', 'completed', 'failed']);
const SEVERITIES = ['info', 'warning', 'critical'] as const;

export interface EngineMetricsOptions {
  bus: EventBus;
  clock: Clock;
  /** A feed whose last tick is older than this is reported stale by the health check (settings.feed.stalenessMs). */
  feedStalenessMs: number;
  /** Node's process metrics (CPU, memory, event-loop lag, GC), shared by every instance. Default: on. */
  processMetrics?: boolean;
  submissionLatencyBuckets?: readonly number[];
  /** How many order ids are remembered to keep each order counted once (at-least-once delivery). */
  rememberedOrders?: number;
}

/**
 * The engine's Prometheus metrics (ARCHITECTURE §12). Order, position and alert figures are
 * derived from bus events, so the execution code never knows metrics exist; what is not on the
 * bus (latency, breakers, position sync, feed ticks, daily loss) arrives through the hooks
 * below. Gauges over open positions, feeds and bus counts are computed at scrape time, so the
 * hot paths carry no metrics work beyond a map write.
 *
 * Backtests replay history at full speed on the app's bus; their orders and positions are left
 * out, or a backtest's simulated margin call would page the trader.
 *
 * Counters:
 * - orders_submitted_total: orders created for a venue (every order_created except risk denials)
 * - orders_denied_total: orders the risk manager denied before they reached a venue
 * - orders_filled_total: orders completely filled
 * - orders_failed_total: orders the venue rejected or that expired (REJECTED, EXPIRED);
 *   a cancel the trader or a strategy asked for is not a failure
 */
export class EngineMetrics {
  /** What /metrics renders: the engine's own metrics and, unless turned off, the process metrics. */
  readonly registry: Registry;
  private readonly bus: EventBus;
  private readonly clock: Clock;
  private readonly feedStalenessMs: number;
  private subscriptions: Subscription[] = [];

  /** Open positions by session and instrument; a flat position is deleted. */
  private readonly openPositions = new Map<string, PositionDto>();
  /** Backtest sessions still running: their trading events are not the trader's. */
  private readonly backtestSessions = new Set<string>();
  /** Last tick time per symbol, engine clock ms. */
  private readonly feedLastTick = new Map<string, number>();
  private readonly breakerStates = new Map<string, CircuitBreakerState>();
  private readonly countedOrders: RecentKeys;

  private readonly ordersSubmitted: Counter;
  private readonly ordersDenied: Counter;
  private readonly ordersFilled: Counter;
  private readonly ordersFailed: Counter;
  private readonly submissionLatency: Histogram;
  private readonly riskAlerts: Counter<'severity'>;
  private readonly dailyLoss: Gauge;
  private readonly breakerState: Gauge<'breaker'>;
  private readonly positionSyncLastSuccess: Gauge<'venue'>;

  constructor(options: EngineMetricsOptions) {
    this.bus = options.bus;
    this.clock = options.clock;
    this.feedStalenessMs = options.feedStalenessMs;
    this.countedOrders = new RecentKeys(options.rememberedOrders ?? 50_000);
    const own = new Registry();
    const registers = [own];

    this.ordersSubmitted = new Counter({ name: 'orders_submitted_total', help: 'Orders created for a venue (risk denials excluded)', registers });
    this.ordersDenied = new Counter({ name: 'orders_denied_total', help: 'Orders denied by the risk manager before reaching a venue', registers });
    this.ordersFilled = new Counter({ name: 'orders_filled_total', help: 'Orders completely filled', registers });
    this.ordersFailed = new Counter({ name: 'orders_failed_total', help: 'Orders rejected by the venue or expired', registers });
    this.submissionLatency = new Histogram({
      name: 'order_submission_latency_seconds',
      help: 'Time from sending an order to the venue until it acknowledged it',
      buckets: [...(options.submissionLatencyBuckets ?? SUBMISSION_LATENCY_BUCKETS)],
      registers,
    });
    this.riskAlerts = new Counter({ name: 'risk_alerts_total', help: 'Risk alerts raised, by severity', labelNames: ['severity'], registers });
    // every severity starts at 0 so rate() and increase() see the first alert
    for (const severity of SEVERITIES) this.riskAlerts.inc({ severity }, 0);
    this.dailyLoss = new Gauge({ name: 'daily_loss_percent', help: "Today's loss as a percentage of capital (0 when the day is flat or up)", registers });
    this.breakerState = new Gauge({ name: 'circuit_breaker_state', help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open', labelNames: ['breaker'], registers });
    this.positionSyncLastSuccess = new Gauge({
      name: 'position_sync_last_success_timestamp',
      help: 'Unix time in seconds of the last successful position sync (the sync start until the first success); absent while no sync runs',
      labelNames: ['venue'],
      registers,
    });

    const positionsOpen: Gauge = new Gauge({
      name: 'positions_open_total',
      help: 'Open positions (paper and live sessions)',
      registers,
      collect: () => positionsOpen.set(this.openPositions.size),
    });
    const unrealizedPnl: Gauge<'instrument'> = new Gauge({
      name: 'unrealized_pnl_usd',
      help: 'Unrealized PnL of open positions in the settlement currency (USDT), by instrument',
      labelNames: ['instrument'],
      registers,
      collect: () => {
        unrealizedPnl.reset();
        for (const [instrument, pnl] of this.unrealizedPnlByInstrument()) unrealizedPnl.set({ instrument }, pnl.toNumber());
      },
    });
    const marginRatio: Gauge<'instrument'> = new Gauge({
      name: 'margin_ratio_percent',
      help: 'Margin ratio of open positions in percent, the lowest per instrument; lower is nearer liquidation',
      labelNames: ['instrument'],
      registers,
      collect: () => {
        marginRatio.reset();
        for (const [instrument, ratio] of this.lowestMarginRatioByInstrument()) marginRatio.set({ instrument }, ratio);
      },
    });
    const feedStaleness: Gauge<'symbol'> = new Gauge({
      name: 'feed_staleness_seconds',
      help: 'Seconds since the last market data tick, by symbol',
      labelNames: ['symbol'],
      registers,
      collect: () => {
        feedStaleness.reset();
        const now = this.clock.now();
        for (const [symbol, last] of this.feedLastTick) feedStaleness.set({ symbol }, Math.max(0, now - last) / 1000);
      },
    });
    const reported = new Map<string, number>();
    const busMessages: Counter<'topic'> = new Counter({
      name: 'event_bus_messages_total',
      help: 'Events published on the engine bus, by topic',
      labelNames: ['topic'],
      registers,
      collect: () => {
        // read from the bus at scrape time, so the hot publish path carries no metrics work
        for (const [topic, count] of this.bus.publishedCounts()) {
          const delta = count - (reported.get(topic) ?? 0);
          if (delta > 0) busMessages.inc({ topic }, delta);
          reported.set(topic, count);
        }
      },
    });
    this.registry = (options.processMetrics ?? true) ? Registry.merge([processRegistry(), own]) : own;
  }

  start(): void {
    if (this.subscriptions.length > 0) return;
    const name = 'metrics';
    this.subscriptions = [
      this.bus.subscribe('session_state', (session) => this.onSessionState(session), name),
      this.bus.subscribe('order_created', (order) => this.onOrderCreated(order), name),
      this.bus.subscribe('order_filled', ({ order }) => this.onOrderFilled(order), name),
      this.bus.subscribe('order_cancelled', (order) => this.onOrderCancelled(order), name),
      this.bus.subscribe('position_updated', (position) => this.onPositionUpdated(position), name),
      this.bus.subscribe('risk_alert', (alert) => this.riskAlerts.inc({ severity: alert.severity }), name),
    ];
  }

  /** Unsubscribes and forgets the tracked state; the counters stay for a last scrape. */
  stop(): void {
    for (const subscription of this.subscriptions) this.bus.unsubscribe(subscription);
    this.subscriptions = [];
    this.openPositions.clear();
    this.backtestSessions.clear();
    this.feedLastTick.clear();
    this.countedOrders.clear();
  }

  /** The Prometheus text exposition, as /metrics serves it. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  // ---- hooks for what is not on the bus ---------------------------------------------------

  /** Seconds from sending an order to the venue's acknowledgement. */
  observeSubmissionLatency(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.submissionLatency.observe(seconds);
  }

  setBreakerState(breaker: string, state: CircuitBreakerState): void {
    this.breakerStates.set(breaker, state);
    this.breakerState.set({ breaker }, BREAKER_STATE_VALUE[state]);
  }

  /** A position sync loop began for a venue: until its first success, "no success for N s" counts from now. */
  positionSyncStarted(venue: string): void {
    this.positionSyncLastSuccess.set({ venue }, this.clock.now() / 1000);
  }

  /** `ts` in engine clock ms. */
  setPositionSyncSuccess(venue: string, ts: number): void {
    this.positionSyncLastSuccess.set({ venue }, ts / 1000);
  }

  /** The sync stopped on purpose (live session ended): its series goes, so no alert fires for it. */
  positionSyncStopped(venue: string): void {
    this.positionSyncLastSuccess.remove({ venue });
  }

  /** `ts` in engine clock ms; staleness is measured against the clock at scrape time. */
  setFeedLastTick(symbol: string, ts: number): void {
    this.feedLastTick.set(symbol, ts);
  }

  /** The feed for a symbol was closed on purpose: it is no longer stale, it is gone. */
  removeFeed(symbol: string): void {
    this.feedLastTick.delete(symbol);
  }

  /** Today's loss in % of capital; a day in profit reports 0. */
  setDailyLossPercent(percent: number): void {
    if (!Number.isFinite(percent)) return;
    this.dailyLoss.set(Math.max(0, percent));
  }

  /** Checks for /health/ready and /health/deep: open breakers and stale feeds degrade the engine. */
  healthChecks(): HealthReport['checks'] {
    const checks: HealthReport['checks'] = [];
    for (const [breaker, state] of this.breakerStates) {
      checks.push({ name: `circuit_breaker:${breaker}`, ok: state !== 'open', detail: state });
    }
    const now = this.clock.now();
    for (const [symbol, last] of this.feedLastTick) {
      const age = Math.max(0, now - last);
      checks.push({ name: `feed:${symbol}`, ok: age <= this.feedStalenessMs, detail: `last tick ${age} ms ago` });
    }
    return checks;
  }

  // ---- bus events -------------------------------------------------------------------------

  private onSessionState(session: EventPayload<'session_state'>): void {
    const ended = TERMINAL_SESSION_STATUSES.has(session.status);
    if (session.kind === 'backtest') {
      if (ended) this.backtestSessions.delete(session.id);
      else this.backtestSessions.add(session.id);
    }
    // a session stopped mid-run leaves no flat update behind: its positions are no longer watched
    if (ended) for (const [key, position] of this.openPositions) if (position.sessionId === session.id) this.openPositions.delete(key);
  }

  private isBacktest(sessionId: string | null): boolean {
    return sessionId !== null && this.backtestSessions.has(sessionId);
  }

  private onOrderCreated(order: OrderDto): void {
    if (this.isBacktest(order.sessionId)) return;
    if (order.status === 'DENIED') {
      if (this.countedOrders.addIfNew(`denied:${order.clientOrderId}`)) this.ordersDenied.inc();
      return;
    }
    if (this.countedOrders.addIfNew(`submitted:${order.clientOrderId}`)) this.ordersSubmitted.inc();
    // a venue can refuse an order synchronously, so it may be born rejected
    this.countIfFailed(order);
  }

  private onOrderFilled(order: OrderDto): void {
    if (this.isBacktest(order.sessionId) || order.status !== 'FILLED') return;
    if (this.countedOrders.addIfNew(`filled:${order.clientOrderId}`)) this.ordersFilled.inc();
  }

  private onOrderCancelled(order: OrderDto): void {
    if (this.isBacktest(order.sessionId)) return;
    if (order.status === 'DENIED') {
      if (this.countedOrders.addIfNew(`denied:${order.clientOrderId}`)) this.ordersDenied.inc();
      return;
    }
    this.countIfFailed(order);
  }

  private countIfFailed(order: OrderDto): void {
    if (!FAILED_STATUSES.has(order.status)) return;
    if (this.countedOrders.addIfNew(`failed:${order.clientOrderId}`)) this.ordersFailed.inc();
  }

  private onPositionUpdated(position: PositionDto): void {
    if (this.isBacktest(position.sessionId)) return;
    const key = `${position.sessionId ?? ''}\u0000${position.instrumentId}`;
    if (position.side === 'FLAT' || Decimal.of(position.quantity).isZero()) this.openPositions.delete(key);
    else this.openPositions.set(key, position);
  }

  private unrealizedPnlByInstrument(): Map<string, Decimal> {
    // summed exactly; only the total becomes a float, because a Prometheus sample is one
    const totals = new Map<string, Decimal>();
    for (const position of this.openPositions.values()) {
      totals.set(position.instrumentId, (totals.get(position.instrumentId) ?? Decimal.ZERO).add(position.unrealizedPnl));
    }
    return totals;
  }

  private lowestMarginRatioByInstrument(): Map<string, number> {
    const lowest = new Map<string, number>();
    for (const position of this.openPositions.values()) {
      const ratio = position.marginRatioPercent;
      if (ratio === null || !Number.isFinite(ratio)) continue;
      const current = lowest.get(position.instrumentId);
      if (current === undefined || ratio < current) lowest.set(position.instrumentId, ratio);
    }
    return lowest;
  }
}

let sharedProcessRegistry: Registry | null = null;

/**
 * Node's process metrics, one set per process: they describe the process, not an engine, and
 * prom-client starts observers for them (GC, event-loop delay) that can never be stopped.
 */
function processRegistry(): Registry {
  if (sharedProcessRegistry === null) {
    sharedProcessRegistry = new Registry();
    collectDefaultMetrics({ register: sharedProcessRegistry });
  }
  return sharedProcessRegistry;
}

/** A set that remembers the newest `capacity` keys; the oldest is forgotten first. */
class RecentKeys {
  private readonly keys = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** True the first time a key is seen (while remembered). */
  addIfNew(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next();
      if (oldest.done !== true) this.keys.delete(oldest.value);
    }
    return true;
  }

  clear(): void {
    this.keys.clear();
  }
}
