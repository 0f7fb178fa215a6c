import { mexc } from 'ccxt';
import type { z } from 'zod';
import type { Decimal } from '../../../src-shared/domain/decimal';
import { VenueOrderId, type ClientOrderId, type InstrumentId } from '../../../src-shared/domain/ids';
import { checkPrice, checkQuantity, type Instrument } from '../../../src-shared/domain/instrument';
import { Quantity } from '../../../src-shared/domain/values';
import type { Clock } from '../clock/clock';
import { registerSecret, type Logger } from '../ops/logger';
import { toVenueError, type VenueOperation } from './ccxt-errors';
import {
  MexcAssetSchema,
  MexcClosedPositionSchema,
  MexcContractSchema,
  MexcListSchema,
  MexcOrderSchema,
  MexcPositionSchema,
  MexcTickerSchema,
  balanceOf,
  closedPositionOf,
  envelope,
  instrumentFromContract,
  instrumentIdOf,
  orderStateOf,
  positionOf,
  type MexcContract,
} from './mexc/mexc-payloads';
import { TokenBucket } from './rate-limiter';
import {
  VenueError,
  type SubmitOrderRequest,
  type Venue,
  type VenueBalance,
  type VenueCapabilities,
  type VenueClosedPosition,
  type VenueListener,
  type VenueOrderState,
  type VenuePosition,
} from './venue';

/**
 * The exchange venue over ccxt, MEXC USDT-M perpetuals first (ARCHITECTURE §10).
 *
 * What ccxt does and what this adapter does: ccxt signs, sends, times out and turns MEXC's
 * error codes into its error classes; order placement and cancellation go through ccxt's
 * unified createOrder/cancelOrder (so MEXC's side codes — 1 open long, 2 close short, 3 open
 * short, 4 close long — and the openType/leverage rules are ccxt's, checked against its captured
 * request fixtures); every answer the engine relies on is read from MEXC's raw `data` and
 * validated (mexc/mexc-payloads.ts), because ccxt's unified parse of MEXC swap payloads drops
 * the external order id and side codes 3/4, and turns a garbled answer into an empty list.
 *
 * Decisions, in one place:
 * - Amounts are contracts on both sides: our Quantity is contracts and so is MEXC's `vol`
 *   (ccxt passes the amount through as `vol`). Prices are checked against the instrument's tick
 *   and quantities against its lot before any request.
 * - Idempotency: our client order id travels as MEXC's `externalOid`; a lookup by it
 *   (order/external/{symbol}/{externalOid}) finds an order whose answer was lost. A resubmission
 *   the exchange refuses as a duplicate is answered with the existing order.
 * - Margin: every order carries `leverage` and the margin mode (MEXC requires leverage for
 *   isolated margin); setLeverage sets both position sides of the symbol.
 * - Stop-loss / take-profit are managed by the engine (reduce-only market orders when the feed
 *   crosses the level), not placed as MEXC plan orders: plan orders carry no external id, so a
 *   retry after a lost answer could place a second stop, and they cannot be looked up by our
 *   client id. STOP_MARKET requests are refused here with that reason. `attachedStopLoss` is false.
 * - No private stream (positions and orders are polled; ccxt has no watchPositions for MEXC):
 *   `has.privateStream` and `has.positionStream` are false and listeners receive nothing.
 *   Liquidations are therefore learnt from the position history (fetchClosedPositions), which
 *   says LIQUIDATED and carries MEXC's own close price, PnL and fees.
 * - Requests are paced by a token bucket on the injected clock (settings.rateLimits
 *   .venueRequestsPerSecond); ccxt's own wall-clock throttle is off.
 * - Keys are given by the caller (read from the keychain service); this class never reads files
 *   or the environment. They are registered with the log redactor.
 */

export interface CcxtCredentials {
  apiKey: string;
  secret: string;
}

/** ccxt `urls` overrides (deep-merged), e.g. the exchange simulator's `ccxtUrls()` in tests. */
export type CcxtUrlOverrides = { api: Record<string, unknown> };

export interface CcxtVenueOptions {
  exchangeId: 'mexc';
  credentials: CcxtCredentials;
  urls?: CcxtUrlOverrides;
  clock: Clock;
  logger: Logger;
  /** settings.rateLimits.venueRequestsPerSecond */
  rateLimitPerSecond: number;
  /** Per HTTP request; after it ccxt gives up with a RequestTimeout (retryable). */
  timeoutMs: number;
}

type MexcExchange = InstanceType<typeof mexc>;

/** Open orders or closed positions per page on MEXC (its maximum), and how many pages we read at most. */
const PAGE_SIZE = 100;
const MAX_PAGES = 20;

export class CcxtVenue implements Venue {
  readonly name: string;
  readonly has: VenueCapabilities = {
    privateStream: false,
    positionStream: false,
    clientOrderIdLookup: true,
    attachedStopLoss: false,
    reduceOnly: true,
  };
  private readonly exchange: MexcExchange;
  private readonly limiter: TokenBucket;
  private readonly logger: Logger;
  private readonly listeners = new Set<VenueListener>();
  private instruments = new Map<InstrumentId, Instrument>();
  private readonly bySymbol = new Map<string, Instrument>();
  private marketsLoaded = false;
  private closed = false;

  constructor(options: CcxtVenueOptions) {
    if (options.exchangeId !== 'mexc') throw new Error(`ccxt venue: exchange ${String(options.exchangeId)} is not supported yet`);
    this.name = options.exchangeId;
    this.logger = options.logger;
    registerSecret(options.credentials.secret);
    registerSecret(options.credentials.apiKey);
    this.limiter = new TokenBucket(options.clock, options.rateLimitPerSecond);
    this.exchange = new mexc({
      apiKey: options.credentials.apiKey,
      secret: options.credentials.secret,
      enableRateLimit: false,
      timeout: options.timeoutMs,
      // swap by default: unified calls without a symbol (open orders, balance) must not hit spot
      options: { defaultType: 'swap', adjustForTimeDifference: false },
      ...(options.urls === undefined ? {} : { urls: options.urls }),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Instruments

  async loadInstruments(): Promise<Map<InstrumentId, Instrument>> {
    // fetchSwapMarkets, not loadMarkets: the latter also downloads every spot market and the
    // currency list (a signed spot call), neither of which a perpetuals venue needs
    const markets = await this.call('query', () => this.exchange.fetchSwapMarkets());
    if (markets.length === 0) throw new VenueError('bad_response', 'MEXC listed no contracts (an empty or garbled answer to contract/detail)');
    const instruments = new Map<InstrumentId, Instrument>();
    const skipped: string[] = [];
    this.bySymbol.clear();
    for (const market of markets) {
      if (market === undefined) continue;
      // one odd contract among hundreds must not stop trading the others: skip it, say so
      let instrument: Instrument;
      try {
        const contract = this.validate(MexcContractSchema, market.info, 'contract/detail');
        if (contract.quoteCoin !== contract.settleCoin) continue; // inverse contracts are not traded here
        instrument = this.instrumentOrBadResponse(contract);
      } catch (error) {
        skipped.push(`${String(market.id)}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      instruments.set(instrument.id, instrument);
      this.bySymbol.set(instrument.symbol, instrument);
    }
    if (skipped.length > 0) this.logger.warn('contracts skipped: their definition is unusable', { count: skipped.length, first: skipped.slice(0, 3) });
    if (instruments.size === 0) throw new VenueError('bad_response', `MEXC listed no usable contract (${skipped.length} skipped)`);
    this.exchange.setMarkets(markets);
    this.marketsLoaded = true;
    this.instruments = instruments;
    this.logger.info('instruments loaded', { count: instruments.size });
    return new Map(instruments);
  }

  // -------------------------------------------------------------------------------------------
  // Orders

  async submitOrder(request: SubmitOrderRequest): Promise<VenueOrderState> {
    const instrument = this.instrument(request.instrumentId);
    this.checkRequest(request, instrument);
    const type = request.type === 'MARKET' ? 'market' : 'limit';
    const params = {
      clientOrderId: request.clientOrderId,
      reduceOnly: request.reduceOnly,
      leverage: request.leverage,
      marginMode: request.marginMode,
      // MEXC order types: 1 limit (GTC), 2 post only, 3 IOC, 4 FOK; a `type` param replaces ccxt's 1 in the body
      ...(request.type === 'LIMIT' && request.timeInForce === 'POST_ONLY' ? { postOnly: true } : {}),
      ...(request.type === 'LIMIT' && request.timeInForce === 'IOC' ? { type: 3 } : {}),
      ...(request.type === 'LIMIT' && request.timeInForce === 'FOK' ? { type: 4 } : {}),
    };
    let venueOrderId: string;
    try {
      const created = await this.call('submit', () =>
        this.exchange.createOrder(instrument.id, type, request.side === 'BUY' ? 'buy' : 'sell', request.quantity.toNumber(), request.price?.toNumber(), params),
      );
      if (typeof created.id !== 'string' || created.id === '') throw new VenueError('bad_response', 'MEXC accepted the request but its answer carried no order id');
      venueOrderId = created.id;
    } catch (error) {
      const venueError = toVenueError(error, 'submit');
      // a resubmission MEXC refuses as "repeated": the first one got through, answer with it
      if (venueError.kind === 'invalid_order' && /repeated/i.test(venueError.message)) {
        const existing = await this.fetchOrder(request.instrumentId, request.clientOrderId, null);
        if (existing !== null) return existing;
      }
      throw venueError;
    }
    try {
      const state = await this.fetchOrder(request.instrumentId, request.clientOrderId, VenueOrderId(venueOrderId));
      if (state !== null) return state;
    } catch (error) {
      // the order is on the exchange; its state will come from the order manager's polling
      this.logger.warn('order placed, but reading it back failed', { clientOrderId: request.clientOrderId, venueOrderId, error: error instanceof Error ? error.message : String(error) });
    }
    return {
      clientOrderId: request.clientOrderId,
      venueOrderId: VenueOrderId(venueOrderId),
      instrumentId: request.instrumentId,
      status: 'ACCEPTED',
      filledQuantity: Quantity.of(0),
      averageFillPrice: null,
      reason: null,
    };
  }

  async cancelOrder(instrumentId: InstrumentId, clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): Promise<VenueOrderState> {
    const instrument = this.instrument(instrumentId);
    let id = venueOrderId;
    if (id === null) {
      const found = await this.fetchOrder(instrumentId, clientOrderId, null);
      if (found === null) throw new VenueError('order_not_found', `MEXC has no order ${clientOrderId} in ${instrument.symbol}`);
      id = found.venueOrderId;
      if (id === null) throw new VenueError('bad_response', `MEXC returned order ${clientOrderId} without an order id`);
    }
    const orderId = id;
    try {
      await this.call('cancel', () => this.exchange.cancelOrder(orderId, instrument.id));
    } catch (error) {
      const venueError = toVenueError(error, 'cancel');
      // "cannot be cancelled" means it already ended (filled or cancelled): report how it ended
      if (venueError.kind !== 'invalid_order' || !/cannot be cancelled/.test(venueError.message)) throw venueError;
      if (/not exist/.test(venueError.message)) throw new VenueError('order_not_found', venueError.message, venueError.info);
    }
    const state = await this.fetchOrder(instrumentId, clientOrderId, orderId);
    if (state === null) throw new VenueError('order_not_found', `MEXC no longer knows order ${orderId}`);
    return state;
  }

  async fetchOrder(instrumentId: InstrumentId, clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): Promise<VenueOrderState | null> {
    const instrument = this.instrument(instrumentId);
    let raw: unknown;
    try {
      raw = await this.call('query', () =>
        venueOrderId !== null
          ? this.exchange.contractPrivateGetOrderGetOrderId({ order_id: venueOrderId, symbol: instrument.symbol })
          : this.exchange.contractPrivateGetOrderExternalSymbolExternalOid({ symbol: instrument.symbol, external_oid: clientOrderId }),
      );
    } catch (error) {
      const venueError = toVenueError(error, 'query');
      if (venueError.kind === 'order_not_found') return null;
      throw venueError;
    }
    const order = this.validate(envelope(MexcOrderSchema), raw, venueOrderId !== null ? 'order/get' : 'order/external').data;
    if (order.symbol !== instrument.symbol) throw new VenueError('bad_response', `MEXC answered order ${order.orderId} of ${order.symbol} for ${instrument.symbol}`, raw);
    return { ...orderStateOf(order, instrumentId, instrument.settle), info: order };
  }

  async fetchOpenOrders(instrumentId?: InstrumentId): Promise<VenueOrderState[]> {
    const instrument = instrumentId === undefined ? undefined : this.instrument(instrumentId);
    const result: VenueOrderState[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const raw = await this.call('query', () =>
        instrument === undefined
          ? this.exchange.contractPrivateGetOrderListOpenOrders({ page_num: page, page_size: PAGE_SIZE })
          : this.exchange.contractPrivateGetOrderListOpenOrdersSymbol({ symbol: instrument.symbol, page_num: page, page_size: PAGE_SIZE }),
      );
      const orders = this.validate(envelope(MexcOrderSchema.array()), raw, 'order/list/open_orders').data;
      for (const order of orders) {
        const known = this.bySymbol.get(order.symbol);
        const id = known?.id ?? instrumentIdOf(this.coinsOf(order.symbol));
        result.push({ ...orderStateOf(order, id, known?.settle ?? 'USDT'), info: order });
      }
      if (orders.length < PAGE_SIZE) return result;
    }
    this.logger.warn('more open orders than read', { pages: MAX_PAGES, pageSize: PAGE_SIZE });
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Account

  async fetchPositions(): Promise<VenuePosition[]> {
    const raw = await this.call('query', () => this.exchange.contractPrivateGetPositionOpenPositions({}));
    const positions = this.validate(envelope(MexcPositionSchema.array()), raw, 'position/open_positions').data.filter((p) => p.holdVol.isPositive());
    const fairPrices = new Map<string, Decimal | null>();
    for (const symbol of new Set(positions.map((p) => p.symbol))) fairPrices.set(symbol, await this.fairPrice(symbol));
    return positions.map((position) => {
      const instrument = this.bySymbol.get(position.symbol);
      const id = instrument?.id ?? instrumentIdOf(this.coinsOf(position.symbol));
      return { ...positionOf(position, instrument, id, fairPrices.get(position.symbol) ?? null, instrument?.settle ?? 'USDT'), info: position };
    });
  }

  async fetchBalance(): Promise<VenueBalance> {
    const raw = await this.call('query', () => this.exchange.contractPrivateGetAccountAssetCurrency({ currency: 'USDT' }));
    return balanceOf(this.validate(envelope(MexcAssetSchema), raw, 'account/asset').data);
  }

  /**
   * MEXC's position history (position/list/history_positions), newest first. MEXC takes no time
   * filter, so pages are read until one ends before `since` (or is short); an entry that does
   * not validate is skipped with a warning, one bad entry must not hide the liquidation next to it.
   */
  async fetchClosedPositions(since: number): Promise<VenueClosedPosition[]> {
    const result: VenueClosedPosition[] = [];
    const skipped: string[] = [];
    let complete = false;
    for (let page = 1; page <= MAX_PAGES && !complete; page++) {
      const raw = await this.call('query', () => this.exchange.contractPrivateGetPositionListHistoryPositions({ page_num: page, page_size: PAGE_SIZE }));
      const entries = this.validate(MexcListSchema, raw, 'position/list/history_positions').data;
      let recent = 0;
      for (const entry of entries) {
        const parsed = MexcClosedPositionSchema.safeParse(entry);
        if (!parsed.success) {
          skipped.push(parsed.error.issues.slice(0, 2).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '));
          continue;
        }
        const position = parsed.data;
        if (position.updateTime < since) continue;
        recent++;
        if (position.state !== 3) continue; // not closed yet
        const instrument = this.bySymbol.get(position.symbol);
        const closed = closedPositionOf(position, instrument?.id ?? instrumentIdOf(this.coinsOf(position.symbol)), instrument?.settle ?? 'USDT');
        if (closed === null) skipped.push(`${position.symbol} ${position.positionId}: no close price`);
        else result.push({ ...closed, info: entry });
      }
      complete = entries.length < PAGE_SIZE || recent === 0;
    }
    if (skipped.length > 0) this.logger.warn('closed positions skipped: their record is unusable', { count: skipped.length, first: skipped.slice(0, 3) });
    if (!complete) this.logger.warn('more closed positions than read', { pages: MAX_PAGES, pageSize: PAGE_SIZE, since });
    return result.sort((a, b) => b.closedAt - a.closedAt);
  }

  async setLeverage(instrumentId: InstrumentId, leverage: number, marginMode: 'isolated' | 'cross'): Promise<void> {
    const instrument = this.instrument(instrumentId);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > instrument.maxLeverage) {
      throw new VenueError('invalid_order', `leverage ${leverage} is not a whole number between 1 and ${instrument.maxLeverage} for ${instrument.symbol}`);
    }
    const openType = marginMode === 'isolated' ? 1 : 2;
    // MEXC keeps leverage per position side (1 long, 2 short): set both so either direction opens at it
    for (const positionType of [1, 2]) {
      const raw = await this.call('query', () => this.exchange.contractPrivatePostPositionChangeLeverage({ symbol: instrument.symbol, leverage, openType, positionType }));
      if (typeof raw !== 'object' || raw === null || (raw as { success?: unknown }).success !== true) {
        throw new VenueError('bad_response', `MEXC did not confirm the leverage change for ${instrument.symbol}`, raw);
      }
    }
  }

  subscribe(listener: VenueListener): () => void {
    // no private stream: nothing is pushed; order and position state come from polling
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.limiter.close();
    this.listeners.clear();
    await this.exchange.close();
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  /** Every exchange call: wait for a token, call, and turn failures into VenueErrors. */
  private async call<T>(operation: VenueOperation, send: () => Promise<T>): Promise<T> {
    if (this.closed) throw new VenueError('network', 'the venue is closed');
    try {
      await this.limiter.acquire();
    } catch {
      throw new VenueError('network', 'the venue is closed');
    }
    try {
      return await send();
    } catch (error) {
      throw toVenueError(error, operation);
    }
  }

  private validate<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new VenueError('bad_response', `MEXC's answer to ${what} is not what it should be: ${problems.join('; ')}`, value);
  }

  private instrumentOrBadResponse(contract: MexcContract): Instrument {
    try {
      return instrumentFromContract(contract);
    } catch (error) {
      throw new VenueError('bad_response', `MEXC contract ${contract.symbol} is unusable: ${error instanceof Error ? error.message : String(error)}`, contract);
    }
  }

  private instrument(instrumentId: InstrumentId): Instrument {
    if (!this.marketsLoaded) throw new VenueError('invalid_order', 'instruments are not loaded yet: call loadInstruments() first');
    const instrument = this.instruments.get(instrumentId);
    if (instrument === undefined) throw new VenueError('invalid_order', `unknown instrument ${instrumentId} on MEXC`);
    return instrument;
  }

  /** Refuses what the exchange would refuse, before any request (no network for a bad order). */
  private checkRequest(request: SubmitOrderRequest, instrument: Instrument): void {
    if (request.type === 'STOP_MARKET') {
      throw new VenueError('invalid_order', 'stop orders are managed by the engine for MEXC (plan orders carry no client order id, so a retry could duplicate them)');
    }
    const quantityProblem = checkQuantity(instrument, request.quantity);
    if (quantityProblem !== null) throw new VenueError('invalid_order', `${instrument.symbol}: ${quantityProblem}`);
    if (request.type === 'LIMIT') {
      if (request.price === null) throw new VenueError('invalid_order', `${instrument.symbol}: a limit order needs a price`);
      const priceProblem = checkPrice(instrument, request.price);
      if (priceProblem !== null) throw new VenueError('invalid_order', `${instrument.symbol}: ${priceProblem}`);
    }
    if (!Number.isInteger(request.leverage) || request.leverage < 1 || request.leverage > instrument.maxLeverage) {
      throw new VenueError('invalid_order', `${instrument.symbol}: leverage ${request.leverage} is not a whole number between 1 and ${instrument.maxLeverage}`);
    }
    if (request.clientOrderId === '') throw new VenueError('invalid_order', 'a client order id is required (it makes retries idempotent)');
  }

  private async fairPrice(symbol: string): Promise<Decimal | null> {
    try {
      const raw = await this.call('query', () => this.exchange.contractPublicGetTicker({ symbol }));
      return this.validate(envelope(MexcTickerSchema), raw, 'contract/ticker').data.fairPrice;
    } catch (error) {
      // positions stay useful without a mark price; position sync treats null as unknown
      this.logger.warn('fair price unavailable', { symbol, error: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  private coinsOf(symbol: string): { baseCoin: string; quoteCoin: string; settleCoin: string } {
    const [base = symbol, quote = 'USDT'] = symbol.split('_');
    return { baseCoin: base, quoteCoin: quote, settleCoin: quote };
  }
}
