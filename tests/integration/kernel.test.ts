import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { COMMAND_NAMES } from '../../src-shared/contract/commands';
import type { EventEnvelope } from '../../src-shared/contract/events';
import { createKernel } from '../../src-main/engine/kernel';
import { memorySink } from '../../src-main/engine/ops/logger';
import { BTC_TRADES, migrationsDir, resourcesDir } from '../fixtures/paths';

type Kernel = Awaited<ReturnType<typeof createKernel>>;

let dataDir: string;
let kernel: Kernel | null = null;

async function startKernel(): Promise<Kernel> {
  let n = 0;
  kernel = await createKernel({ dataDir, migrationsDir, resourcesDir, logSink: memorySink() }, { idFactory: () => `s${++n}` });
  await kernel.start();
  return kernel;
}

/** Row counts of every journal table: "nothing is stored" means these do not move. */
function tableCounts(k: Kernel): Record<string, number> {
  const tables = ['sessions', 'orders', 'fills', 'positions', 'signal_history', 'risk_events', 'strategies', 'recordings', 'trade_chunks'];
  return Object.fromEntries(tables.map((t) => [t, (k.store.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]));
}

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-kernel-'));
});
afterEach(async () => {
  await kernel?.stop();
  kernel = null;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('kernel', () => {
  test('reports liveness, readiness and deep health as data', async () => {
    const k = await startKernel();
    const live = await k.host.health('live');
    expect(live.status).toBe('ok');
    const ready = await k.host.health('ready');
    expect(ready.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['store', 'bus']));
    const deep = await k.host.health('deep');
    expect(deep.checks.find((c) => c.name === 'store_writable')?.ok).toBe(true);
    expect(deep.status).toBe('ok');
  });

  test('stop releases every timer, socket and subscription it created', async () => {
    const before = new Set(process.getActiveResourcesInfo());
    const k = await startKernel();
    // exercise the paths that create timers and subscriptions
    const imported = await k.host.invoke('recordings.importCsv', { path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
    expect(imported.ok).toBe(true);
    const unsubscribe = k.host.subscribeEvents(() => undefined);
    unsubscribe();
    await k.stop();
    kernel = null;
    await new Promise((resolve) => setImmediate(resolve));
    const leaked = process.getActiveResourcesInfo().filter((r) => !before.has(r) && r !== 'TTYWrap');
    expect(leaked).toEqual([]);
    expect(k.bus.listTopics()).toEqual([]);
  });

  test('an unknown command or a malformed payload gets an error result naming the failing path', async () => {
    const k = await startKernel();
    const unknown = await k.host.invoke('orders.deleteEverything', {});
    expect(unknown).toMatchObject({ ok: false, error: { type: 'validation', paths: ['name'] } });
    const bad = await k.host.invoke('recordings.importCsv', { path: 7, instrumentId: 'BTC/USDT:USDT', extra: true });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.paths).toEqual(expect.arrayContaining(['request.path']));
  });

  test('random payloads thrown at every command each get an error or a value, the engine keeps running and nothing is stored', async () => {
    const k = await startKernel();
    const before = tableCounts(k);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...COMMAND_NAMES), fc.anything({ withNullPrototype: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }), async (name, payload) => {
        const result = await k.host.invoke(name, payload);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) {
          expect(result.error.message.length).toBeGreaterThan(0);
          if (result.error.type === 'validation') expect(result.error.paths?.length ?? 0).toBeGreaterThan(0);
          expect(result.error.type).not.toBe('internal');
        }
      }),
      { numRuns: 400 },
    );
    expect(tableCounts(k)).toEqual(before);
    expect((await k.host.health('deep')).status).toBe('ok');
  });

  test('a settings file that fails validation stops start-up with the field named', async () => {
    const settingsPath = path.join(dataDir, 'settings.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(settingsPath, JSON.stringify({ risk: { maxOpenPositions: 0 } }));
    await expect(createKernel({ dataDir, migrationsDir, resourcesDir, logSink: memorySink() })).rejects.toThrow(/risk\.maxOpenPositions/);
    expect(readFileSync(settingsPath, 'utf8')).toBe(JSON.stringify({ risk: { maxOpenPositions: 0 } }));
  });
});

describe('walking skeleton', () => {
  async function backtest(k: Kernel, events?: EventEnvelope[]): Promise<{ sessionId: string; fingerprint: string }> {
    const imported = await k.host.invoke('recordings.importCsv', { path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
    if (!imported.ok) throw new Error(imported.error.message);
    const recording = imported.value as { id: string; tradeCount: number };
    expect(recording.tradeCount).toBe(21_313);
    const strategy = JSON.parse(readFileSync(path.join(resourcesDir, 'strategies', 'skeleton-pump.json'), 'utf8')) as unknown;
    if (events) k.host.subscribeEvents((e) => events.push(e));
    const started = await k.host.invoke('sessions.start', { kind: 'backtest', recordingId: recording.id, strategies: [strategy] });
    if (!started.ok) throw new Error(started.error.message);
    const sessionId = (started.value as { id: string }).id;
    await k.sessions.whenDone(sessionId);
    const result = k.sessions.result(sessionId);
    if (result === undefined) throw new Error('no result');
    return { sessionId, fingerprint: result.metrics.fingerprint };
  }

  test('recorded real trades become an S1 and a Z1 signal, a paper fill and a position, journalled and pushed as events', async () => {
    const k = await startKernel();
    const events: EventEnvelope[] = [];
    const { sessionId } = await backtest(k, events);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the frame-coalesced bridge flush
    const signals = k.store.signals.listBySession(sessionId);
    const sections = new Set(signals.map((s) => s.section));
    expect(sections.has('S1')).toBe(true);
    expect(sections.has('Z1')).toBe(true);
    const fills = k.store.fills.listBySession(sessionId);
    expect(fills.length).toBeGreaterThan(0);
    const positions = k.store.positions.listBySession(sessionId);
    expect(positions).toHaveLength(1);
    expect(positions[0]!.realizedPnl).not.toBe('0');
    const topics = new Set(events.map((e) => e.topic));
    for (const topic of ['signal_generated', 'order_created', 'order_filled', 'position_updated', 'session_state'] as const) expect(topics).toContain(topic);
    expect(k.store.sessions.get(sessionId)?.status).toBe('completed');
    const candles = await k.host.invoke('chart.candles', { recordingId: k.store.recordings.list()[0]!.id, instrumentId: 'BTC/USDT:USDT', timeframe: '1m' });
    expect(candles.ok && (candles.value as unknown[]).length).toBe(6);
  });

  test('the same data and strategy give the same fingerprint on every run', async () => {
    const k = await startKernel();
    const first = await backtest(k);
    const second = await backtest(k);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a CSV with a bad row is refused with its line number and earlier recordings stay intact', async () => {
    const k = await startKernel();
    const good = await k.host.invoke('recordings.importCsv', { path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
    expect(good.ok).toBe(true);
    const badFile = path.join(dataDir, 'bad.csv');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(badFile, 'ts,price,quantity,side\n1000,100.5,1,buy\n2000,-3,1,sell\n');
    const bad = await k.host.invoke('recordings.importCsv', { path: badFile, instrumentId: 'BTC/USDT:USDT' });
    expect(bad).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.path'] } });
    if (!bad.ok) expect(bad.error.message).toMatch(/line 3: price "-3" is not a positive decimal number/);
    writeFileSync(badFile, 'ts,price,quantity,side\n2000,100.5,1,buy\n1000,100,1,sell\n');
    const backwards = await k.host.invoke('recordings.importCsv', { path: badFile, instrumentId: 'BTC/USDT:USDT' });
    if (!backwards.ok) expect(backwards.error.message).toMatch(/line 3: timestamp 1000 goes backwards/);
    const recordings = k.store.recordings.list();
    expect(recordings).toHaveLength(1);
    expect(recordings[0]!.tradeCount).toBe(21_313);
  });
});
