import { expect, test } from 'vitest';
import { InstrumentIndicators } from './registry';
import { newAgreement, record } from './testing/compare';
import { loadTrades, loopTrades } from './testing/market-data';
import * as reference from './testing/reference';

/**
 * Running sums are where float error accumulates: 20 back-to-back replays of the real file
 * (426,260 trades, ~1 h 55 min of event time) and the values at the end must still agree with a
 * recomputation from scratch to 1e-9. TWPA(60,0) never empties, so its running integral is never
 * reset and carries every addition and subtraction since the start.
 */
const trades = loopTrades(loadTrades(), 20);
const prices = reference.pricePoints(trades);

const cases = [
  { variantId: 'TWPA(60,0)', expected: (count: number, now: number) => reference.twpa(prices, count, now, 60, 0) },
  { variantId: 'TWPA(300,240)', expected: (count: number, now: number) => reference.twpa(prices, count, now, 300, 240) },
  { variantId: 'VWAP(60)', expected: (count: number, now: number) => reference.vwap(trades, count, now, 60) },
  { variantId: 'VWAP', expected: (count: number, now: number) => reference.vwap(trades, count, now, 0) },
  { variantId: 'VOLUME_SURGE_RATIO', expected: (count: number, now: number) => reference.volumeSurgeRatio(trades, count, now, 30, 0, 600, 30) },
  { variantId: 'PRICE_MOMENTUM', expected: (count: number, now: number) => reference.priceMomentum(trades, count, now, 10, 60) },
];

test('running sums stay within 1e-9 of a fresh recomputation after 426,260 trades', () => {
  const indicators = new InstrumentIndicators(cases.map((c) => c.variantId));
  const agreements = cases.map(() => newAgreement());
  const lastLoopStart = trades.length - trades.length / 20;
  trades.forEach((trade, index) => {
    indicators.onTrade(trade.ts, trade.price, trade.quantity, trade.side);
    if (index < lastLoopStart || index % 200 !== 199) return;
    cases.forEach(({ variantId, expected }, position) => {
      record(agreements[position]!, indicators.value(variantId), expected(index + 1, trade.ts), `${variantId} tick ${index}`);
    });
  });
  if (process.env['INDICATOR_AGREEMENT_REPORT']) {
    agreements.forEach((agreement, i) => console.log(`${cases[i]!.variantId} worst ${agreement.worstRelativeDifference.toExponential(2)} over ${agreement.defined} samples`));
  }
  for (const agreement of agreements) {
    expect(agreement.nullMismatches, agreement.firstNullMismatch ?? '').toBe(0);
    expect(agreement.defined).toBeGreaterThan(100);
    expect(agreement.worstRelativeDifference, agreement.worstSample ?? '').toBeLessThan(1e-9);
  }
});
