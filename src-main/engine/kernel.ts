import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EventPayload, Topic } from '../../src-shared/contract/events';
import { ok } from '../../src-shared/contract/result';
import type { HealthReport } from '../../src-shared/contract/schemas';
import { InProcessEventBus } from './bus/event-bus';
import { WallClock, type Clock } from './clock/clock';
import { loadInstrumentCatalog } from './data/instruments';
import { RecordingService } from './data/recording-service';
import { CommandDispatcher, combineHandlers } from './dispatcher';
import type { StreamingExchange } from './data/live-feed';
import { createMexcStream } from './data/mexc-stream';
import { CollectService } from './session/collect-service';
import type { EngineHost, EngineKernel, KernelOptions } from './host';
import { CredentialsService } from './keychain/credentials-service';
import { KeyringSecretStore, type SecretStore } from './keychain/secret-store';
import { createLogger, consoleSink, type LogSink } from './ops/logger';
import { AlertWebhookService } from './ops/alert-webhook';
import { EngineMetrics } from './ops/metrics';
import { AlertActions } from './queries/alert-actions';
import { startFirstRunDemo } from './queries/first-run';
import { instrumentCatalogHandlers } from './queries/instrument-catalog';
import { SessionCandles } from './queries/session-candles';
import { SessionReports } from './queries/session-reports';
import { SettingsService } from './queries/settings-service';
import { StrategyLibrary } from './queries/strategy-library';
import { StrategyStates } from './queries/strategy-states';
import { SessionService } from './session/session-service';
import { AllSessions, TradingControls } from './session/trading-controls';
import { OnlineSessionService } from './session/online-session-service';
import type { ExchangeCredentials } from './keychain/credentials-service';
import { CcxtVenue } from './venues/ccxt-venue';
import type { Venue } from './venues/venue';
import type { Settings } from '../../src-shared/contract/settings';
import type { Logger } from './ops/logger';
import { TradingDesk } from './session/trading-desk';
import { AlertDismissalRepository } from './store/alert-dismissals';
import { QuestDbSink } from './store/questdb/questdb-sink';
import { SessionResultRepository } from './store/session-results';
import { loadSettings } from './store/settings-file';
import { openStore } from './store/store';
import { UiEventBridge } from './ui-event-bridge';

export interface KernelDependencies {
  /** Defaults to the wall clock; tests inject a simulated one. */
  clock?: Clock;
  logSink?: LogSink;
  /** Ids for sessions (tests make them deterministic). */
  idFactory?: () => string;
  /** Defaults to the OS keychain; tests pass one filed under a service of their own. */
  secretStore?: SecretStore;
  /**
   * The app's hosts (serve mode, the desktop shell) set this so a fresh data directory starts the
   * demo paper session (settings firstRun.demo can still turn it off); off by default so tests
   * and scripts that build a kernel start from an empty store.
   */
  firstRunDemo?: boolean;
  /** Opens the public market-data stream for collect sessions; defaults to ccxt.pro MEXC (tests pass the simulator). */
  openMarketStream?: () => Promise<StreamingExchange>;
  /** Builds the exchange venue from the keychain's keys; defaults to ccxt MEXC (tests point it at the simulator). */
  openExchangeVenue?: ExchangeVenueFactory;
}

export type ExchangeVenueFactory = (credentials: ExchangeCredentials, context: { clock: Clock; settings: Settings; logger: Logger }) => Venue | Promise<Venue>;

/** The real exchange: MEXC USDT-M perpetuals through ccxt. */
const defaultExchangeVenue: ExchangeVenueFactory = (credentials, { clock, settings, logger }) =>
  new CcxtVenue({ exchangeId: 'mexc', credentials: { apiKey: credentials.apiKey, secret: credentials.apiSecret }, clock, logger, rateLimitPerSecond: settings.rateLimits.venueRequestsPerSecond, timeoutMs: 10_000 });

/**
 * The composition root: creates, wires, starts and stops everything. No business logic lives
 * here — each service owns its commands and the kernel only combines them.
 */
export async function createKernel(options: KernelOptions, dependencies: KernelDependencies = {}): Promise<EngineKernel & KernelInternals> {
  const sink = options.logSink ?? dependencies.logSink ?? consoleSink();
  const logger = createLogger('kernel', sink);
  const clock = dependencies.clock ?? new WallClock();
  const settings = loadSettings(path.join(options.dataDir, 'settings.json'));
  const store = openStore(path.join(options.dataDir, 'surge.db'), {
    migrationsDir: options.migrationsDir,
    logger: logger.child('store'),
    clock,
    tradeChunkSize: settings.store.tradeChunkSize,
    bookChunkSize: settings.store.bookChunkSize,
  });
  const bus = new InProcessEventBus({
    clock,
    retryDelaysMs: settings.bus.retryDelaysMs,
    maxDeadLetters: 1000,
    logger: logger.child('bus'),
  });
  const instruments = loadInstrumentCatalog(options.resourcesDir);
  const publish = <T extends Topic>(topic: T, payload: EventPayload<T>): void => bus.publish(topic, payload);

  const recordings = new RecordingService(store, instruments, logger.child('data/recordings'));
  const sessionReports = new SessionReports({ store, results: new SessionResultRepository(store.db, clock), logger: logger.child('queries/session-reports') });
  const sessions = new SessionService({
    store,
    clock,
    instruments,
    logger: logger.child('session'),
    publish,
    settings,
    onResult: (sessionId, result) => sessionReports.persist(sessionId, result),
    stopOther: async (sessionId) => (await collect.stop(sessionId)) || (await online.stop(sessionId)),
    ...(dependencies.idFactory !== undefined ? { idFactory: dependencies.idFactory } : {}),
  });
  const collect = new CollectService({
    store,
    clock,
    logger: logger.child('session/collect'),
    feedSettings: settings.feed,
    storeSettings: settings.store,
    openStream: dependencies.openMarketStream ?? (() => createMexcStream({ reconnectMaxMs: settings.feed.reconnectDelayMs })),
    publish,
    ...(dependencies.idFactory !== undefined ? { idFactory: dependencies.idFactory } : {}),
  });
  const credentials = new CredentialsService({ store: dependencies.secretStore ?? new KeyringSecretStore(), logger: logger.child('keychain') });
  const metrics = new EngineMetrics({ bus, clock, feedStalenessMs: settings.feed.stalenessMs });
  const online = new OnlineSessionService({
    store,
    clock,
    settings,
    instruments,
    logger: logger.child('session/online'),
    publish,
    openStream: dependencies.openMarketStream ?? (() => createMexcStream({ reconnectMaxMs: settings.feed.reconnectDelayMs })),
    exchange: {
      gate: async () => {
        const gate = await credentials.liveTrading('mexc');
        return gate.enabled ? null : (gate.reason ?? 'live trading is disabled');
      },
      open: async () => {
        // the keys leave the keychain only here, straight into the venue adapter
        const keys = await credentials.getCredentials('mexc');
        if (!keys.ok) throw new Error(keys.error.message);
        return (dependencies.openExchangeVenue ?? defaultExchangeVenue)(keys.value, { clock, settings, logger: logger.child('venues/mexc') });
      },
    },
    metrics,
    ...(dependencies.idFactory !== undefined ? { idFactory: dependencies.idFactory } : {}),
  });
  const controls = new TradingControls({ sessions: new AllSessions([sessions, online]), clock, logger: logger.child('session/controls'), publish });
  const desk = new TradingDesk({ stackFor: (id) => sessions.tradingStack(id) ?? online.session(id)?.stack, store, logger: logger.child('session/trading-desk') });
  const exampleStrategies = loadExampleStrategies(options.resourcesDir);
  const settingsService = new SettingsService(path.join(options.dataDir, 'settings.json'), settings);
  const strategyLibrary = new StrategyLibrary(store, () => exampleStrategies);
  const strategyStates = new StrategyStates(store, sessions);
  const sessionCandles = new SessionCandles(store, sessions);
  const alertActions = new AlertActions(store, new AlertDismissalRepository(store.db, clock), clock);
  let running = false;

  const health = async (level: 'live' | 'ready' | 'deep'): Promise<HealthReport> => {
    const checks: HealthReport['checks'] = [{ name: 'engine', ok: true, detail: running ? 'running' : 'not started' }];
    if (level !== 'live') {
      checks.push({ name: 'store', ok: store.isOpen, detail: store.isOpen ? 'open' : 'closed' });
      checks.push({ name: 'bus', ok: running, detail: running ? 'running' : 'stopped' });
      checks.push(...metrics.healthChecks());
    }
    if (level === 'deep') {
      const probe = store.probeWrite();
      checks.push({ name: 'store_writable', ok: probe.ok, ...(probe.ok ? {} : { detail: probe.error }) });
      const live = online.runningSessions().filter((s) => s.stack.positionSync !== null);
      checks.push(live.length === 0
        ? { name: 'venue', ok: true, detail: 'no live venue connected (paper and backtest only)' }
        : { name: 'venue', ok: live.every((s) => s.stack.breaker.getState() !== 'open'), detail: live.map((s) => `${s.phase}, breaker ${s.stack.breaker.getState()}`).join('; ') });
    }
    const failed = checks.filter((c) => !c.ok).length;
    return { status: failed === 0 ? 'ok' : failed === checks.length ? 'down' : 'degraded', checks, ts: clock.now() };
  };

  const handlers = combineHandlers(
    ['engine', { 'engine.health': async () => ok(await health('deep')) }],
    ['data/recordings', recordings.handlers()],
    ['session', sessions.handlers()],
    ['session/collect', collect.handlers()],
    ['session/controls', controls.handlers()],
    ['session/trading-desk', desk.handlers()],
    ['session/online', online.handlers()],
    ['keychain', credentials.handlers()],
    ['queries/settings', settingsService.handlers()],
    ['queries/strategy-library', strategyLibrary.handlers()],
    ['queries/strategy-states', strategyStates.handlers()],
    ['queries/session-reports', sessionReports.handlers()],
    ['queries/session-candles', sessionCandles.handlers()],
    ['queries/alerts', alertActions.handlers()],
    ['queries/instruments', instrumentCatalogHandlers(instruments)],
    [
      'queries',
      {
        'signals.list': async ({ sessionId, limit }) => ok(store.signals.list({ ...(sessionId !== undefined ? { sessionId } : {}), limit })),
        'positions.list': async ({ sessionId }) => ok(store.positions.list(sessionId !== undefined ? { sessionId } : {})),
        'orders.list': async ({ sessionId, limit }) => ok(store.orders.list({ ...(sessionId !== undefined ? { sessionId } : {}), limit })),
        'alerts.list': async ({ limit }) => ok(store.riskEvents.listRecent(limit)),
        'strategies.examples': async () => ok(exampleStrategies),
      },
    ],
  );
  const dispatcher = new CommandDispatcher(handlers, logger.child('dispatcher'));
  const bridge = new UiEventBridge(bus, clock);
  const alertWebhook = new AlertWebhookService({ clock, logger: logger.child('ops/alert-webhook'), publish });
  // optional time-series sink (off by default): market data, indicator values and fills over ILP
  const questdb = settings.questdb.enabled
    ? new QuestDbSink({ ...settings.questdb, clock, logger: logger.child('store/questdb'), bus, alert: (alert) => publish('risk_alert', alert) })
    : null;
  // alerts raised anywhere are journalled so the recent ones survive a restart
  bus.subscribe('risk_alert', (alert) => {
    store.riskEvents.insert(alert);
  }, 'risk-journal');

  const host: EngineHost = {
    invoke: (name, request) => dispatcher.invoke(name, request),
    subscribeEvents: (listener) => bridge.subscribe(listener),
    health,
    metrics: () => metrics.render(),
    ingestAlertmanagerWebhook: (payload) => alertWebhook.ingest(payload),
  };

  return {
    host,
    bus,
    store,
    sessions,
    settings,
    controls,
    credentials,
    metrics,
    online,
    async start() {
      if (running) return;
      bridge.start();
      metrics.start();
      questdb?.start();
      running = true;
      publish('engine_state', { status: 'running', tradingState: 'ACTIVE', strategiesPaused: false, ts: clock.now() });
      logger.info('engine started', { dataDir: options.dataDir });
      // live sessions that were running when the app stopped (or crashed) resume first
      await online.resumeJournalled();
      await startFirstRunDemo({
        enabled: dependencies.firstRunDemo === true && settings.firstRun.demo,
        speed: settings.firstRun.demoSpeed,
        capital: settings.paper.startingCapital,
        resourcesDir: options.resourcesDir,
        store,
        examples: exampleStrategies,
        importCsv: (request) => recordings.importCsv(request),
        startSession: (request) => sessions.start(request),
        logger: logger.child('queries/first-run'),
      });
    },
    async stop() {
      running = false;
      await collect.stopAll();
      await online.stopAll();
      await sessions.stopAll();
      await questdb?.stop();
      bridge.stop();
      metrics.stop();
      bus.shutdown();
      store.close();
      logger.info('engine stopped');
    },
  };
}

/** What tests and the CLI may reach beyond the host interface. */
export interface KernelInternals {
  readonly bus: InProcessEventBus;
  readonly store: ReturnType<typeof openStore>;
  readonly sessions: SessionService;
  readonly settings: ReturnType<typeof loadSettings>;
  /** Kill switch, strategy pause, engine status (the shell's tray reads them through commands). */
  readonly controls: TradingControls;
  /** The live venue reads exchange keys here (getCredentials); live sessions check liveTrading() before arming. */
  readonly credentials: CredentialsService;
  /** Hooks for what metrics cannot derive from the bus (latency, breakers, position sync, feeds, daily loss). */
  readonly metrics: EngineMetrics;
  /** Online sessions (paper and live on the live feed). */
  readonly online: OnlineSessionService;
}

function loadExampleStrategies(resourcesDir: string): Array<{ file: string; name: string; definition: unknown }> {
  const dir = path.join(resourcesDir, 'strategies');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const definition = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { strategy_name?: string };
      return { file, name: definition.strategy_name ?? file, definition };
    });
}
