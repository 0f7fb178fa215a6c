import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import type { Settings } from '../../../src-shared/contract/settings';
import type { BookUpdate, SessionDto, SignalDto, TradeTick } from '../../../src-shared/contract/schemas';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import type { Money } from '../../../src-shared/domain/values';
import type { StrategyDefinition } from '../../../src-shared/strategy/schema';
import { referencedIndicators } from '../../../src-shared/strategy/evaluate';
import { InProcessEventBus } from '../bus/event-bus';
import type { EventBus } from '../bus/types';
import { SimulatedClock, type Clock } from '../clock/clock';
import { OrderBook, type Level } from '../data/order-book';
import type { Account } from '../execution/accounting';
import type { KillSwitchReport } from '../risk/kill-switch';
import { TradingStack, type TradingSnapshot } from '../execution/trading-stack';
import { PaperVenue, paperVenueSettings } from '../venues/paper-venue';
import { InstrumentIndicators, UNREALIZED_PNL_PCT } from '../indicators/registry';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/store';
import { bookUpdateAt, type BookChunk, type TradeChunk } from '../store/tick-codec';
import { StrategyEngine, type StrategyProgress, type StrategySymbolState } from '../strategy/strategy-runner';
import { computeMetrics, type BacktestMetrics, type ClosedTrade } from './backtest-report';

export type { TradeChunk } from '../store/tick-codec';

/** Levels per side of the rebuilt book handed to the book indicators. */
export const DEFAULT_REPLAY_BOOK_LEVELS = 20;

export interface ReplaySessionOptions {
  session: SessionDto;
  /** Recorded trades in time order (all instruments merged); called again on a restart. */
  chunks: () => Iterable<TradeChunk>;
  /** Recorded book updates in time order; merged with the trades by event time. */
  books?: () => Iterable<BookChunk>;
  /** Trades plus book updates, for progress. */
  totalTicks: number;
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  strategies: StrategyDefinition[];
  capital: Money;
  /** 0 = as fast as possible; 1 = real time; N = N× real time (paced on the host clock). */
  speed: number;
  /** Strategy slots, bus retries, paper venue (slippage, fees, funding, liquidation), risk and order manager limits. */
  settings: Settings;
  /** The host's clock: paces N× replays and slices work so the event loop stays responsive. */
  hostClock: Clock;
  store: Store;
  logger: Logger;
  /** Where the session's events go for the UI and the rest of the app. */
  forward: <T extends Topic>(topic: T, payload: EventPayload<T>) => void;
  /** Longest stretch of synchronous work before yielding to the event loop. */
  sliceMs?: number;
  /** Levels per side of the rebuilt book the indicators see (default 20). */
  bookLevels?: number;
}

export interface ReplayResult {
  metrics: BacktestMetrics;
  trades: ClosedTrade[];
  ticks: number;
}

export interface ReplayControlState {
  paused: boolean;
  speed: number;
  /** Event time of the last tick processed, or null before the first. */
  positionTs: number | null;
  /** A seek still being fast-forwarded to, or null. */
  seekTargetTs: number | null;
  processed: number;
  total: number;
}

/** What one instrument needs per tick, looked up once and kept (no Map lookups per tick). */
interface InstrumentState {
  readonly instrumentId: string;
  readonly indicators: InstrumentIndicators;
  /** The strategy engine's view of this instrument's values; one closure per instrument, not per tick. */
  readonly lookup: (variantId: string) => number | null;
  readonly book: OrderBook;
  readonly bids: Level[];
  readonly asks: Level[];
  /** Counts this instrument's market events: the lookup's memo is valid for one event. */
  event: number;
  lastTs: number;
  lastPrice: number;
  /** The last price handed to the portfolio as its mark (marking is deferred while flat). */
  markedPrice: number;
  /** UNREALIZED_PNL_PCT by mark price, for the position pnlPosition identifies (side, size, cost) only. */
  pnlPosition: string | null;
  pnlByMark: Map<number, number | null>;
}

const PNL_CACHE_LIMIT = 4096;

/**
 * Everything a run builds from scratch: a backward seek throws it away and builds it again,
 * which is what makes the rerun produce the same ids, signals and trades as the first run.
 *
 * Execution is the same TradingStack a live session uses (risk manager, order manager with its
 * journal, account, protective stops) over the paper venue, on the data's event time.
 */
class Pipeline {
  readonly clock = new SimulatedClock(0);
  readonly bus: InProcessEventBus;
  readonly strategyEngine: StrategyEngine;
  readonly venue: PaperVenue;
  /** Reach it through `execution`, which brings the account's marks up to date first. */
  private readonly stack: TradingStack;
  readonly states = new Map<string, InstrumentState>();
  /** Order work was started on this tick (a request, a venue answer, a fill): let it finish before the next tick. */
  orderWork = false;
  private started: Promise<void> | null = null;
  private lastState: InstrumentState | null = null;
  /**
   * Signals not yet written: one SQLite commit per signal cost more than the order journal in a
   * busy backtest, so they are written together when the replay yields (flushSignals). The bus
   * still hears each one at once.
   */
  private pendingSignals: SignalDto[] = [];

  constructor(
    private readonly options: ReplaySessionOptions,
    private readonly variantIds: readonly string[],
  ) {
    const sessionId = options.session.id;
    const { settings, logger } = options;
    this.bus = new InProcessEventBus({ clock: this.clock, retryDelaysMs: settings.bus.retryDelaysMs, maxDeadLetters: 1000 });
    this.venue = new PaperVenue({ clock: this.clock, instruments: options.instruments, startingBalance: options.capital, name: 'paper', ...paperVenueSettings(settings.paper) });
    this.venue.subscribe({ onOrderUpdate: () => this.workStarted(), onFill: () => this.workStarted(), onLiquidation: () => this.workStarted() });
    let orderSeq = 0;
    this.stack = new TradingStack({
      sessionId, venue: this.venue, clock: this.clock, settings, instruments: options.instruments, capital: options.capital, store: options.store, bus: this.bus,
      exchange: false, logger: logger.child('execution'),
      // the same ids on every run of the same data (a backward seek rewrites the same rows)
      clientOrderIds: () => `${sessionId}-o${++orderSeq}`,
    });
    this.strategyEngine = new StrategyEngine({
      clock: this.clock,
      signalSlots: settings.strategy.signalSlots,
      sessionId,
      onSignal: (signal: SignalDto) => {
        this.pendingSignals.push(signal);
        this.bus.publish('signal_generated', signal);
      },
      onEntry: (request) => {
        this.workStarted();
        // risk reads every position's exposure: bring all marks up to date first
        this.syncAllMarks();
        this.stack.enter(request).catch((error: unknown) => logger.error('entry failed', { strategyId: request.strategyId, instrumentId: request.instrumentId, error }));
      },
      onExit: (request) => {
        this.workStarted();
        this.syncAllMarks();
        this.stack.exit(request).catch((error: unknown) => logger.error('exit failed', { strategyId: request.strategyId, instrumentId: request.instrumentId, error }));
      },
    });
    this.stack.connectStrategies(this.strategyEngine);
    for (const strategy of options.strategies) this.strategyEngine.addStrategy(strategy);
    this.bus.subscribe('market_data', (data) => this.onMarketData(data), 'indicators+strategies');
    for (const topic of ['signal_generated', 'order_created', 'order_filled', 'order_cancelled', 'position_updated', 'risk_alert'] as const) {
      this.bus.subscribe(topic, (payload) => options.forward(topic, payload as never), 'forward');
    }
  }

  /**
   * Starts execution at the data's first event time: the order manager's timers (status polls,
   * cleanup) are set on the session clock, which must not have to run them from 1970 onwards.
   */
  begin(firstTs: number): Promise<void> {
    if (this.started === null) {
      if (Number.isFinite(firstTs)) this.clock.advanceTo(firstTs);
      this.started = this.stack.start().then(() => undefined);
    }
    return this.started;
  }

  state(instrumentId: string): InstrumentState {
    const last = this.lastState;
    if (last !== null && last.instrumentId === instrumentId) return last;
    let state = this.states.get(instrumentId);
    if (state === undefined) {
      const indicators = new InstrumentIndicators(this.variantIds);
      const account = this.stack.account;
      const id = instrumentId as InstrumentId;
      const memo = new Map<string, { event: number; value: number | null }>();
      const created: InstrumentState = {
        instrumentId,
        indicators,
        lookup: (variantId) => {
          if (variantId !== UNREALIZED_PNL_PCT) {
            // a strategy reads a value several times per event (BOTH reads every section twice):
            // computed once per market event, since nothing changes it until the next one
            let slot = memo.get(variantId);
            if (slot === undefined) {
              slot = { event: -1, value: null };
              memo.set(variantId, slot);
            }
            if (slot.event !== created.event) {
              slot.value = indicators.value(variantId);
              slot.event = created.event;
            }
            return slot.value;
          }
          // exact (Decimal) and so costly, yet a pure function of the position and its mark (the
          // last price while a position is open): remembered per price for the life of the position
          const position = account.position(id);
          const key = position === null ? null : `${position.side}|${position.quantity.raw}|${position.entryCost.raw}`;
          if (key !== created.pnlPosition) {
            created.pnlPosition = key;
            created.pnlByMark.clear();
          }
          let value = created.pnlByMark.get(created.lastPrice);
          if (value === undefined) {
            this.syncMark(created);
            value = unrealizedPnlPercent(account, id);
            if (created.pnlByMark.size < PNL_CACHE_LIMIT) created.pnlByMark.set(created.lastPrice, value);
          }
          return value;
        },
        book: new OrderBook(),
        bids: [],
        asks: [],
        event: 0,
        lastTs: Number.NaN,
        lastPrice: Number.NaN,
        markedPrice: Number.NaN,
        pnlPosition: null,
        pnlByMark: new Map(),
      };
      state = created;
      this.states.set(instrumentId, state);
    }
    this.lastState = state;
    return state;
  }

  /** The session's execution layer, its account marked to the last trade of every instrument. */
  get execution(): TradingStack {
    for (const state of this.states.values()) this.syncMark(state);
    return this.stack;
  }

  /** The account's closed round trips so far. */
  get trades(): readonly ClosedTrade[] {
    return this.stack.account.closedTrades();
  }

  /**
   * One recorded trade: the venue sees it first (fills the orders sent on an earlier tick, funding,
   * liquidation), then the protective stops, then indicators and strategies.
   *
   * Marking the account exactly (Decimal) at every price is costly and mostly unread, so it is
   * deferred and brought up to date right before anything reads it: an entry or exit (risk reads
   * every position), a protective level crossed, an UNREALIZED_PNL_PCT lookup the cache cannot
   * answer, and any access from outside (`execution`). The observable state is the same as
   * marking every tick (the reference replay in the tests checks it).
   */
  trade(instrumentId: string, ts: number, price: number, quantity: number, side: 'buy' | 'sell'): TradeTick {
    this.clock.advanceTo(ts);
    const state = this.state(instrumentId);
    state.lastTs = ts;
    state.lastPrice = price;
    this.venue.onTrade(instrumentId as InstrumentId, ts, price);
    const protections = this.stack.protections;
    if (protections.active && protections.crossed(instrumentId, price)) {
      this.syncMark(state);
      protections.onTrade(instrumentId, price);
      this.workStarted();
    }
    const tick: TradeTick = { kind: 'trade', instrumentId, price, quantity, side, ts };
    this.bus.publish('market_data', tick);
    return tick;
  }

  book(update: BookUpdate): void {
    this.clock.advanceTo(update.ts);
    this.bus.publish('market_data', update);
  }

  /** Closes what is still open at the end of the data at the last trade price, so every trade is in the result. */
  async closeAtEndOfData(): Promise<void> {
    const stack = this.execution;
    await stack.orders.cancelAll({ reason: 'end_of_data', keepReduceOnly: true });
    for (const position of stack.account.openPositions()) {
      const state = this.states.get(position.instrumentId);
      if (state === undefined || Number.isNaN(state.lastPrice)) continue;
      await stack.orders.closePosition({ instrumentId: position.instrumentId, reason: 'end_of_data', referencePrice: state.lastPrice, emergency: true });
      await drain();
      this.venue.onTrade(position.instrumentId, state.lastTs, state.lastPrice);
      await drain();
    }
  }

  /**
   * Ends the run: a run thrown away by a backward seek cancels its working orders first, so the
   * journal holds no open order of a run that no longer exists (the rerun rewrites the same ids).
   */
  async stop(): Promise<void> {
    this.strategyEngine.stop();
    await this.begin(Number.NaN);
    await this.stack.orders.cancelAll({ reason: 'replay_ended' });
    await drain();
    await this.stack.stop();
    this.flushSignals();
    this.bus.shutdown();
  }

  /** Writes the signals generated since the last call, in one transaction, in the order they came. */
  flushSignals(): void {
    const signals = this.pendingSignals;
    if (signals.length === 0) return;
    this.pendingSignals = [];
    const store = this.options.store;
    try {
      store.transaction(() => {
        for (const signal of signals) store.signals.insert(signal);
      });
    } catch (error) {
      // the signal history is a record for the trader, not the order journal: the replay goes on
      this.options.logger.error('signals could not be written', { count: signals.length, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private workStarted(): void {
    this.orderWork = true;
  }

  private syncMark(state: InstrumentState): void {
    if (Number.isNaN(state.lastPrice) || state.markedPrice === state.lastPrice) return;
    this.stack.account.mark(state.instrumentId as InstrumentId, state.lastPrice);
    state.markedPrice = state.lastPrice;
  }

  /** Before an entry or exit: risk and sizing read every position at its mark. */
  syncAllMarks(): void {
    for (const state of this.states.values()) this.syncMark(state);
  }

  private onMarketData(data: EventPayload<'market_data'>): void {
    const state = this.state(data.instrumentId);
    state.event++;
    if (data.kind === 'trade') {
      state.indicators.onTrade(data.ts, data.price, data.quantity, data.side);
      this.strategyEngine.onIndicators(data.instrumentId, state.lookup, data.price, data.ts);
      return;
    }
    // recorded updates may be deltas: the indicators always see the rebuilt top of book
    if (data.snapshot) state.book.snapshot(data.bids, data.asks);
    else state.book.apply(data.bids, data.asks);
    const levels = this.options.bookLevels ?? DEFAULT_REPLAY_BOOK_LEVELS;
    const bids = state.book.bids(levels, state.bids);
    const asks = state.book.asks(levels, state.asks);
    // market orders walk the recorded book (the paper venue fills at the next event)
    this.venue.onBook(data.instrumentId as InstrumentId, data.ts, bids, asks);
    state.indicators.onBook(data.ts, bids, asks);
    this.strategyEngine.onIndicators(data.instrumentId, state.lookup, null, data.ts);
  }
}

/** Lets every queued microtask run (order manager, journal group commits, fills): order work finishes before the next tick. */
function drain(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** Unrealised PnL as % of the position's entry notional (UNREALIZED_PNL_PCT), or null when flat. */
export function unrealizedPnlPercent(account: Account, instrumentId: InstrumentId): number | null {
  const position = account.position(instrumentId);
  if (position === null || position.side === 'FLAT' || position.entryCost.isZero()) return null;
  return account.unrealizedPnl(instrumentId).div(position.entryCost, 'half-even').toNumber() * 100;
}

/** Cursor over a stream of chunks: the current chunk and the position in it. */
interface Cursor<C extends { count: number }> {
  iterator: Iterator<C>;
  chunk: C | null;
  index: number;
}

function cursor<C extends { count: number }>(source: Iterable<C>): Cursor<C> {
  const c: Cursor<C> = { iterator: source[Symbol.iterator](), chunk: null, index: 0 };
  advanceChunk(c);
  return c;
}

/** Moves to the next non-empty chunk, or chunk = null at the end. */
function advanceChunk<C extends { count: number }>(c: Cursor<C>): void {
  c.index = 0;
  for (;;) {
    const next = c.iterator.next();
    if (next.done === true) {
      c.chunk = null;
      return;
    }
    if (next.value.count > 0) {
      c.chunk = next.value;
      return;
    }
  }
}

/**
 * A backtest or offline paper session: recorded trades and book updates, merged by event time
 * (a trade before a book update stamped the same millisecond) → market_data on the session's
 * bus → indicators → strategies → paper execution → positions. Its clock is the data's event
 * time, so timeouts, cooldowns and retries behave as live and the result is bit-for-bit
 * repeatable.
 *
 * Controls (any time while it runs): pause/resume; setSpeed (0 = as fast as possible, N =
 * N× real time on the host clock); seek(ts) — forward fast-forwards without pacing, backward
 * restarts from the beginning with everything rebuilt and fast-forwards to ts. A seek while
 * paused is carried out and the replay stays paused at the target.
 */
export class ReplaySession {
  private pipeline: Pipeline;
  private readonly variantIds: string[];
  private stopped = false;
  private processed = 0;
  private positionTs: number | null = null;
  private speed: number;
  private paused = false;
  private seekTarget: number | null = null;
  private restartRequested = false;
  /** Bumped by every control call; the hot loop compares one integer per tick. */
  private controlVersion = 0;
  private wakeUp: (() => void) | null = null;
  /** Engine-wide strategy pauses (manual, kill switch): apart from the replay's own pause, and re-applied when a backward seek rebuilds the pipeline. */
  private readonly strategyPauses = new Set<string>();

  constructor(private readonly options: ReplaySessionOptions) {
    if (!(options.speed >= 0) || !Number.isFinite(options.speed)) throw new RangeError(`replay speed must be ≥ 0, got ${options.speed}`);
    this.speed = options.speed;
    this.variantIds = [...new Set(options.strategies.flatMap((s) => referencedIndicators(s)))].filter((id) => id !== UNREALIZED_PNL_PCT);
    this.pipeline = new Pipeline(options, this.variantIds);
  }

  /** The session's simulated clock (a backward seek replaces it). */
  get clock(): SimulatedClock {
    return this.pipeline.clock;
  }

  /** The session's own bus (a backward seek replaces it). */
  get bus(): EventBus {
    return this.pipeline.bus;
  }

  /** The strategies' state overview (strategy × symbol × state × since), for the UI while the replay runs. */
  strategyStates(): StrategySymbolState[] {
    return this.pipeline.strategyEngine.states();
  }

  /** Which conditions of each section hold now, for the UI while the replay runs. */
  strategyProgress(strategyId: string, instrumentId: string): StrategyProgress | null {
    return this.pipeline.strategyEngine.progress(strategyId, instrumentId);
  }

  /** True when stop() ended the run before the end of the data. */
  get stoppedEarly(): boolean {
    return this.stopped;
  }

  controls(): ReplayControlState {
    return {
      paused: this.paused,
      speed: this.speed,
      positionTs: this.positionTs,
      seekTargetTs: this.seekTarget,
      processed: this.processed,
      total: this.options.totalTicks,
    };
  }

  pause(): void {
    this.paused = true;
    this.controlVersion++;
  }

  resume(): void {
    this.paused = false;
    this.controlVersion++;
    this.wake();
  }

  setSpeed(speed: number): void {
    if (!(speed >= 0) || !Number.isFinite(speed)) throw new RangeError(`replay speed must be ≥ 0, got ${speed}`);
    this.speed = speed;
    this.controlVersion++;
    this.wake();
  }

  /** Forward: fast-forward to ts. Backward (ts before the last processed tick): restart and fast-forward. */
  seek(ts: number): void {
    if (!Number.isFinite(ts)) throw new RangeError(`seek target must be a time in ms, got ${ts}`);
    if (this.positionTs !== null && ts < this.positionTs) this.restartRequested = true;
    this.seekTarget = ts;
    this.controlVersion++;
    this.wake();
  }

  /** Runs to the end of the data (or until stop()); progress (0..1) is reported as it goes. */
  async run(onProgress: (progress: number) => void): Promise<ReplayResult> {
    for (;;) {
      let outcome: 'end' | 'restart';
      try {
        outcome = await this.pass(onProgress);
      } finally {
        // whatever ended the pass, the signals it generated are on record
        this.pipeline.flushSignals();
      }
      if (outcome !== 'restart') break;
      await this.pipeline.stop();
      this.options.store.resetSessionExecution(this.options.session.id);
      this.pipeline = new Pipeline(this.options, this.variantIds);
      for (const reason of this.strategyPauses) this.pipeline.strategyEngine.pause(reason);
      this.processed = 0;
      this.positionTs = null;
      this.options.logger.info('replay restarted for a backward seek', { sessionId: this.options.session.id, target: this.seekTarget });
    }
    this.seekTarget = null;
    if (!this.stopped) await this.pipeline.closeAtEndOfData();
    const result = this.result();
    await this.pipeline.stop();
    return result;
  }

  /** No new entries while any reason holds (exits still run: a paused strategy still closes its position). */
  pauseStrategies(reason: string): void {
    this.strategyPauses.add(reason);
    this.pipeline.strategyEngine.pause(reason);
  }

  resumeStrategies(reason: string): void {
    this.strategyPauses.delete(reason);
    this.pipeline.strategyEngine.resume(reason);
  }

  /**
   * The kill switch for a paper session: the session's risk manager halts, every working order
   * is cancelled and every open position gets a reduce-only market close, which (like any paper
   * market order) fills at the next trade of the data.
   */
  async flatten(reason: string): Promise<KillSwitchReport> {
    const report = await this.pipeline.execution.engageKillSwitch(reason);
    this.pipeline.orderWork = true;
    return report;
  }

  /** The trader lifted the kill switch: the session's risk manager trades again. */
  resumeTrading(): void {
    this.pipeline.execution.risk.setTradingState('ACTIVE', 'resumed_by_trader');
  }

  /** The session's execution layer (orders, account, protective stops) for the trader's actions; replaced by a backward seek. */
  get execution(): TradingStack {
    return this.pipeline.execution;
  }

  /** Open positions and PnL for the engine status (tray, status bar). */
  tradingSnapshot(): TradingSnapshot {
    return this.pipeline.execution.tradingSnapshot();
  }

  /** Ends the run where it is; run() then stops the pipeline and resolves with the result so far. */
  stop(): void {
    this.stopped = true;
    this.controlVersion++;
    this.wake();
  }

  /** Resolves after `ms` on the host clock, or at once when a control call wakes the replay. */
  private waitForControl(ms: number): Promise<void> {
    const host = this.options.hostClock;
    return new Promise<void>((resolve) => {
      const timer = Number.isFinite(ms) ? host.setTimeout(() => {
        this.wakeUp = null;
        resolve();
      }, ms) : null;
      this.wakeUp = () => {
        if (timer !== null) host.clearTimeout(timer);
        resolve();
      };
    });
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = null;
    wakeUp?.();
  }

  /**
   * One pass over the data from the start. Returns 'restart' when a backward seek asked for one,
   * 'end' at the end of the data or on stop.
   */
  private async pass(onProgress: (progress: number) => void): Promise<'end' | 'restart'> {
    const options = this.options;
    const host = options.hostClock;
    const sliceMs = options.sliceMs ?? 20;
    const pipeline = this.pipeline;
    const trades = cursor(options.chunks());
    const books = options.books === undefined ? null : cursor(options.books());
    await pipeline.begin(Math.min(trades.chunk?.ts[0] ?? Number.POSITIVE_INFINITY, books?.chunk?.ts[0] ?? Number.POSITIVE_INFINITY));
    let sliceStart = host.now();
    let lastProgress = 0;
    let seenVersion = -1;
    // pacing: data time ↔ host time origin, reset on every control change
    let paceOriginData = Number.NaN;
    let paceOriginHost = 0;
    let paced = false;
    let fastForward = false;

    for (;;) {
      // next event: the earlier of the two streams; a trade first on a tie
      const tradeChunk = trades.chunk;
      const bookChunk = books?.chunk ?? null;
      if (tradeChunk === null && bookChunk === null) return 'end';
      const tradeTs = tradeChunk === null ? Number.POSITIVE_INFINITY : tradeChunk.ts[trades.index]!;
      const isTrade = bookChunk === null || tradeTs <= bookChunk.ts[books!.index]!;
      const ts = isTrade ? tradeTs : bookChunk.ts[books!.index]!;

      if (seenVersion !== this.controlVersion) {
        // a control changed (or first tick): settle stop, restart, seek and pause before going on
        if (this.stopped) return 'end';
        if (this.restartRequested) {
          this.restartRequested = false;
          return 'restart';
        }
        if (this.paused && this.seekTarget === null) {
          pipeline.flushSignals();
          await this.waitForControl(Number.POSITIVE_INFINITY);
          continue; // re-read everything: the wake-up may have been a stop or a seek
        }
        seenVersion = this.controlVersion;
        fastForward = this.seekTarget !== null;
        paced = this.speed > 0 && !fastForward;
        paceOriginData = Number.NaN;
      }
      if (fastForward && ts >= this.seekTarget!) {
        // arrived: pacing (or the pause) starts again from here
        this.seekTarget = null;
        this.controlVersion++;
        continue;
      }
      if (paced) {
        if (Number.isNaN(paceOriginData)) {
          paceOriginData = ts;
          paceOriginHost = host.now();
        }
        const wait = paceOriginHost + (ts - paceOriginData) / this.speed - host.now();
        if (wait > 0) {
          pipeline.flushSignals();
          // a control call (pause, speed, seek, stop) cuts the wait short
          await this.waitForControl(wait);
          if (seenVersion !== this.controlVersion) continue;
        }
      }

      if (isTrade) {
        const i = trades.index;
        const tick = pipeline.trade(tradeChunk!.instrumentId, ts, tradeChunk!.price[i]!, tradeChunk!.quantity[i]!, tradeChunk!.side[i] === 0 ? 'buy' : 'sell');
        if (paced) options.forward('market_data', tick);
        if (++trades.index >= tradeChunk!.count) advanceChunk(trades);
      } else {
        const update = bookUpdateAt(bookChunk, books!.index);
        pipeline.book(update);
        if (paced) options.forward('market_data', update);
        if (++books!.index >= bookChunk.count) advanceChunk(books!);
      }
      // order work started by this tick (entries, exits, fills) completes before the next tick, as
      // it would between two trades live: what a run does never depends on the host's timing
      while (pipeline.orderWork) {
        pipeline.orderWork = false;
        // fills and positions are accounted at the marks of this tick, as if marked every tick
        pipeline.syncAllMarks();
        await drain();
      }
      this.positionTs = ts;
      this.processed++;
      if ((this.processed & 1023) === 0 && host.now() - sliceStart >= sliceMs) {
        const progress = options.totalTicks > 0 ? Math.min(1, this.processed / options.totalTicks) : 1;
        if (progress - lastProgress >= 0.01) {
          lastProgress = progress;
          onProgress(progress);
        }
        pipeline.flushSignals();
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = host.now();
      }
    }
  }

  private result(): ReplayResult {
    const trades = this.pipeline.trades;
    return {
      metrics: computeMetrics(trades, Decimal.of(this.options.capital)),
      trades: [...trades],
      ticks: this.processed,
    };
  }
}
