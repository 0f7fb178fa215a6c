import { describe, expect, test } from 'vitest';
import { IndicatorContext } from './core/indicator-context';
import { createIndicator } from './indicator-types';
import { InstrumentIndicators } from './instrument-indicators';
import { MomentumReversalIndex } from './momentum-reversal-index';
import { loadTrades, loopTrades } from './testing/market-data';

const T0 = 1_723_161_256_000;
const seconds = (s: number): number => T0 + s * 1000;

describe('time-weighted prices', () => {
  test('weights each price by how long it held, the price at the window start counting from the start', () => {
    const indicators = new InstrumentIndicators(['TWPA(10,0)', 'TWPA(10,5)', 'TWPA(6,0)']);
    indicators.onTrade(seconds(0), 100, 1, 'buy');
    indicators.onTrade(seconds(4), 110, 1, 'buy');
    indicators.onTrade(seconds(10), 120, 1, 'sell');
    // [0,10]: 100 for 4 s, 110 for 6 s; the 120 trade has held for 0 s.
    expect(indicators.value('TWPA(10,0)')).toBeCloseTo(106, 12);
    // [0,5]: 100 for 4 s, 110 for 1 s.
    expect(indicators.value('TWPA(10,5)')).toBeCloseTo(102, 12);
    // [4,10]: 110 throughout.
    expect(indicators.value('TWPA(6,0)')).toBe(110);
  });

  test('keeps moving with time when book updates arrive and no trades do', () => {
    const indicators = new InstrumentIndicators(['TWPA(10,0)']);
    indicators.onTrade(seconds(0), 100, 1, 'buy');
    indicators.onTrade(seconds(5), 200, 1, 'buy');
    indicators.onBook(seconds(10), [[99, 1]], [[101, 1]]);
    expect(indicators.value('TWPA(10,0)')).toBeCloseTo(150, 12);
    indicators.onBook(seconds(15), [[99, 1]], [[101, 1]]);
    expect(indicators.value('TWPA(10,0)')).toBe(200);
  });

  test('treats the last of several trades in one millisecond as the price from then on', () => {
    const indicators = new InstrumentIndicators(['TWPA(2,0)', 'PRICE']);
    indicators.onTrade(seconds(0), 100, 1, 'buy');
    indicators.onTrade(seconds(1), 300, 1, 'buy');
    indicators.onTrade(seconds(1), 200, 1, 'buy');
    indicators.onBook(seconds(2), [], []);
    expect(indicators.value('TWPA(2,0)')).toBeCloseTo(150, 12);
    expect(indicators.value('PRICE')).toBe(200);
  });

  test('treats a late event as happening now, so replay order cannot move time backwards', () => {
    const indicators = new InstrumentIndicators(['TWPA(2,0)']);
    indicators.onTrade(seconds(0), 100, 1, 'buy');
    indicators.onTrade(seconds(2), 100, 1, 'buy');
    indicators.onTrade(seconds(1), 200, 1, 'buy');
    expect(indicators.now).toBe(seconds(2));
    indicators.onBook(seconds(3), [], []);
    expect(indicators.value('TWPA(2,0)')).toBeCloseTo(150, 12);
  });
});

describe('null until the data covers the window', () => {
  test('TWPA needs a trade at or before the window start', () => {
    const indicators = new InstrumentIndicators(['TWPA(10,0)', 'TWPA(10,5)']);
    indicators.onTrade(seconds(0), 100, 1, 'buy');
    indicators.onBook(seconds(9.999), [], []);
    expect(indicators.value('TWPA(10,0)')).toBeNull();
    expect(indicators.value('TWPA(10,5)')).toBeNull();
    indicators.onBook(seconds(10), [], []);
    expect(indicators.value('TWPA(10,0)')).toBe(100);
    expect(indicators.value('TWPA(10,5)')).toBe(100);
  });

  test('each indicator waits for its longest window', () => {
    const ids = ['PRICE', 'PUMP_MAGNITUDE_PCT', 'VOLUME_SURGE_RATIO(10,0,60,0)', 'PRICE_MOMENTUM', 'VELOCITY_CASCADE(1,2,4)', 'RSI(3,1)', 'SPREAD_PCT', 'VWAP', 'VWAP(5)'];
    const indicators = new InstrumentIndicators(ids);
    expect(Object.values(indicators.values()).every((value) => value === null)).toBe(true);
    indicators.onTrade(seconds(0), 100, 1, 'buy');
    expect(indicators.value('PRICE')).toBe(100);
    expect(indicators.value('VWAP')).toBe(100);
    expect(indicators.value('VWAP(5)')).toBeNull();
    for (let s = 0.5; s < 60; s += 0.5) indicators.onTrade(seconds(s), 100 + s, 1, 'buy');
    expect(indicators.value('VWAP(5)')).not.toBeNull();
    expect(indicators.value('RSI(3,1)')).not.toBeNull();
    expect(indicators.value('VELOCITY_CASCADE(1,2,4)')).not.toBeNull();
    expect(indicators.value('PUMP_MAGNITUDE_PCT')).toBeNull();
    expect(indicators.value('VOLUME_SURGE_RATIO(10,0,60,0)')).toBeNull();
    expect(indicators.value('PRICE_MOMENTUM')).toBeNull();
    indicators.onTrade(seconds(60), 160, 1, 'buy');
    expect(indicators.value('PUMP_MAGNITUDE_PCT')).toBeGreaterThan(0);
    expect(indicators.value('VOLUME_SURGE_RATIO(10,0,60,0)')).toBeCloseTo(1, 1);
    expect(indicators.value('PRICE_MOMENTUM')).toBeGreaterThan(0);
    expect(indicators.value('SPREAD_PCT')).toBeNull();
    indicators.onBook(seconds(60), [[99, 1]], [[101, 1]]);
    expect(indicators.value('SPREAD_PCT')).toBeCloseTo(2, 12);
  });

  test('the volume surge ratio is undefined, not infinite, when the baseline saw no trades', () => {
    const indicators = new InstrumentIndicators(['VOLUME_SURGE_RATIO(1,0,3,2)']);
    indicators.onTrade(seconds(0), 100, 1, 'buy');
    indicators.onTrade(seconds(3), 100, 1, 'buy');
    expect(indicators.value('VOLUME_SURGE_RATIO(1,0,3,2)')).toBeNull();
  });
});

describe('variants', () => {
  test('two variants of one type never overwrite each other, and sharing blocks changes no value', () => {
    const ids = ['TWPA(10,0)', 'TWPA(60,0)', 'TWPA', 'RSI(14,1)', 'RSI(3,1)', 'PUMP_MAGNITUDE_PCT', 'PRICE_VELOCITY', 'MOMENTUM_REVERSAL_INDEX', 'VOLUME_SURGE_RATIO(10,0,60,0)', 'VOLUME_SURGE_RATIO(5,0,60,0)', 'VWAP(10)'];
    const together = new InstrumentIndicators(ids);
    const alone = ids.map((id) => new InstrumentIndicators([id]));
    const trades = loadTrades().slice(0, 8000);
    let differing = 0;
    trades.forEach((trade, index) => {
      together.onTrade(trade.ts, trade.price, trade.quantity, trade.side);
      alone.forEach((set) => set.onTrade(trade.ts, trade.price, trade.quantity, trade.side));
      if (index % 10 !== 0) return;
      ids.forEach((id, position) => expect(together.value(id), `${id} at ${index}`).toBe(alone[position]!.value(id)));
      if (together.value('TWPA(10,0)') !== together.value('TWPA(60,0)') && together.value('RSI(14,1)') !== together.value('RSI(3,1)')) differing++;
    });
    expect(differing).toBeGreaterThan(100);
    expect(together.value('TWPA')).toBe(together.value('TWPA(10,0)'));
  });

  test('a named variant is the same computation under its own id', () => {
    const indicators = new InstrumentIndicators(['fast_pump', 'PUMP_MAGNITUDE_PCT(5,30,10)'], {
      namedVariants: { fast_pump: { type: 'PUMP_MAGNITUDE_PCT', params: [5, 30, 10] } },
    });
    for (const trade of loadTrades().slice(0, 3000)) indicators.onTrade(trade.ts, trade.price, trade.quantity, trade.side);
    expect(indicators.value('fast_pump')).not.toBeNull();
    expect(indicators.value('fast_pump')).toBe(indicators.value('PUMP_MAGNITUDE_PCT(5,30,10)'));
  });

  test('refuses to construct with an unknown type or an impossible window, naming the variant', () => {
    expect(() => new InstrumentIndicators(['TWPA', 'MAGIC(3)'])).toThrow('Indicator variant "MAGIC(3)": unknown indicator type');
    expect(() => new InstrumentIndicators(['TWPA(0,10)'])).toThrow('Indicator variant "TWPA(0,10)": window start');
  });

  test('refuses to add a building block once events have flowed, since it would have missed them', () => {
    const context = new IndicatorContext();
    createIndicator('TWPA(10,0)', context);
    context.onTrade(seconds(0), 100, 1, 'buy');
    expect(() => createIndicator('TWPA(60,0)', context)).toThrow('before the first market event');
  });

  test('asking for a variant it does not track is an error, not a silent null', () => {
    expect(() => new InstrumentIndicators(['PRICE']).value('TWPA')).toThrow('"TWPA" is not tracked');
  });

  test('refuses corrupt trades rather than averaging them in', () => {
    const indicators = new InstrumentIndicators(['PRICE']);
    expect(() => indicators.onTrade(seconds(0), Number.NaN, 1, 'buy')).toThrow(RangeError);
    expect(() => indicators.onTrade(seconds(0), 100, -1, 'buy')).toThrow(RangeError);
    expect(() => indicators.onTrade(Number.NaN, 100, 1, 'buy')).toThrow(RangeError);
  });
});

describe('memory stays bounded by the window', () => {
  test('series and deques hold only what their windows can still reach, however long the run', () => {
    const trades = loopTrades(loadTrades(), 3);
    const context = new IndicatorContext();
    const window = context.priceWindow(10_000, 0);
    const flow = context.flowWindow(30_000, 0);
    const prices = context.tradePriceSeries();
    const volumes = context.tradeFlowSeries();
    const reversal = createIndicator('MOMENTUM_REVERSAL_INDEX(10,60,30,20)', context);
    if (!(reversal instanceof MomentumReversalIndex)) throw new Error('expected a MomentumReversalIndex');
    // The longest lookback registered is TWPA(60,…) inside the reversal index.
    const mostDistinctTimestampsIn = (ms: number): number => {
      const distinct = [...new Set(trades.map((t) => t.ts))];
      let most = 0;
      for (let i = 0, j = 0; i < distinct.length; i++) {
        while (distinct[i]! - distinct[j]! > ms) j++;
        most = Math.max(most, i - j + 1);
      }
      return most;
    };
    const bound60 = mostDistinctTimestampsIn(60_000) + 2;
    const samplesIn20 = (() => {
      let most = 0;
      for (let i = 0, j = 0; i < trades.length; i++) {
        while (trades[i]!.ts - trades[j]!.ts > 20_000) j++;
        most = Math.max(most, i - j + 1);
      }
      return most;
    })();
    let largest = { prices: 0, volumes: 0, span: 0, flowSpan: 0, deque: 0 };
    const sizesAfterLoop: number[] = [];
    trades.forEach((trade, index) => {
      context.onTrade(trade.ts, trade.price, trade.quantity, trade.side);
      largest = {
        prices: Math.max(largest.prices, prices.size),
        volumes: Math.max(largest.volumes, volumes.size),
        span: Math.max(largest.span, window.span),
        flowSpan: Math.max(largest.flowSpan, flow.span),
        deque: Math.max(largest.deque, reversal.dequeSize),
      };
      if ((index + 1) % (trades.length / 3) === 0) sizesAfterLoop.push(prices.size);
    });
    expect(largest.prices).toBeLessThanOrEqual(bound60);
    expect(largest.volumes).toBeLessThanOrEqual(bound60);
    expect(largest.span).toBeLessThanOrEqual(mostDistinctTimestampsIn(10_000) + 1);
    expect(largest.flowSpan).toBeLessThanOrEqual(mostDistinctTimestampsIn(30_000));
    expect(largest.deque).toBeLessThanOrEqual(samplesIn20);
    expect(largest.deque).toBeGreaterThan(0);
    // Same point in each replayed copy, same amount kept: nothing accumulates across loops.
    expect(new Set(sizesAfterLoop).size).toBe(1);
  });
});
