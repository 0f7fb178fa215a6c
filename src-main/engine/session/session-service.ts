import type { Settings } from '../../../src-shared/contract/settings';
import { randomUUID } from 'node:crypto';
import type { CommandRequest, PartialHandlers } from '../../../src-shared/contract/commands';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { MarketData, SessionDto } from '../../../src-shared/contract/schemas';
import type { ReplayStateDto } from '../../../src-shared/contract/session-commands';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import { Money } from '../../../src-shared/domain/values';
import { strategyId, validateStrategies } from '../../../src-shared/strategy/schema';
import type { Clock } from '../clock/clock';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/store';
import { killSwitchTotals, type TradingStack } from '../execution/trading-stack';
import type { ReplayResult } from './replay-session';
import { ReplaySession } from './replay-session';

export interface SessionServiceOptions {
  store: Store;
  clock: Clock;
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  logger: Logger;
  publish: <T extends Topic>(topic: T, payload: EventPayload<T>) => void;
  /** Every limit a session runs under: strategy slots, paper venue, risk, order manager, bus. */
  settings: Settings;
  idFactory?: () => string;
  /** Called once when a replay ends (completed, or stopped part-way) with its result: the UI's session report is persisted there. */
  onResult?: (sessionId: string, result: ReplayResult) => void;
  /** Stops sessions this service does not run (collect sessions); true when it stopped one. */
  stopOther?: (sessionId: string) => Promise<boolean>;
}

/**
 * Session lifecycle for backtest and offline paper sessions (replays of a recording). Each
 * running session owns its simulated clock and bus; its events are forwarded to the app.
 */
export class SessionService {
  private readonly running = new Map<string, { session: ReplaySession; done: Promise<void> }>();
  private readonly results = new Map<string, ReplayResult>();
  /** Engine-wide strategy pauses (manual, kill switch): every running replay and every one started later. */
  private readonly strategyPauses = new Set<string>();

  constructor(private readonly options: SessionServiceOptions) {}

  start(request: CommandRequest<'sessions.start'>): Result<SessionDto> {
    const { store, instruments } = this.options;
    const recording = store.recordings.get(request.recordingId);
    if (recording === null) return err('not_found', `no recording ${request.recordingId}`, ['request.recordingId']);
    const validated = validateStrategies(request.strategies);
    if (!validated.ok) return validated;
    const definitions = validated.value;
    const unknown = recording.instruments.filter((id) => !instruments.has(id as InstrumentId));
    if (unknown.length > 0) return err('validation', `recording ${recording.id} has instruments with no specification: ${unknown.join(', ')}`, ['request.recordingId']);

    const now = this.options.clock.now();
    const session: SessionDto = {
      id: this.options.idFactory?.() ?? randomUUID(),
      kind: request.kind,
      status: 'running',
      name: `${request.kind} ${definitions.map((d) => d.strategy_name).join(', ')} on ${recording.name}`,
      instruments: recording.instruments,
      strategyIds: definitions.map((d) => strategyId(d)),
      dataSessionId: recording.id,
      startedAt: now,
      endedAt: null,
      progress: 0,
      error: null,
      createdAt: now,
    };
    store.sessions.create(session, { speed: request.speed, capital: request.capital, strategies: definitions });
    this.options.publish('session_state', session);

    const replay = new ReplaySession({
      session,
      chunks: () => store.recordings.readTradeChunks(recording.id),
      ...(recording.bookCount > 0 ? { books: () => store.recordings.readBookChunks(recording.id) } : {}),
      totalTicks: recording.tradeCount + recording.bookCount,
      instruments,
      strategies: definitions,
      capital: Money.money(request.capital),
      speed: request.speed,
      settings: this.options.settings,
      hostClock: this.options.clock,
      store,
      logger: this.options.logger,
      // several replays may play the same instrument at once: the UI tells their ticks apart by session
      forward: (topic, payload) => this.options.publish(topic, topic === 'market_data' ? ({ ...(payload as MarketData), sessionId: session.id } as typeof payload) : payload),
    });
    for (const reason of this.strategyPauses) replay.pauseStrategies(reason);
    const done = replay
      .run((progress) => {
        store.sessions.updateProgress(session.id, progress);
        const current = store.sessions.get(session.id);
        if (current !== null) this.options.publish('session_state', current);
      })
      .then((result) => {
        this.results.set(session.id, result);
        try {
          this.options.onResult?.(session.id, result);
        } catch (error) {
          // a report that cannot be stored must not turn a finished session into a failed one
          this.options.logger.error('session result could not be stored', { sessionId: session.id, error });
        }
        // a replay stopped before the end of its data is 'stopped', not 'completed'
        this.finish(session.id, replay.stoppedEarly ? 'stopped' : 'completed', null);
        this.options.logger.info('session completed', { sessionId: session.id, ticks: result.ticks, ...result.metrics });
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.options.logger.error('session failed', { sessionId: session.id, error });
        this.finish(session.id, 'failed', message);
      })
      .finally(() => {
        this.running.delete(session.id);
      });
    this.running.set(session.id, { session: replay, done });
    return ok(session);
  }

  /** Pauses a running replay where it is; resume() continues from there. */
  pause(sessionId: string): Result<ReplayStateDto> {
    return this.control(sessionId, (replay) => {
      replay.pause();
      this.setStatus(sessionId, 'paused');
    });
  }

  resume(sessionId: string): Result<ReplayStateDto> {
    return this.control(sessionId, (replay) => {
      replay.resume();
      this.setStatus(sessionId, 'running');
    });
  }

  /**
   * Forward: fast-forwards (no pacing) to ts. Backward: restarts the replay from the beginning
   * and fast-forwards to ts; the journal is rewritten with the same deterministic ids.
   */
  seek(sessionId: string, ts: number): Result<ReplayStateDto> {
    return this.control(sessionId, (replay) => replay.seek(ts));
  }

  setSpeed(sessionId: string, speed: number): Result<ReplayStateDto> {
    return this.control(sessionId, (replay) => replay.setSpeed(speed));
  }

  /** Where a running replay stands, or undefined when it is not running. */
  replayState(sessionId: string): ReplayStateDto | undefined {
    const entry = this.running.get(sessionId);
    const stored = this.options.store.sessions.get(sessionId);
    if (entry === undefined || stored === null) return undefined;
    return { sessionId, status: stored.status, ...entry.session.controls() };
  }

  async stop(sessionId: string): Promise<Result<SessionDto>> {
    const entry = this.running.get(sessionId);
    const stored = this.options.store.sessions.get(sessionId);
    if (stored === null) return err('not_found', `no session ${sessionId}`, ['request.sessionId']);
    if (entry === undefined) {
      // not a replay: a collect session (or one already over)
      if ((await this.options.stopOther?.(sessionId)) === true) return ok(this.options.store.sessions.get(sessionId) ?? stored);
      return ok(stored);
    }
    entry.session.stop();
    await entry.done;
    this.finish(sessionId, 'stopped', null);
    return ok(this.options.store.sessions.get(sessionId) ?? stored);
  }

  /** The running replay of a session (the UI's state overview and chart read it), or undefined. */
  replay(sessionId: string): ReplaySession | undefined {
    return this.running.get(sessionId)?.session;
  }

  runningSessionIds(): string[] {
    return [...this.running.keys()];
  }

  result(sessionId: string): ReplayResult | undefined {
    return this.results.get(sessionId);
  }

  /** Waits for a session to end (tests, CLI). */
  async whenDone(sessionId: string): Promise<void> {
    await this.running.get(sessionId)?.done;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  /** No new entries in any session while a reason holds; exits still run. */
  pauseStrategies(reason: string): void {
    this.strategyPauses.add(reason);
    for (const { session } of this.running.values()) session.pauseStrategies(reason);
  }

  resumeStrategies(reason: string): void {
    this.strategyPauses.delete(reason);
    for (const { session } of this.running.values()) session.resumeStrategies(reason);
  }

  /** The kill switch over the paper sessions: each session's own kill switch (halt, cancel, flatten). */
  async flattenAll(reason: string): Promise<{ cancelledOrders: number; flattenedPositions: number }> {
    return killSwitchTotals(await Promise.all([...this.running.values()].map(({ session }) => session.flatten(reason))));
  }

  /** The trader lifted the kill switch: every running session's risk manager trades again. */
  resumeTrading(): void {
    for (const { session } of this.running.values()) session.resumeTrading();
  }

  /** The execution layer of a running session (the trader's order and position actions), or undefined. */
  tradingStack(sessionId: string): TradingStack | undefined {
    return this.running.get(sessionId)?.session.execution;
  }

  /** The running sessions with their open positions and PnL, for the engine status. */
  tradingOverview(): Array<{ session: SessionDto } & ReturnType<ReplaySession['tradingSnapshot']>> {
    const overview: Array<{ session: SessionDto } & ReturnType<ReplaySession['tradingSnapshot']>> = [];
    for (const [sessionId, { session }] of this.running) {
      const stored = this.options.store.sessions.get(sessionId);
      if (stored !== null) overview.push({ session: stored, ...session.tradingSnapshot() });
    }
    return overview;
  }

  handlers(): PartialHandlers {
    return {
      'sessions.list': async () => ok(this.options.store.sessions.list()),
      'sessions.start': async (request) => this.start(request),
      'sessions.stop': ({ sessionId }) => this.stop(sessionId),
      'sessions.pause': async ({ sessionId }) => this.pause(sessionId),
      'sessions.resume': async ({ sessionId }) => this.resume(sessionId),
      'sessions.seek': async ({ sessionId, ts }) => this.seek(sessionId, ts),
      'sessions.setSpeed': async ({ sessionId, speed }) => this.setSpeed(sessionId, speed),
    };
  }

  private control(sessionId: string, act: (replay: ReplaySession) => void): Result<ReplayStateDto> {
    const stored = this.options.store.sessions.get(sessionId);
    if (stored === null) return err('not_found', `no session ${sessionId}`, ['request.sessionId']);
    const entry = this.running.get(sessionId);
    if (entry === undefined) return err('conflict', `session ${sessionId} is ${stored.status}, not running; only a running replay can be controlled`, ['request.sessionId']);
    act(entry.session);
    return ok(this.replayState(sessionId)!);
  }

  private setStatus(sessionId: string, status: 'running' | 'paused'): void {
    const current = this.options.store.sessions.get(sessionId);
    if (current === null || current.status === status || (current.status !== 'running' && current.status !== 'paused')) return;
    const updated = this.options.store.sessions.updateStatus(sessionId, status);
    if (updated !== null) this.options.publish('session_state', updated);
  }

  private finish(sessionId: string, status: 'completed' | 'stopped' | 'failed', error: string | null): void {
    const current = this.options.store.sessions.get(sessionId);
    if (current === null || (current.status !== 'running' && current.status !== 'paused')) return;
    const updated = this.options.store.sessions.updateStatus(sessionId, status, {
      endedAt: this.options.clock.now(),
      progress: status === 'completed' ? 1 : current.progress,
      error,
    });
    if (updated !== null) this.options.publish('session_state', updated);
  }
}
