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
}

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
    this.probeStatement = db.prepare(
      'INSERT INTO health_probe (id, written_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at',
    );
  }

  /**
   * Runs fn in one transaction: everything it writes commits together or not at all. Nested
   * calls become savepoints. fn must be synchronous (a promise would escape the transaction).
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** A real write (and commit) to the database file: what the deep health check asks. */
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
