import type { Statement } from 'better-sqlite3';
import type { FillDto } from '../../../src-shared/contract/schemas';
import type { SqliteDatabase } from './database';
import { isForeignKeyError } from './rows';

interface FillRow {
  fill_id: string;
  client_order_id: string;
  venue_order_id: string | null;
  session_id: string | null;
  instrument_id: string;
  side: string;
  last_qty: string;
  last_px: string;
  liquidity_side: string;
  commission: string;
  commission_currency: string;
  ts_event: number;
}

// positional parameters, in the column order of the INSERT (cheaper to bind than named ones)
type FillValues = [
  fillId: string, clientOrderId: string, venueOrderId: string | null, sessionId: string | null, instrumentId: string, side: string, lastQty: string,
  lastPx: string, liquiditySide: string, commission: string, commissionCurrency: string, tsEvent: number,
];

const toDto = (row: FillRow): FillDto => ({
  fillId: row.fill_id,
  clientOrderId: row.client_order_id,
  venueOrderId: row.venue_order_id,
  instrumentId: row.instrument_id,
  side: row.side as FillDto['side'],
  lastQty: row.last_qty,
  lastPx: row.last_px,
  liquiditySide: row.liquidity_side as FillDto['liquiditySide'],
  commission: row.commission,
  commissionCurrency: row.commission_currency,
  tsEvent: row.ts_event,
});

/**
 * Fills, idempotent: a fill delivered twice (a stream and a poll, a retry after a crash) is
 * stored once. A fill is identified by its order and its venue fill id, because venues (and the
 * paper venue, per session) only promise unique fill ids within their own scope.
 */
export class FillRepository {
  private readonly insertStatement: Statement<FillValues>;
  private readonly byOrderStatement: Statement<[string], FillRow>;
  private readonly bySessionStatement: Statement<[string], FillRow>;

  constructor(db: SqliteDatabase) {
    this.insertStatement = db.prepare(
      `INSERT INTO fills (fill_id, client_order_id, venue_order_id, session_id, instrument_id, side, last_qty, last_px, liquidity_side, commission, commission_currency, ts_event)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (client_order_id, fill_id) DO NOTHING`,
    );
    this.byOrderStatement = db.prepare('SELECT * FROM fills WHERE client_order_id = ? ORDER BY ts_event, rowid');
    this.bySessionStatement = db.prepare('SELECT * FROM fills WHERE session_id = ? ORDER BY ts_event, rowid');
  }

  /** Stores the fill; false when it was already stored. Its order must be journalled first. */
  insert(fill: FillDto, sessionId: string | null = null): boolean {
    try {
      return (
        this.insertStatement.run(
          fill.fillId, fill.clientOrderId, fill.venueOrderId, sessionId, fill.instrumentId, fill.side, fill.lastQty, fill.lastPx, fill.liquiditySide,
          fill.commission, fill.commissionCurrency, fill.tsEvent,
        ).changes > 0
      );
    } catch (error) {
      if (isForeignKeyError(error)) {
        throw new Error(`fill ${fill.fillId} belongs to order ${fill.clientOrderId}, which is not in the order journal; journal the order first`, { cause: error });
      }
      throw error;
    }
  }

  /** In event-time order. */
  listByOrder(clientOrderId: string): FillDto[] {
    return this.byOrderStatement.all(clientOrderId).map(toDto);
  }

  /** In event-time order. */
  listBySession(sessionId: string): FillDto[] {
    return this.bySessionStatement.all(sessionId).map(toDto);
  }
}
