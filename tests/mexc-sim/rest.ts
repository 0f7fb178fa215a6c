import type { IncomingMessage, ServerResponse } from 'node:http';
import { Decimal } from '../../src-shared/domain/decimal';
import { MexcRefusal, type OpenTypeCode, type OrderTypeCode, type PositionTypeCode, type SideCode, type SimClock, type SimExchange, type SimOrder } from './exchange';
import type { FaultPlan } from './faults';
import { contractParamString, contractSignature, hmacSha256Hex, sameHex } from './signing';
import {
  assetView,
  closedPositionView,
  contractView,
  levelView,
  num,
  orderView,
  ownDealView,
  planOrderView,
  positionView,
  publicDealView,
  tickerView,
} from './views';

/** One request as the simulator saw it, for assertions ("exactly one order/create reached the exchange"). */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The raw query string, without '?'. */
  query: string;
  body: string;
  apiKey: string | null;
  at: number;
  /** HTTP status sent; 0 when nothing was sent (hang, dropped). */
  status: number;
  /** MEXC `code` of the answer when it was a MEXC JSON envelope. */
  code: number | null;
  /** The fault applied to this request, if any. */
  fault: string | null;
}

export interface RestContext {
  exchange: SimExchange;
  faults: FaultPlan;
  clock: SimClock;
  apiKey: string;
  secret: string;
  /** Largest accepted |now − Request-Time| when the client sends no Recv-Window; null disables the check. */
  recvWindowMs: number | null;
  requests: RecordedRequest[];
  /** Responses held open by the hang fault, released (destroyed) on close. */
  hanging: Set<ServerResponse>;
}

interface Answer {
  status: number;
  body: unknown;
}

type Query = URLSearchParams;
type Handler = (params: Record<string, string>, query: Query, body: unknown) => Answer;

const CONTRACT_PUBLIC = '/api/v1/contract/';
const CONTRACT_PRIVATE = '/api/v1/private/';
const SPOT = '/api/v3/';

const ok = (data?: unknown): Answer => ({ status: 200, body: data === undefined ? { success: true, code: 0 } : { success: true, code: 0, data } });
const refusal = (code: number, message: string, status = 200): Answer => ({ status, body: { success: false, code, message } });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Field readers: MEXC accepts numbers or numeric strings; anything else is "Param error!" (600).

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[name] : undefined;
}

function optionalDecimal(body: unknown, name: string): Decimal | null {
  const value = field(body, name);
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'number' && typeof value !== 'string') throw new MexcRefusal(600, `Param error! ${name}`);
  try {
    return Decimal.of(value);
  } catch {
    throw new MexcRefusal(600, `Param error! ${name}`);
  }
}

function requiredDecimal(body: unknown, name: string): Decimal {
  const value = optionalDecimal(body, name);
  if (value === null) throw new MexcRefusal(600, `Param error! ${name} is required`);
  return value;
}

function optionalInt(body: unknown, name: string): number | null {
  const value = optionalDecimal(body, name);
  if (value === null) return null;
  const asNumber = value.toNumber();
  if (!Number.isInteger(asNumber)) throw new MexcRefusal(600, `Param error! ${name} must be an integer`);
  return asNumber;
}

function requiredCode<T extends number>(body: unknown, name: string, allowed: readonly T[]): T {
  const value = optionalInt(body, name);
  if (value === null || !allowed.includes(value as T)) throw new MexcRefusal(600, `Param error! ${name}`);
  return value as T;
}

function optionalString(body: unknown, name: string): string | null {
  const value = field(body, name);
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' && typeof value !== 'number') throw new MexcRefusal(600, `Param error! ${name}`);
  return String(value);
}

function symbolOf(exchange: SimExchange, symbol: string | null): string {
  if (symbol === null || !exchange.hasContract(symbol)) throw new MexcRefusal(1001, 'Contract does not exist!');
  return symbol;
}

function pageOf<T>(items: T[], query: Query, defaultSize: number): T[] {
  const size = Math.min(100, Math.max(1, Number(query.get('page_size') ?? defaultSize) || defaultSize));
  const page = Math.max(1, Number(query.get('page_num') ?? 1) || 1);
  return items.slice((page - 1) * size, page * size);
}

function withinTime(at: number, query: Query): boolean {
  const start = query.get('start_time');
  const end = query.get('end_time');
  return (start === null || at >= Number(start)) && (end === null || at <= Number(end));
}

const byNewest = (a: { createTime: number }, b: { createTime: number }): number => b.createTime - a.createTime;

const KLINE_SECONDS: Record<string, number> = { Min1: 60, Min5: 300, Min15: 900, Min30: 1800, Min60: 3600, Hour4: 14_400, Hour8: 28_800, Day1: 86_400, Week1: 604_800, Month1: 2_592_000 };

// ---------------------------------------------------------------------------------------------

export function createRestHandler(ctx: RestContext): (req: IncomingMessage, res: ServerResponse) => void {
  const { exchange } = ctx;
  const now = (): number => ctx.clock.now();

  const placeOrder = (body: unknown): SimOrder =>
    exchange.placeOrder({
      symbol: symbolOf(exchange, optionalString(body, 'symbol')),
      price: optionalDecimal(body, 'price'),
      vol: requiredDecimal(body, 'vol'),
      side: requiredCode<SideCode>(body, 'side', [1, 2, 3, 4]),
      type: requiredCode<OrderTypeCode>(body, 'type', [1, 2, 3, 4, 5, 6]),
      openType: requiredCode<OpenTypeCode>(body, 'openType', [1, 2]),
      leverage: optionalInt(body, 'leverage'),
      externalOid: optionalString(body, 'externalOid'),
    });

  const refuseWhenForbidden = (): void => {
    // what MEXC answered accounts whose futures order placement over the API is disabled
    if (ctx.faults.orderPlacementForbidden) throw new MexcRefusal(1002, 'Contract not allow place order!');
  };

  const klines: Handler = (params, query) => {
    const symbol = symbolOf(exchange, params.symbol ?? null);
    const seconds = KLINE_SECONDS[query.get('interval') ?? 'Min1'] ?? 60;
    const deals = exchange.publicDeals(symbol).reverse();
    const buckets = new Map<number, { open: number; close: number; high: number; low: number; vol: number }>();
    for (const deal of deals) {
      const time = Math.floor(deal.t / 1000 / seconds) * seconds;
      const price = num(deal.p);
      const bucket = buckets.get(time);
      if (bucket === undefined) buckets.set(time, { open: price, close: price, high: price, low: price, vol: num(deal.v) });
      else {
        bucket.close = price;
        bucket.high = Math.max(bucket.high, price);
        bucket.low = Math.min(bucket.low, price);
        bucket.vol += num(deal.v);
      }
    }
    if (buckets.size === 0) {
      const price = num(exchange.lastPrice(symbol));
      buckets.set(Math.floor(now() / 1000 / seconds) * seconds, { open: price, close: price, high: price, low: price, vol: 0 });
    }
    const times = [...buckets.keys()].sort((a, b) => a - b);
    const column = (pick: (b: { open: number; close: number; high: number; low: number; vol: number }) => number): number[] => times.map((t) => pick(buckets.get(t)!));
    return ok({ time: times, open: column((b) => b.open), close: column((b) => b.close), high: column((b) => b.high), low: column((b) => b.low), vol: column((b) => b.vol), amount: column((b) => b.vol * b.close) });
  };

  const publicRoutes: [string, RegExp, Handler][] = [
    ['GET', /^ping$/, () => ok(now())],
    [
      'GET',
      /^detail$/,
      (_p, query) => {
        const symbol = query.get('symbol');
        const views = exchange.contracts().map((spec) => contractView(spec, !ctx.faults.orderPlacementForbidden));
        if (symbol === null) return ok(views);
        const one = views.find((v) => v.symbol === symbol);
        return one === undefined ? refusal(1001, 'Contract does not exist!') : ok(one);
      },
    ],
    ['GET', /^support_currencies$/, () => ok(['USDT'])],
    [
      'GET',
      /^depth\/(?<symbol>[^/]+)$/,
      (params, query) => {
        const limit = query.get('limit');
        const book = exchange.book(symbolOf(exchange, params.symbol ?? null), limit === null ? undefined : Number(limit));
        return ok({ asks: book.asks.map(levelView), bids: book.bids.map(levelView), version: book.version, timestamp: now() });
      },
    ],
    [
      'GET',
      /^deals\/(?<symbol>[^/]+)$/,
      (params, query) => {
        const limit = Number(query.get('limit') ?? 100) || 100;
        return ok(exchange.publicDeals(symbolOf(exchange, params.symbol ?? null)).slice(0, limit).map(publicDealView));
      },
    ],
    [
      'GET',
      /^ticker$/,
      (_p, query) => {
        const symbol = query.get('symbol');
        if (symbol === null) return ok(exchange.contracts().map((spec) => tickerView(exchange, spec.symbol, now())));
        return ok(tickerView(exchange, symbolOf(exchange, symbol), now()));
      },
    ],
    ['GET', /^(index_price|fair_price)\/(?<symbol>[^/]+)$/, (params) => ok({ symbol: params.symbol, price: num(exchange.lastPrice(symbolOf(exchange, params.symbol ?? null))), timestamp: now() })],
    [
      'GET',
      /^funding_rate\/history$/,
      (_p, query) => {
        const symbol = symbolOf(exchange, query.get('symbol'));
        const settle = Math.floor(now() / 28_800_000) * 28_800_000;
        return ok({ pageSize: 20, totalCount: 1, totalPage: 1, currentPage: 1, resultList: [{ symbol, fundingRate: 0.0001, settleTime: settle }] });
      },
    ],
    [
      'GET',
      /^funding_rate\/(?<symbol>[^/]+)$/,
      (params) => {
        const symbol = symbolOf(exchange, params.symbol ?? null);
        const next = (Math.floor(now() / 28_800_000) + 1) * 28_800_000;
        return ok({ symbol, fundingRate: 0.0001, maxFundingRate: 0.003, minFundingRate: -0.003, collectCycle: 8, nextSettleTime: next, timestamp: now() });
      },
    ],
    ['GET', /^kline\/(index_price|fair_price)\/(?<symbol>[^/]+)$/, klines],
    ['GET', /^kline\/(?<symbol>[^/]+)$/, klines],
  ];

  const privateRoutes: [string, RegExp, Handler][] = [
    ['GET', /^account\/assets$/, () => ok([assetView(exchange)])],
    ['GET', /^account\/asset\/(?<currency>[^/]+)$/, (params) => (params.currency === 'USDT' ? ok(assetView(exchange)) : refusal(10232, 'The currency not exist'))],
    [
      'GET',
      /^position\/open_positions$/,
      (_p, query) => {
        const symbol = query.get('symbol');
        return ok(exchange.positions(symbol ?? undefined).map((p) => positionView(exchange, p)));
      },
    ],
    [
      'GET',
      /^position\/list\/history_positions$/,
      (_p, query) => {
        const symbol = query.get('symbol');
        const closed = exchange.positionHistory().filter((p) => symbol === null || p.symbol === symbol);
        return ok(pageOf(closed.sort((a, b) => b.updateTime - a.updateTime), query, 20).map((p) => closedPositionView(exchange, p)));
      },
    ],
    [
      'GET',
      /^position\/leverage$/,
      (_p, query) => {
        const symbol = symbolOf(exchange, query.get('symbol'));
        const spec = exchange.contract(symbol);
        const entries: Record<string, unknown>[] = [];
        for (const positionType of [1, 2] as PositionTypeCode[]) {
          const held = exchange.positions(symbol).find((p) => p.positionType === positionType);
          const openType: OpenTypeCode = held?.openType ?? 1;
          entries.push({ level: 1, maxVol: Number(spec.maxVol), mmr: Number(spec.maintenanceMarginRate), imr: Number(spec.initialMarginRate), positionType, openType, leverage: held?.leverage ?? exchange.leverageSetting(symbol, positionType, openType), limitBySys: false, currentMmr: Number(spec.maintenanceMarginRate) });
        }
        return ok(entries);
      },
    ],
    ['GET', /^position\/position_mode$/, () => ok(exchange.positionMode)],
    [
      'GET',
      /^order\/list\/open_orders(\/(?<symbol>[^/]+))?$/,
      (params, query) => {
        const symbol = params.symbol ?? query.get('symbol') ?? undefined;
        return ok(pageOf(exchange.openOrders(symbol).sort(byNewest), query, 20).map(orderView));
      },
    ],
    [
      'GET',
      /^order\/list\/history_orders$/,
      (_p, query) => {
        const symbol = query.get('symbol');
        const states = query.get('states')?.split(',').map(Number);
        const orders = exchange.allOrders().filter((o) => (symbol === null || o.symbol === symbol) && (states === undefined || states.includes(o.state)) && withinTime(o.createTime, query));
        return ok(pageOf(orders.sort(byNewest), query, 20).map(orderView));
      },
    ],
    [
      'GET',
      /^order\/external\/(?<symbol>[^/]+)\/(?<externalOid>[^/]+)$/,
      (params) => {
        const order = exchange.orderByExternalOid(params.symbol ?? '', decodeURIComponent(params.externalOid ?? ''));
        return order === undefined ? refusal(2040, 'order not exist') : ok(orderView(order));
      },
    ],
    [
      'GET',
      /^order\/get\/(?<orderId>[^/]+)$/,
      (params) => {
        const order = exchange.order(params.orderId ?? '');
        return order === undefined ? refusal(2040, 'order not exist') : ok(orderView(order));
      },
    ],
    [
      'GET',
      /^order\/batch_query$/,
      (_p, query) => {
        const ids = (query.get('order_ids') ?? '').split(',').filter((id) => id !== '');
        return ok(ids.map((id) => exchange.order(id)).filter((o): o is SimOrder => o !== undefined).map(orderView));
      },
    ],
    ['GET', /^order\/deal_details\/(?<orderId>[^/]+)$/, (params) => ok(exchange.deals().filter((d) => d.orderId === params.orderId).map(ownDealView))],
    [
      'GET',
      /^order\/list\/order_deals(\/v3)?$/,
      (_p, query) => {
        const symbol = query.get('symbol');
        const deals = exchange.deals().filter((d) => (symbol === null || d.symbol === symbol) && withinTime(d.timestamp, query));
        return ok(pageOf(deals.reverse(), query, 20).map(ownDealView));
      },
    ],
    [
      'GET',
      /^planorder\/list\/orders$/,
      (_p, query) => {
        const symbol = query.get('symbol');
        const states = query.get('states')?.split(',').map(Number);
        const plans = exchange.planOrderList().filter((p) => (symbol === null || p.symbol === symbol) && (states === undefined || states.includes(p.state)));
        return ok(pageOf(plans.sort(byNewest), query, 20).map(planOrderView));
      },
    ],
    ['GET', /^stoporder\/(list\/orders|open_orders)$/, () => ok([])],
    [
      'POST',
      /^order\/(create|submit)$/,
      (_p, _q, body) => {
        refuseWhenForbidden();
        const order = placeOrder(body);
        return ok({ orderId: order.orderId, ts: order.createTime });
      },
    ],
    [
      'POST',
      /^order\/cancel$/,
      (_p, _q, body) => {
        if (!Array.isArray(body) || body.length === 0) throw new MexcRefusal(600, 'Param error! a list of order ids is expected');
        return ok(body.map((id) => exchange.cancelOrder(String(id))));
      },
    ],
    [
      'POST',
      /^order\/cancel_with_external$/,
      (_p, _q, body) => {
        const symbol = symbolOf(exchange, optionalString(body, 'symbol'));
        const externalOid = optionalString(body, 'externalOid');
        if (externalOid === null) throw new MexcRefusal(600, 'Param error! externalOid is required');
        const order = exchange.orderByExternalOid(symbol, externalOid);
        const result = order === undefined ? { errorCode: 2040, errorMsg: 'order not exist' } : exchange.cancelOrder(order.orderId);
        return ok({ symbol, externalOid, errorCode: result.errorCode, errorMsg: result.errorMsg });
      },
    ],
    [
      'POST',
      /^order\/cancel_all$/,
      (_p, _q, body) => {
        const symbol = optionalString(body, 'symbol');
        exchange.cancelAll(symbol === null ? undefined : symbolOf(exchange, symbol));
        return ok();
      },
    ],
    [
      'POST',
      /^position\/change_leverage$/,
      (_p, _q, body) => {
        const leverage = optionalInt(body, 'leverage');
        if (leverage === null) throw new MexcRefusal(600, 'Param error! leverage is required');
        const positionId = optionalInt(body, 'positionId');
        if (positionId !== null) {
          exchange.setPositionLeverage(positionId, leverage);
          return ok();
        }
        const symbol = symbolOf(exchange, optionalString(body, 'symbol'));
        const openType = requiredCode<OpenTypeCode>(body, 'openType', [1, 2]);
        const positionType = requiredCode<PositionTypeCode>(body, 'positionType', [1, 2]);
        exchange.setLeverage(symbol, positionType, openType, leverage);
        return ok();
      },
    ],
    [
      'POST',
      /^position\/change_position_mode$/,
      (_p, _q, body) => {
        exchange.positionMode = requiredCode<1 | 2>(body, 'positionMode', [1, 2]);
        return ok();
      },
    ],
    [
      'POST',
      /^position\/close_all$/,
      () => {
        exchange.closeAll();
        return ok();
      },
    ],
    [
      'POST',
      /^planorder\/place(\/v2)?$/,
      (_p, _q, body) => {
        refuseWhenForbidden();
        const plan = exchange.placePlanOrder({
          symbol: symbolOf(exchange, optionalString(body, 'symbol')),
          side: requiredCode<SideCode>(body, 'side', [1, 2, 3, 4]),
          vol: requiredDecimal(body, 'vol'),
          leverage: optionalInt(body, 'leverage') ?? 20,
          openType: requiredCode<OpenTypeCode>(body, 'openType', [1, 2]),
          triggerPrice: requiredDecimal(body, 'triggerPrice'),
          triggerType: requiredCode<1 | 2>(body, 'triggerType', [1, 2]),
          price: optionalDecimal(body, 'price'),
          orderType: requiredCode<OrderTypeCode>(body, 'orderType', [1, 2, 3, 4, 5, 6]),
          executeCycle: optionalInt(body, 'executeCycle') ?? 1,
          trend: optionalInt(body, 'trend') ?? 1,
        });
        return ok(plan.id);
      },
    ],
    [
      'POST',
      /^planorder\/cancel$/,
      (_p, _q, body) => {
        if (!Array.isArray(body)) throw new MexcRefusal(600, 'Param error! a list is expected');
        const ids = body.map((entry: unknown) => (typeof entry === 'object' && entry !== null ? String((entry as Record<string, unknown>).orderId) : String(entry)));
        return ok(ids.map((id) => exchange.cancelPlanOrder(id)));
      },
    ],
    [
      'POST',
      /^planorder\/cancel_all$/,
      () => {
        for (const plan of exchange.planOrderList()) if (plan.state === 1) exchange.cancelPlanOrder(plan.id);
        return ok();
      },
    ],
  ];

  const dispatch = (routes: [string, RegExp, Handler][], method: string, subPath: string, query: Query, body: unknown): Answer => {
    for (const [routeMethod, pattern, handler] of routes) {
      if (routeMethod !== method) continue;
      const match = pattern.exec(subPath);
      if (match !== null) return handler({ ...(match.groups ?? {}) }, query, body);
    }
    return refusal(404, 'Not Found', 404);
  };

  /** MEXC contract authentication: ApiKey, Request-Time, Signature headers. */
  const authenticate = (req: IncomingMessage, method: string, rawQuery: string, body: string): Answer | null => {
    const apiKey = req.headers.apikey;
    const requestTime = req.headers['request-time'];
    const signature = req.headers.signature;
    if (typeof apiKey !== 'string' || apiKey !== ctx.apiKey) return refusal(401, 'Not logged in or login has expired');
    if (typeof requestTime !== 'string' || !/^\d+$/.test(requestTime)) return refusal(513, 'Invalid request! Request-Time is required');
    if (ctx.recvWindowMs !== null) {
      const header = req.headers['recv-window'];
      const window = typeof header === 'string' && /^\d+$/.test(header) ? Math.min(60_000, Number(header) * 1000) : ctx.recvWindowMs;
      if (Math.abs(now() - Number(requestTime)) > window) return refusal(513, 'Invalid request! Request-Time is outside the receive window');
    }
    const expected = contractSignature(ctx.secret, apiKey, requestTime, contractParamString(method, rawQuery, body));
    if (typeof signature !== 'string' || !sameHex(signature.toLowerCase(), expected)) return refusal(602, 'Signature verification failed!');
    return null;
  };

  /** Just enough of the spot v3 API for ccxt's default loadMarkets (which also loads spot markets and currencies). */
  const spot = (req: IncomingMessage, method: string, subPath: string, rawQuery: string): Answer => {
    if (method === 'GET' && subPath === 'ping') return { status: 200, body: {} };
    if (method === 'GET' && subPath === 'time') return { status: 200, body: { serverTime: now() } };
    if (method === 'GET' && subPath === 'exchangeInfo') return { status: 200, body: { timezone: 'CST', serverTime: now(), rateLimits: [], exchangeFilters: [], symbols: [] } };
    if (method === 'GET' && subPath === 'defaultSymbols') return { status: 200, body: { code: 200, data: [], msg: null } };
    if (method === 'GET' && subPath === 'capital/config/getall') {
      const [unsigned = '', signature = ''] = rawQuery.split('&signature=');
      if (req.headers['x-mexc-apikey'] !== ctx.apiKey || !sameHex(signature, hmacSha256Hex(ctx.secret, unsigned))) {
        return { status: 400, body: { code: 700002, msg: 'Signature for this request is not valid.' } };
      }
      return { status: 200, body: [] };
    }
    return { status: 404, body: { code: 404, msg: 'Not Found' } };
  };

  const answer = (req: IncomingMessage, method: string, pathname: string, rawQuery: string, body: string): Answer => {
    const query = new URLSearchParams(rawQuery);
    if (pathname.startsWith(SPOT)) return spot(req, method, pathname.slice(SPOT.length), rawQuery);
    if (pathname.startsWith(CONTRACT_PUBLIC)) return dispatch(publicRoutes, method, pathname.slice(CONTRACT_PUBLIC.length), query, null);
    if (pathname.startsWith(CONTRACT_PRIVATE)) {
      const denied = authenticate(req, method, rawQuery, body);
      if (denied !== null) return denied;
      let parsed: unknown = null;
      if (method === 'POST' && body !== '') {
        try {
          parsed = JSON.parse(body);
        } catch {
          return refusal(601, 'Data decoding error!');
        }
      }
      return dispatch(privateRoutes, method, pathname.slice(CONTRACT_PRIVATE.length), query, parsed);
    }
    return refusal(404, 'Not Found', 404);
  };

  const send = (res: ServerResponse, record: RecordedRequest, status: number, text: string, contentType = 'application/json'): void => {
    record.status = status;
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : url.search;
    const apiKeyHeader = req.headers.apikey ?? req.headers['x-mexc-apikey'];
    const record: RecordedRequest = { method, path: url.pathname, query: rawQuery, body, apiKey: typeof apiKeyHeader === 'string' ? apiKeyHeader : null, at: now(), status: 0, code: null, fault: null };
    ctx.requests.push(record);
    const target = { method, path: url.pathname };

    const before = ctx.faults.take(['hang', 'rate_limit', 'http_error'], target);
    if (before !== null) {
      record.fault = before.kind;
      if (before.kind === 'hang') {
        ctx.hanging.add(res);
        res.on('close', () => ctx.hanging.delete(res));
        return;
      }
      if (before.kind === 'rate_limit') {
        record.code = 510;
        send(res, record, 429, JSON.stringify({ success: false, code: 510, message: 'Requests are too frequent!' }));
        return;
      }
      send(res, record, before.status, `<html><head><title>${before.status}</title></head><body><center><h1>${before.status} Service Temporarily Unavailable</h1></center></body></html>`, 'text/html');
      return;
    }

    let result: Answer;
    try {
      result = answer(req, method, url.pathname, rawQuery, body);
    } catch (error) {
      result = error instanceof MexcRefusal ? refusal(error.code, error.message) : refusal(500, `System internal error! ${error instanceof Error ? error.message : String(error)}`);
    }
    const code = typeof result.body === 'object' && result.body !== null && 'code' in result.body ? Number((result.body as { code: unknown }).code) : null;
    record.code = Number.isFinite(code) ? code : null;

    const after = ctx.faults.take(['drop_after_accept', 'garble'], target);
    if (after?.kind === 'drop_after_accept') {
      record.fault = after.kind;
      res.socket?.destroy();
      return;
    }
    let text = JSON.stringify(result.body);
    if (after?.kind === 'garble') {
      record.fault = after.kind;
      text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    }
    send(res, record, result.status, text);
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`simulator error: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
}
