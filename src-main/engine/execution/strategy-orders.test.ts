import { afterEach, describe, expect, test } from 'vitest';
import type { EntryRequest, EntryResult, ExitRequest } from '../strategy/strategy-runner';
import { BTC, createExecutionFixture, type ExecutionFixture, type ExecutionFixtureOptions } from '../venues/testing/execution-fixture';
import { VenueError } from '../venues/venue';
import { StrategyOrders } from './strategy-orders';

let fx: ExecutionFixture;
let adapter: StrategyOrders;
let results: Array<{ strategyId: string; instrumentId: string } & EntryResult>;
let closed: string[];

afterEach(async () => {
  adapter.dispose();
  await fx.close();
});

async function setup(options: ExecutionFixtureOptions = {}): Promise<void> {
  fx = createExecutionFixture(options);
  await fx.orders.start();
  results = [];
  closed = [];
  adapter = new StrategyOrders({
    risk: fx.risk, orders: fx.orders, account: fx.account, sessionId: 'test-session',
    onEntryResult: (strategyId, instrumentId, result) => results.push({ strategyId, instrumentId, ...result }),
    onPositionClosed: (strategyId, instrumentId) => closed.push(`${strategyId}@${instrumentId}`),
  });
}

const entry = (overrides: Partial<EntryRequest> = {}): EntryRequest => ({
  signalId: 'sig-1', strategyId: 'pump', instrumentId: BTC.id, sessionId: 'test-session', direction: 'LONG', price: 60000,
  positionSize: { type: 'fixed', value: 500 }, leverage: 5, orderType: 'MARKET', stopLoss: null, takeProfit: null, ts: 0, ...overrides,
});

const exit = (overrides: Partial<ExitRequest> = {}): ExitRequest => ({
  signalId: 'sig-2', strategyId: 'pump', instrumentId: BTC.id, sessionId: 'test-session', direction: 'LONG', section: 'ZE1', price: 60500,
  cancelPending: true, closePosition: true, logEvent: false, ts: 0, ...overrides,
});

describe('StrategyOrders', () => {
  test('sizes an entry as margin × leverage ÷ (price × contract size), rounded down to the lot', async () => {
    await setup();
    const outcome = await adapter.onEntry(entry({ positionSize: { type: 'fixed', value: 500 }, leverage: 5, price: 60123.4 }));
    expect(outcome.accepted).toBe(true);
    if (!outcome.accepted) return;
    expect(outcome.order.quantity).toBe('415'); // 2,500 ÷ 6.01234 = 415.8
    const percent = await adapter.onEntry(entry({ instrumentId: 'ETH/USDT:USDT', price: 3000, positionSize: { type: 'percentage', value: 2 }, leverage: 3 }));
    expect(percent.accepted && percent.order.quantity).toBe('20'); // 2 % of 10,000 = 200 margin × 3 = 600 ÷ 30
  });

  test('an entry is accepted once its first fill is accounted', async () => {
    await setup({ stub: { marketFills: 'manual' } });
    const outcome = await adapter.onEntry(entry());
    await fx.settle();
    expect(results).toEqual([]);
    if (!outcome.accepted) throw new Error('denied');
    fx.venue.fill(outcome.order.clientOrderId);
    await fx.settle();
    expect(results).toEqual([{ strategyId: 'pump', instrumentId: BTC.id, accepted: true }]);
  });

  test('an entry risk denies is reported denied with the reason', async () => {
    await setup();
    await adapter.onEntry(entry({ positionSize: { type: 'fixed', value: 5000 } })); // 50 % of capital as margin
    expect(results).toEqual([{ strategyId: 'pump', instrumentId: BTC.id, accepted: false, reason: expect.stringMatching(/^position_size:/) }]);
    expect(fx.venue.calls.submitOrder).toBe(0);
  });

  test('a NaN price is denied by risk as invalid input, not thrown', async () => {
    await setup();
    const outcome = await adapter.onEntry(entry({ price: Number.NaN }));
    expect(outcome.accepted).toBe(false);
    expect(results[0]?.reason).toMatch(/^invalid_number:/);
  });

  test('an entry the venue rejects is reported denied', async () => {
    await setup();
    fx.venue.setMark(BTC.id, '60000');
    fx.venue.failNext('submitOrder', new VenueError('invalid_order', 'price band'));
    await adapter.onEntry(entry());
    await fx.settle();
    expect(results).toEqual([{ strategyId: 'pump', instrumentId: BTC.id, accepted: false, reason: 'rejected: invalid_order: price band' }]);
  });

  test('ZE1 closes the position with a reduce-only order and reports it closed', async () => {
    await setup();
    await adapter.onEntry(entry());
    await fx.settle();
    fx.venue.setMark(BTC.id, '60500');
    const outcome = await adapter.onExit(exit());
    await fx.settle();
    expect(outcome?.accepted && outcome.order).toMatchObject({ reduceOnly: true, side: 'SELL', quantity: '416' }); // 2,500 ÷ 6
    expect(fx.account.position(BTC.id)?.side).toBe('FLAT');
    expect(closed).toEqual([`pump@${BTC.id}`]);
    expect(fx.account.closedTrades()[0]).toMatchObject({ strategyId: 'pump', exitReason: 'ZE1', grossPnl: '20.8' }); // 500 × 416 × 0.0001
  });

  test('an E1 exit passes a HALTED state; a ZE1 exit does not', async () => {
    await setup();
    await adapter.onEntry(entry());
    await fx.settle();
    fx.risk.setTradingState('HALTED');
    const normal = await adapter.onExit(exit({ section: 'ZE1' }));
    expect(normal?.accepted).toBe(false);
    const emergency = await adapter.onExit(exit({ section: 'E1' }));
    await fx.settle();
    expect(emergency?.accepted).toBe(true);
    expect(fx.account.position(BTC.id)?.side).toBe('FLAT');
  });
});
