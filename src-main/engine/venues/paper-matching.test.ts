import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import { ClientOrderId } from '../../../src-shared/domain/ids';
import { Price, Quantity } from '../../../src-shared/domain/values';
import { PaperMatching, walkBook, type WalkLevel } from './paper-matching';
import { BTC, INSTRUMENTS, START } from './testing/execution-fixture';

const level = (price: string, quantity: string): WalkLevel => ({ price: Decimal.of(price), quantity: Decimal.of(quantity) });
const TICK = Decimal.of('0.1');

describe('walkBook', () => {
  test('a buy takes the asks best first and fills once at the volume-weighted price, rounded up to the tick', () => {
    const walk = walkBook('BUY', Decimal.of(3), [level('100.0', '1'), level('100.1', '2'), level('100.2', '5')], TICK, 0)!;
    // (100.0 + 2 × 100.1) / 3 = 100.0666… → 100.1
    expect(walk.price.toString()).toBe('100.1');
    expect(walk.taken.map(String)).toEqual(['1', '2']);
    expect(walk.worst.toString()).toBe('100.1');
    expect(walk.beyondBook.isZero()).toBe(true);
  });

  test('a sell takes the bids best first and rounds the average down, against the taker', () => {
    const walk = walkBook('SELL', Decimal.of(3), [level('100.0', '1'), level('99.9', '2')], TICK, 0)!;
    // (100.0 + 2 × 99.9) / 3 = 99.9333… → 99.9
    expect(walk.price.toString()).toBe('99.9');
  });

  test('an average exactly on a tick is not moved', () => {
    expect(walkBook('BUY', Decimal.of(2), [level('100.0', '1'), level('100.2', '1')], TICK, 0)!.price.toString()).toBe('100.1');
  });

  test('what a thin book cannot fill is priced at its last level plus slippage', () => {
    const walk = walkBook('BUY', Decimal.of(5), [level('100', '1'), level('101', '1')], TICK, 100)!;
    // 100 + 101 + 3 × 102.01 = 507.03; / 5 = 101.406 → 101.5
    expect(walk.price.toString()).toBe('101.5');
    expect(walk.worst.toString()).toBe('102.01');
    expect(walk.beyondBook.toString()).toBe('3');
  });

  test('levels already emptied are skipped and an empty side gives no price', () => {
    expect(walkBook('BUY', Decimal.of(1), [level('100', '0'), level('100.5', '1')], TICK, 0)!.price.toString()).toBe('100.5');
    expect(walkBook('BUY', Decimal.of(1), [], TICK, 0)).toBeNull();
    expect(walkBook('SELL', Decimal.of(1), [level('100', '0')], TICK, 0)).toBeNull();
  });

  test('property: a walked price is on the tick, between the best and the worst level touched, and at most one tick worse than the exact average', () => {
    const levelsArbitrary = fc.array(fc.record({ gapTicks: fc.integer({ min: 0, max: 50 }), quantity: fc.integer({ min: 0, max: 10_000 }) }), { minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'), levelsArbitrary, fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 100_000, max: 900_000 }), (side, raw, contracts, slippageBps, startTicks) => {
        // prices best first: rising asks for a buy, falling bids for a sell; quantities in hundredths of a contract
        let ticks = startTicks;
        const levels = raw.map(({ gapTicks, quantity }) => {
          ticks += side === 'BUY' ? gapTicks : -gapTicks;
          return { price: TICK.mul(ticks), quantity: Decimal.of(quantity).div(100) };
        });
        const quantity = Decimal.of(contracts).div(10);
        const walk = walkBook(side, quantity, levels, TICK, slippageBps);
        const available = levels.reduce((sum, l) => sum.add(l.quantity), Decimal.ZERO);
        if (!available.isPositive()) {
          expect(walk).toBeNull();
          return;
        }
        expect(walk).not.toBeNull();
        const { price, best, worst, taken, beyondBook } = walk!;
        expect(price.isMultipleOf(TICK)).toBe(true);
        const takenTotal = taken.reduce((sum, t) => sum.add(t), Decimal.ZERO);
        expect(takenTotal.add(beyondBook).eq(quantity)).toBe(true);
        let cost = Decimal.ZERO;
        taken.forEach((t, i) => (cost = cost.add(levels[i]!.price.mul(t))));
        cost = cost.add(worst.mul(beyondBook, 'half-even'));
        if (side === 'BUY') {
          expect(price.gte(best)).toBe(true);
          expect(price.lte(worst.roundToStep(TICK, 'ceil'))).toBe(true);
          expect(price.mul(quantity).gte(cost)).toBe(true); // never better than the exact average
          expect(price.sub(TICK).mul(quantity).lt(cost)).toBe(true);
        } else {
          expect(price.lte(best)).toBe(true);
          expect(price.gte(worst.roundToStep(TICK, 'floor'))).toBe(true);
          expect(price.mul(quantity).lte(cost)).toBe(true);
          expect(price.add(TICK).mul(quantity).gt(cost)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('PaperMatching', () => {
  const order = (id: string, type: 'MARKET' | 'LIMIT', side: 'BUY' | 'SELL', price: string | null = null) => ({
    clientOrderId: ClientOrderId(id), instrumentId: BTC.id, side, type, quantity: Quantity.of('10'), price: price === null ? null : Price.of(price), submittedAt: START,
  });

  test('keeps the constructor, submit, cancel, openOrders and trade fills the old paper execution path uses', () => {
    const fills: Fill[] = [];
    const matching = new PaperMatching(INSTRUMENTS, { slippageBps: 0 }, (fill) => fills.push(fill));
    matching.submit(order('m', 'MARKET', 'BUY'));
    matching.submit(order('l', 'LIMIT', 'SELL', '61000'));
    matching.submit(order('c', 'LIMIT', 'BUY', '50000'));
    expect(matching.cancel(BTC.id, ClientOrderId('c'))).toBe(true);
    expect(matching.cancel(BTC.id, ClientOrderId('c'))).toBe(false);
    expect(matching.openOrders().map((o) => o.clientOrderId)).toEqual(['m', 'l']);
    matching.onTrade(BTC.id, START, 60000);
    matching.onTrade(BTC.id, START + 1, 61000.1);
    expect(fills.map((f) => [f.clientOrderId, f.lastPx.toString(), f.liquiditySide, f.fillId])).toEqual([['m', '60000', 'TAKER', 'paper-fill-1'], ['l', '61000', 'MAKER', 'paper-fill-2']]);
    expect(matching.openOrders()).toEqual([]);
    expect(matching.hasOpenOrders).toBe(false);
  });

  test('a listener that submits from inside a fill finds the open orders as they are', () => {
    const fills: Fill[] = [];
    const matching: PaperMatching = new PaperMatching(INSTRUMENTS, { slippageBps: 0 }, (fill) => {
      fills.push(fill);
      if (fill.clientOrderId === 'first') matching.submit({ ...order('second', 'MARKET', 'SELL'), submittedAt: START + 1 });
    });
    matching.submit(order('first', 'MARKET', 'BUY'));
    matching.onTrade(BTC.id, START, 60000);
    expect(matching.openOrders().map((o) => o.clientOrderId)).toEqual(['second']);
    matching.onTrade(BTC.id, START + 1, 60001);
    expect(fills.map((f) => f.clientOrderId)).toEqual(['first', 'second']);
  });
});
