import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { FillDto, OrderDto } from '../../../src-shared/contract/schemas';
import { openStore, type Store } from '../store/store';
import { OrderJournal, type JournalStore } from './journal';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../../migrations');

const order = (overrides: Partial<OrderDto> = {}): OrderDto => ({
  clientOrderId: 'o1', venueOrderId: null, instrumentId: 'BTC/USDT:USDT', strategyId: 'pump', sessionId: 's1', side: 'BUY', type: 'MARKET',
  quantity: '3', price: null, triggerPrice: null, timeInForce: 'IOC', reduceOnly: false, leverage: 5, status: 'SUBMITTED',
  filledQuantity: '0', averageFillPrice: null, createdAt: 1_000, updatedAt: 1_000, reason: 'entry', ...overrides,
});

const fill = (overrides: Partial<FillDto> = {}): FillDto => ({
  fillId: 'f1', clientOrderId: 'o1', venueOrderId: 'v1', instrumentId: 'BTC/USDT:USDT', side: 'BUY', lastQty: '3', lastPx: '60000',
  liquiditySide: 'TAKER', commission: '0.0108', commissionCurrency: 'USDT', tsEvent: 2_000, ...overrides,
});

/** The real store, with every order write it receives recorded in order. */
function recordingStore(store: Store): { journalStore: JournalStore; writes: string[] } {
  const writes: string[] = [];
  const orders = store.orders;
  const journalStore: JournalStore = {
    transaction: (fn) => store.transaction(fn),
    orders: {
      upsert: (o) => {
        writes.push(`upsert ${o.clientOrderId} ${o.status}`);
        orders.upsert(o);
      },
      saveState: (o) => {
        writes.push(`save ${o.clientOrderId} ${o.status}`);
        orders.saveState(o);
      },
      has: (id) => orders.has(id),
      get: (id) => orders.get(id),
      listOpen: (sessionId) => orders.listOpen(sessionId),
    },
    fills: store.fills,
    positions: store.positions,
  };
  return { journalStore, writes };
}

let store: Store;
beforeEach(() => {
  store = openStore(':memory:', { migrationsDir: MIGRATIONS });
});
afterEach(() => store.close());

describe('OrderJournal', () => {
  test('an order staged twice before its commit is written once, in its latest state', () => {
    const { journalStore, writes } = recordingStore(store);
    const journal = new OrderJournal(journalStore, 's1');
    let current = order();
    journal.stageOrderState('o1', () => current, true);
    current = order({ status: 'ACCEPTED', venueOrderId: 'v1', updatedAt: 1_500 });
    journal.stageOrderState('o1', () => current);
    journal.commit();
    expect(writes).toEqual(['upsert o1 ACCEPTED']);
    expect(store.orders.get('o1')).toEqual(current);
  });

  test('a new order is inserted before the work of its commit, so the fill the work stores can reference it', () => {
    const { journalStore, writes } = recordingStore(store);
    const journal = new OrderJournal(journalStore, 's1');
    let current = order();
    journal.stageOrderState('o1', () => current, true);
    const inserted = journal.commit(() => {
      const stored = journal.insertFill(fill());
      current = order({ status: 'FILLED', venueOrderId: 'v1', filledQuantity: '3', averageFillPrice: '60000', updatedAt: 2_000 });
      journal.stageOrderState('o1', () => current);
      return stored;
    });
    expect(inserted).toBe(true);
    expect(writes).toEqual(['upsert o1 SUBMITTED', 'save o1 FILLED']);
    expect(store.orders.get('o1')).toEqual(current);
    expect(store.fills.listByOrder('o1')).toHaveLength(1);
  });

  test('an order the journal already holds, accepted and then filled in one batch, is written once after the work', () => {
    store.orders.upsert(order());
    const { journalStore, writes } = recordingStore(store);
    const journal = new OrderJournal(journalStore, 's1');
    let current = order({ status: 'ACCEPTED', venueOrderId: 'v1', updatedAt: 1_500 });
    journal.stageOrderState('o1', () => current);
    journal.commit(() => {
      journal.insertFill(fill());
      current = order({ status: 'FILLED', venueOrderId: 'v1', filledQuantity: '3', averageFillPrice: '60000', updatedAt: 2_000 });
      journal.stageOrderState('o1', () => current);
    });
    expect(writes).toEqual(['save o1 FILLED']);
    expect(store.orders.get('o1')).toEqual(current);
  });

  test('an order its owner says is journalled is not looked up before the work, and is written once after it', () => {
    store.orders.upsert(order());
    const { journalStore, writes } = recordingStore(store);
    const lookups: string[] = [];
    const journal = new OrderJournal({ ...journalStore, orders: { ...journalStore.orders, has: (id) => (lookups.push(id), store.orders.has(id)) } }, 's1');
    let current = order({ status: 'ACCEPTED', venueOrderId: 'v1', updatedAt: 1_500 });
    journal.stageOrderState('o1', () => current, false, true);
    journal.stageOrderState('o2', () => order({ clientOrderId: 'o2' }));
    journal.commit(() => {
      journal.insertFill(fill());
      current = order({ status: 'FILLED', venueOrderId: 'v1', filledQuantity: '3', averageFillPrice: '60000', updatedAt: 2_000 });
    });
    // o2 made no claim: its row is looked for (absent, so it is written before the work)
    expect(lookups).toEqual(['o2']);
    expect(writes).toEqual(['save o2 SUBMITTED', 'save o1 FILLED']);
    expect(store.orders.get('o1')).toEqual(current);
    // the claim lasts one commit: the next one looks again
    journal.stageOrderState('o1', () => current);
    journal.commit(() => undefined);
    expect(lookups).toEqual(['o2', 'o1']);
  });

  test('an order wrongly claimed new still ends up in its latest state', () => {
    store.orders.upsert(order());
    const journal = new OrderJournal(store, 's1');
    const accepted = order({ status: 'ACCEPTED', venueOrderId: 'v1', updatedAt: 1_500 });
    journal.stageOrderState('o1', () => accepted, true);
    journal.commit();
    expect(store.orders.get('o1')).toEqual(accepted);
  });

  test('shows the staged state of an order until it is committed', () => {
    const journal = new OrderJournal(store, 's1');
    expect(journal.stagedOrder('o1')).toBeNull();
    journal.stageOrderState('o1', () => order(), true);
    expect(journal.stagedOrder('o1')).toEqual(order());
    journal.commit();
    expect(journal.stagedOrder('o1')).toBeNull();
  });

  test('a commit whose work fails writes nothing of its batch and drops what was staged', () => {
    const journal = new OrderJournal(store, 's1');
    journal.stageOrderState('o1', () => order(), true);
    expect(() => journal.commit(() => {
      throw new Error('disk full');
    })).toThrow('disk full');
    expect(store.orders.get('o1')).toBeNull();
    expect(journal.hasStaged).toBe(false);
    expect(journal.commitCount).toBe(0);
  });

  test('without the narrow writes a store still gets every order, by upsert', () => {
    const writes: string[] = [];
    const plain: JournalStore = {
      transaction: (fn) => store.transaction(fn),
      orders: {
        upsert: (o) => {
          writes.push(`upsert ${o.clientOrderId} ${o.status}`);
          store.orders.upsert(o);
        },
        get: (id) => store.orders.get(id),
        listOpen: (sessionId) => store.orders.listOpen(sessionId),
      },
      fills: store.fills,
      positions: store.positions,
    };
    const journal = new OrderJournal(plain, 's1');
    let current = order();
    journal.stageOrderState('o1', () => current, true);
    journal.commit(() => {
      journal.insertFill(fill());
      current = order({ status: 'FILLED', venueOrderId: 'v1', filledQuantity: '3', averageFillPrice: '60000', updatedAt: 2_000 });
      journal.stageOrderState('o1', () => current);
    });
    expect(writes).toEqual(['upsert o1 SUBMITTED', 'upsert o1 FILLED']);
    expect(store.orders.get('o1')).toEqual(current);
  });
});
