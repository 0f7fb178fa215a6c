import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { BTC_TRADES, ETH_TRADES, migrationsDir, resourcesDir, sharedData } from '../../../tests/fixtures/paths';
import { createLogger, memorySink } from '../ops/logger';
import { openStore, type Store } from '../store/store';
import { plainDecimal, SURGE_TRADES_HEADER } from './csv-export';
import { loadInstrumentCatalog } from './instruments';
import { RecordingService } from './recording-service';

const BOOK_TICKER = sharedData('orderbook', 'binance-usdm-btcusdt-bookticker-20240808T235416Z-20240809T000001Z.csv');
const instruments = loadInstrumentCatalog(resourcesDir);

let dir: string;
let store: Store;
let service: RecordingService;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'surge-recordings-'));
  store = openStore(':memory:', { migrationsDir });
  service = new RecordingService(store, instruments, createLogger('test', memorySink()));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function imported(request: Parameters<RecordingService['importCsv']>[0]): Promise<string> {
  const result = await service.importCsv(request);
  if (!result.ok) throw new Error(result.error.message);
  return result.value.id;
}

function allTrades(recordingId: string, instrumentId?: string): Array<[number, number, number, number]> {
  const rows: Array<[number, number, number, number]> = [];
  for (const chunk of store.recordings.readTradeChunks(recordingId, instrumentId)) {
    for (let i = 0; i < chunk.count; i++) rows.push([chunk.ts[i]!, chunk.price[i]!, chunk.quantity[i]!, chunk.side[i]!]);
  }
  return rows;
}

describe('inspect', () => {
  test('shows the symbols, the time range and the counts per instrument of trades and of book updates', async () => {
    const id = await imported({ path: BTC_TRADES, extraPaths: [BOOK_TICKER], instrumentId: 'BTC/USDT:USDT' });
    const inspection = service.inspect(id);
    if (!inspection.ok) throw new Error(inspection.error.message);
    expect(inspection.value.recording.tradeCount).toBe(21_313);
    expect(inspection.value.instruments).toEqual([
      {
        instrumentId: 'BTC/USDT:USDT',
        trades: { count: 21_313, firstTs: 1723161256322, lastTs: 1723161599643 },
        books: { count: 66_089, firstTs: 1723161256313, lastTs: 1723161600709 },
      },
    ]);
    expect(inspection.value.firstTs).toBe(1723161256313);
    expect(inspection.value.lastTs).toBe(1723161600709);
  });

  test('counts what a recording being written holds so far, buffered ticks included', () => {
    const recording = store.recordings.createRecording({ name: 'live', source: 'collect' });
    store.recordings.appendTrades(recording.id, 'ETH/USDT:USDT', [{ ts: 5, price: 2, quantity: 1, side: 'buy' }, { ts: 9, price: 2, quantity: 1, side: 'sell' }]);
    const inspection = service.inspect(recording.id);
    expect(inspection.ok && inspection.value.instruments).toEqual([{ instrumentId: 'ETH/USDT:USDT', trades: { count: 2, firstTs: 5, lastTs: 9 }, books: { count: 0, firstTs: null, lastTs: null } }]);
  });

  test('an unknown recording is not found', () => {
    expect(service.inspect('nope')).toMatchObject({ ok: false, error: { type: 'not_found', paths: ['request.id'] } });
  });
});

describe('export to CSV', () => {
  test('writes the app\'s own format, which imports back to exactly the same trades', async () => {
    const id = await imported({ path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
    const target = path.join(dir, 'btc.csv');
    const exported = await service.exportCsv({ id, path: target });
    expect(exported).toEqual({ ok: true, value: { path: target, instrumentId: 'BTC/USDT:USDT', trades: 21_313 } });
    const text = readFileSync(target, 'utf8');
    expect(text.split('\n')[0]).toBe(SURGE_TRADES_HEADER);
    expect(text.split('\n')[1]).toBe('1723161256322,61800.3,0.006,buy');
    const again = await imported({ path: target, instrumentId: 'BTC/USDT:USDT' });
    expect(allTrades(again)).toEqual(allTrades(id));
  });

  test('synthetic candle trades with long fractions survive the round trip bit for bit', async () => {
    const id = await imported({ path: sharedData('candles', 'bybit-spot-btcusdt-1m-20221213.csv'), instrumentId: 'BTC/USDT:USDT' });
    const target = path.join(dir, 'candles.csv');
    expect((await service.exportCsv({ id, path: target })).ok).toBe(true);
    expect(allTrades(await imported({ path: target, instrumentId: 'BTC/USDT:USDT' }))).toEqual(allTrades(id));
  });

  test('a recording of several instruments needs the instrument named; a missing one or an existing file is refused', async () => {
    const recording = store.recordings.createRecording({ name: 'two', source: 'test' });
    store.recordings.appendTrades(recording.id, 'BTC/USDT:USDT', [{ ts: 1, price: 10, quantity: 1, side: 'buy' }]);
    store.recordings.appendTrades(recording.id, 'ETH/USDT:USDT', [{ ts: 2, price: 20, quantity: 3, side: 'sell' }]);
    store.recordings.finalize(recording.id);
    const target = path.join(dir, 'eth.csv');
    expect(await service.exportCsv({ id: recording.id, path: target })).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.instrumentId'] } });
    expect(await service.exportCsv({ id: recording.id, instrumentId: 'SOL/USDT:USDT', path: target })).toMatchObject({ ok: false, error: { paths: ['request.instrumentId'] } });
    expect(await service.exportCsv({ id: recording.id, instrumentId: 'ETH/USDT:USDT', path: target })).toMatchObject({ ok: true, value: { trades: 1 } });
    expect(readFileSync(target, 'utf8')).toBe(`${SURGE_TRADES_HEADER}\n2,20,3,sell\n`);
    writeFileSync(path.join(dir, 'taken.csv'), 'keep me');
    expect(await service.exportCsv({ id: recording.id, instrumentId: 'ETH/USDT:USDT', path: path.join(dir, 'taken.csv') })).toMatchObject({ ok: false, error: { type: 'conflict' } });
    expect(readFileSync(path.join(dir, 'taken.csv'), 'utf8')).toBe('keep me');
    expect(await service.exportCsv({ id: recording.id, instrumentId: 'ETH/USDT:USDT', path: path.join(dir, 'no-such-dir', 'x.csv') })).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.path'] } });
    expect(existsSync(path.join(dir, 'no-such-dir'))).toBe(false);
  });

  test('any float64 price or quantity is written as plain decimal text that reads back to the same number', () => {
    fc.assert(
      fc.property(fc.double({ min: Number.MIN_VALUE, max: 1e30, noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = plainDecimal(value);
        expect(text).toMatch(/^\d+(\.\d+)?$/);
        expect(Number(text)).toBe(value);
      }),
      { numRuns: 2000 },
    );
    expect(plainDecimal(1.5e-7)).toBe('0.00000015');
    expect(plainDecimal(2e21)).toBe('2000000000000000000000');
  });
});

describe('import', () => {
  test('trades and the book ticker of the same window go into one recording', async () => {
    const id = await imported({ path: BTC_TRADES, extraPaths: [BOOK_TICKER], instrumentId: 'BTC/USDT:USDT', name: 'btc with book' });
    const recording = store.recordings.get(id)!;
    expect(recording).toMatchObject({ name: 'btc with book', tradeCount: 21_313, bookCount: 66_089, instruments: ['BTC/USDT:USDT'] });
  });

  test('a bad row in a later file discards the whole new recording and leaves earlier recordings intact', async () => {
    const earlier = await imported({ path: ETH_TRADES, instrumentId: 'ETH/USDT:USDT' });
    const before = allTrades(earlier);
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'ts,price,quantity,side\n1,10,1,buy\n2,10,1,buy\n0,10,1,buy\n');
    const result = await service.importCsv({ path: BTC_TRADES, extraPaths: [bad], instrumentId: 'BTC/USDT:USDT' });
    expect(result).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.extraPaths[0]'] } });
    if (!result.ok) expect(result.error.message).toMatch(/line 4: timestamp 0 goes backwards/);
    expect(store.recordings.list().map((r) => r.id)).toEqual([earlier]);
    expect(allTrades(earlier)).toEqual(before);
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM trade_chunks WHERE recording_id != ?').get(earlier) as { n: number }).n).toBe(0);
  });

  test('an unknown instrument, a missing file or a missing snapshot file is refused before anything is recorded', async () => {
    expect(await service.importCsv({ path: BTC_TRADES, instrumentId: 'DOGE/USDT:USDT' })).toMatchObject({ ok: false, error: { paths: ['request.instrumentId'] } });
    expect(await service.importCsv({ path: path.join(dir, 'missing.csv'), instrumentId: 'BTC/USDT:USDT' })).toMatchObject({ ok: false, error: { paths: ['request.path'] } });
    expect(await service.importCsv({ path: BTC_TRADES, snapshotPath: path.join(dir, 'missing.csv'), instrumentId: 'BTC/USDT:USDT' })).toMatchObject({ ok: false, error: { paths: ['request.snapshotPath'] } });
    expect(store.recordings.list()).toEqual([]);
  });
});
