import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Fill } from './fill';
import { ClientOrderId, FillId } from './ids';
import { checkPrice, checkQuantity, instrumentFromSpec, notional } from './instrument';
import { applyFill, flatPosition, signedQuantity, unrealizedPnl } from './position';
import { Money, Price, Quantity } from './values';
import { Decimal } from './decimal';

const btc = instrumentFromSpec({
  id: 'BTC/USDT:USDT', venue: 'mexc', symbol: 'BTC_USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '1', contractSize: '0.0001', maxLeverage: 125, makerFee: '0', takerFee: '0.0002',
});

let seq = 0;
const fill = (side: 'BUY' | 'SELL', qty: number | string, px: string, commission = '0'): Fill => ({
  fillId: FillId(`f-${++seq}`),
  clientOrderId: ClientOrderId(`c-${seq}`),
  venueOrderId: null,
  instrumentId: btc.id,
  side,
  lastQty: Quantity.of(qty),
  lastPx: Price.of(px),
  liquiditySide: 'TAKER',
  commission: Money.money(commission),
  tsEvent: seq,
});

describe('positions from fills', () => {
  test('a round trip realises (exit − entry) × contracts × contract size', () => {
    let p = flatPosition(btc.id, 0);
    p = applyFill(p, fill('BUY', 10, '60000'), btc);
    p = applyFill(p, fill('SELL', 10, '60100.5'), btc);
    expect(p.side).toBe('FLAT');
    expect(p.realizedPnl.toString()).toBe('0.1005'); // 100.5 × 10 × 0.0001
  });

  test('a short gains when the price falls, and flips through zero at the fill price', () => {
    let p = flatPosition(btc.id, 0);
    p = applyFill(p, fill('SELL', 4, '100'), btc);
    p = applyFill(p, fill('BUY', 6, '90'), btc);
    expect(p.side).toBe('LONG');
    expect(p.quantity.toString()).toBe('2');
    expect(p.averageEntryPrice?.toString()).toBe('90');
    expect(p.realizedPnl.toString()).toBe('0.004'); // 10 × 4 × 0.0001
  });

  test('net quantity always equals the signed sum of fills, and realised PnL of a closed book equals the cash flow', () => {
    const fills = fc.array(
      fc.tuple(fc.constantFrom('BUY' as const, 'SELL' as const), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 500000, max: 700000 })),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(fills, (list) => {
        let p = flatPosition(btc.id, 0);
        let signed = Decimal.ZERO;
        let cash = Decimal.ZERO; // − for buys, + for sells, in price × contracts
        for (const [side, qty, tenths] of list) {
          const px = Decimal.of(tenths).div(10, 'down').toString();
          p = applyFill(p, fill(side, qty, px), btc);
          signed = side === 'BUY' ? signed.add(qty) : signed.sub(qty);
          cash = side === 'BUY' ? cash.sub(Decimal.of(px).mul(qty)) : cash.add(Decimal.of(px).mul(qty));
        }
        expect(signedQuantity(p).eq(signed)).toBe(true);
        if (signed.isZero()) {
          // flat: everything realised; average prices are exact to 18 dp so allow rounding dust
          const expected = cash.mul(btc.contractSize);
          expect(p.realizedPnl.sub(expected).abs().lte('0.000000001')).toBe(true);
        }
      }),
    );
  });

  test('unrealised PnL follows the mark and is zero when flat', () => {
    let p = flatPosition(btc.id, 0);
    expect(unrealizedPnl(p, Price.of('1'), btc).isZero()).toBe(true);
    p = applyFill(p, fill('BUY', 100, '60000'), btc);
    expect(unrealizedPnl(p, Price.of('60010'), btc).toString()).toBe('0.1');
    expect(notional(btc, Price.of('60000'), Quantity.of(100)).toString()).toBe('600');
  });

  test('instrument checks name what is wrong with a price or quantity', () => {
    expect(checkPrice(btc, Price.of('60000.05'))).toMatch(/not a multiple of the tick size 0.1/);
    expect(checkPrice(btc, Price.of('0'))).toMatch(/must be positive/);
    expect(checkQuantity(btc, Quantity.of('1.5'))).toMatch(/lot size 1/);
    expect(checkQuantity(btc, Quantity.of('2'))).toBeNull();
    expect(checkPrice(btc, Price.of('60000.1'))).toBeNull();
  });
});
