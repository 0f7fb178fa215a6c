import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { Logger } from '../ops/logger';

export interface Migration {
  /** The number the file name starts with; it becomes PRAGMA user_version once applied. */
  version: number;
  file: string;
  sql: string;
}

export interface MigrationReport {
  from: number;
  to: number;
  /** File names applied by this run, in order; empty when the database was up to date. */
  applied: string[];
}

export interface MigrateOptions {
  /** The folder holding 0010_init.sql, 0020_….sql; defaults to the app's migrations/ folder. */
  migrationsDir?: string;
  logger?: Logger;
}

/** A migrations folder or database the app cannot start with; the message says what to do. */
export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** The database was written by a newer app: refusing it keeps an old app from corrupting a newer schema. */
export class NewerDatabaseError extends MigrationError {
  override name = 'NewerDatabaseError';
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
    readonly databasePath: string,
  ) {
    super(
      `database was created by a newer version of Surge Workstation (schema ${databaseVersion}, this app knows up to ${knownVersion}); ` +
        `upgrade the app or pick another data directory (${databasePath})`,
    );
  }
}

export const MIGRATION_FILE_PATTERN = /^(\d{4,})_([a-z0-9][a-z0-9_-]*)\.sql$/;
// the runner owns the transaction; a file that opens or ends its own would break the all-or-nothing apply
const TRANSACTION_STATEMENT = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/im;

/**
 * Reads and checks a migrations folder: every file must be `NNNN_name.sql` with a unique version
 * above 0, and none may manage transactions itself. Problems are errors at start, not surprises
 * half-way through a migration.
 */
export function loadMigrations(migrationsDir: string): Migration[] {
  if (!existsSync(migrationsDir) || !statSync(migrationsDir).isDirectory()) {
    throw new MigrationError(`migrations folder not found: ${migrationsDir}`);
  }
  const problems: string[] = [];
  const byVersion = new Map<number, string>();
  const migrations: Migration[] = [];
  for (const file of readdirSync(migrationsDir).sort()) {
    if (file.startsWith('.')) continue;
    const match = MIGRATION_FILE_PATTERN.exec(file);
    if (match === null) {
      problems.push(`"${file}" does not match NNNN_name.sql (digits, an underscore, lower-case letters/digits/_/-, .sql)`);
      continue;
    }
    const version = Number(match[1]);
    if (!Number.isSafeInteger(version) || version <= 0) {
      problems.push(`"${file}" has version ${match[1]}; versions start at 1`);
      continue;
    }
    const previous = byVersion.get(version);
    if (previous !== undefined) {
      problems.push(`"${file}" and "${previous}" both have version ${version}`);
      continue;
    }
    byVersion.set(version, file);
    const sql = readFileSync(path.join(migrationsDir, file), 'utf8');
    if (TRANSACTION_STATEMENT.test(stripSqlComments(sql))) {
      problems.push(`"${file}" contains a transaction statement (BEGIN/COMMIT/…); the runner applies all pending migrations in one transaction`);
      continue;
    }
    migrations.push({ version, file, sql });
  }
  if (problems.length > 0) throw new MigrationError(`invalid migrations in ${migrationsDir}: ${problems.join('; ')}`);
  if (migrations.length === 0) throw new MigrationError(`no migrations found in ${migrationsDir}`);
  return migrations.sort((a, b) => a.version - b.version);
}

function stripSqlComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/**
 * Brings the database to the newest schema: all pending migrations run in ONE transaction and
 * PRAGMA user_version records the last applied version, so a failure anywhere leaves the
 * database exactly as it was. A database newer than every known migration is refused.
 */
export function migrate(db: Database.Database, options: MigrateOptions = {}): MigrationReport {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir();
  const migrations = loadMigrations(migrationsDir);
  const current = userVersion(db);
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) throw new NewerDatabaseError(current, latest, db.name);
  const pending = migrations.filter((migration) => migration.version > current);
  if (pending.length === 0) return { from: current, to: current, applied: [] };

  // Foreign keys must be off while tables are rebuilt (SQLite's 12-step ALTER recipe) and the
  // pragma is ignored inside a transaction, so it is switched around the transaction and the
  // result is checked with foreign_key_check before commit instead.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  if (foreignKeys) db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const migration of pending) {
        try {
          db.exec(migration.sql);
        } catch (cause) {
          const reason = cause instanceof Error ? cause.message : String(cause);
          throw new MigrationError(
            `migration ${migration.file} failed: ${reason}; every pending migration was rolled back (schema stays at ${current})`,
            { cause },
          );
        }
        // an integer from a validated file name, so interpolation is safe (pragmas take no parameters)
        db.pragma(`user_version = ${migration.version}`);
      }
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) {
        throw new MigrationError(
          `migrations ${pending.map((m) => m.file).join(', ')} leave ${violations.length} foreign key violation(s); every pending migration was rolled back (schema stays at ${current})`,
        );
      }
    })();
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
  const report: MigrationReport = { from: current, to: latest, applied: pending.map((migration) => migration.file) };
  options.logger?.info(`migrated the database schema from ${report.from} to ${report.to}`, { applied: report.applied, database: db.name });
  return report;
}

export function userVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** The highest version in a migrations folder: the schema this build of the app writes. */
export function latestMigrationVersion(migrationsDir: string = defaultMigrationsDir()): number {
  const migrations = loadMigrations(migrationsDir);
  return migrations[migrations.length - 1]?.version ?? 0;
}

/**
 * The app's migrations/ folder, found from this module's own location: the nearest ancestor
 * holding a migrations/ folder. Works from source (src-main/engine/store/) and from a bundle
 * (dist-main/, dist-electron/, where import.meta.url may be rewritten or missing); a bundled
 * build that ships migrations elsewhere passes `migrationsDir` explicitly (the kernel does).
 */
export function defaultMigrationsDir(startDir: string = moduleDir()): string {
  let dir = startDir;
  for (let depth = 0; depth < 8; depth++) {
    const candidate = path.join(dir, 'migrations');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const fallback = path.join(process.cwd(), 'migrations');
  if (existsSync(fallback)) return fallback;
  throw new MigrationError(`cannot find the migrations folder above ${startDir} or in ${process.cwd()}; pass migrationsDir`);
}

function moduleDir(): string {
  // esbuild's CJS output replaces import.meta with {}, so url can be undefined there
  const url: string | undefined = (import.meta as { url?: string }).url;
  if (typeof url === 'string' && url.startsWith('file:')) return path.dirname(fileURLToPath(url));
  if (typeof __dirname === 'string') return __dirname;
  return process.cwd();
}
