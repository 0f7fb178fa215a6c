import { afterEach, describe, expect, test } from 'vitest';
import type { OrderDto } from '../../../src-shared/contract/schemas';
import type { Settings } from '../../../src-shared/contract/settings';
import type { OrderProposal } from '../risk/risk-manager';
import { ClientOrderId } from '../../../src-shared/domain/ids';
import { Price, Quantity } from '../../../src-shared/domain/values';
import { SimulatedClock } from '../clock/clock';
import { BTC, createExecutionFixture, ETH, INSTRUMENTS, START, type ExecutionFixture, type ExecutionFixtureOptions } from '../venues/testing/execution-fixture';
import { StubVenue } from '../venues/testing/stub-venue';
import { VenueError, type SubmitOrderRequest } from '../venues/venue';
import { OrderManager, type SubmitOutcome } from './order-manager';

let fx: ExecutionFixture;
afterEach(async () => {
  await fx.close();
});

async function setup(options: ExecutionFixtureOptions = {}): Promise<ExecutionFixture> {
  fx = createExecutionFixture(options);
  await fx.orders.start();
  return fx;
}

const withSettings = (change: (s: Settings) => void, rest: ExecutionFixtureOptions = {}): ExecutionFixtureOptions => ({ ...rest, settings: change });

const buy = (overrides: Partial<OrderProposal> = {}): OrderProposal => ({
  instrumentId: BTC.id, side: 'BUY', type: 'MARKET', quantity: '100', referencePrice: '60000', leverage: 10, strategyId: 'pump', ...overrides,
});

async function submit(proposal: OrderProposal = buy()): Promise<SubmitOutcome> {
  const decision = fx.risk.check(proposal);
  if (!decision.approved) throw new Error(`risk denied: ${decision.denial.message}`);
  return fx.orders.submit(decision.approval);
}

async function submitted(proposal?: OrderProposal): Promise<OrderDto> {
  const outcome = await submit(proposal);
  if (!outcome.accepted) throw new Error(`denied: ${outcome.denial.message}`);
  return outcome.order;
}

const statusOf = (id: string) => fx.orders.status(id)?.status;

describe('OrderManager: the order path', () => {
  test('a market order is journalled, sent, filled, stored with its fill, and becomes a position', async () => {
    await setup();
    const order = await submitted();
    await fx.settle();
    expect(statusOf(order.clientOrderId)).toBe('FILLED');
    expect(fx.store.orders.get(order.clientOrderId)).toMatchObject({ status: 'FILLED', filledQuantity: '100', averageFillPrice: '60000', venueOrderId: 'stub-1' });
    expect(fx.store.fills.listByOrder(order.clientOrderId)).toHaveLength(1);
    expect(fx.account.position(BTC.id)).toMatchObject({ side: 'LONG' });
    expect(fx.account.position(BTC.id)?.quantity.toString()).toBe('100');
    expect(fx.store.positions.get('test-session', BTC.id)).toMatchObject({ side: 'LONG', quantity: '100', leverage: 10 });
    expect(fx.events.map((e) => e.topic)).toEqual(['order_created', 'order_filled', 'position_updated']);
    expect(fx.risk.reservationCount()).toBe(0);
  });

  test('the order row is committed before the venue sees the order', async () => {
    const seen: Array<string | undefined> = [];
    /** Records what the journal held at the moment each order reached the venue. */
    class JournalWitness extends StubVenue {
      override async submitOrder(request: SubmitOrderRequest) {
        seen.push(fx.store.orders.get(request.clientOrderId)?.status);
        return super.submitOrder(request);
      }
    }
    const clock = new SimulatedClock(START);
    const venue = new JournalWitness({ clock, instruments: INSTRUMENTS.values() });
    venue.setMark(BTC.id, '60000');
    fx = createExecutionFixture({ clock, venue });
    await fx.orders.start();
    await submitted();
    await fx.settle();
    expect(seen).toEqual(['SUBMITTED']);
  });

  test('a fill is in the store before the position update is published', async () => {
    await setup();
    const storedAtPublish: number[] = [];
    fx.bus.subscribe('position_updated', () => {
      storedAtPublish.push(fx.store.fills.listBySession('test-session').length);
    });
    await submitted();
    await fx.settle();
    expect(storedAtPublish).toEqual([1]);
  });

  test('a fill delivered twice is accounted once', async () => {
    await setup();
    const order = await submitted();
    await fx.settle();
    expect(fx.venue.redeliverFills(order.clientOrderId)).toBe(1);
    await fx.settle();
    expect(fx.account.position(BTC.id)?.quantity.toString()).toBe('100');
    expect(fx.eventsOf('order_filled')).toHaveLength(1);
  });

  test('status only changes through the transition table: a stale update after the fill is ignored', async () => {
    await setup({ stub: { marketFills: 'manual' } });
    const order = await submitted();
    await fx.settle();
    fx.venue.fill(order.clientOrderId);
    await fx.settle();
    expect(statusOf(order.clientOrderId)).toBe('FILLED');
    fx.venue.cancelOrderOutside(order.clientOrderId); // terminal at the venue already: no event
    await fx.orders.cancel(order.clientOrderId);
    expect(statusOf(order.clientOrderId)).toBe('FILLED');
  });

  test('partial fills move the order through PARTIALLY_FILLED to FILLED with an exact average price', async () => {
    await setup({ stub: { marketFills: 'manual' } });
    const order = await submitted(buy({ type: 'LIMIT', price: '59000', quantity: '30' }));
    await fx.settle();
    fx.venue.fill(order.clientOrderId, '10', '59000');
    await fx.settle();
    expect(fx.orders.status(order.clientOrderId)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: '10' });
    fx.venue.fill(order.clientOrderId, '20', '58999.9');
    await fx.settle();
    expect(fx.orders.status(order.clientOrderId)).toMatchObject({ status: 'FILLED', filledQuantity: '30', averageFillPrice: '58999.9' });
    expect(fx.account.position(BTC.id)?.averageEntryPrice?.toString()).toBe('58999.933333333333333333');
  });

  test('the queue holds at most maxQueue orders; the next is denied with the reason and recorded', async () => {
    await setup(withSettings((s) => (s.orderManager.maxQueue = 2), { stub: { marketFills: 'manual' } }));
    await submitted(buy({ quantity: '1' }));
    await submitted(buy({ quantity: '1' }));
    const third = await submit(buy({ quantity: '1' }));
    expect(third.accepted).toBe(false);
    if (third.accepted) return;
    expect(third.denial.code).toBe('queue_full');
    expect(fx.store.riskEvents.listRecent().some((e) => e.code === 'order_denied_queue_full')).toBe(true);
    expect(fx.risk.reservationCount()).toBe(2);
  });

  test('the queue frees a place as soon as an order ends', async () => {
    await setup(withSettings((s) => (s.orderManager.maxQueue = 2), { stub: { marketFills: 'manual' } }));
    const first = await submitted(buy({ quantity: '1' }));
    await submitted(buy({ quantity: '1' }));
    fx.venue.fill(first.clientOrderId);
    await fx.settle();
    expect(fx.orders.queueSize()).toBe(1);
    expect((await submit(buy({ quantity: '1' }))).accepted).toBe(true);
  });

  test('an order that cannot be journalled is never sent, and trading halts', async () => {
    await setup();
    fx.store.db.exec('CREATE TRIGGER refuse BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, \'disk full\'); END');
    const outcome = await submit();
    expect(outcome.accepted).toBe(false);
    if (outcome.accepted) return;
    expect(outcome.denial.code).toBe('journal_failure');
    expect(fx.venue.calls.submitOrder).toBe(0);
    expect(fx.risk.tradingState()).toBe('HALTED');
    expect(fx.eventsOf('risk_alert').some((a) => a.code === 'journal_failure' && a.severity === 'critical')).toBe(true);
    expect(fx.orders.queueSize()).toBe(0);
  });

  test('a stopped order manager refuses orders with the reason', async () => {
    fx = createExecutionFixture();
    const outcome = await submit();
    expect(outcome.accepted === false && outcome.denial.code).toBe('order_manager_stopped');
    expect(fx.risk.reservationCount()).toBe(0);
  });

  test('an approval can be submitted only once', async () => {
    await setup();
    const decision = fx.risk.check(buy());
    if (!decision.approved) throw new Error('denied');
    await fx.orders.submit(decision.approval);
    await expect(fx.orders.submit(decision.approval)).rejects.toThrow(/already used/);
  });

  test('cancelling a working limit order goes through PENDING_CANCEL to CANCELED and releases its reservation', async () => {
    await setup();
    const order = await submitted(buy({ type: 'LIMIT', price: '59000' }));
    await fx.settle();
    const statuses: string[] = [];
    fx.orders.addListener({ onOrderUpdate: (o) => statuses.push(o.status) });
    await fx.orders.cancel(order.clientOrderId, 'trader');
    await fx.settle();
    expect(statuses).toEqual(['PENDING_CANCEL', 'CANCELED']);
    expect(fx.eventsOf('order_cancelled')).toEqual([expect.objectContaining({ clientOrderId: order.clientOrderId, status: 'CANCELED' })]);
    expect(fx.risk.reservationCount()).toBe(0);
  });
});

describe('OrderManager: retries and idempotency', () => {
  test('a terminal venue error rejects the order after one call, no retry', async () => {
    await setup();
    fx.venue.failNext('submitOrder', new VenueError('insufficient_funds', 'balance too low'));
    const order = await submitted();
    await fx.settle();
    await fx.advance(60_000);
    expect(fx.venue.calls.submitOrder).toBe(1);
    expect(fx.orders.status(order.clientOrderId)).toMatchObject({ status: 'REJECTED', reason: 'insufficient_funds: balance too low' });
    expect(fx.risk.reservationCount()).toBe(0);
  });

  test('an exchange refusing API orders for the account says so plainly', async () => {
    await setup();
    fx.venue.failNext('submitOrder', new VenueError('permission_denied', 'code 6005'));
    const order = await submitted();
    await fx.settle();
    expect(fx.orders.status(order.clientOrderId)?.reason).toMatch(/^the exchange refuses API order placement for this account/);
  });

  test('a rate-limited submission is retried with exponential backoff on the injected clock', async () => {
    await setup(withSettings((s) => (s.orderManager.marketOrderMaxAgeMs = 60_000)));
    fx.venue.failNext('submitOrder', new VenueError('rate_limited', '429'), 2);
    const order = await submitted();
    await fx.settle();
    expect(fx.venue.calls.submitOrder).toBe(1);
    await fx.advance(999);
    expect(fx.venue.calls.submitOrder).toBe(1);
    await fx.advance(1);
    expect(fx.venue.calls.submitOrder).toBe(2); // after 1 s
    await fx.advance(1_999);
    expect(fx.venue.calls.submitOrder).toBe(2);
    await fx.advance(1);
    expect(fx.venue.calls.submitOrder).toBe(3); // after 2 s more
    expect(statusOf(order.clientOrderId)).toBe('FILLED');
    expect(fx.venue.ordersCreated).toBe(1);
  });

  test('after the retries are used up the order is rejected, having been sent retries + 1 times', async () => {
    await setup(withSettings((s) => {
      s.orderManager.marketOrderMaxAgeMs = 600_000;
      s.circuitBreaker.failureThreshold = 100;
    }));
    fx.venue.failAlways('submitOrder', new VenueError('exchange_unavailable', '503'));
    const order = await submitted();
    await fx.advance(60_000);
    expect(fx.venue.calls.submitOrder).toBe(4);
    expect(fx.orders.status(order.clientOrderId)).toMatchObject({ status: 'REJECTED' });
    expect(fx.orders.status(order.clientOrderId)?.reason).toContain('no answer after 4 attempts');
  });

  test('a response dropped after the order was accepted never creates a second order', async () => {
    await setup(withSettings((s) => (s.orderManager.marketOrderMaxAgeMs = 60_000)));
    fx.venue.dropSubmitResponses(1);
    const order = await submitted();
    await fx.advance(5_000);
    expect(fx.venue.ordersCreated).toBe(1);
    expect(fx.venue.calls.submitOrder).toBe(1); // the stream told us it exists: never sent again
    expect(statusOf(order.clientOrderId)).toBe('FILLED');
    expect(fx.account.position(BTC.id)?.quantity.toString()).toBe('100');
  });

  test('the same holds for a venue without a private stream: the fill comes from the looked-up state, once', async () => {
    await setup({ stub: { has: { privateStream: false } }, settings: (s) => (s.orderManager.marketOrderMaxAgeMs = 60_000) });
    fx.venue.dropSubmitResponses(1);
    const order = await submitted();
    await fx.advance(10_000);
    expect(fx.venue.ordersCreated).toBe(1);
    expect(fx.venue.calls.submitOrder).toBe(1);
    expect(fx.venue.calls.fetchOrder).toBeGreaterThanOrEqual(1); // looked up by client id instead of sent again
    expect(statusOf(order.clientOrderId)).toBe('FILLED');
    expect(fx.store.fills.listByOrder(order.clientOrderId)).toHaveLength(1);
    expect(fx.account.position(BTC.id)?.quantity.toString()).toBe('100');
  });

  test('a timeout before the venue saw the order is looked up, found missing, and sent again once', async () => {
    await setup(withSettings((s) => (s.orderManager.marketOrderMaxAgeMs = 60_000)));
    fx.venue.failNext('submitOrder', new VenueError('timeout', 'no answer'));
    const order = await submitted();
    await fx.advance(1_000);
    expect(fx.venue.calls.fetchOrder).toBe(1);
    expect(fx.venue.calls.submitOrder).toBe(2);
    expect(fx.venue.ordersCreated).toBe(1);
    expect(statusOf(order.clientOrderId)).toBe('FILLED');
  });
});

describe('OrderManager: staleness and TTL', () => {
  test('a market order older than marketOrderMaxAgeMs is expired, never sent late', async () => {
    await setup(withSettings((s) => (s.orderManager.marketOrderMaxAgeMs = 500)));
    fx.venue.failNext('submitOrder', new VenueError('rate_limited', '429'));
    const order = await submitted();
    await fx.advance(5_000);
    expect(fx.venue.calls.submitOrder).toBe(1);
    expect(fx.venue.ordersCreated).toBe(0);
    expect(fx.orders.status(order.clientOrderId)).toMatchObject({ status: 'EXPIRED' });
    expect(fx.orders.status(order.clientOrderId)?.reason).toMatch(/not sent late/);
    expect(fx.eventsOf('order_cancelled')).toHaveLength(1);
  });

  test('an order the venue never acknowledges within the TTL is expired', async () => {
    await setup(withSettings((s) => {
      s.orderManager.retries = 20;
      s.orderManager.retryMaxDelayMs = 120_000;
      s.circuitBreaker.failureThreshold = 100;
    }));
    fx.venue.failAlways('submitOrder', new VenueError('rate_limited', '429'));
    const order = await submitted(buy({ type: 'LIMIT', price: '59000' }));
    await fx.advance(299_000);
    expect(statusOf(order.clientOrderId)).toBe('SUBMITTED');
    await fx.advance(300_000);
    expect(fx.orders.status(order.clientOrderId)).toMatchObject({ status: 'EXPIRED' });
    expect(fx.venue.ordersCreated).toBe(0);
  });
});

describe('OrderManager: the circuit breaker', () => {
  test('while the breaker is open orders wait; when it closes they are resolved and a reconciliation is requested', async () => {
    await setup(withSettings((s) => {
      s.orderManager.retries = 10;
      s.orderManager.marketOrderMaxAgeMs = 600_000;
    }));
    const log: string[] = [];
    fx.orders.addListener({
      onTradingPaused: (reason) => log.push(`paused:${reason}`),
      onTradingResumed: () => log.push('resumed'),
      onReconciliationRequested: (reason) => log.push(`reconcile:${reason}`),
    });
    fx.venue.failAlways('submitOrder', new VenueError('network', 'ECONNRESET'));
    const first = await submitted(buy({ type: 'LIMIT', price: '59000' }));
    await fx.advance(16_000); // failures at 0, 1, 3, 7, 15 s: the fifth opens the breaker
    expect(fx.breaker.getState()).toBe('open');
    expect(log).toEqual(['paused:circuit_breaker_open']);
    const callsWhileOpen = fx.venue.calls.submitOrder;
    const second = await submitted(buy({ instrumentId: ETH.id, referencePrice: '3000', quantity: '10' }));
    expect(fx.store.orders.get(second.clientOrderId)?.status).toBe('INITIALIZED'); // journalled, waiting
    await fx.advance(10_000);
    expect(fx.venue.calls.submitOrder).toBe(callsWhileOpen);
    expect(statusOf(second.clientOrderId)).toBe('INITIALIZED');

    fx.venue.failAlways('submitOrder', null);
    await fx.advance(20_000); // 30 s after opening a trial call is let through
    expect(fx.breaker.getState()).toBe('closed');
    expect(log).toEqual(['paused:circuit_breaker_open', 'resumed', 'reconcile:circuit_breaker_closed']);
    expect(statusOf(first.clientOrderId)).toBe('ACCEPTED');
    expect(statusOf(second.clientOrderId)).toBe('FILLED');
    expect(fx.venue.ordersCreated).toBe(2);
  });

  test('a market order waiting out an outage expires instead of being sent late', async () => {
    await setup();
    for (let i = 0; i < 5; i++) await fx.breaker.execute(() => Promise.reject(new VenueError('network', 'down'))).catch(() => undefined);
    const order = await submitted();
    await fx.advance(4_000); // housekeeping runs every 2 s; the order is 4 s old, the limit 3 s
    expect(fx.orders.status(order.clientOrderId)).toMatchObject({ status: 'EXPIRED' });
    await fx.advance(30_000); // the breaker closes: nothing is sent for the expired order
    expect(fx.breaker.getState()).toBe('closed');
    expect(fx.venue.calls.submitOrder).toBe(0);
  });

  test('a waiting order can be cancelled without ever reaching the venue', async () => {
    await setup();
    for (let i = 0; i < 5; i++) await fx.breaker.execute(() => Promise.reject(new VenueError('network', 'down'))).catch(() => undefined);
    expect(fx.breaker.getState()).toBe('open');
    const order = await submitted(buy({ type: 'LIMIT', price: '59000' }));
    await fx.orders.cancel(order.clientOrderId);
    expect(statusOf(order.clientOrderId)).toBe('CANCELED');
    expect(fx.venue.calls.submitOrder).toBe(0);
  });
});

describe('OrderManager: polling, cleanup, recovery', () => {
  test('where the venue has no private stream, order status is polled every 2 s', async () => {
    await setup({ stub: { has: { privateStream: false }, fees: { maker: '0.0001', taker: '0.0005' } } });
    const order = await submitted(buy({ type: 'LIMIT', price: '59000' }));
    await fx.settle();
    fx.venue.setMark(BTC.id, '59000'); // fills at the venue; nobody is told
    expect(statusOf(order.clientOrderId)).toBe('ACCEPTED');
    await fx.advance(2_000);
    expect(statusOf(order.clientOrderId)).toBe('FILLED');
    expect(fx.account.position(BTC.id)?.quantity.toString()).toBe('100');
    // the fee is the one the venue reports for this account (0.01 %), not the schedule's 0.02 %: 590 × 0.0001
    expect(fx.store.fills.listByOrder(order.clientOrderId)[0]).toMatchObject({ lastPx: '59000', liquiditySide: 'MAKER', commission: '0.059' });
  });

  test('stop releases every timer start created', async () => {
    fx = createExecutionFixture();
    const before = fx.clock.pendingTimers();
    await fx.orders.start();
    expect(fx.clock.pendingTimers()).toBeGreaterThan(before);
    await fx.orders.stop();
    expect(fx.clock.pendingTimers()).toBe(before);
  });

  test('cleanup drops settled orders from memory every 5 min; the journal still answers', async () => {
    await setup();
    const order = await submitted();
    await fx.settle();
    expect(fx.orders.trackedOrders()).toBe(1);
    await fx.advance(300_000);
    expect(fx.orders.trackedOrders()).toBe(0);
    expect(statusOf(order.clientOrderId)).toBe('FILLED');
  });

  test('after a crash every journalled open order is resolved against the venue', async () => {
    const first = createExecutionFixture({ settings: (s) => (s.orderManager.marketOrderMaxAgeMs = 3_000) });
    fx = first;
    const { store, venue, clock } = first;
    const now = clock.now();
    const base = {
      venueOrderId: null, instrumentId: BTC.id, strategyId: 'pump', sessionId: 'test-session', side: 'BUY', type: 'LIMIT', quantity: '10', price: '59000',
      triggerPrice: null, timeInForce: 'GTC', reduceOnly: false, leverage: 10, filledQuantity: '0', averageFillPrice: null, reason: 'entry',
    } as const;
    // 1. never sent, fresh: send it.  2. never sent, a stale market order: expire.  3. sent, unknown at the venue: rejected.
    // 4. sent and accepted before the crash, filled since: adopt, with its fill.
    store.orders.upsert({ ...base, clientOrderId: 'fresh', status: 'INITIALIZED', createdAt: now - 1_000, updatedAt: now - 1_000 });
    store.orders.upsert({ ...base, clientOrderId: 'stale-market', type: 'MARKET', price: null, status: 'INITIALIZED', createdAt: now - 10_000, updatedAt: now - 10_000 });
    store.orders.upsert({ ...base, clientOrderId: 'lost', status: 'SUBMITTED', createdAt: now - 2_000, updatedAt: now - 2_000 });
    store.orders.upsert({ ...base, clientOrderId: 'filled-meanwhile', status: 'SUBMITTED', createdAt: now - 2_000, updatedAt: now - 2_000 });
    await venue.submitOrder({
      clientOrderId: ClientOrderId('filled-meanwhile'), instrumentId: BTC.id, side: 'BUY', type: 'LIMIT', quantity: Quantity.of('10'), price: Price.of('59000'),
      triggerPrice: null, timeInForce: 'GTC', reduceOnly: false, leverage: 10, marginMode: 'isolated',
    });
    venue.fill('filled-meanwhile', '10', '59000');

    const report = await first.orders.start();
    await first.settle();
    expect(report).toMatchObject({ resumed: 4, sent: 1, expired: 1, rejected: 1, adopted: 1 });
    expect(statusOf('fresh')).toBe('ACCEPTED');
    expect(statusOf('stale-market')).toBe('EXPIRED');
    expect(fx.orders.status('lost')).toMatchObject({ status: 'REJECTED' });
    expect(venue.calls.fetchOpenOrders).toBeGreaterThanOrEqual(1); // 'lost' was confirmed missing against the open orders
    expect(statusOf('filled-meanwhile')).toBe('FILLED');
    expect(store.fills.listByOrder('filled-meanwhile')).toHaveLength(1);
    expect(fx.account.position(BTC.id)?.quantity.toString()).toBe('10');
    expect(venue.ordersCreated).toBe(2); // 'fresh' once, 'filled-meanwhile' once; nothing duplicated
  });

  test('a second manager on the same journal and venue resumes without duplicating anything', async () => {
    await setup({ stub: { marketFills: 'manual' } });
    const order = await submitted(buy({ type: 'LIMIT', price: '59000' }));
    await fx.settle();
    await fx.orders.stop(); // the process "dies"; the venue keeps the order
    fx.venue.fill(order.clientOrderId, '40', '59000'); // filled partly while nobody listened
    const second = new OrderManager({
      venue: fx.venue, breaker: fx.breaker, clock: fx.clock, settings: fx.settings.orderManager, store: fx.store, risk: fx.risk, account: fx.account, sessionId: 'test-session',
    });
    const report = await second.start();
    await fx.settle();
    expect(report).toMatchObject({ resumed: 1, adopted: 1 });
    expect(second.status(order.clientOrderId)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQuantity: '40' });
    expect(fx.venue.ordersCreated).toBe(1);
    await second.stop();
  });
});
