import { AverageGain, AverageLoss, EMA, RSI, SMA } from 'technicalindicators';
import { describe, expect, test } from 'vitest';
import { InstrumentIndicators } from './registry';
import { isSampled, newAgreement, record, type Agreement } from './testing/compare';
import { loadTrades } from './testing/market-data';
import { barCloses } from './testing/reference';

/**
 * RSI, EMA and SMA on the bar closes of the real BTCUSDT trades, against the `technicalindicators`
 * package run on the closes rebuilt from scratch (the bar in progress is the last close).
 * 1-second and 5-second bars give 344 and 69 bars in the file; 60-second bars only 6.
 */
const trades = loadTrades();

interface Case {
  readonly variantId: string;
  readonly expected: (closes: number[]) => number | null;
  readonly barSeconds: number;
}

const last = (values: number[]): number | null => values[values.length - 1] ?? null;

/** RSI from the package's own Wilder averages, without the two-decimal rounding its RSI applies. */
function rsiFromPackageAverages(closes: number[], period: number): number | null {
  const gain = last(AverageGain.calculate({ values: closes, period }));
  const loss = last(AverageLoss.calculate({ values: closes, period }));
  if (gain === null || loss === null || closes.length < period + 1) return null;
  if (loss === 0) return 100;
  if (gain === 0) return 0;
  return 100 - 100 / (1 + gain / loss);
}

const lastIfComplete = (values: number[], closes: number[], needed: number): number | null => (closes.length >= needed ? last(values) : null);

const cases: Case[] = [
  { variantId: 'RSI(14,1)', barSeconds: 1, expected: (closes) => rsiFromPackageAverages(closes, 14) },
  { variantId: 'RSI(14,5)', barSeconds: 5, expected: (closes) => rsiFromPackageAverages(closes, 14) },
  { variantId: 'RSI(3,5)', barSeconds: 5, expected: (closes) => rsiFromPackageAverages(closes, 3) },
  { variantId: 'EMA(20,1)', barSeconds: 1, expected: (closes) => lastIfComplete(EMA.calculate({ values: closes, period: 20 }), closes, 20) },
  { variantId: 'EMA(9,5)', barSeconds: 5, expected: (closes) => lastIfComplete(EMA.calculate({ values: closes, period: 9 }), closes, 9) },
  { variantId: 'SMA(20,1)', barSeconds: 1, expected: (closes) => lastIfComplete(SMA.calculate({ values: closes, period: 20 }), closes, 20) },
  { variantId: 'SMA(9,5)', barSeconds: 5, expected: (closes) => lastIfComplete(SMA.calculate({ values: closes, period: 9 }), closes, 9) },
  { variantId: 'SMA(1,5)', barSeconds: 5, expected: (closes) => lastIfComplete(SMA.calculate({ values: closes, period: 1 }), closes, 1) },
  { variantId: 'SMA(3,60)', barSeconds: 60, expected: (closes) => lastIfComplete(SMA.calculate({ values: closes, period: 3 }), closes, 3) },
];

const agreements = new Map<string, Agreement>(cases.map((c) => [c.variantId, newAgreement()]));
const roundedRsiGaps: number[] = [];
const indicators = new InstrumentIndicators([...cases.map((c) => c.variantId), 'RSI(14,5)']);
trades.forEach((trade, index) => {
  indicators.onTrade(trade.ts, trade.price, trade.quantity, trade.side);
  if (!isSampled(index)) return;
  const closesByBar = new Map<number, number[]>();
  for (const { variantId, expected, barSeconds } of cases) {
    let closes = closesByBar.get(barSeconds);
    if (closes === undefined) {
      closes = barCloses(trades, index + 1, trade.ts, barSeconds);
      closesByBar.set(barSeconds, closes);
    }
    record(agreements.get(variantId)!, indicators.value(variantId), expected(closes), `tick ${index} (ts ${trade.ts}, ${closes.length} bars)`);
  }
  const packageRsi = last(RSI.calculate({ values: closesByBar.get(5)!, period: 14 }));
  const ours = indicators.value('RSI(14,5)');
  if (packageRsi !== null && ours !== null && closesByBar.get(5)!.length >= 15) roundedRsiGaps.push(Math.abs(ours - packageRsi));
});

describe('bar indicators agree with the technicalindicators package on real BTCUSDT bar closes', () => {
  test.each(cases.map((c) => c.variantId))('%s matches within 1e-9 at every sampled tick', (variantId) => {
    const agreement = agreements.get(variantId)!;
    expect(agreement.nullMismatches, agreement.firstNullMismatch ?? '').toBe(0);
    expect(agreement.defined).toBeGreaterThan(0);
    expect(agreement.worstRelativeDifference, agreement.worstSample ?? '').toBeLessThan(1e-9);
  });

  test("RSI agrees with the package's own RSI up to the package's rounding to two decimals", () => {
    expect(roundedRsiGaps.length).toBeGreaterThan(100);
    expect(Math.max(...roundedRsiGaps)).toBeLessThanOrEqual(0.005 + 1e-9);
  });
});

if (process.env['INDICATOR_AGREEMENT_REPORT']) {
  for (const [variantId, agreement] of agreements) {
    console.log(`${variantId.padEnd(16)} defined ${String(agreement.defined).padStart(5)}/${agreement.samples} worst ${agreement.worstRelativeDifference.toExponential(2)} ${agreement.worstSample ?? ''}`);
  }
}
