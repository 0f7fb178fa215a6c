import { afterEach, describe, expect, test } from 'vitest';
import { ClientOrderId, InstrumentId, VenueOrderId } from '../../src-shared/domain/ids';
import { Price, Quantity } from '../../src-shared/domain/values';
import { SimulatedClock, WallClock, type Clock } from '../../src-main/engine/clock/clock';
import { createLogger, memorySink } from '../../src-main/engine/ops/logger';
import { API_ORDERS_REFUSED_MESSAGE } from '../../src-main/engine/venues/ccxt-errors';
import { CcxtVenue } from '../../src-main/engine/venues/ccxt-venue';
import { VenueError, type SubmitOrderRequest } from '../../src-main/engine/venues/venue';
import { BTC_USDT, contractSpec, startMexcSimulator, type MexcSimulator, type MexcSimulatorOptions } from '../mexc-sim/index';

const API_KEY = 'mx0vglVenueTestKey01';
const SECRET = '0123456789abcdef0123456789abcdef';
const BTC = InstrumentId('BTC/USDT:USDT');
const ETH = InstrumentId('ETH/USDT:USDT');

let sim: MexcSimulator | null = null;
const venues: CcxtVenue[] = [];
let logs = memorySink();

async function setUp(options: { sim?: Partial<MexcSimulatorOptions>; secret?: string; timeoutMs?: number; clock?: Clock } = {}): Promise<{ sim: MexcSimulator; venue: CcxtVenue }> {
  sim = await startMexcSimulator({ apiKey: API_KEY, secret: SECRET, ...options.sim });
  logs = memorySink();
  const venue = new CcxtVenue({
    exchangeId: 'mexc',
    credentials: { apiKey: API_KEY, secret: options.secret ?? SECRET },
    urls: sim.ccxtUrls(),
    clock: options.clock ?? new WallClock(),
    logger: createLogger('venues/ccxt', logs),
    rateLimitPerSecond: 1_000,
    timeoutMs: options.timeoutMs ?? 2_000,
  });
  venues.push(venue);
  await venue.loadInstruments();
  return { sim, venue };
}

afterEach(async () => {
  for (const venue of venues.splice(0)) await venue.close();
  await sim?.close();
  sim = null;
});

let sequence = 0;
const order = (fields: Partial<SubmitOrderRequest> = {}): SubmitOrderRequest => ({
  clientOrderId: ClientOrderId(`c${++sequence}`),
  instrumentId: BTC,
  side: 'BUY',
  type: 'MARKET',
  quantity: Quantity.of(10),
  price: null,
  triggerPrice: null,
  timeInForce: 'GTC',
  reduceOnly: false,
  leverage: 10,
  marginMode: 'isolated',
  ...fields,
});

/** The VenueError a promise rejects with (fails the test when it resolves or throws something else). */
async function venueErrorOf(promise: Promise<unknown>): Promise<VenueError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VenueError) return error;
    throw error;
  }
  throw new Error('expected a VenueError, but the call succeeded');
}

describe('the ccxt venue against the MEXC simulator', () => {
  test('loads instruments from contract/detail: contract size, tick, lot, minimum, fees and leverage, without touching spot endpoints', async () => {
    const { sim: s, venue } = await setUp();
    const instruments = await venue.loadInstruments();
    const btc = instruments.get(BTC)!;
    expect([btc.symbol, btc.contractSize.toString(), btc.tickSize.toString(), btc.lotSize.toString(), btc.minQuantity.toString(), btc.takerFee.toString(), btc.makerFee.toString(), btc.maxLeverage]).toEqual([
      'BTC_USDT', '0.0001', '0.5', '1', '1', '0.0006', '0.0002', 125,
    ]);
    expect(instruments.get(ETH)?.contractSize.toString()).toBe('0.01');
    expect(s.requests.every((r) => r.path === '/api/v1/contract/detail')).toBe(true);
  });

  test('a contract whose definition is unusable is skipped with a warning; the others load', async () => {
    const broken = contractSpec({ symbol: 'ODD_USDT', initialPrice: '1', baseCoin: '' });
    const { venue } = await setUp({ sim: { contracts: [BTC_USDT, broken] } });
    expect([...(await venue.loadInstruments()).keys()]).toEqual([BTC]);
    expect(logs.records.find((r) => r.level === 'warn')).toMatchObject({ message: 'contracts skipped: their definition is unusable', fields: { count: 1 } });
  });

  test('a market order fills at once and comes back FILLED with its average price and fees; the exchange holds the long', async () => {
    const { sim: s, venue } = await setUp();
    const state = await venue.submitOrder(order({ clientOrderId: ClientOrderId('mkt-1') }));
    expect(state).toMatchObject({ clientOrderId: 'mkt-1', instrumentId: BTC, status: 'FILLED', reason: null });
    expect([state.filledQuantity.toString(), state.averageFillPrice?.toString(), state.commission?.toString()]).toEqual(['10', '60000', '0.036']);
    expect(state.venueOrderId).toBe(s.order('mkt-1')?.orderId);
    expect(state.info).toMatchObject({ externalOid: 'mkt-1', side: 1 });
    expect(s.position('BTC_USDT', 'long')).toMatchObject({ holdVol: '10', leverage: 10, openType: 1 });
  });

  test('a limit order rests as ACCEPTED, is listed as open, and is FILLED at its price after the market moves through it', async () => {
    const { sim: s, venue } = await setUp();
    const placed = await venue.submitOrder(order({ type: 'LIMIT', side: 'SELL', price: Price.of('61000'), quantity: Quantity.of(4), leverage: 5 }));
    expect(placed.status).toBe('ACCEPTED');
    expect((await venue.fetchOpenOrders(BTC)).map((o) => o.clientOrderId)).toEqual([placed.clientOrderId]);
    expect((await venue.fetchOpenOrders()).map((o) => o.venueOrderId)).toEqual([placed.venueOrderId]);
    s.setPrice('BTC_USDT', '61200');
    const filled = await venue.fetchOrder(BTC, placed.clientOrderId, placed.venueOrderId);
    expect([filled?.status, filled?.filledQuantity.toString(), filled?.averageFillPrice?.toString()]).toEqual(['FILLED', '4', '61000']);
    expect(await venue.fetchOpenOrders()).toEqual([]);
    expect(s.position('BTC_USDT', 'short')?.holdVol).toBe('4');
  });

  test('a partial fill is PARTIALLY_FILLED with the filled part, and stays open for the rest', async () => {
    const { sim: s, venue } = await setUp();
    s.partialFillNext(3);
    const state = await venue.submitOrder(order({ type: 'LIMIT', price: Price.of('60500'), quantity: Quantity.of(8) }));
    expect([state.status, state.filledQuantity.toString()]).toEqual(['PARTIALLY_FILLED', '3']);
    expect((await venue.fetchOpenOrders(BTC)).map((o) => o.status)).toEqual(['PARTIALLY_FILLED']);
  });

  test('time in force travels as MEXC order types: IOC (3) that cannot fill is CANCELED, post-only (2) rests, FOK (4) fills', async () => {
    const { sim: s, venue } = await setUp();
    const ioc = await venue.submitOrder(order({ type: 'LIMIT', price: Price.of('59000'), timeInForce: 'IOC' }));
    const postOnly = await venue.submitOrder(order({ type: 'LIMIT', price: Price.of('59000'), timeInForce: 'POST_ONLY' }));
    const fok = await venue.submitOrder(order({ type: 'LIMIT', price: Price.of('60500'), timeInForce: 'FOK' }));
    expect([ioc.status, postOnly.status, fok.status]).toEqual(['CANCELED', 'ACCEPTED', 'FILLED']);
    expect(s.requestsTo('order/create').map((r) => (JSON.parse(r.body) as { type: number }).type)).toEqual([3, 2, 4]);
  });

  test('a reduce-only sell closes the long through MEXC side code 4 and leaves no position', async () => {
    const { sim: s, venue } = await setUp();
    await venue.submitOrder(order({ quantity: Quantity.of(6) }));
    const close = await venue.submitOrder(order({ side: 'SELL', reduceOnly: true, quantity: Quantity.of(6) }));
    expect(close.status).toBe('FILLED');
    expect(JSON.parse(s.requestsTo('order/create').at(-1)!.body)).toMatchObject({ side: 4, vol: 6, openType: 1, leverage: 10 });
    expect(await venue.fetchPositions()).toEqual([]);
  });

  test('cancel by venue id, or by client id alone, ends the order CANCELED; cancelling a filled order reports it FILLED', async () => {
    const { sim: s, venue } = await setUp();
    const first = await venue.submitOrder(order({ type: 'LIMIT', price: Price.of('59000') }));
    expect((await venue.cancelOrder(BTC, first.clientOrderId, first.venueOrderId)).status).toBe('CANCELED');
    const second = await venue.submitOrder(order({ type: 'LIMIT', price: Price.of('59000') }));
    expect((await venue.cancelOrder(BTC, second.clientOrderId, null)).status).toBe('CANCELED');
    expect(s.orders().map((o) => o.state)).toEqual([4, 4]);
    const filled = await venue.submitOrder(order());
    expect((await venue.cancelOrder(BTC, filled.clientOrderId, filled.venueOrderId)).status).toBe('FILLED');
    expect((await venueErrorOf(venue.cancelOrder(BTC, ClientOrderId('never-placed'), null))).kind).toBe('order_not_found');
  });

  test('resubmitting a client order id returns the order the exchange already has: no duplicate, whether MEXC returns it or refuses the repeat', async () => {
    for (const duplicateExternalOid of ['return-existing', 'reject'] as const) {
      const { sim: s, venue } = await setUp({ sim: { duplicateExternalOid } });
      const request = order({ clientOrderId: ClientOrderId('same-id') });
      const first = await venue.submitOrder(request);
      const again = await venue.submitOrder(request);
      expect(again.venueOrderId, duplicateExternalOid).toBe(first.venueOrderId);
      expect(s.orders(), duplicateExternalOid).toHaveLength(1);
      expect(s.position('BTC_USDT', 'long')?.holdVol, duplicateExternalOid).toBe('10');
      await venue.close();
      await s.close();
    }
  });

  test('when the answer is lost after MEXC accepted the order, the error is retryable and the order is found by its client id', async () => {
    const { sim: s, venue } = await setUp();
    s.faults.dropResponseAfterAccept(1);
    const request = order({ clientOrderId: ClientOrderId('lost-answer') });
    const error = await venueErrorOf(venue.submitOrder(request));
    expect([error.family, error.kind]).toEqual(['retryable', 'network']);
    const found = await venue.fetchOrder(BTC, request.clientOrderId, null);
    expect(found).toMatchObject({ clientOrderId: 'lost-answer', status: 'FILLED', venueOrderId: s.order('lost-answer')!.orderId });
    expect((await venue.submitOrder(request)).venueOrderId).toBe(found?.venueOrderId);
    expect(s.orders()).toHaveLength(1);
    expect(await venue.fetchOrder(BTC, ClientOrderId('never-sent'), null)).toBeNull();
    expect(await venue.fetchOrder(BTC, ClientOrderId('x'), VenueOrderId('123'))).toBeNull();
  });

  test('5xx, 429 and a request that never returns are retryable errors with their kinds', async () => {
    const { sim: s, venue } = await setUp({ timeoutMs: 250 });
    s.faults.failNext(1, { status: 503 });
    expect(await venueErrorOf(venue.fetchBalance())).toMatchObject({ family: 'retryable', kind: 'exchange_unavailable' });
    s.faults.rateLimitNext(1, { match: 'order/create' });
    expect(await venueErrorOf(venue.submitOrder(order()))).toMatchObject({ family: 'retryable', kind: 'rate_limited' });
    s.faults.hangNext(1);
    expect(await venueErrorOf(venue.fetchPositions())).toMatchObject({ family: 'retryable', kind: 'timeout' });
    expect(s.orders()).toHaveLength(0);
    await expect(venue.fetchBalance()).resolves.toMatchObject({ currency: 'USDT' });
  });

  test('a wrong secret is a terminal authentication error', async () => {
    const { venue } = await setUp({ secret: 'ffffffffffffffffffffffffffffffff' });
    const error = await venueErrorOf(venue.fetchBalance());
    expect([error.family, error.kind]).toEqual(['terminal', 'authentication']);
  });

  test('when MEXC refuses API order placement for the account, the trader reads it plainly (permission_denied)', async () => {
    const { sim: s, venue } = await setUp();
    s.faults.forbidOrderPlacement();
    const error = await venueErrorOf(venue.submitOrder(order()));
    expect([error.family, error.kind]).toEqual(['terminal', 'permission_denied']);
    expect(error.message).toContain('MEXC refused to place futures orders through the API for this account; trade on the MEXC website or ask MEXC to enable API futures trading');
    expect(error.message.startsWith(API_ORDERS_REFUSED_MESSAGE)).toBe(true);
    // reading the account still works
    await expect(venue.fetchPositions()).resolves.toEqual([]);
  });

  test('garbled JSON is a terminal bad_response for that call, never a crash or a silently empty answer', async () => {
    const { sim: s, venue } = await setUp();
    await venue.submitOrder(order({ clientOrderId: ClientOrderId('held') }));
    s.faults.garbleNext(1, { match: 'open_positions' });
    expect(await venueErrorOf(venue.fetchPositions())).toMatchObject({ family: 'terminal', kind: 'bad_response' });
    s.faults.garbleNext(1, { match: 'order/external' });
    expect((await venueErrorOf(venue.fetchOrder(BTC, ClientOrderId('held'), null))).kind).toBe('bad_response');
    s.faults.garbleNext(1, { match: 'account/asset' });
    expect((await venueErrorOf(venue.fetchBalance())).kind).toBe('bad_response');
    s.faults.garbleNext(1, { match: 'order/create' });
    expect((await venueErrorOf(venue.submitOrder(order()))).kind).toBe('bad_response');
    s.faults.garbleNext(1, { match: 'open_orders' });
    expect((await venueErrorOf(venue.fetchOpenOrders())).kind).toBe('bad_response');
    s.faults.garbleNext(1, { match: 'contract/detail' });
    expect((await venueErrorOf(venue.loadInstruments())).kind).toBe('bad_response');
    // the venue keeps working afterwards
    expect((await venue.fetchPositions()).map((p) => p.quantity.toString())).toEqual(['20']);
  });

  test('positions are normalised: side, contracts, entry, liquidation price, margin, mark price and unrealised PnL', async () => {
    const { sim: s, venue } = await setUp();
    await venue.submitOrder(order({ quantity: Quantity.of(100), leverage: 20 }));
    s.openPositionOutside('ETH_USDT', 'short', 10, { leverage: 25 });
    s.setPrice('BTC_USDT', '60500');
    const positions = await venue.fetchPositions();
    const btc = positions.find((p) => p.instrumentId === BTC)!;
    expect([btc.side, btc.quantity.toString(), btc.entryPrice?.toString(), btc.liquidationPrice?.toString(), btc.leverage, btc.margin?.toString(), btc.markPrice?.toString(), btc.unrealizedPnl?.toString()]).toEqual([
      'LONG', '100', '60000', '57229', 20, '30', '60500', '5',
    ]);
    expect(btc.liquidationPrice?.toString()).toBe(s.position('BTC_USDT', 'long')?.liquidatePrice);
    const eth = positions.find((p) => p.instrumentId === ETH)!;
    expect([eth.side, eth.quantity.toString(), eth.margin?.toString(), eth.unrealizedPnl?.toString()]).toEqual(['SHORT', '10', '10.4', '0']);
    expect(eth.info).toMatchObject({ positionType: 2, symbol: 'ETH_USDT' });
  });

  test('the balance is normalised: total is equity, free is available, used is position margin plus order margin', async () => {
    const { sim: s, venue } = await setUp();
    await venue.submitOrder(order({ quantity: Quantity.of(100), leverage: 20 }));
    await venue.submitOrder(order({ type: 'LIMIT', price: Price.of('50000'), quantity: Quantity.of(10), leverage: 10 }));
    s.setPrice('BTC_USDT', '60100');
    const balance = await venue.fetchBalance();
    const expected = s.balance();
    // 30 USDT for the 20× long; the resting buy adds to that long, so it reserves at 20× too: 10 × 50000 × 0.0001 / 20 = 2.5
    expect([balance.currency, balance.total.toString(), balance.free.toString(), balance.used.toString()]).toEqual(['USDT', expected.equity, expected.availableBalance, '32.5']);
  });

  test('leverage is set for both position sides in the margin mode asked; out-of-range leverage is refused before any request', async () => {
    const { sim: s, venue } = await setUp();
    await venue.setLeverage(BTC, 7, 'isolated');
    expect([s.exchange.leverageSetting('BTC_USDT', 1, 1), s.exchange.leverageSetting('BTC_USDT', 2, 1)]).toEqual([7, 7]);
    await venue.setLeverage(BTC, 3, 'cross');
    expect([s.exchange.leverageSetting('BTC_USDT', 1, 2), s.exchange.leverageSetting('BTC_USDT', 2, 2)]).toEqual([3, 3]);
    const before = s.requests.length;
    expect((await venueErrorOf(venue.setLeverage(BTC, 126, 'isolated'))).kind).toBe('invalid_order');
    expect((await venueErrorOf(venue.setLeverage(BTC, 2.5, 'isolated'))).kind).toBe('invalid_order');
    expect(s.requests.length).toBe(before);
  });

  test('a liquidation on the exchange is visible: the position is gone and the margin with it', async () => {
    const { sim: s, venue } = await setUp();
    await venue.submitOrder(order({ quantity: Quantity.of(100), leverage: 20 }));
    const [position] = await venue.fetchPositions();
    const equityBefore = (await venue.fetchBalance()).total;
    s.setPrice('BTC_USDT', position!.liquidationPrice!.toString());
    expect(await venue.fetchPositions()).toEqual([]);
    const equityAfter = (await venue.fetchBalance()).total;
    // the mark was at the entry before; the whole 30 USDT isolated margin is lost
    expect(equityBefore.sub(equityAfter).toString()).toBe('30');
    expect(s.closedPositions()[0]).toMatchObject({ liquidated: true, side: 'long' });
  });

  test("the position history lists closed positions since a time, newest first, with MEXC's close price, close PnL and fees; a liquidation loses the margin", async () => {
    const clock = new SimulatedClock(Date.UTC(2024, 7, 8, 12, 0, 0));
    const { sim: s, venue } = await setUp({ clock, sim: { clock, recvWindowMs: null } });
    const closedAt = clock.now();
    await venue.submitOrder(order({ quantity: Quantity.of(10) })); // 10 × 0.0001 BTC at 60 000
    s.setPrice('BTC_USDT', '60500');
    await venue.submitOrder(order({ side: 'SELL', reduceOnly: true, quantity: Quantity.of(10) }));
    clock.advanceBy(60_000);
    const liquidatedAt = clock.now();
    await venue.submitOrder(order({ quantity: Quantity.of(100), leverage: 20 })); // 30.25 USDT of margin at 60 500
    const liquidation = s.position('BTC_USDT', 'long')!.liquidatePrice;
    s.setPrice('BTC_USDT', liquidation);

    const all = await venue.fetchClosedPositions(closedAt);
    expect(all.map((p) => [p.instrumentId, p.side, p.quantity.toString(), p.entryPrice?.toString(), p.exitPrice.toString(), p.realizedPnl.toString(), p.fees?.toString(), p.liquidated, p.closedAt])).toEqual([
      [BTC, 'LONG', '100', '60500', liquidation, '-30.25', '0.363', true, liquidatedAt],
      // +0.5 gross; 0.036 to open, 0.0363 to close
      [BTC, 'LONG', '10', '60000', '60500', '0.5', '0.0723', false, closedAt],
    ]);
    expect(all[0]!.info).toMatchObject({ positionShowStatus: 'LIQUIDATED', symbol: 'BTC_USDT' });
    expect((await venue.fetchClosedPositions(liquidatedAt)).map((p) => p.liquidated)).toEqual([true]);
    expect(s.requestsTo('position/list/history_positions').map((r) => new URLSearchParams(r.query).get('page_size'))).toEqual(['100', '100']);

    s.faults.garbleNext(1, { match: 'history_positions' });
    expect((await venueErrorOf(venue.fetchClosedPositions(0))).kind).toBe('bad_response');
  });

  test('bad input is refused before any request: off-tick price, quantity below the lot, unknown symbol, leverage above the maximum, stop orders', async () => {
    const { sim: s, venue } = await setUp();
    const before = s.requests.length;
    const kinds = await Promise.all([
      venueErrorOf(venue.submitOrder(order({ type: 'LIMIT', price: Price.of('60000.3') }))),
      venueErrorOf(venue.submitOrder(order({ quantity: Quantity.of('0.5') }))),
      venueErrorOf(venue.submitOrder(order({ instrumentId: InstrumentId('DOGE/USDT:USDT') }))),
      venueErrorOf(venue.submitOrder(order({ leverage: 500 }))),
      venueErrorOf(venue.submitOrder(order({ type: 'STOP_MARKET', triggerPrice: Price.of('59000') }))),
    ]);
    expect(kinds.map((e) => e.kind)).toEqual(['invalid_order', 'invalid_order', 'invalid_order', 'invalid_order', 'invalid_order']);
    expect(kinds[4]!.message).toContain('managed by the engine');
    expect(s.requests.length).toBe(before);
  });

  test('requests are paced by the token bucket on the injected clock: the eleventh waits until the clock moves', async () => {
    sim = await startMexcSimulator({ apiKey: API_KEY, secret: SECRET });
    const clock = new SimulatedClock(Date.now());
    const venue = new CcxtVenue({ exchangeId: 'mexc', credentials: { apiKey: API_KEY, secret: SECRET }, urls: sim.ccxtUrls(), clock, logger: createLogger('venues/ccxt', memorySink()), rateLimitPerSecond: 10, timeoutMs: 2_000 });
    venues.push(venue);
    const pending = Array.from({ length: 12 }, () => venue.fetchBalance());
    await waitFor(() => sim!.requestsTo('account/asset').length === 10);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.requestsTo('account/asset')).toHaveLength(10);
    await clock.advanceByAsync(100);
    await waitFor(() => sim!.requestsTo('account/asset').length === 11);
    await clock.advanceByAsync(100);
    await Promise.all(pending);
    expect(sim.requestsTo('account/asset')).toHaveLength(12);
  });

  test('after close, calls fail as retryable network errors and no timer is left behind', async () => {
    const clock = new SimulatedClock(Date.now());
    const { venue } = await setUp({ clock });
    await venue.close();
    expect((await venueErrorOf(venue.fetchBalance())).kind).toBe('network');
    expect(clock.pendingTimers()).toBe(0);
    expect(venue.has).toMatchObject({ privateStream: false, positionStream: false, clientOrderIdLookup: true, attachedStopLoss: false, reduceOnly: true });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
