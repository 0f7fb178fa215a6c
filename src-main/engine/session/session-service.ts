import { randomUUID } from 'node:crypto';
import type { CommandRequest, PartialHandlers } from '../../../src-shared/contract/commands';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import { Money } from '../../../src-shared/domain/values';
import { validateStrategy, type StrategyDefinition } from '../../../src-shared/strategy/schema';
import { strategyId } from '../../../src-shared/strategy/schema';
import type { Clock } from '../clock/clock';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/store';
import type { ReplayResult } from './replay-session';
import { ReplaySession } from './replay-session';

export interface SessionServiceOptions {
  store: Store;
  clock: Clock;
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  logger: Logger;
  publish: <T extends Topic>(topic: T, payload: EventPayload<T>) => void;
  signalSlots: number;
  slippageBps: number;
  busRetryDelaysMs: number[];
  idFactory?: () => string;
}

/**
 * Session lifecycle for backtest and offline paper sessions (replays of a recording). Each
 * running session owns its simulated clock and bus; its events are forwarded to the app.
 */
export class SessionService {
  private readonly running = new Map<string, { session: ReplaySession; done: Promise<void> }>();
  private readonly results = new Map<string, ReplayResult>();

  constructor(private readonly options: SessionServiceOptions) {}

  start(request: CommandRequest<'sessions.start'>): Result<SessionDto> {
    const { store, instruments } = this.options;
    const recording = store.recordings.get(request.recordingId);
    if (recording === null) return err('not_found', `no recording ${request.recordingId}`, ['request.recordingId']);
    const definitions: StrategyDefinition[] = [];
    const problems: string[] = [];
    const paths: string[] = [];
    request.strategies.forEach((raw, index) => {
      const validated = validateStrategy(raw);
      if (validated.ok) definitions.push(validated.value);
      else {
        problems.push(`strategies[${index}]: ${validated.error.message}`);
        paths.push(...(validated.error.paths ?? []).map((p) => `request.strategies[${index}].${p}`));
      }
    });
    if (problems.length > 0) return err('validation', problems.join('; '), paths);
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
      totalTicks: recording.tradeCount,
      instruments,
      strategies: definitions,
      capital: Money.money(request.capital),
      speed: request.speed,
      signalSlots: this.options.signalSlots,
      busRetryDelaysMs: this.options.busRetryDelaysMs,
      slippageBps: this.options.slippageBps,
      hostClock: this.options.clock,
      store,
      logger: this.options.logger,
      forward: this.options.publish,
    });
    const done = replay
      .run((progress) => {
        store.sessions.updateProgress(session.id, progress);
        const current = store.sessions.get(session.id);
        if (current !== null) this.options.publish('session_state', current);
      })
      .then((result) => {
        this.results.set(session.id, result);
        this.finish(session.id, 'completed', null);
        this.options.logger.info('session completed', { sessionId: session.id, ticks: result.ticks, ...result.metrics });
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.options.logger.error('session failed', { sessionId: session.id, error });
        this.finish(session.id, 'failed', message);
      })
      .finally(() => {
        replay.stop();
        this.running.delete(session.id);
      });
    this.running.set(session.id, { session: replay, done });
    return ok(session);
  }

  async stop(sessionId: string): Promise<Result<SessionDto>> {
    const entry = this.running.get(sessionId);
    const stored = this.options.store.sessions.get(sessionId);
    if (stored === null) return err('not_found', `no session ${sessionId}`, ['request.sessionId']);
    if (entry === undefined) return ok(stored);
    entry.session.stop();
    await entry.done;
    this.finish(sessionId, 'stopped', null);
    return ok(this.options.store.sessions.get(sessionId) ?? stored);
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

  handlers(): PartialHandlers {
    return {
      'sessions.list': async () => ok(this.options.store.sessions.list()),
      'sessions.start': async (request) => this.start(request),
      'sessions.stop': ({ sessionId }) => this.stop(sessionId),
    };
  }

  private finish(sessionId: string, status: 'completed' | 'stopped' | 'failed', error: string | null): void {
    const current = this.options.store.sessions.get(sessionId);
    if (current === null || current.status !== 'running') return;
    const updated = this.options.store.sessions.updateStatus(sessionId, status, {
      endedAt: this.options.clock.now(),
      progress: status === 'completed' ? 1 : current.progress,
      error,
    });
    if (updated !== null) this.options.publish('session_state', updated);
  }
}
