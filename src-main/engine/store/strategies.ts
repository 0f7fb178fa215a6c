import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database';
import { fromFlag, parseJsonColumn, toFlag, type StoreClock } from './rows';

interface StrategyRow {
  id: string;
  name: string;
  definition: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** A saved strategy: the five-section JSON as the trader wrote it (validated by the strategy schema before saving). */
export interface StoredStrategy {
  id: string;
  name: string;
  definition: Record<string, unknown>;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface StrategyInput {
  id: string;
  name: string;
  definition: Record<string, unknown>;
  enabled: boolean;
}

const toRecord = (row: StrategyRow): StoredStrategy => ({
  id: row.id,
  name: row.name,
  definition: parseJsonColumn<Record<string, unknown>>(row.definition, 'strategies', 'definition', row.id),
  enabled: fromFlag(row.enabled),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class StrategyRepository {
  private readonly saveStatement: Statement<[StrategyRow]>;
  private readonly getStatement: Statement<[string], StrategyRow>;
  private readonly listStatement: Statement<[], StrategyRow>;
  private readonly deleteStatement: Statement<[string]>;

  constructor(
    db: SqliteDatabase,
    private readonly clock: StoreClock,
  ) {
    this.saveStatement = db.prepare(
      `INSERT INTO strategies (id, name, definition, enabled, created_at, updated_at)
       VALUES (@id, @name, @definition, @enabled, @created_at, @updated_at)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition, enabled = excluded.enabled, updated_at = excluded.updated_at`,
    );
    this.getStatement = db.prepare('SELECT * FROM strategies WHERE id = ?');
    this.listStatement = db.prepare('SELECT * FROM strategies ORDER BY name, id');
    this.deleteStatement = db.prepare('DELETE FROM strategies WHERE id = ?');
  }

  /** Creates or replaces the strategy; the first save's creation time is kept. */
  save(strategy: StrategyInput): StoredStrategy {
    const definition = strategy.definition as unknown;
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
      throw new Error(`strategy ${strategy.id}: the definition must be a JSON object`);
    }
    const now = this.clock.now();
    this.saveStatement.run({
      id: strategy.id,
      name: strategy.name,
      definition: JSON.stringify(definition),
      enabled: toFlag(strategy.enabled),
      created_at: now,
      updated_at: now,
    });
    const saved = this.get(strategy.id);
    if (saved === null) throw new Error(`strategy ${strategy.id} vanished while being saved`);
    return saved;
  }

  get(id: string): StoredStrategy | null {
    const row = this.getStatement.get(id);
    return row === undefined ? null : toRecord(row);
  }

  /** By name. */
  list(): StoredStrategy[] {
    return this.listStatement.all().map(toRecord);
  }

  delete(id: string): boolean {
    return this.deleteStatement.run(id).changes > 0;
  }
}
