import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import { ClientOrderId, FillId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import type { PositionSide } from '../../../src-shared/domain/position';
import { Money, Price, Quantity } from '../../../src-shared/domain/values';
import { BTC, DOGE, ETH, INSTRUMENTS, SOL } from '../venues/testing/execution-fixture';
import {
  Account, exchangeMarginRatio, fundingTimes, liquidationDistancePercent, liquidationPrice, maintenanceMargin, positionMargin, unrealizedFromCost,
} from './accounting';

const MMR = Decimal.of('0.004');
const T0 = Date.UTC(2024, 7, 8, 6, 0, 0);

function account(capital = '10000'): Account {
  return new Account({ instruments: INSTRUMENTS, startingCapital: Money.money(capital), sessionId: 's1', maintenanceMarginRate: MMR });
}

let seq = 0;
function fill(instrument: Instrument, side: 'BUY' | 'SELL', contracts: string, price: string, commission = '0', ts = T0): Fill {
  seq++;
  return {
    fillId: FillId(`f${seq}`), clientOrderId: ClientOrderId(`o${seq}`), venueOrderId: null, instrumentId: instrument.id, side, lastQty: Quantity.of(contracts),
    lastPx: Price.of(price), liquiditySide: 'TAKER', commission: Money.money(commission), tsEvent: ts,
  };
}

describe('Account: PnL, fees, equity', () => {
  test('a long round trip realises (exit − entry) × contracts × contract size; fees are kept apart', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1000', '60000', '3.6'), { strategyId: 'pump', leverage: 10 });
    a.mark(BTC.id, '60600');
    expect(a.unrealizedPnl(BTC.id).toString()).toBe('60'); // 600 × 1000 × 0.0001
    expect(a.equity().toString()).toBe('10056.4');
    const out = a.applyFill(fill(BTC, 'SELL', '1000', '60600', '3.636'), { strategyId: 'pump', leverage: 10, reason: 'ZE1' });
    expect(out.realized.toString()).toBe('60');
    expect(out.position.side).toBe('FLAT');
    expect(out.closedTrade).toMatchObject({
      strategyId: 'pump', direction: 'LONG', entryPrice: '60000', exitPrice: '60600', quantity: '1000', grossPnl: '60', fees: '7.236', netPnl: '52.764', exitReason: 'ZE1',
    });
    expect(a.balance().toString()).toBe('10052.764');
    expect(a.equity().toString()).toBe('10052.764');
  });

  test('a short profits when the price falls', () => {
    const a = account();
    a.applyFill(fill(ETH, 'SELL', '100', '3000'), { strategyId: 'dump', leverage: 5 });
    const out = a.applyFill(fill(ETH, 'BUY', '100', '2950'), { strategyId: 'dump', leverage: 5 });
    expect(out.realized.toString()).toBe('50'); // 50 × 100 × 0.01
    expect(out.closedTrade?.direction).toBe('SHORT');
  });

  test('a fill larger than the position closes it and opens the rest the other way at the fill price', () => {
    const a = account();
    a.applyFill(fill(SOL, 'BUY', '10', '150'), { strategyId: 'x', leverage: 2 });
    const out = a.applyFill(fill(SOL, 'SELL', '15', '160', '1.5'), { strategyId: 'x', leverage: 2 });
    expect(out.realized.toString()).toBe('100');
    expect(out.closedTrade).toMatchObject({ quantity: '10', fees: '1', grossPnl: '100' }); // 10 of 15 contracts' fee
    expect(out.position).toMatchObject({ side: 'SHORT' });
    expect(out.position.quantity.toString()).toBe('5');
    expect(out.position.averageEntryPrice?.toString()).toBe('160');
  });

  test('adding to a position averages the entry exactly, without rounding leaking into realised PnL', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1', '60000'), { strategyId: 'x', leverage: 10 });
    a.applyFill(fill(BTC, 'BUY', '2', '60000.1'), { strategyId: 'x', leverage: 10 });
    expect(a.position(BTC.id)?.averageEntryPrice?.toString()).toBe('60000.066666666666666667');
    a.applyFill(fill(BTC, 'SELL', '1', '60000.2'), { strategyId: 'x', leverage: 10 });
    const last = a.applyFill(fill(BTC, 'SELL', '2', '60000.2'), { strategyId: 'x', leverage: 10 });
    expect(last.closedTrade?.grossPnl).toBe('0.00004'); // (0.2 + 2 × 0.1) × 0.0001, exactly
    expect(a.realizedPnl().toString()).toBe('0.00004');
  });

  /** Cash flows at fill prices: what a correct ledger must always agree with. */
  const fillsArbitrary = fc.array(
    fc.record({
      instrument: fc.constantFrom(BTC, ETH, SOL, DOGE),
      side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
      lots: fc.integer({ min: 1, max: 5_000 }),
      ticks: fc.integer({ min: 1, max: 2_000_000 }),
      feeMicros: fc.integer({ min: 0, max: 5_000_000 }),
    }),
    { minLength: 1, maxLength: 60 },
  );

  test('property: realised + unrealised always equals the cash flows marked to market, exactly', () => {
    fc.assert(
      fc.property(fillsArbitrary, fc.integer({ min: 1, max: 2_000_000 }), (fills, markTicks) => {
        const a = account();
        const cash = new Map<string, Decimal>();
        const held = new Map<string, Decimal>();
        let fees = Decimal.ZERO;
        for (const f of fills) {
          const price = f.instrument.tickSize.mul(f.ticks);
          const qty = f.instrument.lotSize.mul(f.lots);
          const fee = Decimal.of(f.feeMicros).div(1_000_000);
          a.applyFill(fill(f.instrument, f.side, qty.toString(), price.toString(), fee.toString()), { strategyId: 's', leverage: 3 });
          const notional = price.mul(qty).mul(f.instrument.contractSize);
          const id = f.instrument.id;
          cash.set(id, (cash.get(id) ?? Decimal.ZERO).add(f.side === 'SELL' ? notional : notional.neg()));
          held.set(id, (held.get(id) ?? Decimal.ZERO).add(f.side === 'BUY' ? qty : qty.neg()));
          fees = fees.add(fee);
        }
        let expected = Decimal.ZERO;
        for (const [id, flow] of cash) {
          const instrument = INSTRUMENTS.get(id as Instrument['id'])!;
          const mark = instrument.tickSize.mul(markTicks);
          a.mark(instrument.id, mark);
          expected = expected.add(flow).add(held.get(id)!.mul(mark).mul(instrument.contractSize));
        }
        expect(a.realizedPnl().add(a.totalUnrealizedPnl()).toString()).toBe(expected.toString());
        expect(a.equity().toString()).toBe(Decimal.of(10_000).add(expected).sub(fees).toString());
        expect(a.totalCommissions().toString()).toBe(fees.toString());
      }),
      { numRuns: 300 },
    );
  });

  test('property: equity and used margin follow every fill and every mark, also back to an earlier mark', () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('fill' as const), instrument: fc.constantFrom(BTC, ETH), side: fc.constantFrom<'BUY' | 'SELL'>('BUY', 'SELL'),
        lots: fc.integer({ min: 1, max: 50 }), ticks: fc.integer({ min: 1_000, max: 1_010 }),
      }),
      // few distinct marks, so a mark often returns to a value the account saw before
      fc.record({ kind: fc.constant('mark' as const), instrument: fc.constantFrom(BTC, ETH), ticks: fc.integer({ min: 1_000, max: 1_003 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const a = account('1000000');
        const cash = new Map<string, Decimal>();
        const held = new Map<string, Decimal>();
        const marks = new Map<string, Decimal>();
        for (const s of steps) {
          const id = s.instrument.id;
          const price = s.instrument.tickSize.mul(s.ticks);
          if (s.kind === 'fill') {
            const qty = s.instrument.lotSize.mul(s.lots);
            a.applyFill(fill(s.instrument, s.side, qty.toString(), price.toString()), { strategyId: 's', leverage: 3 });
            const notional = price.mul(qty).mul(s.instrument.contractSize);
            cash.set(id, (cash.get(id) ?? Decimal.ZERO).add(s.side === 'SELL' ? notional : notional.neg()));
            held.set(id, (held.get(id) ?? Decimal.ZERO).add(s.side === 'BUY' ? qty : qty.neg()));
            if (!marks.has(id)) marks.set(id, price); // the first fill marks an unmarked instrument
          } else {
            a.mark(id, price);
            marks.set(id, price);
          }
          let expected = Decimal.of(1_000_000);
          let margin = Decimal.ZERO;
          for (const [instrumentId, flow] of cash) {
            const instrument = INSTRUMENTS.get(instrumentId as Instrument['id'])!;
            expected = expected.add(flow).add(held.get(instrumentId)!.mul(marks.get(instrumentId)!).mul(instrument.contractSize));
            const position = a.position(instrument.id);
            if (position !== null && position.side !== 'FLAT') margin = margin.add(positionMargin(position.entryCost, 3));
          }
          expect(a.equity().toString()).toBe(expected.toString());
          expect(a.usedMargin().toString()).toBe(margin.toString());
        }
      }),
      { numRuns: 200 },
    );
  });

  test('property: a book that ends flat has realised exactly its cash flows, and its round trips add up', () => {
    fc.assert(
      fc.property(fillsArbitrary, (fills) => {
        const a = account();
        let cash = Decimal.ZERO;
        let fees = Decimal.ZERO;
        const net = new Map<string, Decimal>();
        const apply = (instrument: Instrument, side: 'BUY' | 'SELL', qty: Decimal, price: Decimal, fee: Decimal) => {
          a.applyFill(fill(instrument, side, qty.toString(), price.toString(), fee.toString()), { strategyId: instrument.base, leverage: 5 });
          const notional = price.mul(qty).mul(instrument.contractSize);
          cash = cash.add(side === 'SELL' ? notional : notional.neg());
          fees = fees.add(fee);
          net.set(instrument.id, (net.get(instrument.id) ?? Decimal.ZERO).add(side === 'BUY' ? qty : qty.neg()));
        };
        for (const f of fills) apply(f.instrument, f.side, f.instrument.lotSize.mul(f.lots), f.instrument.tickSize.mul(f.ticks), Decimal.of(f.feeMicros).div(1_000_000));
        for (const [id, qty] of net) {
          if (qty.isZero()) continue;
          const instrument = INSTRUMENTS.get(id as Instrument['id'])!;
          apply(instrument, qty.isPositive() ? 'SELL' : 'BUY', qty.abs(), instrument.tickSize.mul(1_000), Decimal.ZERO);
        }
        expect(a.openPositionCount()).toBe(0);
        expect(a.realizedPnl().toString()).toBe(cash.toString());
        const trips = a.closedTrades();
        expect(trips.reduce((sum, t) => sum.add(t.grossPnl), Decimal.ZERO).toString()).toBe(cash.toString());
        expect(trips.reduce((sum, t) => sum.add(t.fees), Decimal.ZERO).toString()).toBe(fees.toString());
        const byStrategy = a.strategyResults().reduce((sum, r) => sum.add(r.netPnl), Decimal.ZERO);
        expect(byStrategy.toString()).toBe(cash.sub(fees).toString());
      }),
      { numRuns: 300 },
    );
  });

  test('per-strategy results count trades, wins and losses', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '10', '60000'), { strategyId: 'pump', leverage: 5 });
    a.applyFill(fill(BTC, 'SELL', '10', '61000'), { strategyId: 'pump', leverage: 5 });
    a.applyFill(fill(ETH, 'BUY', '10', '3000'), { strategyId: 'pump', leverage: 5 });
    a.applyFill(fill(ETH, 'SELL', '10', '2990'), { strategyId: 'pump', leverage: 5 });
    a.applyFill(fill(SOL, 'SELL', '1', '150'), { strategyId: 'dump', leverage: 5 });
    a.applyFill(fill(SOL, 'BUY', '1', '140'), { strategyId: 'dump', leverage: 5 });
    expect(a.strategyResults()).toEqual([
      { strategyId: 'pump', trades: 2, wins: 1, losses: 1, grossPnl: '0', fees: '0', funding: '0', netPnl: '0' }, // +1 − 1
      { strategyId: 'dump', trades: 1, wins: 1, losses: 0, grossPnl: '10', fees: '0', funding: '0', netPnl: '10' },
    ]);
  });

  test('the equity curve gains a point per fill, funding and mark-to-market sample', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1000', '60000', '0', T0), { strategyId: 's', leverage: 10 });
    a.mark(BTC.id, '59000');
    a.recordEquity(T0 + 1_000);
    a.applyFill(fill(BTC, 'SELL', '1000', '59000', '0', T0 + 2_000), { strategyId: 's', leverage: 10 });
    expect(a.equityCurve().map((p) => [p.ts - T0, p.equity])).toEqual([[0, '10000'], [1_000, '9900'], [2_000, '9900']]);
  });
});

describe('Account: funding', () => {
  test('funding times are every 8 h from 00:00 UTC', () => {
    const day = Date.UTC(2024, 7, 8);
    expect(fundingTimes(day - 1, day + 24 * 3_600_000, 8).map((t) => new Date(t).toISOString())).toEqual([
      '2024-08-08T00:00:00.000Z', '2024-08-08T08:00:00.000Z', '2024-08-08T16:00:00.000Z', '2024-08-09T00:00:00.000Z',
    ]);
    expect(fundingTimes(day, day + 8 * 3_600_000 - 1, 8)).toEqual([]);
  });

  test('a positive rate is paid by longs and received by shorts, on the mark notional', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1000', '60000'), { strategyId: 'long', leverage: 10 });
    a.applyFill(fill(ETH, 'SELL', '100', '3000'), { strategyId: 'short', leverage: 10 });
    a.mark(BTC.id, '61000');
    expect(a.applyFunding(BTC.id, Decimal.of('0.0001'), T0).toString()).toBe('-0.61'); // 6,100 × 0.0001
    expect(a.applyFunding(ETH.id, Decimal.of('0.0001'), T0).toString()).toBe('0.3'); // 3,000 × 0.0001
    expect(a.totalFunding().toString()).toBe('-0.31');
    expect(a.balance().toString()).toBe('9999.69');
  });

  test('settleFunding applies each funding time crossed since the last call, and the round trip carries it', () => {
    const a = account();
    a.settleFunding(T0, 8, () => Decimal.of('0.0001')); // remembers 06:00
    a.applyFill(fill(BTC, 'BUY', '1000', '60000', '0', T0), { strategyId: 's', leverage: 10 });
    const paid = a.settleFunding(T0 + 12 * 3_600_000, 8, () => Decimal.of('0.0001')); // 06:00 → 18:00 crosses 08:00 and 16:00
    expect(paid.toString()).toBe('-1.2');
    expect(a.settleFunding(T0 + 13 * 3_600_000, 8, () => Decimal.of('0.0001')).toString()).toBe('0');
    const out = a.applyFill(fill(BTC, 'SELL', '1000', '60000', '0', T0 + 13 * 3_600_000), { strategyId: 's', leverage: 10 });
    expect(out.closedTrade).toMatchObject({ grossPnl: '0', funding: '-1.2', netPnl: '-1.2' });
    expect(a.strategyResults()[0]).toMatchObject({ funding: '-1.2', netPnl: '-1.2' });
  });
});

describe('Account: margin, margin ratio and liquidation', () => {
  test('isolated margin is the entry cost over the leverage; the margin ratio is MM ÷ (margin + unrealised)', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1000', '60000'), { strategyId: 's', leverage: 10 });
    expect(a.positionMargin(BTC.id).toString()).toBe('600');
    a.mark(BTC.id, '57000'); // −300
    expect(a.maintenanceMargin(BTC.id).toString()).toBe('22.8'); // 5,700 × 0.004
    expect(a.marginRatio(BTC.id)?.toString()).toBe('0.076'); // 22.8 ÷ 300
    expect(a.marginUtilizationPercent()).toBeCloseTo((600 / 9700) * 100, 3);
  });

  test('a 10× long at 60,000 liquidates at 54,216.9 and a 10× short at 65,737.0 (mmr 0.4 %)', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1000', '60000'), { strategyId: 's', leverage: 10 });
    expect(a.liquidationPrice(BTC.id)?.toString()).toBe('54216.9'); // 60,000 × 0.9 ÷ 0.996 = 54,216.87 → up to the tick
    const b = account();
    b.applyFill(fill(BTC, 'SELL', '1000', '60000'), { strategyId: 's', leverage: 10 });
    expect(b.liquidationPrice(BTC.id)?.toString()).toBe('65737'); // 60,000 × 1.1 ÷ 1.004 = 65,737.05 → down to the tick
  });

  test('a 1× long cannot be liquidated', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '10', '60000'), { strategyId: 's', leverage: 1 });
    expect(a.liquidationPrice(BTC.id)).toBeNull();
    expect(a.liquidationDistancePercent(BTC.id)).toBe(100);
  });

  test('property: the liquidation price sits on the losing side, where the margin balance meets the maintenance margin', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(BTC, ETH, SOL, DOGE), fc.constantFrom<PositionSide>('LONG', 'SHORT'), fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1_000, max: 10_000_000 }), fc.integer({ min: 2, max: 100 }),
        (instrument, side, lots, ticks, leverage) => {
          const qty = instrument.lotSize.mul(lots);
          const entry = instrument.tickSize.mul(ticks);
          const cost = entry.mul(qty).mul(instrument.contractSize);
          const margin = positionMargin(cost, leverage);
          const liq = liquidationPrice({ side, quantity: qty, entryCost: cost, margin, contractSize: instrument.contractSize, maintenanceMarginRate: MMR, tickSize: instrument.tickSize });
          expect(liq).not.toBeNull();
          if (liq === null) return;
          if (side === 'LONG') expect(liq.lt(entry)).toBe(true);
          else expect(liq.gt(entry)).toBe(true);
          // one tick either side of it, the margin balance crosses the maintenance margin
          const balanceMinusMm = (p: Decimal) => {
            const markNotional = p.mul(qty).mul(instrument.contractSize);
            return margin.add(unrealizedFromCost(side, markNotional, cost)).sub(maintenanceMargin(markNotional, MMR));
          };
          const safer = side === 'LONG' ? liq.add(instrument.tickSize) : liq.sub(instrument.tickSize);
          const worse = side === 'LONG' ? liq.sub(instrument.tickSize.mul(2)) : liq.add(instrument.tickSize.mul(2));
          expect(balanceMinusMm(safer).isPositive()).toBe(true);
          expect(balanceMinusMm(worse).isNegative()).toBe(true);
          // more leverage, nearer liquidation
          const nearer = liquidationPrice({ side, quantity: qty, entryCost: cost, margin: positionMargin(cost, leverage + 1), contractSize: instrument.contractSize, maintenanceMarginRate: MMR, tickSize: instrument.tickSize })!;
          expect(side === 'LONG' ? nearer.gte(liq) : nearer.lte(liq)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('the exchange margin ratio reaches 1 at the liquidation price', () => {
    const cost = Decimal.of('6000');
    const margin = positionMargin(cost, 10);
    const liq = Decimal.of('60000').mul('0.9').div('0.996');
    const markNotional = liq.mul(1000).mul('0.0001', 'half-even');
    const ratio = exchangeMarginRatio(margin, unrealizedFromCost('LONG', markNotional, cost), maintenanceMargin(markNotional, MMR))!;
    expect(ratio.sub(1).abs().lt('0.000000001')).toBe(true);
  });

  test('the liquidation distance gauge is 100 at entry, 0 at liquidation, linear in between, 100 in profit', () => {
    const entry = Decimal.of(60000);
    const liq = Decimal.of(54000);
    expect(liquidationDistancePercent('LONG', entry, entry, liq)).toBe(100);
    expect(liquidationDistancePercent('LONG', entry, Decimal.of(57000), liq)).toBe(50);
    expect(liquidationDistancePercent('LONG', entry, Decimal.of(54900), liq)).toBe(15);
    expect(liquidationDistancePercent('LONG', entry, Decimal.of(54000), liq)).toBe(0);
    expect(liquidationDistancePercent('LONG', entry, Decimal.of(53000), liq)).toBe(0);
    expect(liquidationDistancePercent('LONG', entry, Decimal.of(61000), liq)).toBe(100);
    expect(liquidationDistancePercent('SHORT', entry, Decimal.of(63000), Decimal.of(66000))).toBe(50);
  });

  test('the position DTO carries the gauge, the liquidation price and exact PnL strings', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1000', '60000', '3.6'), { strategyId: 's', leverage: 10 });
    a.mark(BTC.id, '55000');
    expect(a.toDto(BTC.id)).toMatchObject({
      sessionId: 's1', side: 'LONG', quantity: '1000', averageEntryPrice: '60000', markPrice: '55000', unrealizedPnl: '-500', commissions: '3.6',
      leverage: 10, liquidationPrice: '54216.9', marginRatioPercent: 13.5412, // (55,000 − 54,216.9) ÷ (60,000 − 54,216.9)
    });
  });
});

describe('Account: positions closed outside the app', () => {
  test('without the venue figures it realises (exit − entry) × size at the given price and books no fee', () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1000', '60000', '3.6'), { strategyId: 'pump', leverage: 10 });
    const trade = a.closeOutside(BTC.id, Decimal.of('59000'), T0 + 1, 'closed_outside');
    expect(trade).toMatchObject({ exitPrice: '59000', grossPnl: '-100', fees: '3.6', netPnl: '-103.6', exitReason: 'closed_outside' });
    expect(a.position(BTC.id)?.side).toBe('FLAT');
    expect(a.balance().toString()).toBe('9896.4');
  });

  test("a liquidation with the venue's figures loses exactly the margin the venue took, at the venue's exit price", () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1000', '60000', '3.6'), { strategyId: 'pump', leverage: 10 });
    const margin = a.positionMargin(BTC.id);
    expect(margin.toString()).toBe('600');
    const before = a.balance();
    // the venue: close PnL −600 (the whole isolated margin), fees 3.6 (the entry's, already booked here)
    const trade = a.closeOutside(BTC.id, Decimal.of('54216.9'), T0 + 1, 'liquidated', { realizedPnl: Decimal.of('-600'), fees: Decimal.of('3.6') });
    expect(trade).toMatchObject({ exitPrice: '54216.9', grossPnl: '-600', fees: '3.6', netPnl: '-603.6', exitReason: 'liquidated' });
    expect(before.sub(a.balance()).eq(margin)).toBe(true);
    expect(a.totalCommissions().toString()).toBe('3.6');
  });

  test("the venue's totals cover the whole position: the app's own partial close and fees are taken off, the closing fee it never saw is booked", () => {
    const a = account();
    a.applyFill(fill(BTC, 'BUY', '1000', '60000', '3.6'), { strategyId: 'pump', leverage: 10 });
    a.applyFill(fill(BTC, 'SELL', '400', '61000', '1.464'), { strategyId: 'pump', leverage: 10, reason: 'close_50' }); // +40 realised here
    // the trader closes the other 600 on the website at 61 500: +90, a 2.214 fee; the venue reports the position's life
    const trade = a.closeOutside(BTC.id, Decimal.of('61500'), T0 + 1, 'closed_outside', { realizedPnl: Decimal.of('130'), fees: Decimal.of('7.278') });
    expect(trade).toMatchObject({ grossPnl: '130', fees: '7.278', netPnl: '122.722', exitPrice: '61300' }); // exit: (400 × 61 000 + 600 × 61 500) ÷ 1000
    expect(a.realizedPnl().toString()).toBe('130');
    expect(a.totalCommissions().toString()).toBe('7.278');
    expect(a.balance().toString()).toBe('10122.722');
  });

  test('fees the app booked above the venue figure are not refunded; unknown venue fees book none', () => {
    const a = account();
    a.applyFill(fill(ETH, 'SELL', '100', '3000', '1.8'), { strategyId: null, leverage: 5 });
    const trade = a.closeOutside(ETH.id, Decimal.of('2900'), T0 + 1, 'closed_outside', { realizedPnl: Decimal.of('100'), fees: Decimal.of('1') });
    expect(trade).toMatchObject({ grossPnl: '100', fees: '1.8' });
    a.applyFill(fill(ETH, 'SELL', '100', '3000', '1.8'), { strategyId: null, leverage: 5 });
    expect(a.closeOutside(ETH.id, Decimal.of('3100'), T0 + 2, 'closed_outside', { realizedPnl: Decimal.of('-100'), fees: null })).toMatchObject({ grossPnl: '-100', fees: '1.8' });
    expect(a.closeOutside(ETH.id, Decimal.of('3100'), T0 + 3, 'closed_outside')).toBeNull();
  });
});
