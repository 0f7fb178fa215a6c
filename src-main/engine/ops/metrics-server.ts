import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EngineHost } from '../host';

export interface MetricsServerOptions {
  host: Pick<EngineHost, 'metrics'>;
  /** settings.metrics.port; 0 picks a free one. */
  port: number;
  logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

export interface MetricsServer {
  /** `http://127.0.0.1:PORT/metrics`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Prometheus scrapes on loopback; reaching it from elsewhere means a tunnel the trader set up. */
export const METRICS_BIND_ADDRESS = '127.0.0.1';
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i;

/**
 * The desktop app's opt-in `/metrics` (settings.metrics.enabled): the engine's registry on
 * 127.0.0.1 and nothing else. Serve mode has its own `/metrics` on the serve port.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    respond(req, res).catch((error: unknown) => {
      options.logger?.warn('metrics request failed', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a web page under a foreign name that resolves to 127.0.0.1 must not read positions
    if (!LOOPBACK_HOST.test(req.headers.host ?? '')) return sendText(res, 421, 'misdirected request');
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname !== '/metrics') return sendText(res, 404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'method not allowed');
    }
    const metrics = await options.host.metrics();
    res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : metrics.body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, METRICS_BIND_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => options.logger?.warn('metrics server error', { error: error.message }));
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${METRICS_BIND_ADDRESS}:${port}/metrics`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}
