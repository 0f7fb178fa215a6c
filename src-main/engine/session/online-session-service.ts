import { randomUUID } from 'node:crypto';
import type { PartialHandlers } from '../../../src-shared/contract/commands';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import type { LiveSessionDto } from '../../../src-shared/contract/live-commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import type { Settings } from '../../../src-shared/contract/settings';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import { Money } from '../../../src-shared/domain/values';
import { strategyId, validateStrategies, type StrategyDefinition } from '../../../src-shared/strategy/schema';
import type { Clock } from '../clock/clock';
import type { StreamingExchange } from '../data/live-feed';
import { killSwitchTotals, type ExecutionMetricsHooks } from '../execution/trading-stack';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/store';
import { PaperVenue, paperVenueSettings } from '../venues/paper-venue';
import type { Venue } from '../venues/venue';
import { OnlineSession, type FeedMetricsHooks } from './online-session';

/** What a live session needs from the keychain and the exchange adapter (the kernel supplies both). */
export interface ExchangeAccess {
  /** Why live trading is off (no keychain, no keys), or null when it may start. */
  gate(): Promise<string | null>;
  /** A connected venue for the account (keys read from the keychain only here). */
  open(): Promise<Venue>;
}

export interface OnlineSessionServiceOptions {
  store: Store;
  clock: Clock;
  settings: Settings;
  /** The app's catalogue (paper sessions); live sessions take the exchange's own specifications. */
  instruments: ReadonlyMap<InstrumentId, Instrument>;
  logger: Logger;
  publish: <T extends Topic>(topic: T, payload: EventPayload<T>) => void;
  openStream: () => Promise<StreamingExchange>;
  exchange: ExchangeAccess;
  metrics?: ExecutionMetricsHooks & FeedMetricsHooks;
  idFactory?: () => string;
}

/** What is journalled with the session row: everything a restart needs to resume it. */
interface OnlineConfig {
  mode: 'online';
  kind: 'paper' | 'live';
  symbols: string[];
  strategies: StrategyDefinition[];
  capital: string;
  armed: boolean;
}

function isOnlineConfig(value: unknown): value is OnlineConfig {
  return typeof value === 'object' && value !== null && (value as { mode?: unknown }).mode === 'online';
}

/**
 * Online sessions (paper and live on the live feed): start, the reconciliation gate, arming,
 * stop, and resuming live sessions after a restart. At most one live session runs at a time:
 * two would trade the same exchange account against each other's books.
 */
export class OnlineSessionService {
  private readonly running = new Map<string, OnlineSession>();
  private readonly details = new Map<string, string | null>();
  /** Engine-wide strategy pauses (manual, kill switch), applied to sessions started later too. */
  private readonly strategyPauses = new Set<string>();

  constructor(private readonly options: OnlineSessionServiceOptions) {}

  async start(request: { kind: 'paper' | 'live'; symbols: string[]; strategies: unknown[]; capital: string }): Promise<Result<LiveSessionDto>> {
    const validated = validateStrategies(request.strategies);
    if (!validated.ok) return validated;
    const definitions = validated.value;
    const symbols = [...new Set(request.symbols)];
    if (request.kind === 'live') {
      const refused = await this.options.exchange.gate();
      if (refused !== null) return err('conflict', refused, ['request.kind']);
      const live = this.liveSessionId();
      if (live !== null) return err('conflict', `live session ${live} is already running: at most one live session at a time`, ['request.kind']);
    }
    let venue: Venue;
    let instruments: ReadonlyMap<InstrumentId, Instrument>;
    try {
      ({ venue, instruments } = await this.openVenue(request.kind, request.capital));
    } catch (error) {
      return err('unavailable', `cannot connect to the exchange: ${describe(error)}`, ['request.kind']);
    }
    const unknown = symbols.filter((s) => !instruments.has(s as InstrumentId));
    if (unknown.length > 0) {
      await venue.close();
      return err('validation', `unknown symbol(s): ${unknown.join(', ')}`, ['request.symbols']);
    }
    const now = this.options.clock.now();
    const session: SessionDto = {
      id: this.options.idFactory?.() ?? randomUUID(),
      kind: request.kind,
      status: 'created',
      name: `${request.kind} ${definitions.map((d) => d.strategy_name).join(', ')} on ${symbols.join(', ')}`,
      instruments: symbols,
      strategyIds: definitions.map((d) => strategyId(d)),
      dataSessionId: null,
      startedAt: now,
      endedAt: null,
      progress: null,
      error: null,
      createdAt: now,
    };
    const config: OnlineConfig = { mode: 'online', kind: request.kind, symbols, strategies: definitions, capital: request.capital, armed: false };
    // journalled before anything is acted on: a crash from here on resumes this session
    this.options.store.sessions.create(session, config);
    this.options.publish('session_state', session);
    const result = await this.launch(session, config, venue, instruments, false);
    return result;
  }

  arm(sessionId: string): Result<LiveSessionDto> {
    const online = this.running.get(sessionId);
    if (online === undefined) return this.notRunning(sessionId);
    if (online.phase !== 'ready' && online.phase !== 'armed') {
      return err('conflict', `session ${sessionId} is ${online.phase}: it can be armed only once reconciled with the exchange`, ['request.sessionId']);
    }
    online.arm();
    this.journalArmed(sessionId, true);
    return ok(this.dto(sessionId));
  }

  async resolve(sessionId: string, resolution: 'adopt' | 'flatten' | 'cancel'): Promise<Result<LiveSessionDto>> {
    const online = this.running.get(sessionId);
    if (online === undefined) return this.notRunning(sessionId);
    if (resolution === 'cancel') {
      await this.stop(sessionId);
      return ok(this.dto(sessionId));
    }
    try {
      await online.resolve(resolution);
    } catch (error) {
      return err('unavailable', `could not ${resolution}: ${describe(error)}`, ['request.resolution']);
    }
    return ok(this.dto(sessionId));
  }

  /** Stops an online session; false when this service does not run it. */
  async stop(sessionId: string): Promise<boolean> {
    const online = this.running.get(sessionId);
    if (online === undefined) return false;
    this.running.delete(sessionId);
    await online.stop();
    const updated = this.options.store.sessions.updateStatus(sessionId, 'stopped', { endedAt: this.options.clock.now() });
    if (updated !== null) this.options.publish('session_state', updated);
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  /**
   * After a restart: live sessions journalled as created or running are resumed (orders looked up
   * at the exchange, positions restored, reconciled; re-armed only when they were armed and the
   * reconciliation is clean). Paper online sessions cannot resume — their venue lived in memory —
   * and are closed as failed with that reason.
   */
  async resumeJournalled(): Promise<void> {
    const candidates = [...this.options.store.sessions.list({ status: 'running' }), ...this.options.store.sessions.list({ status: 'created' })];
    for (const session of candidates) {
      const config = this.options.store.sessions.getConfig(session.id);
      if (!isOnlineConfig(config) || this.running.has(session.id)) continue;
      if (config.kind === 'paper') {
        this.fail(session.id, 'the app stopped while this paper session ran; a paper venue lives in memory and cannot resume');
        continue;
      }
      const refused = await this.options.exchange.gate();
      if (refused !== null) {
        this.fail(session.id, `cannot resume: ${refused}`);
        continue;
      }
      try {
        const { venue, instruments } = await this.openVenue('live', config.capital);
        await this.launch(session, config, venue, instruments, true);
      } catch (error) {
        this.options.logger.error('live session could not resume', { sessionId: session.id, error: describe(error) });
        this.fail(session.id, `cannot resume: ${describe(error)}`);
      }
    }
  }

  /** The running online session (trader actions, tests), or undefined. */
  session(sessionId: string): OnlineSession | undefined {
    return this.running.get(sessionId);
  }

  runningSessions(): OnlineSession[] {
    return [...this.running.values()];
  }

  pauseStrategies(reason: string): void {
    this.strategyPauses.add(reason);
    for (const online of this.running.values()) online.strategyEngine.pause(reason);
  }

  resumeStrategies(reason: string): void {
    this.strategyPauses.delete(reason);
    for (const online of this.running.values()) online.strategyEngine.resume(reason);
  }

  /** The kill switch over the online sessions: each session's own kill switch. */
  async flattenAll(reason: string): Promise<{ cancelledOrders: number; flattenedPositions: number }> {
    return killSwitchTotals(await Promise.all([...this.running.values()].map((online) => online.stack.engageKillSwitch(reason))));
  }

  resumeTrading(): void {
    for (const online of this.running.values()) online.stack.risk.setTradingState('ACTIVE', 'resumed_by_trader');
  }

  tradingOverview(): Array<{ session: SessionDto; openPositions: number; currency: string; net: Money; unrealized: Money }> {
    const out: Array<{ session: SessionDto; openPositions: number; currency: string; net: Money; unrealized: Money }> = [];
    for (const [id, online] of this.running) {
      const session = this.options.store.sessions.get(id);
      if (session !== null) out.push({ session, ...online.stack.tradingSnapshot() });
    }
    return out;
  }

  /** After sleep or an outage: every live session reconciles with its exchange again (differences close its gate). */
  async reconcileAll(): Promise<{ sessions: number; differences: number }> {
    let differences = 0;
    let sessions = 0;
    for (const online of this.running.values()) {
      if (online.stack.positionSync === null) continue;
      sessions++;
      try {
        differences += (await online.reconcile()).length;
      } catch (error) {
        this.options.logger.warn('reconciliation failed', { error: describe(error) });
      }
    }
    return { sessions, differences };
  }

  handlers(): PartialHandlers {
    return {
      'sessions.startOnline': (request) => this.start(request),
      'sessions.arm': async ({ sessionId }) => this.arm(sessionId),
      'sessions.resolve': ({ sessionId, resolution }) => this.resolve(sessionId, resolution),
      'sessions.online': async ({ sessionId }) => (this.running.has(sessionId) ? ok(this.dto(sessionId)) : this.notRunning(sessionId)),
    };
  }

  private async openVenue(kind: 'paper' | 'live', capital: string): Promise<{ venue: Venue; instruments: ReadonlyMap<InstrumentId, Instrument> }> {
    if (kind === 'paper') {
      const { clock, instruments, settings } = this.options;
      return { venue: new PaperVenue({ clock, instruments, startingBalance: Money.money(capital), name: 'paper', ...paperVenueSettings(settings.paper) }), instruments };
    }
    const venue = await this.options.exchange.open();
    try {
      return { venue, instruments: await venue.loadInstruments() };
    } catch (error) {
      await venue.close();
      throw error;
    }
  }

  private async launch(session: SessionDto, config: OnlineConfig, venue: Venue, instruments: ReadonlyMap<InstrumentId, Instrument>, resume: boolean): Promise<Result<LiveSessionDto>> {
    const online = new OnlineSession({
      session, kind: config.kind, venue, instruments, strategies: config.strategies, capital: Money.money(Decimal.of(config.capital)), settings: this.options.settings,
      clock: this.options.clock, store: this.options.store, logger: this.options.logger.child(session.id.slice(0, 8)), openStream: this.options.openStream,
      publish: this.options.publish, ...(this.options.metrics !== undefined ? { metrics: this.options.metrics } : {}),
      onPhase: (phase, detail) => this.onPhase(session.id, phase, detail),
    });
    for (const reason of this.strategyPauses) online.strategyEngine.pause(reason);
    this.running.set(session.id, online);
    try {
      await online.start({ resume, wasArmed: config.armed });
    } catch (error) {
      this.running.delete(session.id);
      await online.stop().catch(() => undefined);
      this.fail(session.id, `could not start: ${describe(error)}`);
      return err('unavailable', `the session could not start: ${describe(error)}`);
    }
    return ok(this.dto(session.id));
  }

  private onPhase(sessionId: string, phase: LiveSessionDto['phase'], detail: string | null): void {
    this.details.set(sessionId, detail);
    const status: SessionDto['status'] | null = phase === 'armed' ? 'running' : phase === 'stopped' ? null : 'created';
    if (status === null) return;
    const current = this.options.store.sessions.get(sessionId);
    if (current === null || current.status === status || current.status === 'stopped' || current.status === 'failed') return;
    const updated = this.options.store.sessions.updateStatus(sessionId, status);
    if (updated !== null) this.options.publish('session_state', updated);
  }

  private journalArmed(sessionId: string, armed: boolean): void {
    const config = this.options.store.sessions.getConfig(sessionId);
    if (!isOnlineConfig(config)) return;
    this.options.store.sessions.updateConfig(sessionId, { ...config, armed });
  }

  private fail(sessionId: string, message: string): void {
    const updated = this.options.store.sessions.updateStatus(sessionId, 'failed', { endedAt: this.options.clock.now(), error: message });
    if (updated !== null) this.options.publish('session_state', updated);
  }

  private liveSessionId(): string | null {
    for (const [id, online] of this.running) {
      if (this.options.store.sessions.get(id)?.kind === 'live' && online.phase !== 'stopped') return id;
    }
    return null;
  }

  private dto(sessionId: string): LiveSessionDto {
    const session = this.options.store.sessions.get(sessionId)!;
    const online = this.running.get(sessionId);
    return { session, phase: online?.phase ?? 'stopped', differences: online?.differences ?? [], detail: this.details.get(sessionId) ?? null };
  }

  private notRunning(sessionId: string): Result<LiveSessionDto> {
    const stored = this.options.store.sessions.get(sessionId);
    if (stored === null) return err('not_found', `no session ${sessionId}`, ['request.sessionId']);
    return err('conflict', `session ${sessionId} is not a running online session (${stored.kind}, ${stored.status})`, ['request.sessionId']);
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
