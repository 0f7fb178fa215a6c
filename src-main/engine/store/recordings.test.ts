import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { OrderDto } from '../../../src-shared/contract/schemas';
import { SimulatedClock } from '../clock/clock';
import { RecordingInputError, type BookInput, type TradeInput } from './recordings';
import { openStore, type Store } from './store';
import { bookUpdatesOf, type TradeChunk } from './tick-codec';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../../migrations');
const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';

let store: Store;
let ids: number;
beforeEach(() => {
  ids = 0;
  store = openStore(':memory:', { migrationsDir: MIGRATIONS, clock: new SimulatedClock(1_700_000_000_000), tradeChunkSize: 8192, bookChunkSize: 4, idFactory: () => `rec-${++ids}` });
});
afterEach(() => store.close());

/** Deterministic pseudo-random trades with realistic prices (2 dp) and quantities (3 dp). */
function trades(count: number, startTs = 1_723_161_256_000, seed = 7): TradeInput[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const out: TradeInput[] = [];
  let ts = startTs;
  let price = 61_234.5;
  for (let i = 0; i < count; i++) {
    ts += Math.floor(random() * 20);
    price = Math.round((price + (random() - 0.5) * 4) * 100) / 100;
    out.push({ ts, price, quantity: Math.round((0.001 + random() * 2) * 1000) / 1000, side: random() < 0.5 ? 'buy' : 'sell' });
  }
  return out;
}

function decode(chunks: Iterable<TradeChunk>): Array<TradeInput & { instrumentId: string }> {
  const out: Array<TradeInput & { instrumentId: string }> = [];
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.count; i++) {
      out.push({ instrumentId: chunk.instrumentId, ts: chunk.ts[i]!, price: chunk.price[i]!, quantity: chunk.quantity[i]!, side: chunk.side[i] === 0 ? 'buy' : 'sell' });
    }
  }
  return out;
}

const chunkRows = (recordingId: string) =>
  store.db.prepare('SELECT instrument_id, seq, count FROM trade_chunks WHERE recording_id = ? ORDER BY instrument_id, seq').all(recordingId) as Array<{ instrument_id: string; seq: number; count: number }>;

describe('recordings', () => {
  test('creates, gets and lists recordings newest first', () => {
    const first = store.recordings.createRecording({ name: 'morning', source: 'mexc' });
    const second = store.recordings.createRecording({ name: 'import', source: 'csv', id: 'custom', instruments: [BTC] });
    expect(first).toEqual({ id: 'rec-1', name: 'morning', source: 'mexc', instruments: [], firstTs: null, lastTs: null, tradeCount: 0, bookCount: 0, createdAt: 1_700_000_000_000 });
    expect(store.recordings.get('custom')).toEqual(second);
    expect(store.recordings.list().map((r) => r.id)).toEqual(['custom', 'rec-1']);
    expect(store.recordings.get('nope')).toBeNull();
  });

  test('round-trips 100k ticks through chunks exactly', () => {
    const recording = store.recordings.createRecording({ name: 'bulk', source: 'test' });
    const input = trades(100_000);
    const started = performance.now();
    for (let i = 0; i < input.length; i += 10_000) store.recordings.appendTrades(recording.id, BTC, input.slice(i, i + 10_000));
    const finalized = store.recordings.finalize(recording.id);
    const written = performance.now();
    const output = decode(store.recordings.readTradeChunks(recording.id));
    const read = performance.now();
    console.info(`100k ticks: append+finalize ${(written - started).toFixed(1)} ms, read+decode ${(read - written).toFixed(1)} ms`);

    expect(output).toEqual(input.map((t) => ({ ...t, instrumentId: BTC })));
    const rows = chunkRows(recording.id);
    expect(rows).toHaveLength(Math.ceil(100_000 / 8192));
    expect(rows.slice(0, -1).every((r) => r.count === 8192)).toBe(true);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
    expect(finalized).toMatchObject({ instruments: [BTC], tradeCount: 100_000, bookCount: 0, firstTs: input[0]!.ts, lastTs: input.at(-1)!.ts });
  });

  test('buffers appends until a chunk is full and writes partial chunks on flush', () => {
    const recording = store.recordings.createRecording({ name: 'live', source: 'mexc' });
    const input = trades(9_000);
    store.recordings.appendTrades(recording.id, BTC, input.slice(0, 5_000));
    expect(chunkRows(recording.id)).toEqual([]);
    store.recordings.appendTrades(recording.id, BTC, input.slice(5_000, 8_500));
    expect(chunkRows(recording.id)).toEqual([{ instrument_id: BTC, seq: 0, count: 8192 }]);
    store.recordings.flush();
    expect(chunkRows(recording.id).map((r) => r.count)).toEqual([8192, 308]);
    store.recordings.appendTrades(recording.id, BTC, input.slice(8_500));
    store.recordings.finalize(recording.id);
    expect(chunkRows(recording.id)).toEqual([
      { instrument_id: BTC, seq: 0, count: 8192 },
      { instrument_id: BTC, seq: 1, count: 308 },
      { instrument_id: BTC, seq: 2, count: 500 },
    ]);
    expect(decode(store.recordings.readTradeChunks(recording.id)).map((t) => t.ts)).toEqual(input.map((t) => t.ts));
  });

  test('reads include trades still buffered, without writing them', () => {
    const recording = store.recordings.createRecording({ name: 'live', source: 'mexc' });
    store.recordings.appendTrades(recording.id, BTC, trades(10));
    expect(decode(store.recordings.readTradeChunks(recording.id))).toHaveLength(10);
    expect(store.recordings.countTrades(recording.id)).toBe(10);
    expect(chunkRows(recording.id)).toEqual([]);
  });

  test('merges instruments by timestamp, ties in instrument order', () => {
    const recording = store.recordings.createRecording({ name: 'two', source: 'test' });
    store.recordings.appendTrades(recording.id, ETH, [
      { ts: 1, price: 3000, quantity: 1, side: 'buy' },
      { ts: 3, price: 3001, quantity: 1, side: 'sell' },
      { ts: 3, price: 3002, quantity: 1, side: 'sell' },
      { ts: 9, price: 3003, quantity: 1, side: 'buy' },
    ]);
    store.recordings.appendTrades(recording.id, BTC, [
      { ts: 2, price: 60000, quantity: 1, side: 'buy' },
      { ts: 3, price: 60001, quantity: 1, side: 'buy' },
      { ts: 4, price: 60002, quantity: 1, side: 'buy' },
      { ts: 5, price: 60003, quantity: 1, side: 'buy' },
    ]);
    store.recordings.flush();
    const merged = decode(store.recordings.readTradeChunks(recording.id)).map((t) => `${t.ts}:${t.price}`);
    expect(merged).toEqual(['1:3000', '2:60000', '3:60001', '3:3001', '3:3002', '4:60002', '5:60003', '9:3003']);
    expect(decode(store.recordings.readTradeChunks(recording.id, ETH)).map((t) => t.price)).toEqual([3000, 3001, 3002, 3003]);
  });

  test('merges many chunks of interleaved instruments into one time-ordered stream', () => {
    const small = openStore(':memory:', { migrationsDir: MIGRATIONS, clock: new SimulatedClock(0), tradeChunkSize: 100 });
    try {
      const recording = small.recordings.createRecording({ name: 'mixed', source: 'test' });
      const btc = trades(1_000, 1_000, 1);
      const eth = trades(1_300, 1_000, 2);
      small.recordings.appendTrades(recording.id, BTC, btc);
      small.recordings.appendTrades(recording.id, ETH, eth);
      const merged = decode(small.recordings.readTradeChunks(recording.id));
      expect(merged).toHaveLength(2_300);
      for (let i = 1; i < merged.length; i++) expect(merged[i]!.ts).toBeGreaterThanOrEqual(merged[i - 1]!.ts);
      expect(merged.filter((t) => t.instrumentId === ETH).map((t) => t.price)).toEqual(eth.map((t) => t.price));
    } finally {
      small.close();
    }
  });

  test('lets the reader write orders between chunks (a replay journals as it goes)', () => {
    const recording = store.recordings.createRecording({ name: 'replay', source: 'test' });
    store.recordings.appendTrades(recording.id, BTC, trades(20_000));
    let written = 0;
    for (const chunk of store.recordings.readTradeChunks(recording.id)) {
      const order: OrderDto = {
        clientOrderId: `o${written++}`, venueOrderId: null, instrumentId: BTC, strategyId: null, sessionId: 's', side: 'BUY', type: 'MARKET',
        quantity: '1', price: null, triggerPrice: null, timeInForce: 'IOC', reduceOnly: false, leverage: 1, status: 'INITIALIZED',
        filledQuantity: '0', averageFillPrice: null, createdAt: chunk.ts[0]!, updatedAt: chunk.ts[0]!, reason: null,
      };
      store.orders.upsert(order);
    }
    expect(written).toBe(3);
  });

  test('finalize records instruments, counts and the time range of trades and books', () => {
    const recording = store.recordings.createRecording({ name: 'both', source: 'mexc' });
    store.recordings.appendTrades(recording.id, ETH, [{ ts: 50, price: 3000, quantity: 2, side: 'sell' }]);
    store.recordings.appendTrades(recording.id, BTC, [{ ts: 100, price: 60000, quantity: 1, side: 'buy' }]);
    store.recordings.appendBooks(recording.id, BTC, [{ ts: 10, bids: [[59999, 1]], asks: [[60001, 2]], snapshot: true }]);
    expect(store.recordings.finalize(recording.id)).toMatchObject({ instruments: [BTC, ETH], tradeCount: 2, bookCount: 1, firstTs: 10, lastTs: 100 });
    expect(store.recordings.get(recording.id)?.tradeCount).toBe(2);
    expect(() => store.recordings.finalize('missing')).toThrow(/no recording missing/);
  });

  test('continues a finalized recording after its last chunk, even from a new store', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-recordings-'));
    try {
      const file = path.join(dir, 'surge.db');
      const first = openStore(file, { migrationsDir: MIGRATIONS, clock: new SimulatedClock(0) });
      const recording = first.recordings.createRecording({ name: 'resumed', source: 'mexc' });
      first.recordings.appendTrades(recording.id, BTC, [{ ts: 100, price: 1, quantity: 1, side: 'buy' }]);
      first.recordings.finalize(recording.id);
      first.close();
      const second = openStore(file, { migrationsDir: MIGRATIONS, clock: new SimulatedClock(0) });
      expect(() => second.recordings.appendTrades(recording.id, BTC, [{ ts: 99, price: 1, quantity: 1, side: 'buy' }])).toThrow(/earlier than the previous tick's 100/);
      second.recordings.appendTrades(recording.id, BTC, [{ ts: 101, price: 2, quantity: 1, side: 'sell' }]);
      expect(second.recordings.finalize(recording.id)).toMatchObject({ tradeCount: 2, lastTs: 101 });
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('deletes a recording with all its chunks', () => {
    const keep = store.recordings.createRecording({ name: 'keep', source: 'test' });
    const drop = store.recordings.createRecording({ name: 'drop', source: 'test' });
    store.recordings.appendTrades(keep.id, BTC, trades(9_000));
    store.recordings.appendTrades(drop.id, BTC, trades(9_000));
    store.recordings.appendBooks(drop.id, BTC, [{ ts: 1, bids: [], asks: [], snapshot: true }]);
    store.recordings.flush();
    expect(store.recordings.delete(drop.id)).toBe(true);
    expect(store.recordings.delete(drop.id)).toBe(false);
    expect(store.recordings.get(drop.id)).toBeNull();
    expect(chunkRows(drop.id)).toEqual([]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM book_chunks').get()).toEqual({ n: 0 });
    expect(store.recordings.countTrades(keep.id)).toBe(9_000);
  });
});

describe('recording refuses bad ticks', () => {
  let recordingId: string;
  const good = (ts: number): TradeInput => ({ ts, price: 100, quantity: 1, side: 'buy' });

  beforeEach(() => {
    recordingId = store.recordings.createRecording({ name: 'bad', source: 'test' }).id;
    store.recordings.appendTrades(recordingId, BTC, [good(10), good(20)]);
  });

  const cases: Array<[string, TradeInput, RegExp]> = [
    ['a NaN price', { ts: 30, price: Number.NaN, quantity: 1, side: 'buy' }, /tick 1 has price NaN; it must be a finite number > 0/],
    ['an infinite price', { ts: 30, price: Number.POSITIVE_INFINITY, quantity: 1, side: 'buy' }, /tick 1 has price Infinity/],
    ['a zero price', { ts: 30, price: 0, quantity: 1, side: 'buy' }, /tick 1 has price 0;/],
    ['a negative price', { ts: 30, price: -5, quantity: 1, side: 'buy' }, /tick 1 has price -5;/],
    ['a NaN quantity', { ts: 30, price: 1, quantity: Number.NaN, side: 'buy' }, /tick 1 has quantity NaN/],
    ['an infinite quantity', { ts: 30, price: 1, quantity: Number.NEGATIVE_INFINITY, side: 'buy' }, /tick 1 has quantity -Infinity/],
    ['a zero quantity', { ts: 30, price: 1, quantity: 0, side: 'buy' }, /tick 1 has quantity 0;/],
    ['a negative quantity', { ts: 30, price: 1, quantity: -1, side: 'buy' }, /tick 1 has quantity -1;/],
    ['a timestamp going backwards in the batch', { ts: 25, price: 1, quantity: 1, side: 'buy' }, /tick 1 has ts 25, earlier than the previous tick's 30/],
    ['a fractional timestamp', { ts: 30.5, price: 1, quantity: 1, side: 'buy' }, /tick 1 has ts 30.5; it must be whole milliseconds/],
    ['an unknown side', { ts: 30, price: 1, quantity: 1, side: 'long' as 'buy' }, /tick 1 has side long; it must be "buy" or "sell"/],
  ];

  test.each(cases)('refuses %s, naming the index and value, and records nothing of the batch', (_name, bad, message) => {
    const batch = [good(30), bad, good(40)];
    expect(() => store.recordings.appendTrades(recordingId, BTC, batch)).toThrow(RecordingInputError);
    expect(() => store.recordings.appendTrades(recordingId, BTC, batch)).toThrow(message);
    expect(decode(store.recordings.readTradeChunks(recordingId)).map((t) => t.ts)).toEqual([10, 20]);
    store.recordings.appendTrades(recordingId, BTC, [good(30)]);
    expect(store.recordings.countTrades(recordingId)).toBe(3);
  });

  test('refuses a timestamp earlier than what was already recorded', () => {
    expect(() => store.recordings.appendTrades(recordingId, BTC, [good(15)])).toThrow(/tick 0 has ts 15, earlier than the previous tick's 20/);
    store.recordings.finalize(recordingId);
    expect(() => store.recordings.appendTrades(recordingId, BTC, [good(19)])).toThrow(/tick 0 has ts 19, earlier than the previous tick's 20/);
    expect(store.recordings.finalize(recordingId).tradeCount).toBe(2);
  });

  test('allows an earlier timestamp on another instrument', () => {
    store.recordings.appendTrades(recordingId, ETH, [good(5)]);
    expect(store.recordings.countTrades(recordingId, ETH)).toBe(1);
  });

  test('refuses appends to a recording that does not exist', () => {
    expect(() => store.recordings.appendTrades('ghost', BTC, [good(1)])).toThrow(/no recording ghost; create it first/);
  });

  test('keeps its buffer intact when writing a full chunk fails', () => {
    const small = openStore(':memory:', { migrationsDir: MIGRATIONS, clock: new SimulatedClock(0), tradeChunkSize: 4 });
    try {
      const id = small.recordings.createRecording({ name: 'fails', source: 'test' }).id;
      small.recordings.appendTrades(id, BTC, [good(1), good(2)]);
      // the recording vanishes behind the repository's back: the chunk write hits the foreign key
      small.db.prepare('DELETE FROM recordings WHERE id = ?').run(id);
      expect(() => small.recordings.appendTrades(id, BTC, [good(3), good(4), good(5)])).toThrow(/FOREIGN KEY/);
      expect(small.recordings.countTrades(id)).toBe(2);
      expect(() => small.recordings.appendTrades(id, BTC, [good(2)])).not.toThrow();
    } finally {
      small.close();
    }
  });
});

describe('book updates', () => {
  test('round-trip through chunks as BookUpdate objects', () => {
    const recording = store.recordings.createRecording({ name: 'books', source: 'binance' });
    const updates: BookInput[] = [];
    for (let i = 0; i < 10; i++) {
      updates.push({
        ts: 1_000 + i * 100,
        snapshot: i === 0,
        bids: Array.from({ length: i % 3 }, (_, level) => [61_000 - level * 0.5, level === 0 ? 0 : 1.25 * level] as [number, number]),
        asks: Array.from({ length: (i + 1) % 4 }, (_, level) => [61_000.5 + level * 0.5, 0.75 + level] as [number, number]),
      });
    }
    store.recordings.appendBooks(recording.id, BTC, updates.slice(0, 6));
    store.recordings.appendBooks(recording.id, BTC, updates.slice(6));
    const chunks = [...store.recordings.readBookChunks(recording.id)];
    const decoded = chunks.flatMap((chunk) => [...bookUpdatesOf(chunk)]);
    expect(decoded).toEqual(updates.map((u) => ({ kind: 'book', instrumentId: BTC, ...u })));
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM book_chunks').get()).toEqual({ n: 2 }); // two full chunks of 4; 2 still buffered
    expect(store.recordings.finalize(recording.id).bookCount).toBe(10);
  });

  test('merge by timestamp across instruments', () => {
    const recording = store.recordings.createRecording({ name: 'books', source: 'binance' });
    store.recordings.appendBooks(recording.id, ETH, [1, 4, 6].map((ts) => ({ ts, bids: [[3000, 1]], asks: [], snapshot: false })));
    store.recordings.appendBooks(recording.id, BTC, [2, 3, 5].map((ts) => ({ ts, bids: [], asks: [[60000, 1]], snapshot: false })));
    const order = [...store.recordings.readBookChunks(recording.id)].flatMap((chunk) => [...bookUpdatesOf(chunk)].map((u) => `${u.ts}:${u.instrumentId}`));
    expect(order).toEqual([`1:${ETH}`, `2:${BTC}`, `3:${BTC}`, `4:${ETH}`, `5:${BTC}`, `6:${ETH}`]);
  });

  test('refuses bad levels and backwards timestamps, recording nothing of the batch', () => {
    const recording = store.recordings.createRecording({ name: 'books', source: 'binance' });
    store.recordings.appendBooks(recording.id, BTC, [{ ts: 10, bids: [[1, 1]], asks: [], snapshot: true }]);
    expect(() => store.recordings.appendBooks(recording.id, BTC, [{ ts: 11, bids: [[Number.NaN, 1]], asks: [], snapshot: false }])).toThrow(/update 0 bids level 0 has price NaN/);
    expect(() => store.recordings.appendBooks(recording.id, BTC, [{ ts: 11, bids: [], asks: [[1, -2]], snapshot: false }])).toThrow(/update 0 asks level 0 has quantity -2; it must be a finite number ≥ 0/);
    expect(() =>
      store.recordings.appendBooks(recording.id, BTC, [
        { ts: 12, bids: [], asks: [], snapshot: false },
        { ts: 9, bids: [], asks: [], snapshot: false },
      ]),
    ).toThrow(/update 1 has ts 9, earlier than the previous update's 12/);
    expect(store.recordings.finalize(recording.id).bookCount).toBe(1);
  });
});
