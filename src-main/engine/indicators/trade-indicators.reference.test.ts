import { describe, expect, test } from 'vitest';
import { InstrumentIndicators } from './registry';
import { isSampled, newAgreement, record, type Agreement } from './testing/compare';
import { loadTrades } from './testing/market-data';
import * as reference from './testing/reference';

/**
 * Every trade of the real BTCUSDT perpetual file (21,313 trades over 5m43s) goes through one
 * InstrumentIndicators holding every variant below (so shared blocks are exercised too); at each
 * sampled tick each value is compared with a brute-force recomputation from the full history.
 */
const trades = loadTrades();
const prices = reference.pricePoints(trades);
const times = trades.map((trade) => trade.ts);

/**
 * Indicators that are differences of two near-equal prices get a floor under the denominator of
 * the relative difference. float64 resolves a 61,000 USDT average to ~7e-12, i.e. ~1e-14 % of
 * price, so "1e-9 relative" cannot hold for a change smaller than ~1e-5 %. Floors, far below
 * any threshold a strategy would use: 1e-3 % for % changes of price, 1e-5 %/s for velocities,
 * 1e-7 %/s² for the cascade, 1 % for the reversal index (which ranges over ±100s of %).
 * Above its floor the bound is purely relative; TWPA, ratios, volumes, VWAP and PRICE_MOMENTUM
 * (kept as deviations from the first price) have no floor.
 */
interface Case {
  readonly variantId: string;
  readonly expected: (count: number, now: number) => number | null;
  readonly floor?: number;
}

function velocitySamples(t1: number, t3: number, d: number): (number | null)[] {
  return trades.map((trade, k) => reference.priceVelocity(prices, k + 1, trade.ts, t1, t3, d));
}
const reversalDefault = velocitySamples(10, 60, 30);
const reversalShort = velocitySamples(5, 30, 10);

const cases: Case[] = [
  { variantId: 'PRICE', expected: (count) => trades[count - 1]!.price },
  { variantId: 'TWPA(10,0)', expected: (count, now) => reference.twpa(prices, count, now, 10, 0) },
  { variantId: 'TWPA', expected: (count, now) => reference.twpa(prices, count, now, 10, 0) },
  { variantId: 'TWPA(1,0)', expected: (count, now) => reference.twpa(prices, count, now, 1, 0) },
  { variantId: 'TWPA(0.5,0.1)', expected: (count, now) => reference.twpa(prices, count, now, 0.5, 0.1) },
  { variantId: 'TWPA(5,2.5)', expected: (count, now) => reference.twpa(prices, count, now, 5, 2.5) },
  { variantId: 'TWPA(60,0)', expected: (count, now) => reference.twpa(prices, count, now, 60, 0) },
  { variantId: 'TWPA(60,30)', expected: (count, now) => reference.twpa(prices, count, now, 60, 30) },
  { variantId: 'TWPA(300,240)', expected: (count, now) => reference.twpa(prices, count, now, 300, 240) },
  { variantId: 'PUMP_MAGNITUDE_PCT', expected: (count, now) => reference.pumpMagnitudePct(prices, count, now, 10, 60, 30), floor: 1e-3 },
  { variantId: 'PUMP_MAGNITUDE_PCT(5,30,10)', expected: (count, now) => reference.pumpMagnitudePct(prices, count, now, 5, 30, 10), floor: 1e-3 },
  { variantId: 'PRICE_VELOCITY', expected: (count, now) => reference.priceVelocity(prices, count, now, 10, 60, 30), floor: 1e-5 },
  { variantId: 'PRICE_VELOCITY(2,20,4)', expected: (count, now) => reference.priceVelocity(prices, count, now, 2, 20, 4), floor: 1e-5 },
  { variantId: 'TWPA_RATIO', expected: (count, now) => reference.twpaRatio(prices, count, now, 10, 0, 60, 30) },
  { variantId: 'TWPA_RATIO(5,0,30,20)', expected: (count, now) => reference.twpaRatio(prices, count, now, 5, 0, 30, 20) },
  { variantId: 'VELOCITY_CASCADE', expected: (count, now) => reference.velocityCascade(prices, count, now, 5, 15, 60), floor: 1e-7 },
  { variantId: 'VELOCITY_CASCADE(2,5,20)', expected: (count, now) => reference.velocityCascade(prices, count, now, 2, 5, 20), floor: 1e-7 },
  { variantId: 'MOMENTUM_REVERSAL_INDEX', expected: (count) => reference.momentumReversal(reversalDefault, times, count - 1, 300), floor: 1 },
  { variantId: 'MOMENTUM_REVERSAL_INDEX(5,30,10,60)', expected: (count) => reference.momentumReversal(reversalShort, times, count - 1, 60), floor: 1 },
  { variantId: 'PRICE_MOMENTUM', expected: (count, now) => reference.priceMomentum(trades, count, now, 10, 60) },
  { variantId: 'PRICE_MOMENTUM(3,120)', expected: (count, now) => reference.priceMomentum(trades, count, now, 3, 120) },
  { variantId: 'VOLUME_SURGE_RATIO', expected: (count, now) => reference.volumeSurgeRatio(trades, count, now, 30, 0, 600, 30) },
  { variantId: 'VOLUME_SURGE_RATIO(10,0,120,10)', expected: (count, now) => reference.volumeSurgeRatio(trades, count, now, 10, 0, 120, 10) },
  { variantId: 'VOLUME_SURGE_RATIO(5,2,60,30)', expected: (count, now) => reference.volumeSurgeRatio(trades, count, now, 5, 2, 60, 30) },
  { variantId: 'VOLUME_SURGE_RATIO(0.25,0,2,0)', expected: (count, now) => reference.volumeSurgeRatio(trades, count, now, 0.25, 0, 2, 0) },
  { variantId: 'VWAP', expected: (count, now) => reference.vwap(trades, count, now, 0) },
  { variantId: 'VWAP(30)', expected: (count, now) => reference.vwap(trades, count, now, 30) },
];

const agreements = new Map<string, Agreement>(cases.map((c) => [c.variantId, newAgreement()]));
const indicators = new InstrumentIndicators(cases.map((c) => c.variantId));
trades.forEach((trade, index) => {
  indicators.onTrade(trade.ts, trade.price, trade.quantity, trade.side);
  if (!isSampled(index)) return;
  for (const { variantId, expected, floor } of cases) {
    record(agreements.get(variantId)!, indicators.value(variantId), expected(index + 1, trade.ts), `tick ${index} (ts ${trade.ts})`, floor);
  }
});

describe('trade indicators agree with a brute-force recomputation on real BTCUSDT trades', () => {
  test.each(cases.map((c) => c.variantId))('%s matches the reference within 1e-9 at every sampled tick', (variantId) => {
    const agreement = agreements.get(variantId)!;
    expect(agreement.nullMismatches, agreement.firstNullMismatch ?? '').toBe(0);
    expect(agreement.worstRelativeDifference, agreement.worstSample ?? '').toBeLessThan(1e-9);
  });

  test('the windows that fit inside the file are defined for most of it', () => {
    for (const variantId of ['TWPA(60,30)', 'PUMP_MAGNITUDE_PCT', 'VELOCITY_CASCADE', 'MOMENTUM_REVERSAL_INDEX', 'PRICE_MOMENTUM', 'VOLUME_SURGE_RATIO(10,0,120,10)', 'VWAP(30)']) {
      const agreement = agreements.get(variantId)!;
      expect(agreement.defined, variantId).toBeGreaterThan(agreement.samples * 0.1);
    }
  });

  test('a 600-second baseline never becomes defined in 343 seconds of data', () => {
    expect(agreements.get('VOLUME_SURGE_RATIO')!.defined).toBe(0);
  });
});

if (process.env['INDICATOR_AGREEMENT_REPORT']) {
  for (const [variantId, agreement] of agreements) {
    console.log(`${variantId.padEnd(40)} defined ${String(agreement.defined).padStart(5)}/${agreement.samples} worst ${agreement.worstRelativeDifference.toExponential(2)} ${agreement.worstSample ?? ''}`);
  }
}
