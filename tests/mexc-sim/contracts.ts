/**
 * Contract definitions the simulator lists at GET /api/v1/contract/detail. Field names and
 * meanings are MEXC's (see the response sample in ccxt's mexc.fetchSwapMarkets): amounts are
 * in contracts, one contract is `contractSize` base units, `priceUnit` is the tick and
 * `volUnit` the lot. Numbers are kept as decimal strings here so the simulator's arithmetic is
 * exact; they are sent as JSON numbers, as MEXC does.
 */
export interface ContractSpec {
  symbol: string; // MEXC id, e.g. BTC_USDT
  baseCoin: string;
  quoteCoin: string;
  settleCoin: string;
  contractSize: string;
  minLeverage: number;
  maxLeverage: number;
  priceScale: number;
  volScale: number;
  amountScale: number;
  priceUnit: string;
  volUnit: string;
  minVol: string;
  maxVol: string;
  takerFeeRate: string;
  makerFeeRate: string;
  maintenanceMarginRate: string;
  initialMarginRate: string;
  /** 0 enabled, 1 delivery, 2 completed, 3 offline, 4 paused (MEXC codes). */
  state: number;
  /** The simulator's starting last price. Not a MEXC field; never sent. */
  initialPrice: string;
}

/** Builds a linear USDT perpetual with MEXC-like defaults; pass what differs. */
export function contractSpec(fields: Partial<ContractSpec> & { symbol: string; initialPrice: string }): ContractSpec {
  const [base = fields.symbol, quote = 'USDT'] = fields.symbol.split('_');
  return {
    baseCoin: base,
    quoteCoin: quote,
    settleCoin: quote,
    contractSize: '1',
    minLeverage: 1,
    maxLeverage: 200,
    priceScale: 4,
    volScale: 0,
    amountScale: 4,
    priceUnit: '0.0001',
    volUnit: '1',
    minVol: '1',
    maxVol: '1000000',
    takerFeeRate: '0.0002',
    makerFeeRate: '0',
    maintenanceMarginRate: '0.004',
    initialMarginRate: '0.005',
    state: 0,
    ...fields,
  };
}

/** BTC_USDT as in the captured detail sample: 0.0001 BTC per contract, 0.5 tick, 1 contract lot. */
export const BTC_USDT = contractSpec({
  symbol: 'BTC_USDT',
  contractSize: '0.0001',
  maxLeverage: 125,
  priceScale: 1,
  priceUnit: '0.5',
  takerFeeRate: '0.0006',
  makerFeeRate: '0.0002',
  maintenanceMarginRate: '0.004',
  initialMarginRate: '0.008',
  initialPrice: '60000',
});

export const ETH_USDT = contractSpec({
  symbol: 'ETH_USDT',
  contractSize: '0.01',
  maxLeverage: 100,
  priceScale: 2,
  priceUnit: '0.01',
  takerFeeRate: '0.0006',
  makerFeeRate: '0.0002',
  maintenanceMarginRate: '0.005',
  initialMarginRate: '0.01',
  initialPrice: '2600',
});

export const DEFAULT_CONTRACTS: readonly ContractSpec[] = [BTC_USDT, ETH_USDT];
