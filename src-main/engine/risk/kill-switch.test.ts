import { afterEach, describe, expect, test } from 'vitest';
import type { OrderProposal } from './risk-manager';
import { BTC, createExecutionFixture, ETH, type ExecutionFixture, type ExecutionFixtureOptions } from '../venues/testing/execution-fixture';
import { VenueError } from '../venues/venue';
import { KillSwitch } from './kill-switch';

let fx: ExecutionFixture;
let killSwitch: KillSwitch;
afterEach(async () => {
  await fx.close();
});

async function setup(options: ExecutionFixtureOptions = {}): Promise<void> {
  fx = createExecutionFixture(options);
  await fx.orders.start();
  killSwitch = new KillSwitch({ risk: fx.risk, orders: fx.orders, account: fx.account, clock: fx.clock, venue: fx.venue, breaker: fx.breaker });
}

async function place(proposal: Partial<OrderProposal>): Promise<string> {
  const decision = fx.risk.check({ instrumentId: BTC.id, side: 'BUY', type: 'MARKET', quantity: '100', referencePrice: '60000', leverage: 10, ...proposal });
  if (!decision.approved) throw new Error(decision.denial.message);
  const outcome = await fx.orders.submit(decision.approval);
  if (!outcome.accepted) throw new Error('not accepted');
  await fx.settle();
  return outcome.order.clientOrderId;
}

/** Orders the venue has seen that close positions (reduce-only), per instrument. */
const closeOrders = () => fx.venue.allOrders().filter((o) => fx.orders.status(o.clientOrderId)?.reduceOnly === true);

describe('KillSwitch', () => {
  test('cancels every working order, flattens every position, and leaves trading HALTED', async () => {
    await setup();
    await place({});
    await place({ instrumentId: ETH.id, side: 'SELL', quantity: '50', referencePrice: '3000' });
    const resting = await place({ type: 'LIMIT', price: '55000', quantity: '10' });
    const report = await killSwitch.engage();
    await fx.settle();
    expect(report).toMatchObject({ cancelledOrders: 1, closeOrders: 2, failures: [], venuePositionsRead: true });
    expect(fx.orders.status(resting)?.status).toBe('CANCELED');
    expect(fx.venue.position(BTC.id).side).toBe('FLAT');
    expect(fx.venue.position(ETH.id).side).toBe('FLAT');
    expect(fx.account.openPositionCount()).toBe(0);
    expect(fx.risk.tradingState()).toBe('HALTED');
    expect(fx.eventsOf('risk_alert').some((a) => a.code === 'kill_switch' && a.severity === 'critical')).toBe(true);
    expect(fx.risk.check({ instrumentId: BTC.id, side: 'BUY', type: 'MARKET', quantity: '1', referencePrice: '60000', leverage: 10 }).approved).toBe(false);
  });

  test('engaged twice at once, it sends one close per position', async () => {
    await setup({ stub: { marketFills: 'manual' } });
    const entry = await place({});
    fx.venue.fill(entry);
    await fx.settle();
    const [first, second] = await Promise.all([killSwitch.engage(), killSwitch.engage()]);
    expect(second).toBe(first);
    await fx.settle();
    expect(closeOrders()).toHaveLength(1);
  });

  test('engaged again while its closes are still working, it sends nothing new; after they fill, nothing at all', async () => {
    await setup({ stub: { marketFills: 'manual' } });
    const entry = await place({});
    fx.venue.fill(entry);
    await fx.settle();
    await killSwitch.engage();
    await fx.settle();
    const again = await killSwitch.engage();
    await fx.settle();
    expect(again).toMatchObject({ closeOrders: 0, alreadyClosing: 1, cancelledOrders: 0 });
    expect(closeOrders()).toHaveLength(1);
    fx.venue.fill(closeOrders()[0]!.clientOrderId);
    await fx.settle();
    const third = await killSwitch.engage();
    await fx.settle();
    expect(third.closeOrders).toBe(0);
    expect(closeOrders()).toHaveLength(1);
    expect(fx.venue.position(BTC.id).side).toBe('FLAT');
  });

  test('also flattens a position the app did not know, read from the exchange', async () => {
    await setup();
    fx.venue.openPositionOutside(ETH.id, 'LONG', '20', '3000', 3);
    const report = await killSwitch.engage();
    await fx.settle();
    expect(report.closeOrders).toBe(1);
    expect(fx.venue.position(ETH.id).side).toBe('FLAT');
  });

  test('during an outage its closes wait for the venue instead of expiring like stale entries', async () => {
    await setup();
    await place({});
    for (let i = 0; i < 5; i++) await fx.breaker.execute(() => Promise.reject(new VenueError('network', 'down'))).catch(() => undefined);
    const report = await killSwitch.engage();
    expect(report).toMatchObject({ closeOrders: 1, venuePositionsRead: false });
    await fx.advance(20_000);
    expect(fx.venue.position(BTC.id).side).toBe('LONG');
    await fx.advance(15_000); // the breaker lets a trial through, closes, and the close goes out
    expect(fx.venue.position(BTC.id).side).toBe('FLAT');
    expect(fx.account.openPositionCount()).toBe(0);
  });

  test('trading resumes only when the trader sets it ACTIVE', async () => {
    await setup();
    await killSwitch.engage();
    fx.clock.advanceBy(86_400_000);
    expect(fx.risk.tradingState()).toBe('HALTED');
    fx.risk.setTradingState('ACTIVE');
    expect(fx.risk.tradingState()).toBe('ACTIVE');
  });
});
