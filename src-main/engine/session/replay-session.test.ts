import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import { defaultSettings, type Settings } from '../../../src-shared/contract/settings';
import type { PositionDto, SessionDto, SignalDto } from '../../../src-shared/contract/schemas';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import { Money } from '../../../src-shared/domain/values';
import { referencedIndicators } from '../../../src-shared/strategy/evaluate';
import { validateStrategy, type StrategyDefinition } from '../../../src-shared/strategy/schema';
import { BTC_TRADES, migrationsDir, resourcesDir, sharedData } from '../../../tests/fixtures/paths';
import { SimulatedClock, WallClock } from '../clock/clock';
import { loadInstrumentCatalog } from '../data/instruments';
import { RecordingService } from '../data/recording-service';
import { TradingStack } from '../execution/trading-stack';
import { InProcessEventBus } from '../bus/event-bus';
import { PaperVenue, paperVenueSettings } from '../venues/paper-venue';
import { InstrumentIndicators } from '../indicators/registry';
import { createLogger, memorySink } from '../ops/logger';
import { openStore, type Store } from '../store/store';
import { StrategyEngine } from '../strategy/strategy-runner';
import { computeMetrics, type ClosedTrade } from './backtest-report';
import { ReplaySession, unrealizedPnlPercent, type ReplaySessionOptions } from './replay-session';

const instruments = loadInstrumentCatalog(resourcesDir);
const BOOK_TICKER = sharedData('orderbook', 'binance-usdm-btcusdt-bookticker-20240808T235416Z-20240809T000001Z.csv');
const EXAMPLES = ['pump-long', 'dump-short', 'momentum-both'] as const;

function strategy(name: string): StrategyDefinition {
  const validated = validateStrategy(JSON.parse(readFileSync(path.join(resourcesDir, 'strategies', `${name}.json`), 'utf8')));
  if (!validated.ok) throw new Error(validated.error.message);
  return validated.value;
}

let store: Store;
let tradesOnly: string;
let withBooks: string;
let sessionCounter = 0;

beforeAll(async () => {
  store = openStore(':memory:', { migrationsDir });
  const service = new RecordingService(store, instruments, createLogger('test', memorySink()));
  const a = await service.importCsv({ path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
  const b = await service.importCsv({ path: BTC_TRADES, extraPaths: [BOOK_TICKER], instrumentId: 'BTC/USDT:USDT' });
  if (!a.ok || !b.ok) throw new Error('import failed');
  tradesOnly = a.value.id;
  withBooks = b.value.id;
});

function newSession(recordingId: string): SessionDto {
  const session: SessionDto = {
    id: `replay-test-${++sessionCounter}`, kind: 'backtest', status: 'running', name: 't', instruments: ['BTC/USDT:USDT'], strategyIds: [],
    dataSessionId: recordingId, startedAt: 0, endedAt: null, progress: 0, error: null, createdAt: 0,
  };
  store.sessions.create(session, {});
  return session;
}

function replay(recordingId: string, strategies: StrategyDefinition[], overrides: Partial<ReplaySessionOptions> = {}): ReplaySession {
  const recording = store.recordings.get(recordingId)!;
  return new ReplaySession({
    session: newSession(recordingId),
    chunks: () => store.recordings.readTradeChunks(recordingId),
    ...(recording.bookCount > 0 ? { books: () => store.recordings.readBookChunks(recordingId) } : {}),
    totalTicks: recording.tradeCount + recording.bookCount,
    instruments,
    strategies,
    capital: Money.money('10000'),
    speed: 0,
    settings: testSettings(),
    hostClock: new WallClock(),
    store,
    logger: createLogger('test', memorySink()),
    forward: () => undefined,
    ...overrides,
  });
}

/** Default settings with room for the examples' sizing (positions of 10% margin at 3× leverage). */
function testSettings(): Settings {
  return defaultSettings();
}

/**
 * The replay written the plain way — the account marked and the paper venue told at every trade,
 * the exact unrealised PnL computed at every lookup, every piece of order work finished after
 * every tick, no caching — as the reference the optimised hot path must match.
 */
async function referenceReplay(recordingId: string, definition: StrategyDefinition): Promise<{ trades: ClosedTrade[]; signals: SignalDto[]; positions: PositionDto[] }> {
  const firstChunk = store.recordings.readTradeChunks(recordingId)[Symbol.iterator]().next();
  const clock = new SimulatedClock(firstChunk.done === true ? 0 : firstChunk.value.ts[0]!);
  const signals: SignalDto[] = [];
  const positions: PositionDto[] = [];
  const sessionId = `reference-${++sessionCounter}`;
  const settings = testSettings();
  const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 10 });
  bus.subscribe('position_updated', (position) => {
    positions.push(position);
  }, 'reference');
  const venue = new PaperVenue({ clock, instruments, startingBalance: Money.money('10000'), ...paperVenueSettings(settings.paper) });
  let seq = 0;
  const stack = new TradingStack({
    sessionId, venue, clock, settings, instruments, capital: Money.money('10000'), store, bus, exchange: false, clientOrderIds: () => `${sessionId}-o${++seq}`,
  });
  const engine = new StrategyEngine({
    clock, signalSlots: settings.strategy.signalSlots, sessionId: 'same', onSignal: (s) => signals.push(s),
    onEntry: (r) => void stack.enter(r),
    onExit: (r) => void stack.exit(r),
  });
  stack.connectStrategies(engine);
  await stack.start();
  engine.addStrategy(definition);
  const indicators = new InstrumentIndicators(referencedIndicators(definition).filter((id) => id !== 'UNREALIZED_PNL_PCT'));
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  let last = { ts: 0, price: 0 };
  for (const chunk of store.recordings.readTradeChunks(recordingId)) {
    const id = chunk.instrumentId as InstrumentId;
    for (let i = 0; i < chunk.count; i++) {
      const ts = chunk.ts[i]!;
      const price = chunk.price[i]!;
      clock.advanceTo(ts);
      last = { ts, price };
      venue.onTrade(id, ts, price);
      // marked at every trade (no republishing: a replay publishes positions on fills only)
      stack.account.mark(id, price);
      if (stack.protections.active) stack.protections.onTrade(id, price);
      indicators.onTrade(ts, price, chunk.quantity[i]!, chunk.side[i] === 0 ? 'buy' : 'sell');
      engine.onIndicators(id, (v) => (v === 'UNREALIZED_PNL_PCT' ? unrealizedPnlPercent(stack.account, id) : indicators.value(v)), price, ts);
      await settle();
      await settle();
    }
  }
  for (const position of stack.account.openPositions()) {
    await stack.orders.closePosition({ instrumentId: position.instrumentId, reason: 'end_of_data', referencePrice: last.price, emergency: true });
    await settle();
    venue.onTrade(position.instrumentId, last.ts, last.price);
    await settle();
  }
  engine.stop();
  await stack.stop();
  bus.shutdown();
  return { trades: [...stack.account.closedTrades()], signals, positions };
}

const strip = (signals: readonly SignalDto[]): unknown[] => signals.map(({ id: _id, sessionId: _s, ...rest }) => rest);

describe('replay hot path', () => {
  test.each(EXAMPLES)('%s on real BTCUSDT trades gives exactly the trades and signals of the plain reference replay', async (name) => {
    const definition = strategy(name);
    const reference = await referenceReplay(tradesOnly, definition);
    const session = replay(tradesOnly, [definition]);
    const signals: SignalDto[] = [];
    const positions: PositionDto[] = [];
    session.bus.subscribe('signal_generated', (signal) => {
      signals.push(signal);
    }, 'test');
    // marks, unrealised PnL and all: the positions at every fill are those of the plain replay
    session.bus.subscribe('position_updated', (position) => {
      positions.push(position);
    }, 'test');
    const result = await session.run(() => undefined);
    expect(result.ticks).toBe(21_313);
    expect(result.trades).toEqual(reference.trades);
    expect(result.metrics.fingerprint).toBe(computeMetrics(reference.trades, Decimal.of(10_000)).fingerprint);
    expect(result.trades.length).toBeGreaterThan(0);
    expect(strip(signals)).toEqual(strip(reference.signals));
    expect(positions.map(({ sessionId: _s, ...rest }) => rest)).toEqual(reference.positions.map(({ sessionId: _s, ...rest }) => rest));
    expect(store.signals.listBySession(`replay-test-${sessionCounter}`)).toHaveLength(reference.signals.length);
  });
});

describe('trades and book updates replayed together', () => {
  test('are merged by event time, a trade first when both carry the same millisecond, and book indicators get values', async () => {
    const seen: Array<{ kind: string; ts: number }> = [];
    const definition = strategy('pump-long');
    const imbalance: StrategyDefinition = {
      ...definition,
      strategy_name: 'Imbalance Long',
      s1_signal: { conditions: [{ id: 's1-imb', indicatorId: 'BID_ASK_IMBALANCE', operator: '>', value: 30 }] },
      z1_entry: { ...definition.z1_entry, conditions: [{ id: 'z1-spread', indicatorId: 'SPREAD_PCT', operator: '<', value: 0.01 }] },
    };
    const session = replay(withBooks, [imbalance]);
    session.bus.subscribe('market_data', (data) => {
      seen.push({ kind: data.kind, ts: data.ts });
    }, 'test');
    const result = await session.run(() => undefined);
    expect(result.ticks).toBe(21_313 + 66_089);
    expect(seen).toHaveLength(21_313 + 66_089);
    expect(seen.every((e, i) => i === 0 || e.ts > seen[i - 1]!.ts || (e.ts === seen[i - 1]!.ts && !(e.kind === 'trade' && seen[i - 1]!.kind === 'book')))).toBe(true);
    const signals = store.signals.listBySession(`replay-test-${sessionCounter}`);
    const s1 = signals.find((s) => s.section === 'S1');
    expect(s1?.indicatorValues['BID_ASK_IMBALANCE']).toBeGreaterThan(30);
    expect(result.trades.length).toBeGreaterThan(0);
  });

  test('delta book updates are applied to the rebuilt book before the indicators read it', async () => {
    const recording = store.recordings.createRecording({ name: 'deltas', source: 'test' });
    store.recordings.appendTrades(recording.id, 'BTC/USDT:USDT', [{ ts: 1_000, price: 100, quantity: 1, side: 'buy' }, { ts: 20_000, price: 100, quantity: 1, side: 'buy' }]);
    store.recordings.appendBooks(recording.id, 'BTC/USDT:USDT', [
      { ts: 1_000, bids: [[99, 1], [98, 1]], asks: [[101, 1]], snapshot: true },
      // the delta removes the best bid: 98 becomes best and the spread widens to 3 / 99.5
      { ts: 2_000, bids: [[99, 0]], asks: [], snapshot: false },
    ]);
    store.recordings.finalize(recording.id);
    const definition = strategy('pump-long');
    const spread: StrategyDefinition = {
      ...definition,
      strategy_name: 'Spread Watch',
      s1_signal: { conditions: [{ id: 's1-spread', indicatorId: 'SPREAD_PCT', operator: '>', value: 2.9 }] },
    };
    const session = replay(recording.id, [spread]);
    await session.run(() => undefined);
    const s1 = store.signals.listBySession(`replay-test-${sessionCounter}`).find((s) => s.section === 'S1');
    expect(s1?.ts).toBe(2_000);
    expect(s1?.indicatorValues['SPREAD_PCT']).toBeCloseTo((3 / 99.5) * 100, 10);
  });
});

describe('replay controls', () => {
  let host: WallClock;
  beforeEach(() => {
    host = new WallClock();
  });
  afterEach(() => {
    expect(host.pendingTimers()).toBe(0);
  });

  const definition = (): StrategyDefinition => strategy('momentum-both');
  const turns = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };

  test('pause holds the replay where it is; resume finishes it with the same result as an uninterrupted run', async () => {
    const plain = await replay(tradesOnly, [definition()]).run(() => undefined);
    const session = replay(tradesOnly, [definition()], { hostClock: host, sliceMs: 0 });
    const done = session.run(() => undefined);
    await turns(3);
    session.pause();
    await turns(3);
    const held = session.controls();
    expect(held.paused).toBe(true);
    expect(held.processed).toBeGreaterThan(0);
    expect(held.processed).toBeLessThan(21_313);
    await turns(10);
    expect(session.controls().processed).toBe(held.processed);
    session.resume();
    const result = await done;
    expect(result.metrics.fingerprint).toBe(plain.metrics.fingerprint);
  });

  test('the signals published before a pause are in the signal history while the replay is paused', async () => {
    const session = replay(tradesOnly, [definition()], { hostClock: host });
    const sessionId = `replay-test-${sessionCounter}`;
    const published: string[] = [];
    session.bus.subscribe('signal_generated', (signal) => {
      published.push(signal.id);
      // the signal history is written in batches: a pause must not leave any of them unwritten
      if (published.length === 3) session.pause();
    }, 'test');
    const done = session.run(() => undefined);
    while (!session.controls().paused || published.length < 3) await turns(1);
    await turns(3);
    const stored = store.signals.listBySession(sessionId).map((s) => s.id);
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect([...stored].sort()).toEqual([...published].sort());
    session.stop();
    await done;
    expect(store.signals.listBySession(sessionId)).toHaveLength(published.length);
  });

  test('a forward seek in a real-time replay fast-forwards without pacing', async () => {
    const plain = await replay(tradesOnly, [definition()]).run(() => undefined);
    const session = replay(tradesOnly, [definition()], { hostClock: host, speed: 1 });
    const done = session.run(() => undefined);
    await turns(2);
    // 5.7 minutes of data at 1×; seeking past the end must finish in well under a second
    const started = Date.now();
    session.seek(1723161599643 + 1);
    const result = await done;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.ticks).toBe(21_313);
    expect(result.metrics.fingerprint).toBe(plain.metrics.fingerprint);
  });

  test('a backward seek restarts from the beginning and ends with the same trades, without journalling anything twice', async () => {
    const plainSession = replay(tradesOnly, [definition()]);
    const plain = await plainSession.run(() => undefined);
    const plainSignals = store.signals.listBySession(`replay-test-${sessionCounter}`).length;
    const session = replay(tradesOnly, [definition()], { hostClock: host, sliceMs: 0 });
    const sessionId = `replay-test-${sessionCounter}`;
    const done = session.run(() => undefined);
    while (session.controls().processed < 15_000) await turns(1);
    session.seek(1723161256322 + 60_000);
    const result = await done;
    expect(result.metrics.fingerprint).toBe(plain.metrics.fingerprint);
    expect(result.ticks).toBe(21_313);
    expect(store.signals.listBySession(sessionId)).toHaveLength(plainSignals);
  });

  test('a seek while paused is carried out and the replay stays paused at the target', async () => {
    const session = replay(tradesOnly, [definition()], { hostClock: host, speed: 1 });
    session.pause();
    const done = session.run(() => undefined);
    await turns(3);
    expect(session.controls().processed).toBe(0);
    session.seek(1723161256322 + 120_000);
    while (session.controls().seekTargetTs !== null) await turns(1);
    await turns(3);
    const state = session.controls();
    expect(state.paused).toBe(true);
    expect(state.positionTs).toBeLessThan(1723161256322 + 120_000);
    expect(state.positionTs).toBeGreaterThan(1723161256322 + 119_000);
    session.stop();
    await done;
  });

  test('changing the speed while it runs takes effect at once: a 1× replay switched to as-fast-as-possible finishes', async () => {
    const session = replay(tradesOnly, [definition()], { hostClock: host, speed: 1 });
    const done = session.run(() => undefined);
    await turns(3);
    expect(session.controls().processed).toBeLessThan(100);
    session.setSpeed(0);
    const result = await done;
    expect(result.ticks).toBe(21_313);
    expect(() => session.setSpeed(-1)).toThrow(RangeError);
  });

  test('a paced replay forwards market data for the UI; an as-fast-as-possible one does not', async () => {
    const forwarded: Topic[] = [];
    const forward = <T extends Topic>(topic: T, _payload: EventPayload<T>): void => {
      forwarded.push(topic);
    };
    const session = replay(tradesOnly, [definition()], { hostClock: host, speed: 1_000_000, forward });
    await session.run(() => undefined);
    expect(forwarded.filter((t) => t === 'market_data')).toHaveLength(21_313);
    forwarded.length = 0;
    await replay(tradesOnly, [definition()], { forward }).run(() => undefined);
    expect(forwarded.filter((t) => t === 'market_data')).toHaveLength(0);
  });
});

describe('paper and backtest parity', () => {
  test.each([['trades only', () => tradesOnly], ['trades and book updates', () => withBooks]] as const)(
    'a paper session paced at N× makes exactly the trades of the as-fast-as-possible backtest on the same data (%s)',
    async (_label, recording) => {
      const definition = strategy('momentum-both');
      const backtest = await replay(recording(), [definition]).run(() => undefined);
      const paper = replay(recording(), [definition], { speed: 1_000_000, hostClock: new WallClock() });
      const result = await paper.run(() => undefined);
      expect(backtest.trades.length).toBeGreaterThan(0);
      expect(result.trades).toEqual(backtest.trades);
      expect(result.metrics.fingerprint).toBe(backtest.metrics.fingerprint);
    },
  );
});
