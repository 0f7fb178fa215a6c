import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { WebSocketTransport, type SocketFactory } from '../../src-renderer/transport/websocket-transport';
import type { ConnectionState } from '../../src-renderer/transport/types';

// The renderer's WebSocket client against a real `ws` server speaking the wire protocol
// (src-shared/contract/wire.ts). It lives here because the renderer lint forbids importing `ws`.

const nodeSocketFactory: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  let closed = false;
  const closeOnce = (): void => {
    if (closed) return;
    closed = true;
    handlers.close();
  };
  socket.on('open', () => handlers.open());
  socket.on('message', (data, isBinary) => handlers.message(isBinary ? data : data.toString()));
  socket.on('close', closeOnce);
  socket.on('error', closeOnce);
  return { send: (text) => socket.send(text), close: () => socket.terminate() };
};

interface FakeEngine {
  server: WebSocketServer;
  port: number;
  received: Array<{ type: string; name?: string; request?: unknown }>;
  close(): Promise<void>;
}

/** A tiny engine stand-in: answers invokes with the command name, checks the token, pushes on demand. */
async function startFakeEngine(port = 0): Promise<FakeEngine> {
  // Like the serve host, a wrong token is refused at the upgrade (HTTP 401), before any frame.
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port,
    path: '/ws',
    verifyClient: (info: { req: { url?: string } }) => new URL(info.req.url ?? '/', 'http://x').searchParams.get('token') === 'secret',
  });
  await once(server, 'listening');
  const received: FakeEngine['received'] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id: number; name?: string; request?: unknown };
      received.push(frame);
      if (frame.type === 'ping') socket.send(JSON.stringify({ type: 'pong', id: frame.id }));
      if (frame.type === 'invoke') {
        socket.send(JSON.stringify({ type: 'event', topic: 'risk_alert', payload: { id: `alert-for-${frame.name}` } }));
        socket.send(JSON.stringify({ type: 'result', id: frame.id, result: { ok: true, value: { answered: frame.name } } }));
      }
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    received,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function waitForState(transport: WebSocketTransport, state: ConnectionState): Promise<void> {
  if (transport.connection.current().state === state) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = transport.connection.watch((snapshot) => {
      if (snapshot.state !== state) return;
      stop();
      resolve();
    });
  });
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('renderer WebSocket transport against a real socket server', () => {
  test('round-trips a command and receives the events pushed alongside it', async () => {
    const engine = await startFakeEngine();
    cleanups.push(() => engine.close());
    const transport = new WebSocketTransport({ url: `ws://127.0.0.1:${engine.port}/ws?token=secret`, createSocket: nodeSocketFactory });
    cleanups.push(() => transport.close());
    const topics: string[] = [];
    transport.subscribe((envelope) => topics.push(`${envelope.topic}:${(envelope.payload as { id: string }).id}`));

    const result = await transport.invoke('sessions.list', {});

    expect(result).toEqual({ ok: true, value: { answered: 'sessions.list' } });
    expect(topics).toEqual(['risk_alert:alert-for-sessions.list']);
  });

  test('keeps a command made while the engine is down and sends it when the engine comes back', async () => {
    const first = await startFakeEngine();
    const port = first.port;
    const transport = new WebSocketTransport({
      url: `ws://127.0.0.1:${port}/ws?token=secret`,
      createSocket: nodeSocketFactory,
      reconnectInitialMs: 50,
      reconnectMaxMs: 200,
    });
    cleanups.push(() => transport.close());
    await waitForState(transport, 'open');

    await first.close();
    await waitForState(transport, 'lost');
    const answer = transport.invoke('recordings.list', {});
    expect(transport.connection.current().queued).toBe(1);

    const second = await startFakeEngine(port);
    cleanups.push(() => second.close());
    await expect(answer).resolves.toEqual({ ok: true, value: { answered: 'recordings.list' } });
    expect(second.received.filter((frame) => frame.type === 'invoke').map((frame) => frame.name)).toEqual(['recordings.list']);
    expect(transport.connection.current()).toMatchObject({ state: 'open', attempt: 0, queued: 0 });
  });

  test('with a wrong token it never opens and a command fails with a clear error after the timeout', async () => {
    const engine = await startFakeEngine();
    cleanups.push(() => engine.close());
    const transport = new WebSocketTransport({
      url: `ws://127.0.0.1:${engine.port}/ws?token=wrong`,
      createSocket: nodeSocketFactory,
      reconnectInitialMs: 50,
      requestTimeoutMs: 300,
    });
    cleanups.push(() => transport.close());

    const result = await transport.invoke('engine.health', {});

    expect(result).toEqual({ ok: false, error: { type: 'unavailable', message: 'no connection to the engine for 0.3 s; "engine.health" was not sent' } });
    expect(engine.received).toEqual([]);
  });
});
