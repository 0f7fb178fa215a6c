import type { Statement } from 'better-sqlite3';
import type { OrderDto } from '../../../src-shared/contract/schemas';
import type { SqliteDatabase } from './database';
import { fromFlag, toFlag } from './rows';

interface OrderRow {
  client_order_id: string;
  venue_order_id: string | null;
  session_id: string | null;
  instrument_id: string;
  strategy_id: string | null;
  side: string;
  type: string;
  quantity: string;
  price: string | null;
  trigger_price: string | null;
  time_in_force: string;
  reduce_only: number;
  leverage: number;
  status: string;
  filled_quantity: string;
  average_fill_price: string | null;
  reason: string | null;
  created_at: number;
  updated_at: number;
}

/** Statuses in which an order may still trade: what crash recovery and reconciliation must look at. */
export const OPEN_ORDER_STATUSES: readonly OrderDto['status'][] = ['INITIALIZED', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'PENDING_CANCEL'];
// kept identical to the partial index orders_open in 0010_init.sql so the query can use it
const OPEN_STATUS_SQL = OPEN_ORDER_STATUSES.map((status) => `'${status}'`).join(', ');

const COLUMNS = 'client_order_id, venue_order_id, session_id, instrument_id, strategy_id, side, type, quantity, price, trigger_price, time_in_force, reduce_only, leverage, status, filled_quantity, average_fill_price, reason, created_at, updated_at';
type RowValues = [
  clientOrderId: string, venueOrderId: string | null, sessionId: string | null, instrumentId: string, strategyId: string | null, side: string, type: string,
  quantity: string, price: string | null, triggerPrice: string | null, timeInForce: string, reduceOnly: number, leverage: number, status: string,
  filledQuantity: string, averageFillPrice: string | null, reason: string | null, createdAt: number, updatedAt: number,
];
// the columns an order's life changes; the rest are fixed when it is created (no order is ever amended)
type StateValues = [venueOrderId: string | null, status: string, filledQuantity: string, averageFillPrice: string | null, reason: string | null, updatedAt: number, clientOrderId: string];

// positional parameters: binding 19 named ones costs a property lookup each, on every journal write
const rowValues = (order: OrderDto): RowValues => [
  order.clientOrderId, order.venueOrderId, order.sessionId, order.instrumentId, order.strategyId, order.side, order.type, order.quantity, order.price,
  order.triggerPrice, order.timeInForce, toFlag(order.reduceOnly), order.leverage, order.status, order.filledQuantity, order.averageFillPrice,
  order.reason, order.createdAt, order.updatedAt,
];

const toDto = (row: OrderRow): OrderDto => ({
  clientOrderId: row.client_order_id,
  venueOrderId: row.venue_order_id,
  instrumentId: row.instrument_id,
  strategyId: row.strategy_id,
  sessionId: row.session_id,
  side: row.side as OrderDto['side'],
  type: row.type as OrderDto['type'],
  quantity: row.quantity,
  price: row.price,
  triggerPrice: row.trigger_price,
  timeInForce: row.time_in_force as OrderDto['timeInForce'],
  reduceOnly: fromFlag(row.reduce_only),
  leverage: row.leverage,
  status: row.status as OrderDto['status'],
  filledQuantity: row.filled_quantity,
  averageFillPrice: row.average_fill_price,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  reason: row.reason,
});

export interface OrderListOptions {
  sessionId?: string;
  limit?: number;
}

/** The order journal: an order is written before it is sent, and again on every status change. */
export class OrderRepository {
  private readonly upsertStatement: Statement<RowValues>;
  private readonly insertStatement: Statement<RowValues>;
  private readonly updateStateStatement: Statement<StateValues>;
  private readonly existsStatement: Statement<[string], number>;
  private readonly getStatement: Statement<[string], OrderRow>;
  private readonly byVenueIdStatement: Statement<[string], OrderRow>;
  private readonly bySessionStatement: Statement<[string], OrderRow>;
  private readonly listStatement: Statement<[{ session_id: string | null; limit: number }], OrderRow>;
  private readonly openStatement: Statement<[{ session_id: string | null }], OrderRow>;

  constructor(db: SqliteDatabase) {
    this.upsertStatement = db.prepare(
      `INSERT INTO orders (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (client_order_id) DO UPDATE SET
         venue_order_id = excluded.venue_order_id, session_id = excluded.session_id, instrument_id = excluded.instrument_id,
         strategy_id = excluded.strategy_id, side = excluded.side, type = excluded.type, quantity = excluded.quantity,
         price = excluded.price, trigger_price = excluded.trigger_price, time_in_force = excluded.time_in_force,
         reduce_only = excluded.reduce_only, leverage = excluded.leverage, status = excluded.status,
         filled_quantity = excluded.filled_quantity, average_fill_price = excluded.average_fill_price, reason = excluded.reason,
         updated_at = excluded.updated_at`,
    );
    this.insertStatement = db.prepare(`INSERT INTO orders (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // only the columns a state change touches: SQLite then checks only their constraints and
    // rewrites only the indexes over them (orders_open, orders_by_venue_order_id)
    this.updateStateStatement = db.prepare(
      `UPDATE orders SET venue_order_id = ?, status = ?, filled_quantity = ?, average_fill_price = ?, reason = ?, updated_at = ?
       WHERE client_order_id = ?`,
    );
    this.existsStatement = db.prepare<[string], number>('SELECT 1 FROM orders WHERE client_order_id = ?').pluck();
    this.getStatement = db.prepare('SELECT * FROM orders WHERE client_order_id = ?');
    this.byVenueIdStatement = db.prepare('SELECT * FROM orders WHERE venue_order_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1');
    this.bySessionStatement = db.prepare('SELECT * FROM orders WHERE session_id = ? ORDER BY created_at, rowid');
    this.listStatement = db.prepare('SELECT * FROM orders WHERE (@session_id IS NULL OR session_id = @session_id) ORDER BY created_at DESC, rowid DESC LIMIT @limit');
    this.openStatement = db.prepare(
      `SELECT * FROM orders WHERE status IN (${OPEN_STATUS_SQL}) AND (@session_id IS NULL OR session_id = @session_id) ORDER BY created_at, rowid`,
    );
  }

  /** Inserts or replaces the order's state; created_at of the first write is kept. */
  upsert(order: OrderDto): void {
    this.upsertStatement.run(...rowValues(order));
  }

  /**
   * The journal's write: the first write of an order inserts its whole row; every later one
   * updates only what an order's life changes (venue id, status, filled quantity, average fill
   * price, reason, updated_at) — the rest of an order is fixed when it is created.
   */
  saveState(order: OrderDto): void {
    if (this.updateState(order)) return;
    this.insertStatement.run(...rowValues(order));
  }

  /** Updates the state columns of an existing order; false when there is no row for it. */
  updateState(order: OrderDto): boolean {
    return this.updateStateStatement.run(order.venueOrderId, order.status, order.filledQuantity, order.averageFillPrice, order.reason, order.updatedAt, order.clientOrderId).changes > 0;
  }

  /** Whether the journal holds a row for this order. */
  has(clientOrderId: string): boolean {
    return this.existsStatement.get(clientOrderId) !== undefined;
  }

  get(clientOrderId: string): OrderDto | null {
    const row = this.getStatement.get(clientOrderId);
    return row === undefined ? null : toDto(row);
  }

  /** The newest order the venue knows by this id (venue ids are unique only per venue account). */
  getByVenueOrderId(venueOrderId: string): OrderDto | null {
    const row = this.byVenueIdStatement.get(venueOrderId);
    return row === undefined ? null : toDto(row);
  }

  /** Oldest first: the order they were created in. */
  listBySession(sessionId: string): OrderDto[] {
    return this.bySessionStatement.all(sessionId).map(toDto);
  }

  /** Newest first, optionally for one session. */
  list(options: OrderListOptions = {}): OrderDto[] {
    return this.listStatement.all({ session_id: options.sessionId ?? null, limit: options.limit ?? -1 }).map(toDto);
  }

  /** Orders that may still trade (oldest first), optionally for one session. */
  listOpen(sessionId?: string): OrderDto[] {
    return this.openStatement.all({ session_id: sessionId ?? null }).map(toDto);
  }
}
