import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { INDICATOR_TYPE_NAMES, INDICATOR_TYPES, parseIndicatorId } from '../../../src-shared/strategy/schema';
import { describeIndicatorTypes, resolveIndicatorVariant } from '../indicators/registry';

/**
 * The strategy schema (src-shared) validates indicator ids when a strategy is loaded; the
 * indicator engine parses them again when a session starts. An id the schema accepts must
 * never be refused later, half-way into starting a session.
 */
describe('strategy schema and indicator engine agree on indicator ids', () => {
  test('both know the same types with the same parameters and defaults', () => {
    const engine = describeIndicatorTypes();
    expect([...INDICATOR_TYPE_NAMES].sort()).toEqual(Object.keys(engine).sort());
    for (const type of INDICATOR_TYPE_NAMES) {
      const ours = INDICATOR_TYPES[type].params.map((p) => [p.name, p.unit, p.default]);
      const theirs = engine[type].params.map((p) => [p.name, p.kind, p.defaultValue]);
      expect(ours, type).toEqual(theirs);
    }
  });

  test('every id the schema accepts resolves in the engine to the same parameters', () => {
    const piece = fc.oneof(
      fc.integer({ min: 0, max: 700 }).map(String),
      fc.constantFrom('0.5', '2.5', '7.5', '30', '60', '300', '1.0005', '-5', '1e3', ' 5', 'abc', '700000', '0'),
    );
    const id = fc.tuple(fc.constantFrom(...INDICATOR_TYPE_NAMES), fc.option(fc.array(piece, { minLength: 0, maxLength: 5 }), { nil: null }))
      .map(([type, params]) => (params === null ? type : `${type}(${params.join(',')})`));
    let accepted = 0;
    fc.assert(fc.property(id, (candidate) => {
      const ours = parseIndicatorId(candidate);
      if (!ours.ok || 'named' in ours.value) return;
      accepted++;
      expect(resolveIndicatorVariant(candidate).params, candidate).toEqual(ours.value.params);
    }), { numRuns: 3_000 });
    expect(accepted).toBeGreaterThan(300);
  });
});
