import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { CommandName, CommandResponse } from '../../../src-shared/contract/commands';
import type { RecordingDto, SessionDto } from '../../../src-shared/contract/schemas';
import { Decimal } from '../../../src-shared/domain/decimal';
import { BTC_TRADES, migrationsDir, resourcesDir } from '../../../tests/fixtures/paths';
import { createKernel } from '../kernel';
import { memorySink } from '../ops/logger';
import { DEMO_RECORDING_NAME } from './first-run';

type Kernel = Awaited<ReturnType<typeof createKernel>>;

let dataDir: string;
const kernels: Kernel[] = [];

async function startKernel(firstRunDemo = false): Promise<Kernel> {
  const kernel = await createKernel({ dataDir, migrationsDir, resourcesDir, logSink: memorySink() }, { firstRunDemo });
  kernels.push(kernel);
  await kernel.start();
  return kernel;
}

async function stopKernel(kernel: Kernel): Promise<void> {
  kernels.splice(kernels.indexOf(kernel), 1);
  await kernel.stop();
}

async function call<N extends CommandName>(kernel: Kernel, name: N, request: unknown): Promise<CommandResponse<N>> {
  const result = await kernel.host.invoke(name, request);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as CommandResponse<N>;
}

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-ui-queries-'));
});
afterEach(async () => {
  for (const kernel of [...kernels]) await stopKernel(kernel);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('first run', () => {
  test('a fresh data directory opens an offline paper session on the bundled demo trades', async () => {
    const kernel = await startKernel(true);
    const recordings = await call(kernel, 'recordings.list', {});
    expect(recordings.map((recording: RecordingDto) => [recording.name, recording.tradeCount])).toEqual([[DEMO_RECORDING_NAME, 21_313]]);
    const sessions = await call(kernel, 'sessions.list', {});
    expect(sessions).toHaveLength(1);
    const demo = sessions[0] as SessionDto;
    expect(demo).toMatchObject({ kind: 'paper', status: 'running', dataSessionId: recordings[0]!.id, strategyIds: ['dump-short', 'pump-long'] });

    // the chart's history stops where the replay is; the rest of the recording is its future
    const candles = await until(
      () => call(kernel, 'chart.sessionCandles', { sessionId: demo.id, instrumentId: 'BTC/USDT:USDT', timeframe: '1s' }),
      (answer) => answer.candles.length > 2,
    );
    expect(candles.live).toBe(true);
    expect(candles.untilTs).not.toBeNull();
    expect(candles.untilTs!).toBeLessThan(recordings[0]!.lastTs!);
    expect(candles.candles.at(-1)!.time * 1000).toBeLessThanOrEqual(candles.untilTs!);

    const states = await call(kernel, 'strategies.states', { sessionId: demo.id });
    expect(states.running).toBe(true);
    expect(states.rows.map((row) => [row.strategyId, row.instrumentId])).toEqual([['dump-short', 'BTC/USDT:USDT'], ['pump-long', 'BTC/USDT:USDT']]);
    const progress = await call(kernel, 'strategies.progress', { sessionId: demo.id, strategyId: 'pump-long', instrumentId: 'BTC/USDT:USDT' });
    expect(progress.running).toBe(true);
    expect(progress.progress?.sections.S1.map((condition) => condition.id)).toEqual(['s1-pump']);
    expect(progress.progress?.sections.Z1.map((condition) => condition.id)).toEqual(['z1-velocity', 'z1-volume']);
  });

  test('does not start when settings turn it off', async () => {
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ firstRun: { demo: false } }));
    const kernel = await startKernel(true);
    expect(await call(kernel, 'recordings.list', {})).toEqual([]);
    expect(await call(kernel, 'sessions.list', {})).toEqual([]);
  });

  test('never touches a store that was already used', async () => {
    const first = await startKernel(false);
    await call(first, 'recordings.importCsv', { path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT', name: 'mine' });
    await stopKernel(first);
    const second = await startKernel(true);
    expect((await call(second, 'recordings.list', {})).map((recording) => recording.name)).toEqual(['mine']);
    expect(await call(second, 'sessions.list', {})).toEqual([]);
  });
});

describe('session reports', () => {
  test('a finished backtest leaves a report with equity curve, drawdown and per-strategy rows that survives a restart', async () => {
    const kernel = await startKernel();
    const recording = await call(kernel, 'recordings.importCsv', { path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
    const strategies = (await call(kernel, 'strategies.list', {})).filter((entry) => entry.id === 'dump-short' || entry.id === 'pump-long').map((entry) => entry.definition);
    const session = await call(kernel, 'sessions.start', { kind: 'backtest', recordingId: recording.id, strategies, speed: 0, capital: '10000' });
    await kernel.sessions.whenDone(session.id);
    const result = kernel.sessions.result(session.id)!;
    const report = await call(kernel, 'sessions.report', { sessionId: session.id });
    expect(report.metrics).toEqual(result.metrics);
    expect(report.trades).toHaveLength(result.metrics.trades);
    expect(report.equityCurve[0]).toEqual({ ts: recording.firstTs, equity: '10000' });
    expect(report.equityCurve.at(-1)!.equity).toBe(Decimal.of('10000').add(result.metrics.netPnl).toString());
    expect(report.strategies.map((row) => row.strategyId).sort()).toEqual(['dump-short', 'pump-long']);
    expect(Math.min(...report.drawdown.map((point) => Number(point.drawdown)))).toBeCloseTo(-Number(result.metrics.maxDrawdown), 9);
    await stopKernel(kernel);

    const restarted = await startKernel();
    expect(await call(restarted, 'sessions.report', { sessionId: session.id })).toEqual(report);
    expect(await restarted.host.invoke('sessions.report', { sessionId: 'nope' })).toMatchObject({ ok: false, error: { type: 'not_found', paths: ['request.sessionId'] } });
  });
});

describe('alerts', () => {
  test('acknowledged alerts stay listed with the time, dismissed ones disappear, and both survive a restart', async () => {
    const kernel = await startKernel();
    for (const [id, ts] of [['a1', 1_000], ['a2', 2_000]] as const) {
      kernel.bus.publish('risk_alert', { id, severity: 'critical', source: 'test', code: 'LIQUIDATION_NEAR', message: `alert ${id}`, instrumentId: null, ts });
    }
    expect((await call(kernel, 'alerts.recent', {})).map((alert) => [alert.id, alert.acknowledgedAt])).toEqual([['a2', null], ['a1', null]]);
    const acknowledged = await call(kernel, 'alerts.acknowledge', { id: 'a2' });
    expect(acknowledged.acknowledgedAt).not.toBeNull();
    const dismissed = await call(kernel, 'alerts.dismiss', { id: 'a1' });
    expect(dismissed.dismissedAt).not.toBeNull();
    expect(dismissed.acknowledgedAt).not.toBeNull();
    expect(await kernel.host.invoke('alerts.dismiss', { id: 'ghost' })).toMatchObject({ ok: false, error: { type: 'not_found', paths: ['request.id'] } });
    await stopKernel(kernel);

    const restarted = await startKernel();
    expect((await call(restarted, 'alerts.recent', {})).map((alert) => [alert.id, alert.acknowledgedAt === null])).toEqual([['a2', false]]);
  });
});
