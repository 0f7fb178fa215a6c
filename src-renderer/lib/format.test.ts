import { describe, expect, test } from 'vitest';
import { decimalSign, formatDateTime, formatDuration, formatMoney, formatPrice, formatPriceNumber, formatQuantity, formatReading, formatTime } from './format';

describe('display formatting', () => {
  test('shows prices with 2 to 8 decimals and thousands separators', () => {
    expect(formatPrice('61234.5')).toBe('61,234.50');
    expect(formatPrice('61234.500000000000000000')).toBe('61,234.50');
    expect(formatPrice('0.000012345678')).toBe('0.00001235');
    expect(formatPrice(null)).toBe('—');
  });

  test('rounds money exactly, without passing through float', () => {
    // 0.1 + 0.2 style values must not pick up binary noise
    expect(formatMoney('0.305')).toBe('0.30');
    expect(formatMoney('123456789012345678.995')).toBe('123,456,789,012,345,679.00');
    expect(formatMoney('-1234.567')).toBe('-1,234.57');
  });

  test('signs PnL only when it is not zero', () => {
    expect(formatMoney('12.3', { signed: true })).toBe('+12.30');
    expect(formatMoney('-12.3', { signed: true })).toBe('-12.30');
    expect(formatMoney('0.001', { signed: true })).toBe('0.00');
  });

  test('drops noise zeros from quantities', () => {
    expect(formatQuantity('0.0100')).toBe('0.01');
    expect(formatQuantity('1500')).toBe('1,500');
  });

  test('reads the sign of a decimal string, treating garbage as zero', () => {
    expect(decimalSign('-0.01')).toBe(-1);
    expect(decimalSign('0.000')).toBe(0);
    expect(decimalSign('5')).toBe(1);
    expect(decimalSign('abc')).toBe(0);
    expect(decimalSign(null)).toBe(0);
  });

  test('keeps passing through text it cannot read rather than throwing', () => {
    expect(formatPrice('n/a')).toBe('n/a');
  });

  test('lines float prices up with fixed decimals by magnitude', () => {
    expect(formatPriceNumber(61678)).toBe('61,678.00');
    expect(formatPriceNumber(0.5236)).toBe('0.52360000');
    expect(formatPriceNumber(Number.NaN)).toBe('—');
  });

  test('formats indicator readings and times in UTC', () => {
    expect(formatReading(3.14159265)).toBe('3.1416');
    expect(formatReading(null)).toBe('—');
    expect(formatTime(Date.UTC(2024, 7, 8, 23, 54, 16, 322), { millis: true })).toBe('23:54:16.322');
    expect(formatDateTime(Date.UTC(2024, 7, 8, 23, 54, 16))).toBe('2024-08-08 23:54:16');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
  });
});
