import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import type { LiveDifferenceDto, LivePhase } from '../../../src-shared/contract/live-commands';
import type { BookUpdate, OrderDto, PositionDto, SessionDto, TradeTick } from '../../../src-shared/contract/schemas';
import type { Settings } from '../../../src-shared/contract/settings';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import type { Money } from '../../../src-shared/domain/values';
import { referencedIndicators } from '../../../src-shared/strategy/evaluate';
import { strategyId as strategyIdOf, type StrategyDefinition } from '../../../src-shared/strategy/schema';
import type { Clock } from '../clock/clock';
import { LiveFeed, type StreamingExchange } from '../data/live-feed';
import { OrderBook, type Level } from '../data/order-book';
import type { ReconciliationReport } from '../execution/position-sync';
import { STRATEGY_ENTRY } from '../execution/strategy-orders';
import { TradingStack, type ExecutionMetricsHooks } from '../execution/trading-stack';
import { InstrumentIndicators, UNREALIZED_PNL_PCT } from '../indicators/registry';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/store';
import { StrategyEngine } from '../strategy/strategy-runner';
import { PaperVenue } from '../venues/paper-venue';
import type { Venue } from '../venues/venue';
import { unrealizedPnlPercent } from './replay-session';

/** Strategies wait for this until a live session is armed (and while a gate is open). */
export const NOT_ARMED = 'not_armed';
const STALE_PREFIX = 'feed_stale:';

export interface OnlineSessionOptions {
  session: SessionDto;
  kind: 'paper' | 'live';
  venue: Venue;
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  strategies: StrategyDefinition[];
  capital: Money;
  settings: Settings;
  clock: Clock;
  store: Store;
  logger: Logger;
  openStream: () => Promise<StreamingExchange>;
  publish: <T extends Topic>(topic: T, payload: EventPayload<T>) => void;
  metrics?: ExecutionMetricsHooks & FeedMetricsHooks;
  /** Called when the phase changes (the service journals it and tells the UI). */
  onPhase: (phase: LivePhase, detail: string | null) => void;
}

/** feed_staleness_seconds per symbol (EngineMetrics implements it). */
export interface FeedMetricsHooks {
  setFeedLastTick(symbol: string, ts: number): void;
  removeFeed(symbol: string): void;
}

interface SymbolState {
  indicators: InstrumentIndicators;
  book: OrderBook;
  bids: Level[];
  asks: Level[];
  lookup: (variantId: string) => number | null;
}

/**
 * One online session (paper or live) on the live market feed and the wall clock: feed →
 * indicators → strategies → TradingStack (risk, orders, account, protective stops, and for live
 * position sync with the exchange) → venue. The same pipeline as a replay, but the data arrives
 * as it happens: a stale symbol pauses the strategies until it ticks again.
 *
 * A live session starts disarmed: it reconciles with the exchange first, and trades only once the
 * trader has armed it. After a restart its journalled orders are looked up at the exchange by
 * client order id (the order manager's recovery) and its positions restored from the journal
 * before the reconciliation runs again.
 */
export class OnlineSession {
  readonly stack: TradingStack;
  readonly strategyEngine: StrategyEngine;
  private readonly symbols = new Map<string, SymbolState>();
  private feed: LiveFeed | null = null;
  private phaseValue: LivePhase = 'reconciling';
  private gate: LiveDifferenceDto[] = [];
  private readonly variantIds: string[];

  constructor(private readonly options: OnlineSessionOptions) {
    const { session, settings, clock, store, logger, venue } = options;
    this.variantIds = [...new Set(options.strategies.flatMap((s) => referencedIndicators(s)))].filter((id) => id !== UNREALIZED_PNL_PCT);
    this.stack = new TradingStack({
      sessionId: session.id, venue, clock, settings, instruments: options.instruments, capital: options.capital, store, bus: { publish: options.publish },
      exchange: options.kind === 'live', logger: logger.child('execution'), ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    });
    let signalSeq = 0;
    // a resumed session journals into the same signal history: ids must not repeat the last run's
    const runTag = clock.now().toString(36);
    this.strategyEngine = new StrategyEngine({
      clock,
      signalSlots: settings.strategy.signalSlots,
      sessionId: session.id,
      idFactory: () => `${session.id}-sig-${runTag}-${++signalSeq}`,
      denialCooldownMs: settings.strategy.denialCooldownMs,
      onSignal: (signal) => {
        store.signals.insert(signal);
        options.publish('signal_generated', signal);
      },
      onEntry: (request) => {
        this.stack.enter(request).catch((error: unknown) => logger.error('entry failed', { instrumentId: request.instrumentId, error }));
      },
      onExit: (request) => {
        this.stack.exit(request).catch((error: unknown) => logger.error('exit failed', { instrumentId: request.instrumentId, error }));
      },
    });
    this.stack.connectStrategies(this.strategyEngine);
    for (const strategy of options.strategies) this.strategyEngine.addStrategy(strategy);
    // nothing enters before the gate is passed (and, live, before the trader arms the session)
    this.strategyEngine.pause(NOT_ARMED);
  }

  get phase(): LivePhase {
    return this.phaseValue;
  }

  get differences(): LiveDifferenceDto[] {
    return [...this.gate];
  }

  /**
   * Connects: restores the journalled positions, resumes journalled orders (looked up at the
   * venue), starts the feed and reconciles. Paper sessions arm themselves once reconciled.
   */
  async start(options: { resume: boolean; wasArmed: boolean }): Promise<void> {
    const { session, logger } = this.options;
    if (options.resume) this.restoreFromJournal();
    const recovery = await this.stack.start();
    if (options.resume) logger.info('online session resumed', { sessionId: session.id, ...recovery });
    await this.startFeed();
    await this.reconcile();
    if (this.phaseValue === 'ready' && (this.options.kind === 'paper' || options.wasArmed)) this.arm();
  }

  /**
   * Before the order manager resumes: the journalled positions go back into the account with the
   * strategy that opened them and their stop-loss / take-profit, and each strategy gets back the
   * symbols it held — an open position, or an entry order still working (whose protection
   * offsets come back too). Without it a resumed strategy would enter its symbols again and
   * its positions would have no owner to exit them.
   */
  private restoreFromJournal(): void {
    const { store, session, logger } = this.options;
    const orders = store.orders.listBySession(session.id);
    // who opened a position: the newest strategy entry on its instrument that filled
    const openedBy = new Map<string, OrderDto>();
    for (const order of orders) {
      if (order.reason === STRATEGY_ENTRY && order.strategyId !== null && Decimal.of(order.filledQuantity).isPositive()) openedBy.set(order.instrumentId, order);
    }
    const held = new Set<string>();
    for (const dto of store.positions.list({ sessionId: session.id, openOnly: true })) {
      if (dto.side === 'FLAT') continue;
      const entry = openedBy.get(dto.instrumentId);
      const strategyId = entry !== undefined && sideOf(entry.side) === dto.side ? entry.strategyId : null;
      this.stack.account.restorePosition(dto, strategyId);
      held.add(dto.instrumentId);
      if (dto.stopLoss !== null || dto.takeProfit !== null) {
        // no last price yet: a level crossed while the app was down closes at the first trade
        const problem = this.stack.protections.set(dto.instrumentId, { stopLoss: toNumber(dto.stopLoss), takeProfit: toNumber(dto.takeProfit) }, null);
        if (problem !== null) logger.warn('protection not restored', { instrumentId: dto.instrumentId, problem: problem.message });
      }
      if (strategyId !== null) {
        this.restoreStrategy(strategyId, dto.instrumentId, 'POSITION_ACTIVE', dto.side, dto.openedAt ?? dto.updatedAt, toNumber(dto.averageEntryPrice));
      }
    }
    for (const order of store.orders.listOpen(session.id)) {
      if (order.reason !== STRATEGY_ENTRY || order.strategyId === null || held.has(order.instrumentId)) continue;
      const definition = this.options.strategies.find((d) => strategyIdOf(d) === order.strategyId);
      const entry = definition?.z1_entry;
      this.stack.protectRecoveredEntry(order.clientOrderId, {
        stopLossPct: entry?.stopLoss?.enabled === true ? entry.stopLoss.offsetPercent : null,
        takeProfitPct: entry?.takeProfit?.enabled === true ? entry.takeProfit.offsetPercent : null,
      });
      this.restoreStrategy(order.strategyId, order.instrumentId, 'ENTRY_EVALUATION', sideOf(order.side), order.createdAt, toNumber(order.price));
      held.add(order.instrumentId);
    }
  }

  private restoreStrategy(strategyId: string, instrumentId: string, state: 'ENTRY_EVALUATION' | 'POSITION_ACTIVE', direction: 'LONG' | 'SHORT', since: number, entryPrice: number | null): void {
    const restored = this.strategyEngine.restore({ strategyId, instrumentId, state, direction, since, entryPrice });
    // a strategy removed from the session since: its position stays, owned by no strategy (the trader's to close)
    if (!restored.ok) this.options.logger.warn('strategy state not restored', { strategyId, instrumentId, reason: restored.error.message });
  }

  /** Compares the app's book with the venue's; differences close the gate until the trader resolves them. */
  async reconcile(): Promise<LiveDifferenceDto[]> {
    const differences: LiveDifferenceDto[] = [];
    if (this.stack.positionSync !== null) {
      const report = await this.stack.reconcile();
      differences.push(...describeReport(report));
      // orders at the exchange that no journal of ours knows (placed by hand, another app)
      const open = await this.stack.breaker.execute(() => this.options.venue.fetchOpenOrders());
      for (const order of open) {
        if (this.options.store.orders.get(order.clientOrderId) === null) {
          differences.push({ kind: 'foreign_order', instrumentId: order.instrumentId, detail: `open order ${order.venueOrderId ?? order.clientOrderId} was not placed by this app` });
        }
      }
    }
    this.gate = differences;
    if (differences.length > 0) {
      this.strategyEngine.pause(NOT_ARMED);
      this.setPhase('reconciling', `${differences.length} difference(s) with the exchange: adopt, flatten or cancel`);
    } else if (this.phaseValue === 'reconciling') {
      this.setPhase('ready', null);
    }
    return differences;
  }

  /** The trader's go: strategies may enter. */
  arm(): void {
    if (this.phaseValue !== 'ready' && this.phaseValue !== 'armed') throw new Error(`session is ${this.phaseValue}, not ready to arm`);
    this.strategyEngine.resume(NOT_ARMED);
    this.setPhase('armed', null);
  }

  /** Resolves the gate: adopt the exchange's positions, or flatten them (and cancel foreign orders). */
  async resolve(resolution: 'adopt' | 'flatten'): Promise<void> {
    const sync = this.stack.positionSync;
    if (sync === null) return;
    const report = await this.stack.reconcile();
    const refused: LiveDifferenceDto[] = [];
    for (const diff of [...report.localOnly, ...report.exchangeOnly, ...report.mismatched]) {
      if (resolution === 'adopt') sync.adopt(diff);
      else {
        const result = await sync.flatten(diff);
        if (result.order !== null && !result.order.accepted) {
          refused.push({ kind: 'exchange_only', instrumentId: diff.instrumentId, detail: `the close was refused: ${result.order.denial.message}` });
        }
      }
    }
    if (resolution === 'flatten') {
      const open = await this.stack.breaker.execute(() => this.options.venue.fetchOpenOrders());
      for (const order of open) {
        if (this.options.store.orders.get(order.clientOrderId) !== null) continue;
        await this.stack.breaker.execute(() => this.options.venue.cancelOrder(order.instrumentId, order.clientOrderId, order.venueOrderId));
      }
    }
    await this.reconcile();
    if (refused.length > 0) {
      // the position is in the app's book now but still open at the exchange: the gate stays closed
      this.gate = [...this.gate, ...refused];
      this.strategyEngine.pause(NOT_ARMED);
      this.setPhase('reconciling', refused.map((r) => `${r.instrumentId}: ${r.detail}`).join('; '));
      throw new Error(refused.map((r) => `${r.instrumentId}: ${r.detail}`).join('; '));
    }
  }

  async stop(): Promise<void> {
    this.strategyEngine.stop();
    await this.feed?.stop();
    this.feed = null;
    // closed on purpose: the symbols are gone, not stale
    for (const symbol of this.options.session.instruments) this.options.metrics?.removeFeed(symbol);
    await this.stack.stop();
    await this.options.venue.close();
    this.setPhase('stopped', null);
  }

  private setPhase(phase: LivePhase, detail: string | null): void {
    this.phaseValue = phase;
    this.options.onPhase(phase, detail);
  }

  private async startFeed(): Promise<void> {
    const { settings, clock, logger, session } = this.options;
    const stream = await this.options.openStream();
    this.feed = new LiveFeed({
      exchange: stream,
      symbols: [...session.instruments],
      clock,
      logger: logger.child('feed'),
      stalenessMs: settings.feed.stalenessMs,
      reconnectDelayMs: settings.feed.resubscribeDelayMs,
      pollIntervalMs: settings.feed.restPollIntervalMs,
      bookLevels: settings.feed.bookLevels,
      onTrade: (tick) => this.onTrade(tick),
      onBook: (update) => this.onBook(update),
      onAlert: (alert) => this.options.publish('risk_alert', alert),
      // no entries on a symbol whose data stopped: the strategies would act on an old picture
      onStale: (symbol, stale) => {
        if (stale) this.strategyEngine.pause(`${STALE_PREFIX}${symbol}`);
        else this.strategyEngine.resume(`${STALE_PREFIX}${symbol}`);
      },
    });
    await this.feed.start();
  }

  private state(instrumentId: string): SymbolState {
    let state = this.symbols.get(instrumentId);
    if (state === undefined) {
      const indicators = new InstrumentIndicators(this.variantIds);
      const account = this.stack.account;
      const id = instrumentId as InstrumentId;
      state = {
        indicators, book: new OrderBook(), bids: [], asks: [],
        lookup: (variantId) => (variantId === UNREALIZED_PNL_PCT ? unrealizedPnlPercent(account, id) : indicators.value(variantId)),
      };
      this.symbols.set(instrumentId, state);
    }
    return state;
  }

  private onTrade(tick: TradeTick): void {
    const id = tick.instrumentId as InstrumentId;
    const market = { ...tick, sessionId: this.options.session.id };
    this.options.publish('market_data', market);
    this.options.metrics?.setFeedLastTick(tick.instrumentId, this.options.clock.now());
    if (this.options.venue instanceof PaperVenue) this.options.venue.onTrade(id, tick.ts, tick.price);
    this.stack.onTrade(id, tick.price);
    const state = this.state(tick.instrumentId);
    state.indicators.onTrade(tick.ts, tick.price, tick.quantity, tick.side);
    this.strategyEngine.onIndicators(tick.instrumentId, state.lookup, tick.price, tick.ts);
  }

  private onBook(update: BookUpdate): void {
    this.options.publish('market_data', { ...update, sessionId: this.options.session.id });
    this.options.metrics?.setFeedLastTick(update.instrumentId, this.options.clock.now());
    const state = this.state(update.instrumentId);
    if (update.snapshot) state.book.snapshot(update.bids, update.asks);
    else state.book.apply(update.bids, update.asks);
    const levels = this.options.settings.feed.bookLevels;
    const bids = state.book.bids(levels, state.bids);
    const asks = state.book.asks(levels, state.asks);
    if (this.options.venue instanceof PaperVenue) this.options.venue.onBook(update.instrumentId as InstrumentId, update.ts, bids, asks);
    state.indicators.onBook(update.ts, bids, asks);
    this.strategyEngine.onIndicators(update.instrumentId, state.lookup, null, update.ts);
  }

  /** Open positions (DTOs) for the status. */
  positions(): PositionDto[] {
    return this.stack.account.allDtos().filter((p) => p.side !== 'FLAT');
  }
}

const sideOf = (orderSide: 'BUY' | 'SELL'): 'LONG' | 'SHORT' => (orderSide === 'BUY' ? 'LONG' : 'SHORT');
const toNumber = (value: string | null): number | null => (value === null ? null : Number(value));

function describeReport(report: ReconciliationReport): LiveDifferenceDto[] {
  const out: LiveDifferenceDto[] = [];
  for (const diff of report.localOnly) out.push({ kind: 'local_only', instrumentId: diff.instrumentId, detail: `the app holds ${diff.local?.side ?? ''} ${diff.local?.quantity ?? ''}; the exchange holds nothing` });
  for (const diff of report.exchangeOnly) out.push({ kind: 'exchange_only', instrumentId: diff.instrumentId, detail: `the exchange holds ${diff.exchange?.side ?? ''} ${diff.exchange?.quantity ?? ''} that the app did not open` });
  for (const diff of report.mismatched) out.push({ kind: 'mismatch', instrumentId: diff.instrumentId, detail: `the app holds ${diff.local?.side ?? ''} ${diff.local?.quantity ?? ''}; the exchange ${diff.exchange?.side ?? ''} ${diff.exchange?.quantity ?? ''}` });
  return out;
}
