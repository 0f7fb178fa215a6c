import type { Decimal } from '../../src-shared/domain/decimal';
import type { ContractSpec } from './contracts';
import type { BookLevel, PublicDeal, SimDeal, SimExchange, SimOrder, SimPlanOrder, SimPosition } from './exchange';

/**
 * MEXC's JSON shapes for the simulator's state. Field names follow the response samples that
 * ccxt's mexc.js documents from real answers (fetchOrder, fetchPositions, fetchBalance,
 * fetchSwapMarkets, fetchTicker, the swap WebSocket pushes). MEXC sends numbers as JSON
 * numbers and large ids as strings; so does the simulator.
 */

/** Exact decimal → JSON number at the wire, as MEXC sends them. */
export const num = (value: Decimal): number => Number(value.toString());

export function contractView(spec: ContractSpec, apiAllowed: boolean): Record<string, unknown> {
  return {
    symbol: spec.symbol,
    displayName: `${spec.symbol}永续`,
    displayNameEn: `${spec.symbol} PERPETUAL`,
    positionOpenType: 3,
    baseCoin: spec.baseCoin,
    quoteCoin: spec.quoteCoin,
    settleCoin: spec.settleCoin,
    contractSize: Number(spec.contractSize),
    minLeverage: spec.minLeverage,
    maxLeverage: spec.maxLeverage,
    priceScale: spec.priceScale,
    volScale: spec.volScale,
    amountScale: spec.amountScale,
    priceUnit: Number(spec.priceUnit),
    volUnit: Number(spec.volUnit),
    minVol: Number(spec.minVol),
    maxVol: Number(spec.maxVol),
    bidLimitPriceRate: 0.1,
    askLimitPriceRate: 0.1,
    takerFeeRate: Number(spec.takerFeeRate),
    makerFeeRate: Number(spec.makerFeeRate),
    maintenanceMarginRate: Number(spec.maintenanceMarginRate),
    initialMarginRate: Number(spec.initialMarginRate),
    riskBaseVol: 10000,
    riskIncrVol: 200000,
    riskIncrMmr: 0.004,
    riskIncrImr: 0.004,
    riskLevelLimit: 5,
    priceCoefficientVariation: 0.1,
    indexOrigin: ['BINANCE', 'GATEIO', 'HUOBI', 'MXC'],
    state: spec.state,
    isNew: false,
    isHot: true,
    isHidden: false,
    apiAllowed,
  };
}

export function orderView(order: SimOrder): Record<string, unknown> {
  return {
    orderId: order.orderId,
    symbol: order.symbol,
    positionId: order.positionId,
    price: num(order.price),
    vol: num(order.vol),
    leverage: order.leverage,
    side: order.side,
    category: 1,
    orderType: order.orderType,
    dealAvgPrice: order.dealVol.isZero() ? 0 : num(order.dealValue.div(order.dealVol, 'half-even')),
    dealVol: num(order.dealVol),
    orderMargin: num(order.orderMargin),
    takerFee: num(order.takerFee),
    makerFee: num(order.makerFee),
    profit: num(order.profit),
    feeCurrency: 'USDT',
    openType: order.openType,
    state: order.state,
    externalOid: order.externalOid,
    errorCode: order.errorCode,
    usedMargin: num(order.usedMargin),
    createTime: order.createTime,
    updateTime: order.updateTime,
    positionMode: 1,
  };
}

export function positionView(exchange: SimExchange, position: SimPosition): Record<string, unknown> {
  return {
    positionId: position.positionId,
    symbol: position.symbol,
    positionType: position.positionType,
    openType: position.openType,
    state: position.state,
    holdVol: num(position.holdVol),
    frozenVol: num(position.frozenVol),
    closeVol: num(position.closeVol),
    holdAvgPrice: num(position.holdAvgPrice),
    openAvgPrice: num(position.openAvgPrice),
    closeAvgPrice: num(position.closeAvgPrice),
    liquidatePrice: position.state === 3 ? num(position.closeAvgPrice) : num(exchange.liquidationPrice(position)),
    oim: num(position.im),
    im: num(position.im),
    holdFee: 0,
    realised: num(position.realised),
    leverage: position.leverage,
    createTime: position.createTime,
    updateTime: position.updateTime,
    autoAddIm: false,
  };
}

/**
 * history_positions adds the close outcome, split as MEXC splits it (its documented sample):
 * closeProfitLoss is the close PnL before fees (a liquidation's is the margin lost), fee every
 * fee of the position, realised = closeProfitLoss − fee.
 */
export function closedPositionView(exchange: SimExchange, position: SimPosition): Record<string, unknown> {
  return {
    ...positionView(exchange, position),
    positionShowStatus: position.liquidated ? 'LIQUIDATED' : 'CLOSED',
    closeProfitLoss: num(position.realised.add(position.fee)),
    fee: num(position.fee),
    newOpenAvgPrice: num(position.openAvgPrice),
    newCloseAvgPrice: num(position.closeAvgPrice),
  };
}

export function assetView(exchange: SimExchange): Record<string, unknown> {
  const account = exchange.account();
  return {
    currency: 'USDT',
    positionMargin: num(account.positionMargin),
    availableBalance: num(account.availableBalance),
    cashBalance: num(account.cashBalance),
    frozenBalance: num(account.frozenBalance),
    equity: num(account.equity),
    unrealized: num(account.unrealized),
    bonus: 0,
    availableCash: num(account.availableBalance),
    availableOpen: num(account.availableBalance),
  };
}

export function tickerView(exchange: SimExchange, symbol: string, now: number): Record<string, unknown> {
  const m = exchange.marketSnapshot(symbol);
  const change = m.last.sub(m.open24);
  return {
    symbol,
    lastPrice: num(m.last),
    bid1: num(m.bid1),
    ask1: num(m.ask1),
    volume24: num(m.volume24),
    amount24: num(m.volume24.mul(m.last, 'half-even')),
    holdVol: 0,
    lower24Price: num(m.low24),
    high24Price: num(m.high24),
    riseFallRate: num(change.div(m.open24, 'half-even').roundToStep('0.0001', 'half-even')),
    riseFallValue: num(change),
    indexPrice: num(m.last),
    fairPrice: num(m.last),
    fundingRate: 0.0001,
    maxBidPrice: num(m.last.mul('1.1', 'half-even')),
    minAskPrice: num(m.last.mul('0.9', 'half-even')),
    timestamp: now,
  };
}

export const levelView = (level: BookLevel): [number, number, number] => [num(level.price), num(level.vol), level.vol.isZero() ? 0 : 1];

export const publicDealView = (deal: PublicDeal): Record<string, unknown> => ({ p: num(deal.p), v: num(deal.v), T: deal.T, O: deal.O, M: deal.M, t: deal.t });

export function ownDealView(deal: SimDeal): Record<string, unknown> {
  return {
    id: deal.id,
    symbol: deal.symbol,
    side: deal.side,
    vol: num(deal.vol),
    price: num(deal.price),
    feeCurrency: 'USDT',
    fee: num(deal.fee),
    timestamp: deal.timestamp,
    profit: num(deal.profit),
    category: 1,
    orderId: deal.orderId,
    positionMode: 1,
    taker: deal.taker,
  };
}

export function planOrderView(plan: SimPlanOrder): Record<string, unknown> {
  return {
    id: plan.id,
    symbol: plan.symbol,
    leverage: plan.leverage,
    side: plan.side,
    triggerPrice: num(plan.triggerPrice),
    ...(plan.price === null ? {} : { price: num(plan.price) }),
    vol: num(plan.vol),
    openType: plan.openType,
    triggerType: plan.triggerType,
    state: plan.state,
    executeCycle: plan.executeCycle,
    trend: plan.trend,
    orderType: plan.orderType,
    orderId: plan.placedOrderId ?? undefined,
    errorCode: plan.errorCode,
    createTime: plan.createTime,
    updateTime: plan.updateTime,
  };
}
