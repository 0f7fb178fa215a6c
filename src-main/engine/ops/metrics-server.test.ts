import http from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { startMetricsServer, type MetricsServer } from './metrics-server';

const engine = {
  scrapes: 0,
  async metrics() {
    this.scrapes++;
    return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'orders_submitted_total 3\n' };
  },
};

let server: MetricsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function get(port: number, path: string, host = `127.0.0.1:${port}`, method = 'GET'): Promise<{ status: number; body: string; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startMetricsServer', () => {
  test("serves the engine's registry at /metrics on 127.0.0.1", async () => {
    server = await startMetricsServer({ host: engine, port: 0 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const response = await get(server.port, '/metrics');
    expect(response).toEqual({ status: 200, body: 'orders_submitted_total 3\n', contentType: 'text/plain; version=0.0.4; charset=utf-8' });
  });

  test('serves nothing else, only reads, and refuses a foreign Host header', async () => {
    server = await startMetricsServer({ host: engine, port: 0 });
    const before = engine.scrapes;
    expect((await get(server.port, '/')).status).toBe(404);
    expect((await get(server.port, '/metrics', `127.0.0.1:${server.port}`, 'POST')).status).toBe(405);
    expect((await get(server.port, '/metrics', `rebind.evil.example:${server.port}`)).status).toBe(421);
    expect(engine.scrapes).toBe(before);
  });

  test('a port already in use fails start-up', async () => {
    server = await startMetricsServer({ host: engine, port: 0 });
    await expect(startMetricsServer({ host: engine, port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  test('close stops listening and is idempotent', async () => {
    const started = await startMetricsServer({ host: engine, port: 0 });
    await Promise.all([started.close(), started.close()]);
    await expect(get(started.port, '/metrics')).rejects.toThrow();
  });
});
