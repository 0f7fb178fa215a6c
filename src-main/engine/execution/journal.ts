import type { FillDto, OrderDto, PositionDto } from '../../../src-shared/contract/schemas';

/** The slice of the Store the execution journal writes to (a real Store in tests and in the app). */
export interface JournalStore {
  transaction<T>(fn: () => T): T;
  orders: {
    upsert(order: OrderDto): void;
    get(clientOrderId: string): OrderDto | null;
    listOpen(sessionId?: string): OrderDto[];
  };
  fills: { insert(fill: FillDto, sessionId?: string | null): boolean };
  positions: { upsert(position: PositionDto): void };
}

/**
 * Group commit for the order journal. Writes are staged (an order's or a position's latest
 * state replaces its earlier staged state) and committed together in one SQLite transaction:
 * either now (commit) or at the end of the current synchronous burst (commitSoon), so ten orders
 * approved in one tick cost one commit, not ten. Callers act only after the promise of
 * commitSoon resolves, i.e. after their rows are committed — never before.
 *
 * Staged order rows are written before the work of a commit and again after it (rows staged by
 * the work), so a fill's order row always exists before the fill row that references it.
 */
export class OrderJournal {
  private readonly orders = new Map<string, OrderDto | (() => OrderDto)>();
  private readonly positions = new Map<string, PositionDto>();
  private pending: Promise<void> | null = null;
  private commits = 0;

  constructor(
    private readonly store: JournalStore,
    private readonly sessionId: string | null,
  ) {}

  /** Stages the order's current state; it reaches the disk with the next commit. */
  stageOrder(order: OrderDto): void {
    this.orders.set(order.clientOrderId, order);
  }

  /**
   * Stages an order whose row is built at commit time, from its state then: an order that moves
   * twice within one batch (accepted, then filled) is formatted and written once.
   */
  stageOrderState(clientOrderId: string, current: () => OrderDto): void {
    this.orders.set(clientOrderId, current);
  }

  stagePosition(position: PositionDto): void {
    this.positions.set(`${position.sessionId ?? ''}|${position.instrumentId}`, position);
  }

  /** Inserts a fill inside a commit's work; false when it was journalled before (a re-delivery). */
  insertFill(fill: FillDto): boolean {
    return this.store.fills.insert(fill, this.sessionId);
  }

  get hasStaged(): boolean {
    return this.orders.size > 0 || this.positions.size > 0;
  }

  /** Transactions committed so far (for tests and benchmarks). */
  get commitCount(): number {
    return this.commits;
  }

  /**
   * Commits everything staged, plus whatever `work` writes, in one transaction, now. If it throws
   * nothing of this batch is on disk and the staged rows are dropped: the caller must not act.
   */
  commit<T>(work?: () => T): T {
    try {
      const result = this.store.transaction(() => {
        this.writeOrders();
        const value = work?.() as T;
        this.writeOrders();
        for (const position of this.positions.values()) this.store.positions.upsert(position);
        this.positions.clear();
        return value;
      });
      this.commits++;
      return result;
    } finally {
      this.orders.clear();
      this.positions.clear();
    }
  }

  /** Group commit at the end of the current synchronous burst; resolves once committed. */
  commitSoon(): Promise<void> {
    if (this.pending !== null) return this.pending;
    this.pending = new Promise<void>((resolve, reject) => {
      queueMicrotask(() => {
        this.pending = null;
        try {
          this.commit();
          resolve();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    return this.pending;
  }

  private writeOrders(): void {
    for (const order of this.orders.values()) this.store.orders.upsert(typeof order === 'function' ? order() : order);
    this.orders.clear();
  }
}
