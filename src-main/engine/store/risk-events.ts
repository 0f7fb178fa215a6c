import type { Statement } from 'better-sqlite3';
import type { RiskAlertDto } from '../../../src-shared/contract/schemas';
import type { SqliteDatabase } from './database';
import { parseJsonColumn, type StoreClock } from './rows';

interface RiskEventRow {
  id: string;
  severity: string;
  source: string;
  code: string;
  message: string;
  instrument_id: string | null;
  details: string | null;
  ts: number;
  acknowledged_at: number | null;
}

/** A stored risk event: the alert as raised, plus when the trader acknowledged it. */
export interface RiskEventRecord extends RiskAlertDto {
  acknowledgedAt: number | null;
}

const toDto = (row: RiskEventRow): RiskAlertDto => {
  const alert: RiskAlertDto = {
    id: row.id,
    severity: row.severity as RiskAlertDto['severity'],
    source: row.source,
    code: row.code,
    message: row.message,
    instrumentId: row.instrument_id,
    ts: row.ts,
  };
  if (row.details !== null) alert.details = parseJsonColumn<Record<string, unknown>>(row.details, 'risk_events', 'details', row.id);
  return alert;
};

const toRecord = (row: RiskEventRow): RiskEventRecord => ({ ...toDto(row), acknowledgedAt: row.acknowledged_at });

export const DEFAULT_RISK_EVENT_LIMIT = 200;

/** Risk denials and alerts, kept for the trader's review and the audit trail. */
export class RiskEventRepository {
  private readonly insertStatement: Statement<[RiskEventRow]>;
  private readonly recentStatement: Statement<[number], RiskEventRow>;
  private readonly unacknowledgedStatement: Statement<[number], RiskEventRow>;
  private readonly getStatement: Statement<[string], RiskEventRow>;
  private readonly acknowledgeStatement: Statement<[number, string]>;

  constructor(
    db: SqliteDatabase,
    private readonly clock: StoreClock,
  ) {
    this.insertStatement = db.prepare(
      `INSERT INTO risk_events (id, severity, source, code, message, instrument_id, details, ts, acknowledged_at)
       VALUES (@id, @severity, @source, @code, @message, @instrument_id, @details, @ts, @acknowledged_at)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.recentStatement = db.prepare('SELECT * FROM risk_events ORDER BY ts DESC, rowid DESC LIMIT ?');
    this.unacknowledgedStatement = db.prepare('SELECT * FROM risk_events WHERE acknowledged_at IS NULL ORDER BY ts DESC, rowid DESC LIMIT ?');
    this.getStatement = db.prepare('SELECT * FROM risk_events WHERE id = ?');
    this.acknowledgeStatement = db.prepare('UPDATE risk_events SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL');
  }

  /** Stores the alert; false when an alert with this id was already stored. */
  insert(alert: RiskAlertDto): boolean {
    return (
      this.insertStatement.run({
        id: alert.id,
        severity: alert.severity,
        source: alert.source,
        code: alert.code,
        message: alert.message,
        instrument_id: alert.instrumentId,
        details: alert.details === undefined ? null : JSON.stringify(alert.details),
        ts: alert.ts,
        acknowledged_at: null,
      }).changes > 0
    );
  }

  get(id: string): RiskEventRecord | null {
    const row = this.getStatement.get(id);
    return row === undefined ? null : toRecord(row);
  }

  /** Newest first. */
  listRecent(limit = DEFAULT_RISK_EVENT_LIMIT): RiskAlertDto[] {
    return this.recentStatement.all(limit).map(toDto);
  }

  /** Newest first, with acknowledgement times. */
  listRecentRecords(limit = DEFAULT_RISK_EVENT_LIMIT): RiskEventRecord[] {
    return this.recentStatement.all(limit).map(toRecord);
  }

  /** Newest first. */
  listUnacknowledged(limit = DEFAULT_RISK_EVENT_LIMIT): RiskAlertDto[] {
    return this.unacknowledgedStatement.all(limit).map(toDto);
  }

  /** Marks the alert seen; false when there is no such alert or it was acknowledged already. */
  acknowledge(id: string, at: number = this.clock.now()): boolean {
    return this.acknowledgeStatement.run(at, id).changes > 0;
  }
}
