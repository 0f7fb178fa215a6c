import { describe, expect, test } from 'vitest';
import { canonicalIndicatorId, INDICATOR_TYPE_NAMES, INDICATOR_TYPES, parseIndicatorId } from './indicator-ids';
import { strategyFingerprint, strategyId, validateStrategy, type StrategyDefinition } from './schema';

function baseStrategy(): Record<string, unknown> {
  return {
    strategy_name: 'Test Pump',
    direction: 'LONG',
    enabled: true,
    global_limits: { cooldown_minutes: 1 },
    s1_signal: { conditions: [{ id: 's1', indicatorId: 'PUMP_MAGNITUDE_PCT(10,60,30)', operator: '>', value: 2 }] },
    o1_cancel: { timeoutSeconds: 30, conditions: [{ id: 'o1', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '<', value: 0 }] },
    z1_entry: {
      conditions: [{ id: 'z1', indicatorId: 'VOLUME_SURGE_RATIO', operator: '>', value: 3 }],
      positionSize: { type: 'percentage', value: 5 },
      leverage: 3,
      stopLoss: { enabled: true, offsetPercent: 1 },
    },
    ze1_close: { conditions: [{ id: 'ze1', indicatorId: 'UNREALIZED_PNL_PCT', operator: '>=', value: 1 }] },
    emergency_exit: {
      conditions: [{ id: 'e1', indicatorId: 'UNREALIZED_PNL_PCT', operator: '<=', value: -5 }],
      cooldownMinutes: 5,
      actions: { cancelPending: true, closePosition: true, logEvent: true },
    },
  };
}

function paths(input: unknown, options?: Parameters<typeof validateStrategy>[1]): string[] {
  const result = validateStrategy(input, options);
  if (result.ok) throw new Error('expected the strategy to be rejected');
  return result.error.paths ?? [];
}

function valid(input: unknown): StrategyDefinition {
  const result = validateStrategy(input);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('validateStrategy', () => {
  test('accepts a complete strategy and fills in the defaults', () => {
    const definition = valid(baseStrategy());
    expect(definition.z1_entry.orderType).toBe('MARKET');
    expect(definition.global_limits.cooldown_minutes).toBe(1);
    expect(valid({ ...baseStrategy(), global_limits: undefined }).global_limits).toEqual({});
  });

  test('rejects the whole strategy and names every failing path at once', () => {
    const input = baseStrategy();
    (input['z1_entry'] as Record<string, unknown>)['leverage'] = 11;
    (input['s1_signal'] as Record<string, unknown>)['conditions'] = [{ id: 's1', indicatorId: 'PUMP_MAGNITUDE_PCT(10,60,90)', operator: '>', value: 2 }];
    (input['o1_cancel'] as Record<string, unknown>)['timeoutSeconds'] = 0;
    const result = validateStrategy(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.type).toBe('validation');
    expect(result.error.paths).toEqual(expect.arrayContaining(['z1_entry.leverage', 's1_signal.conditions[0].indicatorId', 'o1_cancel.timeoutSeconds']));
    expect(result.error.message).toContain('d must not exceed t3');
  });

  test('names the exact field inside nested groups', () => {
    const input = baseStrategy();
    (input['s1_signal'] as Record<string, unknown>)['conditions'] = {
      all: [
        { id: 'a', indicatorId: 'PRICE', operator: '>', value: 1 },
        { not: { id: 'b', indicatorId: 'PRICE', operator: '=>', value: 1 } },
        [{ any: [{ id: 'c', indicatorId: 'PRICE', operator: '<', value: Number.POSITIVE_INFINITY }] }],
      ],
    };
    expect(paths(input)).toEqual(['s1_signal.conditions.all[1].not.operator', 's1_signal.conditions.all[2][0].any[0].value']);
  });

  test('rejects a leverage that is not a whole number from 1 to 10', () => {
    for (const leverage of [0, 11, 2.5]) {
      const input = baseStrategy();
      (input['z1_entry'] as Record<string, unknown>)['leverage'] = leverage;
      expect(paths(input)).toEqual(['z1_entry.leverage']);
    }
  });

  test('caps a percentage position size at 100 but not a fixed one', () => {
    const input = baseStrategy();
    (input['z1_entry'] as Record<string, unknown>)['positionSize'] = { type: 'percentage', value: 150 };
    expect(paths(input)).toEqual(['z1_entry.positionSize.value']);
    (input['z1_entry'] as Record<string, unknown>)['positionSize'] = { type: 'fixed', value: 150 };
    expect(validateStrategy(input).ok).toBe(true);
    (input['z1_entry'] as Record<string, unknown>)['positionSize'] = { type: 'fixed', value: 0 };
    expect(paths(input)).toEqual(['z1_entry.positionSize.value']);
  });

  test('rejects a misspelt optional key instead of silently dropping it', () => {
    const input = baseStrategy();
    (input['z1_entry'] as Record<string, unknown>)['stoploss'] = { enabled: true, offsetPercent: 1 };
    expect(paths(input)).toEqual(['z1_entry']);
  });

  test('rejects empty condition lists, which would be vacuously true', () => {
    const input = baseStrategy();
    (input['emergency_exit'] as Record<string, unknown>)['conditions'] = [];
    expect(paths(input)).toEqual(['emergency_exit.conditions']);
  });

  test('requires condition ids to be unique across the whole strategy', () => {
    const input = baseStrategy();
    (input['ze1_close'] as Record<string, unknown>)['conditions'] = { any: [{ id: 's1', indicatorId: 'PRICE', operator: '>', value: 1 }] };
    const result = validateStrategy(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.paths).toEqual(['ze1_close.conditions.any[0].id']);
    expect(result.error.message).toContain('already used at s1_signal.conditions[0]');
  });

  test('reports duplicate ids together with unrelated schema errors', () => {
    const input = baseStrategy();
    (input['ze1_close'] as Record<string, unknown>)['conditions'] = [{ id: 's1', indicatorId: 'PRICE', operator: '>', value: 1 }];
    (input['z1_entry'] as Record<string, unknown>)['leverage'] = 20;
    expect(paths(input)).toEqual(['z1_entry.leverage', 'ze1_close.conditions[0].id']);
  });

  test('checks named variants against the registry when one is given', () => {
    const input = baseStrategy();
    (input['s1_signal'] as Record<string, unknown>)['conditions'] = [{ id: 's1', indicatorId: 'pump_fast', operator: '>', value: 1 }];
    expect(validateStrategy(input).ok).toBe(true);
    expect(validateStrategy(input, { isKnownVariant: (name) => name === 'pump_fast' }).ok).toBe(true);
    expect(paths(input, { isKnownVariant: () => false })).toEqual(['s1_signal.conditions[0].indicatorId']);
  });

  test('a BOTH strategy must have a direction-sensitive indicator in S1', () => {
    const input: Record<string, unknown> = { ...baseStrategy(), direction: 'BOTH' };
    expect(validateStrategy(input).ok).toBe(true);
    (input['s1_signal'] as Record<string, unknown>) = { conditions: [{ id: 's1', indicatorId: 'VOLUME_SURGE_RATIO', operator: '>', value: 3 }] };
    expect(paths(input)).toEqual(['s1_signal.conditions']);
    // a named variant might be direction-sensitive; only the registry knows
    (input['s1_signal'] as Record<string, unknown>) = { conditions: [{ id: 's1', indicatorId: 'my_move', operator: '>', value: 3 }] };
    expect(validateStrategy(input).ok).toBe(true);
  });

  test('rejects values that are not JSON objects at all', () => {
    expect(paths(null)).toEqual(['(root)']);
    expect(paths('{"strategy_name": "x"}')).toEqual(['(root)']);
  });
});

describe('parseIndicatorId', () => {
  const rejects = (id: string, fragment: string): void => {
    const result = parseIndicatorId(id);
    expect(result.ok, id).toBe(false);
    if (!result.ok) expect(result.error.message).toContain(fragment);
  };

  test('a bare type name means the type with its default parameters', () => {
    expect(parseIndicatorId('PUMP_MAGNITUDE_PCT')).toEqual({ ok: true, value: { type: 'PUMP_MAGNITUDE_PCT', params: [10, 60, 30] } });
    expect(parseIndicatorId('VOLUME_SURGE_RATIO')).toEqual({ ok: true, value: { type: 'VOLUME_SURGE_RATIO', params: [30, 0, 600, 30] } });
    expect(parseIndicatorId('PRICE')).toEqual({ ok: true, value: { type: 'PRICE', params: [] } });
  });

  test('reads explicit parameters and fills left-out trailing ones with defaults', () => {
    expect(parseIndicatorId('TWPA(300,0)')).toEqual({ ok: true, value: { type: 'TWPA', params: [300, 0] } });
    expect(parseIndicatorId('PUMP_MAGNITUDE_PCT(5,30,7.5)')).toEqual({ ok: true, value: { type: 'PUMP_MAGNITUDE_PCT', params: [5, 30, 7.5] } });
    expect(parseIndicatorId('RSI(14)')).toEqual({ ok: true, value: { type: 'RSI', params: [14, 60] } });
    expect(parseIndicatorId('TWPA(300)')).toEqual({ ok: true, value: { type: 'TWPA', params: [300, 0] } });
  });

  test('a lowercase name is a named user variant', () => {
    expect(parseIndicatorId('pump_fast')).toEqual({ ok: true, value: { named: 'pump_fast' } });
  });

  test('rejects impossible windows', () => {
    rejects('TWPA(0,0)', 't1 > t2');
    rejects('TWPA(10,30)', 't1 > t2');
    rejects('VOLUME_SURGE_RATIO(30,0,30,60)', 't3 > t4');
    rejects('PUMP_MAGNITUDE_PCT(10,60,0)', 'd must be greater than 0');
    rejects('PUMP_MAGNITUDE_PCT(10,60,61)', 'd must not exceed t3');
    rejects('PUMP_MAGNITUDE_PCT(100,60,30)', 'base window centre');
    rejects('PRICE_VELOCITY(0,60,30)', 't1 must be greater than 0');
    rejects('VELOCITY_CASCADE(5,5,60)', 'scales must increase');
    rejects('RSI(14,0)', 'barSeconds must be greater than 0');
  });

  test('rejects negative, non-numeric, too large and miscounted parameters', () => {
    rejects('TWPA(-5,0)', 'must not be negative');
    rejects('TWPA(abc,0)', 'unsigned decimal');
    rejects('TWPA(NaN,0)', 'unsigned decimal');
    rejects('TWPA(1e3,0)', 'unsigned decimal');
    rejects('TWPA(10, 0)', 'without spaces');
    rejects('TWPA(700000,0)', '7 days');
    rejects('RSI(1000000)', 'whole number from 1');
    rejects('RSI(14.5)', 'whole number from 1');
    rejects('PUMP_MAGNITUDE_PCT(10,60,30,5)', 'takes at most 3');
    rejects('PRICE(1)', 'takes no parameters');
    rejects('RSI()', 'empty parameter list');
  });

  test('rejects unknown types, lowercase type names and stray text', () => {
    rejects('PUMP_MAGNITUDE', 'unknown indicator type');
    rejects('pump_magnitude_pct', 'capitals');
    rejects('Pump', 'neither');
    rejects(' PRICE', 'neither');
    rejects('', 'must not be empty');
  });

  test('every default parameter set passes its own checks', () => {
    for (const type of INDICATOR_TYPE_NAMES) {
      const params = INDICATOR_TYPES[type].params.map((p) => p.default);
      const id = params.length === 0 ? type : `${type}(${params.join(',')})`;
      expect(parseIndicatorId(id).ok, id).toBe(true);
    }
  });

  test('one canonical spelling per variant', () => {
    const bare = parseIndicatorId('PUMP_MAGNITUDE_PCT');
    const spelled = parseIndicatorId('PUMP_MAGNITUDE_PCT(10,60)');
    if (!bare.ok || !spelled.ok) throw new Error('expected valid ids');
    expect(canonicalIndicatorId(bare.value)).toBe('PUMP_MAGNITUDE_PCT(10,60,30)');
    expect(canonicalIndicatorId(spelled.value)).toBe('PUMP_MAGNITUDE_PCT(10,60,30)');
  });
});

describe('strategy identity', () => {
  test('the id is a slug of the name', () => {
    expect(strategyId({ strategy_name: 'Pump Long v2' })).toBe('pump-long-v2');
    expect(strategyId({ strategy_name: '  Dump / Short!! ' })).toBe('dump-short');
    expect(strategyId({ strategy_name: 'Café Momentum' })).toBe('cafe-momentum');
  });

  test('the fingerprint ignores key order and changes with the content', () => {
    const a = valid(baseStrategy());
    const reordered = valid(Object.fromEntries(Object.entries(baseStrategy()).reverse()));
    expect(strategyFingerprint(a)).toBe(strategyFingerprint(reordered));
    expect(strategyFingerprint(a)).toMatch(/^[0-9a-f]{16}$/);
    const changed = baseStrategy();
    (changed['z1_entry'] as Record<string, unknown>)['leverage'] = 4;
    expect(strategyFingerprint(valid(changed))).not.toBe(strategyFingerprint(a));
  });
});
