import type { Statement } from 'better-sqlite3';
import type { BacktestMetrics, ClosedTrade } from '../session/backtest-report';
import type { SqliteDatabase } from './database';
import { parseJsonColumn, type StoreClock } from './rows';

interface SessionResultRow {
  session_id: string;
  metrics: string;
  equity_curve: string;
  trades: string;
  created_at: number;
}

export interface EquityPoint {
  ts: number;
  /** Exact decimal text, like every amount of money in the store. */
  equity: string;
}

/** What a finished replay leaves behind for the performance dashboard (migration 0030). */
export interface SessionResultRecord {
  sessionId: string;
  /** The capital the session started with (decimal text). */
  capital: string;
  metrics: BacktestMetrics;
  equityCurve: EquityPoint[];
  trades: ClosedTrade[];
  createdAt: number;
}

export type SessionResultInput = Omit<SessionResultRecord, 'createdAt'>;

type StoredMetrics = BacktestMetrics & { capital: string };

const toRecord = (row: SessionResultRow): SessionResultRecord => {
  const { capital, ...metrics } = parseJsonColumn<StoredMetrics>(row.metrics, 'session_results', 'metrics', row.session_id);
  return {
    sessionId: row.session_id,
    capital,
    metrics,
    equityCurve: parseJsonColumn<EquityPoint[]>(row.equity_curve, 'session_results', 'equity_curve', row.session_id),
    trades: parseJsonColumn<ClosedTrade[]>(row.trades, 'session_results', 'trades', row.session_id),
    createdAt: row.created_at,
  };
};

/** Results of finished backtest and replayed paper sessions, one row per session. */
export class SessionResultRepository {
  private readonly saveStatement: Statement<[SessionResultRow]>;
  private readonly getStatement: Statement<[string], SessionResultRow>;

  constructor(
    db: SqliteDatabase,
    private readonly clock: StoreClock,
  ) {
    // a backward seek replays a session again; its second ending replaces the first
    this.saveStatement = db.prepare(
      `INSERT INTO session_results (session_id, metrics, equity_curve, trades, created_at)
       VALUES (@session_id, @metrics, @equity_curve, @trades, @created_at)
       ON CONFLICT (session_id) DO UPDATE SET metrics = excluded.metrics, equity_curve = excluded.equity_curve, trades = excluded.trades, created_at = excluded.created_at`,
    );
    this.getStatement = db.prepare('SELECT * FROM session_results WHERE session_id = ?');
  }

  /** Stores the result; the session must exist (foreign key). */
  save(result: SessionResultInput): SessionResultRecord {
    const metrics: StoredMetrics = { ...result.metrics, capital: result.capital };
    this.saveStatement.run({
      session_id: result.sessionId,
      metrics: JSON.stringify(metrics),
      equity_curve: JSON.stringify(result.equityCurve),
      trades: JSON.stringify(result.trades),
      created_at: this.clock.now(),
    });
    const saved = this.get(result.sessionId);
    if (saved === null) throw new Error(`the result of session ${result.sessionId} vanished while being saved`);
    return saved;
  }

  get(sessionId: string): SessionResultRecord | null {
    const row = this.getStatement.get(sessionId);
    return row === undefined ? null : toRecord(row);
  }
}
