import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { COALESCED_TOPICS, type EventEnvelope } from '../../src-shared/contract/events';
import { parse } from '../../src-shared/contract/parse';
import { err, type Result } from '../../src-shared/contract/result';
import { ClientFrame, type ServerFrame } from '../../src-shared/contract/wire';
import type { EngineHost } from '../engine/host';
import { ALERT_WEBHOOK_PATH } from '../engine/ops/alert-webhook';
import { contentSecurityPolicy, contentTypeFor, isRealPathInside, resolveStaticPath } from './static-files';

/** The subset of the engine's logger that the host uses; any module logger fits. */
export interface ServeLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ServeLimits {
  /** A client frame larger than this closes its socket with 1009 (ws enforces it before parsing). */
  maxPayloadBytes: number;
  /** Above this many unsent bytes on a socket, coalescible events (market data, indicators) are dropped for it. */
  dropCoalescibleAboveBytes: number;
  /** Above this, the client is too slow to keep up even with drops: it is disconnected and must resync. */
  disconnectAboveBytes: number;
  /** Protocol-level ping interval; a socket that missed the previous pong is terminated. 0 disables. */
  heartbeatIntervalMs: number;
  /** How long close() waits for clients to acknowledge the close frame before cutting them off. */
  closeGraceMs: number;
}

export const DEFAULT_SERVE_LIMITS: ServeLimits = {
  maxPayloadBytes: 1024 * 1024,
  dropCoalescibleAboveBytes: 4 * 1024 * 1024,
  disconnectAboveBytes: 64 * 1024 * 1024,
  heartbeatIntervalMs: 30_000,
  closeGraceMs: 1_000,
};

export interface ServeOptions {
  host: EngineHost;
  /** 0 picks an ephemeral port. */
  port: number;
  /** The built renderer (dist-renderer/). */
  staticDir: string;
  /** Default: 32 random bytes, hex. */
  token?: string;
  /**
   * The bearer token Alertmanager presents at POST /api/alerts/webhook. A dedicated token lets
   * Alertmanager raise alerts without holding the key to the whole engine; without one the
   * webhook accepts the serve token (which `--token` can fix across runs).
   */
  alertWebhookToken?: string;
  logger?: ServeLogger;
  limits?: Partial<ServeLimits>;
}

export interface ServeStats {
  openSockets: number;
  eventsSent: number;
  eventsDropped: number;
}

export interface ServeHost {
  /** `http://127.0.0.1:PORT` — no trailing slash, no token. */
  url: string;
  /** What a person opens: `http://127.0.0.1:PORT/?token=TOKEN`. */
  openUrl: string;
  port: number;
  token: string;
  stats(): ServeStats;
  /** Closes every socket and the server, and unsubscribes from the engine. */
  close(): Promise<void>;
}

/** Serve mode listens on loopback only; reaching it from elsewhere means an SSH tunnel. */
export const SERVE_BIND_ADDRESS = '127.0.0.1';
const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const noopLogger: ServeLogger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * The serve-mode host: the renderer build, /health, /metrics, Alertmanager's webhook and the
 * contract over a WebSocket, all on 127.0.0.1 behind a per-run token. Holds no business logic:
 * every frame goes to `host.invoke` and every webhook body to the engine, which parse them.
 */
export async function startServeHost(options: ServeOptions): Promise<ServeHost> {
  const limits: ServeLimits = { ...DEFAULT_SERVE_LIMITS, ...options.limits };
  const logger = options.logger ?? noopLogger;
  const token = options.token ?? randomBytes(32).toString('hex');
  if (token.length < 16) throw new Error('serve token must be at least 16 characters');
  const tokenDigest = digest(token);
  const alertWebhookToken = options.alertWebhookToken ?? token;
  if (alertWebhookToken.length < 16) throw new Error('alert webhook token must be at least 16 characters');
  const alertWebhookTokenDigest = digest(alertWebhookToken);
  const { host: engine, staticDir } = options;
  const csp = contentSecurityPolicy({ connectSources: ['ws://127.0.0.1:*', 'ws://localhost:*'] });
  const stats = { eventsSent: 0, eventsDropped: 0 };

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxPayloadBytes, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();

  const server = http.createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      logger.error('serve request failed', { url: req.url, error: String(error) });
      if (!res.headersSent) sendHttpText(res, 500, 'internal error');
      else res.destroy();
    });
  });
  // a client that opens a connection and never sends a request must not hold it forever
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isLoopbackHost(req.headers.host)) return sendHttpText(res, 421, 'misdirected request');
    const url = requestUrl(req);
    if (url === null) return sendHttpText(res, 400, 'bad request');
    if (url.pathname === ALERT_WEBHOOK_PATH) return receiveAlertWebhook(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendHttpText(res, 405, 'method not allowed');
    }
    switch (url.pathname) {
      case '/health':
        return sendHealth(res, 'live');
      case '/health/ready':
        return sendHealth(res, 'ready');
      case '/health/deep':
        return sendHealth(res, 'deep');
      case '/metrics': {
        const metrics = await engine.metrics();
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : metrics.body);
        return;
      }
      case '/ws':
        return sendHttpText(res, 426, 'upgrade required');
      default:
        return sendStatic(req, res, rawPathname(req));
    }
  }

  async function sendHealth(res: ServerResponse, level: 'live' | 'ready' | 'deep'): Promise<void> {
    let body: unknown;
    let healthy: boolean;
    try {
      const report = await engine.health(level);
      body = report;
      // liveness answers "is the process worth keeping": degraded is still alive
      healthy = level === 'live' ? report.status !== 'down' : report.status === 'ok';
    } catch (error) {
      body = { status: 'down', checks: [], error: error instanceof Error ? error.message : String(error) };
      healthy = false;
    }
    res.writeHead(healthy ? 200 : 503, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  /**
   * Alertmanager's webhook receiver: token first, then a bounded body, then the engine parses
   * it. A refused call (401, 400, 413) reaches nothing in the engine.
   */
  async function receiveAlertWebhook(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendHttpText(res, 405, 'method not allowed');
    }
    const offered = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (offered === undefined || !timingSafeEqual(digest(offered), alertWebhookTokenDigest)) {
      logger.warn('refused an alert webhook call', { reason: offered === undefined ? 'no bearer token' : 'wrong token' });
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendHttpText(res, 401, 'unauthorized');
    }
    const body = await readBody(req, limits.maxPayloadBytes);
    if (body === null) {
      // stop reading an oversized body: close the connection once the answer is out
      res.setHeader('Connection', 'close');
      return sendHttpText(res, 413, 'payload too large');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return sendHttpJson(res, 400, { error: 'body is not valid JSON' });
    }
    const result = await engine.ingestAlertmanagerWebhook(payload);
    if (result.ok) return sendHttpJson(res, 200, result.value);
    const status = result.error.type === 'validation' ? 400 : 500;
    return sendHttpJson(res, status, { error: result.error.message.slice(0, 2_000), ...(result.error.paths !== undefined ? { paths: result.error.paths.slice(0, 50) } : {}) });
  }

  async function sendStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const target = resolveStaticPath(staticDir, pathname);
    if (target.kind === 'refused') {
      logger.warn('refused static path', { path: pathname.slice(0, 200), reason: target.reason });
      return sendHttpText(res, 404, 'not found');
    }
    const info = await stat(target.filePath).catch(() => null);
    if (info === null || !info.isFile() || !(await isRealPathInside(staticDir, target.filePath))) {
      if (target.isIndex) return sendHttpText(res, 503, 'renderer not built: run `npm run build:renderer`');
      return sendHttpText(res, 404, 'not found');
    }
    const contentType = contentTypeFor(target.filePath);
    const headers: Record<string, string | number> = { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Content-Length': info.size };
    if (contentType.startsWith('text/html')) {
      headers['Content-Security-Policy'] = csp;
      headers['Cache-Control'] = 'no-cache';
    } else {
      // Vite names built assets by content hash; everything else revalidates
      headers['Cache-Control'] = pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await pipeline(createReadStream(target.filePath), res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // an upgrade socket has no error listener of its own: a reset mid-handshake would crash the process
    socket.on('error', () => socket.destroy());
    const refusal = checkUpgrade(req);
    if (refusal !== null) {
      logger.warn('refused WebSocket upgrade', { status: refusal.status, reason: refusal.reason });
      refuseUpgrade(socket, refusal.status);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  function checkUpgrade(req: IncomingMessage): { status: number; reason: string } | null {
    const url = requestUrl(req);
    if (url === null || url.pathname !== '/ws') return { status: 404, reason: 'not the WebSocket path' };
    // DNS rebinding: a foreign hostname that resolves to 127.0.0.1 still carries its own Host
    if (!isLoopbackHost(req.headers.host)) return { status: 403, reason: 'foreign Host header' };
    // browsers always send Origin; another website's page must not reach the engine
    const origin = req.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `http://${(req.headers.host ?? '').toLowerCase()}`) return { status: 403, reason: 'foreign Origin' };
    const offered = url.searchParams.get('token');
    if (offered === null || !timingSafeEqual(digest(offered), tokenDigest)) return { status: 401, reason: 'missing or wrong token' };
    return null;
  }

  function onConnection(ws: WebSocket): void {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (error) => logger.warn('WebSocket error', { error: error.message }));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      handleFrame(ws, data, isBinary).catch((error: unknown) => {
        logger.error('WebSocket frame handling failed', { error: String(error) });
      });
    });
  }

  async function handleFrame(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return send(ws, { type: 'error', message: 'binary frames are not part of the protocol' });
    let json: unknown;
    try {
      json = JSON.parse(rawDataToString(data));
    } catch {
      return send(ws, { type: 'error', message: 'frame is not valid JSON' });
    }
    const frame = parse(ClientFrame, json, 'frame');
    if (!frame.ok) return send(ws, { type: 'error', message: frame.error.message.slice(0, 1_000) });
    switch (frame.value.type) {
      case 'ping':
        return send(ws, { type: 'pong', id: frame.value.id });
      case 'invoke': {
        const { id, name, request } = frame.value;
        let result: Result<unknown>;
        try {
          result = await engine.invoke(name, request);
        } catch (error) {
          // the engine turns handler failures into results; this guards the host against a broken engine
          logger.error('engine invoke threw', { name, error: String(error) });
          result = err('internal', `${name} failed`);
        }
        return sendResult(ws, id, result);
      }
    }
  }

  function sendResult(ws: WebSocket, id: number, result: Result<unknown>): void {
    let text: string;
    try {
      text = JSON.stringify({ type: 'result', id, result } satisfies ServerFrame);
    } catch (error) {
      logger.error('result not serializable', { id, error: String(error) });
      text = JSON.stringify({ type: 'result', id, result: err('internal', 'result could not be serialized') } satisfies ServerFrame);
    }
    sendSocketText(ws, text);
  }

  function send(ws: WebSocket, frame: ServerFrame): void {
    sendSocketText(ws, JSON.stringify(frame));
  }

  function broadcast(envelope: EventEnvelope): void {
    if (wss.clients.size === 0) return;
    let text: string;
    try {
      const frame: ServerFrame = { type: 'event', topic: envelope.topic, payload: envelope.payload };
      if (envelope.publishedAt !== undefined) frame.publishedAt = envelope.publishedAt;
      text = JSON.stringify(frame);
    } catch (error) {
      logger.error('event not serializable', { topic: envelope.topic, error: String(error) });
      return;
    }
    const coalescible = COALESCED_TOPICS.has(envelope.topic);
    for (const ws of wss.clients) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > limits.disconnectAboveBytes) {
        logger.warn('disconnecting a client that cannot keep up', { bufferedBytes: ws.bufferedAmount });
        ws.terminate();
        continue;
      }
      // a slow client loses stale ticks, never orders or alerts; the next tick supersedes the lost one
      if (coalescible && ws.bufferedAmount > limits.dropCoalescibleAboveBytes) {
        stats.eventsDropped++;
        continue;
      }
      ws.send(text);
      stats.eventsSent++;
    }
  }

  const unsubscribe = engine.subscribeEvents(broadcast);

  const heartbeat =
    limits.heartbeatIntervalMs > 0
      ? setInterval(() => {
          for (const ws of wss.clients) {
            if (alive.get(ws) !== true) {
              ws.terminate();
              continue;
            }
            alive.set(ws, false);
            ws.ping();
          }
        }, limits.heartbeatIntervalMs)
      : null;
  heartbeat?.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, SERVE_BIND_ADDRESS, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    unsubscribe();
    if (heartbeat !== null) clearInterval(heartbeat);
    wss.close();
    throw error;
  }
  server.on('error', (error) => logger.error('serve host error', { error: error.message }));

  const port = (server.address() as AddressInfo).port;
  const url = `http://${SERVE_BIND_ADDRESS}:${port}`;
  logger.info('serve host listening', { url });

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    unsubscribe();
    if (heartbeat !== null) clearInterval(heartbeat);
    const sockets = [...wss.clients];
    const closed = sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
        }),
    );
    for (const ws of sockets) ws.close(1001, 'server shutting down');
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      graceTimer = setTimeout(resolve, limits.closeGraceMs);
    });
    await Promise.race([Promise.all(closed), grace]);
    clearTimeout(graceTimer);
    for (const ws of sockets) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    await Promise.all(closed);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    const serverClosed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    server.closeAllConnections();
    await serverClosed;
    logger.info('serve host closed', { url });
  }

  return {
    url,
    openUrl: `${url}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    stats: () => ({ openSockets: wss.clients.size, ...stats }),
    close: () => (closing ??= close()),
  };
}

function digest(value: string): Buffer {
  // hashing first gives equal-length inputs, so timingSafeEqual never leaks the token's length
  return createHash('sha256').update(value, 'utf8').digest();
}

function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  // any port: an SSH tunnel may forward a different local port to ours
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(hostHeader.toLowerCase());
  return match !== null && match[1] !== undefined && LOOPBACK_HOSTNAMES.has(match[1]);
}

function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** The path exactly as sent, so `/../x` and `%2e%2e` probes reach the traversal check un-normalised. */
function rawPathname(req: IncomingMessage): string {
  const raw = req.url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

function sendSocketText(ws: WebSocket, text: string): void {
  // a result may come back after its client left; there is no one to tell
  if (ws.readyState === WebSocket.OPEN) ws.send(text);
}

/** The body as UTF-8 text, or null once it passes `maxBytes` (the rest is left unread). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      // not destroyed: the socket must stay up to carry the 413
      req.off('data', onData);
      req.pause();
      resolve(null);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function sendHttpJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendHttpText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(body);
}

function refuseUpgrade(socket: Duplex, status: number): void {
  const text = http.STATUS_CODES[status] ?? 'Refused';
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
