import { describe, expect, test } from 'vitest';
import { formatVariantId, parseVariantId } from './variant-id';

describe('parseVariantId', () => {
  test('reads a bare name as the type with no parameters', () => {
    expect(parseVariantId('SPREAD_PCT')).toEqual({ type: 'SPREAD_PCT', params: [] });
  });

  test('reads positional decimal parameters', () => {
    expect(parseVariantId('TWPA(10,0)')).toEqual({ type: 'TWPA', params: [10, 0] });
    expect(parseVariantId('BID_ASK_IMBALANCE(2.5,1)')).toEqual({ type: 'BID_ASK_IMBALANCE', params: [2.5, 1] });
  });

  test.each(['twpa', 'TWPA(', 'TWPA()', 'TWPA(10, 0)', 'TWPA(-1,0)', 'TWPA(1e3)', 'TWPA(.5)', 'TWPA(10,)', 'TWPA(10)x', '(10)', ''])(
    'refuses %j and names it in the error',
    (variantId) => {
      expect(() => parseVariantId(variantId)).toThrow(`Indicator variant "${variantId}"`);
    },
  );

  test('formats back to the same canonical id', () => {
    expect(formatVariantId('TWPA', [10, 0])).toBe('TWPA(10,0)');
    expect(formatVariantId('PRICE', [])).toBe('PRICE');
    expect(parseVariantId(formatVariantId('RSI', [14, 0.5]))).toEqual({ type: 'RSI', params: [14, 0.5] });
  });
});
