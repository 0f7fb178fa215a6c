import { describe, expect, test } from 'vitest';
import { autoscaledLinePrices } from './price-lines';

describe('autoscaledLinePrices', () => {
  const bars = { min: 61_000, max: 62_000 };
  test('entry, stop-loss and take-profit stay in view even when far from the bars', () => {
    const lines = [{ kind: 'entry', price: 61_500 }, { kind: 'stopLoss', price: 64_000 }, { kind: 'takeProfit', price: 58_000 }];
    expect(autoscaledLinePrices(lines, bars.min, bars.max)).toEqual([61_500, 64_000, 58_000]);
  });
  test('a liquidation price within one bar range joins the scale; one further away does not', () => {
    expect(autoscaledLinePrices([{ kind: 'liquidation', price: 62_900 }], bars.min, bars.max)).toEqual([62_900]);
    expect(autoscaledLinePrices([{ kind: 'liquidation', price: 60_000 }], bars.min, bars.max)).toEqual([60_000]);
    expect(autoscaledLinePrices([{ kind: 'liquidation', price: 82_009 }], bars.min, bars.max)).toEqual([]);
    expect(autoscaledLinePrices([{ kind: 'liquidation', price: 41_000 }], bars.min, bars.max)).toEqual([]);
  });
});
