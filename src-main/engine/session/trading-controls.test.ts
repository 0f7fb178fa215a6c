import { describe, expect, test } from 'vitest';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import { Money } from '../../../src-shared/domain/values';
import { SimulatedClock } from '../clock/clock';
import { createLogger, memorySink } from '../ops/logger';
import { KILL_SWITCH_PAUSE, MANUAL_PAUSE, TradingControls, type TradingTargets } from './trading-controls';

/** Sessions as the controls see them: records what it was told, answers with fixed books. */
class StubSessions implements TradingTargets {
  readonly pauses = new Set<string>();
  readonly flattened: string[] = [];
  overview: ReturnType<TradingTargets['tradingOverview']> = [];
  pauseStrategies(reason: string): void {
    this.pauses.add(reason);
  }
  resumeStrategies(reason: string): void {
    this.pauses.delete(reason);
  }
  resumed = 0;
  async flattenAll(reason: string): Promise<{ cancelledOrders: number; flattenedPositions: number }> {
    this.flattened.push(reason);
    return { cancelledOrders: 2, flattenedPositions: 1 };
  }
  resumeTrading(): void {
    this.resumed++;
  }
  reconcileAll?: () => Promise<{ sessions: number; differences: number }>;
  tradingOverview(): ReturnType<TradingTargets['tradingOverview']> {
    return this.overview;
  }
}

function session(id: string): SessionDto {
  return { id, kind: 'paper', status: 'running', name: `paper ${id}`, instruments: ['BTC/USDT:USDT'], strategyIds: ['s'], dataSessionId: 'r', startedAt: 1, endedAt: null, progress: 0.25, error: null, createdAt: 1 };
}

function setup() {
  const sessions = new StubSessions();
  const published: Array<{ topic: Topic; payload: unknown }> = [];
  const clock = new SimulatedClock(1_700_000_000_000);
  const controls = new TradingControls({
    sessions,
    clock,
    logger: createLogger('controls', memorySink()),
    publish: <T extends Topic>(topic: T, payload: EventPayload<T>) => published.push({ topic, payload }),
    idFactory: () => 'alert-1',
  });
  return { sessions, published, controls };
}

describe('TradingControls', () => {
  test('pausing pauses every session and announces the paused engine', () => {
    const { sessions, published, controls } = setup();
    expect(controls.pauseStrategies()).toEqual({ strategiesPaused: true, pauseReasons: [MANUAL_PAUSE], tradingState: 'ACTIVE' });
    expect([...sessions.pauses]).toEqual([MANUAL_PAUSE]);
    expect(published).toEqual([{ topic: 'engine_state', payload: { status: 'running', tradingState: 'ACTIVE', strategiesPaused: true, ts: 1_700_000_000_000 } }]);
  });

  test('the kill switch halts strategies before flattening, and raises a critical alert with the counts', async () => {
    const { sessions, published, controls } = setup();
    expect(await controls.engageKillSwitch()).toEqual({ cancelledOrders: 2, flattenedPositions: 1 });
    expect([...sessions.pauses]).toEqual([KILL_SWITCH_PAUSE]);
    expect(sessions.flattened).toEqual(['kill_switch']);
    expect(published.map((p) => p.topic)).toEqual(['risk_alert', 'engine_state']);
    expect(published[0]!.payload).toMatchObject({
      id: 'alert-1',
      severity: 'critical',
      code: 'KILL_SWITCH_ENGAGED',
      message: 'Kill switch engaged: 2 order(s) cancelled, 1 position(s) closing; strategies halted until resumed',
    });
    expect(published[1]!.payload).toMatchObject({ tradingState: 'HALTED', strategiesPaused: true });
  });

  test('resuming lifts both the manual pause and the kill-switch halt, and lets the sessions trade again', async () => {
    const { sessions, controls } = setup();
    controls.pauseStrategies();
    await controls.engageKillSwitch();
    expect(controls.status()).toMatchObject({ strategiesPaused: true, pauseReasons: [KILL_SWITCH_PAUSE, MANUAL_PAUSE], tradingState: 'HALTED' });
    expect(controls.resumeStrategies()).toEqual({ strategiesPaused: false, pauseReasons: [], tradingState: 'ACTIVE' });
    expect(sessions.pauses.size).toBe(0);
    expect(sessions.resumed).toBe(1);
  });

  test('the status adds up open positions and PnL per settlement currency, exactly', () => {
    const { sessions, controls } = setup();
    sessions.overview = [
      { session: session('a'), openPositions: 1, currency: 'USDT', net: Money.money('10.1'), unrealized: Money.money('0.2') },
      { session: session('b'), openPositions: 2, currency: 'USDT', net: Money.money('-0.3'), unrealized: Money.money('0.1') },
      { session: session('c'), openPositions: 0, currency: 'USDC', net: Money.money('5', 'USDC'), unrealized: Money.zero('USDC') },
    ];
    const status = controls.status();
    expect(status.openPositions).toBe(3);
    expect(status.activeSessions.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(status.pnl).toEqual([
      { currency: 'USDT', net: '9.8', unrealized: '0.3' },
      { currency: 'USDC', net: '5', unrealized: '0' },
    ]);
  });

  test('waking from sleep says plainly when no live session is there to reconcile', async () => {
    const { controls } = setup();
    expect(await controls.resumeAfterWake('system_resume')).toEqual({ reconciled: false, detail: 'no live session is running: nothing to reconcile' });
  });

  test('waking from sleep reconciles the live sessions and reports the differences left to resolve', async () => {
    const { sessions, controls } = setup();
    sessions.reconcileAll = async () => ({ sessions: 1, differences: 2 });
    expect(await controls.resumeAfterWake('system_resume')).toEqual({ reconciled: true, detail: '1 live session(s) reconciled: 2 difference(s) to resolve before trading continues' });
  });
});
