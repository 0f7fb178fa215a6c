// Recording live market data (collect sessions).
//   recorder_write       trade ticks/s recorded through the Recorder (checked on arrival,
//                        buffered, written a chunk per event-loop turn as columnar blobs) into a
//                        SQLite file in a temp dir, fed 8,192 ticks per event-loop turn, until
//                        flushed. The ticks are the real Binance USD-M BTCUSDT trades looped 47×
//                        with shifted timestamps (1,001,711). baseline = ticks/s of a plain
//                        batched INSERT loop (one prepared INSERT per tick, one transaction per
//                        8,192 rows) into a one-row-per-tick table of the same file; ratio =
//                        value / baseline (higher is better).
//   recorder_max_lag_ms  the longest event-loop delay (perf_hooks monitorEventLoopDelay, 1 ms
//                        resolution) while a feed delivers 50,000 ticks/s (500 every 10 ms) to
//                        the Recorder for 4 s with flushIntervalMs 1,000. baseline = the same
//                        feed with nothing recording it, in the same run; ratio = baseline /
//                        value (lower lag is better). Target value ≤ 50 ms.
// Median of 3 interleaved rounds for the throughput; the lag runs once each.
// Run: npx tsx bench/recorder.bench.ts   (or npm run bench -- recorder)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { TradeTick } from '../src-shared/contract/schemas';
import { defaultSettings } from '../src-shared/contract/settings';
import { WallClock } from '../src-main/engine/clock/clock';
import { Recorder } from '../src-main/engine/data/recorder';
import { loadTrades, loopTrades } from '../src-main/engine/indicators/testing/market-data';
import { createLogger, memorySink } from '../src-main/engine/ops/logger';
import { openStore } from '../src-main/engine/store/store';
import { emit, forceGc, median, report, type BenchRecord } from './harness';

const INSTRUMENT = 'BTC/USDT:USDT';
const ROUNDS = 3;
const FEED_TURN = 8_192;
const LAG_RATE_PER_10MS = 500;
const LAG_SECONDS = 4;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const settings = defaultSettings();

const ticks: TradeTick[] = loopTrades(loadTrades(), 47).map((t) => ({ kind: 'trade', instrumentId: INSTRUMENT, price: t.price, quantity: t.quantity, side: t.side, ts: t.ts }));
const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-bench-recorder-'));
const store = openStore(path.join(dir, 'surge.db'), { migrationsDir: path.join(root, 'migrations'), tradeChunkSize: settings.store.tradeChunkSize });
const clock = new WallClock();
const logger = createLogger('bench', memorySink());
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function newRecorder(name: string, flushIntervalMs = settings.store.flushIntervalMs): { recorder: Recorder; id: string } {
  const id = store.recordings.createRecording({ name, source: 'bench' }).id;
  const recorder = new Recorder({
    recordings: store.recordings,
    recordingId: id,
    clock,
    logger,
    flushIntervalMs,
    tradeBatch: settings.store.tradeChunkSize,
    bookBatch: settings.store.bookChunkSize,
  });
  return { recorder, id };
}

try {
  store.db.exec('CREATE TABLE bench_ticks (recording_id TEXT NOT NULL, instrument_id TEXT NOT NULL, ts INTEGER NOT NULL, price REAL NOT NULL, quantity REAL NOT NULL, side INTEGER NOT NULL)');
  const insert = store.db.prepare('INSERT INTO bench_ticks (recording_id, instrument_id, ts, price, quantity, side) VALUES (?, ?, ?, ?, ?, ?)');
  const insertBatch = store.db.transaction((recordingId: string, from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const t = ticks[i]!;
      insert.run(recordingId, INSTRUMENT, t.ts, t.price, t.quantity, t.side === 'buy' ? 0 : 1);
    }
  });

  let rounds = 0;
  /** Ticks/s through the Recorder, fed a chunk's worth per event-loop turn, until everything is in the file. */
  const recordThroughRecorder = async (): Promise<number> => {
    const { recorder, id } = newRecorder(`round-${++rounds}`);
    const started = process.hrtime.bigint();
    recorder.start();
    for (let from = 0; from < ticks.length; from += FEED_TURN) {
      const to = Math.min(ticks.length, from + FEED_TURN);
      for (let i = from; i < to; i++) recorder.onTrade(ticks[i]!);
      await turn();
    }
    await recorder.stop();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const stored = store.recordings.get(id)!.tradeCount;
    if (stored !== ticks.length) throw new Error(`recorded ${stored} of ${ticks.length} ticks`);
    return ticks.length / seconds;
  };

  /** Ticks/s of the plain batched INSERT loop, fed the same way. */
  const plainInserts = async (): Promise<number> => {
    const recordingId = `plain-${++rounds}`;
    const started = process.hrtime.bigint();
    for (let from = 0; from < ticks.length; from += FEED_TURN) {
      insertBatch(recordingId, from, Math.min(ticks.length, from + FEED_TURN));
      await turn();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return ticks.length / seconds;
  };

  await recordThroughRecorder();
  await plainInserts();
  const recorderRates: number[] = [];
  const plainRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    forceGc();
    recorderRates.push(await recordThroughRecorder());
    forceGc();
    plainRates.push(await plainInserts());
  }

  /** Max event-loop delay (ms) while a 50,000 ticks/s feed runs for LAG_SECONDS, recorded or not. */
  const lagWhileFeeding = async (record: boolean): Promise<{ maxMs: number; stats: string }> => {
    const { recorder: local } = newRecorder(record ? 'lag' : 'lag-idle', 1_000);
    if (record) local.start();
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    let next = 0;
    let fed = 0;
    await new Promise<void>((resolve) => {
      const startedAt = Date.now();
      const timer = setInterval(() => {
        for (let i = 0; i < LAG_RATE_PER_10MS; i++) {
          const t = ticks[next++ % ticks.length]!;
          // a steady 50k/s stream: timestamps keep rising across loops of the file
          if (record) local.onTrade({ ...t, ts: 1_800_000_000_000 + fed });
          fed++;
        }
        if (Date.now() - startedAt >= LAG_SECONDS * 1000) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    if (record) await local.stop();
    histogram.disable();
    const stats = record ? local.stats() : null;
    return {
      maxMs: histogram.max / 1e6,
      stats: `${fed.toLocaleString('en-US')} ticks fed in ${LAG_SECONDS} s${stats === null ? '' : `, ${stats.trades.toLocaleString('en-US')} recorded, longest write ${stats.maxWriteMs} ms`}; p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms`,
    };
  };

  const idle = await lagWhileFeeding(false);
  const recording = await lagWhileFeeding(true);

  const value = median(recorderRates);
  const baseline = median(plainRates);
  const write: BenchRecord = { name: 'recorder_write', value, unit: 'ticks/s', baseline, ratio: value / baseline };
  report(write, `${ticks.length.toLocaleString('en-US')} real ticks into a file database, ${FEED_TURN} per event-loop turn; baseline plain batched INSERT loop`);
  const lag: BenchRecord = { name: 'recorder_max_lag_ms', value: recording.maxMs, unit: 'ms', baseline: idle.maxMs, ratio: idle.maxMs / recording.maxMs };
  report(lag, `${recording.stats}; baseline the same feed unrecorded (${idle.stats}); target ≤ 50 ms`);
  emit([write, lag]);
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
