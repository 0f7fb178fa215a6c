import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Decimal } from '../../src-shared/domain/decimal';
import { BTC_USDT, contractSpec } from './contracts';
import { MexcRefusal, SimExchange, type ExchangeOptions } from './exchange';

const options = (overrides: Partial<ExchangeOptions> = {}): ExchangeOptions => ({
  contracts: [BTC_USDT],
  clock: { now: () => 1_700_000_000_000 },
  initialBalance: Decimal.of('10000'),
  bookDepth: 5,
  bookLevelVolume: Decimal.of('1000'),
  duplicateExternalOid: 'return-existing',
  defaultLeverage: 20,
  ...overrides,
});

const openLong = (exchange: SimExchange, vol: string, leverage: number, externalOid: string | null = null) =>
  exchange.placeOrder({ symbol: 'BTC_USDT', price: null, vol: Decimal.of(vol), side: 1, type: 5, openType: 1, leverage, externalOid });

describe('the simulated MEXC exchange', () => {
  test('a market order fills at the last price, charges the taker fee and opens an isolated position', () => {
    const exchange = new SimExchange(options());
    const order = openLong(exchange, '10', 10);
    expect(order.state).toBe(3);
    expect(order.dealVol.toString()).toBe('10');
    const [position] = exchange.positions();
    // 60000 × 10 contracts × 0.0001 BTC = 60 USDT notional; 10× → 6 USDT margin; fee 0.06% of 60
    expect(position!.im.toString()).toBe('6');
    expect(order.takerFee.toString()).toBe('0.036');
    expect(exchange.account().cashBalance.toString()).toBe('9999.964');
    expect(exchange.account().availableBalance.toString()).toBe('9993.964');
  });

  test('a limit order away from the market rests, reserves margin, and fills at its price when the market moves through it', () => {
    const exchange = new SimExchange(options());
    const order = exchange.placeOrder({ symbol: 'BTC_USDT', price: Decimal.of('59000'), vol: Decimal.of('4'), side: 1, type: 1, openType: 1, leverage: 5, externalOid: 'a1' });
    expect(order.state).toBe(2);
    expect(exchange.account().frozenBalance.toString()).toBe('4.72');
    exchange.setPrice('BTC_USDT', Decimal.of('59500'));
    expect(order.state).toBe(2);
    exchange.setPrice('BTC_USDT', Decimal.of('58990'));
    expect(order.state).toBe(3);
    expect(order.dealValue.div(order.dealVol).toString()).toBe('59000');
    expect(order.makerFee.toString()).toBe('0.00472');
    expect(exchange.account().frozenBalance.isZero()).toBe(true);
  });

  test('an external order id already used returns the first order instead of placing a second', () => {
    const exchange = new SimExchange(options());
    const first = openLong(exchange, '1', 10, 'same-id');
    const second = openLong(exchange, '1', 10, 'same-id');
    expect(second.orderId).toBe(first.orderId);
    expect(exchange.allOrders()).toHaveLength(1);
    const strict = new SimExchange(options({ duplicateExternalOid: 'reject' }));
    openLong(strict, '1', 10, 'same-id');
    expect(() => openLong(strict, '1', 10, 'same-id')).toThrow(MexcRefusal);
  });

  test('closing more than the open position, or a position that does not exist, is refused with MEXC codes', () => {
    const exchange = new SimExchange(options());
    const close = (vol: string) => exchange.placeOrder({ symbol: 'BTC_USDT', price: null, vol: Decimal.of(vol), side: 4, type: 5, openType: 1, leverage: 10, externalOid: null });
    expect(() => close('1')).toThrow(expect.objectContaining({ code: 2009 }) as Error);
    openLong(exchange, '3', 10);
    expect(() => close('4')).toThrow(expect.objectContaining({ code: 2008 }) as Error);
    close('3');
    expect(exchange.positions()).toHaveLength(0);
    expect(exchange.positionHistory()[0]?.state).toBe(3);
  });

  test('a partial fill on demand leaves a limit order resting and cancels the rest of a market order', () => {
    const exchange = new SimExchange(options());
    exchange.limitNextFill(Decimal.of('2'));
    const market = openLong(exchange, '5', 10);
    expect([market.state, market.dealVol.toString()]).toEqual([4, '2']);
    exchange.limitNextFill(Decimal.of('1'));
    const limit = exchange.placeOrder({ symbol: 'BTC_USDT', price: Decimal.of('60010'), vol: Decimal.of('3'), side: 1, type: 1, openType: 1, leverage: 10, externalOid: null });
    expect([limit.state, limit.dealVol.toString()]).toEqual([2, '1']);
    exchange.fillResting(limit.orderId, Decimal.of('1'));
    expect([limit.state, limit.dealVol.toString()]).toEqual([2, '2']);
  });

  test('a long position is liquidated when the price reaches the price where margin meets maintenance margin, and loses its margin', () => {
    const exchange = new SimExchange(options());
    openLong(exchange, '100', 20);
    const position = exchange.positions()[0]!;
    // E = 60000, 1/L = 0.05, mmr = 0.004: P = 60000 × 0.95 / 0.996 = 57228.91… → up to the tick: 57229
    expect(exchange.liquidationPrice(position).toString()).toBe('57229');
    const cashBefore = exchange.account().cashBalance;
    exchange.setPrice('BTC_USDT', Decimal.of('57229.5'));
    expect(exchange.positions()).toHaveLength(1);
    exchange.setPrice('BTC_USDT', Decimal.of('57229'));
    expect(exchange.positions()).toHaveLength(0);
    expect(exchange.liquidations()).toHaveLength(1);
    expect(cashBefore.sub(exchange.account().cashBalance).toString()).toBe('30'); // the whole isolated margin
  });

  test('the liquidation price is the last tick (towards the entry) before margin plus unrealised PnL falls below maintenance margin — any entry, size, leverage, side', () => {
    const contract = contractSpec({ symbol: 'XYZ_USDT', initialPrice: '100', priceUnit: '0.01', contractSize: '0.1', maintenanceMarginRate: '0.005', maxLeverage: 100 });
    fc.assert(
      fc.property(fc.integer({ min: 1_000, max: 1_000_000 }), fc.integer({ min: 1, max: 500 }), fc.integer({ min: 2, max: 100 }), fc.boolean(), (cents, vol, leverage, long) => {
        const entry = Decimal.of(cents).div(100);
        const exchange = new SimExchange(options({ contracts: [{ ...contract, initialPrice: entry.toString() }], initialBalance: Decimal.of('100000000') }));
        exchange.placeOrder({ symbol: 'XYZ_USDT', price: null, vol: Decimal.of(vol), side: long ? 1 : 3, type: 5, openType: 1, leverage, externalOid: null });
        const position = exchange.positions()[0]!;
        const liquidation = exchange.liquidationPrice(position);
        // margin + unrealised PnL − maintenance margin, at a price
        const surplusAt = (price: Decimal): Decimal => {
          const pnl = (long ? price.sub(entry) : entry.sub(price)).mul(vol).mul('0.1');
          return position.im.add(pnl).sub(price.mul(vol).mul('0.1').mul('0.005'));
        };
        const beyond = long ? liquidation.sub('0.01') : liquidation.add('0.01');
        expect(surplusAt(liquidation).isNegative()).toBe(false);
        expect(surplusAt(beyond).isNegative()).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test('cancelling answers MEXC per-id results: success, not found (2040), not cancellable (2041)', () => {
    const exchange = new SimExchange(options());
    const resting = exchange.placeOrder({ symbol: 'BTC_USDT', price: Decimal.of('50000'), vol: Decimal.of('1'), side: 1, type: 1, openType: 1, leverage: 10, externalOid: null });
    expect(exchange.cancelOrder(resting.orderId)).toMatchObject({ errorCode: 0, errorMsg: 'success' });
    expect(exchange.cancelOrder(resting.orderId)).toMatchObject({ errorCode: 2041 });
    expect(exchange.cancelOrder('1')).toMatchObject({ errorCode: 2040 });
    expect(exchange.account().frozenBalance.isZero()).toBe(true);
  });

  test('a book replacement pushes only the changed levels, with volume 0 for removed ones and a higher version', () => {
    const exchange = new SimExchange(options());
    const depths: { asks: string[]; version: number }[] = [];
    exchange.onEvent((event) => {
      if (event.kind === 'depth') depths.push({ asks: event.asks.map((l) => `${l.price.toString()}:${l.vol.toString()}`), version: event.version });
    });
    exchange.setPrice('BTC_USDT', Decimal.of('60000.5'));
    expect(depths).toHaveLength(1);
    expect(depths[0]!.asks).toEqual(['60000.5:0', '60003:1000']);
    expect(depths[0]!.version).toBe(2);
  });
});
