import { COALESCED_TOPICS, TOPICS, type EventEnvelope, type Topic } from '../../src-shared/contract/events';
import type { EventBus, Subscription } from './bus/types';
import type { Clock, TimerHandle } from './clock/clock';

/**
 * Forwards bus events to the hosts' listeners (IPC or WebSocket). High-rate topics are
 * coalesced to the latest event per key per frame, so a fast replay never floods the UI;
 * every other topic goes through in order, immediately.
 */
export class UiEventBridge {
  private readonly listeners = new Set<(envelope: EventEnvelope) => void>();
  private readonly pending = new Map<string, EventEnvelope>();
  private readonly subscriptions: Subscription[] = [];
  private timer: TimerHandle | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly frameMs = 16,
  ) {}

  start(): void {
    for (const topic of TOPICS) {
      this.subscriptions.push(this.bus.subscribe(topic, (payload) => this.onEvent(topic, payload), 'ui-bridge'));
    }
  }

  subscribe(listener: (envelope: EventEnvelope) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  stop(): void {
    for (const subscription of this.subscriptions) this.bus.unsubscribe(subscription);
    this.subscriptions.length = 0;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    this.listeners.clear();
  }

  private onEvent(topic: Topic, payload: unknown): void {
    if (this.listeners.size === 0) return;
    // stamped at publish (the bus delivers synchronously), so coalescing delay counts as latency
    const envelope = { topic, payload, publishedAt: this.clock.now() } as EventEnvelope;
    if (!COALESCED_TOPICS.has(topic)) {
      this.emit(envelope);
      return;
    }
    this.pending.set(coalesceKey(topic, payload), envelope);
    this.timer ??= this.clock.setTimeout(() => this.flush(), this.frameMs);
  }

  private flush(): void {
    this.timer = null;
    const batch = [...this.pending.values()];
    this.pending.clear();
    for (const envelope of batch) this.emit(envelope);
  }

  private emit(envelope: EventEnvelope): void {
    for (const listener of this.listeners) {
      try {
        listener(envelope);
      } catch {
        // a broken UI connection must not stop the engine; the host logs and drops it
      }
    }
  }
}

function coalesceKey(topic: Topic, payload: unknown): string {
  const p = payload as { instrumentId?: string; indicatorId?: string; kind?: string; sessionId?: string };
  // two replays of one instrument are two streams: coalescing them together would drop one
  return `${topic}|${p.sessionId ?? ''}|${p.instrumentId ?? ''}|${p.kind ?? ''}|${p.indicatorId ?? ''}`;
}
