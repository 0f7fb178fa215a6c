import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { BookUpdate, TradeTick } from '../../../src-shared/contract/schemas';
import { migrationsDir } from '../../../tests/fixtures/paths';
import { InProcessEventBus } from '../bus/event-bus';
import { SimulatedClock, WallClock } from '../clock/clock';
import { loadTrades } from '../indicators/testing/market-data';
import { createLogger, memorySink, type MemorySink } from '../ops/logger';
import { openStore, type Store } from '../store/store';
import { Recorder, type RecorderOptions, type RecordingWriter } from './recorder';

const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const BATCH = 64;

let store: Store;
let clock: SimulatedClock;
let sink: MemorySink;
let recordingId: string;

beforeEach(() => {
  store = openStore(':memory:', { migrationsDir, tradeChunkSize: BATCH, bookChunkSize: 16 });
  clock = new SimulatedClock(0);
  sink = memorySink();
  recordingId = store.recordings.createRecording({ name: 'collect', source: 'test' }).id;
});
afterEach(() => store.close());

function recorder(overrides: Partial<RecorderOptions> = {}): Recorder {
  return new Recorder({
    recordings: store.recordings,
    recordingId,
    clock,
    logger: createLogger('data/recorder', sink),
    flushIntervalMs: 5_000,
    tradeBatch: BATCH,
    bookBatch: 16,
    ...overrides,
  });
}

const trade = (ts: number, price = 100, extra: Partial<TradeTick> = {}): TradeTick => ({ kind: 'trade', instrumentId: BTC, price, quantity: 1, side: 'buy', ts, ...extra });
const book = (ts: number, bid = 99, ask = 101): BookUpdate => ({ kind: 'book', instrumentId: BTC, bids: [[bid, 1]], asks: [[ask, 2]], snapshot: true, ts });

/** Lets scheduled writes run (each batch takes one event-loop turn). */
async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const storedTrades = (): number => (store.db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM trade_chunks').get() as { n: number }).n;
const storedBooks = (): number => (store.db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM book_chunks').get() as { n: number }).n;

function storedTradeRows(instrumentId = BTC): Array<[number, number]> {
  const rows: Array<[number, number]> = [];
  for (const chunk of store.recordings.readTradeChunks(recordingId, instrumentId)) for (let i = 0; i < chunk.count; i++) rows.push([chunk.ts[i]!, chunk.price[i]!]);
  return rows;
}

describe('recorder', () => {
  test('buffers ticks and writes a full batch on the next turn of the event loop, never inside the feed callback', async () => {
    const r = recorder();
    r.start();
    for (let i = 0; i < BATCH; i++) r.onTrade(trade(i));
    expect(storedTrades()).toBe(0);
    await settle();
    expect(storedTrades()).toBe(BATCH);
    expect(r.stats()).toMatchObject({ trades: BATCH, buffered: 0 });
    await r.stop();
  });

  test('writes what is buffered, partial chunks included, every flushIntervalMs', async () => {
    const r = recorder();
    r.start();
    for (let i = 0; i < 10; i++) r.onTrade(trade(i));
    r.onBook(book(3));
    await settle();
    expect(storedTrades()).toBe(0);
    clock.advanceBy(5_000);
    await settle();
    expect(storedTrades()).toBe(10);
    expect(storedBooks()).toBe(1);
    await r.stop();
  });

  test('stop writes the rest, updates the recording and releases the timer and the bus subscription', async () => {
    const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 10 });
    const r = recorder({ bus });
    r.start();
    expect(bus.subscriberCount('market_data')).toBe(1);
    for (let i = 0; i < 150; i++) bus.publish('market_data', trade(1_000 + i, 100 + i));
    bus.publish('market_data', book(1_200));
    await r.stop();
    expect(store.recordings.get(recordingId)).toMatchObject({ tradeCount: 150, bookCount: 1, firstTs: 1_000, lastTs: 1_200, instruments: [BTC] });
    expect(bus.subscriberCount('market_data')).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    r.onTrade(trade(5_000));
    expect(r.stats().buffered).toBe(0);
  });

  test('bad ticks are counted by reason and logged, never stored, and the good ticks around them are kept in order', async () => {
    const r = recorder();
    r.start();
    const ticks: TradeTick[] = [
      trade(10, 100),
      trade(11, Number.NaN),
      trade(12, 0),
      trade(13, -5),
      trade(14, 101, { quantity: Number.POSITIVE_INFINITY }),
      trade(9, 102), // backwards
      trade(15.5, 103), // not whole ms
      trade(16, 104, { side: 'long' as 'buy' }),
      trade(17, 105),
      trade(17, 106, { instrumentId: ETH }),
      trade(12, 107, { instrumentId: ETH }), // backwards for ETH only
    ];
    for (const tick of ticks) r.onTrade(tick);
    r.onBook({ ...book(20), bids: [[Number.NaN, 1]] });
    r.onBook(book(21));
    await r.stop();
    expect(r.stats().rejected).toEqual({ bad_timestamp: 1, backwards: 2, bad_price: 3, bad_quantity: 1, bad_side: 1, bad_levels: 1 });
    expect(storedTradeRows()).toEqual([[10, 100], [17, 105]]);
    expect(storedTradeRows(ETH)).toEqual([[17, 106]]);
    expect(storedBooks()).toBe(1);
    const warnings = sink.records.filter((rec) => rec.level === 'warn');
    expect(warnings).toHaveLength(9);
    expect(warnings[0]!.fields).toMatchObject({ reason: 'bad_price', instrumentId: BTC });
  });

  test('a garbled feed cannot flood the log: the first few of a reason are logged, then one in a thousand', async () => {
    const r = recorder();
    r.start();
    for (let i = 0; i < 5_000; i++) r.onTrade(trade(i, -1));
    await r.stop();
    expect(r.stats().rejected.bad_price).toBe(5_000);
    expect(sink.records.filter((rec) => rec.level === 'warn')).toHaveLength(10 + 5);
  });

  test('when the store refuses a write the batch is kept and retried, so nothing is lost and nothing is written twice', async () => {
    let failures = 1;
    const flaky: RecordingWriter = {
      appendTrades: (...args) => {
        if (failures-- > 0) throw new Error('SQLITE_BUSY: database is locked');
        store.recordings.appendTrades(...args);
      },
      appendBooks: (...args) => store.recordings.appendBooks(...args),
      flush: (...args) => store.recordings.flush(...args),
      finalize: (...args) => store.recordings.finalize(...args),
    };
    const r = recorder({ recordings: flaky });
    r.start();
    for (let i = 0; i < BATCH; i++) r.onTrade(trade(i, 100 + i));
    await settle();
    expect(r.stats().writeErrors).toBe(1);
    expect(storedTrades()).toBe(0);
    for (let i = BATCH; i < BATCH + 5; i++) r.onTrade(trade(i, 100 + i));
    clock.advanceBy(5_000);
    await settle();
    await r.stop();
    expect(storedTradeRows()).toEqual(Array.from({ length: BATCH + 5 }, (_, i) => [i, 100 + i]));
    expect(sink.records.some((rec) => rec.level === 'error' && rec.message.includes('will retry'))).toBe(true);
  });

  test('while the store keeps refusing, the buffer is capped and the oldest ticks are dropped and counted', async () => {
    const refusing: RecordingWriter = {
      appendTrades: () => {
        throw new Error('disk full');
      },
      appendBooks: () => undefined,
      flush: () => undefined,
      finalize: () => store.recordings.finalize(recordingId),
    };
    const r = recorder({ recordings: refusing, maxBuffered: 100 });
    r.start();
    for (let i = 0; i < 250; i++) r.onTrade(trade(i));
    await r.stop();
    expect(r.stats().dropped).toBe(150);
    expect(r.stats().buffered).toBe(100);
  });

  test('recording 200,000 real trades keeps every write well under the 50 ms event-loop budget', async () => {
    const wall = new WallClock();
    const local = openStore(':memory:', { migrationsDir });
    const id = local.recordings.createRecording({ name: 'fast', source: 'test' }).id;
    const r = new Recorder({ recordings: local.recordings, recordingId: id, clock: wall, logger: createLogger('t', sink), flushIntervalMs: 1_000, tradeBatch: 8_192, bookBatch: 1_024 });
    r.start();
    const real = loadTrades();
    let total = 0;
    for (let loop = 0; total < 200_000; loop++) {
      const shift = loop * 400_000;
      for (const t of real) {
        r.onTrade({ kind: 'trade', instrumentId: BTC, price: t.price, quantity: t.quantity, side: t.side, ts: t.ts + shift });
        total++;
      }
      await settle(2);
    }
    await r.stop();
    expect(local.recordings.get(id)!.tradeCount).toBe(total);
    expect(r.stats().maxWriteMs).toBeLessThan(50);
    local.close();
  });
});
