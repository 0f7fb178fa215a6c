import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { EventBus } from '../bus/types';

/**
 * The engine's Prometheus registry. Bus message counts are read from the bus at scrape time,
 * so the hot publish path carries no metrics work.
 */
export function createMetricsRegistry(bus: EventBus): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const reported = new Map<string, number>();
  new Counter({
    name: 'event_bus_messages_total',
    help: 'Events published on the engine bus, by topic',
    labelNames: ['topic'],
    registers: [registry],
    collect() {
      for (const [topic, count] of bus.publishedCounts()) {
        const delta = count - (reported.get(topic) ?? 0);
        if (delta > 0) this.inc({ topic }, delta);
        reported.set(topic, count);
      }
    },
  });
  return registry;
}
