import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createMexcStream } from '../../src-main/engine/data/mexc-stream';
import { createKernel } from '../../src-main/engine/kernel';
import { memorySink } from '../../src-main/engine/ops/logger';
import { migrationsDir, resourcesDir } from '../fixtures/paths';
import { startMexcSimulator, type MexcSimulator } from '../mexc-sim';

let sim: MexcSimulator | null = null;
let kernel: Awaited<ReturnType<typeof createKernel>> | null = null;
let dataDir = '';

afterEach(async () => {
  await kernel?.stop();
  kernel = null;
  await sim?.close();
  sim = null;
  if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a collect session records live trades into a new recording, flushed in batches and finalised on stop', async () => {
  sim = await startMexcSimulator({ apiKey: 'k', secret: 's' });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-collect-'));
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ store: { flushIntervalMs: 100 } }));
  const urls = sim.ccxtUrls();
  kernel = await createKernel({ dataDir, migrationsDir, resourcesDir, logSink: memorySink() }, { openMarketStream: () => createMexcStream({ urls }) });
  await kernel.start();
  const started = await kernel.host.invoke('sessions.collect', { symbols: ['BTC/USDT:USDT'] });
  if (!started.ok) throw new Error(started.error.message);
  const session = started.value as { id: string; dataSessionId: string; kind: string };
  expect(session.kind).toBe('collect');
  await waitFor(() => sim!.ws.subscriptions().some((s) => s.includes('deal:BTC_USDT')));
  const base = Date.now();
  for (let i = 0; i < 50; i++) sim.trade('BTC_USDT', 60_000 + i * 0.5, 1 + (i % 3), i % 2 === 0 ? 'buy' : 'sell', base + i);
  await waitFor(() => (kernel!.store.recordings.bufferedCount() + kernel!.store.recordings.countTrades(session.dataSessionId)) >= 50);
  const stopped = await kernel.host.invoke('sessions.stop', { sessionId: session.id });
  expect(stopped).toMatchObject({ ok: true, value: { status: 'stopped' } });
  const recording = kernel.store.recordings.get(session.dataSessionId);
  expect(recording?.tradeCount).toBe(50);
  expect(recording?.instruments).toEqual(['BTC/USDT:USDT']);
  const chunks = [...kernel.store.recordings.readTradeChunks(session.dataSessionId)];
  expect(chunks[0]!.price[49]).toBe(60_024.5);
  expect(chunks[0]!.quantity[0]).toBeCloseTo(0.0001, 12); // 1 contract × 0.0001 BTC
});

test('a stream that cannot be opened is refused plainly and leaves no recording behind', async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-collect-'));
  kernel = await createKernel({ dataDir, migrationsDir, resourcesDir, logSink: memorySink() }, {
    openMarketStream: async () => {
      throw new Error('getaddrinfo ENOTFOUND contract.mexc.com');
    },
  });
  await kernel.start();
  const result = await kernel.host.invoke('sessions.collect', { symbols: ['BTC/USDT:USDT'] });
  expect(result).toMatchObject({ ok: false, error: { type: 'unavailable' } });
  if (!result.ok) expect(result.error.message).toMatch(/ENOTFOUND/);
  expect(kernel.store.recordings.list()).toHaveLength(0);
});
