import { describe, expect, test } from 'vitest';
import { INDICATOR_TYPES } from './core/indicator';
import { IndicatorContext } from './core/indicator-context';
import { createIndicator, describeIndicatorTypes, isPortfolioSuppliedIndicator, resolveIndicatorVariant } from './indicator-types';
import { UNREALIZED_PNL_PCT } from './unrealized-pnl';

describe('resolving variant ids', () => {
  test('fills omitted trailing parameters with their defaults', () => {
    expect(resolveIndicatorVariant('RSI(7)').params).toEqual([7, 60]);
    expect(resolveIndicatorVariant('VOLUME_SURGE_RATIO').params).toEqual([30, 0, 600, 30]);
    expect(resolveIndicatorVariant('PUMP_MAGNITUDE_PCT').params).toEqual([10, 60, 30]);
  });

  test('looks named variants up before parsing', () => {
    const named = { fast_pump: { type: 'PUMP_MAGNITUDE_PCT', params: [5, 30, 10] } };
    expect(resolveIndicatorVariant('fast_pump', named)).toEqual({ variantId: 'fast_pump', type: 'PUMP_MAGNITUDE_PCT', params: [5, 30, 10] });
  });

  test.each([
    ['NOPE(1)', 'unknown indicator type "NOPE"'],
    ['TWPA(5,10)', 'window start t1=5 must be further back than window end t2=10'],
    ['TWPA(5,5)', 'need t1 > t2'],
    ['TWPA_RATIO(10,0,30,60)', 'window start t3=30'],
    ['VOLUME_SURGE_RATIO(0,0)', 'window start t1=0'],
    ['TWPA(10,0,5)', 'TWPA takes at most 2 parameter(s)'],
    ['SPREAD_PCT(1)', 'takes at most 0 parameter(s)'],
    ['RSI(14.5)', 'period must be a whole number'],
    ['RSI(0)', 'period must be a whole number from 1'],
    ['SMA(1000000)', 'period must be a whole number from 1 to 100000'],
    ['RSI(14,0)', 'barSeconds must be greater than 0'],
    ['EMA(14,0.0005)', 'whole number of milliseconds'],
    ['PUMP_MAGNITUDE_PCT(10,20,30)', 'base window length d=30 cannot exceed its start t3=20'],
    ['PRICE_VELOCITY(100,60,30)', 'base window centre'],
    ['PRICE_VELOCITY(0,60,30)', 't1 must be greater than 0'],
    ['VELOCITY_CASCADE(5,5,60)', 'scales must increase'],
    ['MOMENTUM_REVERSAL_INDEX(10,60,30,0)', 'peakWindow must be greater than 0'],
    ['PRICE_MOMENTUM(0,60)', 'recent must be greater than 0'],
    ['BID_ASK_IMBALANCE(10,0)', 'levels must be a whole number'],
    ['LIQUIDITY_DRAIN_INDEX(0)', 'baseline must be greater than 0'],
  ])('refuses %s, naming the variant and the problem', (variantId, problem) => {
    expect(() => resolveIndicatorVariant(variantId)).toThrow(`Indicator variant "${variantId}"`);
    expect(() => resolveIndicatorVariant(variantId)).toThrow(problem);
  });

  test('names a bad named variant by its own name', () => {
    expect(() => resolveIndicatorVariant('slow', { slow: { type: 'TWPA', params: [1, 2] } })).toThrow('Indicator variant "slow": window start t1=1');
  });
});

describe('the type catalogue', () => {
  test('describes every type with its parameters and defaults', () => {
    const described = describeIndicatorTypes();
    expect(Object.keys(described).sort()).toEqual([...INDICATOR_TYPES].sort());
    expect(described.VOLUME_SURGE_RATIO.params.map((p) => [p.name, p.defaultValue])).toEqual([
      ['t1', 30],
      ['t2', 0],
      ['t3', 600],
      ['t4', 30],
    ]);
    expect(described.RSI.params.map((p) => [p.name, p.defaultValue])).toEqual([
      ['period', 14],
      ['barSeconds', 60],
    ]);
    expect(described.UNREALIZED_PNL_PCT.source).toBe('portfolio');
    expect(described.SPREAD_PCT.source).toBe('book');
  });

  test('every computed type can be built from its bare name', () => {
    const context = new IndicatorContext();
    for (const type of INDICATOR_TYPES) {
      if (type === UNREALIZED_PNL_PCT) continue;
      expect(createIndicator(type, context).params).toHaveLength(describeIndicatorTypes()[type].params.length);
    }
  });

  test('knows UNREALIZED_PNL_PCT but leaves it to the portfolio', () => {
    expect(isPortfolioSuppliedIndicator(UNREALIZED_PNL_PCT)).toBe(true);
    expect(isPortfolioSuppliedIndicator('TWPA')).toBe(false);
    expect(() => createIndicator(UNREALIZED_PNL_PCT, new IndicatorContext())).toThrow('supplied by the portfolio');
  });
});
