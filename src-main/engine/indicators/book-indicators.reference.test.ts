import { describe, expect, test } from 'vitest';
import { InstrumentIndicators } from './registry';
import { isSampled, newAgreement, record, type Agreement } from './testing/compare';
import { loadBookTicker, loadTrades } from './testing/market-data';
import * as reference from './testing/reference';

/**
 * The real BTCUSDT perpetual best bid/ask stream (66,089 updates over 5m44s), fed as a one-level
 * book, against brute-force recomputation from the full history at every sampled update.
 */
const book = loadBookTicker();
const imbalance = reference.imbalancePoints(book);
const depth = reference.depthPoints(book);

interface Case {
  readonly variantId: string;
  readonly expected: (count: number, now: number) => number | null;
  readonly floor?: number;
}

const cases: Case[] = [
  { variantId: 'SPREAD_PCT', expected: (count) => reference.spreadPct(book[count - 1]!) },
  // Imbalance crosses zero; 1e-6 (in %, on a −100..100 scale) is the floor under its relative difference.
  { variantId: 'BID_ASK_IMBALANCE(10,1)', expected: (count, now) => reference.timeWeightedAverage(imbalance, count, now, 10_000, 0), floor: 1e-6 },
  { variantId: 'BID_ASK_IMBALANCE(0.5,1)', expected: (count, now) => reference.timeWeightedAverage(imbalance, count, now, 500, 0), floor: 1e-6 },
  { variantId: 'BID_ASK_IMBALANCE(10)', expected: (count, now) => reference.timeWeightedAverage(imbalance, count, now, 10_000, 0), floor: 1e-6 },
  { variantId: 'LIQUIDITY_DRAIN_INDEX(300,1)', expected: (count, now) => reference.liquidityDrain(depth, count, now, 300), floor: 1e-6 },
  { variantId: 'LIQUIDITY_DRAIN_INDEX(30,1)', expected: (count, now) => reference.liquidityDrain(depth, count, now, 30), floor: 1e-6 },
];

const agreements = new Map<string, Agreement>(cases.map((c) => [c.variantId, newAgreement()]));
const indicators = new InstrumentIndicators(cases.map((c) => c.variantId));
book.forEach((top, index) => {
  indicators.onBook(top.ts, [[top.bidPrice, top.bidQuantity]], [[top.askPrice, top.askQuantity]]);
  if (!isSampled(index)) return;
  for (const { variantId, expected, floor } of cases) {
    record(agreements.get(variantId)!, indicators.value(variantId), expected(index + 1, top.ts), `update ${index} (ts ${top.ts})`, floor);
  }
});

describe('book indicators agree with a brute-force recomputation on the real BTCUSDT book ticker', () => {
  test.each(cases.map((c) => c.variantId))('%s matches the reference within 1e-9 at every sampled update', (variantId) => {
    const agreement = agreements.get(variantId)!;
    expect(agreement.nullMismatches, agreement.firstNullMismatch ?? '').toBe(0);
    expect(agreement.defined).toBeGreaterThan(0);
    expect(agreement.worstRelativeDifference, agreement.worstSample ?? '').toBeLessThan(1e-9);
  });
});

test('trade windows keep sliding while only book updates arrive, because now is the latest event of any kind', () => {
  const trades = loadTrades();
  const prices = reference.pricePoints(trades);
  const variants = ['TWPA(10,0)', 'TWPA(5,2)', 'VOLUME_SURGE_RATIO(5,0,60,0)', 'PRICE_MOMENTUM'];
  const interleaved = new InstrumentIndicators([...variants, 'SPREAD_PCT']);
  const agreement = variants.map(() => newAgreement());
  let tradeCount = 0;
  let bookCount = 0;
  const observedSince = Math.min(trades[0]!.ts, book[0]!.ts);
  while (tradeCount < trades.length || bookCount < book.length) {
    const nextTrade = trades[tradeCount];
    const nextBook = book[bookCount];
    let now: number;
    if (nextBook === undefined || (nextTrade !== undefined && nextTrade.ts <= nextBook.ts)) {
      interleaved.onTrade(nextTrade!.ts, nextTrade!.price, nextTrade!.quantity, nextTrade!.side);
      now = nextTrade!.ts;
      tradeCount++;
    } else {
      interleaved.onBook(nextBook.ts, [[nextBook.bidPrice, nextBook.bidQuantity]], [[nextBook.askPrice, nextBook.askQuantity]]);
      now = nextBook.ts;
      bookCount++;
      // Only book-driven moments are checked: the trade-driven ones are covered above.
      if (bookCount % 20 !== 0 || tradeCount === 0) continue;
      const volume = (fromMs: number, toMs: number): number | null => reference.tradedQuantity(trades, tradeCount, observedSince, now, fromMs, toMs);
      const recent = volume(5000, 0);
      const baseline = volume(60_000, 0);
      const expected = [
        reference.twpa(prices, tradeCount, now, 10, 0),
        reference.twpa(prices, tradeCount, now, 5, 2),
        recent === null || baseline === null || baseline === 0 ? null : recent / 5 / (baseline / 60),
        reference.priceMomentum(trades, tradeCount, now, 10, 60),
      ];
      variants.forEach((variantId, position) => record(agreement[position]!, interleaved.value(variantId), expected[position] ?? null, `${variantId} at book ${bookCount}`));
    }
    expect(interleaved.now).toBe(now);
  }
  for (const result of agreement) {
    expect(result.nullMismatches, result.firstNullMismatch ?? '').toBe(0);
    expect(result.defined).toBeGreaterThan(1000);
    expect(result.worstRelativeDifference, result.worstSample ?? '').toBeLessThan(1e-9);
  }
});

if (process.env['INDICATOR_AGREEMENT_REPORT']) {
  for (const [variantId, agreement] of agreements) {
    console.log(`${variantId.padEnd(32)} defined ${String(agreement.defined).padStart(5)}/${agreement.samples} worst ${agreement.worstRelativeDifference.toExponential(2)} ${agreement.worstSample ?? ''}`);
  }
}
