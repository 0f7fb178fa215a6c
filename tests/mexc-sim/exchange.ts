import { Decimal } from '../../src-shared/domain/decimal';
import type { ContractSpec } from './contracts';

/**
 * The simulated MEXC contract exchange: one account, USDT-settled linear perpetuals, exact
 * arithmetic (Decimal). No I/O here — rest.ts and ws.ts put MEXC's wire format around it.
 *
 * Simplifications (each one chosen so tests stay predictable):
 * - Market orders fill at the last price (the book is synthetic, for display and the feed).
 * - A limit order fills when it is marketable on arrival (at the last price, taker) or later
 *   when setPrice() moves the last price through it (at its own price, maker).
 * - Positions are kept per side (MEXC's default hedge mode): side 1 opens long, 2 closes short,
 *   3 opens short, 4 closes long. Every position is margined like an isolated one, including
 *   cross (openType 2) ones, using its leverage.
 * - Liquidation (MEXC's rule with one risk tier): a position is liquidated when its margin plus
 *   unrealised PnL at the last price falls to the maintenance margin (notional at the last
 *   price × maintenanceMarginRate). Long: P = (E·V·cs − im) / (V·cs·(1 − mmr));
 *   short: P = (E·V·cs + im) / (V·cs·(1 + mmr)); rounded to the tick towards the entry. The
 *   whole isolated margin is lost (the remainder goes to the "insurance fund").
 * - No funding, no risk tiers, no self-trade prevention.
 */

export interface SimClock {
  now(): number;
}

export type SideCode = 1 | 2 | 3 | 4; // 1 open long, 2 close short, 3 open short, 4 close long
export type OrderTypeCode = 1 | 2 | 3 | 4 | 5 | 6; // 1 limit, 2 post only, 3 IOC, 4 FOK, 5 market, 6 market (convert to current price)
export type OpenTypeCode = 1 | 2; // 1 isolated, 2 cross
export type PositionTypeCode = 1 | 2; // 1 long, 2 short
export type OrderStateCode = 1 | 2 | 3 | 4 | 5; // 1 uninformed, 2 open, 3 filled, 4 cancelled, 5 invalid

/** A refusal in MEXC's terms: the REST layer answers {success:false, code, message}. */
export class MexcRefusal extends Error {
  override name = 'MexcRefusal';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SimOrder {
  orderId: string;
  symbol: string;
  positionId: number;
  price: Decimal; // 0 for market orders
  vol: Decimal;
  leverage: number;
  side: SideCode;
  orderType: OrderTypeCode;
  openType: OpenTypeCode;
  dealVol: Decimal;
  dealValue: Decimal; // Σ price × vol of the fills, for the average
  orderMargin: Decimal; // margin reserved for the unfilled part of an opening order
  usedMargin: Decimal;
  takerFee: Decimal;
  makerFee: Decimal;
  profit: Decimal;
  state: OrderStateCode;
  externalOid: string;
  errorCode: number;
  createTime: number;
  updateTime: number;
  /** 'api' when placed through REST, 'outside' when placed by a test as if on the website. */
  source: 'api' | 'outside';
}

export interface SimPosition {
  positionId: number;
  symbol: string;
  positionType: PositionTypeCode;
  openType: OpenTypeCode;
  state: 1 | 2 | 3; // 1 holding, 2 system holding, 3 closed
  holdVol: Decimal;
  frozenVol: Decimal;
  closeVol: Decimal;
  holdAvgPrice: Decimal;
  openAvgPrice: Decimal;
  closeAvgPrice: Decimal;
  closeValue: Decimal;
  im: Decimal;
  /** Net of fees, as MEXC's `realised`: close PnL − every fee of the position (− the margin when liquidated). */
  realised: Decimal;
  /** Every trading fee of the position, opening and closing (MEXC history_positions `fee`). */
  fee: Decimal;
  leverage: number;
  createTime: number;
  updateTime: number;
  liquidated: boolean;
}

/** One of our fills (MEXC "order deal"). */
export interface SimDeal {
  id: string;
  symbol: string;
  side: SideCode;
  vol: Decimal;
  price: Decimal;
  fee: Decimal;
  profit: Decimal;
  timestamp: number;
  orderId: string;
  taker: boolean;
}

/** A public trade print (push.deal / contract/deals). T: 1 buy, 2 sell. O: 1 open, 2 close, 3 unchanged. M: 1 self-trade, 2 not. */
export interface PublicDeal {
  p: Decimal;
  v: Decimal;
  T: 1 | 2;
  O: 1 | 2 | 3;
  M: 1 | 2;
  t: number;
}

export interface BookLevel {
  price: Decimal;
  vol: Decimal;
}

/** A MEXC plan (trigger) order: when the last price crosses triggerPrice it places an order. */
export interface SimPlanOrder {
  id: string;
  symbol: string;
  side: SideCode;
  vol: Decimal;
  leverage: number;
  openType: OpenTypeCode;
  triggerPrice: Decimal;
  triggerType: 1 | 2; // 1: last >= trigger, 2: last <= trigger
  price: Decimal | null;
  orderType: OrderTypeCode;
  executeCycle: number;
  trend: number;
  state: 1 | 2 | 3 | 4 | 5; // 1 untriggered, 2 cancelled, 3 executed, 4 invalid, 5 failed
  placedOrderId: string | null;
  errorCode: number;
  createTime: number;
  updateTime: number;
}

export type ExchangeEvent =
  | { kind: 'order'; order: SimOrder }
  | { kind: 'position'; position: SimPosition }
  | { kind: 'asset' }
  | { kind: 'deal'; symbol: string; deal: PublicDeal }
  | { kind: 'depth'; symbol: string; asks: BookLevel[]; bids: BookLevel[]; version: number }
  | { kind: 'ticker'; symbol: string }
  | { kind: 'liquidation'; position: SimPosition; price: Decimal };

export interface PlaceOrderInput {
  symbol: string;
  price: Decimal | null;
  vol: Decimal;
  side: SideCode;
  type: OrderTypeCode;
  openType: OpenTypeCode;
  leverage: number | null;
  externalOid: string | null;
}

export interface ExchangeOptions {
  contracts: readonly ContractSpec[];
  clock: SimClock;
  initialBalance: Decimal;
  /** Levels per side of the synthetic book. */
  bookDepth: number;
  bookLevelVolume: Decimal;
  /** What a second order/create with an externalOid already used does. */
  duplicateExternalOid: 'return-existing' | 'reject';
  defaultLeverage: number;
}

interface MarketState {
  spec: ContractSpec;
  contractSize: Decimal;
  tick: Decimal;
  last: Decimal;
  high24: Decimal;
  low24: Decimal;
  open24: Decimal;
  volume24: Decimal;
  deals: PublicDeal[];
  book: { asks: BookLevel[]; bids: BookLevel[] };
  explicitBook: boolean;
  version: number;
}

const PUBLIC_DEALS_KEPT = 100;
const buySide = (side: SideCode): boolean => side === 1 || side === 2;
const opens = (side: SideCode): boolean => side === 1 || side === 3;
const positionTypeOf = (side: SideCode): PositionTypeCode => (side === 1 || side === 4 ? 1 : 2);
const isMarketType = (type: OrderTypeCode): boolean => type === 5 || type === 6;

export class SimExchange {
  private readonly markets = new Map<string, MarketState>();
  private readonly orders = new Map<string, SimOrder>();
  private readonly byExternalOid = new Map<string, string>(); // `${symbol}\n${externalOid}` → orderId
  private readonly openPositions = new Map<string, SimPosition>(); // `${symbol}:${positionType}`
  private readonly closedPositions: SimPosition[] = [];
  private readonly ownDeals: SimDeal[] = [];
  private readonly planOrders = new Map<string, SimPlanOrder>();
  private readonly leverageSettings = new Map<string, number>(); // `${symbol}:${positionType}:${openType}`
  private readonly listeners = new Set<(event: ExchangeEvent) => void>();
  private readonly liquidationLog: { position: SimPosition; price: Decimal; at: number }[] = [];
  private cash: Decimal;
  private orderSeq = 0n;
  private positionSeq = 0;
  private dealSeq = 0;
  private nextFillLimit: Decimal | null = null;
  positionMode: 1 | 2 = 1;

  constructor(private readonly options: ExchangeOptions) {
    this.cash = options.initialBalance;
    for (const spec of options.contracts) {
      const last = Decimal.of(spec.initialPrice);
      const market: MarketState = {
        spec,
        contractSize: Decimal.of(spec.contractSize),
        tick: Decimal.of(spec.priceUnit),
        last,
        high24: last,
        low24: last,
        open24: last,
        volume24: Decimal.ZERO,
        deals: [],
        book: { asks: [], bids: [] },
        explicitBook: false,
        version: 1,
      };
      market.book = this.syntheticBook(market);
      this.markets.set(spec.symbol, market);
    }
  }

  // -----------------------------------------------------------------------------------------
  // Events

  onEvent(listener: (event: ExchangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: ExchangeEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  // -----------------------------------------------------------------------------------------
  // Reading

  contracts(): ContractSpec[] {
    return [...this.markets.values()].map((m) => m.spec);
  }

  contract(symbol: string): ContractSpec {
    return this.market(symbol).spec;
  }

  hasContract(symbol: string): boolean {
    return this.markets.has(symbol);
  }

  lastPrice(symbol: string): Decimal {
    return this.market(symbol).last;
  }

  marketSnapshot(symbol: string): { last: Decimal; high24: Decimal; low24: Decimal; open24: Decimal; volume24: Decimal; bid1: Decimal; ask1: Decimal } {
    const market = this.market(symbol);
    return {
      last: market.last,
      high24: market.high24,
      low24: market.low24,
      open24: market.open24,
      volume24: market.volume24,
      bid1: market.book.bids[0]?.price ?? market.last,
      ask1: market.book.asks[0]?.price ?? market.last,
    };
  }

  book(symbol: string, limit?: number): { asks: BookLevel[]; bids: BookLevel[]; version: number } {
    const market = this.market(symbol);
    const cut = (levels: BookLevel[]): BookLevel[] => (limit === undefined ? [...levels] : levels.slice(0, limit));
    return { asks: cut(market.book.asks), bids: cut(market.book.bids), version: market.version };
  }

  publicDeals(symbol: string): PublicDeal[] {
    return [...this.market(symbol).deals];
  }

  order(orderId: string): SimOrder | undefined {
    return this.orders.get(orderId);
  }

  orderByExternalOid(symbol: string, externalOid: string): SimOrder | undefined {
    const id = this.byExternalOid.get(`${symbol}\n${externalOid}`);
    return id === undefined ? undefined : this.orders.get(id);
  }

  allOrders(): SimOrder[] {
    return [...this.orders.values()];
  }

  openOrders(symbol?: string): SimOrder[] {
    return this.allOrders().filter((o) => (o.state === 1 || o.state === 2) && (symbol === undefined || o.symbol === symbol));
  }

  positions(symbol?: string): SimPosition[] {
    return [...this.openPositions.values()].filter((p) => symbol === undefined || p.symbol === symbol);
  }

  positionHistory(): SimPosition[] {
    return [...this.closedPositions];
  }

  deals(): SimDeal[] {
    return [...this.ownDeals];
  }

  planOrderList(): SimPlanOrder[] {
    return [...this.planOrders.values()];
  }

  liquidations(): { position: SimPosition; price: Decimal; at: number }[] {
    return [...this.liquidationLog];
  }

  leverageSetting(symbol: string, positionType: PositionTypeCode, openType: OpenTypeCode): number {
    return this.leverageSettings.get(`${symbol}:${positionType}:${openType}`) ?? this.options.defaultLeverage;
  }

  /** The price at which this position is liquidated (see the rule at the top of this file). */
  liquidationPrice(position: SimPosition): Decimal {
    const market = this.market(position.symbol);
    const mmr = Decimal.of(market.spec.maintenanceMarginRate);
    const size = position.holdVol.mul(market.contractSize, 'half-even');
    if (size.isZero()) return Decimal.ZERO;
    const entryValue = position.holdAvgPrice.mul(size, 'half-even');
    if (position.positionType === 1) {
      const raw = entryValue.sub(position.im).div(size.mul(Decimal.ONE.sub(mmr), 'half-even'), 'half-even');
      return Decimal.max(Decimal.ZERO, raw.roundToStep(market.tick, 'up'));
    }
    const raw = entryValue.add(position.im).div(size.mul(Decimal.ONE.add(mmr), 'half-even'), 'half-even');
    return raw.roundToStep(market.tick, 'down');
  }

  unrealized(position: SimPosition): Decimal {
    const market = this.market(position.symbol);
    const diff = position.positionType === 1 ? market.last.sub(position.holdAvgPrice) : position.holdAvgPrice.sub(market.last);
    return diff.mul(position.holdVol, 'half-even').mul(market.contractSize, 'half-even');
  }

  account(): { cashBalance: Decimal; positionMargin: Decimal; frozenBalance: Decimal; availableBalance: Decimal; unrealized: Decimal; equity: Decimal } {
    const positionMargin = this.positions().reduce((sum, p) => sum.add(p.im), Decimal.ZERO);
    const frozenBalance = this.openOrders().reduce((sum, o) => sum.add(o.orderMargin), Decimal.ZERO);
    const unrealized = this.positions().reduce((sum, p) => sum.add(this.unrealized(p)), Decimal.ZERO);
    const available = this.cash.sub(positionMargin).sub(frozenBalance);
    return {
      cashBalance: this.cash,
      positionMargin,
      frozenBalance,
      availableBalance: Decimal.max(Decimal.ZERO, available),
      unrealized,
      equity: this.cash.add(unrealized),
    };
  }

  // -----------------------------------------------------------------------------------------
  // Trading (what the REST endpoints call)

  placeOrder(input: PlaceOrderInput, source: 'api' | 'outside' = 'api'): SimOrder {
    const market = this.markets.get(input.symbol);
    if (market === undefined) throw new MexcRefusal(1001, 'Contract does not exist!');
    if (market.spec.state !== 0) throw new MexcRefusal(1002, 'Contract not allow place order!');
    if (input.externalOid !== null) {
      const existing = this.orderByExternalOid(input.symbol, input.externalOid);
      if (existing !== undefined) {
        if (this.options.duplicateExternalOid === 'reject') throw new MexcRefusal(603, 'Repeated requests!');
        return existing;
      }
    }
    const volUnit = Decimal.of(market.spec.volUnit);
    if (!input.vol.isPositive() || !input.vol.isMultipleOf(volUnit) || input.vol.lt(market.spec.minVol) || input.vol.gt(market.spec.maxVol)) {
      throw new MexcRefusal(2011, 'Order quantity error, please try to modify.');
    }
    const isMarket = isMarketType(input.type);
    let limitPrice = Decimal.ZERO;
    if (!isMarket) {
      if (input.price === null || !input.price.isPositive()) throw new MexcRefusal(2015, 'Price or quantity is zero!');
      if (!input.price.isMultipleOf(market.tick)) throw new MexcRefusal(2007, 'Order price error!');
      limitPrice = input.price;
    }
    const positionType = positionTypeOf(input.side);
    const now = this.options.clock.now();
    let leverage: number;
    let reservedMargin = Decimal.ZERO;
    let position: SimPosition | undefined;
    if (opens(input.side)) {
      if (input.openType === 1 && input.leverage === null) throw new MexcRefusal(600, 'Param error! leverage is required for isolated margin');
      const existing = this.openPositions.get(`${input.symbol}:${positionType}`);
      if (existing !== undefined && existing.openType !== input.openType) throw new MexcRefusal(2002, 'Open type does not match the position!');
      leverage = existing?.leverage ?? input.leverage ?? this.leverageSetting(input.symbol, positionType, input.openType);
      if (!Number.isInteger(leverage) || leverage < market.spec.minLeverage || leverage > market.spec.maxLeverage) {
        throw new MexcRefusal(2006, `Leverage error! ${leverage} is outside ${market.spec.minLeverage}-${market.spec.maxLeverage}`);
      }
      const reference = isMarket ? market.last : limitPrice;
      reservedMargin = this.marginFor(market, reference, input.vol, leverage);
      const fee = reference.mul(input.vol, 'half-even').mul(market.contractSize, 'half-even').mul(market.spec.takerFeeRate, 'half-even');
      if (reservedMargin.add(fee).gt(this.account().availableBalance)) throw new MexcRefusal(2005, 'Insufficient balance!');
    } else {
      position = this.openPositions.get(`${input.symbol}:${positionType}`);
      if (position === undefined) throw new MexcRefusal(2009, 'Position is not exists or closed.');
      if (position.holdVol.sub(position.frozenVol).lt(input.vol)) throw new MexcRefusal(2008, 'Insufficient close quantity!');
      leverage = position.leverage;
      position.frozenVol = position.frozenVol.add(input.vol);
    }
    this.orderSeq += 1n;
    const order: SimOrder = {
      orderId: (700_000_000_000_000_000n + this.orderSeq).toString(),
      symbol: input.symbol,
      positionId: position?.positionId ?? 0,
      price: limitPrice,
      vol: input.vol,
      leverage,
      side: input.side,
      orderType: input.type,
      openType: position?.openType ?? input.openType,
      dealVol: Decimal.ZERO,
      dealValue: Decimal.ZERO,
      orderMargin: reservedMargin,
      usedMargin: Decimal.ZERO,
      takerFee: Decimal.ZERO,
      makerFee: Decimal.ZERO,
      profit: Decimal.ZERO,
      state: 2,
      // MEXC gives every order an external id; without ours it makes one up ("_m_" + hex)
      externalOid: input.externalOid ?? `_m_${this.orderSeq.toString(16).padStart(32, '0')}`,
      errorCode: 0,
      createTime: now,
      updateTime: now,
      source,
    };
    this.orders.set(order.orderId, order);
    this.byExternalOid.set(`${order.symbol}\n${order.externalOid}`, order.orderId);
    this.matchOnArrival(order, market);
    this.emit({ kind: 'order', order });
    this.emit({ kind: 'asset' });
    return order;
  }

  /** MEXC's per-id cancel result: errorCode 0 "success", 2040 not found, 2041 not cancellable. */
  cancelOrder(orderId: string): { orderId: string; errorCode: number; errorMsg: string } {
    const order = this.orders.get(orderId);
    if (order === undefined) return { orderId, errorCode: 2040, errorMsg: 'order not exist' };
    if (order.state !== 1 && order.state !== 2) return { orderId, errorCode: 2041, errorMsg: 'order state cannot be cancelled' };
    this.finish(order, 4);
    this.emit({ kind: 'order', order });
    this.emit({ kind: 'asset' });
    return { orderId, errorCode: 0, errorMsg: 'success' };
  }

  cancelAll(symbol?: string): void {
    for (const order of this.openOrders(symbol)) this.cancelOrder(order.orderId);
  }

  setLeverage(symbol: string, positionType: PositionTypeCode, openType: OpenTypeCode, leverage: number): void {
    const market = this.markets.get(symbol);
    if (market === undefined) throw new MexcRefusal(1001, 'Contract does not exist!');
    if (!Number.isInteger(leverage) || leverage < market.spec.minLeverage || leverage > market.spec.maxLeverage) {
      throw new MexcRefusal(2006, `Leverage error! ${leverage} is outside ${market.spec.minLeverage}-${market.spec.maxLeverage}`);
    }
    this.leverageSettings.set(`${symbol}:${positionType}:${openType}`, leverage);
  }

  /** change_leverage with a positionId: re-margins the open position at the new leverage. */
  setPositionLeverage(positionId: number, leverage: number): void {
    const position = this.positions().find((p) => p.positionId === positionId);
    if (position === undefined) throw new MexcRefusal(2009, 'Position is not exists or closed.');
    const market = this.market(position.symbol);
    if (!Number.isInteger(leverage) || leverage < market.spec.minLeverage || leverage > market.spec.maxLeverage) {
      throw new MexcRefusal(2006, `Leverage error! ${leverage} is outside ${market.spec.minLeverage}-${market.spec.maxLeverage}`);
    }
    const newMargin = this.marginFor(market, position.holdAvgPrice, position.holdVol, leverage);
    if (newMargin.sub(position.im).gt(this.account().availableBalance)) throw new MexcRefusal(2005, 'Insufficient balance!');
    position.leverage = leverage;
    position.im = newMargin;
    position.updateTime = this.options.clock.now();
    this.leverageSettings.set(`${position.symbol}:${position.positionType}:${position.openType}`, leverage);
    this.emit({ kind: 'position', position });
    this.checkLiquidations(position.symbol);
  }

  placePlanOrder(input: Omit<SimPlanOrder, 'id' | 'state' | 'placedOrderId' | 'errorCode' | 'createTime' | 'updateTime'>): SimPlanOrder {
    const market = this.markets.get(input.symbol);
    if (market === undefined) throw new MexcRefusal(1001, 'Contract does not exist!');
    if (!input.vol.isPositive()) throw new MexcRefusal(2011, 'Order quantity error, please try to modify.');
    this.orderSeq += 1n;
    const now = this.options.clock.now();
    const plan: SimPlanOrder = { ...input, id: (700_000_000_000_000_000n + this.orderSeq).toString(), state: 1, placedOrderId: null, errorCode: 0, createTime: now, updateTime: now };
    this.planOrders.set(plan.id, plan);
    return plan;
  }

  cancelPlanOrder(id: string): { orderId: string; errorCode: number; errorMsg: string } {
    const plan = this.planOrders.get(id);
    if (plan === undefined) return { orderId: id, errorCode: 2040, errorMsg: 'order not exist' };
    if (plan.state !== 1) return { orderId: id, errorCode: 2041, errorMsg: 'order state cannot be cancelled' };
    plan.state = 2;
    plan.updateTime = this.options.clock.now();
    return { orderId: id, errorCode: 0, errorMsg: 'success' };
  }

  /** Closes every open position at the last price (position/close_all). */
  closeAll(): void {
    for (const position of this.positions()) this.closePositionAtMarket(position, position.holdVol.sub(position.frozenVol));
  }

  // -----------------------------------------------------------------------------------------
  // Test controls (the market and the world outside the app)

  /** The last price moves: resting orders it passes fill, triggers fire, liquidations run. */
  setPrice(symbol: string, price: Decimal): void {
    const market = this.market(symbol);
    if (!price.isPositive()) throw new Error(`setPrice: price must be positive, got ${price.toString()}`);
    market.last = price;
    if (price.gt(market.high24)) market.high24 = price;
    if (price.lt(market.low24)) market.low24 = price;
    for (const order of this.openOrders(symbol)) {
      if (isMarketType(order.orderType)) continue;
      const through = buySide(order.side) ? price.lte(order.price) : price.gte(order.price);
      if (through) {
        this.fill(order, order.vol.sub(order.dealVol), order.price, false);
        this.emit({ kind: 'order', order });
      }
    }
    this.firePlanOrders(symbol);
    this.checkLiquidations(symbol);
    if (!market.explicitBook) this.replaceBook(market, this.syntheticBook(market));
    this.emit({ kind: 'ticker', symbol });
    this.emit({ kind: 'asset' });
  }

  /** Prints a public trade (push.deal) and moves the last price to it. */
  trade(symbol: string, price: Decimal, vol: Decimal, takerSide: 'buy' | 'sell', at?: number): void {
    const market = this.market(symbol);
    this.printDeal(market, { p: price, v: vol, T: takerSide === 'buy' ? 1 : 2, O: 3, M: 2, t: at ?? this.options.clock.now() });
    this.setPrice(symbol, price);
  }

  /** Replaces the book with explicit levels (kept until the next setBook or resetBook). */
  setBook(symbol: string, book: { bids: BookLevel[]; asks: BookLevel[] }): void {
    const market = this.market(symbol);
    market.explicitBook = true;
    this.replaceBook(market, { bids: [...book.bids].sort((a, b) => b.price.cmp(a.price)), asks: [...book.asks].sort((a, b) => a.price.cmp(b.price)) });
  }

  resetBook(symbol: string): void {
    const market = this.market(symbol);
    market.explicitBook = false;
    this.replaceBook(market, this.syntheticBook(market));
  }

  /** The next order to fill fills only `vol` now; a market order's rest is cancelled, a limit order's rest keeps resting. */
  limitNextFill(vol: Decimal): void {
    this.nextFillLimit = vol;
  }

  /** Fills (part of) a resting order as if the market traded against it: maker, at its price unless given. */
  fillResting(orderId: string, vol?: Decimal, price?: Decimal): SimOrder {
    const order = this.orders.get(orderId);
    if (order === undefined || (order.state !== 1 && order.state !== 2)) throw new Error(`fillResting: order ${orderId} is not open`);
    const remaining = order.vol.sub(order.dealVol);
    const quantity = vol === undefined ? remaining : Decimal.min(vol, remaining);
    const market = this.market(order.symbol);
    this.fill(order, quantity, price ?? (order.price.isZero() ? market.last : order.price), false);
    this.emit({ kind: 'order', order });
    this.emit({ kind: 'asset' });
    this.checkLiquidations(order.symbol);
    return order;
  }

  /** Closes (part of) a position at the last price, as a website market order would. */
  closePositionAtMarket(position: SimPosition, vol: Decimal): void {
    if (!vol.isPositive()) return;
    this.placeOrder(
      { symbol: position.symbol, price: null, vol, side: position.positionType === 1 ? 4 : 2, type: 5, openType: position.openType, leverage: position.leverage, externalOid: null },
      'outside',
    );
  }

  /** Liquidates a position now, at its liquidation price. */
  liquidate(position: SimPosition): void {
    this.liquidateAt(position, this.liquidationPrice(position));
  }

  setBalance(amount: Decimal): void {
    this.cash = amount;
    this.emit({ kind: 'asset' });
  }

  // -----------------------------------------------------------------------------------------
  // Internals

  private market(symbol: string): MarketState {
    const market = this.markets.get(symbol);
    if (market === undefined) throw new MexcRefusal(1001, 'Contract does not exist!');
    return market;
  }

  private marginFor(market: MarketState, price: Decimal, vol: Decimal, leverage: number): Decimal {
    return price.mul(vol, 'half-even').mul(market.contractSize, 'half-even').div(leverage, 'half-even');
  }

  private matchOnArrival(order: SimOrder, market: MarketState): void {
    const isMarket = isMarketType(order.orderType);
    const marketable = isMarket || (buySide(order.side) ? market.last.lte(order.price) : market.last.gte(order.price));
    if (!marketable) {
      if (order.orderType === 3 || order.orderType === 4) this.finish(order, 4); // IOC / FOK with nothing to match
      return;
    }
    if (order.orderType === 2) {
      this.finish(order, 4); // post-only that would take is cancelled
      return;
    }
    let quantity = order.vol;
    if (this.nextFillLimit !== null) {
      quantity = Decimal.min(quantity, this.nextFillLimit);
      this.nextFillLimit = null;
    }
    if (order.orderType === 4 && quantity.lt(order.vol)) {
      this.finish(order, 4); // FOK cannot fill completely
      return;
    }
    this.fill(order, quantity, market.last, true);
    if (order.state === 2 && (isMarket || order.orderType === 3)) this.finish(order, 4); // IOC remainder
  }

  /** Applies a fill to the order, the position and the cash balance. */
  private fill(order: SimOrder, vol: Decimal, price: Decimal, taker: boolean): void {
    if (!vol.isPositive()) return;
    const market = this.market(order.symbol);
    const now = this.options.clock.now();
    const notionalValue = price.mul(vol, 'half-even').mul(market.contractSize, 'half-even');
    const fee = notionalValue.mul(taker ? market.spec.takerFeeRate : market.spec.makerFeeRate, 'half-even');
    const positionType = positionTypeOf(order.side);
    const key = `${order.symbol}:${positionType}`;
    let profit = Decimal.ZERO;
    if (opens(order.side)) {
      let position = this.openPositions.get(key);
      if (position === undefined) {
        this.positionSeq += 1;
        position = {
          positionId: 1_390_000 + this.positionSeq,
          symbol: order.symbol,
          positionType,
          openType: order.openType,
          state: 1,
          holdVol: Decimal.ZERO,
          frozenVol: Decimal.ZERO,
          closeVol: Decimal.ZERO,
          holdAvgPrice: price,
          openAvgPrice: price,
          closeAvgPrice: Decimal.ZERO,
          closeValue: Decimal.ZERO,
          im: Decimal.ZERO,
          realised: Decimal.ZERO,
          fee: Decimal.ZERO,
          leverage: order.leverage,
          createTime: now,
          updateTime: now,
          liquidated: false,
        };
        this.openPositions.set(key, position);
      }
      const newVol = position.holdVol.add(vol);
      position.holdAvgPrice = position.holdAvgPrice.mul(position.holdVol, 'half-even').add(price.mul(vol, 'half-even')).div(newVol, 'half-even');
      position.openAvgPrice = position.holdAvgPrice;
      position.holdVol = newVol;
      const margin = this.marginFor(market, price, vol, position.leverage);
      position.im = position.im.add(margin);
      position.realised = position.realised.sub(fee);
      position.fee = position.fee.add(fee);
      position.updateTime = now;
      order.positionId = position.positionId;
      order.usedMargin = order.usedMargin.add(margin);
      const remainingAfter = order.vol.sub(order.dealVol).sub(vol);
      order.orderMargin = remainingAfter.isPositive() ? this.marginFor(market, order.price.isZero() ? market.last : order.price, remainingAfter, order.leverage) : Decimal.ZERO;
      this.emit({ kind: 'position', position });
    } else {
      const position = this.openPositions.get(key);
      if (position === undefined) throw new Error(`fill: closing order ${order.orderId} has no position`);
      const perContract = positionType === 1 ? price.sub(position.holdAvgPrice) : position.holdAvgPrice.sub(price);
      profit = perContract.mul(vol, 'half-even').mul(market.contractSize, 'half-even');
      const released = position.im.mul(vol, 'half-even').div(position.holdVol, 'half-even');
      position.im = position.im.sub(released);
      position.holdVol = position.holdVol.sub(vol);
      position.frozenVol = Decimal.max(Decimal.ZERO, position.frozenVol.sub(vol));
      position.closeValue = position.closeValue.add(price.mul(vol, 'half-even'));
      position.closeVol = position.closeVol.add(vol);
      position.closeAvgPrice = position.closeValue.div(position.closeVol, 'half-even');
      position.realised = position.realised.add(profit).sub(fee);
      position.fee = position.fee.add(fee);
      position.updateTime = now;
      if (position.holdVol.isZero()) {
        position.state = 3;
        position.im = Decimal.ZERO;
        this.openPositions.delete(key);
        this.closedPositions.push(position);
      }
      this.emit({ kind: 'position', position });
    }
    this.cash = this.cash.add(profit).sub(fee);
    order.dealVol = order.dealVol.add(vol);
    order.dealValue = order.dealValue.add(price.mul(vol, 'half-even'));
    if (taker) order.takerFee = order.takerFee.add(fee);
    else order.makerFee = order.makerFee.add(fee);
    order.profit = order.profit.add(profit);
    order.updateTime = now;
    if (order.dealVol.gte(order.vol)) order.state = 3;
    this.dealSeq += 1;
    this.ownDeals.push({ id: String(300_000_000 + this.dealSeq), symbol: order.symbol, side: order.side, vol, price, fee, profit, timestamp: now, orderId: order.orderId, taker });
    this.printDeal(market, { p: price, v: vol, T: buySide(order.side) ? 1 : 2, O: opens(order.side) ? 1 : 2, M: 2, t: now });
  }

  /** Ends an open order (4 cancelled, 5 invalid): releases reserved margin and frozen position volume. */
  private finish(order: SimOrder, state: 4 | 5): void {
    order.state = state;
    order.orderMargin = Decimal.ZERO;
    order.updateTime = this.options.clock.now();
    if (!opens(order.side)) {
      const position = this.openPositions.get(`${order.symbol}:${positionTypeOf(order.side)}`);
      if (position !== undefined) position.frozenVol = Decimal.max(Decimal.ZERO, position.frozenVol.sub(order.vol.sub(order.dealVol)));
    }
  }

  private firePlanOrders(symbol: string): void {
    const last = this.market(symbol).last;
    for (const plan of this.planOrders.values()) {
      if (plan.symbol !== symbol || plan.state !== 1) continue;
      const triggered = plan.triggerType === 1 ? last.gte(plan.triggerPrice) : last.lte(plan.triggerPrice);
      if (!triggered) continue;
      plan.updateTime = this.options.clock.now();
      try {
        const order = this.placeOrder({ symbol, price: plan.price, vol: plan.vol, side: plan.side, type: plan.orderType, openType: plan.openType, leverage: plan.leverage, externalOid: null });
        plan.state = 3;
        plan.placedOrderId = order.orderId;
      } catch (error) {
        plan.state = 5;
        plan.errorCode = error instanceof MexcRefusal ? error.code : 500;
      }
    }
  }

  private checkLiquidations(symbol: string): void {
    const last = this.market(symbol).last;
    for (const position of this.positions(symbol)) {
      const liquidation = this.liquidationPrice(position);
      const breached = position.positionType === 1 ? last.lte(liquidation) : last.gte(liquidation);
      if (breached) this.liquidateAt(position, liquidation);
    }
  }

  private liquidateAt(position: SimPosition, price: Decimal): void {
    const now = this.options.clock.now();
    for (const order of this.openOrders(position.symbol)) {
      if (!opens(order.side) && positionTypeOf(order.side) === position.positionType) {
        this.finish(order, 4);
        this.emit({ kind: 'order', order });
      }
    }
    this.cash = this.cash.sub(position.im);
    position.realised = position.realised.sub(position.im);
    position.closeVol = position.closeVol.add(position.holdVol);
    position.closeAvgPrice = price;
    position.holdVol = Decimal.ZERO;
    position.frozenVol = Decimal.ZERO;
    position.im = Decimal.ZERO;
    position.state = 3;
    position.liquidated = true;
    position.updateTime = now;
    this.openPositions.delete(`${position.symbol}:${position.positionType}`);
    this.closedPositions.push(position);
    this.liquidationLog.push({ position, price, at: now });
    this.emit({ kind: 'position', position });
    this.emit({ kind: 'liquidation', position, price });
    this.emit({ kind: 'asset' });
  }

  private printDeal(market: MarketState, deal: PublicDeal): void {
    market.deals.unshift(deal);
    if (market.deals.length > PUBLIC_DEALS_KEPT) market.deals.length = PUBLIC_DEALS_KEPT;
    market.volume24 = market.volume24.add(deal.v);
    this.emit({ kind: 'deal', symbol: market.spec.symbol, deal });
  }

  private syntheticBook(market: MarketState): { asks: BookLevel[]; bids: BookLevel[] } {
    const asks: BookLevel[] = [];
    const bids: BookLevel[] = [];
    for (let i = 1; i <= this.options.bookDepth; i++) {
      asks.push({ price: market.last.add(market.tick.mul(i)), vol: this.options.bookLevelVolume });
      const bid = market.last.sub(market.tick.mul(i));
      if (bid.isPositive()) bids.push({ price: bid, vol: this.options.bookLevelVolume });
    }
    return { asks, bids };
  }

  /** Swaps the book and pushes the difference as one depth delta (volume 0 removes a level). */
  private replaceBook(market: MarketState, next: { asks: BookLevel[]; bids: BookLevel[] }): void {
    const diff = (before: BookLevel[], after: BookLevel[]): BookLevel[] => {
      const changes: BookLevel[] = [];
      const afterByPrice = new Map(after.map((l) => [l.price.toString(), l]));
      for (const level of before) if (!afterByPrice.has(level.price.toString())) changes.push({ price: level.price, vol: Decimal.ZERO });
      const beforeByPrice = new Map(before.map((l) => [l.price.toString(), l]));
      for (const level of after) {
        const old = beforeByPrice.get(level.price.toString());
        if (old === undefined || !old.vol.eq(level.vol)) changes.push(level);
      }
      return changes;
    };
    const asks = diff(market.book.asks, next.asks);
    const bids = diff(market.book.bids, next.bids);
    market.book = next;
    if (asks.length === 0 && bids.length === 0) return;
    market.version += 1;
    this.emit({ kind: 'depth', symbol: market.spec.symbol, asks, bids, version: market.version });
  }
}
