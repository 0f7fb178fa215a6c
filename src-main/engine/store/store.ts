import type { Statement } from 'better-sqlite3';
import { WallClock } from '../clock/clock';
import type { Logger } from '../ops/logger';
import { openDatabase, type OpenDatabaseOptions, type SqliteDatabase } from './database';
import { FillRepository } from './fills';
import { OrderRepository } from './orders';
import { PositionRepository } from './positions';
import { RecordingRepository } from './recordings';
import { RiskEventRepository } from './risk-events';
import type { StoreClock } from './rows';
import { SessionRepository } from './sessions';
import { SignalRepository } from './signals';
import { StrategyRepository } from './strategies';
import { WalCheckpointer } from './wal-checkpointer';

export interface StoreOptions {
  /** Stamps rows the store creates or changes (recordings, session updates, acknowledgements); defaults to the wall clock. */
  clock?: StoreClock;
  /** Trades per stored chunk (default 8192; settings.store.tradeChunkSize). */
  tradeChunkSize?: number;
  /** Book updates per stored chunk (default 1024; settings.store.bookChunkSize). */
  bookChunkSize?: number;
  /** Ids for new recordings (default random UUIDs). */
  idFactory?: () => string;
  logger?: Logger;
  /**
   * Store transactions after which the WAL is checkpointed (PASSIVE): on a worker thread, or
   * where that is unavailable on this thread once the current burst of work is over (default
   * 512; 0 leaves checkpoints to SQLite's backstop alone).
   */
  checkpointEveryCommits?: number;
  /** Checkpoint on a worker thread (default true); false keeps them on this thread. */
  checkpointOnWorker?: boolean;
}

/** See StoreOptions.checkpointEveryCommits. */
export const DEFAULT_CHECKPOINT_EVERY_COMMITS = 512;

export type WriteProbe = { ok: true } | { ok: false; error: string };

/**
 * The engine's SQLite store: one connection, every repository on it, all writes synchronous so a
 * journal entry is on disk before the caller acts on it.
 */
export class Store {
  readonly sessions: SessionRepository;
  readonly orders: OrderRepository;
  readonly fills: FillRepository;
  readonly positions: PositionRepository;
  readonly signals: SignalRepository;
  readonly riskEvents: RiskEventRepository;
  readonly strategies: StrategyRepository;
  readonly recordings: RecordingRepository;
  private readonly clock: StoreClock;
  private readonly probeStatement: Statement<[number]>;
  // one transaction wrapper for every call: better-sqlite3 builds five functions per db.transaction()
  private readonly runTransaction: (fn: () => unknown) => unknown;
  private readonly checkpointEvery: number;
  private commitsSinceCheckpoint = 0;
  private checkpointTimer: NodeJS.Immediate | null = null;
  private checkpointsRun = 0;
  private readonly checkpointer: WalCheckpointer | null;
  private closed = false;

  constructor(
    readonly db: SqliteDatabase,
    private readonly options: StoreOptions = {},
  ) {
    this.clock = options.clock ?? new WallClock();
    this.sessions = new SessionRepository(db, this.clock);
    this.orders = new OrderRepository(db);
    this.fills = new FillRepository(db);
    this.positions = new PositionRepository(db);
    this.signals = new SignalRepository(db);
    this.riskEvents = new RiskEventRepository(db, this.clock);
    this.strategies = new StrategyRepository(db, this.clock);
    this.recordings = new RecordingRepository(db, {
      clock: this.clock,
      tradeChunkSize: options.tradeChunkSize,
      bookChunkSize: options.bookChunkSize,
      idFactory: options.idFactory,
    });
    this.runTransaction = db.transaction((fn: () => unknown) => fn());
    this.checkpointEvery = db.memory ? 0 : Math.max(0, Math.floor(options.checkpointEveryCommits ?? DEFAULT_CHECKPOINT_EVERY_COMMITS));
    this.checkpointer = this.checkpointEvery > 0 && options.checkpointOnWorker !== false ? new WalCheckpointer(db.name, options.logger) : null;
    this.probeStatement = db.prepare(
      'INSERT INTO health_probe (id, written_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at',
    );
  }

  /**
   * Runs fn in one transaction: everything it writes commits together or not at all. Nested
   * calls become savepoints. fn must be synchronous (a promise would escape the transaction).
   */
  transaction<T>(fn: () => T): T {
    const result = this.runTransaction(fn) as T;
    if (this.checkpointEvery > 0 && !this.db.inTransaction && ++this.commitsSinceCheckpoint >= this.checkpointEvery) this.scheduleCheckpoint();
    return result;
  }

  /**
   * Copies the WAL back into the database file, now, on this thread (PASSIVE: never waits for,
   * nor blocks, anyone). False when the database is closed or in memory.
   *
   * A checkpoint costs an fsync or two and grows with the WAL, so the Store runs one after every
   * checkpointEveryCommits of its transactions, never inside a commit an order (or its fills)
   * waits for: on the checkpoint worker (WalCheckpointer), or where that is unavailable here, on
   * a later turn of the event loop. SQLite's own automatic checkpoint stays as a backstop
   * (OpenDatabaseOptions.autoCheckpointPages).
   */
  checkpoint(): boolean {
    if (this.checkpointTimer !== null) clearImmediate(this.checkpointTimer);
    this.checkpointTimer = null;
    this.commitsSinceCheckpoint = 0;
    if (this.closed || !this.db.open || this.db.memory) return false;
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
      this.checkpointsRun++;
      return true;
    } catch (error) {
      // a failed checkpoint loses nothing (the WAL keeps every commit); the next one retries
      this.options.logger?.warn('WAL checkpoint failed', { error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  /** Checkpoints completed so far, on this thread and on the worker (for tests and benchmarks). */
  get checkpointCount(): number {
    return this.checkpointsRun + (this.checkpointer?.completedCount ?? 0);
  }

  /** Whether checkpoints run on the worker thread (false: on this one). */
  get checkpointsOnWorker(): boolean {
    return this.checkpointer?.available === true;
  }

  /** Resolves when no checkpoint is running on the worker (for tests). */
  async checkpointIdle(): Promise<void> {
    await this.checkpointer?.idle();
  }

  private scheduleCheckpoint(): void {
    if (this.checkpointer?.request() === true) {
      this.commitsSinceCheckpoint = 0;
      return;
    }
    if (this.checkpointTimer !== null) return;
    // after the current burst: the commit that triggered it has callers waiting to send orders
    this.checkpointTimer = setImmediate(() => {
      this.checkpointTimer = null;
      this.checkpoint();
    });
    // an app shutting down does not wait for it (closing the database checkpoints what is left)
    this.checkpointTimer.unref();
  }

  /** A real write (and commit) to the database file: what the deep health check asks. */
  /**
   * Forgets a replay session's execution journal (fills, orders, positions) so a rerun from the
   * beginning (a backward seek) journals its own fills: the same deterministic ids would otherwise
   * be taken for re-deliveries of the first run's fills and skipped. Signals keep their rows (the
   * rerun's are identical and are ignored as repeats).
   */
  resetSessionExecution(sessionId: string): void {
    this.transaction(() => {
      this.db.prepare('DELETE FROM fills WHERE session_id = ?').run(sessionId);
      this.db.prepare('DELETE FROM orders WHERE session_id = ?').run(sessionId);
      this.db.prepare('DELETE FROM positions WHERE session_id = ?').run(sessionId);
    });
  }

  probeWrite(): WriteProbe {
    if (this.closed || !this.db.open) return { ok: false, error: 'the database is closed' };
    try {
      this.probeStatement.run(this.clock.now());
      return { ok: true };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  isWritable(): boolean {
    return this.probeWrite().ok;
  }

  get isOpen(): boolean {
    return !this.closed && this.db.open;
  }

  /** Writes buffered market data, then closes the connection. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.checkpointTimer !== null) clearImmediate(this.checkpointTimer);
    this.checkpointTimer = null;
    this.checkpointer?.close();
    try {
      if (this.db.open) this.recordings.flush();
    } catch (error) {
      this.options.logger?.error('buffered market data could not be written on close', { error });
    } finally {
      if (this.db.open) this.db.close();
    }
  }
}

export interface OpenStoreOptions extends OpenDatabaseOptions, Omit<StoreOptions, 'logger'> {}

/** Opens the database at `filename` (migrating it) and wraps it in a Store. */
export function openStore(filename: string, options: OpenStoreOptions = {}): Store {
  const db = openDatabase(filename, options);
  try {
    return new Store(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
}
