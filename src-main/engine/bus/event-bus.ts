import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import type { RiskAlertDto } from '../../../src-shared/contract/schemas';
import type { Clock, TimerHandle } from '../clock/clock';
import type { DeadLetter, EventBus, Handler, Subscription } from './types';

/** The slice of the engine logger the bus needs; any module logger fits structurally. */
export interface BusLogger {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface InProcessEventBusOptions {
  clock: Clock;
  /** One entry per retry of a failing handler, e.g. [1000, 2000, 4000] from settings. */
  retryDelaysMs: readonly number[];
  /** The dead-letter record keeps the newest this many; older ones are dropped (and logged). */
  maxDeadLetters: number;
  logger?: BusLogger;
}

type AnyHandler = (payload: unknown) => unknown;

class SubscriberRecord implements Subscription {
  active = true;
  constructor(
    readonly id: number,
    readonly topic: Topic,
    readonly name: string,
    readonly handler: AnyHandler,
  ) {}
}

interface PublishCounter {
  value: number;
}

interface TopicEntry {
  // replaced, never mutated, on subscribe/unsubscribe: a dispatch in progress keeps iterating its own copy
  subscribers: readonly SubscriberRecord[];
  // shared with `counters`, which outlives the entry, so the hot path counts without a second map lookup
  readonly published: PublishCounter;
}

interface PendingRetry {
  subscriber: SubscriberRecord;
  topic: Topic;
  payload: unknown;
  /** Retries already scheduled, including this one (1-based). */
  retry: number;
  handle: TimerHandle | null;
}

const BUS_SOURCE = 'bus';
const DEAD_LETTER_CODE = 'dead_letter';

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== undefined && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * ARCHITECTURE §3: in-process, ordered per topic, at-least-once.
 *
 * publish() dispatches synchronously in subscription order. A publish from inside a handler is
 * queued and dispatched once the current event has reached every subscriber, so each subscriber
 * sees every topic's events in publish order. A failing handler (throw or rejected promise) is
 * retried for that subscriber alone on the injected clock; a retried event therefore reaches
 * that one subscriber after newer events — the price of not letting one slow consumer stall
 * the others.
 */
export class InProcessEventBus implements EventBus {
  private readonly clock: Clock;
  private readonly retryDelaysMs: readonly number[];
  private readonly maxDeadLetters: number;
  private readonly logger: BusLogger | undefined;

  private readonly topics = new Map<Topic, TopicEntry>();
  private readonly counters = new Map<Topic, PublishCounter>();
  private readonly retries = new Set<PendingRetry>();
  private readonly deadLetterRecord: DeadLetter[] = [];
  private deadLetterSeq = 0;
  private nextSubscriptionId = 1;
  private closed = false;

  // re-entrant publishes wait here; parallel arrays with a read index so draining allocates nothing
  private dispatching = false;
  private readonly queuedTopics: Topic[] = [];
  private readonly queuedPayloads: unknown[] = [];
  private queueHead = 0;

  constructor(options: InProcessEventBusOptions) {
    for (const delay of options.retryDelaysMs) {
      if (!(delay >= 0) || !Number.isFinite(delay)) throw new RangeError(`retry delays must be finite and non-negative, got ${delay}`);
    }
    if (!Number.isInteger(options.maxDeadLetters) || options.maxDeadLetters < 1) {
      throw new RangeError(`maxDeadLetters must be a positive integer, got ${options.maxDeadLetters}`);
    }
    this.clock = options.clock;
    this.retryDelaysMs = [...options.retryDelaysMs];
    this.maxDeadLetters = options.maxDeadLetters;
    this.logger = options.logger;
  }

  subscribe<T extends Topic>(topic: T, handler: Handler<T>, name?: string): Subscription {
    const id = this.nextSubscriptionId++;
    const record = new SubscriberRecord(id, topic, name ?? `subscriber-${id}`, handler as AnyHandler);
    if (this.closed) {
      // a late subscriber during shutdown gets an inert handle rather than an exception mid-stop
      record.active = false;
      this.logger?.warn('subscribe after shutdown ignored', { topic, subscriber: record.name });
      return record;
    }
    const entry = this.topics.get(topic);
    if (entry === undefined) this.topics.set(topic, { subscribers: [record], published: this.counterOf(topic) });
    else entry.subscribers = [...entry.subscribers, record];
    return record;
  }

  unsubscribe(subscription: Subscription): void {
    const entry = this.topics.get(subscription.topic);
    if (entry === undefined) return;
    const index = entry.subscribers.findIndex((s) => s.id === subscription.id);
    if (index < 0) return;
    const record = entry.subscribers[index]!;
    record.active = false;
    if (entry.subscribers.length === 1) this.topics.delete(subscription.topic);
    else entry.subscribers = entry.subscribers.filter((s) => s !== record);
    this.cancelRetriesOf(record);
  }

  publish<T extends Topic>(topic: T, payload: EventPayload<T>): void {
    if (this.closed) return;
    const entry = this.topics.get(topic);
    if (entry === undefined) {
      this.counterOf(topic).value++;
      return; // nobody listens: nothing to dispatch or queue
    }
    entry.published.value++;
    if (this.dispatching) {
      this.queuedTopics.push(topic);
      this.queuedPayloads.push(payload);
      return;
    }
    // no try/finally here: it costs more than half the throughput, and dispatch() never throws
    // because handler errors are caught and the failure path guards itself (reportFailure)
    this.dispatching = true;
    this.dispatch(entry.subscribers, topic, payload);
    if (this.queueHead < this.queuedTopics.length) this.drain();
    this.dispatching = false;
  }

  listTopics(): Topic[] {
    return [...this.topics.keys()];
  }

  subscriberCount(topic?: Topic): number {
    if (topic !== undefined) return this.topics.get(topic)?.subscribers.length ?? 0;
    let total = 0;
    for (const entry of this.topics.values()) total += entry.subscribers.length;
    return total;
  }

  deadLetters(): readonly DeadLetter[] {
    return [...this.deadLetterRecord];
  }

  publishedCounts(): ReadonlyMap<Topic, number> {
    const counts = new Map<Topic, number>();
    for (const [topic, counter] of this.counters) counts.set(topic, counter.value);
    return counts;
  }

  /** Retries waiting on the clock (for tests and health checks). */
  pendingRetries(): number {
    return this.retries.size;
  }

  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.retries) {
      if (pending.handle !== null) this.clock.clearTimeout(pending.handle);
    }
    this.retries.clear();
    for (const entry of this.topics.values()) {
      for (const record of entry.subscribers) record.active = false;
    }
    this.topics.clear();
    this.queuedTopics.length = 0;
    this.queuedPayloads.length = 0;
    this.queueHead = 0;
  }

  private drain(): void {
    while (this.queueHead < this.queuedTopics.length) {
      const index = this.queueHead++;
      const topic = this.queuedTopics[index]!;
      // the topic may have lost its last subscriber while this event waited
      const entry = this.topics.get(topic);
      if (entry !== undefined) this.dispatch(entry.subscribers, topic, this.queuedPayloads[index]);
    }
    this.queuedTopics.length = 0;
    this.queuedPayloads.length = 0;
    this.queueHead = 0;
  }

  private counterOf(topic: Topic): PublishCounter {
    let counter = this.counters.get(topic);
    if (counter === undefined) {
      counter = { value: 0 };
      this.counters.set(topic, counter);
    }
    return counter;
  }

  private dispatch(subscribers: readonly SubscriberRecord[], topic: Topic, payload: unknown): void {
    for (let i = 0; i < subscribers.length; i++) {
      const record = subscribers[i]!;
      // unsubscribed (or shut down) by an earlier handler of this same event
      if (!record.active) continue;
      const handler = record.handler;
      let result: unknown;
      try {
        result = handler(payload);
      } catch (error) {
        this.reportFailure(record, topic, payload, 0, error);
        continue;
      }
      if (isThenable(result)) this.watch(result, record, topic, payload, 0);
    }
  }

  private watch(result: PromiseLike<unknown>, record: SubscriberRecord, topic: Topic, payload: unknown, retriesDone: number): void {
    try {
      result.then(undefined, (error: unknown) => this.reportFailure(record, topic, payload, retriesDone, error));
    } catch (error) {
      // a hand-made thenable whose then() throws
      this.reportFailure(record, topic, payload, retriesDone, error);
    }
  }

  /** Never throws: it runs inside dispatch, which must not unwind with `dispatching` still set. */
  private reportFailure(record: SubscriberRecord, topic: Topic, payload: unknown, retriesDone: number, error: unknown): void {
    try {
      this.handleFailure(record, topic, payload, retriesDone, error);
    } catch (internal) {
      // only a throwing logger or clock lands here; stderr is the last place left to say so
      console.error('event bus: failure handling failed', internal);
    }
  }

  private handleFailure(record: SubscriberRecord, topic: Topic, payload: unknown, retriesDone: number, error: unknown): void {
    if (this.closed || !record.active) return;
    const delay = this.retryDelaysMs[retriesDone];
    if (delay === undefined) {
      this.deadLetter(record, topic, payload, retriesDone + 1, error);
      return;
    }
    this.logger?.warn('event handler failed; retrying', {
      topic, subscriber: record.name, retry: retriesDone + 1, delayMs: delay, error: describeError(error),
    });
    const pending: PendingRetry = { subscriber: record, topic, payload, retry: retriesDone + 1, handle: null };
    pending.handle = this.clock.setTimeout(() => this.runRetry(pending), delay);
    this.retries.add(pending);
  }

  private runRetry(pending: PendingRetry): void {
    this.retries.delete(pending);
    const record = pending.subscriber;
    if (this.closed || !record.active) return;
    let result: unknown;
    try {
      result = record.handler(pending.payload);
    } catch (error) {
      this.reportFailure(record, pending.topic, pending.payload, pending.retry, error);
      return;
    }
    if (isThenable(result)) this.watch(result, record, pending.topic, pending.payload, pending.retry);
  }

  private cancelRetriesOf(record: SubscriberRecord): void {
    for (const pending of this.retries) {
      if (pending.subscriber !== record) continue;
      if (pending.handle !== null) this.clock.clearTimeout(pending.handle);
      this.retries.delete(pending);
    }
  }

  private deadLetter(record: SubscriberRecord, topic: Topic, payload: unknown, attempts: number, error: unknown): void {
    const message = describeError(error);
    const ts = this.clock.now();
    this.deadLetterRecord.push({ topic, subscriber: record.name, payload, error: message, attempts, ts });
    if (this.deadLetterRecord.length > this.maxDeadLetters) {
      const dropped = this.deadLetterRecord.shift();
      this.logger?.warn('dead-letter record full; oldest dropped', { topic: dropped?.topic, subscriber: dropped?.subscriber });
    }
    this.logger?.error('event dead-lettered', { topic, subscriber: record.name, attempts, error: message });
    // a failing risk_alert handler would otherwise dead-letter the alert about itself, forever
    if (topic === 'risk_alert' && isBusDeadLetterAlert(payload)) return;
    const alert: RiskAlertDto = {
      id: `bus-dl-${++this.deadLetterSeq}`,
      severity: 'warning',
      source: BUS_SOURCE,
      code: DEAD_LETTER_CODE,
      message: `event on ${topic} dead-lettered for subscriber ${record.name} after ${attempts} attempts: ${message}`,
      instrumentId: instrumentIdOf(payload),
      details: { topic, subscriber: record.name, attempts, error: message },
      ts,
    };
    this.publish('risk_alert', alert);
  }
}

function isBusDeadLetterAlert(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  const alert = payload as Partial<RiskAlertDto>;
  return alert.source === BUS_SOURCE && alert.code === DEAD_LETTER_CODE;
}

function instrumentIdOf(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const value = (payload as { instrumentId?: unknown }).instrumentId;
  return typeof value === 'string' ? value : null;
}
