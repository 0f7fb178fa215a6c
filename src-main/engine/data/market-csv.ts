import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { CsvImportError, numberedLines, type BookRow, type TradeRow } from './csv-lines';
import { OrderBook } from './order-book';

/**
 * Market-data CSV formats the importer understands, recognised by their header line. Every
 * format is documented in README ("CSV formats"); `surge-trades` is the app's own export format.
 *
 * Every row is validated; the first bad one stops the read with its line number, so a caller
 * that writes into a fresh recording can discard it whole and nothing already stored is touched.
 */
export type CsvFormatName =
  | 'surge-trades'
  | 'binance-trades'
  | 'ftx-candles'
  | 'candles-ms'
  | 'binance-book-ticker'
  | 'binance-depth-snapshot'
  | 'binance-depth-updates'
  | 'tardis-book-snapshot';

export type MarketBatch = { kind: 'trades'; rows: TradeRow[] } | { kind: 'books'; rows: BookRow[] };

export interface ReadMarketCsvOptions {
  /** Rows per yielded batch (default 8192 trades / 1024 book updates). */
  batchSize?: number;
  /** Levels per side in the snapshots rebuilt from depth files (default 20). */
  bookLevels?: number;
  /** The depth snapshot a depth-updates file starts from; found beside it when not given. */
  snapshotPath?: string;
}

export const DEFAULT_BOOK_LEVELS = 20;

/** Seconds into a bar of each synthetic trade made from a candle (see README, CSV formats). */
export const CANDLE_TRADE_OFFSETS_MS = [0, 15_000, 30_000, 45_000] as const;
const MIN_BAR_SPACING_MS = 60_000;

const FORMAT_HINT = 'known formats: ts,price,quantity,side (the app\'s own); Binance trades/aggTrades; 1-minute candles (timestamp or open_time_ms,open,high,low,close,volume); Binance bookTicker; Binance depth snapshot and depth updates; Tardis book_snapshot_25 — see README, CSV formats';

export function detectCsvFormat(header: string): CsvFormatName | null {
  const columns = header.split(',').map((c) => c.trim().toLowerCase());
  const has = (...names: string[]): boolean => names.every((n) => columns.includes(n));
  if (has('ts', 'price', 'quantity', 'side')) return 'surge-trades';
  if (has('price', 'qty', 'trade_time_ms') && (has('side') || has('buyer_is_maker'))) return 'binance-trades';
  if (has('open', 'high', 'low', 'close', 'volume')) {
    if (has('open_time_ms')) return 'candles-ms';
    if (has('timestamp')) return 'ftx-candles';
  }
  if (has('best_bid_price', 'best_bid_qty', 'best_ask_price', 'best_ask_qty') && (has('transaction_time_ms') || has('event_time_ms'))) return 'binance-book-ticker';
  if (has('first_update_id', 'final_update_id', 'prev_final_update_id', 'side', 'price', 'qty', 'event_time_ms')) return 'binance-depth-updates';
  if (has('last_update_id', 'side', 'price', 'qty', 'event_time_ms', 'transaction_time_ms')) return 'binance-depth-snapshot';
  if (has('exchange', 'symbol', 'timestamp', 'asks[0].price', 'asks[0].amount', 'bids[0].price', 'bids[0].amount')) return 'tardis-book-snapshot';
  return null;
}

/** The format of a file, from its first non-blank line; throws CsvImportError for an unknown header or an empty file. */
export async function detectFileFormat(file: string): Promise<CsvFormatName> {
  for await (const { line, lineNumber } of numberedLines(file)) {
    const format = detectCsvFormat(line);
    if (format === null) throw new CsvImportError(file, lineNumber, `unrecognised header "${line.slice(0, 200)}"; ${FORMAT_HINT}`);
    return format;
  }
  throw new CsvImportError(file, 1, 'the file is empty');
}

// ---------------------------------------------------------------------------------------------
// Field parsing: strict decimal text only, so NaN, Infinity, "1e5", "-3" and "" never get in.

const DECIMAL = /^\d+(\.\d+)?$/;
const INTEGER = /^\d+$/;

type Fail = (problem: string) => never;

function positiveDecimal(text: string, what: string, fail: Fail): number {
  if (!DECIMAL.test(text)) fail(`${what} "${text}" is not a positive decimal number`);
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) fail(`${what} must be greater than zero (got ${text})`);
  return value;
}

function nonNegativeDecimal(text: string, what: string, fail: Fail): number {
  if (!DECIMAL.test(text)) fail(`${what} "${text}" is not a decimal number ≥ 0`);
  const value = Number(text);
  if (!Number.isFinite(value)) fail(`${what} "${text}" is not a finite number`);
  return value;
}

function wholeNumber(text: string, what: string, fail: Fail): number {
  if (!INTEGER.test(text)) fail(`${what} "${text}" is not a whole number`);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) fail(`${what} ${text} is too large to read exactly`);
  return value;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/** "2021-12-31 23:01:00.000000" (UTC) → epoch ms, fractions below a millisecond dropped. */
function utcDateTime(text: string, fail: Fail): number {
  const match = DATE_TIME.exec(text);
  if (match === null) fail(`timestamp "${text}" is not a UTC date and time like 2021-12-31 23:01:00`);
  const [, y, mo, d, h, mi, s, fraction] = match;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((fraction ?? '0').padEnd(3, '0').slice(0, 3)));
  const check = new Date(ms);
  if (!Number.isFinite(ms) || check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h)) fail(`timestamp "${text}" is not a valid date`);
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Parsers: one per format, fed row by row, pushing into `trades` or `books`.

interface RowParser {
  readonly kind: 'trades' | 'books';
  row(fields: readonly string[], fail: Fail): void;
  /** After the last row (some formats emit on completion). */
  end(fail: Fail): void;
}

interface ParserContext {
  columns: Map<string, number>;
  trades: TradeRow[];
  books: BookRow[];
  bookLevels: number;
  file: string;
  snapshot: DepthSnapshot | null;
}

const field = (fields: readonly string[], columns: Map<string, number>, name: string): string => fields[columns.get(name) ?? -1]?.trim() ?? '';

/** Non-decreasing timestamps, with the previous value named in the error. */
function timeOrder(what: string): (ts: number, fail: Fail) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (ts, fail) => {
    if (ts < last) fail(`${what} ${ts} goes backwards (previous row was ${last})`);
    last = ts;
  };
}

function tradeParser(context: ParserContext, read: (fields: readonly string[]) => { ts: string; price: string; quantity: string; side: string }): RowParser {
  const inOrder = timeOrder('timestamp');
  return {
    kind: 'trades',
    row(fields: readonly string[], fail: Fail) {
      const raw = read(fields);
      if (!INTEGER.test(raw.ts)) fail(`timestamp "${raw.ts}" is not an integer number of milliseconds`);
      const ts = Number(raw.ts);
      const price = positiveDecimal(raw.price, 'price', fail);
      const quantity = positiveDecimal(raw.quantity, 'quantity', fail);
      inOrder(ts, fail);
      const side = raw.side.toLowerCase();
      if (side !== 'buy' && side !== 'sell') fail(`side "${raw.side}" must be buy or sell`);
      context.trades.push({ ts, price, quantity, side });
    },
    end: () => undefined,
  };
}

/**
 * A bar becomes four trades (README, CSV formats): open at t, then low and high — low first on a
 * rising bar (close ≥ open), high first on a falling one — at t+15 s and t+30 s, close at t+45 s.
 * Each carries a quarter of the bar's volume; the side is buy on an uptick or unchanged price,
 * sell on a downtick. An approximation: the real path inside the bar is unknown.
 */
function candleParser(context: ParserContext, readTime: (fields: readonly string[], fail: Fail) => number, volumeIsQuote: boolean): RowParser {
  const { columns } = context;
  let previousStart = Number.NEGATIVE_INFINITY;
  let previousPrice = Number.NaN;
  return {
    kind: 'trades',
    row(fields: readonly string[], fail: Fail) {
      const start = readTime(fields, fail);
      const open = positiveDecimal(field(fields, columns, 'open'), 'open', fail);
      const high = positiveDecimal(field(fields, columns, 'high'), 'high', fail);
      const low = positiveDecimal(field(fields, columns, 'low'), 'low', fail);
      const close = positiveDecimal(field(fields, columns, 'close'), 'close', fail);
      const volume = nonNegativeDecimal(field(fields, columns, 'volume'), 'volume', fail);
      if (high < Math.max(open, close) || low > Math.min(open, close)) fail(`bar is inconsistent: high ${high} and low ${low} must enclose open ${open} and close ${close}`);
      if (start < previousStart) fail(`bar time ${start} goes backwards (previous bar started at ${previousStart})`);
      if (start - previousStart < MIN_BAR_SPACING_MS) fail(`bar starts ${(start - previousStart) / 1000} s after the previous one; 1-minute (or longer) bars are expected`);
      previousStart = start;
      // a bar without volume had no trades: nothing to synthesise
      if (volume === 0) return;
      const path = close >= open ? [open, low, high, close] : [open, high, low, close];
      for (let i = 0; i < 4; i++) {
        const price = path[i]!;
        const quantity = volumeIsQuote ? volume / 4 / price : volume / 4;
        const side = Number.isNaN(previousPrice) || price >= previousPrice ? 'buy' : 'sell';
        context.trades.push({ ts: start + CANDLE_TRADE_OFFSETS_MS[i]!, price, quantity, side });
        previousPrice = price;
      }
    },
    end: () => undefined,
  };
}

function bookTickerParser(context: ParserContext): RowParser {
  const { columns } = context;
  const timeColumn = columns.has('transaction_time_ms') ? 'transaction_time_ms' : 'event_time_ms';
  const inOrder = timeOrder(timeColumn);
  return {
    kind: 'books',
    row(fields: readonly string[], fail: Fail) {
      const ts = wholeNumber(field(fields, columns, timeColumn), timeColumn, fail);
      const bidPrice = positiveDecimal(field(fields, columns, 'best_bid_price'), 'best_bid_price', fail);
      const bidQuantity = nonNegativeDecimal(field(fields, columns, 'best_bid_qty'), 'best_bid_qty', fail);
      const askPrice = positiveDecimal(field(fields, columns, 'best_ask_price'), 'best_ask_price', fail);
      const askQuantity = nonNegativeDecimal(field(fields, columns, 'best_ask_qty'), 'best_ask_qty', fail);
      inOrder(ts, fail);
      context.books.push({ ts, bids: [[bidPrice, bidQuantity]], asks: [[askPrice, askQuantity]], snapshot: true });
    },
    end: () => undefined,
  };
}

interface DepthSnapshot {
  file: string;
  lastUpdateId: number;
  /** Exchange time of the snapshot (transaction, else event time), or null (spot REST snapshots carry none). */
  ts: number | null;
  bids: Array<[number, number]>;
  asks: Array<[number, number]>;
}

async function readDepthSnapshot(file: string): Promise<DepthSnapshot> {
  let columns: Map<string, number> | null = null;
  const snapshot: DepthSnapshot = { file, lastUpdateId: -1, ts: null, bids: [], asks: [] };
  for await (const { line, lineNumber } of numberedLines(file)) {
    const fail: Fail = (problem) => {
      throw new CsvImportError(file, lineNumber, problem);
    };
    if (columns === null) {
      if (detectCsvFormat(line) !== 'binance-depth-snapshot') fail(`not a Binance depth snapshot (header "${line.slice(0, 200)}")`);
      columns = new Map(line.split(',').map((c, i) => [c.trim().toLowerCase(), i]));
      continue;
    }
    const fields = line.split(',');
    if (fields.length !== columns.size) fail(`expected ${columns.size} columns, found ${fields.length}`);
    const id = wholeNumber(field(fields, columns, 'last_update_id'), 'last_update_id', fail);
    if (snapshot.lastUpdateId === -1) snapshot.lastUpdateId = id;
    else if (id !== snapshot.lastUpdateId) fail(`last_update_id ${id} differs from the first row's ${snapshot.lastUpdateId}; one snapshot per file`);
    const time = field(fields, columns, 'transaction_time_ms') || field(fields, columns, 'event_time_ms');
    if (time !== '' && snapshot.ts === null) snapshot.ts = wholeNumber(time, 'snapshot time', fail);
    const side = field(fields, columns, 'side').toLowerCase();
    const price = positiveDecimal(field(fields, columns, 'price'), 'price', fail);
    const quantity = nonNegativeDecimal(field(fields, columns, 'qty'), 'qty', fail);
    if (side === 'bid') snapshot.bids.push([price, quantity]);
    else if (side === 'ask') snapshot.asks.push([price, quantity]);
    else fail(`side "${side}" must be bid or ask`);
  }
  if (columns === null) throw new CsvImportError(file, 1, 'the file is empty');
  if (snapshot.lastUpdateId === -1) throw new CsvImportError(file, 2, 'the snapshot has no levels');
  return snapshot;
}

function depthSnapshotParser(context: ParserContext): RowParser {
  // read whole by readDepthSnapshot (it is one REST response); here only its single book is emitted
  return {
    kind: 'books',
    row: () => undefined,
    end(fail: Fail) {
      const snapshot = context.snapshot!;
      if (snapshot.ts === null) fail('this depth snapshot carries no exchange time (a spot REST snapshot); import its depth-updates file instead, which starts from it');
      const book = new OrderBook();
      book.snapshot(snapshot.bids, snapshot.asks);
      context.books.push({ ts: snapshot.ts, bids: book.bids(context.bookLevels), asks: book.asks(context.bookLevels), snapshot: true });
    },
  };
}

/**
 * Rebuilds the book from the snapshot and the diff stream with Binance's continuity rules and
 * emits the top levels after every applied event. USDⓈ-M futures (pu present): events with
 * u < lastUpdateId are dropped, the first applied one has U ≤ lastUpdateId ≤ u, and every later
 * one's pu equals the previous u. Spot (no pu): events with u ≤ lastUpdateId are dropped, the
 * first has U ≤ lastUpdateId + 1 ≤ u, and every later U equals the previous u + 1. A broken
 * chain is an error: the book would silently be wrong from there on.
 */
function depthUpdatesParser(context: ParserContext): RowParser {
  const { columns } = context;
  const snapshot = context.snapshot!;
  const book = new OrderBook();
  book.snapshot(snapshot.bids, snapshot.asks);
  const last = snapshot.lastUpdateId;
  let synced = false;
  let previousFinal = -1;
  let eventFirst = -1;
  let eventFinal = -1;
  let applying = false;
  let eventTs = 0;
  const inOrder = timeOrder('event time');

  const emit = (): void => {
    if (applying) context.books.push({ ts: eventTs, bids: book.bids(context.bookLevels), asks: book.asks(context.bookLevels), snapshot: true });
  };

  return {
    kind: 'books',
    row(fields: readonly string[], fail: Fail) {
      const first = wholeNumber(field(fields, columns, 'first_update_id'), 'first_update_id', fail);
      const final = wholeNumber(field(fields, columns, 'final_update_id'), 'final_update_id', fail);
      if (first !== eventFirst || final !== eventFinal) {
        // a new event: finish the previous one, then check that this one continues the chain
        emit();
        if (final < first) fail(`final_update_id ${final} is below first_update_id ${first}`);
        const previousText = field(fields, columns, 'prev_final_update_id');
        const futures = previousText !== '';
        const prev = futures ? wholeNumber(previousText, 'prev_final_update_id', fail) : -1;
        const time = field(fields, columns, 'transaction_time_ms') || field(fields, columns, 'event_time_ms');
        eventTs = wholeNumber(time, 'event time', fail);
        inOrder(eventTs, fail);
        eventFirst = first;
        eventFinal = final;
        if (!synced) {
          const stale = futures ? final < last : final <= last;
          const bridges = futures ? first <= last : first <= last + 1;
          if (stale) applying = false;
          else if (bridges) {
            synced = true;
            applying = true;
          } else fail(`gap between the snapshot (lastUpdateId ${last}) and the first update after it (U ${first}); the book cannot be rebuilt`);
        } else {
          const continues = futures ? prev === previousFinal : first === previousFinal + 1;
          if (!continues) fail(`gap in the update ids: this event (U ${first}${futures ? `, pu ${prev}` : ''}) does not follow the previous one (u ${previousFinal})`);
          applying = true;
        }
        if (applying) previousFinal = final;
      }
      if (!applying) return;
      const side = field(fields, columns, 'side').toLowerCase();
      const price = positiveDecimal(field(fields, columns, 'price'), 'price', fail);
      const quantity = nonNegativeDecimal(field(fields, columns, 'qty'), 'qty', fail);
      if (side === 'bid') book.setBid(price, quantity);
      else if (side === 'ask') book.setAsk(price, quantity);
      else fail(`side "${side}" must be bid or ask`);
    },
    end(fail: Fail) {
      emit();
      if (!synced) fail(`no update in this file continues the snapshot ${path.basename(snapshot.file)} (lastUpdateId ${last}); is it the snapshot of this stream?`);
    },
  };
}

/** Tardis.dev book_snapshot_N: every row is the top N levels of both sides, timestamps in µs. */
function tardisParser(context: ParserContext): RowParser {
  const { columns } = context;
  let depth = 0;
  while (columns.has(`asks[${depth}].price`) && columns.has(`bids[${depth}].price`)) depth++;
  const inOrder = timeOrder('timestamp');
  const side = (fields: readonly string[], name: 'bids' | 'asks', fail: Fail): Array<[number, number]> => {
    const levels: Array<[number, number]> = [];
    for (let i = 0; i < Math.min(depth, context.bookLevels); i++) {
      const priceText = field(fields, columns, `${name}[${i}].price`);
      const amountText = field(fields, columns, `${name}[${i}].amount`);
      if (priceText === '' && amountText === '') break; // a thinner book than the format's N
      levels.push([positiveDecimal(priceText, `${name}[${i}].price`, fail), nonNegativeDecimal(amountText, `${name}[${i}].amount`, fail)]);
    }
    return levels;
  };
  return {
    kind: 'books',
    row(fields: readonly string[], fail: Fail) {
      const ts = Math.floor(wholeNumber(field(fields, columns, 'timestamp'), 'timestamp (µs)', fail) / 1000);
      inOrder(ts, fail);
      context.books.push({ ts, bids: side(fields, 'bids', fail), asks: side(fields, 'asks', fail), snapshot: true });
    },
    end: () => undefined,
  };
}

function parserFor(format: CsvFormatName, context: ParserContext): RowParser {
  const { columns } = context;
  const get = (fields: readonly string[], name: string): string => field(fields, columns, name);
  switch (format) {
    case 'surge-trades':
      return tradeParser(context, (f) => ({ ts: get(f, 'ts'), price: get(f, 'price'), quantity: get(f, 'quantity'), side: get(f, 'side') }));
    case 'binance-trades':
      return tradeParser(context, (f) => {
        const side = get(f, 'side');
        const maker = get(f, 'buyer_is_maker');
        // buyer_is_maker = true means the aggressor sold
        return { ts: get(f, 'trade_time_ms'), price: get(f, 'price'), quantity: get(f, 'qty'), side: side !== '' ? side : maker === 'true' ? 'sell' : maker === 'false' ? 'buy' : '' };
      });
    case 'ftx-candles':
      return candleParser(context, (f, fail) => utcDateTime(get(f, 'timestamp'), fail), true);
    case 'candles-ms':
      return candleParser(context, (f, fail) => wholeNumber(get(f, 'open_time_ms'), 'open_time_ms', fail), false);
    case 'binance-book-ticker':
      return bookTickerParser(context);
    case 'binance-depth-snapshot':
      return depthSnapshotParser(context);
    case 'binance-depth-updates':
      return depthUpdatesParser(context);
    case 'tardis-book-snapshot':
      return tardisParser(context);
  }
}

/** The snapshot file next to a depth-updates file: same name up to "-depth-updates-", then "-depth-snapshot-". */
export async function findDepthSnapshot(updatesFile: string): Promise<string | null> {
  const name = path.basename(updatesFile);
  const at = name.indexOf('-depth-updates-');
  if (at < 0) return null;
  const prefix = `${name.slice(0, at)}-depth-snapshot-`;
  const dir = path.dirname(updatesFile);
  const candidates = (await readdir(dir)).filter((f) => f.startsWith(prefix)).sort();
  return candidates.length === 1 ? path.join(dir, candidates[0]!) : null;
}

/**
 * Streams a market-data CSV (optionally .gz) as batches of trades or of book updates, whichever
 * the file holds, detected from the header. Throws CsvImportError with the line number on the
 * first bad row, an unknown header or an empty file.
 */
export async function* readMarketCsv(file: string, options: ReadMarketCsvOptions = {}): AsyncGenerator<MarketBatch> {
  const bookLevels = options.bookLevels ?? DEFAULT_BOOK_LEVELS;
  if (!Number.isInteger(bookLevels) || bookLevels < 1) throw new RangeError(`bookLevels must be a whole number ≥ 1, got ${bookLevels}`);
  const context: ParserContext = { columns: new Map(), trades: [], books: [], bookLevels, file, snapshot: null };
  let parser: RowParser | null = null;
  let batchSize = options.batchSize ?? 8192;
  let lastLine = 1;
  for await (const { line, lineNumber } of numberedLines(file)) {
    lastLine = lineNumber;
    const fail: Fail = (problem) => {
      throw new CsvImportError(file, lineNumber, problem);
    };
    if (parser === null) {
      const format = detectCsvFormat(line);
      if (format === null) fail(`unrecognised header "${line.slice(0, 200)}"; ${FORMAT_HINT}`);
      context.columns = new Map(line.split(',').map((c, i) => [c.trim().toLowerCase(), i]));
      if (format === 'binance-depth-snapshot') context.snapshot = await readDepthSnapshot(file);
      if (format === 'binance-depth-updates') {
        const snapshotPath = options.snapshotPath ?? (await findDepthSnapshot(file));
        if (snapshotPath === null || snapshotPath === undefined) {
          fail('a depth-updates file needs its depth snapshot: pass snapshotPath, or keep the snapshot beside it named <prefix>-depth-snapshot-….csv');
        }
        context.snapshot = await readDepthSnapshot(snapshotPath);
      }
      parser = parserFor(format, context);
      if (options.batchSize === undefined && parser.kind === 'books') batchSize = 1024;
      if (format === 'binance-depth-snapshot') break; // read whole above
      continue;
    }
    const fields = line.split(',');
    if (fields.length !== context.columns.size) fail(`expected ${context.columns.size} columns, found ${fields.length}`);
    parser.row(fields, fail);
    if (context.trades.length >= batchSize) yield { kind: 'trades', rows: context.trades.splice(0) };
    if (context.books.length >= batchSize) yield { kind: 'books', rows: context.books.splice(0) };
  }
  if (parser === null) throw new CsvImportError(file, 1, 'the file is empty');
  parser.end((problem) => {
    throw new CsvImportError(file, lastLine, problem);
  });
  if (context.trades.length > 0) yield { kind: 'trades', rows: context.trades.splice(0) };
  if (context.books.length > 0) yield { kind: 'books', rows: context.books.splice(0) };
}
