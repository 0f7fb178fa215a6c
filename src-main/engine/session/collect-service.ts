import { randomUUID } from 'node:crypto';
import type { PartialHandlers } from '../../../src-shared/contract/commands';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import type { Settings } from '../../../src-shared/contract/settings';
import type { Clock } from '../clock/clock';
import { LiveFeed, type StreamingExchange } from '../data/live-feed';
import { Recorder } from '../data/recorder';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/store';

export interface CollectServiceOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  feedSettings: Settings['feed'];
  storeSettings: Settings['store'];
  /** Opens a public market-data stream (ccxt.pro MEXC in the app; the simulator in tests). */
  openStream: () => Promise<StreamingExchange>;
  publish: <T extends Topic>(topic: T, payload: EventPayload<T>) => void;
  idFactory?: () => string;
}

interface Running {
  feed: LiveFeed;
  recorder: Recorder;
}

/**
 * Collect sessions: live public trades and books for a set of symbols, recorded into a new
 * recording (batched, never blocking the event loop) and published as market_data for the UI.
 */
export class CollectService {
  private readonly running = new Map<string, Running>();

  constructor(private readonly options: CollectServiceOptions) {}

  async start(request: { symbols: string[]; name?: string | undefined }): Promise<Result<SessionDto>> {
    const { store, clock, logger } = this.options;
    const symbols = [...new Set(request.symbols)];
    const now = clock.now();
    const id = this.options.idFactory?.() ?? randomUUID();
    let stream: StreamingExchange;
    try {
      stream = await this.options.openStream();
    } catch (error) {
      return err('unavailable', `cannot open the market data stream: ${error instanceof Error ? error.message : String(error)}`);
    }
    const name = request.name ?? `collect ${symbols.join(', ')}`;
    const recording = store.recordings.createRecording({ name, source: 'live:mexc', instruments: symbols });
    const recorder = new Recorder({
      recordings: store.recordings,
      recordingId: recording.id,
      clock,
      logger: logger.child('recorder'),
      flushIntervalMs: this.options.storeSettings.flushIntervalMs,
      tradeBatch: this.options.storeSettings.tradeChunkSize,
      bookBatch: this.options.storeSettings.bookChunkSize,
    });
    const feed = new LiveFeed({
      exchange: stream,
      symbols,
      clock,
      logger: logger.child('feed'),
      stalenessMs: this.options.feedSettings.stalenessMs,
      reconnectDelayMs: this.options.feedSettings.resubscribeDelayMs,
      pollIntervalMs: this.options.feedSettings.restPollIntervalMs,
      bookLevels: this.options.feedSettings.bookLevels,
      onTrade: (tick) => {
        recorder.onTrade(tick);
        this.options.publish('market_data', tick);
      },
      onBook: (update) => {
        recorder.onBook(update);
        this.options.publish('market_data', update);
      },
      onAlert: (alert) => this.options.publish('risk_alert', alert),
      onStale: () => undefined,
    });
    const session: SessionDto = {
      id, kind: 'collect', status: 'running', name, instruments: symbols, strategyIds: [], dataSessionId: recording.id,
      startedAt: now, endedAt: null, progress: null, error: null, createdAt: now,
    };
    try {
      recorder.start();
      await feed.start();
    } catch (error) {
      await feed.stop();
      await recorder.stop();
      store.recordings.delete(recording.id);
      const message = error instanceof Error ? error.message : String(error);
      return err('unavailable', `cannot start collecting ${symbols.join(', ')}: ${message}`, ['request.symbols']);
    }
    store.sessions.create(session, { symbols });
    this.running.set(id, { feed, recorder });
    this.options.publish('session_state', session);
    logger.info('collect session started', { sessionId: id, symbols, recordingId: recording.id });
    return ok(session);
  }

  isCollecting(sessionId: string): boolean {
    return this.running.has(sessionId);
  }

  /** Stops the feed, writes everything buffered and closes the session; false if not collecting. */
  async stop(sessionId: string): Promise<boolean> {
    const entry = this.running.get(sessionId);
    if (entry === undefined) return false;
    this.running.delete(sessionId);
    await entry.feed.stop();
    await entry.recorder.stop();
    const updated = this.options.store.sessions.updateStatus(sessionId, 'stopped', { endedAt: this.options.clock.now() });
    if (updated !== null) this.options.publish('session_state', updated);
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  stats(sessionId: string): { feed: ReturnType<LiveFeed['getStats']>; recorder: ReturnType<Recorder['stats']> } | undefined {
    const entry = this.running.get(sessionId);
    return entry === undefined ? undefined : { feed: entry.feed.getStats(), recorder: entry.recorder.stats() };
  }

  handlers(): PartialHandlers {
    return {
      'sessions.collect': (request) => this.start(request),
    };
  }
}
