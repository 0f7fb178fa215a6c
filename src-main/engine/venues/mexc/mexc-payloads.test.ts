import { describe, expect, test } from 'vitest';
import { InstrumentId } from '../../../../src-shared/domain/ids';
import { MexcClosedPositionSchema, MexcContractSchema, MexcOrderSchema, MexcPositionSchema, closedPositionOf, envelope, instrumentFromContract, orderStateOf, positionOf } from './mexc-payloads';

// response samples as ccxt's mexc.js documents them from real MEXC answers (fetchOrder, fetchPositions, fetchSwapMarkets)
const ORDER_SAMPLE = {
  orderId: '264995729269765120', symbol: 'STEPN_USDT', positionId: '0', price: '2.2', vol: '15', leverage: '20', side: '1', category: '1', orderType: '1',
  dealAvgPrice: '0', dealVol: '0', orderMargin: '2.2528', takerFee: '0', makerFee: '0', profit: '0', feeCurrency: 'USDT', openType: '1', state: '2',
  externalOid: '_m_0e9520c256744d64b942985189026d20', errorCode: '0', usedMargin: '0', createTime: '1648850305236', updateTime: '1648850305245', positionMode: '1',
};
const POSITION_SAMPLE = {
  positionId: 1394650, symbol: 'ETH_USDT', positionType: 1, openType: 1, state: 1, holdVol: 1, frozenVol: 0, closeVol: 0, holdAvgPrice: 1217.3, openAvgPrice: 1217.3,
  closeAvgPrice: 0, liquidatePrice: 1211.2, oim: 0.1290338, im: 0.1290338, holdFee: 0, realised: -0.0073, leverage: 100, createTime: 1609991676000, updateTime: 1609991676000, autoAddIm: false,
};
// fetchPositionsHistory's sample in ccxt's mexc.js (a real history_positions entry): every number a string
const CLOSED_POSITION_SAMPLE = {
  positionId: '390281084', symbol: 'RVN_USDT', positionType: '1', openType: '2', state: '3', holdVol: '0', frozenVol: '0', closeVol: '1141', holdAvgPrice: '0.03491',
  holdAvgPriceFullyScale: '0.03491', openAvgPrice: '0.03491', openAvgPriceFullyScale: '0.03491', closeAvgPrice: '0.03494', liquidatePrice: '0.03433', oim: '0', im: '0',
  holdFee: '0', realised: '0.1829', leverage: '50', createTime: '1711512408000', updateTime: '1711512553000', autoAddIm: false, version: '4', profitRatio: '0.0227',
  newOpenAvgPrice: '0.03491', newCloseAvgPrice: '0.03494', closeProfitLoss: '0.3423', fee: '0.1593977', positionShowStatus: 'CLOSED',
};
const CONTRACT_SAMPLE = {
  symbol: 'BTC_USDT', displayName: 'BTC_USDT永续', displayNameEn: 'BTC_USDT SWAP', positionOpenType: 3, baseCoin: 'BTC', quoteCoin: 'USDT', settleCoin: 'USDT', contractSize: 0.0001,
  minLeverage: 1, maxLeverage: 125, priceScale: 2, volScale: 0, amountScale: 4, priceUnit: 0.5, volUnit: 1, minVol: 1, maxVol: 1000000, bidLimitPriceRate: 0.1, askLimitPriceRate: 0.1,
  takerFeeRate: 0.0006, makerFeeRate: 0.0002, maintenanceMarginRate: 0.004, initialMarginRate: 0.008, state: 0, isNew: false, isHot: true, isHidden: false,
};

describe('MEXC contract payloads', () => {
  test('an order sample with every number as a string reads exactly, with its external id as our client order id', () => {
    const order = MexcOrderSchema.parse(ORDER_SAMPLE);
    const state = orderStateOf(order, InstrumentId('STEPN/USDT:USDT'), 'USDT');
    expect(state).toMatchObject({ clientOrderId: '_m_0e9520c256744d64b942985189026d20', venueOrderId: '264995729269765120', status: 'ACCEPTED', averageFillPrice: null });
    expect(state.filledQuantity.toString()).toBe('0');
  });

  test.each([
    [{ state: 1, dealVol: 0 }, 'SUBMITTED'],
    [{ state: 2, dealVol: 0 }, 'ACCEPTED'],
    [{ state: 2, dealVol: 5 }, 'PARTIALLY_FILLED'],
    [{ state: 3, dealVol: 15 }, 'FILLED'],
    [{ state: 4, dealVol: 5 }, 'CANCELED'],
    [{ state: 5, dealVol: 0 }, 'REJECTED'],
  ] as const)('MEXC state %o is %s', (fields, status) => {
    const order = MexcOrderSchema.parse({ ...ORDER_SAMPLE, ...fields, dealAvgPrice: fields.dealVol > 0 ? 2.2 : 0 });
    const state = orderStateOf(order, InstrumentId('STEPN/USDT:USDT'), 'USDT');
    expect(state.status).toBe(status);
    expect(state.filledQuantity.toString()).toBe(String(fields.dealVol));
  });

  test('a position sample becomes a LONG with entry, liquidation price and margin; the mark comes from the fair price', () => {
    const contract = instrumentFromContract(MexcContractSchema.parse({ ...CONTRACT_SAMPLE, symbol: 'ETH_USDT', baseCoin: 'ETH', contractSize: 0.01 }));
    const position = positionOf(MexcPositionSchema.parse(POSITION_SAMPLE), contract, contract.id, null, 'USDT');
    expect([position.instrumentId, position.side, position.quantity.toString(), position.entryPrice?.toString(), position.liquidationPrice?.toString(), position.margin?.toString(), position.leverage]).toEqual([
      'ETH/USDT:USDT', 'LONG', '1', '1217.3', '1211.2', '0.1290338', 100,
    ]);
    expect(position.markPrice).toBeNull();
    expect(position.unrealizedPnl).toBeNull();
  });

  test('the contract sample gives tick, lot, minimum, contract size and fees as exact decimals', () => {
    const instrument = instrumentFromContract(MexcContractSchema.parse(CONTRACT_SAMPLE));
    expect([instrument.id, instrument.tickSize.toString(), instrument.lotSize.toString(), instrument.contractSize.toString(), instrument.takerFee.toString()]).toEqual(['BTC/USDT:USDT', '0.5', '1', '0.0001', '0.0006']);
  });

  test("a closed-position sample reads as MEXC splits it: close PnL before fees, every fee, the whole-life prices, open and close times", () => {
    const closed = closedPositionOf(MexcClosedPositionSchema.parse(CLOSED_POSITION_SAMPLE), InstrumentId('RVN/USDT:USDT'), 'USDT')!;
    expect([closed.side, closed.quantity.toString(), closed.entryPrice?.toString(), closed.exitPrice.toString(), closed.realizedPnl.toString(), closed.fees?.toString(), closed.liquidated, closed.openedAt, closed.closedAt]).toEqual([
      'LONG', '1141', '0.03491', '0.03494', '0.3423', '0.1593977', false, 1711512408000, 1711512553000,
    ]);
    // MEXC's realised is the close PnL less every fee (to the 4 places it rounds realised to)
    expect(closed.realizedPnl.sub(closed.fees!).toFixed(4)).toBe(CLOSED_POSITION_SAMPLE.realised);
  });

  test('a LIQUIDATED short takes its whole-life close price; one with no close price cannot be settled from', () => {
    const liquidated = MexcClosedPositionSchema.parse({ ...CLOSED_POSITION_SAMPLE, positionType: 2, positionShowStatus: 'LIQUIDATED', newCloseAvgPrice: '0.0355', closeProfitLoss: '-0.7', fee: undefined });
    expect(closedPositionOf(liquidated, InstrumentId('RVN/USDT:USDT'), 'USDT')).toMatchObject({ side: 'SHORT', liquidated: true, fees: null });
    expect(closedPositionOf(liquidated, InstrumentId('RVN/USDT:USDT'), 'USDT')?.exitPrice.toString()).toBe('0.0355');
    const noPrice = MexcClosedPositionSchema.parse({ ...CLOSED_POSITION_SAMPLE, closeAvgPrice: '0', newCloseAvgPrice: '0' });
    expect(closedPositionOf(noPrice, InstrumentId('RVN/USDT:USDT'), 'USDT')).toBeNull();
    expect(MexcClosedPositionSchema.safeParse({ ...CLOSED_POSITION_SAMPLE, closeProfitLoss: undefined }).error?.issues[0]?.path).toEqual(['closeProfitLoss']);
  });

  test('what is not a MEXC answer fails validation, naming the field: text, a failure envelope, a non-number', () => {
    expect(envelope(MexcOrderSchema).safeParse('{"success":true,"code":0,"da').success).toBe(false);
    expect(envelope(MexcOrderSchema).safeParse({ success: false, code: 500, message: 'x' }).success).toBe(false);
    const bad = MexcOrderSchema.safeParse({ ...ORDER_SAMPLE, dealVol: 'lots' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['dealVol']);
  });
});
