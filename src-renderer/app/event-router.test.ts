import { describe, expect, test } from 'vitest';
import type { EventEnvelope } from '../../src-shared/contract';
import { ok, type Result } from '../../src-shared/contract/result';
import type { OrderDto, PositionDto, SessionDto, SignalDto } from '../../src-shared/contract/schemas';
import type { FrameScheduler } from '../lib/frame-scheduler';
import { marketKey } from '../features/market/market-store';
import type { ConnectionSnapshot, Transport } from '../transport';
import { createAppState, DEFAULT_RENDERER_SETTINGS } from './app-state';
import { routeEvents } from './event-router';

/** A stub engine link: every command answers an empty list; the test pushes events by hand. */
function stubTransport() {
  const listeners = new Set<(envelope: EventEnvelope) => void>();
  const snapshot: ConnectionSnapshot = { state: 'open', attempt: 0, nextRetryAt: null, queued: 0 };
  const transport: Transport = {
    kind: 'websocket',
    invoke: () => Promise.resolve(ok([]) as Result<never>),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connection: { current: () => snapshot, watch: () => () => undefined },
    close: () => undefined,
  };
  const push = (envelope: EventEnvelope): void => {
    for (const listener of listeners) listener(envelope);
  };
  return { transport, push, listenerCount: () => listeners.size };
}

/** Frames run only when the test says so. */
function manualFrames() {
  const queued: Array<() => void> = [];
  const scheduler: FrameScheduler = {
    request(callback) {
      queued.push(callback);
      return () => {
        const index = queued.indexOf(callback);
        if (index >= 0) queued.splice(index, 1);
      };
    },
  };
  return { scheduler, pending: () => queued.length, runFrame: () => queued.splice(0).forEach((callback) => callback()) };
}

const session = (status: SessionDto['status'], progress: number): SessionDto => ({
  id: 'ses-1',
  kind: 'backtest',
  status,
  name: 'backtest',
  instruments: ['BTC/USDT:USDT'],
  strategyIds: ['skeleton-pump'],
  dataSessionId: 'rec-1',
  startedAt: 1,
  endedAt: null,
  progress,
  error: null,
  createdAt: 1,
});

const signal = (id: string, ts: number): SignalDto => ({
  id,
  sessionId: 'ses-1',
  strategyId: 'skeleton-pump',
  instrumentId: 'BTC/USDT:USDT',
  section: 'S1',
  state: 'SIGNAL_DETECTED',
  direction: 'LONG',
  price: 61_000,
  indicatorValues: { pump: 0.2 },
  reason: null,
  ts,
});

const order = (status: OrderDto['status'], updatedAt: number): OrderDto => ({
  clientOrderId: 'o-1',
  venueOrderId: null,
  instrumentId: 'BTC/USDT:USDT',
  strategyId: 'skeleton-pump',
  sessionId: 'ses-1',
  side: 'BUY',
  type: 'MARKET',
  quantity: '0.015',
  price: null,
  triggerPrice: null,
  timeInForce: 'IOC',
  reduceOnly: false,
  leverage: 3,
  status,
  filledQuantity: status === 'FILLED' ? '0.015' : '0',
  averageFillPrice: status === 'FILLED' ? '61000.5' : null,
  createdAt: 1,
  updatedAt,
  reason: null,
});

const position = (side: PositionDto['side'], updatedAt: number): PositionDto => ({
  sessionId: 'ses-1',
  instrumentId: 'BTC/USDT:USDT',
  side,
  quantity: side === 'FLAT' ? '0' : '0.015',
  averageEntryPrice: '61000.5',
  markPrice: '61010',
  realizedPnl: '0',
  unrealizedPnl: '0.1425',
  commissions: '0.36',
  leverage: 3,
  marginRatioPercent: null,
  liquidationPrice: null,
  stopLoss: null,
  takeProfit: null,
  openedAt: 1,
  updatedAt,
});

function setup() {
  const { transport, push, listenerCount } = stubTransport();
  const app = createAppState(transport, DEFAULT_RENDERER_SETTINGS);
  const frames = manualFrames();
  const finished: string[][] = [];
  const stop = routeEvents(transport, app, frames.scheduler, (sessions) => finished.push(sessions.map((item) => item.id)));
  return { app, push, frames, finished, stop, listenerCount };
}

describe('event router', () => {
  test('applies a burst of events in one frame, one store update per topic', () => {
    const { app, push, frames } = setup();
    let signalUpdates = 0;
    app.signals.subscribe(() => signalUpdates++);
    for (let index = 0; index < 500; index++) push({ topic: 'signal_generated', payload: signal(`sig-${index}`, index) });
    expect(frames.pending()).toBe(1);
    expect(app.signals.getState().items).toHaveLength(0);
    frames.runFrame();
    expect(app.signals.getState().items).toHaveLength(500);
    expect(signalUpdates).toBe(1);
  });

  test('keeps one copy of a signal delivered twice (the bus is at-least-once)', () => {
    const { app, push, frames } = setup();
    push({ topic: 'signal_generated', payload: signal('sig-1', 5) });
    push({ topic: 'signal_generated', payload: signal('sig-1', 5) });
    frames.runFrame();
    push({ topic: 'signal_generated', payload: signal('sig-1', 5) });
    frames.runFrame();
    expect(app.signals.getState().items.map((item) => item.id)).toEqual(['sig-1']);
  });

  test('takes order and fill from order_filled, and never lets an older order copy win', () => {
    const { app, push, frames } = setup();
    push({ topic: 'order_filled', payload: { order: order('FILLED', 20), fill: { fillId: 'f-1', clientOrderId: 'o-1', venueOrderId: null, instrumentId: 'BTC/USDT:USDT', side: 'BUY', lastQty: '0.015', lastPx: '61000.5', liquiditySide: 'TAKER', commission: '0.36', commissionCurrency: 'USDT', tsEvent: 20 } } });
    push({ topic: 'order_created', payload: order('SUBMITTED', 10) });
    frames.runFrame();
    expect(app.orders.getState().byId['o-1']?.status).toBe('FILLED');
    expect(app.orders.getState().fillsByOrder['o-1']).toHaveLength(1);
  });

  test('keeps the newest position per session and instrument', () => {
    const { app, push, frames } = setup();
    push({ topic: 'position_updated', payload: position('LONG', 10) });
    push({ topic: 'position_updated', payload: position('FLAT', 30) });
    push({ topic: 'position_updated', payload: position('LONG', 20) });
    frames.runFrame();
    expect(Object.values(app.positions.getState().byKey).map((item) => item.side)).toEqual(['FLAT']);
  });

  test('reports a session once, when it first reaches a finished status', () => {
    const { push, frames, finished } = setup();
    push({ topic: 'session_state', payload: session('running', 0.5) });
    frames.runFrame();
    push({ topic: 'session_state', payload: session('completed', 1) });
    frames.runFrame();
    push({ topic: 'session_state', payload: session('completed', 1) });
    frames.runFrame();
    expect(finished).toEqual([['ses-1']]);
  });

  test('folds a frame of market data into the last trade per instrument', () => {
    const { app, push, frames } = setup();
    push({ topic: 'market_data', payload: { kind: 'trade', instrumentId: 'BTC/USDT:USDT', price: 61_000, quantity: 1, side: 'buy', ts: 10 } });
    push({ topic: 'market_data', payload: { kind: 'trade', instrumentId: 'BTC/USDT:USDT', price: 61_005, quantity: 1, side: 'sell', ts: 11 } });
    push({ topic: 'market_data', payload: { kind: 'book', instrumentId: 'BTC/USDT:USDT', bids: [], asks: [], snapshot: true, ts: 12 } });
    frames.runFrame();
    expect(app.market.getState().lastTrade[marketKey(undefined, 'BTC/USDT:USDT')]).toEqual({ price: 61_005, side: 'sell', ts: 11 });
  });

  test('keeps two replays of one instrument apart, and hands every tick to the chart at once', () => {
    const { app, push, frames } = setup();
    const heard: Array<[string | undefined, number | undefined]> = [];
    app.ticks.subscribe((data, publishedAt) => heard.push([data.sessionId, publishedAt]));
    push({ topic: 'market_data', payload: { kind: 'trade', instrumentId: 'BTC/USDT:USDT', price: 61_000, quantity: 1, side: 'buy', ts: 500, sessionId: 'demo' }, publishedAt: 7 });
    push({ topic: 'market_data', payload: { kind: 'trade', instrumentId: 'BTC/USDT:USDT', price: 60_000, quantity: 1, side: 'sell', ts: 100, sessionId: 'mine' } });
    expect(heard).toEqual([['demo', 7], ['mine', undefined]]);
    frames.runFrame();
    expect(app.market.getState().lastTrade[marketKey('demo', 'BTC/USDT:USDT')]?.price).toBe(61_000);
    expect(app.market.getState().lastTrade[marketKey('mine', 'BTC/USDT:USDT')]?.price).toBe(60_000);
  });

  test('a clicked desktop notification brings the Trade screen forward with the alert marked', () => {
    const { app, push, frames } = setup();
    app.ui.getState().setScreen('settings');
    push({ topic: 'ui_focus', payload: { screen: 'alerts', alertId: 'alert-7' } });
    frames.runFrame();
    expect(app.ui.getState()).toMatchObject({ screen: 'trade', highlightedAlertId: 'alert-7' });
  });

  test('stopping unsubscribes and drops what was buffered', () => {
    const { app, push, frames, stop, listenerCount } = setup();
    push({ topic: 'risk_alert', payload: { id: 'a', severity: 'info', source: 'x', code: 'C', message: 'm', instrumentId: null, ts: 1 } });
    stop();
    expect(frames.pending()).toBe(0);
    expect(listenerCount()).toBe(0);
    expect(app.alerts.getState().items).toEqual([]);
  });
});
