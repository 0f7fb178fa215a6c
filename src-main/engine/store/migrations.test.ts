import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createLogger, memorySink, Redactor } from '../ops/logger';
import { openDatabase, openDatabaseWithReport } from './database';
import { defaultMigrationsDir, latestMigrationVersion, loadMigrations, migrate, MigrationError, NewerDatabaseError, userVersion } from './migrations';

const REPO_MIGRATIONS = path.resolve(import.meta.dirname, '../../../migrations');

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'surge-migrations-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function migrationsFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmp, 'migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

/** A database that records every statement it runs, so tests can count transactions. */
function tracedDatabase(file = ':memory:'): { db: Database.Database; statements: string[] } {
  const statements: string[] = [];
  const db = new Database(file, { verbose: (message) => statements.push(String(message)) });
  return { db, statements };
}

const tableNames = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

const twoMigrations = {
  '0010_first.sql': 'CREATE TABLE a (id INTEGER PRIMARY KEY) STRICT;',
  '0020_second.sql': 'CREATE TABLE b (id INTEGER PRIMARY KEY) STRICT;',
};

describe('migration runner', () => {
  test('applies all pending migrations in one transaction', () => {
    const dir = migrationsFolder(twoMigrations);
    const { db, statements } = tracedDatabase();
    const report = migrate(db, { migrationsDir: dir });
    expect(report).toEqual({ from: 0, to: 20, applied: ['0010_first.sql', '0020_second.sql'] });
    expect(tableNames(db)).toEqual(['a', 'b']);
    expect(userVersion(db)).toBe(20);
    expect(statements.filter((s) => /^BEGIN/i.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /^COMMIT/i.test(s))).toHaveLength(1);
  });

  test('applies only the migrations above the current version', () => {
    const dir = migrationsFolder({ ...twoMigrations, '0030_third.sql': 'CREATE TABLE c (id INTEGER PRIMARY KEY) STRICT;' });
    const db = new Database(':memory:');
    migrate(db, { migrationsDir: migrationsFolder(twoMigrations) });
    expect(migrate(db, { migrationsDir: dir })).toEqual({ from: 20, to: 30, applied: ['0030_third.sql'] });
    expect(tableNames(db)).toEqual(['a', 'b', 'c']);
  });

  test('is a no-op on an up-to-date database', () => {
    const dir = migrationsFolder(twoMigrations);
    const { db, statements } = tracedDatabase();
    migrate(db, { migrationsDir: dir });
    statements.length = 0;
    expect(migrate(db, { migrationsDir: dir })).toEqual({ from: 20, to: 20, applied: [] });
    expect(statements.some((s) => /^(BEGIN|CREATE)/i.test(s))).toBe(false);
    expect(userVersion(db)).toBe(20);
  });

  test('rolls back every pending migration when one fails', () => {
    const dir = migrationsFolder({
      ...twoMigrations,
      '0030_broken.sql': 'CREATE TABLE c (id INTEGER PRIMARY KEY) STRICT; INSERT INTO nowhere VALUES (1);',
    });
    const db = new Database(':memory:');
    expect(() => migrate(db, { migrationsDir: dir })).toThrow(/migration 0030_broken\.sql failed: no such table: nowhere; every pending migration was rolled back \(schema stays at 0\)/);
    expect(tableNames(db)).toEqual([]);
    expect(userVersion(db)).toBe(0);
  });

  test('keeps the migrations applied by an earlier run when a later batch fails', () => {
    const db = new Database(':memory:');
    migrate(db, { migrationsDir: migrationsFolder({ '0010_first.sql': twoMigrations['0010_first.sql'] }) });
    const dir = migrationsFolder({ ...twoMigrations, '0030_broken.sql': 'CREATE TABLE c (x INTEGER) STRICT; CREATE TABLE c (x INTEGER) STRICT;' });
    expect(() => migrate(db, { migrationsDir: dir })).toThrow(/0030_broken\.sql failed: table c already exists.*schema stays at 10/);
    expect(tableNames(db)).toEqual(['a']);
    expect(userVersion(db)).toBe(10);
  });

  test('refuses a database created by a newer version', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 30');
    const run = () => migrate(db, { migrationsDir: migrationsFolder(twoMigrations) });
    expect(run).toThrow(NewerDatabaseError);
    expect(run).toThrow(
      'database was created by a newer version of Surge Workstation (schema 30, this app knows up to 20); upgrade the app or pick another data directory',
    );
    expect(userVersion(db)).toBe(30);
  });

  test('refuses file names that do not match NNNN_name.sql', () => {
    const dir = migrationsFolder({ ...twoMigrations, 'add-users.sql': 'SELECT 1;', '0040_Upper.SQL': 'SELECT 1;' });
    expect(() => loadMigrations(dir)).toThrow(/"0040_Upper\.SQL" does not match NNNN_name\.sql.*"add-users\.sql" does not match/);
  });

  test('refuses two files with the same version', () => {
    const dir = migrationsFolder({ ...twoMigrations, '0020_also_second.sql': 'SELECT 1;' });
    expect(() => loadMigrations(dir)).toThrow('"0020_second.sql" and "0020_also_second.sql" both have version 20');
  });

  test('refuses version 0, which is the version of an empty database', () => {
    expect(() => loadMigrations(migrationsFolder({ '0000_zero.sql': 'SELECT 1;' }))).toThrow(/versions start at 1/);
  });

  test('refuses a migration that manages its own transaction', () => {
    const dir = migrationsFolder({ '0010_tx.sql': '-- BEGIN in a comment is fine\nBEGIN;\nCREATE TABLE a (id INTEGER) STRICT;\nCOMMIT;' });
    expect(() => loadMigrations(dir)).toThrow(/"0010_tx\.sql" contains a transaction statement/);
  });

  test('refuses a missing or empty migrations folder', () => {
    expect(() => loadMigrations(path.join(tmp, 'absent'))).toThrow(MigrationError);
    expect(() => loadMigrations(migrationsFolder({}))).toThrow(/no migrations found/);
  });

  test('sorts by version number, not by file name', () => {
    const dir = migrationsFolder({ '0100_later.sql': 'SELECT 1;', '0020_earlier.sql': 'SELECT 1;', '00150_middle.sql': 'SELECT 1;' });
    expect(loadMigrations(dir).map((m) => m.version)).toEqual([20, 100, 150]);
  });

  test('refuses migrations that leave foreign key violations', () => {
    const dir = migrationsFolder({
      '0010_parent.sql': 'CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT; CREATE TABLE child (parent_id INTEGER REFERENCES parent (id)) STRICT; INSERT INTO child VALUES (7);',
    });
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    expect(() => migrate(db, { migrationsDir: dir })).toThrow(/foreign key violation/);
    expect(tableNames(db)).toEqual([]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  test('logs what it applied', () => {
    const sink = memorySink();
    const db = new Database(':memory:');
    migrate(db, { migrationsDir: migrationsFolder(twoMigrations), logger: createLogger('store', sink, { redactor: new Redactor() }) });
    expect(sink.records[0]?.message).toBe('migrated the database schema from 0 to 20');
    expect(sink.records[0]?.fields['applied']).toEqual(['0010_first.sql', '0020_second.sql']);
  });

  test('finds the repo migrations folder from its own module location', () => {
    expect(defaultMigrationsDir()).toBe(REPO_MIGRATIONS);
    expect(latestMigrationVersion()).toBe(30);
  });

  test('finds migrations/ from a bundle folder nested under the app root', () => {
    const root = path.join(tmp, 'app');
    mkdirSync(path.join(root, 'migrations'), { recursive: true });
    mkdirSync(path.join(root, 'dist-electron', 'chunks'), { recursive: true });
    expect(defaultMigrationsDir(path.join(root, 'dist-electron', 'chunks'))).toBe(path.join(root, 'migrations'));
  });
});

describe('openDatabase', () => {
  test('opens a file database in WAL mode with foreign keys and a busy timeout, fully migrated', () => {
    const file = path.join(tmp, 'nested', 'surge.db');
    const { db, migration } = openDatabaseWithReport(file, { migrationsDir: REPO_MIGRATIONS, busyTimeoutMs: 1234 });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
      expect(migration?.applied).toEqual(['0010_init.sql', '0020_market_data.sql', '0030_session_results.sql']);
      expect(userVersion(db)).toBe(30);
    } finally {
      db.close();
    }
  });

  test('closes the database again and reports when it is from a newer version', () => {
    const file = path.join(tmp, 'future.db');
    const future = new Database(file);
    future.pragma('user_version = 40');
    future.close();
    expect(() => openDatabase(file, { migrationsDir: REPO_MIGRATIONS })).toThrow(/schema 40, this app knows up to 30/);
    // the failed open left no handle behind: the file can be removed and reopened at once
    rmSync(file);
    openDatabase(file, { migrationsDir: REPO_MIGRATIONS }).close();
  });

  test('can open without migrating, for tools that inspect a database', () => {
    const db = openDatabase(':memory:', { migrate: false });
    expect(userVersion(db)).toBe(0);
    db.close();
  });
});

// ------------------------------------------------------------------------------------------
// The app's own migrations: each test checks the tables, indexes and constraints one migration adds.

function databaseAt(version: number): Database.Database {
  const dir = migrationsFolder(Object.fromEntries(loadMigrations(REPO_MIGRATIONS).filter((m) => m.version <= version).map((m) => [m.file, m.sql])));
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, { migrationsDir: dir });
  return db;
}

const strictTables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND strict = 1 ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
const indexNames = (db: Database.Database, table: string): string[] =>
  (db.prepare('SELECT name FROM pragma_index_list(?) WHERE origin = ? ORDER BY name').all(table, 'c') as Array<{ name: string }>).map((r) => r.name);

const order = (overrides: Record<string, unknown> = {}) => ({
  client_order_id: 'o1', venue_order_id: null, session_id: 's1', instrument_id: 'BTC/USDT:USDT', strategy_id: null, side: 'BUY', type: 'LIMIT',
  quantity: '0.01', price: '61234.5', trigger_price: null, time_in_force: 'GTC', reduce_only: 0, leverage: 5, status: 'SUBMITTED',
  filled_quantity: '0', average_fill_price: null, reason: null, created_at: 1, updated_at: 1, ...overrides,
});
const insertOrder = (db: Database.Database, overrides: Record<string, unknown> = {}) =>
  db.prepare(`INSERT INTO orders VALUES (@client_order_id, @venue_order_id, @session_id, @instrument_id, @strategy_id, @side, @type, @quantity, @price, @trigger_price,
    @time_in_force, @reduce_only, @leverage, @status, @filled_quantity, @average_fill_price, @reason, @created_at, @updated_at)`).run(order(overrides));

describe('0010_init', () => {
  test('creates the journal tables, all STRICT, with their indexes', () => {
    const db = databaseAt(10);
    expect(strictTables(db)).toEqual(['fills', 'health_probe', 'orders', 'positions', 'risk_events', 'sessions', 'signal_history', 'strategies']);
    expect(indexNames(db, 'orders')).toEqual(['orders_by_session', 'orders_by_venue_order_id', 'orders_open']);
    expect(indexNames(db, 'fills')).toEqual(['fills_by_session']);
    expect(indexNames(db, 'signal_history')).toEqual(['signal_history_by_session', 'signal_history_by_ts']);
    expect(indexNames(db, 'risk_events')).toEqual(['risk_events_by_ts', 'risk_events_unacknowledged']);
    expect(userVersion(db)).toBe(10);
  });

  test('sessions accept only known kinds, statuses and a progress between 0 and 1', () => {
    const db = databaseAt(10);
    const insert = db.prepare('INSERT INTO sessions (id, kind, status, name, progress, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 1)');
    insert.run('ok', 'backtest', 'running', 'fine', 0.5);
    expect(() => insert.run('k', 'scalp', 'running', 'bad kind', null)).toThrow(/CHECK constraint failed/);
    expect(() => insert.run('s', 'live', 'exploded', 'bad status', null)).toThrow(/CHECK constraint failed/);
    expect(() => insert.run('p', 'paper', 'running', 'bad progress', 1.5)).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare("INSERT INTO sessions (id, kind, status, name, instruments, created_at, updated_at) VALUES ('j', 'live', 'created', 'x', 'not json', 1, 1)").run()).toThrow(/CHECK constraint failed/);
  });

  test('orders refuse floats written as text, unknown statuses and nonsense flags', () => {
    const db = databaseAt(10);
    insertOrder(db);
    expect(() => insertOrder(db, { client_order_id: 'o2', quantity: '1e-7' })).toThrow(/CHECK constraint failed/);
    expect(() => insertOrder(db, { client_order_id: 'o3', price: 'NaN' })).toThrow(/CHECK constraint failed/);
    expect(() => insertOrder(db, { client_order_id: 'o4', quantity: '-1' })).toThrow(/CHECK constraint failed/);
    expect(() => insertOrder(db, { client_order_id: 'o5', status: 'LOST' })).toThrow(/CHECK constraint failed/);
    expect(() => insertOrder(db, { client_order_id: 'o6', reduce_only: 2 })).toThrow(/CHECK constraint failed/);
    expect(() => insertOrder(db, { client_order_id: 'o7', leverage: 0 })).toThrow(/CHECK constraint failed/);
    expect(() => insertOrder(db, { client_order_id: 'o8', created_at: 'yesterday' })).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() => insertOrder(db)).toThrow(/UNIQUE constraint failed/);
  });

  test('fills need their order and are unique per order and fill id', () => {
    const db = databaseAt(10);
    insertOrder(db);
    const insert = db.prepare(
      `INSERT INTO fills (client_order_id, fill_id, session_id, instrument_id, side, last_qty, last_px, liquidity_side, commission, commission_currency, ts_event)
       VALUES (?, ?, 's1', 'BTC/USDT:USDT', 'BUY', '0.01', '61234.5', 'TAKER', ?, 'USDT', 5)`,
    );
    insert.run('o1', 'f1', '0.0367');
    insert.run('o1', 'f2', '-0.001'); // maker rebate
    expect(() => insert.run('o1', 'f1', '0')).toThrow(/UNIQUE constraint failed/);
    expect(() => insert.run('missing', 'f1', '0')).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => insert.run('o1', 'f3', '0.-1')).toThrow(/CHECK constraint failed/);
  });

  test('positions are keyed by session and instrument and keep money as exact text', () => {
    const db = databaseAt(10);
    const insert = db.prepare(
      `INSERT INTO positions (session_id, instrument_id, side, quantity, realized_pnl, unrealized_pnl, commissions, leverage, updated_at)
       VALUES (?, 'BTC/USDT:USDT', ?, '0.01', ?, '0', '0', 3, 1)`,
    );
    insert.run('s1', 'LONG', '-12.5');
    insert.run('', 'SHORT', '0');
    expect(() => insert.run('s1', 'LONG', '0')).toThrow(/UNIQUE constraint failed/);
    expect(() => insert.run('s2', 'SIDEWAYS', '0')).toThrow(/CHECK constraint failed/);
    expect(() => insert.run('s3', 'LONG', '1.5e3')).toThrow(/CHECK constraint failed/);
  });

  test('signal history, risk events and strategies check their enums and JSON', () => {
    const db = databaseAt(10);
    const signal = db.prepare(
      `INSERT INTO signal_history (id, strategy_id, instrument_id, section, state, direction, indicator_values, ts) VALUES (?, 'st', 'BTC/USDT:USDT', ?, 'SIGNAL_DETECTED', 'LONG', ?, 1)`,
    );
    signal.run('g1', 'S1', '{"PUMP_MAGNITUDE_PCT":3.2}');
    expect(() => signal.run('g2', 'S9', '{}')).toThrow(/CHECK constraint failed/);
    expect(() => signal.run('g3', 'S1', '[1,2]')).toThrow(/CHECK constraint failed/);
    const risk = db.prepare("INSERT INTO risk_events (id, severity, source, code, message, ts) VALUES (?, ?, 'risk', 'DAILY_LOSS', 'm', 1)");
    risk.run('r1', 'critical');
    expect(() => risk.run('r2', 'panic')).toThrow(/CHECK constraint failed/);
    const strategy = db.prepare("INSERT INTO strategies (id, name, definition, enabled, created_at, updated_at) VALUES (?, 'n', ?, 1, 1, 1)");
    strategy.run('a', '{"strategy_name":"a"}');
    expect(() => strategy.run('b', 'not json')).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare("INSERT INTO health_probe VALUES (2, 1)").run()).toThrow(/CHECK constraint failed/);
  });
});

describe('0020_market_data', () => {
  const chunk = (count: number, sideBytes = count) => ({
    recording_id: 'r1', instrument_id: 'BTC/USDT:USDT', seq: 0, first_ts: 1, last_ts: 2, count,
    ts: Buffer.alloc(8 * count), price: Buffer.alloc(8 * count), quantity: Buffer.alloc(8 * count), side: Buffer.alloc(sideBytes),
  });
  const insertChunk = (db: Database.Database, row: ReturnType<typeof chunk>) =>
    db.prepare('INSERT INTO trade_chunks VALUES (@recording_id, @instrument_id, @seq, @first_ts, @last_ts, @count, @ts, @price, @quantity, @side)').run(row);

  test('creates recordings and the chunk tables, all STRICT', () => {
    const db = databaseAt(20);
    expect(strictTables(db)).toEqual(expect.arrayContaining(['book_chunks', 'recordings', 'trade_chunks']));
    expect(indexNames(db, 'recordings')).toEqual(['recordings_by_created']);
    expect(userVersion(db)).toBe(20);
  });

  test('chunks must belong to a recording, and go with it when it is deleted', () => {
    const db = databaseAt(20);
    expect(() => insertChunk(db, chunk(2))).toThrow(/FOREIGN KEY constraint failed/);
    db.prepare("INSERT INTO recordings (id, name, source, created_at) VALUES ('r1', 'n', 'test', 1)").run();
    insertChunk(db, chunk(2));
    db.prepare("DELETE FROM recordings WHERE id = 'r1'").run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM trade_chunks').get()).toEqual({ n: 0 });
  });

  test('a chunk whose columns do not match its count is refused', () => {
    const db = databaseAt(20);
    db.prepare("INSERT INTO recordings (id, name, source, created_at) VALUES ('r1', 'n', 'test', 1)").run();
    expect(() => insertChunk(db, chunk(2, 3))).toThrow(/CHECK constraint failed/);
    expect(() => insertChunk(db, { ...chunk(2), first_ts: 5, last_ts: 4 })).toThrow(/CHECK constraint failed/);
    expect(() => insertChunk(db, chunk(0))).toThrow(/CHECK constraint failed/);
    expect(() =>
      db.prepare("INSERT INTO recordings (id, name, source, created_at, trade_count) VALUES ('r2', 'n', 'test', 1, -1)").run(),
    ).toThrow(/CHECK constraint failed/);
  });

  test('book chunks check their columns against count and level count', () => {
    const db = databaseAt(20);
    db.prepare("INSERT INTO recordings (id, name, source, created_at) VALUES ('r1', 'n', 'test', 1)").run();
    const insert = db.prepare("INSERT INTO book_chunks VALUES ('r1', 'X', 0, 1, 1, 1, ?, ?, ?, ?, ?, ?)");
    insert.run(2, Buffer.alloc(8), Buffer.alloc(1), Buffer.alloc(4), Buffer.alloc(4), Buffer.alloc(32));
    expect(() => insert.run(3, Buffer.alloc(8), Buffer.alloc(1), Buffer.alloc(4), Buffer.alloc(4), Buffer.alloc(32))).toThrow(/CHECK constraint failed/);
  });
});
