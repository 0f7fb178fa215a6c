import { readFileSync } from 'node:fs';
import { AuthenticationError, BadRequest, BaseError, ExchangeError, ExchangeNotAvailable, InvalidOrder, NetworkError, RateLimitExceeded, RequestTimeout, mexc, pro } from 'ccxt';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { sharedData } from '../fixtures/paths';
import { BTC_USDT, ETH_USDT, contractSpec, startMexcSimulator, type MexcSimulator, type MexcSimulatorOptions } from './index';
import { contractSignature } from './signing';

const API_KEY = 'mx0vglSimulatorKey01';
const SECRET = 'c0ffee00c0ffee00c0ffee00c0ffee00';

let sim: MexcSimulator | null = null;
const closers: (() => Promise<unknown>)[] = [];

async function start(options: Partial<MexcSimulatorOptions> = {}): Promise<MexcSimulator> {
  sim = await startMexcSimulator({ apiKey: API_KEY, secret: SECRET, ...options });
  return sim;
}

function client(s: MexcSimulator, overrides: { secret?: string; timeout?: number; options?: Record<string, unknown> } = {}): InstanceType<typeof mexc> {
  // ccxt's own throttle is off: its wall-clock pacing (detail costs 100 × 50 ms) would only slow the tests down
  return new mexc({ apiKey: API_KEY, secret: overrides.secret ?? SECRET, urls: s.ccxtUrls(), enableRateLimit: false, timeout: overrides.timeout ?? 5_000, options: { defaultType: 'swap', ...overrides.options } });
}

/** ccxt.pro against the simulator: ws:// (not wss://) needs ccxt's http agent loaded first. */
async function proClient(s: MexcSimulator, config: { apiKey?: string; secret?: string; options?: Record<string, unknown> } = {}): Promise<InstanceType<typeof pro.mexc>> {
  // a short reconnect backoff: ccxt.pro waits ~1 s, then 2 s, … before redialling a dropped socket
  const options = { defaultType: 'swap', ws: { backoff: { base: 10, max: 50 } }, ...config.options };
  const exchange = new pro.mexc({ ...config, urls: s.ccxtUrls(), enableRateLimit: false, options });
  closers.push(() => exchange.close());
  await exchange.loadHttpProxyAgent();
  await exchange.loadMarkets();
  return exchange;
}

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await sim?.close();
  sim = null;
});

describe('the MEXC simulator speaks the contract protocol to unmodified ccxt', () => {
  test("ccxt's default loadMarkets works: spot endpoints answer empty lists, swap markets come from contract/detail", async () => {
    const s = await start();
    const exchange = client(s);
    const markets = await exchange.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(['BTC/USDT:USDT', 'ETH/USDT:USDT']);
    const btc = markets['BTC/USDT:USDT']!;
    expect([btc.id, btc.contractSize, btc.precision.price, btc.precision.amount, btc.limits.amount?.min, btc.linear]).toEqual(['BTC_USDT', 0.0001, 0.5, 1, 1, true]);
    // the signed spot currency call was verified too (its signature is part of the query string)
    expect(s.requestsTo('capital/config/getall')[0]?.status).toBe(200);
    expect(await exchange.fetchTime()).toBeGreaterThan(0);
  });

  test('every captured swap request of ccxt reaches the simulator exactly as captured, signed correctly, and its answer parses', async () => {
    const ltc = contractSpec({ symbol: 'LTC_USDT', initialPrice: '70', priceUnit: '0.01', contractSize: '0.1' });
    const ada = contractSpec({ symbol: 'ADA_USDT', initialPrice: '0.7', priceUnit: '0.0001', contractSize: '1' });
    const sol = contractSpec({ symbol: 'SOL_USDT', initialPrice: '150', priceUnit: '0.001', contractSize: '0.1' });
    const s = await start({ contracts: [BTC_USDT, ETH_USDT, ltc, ada, sol], recvWindowMs: null });
    const fixtures = JSON.parse(readFileSync(sharedData('ccxt-static', 'mexc-request.json'), 'utf8')) as {
      methods: Record<string, { description: string; url: string; input: unknown[]; output?: unknown; options?: Record<string, unknown> }[]>;
    };
    let checked = 0;
    const refused: string[] = [];
    for (const [method, cases] of Object.entries(fixtures.methods)) {
      for (const fixture of cases) {
        if (!fixture.url.startsWith('https://api.mexc.com/api/v1/')) continue; // spot and spot-v3 cases are out of scope
        const exchange = client(s, { options: fixture.options ?? {} });
        await exchange.loadMarkets();
        const before = s.requests.length;
        let outcome: unknown;
        try {
          // the fixtures write "not given" as null; ccxt's own static tests pass those as undefined
          const args = fixture.input.map((value) => (value === null ? undefined : value));
          outcome = await (exchange as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[method]!(...args);
        } catch (error) {
          outcome = error;
        }
        const label = `${method} — ${fixture.description}`;
        // ccxt either parsed the answer or raised the error class the simulator's MEXC code maps to; never a crash
        expect(outcome instanceof Error ? outcome instanceof BaseError : true, `${label}: ${String(outcome)}`).toBe(true);
        const sent = s.requests.slice(before);
        expect(sent, label).toHaveLength(1);
        const request = sent[0]!;
        const captured = new URL(fixture.url);
        expect(request.path, label).toBe(captured.pathname);
        expect(Object.fromEntries(new URLSearchParams(request.query)), label).toEqual(Object.fromEntries(captured.searchParams));
        if (fixture.output !== undefined && fixture.output !== null) expect(JSON.parse(request.body), label).toEqual(fixture.output);
        // the simulator accepted the signature: no 401 / 602 / 513
        expect([401, 513, 602], label).not.toContain(request.code);
        checked += 1;
        if (outcome instanceof Error) refused.push(`${label}: ${outcome.message}`);
      }
    }
    expect(checked).toBe(37);
    // only what the account's state refuses: the fixtures close a long that does not exist and query or cancel ids never placed here
    expect(refused).toEqual([
      expect.stringContaining('side must be 4') as string,
      expect.stringMatching(/fetchOrder — Swap order: .*"code":2040/) as string,
      expect.stringMatching(/cancelOrder — .*order not exist/) as string,
    ]);
  });

  test('a wrong secret gets MEXC code 602 and ccxt raises AuthenticationError; a wrong key gets 401; a stale Request-Time gets 513', async () => {
    const s = await start();
    await expect(client(s, { secret: 'not-the-secret-00000000000000000' }).contractPrivateGetAccountAssets()).rejects.toThrow(AuthenticationError);
    expect(s.requests.at(-1)?.code).toBe(602);
    const wrongKey = new mexc({ apiKey: 'someone-else', secret: SECRET, urls: s.ccxtUrls(), enableRateLimit: false });
    await expect(wrongKey.contractPrivateGetAccountAssets()).rejects.toThrow(AuthenticationError);
    expect(s.requests.at(-1)?.code).toBe(401);
    // ccxt's default loadMarkets signs a spot call too; a wrong secret fails there with the spot code
    await expect(client(s, { secret: 'not-the-secret-00000000000000000' }).loadMarkets()).rejects.toThrow(AuthenticationError);
    expect(s.requestsTo('capital/config/getall').at(-1)?.status).toBe(400);
    const stale = String(Date.now() - 60_000);
    const response = await fetch(`${s.restUrl}/api/v1/private/account/assets`, {
      headers: { ApiKey: API_KEY, 'Request-Time': stale, Signature: contractSignature(SECRET, API_KEY, stale, '') },
    });
    expect(await response.json()).toMatchObject({ success: false, code: 513 });
  });

  test('the signature covers the exact POST body: a body changed after signing is refused', async () => {
    const s = await start();
    const time = String(Date.now());
    const signedBody = JSON.stringify({ symbol: 'BTC_USDT', vol: 1, side: 1, type: 5, openType: 1, leverage: 10 });
    const sentBody = signedBody.replace('"vol":1', '"vol":100');
    const response = await fetch(`${s.restUrl}/api/v1/private/order/create`, {
      method: 'POST',
      headers: { ApiKey: API_KEY, 'Request-Time': time, Signature: contractSignature(SECRET, API_KEY, time, signedBody), 'Content-Type': 'application/json' },
      body: sentBody,
    });
    expect(await response.json()).toMatchObject({ success: false, code: 602, message: 'Signature verification failed!' });
    expect(s.orders()).toHaveLength(0);
  });

  test('ccxt sends our client order id as externalOid; the same id again returns the same order and places nothing new', async () => {
    const s = await start();
    const exchange = client(s);
    const first = await exchange.createOrder('BTC/USDT:USDT', 'market', 'buy', 3, undefined, { clientOrderId: 'cid-1', leverage: 10, marginMode: 'isolated' });
    const again = await exchange.createOrder('BTC/USDT:USDT', 'market', 'buy', 3, undefined, { clientOrderId: 'cid-1', leverage: 10, marginMode: 'isolated' });
    expect(again.id).toBe(first.id);
    expect(JSON.parse(s.requestsTo('order/create')[0]!.body)).toMatchObject({ externalOid: 'cid-1', side: 1, type: 6, openType: 1, leverage: 10, vol: 3 });
    expect(s.orders()).toHaveLength(1);
    expect(s.position('BTC_USDT', 'long')?.holdVol).toBe('3');
    const byExternal = await exchange.contractPrivateGetOrderExternalSymbolExternalOid({ symbol: 'BTC_USDT', external_oid: 'cid-1' });
    expect(byExternal).toMatchObject({ success: true, data: { orderId: first.id, externalOid: 'cid-1', state: 3, dealVol: 3 } });
  });

  test('a limit order rests until setPrice moves through it; reduce-only orders close through side codes 2 and 4', async () => {
    const s = await start();
    const exchange = client(s);
    const limit = await exchange.createOrder('BTC/USDT:USDT', 'limit', 'sell', 2, 61000, { leverage: 5, marginMode: 'isolated' });
    expect((await exchange.fetchOpenOrders('BTC/USDT:USDT')).map((o) => o.id)).toEqual([limit.id]);
    s.setPrice('BTC_USDT', 61000.5);
    expect(s.order(limit.id!)?.state).toBe(3);
    expect(s.position('BTC_USDT', 'short')).toMatchObject({ holdVol: '2', holdAvgPrice: '61000' });
    await exchange.createOrder('BTC/USDT:USDT', 'market', 'buy', 2, undefined, { reduceOnly: true, leverage: 5, marginMode: 'isolated' });
    expect(JSON.parse(s.requestsTo('order/create').at(-1)!.body)).toMatchObject({ side: 2 });
    expect(s.positions()).toHaveLength(0);
    expect(s.closedPositions()[0]).toMatchObject({ side: 'short', realised: expect.stringMatching(/^-/) as string });
  });

  test('positions, balance and leverage answer in the shapes ccxt parses', async () => {
    const s = await start();
    const exchange = client(s);
    s.openPositionOutside('ETH_USDT', 'long', 10, { leverage: 25 });
    const [position] = await exchange.fetchPositions();
    expect(position).toMatchObject({ symbol: 'ETH/USDT:USDT', side: 'long', contracts: 10, entryPrice: 2600, leverage: 25, initialMargin: 10.4 });
    const balance = await exchange.fetchBalance();
    expect(balance.USDT).toMatchObject({ free: Number(s.balance().availableBalance), used: 0 });
    await exchange.setLeverage(7, 'BTC/USDT:USDT', { openType: 1, positionType: 2 });
    const leverage = await exchange.fetchLeverage('BTC/USDT:USDT');
    expect(leverage).toMatchObject({ shortLeverage: 7 });
  });

  test('the position history tells how each position ended, split as MEXC splits it: close PnL before fees, every fee, LIQUIDATED with the margin lost', async () => {
    const s = await start();
    const exchange = client(s);
    // 10× longs of 10 contracts (0.001 BTC), taker fee 0.0006
    await exchange.createOrder('BTC/USDT:USDT', 'market', 'buy', 10, undefined, { leverage: 10, marginMode: 'isolated' });
    s.setPrice('BTC_USDT', 61000);
    await exchange.createOrder('BTC/USDT:USDT', 'market', 'sell', 10, undefined, { reduceOnly: true, leverage: 10, marginMode: 'isolated' });
    await exchange.createOrder('BTC/USDT:USDT', 'market', 'buy', 10, undefined, { leverage: 10, marginMode: 'isolated' });
    const liquidation = s.position('BTC_USDT', 'long')!.liquidatePrice;
    s.liquidate('BTC_USDT', 'long');
    const raw = (await exchange.contractPrivateGetPositionListHistoryPositions({ page_num: 1, page_size: 100 })) as { data: Array<Record<string, unknown>> };
    const fields = ['positionType', 'state', 'closeVol', 'openAvgPrice', 'newCloseAvgPrice', 'closeProfitLoss', 'fee', 'realised', 'positionShowStatus'];
    const pick = (entry: Record<string, unknown>) => Object.fromEntries(fields.map((f) => [f, entry[f]]));
    // newest first: the liquidation (the 6.1 USDT margin of the entry at 61 000), then the close (+1 USDT gross; 0.036 + 0.0366 in fees)
    expect(raw.data.map(pick)).toEqual([
      { positionType: 1, state: 3, closeVol: 10, openAvgPrice: 61000, newCloseAvgPrice: Number(liquidation), closeProfitLoss: -6.1, fee: 0.0366, realised: -6.1366, positionShowStatus: 'LIQUIDATED' },
      { positionType: 1, state: 3, closeVol: 10, openAvgPrice: 60000, newCloseAvgPrice: 61000, closeProfitLoss: 1, fee: 0.0726, realised: 0.9274, positionShowStatus: 'CLOSED' },
    ]);
    // and ccxt's unified parse reads it
    expect((await exchange.fetchPositionsHistory()).map((p) => [p.side, p.entryPrice])).toEqual([['long', 61000], ['long', 60000]]);
  });

  test('faults: 5xx, rate limits, hangs, garbled bodies, a dropped answer after the order was accepted, forbidden order placement', async () => {
    const s = await start();
    const exchange = client(s, { timeout: 300 });
    await exchange.loadMarkets();

    s.faults.failNext(1, { status: 502 });
    await expect(exchange.fetchBalance()).rejects.toThrow(ExchangeNotAvailable);
    await expect(exchange.fetchBalance()).resolves.toBeDefined();

    s.faults.rateLimitNext(1);
    await expect(exchange.fetchPositions()).rejects.toThrow(RateLimitExceeded);
    expect(s.requests.at(-1)).toMatchObject({ status: 429, code: 510 });

    s.faults.hangNext(1);
    await expect(exchange.fetchPositions()).rejects.toThrow(RequestTimeout);

    s.faults.garbleNext(1, { match: 'account/assets' });
    const garbled = await exchange.contractPrivateGetAccountAssets();
    expect(typeof garbled).toBe('string'); // ccxt hands back the text it could not parse

    s.faults.dropResponseAfterAccept(1);
    await expect(exchange.createOrder('BTC/USDT:USDT', 'market', 'buy', 1, undefined, { clientOrderId: 'lost-1', leverage: 10, marginMode: 'isolated' })).rejects.toThrow(NetworkError);
    expect(s.order('lost-1')).toMatchObject({ state: 3, dealVol: '1' });

    s.faults.forbidOrderPlacement();
    await expect(exchange.createOrder('BTC/USDT:USDT', 'market', 'buy', 1, undefined, { leverage: 10, marginMode: 'isolated' })).rejects.toThrow(/Contract not allow place order/);
    await expect(exchange.createOrder('BTC/USDT:USDT', 'market', 'buy', 1, undefined, { leverage: 10, marginMode: 'isolated' })).rejects.toThrow(InvalidOrder);
    expect(s.orders()).toHaveLength(1);
  });

  test('a time-boxed rate limit ends on the simulator clock', async () => {
    let now = 1_800_000_000_000;
    const s = await start({ clock: { now: () => now }, recvWindowMs: null });
    const exchange = client(s);
    s.faults.rateLimitFor(30_000);
    await expect(exchange.fetchTime()).rejects.toThrow(RateLimitExceeded);
    now += 29_999;
    await expect(exchange.fetchTime()).rejects.toThrow(RateLimitExceeded);
    now += 1;
    await expect(exchange.fetchTime()).resolves.toBe(now);
  });

  test('changes outside the app show up: fills of resting orders, cancels, positions opened and closed', async () => {
    const s = await start();
    const exchange = client(s);
    const resting = await exchange.createOrder('BTC/USDT:USDT', 'limit', 'buy', 5, 59000, { clientOrderId: 'rest-1', leverage: 10, marginMode: 'isolated' });
    s.externalFill('rest-1', 2);
    const partially = await exchange.contractPrivateGetOrderGetOrderId({ order_id: resting.id });
    expect(partially).toMatchObject({ data: { state: 2, dealVol: 2, dealAvgPrice: 59000 } });
    s.cancelOrderOutside(resting.id!);
    expect((await exchange.fetchOpenOrders()).length).toBe(0);
    s.openPositionOutside('BTC_USDT', 'short', 4);
    expect((await exchange.fetchPositions()).map((p) => `${String(p.side)}:${String(p.contracts)}`).sort()).toEqual(['long:2', 'short:4']);
    s.closePositionOutside('BTC_USDT', 'long');
    expect((await exchange.fetchPositions()).map((p) => p.side)).toEqual(['short']);
  });

  test('a garbled order answer to ccxt createOrder yields an order without an id, not an exception', async () => {
    const s = await start();
    const exchange = client(s);
    s.faults.garbleNext(1, { match: 'order/create' });
    const order = await exchange.createOrder('BTC/USDT:USDT', 'market', 'buy', 1, undefined, { leverage: 10, marginMode: 'isolated' });
    expect(order.id).toBeUndefined();
    expect(s.orders()).toHaveLength(1);
  });

  test('unknown paths answer 404 and ccxt raises an ExchangeError', async () => {
    const s = await start();
    const exchange = client(s);
    await expect(exchange.contractPrivateGetAccountRiskLimit()).rejects.toThrow(ExchangeError);
    await expect(exchange.contractPrivatePostOrderCreate({ symbol: 'BTC_USDT' })).rejects.toThrow(BadRequest);
  });
});

describe('the MEXC simulator speaks the contract WebSocket to ccxt.pro', () => {
  test('watchTrades on a swap symbol receives the trades the simulator prints', async () => {
    const s = await start();
    const exchange = await proClient(s);
    const watching = exchange.watchTrades('BTC/USDT:USDT');
    await waitFor(() => s.ws.subscriptions().some((topics) => topics.includes('deal:BTC_USDT')));
    s.trade('BTC_USDT', 60_100, 7, 'buy');
    const trades = await watching;
    expect(trades.at(-1)).toMatchObject({ symbol: 'BTC/USDT:USDT', price: 60100, amount: 7, side: 'buy' });
    expect(s.ws.received.some((m) => m.method === 'sub.deal')).toBe(true);
  });

  test('watchOrderBook syncs the REST snapshot with push.depth deltas by version', async () => {
    const s = await start();
    const exchange = await proClient(s, { options: { watchOrderBook: { snapshotDelay: 2 } } });
    const watching = exchange.watchOrderBook('BTC/USDT:USDT');
    await waitFor(() => s.ws.subscriptions().some((topics) => topics.includes('depth:BTC_USDT')));
    for (const price of [60_000.5, 60_001, 60_001.5, 60_002]) s.setPrice('BTC_USDT', price);
    await watching;
    await waitFor(() => s.requestsTo('contract/depth/BTC_USDT').length > 0);
    s.setPrice('BTC_USDT', 60_010);
    const book = await exchange.watchOrderBook('BTC/USDT:USDT');
    expect(book.asks[0]?.[0]).toBe(60_010.5);
    expect(book.bids[0]?.[0]).toBe(60_009.5);
  });

  test('a dropped socket rejects the pending watch; a new watch reconnects and resubscribes', async () => {
    const s = await start();
    const exchange = await proClient(s);
    const watching = exchange.watchTrades('BTC/USDT:USDT');
    await waitFor(() => s.ws.connectionCount() === 1 && s.ws.subscriptions()[0]!.includes('deal:BTC_USDT'));
    expect(s.ws.dropAll()).toBe(1);
    await expect(watching).rejects.toThrow(NetworkError);
    const again = exchange.watchTrades('BTC/USDT:USDT');
    await waitFor(() => s.ws.received.filter((m) => m.method === 'sub.deal').length === 2);
    s.trade('BTC_USDT', 59_990, 1, 'sell');
    expect((await again).at(-1)).toMatchObject({ price: 59_990, side: 'sell' });
  });

  test('after a signed login, order changes arrive as push.personal.order (ccxt.pro watchOrders)', async () => {
    const s = await start();
    const exchange = await proClient(s, { apiKey: API_KEY, secret: SECRET });
    const watching = exchange.watchOrders('BTC/USDT:USDT');
    await waitFor(() => s.ws.received.some((m) => m.method === 'login'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    s.placeOrderOutside({ symbol: 'BTC_USDT', side: 1, vol: 2, price: 58_000 });
    const orders = await watching;
    expect(orders.at(-1)).toMatchObject({ symbol: 'BTC/USDT:USDT', amount: 2, price: 58_000, status: 'open' });
  });

  test('while refusing connections the WebSocket upgrade answers 503; other paths are not found', async () => {
    const s = await start();
    s.ws.refuseConnections();
    const statusOf = (url: string): Promise<number> =>
      new Promise((resolve) => {
        const socket = new WebSocket(url);
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => undefined);
      });
    expect(await statusOf(s.wsUrl)).toBe(503);
    s.ws.refuseConnections(false);
    expect(await statusOf(s.wsUrl.replace('/edge', '/ws'))).toBe(404);
  });

  test('a bad login signature is refused with rs.error and no private pushes', async () => {
    const s = await start();
    const socket = new WebSocket(s.wsUrl);
    const messages: unknown[] = [];
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ method: 'login', param: { apiKey: API_KEY, reqTime: String(Date.now()), signature: 'bad' } }));
    socket.send(JSON.stringify({ method: 'ping' }));
    await waitFor(() => messages.length >= 2);
    s.placeOrderOutside({ symbol: 'BTC_USDT', side: 1, vol: 1, price: 58_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(messages).toEqual([
      { channel: 'rs.error', data: 'Signature verification failed!', ts: expect.any(Number) as number },
      { channel: 'pong', data: expect.any(Number) as number },
    ]);
    socket.close();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
