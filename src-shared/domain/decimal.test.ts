import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Decimal, PrecisionError } from './decimal';
import { Money, Price, Quantity } from './values';

// decimals with up to 8 places, the range prices and quantities live in
const decimalText = fc
  .tuple(fc.bigInt({ min: -(10n ** 14n), max: 10n ** 14n }), fc.integer({ min: 0, max: 8 }))
  .map(([units, places]) => {
    const negative = units < 0n;
    const digits = (negative ? -units : units).toString().padStart(places + 1, '0');
    const text = places === 0 ? digits : `${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
    return negative ? `-${text}` : text;
  });
const decimal = decimalText.map((t) => Decimal.of(t));

describe('Decimal', () => {
  test('parses and prints decimal text without losing a digit', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        expect(Decimal.of(Decimal.of(text).toString()).eq(text)).toBe(true);
      }),
    );
    expect(Decimal.of('61800.30').toString()).toBe('61800.3');
    expect(Decimal.of('-0.000000000000000001').toString()).toBe('-0.000000000000000001');
    expect(Decimal.of('1.5e3').toString()).toBe('1500');
  });

  test('reads any plain decimal text exactly, however many digits it has', () => {
    // long digit strings take the text way, short ones are accumulated as a number: both exact
    const plainText = fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,30}$/), fc.stringMatching(/^[0-9]{0,18}$/)).map(([negative, int, frac]) => ({
      text: `${negative ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`,
      raw: (negative ? -1n : 1n) * BigInt(int + frac.padEnd(18, '0')),
    }));
    fc.assert(
      fc.property(plainText, ({ text, raw }) => {
        expect(Decimal.of(text).raw).toBe(raw);
      }),
    );
    // not plain: exponents, signs, spaces take the general way; malformed text still fails
    expect(Decimal.of('+12.5').toString()).toBe('12.5');
    expect(Decimal.of(' 7 ').toString()).toBe('7');
    expect(Decimal.of('1.50000000000000000000').toString()).toBe('1.5');
    for (const bad of ['', '-', '.5', '5.', '1.2.3', '--1', '1,5', '0x10']) expect(() => Decimal.of(bad)).toThrow(PrecisionError);
  });

  test('reads numbers exactly as their shortest decimal text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 })), (n) => {
        const text = String(n);
        // more than 18 decimals cannot be held exactly, as text or as a number
        if (/e-/.test(text) || (text.split('.')[1]?.length ?? 0) > 18) return;
        expect(Decimal.of(n).raw).toBe(Decimal.of(text).raw);
      }),
    );
    expect(Decimal.of(-0).toString()).toBe('0');
    expect(Decimal.of(2 ** 53).toString()).toBe('9007199254740992');
  });

  test('prints every amount as its shortest exact text', () => {
    const reference = (raw: bigint): string => {
      const negative = raw < 0n;
      const digits = (negative ? -raw : raw).toString().padStart(19, '0');
      const int = digits.slice(0, digits.length - 18);
      const frac = digits.slice(digits.length - 18).replace(/0+$/, '');
      return `${negative ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`;
    };
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), (raw) => {
        const text = Decimal.fromRaw(raw).toString();
        expect(text).toBe(reference(raw));
        expect(Decimal.of(text).raw).toBe(raw);
      }),
    );
    expect(Decimal.fromRaw(-1n).toString()).toBe('-0.000000000000000001');
    expect(Decimal.fromRaw(10n ** 18n).toString()).toBe('1');
  });

  test('addition is exact, commutative and associative, with zero as identity', () => {
    fc.assert(
      fc.property(decimal, decimal, decimal, (a, b, c) => {
        expect(a.add(b).eq(b.add(a))).toBe(true);
        expect(a.add(b).add(c).eq(a.add(b.add(c)))).toBe(true);
        expect(a.add(Decimal.ZERO).eq(a)).toBe(true);
        expect(a.add(b).sub(b).eq(a)).toBe(true);
      }),
    );
    // the classic float failure is exact here
    expect(Decimal.of('0.1').add('0.2').eq('0.3')).toBe(true);
  });

  test('multiplication is exact and distributes over addition', () => {
    fc.assert(
      fc.property(decimal, decimal, decimal, (a, b, c) => {
        expect(a.mul(b).eq(b.mul(a))).toBe(true);
        expect(a.mul(b.add(c)).eq(a.mul(b).add(a.mul(c)))).toBe(true);
      }),
    );
  });

  test('division states its rounding and multiplying back stays within one unit', () => {
    fc.assert(
      fc.property(decimal, decimal.filter((d) => !d.isZero()), (a, b) => {
        const q = a.div(b, 'down');
        const back = q.mul(b, 'down');
        const error = a.sub(back).abs();
        expect(error.lte(b.abs().mul(Decimal.fromRaw(1n), 'up'))).toBe(true);
      }),
    );
    expect(Decimal.of(1).div(3, 'down').toString()).toBe('0.333333333333333333');
    expect(Decimal.of(2).div(3, 'half-even').toString()).toBe('0.666666666666666667');
    expect(Decimal.of('2.5').roundToStep(1, 'half-even').toString()).toBe('2');
    expect(Decimal.of('3.5').roundToStep(1, 'half-even').toString()).toBe('4');
    expect(Decimal.of('-2.5').roundToStep(1, 'floor').toString()).toBe('-3');
  });

  test('fails fast instead of losing precision or accepting NaN', () => {
    expect(() => Decimal.of(Number.NaN)).toThrow(PrecisionError);
    expect(() => Decimal.of(Number.POSITIVE_INFINITY)).toThrow(PrecisionError);
    expect(() => Decimal.of('12abc')).toThrow(/not a decimal/);
    expect(() => Decimal.of('0.0000000000000000001')).toThrow(/more than 18/);
    expect(() => Decimal.of('0.000000001').mul('0.0000000001')).toThrow(/needs more than 18 decimals/);
    expect(() => Decimal.of(1).div(0)).toThrow(/division by zero/);
  });

  test('rounding to a step always gives a multiple of that step', () => {
    fc.assert(
      fc.property(decimal, fc.constantFrom('0.1', '0.01', '0.5', '1', '0.0001'), fc.constantFrom('down', 'up', 'half-even', 'floor', 'ceil' as const), (a, step, mode) => {
        const rounded = a.roundToStep(step, mode);
        expect(rounded.isMultipleOf(step)).toBe(true);
        expect(rounded.sub(a).abs().lt(step)).toBe(true);
      }),
    );
  });

  test('formats a fixed number of decimals with the stated rounding', () => {
    expect(Decimal.of('1.005').toFixed(2)).toBe('1.00');
    expect(Decimal.of('1.015').toFixed(2)).toBe('1.02');
    expect(Decimal.of('-0.5').toFixed(0)).toBe('0');
    expect(Decimal.of('123.4').toFixed(3)).toBe('123.400');
  });
});

describe('Price, Quantity and Money', () => {
  test('a quantity can never be negative', () => {
    fc.assert(
      fc.property(decimal, (d) => {
        if (d.isNegative()) expect(() => Quantity.of(d)).toThrow(/cannot be negative/);
        else expect(Quantity.of(d).eq(d)).toBe(true);
      }),
    );
  });

  test('money of different currencies never mixes', () => {
    const usdt = Money.money('10', 'USDT');
    const usdc = Money.money('10', 'USDC');
    expect(() => usdt.plus(usdc)).toThrow(/cannot combine USDT with USDC/);
    expect(usdt.plus('5.25').toString()).toBe('15.25');
    expect(usdt.plus(Money.money('1', 'USDT')).currency).toBe('USDT');
  });

  test('money sums are exact over many small amounts', () => {
    fc.assert(
      fc.property(fc.array(decimalText, { maxLength: 200 }), (texts) => {
        const sum = texts.reduce((acc, t) => acc.plus(t), Money.zero());
        const reference = texts.reduce((acc, t) => acc + Decimal.toRaw(t), 0n);
        expect(sum.raw).toBe(reference);
      }),
    );
  });

  test('prices keep their kind through of() and serialise as strings', () => {
    const price = Price.of('61800.3');
    expect(price).toBeInstanceOf(Price);
    expect(JSON.stringify({ price })).toBe('{"price":"61800.3"}');
  });
});
