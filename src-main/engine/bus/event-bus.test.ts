import { describe, expect, test, vi } from 'vitest';
import type { EventPayload } from '../../../src-shared/contract/events';
import type { MarketData, RiskAlertDto } from '../../../src-shared/contract/schemas';
import { SimulatedClock } from '../clock/clock';
import { InProcessEventBus, type BusLogger } from './event-bus';

const RETRY_DELAYS_MS = [1000, 2000, 4000];

function makeBus(clock = new SimulatedClock(1_000_000), logger?: BusLogger) {
  const bus = new InProcessEventBus({ clock, retryDelaysMs: RETRY_DELAYS_MS, maxDeadLetters: 100, logger });
  return { bus, clock };
}

const trade = (price: number, ts = 1): MarketData => ({
  kind: 'trade', instrumentId: 'BTC/USDT:USDT', price, quantity: 0.01, side: 'buy', ts,
});

const alert = (id: string): RiskAlertDto => ({
  id, severity: 'info', source: 'risk', code: 'test', message: 'm', instrumentId: null, ts: 1,
});

const flushMicrotasks = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('InProcessEventBus', () => {
  test('delivers events of one topic to every subscriber in publish order and subscription order', () => {
    const { bus } = makeBus();
    const seen: string[] = [];
    bus.subscribe('market_data', (p) => {
      seen.push(`a:${p.kind === 'trade' ? p.price : 0}`);
    });
    bus.subscribe('market_data', (p) => {
      seen.push(`b:${p.kind === 'trade' ? p.price : 0}`);
    });
    bus.publish('market_data', trade(1));
    bus.publish('market_data', trade(2));
    expect(seen).toEqual(['a:1', 'b:1', 'a:2', 'b:2']);
  });

  test('queues a publish made from inside a handler until the current event reached every subscriber', () => {
    const { bus } = makeBus();
    const seen: string[] = [];
    bus.subscribe('market_data', (p) => {
      seen.push(`first:${p.ts}`);
      if (p.ts === 1) {
        bus.publish('market_data', trade(100, 2));
        bus.publish('risk_alert', alert('nested'));
      }
    });
    bus.subscribe('market_data', (p) => {
      seen.push(`second:${p.ts}`);
    });
    bus.subscribe('risk_alert', (p) => {
      seen.push(`alert:${p.id}`);
    });
    bus.publish('market_data', trade(100, 1));
    expect(seen).toEqual(['first:1', 'second:1', 'first:2', 'second:2', 'alert:nested']);
  });

  test('isolates a throwing handler so the other subscribers still get the event', () => {
    const { bus } = makeBus();
    const seen: number[] = [];
    bus.subscribe('market_data', () => {
      throw new Error('boom');
    }, 'broken');
    bus.subscribe('market_data', (p) => {
      seen.push(p.ts);
    });
    expect(() => bus.publish('market_data', trade(1, 7))).not.toThrow();
    expect(seen).toEqual([7]);
  });

  test('retries a failing handler after 1 s, 2 s and 4 s on the injected clock, for that subscriber only', () => {
    const { bus, clock } = makeBus();
    const start = clock.now();
    const failingCalls: number[] = [];
    let healthyCalls = 0;
    bus.subscribe('market_data', () => {
      failingCalls.push(clock.now() - start);
      throw new Error('boom');
    }, 'broken');
    bus.subscribe('market_data', () => {
      healthyCalls++;
    }, 'healthy');
    bus.publish('market_data', trade(1));
    clock.advanceBy(999);
    expect(failingCalls).toEqual([0]);
    clock.advanceBy(20_000);
    expect(failingCalls).toEqual([0, 1000, 3000, 7000]);
    expect(healthyCalls).toBe(1);
  });

  test('dead-letters the event and raises a risk_alert after the third retry fails', () => {
    const { bus, clock } = makeBus();
    const start = clock.now();
    const alerts: RiskAlertDto[] = [];
    bus.subscribe('risk_alert', (a) => {
      alerts.push(a);
    }, 'alerts');
    bus.subscribe('market_data', () => {
      throw new Error('disk full');
    }, 'recorder');
    bus.publish('market_data', trade(1));
    clock.advanceBy(6_999);
    expect(bus.deadLetters()).toHaveLength(0);
    clock.advanceBy(1);
    expect(bus.deadLetters()).toEqual([
      { topic: 'market_data', subscriber: 'recorder', payload: trade(1), error: 'disk full', attempts: 4, ts: start + 7000 },
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      id: 'bus-dl-1', severity: 'warning', source: 'bus', code: 'dead_letter', instrumentId: 'BTC/USDT:USDT', ts: start + 7000,
    });
    expect(alerts[0]!.message).toContain('market_data');
    expect(alerts[0]!.message).toContain('recorder');
    expect(bus.pendingRetries()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  test('retries a handler whose returned promise rejects', async () => {
    const { bus, clock } = makeBus();
    let calls = 0;
    bus.subscribe('market_data', async () => {
      calls++;
      await Promise.resolve();
      throw new Error('async boom');
    }, 'async');
    bus.publish('market_data', trade(1));
    await flushMicrotasks();
    expect(bus.pendingRetries()).toBe(1);
    await clock.advanceByAsync(1000);
    expect(calls).toBe(2);
    await clock.advanceByAsync(6000);
    expect(calls).toBe(4);
    expect(bus.deadLetters()).toHaveLength(1);
    expect(bus.deadLetters()[0]!.error).toBe('async boom');
  });

  test('stops retrying once a retry succeeds', () => {
    const { bus, clock } = makeBus();
    let calls = 0;
    bus.subscribe('market_data', () => {
      calls++;
      if (calls < 3) throw new Error('transient');
    }, 'flaky');
    bus.publish('market_data', trade(1));
    clock.advanceBy(60_000);
    expect(calls).toBe(3);
    expect(bus.deadLetters()).toHaveLength(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  test('does not raise alerts endlessly when a risk_alert handler keeps failing', () => {
    const { bus, clock } = makeBus();
    let calls = 0;
    bus.subscribe('risk_alert', () => {
      calls++;
      throw new Error('alert router down');
    }, 'alert-router');
    bus.publish('risk_alert', alert('first'));
    clock.advanceBy(600_000);
    // the original alert is dead-lettered and raises one bus alert; that one is dead-lettered silently
    expect(bus.deadLetters().map((d) => (d.payload as RiskAlertDto).id)).toEqual(['first', 'bus-dl-1']);
    expect(calls).toBe(8);
    expect(clock.pendingTimers()).toBe(0);
  });

  test('keeps only the newest maxDeadLetters dead letters', () => {
    const clock = new SimulatedClock(0);
    const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 2 });
    bus.subscribe('market_data', () => {
      throw new Error('no');
    });
    for (let ts = 1; ts <= 5; ts++) bus.publish('market_data', trade(1, ts));
    expect(bus.deadLetters().map((d) => (d.payload as MarketData).ts)).toEqual([4, 5]);
  });

  test('removes the topic entry when its last handler unsubscribes', () => {
    const { bus } = makeBus();
    const first = bus.subscribe('market_data', () => {});
    const second = bus.subscribe('market_data', () => {});
    bus.subscribe('risk_alert', () => {});
    bus.unsubscribe(first);
    expect(bus.listTopics().sort()).toEqual(['market_data', 'risk_alert']);
    bus.unsubscribe(second);
    expect(bus.listTopics()).toEqual(['risk_alert']);
    expect(bus.subscriberCount('market_data')).toBe(0);
    bus.unsubscribe(second); // twice is harmless
    expect(bus.subscriberCount()).toBe(1);
  });

  test('leaves no topic entries and no subscribers behind after 10,000 subscribe/unsubscribe cycles', () => {
    const { bus } = makeBus();
    let delivered = 0;
    for (let i = 0; i < 10_000; i++) {
      const a = bus.subscribe('market_data', () => {
        delivered++;
      });
      const b = bus.subscribe('indicator_updated', () => {
        delivered++;
      });
      bus.publish('market_data', trade(1, i));
      bus.unsubscribe(a);
      bus.unsubscribe(b);
    }
    expect(delivered).toBe(10_000);
    expect(bus.listTopics()).toEqual([]);
    expect(bus.subscriberCount()).toBe(0);
  });

  test('does not deliver the current event to a subscriber unsubscribed by an earlier handler', () => {
    const { bus } = makeBus();
    const seen: string[] = [];
    bus.subscribe('market_data', () => {
      seen.push('first');
      bus.unsubscribe(second);
    });
    const second = bus.subscribe('market_data', () => {
      seen.push('second');
    });
    bus.publish('market_data', trade(1));
    bus.publish('market_data', trade(2));
    expect(seen).toEqual(['first', 'first']);
  });

  test('cancels pending retries of a subscriber when it unsubscribes', () => {
    const { bus, clock } = makeBus();
    const sub = bus.subscribe('market_data', () => {
      throw new Error('boom');
    });
    bus.publish('market_data', trade(1));
    expect(clock.pendingTimers()).toBe(1);
    bus.unsubscribe(sub);
    expect(clock.pendingTimers()).toBe(0);
    expect(bus.pendingRetries()).toBe(0);
  });

  test('shutdown cancels pending retry timers and stops all delivery', () => {
    const { bus, clock } = makeBus();
    let calls = 0;
    bus.subscribe('market_data', () => {
      calls++;
      throw new Error('boom');
    });
    bus.subscribe('market_data', () => {
      throw new Error('boom too');
    });
    bus.publish('market_data', trade(1));
    expect(clock.pendingTimers()).toBe(2);
    bus.shutdown();
    expect(clock.pendingTimers()).toBe(0);
    expect(bus.listTopics()).toEqual([]);
    bus.publish('market_data', trade(2));
    bus.subscribe('market_data', () => {
      calls++;
    });
    bus.publish('market_data', trade(3));
    clock.advanceBy(60_000);
    expect(calls).toBe(1);
    expect(bus.deadLetters()).toHaveLength(0);
  });

  test('counts published messages per topic, with or without subscribers', () => {
    const { bus } = makeBus();
    bus.subscribe('market_data', (p) => {
      if (p.ts === 1) bus.publish('indicator_updated', { instrumentId: 'BTC/USDT:USDT', indicatorId: 'rsi', value: 50, ts: 1 });
    });
    bus.publish('market_data', trade(1, 1));
    bus.publish('market_data', trade(1, 2));
    bus.publish('risk_alert', alert('x'));
    const counts = bus.publishedCounts();
    expect(Object.fromEntries(counts)).toEqual({ market_data: 2, indicator_updated: 1, risk_alert: 1 });
  });

  test('does not retry an async handler whose promise resolves', async () => {
    const { bus, clock } = makeBus();
    let calls = 0;
    bus.subscribe('market_data', async () => {
      calls++;
    });
    bus.publish('market_data', trade(1));
    await flushMicrotasks();
    expect(bus.pendingRetries()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    expect(calls).toBe(1);
  });

  test('keeps dispatching when the logger itself throws while reporting a failure', () => {
    const throwingLogger: BusLogger = {
      warn: () => {
        throw new Error('log sink gone');
      },
      error: () => {},
    };
    const { bus } = makeBus(new SimulatedClock(0), throwingLogger);
    const seen: number[] = [];
    bus.subscribe('market_data', () => {
      throw new Error('boom');
    });
    bus.subscribe('market_data', (p) => {
      seen.push(p.ts);
    });
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    bus.publish('market_data', trade(1, 1));
    bus.publish('market_data', trade(1, 2));
    expect(stderr).toHaveBeenCalledTimes(2);
    stderr.mockRestore();
    expect(seen).toEqual([1, 2]);
  });

  test('passes the typed payload through unchanged', () => {
    const { bus } = makeBus();
    const payload: EventPayload<'risk_alert'> = alert('same');
    let received: unknown;
    bus.subscribe('risk_alert', (p) => {
      received = p;
    });
    bus.publish('risk_alert', payload);
    expect(received).toBe(payload);
  });
});
