import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared real-data folder; SURGE_DATA_DIR overrides the default location next to the repo. */
export const SHARED_DATA_DIR = process.env['SURGE_DATA_DIR'] ?? fileURLToPath(new URL('../../../../../shared/data/', import.meta.url));

export const BTCUSDT_TRADES = `${SHARED_DATA_DIR}/trades/binance-usdm-btcusdt-trades-20240808T235416Z-20240808T235959Z.csv`;
export const BTCUSDT_BOOK_TICKER = `${SHARED_DATA_DIR}/orderbook/binance-usdm-btcusdt-bookticker-20240808T235416Z-20240809T000001Z.csv`;

export interface Trade {
  readonly ts: number;
  readonly price: number;
  readonly quantity: number;
  readonly side: 'buy' | 'sell';
}

export interface BookTop {
  readonly ts: number;
  readonly bidPrice: number;
  readonly bidQuantity: number;
  readonly askPrice: number;
  readonly askQuantity: number;
}

function rows(path: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line.length > 0);
  const header = (lines[0] ?? '').split(',');
  return { header, rows: lines.slice(1).map((line) => line.split(',')) };
}

function columnIndex(header: string[], name: string): number {
  const index = header.indexOf(name);
  if (index === -1) throw new Error(`column ${name} missing; have ${header.join(',')}`);
  return index;
}

/** Binance @trade CSV: trade_id,price,qty,trade_time_ms,event_time_ms,buyer_is_maker,side,local_recv_ns (trade time used). */
export function loadTrades(path: string = BTCUSDT_TRADES): Trade[] {
  const { header, rows: data } = rows(path);
  const price = columnIndex(header, 'price');
  const qty = columnIndex(header, 'qty');
  const time = columnIndex(header, 'trade_time_ms');
  const side = columnIndex(header, 'side');
  return data.map((row) => ({
    ts: Number(row[time]),
    price: Number(row[price]),
    quantity: Number(row[qty]),
    side: row[side] === 'sell' ? 'sell' : 'buy',
  }));
}

/** Binance @bookTicker CSV: best bid/ask with quantities, at the transaction time. */
export function loadBookTicker(path: string = BTCUSDT_BOOK_TICKER): BookTop[] {
  const { header, rows: data } = rows(path);
  const bidPrice = columnIndex(header, 'best_bid_price');
  const bidQty = columnIndex(header, 'best_bid_qty');
  const askPrice = columnIndex(header, 'best_ask_price');
  const askQty = columnIndex(header, 'best_ask_qty');
  const time = columnIndex(header, 'transaction_time_ms');
  return data.map((row) => ({
    ts: Number(row[time]),
    bidPrice: Number(row[bidPrice]),
    bidQuantity: Number(row[bidQty]),
    askPrice: Number(row[askPrice]),
    askQuantity: Number(row[askQty]),
  }));
}

/**
 * The file replayed `loops` times back to back, each copy shifted by the file's duration plus
 * one second: a long stream of real ticks for drift tests and benchmarks.
 */
export function loopTrades(trades: readonly Trade[], loops: number): Trade[] {
  const first = trades[0]!.ts;
  const period = trades[trades.length - 1]!.ts - first + 1000;
  const looped: Trade[] = [];
  for (let loop = 0; loop < loops; loop++) {
    for (const trade of trades) looped.push({ ...trade, ts: trade.ts + loop * period });
  }
  return looped;
}
