import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../ops/logger';
import { migrate, type MigrationReport } from './migrations';

export type SqliteDatabase = Database.Database;

export interface OpenDatabaseOptions {
  logger?: Logger;
  /** The folder holding the numbered migrations; defaults to the app's migrations/ folder. */
  migrationsDir?: string;
  /** How long a write waits for another connection's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Apply pending migrations on open (default true). Tests of the runner itself pass false. */
  migrate?: boolean;
  /**
   * WAL pages after which SQLite checkpoints by itself, inside the commit that crosses it (default
   * 16384, 64 MiB). The Store checkpoints between commits long before that (see Store); this is
   * the backstop for writes that do not go through it.
   */
  autoCheckpointPages?: number;
}

/** See OpenDatabaseOptions.autoCheckpointPages. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 16_384;
// the WAL file keeps its largest size after a checkpoint unless told otherwise: cap what stays on disk
const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface OpenedDatabase {
  db: SqliteDatabase;
  migration: MigrationReport | null;
}

/**
 * Opens (creating if needed) the app database with the settings the store relies on — WAL,
 * foreign keys enforced, a busy timeout — and brings its schema up to date. A database the app
 * cannot use (newer schema, failing migration) is closed again and the error rethrown.
 */
export function openDatabase(filename: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  return openDatabaseWithReport(filename, options).db;
}

/** Like openDatabase, and says which migrations ran (for start-up logs and tests). */
export function openDatabaseWithReport(filename: string, options: OpenDatabaseOptions = {}): OpenedDatabase {
  const inMemory = filename === ':memory:' || filename === '';
  if (!inMemory) mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const db = new Database(filename);
  try {
    // WAL: readers never block the writer, and a crash mid-write cannot corrupt the file
    if (!inMemory) db.pragma('journal_mode = WAL');
    // NORMAL under WAL survives an app crash intact; only an OS crash or power cut can lose the
    // last commits, and reconciliation with the exchange recovers those on restart. FULL would
    // cost an fsync on every order write.
    db.pragma('synchronous = NORMAL');
    if (!inMemory) {
      // SQLite's automatic checkpoint (default every 1000 pages) runs inside a commit and takes a
      // few ms of fsync: with the order journal committing several times per order, every ~100th
      // order waited for one. The Store checkpoints between commits instead; this is the backstop.
      db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(options.autoCheckpointPages ?? DEFAULT_AUTOCHECKPOINT_PAGES))}`);
      db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    }
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    const migration = options.migrate === false ? null : migrate(db, { migrationsDir: options.migrationsDir, logger: options.logger });
    return { db, migration };
  } catch (error) {
    db.close();
    throw error;
  }
}
