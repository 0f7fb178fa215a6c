import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import { sharedData } from '../../../tests/fixtures/paths';
import { CsvImportError, type BookRow, type TradeRow } from './csv-lines';
import { readTradesCsv } from './csv-trades';
import { CANDLE_TRADE_OFFSETS_MS, detectCsvFormat, readMarketCsv, type ReadMarketCsvOptions } from './market-csv';

const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-market-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function file(text: string, name = `f${++fileCounter}.csv`): string {
  const target = path.join(dir, name);
  writeFileSync(target, name.endsWith('.gz') ? gzipSync(text) : text);
  return target;
}

async function readAll(source: string, options: ReadMarketCsvOptions = {}): Promise<{ trades: TradeRow[]; books: BookRow[] }> {
  const trades: TradeRow[] = [];
  const books: BookRow[] = [];
  for await (const batch of readMarketCsv(source, options)) {
    if (batch.kind === 'trades') trades.push(...batch.rows);
    else books.push(...batch.rows);
  }
  return { trades, books };
}

async function failure(source: string, options: ReadMarketCsvOptions = {}): Promise<CsvImportError> {
  try {
    await readAll(source, options);
  } catch (error) {
    if (error instanceof CsvImportError) return error;
    throw error;
  }
  throw new Error(`${source} was read without an error`);
}

const inOrder = (rows: ReadonlyArray<{ ts: number }>): boolean => rows.every((row, i) => i === 0 || row.ts >= rows[i - 1]!.ts);

describe('the files in ../shared/data import as they are', () => {
  test('Binance USDⓈ-M trades: every trade, at trade time, aggressor side kept', async () => {
    const { trades, books } = await readAll(sharedData('trades', 'binance-usdm-btcusdt-trades-20240808T235416Z-20240808T235959Z.csv'));
    expect(trades).toHaveLength(21_313);
    expect(books).toHaveLength(0);
    expect(trades[0]).toEqual({ ts: 1723161256322, price: 61800.3, quantity: 0.006, side: 'buy' });
    expect(inOrder(trades)).toBe(true);
  });

  test('Binance aggTrades take the side from the file', async () => {
    const { trades } = await readAll(sharedData('trades', 'binance-spot-xrpeth-aggtrades-20191011-20191013.csv'));
    expect(trades).toHaveLength(12_477);
    expect(trades[0]).toEqual({ ts: 1570752011620, price: 0.00141342, quantity: 23, side: 'sell' });
  });

  test('FTX 1-minute candles become four synthetic trades per bar, with the quote volume turned into base units', async () => {
    const { trades } = await readAll(sharedData('candles', 'ftx-btc-perp-1m-20211231-20220201.csv'));
    expect(trades).toHaveLength(45_031 * 4);
    // first bar: 2021-12-31 23:01 UTC, O 46319 H 46385 L 46319 C 46377, volume 2300413.7295 USD; a rising bar goes O, L, H, C
    const start = Date.UTC(2021, 11, 31, 23, 1);
    const quarter = 2300413.7295 / 4;
    expect(trades.slice(0, 4)).toEqual([
      { ts: start, price: 46319, quantity: quarter / 46319, side: 'buy' },
      { ts: start + 15_000, price: 46319, quantity: quarter / 46319, side: 'buy' },
      { ts: start + 30_000, price: 46385, quantity: quarter / 46385, side: 'buy' },
      { ts: start + 45_000, price: 46377, quantity: quarter / 46377, side: 'sell' },
    ]);
    expect(inOrder(trades)).toBe(true);
  });

  test('Bybit 1-minute candles keep their base volume', async () => {
    const { trades } = await readAll(sharedData('candles', 'bybit-spot-btcusdt-1m-20221213.csv'));
    expect(trades).toHaveLength(1_440 * 4);
    // 00:00 bar: O 17208.86 H 17212.99 L 17205 C 17205 (falling: O, H, L, C), volume 1.549151 BTC
    expect(trades.slice(0, 4).map((t) => [t.ts - 1670889600000, t.price, t.quantity, t.side])).toEqual([
      [0, 17208.86, 1.549151 / 4, 'buy'],
      [15_000, 17212.99, 1.549151 / 4, 'buy'],
      [30_000, 17205, 1.549151 / 4, 'sell'],
      [45_000, 17205, 1.549151 / 4, 'buy'],
    ]);
  });

  test('the Binance book ticker becomes one-level book snapshots at transaction time', async () => {
    const { trades, books } = await readAll(sharedData('orderbook', 'binance-usdm-btcusdt-bookticker-20240808T235416Z-20240809T000001Z.csv'));
    expect(trades).toHaveLength(0);
    expect(books).toHaveLength(66_089);
    expect(books[0]).toEqual({ ts: 1723161256313, bids: [[61800.2, 2.507]], asks: [[61800.3, 2.51]], snapshot: true });
    expect(inOrder(books)).toBe(true);
  });

  test('the USDⓈ-M depth stream rebuilt from its snapshot is never crossed and agrees with the independent book ticker', async () => {
    const { books } = await readAll(sharedData('orderbook', 'binance-usdm-btcusdt-depth-updates-20240808T235416Z-20240809T000001Z.csv.gz'), { bookLevels: 10 });
    // 6,551 events; the 4 that end before the snapshot's lastUpdateId are dropped
    expect(books).toHaveLength(6_547);
    expect(books.every((b) => b.bids.length === 10 && b.asks.length === 10 && b.snapshot)).toBe(true);
    expect(books.every((b) => b.bids[0]![0] < b.asks[0]![0])).toBe(true);
    expect(books.every((b) => b.bids.every((l, i) => i === 0 || l[0] < b.bids[i - 1]![0]) && b.asks.every((l, i) => i === 0 || l[0] > b.asks[i - 1]![0]))).toBe(true);
    const { books: ticker } = await readAll(sharedData('orderbook', 'binance-usdm-btcusdt-bookticker-20240808T235416Z-20240809T000001Z.csv'));
    let at = 0;
    let compared = 0;
    let agreed = 0;
    for (const book of books) {
      while (at + 1 < ticker.length && ticker[at + 1]!.ts <= book.ts) at++;
      if (ticker[at]!.ts > book.ts) continue;
      compared++;
      if (ticker[at]!.bids[0]![0] === book.bids[0]![0] && ticker[at]!.asks[0]![0] === book.asks[0]![0]) agreed++;
    }
    expect(compared).toBeGreaterThan(6_000);
    expect(agreed / compared).toBeGreaterThan(0.99);
  });

  test('the spot depth stream follows the spot continuity rule (U = previous u + 1)', async () => {
    const { books } = await readAll(sharedData('orderbook', 'binance-spot-btcusdt-depth-updates-20240808T235414Z-20240809T000505Z.csv.gz'));
    expect(books.length).toBeGreaterThan(6_000);
    expect(books.every((b) => b.bids[0]![0] < b.asks[0]![0])).toBe(true);
    expect(inOrder(books)).toBe(true);
  });

  test('a USDⓈ-M depth snapshot alone is one book at its exchange time; a spot one (no time) is refused', async () => {
    const { books } = await readAll(sharedData('orderbook', 'binance-usdm-btcusdt-depth-snapshot-20240808T235416Z.csv'), { bookLevels: 3 });
    expect(books).toEqual([{ ts: 1723161256493, bids: [[61800.2, 2.909], [61800.1, 0.696], [61800, 20.004]], asks: [[61800.3, 1.072], [61800.7, 0.002], [61801, 0.003]], snapshot: true }]);
    const spot = await failure(sharedData('orderbook', 'binance-spot-btcusdt-depth-snapshot-20240808T235414Z.csv'));
    expect(spot.problem).toMatch(/no exchange time/);
  });

  test('Tardis book_snapshot_25 rows become 25-level snapshots at exchange time', async () => {
    const { books } = await readAll(sharedData('orderbook', 'tardis-binance-futures-book-snapshot-25-btcusdt-20200901.csv'), { bookLevels: 25 });
    expect(books).toHaveLength(10);
    expect(books[0]!.ts).toBe(1598918403696);
    expect(books[0]!.bids).toHaveLength(25);
    expect(books[0]!.asks[0]).toEqual([11657.08, 1.714]);
  });

  test('formats this importer does not read are refused by their header', async () => {
    for (const name of ['nautilus-binance-usdm-btcusdt-depth-snap-20221101.csv', 'bybit-linear-xrpusdt-ob500-20241201.jsonl']) {
      const error = await failure(sharedData('orderbook', name));
      expect(error.line).toBe(1);
      expect(error.problem).toMatch(/unrecognised header/);
    }
  });
});

describe('candles are converted deterministically', () => {
  test('a rising bar goes open, low, high, close; a falling one open, high, low, close; a bar without volume adds nothing', async () => {
    const source = file('open_time_ms,open,high,low,close,volume\n0,10,12,9,11,8\n60000,11,13,8,9,4\n120000,9,9,9,9,0\n180000,9,10,9,10,2\n');
    const { trades } = await readAll(source);
    expect(trades.map((t) => [t.ts, t.price, t.quantity, t.side])).toEqual([
      [0, 10, 2, 'buy'], [15_000, 9, 2, 'sell'], [30_000, 12, 2, 'buy'], [45_000, 11, 2, 'sell'],
      [60_000, 11, 1, 'buy'], [75_000, 13, 1, 'buy'], [90_000, 8, 1, 'sell'], [105_000, 9, 1, 'buy'],
      [180_000, 9, 0.5, 'buy'], [195_000, 9, 0.5, 'buy'], [210_000, 10, 0.5, 'buy'], [225_000, 10, 0.5, 'buy'],
    ]);
    expect(CANDLE_TRADE_OFFSETS_MS).toEqual([0, 15_000, 30_000, 45_000]);
  });

  test('bars closer than a minute, or whose high and low do not enclose open and close, are refused with the line', async () => {
    expect((await failure(file('open_time_ms,open,high,low,close,volume\n0,10,12,9,11,8\n30000,11,13,8,9,4\n'))).line).toBe(3);
    const inconsistent = await failure(file('open_time_ms,open,high,low,close,volume\n0,10,10.5,9,11,8\n'));
    expect(inconsistent.line).toBe(2);
    expect(inconsistent.problem).toMatch(/enclose/);
  });
});

describe('depth updates are checked for continuity', () => {
  const snapshotHeader = 'last_update_id,event_time_ms,transaction_time_ms,side,price,qty,local_recv_ns';
  const updatesHeader = 'event_time_ms,transaction_time_ms,first_update_id,final_update_id,prev_final_update_id,side,price,qty,local_recv_ns';

  test('a snapshot and diffs rebuild the book; quantity 0 removes a level; stale events are dropped', async () => {
    const snapshot = file(`${snapshotHeader}\n100,1000,1000,bid,10,1,0\n100,1000,1000,bid,9,2,0\n100,1000,1000,ask,11,3,0\n100,1000,1000,ask,12,4,0\n`, 'x-depth-snapshot-1.csv');
    const updates = file(`${updatesHeader}\n990,990,90,95,89,bid,10,5,0\n1001,1001,98,103,95,bid,10,0,0\n1001,1001,98,103,95,ask,10.5,7,0\n1002,1002,104,110,103,bid,9.5,1,0\n`, 'x-depth-updates-1-2.csv.gz');
    const { books } = await readAll(updates, { bookLevels: 5 });
    expect(books).toEqual([
      { ts: 1001, bids: [[9, 2]], asks: [[10.5, 7], [11, 3], [12, 4]], snapshot: true },
      { ts: 1002, bids: [[9.5, 1], [9, 2]], asks: [[10.5, 7], [11, 3], [12, 4]], snapshot: true },
    ]);
    // the snapshot beside it was found by name; naming it explicitly gives the same
    expect((await readAll(updates, { bookLevels: 5, snapshotPath: snapshot })).books).toEqual(books);
  });

  test('a gap in the update ids stops the import at the event that breaks the chain', async () => {
    file(`${snapshotHeader}\n100,1000,1000,bid,10,1,0\n100,1000,1000,ask,11,3,0\n`, 'gap-depth-snapshot-1.csv');
    const updates = file(`${updatesHeader}\n1001,1001,98,103,95,bid,10,2,0\n1002,1002,105,110,104,bid,9,1,0\n`, 'gap-depth-updates-1.csv');
    const error = await failure(updates);
    expect(error.line).toBe(3);
    expect(error.problem).toMatch(/gap in the update ids/);
  });

  test('spot events (no pu) must follow u + 1', async () => {
    file(`${snapshotHeader}\n100,,,bid,10,1,0\n100,,,ask,11,3,0\n`, 'spot-depth-snapshot-1.csv');
    const ok = file(`${updatesHeader}\n1000,,95,100,,bid,10,9,0\n1001,,101,105,,bid,10,2,0\n1002,,106,107,,ask,11,1,0\n`, 'spot-depth-updates-1.csv');
    expect((await readAll(ok)).books.map((b) => [b.ts, b.bids, b.asks])).toEqual([[1001, [[10, 2]], [[11, 3]]], [1002, [[10, 2]], [[11, 1]]]]);
    file(`${snapshotHeader}\n100,,,bid,10,1,0\n100,,,ask,11,3,0\n`, 'spotgap-depth-snapshot-1.csv');
    const gap = file(`${updatesHeader}\n1001,,101,105,,bid,10,2,0\n1002,,107,108,,ask,11,1,0\n`, 'spotgap-depth-updates-1.csv');
    expect((await failure(gap)).line).toBe(3);
  });

  test('a depth-updates file without its snapshot is refused with a clear message', async () => {
    const alone = file(`${updatesHeader}\n1001,1001,98,103,95,bid,10,2,0\n`, 'lonely-depth-updates-1.csv');
    const error = await failure(alone);
    expect(error.line).toBe(1);
    expect(error.problem).toMatch(/needs its depth snapshot/);
  });
});

describe('bad input is refused with the line number', () => {
  const header = 'ts,price,quantity,side\n';
  const cases: Array<[string, string, number, RegExp]> = [
    ['a malformed row', `${header}1,10,1,buy\n2,10,buy\n`, 3, /expected 4 columns, found 3/],
    ['NaN', `${header}1,10,1,buy\n2,NaN,1,buy\n`, 3, /price "NaN"/],
    ['a zero price', `${header}1,10,1,buy\n2,0,1,buy\n`, 3, /greater than zero/],
    ['a negative price', `${header}1,10,1,buy\n2,-10,1,buy\n`, 3, /price "-10"/],
    ['a zero quantity', `${header}1,10,1,buy\n2,10,0.000,sell\n`, 3, /quantity must be greater than zero/],
    ['a timestamp going backwards', `${header}5,10,1,buy\n4,10,1,buy\n`, 3, /goes backwards/],
    ['a fractional timestamp', `${header}1.5,10,1,buy\n`, 2, /not an integer/],
    ['an unknown side', `${header}1,10,1,long\n`, 2, /side "long"/],
    ['an unknown header', 'time,px,size\n1,2,3\n', 1, /unrecognised header/],
    ['an empty file', '\n\n', 1, /empty/],
    ['a book ticker with a negative bid', 'update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time_ms,event_time_ms\n1,-5,1,6,1,10,10\n', 2, /best_bid_price/],
  ];
  test.each(cases)('%s', async (_name, text, line, problem) => {
    const error = await failure(file(text));
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(problem);
    expect(error.message).toContain(`line ${line}:`);
  });

  test('readTradesCsv refuses a book file rather than reading it as trades', async () => {
    const books = file('update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time_ms,event_time_ms\n1,5,1,6,1,10,10\n');
    await expect(async () => {
      for await (const _batch of readTradesCsv(books)) void _batch;
    }).rejects.toThrow(/order-book data, not trades/);
  });
});

test('every format is told apart by its header alone', () => {
  expect(detectCsvFormat('ts,price,quantity,side')).toBe('surge-trades');
  expect(detectCsvFormat('trade_id,price,qty,trade_time_ms,event_time_ms,buyer_is_maker,side,local_recv_ns')).toBe('binance-trades');
  expect(detectCsvFormat('timestamp,open,high,low,close,volume')).toBe('ftx-candles');
  expect(detectCsvFormat('open_time_ms,open_time_utc,open,high,low,close,volume')).toBe('candles-ms');
  expect(detectCsvFormat('update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time_ms,event_time_ms,local_recv_ns')).toBe('binance-book-ticker');
  expect(detectCsvFormat('last_update_id,event_time_ms,transaction_time_ms,side,price,qty,local_recv_ns')).toBe('binance-depth-snapshot');
  expect(detectCsvFormat('event_time_ms,transaction_time_ms,first_update_id,final_update_id,prev_final_update_id,side,price,qty,local_recv_ns')).toBe('binance-depth-updates');
  expect(detectCsvFormat('a,b,c')).toBeNull();
});
