import { describe, expect, test } from 'vitest';
import type { ConnectionSnapshot } from './types';
import { WebSocketTransport, type SocketFactory, type SocketHandlers, type TransportTimers } from './websocket-transport';

/** Timers driven by hand so reconnect and timeout behaviour is tested without waiting. */
class ManualTimers implements TransportTimers {
  private time = 1_000_000;
  private nextHandle = 1;
  private readonly due = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.due.set(handle, { at: this.time + ms, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.due) if (entry[1].at <= end && (next === undefined || entry[1].at < next[1].at)) next = entry;
      if (next === undefined) break;
      this.due.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
    }
    this.time = end;
  }
}

/** A stand-in socket: the test decides when it opens, what the "server" says, and when it drops. */
class FakeSocket {
  readonly sent: Array<Record<string, unknown>> = [];
  closedByClient = false;
  constructor(readonly url: string, readonly handlers: SocketHandlers) {}
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close(): void {
    this.closedByClient = true;
  }
  reply(frame: unknown): void {
    this.handlers.message(JSON.stringify(frame));
  }
  invokes(): Array<Record<string, unknown>> {
    return this.sent.filter((frame) => frame.type === 'invoke');
  }
}

function setup(options: { requestTimeoutMs?: number; heartbeatIntervalMs?: number; heartbeatTimeoutMs?: number } = {}) {
  const timers = new ManualTimers();
  const sockets: FakeSocket[] = [];
  const protocolErrors: string[] = [];
  const createSocket: SocketFactory = (url, handlers) => {
    const socket = new FakeSocket(url, handlers);
    sockets.push(socket);
    return socket;
  };
  const transport = new WebSocketTransport({
    url: 'ws://127.0.0.1:1/ws?token=t',
    createSocket,
    timers,
    onProtocolError: (message) => protocolErrors.push(message),
    ...options,
  });
  const states: ConnectionSnapshot[] = [];
  transport.connection.watch((snapshot) => states.push(snapshot));
  const latest = (): FakeSocket => sockets[sockets.length - 1]!;
  return { transport, timers, sockets, latest, states, protocolErrors };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('WebSocketTransport', () => {
  test('sends a command as an invoke frame and resolves with the engine result', async () => {
    const { transport, latest } = setup();
    latest().handlers.open();
    const answer = transport.invoke('recordings.list', {});
    const frame = latest().invokes()[0]!;
    expect(frame).toMatchObject({ type: 'invoke', name: 'recordings.list', request: {} });
    latest().reply({ type: 'result', id: frame.id, result: { ok: true, value: [] } });
    await expect(answer).resolves.toEqual({ ok: true, value: [] });
  });

  test('passes an engine error result through as data, paths included', async () => {
    const { transport, latest } = setup();
    latest().handlers.open();
    const answer = transport.invoke('recordings.importCsv', { path: '/nope.csv', instrumentId: 'BTC/USDT:USDT' });
    const error = { type: 'not_found', message: 'no such file', paths: ['path'] };
    latest().reply({ type: 'result', id: latest().invokes()[0]!.id, result: { ok: false, error } });
    await expect(answer).resolves.toEqual({ ok: false, error });
  });

  test('turns a malformed result into an internal error instead of throwing', async () => {
    const { transport, latest } = setup();
    latest().handlers.open();
    const answer = transport.invoke('engine.health', {});
    latest().reply({ type: 'result', id: latest().invokes()[0]!.id, result: 'garbage' });
    const result = await answer;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.type).toBe('internal');
  });

  test('delivers pushed events to every subscriber until it unsubscribes', () => {
    const { transport, latest } = setup();
    latest().handlers.open();
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = transport.subscribe((envelope) => first.push(envelope.topic));
    transport.subscribe((envelope) => second.push(envelope.topic));
    latest().reply({ type: 'event', topic: 'risk_alert', payload: { id: 'a' } });
    stopFirst();
    latest().reply({ type: 'event', topic: 'session_state', payload: { id: 's' } });
    expect(first).toEqual(['risk_alert']);
    expect(second).toEqual(['risk_alert', 'session_state']);
  });

  test('passes on the engine publish time of an event, and only a real number', () => {
    const { transport, latest } = setup();
    latest().handlers.open();
    const stamps: Array<number | undefined> = [];
    transport.subscribe((envelope) => stamps.push(envelope.publishedAt));
    latest().reply({ type: 'event', topic: 'market_data', payload: {}, publishedAt: 1_723_161_256_322 });
    latest().reply({ type: 'event', topic: 'market_data', payload: {}, publishedAt: 'soon' });
    latest().reply({ type: 'event', topic: 'market_data', payload: {} });
    expect(stamps).toEqual([1_723_161_256_322, undefined, undefined]);
  });

  test('keeps delivering events to others when one listener throws', () => {
    const { transport, latest, protocolErrors } = setup();
    latest().handlers.open();
    const heard: string[] = [];
    transport.subscribe(() => {
      throw new Error('view crashed');
    });
    transport.subscribe((envelope) => heard.push(envelope.topic));
    latest().reply({ type: 'event', topic: 'risk_alert', payload: {} });
    expect(heard).toEqual(['risk_alert']);
    expect(protocolErrors.join()).toContain('view crashed');
  });

  test('reports unknown topics and unparsable frames without disturbing pending commands', async () => {
    const { transport, latest, protocolErrors } = setup();
    latest().handlers.open();
    const answer = transport.invoke('sessions.list', {});
    latest().handlers.message('{not json');
    latest().reply({ type: 'event', topic: 'no_such_topic', payload: {} });
    latest().reply({ type: 'error', message: 'bad frame' });
    latest().reply({ type: 'result', id: latest().invokes()[0]!.id, result: { ok: true, value: [] } });
    await expect(answer).resolves.toEqual({ ok: true, value: [] });
    expect(protocolErrors).toHaveLength(3);
  });

  test('queues commands made before the connection opens and sends them in order', () => {
    const { transport, latest } = setup();
    void transport.invoke('recordings.list', {});
    void transport.invoke('sessions.list', {});
    expect(transport.connection.current()).toMatchObject({ state: 'connecting', queued: 2 });
    expect(latest().invokes()).toHaveLength(0);
    latest().handlers.open();
    expect(latest().invokes().map((frame) => frame.name)).toEqual(['recordings.list', 'sessions.list']);
    expect(transport.connection.current()).toMatchObject({ state: 'open', queued: 0 });
  });

  test('fails a queued command with a clear error when no connection came within the timeout', async () => {
    const { transport, timers } = setup({ requestTimeoutMs: 30_000 });
    const answer = transport.invoke('sessions.list', {});
    timers.advance(30_000);
    const result = await answer;
    expect(result).toEqual({ ok: false, error: { type: 'unavailable', message: 'no connection to the engine for 30 s; "sessions.list" was not sent' } });
  });

  test('fails a sent command that the engine never answers after the timeout', async () => {
    const { transport, timers, latest } = setup({ requestTimeoutMs: 30_000, heartbeatIntervalMs: 60_000 });
    latest().handlers.open();
    const answer = transport.invoke('sessions.list', {});
    timers.advance(30_000);
    const result = await answer;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe('the engine did not answer "sessions.list" within 30 s');
  });

  test('marks the link lost and reconnects after 3 s, doubling the wait up to 30 s', () => {
    const { transport, timers, sockets, latest } = setup();
    latest().handlers.open();
    latest().handlers.close();
    expect(transport.connection.current()).toMatchObject({ state: 'lost', attempt: 1, nextRetryAt: timers.now() + 3_000 });
    const delays: number[] = [];
    for (let failures = 0; failures < 6; failures++) {
      const before = sockets.length;
      const retryAt = transport.connection.current().nextRetryAt!;
      delays.push(retryAt - timers.now());
      timers.advance(retryAt - timers.now() - 1);
      expect(sockets).toHaveLength(before);
      timers.advance(1);
      expect(sockets).toHaveLength(before + 1);
      latest().handlers.close();
    }
    expect(delays).toEqual([3_000, 6_000, 12_000, 24_000, 30_000, 30_000]);
    timers.advance(30_000);
    latest().handlers.open();
    expect(transport.connection.current()).toEqual({ state: 'open', attempt: 0, nextRetryAt: null, queued: 0 });
  });

  test('sends commands made while the link was lost once it reconnects', async () => {
    const { transport, timers, latest } = setup();
    latest().handlers.open();
    latest().handlers.close();
    const answer = transport.invoke('alerts.list', {});
    expect(transport.connection.current().queued).toBe(1);
    timers.advance(3_000);
    latest().handlers.open();
    const frame = latest().invokes()[0]!;
    expect(frame.name).toBe('alerts.list');
    latest().reply({ type: 'result', id: frame.id, result: { ok: true, value: [] } });
    await expect(answer).resolves.toEqual({ ok: true, value: [] });
  });

  test('fails an unanswered command at once when the link drops, because it may have run', async () => {
    const { transport, latest } = setup();
    latest().handlers.open();
    const answer = transport.invoke('sessions.stop', { sessionId: 's1' });
    latest().handlers.close();
    const result = await answer;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.type).toBe('unavailable');
      expect(result.error.message).toContain('may or may not have run');
    }
  });

  test('pings an idle connection and drops it when nothing at all arrives', () => {
    const { transport, timers, sockets, latest } = setup({ heartbeatIntervalMs: 10_000, heartbeatTimeoutMs: 25_000 });
    latest().handlers.open();
    timers.advance(10_000);
    expect(latest().sent.filter((frame) => frame.type === 'ping')).toHaveLength(1);
    latest().reply({ type: 'pong', id: 1 });
    timers.advance(20_000);
    expect(transport.connection.current().state).toBe('open');
    timers.advance(10_000);
    expect(sockets[0]!.closedByClient).toBe(true);
    expect(transport.connection.current().state).toBe('lost');
  });

  test('ignores callbacks from a socket it already replaced', () => {
    const { transport, timers, sockets, latest } = setup({ heartbeatIntervalMs: 10_000, heartbeatTimeoutMs: 10_000 });
    latest().handlers.open();
    timers.advance(10_000);
    const stale = sockets[0]!;
    expect(transport.connection.current().state).toBe('lost');
    timers.advance(3_000);
    latest().handlers.open();
    stale.handlers.close();
    expect(transport.connection.current().state).toBe('open');
  });

  test('close() fails pending commands, stops reconnecting and refuses new ones', async () => {
    const { transport, timers, sockets, latest } = setup();
    const queued = transport.invoke('recordings.list', {});
    transport.close();
    expect(latest().closedByClient).toBe(true);
    expect((await queued).ok).toBe(false);
    timers.advance(60_000);
    expect(sockets).toHaveLength(1);
    const later = await transport.invoke('recordings.list', {});
    expect(later.ok).toBe(false);
    expect(transport.connection.current().state).toBe('closed');
    await flush();
  });
});
