import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  conditionProgress, evaluateGroup, readingFor, referencedIndicators, sectionIndicators, type IndicatorLookup, type Truth,
} from './evaluate';
import { mirrorRuleOf, mirrorValue } from './indicator-ids';
import { validateStrategy, type Condition, type ConditionNode, type StrategyDefinition } from './schema';

const cond = (id: string, indicatorId: string, operator: Condition['operator'], value: number): Condition => ({ id, indicatorId, operator, value });
const lookupOf = (values: Record<string, number | null | undefined>): IndicatorLookup => (id) => values[id];

// a small universe: direction-sensitive (negate, reciprocal, 100−x) and direction-free indicators
const IDS = ['PUMP_MAGNITUDE_PCT', 'TWPA_RATIO', 'RSI', 'VOLUME_SURGE_RATIO', 'PRICE'] as const;
const OPERATORS = ['>', '<', '>=', '<=', '==', '!='] as const;

const conditionArb: fc.Arbitrary<Condition> = fc.record({
  id: fc.constant('c'),
  indicatorId: fc.constantFrom(...IDS),
  operator: fc.constantFrom(...OPERATORS),
  value: fc.integer({ min: -3, max: 3 }),
});

const { node: groupArb } = fc.letrec<{ node: ConditionNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    conditionArb,
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
    fc.record({ all: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('node') }),
  ),
}));

// values near the thresholds so comparisons go both ways; null means "no value yet"
const valuesArb = fc.record(
  Object.fromEntries(IDS.map((id) => [id, fc.option(fc.integer({ min: -4, max: 4 }).map((v) => (id === 'TWPA_RATIO' ? Math.abs(v) + 0.5 : v)), { nil: null })])) as Record<(typeof IDS)[number], fc.Arbitrary<number | null>>,
);
const directionArb = fc.constantFrom('LONG' as const, 'SHORT' as const);

const order: Record<Truth, number> = { false: 0, pending: 1, true: 2 };

describe('evaluateGroup', () => {
  test('a condition whose indicator has no value is pending, never true or false', () => {
    const c = cond('a', 'PRICE', '>', 1);
    expect(evaluateGroup(c, lookupOf({}), 'LONG')).toBe('pending');
    expect(evaluateGroup(c, lookupOf({ PRICE: null }), 'LONG')).toBe('pending');
    expect(evaluateGroup(c, lookupOf({ PRICE: Number.NaN }), 'LONG')).toBe('pending');
    expect(evaluateGroup({ not: c }, lookupOf({}), 'LONG')).toBe('pending');
    expect(evaluateGroup(c, lookupOf({ PRICE: 2 }), 'LONG')).toBe('true');
    expect(evaluateGroup(c, lookupOf({ PRICE: 1 }), 'LONG')).toBe('false');
  });

  test('all is false if any is false, pending if any is pending, else true', () => {
    const yes = cond('y', 'PRICE', '>', 0);
    const no = cond('n', 'PRICE', '<', 0);
    const unknown = cond('u', 'RSI', '>', 0);
    const values = lookupOf({ PRICE: 1 });
    expect(evaluateGroup({ all: [yes, unknown, no] }, values, 'LONG')).toBe('false');
    expect(evaluateGroup({ all: [yes, unknown] }, values, 'LONG')).toBe('pending');
    expect(evaluateGroup([yes, yes], values, 'LONG')).toBe('true');
  });

  test('any is true if any is true, pending if any is pending, else false', () => {
    const yes = cond('y', 'PRICE', '>', 0);
    const no = cond('n', 'PRICE', '<', 0);
    const unknown = cond('u', 'RSI', '>', 0);
    const values = lookupOf({ PRICE: 1 });
    expect(evaluateGroup({ any: [no, unknown, yes] }, values, 'LONG')).toBe('true');
    expect(evaluateGroup({ any: [no, unknown] }, values, 'LONG')).toBe('pending');
    expect(evaluateGroup({ any: [no, no] }, values, 'LONG')).toBe('false');
  });

  test('every operator compares the value with the threshold', () => {
    const at = (operator: Condition['operator'], value: number): Truth => evaluateGroup(cond('a', 'PRICE', operator, 2), lookupOf({ PRICE: value }), 'LONG');
    expect([at('>', 3), at('>', 2), at('<', 1), at('<', 2), at('>=', 2), at('>=', 1), at('<=', 2), at('<=', 3), at('==', 2), at('==', 3), at('!=', 3), at('!=', 2)])
      .toEqual(['true', 'false', 'true', 'false', 'true', 'false', 'true', 'false', 'true', 'false', 'true', 'false']);
  });

  test('the SHORT reading mirrors direction-sensitive indicators only', () => {
    const pump = cond('p', 'PUMP_MAGNITUDE_PCT', '>', 2);
    expect(evaluateGroup(pump, lookupOf({ PUMP_MAGNITUDE_PCT: 2.5 }), 'LONG')).toBe('true');
    expect(evaluateGroup(pump, lookupOf({ PUMP_MAGNITUDE_PCT: 2.5 }), 'SHORT')).toBe('false');
    expect(evaluateGroup(pump, lookupOf({ PUMP_MAGNITUDE_PCT: -2.5 }), 'SHORT')).toBe('true');
    expect(evaluateGroup(cond('r', 'RSI', '>', 70), lookupOf({ RSI: 25 }), 'SHORT')).toBe('true');
    expect(evaluateGroup(cond('t', 'TWPA_RATIO(10,0,60,30)', '>', 1.002), lookupOf({ 'TWPA_RATIO(10,0,60,30)': 0.997 }), 'SHORT')).toBe('true');
    expect(evaluateGroup(cond('v', 'VOLUME_SURGE_RATIO', '>', 3), lookupOf({ VOLUME_SURGE_RATIO: 4 }), 'SHORT')).toBe('true');
    expect(evaluateGroup(cond('u', 'UNREALIZED_PNL_PCT', '<', -1), lookupOf({ UNREALIZED_PNL_PCT: -2 }), 'SHORT')).toBe('true');
  });

  test('named variants mirror like their type when the registry resolves them', () => {
    const c = cond('p', 'pump_fast', '>', 2);
    const values = lookupOf({ pump_fast: -3 });
    expect(evaluateGroup(c, values, 'SHORT')).toBe('false');
    expect(evaluateGroup(c, values, 'SHORT', { variantType: () => 'PUMP_MAGNITUDE_PCT' })).toBe('true');
  });

  test('only the SHORT side of a BOTH strategy uses the mirrored reading', () => {
    expect(readingFor('BOTH', 'SHORT')).toBe('SHORT');
    expect(readingFor('BOTH', 'LONG')).toBe('LONG');
    expect(readingFor('SHORT', 'SHORT')).toBe('LONG');
    expect(readingFor('LONG', 'LONG')).toBe('LONG');
  });
});

describe('evaluateGroup properties', () => {
  test('not(not(g)) is g', () => {
    fc.assert(fc.property(groupArb, valuesArb, directionArb, (g, values, direction) => {
      expect(evaluateGroup({ not: { not: g } }, lookupOf(values), direction)).toBe(evaluateGroup(g, lookupOf(values), direction));
    }));
  });

  test('any or all of one group is that group, and a bare list is all', () => {
    fc.assert(fc.property(groupArb, fc.array(groupArb, { minLength: 1, maxLength: 3 }), valuesArb, directionArb, (g, list, values, direction) => {
      const lookup = lookupOf(values);
      const alone = evaluateGroup(g, lookup, direction);
      expect(evaluateGroup({ any: [g] }, lookup, direction)).toBe(alone);
      expect(evaluateGroup({ all: [g] }, lookup, direction)).toBe(alone);
      expect(evaluateGroup(list, lookup, direction)).toBe(evaluateGroup({ all: list }, lookup, direction));
    }));
  });

  test('De Morgan holds in three-valued logic', () => {
    fc.assert(fc.property(groupArb, groupArb, valuesArb, directionArb, (a, b, values, direction) => {
      const lookup = lookupOf(values);
      expect(evaluateGroup({ not: { all: [a, b] } }, lookup, direction)).toBe(evaluateGroup({ any: [{ not: a }, { not: b }] }, lookup, direction));
    }));
  });

  test('with no values at all nothing is ever true', () => {
    fc.assert(fc.property(groupArb, directionArb, (g, direction) => {
      expect(evaluateGroup(g, () => undefined, direction)).toBe('pending');
    }));
  });

  test('pending never becomes true: a decided result survives every way the missing values can arrive', () => {
    fc.assert(fc.property(groupArb, valuesArb, valuesArb, directionArb, (g, partial, filler, direction) => {
      const complete = Object.fromEntries(IDS.map((id) => [id, partial[id] ?? filler[id] ?? 1]));
      const before = evaluateGroup(g, lookupOf(partial), direction);
      const after = evaluateGroup(g, lookupOf(complete), direction);
      expect(after).not.toBe('pending');
      if (before !== 'pending') expect(after).toBe(before);
      // more information only moves away from pending, never past it
      expect(Math.abs(order[after] - order[before])).toBeLessThanOrEqual(1);
    }));
  });

  test('the SHORT reading equals the LONG reading of the mirrored values', () => {
    fc.assert(fc.property(groupArb, valuesArb, (g, values) => {
      const mirrored = Object.fromEntries(IDS.map((id) => {
        const value = values[id];
        return [id, value === null ? null : mirrorValue(mirrorRuleOf(id), value)];
      }));
      expect(evaluateGroup(g, lookupOf(values), 'SHORT')).toBe(evaluateGroup(g, lookupOf(mirrored), 'LONG'));
    }));
  });
});

function definition(): StrategyDefinition {
  const result = validateStrategy({
    strategy_name: 'Progress',
    direction: 'BOTH',
    enabled: true,
    s1_signal: { conditions: { all: [cond('s1-pump', 'PUMP_MAGNITUDE_PCT', '>', 2), { not: cond('s1-spread', 'SPREAD_PCT', '>', 0.5) }] } },
    o1_cancel: { timeoutSeconds: 30 },
    z1_entry: { conditions: [cond('z1-pump', 'PUMP_MAGNITUDE_PCT', '>', 1), cond('z1-vol', 'VOLUME_SURGE_RATIO', '>', 3)], positionSize: { type: 'fixed', value: 50 }, leverage: 2 },
    ze1_close: { conditions: [cond('ze1', 'UNREALIZED_PNL_PCT', '>', 1)] },
    emergency_exit: { conditions: [cond('e1', 'UNREALIZED_PNL_PCT', '<', -3)], cooldownMinutes: 1, actions: { cancelPending: true, closePosition: true, logEvent: true } },
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('conditionProgress and referencedIndicators', () => {
  test('reports each condition on its own, in document order, with raw and compared values', () => {
    const progress = conditionProgress(definition().s1_signal.conditions, lookupOf({ PUMP_MAGNITUDE_PCT: -2.5, SPREAD_PCT: 0.7 }), 'SHORT');
    expect(progress).toEqual([
      { id: 's1-pump', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '>', value: 2, current: -2.5, compared: 2.5, met: true },
      // the `not` around it is not applied: the condition itself is met
      { id: 's1-spread', indicatorId: 'SPREAD_PCT', operator: '>', value: 0.5, current: 0.7, compared: 0.7, met: true },
    ]);
  });

  test('a condition without a value has met null', () => {
    const [only] = conditionProgress(cond('a', 'RSI', '>', 70), lookupOf({}), 'LONG');
    expect(only).toMatchObject({ current: null, compared: null, met: null });
  });

  test('lists every indicator the strategy uses once, in section order', () => {
    const def = definition();
    expect(referencedIndicators(def)).toEqual(['PUMP_MAGNITUDE_PCT', 'SPREAD_PCT', 'VOLUME_SURGE_RATIO', 'UNREALIZED_PNL_PCT']);
    expect(sectionIndicators(def, 'z1_entry')).toEqual(['PUMP_MAGNITUDE_PCT', 'VOLUME_SURGE_RATIO']);
    expect(sectionIndicators(def, 'o1_cancel')).toEqual([]);
  });
});
