import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import type { BookUpdate, SessionDto, SignalDto, TradeTick } from '../../../src-shared/contract/schemas';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import type { Position } from '../../../src-shared/domain/position';
import { Money } from '../../../src-shared/domain/values';
import type { StrategyDefinition } from '../../../src-shared/strategy/schema';
import { referencedIndicators } from '../../../src-shared/strategy/evaluate';
import { InProcessEventBus } from '../bus/event-bus';
import type { EventBus } from '../bus/types';
import { SimulatedClock, type Clock } from '../clock/clock';
import { OrderBook, type Level } from '../data/order-book';
import { PaperExecution } from '../execution/paper-execution';
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
  signalSlots: number;
  busRetryDelaysMs: number[];
  slippageBps: number;
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
  /** UNREALIZED_PNL_PCT by mark price, for pnlPosition only. */
  pnlPosition: Position | undefined;
  pnlByMark: Map<number, number | null>;
}

const PNL_CACHE_LIMIT = 4096;

/**
 * Everything a run builds from scratch: a backward seek throws it away and builds it again,
 * which is what makes the rerun produce the same ids, signals and trades as the first run.
 */
class Pipeline {
  readonly clock = new SimulatedClock(0);
  readonly bus: InProcessEventBus;
  readonly strategyEngine: StrategyEngine;
  /** The paper venue; reach it through `execution`, which brings the portfolio's marks up to date first. */
  private readonly venue: PaperExecution;
  readonly trades: ClosedTrade[] = [];
  readonly states = new Map<string, InstrumentState>();
  /** Orders sent to the paper venue and not yet filled or cancelled. */
  pendingOrders = 0;
  private lastState: InstrumentState | null = null;

  constructor(
    private readonly options: ReplaySessionOptions,
    private readonly variantIds: readonly string[],
  ) {
    const sessionId = options.session.id;
    const store = options.store;
    this.bus = new InProcessEventBus({ clock: this.clock, retryDelaysMs: options.busRetryDelaysMs, maxDeadLetters: 1000 });
    this.venue = new PaperExecution({
      sessionId,
      clock: this.clock,
      instruments: options.instruments,
      capital: options.capital,
      slippageBps: options.slippageBps,
      listener: {
        orderCreated: (order) => {
          // fills read the mark: bring it to where an undeferred replay would have it
          this.syncMark(this.state(order.instrumentId));
          this.pendingOrders++;
          store.orders.upsert(order);
          this.bus.publish('order_created', order);
        },
        orderFilled: (order, fill) => {
          this.pendingOrders--;
          store.orders.upsert(order);
          store.fills.insert(fill, sessionId);
          this.bus.publish('order_filled', { order, fill });
          const position = this.venue.portfolio.toDto(fill.instrumentId as InstrumentId);
          if (position !== null) {
            store.positions.upsert(position);
            this.bus.publish('position_updated', position);
          }
        },
        orderCancelled: (order) => {
          this.pendingOrders--;
          store.orders.upsert(order);
          this.bus.publish('order_cancelled', order);
        },
        entryResult: (strategyId, instrumentId, accepted, reason) => this.strategyEngine.onEntryResult(strategyId, instrumentId, { accepted, reason: reason ?? undefined }),
        positionClosed: (strategyId, instrumentId) => this.strategyEngine.onPositionClosed(strategyId, instrumentId),
        tradeClosed: (trade) => this.trades.push(trade),
      },
    });
    this.strategyEngine = new StrategyEngine({
      clock: this.clock,
      signalSlots: options.signalSlots,
      sessionId,
      onSignal: (signal: SignalDto) => {
        store.signals.insert(signal);
        this.bus.publish('signal_generated', signal);
      },
      onEntry: (request) =>
        this.venue.enter({
          strategyId: request.strategyId,
          instrumentId: request.instrumentId,
          direction: request.direction,
          positionSize: request.positionSize,
          leverage: request.leverage,
          price: request.price,
        }),
      onExit: (request) =>
        this.venue.exit({
          strategyId: request.strategyId,
          instrumentId: request.instrumentId,
          reason: request.section,
          closePosition: request.closePosition,
          cancelPending: request.cancelPending,
        }),
    });
    for (const strategy of options.strategies) this.strategyEngine.addStrategy(strategy);
    this.bus.subscribe('market_data', (data) => this.onMarketData(data), 'indicators+strategies');
    for (const topic of ['signal_generated', 'order_created', 'order_filled', 'order_cancelled', 'position_updated', 'risk_alert'] as const) {
      this.bus.subscribe(topic, (payload) => options.forward(topic, payload as never), 'forward');
    }
  }

  state(instrumentId: string): InstrumentState {
    const last = this.lastState;
    if (last !== null && last.instrumentId === instrumentId) return last;
    let state = this.states.get(instrumentId);
    if (state === undefined) {
      const indicators = new InstrumentIndicators(this.variantIds);
      const portfolio = this.venue.portfolio;
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
          const position = portfolio.position(id);
          if (position !== created.pnlPosition) {
            created.pnlPosition = position;
            created.pnlByMark.clear();
          }
          let value = created.pnlByMark.get(created.lastPrice);
          if (value === undefined) {
            this.syncMark(created);
            value = portfolio.unrealizedPnlPercent(id);
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
        pnlPosition: undefined,
        pnlByMark: new Map(),
      };
      state = created;
      this.states.set(instrumentId, state);
    }
    this.lastState = state;
    return state;
  }

  /** The paper venue, its portfolio marked to the last trade of every instrument. */
  get execution(): PaperExecution {
    for (const state of this.states.values()) this.syncMark(state);
    return this.venue;
  }

  /**
   * One recorded trade: the venue sees it first (fills the orders sent on the previous tick),
   * then indicators and strategies.
   *
   * The venue's per-trade work is filling pending orders and marking positions to the trade
   * price. An exact (Decimal) mark per price change is costly and mostly unread, so the venue is
   * called only while orders are pending; otherwise the mark is deferred and brought up to date
   * right before anything reads it: an order being created (its fill reads the mark), an
   * UNREALIZED_PNL_PCT lookup the cache cannot answer, and any access to the venue from outside
   * (`execution`). The observable state is the same as marking every tick.
   */
  trade(instrumentId: string, ts: number, price: number, quantity: number, side: 'buy' | 'sell'): TradeTick {
    this.clock.advanceTo(ts);
    const state = this.state(instrumentId);
    state.lastTs = ts;
    state.lastPrice = price;
    if (this.pendingOrders !== 0) {
      this.venue.onTrade(instrumentId as InstrumentId, ts, price);
      state.markedPrice = price;
    }
    const tick: TradeTick = { kind: 'trade', instrumentId, price, quantity, side, ts };
    this.bus.publish('market_data', tick);
    return tick;
  }

  book(update: BookUpdate): void {
    this.clock.advanceTo(update.ts);
    this.bus.publish('market_data', update);
  }

  stop(): void {
    this.strategyEngine.stop();
    this.bus.shutdown();
  }

  private syncMark(state: InstrumentState): void {
    if (Number.isNaN(state.lastPrice) || state.markedPrice === state.lastPrice) return;
    this.venue.portfolio.mark(state.instrumentId as InstrumentId, state.lastPrice);
    state.markedPrice = state.lastPrice;
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
    state.indicators.onBook(data.ts, state.book.bids(levels, state.bids), state.book.asks(levels, state.asks));
    this.strategyEngine.onIndicators(data.instrumentId, state.lookup, null, data.ts);
  }
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
      const outcome = await this.pass(onProgress);
      if (outcome !== 'restart') break;
      this.pipeline.stop();
      this.pipeline = new Pipeline(this.options, this.variantIds);
      for (const reason of this.strategyPauses) this.pipeline.strategyEngine.pause(reason);
      this.processed = 0;
      this.positionTs = null;
      this.options.logger.info('replay restarted for a backward seek', { sessionId: this.options.session.id, target: this.seekTarget });
    }
    this.seekTarget = null;
    if (!this.stopped) this.closeAtEndOfData();
    return this.result();
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
   * The kill switch for a paper session: cancels every pending order and sends a closing market
   * order for every open position. Like any paper market order, those fill at the next trade of
   * the data. Live execution gets its own kill switch in the risk layer.
   */
  flatten(reason: string): { cancelledOrders: number; flattenedPositions: number } {
    const pipeline = this.pipeline;
    const cancelledOrders = pipeline.execution.openOrderCount();
    const flattenedPositions = pipeline.execution.portfolio.openPositions().length;
    // orders and positions exist only on instruments that have ticked, so these are all of them
    for (const instrumentId of pipeline.states.keys()) {
      pipeline.execution.exit({ strategyId: '', instrumentId, reason, closePosition: true, cancelPending: true });
    }
    return { cancelledOrders, flattenedPositions };
  }

  /** Open positions and PnL for the engine status (tray, status bar). */
  tradingSnapshot(): { openPositions: number; currency: string; net: Money; unrealized: Money } {
    const portfolio = this.pipeline.execution.portfolio;
    const open = portfolio.openPositions();
    let unrealized = Money.zero(this.options.capital.currency);
    for (const position of open) unrealized = unrealized.plus(portfolio.unrealizedPnl(position.instrumentId));
    return { openPositions: open.length, currency: this.options.capital.currency, net: portfolio.equity().minus(this.options.capital), unrealized };
  }

  stop(): void {
    this.stopped = true;
    this.controlVersion++;
    this.wake();
    this.pipeline.stop();
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
      this.positionTs = ts;
      this.processed++;
      if ((this.processed & 1023) === 0 && host.now() - sliceStart >= sliceMs) {
        const progress = options.totalTicks > 0 ? Math.min(1, this.processed / options.totalTicks) : 1;
        if (progress - lastProgress >= 0.01) {
          lastProgress = progress;
          onProgress(progress);
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = host.now();
      }
    }
  }

  /**
   * Closes what is still open at the end of the data, at the last trade price, so every trade
   * is accounted for in the result.
   */
  private closeAtEndOfData(): void {
    const pipeline = this.pipeline;
    for (const position of pipeline.execution.portfolio.openPositions()) {
      const state = pipeline.states.get(position.instrumentId);
      if (state === undefined || Number.isNaN(state.lastPrice)) continue;
      pipeline.execution.exit({ strategyId: '', instrumentId: position.instrumentId, reason: 'end_of_data', closePosition: true, cancelPending: true });
      pipeline.execution.onTrade(position.instrumentId, state.lastTs, state.lastPrice);
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
