import type { FillDto, OrderDto, PositionDto } from '../../../src-shared/contract/schemas';

/** The slice of the Store the execution journal writes to (a real Store in tests and in the app). */
export interface JournalStore {
  transaction<T>(fn: () => T): T;
  orders: {
    upsert(order: OrderDto): void;
    get(clientOrderId: string): OrderDto | null;
    listOpen(sessionId?: string): OrderDto[];
    /**
     * Inserts the order's first write, later only updates its state columns (the Store's
     * orders repository has it; without it every write is an upsert).
     */
    saveState?(order: OrderDto): void;
    /** Whether a row exists for the order (with saveState: lets a commit write each order once). */
    has?(clientOrderId: string): boolean;
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
 * Each staged order is written once per commit, in its state at the end of the commit: an order
 * the journal does not hold yet is inserted before the commit's work (a fill row references its
 * order row, so that row must exist first); one it holds is updated after the work, so an order
 * accepted and then filled within one batch costs one narrow UPDATE, not two full upserts.
 */
export class OrderJournal {
  private readonly orders = new Map<string, OrderDto | (() => OrderDto)>();
  /** Staged orders their owner knows have never been written: written whole, without looking first. */
  private readonly newOrders = new Set<string>();
  /** Staged orders their owner knows have a row (an earlier commit wrote it): no need to look for it. */
  private readonly journalledOrders = new Set<string>();
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
   * twice within one batch (accepted, then filled) is formatted and written once. `isNew` says
   * the order was never written before: it is then written whole at once (an upsert), without
   * first trying the narrow update or looking for its row; a wrong claim never loses a write.
   * `journalled` says a committed write already holds its row, so a commit with work (fills
   * referencing the order) need not look for it before the work: the claim must be true, since the
   * work's rows would otherwise reference a row written only after them.
   */
  stageOrderState(clientOrderId: string, current: () => OrderDto, isNew = false, journalled = false): void {
    this.orders.set(clientOrderId, current);
    if (isNew) this.newOrders.add(clientOrderId);
    else if (journalled) this.journalledOrders.add(clientOrderId);
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
        let value: T | undefined;
        if (work !== undefined) {
          this.writeNewOrders();
          value = work();
        }
        this.writeOrders();
        for (const position of this.positions.values()) this.store.positions.upsert(position);
        this.positions.clear();
        return value as T;
      });
      this.commits++;
      return result;
    } finally {
      this.orders.clear();
      this.newOrders.clear();
      this.journalledOrders.clear();
      this.positions.clear();
    }
  }

  /** The staged (not yet committed) state of an order, if it has one. */
  stagedOrder(clientOrderId: string): OrderDto | null {
    const staged = this.orders.get(clientOrderId);
    if (staged === undefined) return null;
    return typeof staged === 'function' ? staged() : staged;
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
    for (const [clientOrderId, order] of this.orders) this.writeOrder(clientOrderId, order);
    this.orders.clear();
    this.newOrders.clear();
    this.journalledOrders.clear();
  }

  /**
   * Before a commit's work: writes the staged orders that have no row yet (the work's fills
   * reference them). Orders that have one stay staged and are written once, after the work.
   */
  private writeNewOrders(): void {
    const orders = this.store.orders;
    if (orders.has === undefined) {
      this.writeOrders();
      return;
    }
    for (const [clientOrderId, order] of this.orders) {
      if (!this.newOrders.has(clientOrderId) && (this.journalledOrders.has(clientOrderId) || orders.has(clientOrderId))) continue;
      this.writeOrder(clientOrderId, order);
      this.orders.delete(clientOrderId);
      this.newOrders.delete(clientOrderId);
    }
  }

  private writeOrder(clientOrderId: string, order: OrderDto | (() => OrderDto)): void {
    const orders = this.store.orders;
    const dto = typeof order === 'function' ? order() : order;
    // a new order's upsert inserts it (and is still right if the claim was wrong)
    if (orders.saveState === undefined || this.newOrders.has(clientOrderId)) orders.upsert(dto);
    else orders.saveState(dto);
  }
}
