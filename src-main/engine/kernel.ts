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
import type { EngineHost, EngineKernel, KernelOptions } from './host';
import { createLogger, consoleSink, type LogSink } from './ops/logger';
import { createMetricsRegistry } from './ops/metrics';
import { SessionService } from './session/session-service';
import { loadSettings } from './store/settings-file';
import { openStore } from './store/store';
import { UiEventBridge } from './ui-event-bridge';

export interface KernelDependencies {
  /** Defaults to the wall clock; tests inject a simulated one. */
  clock?: Clock;
  logSink?: LogSink;
  /** Ids for sessions (tests make them deterministic). */
  idFactory?: () => string;
}

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
  const sessions = new SessionService({
    store,
    clock,
    instruments,
    logger: logger.child('session'),
    publish,
    signalSlots: settings.strategy.signalSlots,
    slippageBps: settings.paper.slippageBps,
    busRetryDelaysMs: settings.bus.retryDelaysMs,
    ...(dependencies.idFactory !== undefined ? { idFactory: dependencies.idFactory } : {}),
  });
  const exampleStrategies = loadExampleStrategies(options.resourcesDir);
  let running = false;

  const health = async (level: 'live' | 'ready' | 'deep'): Promise<HealthReport> => {
    const checks: HealthReport['checks'] = [{ name: 'engine', ok: true, detail: running ? 'running' : 'not started' }];
    if (level !== 'live') {
      checks.push({ name: 'store', ok: store.isOpen, detail: store.isOpen ? 'open' : 'closed' });
      checks.push({ name: 'bus', ok: running, detail: running ? 'running' : 'stopped' });
    }
    if (level === 'deep') {
      const probe = store.probeWrite();
      checks.push({ name: 'store_writable', ok: probe.ok, ...(probe.ok ? {} : { detail: probe.error }) });
      checks.push({ name: 'venue', ok: true, detail: 'no live venue connected (paper and backtest only)' });
    }
    const failed = checks.filter((c) => !c.ok).length;
    return { status: failed === 0 ? 'ok' : failed === checks.length ? 'down' : 'degraded', checks, ts: clock.now() };
  };

  const handlers = combineHandlers(
    ['engine', { 'engine.health': async () => ok(await health('deep')) }],
    ['data/recordings', recordings.handlers()],
    ['session', sessions.handlers()],
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
  const registry = createMetricsRegistry(bus);
  // alerts raised anywhere are journalled so the recent ones survive a restart
  bus.subscribe('risk_alert', (alert) => {
    store.riskEvents.insert(alert);
  }, 'risk-journal');

  const host: EngineHost = {
    invoke: (name, request) => dispatcher.invoke(name, request),
    subscribeEvents: (listener) => bridge.subscribe(listener),
    health,
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };

  return {
    host,
    bus,
    store,
    sessions,
    settings,
    async start() {
      if (running) return;
      bridge.start();
      running = true;
      publish('engine_state', { status: 'running', tradingState: 'ACTIVE', strategiesPaused: false, ts: clock.now() });
      logger.info('engine started', { dataDir: options.dataDir });
    },
    async stop() {
      running = false;
      await sessions.stopAll();
      bridge.stop();
      bus.shutdown();
      registry.clear();
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
