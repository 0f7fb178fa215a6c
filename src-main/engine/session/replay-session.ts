import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import type { SessionDto, SignalDto, TradeTick } from '../../../src-shared/contract/schemas';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import type { Money } from '../../../src-shared/domain/values';
import type { StrategyDefinition } from '../../../src-shared/strategy/schema';
import { referencedIndicators } from '../../../src-shared/strategy/evaluate';
import { InProcessEventBus } from '../bus/event-bus';
import type { EventBus } from '../bus/types';
import { SimulatedClock, type Clock } from '../clock/clock';
import { PaperExecution } from '../execution/paper-execution';
import { InstrumentIndicators } from '../indicators/registry';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/store';
import { StrategyEngine } from '../strategy/strategy-runner';
import { computeMetrics, type BacktestMetrics, type ClosedTrade } from './backtest-report';

/** Decoded columns of recorded trades, as the tick store yields them. */
export interface TradeChunk {
  instrumentId: string;
  ts: Float64Array;
  price: Float64Array;
  quantity: Float64Array;
  side: Uint8Array; // 0 = buy, 1 = sell
  count: number;
}

export interface ReplaySessionOptions {
  session: SessionDto;
  chunks: () => Iterable<TradeChunk>;
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
}

export interface ReplayResult {
  metrics: BacktestMetrics;
  trades: ClosedTrade[];
  ticks: number;
}

/**
 * A backtest or offline paper session: recorded ticks → (market_data on the session's bus) →
 * indicators → strategies → paper execution → positions. Its clock is the data's event time,
 * so timeouts, cooldowns and retries behave as live and the result is bit-for-bit repeatable.
 */
export class ReplaySession {
  readonly clock: SimulatedClock;
  readonly bus: EventBus;
  private readonly indicators = new Map<string, InstrumentIndicators>();
  private readonly strategyEngine: StrategyEngine;
  private readonly execution: PaperExecution;
  private readonly trades: ClosedTrade[] = [];
  private readonly variantIds: string[];
  private readonly lastTrade = new Map<string, { ts: number; price: number }>();
  private stopped = false;
  private processed = 0;

  constructor(private readonly options: ReplaySessionOptions) {
    this.clock = new SimulatedClock(0);
    this.bus = new InProcessEventBus({ clock: this.clock, retryDelaysMs: options.busRetryDelaysMs, maxDeadLetters: 1000 });
    const sessionId = options.session.id;
    this.variantIds = [...new Set(options.strategies.flatMap((s) => referencedIndicators(s)))].filter((id) => id !== 'UNREALIZED_PNL_PCT');
    this.execution = new PaperExecution({
      sessionId,
      clock: this.clock,
      instruments: options.instruments,
      capital: options.capital,
      slippageBps: options.slippageBps,
      listener: {
        orderCreated: (order) => {
          options.store.orders.upsert(order);
          this.bus.publish('order_created', order);
        },
        orderFilled: (order, fill) => {
          options.store.orders.upsert(order);
          options.store.fills.insert(fill, sessionId);
          this.bus.publish('order_filled', { order, fill });
          const position = this.execution.portfolio.toDto(fill.instrumentId as InstrumentId);
          if (position !== null) {
            options.store.positions.upsert(position);
            this.bus.publish('position_updated', position);
          }
        },
        orderCancelled: (order) => {
          options.store.orders.upsert(order);
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
        options.store.signals.insert(signal);
        this.bus.publish('signal_generated', signal);
      },
      onEntry: (request) =>
        this.execution.enter({
          strategyId: request.strategyId,
          instrumentId: request.instrumentId,
          direction: request.direction,
          positionSize: request.positionSize,
          leverage: request.leverage,
          price: request.price,
        }),
      onExit: (request) =>
        this.execution.exit({
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

  /** Runs to the end of the data (or until stop()); progress is written to the session row. */
  async run(onProgress: (progress: number) => void): Promise<ReplayResult> {
    const sliceMs = this.options.sliceMs ?? 20;
    const host = this.options.hostClock;
    let sliceStart = host.now();
    let paceOriginData: number | null = null;
    let paceOriginHost = 0;
    let lastProgress = 0;
    for (const chunk of this.options.chunks()) {
      const instrumentId = chunk.instrumentId;
      for (let i = 0; i < chunk.count; i++) {
        if (this.stopped) return this.result();
        const ts = chunk.ts[i]!;
        if (this.options.speed > 0) {
          if (paceOriginData === null) {
            paceOriginData = ts;
            paceOriginHost = host.now();
          }
          const due = paceOriginHost + (ts - paceOriginData) / this.options.speed;
          const wait = due - host.now();
          if (wait > 0) await host.sleep(wait);
        }
        this.clock.advanceTo(ts);
        const price = chunk.price[i]!;
        this.lastTrade.set(instrumentId, { ts, price });
        this.execution.onTrade(instrumentId as InstrumentId, ts, price);
        const tick: TradeTick = { kind: 'trade', instrumentId, price, quantity: chunk.quantity[i]!, side: chunk.side[i] === 0 ? 'buy' : 'sell', ts };
        this.bus.publish('market_data', tick);
        if (this.options.speed > 0) this.options.forward('market_data', tick);
        this.processed++;
        if ((this.processed & 1023) === 0 && host.now() - sliceStart >= sliceMs) {
          const progress = this.options.totalTicks > 0 ? this.processed / this.options.totalTicks : 1;
          if (progress - lastProgress >= 0.01) {
            lastProgress = progress;
            onProgress(progress);
          }
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = host.now();
        }
      }
    }
    // close what is still open at the end of the data, at the last trade price, so every
    // trade is accounted for in the result
    for (const position of this.execution.portfolio.openPositions()) {
      const last = this.lastTrade.get(position.instrumentId);
      if (last === undefined) continue;
      this.execution.exit({ strategyId: '', instrumentId: position.instrumentId, reason: 'end_of_data', closePosition: true, cancelPending: true });
      this.execution.onTrade(position.instrumentId, last.ts, last.price);
    }
    return this.result();
  }

  stop(): void {
    this.stopped = true;
    this.strategyEngine.stop();
    this.bus.shutdown();
  }

  private onMarketData(data: EventPayload<'market_data'>): void {
    if (data.kind !== 'trade') return;
    let indicators = this.indicators.get(data.instrumentId);
    if (indicators === undefined) {
      indicators = new InstrumentIndicators(this.variantIds);
      this.indicators.set(data.instrumentId, indicators);
    }
    indicators.onTrade(data.ts, data.price, data.quantity, data.side);
    const instrumentId = data.instrumentId as InstrumentId;
    const lookup = (id: string): number | null => (id === 'UNREALIZED_PNL_PCT' ? this.execution.portfolio.unrealizedPnlPercent(instrumentId) : indicators.value(id));
    this.strategyEngine.onIndicators(data.instrumentId, lookup, data.price, data.ts);
  }

  private result(): ReplayResult {
    return {
      metrics: computeMetrics(this.trades, Decimal.of(this.options.capital)),
      trades: [...this.trades],
      ticks: this.processed,
    };
  }
}
