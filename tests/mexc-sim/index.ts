import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from '../../src-shared/domain/decimal';
import { DEFAULT_CONTRACTS, type ContractSpec } from './contracts';
import { SimExchange, type OpenTypeCode, type OrderTypeCode, type PositionTypeCode, type SideCode, type SimClock, type SimOrder, type SimPosition } from './exchange';
import { FaultPlan } from './faults';
import { createRestHandler, type RecordedRequest } from './rest';
import { SimWebSocket } from './ws';

export { BTC_USDT, ETH_USDT, DEFAULT_CONTRACTS, contractSpec, type ContractSpec } from './contracts';
export { FaultPlan, type RequestMatcher } from './faults';
export type { RecordedRequest } from './rest';
export type { SimExchange } from './exchange';

/**
 * A loopback MEXC USDT-M perpetual exchange for tests: the contract REST API under /api/v1/...
 * (plus the few spot v3 endpoints ccxt's loadMarkets touches) and the contract WebSocket at
 * /edge, so that unmodified ccxt / ccxt.pro run against it with only their URLs overridden.
 * See README.md beside this file for the API and the simplifications.
 */
export interface MexcSimulatorOptions {
  apiKey: string;
  secret: string;
  contracts?: readonly ContractSpec[];
  /** Time for order/position timestamps, Request-Time checks and rateLimitFor(); default wall clock. */
  clock?: SimClock;
  /** USDT cash balance of the account; default '10000'. */
  initialBalance?: string;
  /** Allowed |now − Request-Time| (ms) for signed requests; null turns the check off (e.g. with a simulated clock). Default 10 000, MEXC's default. */
  recvWindowMs?: number | null;
  bookDepth?: number;
  bookLevelVolume?: string;
  /** A second order/create with an externalOid already used: return the existing order (default) or refuse (code 603). */
  duplicateExternalOid?: 'return-existing' | 'reject';
  /** Leverage for cross-margin orders sent without one; default 20. */
  defaultLeverage?: number;
}

export type PositionSideName = 'long' | 'short';

/** Plain views of the simulator's state (decimals as strings). */
export interface SimOrderSnapshot {
  orderId: string;
  externalOid: string;
  symbol: string;
  side: SideCode;
  orderType: OrderTypeCode;
  openType: OpenTypeCode;
  state: 1 | 2 | 3 | 4 | 5;
  price: string;
  vol: string;
  dealVol: string;
  dealAvgPrice: string | null;
  leverage: number;
  source: 'api' | 'outside';
}

export interface SimPositionSnapshot {
  positionId: number;
  symbol: string;
  side: PositionSideName;
  openType: OpenTypeCode;
  holdVol: string;
  frozenVol: string;
  holdAvgPrice: string;
  liquidatePrice: string;
  im: string;
  leverage: number;
  realised: string;
  liquidated: boolean;
}

export interface SimBalanceSnapshot {
  cashBalance: string;
  equity: string;
  availableBalance: string;
  positionMargin: string;
  frozenBalance: string;
  unrealized: string;
}

export interface CcxtMexcUrls {
  api: {
    spot: { public: string; private: string };
    spot2: { public: string; private: string };
    contract: { public: string; private: string };
    broker: { private: string };
    ws: { spot: string; swap: string };
  };
}

export interface MexcSimulator {
  /** http://127.0.0.1:<port> — the REST base (MEXC's https://api.mexc.com). */
  readonly restUrl: string;
  /** ws://127.0.0.1:<port>/edge — the contract WebSocket (MEXC's wss://contract.mexc.com/edge). */
  readonly wsUrl: string;
  /** `new ccxt.mexc({ apiKey, secret, urls: sim.ccxtUrls() })` (also for ccxt.pro.mexc). */
  ccxtUrls(): CcxtMexcUrls;
  /** The state machine itself, for anything the helpers below do not cover. */
  readonly exchange: SimExchange;
  readonly faults: FaultPlan;
  readonly ws: SimWebSocket;
  /** Every HTTP request received, in order. */
  readonly requests: RecordedRequest[];
  /** Requests whose path contains `pathPart` (e.g. 'order/create'). */
  requestsTo(pathPart: string, method?: string): RecordedRequest[];

  // the market
  setPrice(symbol: string, price: string | number): void;
  trade(symbol: string, price: string | number, vol: string | number, takerSide: 'buy' | 'sell', at?: number): void;
  setBook(symbol: string, book: { bids: [string | number, string | number][]; asks: [string | number, string | number][] }): void;
  price(symbol: string): string;

  // state
  orders(symbol?: string): SimOrderSnapshot[];
  /** By venue order id or externalOid; undefined when unknown. */
  order(ref: string): SimOrderSnapshot | undefined;
  positions(symbol?: string): SimPositionSnapshot[];
  position(symbol: string, side: PositionSideName): SimPositionSnapshot | undefined;
  closedPositions(): SimPositionSnapshot[];
  balance(): SimBalanceSnapshot;
  setBalance(usdt: string | number): void;

  // fills and the world outside the app
  /** The next order to fill fills only `vol` contracts now (market: rest cancelled; limit: rest keeps resting). */
  partialFillNext(vol: string | number): void;
  /** Fills (part of) a resting order as if the market traded against it. */
  externalFill(ref: string, vol?: string | number, price?: string | number): SimOrderSnapshot;
  placeOrderOutside(order: { symbol: string; side: SideCode; vol: string | number; price?: string | number; type?: OrderTypeCode; openType?: OpenTypeCode; leverage?: number }): SimOrderSnapshot;
  cancelOrderOutside(ref: string): void;
  openPositionOutside(symbol: string, side: PositionSideName, vol: string | number, options?: { leverage?: number; openType?: OpenTypeCode }): SimPositionSnapshot;
  /** Closes `vol` (default: all that is not frozen by close orders) at the last price. */
  closePositionOutside(symbol: string, side: PositionSideName, vol?: string | number): void;
  /** Liquidates the position now, at its liquidation price. */
  liquidate(symbol: string, side: PositionSideName): void;

  close(): Promise<void>;
}

const dec = (value: string | number): Decimal => Decimal.of(value);
const positionType = (side: PositionSideName): PositionTypeCode => (side === 'long' ? 1 : 2);

export async function startMexcSimulator(options: MexcSimulatorOptions): Promise<MexcSimulator> {
  const clock: SimClock = options.clock ?? { now: () => Date.now() };
  const exchange = new SimExchange({
    contracts: options.contracts ?? DEFAULT_CONTRACTS,
    clock,
    initialBalance: dec(options.initialBalance ?? '10000'),
    bookDepth: options.bookDepth ?? 20,
    bookLevelVolume: dec(options.bookLevelVolume ?? '1000'),
    duplicateExternalOid: options.duplicateExternalOid ?? 'return-existing',
    defaultLeverage: options.defaultLeverage ?? 20,
  });
  const faults = new FaultPlan(clock);
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const handler = createRestHandler({
    exchange,
    faults,
    clock,
    apiKey: options.apiKey,
    secret: options.secret,
    recvWindowMs: options.recvWindowMs === undefined ? 10_000 : options.recvWindowMs,
    requests,
    hanging,
  });
  const ws = new SimWebSocket(exchange, clock, { apiKey: options.apiKey, secret: options.secret });
  const server = createServer(handler);
  server.on('upgrade', (request, socket, head: Buffer) => ws.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const restUrl = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}/edge`;

  const orderSnapshot = (order: SimOrder): SimOrderSnapshot => ({
    orderId: order.orderId,
    externalOid: order.externalOid,
    symbol: order.symbol,
    side: order.side,
    orderType: order.orderType,
    openType: order.openType,
    state: order.state,
    price: order.price.toString(),
    vol: order.vol.toString(),
    dealVol: order.dealVol.toString(),
    dealAvgPrice: order.dealVol.isZero() ? null : order.dealValue.div(order.dealVol, 'half-even').toString(),
    leverage: order.leverage,
    source: order.source,
  });
  const positionSnapshot = (position: SimPosition): SimPositionSnapshot => ({
    positionId: position.positionId,
    symbol: position.symbol,
    side: position.positionType === 1 ? 'long' : 'short',
    openType: position.openType,
    holdVol: position.holdVol.toString(),
    frozenVol: position.frozenVol.toString(),
    holdAvgPrice: position.holdAvgPrice.toString(),
    liquidatePrice: (position.state === 3 ? position.closeAvgPrice : exchange.liquidationPrice(position)).toString(),
    im: position.im.toString(),
    leverage: position.leverage,
    realised: position.realised.toString(),
    liquidated: position.liquidated,
  });
  const findOrder = (ref: string): SimOrder | undefined => exchange.order(ref) ?? exchange.allOrders().find((o) => o.externalOid === ref);
  const requireOrder = (ref: string): SimOrder => {
    const order = findOrder(ref);
    if (order === undefined) throw new Error(`simulator: no order ${ref}`);
    return order;
  };
  const requirePosition = (symbol: string, side: PositionSideName): SimPosition => {
    const position = exchange.positions(symbol).find((p) => p.positionType === positionType(side));
    if (position === undefined) throw new Error(`simulator: no ${side} position in ${symbol}`);
    return position;
  };

  return {
    restUrl,
    wsUrl,
    ccxtUrls: () => ({
      api: {
        spot: { public: restUrl, private: restUrl },
        spot2: { public: `${restUrl}/open/api/v2`, private: `${restUrl}/open/api/v2` },
        contract: { public: `${restUrl}/api/v1/contract`, private: `${restUrl}/api/v1/private` },
        broker: { private: `${restUrl}/api/v3/broker` },
        ws: { spot: `ws://127.0.0.1:${port}/ws`, swap: wsUrl },
      },
    }),
    exchange,
    faults,
    ws,
    requests,
    requestsTo: (pathPart, method) => requests.filter((r) => r.path.includes(pathPart) && (method === undefined || r.method === method)),
    setPrice: (symbol, price) => exchange.setPrice(symbol, dec(price)),
    trade: (symbol, price, vol, takerSide, at) => exchange.trade(symbol, dec(price), dec(vol), takerSide, at),
    setBook: (symbol, book) =>
      exchange.setBook(symbol, {
        bids: book.bids.map(([price, vol]) => ({ price: dec(price), vol: dec(vol) })),
        asks: book.asks.map(([price, vol]) => ({ price: dec(price), vol: dec(vol) })),
      }),
    price: (symbol) => exchange.lastPrice(symbol).toString(),
    orders: (symbol) => exchange.allOrders().filter((o) => symbol === undefined || o.symbol === symbol).map(orderSnapshot),
    order: (ref) => {
      const order = findOrder(ref);
      return order === undefined ? undefined : orderSnapshot(order);
    },
    positions: (symbol) => exchange.positions(symbol).map(positionSnapshot),
    position: (symbol, side) => {
      const position = exchange.positions(symbol).find((p) => p.positionType === positionType(side));
      return position === undefined ? undefined : positionSnapshot(position);
    },
    closedPositions: () => exchange.positionHistory().map(positionSnapshot),
    balance: () => {
      const account = exchange.account();
      return {
        cashBalance: account.cashBalance.toString(),
        equity: account.equity.toString(),
        availableBalance: account.availableBalance.toString(),
        positionMargin: account.positionMargin.toString(),
        frozenBalance: account.frozenBalance.toString(),
        unrealized: account.unrealized.toString(),
      };
    },
    setBalance: (usdt) => exchange.setBalance(dec(usdt)),
    partialFillNext: (vol) => exchange.limitNextFill(dec(vol)),
    externalFill: (ref, vol, price) => orderSnapshot(exchange.fillResting(requireOrder(ref).orderId, vol === undefined ? undefined : dec(vol), price === undefined ? undefined : dec(price))),
    placeOrderOutside: (order) => {
      const type = order.type ?? (order.price === undefined ? 5 : 1);
      return orderSnapshot(
        exchange.placeOrder(
          { symbol: order.symbol, side: order.side, vol: dec(order.vol), price: order.price === undefined ? null : dec(order.price), type, openType: order.openType ?? 1, leverage: order.leverage ?? 20, externalOid: null },
          'outside',
        ),
      );
    },
    cancelOrderOutside: (ref) => {
      const result = exchange.cancelOrder(requireOrder(ref).orderId);
      if (result.errorCode !== 0) throw new Error(`simulator: cannot cancel ${ref}: ${result.errorMsg}`);
    },
    openPositionOutside: (symbol, side, vol, extra = {}) => {
      exchange.placeOrder({ symbol, side: side === 'long' ? 1 : 3, vol: dec(vol), price: null, type: 5, openType: extra.openType ?? 1, leverage: extra.leverage ?? 20, externalOid: null }, 'outside');
      return positionSnapshot(requirePosition(symbol, side));
    },
    closePositionOutside: (symbol, side, vol) => {
      const position = requirePosition(symbol, side);
      exchange.closePositionAtMarket(position, vol === undefined ? position.holdVol.sub(position.frozenVol) : dec(vol));
    },
    liquidate: (symbol, side) => exchange.liquidate(requirePosition(symbol, side)),
    close: async () => {
      for (const response of hanging) response.socket?.destroy();
      hanging.clear();
      ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
