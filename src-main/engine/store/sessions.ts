import type { Statement } from 'better-sqlite3';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import type { SqliteDatabase } from './database';
import { parseJsonColumn, type StoreClock } from './rows';

interface SessionRow {
  id: string;
  kind: string;
  status: string;
  name: string;
  instruments: string;
  strategy_ids: string;
  data_session_id: string | null;
  config: string;
  started_at: number | null;
  ended_at: number | null;
  progress: number | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

/** The fields of a session that change while it runs. */
export type SessionChanges = Partial<Pick<SessionDto, 'status' | 'startedAt' | 'endedAt' | 'progress' | 'error'>>;

export interface SessionListOptions {
  kind?: SessionDto['kind'];
  status?: SessionDto['status'];
  limit?: number;
}

const toDto = (row: SessionRow): SessionDto => ({
  id: row.id,
  kind: row.kind as SessionDto['kind'],
  status: row.status as SessionDto['status'],
  name: row.name,
  instruments: parseJsonColumn<string[]>(row.instruments, 'sessions', 'instruments', row.id),
  strategyIds: parseJsonColumn<string[]>(row.strategy_ids, 'sessions', 'strategy_ids', row.id),
  dataSessionId: row.data_session_id,
  startedAt: row.started_at,
  endedAt: row.ended_at,
  progress: row.progress,
  error: row.error,
  createdAt: row.created_at,
});

export class SessionRepository {
  private readonly insertStatement: Statement<[SessionRow]>;
  private readonly getStatement: Statement<[string], SessionRow>;
  private readonly listStatement: Statement<[{ kind: string | null; status: string | null; limit: number }], SessionRow>;
  private readonly updateStatement: Statement<[{ id: string; status: string; started_at: number | null; ended_at: number | null; progress: number | null; error: string | null; updated_at: number }]>;
  private readonly progressStatement: Statement<[number | null, number, string]>;
  private readonly configStatement: Statement<[string, number, string]>;

  constructor(
    db: SqliteDatabase,
    private readonly clock: StoreClock,
  ) {
    this.insertStatement = db.prepare(
      `INSERT INTO sessions (id, kind, status, name, instruments, strategy_ids, data_session_id, config, started_at, ended_at, progress, error, created_at, updated_at)
       VALUES (@id, @kind, @status, @name, @instruments, @strategy_ids, @data_session_id, @config, @started_at, @ended_at, @progress, @error, @created_at, @updated_at)`,
    );
    this.getStatement = db.prepare('SELECT * FROM sessions WHERE id = ?');
    this.listStatement = db.prepare(
      `SELECT * FROM sessions WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status)
       ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
    );
    this.updateStatement = db.prepare(
      `UPDATE sessions SET status = @status, started_at = @started_at, ended_at = @ended_at, progress = @progress, error = @error, updated_at = @updated_at
       WHERE id = @id`,
    );
    this.progressStatement = db.prepare('UPDATE sessions SET progress = ?, updated_at = ? WHERE id = ?');
    this.configStatement = db.prepare('UPDATE sessions SET config = ?, updated_at = ? WHERE id = ?');
  }

  /** Replaces what a session needs to resume (a live session journals its arming here). */
  updateConfig(id: string, config: unknown): void {
    this.configStatement.run(JSON.stringify(config ?? {}), this.clock.now(), id);
  }

  /** Journals a new session; `config` is whatever the session needs to resume (JSON-serialisable). */
  create(session: SessionDto, config: unknown = {}): SessionDto {
    this.insertStatement.run({
      id: session.id,
      kind: session.kind,
      status: session.status,
      name: session.name,
      instruments: JSON.stringify(session.instruments),
      strategy_ids: JSON.stringify(session.strategyIds),
      data_session_id: session.dataSessionId,
      config: JSON.stringify(config ?? {}),
      started_at: session.startedAt,
      ended_at: session.endedAt,
      progress: session.progress,
      error: session.error,
      created_at: session.createdAt,
      updated_at: session.createdAt,
    });
    return session;
  }

  get(id: string): SessionDto | null {
    const row = this.getStatement.get(id);
    return row === undefined ? null : toDto(row);
  }

  /** The configuration the session was created with, or null when there is no such session. */
  getConfig(id: string): unknown {
    const row = this.getStatement.get(id);
    return row === undefined ? null : parseJsonColumn<unknown>(row.config, 'sessions', 'config', id);
  }

  /** Newest first. */
  list(options: SessionListOptions = {}): SessionDto[] {
    return this.listStatement.all({ kind: options.kind ?? null, status: options.status ?? null, limit: options.limit ?? -1 }).map(toDto);
  }

  /** Applies the given changes (an explicit null clears a field); null when there is no such session. */
  update(id: string, changes: SessionChanges): SessionDto | null {
    const current = this.get(id);
    if (current === null) return null;
    const next: SessionDto = { ...current, ...changes };
    this.updateStatement.run({
      id,
      status: next.status,
      started_at: next.startedAt,
      ended_at: next.endedAt,
      progress: next.progress,
      error: next.error,
      updated_at: this.clock.now(),
    });
    return next;
  }

  updateStatus(id: string, status: SessionDto['status'], changes: Omit<SessionChanges, 'status'> = {}): SessionDto | null {
    return this.update(id, { ...changes, status });
  }

  /** Cheap progress write for running backtests; returns false when there is no such session. */
  updateProgress(id: string, progress: number | null): boolean {
    if (progress !== null && !(progress >= 0 && progress <= 1)) throw new Error(`session progress must be between 0 and 1, got ${progress}`);
    return this.progressStatement.run(progress, this.clock.now(), id).changes > 0;
  }

  setError(id: string, error: string | null): SessionDto | null {
    return this.update(id, { error });
  }
}
