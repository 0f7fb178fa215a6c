import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import type { OrderDto, PositionDto, RiskAlertDto, SessionDto } from '../../../src-shared/contract/schemas';
import { InProcessEventBus } from '../bus/event-bus';
import { SimulatedClock } from '../clock/clock';
import { EngineMetrics } from './metrics';

const START = 1_718_000_000_000;

function setup(options: { processMetrics?: boolean; rememberedOrders?: number } = {}) {
  const clock = new SimulatedClock(START);
  const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 10 });
  const metrics = new EngineMetrics({ bus, clock, feedStalenessMs: 10_000, processMetrics: options.processMetrics ?? false, ...(options.rememberedOrders !== undefined ? { rememberedOrders: options.rememberedOrders } : {}) });
  metrics.start();
  created.push(metrics);
  return { clock, bus, metrics };
}

const created: EngineMetrics[] = [];
afterEach(() => {
  for (const metrics of created.splice(0)) metrics.stop();
});

/** Samples of the text exposition, keyed `name{label="value",...}` exactly as rendered. */
async function scrape(metrics: EngineMetrics): Promise<Map<string, number>> {
  const { body } = await metrics.render();
  const samples = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

async function value(metrics: EngineMetrics, series: string): Promise<number | undefined> {
  return (await scrape(metrics)).get(series);
}

function order(clientOrderId: string, status: OrderDto['status'], overrides: Partial<OrderDto> = {}): OrderDto {
  return {
    clientOrderId, venueOrderId: null, instrumentId: 'BTC/USDT:USDT', strategyId: 's', sessionId: 'paper-1', side: 'BUY', type: 'MARKET',
    quantity: '1', price: null, triggerPrice: null, timeInForce: 'IOC', reduceOnly: false, leverage: 5, status, filledQuantity: '0',
    averageFillPrice: null, createdAt: START, updatedAt: START, reason: null, ...overrides,
  };
}

function position(instrumentId: string, overrides: Partial<PositionDto> = {}): PositionDto {
  return {
    sessionId: 'paper-1', instrumentId, side: 'LONG', quantity: '2', averageEntryPrice: '100', markPrice: '101', realizedPnl: '0',
    unrealizedPnl: '2', commissions: '0', leverage: 5, marginRatioPercent: 40, liquidationPrice: null, stopLoss: null, takeProfit: null,
    openedAt: START, updatedAt: START, ...overrides,
  };
}

function session(id: string, kind: SessionDto['kind'], status: SessionDto['status']): SessionDto {
  return { id, kind, status, name: id, instruments: [], strategyIds: [], dataSessionId: null, startedAt: START, endedAt: null, progress: 0, error: null, createdAt: START };
}

const fill = (o: OrderDto) => ({
  order: o,
  fill: { fillId: `f-${o.clientOrderId}`, clientOrderId: o.clientOrderId, venueOrderId: null, instrumentId: o.instrumentId, side: o.side, lastQty: '1', lastPx: '100', liquiditySide: 'TAKER' as const, commission: '0', commissionCurrency: 'USDT', tsEvent: START },
});

const riskAlert = (id: string, severity: RiskAlertDto['severity']): RiskAlertDto => ({ id, severity, source: 'risk', code: 'x', message: 'm', instrumentId: null, ts: START });

describe('orders', () => {
  test('counts an order as submitted once, even when its creation is delivered twice', async () => {
    const { bus, metrics } = setup();
    bus.publish('order_created', order('o1', 'ACCEPTED'));
    bus.publish('order_created', order('o1', 'ACCEPTED'));
    bus.publish('order_created', order('o2', 'SUBMITTED'));
    expect(await value(metrics, 'orders_submitted_total')).toBe(2);
  });

  test('counts an order as filled when it is completely filled, not on each partial fill', async () => {
    const { bus, metrics } = setup();
    bus.publish('order_filled', fill(order('o1', 'PARTIALLY_FILLED', { filledQuantity: '0.5' })));
    expect(await value(metrics, 'orders_filled_total')).toBe(0);
    bus.publish('order_filled', fill(order('o1', 'FILLED', { filledQuantity: '1' })));
    bus.publish('order_filled', fill(order('o1', 'FILLED', { filledQuantity: '1' })));
    expect(await value(metrics, 'orders_filled_total')).toBe(1);
  });

  test('counts venue rejections and expiries as failed, but not a cancel the trader asked for', async () => {
    const { bus, metrics } = setup();
    bus.publish('order_cancelled', order('o1', 'REJECTED'));
    bus.publish('order_cancelled', order('o2', 'EXPIRED'));
    bus.publish('order_cancelled', order('o3', 'CANCELED'));
    expect(await value(metrics, 'orders_failed_total')).toBe(2);
  });

  test('counts a risk denial as denied, neither submitted nor failed', async () => {
    const { bus, metrics } = setup();
    bus.publish('order_created', order('o1', 'DENIED', { reason: 'daily loss limit' }));
    bus.publish('order_cancelled', order('o1', 'DENIED', { reason: 'daily loss limit' }));
    const samples = await scrape(metrics);
    expect(samples.get('orders_denied_total')).toBe(1);
    expect(samples.get('orders_submitted_total')).toBe(0);
    expect(samples.get('orders_failed_total')).toBe(0);
  });

  test('an order the venue refused on creation is both submitted and failed, once', async () => {
    const { bus, metrics } = setup();
    bus.publish('order_created', order('o1', 'REJECTED'));
    bus.publish('order_cancelled', order('o1', 'REJECTED'));
    const samples = await scrape(metrics);
    expect(samples.get('orders_submitted_total')).toBe(1);
    expect(samples.get('orders_failed_total')).toBe(1);
  });

  test('for any stream of order events, each counter equals the number of distinct orders meeting its definition', async () => {
    const statuses: OrderDto['status'][] = ['INITIALIZED', 'DENIED', 'SUBMITTED', 'ACCEPTED', 'REJECTED', 'PARTIALLY_FILLED', 'FILLED', 'PENDING_CANCEL', 'CANCELED', 'EXPIRED'];
    const event = fc.record({ topic: fc.constantFrom('order_created', 'order_filled', 'order_cancelled'), id: fc.integer({ min: 0, max: 7 }), status: fc.constantFrom(...statuses) });
    await fc.assert(
      fc.asyncProperty(fc.array(event, { maxLength: 60 }), async (events) => {
        const { bus, metrics } = setup();
        const created = new Map<number, OrderDto['status']>(); // the first creation decides
        const filled = new Set<number>();
        const failed = new Set<number>();
        const denied = new Set<number>();
        for (const { topic, id, status } of events) {
          const o = order(`o${id}`, status);
          if (topic === 'order_created') {
            bus.publish('order_created', o);
            if (status === 'DENIED') denied.add(id);
            else {
              if (!created.has(id)) created.set(id, status);
              if (status === 'REJECTED' || status === 'EXPIRED') failed.add(id);
            }
          } else if (topic === 'order_filled') {
            bus.publish('order_filled', fill(o));
            if (status === 'FILLED') filled.add(id);
          } else {
            bus.publish('order_cancelled', o);
            if (status === 'DENIED') denied.add(id);
            else if (status === 'REJECTED' || status === 'EXPIRED') failed.add(id);
          }
        }
        const samples = await scrape(metrics);
        expect(samples.get('orders_submitted_total')).toBe(created.size);
        expect(samples.get('orders_filled_total')).toBe(filled.size);
        expect(samples.get('orders_failed_total')).toBe(failed.size);
        expect(samples.get('orders_denied_total')).toBe(denied.size);
        metrics.stop();
      }),
      { numRuns: 150, seed: 20240612 },
    );
  });

  test('remembers only the newest order ids, so the memory it keeps is bounded', async () => {
    const { bus, metrics } = setup({ rememberedOrders: 2 });
    bus.publish('order_created', order('o1', 'ACCEPTED'));
    bus.publish('order_created', order('o2', 'ACCEPTED'));
    bus.publish('order_created', order('o3', 'ACCEPTED'));
    // o1 was forgotten: a very late duplicate of it counts again — the price of the bound
    bus.publish('order_created', order('o1', 'ACCEPTED'));
    bus.publish('order_created', order('o3', 'ACCEPTED'));
    expect(await value(metrics, 'orders_submitted_total')).toBe(4);
  });

  test('records submission latency in the histogram and ignores impossible readings', async () => {
    const { metrics } = setup();
    metrics.observeSubmissionLatency(0.2);
    metrics.observeSubmissionLatency(6);
    metrics.observeSubmissionLatency(-1);
    metrics.observeSubmissionLatency(Number.NaN);
    const samples = await scrape(metrics);
    expect(samples.get('order_submission_latency_seconds_count')).toBe(2);
    expect(samples.get('order_submission_latency_seconds_sum')).toBeCloseTo(6.2, 10);
    expect(samples.get('order_submission_latency_seconds_bucket{le="0.25"}')).toBe(1);
    expect(samples.get('order_submission_latency_seconds_bucket{le="5"}')).toBe(1);
    expect(samples.get('order_submission_latency_seconds_bucket{le="7.5"}')).toBe(2);
    expect(samples.get('order_submission_latency_seconds_bucket{le="+Inf"}')).toBe(2);
  });
});

describe('positions', () => {
  test('reports open positions, unrealized PnL summed exactly per instrument and the lowest margin ratio', async () => {
    const { bus, metrics } = setup();
    bus.publish('position_updated', position('BTC/USDT:USDT', { sessionId: 'paper-1', unrealizedPnl: '0.1', marginRatioPercent: 40 }));
    bus.publish('position_updated', position('BTC/USDT:USDT', { sessionId: 'paper-2', unrealizedPnl: '0.2', marginRatioPercent: 12.5 }));
    bus.publish('position_updated', position('ETH/USDT:USDT', { unrealizedPnl: '-3.75', marginRatioPercent: null }));
    const samples = await scrape(metrics);
    expect(samples.get('positions_open_total')).toBe(3);
    // 0.1 + 0.2 in floats would be 0.30000000000000004
    expect(samples.get('unrealized_pnl_usd{instrument="BTC/USDT:USDT"}')).toBe(0.3);
    expect(samples.get('unrealized_pnl_usd{instrument="ETH/USDT:USDT"}')).toBe(-3.75);
    expect(samples.get('margin_ratio_percent{instrument="BTC/USDT:USDT"}')).toBe(12.5);
    // no reading, no series: an unknown margin ratio must not look like 0 % (which would page)
    expect(samples.has('margin_ratio_percent{instrument="ETH/USDT:USDT"}')).toBe(false);
  });

  test('a later update replaces the position, and a flat one removes it with its series', async () => {
    const { bus, metrics } = setup();
    bus.publish('position_updated', position('BTC/USDT:USDT', { marginRatioPercent: 40 }));
    bus.publish('position_updated', position('BTC/USDT:USDT', { marginRatioPercent: 10 }));
    expect(await value(metrics, 'margin_ratio_percent{instrument="BTC/USDT:USDT"}')).toBe(10);
    bus.publish('position_updated', position('BTC/USDT:USDT', { side: 'FLAT', quantity: '0', marginRatioPercent: null }));
    const samples = await scrape(metrics);
    expect(samples.get('positions_open_total')).toBe(0);
    expect([...samples.keys()].filter((key) => key.startsWith('margin_ratio_percent') || key.startsWith('unrealized_pnl_usd'))).toEqual([]);
  });

  test('a session that ends forgets its positions, so a stopped paper session cannot keep an alert firing', async () => {
    const { bus, metrics } = setup();
    bus.publish('position_updated', position('BTC/USDT:USDT', { sessionId: 'paper-1', marginRatioPercent: 10 }));
    bus.publish('position_updated', position('ETH/USDT:USDT', { sessionId: 'paper-2' }));
    bus.publish('session_state', session('paper-1', 'paper', 'stopped'));
    const samples = await scrape(metrics);
    expect(samples.get('positions_open_total')).toBe(1);
    expect(samples.has('margin_ratio_percent{instrument="BTC/USDT:USDT"}')).toBe(false);
  });

  test('leaves a running backtest out, while a paper session counts', async () => {
    const { bus, metrics } = setup();
    bus.publish('session_state', session('bt-1', 'backtest', 'running'));
    bus.publish('session_state', session('paper-1', 'paper', 'running'));
    bus.publish('order_created', order('b1', 'ACCEPTED', { sessionId: 'bt-1' }));
    bus.publish('order_cancelled', order('b2', 'REJECTED', { sessionId: 'bt-1' }));
    bus.publish('order_filled', fill(order('b1', 'FILLED', { sessionId: 'bt-1' })));
    bus.publish('position_updated', position('BTC/USDT:USDT', { sessionId: 'bt-1', marginRatioPercent: 1 }));
    bus.publish('order_created', order('p1', 'ACCEPTED', { sessionId: 'paper-1' }));
    bus.publish('position_updated', position('ETH/USDT:USDT', { sessionId: 'paper-1' }));
    const samples = await scrape(metrics);
    expect(samples.get('orders_submitted_total')).toBe(1);
    expect(samples.get('orders_failed_total')).toBe(0);
    expect(samples.get('orders_filled_total')).toBe(0);
    expect(samples.get('positions_open_total')).toBe(1);
    expect(samples.has('margin_ratio_percent{instrument="BTC/USDT:USDT"}')).toBe(false);
  });
});

describe('what is not on the bus', () => {
  test('counts risk alerts by severity, every severity starting at 0', async () => {
    const { bus, metrics } = setup();
    expect(await value(metrics, 'risk_alerts_total{severity="critical"}')).toBe(0);
    bus.publish('risk_alert', riskAlert('a', 'critical'));
    bus.publish('risk_alert', riskAlert('b', 'warning'));
    bus.publish('risk_alert', riskAlert('c', 'critical'));
    const samples = await scrape(metrics);
    expect(samples.get('risk_alerts_total{severity="critical"}')).toBe(2);
    expect(samples.get('risk_alerts_total{severity="warning"}')).toBe(1);
    expect(samples.get('risk_alerts_total{severity="info"}')).toBe(0);
  });

  test('measures feed staleness per symbol against the clock at scrape time', async () => {
    const { clock, metrics } = setup();
    metrics.setFeedLastTick('BTC/USDT:USDT', START);
    metrics.setFeedLastTick('ETH/USDT:USDT', START + 500);
    clock.advanceTo(START + 12_000);
    let samples = await scrape(metrics);
    expect(samples.get('feed_staleness_seconds{symbol="BTC/USDT:USDT"}')).toBe(12);
    expect(samples.get('feed_staleness_seconds{symbol="ETH/USDT:USDT"}')).toBe(11.5);
    metrics.setFeedLastTick('BTC/USDT:USDT', START + 12_000);
    metrics.removeFeed('ETH/USDT:USDT');
    samples = await scrape(metrics);
    expect(samples.get('feed_staleness_seconds{symbol="BTC/USDT:USDT"}')).toBe(0);
    expect(samples.has('feed_staleness_seconds{symbol="ETH/USDT:USDT"}')).toBe(false);
  });

  test('reports circuit breaker states as 0 closed, 1 half-open, 2 open', async () => {
    const { metrics } = setup();
    metrics.setBreakerState('mexc', 'open');
    metrics.setBreakerState('binance', 'half-open');
    let samples = await scrape(metrics);
    expect(samples.get('circuit_breaker_state{breaker="mexc"}')).toBe(2);
    expect(samples.get('circuit_breaker_state{breaker="binance"}')).toBe(1);
    metrics.setBreakerState('mexc', 'closed');
    samples = await scrape(metrics);
    expect(samples.get('circuit_breaker_state{breaker="mexc"}')).toBe(0);
  });

  test('exports position sync only while a sync runs: its start, then each success, in Unix seconds', async () => {
    const { clock, metrics } = setup();
    const series = 'position_sync_last_success_timestamp{venue="mexc"}';
    expect(await value(metrics, series)).toBeUndefined();
    metrics.positionSyncStarted('mexc');
    expect(await value(metrics, series)).toBe(START / 1000);
    clock.advanceTo(START + 10_000);
    metrics.setPositionSyncSuccess('mexc', clock.now());
    expect(await value(metrics, series)).toBe(START / 1000 + 10);
    metrics.positionSyncStopped('mexc');
    expect(await value(metrics, series)).toBeUndefined();
  });

  test('reports the daily loss, a day in profit as 0', async () => {
    const { metrics } = setup();
    metrics.setDailyLossPercent(6.5);
    expect(await value(metrics, 'daily_loss_percent')).toBe(6.5);
    metrics.setDailyLossPercent(-2);
    expect(await value(metrics, 'daily_loss_percent')).toBe(0);
  });

  test('counts bus messages by topic from the bus itself, monotonically across scrapes', async () => {
    const { bus, metrics } = setup();
    bus.publish('risk_alert', riskAlert('a', 'info'));
    bus.publish('order_created', order('o1', 'ACCEPTED'));
    expect(await value(metrics, 'event_bus_messages_total{topic="risk_alert"}')).toBe(1);
    bus.publish('risk_alert', riskAlert('b', 'info'));
    const samples = await scrape(metrics);
    expect(samples.get('event_bus_messages_total{topic="risk_alert"}')).toBe(2);
    expect(samples.get('event_bus_messages_total{topic="order_created"}')).toBe(1);
  });

  test('health checks fail for an open breaker and a feed older than the staleness limit', () => {
    const { clock, metrics } = setup();
    expect(metrics.healthChecks()).toEqual([]);
    metrics.setBreakerState('mexc', 'open');
    metrics.setFeedLastTick('BTC/USDT:USDT', START);
    clock.advanceTo(START + 10_000);
    expect(metrics.healthChecks()).toEqual([
      { name: 'circuit_breaker:mexc', ok: false, detail: 'open' },
      { name: 'feed:BTC/USDT:USDT', ok: true, detail: 'last tick 10000 ms ago' },
    ]);
    clock.advanceTo(START + 10_001);
    expect(metrics.healthChecks()[1]).toMatchObject({ ok: false });
  });
});

describe('lifecycle', () => {
  test('after stop, bus events no longer change anything and the bus has no metrics subscriber left', async () => {
    const { bus, metrics } = setup();
    const before = bus.subscriberCount();
    metrics.stop();
    expect(bus.subscriberCount()).toBe(before - 6);
    bus.publish('order_created', order('o1', 'ACCEPTED'));
    expect(await value(metrics, 'orders_submitted_total')).toBe(0);
  });

  test("includes Node's process metrics when asked", async () => {
    const { metrics } = setup({ processMetrics: true });
    const samples = await scrape(metrics);
    expect(samples.get('process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(samples.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });
});
