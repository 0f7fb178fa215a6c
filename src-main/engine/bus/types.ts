import type { EventPayload, Topic } from '../../../src-shared/contract/events';

export type Handler<T extends Topic> = (payload: EventPayload<T>) => void | Promise<void>;

export interface Subscription {
  readonly id: number;
  readonly topic: Topic;
  readonly name: string;
}

export interface DeadLetter {
  topic: Topic;
  subscriber: string;
  payload: unknown;
  error: string;
  attempts: number;
  ts: number;
}

/**
 * In-process, ordered per topic, at-least-once. A failing handler is isolated and retried
 * on the injected clock; after the last failure the event becomes a dead letter and a
 * risk_alert is raised.
 */
export interface EventBus {
  subscribe<T extends Topic>(topic: T, handler: Handler<T>, name?: string): Subscription;
  unsubscribe(subscription: Subscription): void;
  publish<T extends Topic>(topic: T, payload: EventPayload<T>): void;
  listTopics(): Topic[];
  subscriberCount(topic?: Topic): number;
  deadLetters(): readonly DeadLetter[];
  /** Messages published per topic since start (for metrics). */
  publishedCounts(): ReadonlyMap<Topic, number>;
  shutdown(): void;
}
