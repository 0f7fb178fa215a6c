import { describe, expect, test } from 'vitest';
import type { EventEnvelope } from '../../src-shared/contract/events';
import type { MarketData } from '../../src-shared/contract/schemas';
import { InProcessEventBus } from './bus/event-bus';
import { SimulatedClock } from './clock/clock';
import { UiEventBridge } from './ui-event-bridge';

function setup() {
  const clock = new SimulatedClock(1_000);
  const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 10 });
  const bridge = new UiEventBridge(bus, clock, 16);
  const heard: EventEnvelope[] = [];
  bridge.start();
  bridge.subscribe((envelope) => heard.push(envelope));
  return { clock, bus, bridge, heard };
}

const tick = (price: number, sessionId?: string): MarketData => ({ kind: 'trade', instrumentId: 'BTC/USDT:USDT', price, quantity: 1, side: 'buy', ts: 5, ...(sessionId === undefined ? {} : { sessionId }) });

describe('UI event bridge', () => {
  test('sends the latest tick per replay and instrument once per frame, stamped with when it was published', () => {
    const { clock, bus, bridge, heard } = setup();
    bus.publish('market_data', tick(1, 'demo'));
    clock.advanceBy(5);
    bus.publish('market_data', tick(2, 'demo'));
    bus.publish('market_data', tick(3, 'mine'));
    expect(heard).toEqual([]);
    clock.advanceBy(16);
    expect(heard).toEqual([
      { topic: 'market_data', payload: tick(2, 'demo'), publishedAt: 1_005 },
      { topic: 'market_data', payload: tick(3, 'mine'), publishedAt: 1_005 },
    ]);
    bridge.stop();
  });

  test('forwards every other event at once, in order', () => {
    const { bus, bridge, heard } = setup();
    bus.publish('risk_alert', { id: 'a', severity: 'critical', source: 'test', code: 'X', message: 'm', instrumentId: null, ts: 1 });
    expect(heard.map((envelope) => [envelope.topic, envelope.publishedAt])).toEqual([['risk_alert', 1_000]]);
    bridge.stop();
  });
});
