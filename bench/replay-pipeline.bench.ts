// Replay throughput of the backtest / offline-paper pipeline.
//   replay_signal_pipeline  trade ticks/s through the full ReplaySession path: chunked columnar
//                    blobs read from a SQLite file in a temp dir, decoded, published per tick on
//                    the session bus, six indicator variants updated, one strategy evaluated,
//                    paper venue and journal included. The strategy is the pump-long example
//                    (LONG) with an emergency exit that also reads VELOCITY_CASCADE,
//                    MOMENTUM_REVERSAL_INDEX and TWPA_RATIO: six variants. The ticks are the real
//                    Binance USD-M BTCUSDT trades looped 47× with shifted timestamps (1,001,711).
//                    baseline = rows/s of just reading the same ticks row by row with
//                    better-sqlite3 (SELECT … iterate()) from a plain one-row-per-tick table in
//                    the same file; ratio = value / baseline (higher is better).
//                    Targets: value ≥ 1,000,000 ticks/s, ratio ≥ 1.5.
//   replay_signal_pipeline.momentum_both  the same with the momentum-both example (BOTH: every
//                    section is evaluated for both directions, so the strategy costs about twice
//                    as much) and six variants; reported for comparison, same baseline.
//   backtest_full    trade ticks/s of a full backtest that trades: the same session, data and six
//                    indicators with a bench strategy derived from pump-long with looser thresholds
//                    (tradingVariant below: S1 pump > 0.005 % instead of 0.05 %, Z1 velocity > 0 and
//                    volume surge > 0.2, ZE1 at ±0.02 % or a 0.005 % reversal, stop-loss 0.1 % and
//                    take-profit 0.05 % as engine-managed protective stops, 50 USDT margin × 2, a
//                    6 s cooldown, no daily trade cap), so that it makes hundreds of round trips:
//                    every one is sized, risk-checked, journalled (order row before the send; fill +
//                    order + position after), filled by the paper venue and accounted. The risk
//                    manager's consecutive-loss cooldown is off for it (a scalper losing three in a
//                    row would otherwise sit out an hour of the data). The console line gives the
//                    closed trades, orders and fills.
//                    baseline = replay_signal_pipeline of the same run (same data, session,
//                    indicators and strategy sections with the example's thresholds: a dozen trades,
//                    execution all but idle); ratio = value / baseline (higher is better: 1 would
//                    mean trading costs nothing). The gap is not all execution: while a position is
//                    open the strategy also evaluates ZE1 and E1 every tick (five indicator values
//                    and the exact unrealised PnL) — work the signal-only run rarely does. Profiled
//                    (2 CPUs, 1580 orders): most of the gap, some 0.2 s per million ticks, is SQLite
//                    statements and commits (order journal, the protective levels' position rows, the
//                    signal history); the rest is in-position strategy work and the order, risk and
//                    account logic.
//   backtest_full.with_book  the same trading strategy on the BTCUSDT trades merged with the
//                    book-ticker recording (best bid/ask updates as book snapshots; market orders walk
//                    the recorded book), looped BOOK_LOOPS× with shifted timestamps; ticks = trades +
//                    book updates. Fewer round trips per copy than on trades alone (fills walk the
//                    book, and ZE1 is also evaluated on book updates). baseline = the signal-only
//                    pipeline (the example's thresholds) on the same merged data in the same run;
//                    ratio = value / baseline.
// Interleaved rounds after a warm-up run of each; the median of 3 rounds is reported.
// Run: npx tsx bench/replay-pipeline.bench.ts   (or npm run bench -- replay)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionDto } from '../src-shared/contract/schemas';
import { defaultSettings, type Settings } from '../src-shared/contract/settings';
import { Money } from '../src-shared/domain/values';
import { referencedIndicators } from '../src-shared/strategy/evaluate';
import { validateStrategy, type StrategyDefinition } from '../src-shared/strategy/schema';
import { WallClock } from '../src-main/engine/clock/clock';
import { loadInstrumentCatalog } from '../src-main/engine/data/instruments';
import { loadBookTicker, loadTrades, loopTrades, type BookTop, type Trade } from '../src-main/engine/indicators/testing/market-data';
import { createLogger, memorySink } from '../src-main/engine/ops/logger';
import { ReplaySession } from '../src-main/engine/session/replay-session';
import type { BookInput } from '../src-main/engine/store/recordings';
import { openStore } from '../src-main/engine/store/store';
import { emit, forceGc, median, report, type BenchRecord } from './harness';

const LOOPS = 47;
const BOOK_LOOPS = 12;
const ROUNDS = 3;
const INSTRUMENT = 'BTC/USDT:USDT';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type StrategyFile = Record<string, unknown> & { strategy_name: string; emergency_exit: Record<string, unknown> };

/** An example strategy whose emergency exit also reads `extra` indicators, so that it references six in all. */
function benchStrategy(file: string, extra: string[], adapt: (base: StrategyFile) => StrategyFile = (base) => base, label = 'bench'): { strategy: StrategyDefinition; variants: string[] } {
  const base = adapt(JSON.parse(readFileSync(path.join(root, 'resources', 'strategies', file), 'utf8')) as StrategyFile);
  const validated = validateStrategy({
    ...base,
    strategy_name: `${base.strategy_name} (${label})`,
    emergency_exit: {
      ...base.emergency_exit,
      conditions: {
        any: [
          { id: 'e1-loss', indicatorId: 'UNREALIZED_PNL_PCT', operator: '<=', value: -0.3 },
          // thresholds no real move reaches: the values are computed, the exits never fire
          ...extra.map((indicatorId, i) => ({ id: `e1-extra-${i}`, indicatorId, operator: '<', value: -1e9 })),
        ],
      },
    },
  });
  if (!validated.ok) throw new Error(validated.error.message);
  const variants = referencedIndicators(validated.value).filter((id) => id !== 'UNREALIZED_PNL_PCT');
  if (variants.length !== 6) throw new Error(`${file}: the bench strategy should reference six indicators, has ${variants.join(', ')}`);
  return { strategy: validated.value, variants };
}

/**
 * pump-long with looser thresholds, for backtest_full: the same sections and indicators, but it
 * enters on a 0.005 % pump (the example waits for 0.05 %, a dozen times in these 4.5 hours),
 * takes ±0.02 % or a small reversal, and cools down 6 s: hundreds of round trips. Small positions
 * (100 USDT notional) keep fees well inside the daily-loss and drawdown limits, so risk never halts it.
 */
function tradingVariant(base: StrategyFile): StrategyFile {
  return {
    ...base,
    global_limits: { max_concurrent_signals: 2, cooldown_minutes: 0.1 },
    s1_signal: { conditions: [{ id: 's1-pump', indicatorId: 'PUMP_MAGNITUDE_PCT(10,60,30)', operator: '>', value: 0.005 }] },
    z1_entry: {
      conditions: {
        all: [
          { id: 'z1-velocity', indicatorId: 'PRICE_VELOCITY(10,60,30)', operator: '>', value: 0 },
          { id: 'z1-volume', indicatorId: 'VOLUME_SURGE_RATIO(10,0,120,10)', operator: '>', value: 0.2 },
        ],
      },
      positionSize: { type: 'fixed', value: 50 },
      leverage: 2,
      orderType: 'MARKET',
      stopLoss: { enabled: true, offsetPercent: 0.1 },
      takeProfit: { enabled: true, offsetPercent: 0.05 },
    },
    ze1_close: {
      conditions: {
        any: [
          { id: 'ze1-target', indicatorId: 'UNREALIZED_PNL_PCT', operator: '>=', value: 0.02 },
          { id: 'ze1-stop', indicatorId: 'UNREALIZED_PNL_PCT', operator: '<=', value: -0.02 },
          { id: 'ze1-reversal', indicatorId: 'PUMP_MAGNITUDE_PCT(10,60,30)', operator: '<', value: -0.005 },
        ],
      },
    },
  };
}

const pumpExtras = ['VELOCITY_CASCADE', 'MOMENTUM_REVERSAL_INDEX', 'TWPA_RATIO(10,0,60,30)'];
const pumpLong = benchStrategy('pump-long.json', pumpExtras);
const momentumBoth = benchStrategy('momentum-both.json', ['VELOCITY_CASCADE', 'MOMENTUM_REVERSAL_INDEX']);
const pumpTrading = benchStrategy('pump-long.json', pumpExtras, tradingVariant, 'bench, trading');
if (pumpTrading.variants.join() !== pumpLong.variants.join()) throw new Error('the trading variant must read the same indicators as the signal pipeline');

const signalSettings = defaultSettings();
const tradingSettings = defaultSettings();
tradingSettings.risk.consecutiveLossCooldown.enabled = false;

/** The trades and book-ticker updates repeated `loops` times, each copy shifted by the span of both files plus one second. */
function loopMarket(trades: readonly Trade[], books: readonly BookTop[], loops: number): { trades: Trade[]; books: BookInput[] } {
  const first = Math.min(trades[0]!.ts, books[0]!.ts);
  const period = Math.max(trades[trades.length - 1]!.ts, books[books.length - 1]!.ts) - first + 1000;
  const loopedTrades: Trade[] = [];
  const loopedBooks: BookInput[] = [];
  for (let loop = 0; loop < loops; loop++) {
    const shift = loop * period;
    for (const t of trades) loopedTrades.push({ ...t, ts: t.ts + shift });
    for (const b of books) loopedBooks.push({ ts: b.ts + shift, bids: [[b.bidPrice, b.bidQuantity]], asks: [[b.askPrice, b.askQuantity]], snapshot: true });
  }
  return { trades: loopedTrades, books: loopedBooks };
}

interface Recorded {
  id: string;
  trades: number;
  books: number;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-bench-replay-'));
const store = openStore(path.join(dir, 'surge.db'), { migrationsDir: path.join(root, 'migrations') });
const instruments = loadInstrumentCatalog(path.join(root, 'resources'));
try {
  const tradeFile = loadTrades();
  const trades = loopTrades(tradeFile, LOOPS);
  const tradesOnly: Recorded = (() => {
    const recording = store.recordings.createRecording({ name: 'bench', source: 'bench' });
    store.recordings.appendTrades(recording.id, INSTRUMENT, trades);
    const finalized = store.recordings.finalize(recording.id);
    return { id: recording.id, trades: finalized.tradeCount, books: finalized.bookCount };
  })();
  const withBook: Recorded = (() => {
    const market = loopMarket(tradeFile, loadBookTicker(), BOOK_LOOPS);
    const recording = store.recordings.createRecording({ name: 'bench-book', source: 'bench' });
    store.recordings.appendTrades(recording.id, INSTRUMENT, market.trades);
    store.recordings.appendBooks(recording.id, INSTRUMENT, market.books);
    const finalized = store.recordings.finalize(recording.id);
    return { id: recording.id, trades: finalized.tradeCount, books: finalized.bookCount };
  })();
  const total = tradesOnly.trades;

  // the baseline's plain table, in the same file
  store.db.exec('CREATE TABLE bench_ticks (instrument_id TEXT NOT NULL, ts INTEGER NOT NULL, price REAL NOT NULL, quantity REAL NOT NULL, side INTEGER NOT NULL)');
  const insert = store.db.prepare('INSERT INTO bench_ticks (instrument_id, ts, price, quantity, side) VALUES (?, ?, ?, ?, ?)');
  store.db.transaction(() => {
    for (const t of trades) insert.run(INSTRUMENT, t.ts, t.price, t.quantity, t.side === 'buy' ? 0 : 1);
  })();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const select = store.db.prepare<[], { instrument_id: string; ts: number; price: number; quantity: number; side: number }>('SELECT instrument_id, ts, price, quantity, side FROM bench_ticks ORDER BY rowid');

  /** Rows/s of reading the plain table one row at a time. */
  const readRows = (): number => {
    let checksum = 0;
    let rows = 0;
    const started = process.hrtime.bigint();
    for (const row of select.iterate()) {
      checksum += row.price * row.quantity + row.side;
      rows++;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (rows !== total || Number.isNaN(checksum)) throw new Error(`read ${rows} rows, expected ${total}`);
    return rows / seconds;
  };

  interface Contender {
    strategy: StrategyDefinition;
    recording: Recorded;
    settings: Settings;
    fingerprint?: string;
    closedTrades?: number;
    orders?: number;
    fills?: number;
  }
  let runs = 0;
  /** Ticks/s of a full as-fast-as-possible replay session. */
  const replay = async (contender: Contender): Promise<number> => {
    const { recording } = contender;
    const session: SessionDto = {
      id: `bench-${++runs}`, kind: 'backtest', status: 'running', name: 'bench', instruments: [INSTRUMENT], strategyIds: [],
      dataSessionId: recording.id, startedAt: 0, endedAt: null, progress: 0, error: null, createdAt: 0,
    };
    store.sessions.create(session, {});
    const ticks = recording.trades + recording.books;
    const replaySession = new ReplaySession({
      session,
      chunks: () => store.recordings.readTradeChunks(recording.id),
      ...(recording.books > 0 ? { books: () => store.recordings.readBookChunks(recording.id) } : {}),
      totalTicks: ticks,
      instruments,
      strategies: [contender.strategy],
      capital: Money.money('10000'),
      speed: 0,
      settings: contender.settings,
      hostClock: new WallClock(),
      store,
      logger: createLogger('bench', memorySink()),
      forward: () => undefined,
    });
    const started = process.hrtime.bigint();
    const result = await replaySession.run(() => undefined);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    replaySession.stop();
    if (result.ticks !== ticks) throw new Error(`replayed ${result.ticks} ticks, expected ${ticks}`);
    if (contender.fingerprint !== undefined && result.metrics.fingerprint !== contender.fingerprint) throw new Error('the fingerprint changed between runs');
    contender.fingerprint = result.metrics.fingerprint;
    contender.closedTrades = result.metrics.trades;
    contender.orders = (store.db.prepare('SELECT count(*) AS n FROM orders WHERE session_id = ?').get(session.id) as { n: number }).n;
    contender.fills = (store.db.prepare('SELECT count(*) AS n FROM fills WHERE session_id = ?').get(session.id) as { n: number }).n;
    return ticks / seconds;
  };

  const contenders = {
    signal: { strategy: pumpLong.strategy, recording: tradesOnly, settings: signalSettings },
    both: { strategy: momentumBoth.strategy, recording: tradesOnly, settings: signalSettings },
    full: { strategy: pumpTrading.strategy, recording: tradesOnly, settings: tradingSettings },
    bookSignal: { strategy: pumpLong.strategy, recording: withBook, settings: signalSettings },
    bookFull: { strategy: pumpTrading.strategy, recording: withBook, settings: tradingSettings },
  } satisfies Record<string, Contender>;
  type Name = keyof typeof contenders;
  const names = Object.keys(contenders) as Name[];

  for (const name of names) await replay(contenders[name]);
  readRows();
  const rates = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  const readRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names) {
      forceGc();
      rates[name].push(await replay(contenders[name]));
    }
    forceGc();
    readRates.push(readRows());
  }
  const spread = (values: readonly number[]): string => values.map((v) => Math.round(v).toLocaleString('en-US')).join(' / ');
  const baseline = median(readRates);
  const records: BenchRecord[] = [];
  for (const [name, contender, bench] of [['replay_signal_pipeline', 'signal', pumpLong], ['replay_signal_pipeline.momentum_both', 'both', momentumBoth]] as const) {
    const value = median(rates[contender]);
    const record: BenchRecord = { name, value, unit: 'ticks/s', baseline, ratio: value / baseline };
    records.push(record);
    const c = contenders[contender] as Contender;
    report(record, `${total.toLocaleString('en-US')} ticks, ${bench.strategy.strategy_name} reading ${bench.variants.join(', ')}; ${c.closedTrades} closed trades, fingerprint ${c.fingerprint!.slice(0, 16)}…; rounds ${spread(rates[contender])}; targets ≥ 1,000,000 ticks/s and ratio ≥ 1.5`);
  }
  for (const [name, full, signal] of [['backtest_full', 'full', 'signal'], ['backtest_full.with_book', 'bookFull', 'bookSignal']] as const) {
    const value = median(rates[full]);
    const signalValue = median(rates[signal]);
    const record: BenchRecord = { name, value, unit: 'ticks/s', baseline: signalValue, ratio: value / signalValue };
    records.push(record);
    const c = contenders[full] as Contender;
    const s = contenders[signal] as Contender;
    const data = c.recording.books > 0
      ? `${c.recording.trades.toLocaleString('en-US')} trades + ${c.recording.books.toLocaleString('en-US')} book-ticker updates (${BOOK_LOOPS}×)`
      : `${c.recording.trades.toLocaleString('en-US')} trades (${LOOPS}×)`;
    report(record, `${data}, ${pumpTrading.strategy.strategy_name}: ${c.closedTrades} closed trades, ${c.orders} orders, ${c.fills} fills, fingerprint ${c.fingerprint!.slice(0, 16)}…; rounds ${spread(rates[full])}; baseline = signal-only ${pumpLong.strategy.strategy_name} on the same data (${s.closedTrades} closed trades), rounds ${spread(rates[signal])}`);
  }
  emit(records);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
