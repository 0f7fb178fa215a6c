import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createKernel } from '../../src-main/engine/kernel';
import { memorySink } from '../../src-main/engine/ops/logger';
import { BTC_TRADES, migrationsDir, resourcesDir } from '../fixtures/paths';

/**
 * The kill switch and the strategy pause over a paper session replaying real recorded trades:
 * the replay is held right after its first entry fills, the kill switch is engaged, and the rest
 * of the data runs with strategies halted.
 */

type Kernel = Awaited<ReturnType<typeof createKernel>>;
let dataDir: string;
let kernel: Kernel | null = null;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-kill-switch-'));
});
afterEach(async () => {
  await kernel?.stop();
  kernel = null;
  rmSync(dataDir, { recursive: true, force: true });
});

async function paperSessionHeldAtFirstEntry(holdAtEntry: boolean): Promise<{ k: Kernel; sessionId: string }> {
  let n = 0;
  const k = await createKernel({ dataDir, migrationsDir, resourcesDir, logSink: memorySink() }, { idFactory: () => `s${++n}` });
  kernel = k;
  await k.start();
  const imported = await k.host.invoke('recordings.importCsv', { path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
  if (!imported.ok) throw new Error(imported.error.message);
  if (holdAtEntry) {
    let held = false;
    // the bus delivers synchronously: the replay stops at the very next tick
    k.bus.subscribe('order_filled', ({ order }) => {
      if (held || order.reduceOnly || order.sessionId === null) return;
      held = true;
      k.sessions.pause(order.sessionId);
    }, 'test-hold');
  }
  const strategy = JSON.parse(readFileSync(path.join(resourcesDir, 'strategies', 'skeleton-pump.json'), 'utf8')) as unknown;
  const started = await k.host.invoke('sessions.start', { kind: 'paper', recordingId: (imported.value as { id: string }).id, strategies: [strategy], speed: 0 });
  if (!started.ok) throw new Error(started.error.message);
  return { k, sessionId: (started.value as { id: string }).id };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('kill switch over a paper session', () => {
  test('closes the open position, halts strategies for the rest of the data, and leaves a critical alert in the journal', async () => {
    // without the kill switch this data makes the strategy enter more than once
    const control = await paperSessionHeldAtFirstEntry(false);
    await control.k.sessions.whenDone(control.sessionId);
    const entriesWithout = control.k.store.orders.list({ sessionId: control.sessionId, limit: 1000 }).filter((o) => !o.reduceOnly).length;
    expect(entriesWithout).toBeGreaterThan(1);
    await control.k.stop();
    kernel = null;
    rmSync(dataDir, { recursive: true, force: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-kill-switch-'));

    const { k, sessionId } = await paperSessionHeldAtFirstEntry(true);
    await until(() => k.sessions.replayState(sessionId)?.paused === true && k.store.positions.list({ sessionId }).some((p) => p.side !== 'FLAT'), 'the first entry');

    const before = await k.host.invoke('engine.status', {});
    expect(before).toMatchObject({ ok: true, value: { openPositions: 1, tradingState: 'ACTIVE', strategiesPaused: false, activeSessions: [{ id: sessionId, kind: 'paper' }] } });

    expect(await k.host.invoke('killSwitch.engage', {})).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.confirm'] } });
    expect(await k.host.invoke('killSwitch.engage', { confirm: true })).toEqual({ ok: true, value: { cancelledOrders: 0, flattenedPositions: 1 } });
    expect(await k.host.invoke('engine.status', {})).toMatchObject({ ok: true, value: { tradingState: 'HALTED', strategiesPaused: true, pauseReasons: ['kill-switch'] } });

    expect((await k.host.invoke('sessions.resume', { sessionId })).ok).toBe(true);
    await k.sessions.whenDone(sessionId);

    const orders = k.store.orders.list({ sessionId, limit: 1000 });
    expect(orders.filter((o) => !o.reduceOnly)).toHaveLength(1);
    expect(orders.find((o) => o.reason === 'kill_switch')).toMatchObject({ reduceOnly: true, status: 'FILLED' });
    expect(k.store.positions.list({ sessionId }).every((p) => p.side === 'FLAT')).toBe(true);
    // one critical alert (the sound); the session's own report is info
    expect(k.store.riskEvents.listRecent(10).filter((a) => a.severity === 'critical')).toEqual([expect.objectContaining({ severity: 'critical', code: 'KILL_SWITCH_ENGAGED' })]);
    expect(k.store.riskEvents.listRecent(10).filter((a) => a.severity !== 'critical')).toEqual([expect.objectContaining({ severity: 'info', code: 'kill_switch', source: 'risk' })]);

    expect(await k.host.invoke('strategies.resume', {})).toEqual({ ok: true, value: { strategiesPaused: false, pauseReasons: [], tradingState: 'ACTIVE' } });
  });

  test('a session started while strategies are paused starts paused and never enters', async () => {
    let n = 0;
    const k = await createKernel({ dataDir, migrationsDir, resourcesDir, logSink: memorySink() }, { idFactory: () => `s${++n}` });
    kernel = k;
    await k.start();
    expect(await k.host.invoke('strategies.pause', {})).toEqual({ ok: true, value: { strategiesPaused: true, pauseReasons: ['manual'], tradingState: 'ACTIVE' } });
    const imported = await k.host.invoke('recordings.importCsv', { path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
    if (!imported.ok) throw new Error(imported.error.message);
    const strategy = JSON.parse(readFileSync(path.join(resourcesDir, 'strategies', 'skeleton-pump.json'), 'utf8')) as unknown;
    const started = await k.host.invoke('sessions.start', { kind: 'backtest', recordingId: (imported.value as { id: string }).id, strategies: [strategy] });
    if (!started.ok) throw new Error(started.error.message);
    const sessionId = (started.value as { id: string }).id;
    await k.sessions.whenDone(sessionId);
    expect(k.store.orders.list({ sessionId, limit: 1000 })).toEqual([]);
  });
});
