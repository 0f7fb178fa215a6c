import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Candle } from '../../../src-shared/contract/schemas';
import { LiveBars } from './live-bars';

const history: Candle[] = [
  { time: 60, open: 100, high: 101, low: 99, close: 100.5, volume: 2 },
  { time: 120, open: 100.5, high: 102, low: 100, close: 101, volume: 1 },
];

describe('live bars', () => {
  test('continues the last history bar, then opens the next bar when its minute starts', () => {
    const bars = new LiveBars('1m');
    bars.reset(history, 150_000, '1m');
    expect(bars.apply({ ts: 151_000, price: 103, quantity: 0.5 })).toEqual({ bar: { time: 120, open: 100.5, high: 103, low: 100, close: 103, volume: 1.5 }, opened: false });
    expect(bars.apply({ ts: 180_000, price: 99, quantity: 1 })).toEqual({ bar: { time: 180, open: 99, high: 99, low: 99, close: 99, volume: 1 }, opened: true });
    expect(bars.count).toBe(3);
    expect(history[1]!.close).toBe(101); // the history the store holds is never mutated
  });

  test('skips ticks the history already holds and ticks that arrive out of order', () => {
    const bars = new LiveBars('1m');
    bars.reset(history, 150_000, '1m');
    expect(bars.apply({ ts: 150_000, price: 500, quantity: 1 })).toBeNull();
    expect(bars.apply({ ts: 160_000, price: 101, quantity: 1 })).not.toBeNull();
    expect(bars.apply({ ts: 155_000, price: 1, quantity: 1 })).toBeNull();
    expect(bars.all().at(-1)!.low).toBe(100);
  });

  test('bars built from a tick stream match bars built from its history load split at any point', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 90_000 }), price: fc.integer({ min: 1, max: 1_000 }), quantity: fc.integer({ min: 1, max: 10 }) }), { minLength: 1, maxLength: 60 }),
        fc.nat(),
        (steps, splitSeed) => {
          let ts = 1_000_000;
          const ticks = steps.map((step) => ({ ts: (ts += step.gap), price: step.price, quantity: step.quantity }));
          const full = new LiveBars('1m');
          full.reset([], null, '1m');
          for (const tick of ticks) full.apply(tick);
          // the engine's history holds every trade up to its cut, including all trades of the cut's millisecond
          const untilTs = ticks[splitSeed % ticks.length]!.ts;
          const head = new LiveBars('1m');
          head.reset([], null, '1m');
          for (const tick of ticks.filter((t) => t.ts <= untilTs)) head.apply(tick);
          const live = new LiveBars('1m');
          live.reset(head.all(), untilTs, '1m');
          for (const tick of ticks) live.apply(tick);
          expect(live.all()).toEqual(full.all());
        },
      ),
    );
  });
});
