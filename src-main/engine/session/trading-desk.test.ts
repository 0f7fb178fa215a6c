import { afterEach, describe, expect, test } from 'vitest';
import type { CommandHandlers, CommandInput, CommandName, CommandResponse } from '../../../src-shared/contract/commands';
import type { Result } from '../../../src-shared/contract/result';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import { defaultSettings } from '../../../src-shared/contract/settings';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { ClientOrderId, InstrumentId, VenueOrderId } from '../../../src-shared/domain/ids';
import { Money } from '../../../src-shared/domain/values';
import { InProcessEventBus } from '../bus/event-bus';
import { SimulatedClock } from '../clock/clock';
import { CommandDispatcher } from '../dispatcher';
import { TradingStack } from '../execution/trading-stack';
import { createLogger, memorySink } from '../ops/logger';
import { openStore, type Store } from '../store/store';
import { PaperVenue } from '../venues/paper-venue';
import { BTC, INSTRUMENTS, MIGRATIONS_DIR, START } from '../venues/testing/execution-fixture';
import type { SubmitOrderRequest, VenueOrderState } from '../venues/venue';
import { TRADER_CLOSE_REASON, TradingDesk } from './trading-desk';

const SESSION = 'paper-1';
const ENDED = 'paper-0';

/** The paper venue, counting what it is asked: "refused before any venue call" is checked on it. */
class CountingPaperVenue extends PaperVenue {
  readonly submitted: SubmitOrderRequest[] = [];
  cancels = 0;
  override submitOrder(request: SubmitOrderRequest): Promise<VenueOrderState> {
    this.submitted.push(request);
    return super.submitOrder(request);
  }
  override cancelOrder(instrumentId: InstrumentId, clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null = null): Promise<VenueOrderState> {
    this.cancels++;
    return super.cancelOrder(instrumentId, clientOrderId, venueOrderId);
  }
}

function sessionRow(id: string, status: SessionDto['status']): SessionDto {
  return { id, kind: 'paper', status, name: `paper ${id}`, instruments: [BTC.id], strategyIds: [], dataSessionId: null, startedAt: START, endedAt: null, progress: 0, error: null, createdAt: START };
}

interface Desk {
  clock: SimulatedClock;
  store: Store;
  venue: CountingPaperVenue;
  stack: TradingStack;
  /** Through the real dispatcher: the request is parsed with the contract before the desk sees it. */
  send<N extends CommandName>(name: N, request: CommandInput<N>): Promise<Result<CommandResponse<N>>>;
  sendRaw(name: CommandName, request: unknown): Promise<Result<unknown>>;
  /** A trade prints 100 ms later: the venue fills what it reaches, the stack marks and checks the levels. */
  trade(price: number): Promise<void>;
  /** Opens a position with a market order that fills at the next trade. */
  open(side: 'BUY' | 'SELL', contracts: number, price: number): Promise<void>;
}

const open: Desk[] = [];

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function createDesk(): Promise<Desk> {
  const clock = new SimulatedClock(START);
  const settings = defaultSettings();
  const store = openStore(':memory:', { migrationsDir: MIGRATIONS_DIR, clock });
  const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 100 });
  const capital = Money.money('10000');
  const venue = new CountingPaperVenue({
    clock, instruments: INSTRUMENTS, startingBalance: capital, slippageBps: 0, maintenanceMarginRate: Decimal.of(settings.paper.maintenanceMarginRate),
  });
  let seq = 0;
  const stack = new TradingStack({
    sessionId: SESSION, venue, clock, settings, instruments: INSTRUMENTS, capital, store, bus, exchange: false, clientOrderIds: () => `${SESSION}-o${++seq}`,
  });
  await stack.start();
  store.sessions.create(sessionRow(SESSION, 'running'));
  store.sessions.create(sessionRow(ENDED, 'completed'));
  const logger = createLogger('session/trading-desk', memorySink());
  const desk = new TradingDesk({ stackFor: (id) => (id === SESSION ? stack : undefined), store, logger });
  // only the desk's three commands are looked up, so the partial map stands in for the full one
  const dispatcher = new CommandDispatcher(desk.handlers() as CommandHandlers, logger);
  const trade = async (price: number): Promise<void> => {
    clock.advanceBy(100);
    venue.onTrade(BTC.id, clock.now(), price);
    stack.onTrade(BTC.id, price);
    await settle();
  };
  const fixture: Desk = {
    clock, store, venue, stack, trade,
    send: (name, request) => dispatcher.invoke(name, request) as never,
    sendRaw: (name, request) => dispatcher.invoke(name, request),
    open: async (side, contracts, price) => {
      const decision = stack.risk.check({ instrumentId: BTC.id, side, type: 'MARKET', quantity: contracts, referencePrice: price, leverage: 2, sessionId: SESSION, purpose: 'entry' });
      if (!decision.approved) throw new Error(decision.denial.message);
      const outcome = await stack.orders.submit(decision.approval);
      if (!outcome.accepted) throw new Error(outcome.denial.message);
      await settle();
      await trade(price);
    },
  };
  open.push(fixture);
  return fixture;
}

afterEach(async () => {
  for (const fixture of open.splice(0)) {
    await fixture.stack.stop();
    fixture.store.close();
  }
});

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.type}: ${result.error.message}`);
  return result.value;
}

describe('TradingDesk: cancelling an order', () => {
  test('cancels a resting limit order of the session at the venue', async () => {
    const d = await createDesk();
    await d.trade(60_000);
    const decision = d.stack.risk.check({ instrumentId: BTC.id, side: 'BUY', type: 'LIMIT', quantity: 2, price: '59000', referencePrice: 60_000, leverage: 2, sessionId: SESSION, purpose: 'entry' });
    if (!decision.approved) throw new Error(decision.denial.message);
    const placed = await d.stack.orders.submit(decision.approval);
    if (!placed.accepted) throw new Error('not accepted');
    await settle();
    expect(d.stack.orders.status(placed.order.clientOrderId)?.status).toBe('ACCEPTED');

    const cancelled = value(await d.send('orders.cancel', { sessionId: SESSION, clientOrderId: placed.order.clientOrderId }));
    expect(cancelled.status).toBe('CANCELED');
    expect(d.venue.cancels).toBe(1);
    expect(await d.venue.fetchOpenOrders()).toEqual([]);
    // a trade through the old limit no longer fills it
    await d.trade(58_900);
    expect(d.stack.account.position(BTC.id)?.side).toBe('FLAT');
    // a second click answers with the same cancelled order and asks the venue nothing
    expect(value(await d.send('orders.cancel', { sessionId: SESSION, clientOrderId: placed.order.clientOrderId })).status).toBe('CANCELED');
    expect(d.venue.cancels).toBe(1);
  });

  test('an unknown order is not_found at request.clientOrderId', async () => {
    const d = await createDesk();
    const result = await d.send('orders.cancel', { sessionId: SESSION, clientOrderId: 'nope' });
    expect(result).toMatchObject({ ok: false, error: { type: 'not_found', paths: ['request.clientOrderId'] } });
    expect(d.venue.cancels).toBe(0);
  });

  test('a filled order cannot be cancelled: conflict', async () => {
    const d = await createDesk();
    await d.open('BUY', 2, 60_000);
    const filled = d.venue.submitted[0]!.clientOrderId;
    const result = await d.send('orders.cancel', { sessionId: SESSION, clientOrderId: filled });
    expect(result).toMatchObject({ ok: false, error: { type: 'conflict', paths: ['request.clientOrderId'] } });
    expect(result.ok ? '' : result.error.message).toContain('FILLED');
  });

  test('an unknown session is not_found and an ended one a conflict, both at request.sessionId', async () => {
    const d = await createDesk();
    expect(await d.send('orders.cancel', { sessionId: 'ghost', clientOrderId: 'x' })).toMatchObject({ ok: false, error: { type: 'not_found', paths: ['request.sessionId'] } });
    const ended = await d.send('positions.close', { sessionId: ENDED, instrumentId: BTC.id, fraction: 1 });
    expect(ended).toMatchObject({ ok: false, error: { type: 'conflict', paths: ['request.sessionId'] } });
    expect(ended.ok ? '' : ended.error.message).toContain('completed');
  });
});

describe('TradingDesk: closing a position', () => {
  test('closes half rounded down to the lot, then the rest, with reduce-only market orders; then nothing is left', async () => {
    const d = await createDesk();
    await d.open('BUY', 3, 60_000);
    expect(d.stack.account.position(BTC.id)?.quantity.toString()).toBe('3');

    const half = value(await d.send('positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 0.5 })).order;
    // 1.5 contracts is not a whole lot: one contract, never more than asked
    expect(half).toMatchObject({ side: 'SELL', type: 'MARKET', quantity: '1', reduceOnly: true, sessionId: SESSION });
    await d.trade(60_100);
    expect(d.stack.orders.status(half!.clientOrderId)?.status).toBe('FILLED');
    expect(d.stack.account.position(BTC.id)).toMatchObject({ side: 'LONG' });
    expect(d.stack.account.position(BTC.id)?.quantity.toString()).toBe('2');

    const rest = value(await d.send('positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 1 })).order;
    expect(rest).toMatchObject({ side: 'SELL', quantity: '2', reduceOnly: true });
    await d.trade(60_200);
    expect(d.stack.account.position(BTC.id)?.side).toBe('FLAT');
    expect(d.stack.account.closedTrades().at(-1)?.exitReason).toBe(TRADER_CLOSE_REASON);

    expect(value(await d.send('positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 1 }))).toEqual({ order: null });
    expect(d.venue.submitted.map((r) => [r.side, r.quantity.toString(), r.reduceOnly])).toEqual([['BUY', '3', false], ['SELL', '1', true], ['SELL', '2', true]]);
  });

  test('a close while the whole position is already closing sends nothing more', async () => {
    const d = await createDesk();
    await d.open('SELL', 2, 60_000);
    const first = value(await d.send('positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 1 })).order;
    expect(first).toMatchObject({ side: 'BUY', quantity: '2', reduceOnly: true });
    // the market close waits for the next trade: a second click finds it covers the position
    expect(value(await d.send('positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 1 }))).toEqual({ order: null });
    expect(d.venue.submitted).toHaveLength(2);
  });

  test('half of one contract rounds to nothing: refused at request.fraction, naming the lot size', async () => {
    const d = await createDesk();
    await d.open('BUY', 1, 60_000);
    const result = await d.send('positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 0.5 });
    expect(result).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.fraction'] } });
    expect(result.ok ? '' : result.error.message).toMatch(/lot size of BTC\/USDT:USDT is 1 contract/);
    expect(d.venue.submitted).toHaveLength(1);
  });

  test("a trader's close passes a halted trading state: it only reduces", async () => {
    const d = await createDesk();
    await d.open('BUY', 2, 60_000);
    d.stack.risk.setTradingState('HALTED', 'test');
    const order = value(await d.send('positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 1 })).order;
    expect(order).toMatchObject({ reduceOnly: true, quantity: '2' });
    await d.trade(59_900);
    expect(d.stack.account.position(BTC.id)?.side).toBe('FLAT');
  });

  test('an instrument the session does not trade is not_found; one never traded too; a flat one has nothing to close', async () => {
    const d = await createDesk();
    expect(await d.send('positions.close', { sessionId: SESSION, instrumentId: 'XRP/USDT:USDT', fraction: 1 })).toMatchObject({ ok: false, error: { type: 'not_found', paths: ['request.instrumentId'] } });
    expect(await d.send('positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 1 })).toMatchObject({ ok: false, error: { type: 'not_found', paths: ['request.instrumentId'] } });
    await d.trade(60_000); // marked, never traded: flat
    expect(value(await d.send('positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 1 }))).toEqual({ order: null });
    expect(d.venue.submitted).toHaveLength(0);
  });
});

describe('TradingDesk: stop-loss and take-profit', () => {
  test('sets a stop-loss below the price of a long and a take-profit above; the position carries them on the tick', async () => {
    const d = await createDesk();
    await d.open('BUY', 2, 60_000);
    const position = value(await d.send('positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: '59500.04', takeProfit: '61000' }));
    expect(position).toMatchObject({ side: 'LONG', stopLoss: '59500', takeProfit: '61000', sessionId: SESSION });
    expect(d.stack.protections.get(BTC.id)).toMatchObject({ stopLoss: 59500.04, takeProfit: 61000 });
    // the journal follows it (positions.list reads it)
    expect(d.store.positions.list({ sessionId: SESSION })[0]).toMatchObject({ stopLoss: '59500', takeProfit: '61000' });
    // nulls clear them
    expect(value(await d.send('positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: null, takeProfit: null }))).toMatchObject({ stopLoss: null, takeProfit: null });
    expect(d.stack.protections.get(BTC.id)).toBeNull();
  });

  test("refuses a long's stop-loss above the price with the engine's reason at request.stopLoss", async () => {
    const d = await createDesk();
    await d.open('BUY', 2, 60_000);
    const result = await d.send('positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: '60500', takeProfit: null });
    expect(result).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.stopLoss'] } });
    expect(result.ok ? '' : result.error.message).toMatch(/stop-loss must be below the last price 60000/);
    const tp = await d.send('positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: null, takeProfit: '59000' });
    expect(tp).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.takeProfit'] } });
    expect(d.stack.protections.get(BTC.id)).toBeNull();
  });

  test('the stop-loss fires on a crossing trade and the position closes with a reduce-only market order', async () => {
    const d = await createDesk();
    await d.open('BUY', 3, 60_000);
    value(await d.send('positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: '59500', takeProfit: null }));
    await d.trade(59_600); // above the level: nothing
    expect(d.venue.submitted).toHaveLength(1);
    await d.trade(59_450); // crosses: the close is sent
    expect(d.venue.submitted.at(-1)).toMatchObject({ side: 'SELL', reduceOnly: true, type: 'MARKET' });
    expect(d.venue.submitted.at(-1)?.quantity.toString()).toBe('3');
    await d.trade(59_440); // fills at the next trade
    expect(d.stack.account.position(BTC.id)?.side).toBe('FLAT');
    expect(d.stack.account.closedTrades().at(-1)?.exitReason).toBe('stop_loss');
    expect(d.stack.protections.get(BTC.id)).toBeNull();
  });

  test('setting levels with no open position is not_found at request.instrumentId', async () => {
    const d = await createDesk();
    await d.trade(60_000);
    const result = await d.send('positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: '59000', takeProfit: null });
    expect(result).toMatchObject({ ok: false, error: { type: 'not_found', paths: ['request.instrumentId'] } });
  });
});

describe('TradingDesk: bad input is refused before any venue call', () => {
  const cases: Array<[CommandName, Record<string, unknown>, string]> = [
    ['positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: Number.NaN }, 'request.fraction'],
    ['positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: -0.5 }, 'request.fraction'],
    ['positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 0 }, 'request.fraction'],
    ['positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: 1.5 }, 'request.fraction'],
    ['positions.close', { sessionId: SESSION, instrumentId: BTC.id, fraction: '0.5' }, 'request.fraction'],
    ['positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: 'NaN', takeProfit: null }, 'request.stopLoss'],
    ['positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: '-59000', takeProfit: null }, 'request.stopLoss'],
    ['positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: null, takeProfit: '0' }, 'request.takeProfit'],
    ['positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: 59000, takeProfit: null }, 'request.stopLoss'],
    ['positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: '1e5', takeProfit: null }, 'request.stopLoss'],
    ['positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: '59000.0000000000000000001', takeProfit: null }, 'request.stopLoss'],
    ['positions.setProtection', { sessionId: SESSION, instrumentId: BTC.id, stopLoss: '59000' }, 'request.takeProfit'],
    ['orders.cancel', { sessionId: SESSION, clientOrderId: '' }, 'request.clientOrderId'],
    ['orders.cancel', { sessionId: SESSION, clientOrderId: 'x', extra: 1 }, 'request'],
  ];
  test.each(cases)('%s %j → validation at %s', async (name, request, path) => {
    const d = await createDesk();
    await d.open('BUY', 2, 60_000);
    const before = d.venue.submitted.length;
    const result = await d.sendRaw(name, request);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.type).toBe('validation');
    expect(result.error.paths?.some((p) => p === path || (path === 'request' && p.startsWith('request')))).toBe(true);
    expect(d.venue.submitted.length).toBe(before);
    expect(d.venue.cancels).toBe(0);
    expect(d.stack.protections.get(BTC.id)).toBeNull();
    expect(d.stack.account.position(BTC.id)?.quantity.toString()).toBe('2');
  });

  test('the desk checks the fraction and the levels itself too, for callers that skip the contract', async () => {
    const d = await createDesk();
    await d.open('BUY', 2, 60_000);
    const desk = new TradingDesk({ stackFor: () => d.stack, store: d.store, logger: createLogger('t', memorySink()) });
    expect(await desk.closePosition({ sessionId: SESSION, instrumentId: BTC.id, fraction: Number.NaN })).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.fraction'] } });
    expect(await desk.setProtection({ sessionId: SESSION, instrumentId: BTC.id, stopLoss: '-1', takeProfit: null })).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.stopLoss'] } });
    expect(await desk.setProtection({ sessionId: SESSION, instrumentId: BTC.id, stopLoss: null, takeProfit: 'Infinity' })).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.takeProfit'] } });
    expect(d.venue.submitted).toHaveLength(1);
  });
});
