import type { Statement } from 'better-sqlite3';
import type { SignalDto } from '../../../src-shared/contract/schemas';
import type { SqliteDatabase } from './database';
import { parseJsonColumn } from './rows';

interface SignalRow {
  id: string;
  session_id: string | null;
  strategy_id: string;
  instrument_id: string;
  section: string;
  state: string;
  direction: string;
  price: number | null;
  indicator_values: string;
  reason: string | null;
  ts: number;
}

const toDto = (row: SignalRow): SignalDto => ({
  id: row.id,
  sessionId: row.session_id,
  strategyId: row.strategy_id,
  instrumentId: row.instrument_id,
  section: row.section as SignalDto['section'],
  state: row.state as SignalDto['state'],
  direction: row.direction as SignalDto['direction'],
  price: row.price,
  indicatorValues: parseJsonColumn<Record<string, number | null>>(row.indicator_values, 'signal_history', 'indicator_values', row.id),
  reason: row.reason,
  ts: row.ts,
});

// JSON has no NaN or Infinity; an indicator without a finite value is recorded as "no value"
const finiteOrNull = (_key: string, value: unknown): unknown => (typeof value === 'number' && !Number.isFinite(value) ? null : value);

export interface SignalListOptions {
  sessionId?: string;
  limit?: number;
}

export const DEFAULT_SIGNAL_LIMIT = 1000;

export class SignalRepository {
  private readonly insertStatement: Statement<[SignalRow]>;
  private readonly listStatement: Statement<[{ session_id: string | null; limit: number }], SignalRow>;

  constructor(db: SqliteDatabase) {
    this.insertStatement = db.prepare(
      `INSERT INTO signal_history (id, session_id, strategy_id, instrument_id, section, state, direction, price, indicator_values, reason, ts)
       VALUES (@id, @session_id, @strategy_id, @instrument_id, @section, @state, @direction, @price, @indicator_values, @reason, @ts)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.listStatement = db.prepare(
      `SELECT * FROM signal_history WHERE (@session_id IS NULL OR session_id = @session_id)
       ORDER BY ts DESC, rowid DESC LIMIT @limit`,
    );
  }

  /** Stores the signal; false when a signal with this id was already stored. */
  insert(signal: SignalDto): boolean {
    return (
      this.insertStatement.run({
        id: signal.id,
        session_id: signal.sessionId,
        strategy_id: signal.strategyId,
        instrument_id: signal.instrumentId,
        section: signal.section,
        state: signal.state,
        direction: signal.direction,
        price: signal.price !== null && Number.isFinite(signal.price) ? signal.price : null,
        indicator_values: JSON.stringify(signal.indicatorValues, finiteOrNull),
        reason: signal.reason,
        ts: signal.ts,
      }).changes > 0
    );
  }

  /** Newest first. */
  listBySession(sessionId: string, limit = DEFAULT_SIGNAL_LIMIT): SignalDto[] {
    return this.list({ sessionId, limit });
  }

  /** Newest first, optionally for one session. */
  list(options: SignalListOptions = {}): SignalDto[] {
    return this.listStatement.all({ session_id: options.sessionId ?? null, limit: options.limit ?? DEFAULT_SIGNAL_LIMIT }).map(toDto);
  }
}
