import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { RiskAlertDto, SessionDto } from '../../../src-shared/contract/schemas';
import { SimulatedClock } from '../clock/clock';
import type { BacktestMetrics, ClosedTrade } from '../session/backtest-report';
import { AlertDismissalRepository } from './alert-dismissals';
import { SessionResultRepository } from './session-results';
import { openStore, type Store } from './store';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../../migrations');

let clock: SimulatedClock;
let store: Store;
let results: SessionResultRepository;
let dismissals: AlertDismissalRepository;
beforeEach(() => {
  clock = new SimulatedClock(1_700_000_000_000);
  store = openStore(':memory:', { migrationsDir: MIGRATIONS, clock });
  results = new SessionResultRepository(store.db, clock);
  dismissals = new AlertDismissalRepository(store.db, clock);
});
afterEach(() => store.close());

const session: SessionDto = {
  id: 's1', kind: 'backtest', status: 'completed', name: 'backtest', instruments: ['BTC/USDT:USDT'], strategyIds: ['pump-long'],
  dataSessionId: null, startedAt: 1, endedAt: 2, progress: 1, error: null, createdAt: 1,
};
const metrics: BacktestMetrics = {
  trades: 1, netPnl: '-1.25', grossPnl: '-0.5', fees: '0.75', winRate: 0, maxDrawdown: '1.25', maxDrawdownPercent: 0.0125,
  sharpe: null, profitFactor: null, fingerprint: 'f'.repeat(64),
};
const trade: ClosedTrade = {
  strategyId: 'pump-long', instrumentId: 'BTC/USDT:USDT', direction: 'LONG', entryTs: 10, exitTs: 20, entryPrice: '61000.1', exitPrice: '60999.9',
  quantity: '2', grossPnl: '-0.5', fees: '0.75', netPnl: '-1.25', exitReason: 'ZE1',
};
const alert: RiskAlertDto = { id: 'a1', severity: 'critical', source: 'ops', code: 'X', message: 'boom', instrumentId: null, ts: 5 };

describe('SessionResultRepository', () => {
  test('stores a finished session result and reads it back with exact decimal text', () => {
    store.sessions.create(session);
    const saved = results.save({ sessionId: 's1', capital: '10000', metrics, equityCurve: [{ ts: 0, equity: '10000' }, { ts: 20, equity: '9998.75' }], trades: [trade] });
    expect(saved).toEqual({ sessionId: 's1', capital: '10000', metrics, equityCurve: [{ ts: 0, equity: '10000' }, { ts: 20, equity: '9998.75' }], trades: [trade], createdAt: clock.now() });
    expect(results.get('s1')).toEqual(saved);
    expect(results.get('other')).toBeNull();
  });

  test('a second ending of the same session (a backward seek replayed it) replaces the first', () => {
    store.sessions.create(session);
    results.save({ sessionId: 's1', capital: '10000', metrics, equityCurve: [], trades: [trade] });
    results.save({ sessionId: 's1', capital: '10000', metrics: { ...metrics, trades: 0 }, equityCurve: [], trades: [] });
    expect(results.get('s1')?.trades).toEqual([]);
    expect(results.get('s1')?.metrics.trades).toBe(0);
  });

  test('refuses a result for a session that does not exist', () => {
    expect(() => results.save({ sessionId: 'ghost', capital: '1', metrics, equityCurve: [], trades: [] })).toThrow(/FOREIGN KEY/);
  });

  test('the table is STRICT and checks its JSON shapes', () => {
    store.sessions.create(session);
    const insert = store.db.prepare('INSERT INTO session_results (session_id, metrics, equity_curve, trades, created_at) VALUES (?, ?, ?, ?, ?)');
    expect(() => insert.run('s1', '[]', '[]', '[]', 1)).toThrow(/CHECK/);
    expect(() => insert.run('s1', '{}', '{}', '[]', 1)).toThrow(/CHECK/);
    expect(() => insert.run('s1', '{}', '[]', '[]', 'yesterday')).toThrow(/cannot store TEXT value in INTEGER column/);
  });
});

describe('AlertDismissalRepository', () => {
  test('hides dismissed alerts from the visible list, newest first, and keeps them in the journal', () => {
    store.riskEvents.insert(alert);
    store.riskEvents.insert({ ...alert, id: 'a2', ts: 6 });
    store.riskEvents.insert({ ...alert, id: 'a3', ts: 7 });
    expect(dismissals.visibleAlertIds(10)).toEqual(['a3', 'a2', 'a1']);
    expect(dismissals.dismiss('a2')).toBe(clock.now());
    expect(dismissals.visibleAlertIds(10)).toEqual(['a3', 'a1']);
    expect(dismissals.visibleAlertIds(1)).toEqual(['a3']);
    expect(store.riskEvents.get('a2')).not.toBeNull();
  });

  test('dismissing twice keeps the first time', () => {
    store.riskEvents.insert(alert);
    dismissals.dismiss('a1', 100);
    expect(dismissals.dismiss('a1', 200)).toBe(100);
    expect(dismissals.dismissedAt('a1')).toBe(100);
    expect(dismissals.dismissedAt('nope')).toBeNull();
  });

  test('refuses to dismiss an alert that was never raised', () => {
    expect(() => dismissals.dismiss('ghost')).toThrow(/FOREIGN KEY/);
  });
});
