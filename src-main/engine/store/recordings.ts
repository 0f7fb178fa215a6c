import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { RecordingDto } from '../../../src-shared/contract/schemas';
import type { SqliteDatabase } from './database';
import { parseJsonColumn, type StoreClock } from './rows';
import {
  bytesOf, float64sOf, levelOffsetsOf, sliceBookChunk, sliceTradeChunk, uint32sOf, uint8sOf, SIDE_BUY, SIDE_SELL, type BookChunk, type TradeChunk,
} from './tick-codec';

/** One trade to record; TradeTick and the CSV reader's TradeRow both fit. */
export interface TradeInput {
  ts: number;
  price: number;
  quantity: number;
  side: 'buy' | 'sell';
}

/** One book update to record; the contract's BookUpdate fits. */
export interface BookInput {
  ts: number;
  bids: ReadonlyArray<readonly [number, number]>;
  asks: ReadonlyArray<readonly [number, number]>;
  snapshot: boolean;
}

export interface CreateRecordingInput {
  name: string;
  source: string;
  /** Defaults to a random UUID. */
  id?: string;
  instruments?: string[];
}

export interface RecordingRepositoryOptions {
  clock: StoreClock;
  /** Trades per stored chunk (default 8192). */
  tradeChunkSize?: number;
  /** Book updates per stored chunk (default 1024). */
  bookChunkSize?: number;
  idFactory?: () => string;
}

export const DEFAULT_TRADE_CHUNK_SIZE = 8192;
export const DEFAULT_BOOK_CHUNK_SIZE = 1024;

/** A batch of market data that cannot be recorded; nothing of the batch was written. */
export class RecordingInputError extends Error {
  override name = 'RecordingInputError';
  constructor(
    message: string,
    /** Position of the offending item in the batch, or -1 when the batch as a whole is refused. */
    readonly index: number,
  ) {
    super(message);
  }
}

/** Count and time range of one kind of recorded data; times null when there is none. */
export interface SeriesStats {
  count: number;
  firstTs: number | null;
  lastTs: number | null;
}

export interface InstrumentStats {
  instrumentId: string;
  trades: SeriesStats;
  books: SeriesStats;
}

interface InstrumentStatsRow {
  instrument_id: string;
  count: number | null;
  first_ts: number | null;
  last_ts: number | null;
}

interface RecordingRow {
  id: string;
  name: string;
  source: string;
  instruments: string;
  first_ts: number | null;
  last_ts: number | null;
  trade_count: number;
  book_count: number;
  created_at: number;
}

interface TradeChunkRow {
  recording_id: string;
  instrument_id: string;
  seq: number;
  first_ts: number;
  last_ts: number;
  count: number;
  ts: Buffer;
  price: Buffer;
  quantity: Buffer;
  side: Buffer;
}

interface BookChunkRow {
  recording_id: string;
  instrument_id: string;
  seq: number;
  first_ts: number;
  last_ts: number;
  count: number;
  level_count: number;
  ts: Buffer;
  snapshot: Buffer;
  bid_counts: Buffer;
  ask_counts: Buffer;
  levels: Buffer;
}

/** Not yet written trades of one (recording, instrument): columns filled up to `length`. */
interface TradeBuffer {
  ts: Float64Array;
  price: Float64Array;
  quantity: Float64Array;
  side: Uint8Array;
  length: number;
  nextSeq: number;
  lastTs: number;
}

interface PendingBook {
  ts: number;
  snapshot: boolean;
  bids: number[]; // flattened (price, quantity) pairs
  asks: number[];
}

interface BookBuffer {
  pending: PendingBook[];
  nextSeq: number;
  lastTs: number;
}

const toDto = (row: RecordingRow): RecordingDto => ({
  id: row.id,
  name: row.name,
  source: row.source,
  instruments: parseJsonColumn<string[]>(row.instruments, 'recordings', 'instruments', row.id),
  firstTs: row.first_ts,
  lastTs: row.last_ts,
  tradeCount: row.trade_count,
  bookCount: row.book_count,
  createdAt: row.created_at,
});

const shown = (value: unknown): string => (typeof value === 'number' || typeof value === 'string' ? String(value) : JSON.stringify(value) ?? String(value));

/**
 * Recorded market data: recordings and their chunked columnar ticks. Appends are buffered per
 * (recording, instrument) and written a whole chunk at a time, so recording never does a
 * synchronous write per tick; flush() writes partial chunks (call it on a timer and on stop),
 * finalize() also updates the recording's counts and time range.
 *
 * One Store instance owns a recording while it is being written (the buffers live here).
 */
export class RecordingRepository {
  private readonly tradeChunkSize: number;
  private readonly bookChunkSize: number;
  private readonly idFactory: () => string;
  private readonly tradeBuffers = new Map<string, Map<string, TradeBuffer>>();
  private readonly bookBuffers = new Map<string, Map<string, BookBuffer>>();

  private readonly insertRecording: Statement<[RecordingRow]>;
  private readonly getRecording: Statement<[string], RecordingRow>;
  private readonly listRecordings: Statement<[], RecordingRow>;
  private readonly deleteRecording: Statement<[string]>;
  private readonly updateStats: Statement<[{ id: string; instruments: string; first_ts: number | null; last_ts: number | null; trade_count: number; book_count: number }]>;
  private readonly insertTradeChunk: Statement<[TradeChunkRow]>;
  private readonly insertBookChunk: Statement<[BookChunkRow]>;
  private readonly lastTradeChunk: Statement<[string, string], { seq: number; last_ts: number }>;
  private readonly lastBookChunk: Statement<[string, string], { seq: number; last_ts: number }>;
  private readonly nextTradeChunk: Statement<[string, string, number], TradeChunkRow>;
  private readonly nextBookChunk: Statement<[string, string, number], BookChunkRow>;
  private readonly tradeInstruments: Statement<[string], { instrument_id: string }>;
  private readonly bookInstruments: Statement<[string], { instrument_id: string }>;
  private readonly tradeStats: Statement<[string], { count: number | null; first_ts: number | null; last_ts: number | null }>;
  private readonly bookStats: Statement<[string], { count: number | null; first_ts: number | null; last_ts: number | null }>;
  private readonly tradeCountOf: Statement<[{ recording_id: string; instrument_id: string | null }], { count: number | null }>;
  private readonly tradeStatsByInstrument: Statement<[string], InstrumentStatsRow>;
  private readonly bookStatsByInstrument: Statement<[string], InstrumentStatsRow>;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly options: RecordingRepositoryOptions,
  ) {
    this.tradeChunkSize = checkedChunkSize(options.tradeChunkSize ?? DEFAULT_TRADE_CHUNK_SIZE, 'tradeChunkSize');
    this.bookChunkSize = checkedChunkSize(options.bookChunkSize ?? DEFAULT_BOOK_CHUNK_SIZE, 'bookChunkSize');
    this.idFactory = options.idFactory ?? randomUUID;
    this.insertRecording = db.prepare(
      `INSERT INTO recordings (id, name, source, instruments, first_ts, last_ts, trade_count, book_count, created_at)
       VALUES (@id, @name, @source, @instruments, @first_ts, @last_ts, @trade_count, @book_count, @created_at)`,
    );
    this.getRecording = db.prepare('SELECT * FROM recordings WHERE id = ?');
    this.listRecordings = db.prepare('SELECT * FROM recordings ORDER BY created_at DESC, rowid DESC');
    this.deleteRecording = db.prepare('DELETE FROM recordings WHERE id = ?');
    this.updateStats = db.prepare(
      `UPDATE recordings SET instruments = @instruments, first_ts = @first_ts, last_ts = @last_ts, trade_count = @trade_count, book_count = @book_count
       WHERE id = @id`,
    );
    this.insertTradeChunk = db.prepare(
      `INSERT INTO trade_chunks (recording_id, instrument_id, seq, first_ts, last_ts, count, ts, price, quantity, side)
       VALUES (@recording_id, @instrument_id, @seq, @first_ts, @last_ts, @count, @ts, @price, @quantity, @side)`,
    );
    this.insertBookChunk = db.prepare(
      `INSERT INTO book_chunks (recording_id, instrument_id, seq, first_ts, last_ts, count, level_count, ts, snapshot, bid_counts, ask_counts, levels)
       VALUES (@recording_id, @instrument_id, @seq, @first_ts, @last_ts, @count, @level_count, @ts, @snapshot, @bid_counts, @ask_counts, @levels)`,
    );
    this.lastTradeChunk = db.prepare('SELECT seq, last_ts FROM trade_chunks WHERE recording_id = ? AND instrument_id = ? ORDER BY seq DESC LIMIT 1');
    this.lastBookChunk = db.prepare('SELECT seq, last_ts FROM book_chunks WHERE recording_id = ? AND instrument_id = ? ORDER BY seq DESC LIMIT 1');
    // one row per call, never an open iterator: the replay that reads chunks writes orders and fills
    // between reads, and better-sqlite3 refuses writes while an iterator is open
    this.nextTradeChunk = db.prepare('SELECT * FROM trade_chunks WHERE recording_id = ? AND instrument_id = ? AND seq > ? ORDER BY seq LIMIT 1');
    this.nextBookChunk = db.prepare('SELECT * FROM book_chunks WHERE recording_id = ? AND instrument_id = ? AND seq > ? ORDER BY seq LIMIT 1');
    this.tradeInstruments = db.prepare('SELECT DISTINCT instrument_id FROM trade_chunks WHERE recording_id = ? ORDER BY instrument_id');
    this.bookInstruments = db.prepare('SELECT DISTINCT instrument_id FROM book_chunks WHERE recording_id = ? ORDER BY instrument_id');
    this.tradeStats = db.prepare('SELECT SUM(count) AS count, MIN(first_ts) AS first_ts, MAX(last_ts) AS last_ts FROM trade_chunks WHERE recording_id = ?');
    this.bookStats = db.prepare('SELECT SUM(count) AS count, MIN(first_ts) AS first_ts, MAX(last_ts) AS last_ts FROM book_chunks WHERE recording_id = ?');
    this.tradeStatsByInstrument = db.prepare(
      'SELECT instrument_id, SUM(count) AS count, MIN(first_ts) AS first_ts, MAX(last_ts) AS last_ts FROM trade_chunks WHERE recording_id = ? GROUP BY instrument_id',
    );
    this.bookStatsByInstrument = db.prepare(
      'SELECT instrument_id, SUM(count) AS count, MIN(first_ts) AS first_ts, MAX(last_ts) AS last_ts FROM book_chunks WHERE recording_id = ? GROUP BY instrument_id',
    );
    this.tradeCountOf = db.prepare(
      'SELECT SUM(count) AS count FROM trade_chunks WHERE recording_id = @recording_id AND (@instrument_id IS NULL OR instrument_id = @instrument_id)',
    );
  }

  createRecording(input: CreateRecordingInput): RecordingDto {
    const row: RecordingRow = {
      id: input.id ?? this.idFactory(),
      name: input.name,
      source: input.source,
      instruments: JSON.stringify(input.instruments ?? []),
      first_ts: null,
      last_ts: null,
      trade_count: 0,
      book_count: 0,
      created_at: this.options.clock.now(),
    };
    this.insertRecording.run(row);
    return toDto(row);
  }

  get(id: string): RecordingDto | null {
    const row = this.getRecording.get(id);
    return row === undefined ? null : toDto(row);
  }

  /** Newest first. */
  list(): RecordingDto[] {
    return this.listRecordings.all().map(toDto);
  }

  /** Deletes the recording and all its chunks (one transaction); false when there was none. */
  delete(id: string): boolean {
    const deleted = this.db.transaction(() => this.deleteRecording.run(id).changes > 0)();
    this.tradeBuffers.delete(id);
    this.bookBuffers.delete(id);
    return deleted;
  }

  /**
   * Buffers trades of one instrument and writes every chunk that fills up, all in one
   * transaction. The whole batch is checked first: a non-finite, zero or negative price or
   * quantity, an unknown side, or a timestamp earlier than the one before it (in this batch or
   * already recorded) throws a RecordingInputError naming the index and value, and nothing of
   * the batch is kept; what was recorded before stays intact.
   */
  appendTrades(recordingId: string, instrumentId: string, ticks: readonly TradeInput[]): void {
    if (ticks.length === 0) return;
    const buffer = this.tradeBuffer(recordingId, instrumentId);
    const where = `appendTrades(${recordingId}, ${instrumentId})`;
    let previousTs = buffer.lastTs;
    for (let i = 0; i < ticks.length; i++) {
      const tick = ticks[i];
      if (tick === undefined || tick === null) throw new RecordingInputError(`${where}: tick ${i} is missing; nothing of this batch was recorded`, i);
      const { ts, price, quantity, side } = tick;
      if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) {
        throw new RecordingInputError(`${where}: tick ${i} has ts ${shown(ts)}; it must be whole milliseconds since the epoch. Nothing of this batch was recorded`, i);
      }
      if (ts < previousTs) {
        throw new RecordingInputError(`${where}: tick ${i} has ts ${ts}, earlier than the previous tick's ${previousTs}; trades must be in time order. Nothing of this batch was recorded`, i);
      }
      if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) {
        throw new RecordingInputError(`${where}: tick ${i} has price ${shown(price)}; it must be a finite number > 0. Nothing of this batch was recorded`, i);
      }
      if (typeof quantity !== 'number' || !Number.isFinite(quantity) || quantity <= 0) {
        throw new RecordingInputError(`${where}: tick ${i} has quantity ${shown(quantity)}; it must be a finite number > 0. Nothing of this batch was recorded`, i);
      }
      if (side !== 'buy' && side !== 'sell') {
        throw new RecordingInputError(`${where}: tick ${i} has side ${shown(side)}; it must be "buy" or "sell". Nothing of this batch was recorded`, i);
      }
      previousTs = ts;
    }

    const before: TradeBuffer = { ...buffer };
    const full: TradeChunkRow[] = [];
    for (const tick of ticks) {
      const at = buffer.length;
      buffer.ts[at] = tick.ts;
      buffer.price[at] = tick.price;
      buffer.quantity[at] = tick.quantity;
      buffer.side[at] = tick.side === 'buy' ? SIDE_BUY : SIDE_SELL;
      buffer.length = at + 1;
      if (buffer.length === this.tradeChunkSize) {
        full.push(this.tradeChunkRow(recordingId, instrumentId, buffer));
        // the full arrays now belong to the pending row; fresh ones keep a rollback possible
        this.resetTradeBuffer(buffer);
      }
    }
    buffer.lastTs = previousTs;
    if (full.length === 0) return;
    try {
      this.db.transaction(() => {
        for (const row of full) this.insertTradeChunk.run(row);
      })();
    } catch (error) {
      Object.assign(buffer, before);
      throw error;
    }
  }

  /**
   * Buffers book updates of one instrument, writing each chunk that fills up. Checked like
   * trades: whole-ms, non-decreasing ts; every level a [price > 0, quantity ≥ 0] pair of finite
   * numbers; on a problem a RecordingInputError names it and nothing of the batch is kept.
   */
  appendBooks(recordingId: string, instrumentId: string, updates: readonly BookInput[]): void {
    if (updates.length === 0) return;
    const buffer = this.bookBuffer(recordingId, instrumentId);
    const where = `appendBooks(${recordingId}, ${instrumentId})`;
    const accepted: PendingBook[] = [];
    let previousTs = buffer.lastTs;
    for (let i = 0; i < updates.length; i++) {
      const update = updates[i];
      if (update === undefined || update === null) throw new RecordingInputError(`${where}: update ${i} is missing; nothing of this batch was recorded`, i);
      const { ts } = update;
      if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) {
        throw new RecordingInputError(`${where}: update ${i} has ts ${shown(ts)}; it must be whole milliseconds since the epoch. Nothing of this batch was recorded`, i);
      }
      if (ts < previousTs) {
        throw new RecordingInputError(`${where}: update ${i} has ts ${ts}, earlier than the previous update's ${previousTs}; updates must be in time order. Nothing of this batch was recorded`, i);
      }
      const bids = flattenLevels(update.bids, `${where}: update ${i} bids`, i);
      const asks = flattenLevels(update.asks, `${where}: update ${i} asks`, i);
      accepted.push({ ts, snapshot: update.snapshot === true, bids, asks });
      previousTs = ts;
    }

    const before: BookBuffer = { ...buffer, pending: buffer.pending };
    const full: BookChunkRow[] = [];
    let pending = buffer.pending.slice();
    let nextSeq = buffer.nextSeq;
    for (const update of accepted) {
      pending.push(update);
      if (pending.length === this.bookChunkSize) {
        full.push(encodeBookChunk(recordingId, instrumentId, nextSeq++, pending));
        pending = [];
      }
    }
    try {
      if (full.length > 0) {
        this.db.transaction(() => {
          for (const row of full) this.insertBookChunk.run(row);
        })();
      }
    } catch (error) {
      Object.assign(buffer, before);
      throw error;
    }
    buffer.pending = pending;
    buffer.nextSeq = nextSeq;
    buffer.lastTs = previousTs;
  }

  /** Writes every buffered partial chunk (of one recording, or of all) in one transaction. */
  flush(recordingId?: string): void {
    const trades: Array<[TradeBuffer, TradeChunkRow]> = [];
    const books: Array<[BookBuffer, BookChunkRow]> = [];
    const recordings = recordingId === undefined ? [...new Set([...this.tradeBuffers.keys(), ...this.bookBuffers.keys()])] : [recordingId];
    for (const recording of recordings) {
      for (const [instrumentId, buffer] of this.tradeBuffers.get(recording) ?? []) {
        if (buffer.length > 0) trades.push([buffer, this.tradeChunkRow(recording, instrumentId, buffer)]);
      }
      for (const [instrumentId, buffer] of this.bookBuffers.get(recording) ?? []) {
        if (buffer.pending.length > 0) books.push([buffer, encodeBookChunk(recording, instrumentId, buffer.nextSeq, buffer.pending)]);
      }
    }
    if (trades.length === 0 && books.length === 0) return;
    this.db.transaction(() => {
      for (const [, row] of trades) this.insertTradeChunk.run(row);
      for (const [, row] of books) this.insertBookChunk.run(row);
    })();
    for (const [buffer] of trades) this.resetTradeBuffer(buffer);
    for (const [buffer] of books) {
      buffer.pending = [];
      buffer.nextSeq++;
    }
  }

  /**
   * Writes what is buffered for the recording and updates its instruments, counts and time
   * range from the stored chunks. Recording may continue afterwards; finalize again at the end.
   */
  finalize(recordingId: string): RecordingDto {
    if (this.getRecording.get(recordingId) === undefined) throw new Error(`no recording ${recordingId}`);
    this.flush(recordingId);
    const finalized = this.db.transaction(() => {
      const trades = this.tradeStats.get(recordingId);
      const books = this.bookStats.get(recordingId);
      const instruments = [...new Set([...this.tradeInstruments.all(recordingId), ...this.bookInstruments.all(recordingId)].map((row) => row.instrument_id))].sort();
      const firsts = [trades?.first_ts, books?.first_ts].filter((v): v is number => typeof v === 'number');
      const lasts = [trades?.last_ts, books?.last_ts].filter((v): v is number => typeof v === 'number');
      this.updateStats.run({
        id: recordingId,
        instruments: JSON.stringify(instruments),
        first_ts: firsts.length > 0 ? Math.min(...firsts) : null,
        last_ts: lasts.length > 0 ? Math.max(...lasts) : null,
        trade_count: trades?.count ?? 0,
        book_count: books?.count ?? 0,
      });
      return this.get(recordingId);
    })();
    if (finalized === null) throw new Error(`no recording ${recordingId}`);
    // the buffers are empty and their state is recoverable from the chunks: drop them
    this.tradeBuffers.delete(recordingId);
    this.bookBuffers.delete(recordingId);
    return finalized;
  }

  /** Trades stored and buffered, for one instrument or all. */
  countTrades(recordingId: string, instrumentId?: string): number {
    let count = this.tradeCountOf.get({ recording_id: recordingId, instrument_id: instrumentId ?? null })?.count ?? 0;
    for (const [instrument, buffer] of this.tradeBuffers.get(recordingId) ?? []) {
      if (instrumentId === undefined || instrument === instrumentId) count += buffer.length;
    }
    return count;
  }

  /**
   * Per instrument: count and time range of its trades and of its book updates, stored and
   * buffered (a recording being written shows what it holds so far). Sorted by instrument.
   */
  instrumentStats(recordingId: string): InstrumentStats[] {
    const stats = new Map<string, InstrumentStats>();
    const entry = (instrumentId: string): InstrumentStats => {
      let found = stats.get(instrumentId);
      if (found === undefined) {
        found = { instrumentId, trades: { count: 0, firstTs: null, lastTs: null }, books: { count: 0, firstTs: null, lastTs: null } };
        stats.set(instrumentId, found);
      }
      return found;
    };
    const add = (series: SeriesStats, count: number, first: number | null, last: number | null): void => {
      if (count <= 0) return;
      series.count += count;
      if (first !== null && (series.firstTs === null || first < series.firstTs)) series.firstTs = first;
      if (last !== null && (series.lastTs === null || last > series.lastTs)) series.lastTs = last;
    };
    for (const row of this.tradeStatsByInstrument.all(recordingId)) add(entry(row.instrument_id).trades, row.count ?? 0, row.first_ts, row.last_ts);
    for (const row of this.bookStatsByInstrument.all(recordingId)) add(entry(row.instrument_id).books, row.count ?? 0, row.first_ts, row.last_ts);
    for (const [instrumentId, buffer] of this.tradeBuffers.get(recordingId) ?? []) {
      if (buffer.length > 0) add(entry(instrumentId).trades, buffer.length, buffer.ts[0]!, buffer.ts[buffer.length - 1]!);
    }
    for (const [instrumentId, buffer] of this.bookBuffers.get(recordingId) ?? []) {
      const pending = buffer.pending;
      if (pending.length > 0) add(entry(instrumentId).books, pending.length, pending[0]!.ts, pending[pending.length - 1]!.ts);
    }
    return [...stats.values()].sort((a, b) => (a.instrumentId < b.instrumentId ? -1 : a.instrumentId > b.instrumentId ? 1 : 0));
  }

  /** Instruments with recorded trades or book updates, sorted. */
  instrumentsOf(recordingId: string): string[] {
    const stored = [...this.tradeInstruments.all(recordingId), ...this.bookInstruments.all(recordingId)].map((row) => row.instrument_id);
    const buffered = [...(this.tradeBuffers.get(recordingId)?.keys() ?? []), ...(this.bookBuffers.get(recordingId)?.keys() ?? [])];
    return [...new Set([...stored, ...buffered])].sort();
  }

  /**
   * Decoded trade chunks in time order. With several instruments the chunks are split and
   * interleaved so that ticks come out in ts order across instruments (ties: instruments in
   * sorted order), each yielded chunk holding one instrument. Trades still buffered are included.
   * Yielded arrays may be views into shared memory: read them, do not keep or change them.
   */
  *readTradeChunks(recordingId: string, instrumentId?: string): Generator<TradeChunk> {
    const instruments = instrumentId !== undefined ? [instrumentId] : this.tradeInstrumentsOf(recordingId);
    yield* mergeByTime(instruments.map((instrument) => this.tradeSource(recordingId, instrument)), sliceTradeChunk);
  }

  /** Decoded book chunks in time order, merged across instruments like readTradeChunks. */
  *readBookChunks(recordingId: string, instrumentId?: string): Generator<BookChunk> {
    const instruments = instrumentId !== undefined ? [instrumentId] : this.bookInstrumentsOf(recordingId);
    yield* mergeByTime(instruments.map((instrument) => this.bookSource(recordingId, instrument)), sliceBookChunk);
  }

  /** Updates (or trades) buffered and not yet written, across all recordings. */
  bufferedCount(): number {
    let count = 0;
    for (const buffers of this.tradeBuffers.values()) for (const buffer of buffers.values()) count += buffer.length;
    for (const buffers of this.bookBuffers.values()) for (const buffer of buffers.values()) count += buffer.pending.length;
    return count;
  }

  private tradeInstrumentsOf(recordingId: string): string[] {
    const stored = this.tradeInstruments.all(recordingId).map((row) => row.instrument_id);
    const buffered = [...(this.tradeBuffers.get(recordingId)?.entries() ?? [])].filter(([, b]) => b.length > 0).map(([id]) => id);
    return [...new Set([...stored, ...buffered])].sort();
  }

  private bookInstrumentsOf(recordingId: string): string[] {
    const stored = this.bookInstruments.all(recordingId).map((row) => row.instrument_id);
    const buffered = [...(this.bookBuffers.get(recordingId)?.entries() ?? [])].filter(([, b]) => b.pending.length > 0).map(([id]) => id);
    return [...new Set([...stored, ...buffered])].sort();
  }

  private tradeSource(recordingId: string, instrumentId: string): () => TradeChunk | undefined {
    let lastSeq = -1;
    let bufferServed = false;
    return () => {
      const row = this.nextTradeChunk.get(recordingId, instrumentId, lastSeq);
      if (row !== undefined) {
        lastSeq = row.seq;
        return decodeTradeRow(row);
      }
      if (bufferServed) return undefined;
      bufferServed = true;
      const buffer = this.tradeBuffers.get(recordingId)?.get(instrumentId);
      if (buffer === undefined || buffer.length === 0) return undefined;
      // a copy: the buffer keeps filling while the reader works through it
      return {
        instrumentId,
        ts: buffer.ts.slice(0, buffer.length),
        price: buffer.price.slice(0, buffer.length),
        quantity: buffer.quantity.slice(0, buffer.length),
        side: buffer.side.slice(0, buffer.length),
        count: buffer.length,
      };
    };
  }

  private bookSource(recordingId: string, instrumentId: string): () => BookChunk | undefined {
    let lastSeq = -1;
    let bufferServed = false;
    return () => {
      const row = this.nextBookChunk.get(recordingId, instrumentId, lastSeq);
      if (row !== undefined) {
        lastSeq = row.seq;
        return decodeBookRow(row);
      }
      if (bufferServed) return undefined;
      bufferServed = true;
      const buffer = this.bookBuffers.get(recordingId)?.get(instrumentId);
      if (buffer === undefined || buffer.pending.length === 0) return undefined;
      return decodeBookRow(encodeBookChunk(recordingId, instrumentId, buffer.nextSeq, buffer.pending));
    };
  }

  private requireRecording(recordingId: string): void {
    if (this.getRecording.get(recordingId) === undefined) {
      throw new RecordingInputError(`no recording ${recordingId}; create it first (nothing of this batch was recorded)`, -1);
    }
  }

  private tradeBuffer(recordingId: string, instrumentId: string): TradeBuffer {
    let byInstrument = this.tradeBuffers.get(recordingId);
    let buffer = byInstrument?.get(instrumentId);
    if (buffer !== undefined) return buffer;
    this.requireRecording(recordingId);
    const last = this.lastTradeChunk.get(recordingId, instrumentId);
    buffer = {
      ts: new Float64Array(this.tradeChunkSize),
      price: new Float64Array(this.tradeChunkSize),
      quantity: new Float64Array(this.tradeChunkSize),
      side: new Uint8Array(this.tradeChunkSize),
      length: 0,
      nextSeq: last === undefined ? 0 : last.seq + 1,
      lastTs: last === undefined ? Number.NEGATIVE_INFINITY : last.last_ts,
    };
    if (byInstrument === undefined) {
      byInstrument = new Map();
      this.tradeBuffers.set(recordingId, byInstrument);
    }
    byInstrument.set(instrumentId, buffer);
    return buffer;
  }

  private bookBuffer(recordingId: string, instrumentId: string): BookBuffer {
    let byInstrument = this.bookBuffers.get(recordingId);
    let buffer = byInstrument?.get(instrumentId);
    if (buffer !== undefined) return buffer;
    this.requireRecording(recordingId);
    const last = this.lastBookChunk.get(recordingId, instrumentId);
    buffer = {
      pending: [],
      nextSeq: last === undefined ? 0 : last.seq + 1,
      lastTs: last === undefined ? Number.NEGATIVE_INFINITY : last.last_ts,
    };
    if (byInstrument === undefined) {
      byInstrument = new Map();
      this.bookBuffers.set(recordingId, byInstrument);
    }
    byInstrument.set(instrumentId, buffer);
    return buffer;
  }

  /** The row for the buffer's current content; the buffer itself is left as it is. */
  private tradeChunkRow(recordingId: string, instrumentId: string, buffer: TradeBuffer): TradeChunkRow {
    const count = buffer.length;
    return {
      recording_id: recordingId,
      instrument_id: instrumentId,
      seq: buffer.nextSeq,
      first_ts: buffer.ts[0]!,
      last_ts: buffer.ts[count - 1]!,
      count,
      ts: bytesOf(buffer.ts.subarray(0, count)),
      price: bytesOf(buffer.price.subarray(0, count)),
      quantity: bytesOf(buffer.quantity.subarray(0, count)),
      side: bytesOf(buffer.side.subarray(0, count)),
    };
  }

  private resetTradeBuffer(buffer: TradeBuffer): void {
    buffer.ts = new Float64Array(this.tradeChunkSize);
    buffer.price = new Float64Array(this.tradeChunkSize);
    buffer.quantity = new Float64Array(this.tradeChunkSize);
    buffer.side = new Uint8Array(this.tradeChunkSize);
    buffer.length = 0;
    buffer.nextSeq++;
  }
}

function checkedChunkSize(size: number, name: string): number {
  if (!Number.isInteger(size) || size < 1 || size > 1_000_000) throw new Error(`${name} must be a whole number from 1 to 1000000, got ${size}`);
  return size;
}

function flattenLevels(levels: ReadonlyArray<readonly [number, number]> | undefined, where: string, index: number): number[] {
  if (!Array.isArray(levels)) throw new RecordingInputError(`${where} must be a list of [price, quantity] levels. Nothing of this batch was recorded`, index);
  const flat = new Array<number>(levels.length * 2);
  for (let level = 0; level < levels.length; level++) {
    const pair = levels[level];
    const price = pair?.[0];
    const quantity = pair?.[1];
    if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0) {
      throw new RecordingInputError(`${where} level ${level} has price ${shown(price)}; it must be a finite number > 0. Nothing of this batch was recorded`, index);
    }
    if (typeof quantity !== 'number' || !Number.isFinite(quantity) || quantity < 0) {
      throw new RecordingInputError(`${where} level ${level} has quantity ${shown(quantity)}; it must be a finite number ≥ 0. Nothing of this batch was recorded`, index);
    }
    flat[2 * level] = price;
    flat[2 * level + 1] = quantity;
  }
  return flat;
}

function encodeBookChunk(recordingId: string, instrumentId: string, seq: number, updates: readonly PendingBook[]): BookChunkRow {
  const count = updates.length;
  let levelCount = 0;
  for (const update of updates) levelCount += (update.bids.length + update.asks.length) / 2;
  const ts = new Float64Array(count);
  const snapshot = new Uint8Array(count);
  const bidCounts = new Uint32Array(count);
  const askCounts = new Uint32Array(count);
  const levels = new Float64Array(levelCount * 2);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const update = updates[i]!;
    ts[i] = update.ts;
    snapshot[i] = update.snapshot ? 1 : 0;
    bidCounts[i] = update.bids.length / 2;
    askCounts[i] = update.asks.length / 2;
    levels.set(update.bids, at);
    at += update.bids.length;
    levels.set(update.asks, at);
    at += update.asks.length;
  }
  return {
    recording_id: recordingId,
    instrument_id: instrumentId,
    seq,
    first_ts: ts[0]!,
    last_ts: ts[count - 1]!,
    count,
    level_count: levelCount,
    ts: bytesOf(ts),
    snapshot: bytesOf(snapshot),
    bid_counts: bytesOf(bidCounts),
    ask_counts: bytesOf(askCounts),
    levels: bytesOf(levels),
  };
}

function decodeTradeRow(row: TradeChunkRow): TradeChunk {
  const chunk: TradeChunk = {
    instrumentId: row.instrument_id,
    ts: float64sOf(row.ts),
    price: float64sOf(row.price),
    quantity: float64sOf(row.quantity),
    side: uint8sOf(row.side),
    count: row.count,
  };
  if (chunk.ts.length !== row.count || chunk.price.length !== row.count || chunk.quantity.length !== row.count || chunk.side.length !== row.count) {
    throw new Error(`corrupt trade chunk ${row.recording_id}/${row.instrument_id}/${row.seq}: column lengths do not match count ${row.count}`);
  }
  return chunk;
}

function decodeBookRow(row: BookChunkRow): BookChunk {
  const bidCounts = uint32sOf(row.bid_counts);
  const askCounts = uint32sOf(row.ask_counts);
  const chunk: BookChunk = {
    instrumentId: row.instrument_id,
    count: row.count,
    ts: float64sOf(row.ts),
    snapshot: uint8sOf(row.snapshot),
    bidCounts,
    askCounts,
    levels: float64sOf(row.levels),
    levelOffsets: levelOffsetsOf(bidCounts, askCounts),
  };
  if (chunk.ts.length !== row.count || chunk.levels.length !== 2 * row.level_count || chunk.levelOffsets[row.count] !== row.level_count) {
    throw new Error(`corrupt book chunk ${row.recording_id}/${row.instrument_id}/${row.seq}: column lengths do not match its counts`);
  }
  return chunk;
}

interface TimedChunk {
  ts: Float64Array;
  count: number;
}

interface Cursor<C extends TimedChunk> {
  next: () => C | undefined;
  chunk: C;
  position: number;
}

/**
 * k-way merge of per-instrument chunk streams by timestamp. Each yielded chunk is the longest
 * run of one instrument that comes before the next tick of every other instrument; ties go to
 * the instrument listed first, so the order is the same on every run.
 */
export function* mergeByTime<C extends TimedChunk>(sources: ReadonlyArray<() => C | undefined>, slice: (chunk: C, start: number, end: number) => C): Generator<C> {
  const cursors: Cursor<C>[] = [];
  for (const next of sources) {
    const chunk = firstNonEmpty(next);
    if (chunk !== undefined) cursors.push({ next, chunk, position: 0 });
  }
  while (cursors.length > 0) {
    if (cursors.length === 1) {
      const only = cursors[0]!;
      yield slice(only.chunk, only.position, only.chunk.count);
      for (let chunk = firstNonEmpty(only.next); chunk !== undefined; chunk = firstNonEmpty(only.next)) yield chunk;
      return;
    }
    let pick = 0;
    let pickTs = cursors[0]!.chunk.ts[cursors[0]!.position]!;
    for (let k = 1; k < cursors.length; k++) {
      const head = cursors[k]!.chunk.ts[cursors[k]!.position]!;
      if (head < pickTs) {
        pick = k;
        pickTs = head;
      }
    }
    // the picked run may take ticks strictly before the heads of cursors listed earlier, and up
    // to and including the heads of cursors listed later
    let beforeEarlier = Number.POSITIVE_INFINITY;
    let upToLater = Number.POSITIVE_INFINITY;
    for (let k = 0; k < cursors.length; k++) {
      if (k === pick) continue;
      const head = cursors[k]!.chunk.ts[cursors[k]!.position]!;
      if (k < pick) beforeEarlier = Math.min(beforeEarlier, head);
      else upToLater = Math.min(upToLater, head);
    }
    const cursor = cursors[pick]!;
    const { chunk } = cursor;
    const ts = chunk.ts;
    let end = cursor.position + 1;
    while (end < chunk.count && ts[end]! < beforeEarlier && ts[end]! <= upToLater) end++;
    yield slice(chunk, cursor.position, end);
    if (end < chunk.count) {
      cursor.position = end;
    } else {
      const nextChunk = firstNonEmpty(cursor.next);
      if (nextChunk === undefined) cursors.splice(pick, 1);
      else {
        cursor.chunk = nextChunk;
        cursor.position = 0;
      }
    }
  }
}

function firstNonEmpty<C extends TimedChunk>(next: () => C | undefined): C | undefined {
  for (let chunk = next(); chunk !== undefined; chunk = next()) if (chunk.count > 0) return chunk;
  return undefined;
}
