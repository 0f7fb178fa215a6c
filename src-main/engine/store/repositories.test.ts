import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { FillDto, OrderDto, PositionDto, RiskAlertDto, SessionDto, SignalDto } from '../../../src-shared/contract/schemas';
import { SimulatedClock } from '../clock/clock';
import { DEFAULT_AUTOCHECKPOINT_PAGES } from './database';
import { openStore, Store } from './store';
import { WalCheckpointer } from './wal-checkpointer';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../../migrations');

let clock: SimulatedClock;
let store: Store;
beforeEach(() => {
  clock = new SimulatedClock(1_700_000_000_000);
  store = openStore(':memory:', { migrationsDir: MIGRATIONS, clock });
});
afterEach(() => store.close());

const session = (overrides: Partial<SessionDto> = {}): SessionDto => ({
  id: 's1', kind: 'backtest', status: 'created', name: 'BTC pump test', instruments: ['BTC/USDT:USDT'], strategyIds: ['pump-long'],
  dataSessionId: 'rec-1', startedAt: null, endedAt: null, progress: null, error: null, createdAt: 1_000, ...overrides,
});

const order = (overrides: Partial<OrderDto> = {}): OrderDto => ({
  clientOrderId: 's1-o1', venueOrderId: null, instrumentId: 'BTC/USDT:USDT', strategyId: 'pump-long', sessionId: 's1', side: 'BUY', type: 'LIMIT',
  quantity: '0.015', price: '61234.5', triggerPrice: null, timeInForce: 'GTC', reduceOnly: false, leverage: 5, status: 'INITIALIZED',
  filledQuantity: '0', averageFillPrice: null, createdAt: 1_000, updatedAt: 1_000, reason: null, ...overrides,
});

const fill = (overrides: Partial<FillDto> = {}): FillDto => ({
  fillId: 'paper-fill-1', clientOrderId: 's1-o1', venueOrderId: 'v1', instrumentId: 'BTC/USDT:USDT', side: 'BUY', lastQty: '0.005', lastPx: '61234.5',
  liquiditySide: 'TAKER', commission: '0.18370350', commissionCurrency: 'USDT', tsEvent: 2_000, ...overrides,
});

const position = (overrides: Partial<PositionDto> = {}): PositionDto => ({
  sessionId: 's1', instrumentId: 'BTC/USDT:USDT', side: 'LONG', quantity: '0.015', averageEntryPrice: '61234.5', markPrice: '61300',
  realizedPnl: '-1.25', unrealizedPnl: '0.9825', commissions: '0.55', leverage: 5, marginRatioPercent: 12.5, liquidationPrice: '49000.1',
  stopLoss: '60000', takeProfit: null, openedAt: 2_000, updatedAt: 2_500, ...overrides,
});

const signal = (overrides: Partial<SignalDto> = {}): SignalDto => ({
  id: 's1-sig-1', sessionId: 's1', strategyId: 'pump-long', instrumentId: 'BTC/USDT:USDT', section: 'S1', state: 'SIGNAL_DETECTED', direction: 'LONG',
  price: 61234.5, indicatorValues: { PUMP_MAGNITUDE_PCT: 3.4, VOLUME_SURGE_RATIO: null }, reason: 'pump detected', ts: 5_000, ...overrides,
});

const alert = (overrides: Partial<RiskAlertDto> = {}): RiskAlertDto => ({
  id: 'risk-1', severity: 'warning', source: 'risk', code: 'MAX_OPEN_POSITIONS', message: 'denied: 3 positions open', instrumentId: 'BTC/USDT:USDT',
  details: { open: 3, limit: 3 }, ts: 7_000, ...overrides,
});

describe('SessionRepository', () => {
  test('creates a session and reads it back unchanged, with its config', () => {
    store.sessions.create(session(), { speed: 0, capital: '10000' });
    expect(store.sessions.get('s1')).toEqual(session());
    expect(store.sessions.getConfig('s1')).toEqual({ speed: 0, capital: '10000' });
    expect(store.sessions.get('nope')).toBeNull();
  });

  test('lists sessions newest first, filtered by kind and status', () => {
    store.sessions.create(session({ id: 'a', createdAt: 1 }));
    store.sessions.create(session({ id: 'b', createdAt: 3, kind: 'paper' }));
    store.sessions.create(session({ id: 'c', createdAt: 2, status: 'running' }));
    expect(store.sessions.list().map((s) => s.id)).toEqual(['b', 'c', 'a']);
    expect(store.sessions.list({ kind: 'backtest' }).map((s) => s.id)).toEqual(['c', 'a']);
    expect(store.sessions.list({ status: 'running' }).map((s) => s.id)).toEqual(['c']);
    expect(store.sessions.list({ limit: 1 }).map((s) => s.id)).toEqual(['b']);
  });

  test('updates status, progress and error', () => {
    store.sessions.create(session());
    expect(store.sessions.updateStatus('s1', 'running', { startedAt: 10 })).toMatchObject({ status: 'running', startedAt: 10 });
    expect(store.sessions.updateProgress('s1', 0.25)).toBe(true);
    expect(store.sessions.get('s1')?.progress).toBe(0.25);
    store.sessions.setError('s1', 'feed lost');
    store.sessions.updateStatus('s1', 'failed', { endedAt: 20 });
    expect(store.sessions.get('s1')).toMatchObject({ status: 'failed', error: 'feed lost', startedAt: 10, endedAt: 20, progress: 0.25 });
    expect(store.sessions.update('missing', { status: 'stopped' })).toBeNull();
    expect(store.sessions.updateProgress('missing', 0.5)).toBe(false);
  });

  test('refuses a progress outside 0..1', () => {
    store.sessions.create(session());
    expect(() => store.sessions.updateProgress('s1', 1.5)).toThrow(/between 0 and 1/);
  });
});

describe('OrderRepository', () => {
  test('upserts an order and reads it back unchanged', () => {
    store.orders.upsert(order());
    expect(store.orders.get('s1-o1')).toEqual(order());
    const filled = order({ status: 'FILLED', venueOrderId: 'v1', filledQuantity: '0.015', averageFillPrice: '61234.5', updatedAt: 3_000, reduceOnly: true });
    store.orders.upsert(filled);
    expect(store.orders.get('s1-o1')).toEqual(filled);
    expect(store.orders.getByVenueOrderId('v1')?.clientOrderId).toBe('s1-o1');
  });

  test('keeps the first creation time when an order is written again', () => {
    store.orders.upsert(order());
    store.orders.upsert(order({ createdAt: 9_999, status: 'SUBMITTED' }));
    expect(store.orders.get('s1-o1')?.createdAt).toBe(1_000);
  });

  test('lists orders by session (oldest first), newest first overall, and the open ones', () => {
    store.orders.upsert(order({ clientOrderId: 'a', createdAt: 1, status: 'FILLED' }));
    store.orders.upsert(order({ clientOrderId: 'b', createdAt: 2, status: 'ACCEPTED' }));
    store.orders.upsert(order({ clientOrderId: 'c', createdAt: 3, status: 'PARTIALLY_FILLED', sessionId: 's2' }));
    store.orders.upsert(order({ clientOrderId: 'd', createdAt: 4, status: 'CANCELED' }));
    expect(store.orders.listBySession('s1').map((o) => o.clientOrderId)).toEqual(['a', 'b', 'd']);
    expect(store.orders.list().map((o) => o.clientOrderId)).toEqual(['d', 'c', 'b', 'a']);
    expect(store.orders.list({ sessionId: 's1', limit: 2 }).map((o) => o.clientOrderId)).toEqual(['d', 'b']);
    expect(store.orders.listOpen().map((o) => o.clientOrderId)).toEqual(['b', 'c']);
    expect(store.orders.listOpen('s2').map((o) => o.clientOrderId)).toEqual(['c']);
  });
});

describe('OrderRepository journal writes', () => {
  test("inserts an order on its first write, then changes only what an order's life changes", () => {
    expect(store.orders.has('s1-o1')).toBe(false);
    store.orders.saveState(order({ status: 'SUBMITTED' }));
    expect(store.orders.has('s1-o1')).toBe(true);
    expect(store.orders.get('s1-o1')).toEqual(order({ status: 'SUBMITTED' }));
    expect(store.orders.listOpen().map((o) => o.clientOrderId)).toEqual(['s1-o1']);

    const filled = order({ status: 'FILLED', venueOrderId: 'v1', filledQuantity: '0.015', averageFillPrice: '61234.5', updatedAt: 3_000, reason: 'entry' });
    store.orders.saveState(filled);
    expect(store.orders.get('s1-o1')).toEqual(filled);
    expect(store.orders.listOpen()).toEqual([]);
    expect(store.orders.getByVenueOrderId('v1')?.status).toBe('FILLED');

    // what is fixed when an order is created is never rewritten by a state change
    store.orders.saveState({ ...filled, quantity: '9', createdAt: 9_999 });
    expect(store.orders.get('s1-o1')).toEqual(filled);
  });

  test('a state update of an order that was never written changes nothing and says so', () => {
    expect(store.orders.updateState(order({ clientOrderId: 'never-written' }))).toBe(false);
    expect(store.orders.get('never-written')).toBeNull();
  });
});

describe('FillRepository', () => {
  test('inserts a fill once, however often it is delivered', () => {
    store.orders.upsert(order());
    expect(store.fills.insert(fill(), 's1')).toBe(true);
    expect(store.fills.insert(fill(), 's1')).toBe(false);
    expect(store.fills.listByOrder('s1-o1')).toEqual([fill()]);
  });

  test('keeps fills of different orders that reuse a venue fill id', () => {
    store.orders.upsert(order());
    store.orders.upsert(order({ clientOrderId: 's2-o1', sessionId: 's2' }));
    store.fills.insert(fill(), 's1');
    store.fills.insert(fill({ clientOrderId: 's2-o1' }), 's2');
    expect(store.fills.listBySession('s1')).toHaveLength(1);
    expect(store.fills.listBySession('s2')).toHaveLength(1);
  });

  test('lists fills of an order and of a session in event-time order', () => {
    store.orders.upsert(order());
    store.fills.insert(fill({ fillId: 'f2', tsEvent: 3_000 }), 's1');
    store.fills.insert(fill({ fillId: 'f1', tsEvent: 2_000, commission: '-0.01', liquiditySide: 'MAKER' }), 's1');
    expect(store.fills.listByOrder('s1-o1').map((f) => f.fillId)).toEqual(['f1', 'f2']);
    expect(store.fills.listBySession('s1').map((f) => f.commission)).toEqual(['-0.01', '0.18370350']);
  });

  test('refuses a fill whose order is not journalled, saying so', () => {
    expect(() => store.fills.insert(fill({ clientOrderId: 'ghost' }), 's1')).toThrow(/order ghost, which is not in the order journal/);
  });
});

describe('PositionRepository', () => {
  test('upserts a position and reads it back unchanged', () => {
    store.positions.upsert(position());
    expect(store.positions.get('s1', 'BTC/USDT:USDT')).toEqual(position());
    store.positions.upsert(position({ side: 'FLAT', quantity: '0', averageEntryPrice: null, updatedAt: 9_000 }));
    expect(store.positions.listBySession('s1')).toEqual([position({ side: 'FLAT', quantity: '0', averageEntryPrice: null, updatedAt: 9_000 })]);
  });

  test('keeps account-level positions (no session) apart from session positions', () => {
    store.positions.upsert(position());
    store.positions.upsert(position({ sessionId: null, side: 'SHORT' }));
    store.positions.upsert(position({ sessionId: null, side: 'SHORT' }));
    expect(store.positions.listBySession(null)).toEqual([position({ sessionId: null, side: 'SHORT' })]);
    expect(store.positions.list()).toHaveLength(2);
    expect(store.positions.get(null, 'BTC/USDT:USDT')?.side).toBe('SHORT');
  });

  test('lists only open positions when asked, and deletes one', () => {
    store.positions.upsert(position({ instrumentId: 'BTC/USDT:USDT' }));
    store.positions.upsert(position({ instrumentId: 'ETH/USDT:USDT', side: 'FLAT', quantity: '0' }));
    expect(store.positions.list({ sessionId: 's1', openOnly: true }).map((p) => p.instrumentId)).toEqual(['BTC/USDT:USDT']);
    expect(store.positions.delete('s1', 'ETH/USDT:USDT')).toBe(true);
    expect(store.positions.list()).toHaveLength(1);
  });
});

describe('PositionRepository writes', () => {
  test('a position written again replaces its previous state, one row per session and instrument', () => {
    store.positions.upsert(position());
    const closed = position({ side: 'FLAT', quantity: '0', averageEntryPrice: null, realizedPnl: '12.5', unrealizedPnl: '0', marginRatioPercent: null, liquidationPrice: null, stopLoss: null, openedAt: null, updatedAt: 9_000 });
    store.positions.upsert(closed);
    expect(store.positions.list()).toEqual([closed]);
  });
});

describe('SignalRepository', () => {
  test('stores signals once and lists them newest first with a limit', () => {
    expect(store.signals.insert(signal())).toBe(true);
    expect(store.signals.insert(signal())).toBe(false);
    store.signals.insert(signal({ id: 's1-sig-2', section: 'Z1', state: 'ENTRY_EVALUATION', ts: 6_000 }));
    store.signals.insert(signal({ id: 's1-sig-3', section: 'ZE1', state: 'EXITED', ts: 6_000 }));
    store.signals.insert(signal({ id: 's2-sig-1', sessionId: 's2', ts: 9_000 }));
    expect(store.signals.listBySession('s1').map((s) => s.id)).toEqual(['s1-sig-3', 's1-sig-2', 's1-sig-1']);
    expect(store.signals.listBySession('s1', 2).map((s) => s.id)).toEqual(['s1-sig-3', 's1-sig-2']);
    expect(store.signals.list({ limit: 1 }).map((s) => s.id)).toEqual(['s2-sig-1']);
    expect(store.signals.list({ sessionId: 's1' }).at(-1)).toEqual(signal());
  });

  test('records indicator values that are not finite as no value', () => {
    store.signals.insert(signal({ indicatorValues: { A: Number.NaN, B: Number.POSITIVE_INFINITY, C: 1.5 }, price: Number.NaN }));
    expect(store.signals.list()[0]).toMatchObject({ indicatorValues: { A: null, B: null, C: 1.5 }, price: null });
  });
});

describe('RiskEventRepository', () => {
  test('stores alerts once, lists the recent ones newest first and acknowledges them', () => {
    expect(store.riskEvents.insert(alert())).toBe(true);
    expect(store.riskEvents.insert(alert())).toBe(false);
    const { details: _details, ...withoutDetails } = alert({ id: 'risk-2', severity: 'critical', instrumentId: null, ts: 8_000 });
    store.riskEvents.insert(withoutDetails);
    expect(store.riskEvents.listRecent()).toEqual([withoutDetails, alert()]);
    expect(store.riskEvents.listRecent(1)).toEqual([withoutDetails]);
    clock.advanceTo(1_700_000_000_500);
    expect(store.riskEvents.acknowledge('risk-2')).toBe(true);
    expect(store.riskEvents.acknowledge('risk-2')).toBe(false);
    expect(store.riskEvents.acknowledge('missing')).toBe(false);
    expect(store.riskEvents.get('risk-2')?.acknowledgedAt).toBe(1_700_000_000_500);
    expect(store.riskEvents.listUnacknowledged().map((a) => a.id)).toEqual(['risk-1']);
  });
});

describe('StrategyRepository', () => {
  test('saves, updates, lists and deletes strategies, keeping the creation time', () => {
    const definition = { strategy_name: 'Pump long', direction: 'LONG', enabled: true };
    const saved = store.strategies.save({ id: 'pump-long', name: 'Pump long', definition, enabled: true });
    expect(saved).toEqual({ id: 'pump-long', name: 'Pump long', definition, enabled: true, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000 });
    clock.advanceTo(1_700_000_001_000);
    const updated = store.strategies.save({ id: 'pump-long', name: 'Pump long v2', definition, enabled: false });
    expect(updated).toMatchObject({ name: 'Pump long v2', enabled: false, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_001_000 });
    store.strategies.save({ id: 'dump-short', name: 'Dump short', definition: {}, enabled: true });
    expect(store.strategies.list().map((s) => s.id)).toEqual(['dump-short', 'pump-long']);
    expect(store.strategies.delete('pump-long')).toBe(true);
    expect(store.strategies.delete('pump-long')).toBe(false);
    expect(store.strategies.get('pump-long')).toBeNull();
  });

  test('refuses a definition that is not a JSON object', () => {
    expect(() => store.strategies.save({ id: 'x', name: 'x', definition: [] as unknown as Record<string, unknown>, enabled: true })).toThrow(/must be a JSON object/);
  });
});

describe('Store', () => {
  test('commits everything written in a transaction together, or nothing', () => {
    expect(() =>
      store.transaction(() => {
        store.orders.upsert(order());
        store.positions.upsert(position());
        throw new Error('crash between writes');
      }),
    ).toThrow('crash between writes');
    expect(store.orders.get('s1-o1')).toBeNull();
    expect(store.positions.list()).toEqual([]);
    const result = store.transaction(() => {
      store.orders.upsert(order());
      store.fills.insert(fill(), 's1');
      return 'done';
    });
    expect(result).toBe('done');
    expect(store.fills.listByOrder('s1-o1')).toHaveLength(1);
  });

  test('proves it is writable with a real write, and says why when it is not', () => {
    expect(store.isWritable()).toBe(true);
    expect(store.db.prepare('SELECT written_at FROM health_probe').get()).toEqual({ written_at: 1_700_000_000_000 });
    store.close();
    expect(store.isWritable()).toBe(false);
    expect(store.probeWrite()).toEqual({ ok: false, error: 'the database is closed' });
    expect(store.isOpen).toBe(false);
  });

  test('reports a read-only database as not writable', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-store-'));
    try {
      const file = path.join(dir, 'surge.db');
      openStore(file, { migrationsDir: MIGRATIONS }).close();
      const readOnly = new Store(new Database(file, { readonly: true }));
      const probe = readOnly.probeWrite();
      expect(probe.ok).toBe(false);
      expect(probe.ok ? '' : probe.error).toMatch(/readonly/i);
      readOnly.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("keeps SQLite's own checkpoint only as a large backstop", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-store-'));
    try {
      const file = openStore(path.join(dir, 'surge.db'), { migrationsDir: MIGRATIONS });
      expect(file.db.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_AUTOCHECKPOINT_PAGES);
      file.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const onWorker of [false, true]) {
    test(`checkpoints the WAL ${onWorker ? 'on a worker thread' : 'on a later turn of the event loop'} after every checkpointEveryCommits transactions, never inside one`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-store-'));
      try {
        const file = path.join(dir, 'surge.db');
        const fileStore = openStore(file, { migrationsDir: MIGRATIONS, clock, checkpointEveryCommits: 4, checkpointOnWorker: onWorker });
        // what the database file alone holds, without its WAL: what a checkpoint has copied back
        const ordersInFile = (): number => {
          const copy = path.join(dir, `copy-${Math.random()}.db`);
          copyFileSync(file, copy);
          const db = new Database(copy);
          try {
            // before the first checkpoint even the schema is only in the WAL
            if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'orders'").get() === undefined) return 0;
            return (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
          } finally {
            db.close();
          }
        };
        for (let i = 0; i < 3; i++) fileStore.transaction(() => fileStore.orders.upsert(order({ clientOrderId: `o${i}` })));
        await new Promise((resolve) => setImmediate(resolve));
        expect(fileStore.checkpointCount).toBe(0);
        fileStore.transaction(() => fileStore.orders.upsert(order({ clientOrderId: 'o3' })));
        expect(fileStore.checkpointCount).toBe(0); // not inside the commit that reached the count
        expect(ordersInFile()).toBe(0);
        for (let waited = 0; fileStore.checkpointCount === 0 && waited < 5_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
        await fileStore.checkpointIdle();
        expect(fileStore.checkpointCount).toBe(1);
        expect(fileStore.checkpointsOnWorker).toBe(onWorker);
        expect(ordersInFile()).toBe(4);
        fileStore.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('a checkpoint worker that cannot open its database hands checkpoints back to the caller', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-store-'));
    try {
      const checkpointer = new WalCheckpointer(path.join(dir, 'missing.db'));
      expect(checkpointer.request()).toBe(true);
      for (let waited = 0; checkpointer.available && waited < 5_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(checkpointer.available).toBe(false);
      expect(checkpointer.request()).toBe(false);
      expect(checkpointer.completedCount).toBe(0);
      checkpointer.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('writes buffered market data when closed', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'surge-store-'));
    try {
      const file = path.join(dir, 'surge.db');
      const first = openStore(file, { migrationsDir: MIGRATIONS, clock });
      const recording = first.recordings.createRecording({ name: 'n', source: 'test' });
      first.recordings.appendTrades(recording.id, 'BTC/USDT:USDT', [{ ts: 1, price: 1, quantity: 1, side: 'buy' }]);
      first.close();
      first.close();
      const second = openStore(file, { migrationsDir: MIGRATIONS, clock });
      expect(second.recordings.countTrades(recording.id)).toBe(1);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
