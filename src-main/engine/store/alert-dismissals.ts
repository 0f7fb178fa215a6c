import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database';
import type { StoreClock } from './rows';

/** Alerts the trader dismissed (migration 0030): hidden from the list, never deleted from risk_events. */
export class AlertDismissalRepository {
  private readonly insertStatement: Statement<[string, number]>;
  private readonly getStatement: Statement<[string], { dismissed_at: number }>;
  private readonly visibleStatement: Statement<[number], { id: string }>;

  constructor(
    db: SqliteDatabase,
    private readonly clock: StoreClock,
  ) {
    this.insertStatement = db.prepare('INSERT INTO alert_dismissals (alert_id, dismissed_at) VALUES (?, ?) ON CONFLICT (alert_id) DO NOTHING');
    this.getStatement = db.prepare('SELECT dismissed_at FROM alert_dismissals WHERE alert_id = ?');
    this.visibleStatement = db.prepare(
      `SELECT r.id FROM risk_events r LEFT JOIN alert_dismissals d ON d.alert_id = r.id
       WHERE d.alert_id IS NULL ORDER BY r.ts DESC, r.rowid DESC LIMIT ?`,
    );
  }

  /** Marks the alert dismissed (the alert must exist); the first dismissal's time is kept. Returns it. */
  dismiss(alertId: string, at: number = this.clock.now()): number {
    this.insertStatement.run(alertId, at);
    return this.dismissedAt(alertId) ?? at;
  }

  dismissedAt(alertId: string): number | null {
    return this.getStatement.get(alertId)?.dismissed_at ?? null;
  }

  /** Ids of the newest alerts that were not dismissed, newest first (risk_events order). */
  visibleAlertIds(limit: number): string[] {
    return this.visibleStatement.all(limit).map((row) => row.id);
  }
}
