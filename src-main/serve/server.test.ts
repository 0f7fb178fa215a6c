import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { EventEnvelope } from '../../src-shared/contract/events';
import { err, ok, type Result } from '../../src-shared/contract/result';
import type { HealthReport } from '../../src-shared/contract/schemas';
import type { ServerFrame } from '../../src-shared/contract/wire';
import type { EngineHost } from '../engine/host';
import { startServeHost, type ServeHost, type ServeOptions } from './server';

/** A stand-in engine: records invocations, echoes requests, pushes events on demand. */
class StubEngine implements EngineHost {
  readonly invocations: Array<{ name: string; request: unknown }> = [];
  readonly listeners = new Set<(envelope: EventEnvelope) => void>();
  healthStatus: HealthReport['status'] = 'ok';

  async invoke(name: string, request: unknown): Promise<Result<unknown>> {
    this.invocations.push({ name, request });
    if (name === 'throws') throw new Error('engine broke');
    if (name === 'engine.health') return ok({ echoed: request });
    return err('validation', `unknown command: ${name}`, ['name']);
  }

  subscribeEvents(listener: (envelope: EventEnvelope) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  push(envelope: EventEnvelope): void {
    for (const listener of this.listeners) listener(envelope);
  }

  async health(level: 'live' | 'ready' | 'deep'): Promise<HealthReport> {
    return { status: this.healthStatus, checks: [{ name: level, status: this.healthStatus === 'ok' ? 'ok' : 'down' }], ts: 1 } as unknown as HealthReport;
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'surge_up 1\n' };
  }

  readonly webhookPayloads: unknown[] = [];

  /** Accepts a body with an `alerts` array, refuses anything else the way the engine's parser would. */
  async ingestAlertmanagerWebhook(payload: unknown): Promise<Result<{ accepted: number; raised: number; resolved: number }>> {
    const alerts = (payload as { alerts?: unknown } | null)?.alerts;
    if (!Array.isArray(alerts)) return err('validation', 'payload.alerts: expected array', ['payload.alerts']);
    this.webhookPayloads.push(payload);
    return ok({ accepted: alerts.length, raised: alerts.length, resolved: 0 });
  }
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request sent exactly as written: fetch would normalise `/../x` before it left the client. */
function rawGet(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

type UpgradeOutcome = { opened: true; socket: WebSocket } | { opened: false; status: number };

function connect(server: ServeHost, options: { token?: string | null; origin?: string; host?: string } = {}): Promise<UpgradeOutcome> {
  const token = options.token === undefined ? server.token : options.token;
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  const headers: Record<string, string> = {};
  if (options.host !== undefined) headers['Host'] = options.host;
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, {
    headers,
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ opened: true, socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode ?? 0 });
      res.resume();
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

async function open(server: ServeHost): Promise<WebSocket> {
  const outcome = await connect(server);
  if (!outcome.opened) throw new Error(`upgrade refused with ${outcome.status}`);
  sockets.push(outcome.socket);
  return outcome.socket;
}

/** Collects server frames in arrival order and lets a test wait for the next one. */
function frames(socket: WebSocket): { next(): Promise<ServerFrame>; all: ServerFrame[] } {
  const all: ServerFrame[] = [];
  const waiting: Array<(frame: ServerFrame) => void> = [];
  let read = 0;
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as ServerFrame;
    all.push(frame);
    waiting.shift()?.(frame);
  });
  return {
    all,
    next: () =>
      new Promise((resolve) => {
        if (read < all.length) resolve(all[read++]!);
        else
          waiting.push((frame) => {
            read++;
            resolve(frame);
          });
      }),
  };
}

/** The `ws` client's underlying TCP socket: pausing it makes the client stop reading. */
const tcpOf = (socket: WebSocket): { pause(): void; resume(): void } => (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
const pauseReading = (socket: WebSocket): void => tcpOf(socket).pause();
const resumeReading = (socket: WebSocket): void => tcpOf(socket).resume();

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const closeCode = (socket: WebSocket): Promise<number> => new Promise((resolve) => socket.once('close', (code: number) => resolve(code)));

let workDir: string;
let staticDir: string;
let engine: StubEngine;
let server: ServeHost;
const sockets: WebSocket[] = [];

async function start(overrides: Partial<ServeOptions> = {}): Promise<ServeHost> {
  server = await startServeHost({ host: engine, port: 0, staticDir, token: 'test-token-0123456789abcdef', ...overrides });
  return server;
}

beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'surge-serve-'));
  staticDir = path.join(workDir, 'www');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Surge</title><div id="root"></div>');
  writeFileSync(path.join(staticDir, 'assets', 'app-abc123.js'), 'console.log("app")');
  writeFileSync(path.join(staticDir, 'assets', 'app-abc123.css'), 'body{}');
  writeFileSync(path.join(workDir, 'secret.txt'), 'TOP-SECRET');
  writeFileSync(path.join(workDir, 'package.json'), '{"name":"TOP-SECRET"}');
  engine = new StubEngine();
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await server?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('listening', () => {
  test('binds to 127.0.0.1 on an ephemeral port and makes a long random token by default', async () => {
    await start({ token: undefined });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.openUrl).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    const other = await startServeHost({ host: engine, port: 0, staticDir });
    expect(other.token).not.toBe(server.token);
    await other.close();
  });

  test('a port already in use fails start-up instead of serving elsewhere', async () => {
    await start();
    await expect(startServeHost({ host: engine, port: server.port, staticDir })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(engine.listeners.size).toBe(1);
  });
});

describe('WebSocket authentication', () => {
  test('refuses an upgrade without a token with 401', async () => {
    await start();
    expect(await connect(server, { token: null })).toEqual({ opened: false, status: 401 });
  });

  test('refuses a wrong token with 401, including one that only differs in length', async () => {
    await start();
    expect(await connect(server, { token: 'wrong-token-0123456789abcdef' })).toEqual({ opened: false, status: 401 });
    expect(await connect(server, { token: `${server.token}x` })).toEqual({ opened: false, status: 401 });
    expect(await connect(server, { token: '' })).toEqual({ opened: false, status: 401 });
  });

  test('accepts the right token', async () => {
    await start();
    const outcome = await connect(server);
    expect(outcome.opened).toBe(true);
    if (outcome.opened) sockets.push(outcome.socket);
  });

  test('refuses a page from another website even with the right token', async () => {
    await start();
    expect(await connect(server, { origin: 'https://evil.example' })).toEqual({ opened: false, status: 403 });
    expect(await connect(server, { origin: 'http://127.0.0.1:1' })).toEqual({ opened: false, status: 403 });
  });

  test("accepts the server's own origin", async () => {
    await start();
    const outcome = await connect(server, { origin: `http://127.0.0.1:${server.port}` });
    expect(outcome.opened).toBe(true);
    if (outcome.opened) sockets.push(outcome.socket);
  });

  test('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    await start();
    expect(await connect(server, { host: `rebind.evil.example:${server.port}` })).toEqual({ opened: false, status: 403 });
  });

  test('refuses upgrades on any path but /ws', async () => {
    await start();
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/other?token=${server.token}`);
    const status = await new Promise<number>((resolve) => {
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.once('error', () => resolve(-1));
    });
    socket.terminate();
    expect(status).toBe(404);
  });
});

describe('WebSocket protocol', () => {
  test('an invoke frame reaches the engine and its result comes back under the same id', async () => {
    await start();
    const socket = await open(server);
    const received = frames(socket);
    socket.send(JSON.stringify({ type: 'invoke', id: 7, name: 'engine.health', request: { a: 1 } }));
    expect(await received.next()).toEqual({ type: 'result', id: 7, result: { ok: true, value: { echoed: { a: 1 } } } });
    expect(engine.invocations).toEqual([{ name: 'engine.health', request: { a: 1 } }]);
  });

  test('an engine that throws still answers the request with an internal error result', async () => {
    await start();
    const socket = await open(server);
    const received = frames(socket);
    socket.send(JSON.stringify({ type: 'invoke', id: 1, name: 'throws', request: {} }));
    expect(await received.next()).toMatchObject({ type: 'result', id: 1, result: { ok: false, error: { type: 'internal' } } });
  });

  test('answers a ping frame with a pong carrying its id', async () => {
    await start();
    const socket = await open(server);
    const received = frames(socket);
    socket.send(JSON.stringify({ type: 'ping', id: 42 }));
    expect(await received.next()).toEqual({ type: 'pong', id: 42 });
  });

  test('a garbled frame gets an error frame, leaves the engine untouched and the connection up', async () => {
    await start();
    const socket = await open(server);
    const received = frames(socket);
    socket.send('{not json');
    expect(await received.next()).toMatchObject({ type: 'error' });
    socket.send(JSON.stringify({ type: 'invoke', id: -1, name: 'x' }));
    const invalid = await received.next();
    expect(invalid.type).toBe('error');
    expect(invalid.type === 'error' && invalid.message).toContain('frame.id');
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await received.next()).toMatchObject({ type: 'error' });
    expect(engine.invocations).toEqual([]);
    socket.send(JSON.stringify({ type: 'ping', id: 1 }));
    expect(await received.next()).toEqual({ type: 'pong', id: 1 });
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  test('500 random frames never crash the server and each gets exactly one answer', async () => {
    await start();
    const socket = await open(server);
    const received = frames(socket);
    const frameArbitrary = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc.record({ type: fc.constantFrom('invoke', 'ping', 'other'), id: fc.oneof(fc.integer(), fc.string(), fc.double()), name: fc.string({ maxLength: 120 }), request: fc.jsonValue({ maxDepth: 2 }) }).map((frame) => JSON.stringify(frame)),
    );
    const sent = fc.sample(frameArbitrary, { numRuns: 500, seed: 20240611 });
    for (const text of sent) socket.send(text);
    socket.send(JSON.stringify({ type: 'ping', id: 999_999 }));
    await waitUntil(() => received.all.length >= sent.length + 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received.all).toHaveLength(sent.length + 1);
    for (const frame of received.all) expect(['error', 'result', 'pong']).toContain(frame.type);
    expect(socket.readyState).toBe(WebSocket.OPEN);
  });

  test('a frame over 1 MiB closes that socket with 1009 and the server keeps serving others', async () => {
    await start();
    const big = await open(server);
    const other = await open(server);
    const code = closeCode(big);
    big.send(JSON.stringify({ type: 'invoke', id: 1, name: 'engine.health', request: { blob: 'x'.repeat(1024 * 1024 + 10) } }));
    expect(await code).toBe(1009);
    expect(engine.invocations).toEqual([]);
    const received = frames(other);
    other.send(JSON.stringify({ type: 'ping', id: 3 }));
    expect(await received.next()).toEqual({ type: 'pong', id: 3 });
  });

  test('pushes engine events to every connected client', async () => {
    await start();
    const first = frames(await open(server));
    const second = frames(await open(server));
    const envelope = { topic: 'risk_alert', payload: { id: 'a1', severity: 'critical' } } as unknown as EventEnvelope;
    engine.push(envelope);
    expect(await first.next()).toEqual({ type: 'event', topic: 'risk_alert', payload: { id: 'a1', severity: 'critical' } });
    expect(await second.next()).toEqual({ type: 'event', topic: 'risk_alert', payload: { id: 'a1', severity: 'critical' } });
    expect(server.stats().eventsSent).toBe(2);
  });

  test('a client that cannot keep up loses market data but never orders or alerts', async () => {
    await start({ limits: { dropCoalescibleAboveBytes: 1024 * 1024 } });
    const socket = await open(server);
    const received = frames(socket);
    // the client stops reading, so the kernel buffers fill and the rest waits in the server's queue
    pauseReading(socket);
    const tick = { topic: 'market_data', payload: { blob: 'x'.repeat(64 * 1024) } } as unknown as EventEnvelope;
    const alert = { topic: 'risk_alert', payload: { id: 'a' } } as unknown as EventEnvelope;
    for (let i = 0; i < 300; i++) {
      engine.push(tick);
      engine.push(alert);
    }
    const { eventsDropped } = server.stats();
    resumeReading(socket);
    await waitUntil(() => received.all.filter((frame) => frame.type === 'event' && frame.topic === 'risk_alert').length === 300);
    await waitUntil(() => server.stats().eventsSent === received.all.length);
    const ticks = received.all.filter((frame) => frame.type === 'event' && frame.topic === 'market_data').length;
    expect(eventsDropped).toBeGreaterThan(0);
    expect(ticks + eventsDropped).toBe(300);
  });

  test('a client whose backlog passes the hard limit is disconnected', async () => {
    await start({ limits: { dropCoalescibleAboveBytes: 64 * 1024 * 1024, disconnectAboveBytes: 1024 * 1024 } });
    const socket = await open(server);
    const closed = closeCode(socket);
    pauseReading(socket);
    const alert = { topic: 'risk_alert', payload: { blob: 'x'.repeat(64 * 1024) } } as unknown as EventEnvelope;
    for (let i = 0; i < 300 && server.stats().openSockets > 0; i++) engine.push(alert);
    resumeReading(socket);
    expect(await closed).toBe(1006);
    expect(server.stats().openSockets).toBe(0);
  });
});

describe('HTTP', () => {
  test('serves index.html with a strict Content-Security-Policy and security headers', async () => {
    await start();
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('connect-src \'self\' ws://127.0.0.1:*');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).toContain('<div id="root">');
  });

  test('serves assets with their content types and client routes with index.html', async () => {
    await start();
    const script = await fetch(`${server.url}/assets/app-abc123.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log("app")');
    const style = await fetch(`${server.url}/assets/app-abc123.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const route = await fetch(`${server.url}/sessions/42`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="root">');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  test.each([
    '/../secret.txt',
    '/../package.json',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/package.json',
    '/..%2fsecret.txt',
    '/assets/..%2F..%2Fsecret.txt',
    '/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/secret.txt%00.js',
    '/%252e%252e/secret.txt',
    '/%E0%A4%A.js',
  ])('refuses the traversal attempt %s', async (attempt) => {
    await start();
    const response = await rawGet(server.port, attempt);
    expect(response.body).not.toContain('TOP-SECRET');
    expect([400, 404]).toContain(response.status);
  });

  test('a symlink inside the build that leads outside it is not followed', async () => {
    symlinkSync(path.join(workDir, 'secret.txt'), path.join(staticDir, 'assets', 'link.txt'));
    await start();
    const response = await rawGet(server.port, '/assets/link.txt');
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('TOP-SECRET');
  });

  test('answers requests carrying a foreign Host header with 421', async () => {
    await start();
    expect((await rawGet(server.port, '/', { host: 'rebind.evil.example' })).status).toBe(421);
    expect((await rawGet(server.port, '/metrics', { host: `rebind.evil.example:${server.port}` })).status).toBe(421);
    expect((await rawGet(server.port, '/', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  test('only GET and HEAD are allowed', async () => {
    await start();
    const response = await fetch(`${server.url}/health`, { method: 'POST' });
    expect(response.status).toBe(405);
    const head = await fetch(`${server.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  test('a missing renderer build answers 503 with a hint instead of a bare 404', async () => {
    rmSync(path.join(staticDir, 'index.html'));
    await start();
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('build:renderer');
  });

  test('health endpoints answer 200 when the engine is ok and 503 when it is not', async () => {
    await start();
    for (const endpoint of ['/health', '/health/ready', '/health/deep']) {
      const response = await fetch(`${server.url}${endpoint}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toMatchObject({ status: 'ok' });
    }
    engine.healthStatus = 'degraded';
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(503);
    expect((await fetch(`${server.url}/health/deep`)).status).toBe(503);
    engine.healthStatus = 'down';
    expect((await fetch(`${server.url}/health`)).status).toBe(503);
  });

  test('a health check that throws answers 503 with the reason', async () => {
    engine.health = () => Promise.reject(new Error('database locked'));
    await start();
    const response = await fetch(`${server.url}/health/deep`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'down', error: 'database locked' });
  });

  test('serves the engine metrics with their content type', async () => {
    await start();
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('surge_up 1\n');
  });
});

describe('close', () => {
  test('closes every socket, unsubscribes from the engine and stops listening', async () => {
    const tcpHandles = (): number => process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP')).length;
    const before = tcpHandles();
    await start();
    const first = await open(server);
    const second = await open(server);
    const codes = Promise.all([closeCode(first), closeCode(second)]);
    expect(engine.listeners.size).toBe(1);
    await server.close();
    expect(await codes).toEqual([1001, 1001]);
    expect(engine.listeners.size).toBe(0);
    expect(server.stats().openSockets).toBe(0);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    // both ends of both sockets and the listener are gone: nothing keeps the process alive
    await waitUntil(() => tcpHandles() <= before);
  });

  test('close is idempotent and also cuts off idle keep-alive HTTP connections', async () => {
    await start();
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port: server.port, path: '/health', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
    });
    await Promise.all([server.close(), server.close()]);
    agent.destroy();
  });

  test('a client that ignores the close frame is cut off after the grace period', async () => {
    await start({ limits: { closeGraceMs: 50 } });
    const socket = await open(server);
    // a client that stops reading never sees the close frame, so never answers it
    pauseReading(socket);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('Alertmanager webhook', () => {
  const webhookUrl = (): string => `${server.url}/api/alerts/webhook`;
  const notification = { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'MarginRatioLow' } }] };
  const post = (body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(webhookUrl(), { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

  test('hands an authenticated notification to the engine and answers with its counts', async () => {
    await start();
    const response = await post(JSON.stringify(notification), bearer(server.token));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, raised: 1, resolved: 0 });
    expect(engine.webhookPayloads).toEqual([notification]);
  });

  test('refuses a call without a token, with another scheme or with a wrong token, and the engine never sees it', async () => {
    await start();
    const attempts = [{}, { Authorization: `Basic ${server.token}` }, bearer('wrong-token-0123456789abcdef'), bearer(`${server.token}x`), { Authorization: 'Bearer' }];
    for (const headers of attempts) {
      const response = await post(JSON.stringify(notification), headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(engine.webhookPayloads).toEqual([]);
  });

  test('with a dedicated webhook token, only that token is accepted', async () => {
    await start({ alertWebhookToken: 'webhook-token-0123456789abcdef' });
    expect((await post(JSON.stringify(notification), bearer(server.token))).status).toBe(401);
    expect((await post(JSON.stringify(notification), bearer('webhook-token-0123456789abcdef'))).status).toBe(200);
    expect(engine.webhookPayloads).toHaveLength(1);
  });

  test('a short dedicated token fails start-up', async () => {
    await expect(startServeHost({ host: engine, port: 0, staticDir, alertWebhookToken: 'short' })).rejects.toThrow('at least 16');
  });

  test('answers a body that is not JSON with 400 without calling the engine', async () => {
    await start();
    const response = await post('{"version": "4", ', bearer(server.token));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'body is not valid JSON' });
    expect(engine.webhookPayloads).toEqual([]);
  });

  test("answers 400 with the engine's reasons when the engine refuses the payload", async () => {
    await start();
    const response = await post(JSON.stringify({ version: '4' }), bearer(server.token));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'payload.alerts: expected array', paths: ['payload.alerts'] });
  });

  test('refuses a body over the payload limit with 413', async () => {
    await start({ limits: { maxPayloadBytes: 1024 } });
    const big = JSON.stringify({ ...notification, padding: 'x'.repeat(4096) });
    const response = await post(big, bearer(server.token));
    expect(response.status).toBe(413);
    expect(engine.webhookPayloads).toEqual([]);
  });

  test('only POST is allowed', async () => {
    await start();
    const response = await fetch(webhookUrl(), { headers: bearer(server.token) });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  test('refuses a foreign Host header before looking at the token', async () => {
    await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: server.port, path: '/api/alerts/webhook', method: 'POST', headers: { host: `rebind.evil.example:${server.port}`, ...bearer(server.token) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(notification));
    });
    expect(status).toBe(421);
    expect(engine.webhookPayloads).toEqual([]);
  });

  test('other POSTs are still refused with 405', async () => {
    await start();
    const response = await fetch(`${server.url}/metrics`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
  });
});
