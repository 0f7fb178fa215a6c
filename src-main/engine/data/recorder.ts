import type { BookUpdate, TradeTick } from '../../../src-shared/contract/schemas';
import type { EventBus, Subscription } from '../bus/types';
import type { Clock, TimerHandle } from '../clock/clock';
import type { Logger } from '../ops/logger';
import type { BookInput, RecordingRepository, TradeInput } from '../store/recordings';

/** The slice of the recording repository a recorder writes through. */
export type RecordingWriter = Pick<RecordingRepository, 'appendTrades' | 'appendBooks' | 'flush' | 'finalize'>;

export interface RecorderOptions {
  recordings: RecordingWriter;
  recordingId: string;
  clock: Clock;
  logger: Logger;
  /** settings.store.flushIntervalMs: how often buffered data (partial chunks included) is written. */
  flushIntervalMs: number;
  /** Buffered ticks of one instrument that make a write due at once (settings.store.tradeChunkSize). */
  tradeBatch: number;
  /** Buffered book updates of one instrument that make a write due at once (settings.store.bookChunkSize). */
  bookBatch: number;
  /** When set, start() records every market_data event published on this bus. */
  bus?: EventBus;
  /**
   * Most ticks kept while the store refuses writes (disk full, locked); beyond it the oldest are
   * dropped and counted. Defaults to 64 batches.
   */
  maxBuffered?: number;
}

export type RejectReason = 'bad_timestamp' | 'backwards' | 'bad_price' | 'bad_quantity' | 'bad_side' | 'bad_levels';

export interface RecorderStats {
  trades: number;
  books: number;
  /** Ticks refused before they reached the store, by reason. */
  rejected: Record<RejectReason, number>;
  /** Ticks dropped because the store kept refusing writes and the buffer was full. */
  dropped: number;
  writeErrors: number;
  buffered: number;
  /** Longest single synchronous write, ms on the injected clock. */
  maxWriteMs: number;
}

interface Pending<T> {
  items: T[];
  /** Event time of the newest accepted item: later ones may not be earlier. */
  lastTs: number;
}

/** Log the first few rejections of each reason, then one in this many, so a garbled feed cannot flood the log. */
const LOG_FIRST = 10;
const LOG_EVERY = 1000;

/**
 * Records live market data into a recording for a collect session. Ticks arrive one at a time
 * from the feed (or the bus); each is checked on arrival — a NaN or non-positive price or
 * quantity, a fractional or negative timestamp, or one earlier than the instrument's previous
 * tick is counted, logged and left out, so one bad message never costs the good ones around it
 * and never reaches the store. Accepted ticks are buffered per instrument and written:
 *  - when an instrument's buffer reaches a batch (a chunk), on the next turn of the event loop;
 *  - every flushIntervalMs, partially filled chunks included, so a crash loses little;
 *  - on stop().
 * A write is split into one batch (one chunk, one transaction) per event-loop turn, so no single
 * synchronous stretch grows with the backlog; the longest one is measured (stats().maxWriteMs).
 */
export class Recorder {
  // one entry per instrument seen, kept after it empties: it holds the time-order watermark
  private readonly trades = new Map<string, Pending<TradeInput>>();
  private readonly books = new Map<string, Pending<BookInput>>();
  private readonly rejected: Record<RejectReason, number> = { bad_timestamp: 0, backwards: 0, bad_price: 0, bad_quantity: 0, bad_side: 0, bad_levels: 0 };
  private recordedTrades = 0;
  private recordedBooks = 0;
  private dropped = 0;
  private writeErrors = 0;
  private maxWriteMs = 0;
  private timer: TimerHandle | null = null;
  private subscription: Subscription | null = null;
  private drainScheduled: NodeJS.Immediate | null = null;
  private draining: Promise<void> | null = null;
  private running = false;
  /** A timer tick asked for partial chunks to be written too. */
  private flushPartialNext = false;
  private writeFailedLast = false;
  private retryOnTimerOnly = false;
  private readonly maxBuffered: number;

  constructor(private readonly options: RecorderOptions) {
    if (!(options.flushIntervalMs > 0)) throw new RangeError(`flushIntervalMs must be > 0, got ${options.flushIntervalMs}`);
    if (!(options.tradeBatch >= 1) || !(options.bookBatch >= 1)) throw new RangeError('tradeBatch and bookBatch must be ≥ 1');
    this.maxBuffered = options.maxBuffered ?? 64 * Math.max(options.tradeBatch, options.bookBatch);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = this.options.clock.setInterval(() => this.requestFlush(true), this.options.flushIntervalMs);
    const bus = this.options.bus;
    if (bus !== undefined) {
      this.subscription = bus.subscribe('market_data', (data) => {
        if (data.kind === 'trade') this.onTrade(data);
        else this.onBook(data);
      }, 'recorder');
    }
  }

  /** Stops taking ticks, writes everything buffered and updates the recording's counts and time range. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== null) this.options.clock.clearInterval(this.timer);
    this.timer = null;
    if (this.subscription !== null) this.options.bus?.unsubscribe(this.subscription);
    this.subscription = null;
    if (this.drainScheduled !== null) clearImmediate(this.drainScheduled);
    this.drainScheduled = null;
    await this.draining;
    await this.drain(true);
    try {
      this.options.recordings.finalize(this.options.recordingId);
    } catch (error) {
      this.writeErrors++;
      this.options.logger.error('recording could not be finalised', { recordingId: this.options.recordingId, error });
    }
  }

  onTrade(tick: TradeTick): void {
    if (!this.running) return;
    const { ts, price, quantity, side, instrumentId } = tick;
    let pending = this.trades.get(instrumentId);
    if (!this.checkTime(ts, pending?.lastTs, instrumentId, 'trade')) return;
    if (!(typeof price === 'number' && price > 0 && Number.isFinite(price))) return this.reject('bad_price', instrumentId, 'trade', { price });
    if (!(typeof quantity === 'number' && quantity > 0 && Number.isFinite(quantity))) return this.reject('bad_quantity', instrumentId, 'trade', { quantity });
    if (side !== 'buy' && side !== 'sell') return this.reject('bad_side', instrumentId, 'trade', { side });
    if (pending === undefined) {
      pending = { items: [], lastTs: ts };
      this.trades.set(instrumentId, pending);
    }
    pending.lastTs = ts;
    pending.items.push({ ts, price, quantity, side });
    if (pending.items.length >= this.options.tradeBatch) this.requestFlush(false);
    if (pending.items.length > this.maxBuffered) this.dropOldest(pending);
  }

  onBook(update: BookUpdate): void {
    if (!this.running) return;
    const { ts, instrumentId } = update;
    let pending = this.books.get(instrumentId);
    if (!this.checkTime(ts, pending?.lastTs, instrumentId, 'book')) return;
    if (!validLevels(update.bids) || !validLevels(update.asks)) return this.reject('bad_levels', instrumentId, 'book', {});
    if (pending === undefined) {
      pending = { items: [], lastTs: ts };
      this.books.set(instrumentId, pending);
    }
    pending.lastTs = ts;
    pending.items.push({ ts, bids: update.bids, asks: update.asks, snapshot: update.snapshot === true });
    if (pending.items.length >= this.options.bookBatch) this.requestFlush(false);
    if (pending.items.length > this.maxBuffered) this.dropOldest(pending);
  }

  stats(): RecorderStats {
    let buffered = 0;
    for (const pending of this.trades.values()) buffered += pending.items.length;
    for (const pending of this.books.values()) buffered += pending.items.length;
    return {
      trades: this.recordedTrades,
      books: this.recordedBooks,
      rejected: { ...this.rejected },
      dropped: this.dropped,
      writeErrors: this.writeErrors,
      buffered,
      maxWriteMs: this.maxWriteMs,
    };
  }

  /** Resolves when everything accepted so far is in the store (partial chunks included). */
  async flush(): Promise<void> {
    await this.draining;
    await this.drain(true);
  }

  private checkTime(ts: number, lastTs: number | undefined, instrumentId: string, kind: 'trade' | 'book'): boolean {
    if (!(typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0)) {
      this.reject('bad_timestamp', instrumentId, kind, { ts });
      return false;
    }
    if (lastTs !== undefined && ts < lastTs) {
      this.reject('backwards', instrumentId, kind, { ts, previousTs: lastTs });
      return false;
    }
    return true;
  }

  private reject(reason: RejectReason, instrumentId: string, kind: 'trade' | 'book', detail: Record<string, unknown>): void {
    const count = ++this.rejected[reason];
    if (count <= LOG_FIRST || count % LOG_EVERY === 0) {
      this.options.logger.warn(`bad ${kind} left out of the recording`, { reason, instrumentId, recordingId: this.options.recordingId, count, ...detail });
    }
  }

  private dropOldest<T>(pending: Pending<T>): void {
    const excess = pending.items.length - this.maxBuffered;
    pending.items.splice(0, excess);
    this.dropped += excess;
    if (this.dropped === excess || this.dropped % LOG_EVERY < excess) {
      this.options.logger.error('recording buffer full while the store refuses writes; oldest ticks dropped', { recordingId: this.options.recordingId, dropped: this.dropped });
    }
  }

  /** Schedules a drain on the next event-loop turn (never inside the feed's callback). */
  private requestFlush(partial: boolean): void {
    // after a failed write only the timer retries, so a refusing store is not hammered every turn
    if (partial) {
      this.flushPartialNext = true;
      this.retryOnTimerOnly = false;
    } else if (this.retryOnTimerOnly) return;
    if (this.drainScheduled !== null || this.draining !== null) return;
    this.drainScheduled = setImmediate(() => {
      this.drainScheduled = null;
      const partialNow = this.flushPartialNext;
      this.flushPartialNext = false;
      this.draining = this.drain(partialNow).finally(() => {
        this.draining = null;
        // ticks that arrived while draining may have filled a batch again
        if (this.running && (this.flushPartialNext || this.hasFullBatch())) this.requestFlush(this.flushPartialNext);
      });
    });
  }

  private hasFullBatch(): boolean {
    for (const pending of this.trades.values()) if (pending.items.length >= this.options.tradeBatch) return true;
    for (const pending of this.books.values()) if (pending.items.length >= this.options.bookBatch) return true;
    return false;
  }

  /**
   * Writes full batches (and, when `partial`, the remainders too, then the repository's partial
   * chunks), one batch per event-loop turn.
   */
  private async drain(partial: boolean): Promise<void> {
    const { recordings, recordingId } = this.options;
    for (;;) {
      const work = this.nextBatch(partial);
      if (work === null) break;
      this.write(() => {
        if (work.kind === 'trades') recordings.appendTrades(recordingId, work.instrumentId, work.items as TradeInput[]);
        else recordings.appendBooks(recordingId, work.instrumentId, work.items as BookInput[]);
      }, () => {
        if (work.kind === 'trades') this.recordedTrades += work.items.length;
        else this.recordedBooks += work.items.length;
      }, () => {
        // keep them for the next attempt, in front of what arrived meanwhile
        const pending = (work.kind === 'trades' ? this.trades : this.books).get(work.instrumentId) as Pending<unknown> | undefined;
        if (pending !== undefined) pending.items.unshift(...work.items);
      });
      if (this.writeFailedLast) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (partial) this.write(() => recordings.flush(recordingId), () => undefined, () => undefined);
  }

  private write(act: () => void, onDone: () => void, onFailed: () => void): void {
    const clock = this.options.clock;
    const started = clock.now();
    try {
      act();
      this.writeFailedLast = false;
      onDone();
    } catch (error) {
      this.writeFailedLast = true;
      this.retryOnTimerOnly = true;
      this.writeErrors++;
      onFailed();
      this.options.logger.error('recording write failed; will retry', { recordingId: this.options.recordingId, error });
    } finally {
      const took = clock.now() - started;
      if (took > this.maxWriteMs) this.maxWriteMs = took;
    }
  }

  /** The next batch to write: a full one first; remainders only when `partial`. Removed from the buffer. */
  private nextBatch(partial: boolean): { kind: 'trades' | 'books'; instrumentId: string; items: unknown[] } | null {
    for (const [instrumentId, pending] of this.trades) {
      if (pending.items.length >= this.options.tradeBatch || (partial && pending.items.length > 0)) {
        return { kind: 'trades', instrumentId, items: pending.items.splice(0, this.options.tradeBatch) };
      }
    }
    for (const [instrumentId, pending] of this.books) {
      if (pending.items.length >= this.options.bookBatch || (partial && pending.items.length > 0)) {
        return { kind: 'books', instrumentId, items: pending.items.splice(0, this.options.bookBatch) };
      }
    }
    return null;
  }
}

function validLevels(levels: unknown): boolean {
  if (!Array.isArray(levels)) return false;
  for (const level of levels as unknown[]) {
    if (!Array.isArray(level) || level.length !== 2) return false;
    const [price, quantity] = level as [unknown, unknown];
    if (!(typeof price === 'number' && price > 0 && Number.isFinite(price))) return false;
    if (!(typeof quantity === 'number' && quantity >= 0 && Number.isFinite(quantity))) return false;
  }
  return true;
}
