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
// Interleaved rounds after a warm-up run of each; the median of 3 rounds is reported.
// Run: npx tsx bench/replay-pipeline.bench.ts   (or npm run bench -- replay)
import { defaultSettings } from '../src-shared/contract/settings';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionDto } from '../src-shared/contract/schemas';
import { Money } from '../src-shared/domain/values';
import { referencedIndicators } from '../src-shared/strategy/evaluate';
import { validateStrategy, type StrategyDefinition } from '../src-shared/strategy/schema';
import { WallClock } from '../src-main/engine/clock/clock';
import { loadInstrumentCatalog } from '../src-main/engine/data/instruments';
import { loadTrades, loopTrades } from '../src-main/engine/indicators/testing/market-data';
import { createLogger, memorySink } from '../src-main/engine/ops/logger';
import { ReplaySession } from '../src-main/engine/session/replay-session';
import { openStore } from '../src-main/engine/store/store';
import { emit, forceGc, median, report, type BenchRecord } from './harness';

const LOOPS = 47;
const ROUNDS = 3;
const INSTRUMENT = 'BTC/USDT:USDT';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** An example strategy whose emergency exit also reads `extra` indicators, so that it references six in all. */
function benchStrategy(file: string, extra: string[]): { strategy: StrategyDefinition; variants: string[] } {
  const base = JSON.parse(readFileSync(path.join(root, 'resources', 'strategies', file), 'utf8')) as Record<string, unknown> & { strategy_name: string; emergency_exit: Record<string, unknown> };
  const validated = validateStrategy({
    ...base,
    strategy_name: `${base.strategy_name} (bench)`,
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

const pumpLong = benchStrategy('pump-long.json', ['VELOCITY_CASCADE', 'MOMENTUM_REVERSAL_INDEX', 'TWPA_RATIO(10,0,60,30)']);
const momentumBoth = benchStrategy('momentum-both.json', ['VELOCITY_CASCADE', 'MOMENTUM_REVERSAL_INDEX']);

const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-bench-replay-'));
const store = openStore(path.join(dir, 'surge.db'), { migrationsDir: path.join(root, 'migrations') });
const instruments = loadInstrumentCatalog(path.join(root, 'resources'));
try {
  const ticks = loopTrades(loadTrades(), LOOPS);
  const recording = store.recordings.createRecording({ name: 'bench', source: 'bench' });
  store.recordings.appendTrades(recording.id, INSTRUMENT, ticks);
  const total = store.recordings.finalize(recording.id).tradeCount;

  // the baseline's plain table, in the same file
  store.db.exec('CREATE TABLE bench_ticks (instrument_id TEXT NOT NULL, ts INTEGER NOT NULL, price REAL NOT NULL, quantity REAL NOT NULL, side INTEGER NOT NULL)');
  const insert = store.db.prepare('INSERT INTO bench_ticks (instrument_id, ts, price, quantity, side) VALUES (?, ?, ?, ?, ?)');
  store.db.transaction(() => {
    for (const t of ticks) insert.run(INSTRUMENT, t.ts, t.price, t.quantity, t.side === 'buy' ? 0 : 1);
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

  let runs = 0;
  const fingerprints = new Map<StrategyDefinition, string>();
  const closedTrades = new Map<StrategyDefinition, number>();
  /** Ticks/s of a full as-fast-as-possible replay session. */
  const replay = async (strategy: StrategyDefinition): Promise<number> => {
    const session: SessionDto = {
      id: `bench-${++runs}`, kind: 'backtest', status: 'running', name: 'bench', instruments: [INSTRUMENT], strategyIds: [],
      dataSessionId: recording.id, startedAt: 0, endedAt: null, progress: 0, error: null, createdAt: 0,
    };
    store.sessions.create(session, {});
    const replaySession = new ReplaySession({
      session,
      chunks: () => store.recordings.readTradeChunks(recording.id),
      totalTicks: total,
      instruments,
      strategies: [strategy],
      capital: Money.money('10000'),
      speed: 0,
      settings: defaultSettings(),
      hostClock: new WallClock(),
      store,
      logger: createLogger('bench', memorySink()),
      forward: () => undefined,
    });
    const started = process.hrtime.bigint();
    const result = await replaySession.run(() => undefined);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    replaySession.stop();
    if (result.ticks !== total) throw new Error(`replayed ${result.ticks} ticks, expected ${total}`);
    const previous = fingerprints.get(strategy);
    if (previous !== undefined && result.metrics.fingerprint !== previous) throw new Error('the fingerprint changed between runs');
    fingerprints.set(strategy, result.metrics.fingerprint);
    closedTrades.set(strategy, result.metrics.trades);
    return total / seconds;
  };

  await replay(pumpLong.strategy);
  await replay(momentumBoth.strategy);
  readRows();
  const pumpRates: number[] = [];
  const bothRates: number[] = [];
  const readRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    forceGc();
    pumpRates.push(await replay(pumpLong.strategy));
    forceGc();
    readRates.push(readRows());
    forceGc();
    bothRates.push(await replay(momentumBoth.strategy));
  }
  const baseline = median(readRates);
  const records: BenchRecord[] = [];
  for (const [name, rates, bench] of [['replay_signal_pipeline', pumpRates, pumpLong], ['replay_signal_pipeline.momentum_both', bothRates, momentumBoth]] as const) {
    const value = median(rates);
    const record: BenchRecord = { name, value, unit: 'ticks/s', baseline, ratio: value / baseline };
    records.push(record);
    const fingerprint = fingerprints.get(bench.strategy)!;
    report(record, `${total.toLocaleString('en-US')} ticks, ${bench.strategy.strategy_name} reading ${bench.variants.join(', ')}; ${closedTrades.get(bench.strategy)} closed trades, fingerprint ${fingerprint.slice(0, 16)}…; targets ≥ 1,000,000 ticks/s and ratio ≥ 1.5`);
  }
  emit(records);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
