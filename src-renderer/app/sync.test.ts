import { describe, expect, test } from 'vitest';
import type { CommandName } from '../../src-shared/contract/commands';
import { ok, type Result } from '../../src-shared/contract/result';
import type { RecordingDto, SessionDto } from '../../src-shared/contract/schemas';
import type { FrameScheduler } from '../lib/frame-scheduler';
import type { ConnectionSnapshot, Transport } from '../transport';
import { createAppState, DEFAULT_RENDERER_SETTINGS } from './app-state';
import { startSync, type SyncTimers } from './sync';

const recording: RecordingDto = {
  id: 'rec-1',
  name: 'btc trades',
  source: 'csv',
  instruments: ['BTC/USDT:USDT'],
  firstTs: 1,
  lastTs: 2,
  tradeCount: 10,
  bookCount: 0,
  createdAt: 1,
};

const session: SessionDto = {
  id: 'ses-1',
  kind: 'backtest',
  status: 'completed',
  name: 'backtest',
  instruments: ['BTC/USDT:USDT'],
  strategyIds: ['skeleton-pump'],
  dataSessionId: null,
  startedAt: 1,
  endedAt: 2,
  progress: 1,
  error: null,
  createdAt: 5,
};

/** What an empty engine answers to the commands whose answer is not a list. */
const EMPTY_ANSWERS: Partial<Record<CommandName, unknown>> = {
  'strategies.states': { running: false, rows: [] },
  'chart.sessionCandles': { candles: [], untilTs: null, live: false },
  'credentials.status': { available: false, reason: 'test', exchanges: [] },
};

/** An engine link whose connection state the test flips, recording every command sent. */
function controllableTransport(answers: Partial<Record<CommandName, unknown>>) {
  let snapshot: ConnectionSnapshot = { state: 'connecting', attempt: 0, nextRetryAt: null, queued: 0 };
  const watchers = new Set<(snapshot: ConnectionSnapshot) => void>();
  const sent: Array<{ name: CommandName; request: unknown }> = [];
  const transport: Transport = {
    kind: 'websocket',
    invoke: (name, request) => {
      sent.push({ name, request });
      return Promise.resolve(ok(answers[name] ?? EMPTY_ANSWERS[name] ?? []) as Result<never>);
    },
    subscribe: () => () => undefined,
    connection: {
      current: () => snapshot,
      watch: (listener) => {
        watchers.add(listener);
        return () => watchers.delete(listener);
      },
    },
    close: () => undefined,
  };
  const setState = (state: ConnectionSnapshot['state']): void => {
    snapshot = { ...snapshot, state };
    for (const watcher of watchers) watcher(snapshot);
  };
  return { transport, sent, setState };
}

const noFrames: FrameScheduler = { request: () => () => undefined };
const manualIntervals = () => {
  const callbacks: Array<() => void> = [];
  const timers: SyncTimers = { setInterval: (callback) => callbacks.push(callback), clearInterval: () => undefined };
  return { timers, tick: () => callbacks.forEach((callback) => callback()) };
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('sync', () => {
  test('loads everything once at start, without waiting for the link to open', async () => {
    const { transport, sent, setState } = controllableTransport({ 'recordings.list': [recording] });
    const app = createAppState(transport, DEFAULT_RENDERER_SETTINGS);
    startSync(app, noFrames, manualIntervals().timers);
    await settle();
    setState('open');
    await settle();
    const names = sent.map((command) => command.name);
    expect(names.filter((name) => name === 'recordings.list')).toHaveLength(1);
    expect(names).toEqual(expect.arrayContaining(['engine.health', 'strategies.list', 'alerts.recent', 'settings.get', 'sessions.list', 'signals.list', 'positions.list', 'orders.list']));
  });

  test('loads everything again after a lost link comes back', async () => {
    const { transport, sent, setState } = controllableTransport({});
    const app = createAppState(transport, DEFAULT_RENDERER_SETTINGS);
    startSync(app, noFrames, manualIntervals().timers);
    setState('open');
    await settle();
    setState('lost');
    setState('open');
    await settle();
    expect(sent.filter((command) => command.name === 'recordings.list')).toHaveLength(2);
  });

  test('focuses the newest session at start and loads its chart as far as that session has replayed', async () => {
    const { transport, sent } = controllableTransport({ 'recordings.list': [recording], 'sessions.list': [{ ...session, dataSessionId: 'rec-1' }] });
    const app = createAppState(transport, DEFAULT_RENDERER_SETTINGS);
    startSync(app, noFrames, manualIntervals().timers);
    await settle();
    await settle();
    expect(app.focus.getState()).toMatchObject({ sessionId: 'ses-1', recordingId: 'rec-1', instrumentId: 'BTC/USDT:USDT' });
    // the recording spans a moment: the chart suggests 1 s bars for it
    expect(sent).toContainEqual({ name: 'chart.sessionCandles', request: { sessionId: 'ses-1', instrumentId: 'BTC/USDT:USDT', timeframe: '1s', limit: DEFAULT_RENDERER_SETTINGS.candleLimit } });
    expect(sent).toContainEqual({ name: 'strategies.states', request: { sessionId: 'ses-1' } });
    expect(sent).toContainEqual({ name: 'signals.list', request: { sessionId: 'ses-1', limit: DEFAULT_RENDERER_SETTINGS.signalLoadLimit } });
  });

  test('checks engine health on its interval only while the link is open', async () => {
    const { transport, sent, setState } = controllableTransport({});
    const app = createAppState(transport, DEFAULT_RENDERER_SETTINGS);
    const intervals = manualIntervals();
    startSync(app, noFrames, intervals.timers);
    await settle();
    const before = sent.filter((command) => command.name === 'engine.health').length;
    intervals.tick();
    setState('open');
    intervals.tick();
    expect(sent.filter((command) => command.name === 'engine.health').length).toBe(before + 1);
  });

  test('re-reads the session list while a session runs, and reloads its results when it finishes', async () => {
    const answers: Partial<Record<CommandName, unknown>> = { 'sessions.list': [{ ...session, status: 'running', progress: 0.4 }] };
    const { transport, sent, setState } = controllableTransport(answers);
    const app = createAppState(transport, DEFAULT_RENDERER_SETTINGS);
    const intervals = manualIntervals();
    startSync(app, noFrames, intervals.timers);
    setState('open');
    await settle();
    answers['sessions.list'] = [session];
    sent.length = 0;
    intervals.tick();
    await settle();
    expect(app.sessions.getState().byId['ses-1']?.status).toBe('completed');
    expect(sent).toContainEqual({ name: 'positions.list', request: { sessionId: 'ses-1' } });
    sent.length = 0;
    intervals.tick();
    await settle();
    expect(sent.filter((command) => command.name === 'sessions.list')).toEqual([]);
  });
  test('reads each running online session’s phase on its interval, and leaves replays and finished sessions alone', async () => {
    const online: SessionDto = { ...session, id: 'live-1', kind: 'live', status: 'created', dataSessionId: null };
    const replay: SessionDto = { ...session, id: 'rep-1', kind: 'paper', status: 'running', dataSessionId: 'rec-1' };
    const over: SessionDto = { ...session, id: 'live-0', kind: 'live', status: 'stopped', dataSessionId: null };
    const answers: Partial<Record<CommandName, unknown>> = {
      'sessions.list': [online, replay, over],
      'sessions.online': { session: online, phase: 'reconciling', differences: [{ kind: 'exchange_only', instrumentId: 'BTC/USDT:USDT', detail: 'long 1' }], detail: '1 difference(s)' },
    };
    const { transport, sent, setState } = controllableTransport(answers);
    const app = createAppState(transport, DEFAULT_RENDERER_SETTINGS);
    const intervals = manualIntervals();
    startSync(app, noFrames, intervals.timers);
    setState('open');
    await settle();
    expect(sent.filter((command) => command.name === 'sessions.online')).toEqual([{ name: 'sessions.online', request: { sessionId: 'live-1' } }]);
    expect(app.online.getState().byId['live-1']?.phase).toBe('reconciling');
    sent.length = 0;
    intervals.tick();
    await settle();
    expect(sent.filter((command) => command.name === 'sessions.online')).toEqual([{ name: 'sessions.online', request: { sessionId: 'live-1' } }]);
  });
});
