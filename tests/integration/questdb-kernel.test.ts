import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createKernel } from '../../src-main/engine/kernel';
import { memorySink } from '../../src-main/engine/ops/logger';
import { BTC_TRADES, migrationsDir, resourcesDir } from '../fixtures/paths';

type Kernel = Awaited<ReturnType<typeof createKernel>>;
let kernel: Kernel | null = null;
const dataDirs: string[] = [];
afterEach(async () => {
  await kernel?.stop();
  kernel = null;
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function kernelWith(settings: unknown): Promise<Kernel> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-questdb-'));
  dataDirs.push(dataDir);
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(settings));
  kernel = await createKernel({ dataDir, migrationsDir, resourcesDir, logSink: memorySink() });
  await kernel.start();
  return kernel;
}

test('with the QuestDB sink enabled a paper replay\'s trades and fills reach the listener; an unreachable QuestDB only raises an alert', async () => {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    let pending = '';
    socket.on('data', (text: string) => {
      pending += text;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const k = await kernelWith({ questdb: { enabled: true, port, flushIntervalMs: 20 } });
    const imported = await k.host.invoke('recordings.importCsv', { path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
    if (!imported.ok) throw new Error(imported.error.message);
    const strategy = JSON.parse(readFileSync(path.join(resourcesDir, 'strategies', 'dump-short.json'), 'utf8')) as unknown;
    // a paced replay publishes its market data to the app, as a live feed would
    const started = await k.host.invoke('sessions.start', { kind: 'paper', recordingId: (imported.value as { id: string }).id, strategies: [strategy], speed: 10_000 });
    if (!started.ok) throw new Error(started.error.message);
    await k.sessions.whenDone((started.value as { id: string }).id);
    await until(() => lines.some((l) => l.startsWith('fills,')) && lines.filter((l) => l.startsWith('trades,')).length === 21_313);
    expect(lines.find((l) => l.startsWith('trades,'))).toBe('trades,instrument=BTC/USDT:USDT,side=buy price=61800.3,quantity=0.006 1723161256322000000');
    await k.stop();
    kernel = null;
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // the same port, now closed: the engine starts and runs anyway, with a warning journalled
  const k = await kernelWith({ questdb: { enabled: true, port } });
  await until(() => k.store.riskEvents.listRecent(10).some((a) => a.code === 'questdb_unreachable'));
  expect((await k.host.health('deep')).status).toBe('ok');
});
