import type { Statement } from 'better-sqlite3';
import type { PositionDto } from '../../../src-shared/contract/schemas';
import type { SqliteDatabase } from './database';

interface PositionRow {
  session_id: string;
  instrument_id: string;
  side: string;
  quantity: string;
  average_entry_price: string | null;
  mark_price: string | null;
  realized_pnl: string;
  unrealized_pnl: string;
  commissions: string;
  leverage: number;
  margin_ratio_percent: number | null;
  liquidation_price: string | null;
  stop_loss: string | null;
  take_profit: string | null;
  opened_at: number | null;
  updated_at: number;
}

// positions.session_id is part of the primary key, where NULL would not be unique: '' stands for
// "no session" (the account-level book of live trading)
const ACCOUNT_LEVEL = '';
const sessionKey = (sessionId: string | null): string => sessionId ?? ACCOUNT_LEVEL;

// positional parameters, in the column order of the statements (cheaper to bind than named ones)
type UpdateValues = [
  side: string, quantity: string, averageEntryPrice: string | null, markPrice: string | null, realizedPnl: string, unrealizedPnl: string, commissions: string,
  leverage: number, marginRatioPercent: number | null, liquidationPrice: string | null, stopLoss: string | null, takeProfit: string | null, openedAt: number | null,
  updatedAt: number, sessionId: string, instrumentId: string,
];
type PositionValues = [
  sessionId: string, instrumentId: string, side: string, quantity: string, averageEntryPrice: string | null, markPrice: string | null, realizedPnl: string,
  unrealizedPnl: string, commissions: string, leverage: number, marginRatioPercent: number | null, liquidationPrice: string | null, stopLoss: string | null,
  takeProfit: string | null, openedAt: number | null, updatedAt: number,
];

const toDto = (row: PositionRow): PositionDto => ({
  sessionId: row.session_id === ACCOUNT_LEVEL ? null : row.session_id,
  instrumentId: row.instrument_id,
  side: row.side as PositionDto['side'],
  quantity: row.quantity,
  averageEntryPrice: row.average_entry_price,
  markPrice: row.mark_price,
  realizedPnl: row.realized_pnl,
  unrealizedPnl: row.unrealized_pnl,
  commissions: row.commissions,
  leverage: row.leverage,
  marginRatioPercent: row.margin_ratio_percent,
  liquidationPrice: row.liquidation_price,
  stopLoss: row.stop_loss,
  takeProfit: row.take_profit,
  openedAt: row.opened_at,
  updatedAt: row.updated_at,
});

export interface PositionListOptions {
  /** A session id, null for the account-level book; omit for every position. */
  sessionId?: string | null;
  /** Leave out FLAT positions. */
  openOnly?: boolean;
}

/** One row per (session, instrument): the latest state of that position. */
export class PositionRepository {
  private readonly upsertStatement: Statement<PositionValues>;
  private readonly updateStatement: Statement<UpdateValues>;
  private readonly getStatement: Statement<[string, string], PositionRow>;
  private readonly listStatement: Statement<[{ session_id: string | null; open_only: number }], PositionRow>;
  private readonly deleteStatement: Statement<[string, string]>;

  constructor(db: SqliteDatabase) {
    this.upsertStatement = db.prepare(
      `INSERT INTO positions (session_id, instrument_id, side, quantity, average_entry_price, mark_price, realized_pnl, unrealized_pnl, commissions,
         leverage, margin_ratio_percent, liquidation_price, stop_loss, take_profit, opened_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id, instrument_id) DO UPDATE SET
         side = excluded.side, quantity = excluded.quantity, average_entry_price = excluded.average_entry_price,
         mark_price = excluded.mark_price, realized_pnl = excluded.realized_pnl, unrealized_pnl = excluded.unrealized_pnl,
         commissions = excluded.commissions, leverage = excluded.leverage, margin_ratio_percent = excluded.margin_ratio_percent,
         liquidation_price = excluded.liquidation_price, stop_loss = excluded.stop_loss, take_profit = excluded.take_profit,
         opened_at = excluded.opened_at, updated_at = excluded.updated_at`,
    );
    this.updateStatement = db.prepare(
      `UPDATE positions SET side = ?, quantity = ?, average_entry_price = ?, mark_price = ?, realized_pnl = ?, unrealized_pnl = ?, commissions = ?, leverage = ?,
         margin_ratio_percent = ?, liquidation_price = ?, stop_loss = ?, take_profit = ?, opened_at = ?, updated_at = ?
       WHERE session_id = ? AND instrument_id = ?`,
    );
    this.getStatement = db.prepare('SELECT * FROM positions WHERE session_id = ? AND instrument_id = ?');
    this.listStatement = db.prepare(
      `SELECT * FROM positions WHERE (@session_id IS NULL OR session_id = @session_id) AND (@open_only = 0 OR side <> 'FLAT')
       ORDER BY session_id, instrument_id`,
    );
    this.deleteStatement = db.prepare('DELETE FROM positions WHERE session_id = ? AND instrument_id = ?');
  }

  upsert(position: PositionDto): void {
    // a position is written on every fill and inserted once: update first, so the common case
    // checks the row's constraints once (an upsert's failed insert checks them before its update)
    const updated = this.updateStatement.run(
      position.side, position.quantity, position.averageEntryPrice, position.markPrice, position.realizedPnl, position.unrealizedPnl, position.commissions,
      position.leverage, position.marginRatioPercent, position.liquidationPrice, position.stopLoss, position.takeProfit, position.openedAt, position.updatedAt,
      sessionKey(position.sessionId), position.instrumentId,
    ).changes > 0;
    if (updated) return;
    this.upsertStatement.run(
      sessionKey(position.sessionId), position.instrumentId, position.side, position.quantity, position.averageEntryPrice, position.markPrice, position.realizedPnl,
      position.unrealizedPnl, position.commissions, position.leverage, position.marginRatioPercent, position.liquidationPrice, position.stopLoss, position.takeProfit,
      position.openedAt, position.updatedAt,
    );
  }

  get(sessionId: string | null, instrumentId: string): PositionDto | null {
    const row = this.getStatement.get(sessionKey(sessionId), instrumentId);
    return row === undefined ? null : toDto(row);
  }

  /** The positions of one session (null: the account-level book), by instrument. */
  listBySession(sessionId: string | null, options: { openOnly?: boolean } = {}): PositionDto[] {
    return this.list({ sessionId, openOnly: options.openOnly ?? false });
  }

  list(options: PositionListOptions = {}): PositionDto[] {
    const session = options.sessionId === undefined ? null : sessionKey(options.sessionId);
    return this.listStatement.all({ session_id: session, open_only: options.openOnly === true ? 1 : 0 }).map(toDto);
  }

  delete(sessionId: string | null, instrumentId: string): boolean {
    return this.deleteStatement.run(sessionKey(sessionId), instrumentId).changes > 0;
  }
}
