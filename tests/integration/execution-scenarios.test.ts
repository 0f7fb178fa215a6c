import { afterEach, describe, expect, test } from 'vitest';
import type { EventPayload, Topic } from '../../src-shared/contract/events';
import type { OrderDto } from '../../src-shared/contract/schemas';
import { defaultSettings, type Settings } from '../../src-shared/contract/settings';
import { Decimal } from '../../src-shared/domain/decimal';
import { InstrumentId, type ClientOrderId, type VenueOrderId } from '../../src-shared/domain/ids';
import { Money } from '../../src-shared/domain/values';
import { InProcessEventBus } from '../../src-main/engine/bus/event-bus';
import { SimulatedClock } from '../../src-main/engine/clock/clock';
import { TradingStack, type StrategySink } from '../../src-main/engine/execution/trading-stack';
import { createLogger, memorySink } from '../../src-main/engine/ops/logger';
import { openStore, type Store } from '../../src-main/engine/store/store';
import type { EntryRequest, EntryResult, ExitRequest } from '../../src-main/engine/strategy/strategy-runner';
import { API_ORDERS_REFUSED_MESSAGE } from '../../src-main/engine/venues/ccxt-errors';
import { CcxtVenue } from '../../src-main/engine/venues/ccxt-venue';
import type { SubmitOrderRequest, Venue, VenueBalance, VenueClosedPosition, VenueOrderState, VenuePosition } from '../../src-main/engine/venues/venue';
import { migrationsDir } from '../fixtures/paths';
import { startMexcSimulator, type MexcSimulator, type SimOrderSnapshot } from '../mexc-sim/index';

/**
 * The execution layer end to end (issue #4, item 10): a TradingStack for an exchange account
 * (staged caps, position sync, kill switch over the venue) over the real CcxtVenue, which runs
 * unmodified ccxt against the MEXC simulator on 127.0.0.1.
 *
 * Time: the simulator, the venue's token bucket and the whole stack (breaker, retries, polling,
 * position sync) share one SimulatedClock, so 30 s of breaker or rate-limit storm cost no real
 * time. Only the HTTP round trips are real: before the clock moves, the harness waits until no
 * venue call is in flight (see `idle`), so every timer sees the answers of the calls before it.
 */

const API_KEY = 'mx0vglScenarioKey001';
const SECRET = '00112233445566778899aabbccddeeff';
const SESSION = 'live-sim-1';
const START = Date.UTC(2024, 7, 8, 12, 0, 0);
const BTC = InstrumentId('BTC/USDT:USDT');
const ETH = InstrumentId('ETH/USDT:USDT');
const PRIVATE_ORDER_PATHS = /\/private\/(order|planorder)\//;

/** The real venue, counting calls in flight: the harness moves the clock only once the sockets are quiet. */
class InFlightVenue implements Venue {
  inFlight = 0;
  constructor(readonly inner: CcxtVenue) {}
  get name(): string {
    return this.inner.name;
  }
  get has(): Venue['has'] {
    return this.inner.has;
  }
  loadInstruments(): ReturnType<Venue['loadInstruments']> {
    return this.track(() => this.inner.loadInstruments());
  }
  submitOrder(request: SubmitOrderRequest): Promise<VenueOrderState> {
    return this.track(() => this.inner.submitOrder(request));
  }
  cancelOrder(instrumentId: InstrumentId, clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): Promise<VenueOrderState> {
    return this.track(() => this.inner.cancelOrder(instrumentId, clientOrderId, venueOrderId));
  }
  fetchOrder(instrumentId: InstrumentId, clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): Promise<VenueOrderState | null> {
    return this.track(() => this.inner.fetchOrder(instrumentId, clientOrderId, venueOrderId));
  }
  fetchOpenOrders(instrumentId?: InstrumentId): Promise<VenueOrderState[]> {
    return this.track(() => this.inner.fetchOpenOrders(instrumentId));
  }
  fetchPositions(): Promise<VenuePosition[]> {
    return this.track(() => this.inner.fetchPositions());
  }
  fetchBalance(): Promise<VenueBalance> {
    return this.track(() => this.inner.fetchBalance());
  }
  fetchClosedPositions(since: number): Promise<VenueClosedPosition[]> {
    return this.track(() => this.inner.fetchClosedPositions(since));
  }
  setLeverage(instrumentId: InstrumentId, leverage: number, marginMode: 'isolated' | 'cross'): Promise<void> {
    return this.track(() => this.inner.setLeverage(instrumentId, leverage, marginMode));
  }
  subscribe(listener: Parameters<Venue['subscribe']>[0]): () => void {
    return this.inner.subscribe(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  private async track<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await call();
    } finally {
      this.inFlight--;
    }
  }
}

/** The strategy engine as the stack sees it, recording what it is told. */
class RecordingStrategies implements StrategySink {
  readonly entryResults: Array<{ strategyId: string; instrumentId: string; result: EntryResult }> = [];
  readonly closed: Array<{ strategyId: string; instrumentId: string }> = [];
  readonly pauses: string[] = [];
  readonly resumes: string[] = [];
  onEntryResult(strategyId: string, instrumentId: string, result: EntryResult): boolean {
    this.entryResults.push({ strategyId, instrumentId, result });
    return true;
  }
  onPositionClosed(strategyId: string, instrumentId: string): boolean {
    this.closed.push({ strategyId, instrumentId });
    return true;
  }
  pause(reason: string): void {
    this.pauses.push(reason);
  }
  resume(reason: string): void {
    this.resumes.push(reason);
  }
}

interface Harness {
  sim: MexcSimulator;
  venue: InFlightVenue;
  clock: SimulatedClock;
  settings: Settings;
  store: Store;
  stack: TradingStack;
  strategies: RecordingStrategies;
  /** Topics in the order they were published. */
  topics(): Topic[];
  eventsOf<T extends Topic>(topic: T): Array<EventPayload<T>>;
  /** Waits (real time) until no venue call is in flight and the answers have been handled. */
  idle(): Promise<void>;
  /** Moves the clock timer by timer, letting the venue calls each timer starts finish before the next. */
  advance(ms: number): Promise<void>;
  /** The session's orders from the journal, oldest first. */
  journal(): OrderDto[];
}

/** Closed in reverse order after each test: the stack before the venue, the venue before the simulator. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close();
});

async function harness(): Promise<Harness> {
  const clock = new SimulatedClock(START);
  // the defaults are the first live stage's: 10× leverage at most, 100 USDT per order, 300 USDT of exposure
  const settings = defaultSettings();
  // the Request-Time check compares with the simulated clock, which ccxt's signature does not use
  const sim = await startMexcSimulator({ apiKey: API_KEY, secret: SECRET, clock, recvWindowMs: null });
  cleanups.push(() => sim.close());
  const venue = new InFlightVenue(new CcxtVenue({
    exchangeId: 'mexc', credentials: { apiKey: API_KEY, secret: SECRET }, urls: sim.ccxtUrls(), clock, logger: createLogger('venues/ccxt', memorySink()),
    // the token bucket runs on the simulated clock; a wide one keeps it out of the way of these scenarios
    rateLimitPerSecond: 1_000, timeoutMs: 2_000,
  }));
  cleanups.push(() => venue.close());
  const instruments = await venue.loadInstruments();
  const store = openStore(':memory:', { migrationsDir, clock });
  cleanups.push(() => Promise.resolve(store.close()));
  const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 100 });
  cleanups.push(() => Promise.resolve(bus.shutdown()));
  const recorded: Array<{ topic: Topic; payload: unknown }> = [];
  for (const topic of ['order_created', 'order_filled', 'order_cancelled', 'position_updated', 'risk_alert'] as const) {
    bus.subscribe(topic, (payload) => {
      recorded.push({ topic, payload });
    }, `scenario-${topic}`);
  }
  let seq = 0;
  const stack = new TradingStack({
    sessionId: SESSION, venue, clock, settings, instruments, capital: Money.money('10000'), store, bus, exchange: true,
    clientOrderIds: () => `${SESSION}-o${++seq}`, logger: createLogger('execution', memorySink()),
  });
  const strategies = new RecordingStrategies();
  stack.connectStrategies(strategies);
  await stack.start();
  cleanups.push(() => stack.stop());

  // real sockets settle in real time while the simulated clock stands still: wait for them, never for the clock
  const idle = async (): Promise<void> => {
    const deadline = Date.now() + 5_000;
    let quiet = 0;
    while (quiet < 3) {
      if (Date.now() > deadline) throw new Error(`${venue.inFlight} venue call(s) still in flight after 5 s`);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (venue.inFlight === 0) quiet++;
      else {
        quiet = 0;
        await new Promise<void>((resolve) => setTimeout(resolve, 1));
      }
    }
  };
  const advance = async (ms: number): Promise<void> => {
    const target = clock.now() + ms;
    await idle();
    for (let steps = 0; ; steps++) {
      if (steps > 100_000) throw new Error('the clock keeps scheduling timers at the same instant');
      const due = clock.nextDue();
      if (due === null || due > target) break;
      clock.advanceTo(due);
      await idle();
    }
    clock.advanceTo(target);
    await idle();
  };
  return {
    sim, venue, clock, settings, store, stack, strategies, idle, advance,
    topics: () => recorded.map((r) => r.topic),
    eventsOf: <T extends Topic>(topic: T) => recorded.filter((r) => r.topic === topic).map((r) => r.payload as EventPayload<T>),
    journal: () => store.orders.listBySession(SESSION),
  };
}

let signal = 0;
const entry = (clock: SimulatedClock, fields: Partial<EntryRequest> = {}): EntryRequest => ({
  signalId: `z1-${++signal}`, strategyId: 'pump', instrumentId: BTC, sessionId: SESSION, direction: 'LONG', price: 60_000,
  // 5 USDT of margin at 10× = 50 USDT of notional = 8 contracts of 0.0001 BTC at 60 000 (under the 100 USDT live cap)
  positionSize: { type: 'fixed', value: 5 }, leverage: 10, orderType: 'MARKET', stopLoss: null, takeProfit: null, ts: clock.now(), ...fields,
});
const exit = (clock: SimulatedClock, fields: Partial<ExitRequest> = {}): ExitRequest => ({
  signalId: `ze1-${++signal}`, strategyId: 'pump', instrumentId: BTC, sessionId: SESSION, direction: 'LONG', section: 'ZE1', price: 60_000,
  cancelPending: true, closePosition: true, logEvent: true, ts: clock.now(), ...fields,
});

const SIM_STATE: Record<SimOrderSnapshot['state'], string> = { 1: 'uninformed', 2: 'open', 3: 'filled', 4: 'cancelled', 5: 'invalid' };

/**
 * Every journalled order agrees with the simulator: working ↔ open there, FILLED ↔ filled with
 * the same quantity, CANCELED ↔ cancelled there or never sent, EXPIRED / REJECTED ↔ never there.
 * And no client order id reached the exchange twice.
 */
function expectJournalMatchesSimulator(h: Harness): void {
  const sent = h.sim.orders().filter((o) => o.source === 'api');
  expect(new Set(sent.map((o) => o.externalOid)).size).toBe(sent.length);
  for (const journalled of h.journal()) {
    // the order manager's state: an acknowledgement may still be staged for the journal's next commit
    const order = h.stack.orders.status(journalled.clientOrderId) ?? journalled;
    const remote = h.sim.order(order.clientOrderId);
    const there = remote === undefined ? 'absent' : SIM_STATE[remote.state];
    const expected = {
      INITIALIZED: ['absent'], DENIED: ['absent'], SUBMITTED: ['absent', 'open'], ACCEPTED: ['open'], PARTIALLY_FILLED: ['open'], PENDING_CANCEL: ['open'],
      FILLED: ['filled'], CANCELED: ['cancelled', 'absent'], EXPIRED: ['absent'], REJECTED: ['absent'],
    }[order.status];
    expect(expected, `${order.clientOrderId} is ${order.status} here and ${there} at the simulator`).toContain(there);
    if (remote !== undefined) expect(order.filledQuantity, order.clientOrderId).toBe(remote.dealVol);
  }
  for (const remote of sent) expect(h.journal().map((o) => o.clientOrderId), `the simulator holds ${remote.externalOid}, unknown here`).toContain(remote.externalOid);
}

/** The local book and the exchange hold the same positions (side and contracts). */
function expectBooksAgree(h: Harness): void {
  const local = h.stack.account.openPositions().map((p) => `${p.instrumentId} ${p.side} ${p.quantity.toString()}`).sort();
  const remote = h.sim.positions().map((p) => `${p.symbol === 'BTC_USDT' ? BTC : ETH} ${p.side === 'long' ? 'LONG' : 'SHORT'} ${p.holdVol}`).sort();
  expect(local).toEqual(remote);
}

describe('execution scenarios against the MEXC simulator (TradingStack over CcxtVenue)', () => {
  test('1. signal → risk → order → venue → position → events: a limit entry fills at the simulator, ZE1 closes it, the trade carries both fees', async () => {
    const h = await harness();
    await h.stack.enter(entry(h.clock, { orderType: 'LIMIT', price: 59_900 }));
    await h.idle();
    const [journalled] = h.journal();
    // the acknowledgement rides along with the next journal commit; the order manager has it now
    const working = h.stack.orders.status(journalled!.clientOrderId);
    expect(working).toMatchObject({ status: 'ACCEPTED', side: 'BUY', type: 'LIMIT', price: '59900', quantity: '8', leverage: 10, strategyId: 'pump' });
    expect(h.sim.order(working!.clientOrderId)).toMatchObject({ state: 2, vol: '8', price: '59900', leverage: 10 });

    // the market trades through the limit at the exchange; the venue has no private stream, so the 2 s status poll finds the fill
    h.sim.setPrice('BTC_USDT', '59800');
    expect(h.eventsOf('order_filled')).toHaveLength(0);
    await h.advance(h.settings.orderManager.statusPollIntervalMs);
    expect(h.topics().filter((t) => t !== 'risk_alert')).toEqual(['order_created', 'order_filled', 'position_updated']);
    expect(h.eventsOf('order_filled')[0]).toMatchObject({ order: { status: 'FILLED', averageFillPrice: '59900' }, fill: { lastQty: '8', lastPx: '59900', liquiditySide: 'MAKER' } });
    expect(h.strategies.entryResults).toEqual([{ strategyId: 'pump', instrumentId: BTC, result: { accepted: true } }]);

    const remote = h.sim.position('BTC_USDT', 'long')!;
    const local = h.stack.account.position(BTC)!;
    const stored = h.store.positions.get(SESSION, BTC)!;
    expect([local.side, local.quantity.toString(), local.averageEntryPrice?.toString(), local.leverage]).toEqual(['LONG', remote.holdVol, remote.holdAvgPrice, remote.leverage]);
    expect(stored).toMatchObject({ side: 'LONG', quantity: remote.holdVol, averageEntryPrice: remote.holdAvgPrice, leverage: remote.leverage });
    expect(h.eventsOf('position_updated').at(-1)).toMatchObject({ side: 'LONG', quantity: '8' });
    expect((await h.stack.reconcile()).clean).toBe(true);

    await h.stack.exit(exit(h.clock, { price: 59_800 }));
    await h.idle();
    expect(h.sim.positions()).toEqual([]);
    expect(h.stack.account.position(BTC)?.side).toBe('FLAT');
    expect(h.store.positions.get(SESSION, BTC)).toMatchObject({ side: 'FLAT', quantity: '0' });
    expect(h.strategies.closed).toEqual([{ strategyId: 'pump', instrumentId: BTC }]);

    // the closed trade: 8 × 0.0001 × (59 800 − 59 900) gross, the exchange's maker fee on the entry and taker fee on the exit
    const exchangeFees = h.sim.orders().map((o) => h.sim.exchange.order(o.orderId)!).reduce((sum, o) => sum.add(o.makerFee).add(o.takerFee), Decimal.ZERO);
    expect(exchangeFees.toString()).toBe('0.038288');
    const [trade] = h.stack.account.closedTrades();
    expect(trade).toMatchObject({ strategyId: 'pump', direction: 'LONG', entryPrice: '59900', exitPrice: '59800', quantity: '8', grossPnl: '-0.08', fees: exchangeFees.toString(), exitReason: 'ZE1' });
    expect(trade!.netPnl).toBe(Decimal.of('-0.08').sub(exchangeFees).toString());
    expect(h.store.fills.listBySession(SESSION).map((f) => [f.side, f.lastQty, f.lastPx, f.commission])).toEqual([
      ['BUY', '8', '59900', '0.009584'], ['SELL', '8', '59800', '0.028704'],
    ]);
    expectJournalMatchesSimulator(h);
  });

  test('2. five venue failures open the breaker: strategies pause, an order waits unsent, then after the half-open delay it is sent once and a clean reconciliation runs', async () => {
    const h = await harness();
    const reconciliations: string[] = [];
    h.stack.orders.addListener({ onReconciliationRequested: (reason) => reconciliations.push(reason) });
    // off the 10 s position-sync grid, so the breaker's trial call is the order manager's own
    await h.advance(5_000);
    h.sim.faults.failNext(5, { status: 503, match: 'open_positions' });
    for (let i = 0; i < 5; i++) await expect(h.stack.reconcile()).rejects.toMatchObject({ kind: 'exchange_unavailable' });
    const openedAt = h.clock.now();
    expect(h.stack.breaker.getState()).toBe('open');
    expect(h.strategies.pauses).toEqual(['circuit_breaker_open']);

    // a marketable limit entry while the venue is "down": journalled, not sent
    await h.stack.enter(entry(h.clock, { orderType: 'LIMIT', price: 60_000 }));
    await h.idle();
    expect(h.journal().map((o) => o.status)).toEqual(['INITIALIZED']);
    expect(h.eventsOf('order_created')).toHaveLength(1);
    await h.advance(h.settings.circuitBreaker.halfOpenAfterMs - 1_000);
    expect(h.stack.breaker.getState()).toBe('open');
    expect(h.sim.requestsTo('order/create')).toHaveLength(0);
    expect(h.strategies.resumes).toEqual([]);

    await h.advance(1_000);
    expect(h.clock.now() - openedAt).toBe(h.settings.circuitBreaker.halfOpenAfterMs);
    expect(h.stack.breaker.getState()).toBe('closed');
    expect(h.strategies.resumes).toEqual(['circuit_breaker_open']);
    const [order] = h.journal();
    expect(order).toMatchObject({ status: 'FILLED', filledQuantity: '8' });
    expect(h.sim.requestsTo('order/create')).toHaveLength(1);
    expect(h.sim.orders()).toHaveLength(1);
    expect(h.strategies.entryResults).toEqual([{ strategyId: 'pump', instrumentId: BTC, result: { accepted: true } }]);
    expect(reconciliations).toEqual(['circuit_breaker_closed']);
    const report = h.stack.positionSync!.lastReport()!;
    expect([report.ts, report.clean, report.matched.map((m) => m.instrumentId)]).toEqual([h.clock.now(), true, [BTC]]);
    expectBooksAgree(h);
    expectJournalMatchesSimulator(h);
  });

  test('3. an answer dropped after MEXC accepted the order: the retry looks it up by client id and adopts it; one order exists at the exchange', async () => {
    const h = await harness();
    h.sim.faults.dropResponseAfterAccept(1);
    await h.stack.enter(entry(h.clock));
    await h.idle();
    const [order] = h.journal();
    expect(order?.status).toBe('SUBMITTED');
    expect(h.sim.order(order!.clientOrderId)).toMatchObject({ state: 3, dealVol: '8' });

    await h.advance(h.settings.orderManager.retryBaseDelayMs);
    expect(h.journal()).toEqual([expect.objectContaining({ clientOrderId: order!.clientOrderId, status: 'FILLED', filledQuantity: '8', venueOrderId: h.sim.order(order!.clientOrderId)!.orderId })]);
    expect(h.sim.requestsTo('order/create')).toHaveLength(1);
    expect(h.sim.requestsTo(`order/external/BTC_USDT/${order!.clientOrderId}`)).toHaveLength(1);
    expect(h.sim.orders()).toHaveLength(1);
    expect(h.eventsOf('order_filled')).toHaveLength(1);
    expect(h.strategies.entryResults.map((r) => r.result.accepted)).toEqual([true]);
    expectBooksAgree(h);
  });

  test("4. a liquidation on the exchange: the next position sync finds the position gone, reads MEXC's position history and closes it at the liquidation price, the margin lost; the strategy hears it", async () => {
    const h = await harness();
    await h.stack.enter(entry(h.clock));
    await h.idle();
    const liquidation = h.sim.position('BTC_USDT', 'long')!.liquidatePrice;
    expect(h.stack.account.liquidationPrice(BTC)?.toString()).toBe(liquidation);

    // the price falls to the liquidation price: the exchange liquidates, the app's feed sees the trade
    h.sim.setPrice('BTC_USDT', liquidation);
    h.stack.onTrade(BTC, Number(liquidation));
    expect(h.sim.closedPositions()).toEqual([expect.objectContaining({ liquidated: true, side: 'long' })]);

    await h.advance(h.settings.positionSync.intervalMs);
    const report = h.stack.positionSync!.lastReport()!;
    expect([report.ts, report.clean, report.localOnly]).toEqual([h.clock.now(), true, []]);
    expect(report.closedOutside).toEqual([expect.objectContaining({ instrumentId: BTC, reason: 'liquidated', exitPrice: liquidation, realizedPnl: '-4.8' })]);
    expect(h.sim.requestsTo('position/list/history_positions')).toHaveLength(1);
    // realised as MEXC booked it: the 4.8 USDT isolated margin (8 × 0.0001 × 60 000 ÷ 10), not 8 × 0.0001 × (54 217 − 60 000) = −4.6264; the entry's taker fee stays in the trade
    expect(liquidation).toBe('54217');
    const [trade] = h.stack.account.closedTrades();
    expect(trade).toMatchObject({ exitPrice: liquidation, exitReason: 'liquidated', direction: 'LONG', quantity: '8', grossPnl: '-4.8', fees: '0.0288', netPnl: '-4.8288' });
    expect(h.stack.account.position(BTC)?.side).toBe('FLAT');
    expect(h.store.positions.get(SESSION, BTC)).toMatchObject({ side: 'FLAT' });
    expect(h.strategies.closed).toEqual([{ strategyId: 'pump', instrumentId: BTC }]);
    expect(h.eventsOf('risk_alert').filter((a) => a.source === 'position-sync').map((a) => [a.severity, a.code])).toEqual([['critical', 'liquidated']]);
    expect(h.store.riskEvents.listRecent().map((e) => e.code)).toContain('liquidated');
    // a second sync finds nothing to do and does not ask for the history again
    await h.advance(h.settings.positionSync.intervalMs);
    expect(h.stack.positionSync!.lastReport()!.clean).toBe(true);
    expect(h.sim.requestsTo('position/list/history_positions')).toHaveLength(1);
    expectBooksAgree(h);
  });

  test('4b. …also when the feed never printed the liquidation price (MEXC liquidates on its fair price): adopted with no trader action, the loss exactly the margin MEXC took', async () => {
    const h = await harness();
    await h.stack.enter(entry(h.clock));
    await h.idle();
    h.stack.onTrade(BTC, 59_000); // the last price the app saw, far from the liquidation
    const liquidation = h.sim.position('BTC_USDT', 'long')!.liquidatePrice;
    const margin = Decimal.of(h.sim.position('BTC_USDT', 'long')!.im);
    const balanceBefore = h.stack.account.balance();
    h.sim.liquidate('BTC_USDT', 'long');

    // no adopt() call: the position sync's timer does it
    await h.advance(h.settings.positionSync.intervalMs);
    const report = h.stack.positionSync!.lastReport()!;
    expect([report.clean, report.localOnly, report.closedOutside.map((r) => [r.reason, r.exitPrice])]).toEqual([true, [], [['liquidated', liquidation]]]);
    expect(h.stack.account.position(BTC)?.side).toBe('FLAT');
    const [trade] = h.stack.account.closedTrades();
    expect(trade).toMatchObject({ exitReason: 'liquidated', exitPrice: liquidation, quantity: '8' });
    // the loss is the isolated margin, exactly; the local cash is MEXC's
    expect(margin.toString()).toBe('4.8');
    expect(Decimal.of(trade!.grossPnl).eq(margin.neg())).toBe(true);
    expect(balanceBefore.sub(h.stack.account.balance()).eq(margin)).toBe(true);
    expect(h.stack.account.balance().toString()).toBe(h.sim.balance().cashBalance);
    expect(h.eventsOf('position_updated').at(-1)).toMatchObject({ instrumentId: BTC, side: 'FLAT', realizedPnl: '-4.8' });
    const alerts = h.eventsOf('risk_alert').filter((a) => a.source === 'position-sync');
    expect(alerts.map((a) => [a.severity, a.code, a.message])).toEqual([['critical', 'liquidated', `${BTC} LONG 8 was liquidated by the exchange at ${liquidation}: 4.8 USDT lost`]]);
    expect(h.strategies.closed).toEqual([{ strategyId: 'pump', instrumentId: BTC }]);

    const later = await h.stack.reconcile();
    expect([later.clean, later.closedOutside]).toEqual([true, []]);
    expect(h.eventsOf('risk_alert').filter((a) => a.source === 'position-sync')).toHaveLength(1);
    expectBooksAgree(h);
  });

  test('5. liquidation-distance alerts as the mark approaches: a warning below 25 %, a critical alert below 15 %, each once', async () => {
    const h = await harness();
    await h.stack.enter(entry(h.clock));
    await h.idle();
    const liquidation = Decimal.of(h.sim.position('BTC_USDT', 'long')!.liquidatePrice);
    const entryPrice = Decimal.of('60000');
    // the mark that leaves `pct` % of the entry → liquidation distance
    const markAt = (pct: number): string => liquidation.add(entryPrice.sub(liquidation).mul(pct).div(100, 'half-even')).roundToStep(Decimal.of('0.5'), 'floor').toString();
    const levels = (): string[] => h.eventsOf('risk_alert').filter((a) => a.code.startsWith('liquidation_')).map((a) => `${a.severity} ${a.code}`);

    h.sim.setPrice('BTC_USDT', markAt(30));
    await h.stack.reconcile();
    expect(levels()).toEqual([]);

    h.sim.setPrice('BTC_USDT', markAt(24));
    let report = await h.stack.reconcile();
    expect(report.matched[0]).toMatchObject({ liquidationAlert: 'warning' });
    expect(report.matched[0]!.liquidationDistancePercent).toBeLessThan(h.settings.positionSync.liquidationWarningPct);
    await h.stack.reconcile();
    expect(levels()).toEqual(['warning liquidation_warning']);

    h.sim.setPrice('BTC_USDT', markAt(14));
    report = await h.stack.reconcile();
    expect(report.matched[0]).toMatchObject({ liquidationAlert: 'critical' });
    expect(report.matched[0]!.liquidationDistancePercent).toBeLessThan(h.settings.positionSync.liquidationCriticalPct);
    await h.advance(h.settings.positionSync.intervalMs); // the periodic sync at the same level
    expect(levels()).toEqual(['warning liquidation_warning', 'critical liquidation_critical']);
    const critical = h.eventsOf('risk_alert').find((a) => a.code === 'liquidation_critical')!;
    expect(critical).toMatchObject({ source: 'position-sync', instrumentId: BTC, details: { liquidationPrice: liquidation.toString(), markPrice: markAt(14) } });
    // the exchange's mark reached the local book
    expect(h.stack.account.markPrice(BTC)?.toString()).toBe(markAt(14));
    expect(h.sim.positions()).toHaveLength(1);
  });

  test('6. a 30 s rate-limit storm while orders are submitted and cancelled: nothing lost, nothing duplicated, a clean reconciliation after', async () => {
    const h = await harness();
    const place = async (fields: Partial<EntryRequest>): Promise<OrderDto> => {
      const before = h.journal().length;
      await h.stack.enter(entry(h.clock, { positionSize: { type: 'fixed', value: 2 }, leverage: 5, ...fields }));
      expect(h.journal(), 'risk approved and the order manager journalled the entry').toHaveLength(before + 1);
      return h.journal().at(-1)!;
    };
    const resting = await place({ orderType: 'LIMIT', price: 59_000 });
    await h.idle();
    expect(h.stack.orders.status(resting.clientOrderId)?.status).toBe('ACCEPTED');

    // the storm: every request answers 429 for 30 s of the simulator's clock, while the trader and strategies keep acting
    h.sim.faults.rateLimitFor(30_000);
    const stormStart = h.clock.now();
    const cancelling = h.stack.orders.cancel(resting.clientOrderId, 'trader');
    const restingInStorm = await place({ orderType: 'LIMIT', price: 59_500 });
    await cancelling;
    await h.advance(1_500); // the first retries meet the storm too
    const marketInStorm = await place({ orderType: 'MARKET' });
    await h.idle();
    expect(h.stack.breaker.getState()).toBe('open');
    expect(h.strategies.pauses).toEqual(['circuit_breaker_open']);
    await h.advance(8_500);
    const marketableLimit = await place({ orderType: 'LIMIT', price: 60_000 });
    const neverSent = await place({ orderType: 'LIMIT', price: 58_000 });
    await h.advance(10_000);
    await h.stack.orders.cancel(neverSent.clientOrderId, 'trader');
    await h.advance(10_000);
    const limited = h.sim.requests.filter((r) => r.fault === 'rate_limit');
    expect(limited.length).toBeGreaterThanOrEqual(h.settings.circuitBreaker.failureThreshold);
    expect(limited.every((r) => r.status === 429 && r.at < stormStart + 30_000)).toBe(true);
    // the storm is over; the breaker's trial call finds the venue answering and the waiting work resolves
    await h.advance(h.settings.circuitBreaker.halfOpenAfterMs);
    expect(h.stack.breaker.getState()).toBe('closed');
    expect(h.strategies.resumes).toEqual(['circuit_breaker_open']);

    const status = (order: OrderDto): string | undefined => h.stack.orders.status(order.clientOrderId)?.status;
    expect([status(resting), status(restingInStorm), status(marketInStorm), status(marketableLimit), status(neverSent)]).toEqual([
      'CANCELED', 'ACCEPTED', 'EXPIRED', 'FILLED', 'CANCELED',
    ]);
    expect(h.stack.orders.status(marketInStorm.clientOrderId)?.reason).toContain('not sent late');
    expect(h.sim.order(neverSent.clientOrderId)).toBeUndefined();
    expect(h.sim.order(marketInStorm.clientOrderId)).toBeUndefined();
    expect(h.stack.orders.queueSize()).toBe(1);
    expectJournalMatchesSimulator(h);
    const accepted = h.sim.requestsTo('order/create').filter((r) => r.code === 0);
    expect(accepted).toHaveLength(3);

    const report = await h.stack.reconcile();
    expect([report.clean, report.matched.map((m) => m.instrumentId)]).toEqual([true, [BTC]]);
    expectBooksAgree(h);
  });

  test('7. positions opened outside the app are exchange-only and alerted; adopt takes one over, flatten closes another; both books agree', async () => {
    const h = await harness();
    h.sim.openPositionOutside('ETH_USDT', 'short', 10, { leverage: 5 });
    h.sim.openPositionOutside('BTC_USDT', 'long', 5, { leverage: 10 });
    const report = await h.stack.reconcile();
    expect(report.clean).toBe(false);
    expect(report.exchangeOnly.map((c) => [c.instrumentId, c.exchange?.side, c.exchange?.quantity]).sort()).toEqual([[BTC, 'LONG', '5'], [ETH, 'SHORT', '10']]);
    expect(h.eventsOf('risk_alert').filter((a) => a.code === 'position_exchange_only').map((a) => [a.severity, a.instrumentId]).sort()).toEqual([['critical', BTC], ['critical', ETH]]);

    const eth = report.exchangeOnly.find((c) => c.instrumentId === ETH)!;
    h.stack.positionSync!.adopt(eth);
    expect(h.stack.account.position(ETH)).toMatchObject({ side: 'SHORT', leverage: 5 });
    expect(h.stack.account.position(ETH)?.quantity.toString()).toBe('10');
    expect(h.store.positions.get(SESSION, ETH)).toMatchObject({ side: 'SHORT', quantity: '10', averageEntryPrice: '2600' });

    const btc = report.exchangeOnly.find((c) => c.instrumentId === BTC)!;
    const flattened = await h.stack.positionSync!.flatten(btc);
    expect(flattened.order).toMatchObject({ accepted: true });
    await h.idle();
    expect(h.sim.position('BTC_USDT', 'long')).toBeUndefined();
    expect(JSON.parse(h.sim.requestsTo('order/create').at(-1)!.body)).toMatchObject({ side: 4, vol: 5 });
    expect(h.stack.account.position(BTC)?.side).toBe('FLAT');
    expect(h.stack.account.closedTrades().map((t) => [t.instrumentId, t.exitReason])).toEqual([[BTC, 'reconciliation_flatten']]);

    expectBooksAgree(h);
    const after = await h.stack.reconcile();
    expect([after.clean, after.matched.map((m) => m.instrumentId)]).toEqual([true, [ETH]]);
    // the alert is not repeated for a difference already reported
    expect(h.eventsOf('risk_alert').filter((a) => a.code === 'position_exchange_only')).toHaveLength(2);
  });

  /** A long from a strategy entry, a resting entry order, and a short opened on the website: what a kill switch meets. */
  async function killSwitchSetup(): Promise<Harness> {
    const h = await harness();
    await h.stack.enter(entry(h.clock));
    await h.stack.enter(entry(h.clock, { orderType: 'LIMIT', price: 58_000, positionSize: { type: 'fixed', value: 2 } }));
    await h.idle();
    h.sim.openPositionOutside('ETH_USDT', 'short', 3, { leverage: 5 });
    expect(h.sim.orders().filter((o) => o.state === 2)).toHaveLength(1);
    return h;
  }
  const orderPosts = (h: Harness): number => h.sim.requests.filter((r) => PRIVATE_ORDER_PATHS.test(r.path) && r.method === 'POST').length;

  test('8. the kill switch over the exchange: the working order is cancelled and every position the exchange holds is flattened, including one opened outside', async () => {
    const h = await killSwitchSetup();
    const engaged = h.stack.engageKillSwitch();
    // a second press while the first runs shares it
    expect(h.stack.engageKillSwitch()).toBe(engaged);
    const report = await engaged;
    await h.idle();
    expect(report).toMatchObject({ cancelledOrders: 1, closeOrders: 2, alreadyClosing: 0, failures: [], venuePositionsRead: true });
    expect(h.sim.positions()).toEqual([]);
    expect(h.sim.orders().filter((o) => o.state === 2)).toEqual([]);
    // the short opened outside is closed with MEXC's close-short side code, for exactly what the exchange held
    expect(h.sim.requestsTo('order/create').map((r) => JSON.parse(r.body) as { symbol: string; side: number; vol: number }).filter((b) => b.symbol === 'ETH_USDT'))
      .toEqual([expect.objectContaining({ side: 2, vol: 3 })]);
    expect(h.stack.risk.tradingState()).toBe('HALTED');
    // the session's report is info: the engine-wide control (TradingControls) raises the one critical alert with the totals
    expect(h.eventsOf('risk_alert').filter((a) => a.code === 'kill_switch').map((a) => a.severity)).toEqual(['info']);
    expect(h.stack.account.position(BTC)?.side).toBe('FLAT');
    // the short opened outside was adopted before its close, so it ends as a round trip in the local book too
    expect(h.stack.account.closedTrades().map((t) => [t.instrumentId, t.exitReason])).toEqual([[BTC, 'kill_switch'], [ETH, 'kill_switch']]);
    expect(h.stack.killSwitch.activationCount).toBe(1);
  });

  // Bug (report): kill-switch.ts closes an exchange-only position without adopting it first, so its closing fill opens a
  // phantom LONG 3 ETH in the local book, and the next engage sends a close for it. Flip to test() once fixed.
  test('8b. …after which the local book agrees with the exchange and a second engage sends nothing new', async () => {
    const h = await killSwitchSetup();
    await h.stack.engageKillSwitch();
    await h.idle();
    expectBooksAgree(h);
    const posts = orderPosts(h);
    const second = await h.stack.engageKillSwitch();
    await h.idle();
    expect(second).toMatchObject({ cancelledOrders: 0, closeOrders: 0, failures: [] });
    expect(orderPosts(h)).toBe(posts);
    expectJournalMatchesSimulator(h);
  });

  test('9. bad input is denied with its reason before any venue call; a garbled answer ends that order and the stack keeps trading', async () => {
    const h = await harness();
    await h.stack.enter(entry(h.clock, { instrumentId: 'DOGE/USDT:USDT' }));
    await h.stack.enter(entry(h.clock, { leverage: 20 }));
    await h.stack.enter(entry(h.clock, { price: Number.NaN }));
    const direct = [
      h.stack.risk.check({ instrumentId: BTC, side: 'BUY', type: 'MARKET', quantity: '0.5', referencePrice: '60000', leverage: 5 }),
      h.stack.risk.check({ instrumentId: BTC, side: 'BUY', type: 'LIMIT', quantity: '2', price: '60000.3', leverage: 5 }),
      h.stack.risk.check({ instrumentId: BTC, side: 'BUY', type: 'MARKET', quantity: Number.NaN, referencePrice: '60000', leverage: 5 }),
    ];
    expect(h.strategies.entryResults.map((r) => r.result.reason?.split(':')[0])).toEqual(['unknown_instrument', 'invalid_leverage', 'invalid_number']);
    expect(h.strategies.entryResults[1]!.result.reason).toContain('above the allowed 10×');
    expect(direct.map((d) => (d.approved ? 'approved' : d.denial.code))).toEqual(['invalid_quantity', 'invalid_price', 'invalid_number']);
    expect(h.eventsOf('risk_alert').map((a) => a.code)).toEqual([
      'order_denied_unknown_instrument', 'order_denied_invalid_leverage', 'order_denied_invalid_number',
      'order_denied_invalid_quantity', 'order_denied_invalid_price', 'order_denied_invalid_number',
    ]);
    expect(h.store.riskEvents.listRecent()).toHaveLength(6);
    expect(h.sim.requests.filter((r) => PRIVATE_ORDER_PATHS.test(r.path))).toEqual([]);
    expect(h.journal()).toEqual([]);

    // a garbled answer hiding an accepted order: looked up once by client id, adopted, never sent again
    h.sim.faults.garbleNext(1, { match: 'order/create' });
    await h.stack.enter(entry(h.clock));
    await h.idle();
    const [garbledAccept] = h.journal();
    expect(garbledAccept).toMatchObject({ status: 'FILLED', filledQuantity: '8' });
    expect(h.sim.requestsTo('order/create')).toHaveLength(1);

    // a garbled answer hiding a refusal (the exchange's balance is short): REJECTED, saying why
    h.sim.setBalance('1');
    h.sim.faults.garbleNext(1, { match: 'order/create' });
    await h.stack.enter(entry(h.clock, { instrumentId: ETH, price: 2_600 }));
    await h.idle();
    const garbledRefusal = h.journal().at(-1)!;
    expect(garbledRefusal.status).toBe('REJECTED');
    expect(garbledRefusal.reason).toMatch(/^the venue's answer could not be read: /);
    expect(h.sim.requestsTo('order/create').map((r) => r.code)).toEqual([0, 2005]);
    expect(h.strategies.entryResults.at(-1)).toMatchObject({ instrumentId: ETH, result: { accepted: false } });

    // the stack keeps working
    h.sim.setBalance('10000');
    await h.stack.exit(exit(h.clock));
    await h.idle();
    expect(h.journal().at(-1)).toMatchObject({ status: 'FILLED', reduceOnly: true });
    expect(h.sim.positions()).toEqual([]);
    expectJournalMatchesSimulator(h);
  });

  test('10. the exchange refuses API order placement: the order is rejected with a plain reason, the strategy hears it, nothing is retried', async () => {
    const h = await harness();
    h.sim.faults.forbidOrderPlacement();
    await h.stack.enter(entry(h.clock));
    await h.idle();
    const [order] = h.journal();
    expect(order?.status).toBe('REJECTED');
    expect(order?.reason).toMatch(/^the exchange refuses API order placement for this account: /);
    expect(order?.reason).toContain(API_ORDERS_REFUSED_MESSAGE);
    expect(h.strategies.entryResults).toEqual([{ strategyId: 'pump', instrumentId: BTC, result: { accepted: false, reason: `rejected: ${order!.reason}` } }]);
    expect(h.eventsOf('order_cancelled').map((o) => o.status)).toEqual(['REJECTED']);
    await h.advance(10_000);
    expect(h.sim.requestsTo('order/create')).toHaveLength(1);
    expect(h.sim.orders()).toEqual([]);
    expect(h.stack.breaker.getState()).toBe('closed');
  });

  // Needed change (report): order-manager.ts onSendError raises no risk_alert for permission_denied. Flip to test() once it does.
  test('10b. …and a risk_alert tells the trader that the exchange refuses API order placement', async () => {
    const h = await harness();
    h.sim.faults.forbidOrderPlacement();
    await h.stack.enter(entry(h.clock));
    await h.idle();
    const alert = h.eventsOf('risk_alert').find((a) => a.message.includes(API_ORDERS_REFUSED_MESSAGE));
    expect(alert).toMatchObject({ severity: 'critical', instrumentId: BTC });
    expect(h.store.riskEvents.listRecent().some((e) => e.message.includes(API_ORDERS_REFUSED_MESSAGE))).toBe(true);
  });
});
