import { randomUUID } from 'node:crypto';
import type { PartialHandlers } from '../../../src-shared/contract/commands';
import type { EngineStatusDto } from '../../../src-shared/contract/engine-commands';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import { ok } from '../../../src-shared/contract/result';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import { Money } from '../../../src-shared/domain/values';
import type { Clock } from '../clock/clock';
import type { Logger } from '../ops/logger';

/** What the controls act on: the running sessions (SessionService). */
export interface TradingTargets {
  pauseStrategies(reason: string): void;
  resumeStrategies(reason: string): void;
  flattenAll(reason: string): Promise<{ cancelledOrders: number; flattenedPositions: number }>;
  /** The trader lifted a kill switch: sessions' risk managers trade again. */
  resumeTrading(): void;
  tradingOverview(): Array<{ session: SessionDto; openPositions: number; currency: string; net: Money; unrealized: Money }>;
  /** Live sessions reconcile with their exchange (after sleep, or when the trader asks). */
  reconcileAll?(): Promise<{ sessions: number; differences: number }>;
}

/** Several kinds of sessions (replays, online sessions) behind the one set of controls. */
export class AllSessions implements TradingTargets {
  constructor(private readonly targets: readonly TradingTargets[]) {}
  pauseStrategies(reason: string): void {
    for (const t of this.targets) t.pauseStrategies(reason);
  }
  resumeStrategies(reason: string): void {
    for (const t of this.targets) t.resumeStrategies(reason);
  }
  async flattenAll(reason: string): Promise<{ cancelledOrders: number; flattenedPositions: number }> {
    const results = await Promise.all(this.targets.map((t) => t.flattenAll(reason)));
    return { cancelledOrders: results.reduce((n, r) => n + r.cancelledOrders, 0), flattenedPositions: results.reduce((n, r) => n + r.flattenedPositions, 0) };
  }
  resumeTrading(): void {
    for (const t of this.targets) t.resumeTrading();
  }
  tradingOverview(): ReturnType<TradingTargets['tradingOverview']> {
    return this.targets.flatMap((t) => t.tradingOverview());
  }
  async reconcileAll(): Promise<{ sessions: number; differences: number }> {
    let sessions = 0;
    let differences = 0;
    for (const t of this.targets) {
      const r = await t.reconcileAll?.();
      if (r !== undefined) {
        sessions += r.sessions;
        differences += r.differences;
      }
    }
    return { sessions, differences };
  }
}

export interface TradingControlsOptions {
  sessions: TradingTargets;
  clock: Clock;
  logger: Logger;
  publish: <T extends Topic>(topic: T, payload: EventPayload<T>) => void;
  idFactory?: () => string;
}

export const MANUAL_PAUSE = 'manual';
export const KILL_SWITCH_PAUSE = 'kill-switch';

type TradingState = EngineStatusDto['tradingState'];

/**
 * The engine-wide controls behind the kill switch button, the tray menu and the global hotkey:
 * pause and resume strategies, engage the kill switch, report status, and the wake-from-sleep
 * hook. Today they act on the paper and backtest sessions (SessionService). Live execution plugs
 * in later: the risk manager's kill switch (cancel every venue order, flatten every venue
 * position) and the order manager's reconciliation join these same commands.
 */
export class TradingControls {
  private readonly pauseReasons = new Set<string>();
  private tradingState: TradingState = 'ACTIVE';

  constructor(private readonly options: TradingControlsOptions) {}

  pauseStrategies(): { strategiesPaused: boolean; pauseReasons: string[]; tradingState: TradingState } {
    this.pauseReasons.add(MANUAL_PAUSE);
    this.options.sessions.pauseStrategies(MANUAL_PAUSE);
    this.options.logger.info('strategies paused by the trader');
    this.publishState();
    return this.pauseState();
  }

  /** The trader's explicit decision to trade again: lifts a manual pause and a kill-switch halt. */
  resumeStrategies(): { strategiesPaused: boolean; pauseReasons: string[]; tradingState: TradingState } {
    for (const reason of [MANUAL_PAUSE, KILL_SWITCH_PAUSE]) {
      this.pauseReasons.delete(reason);
      this.options.sessions.resumeStrategies(reason);
    }
    this.options.sessions.resumeTrading();
    this.tradingState = 'ACTIVE';
    this.options.logger.info('strategies resumed by the trader');
    this.publishState();
    return this.pauseState();
  }

  /**
   * Pauses every strategy first (so nothing re-enters while positions close), then cancels every
   * pending order and closes every open position, and raises a critical alert so the trader
   * hears about it wherever it was triggered from.
   */
  async engageKillSwitch(): Promise<{ cancelledOrders: number; flattenedPositions: number }> {
    this.pauseReasons.add(KILL_SWITCH_PAUSE);
    this.options.sessions.pauseStrategies(KILL_SWITCH_PAUSE);
    this.tradingState = 'HALTED';
    const result = await this.options.sessions.flattenAll('kill_switch');
    this.options.logger.warn('kill switch engaged', result);
    this.options.publish('risk_alert', {
      id: this.options.idFactory?.() ?? randomUUID(),
      severity: 'critical',
      source: 'kill-switch',
      code: 'KILL_SWITCH_ENGAGED',
      message: `Kill switch engaged: ${result.cancelledOrders} order(s) cancelled, ${result.flattenedPositions} position(s) closing; strategies halted until resumed`,
      instrumentId: null,
      details: { ...result },
      ts: this.options.clock.now(),
    });
    this.publishState();
    return result;
  }

  /**
   * Called by the desktop shell when the machine wakes from sleep (and by the trader): live
   * sessions reconcile with their exchange (the feeds redial by themselves and mark symbols stale
   * meanwhile). Differences close a session's gate until the trader resolves them.
   */
  async resumeAfterWake(reason: 'system_resume' | 'manual'): Promise<{ reconciled: boolean; detail: string }> {
    this.options.logger.info('resume requested', { reason });
    const result = await this.options.sessions.reconcileAll?.();
    if (result === undefined || result.sessions === 0) return { reconciled: false, detail: 'no live session is running: nothing to reconcile' };
    return {
      reconciled: true,
      detail: result.differences === 0
        ? `${result.sessions} live session(s) reconciled with the exchange: no differences`
        : `${result.sessions} live session(s) reconciled: ${result.differences} difference(s) to resolve before trading continues`,
    };
  }

  status(): EngineStatusDto {
    const overview = this.options.sessions.tradingOverview();
    const byCurrency = new Map<string, { net: Money; unrealized: Money }>();
    let openPositions = 0;
    for (const entry of overview) {
      openPositions += entry.openPositions;
      const sum = byCurrency.get(entry.currency) ?? { net: Money.zero(entry.currency), unrealized: Money.zero(entry.currency) };
      byCurrency.set(entry.currency, { net: sum.net.plus(entry.net), unrealized: sum.unrealized.plus(entry.unrealized) });
    }
    return {
      ...this.pauseState(),
      activeSessions: overview.map(({ session }) => ({ id: session.id, kind: session.kind, name: session.name, progress: session.progress })),
      openPositions,
      pnl: [...byCurrency].map(([currency, sum]) => ({ currency, net: sum.net.toString(), unrealized: sum.unrealized.toString() })),
      ts: this.options.clock.now(),
    };
  }

  handlers(): PartialHandlers {
    return {
      'engine.status': async () => ok(this.status()),
      'engine.resume': async ({ reason }) => ok(await this.resumeAfterWake(reason)),
      'killSwitch.engage': async () => ok(await this.engageKillSwitch()),
      'strategies.pause': async () => ok(this.pauseStrategies()),
      'strategies.resume': async () => ok(this.resumeStrategies()),
    };
  }

  private pauseState(): { strategiesPaused: boolean; pauseReasons: string[]; tradingState: TradingState } {
    return { strategiesPaused: this.pauseReasons.size > 0, pauseReasons: [...this.pauseReasons].sort(), tradingState: this.tradingState };
  }

  private publishState(): void {
    const { strategiesPaused, tradingState } = this.pauseState();
    this.options.publish('engine_state', { status: 'running', tradingState, strategiesPaused, ts: this.options.clock.now() });
  }
}
