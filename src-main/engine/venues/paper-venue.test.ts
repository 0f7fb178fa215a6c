import { describe, expect, test } from 'vitest';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import { ClientOrderId } from '../../../src-shared/domain/ids';
import { Money, Price, Quantity } from '../../../src-shared/domain/values';
import { defaultSettings } from '../../../src-shared/contract/settings';
import { SimulatedClock } from '../clock/clock';
import { Account } from '../execution/accounting';
import { PaperVenue, paperVenueSettings } from './paper-venue';
import { BTC, ETH, INSTRUMENTS, START } from './testing/execution-fixture';
import type { SubmitOrderRequest, VenueFundingEvent, VenueLiquidationEvent, VenueOrderState } from './venue';

function venue() {
  const clock = new SimulatedClock(START);
  const paper = new PaperVenue({ clock, instruments: INSTRUMENTS, startingBalance: Money.money('10000'), slippageBps: 2, maintenanceMarginRate: Decimal.of('0.004') });
  const fills: Fill[] = [];
  const updates: VenueOrderState[] = [];
  paper.subscribe({ onFill: (f) => fills.push(f), onOrderUpdate: (u) => updates.push(u) });
  return { clock, paper, fills, updates };
}

const request = (overrides: Partial<SubmitOrderRequest> = {}): SubmitOrderRequest => ({
  clientOrderId: ClientOrderId('o1'), instrumentId: BTC.id, side: 'BUY', type: 'MARKET', quantity: Quantity.of('100'), price: null, triggerPrice: null,
  timeInForce: 'IOC', reduceOnly: false, leverage: 10, marginMode: 'isolated', ...overrides,
});

describe('PaperVenue', () => {
  test('a market order fills at the next trade plus slippage, against the taker, with the taker fee', async () => {
    const { paper, fills, updates, clock } = venue();
    const state = await paper.submitOrder(request());
    expect(state.status).toBe('ACCEPTED');
    expect(fills).toHaveLength(0);
    paper.onTrade(BTC.id, clock.now(), 60000);
    expect(fills).toHaveLength(1);
    expect(fills[0]!.lastPx.toString()).toBe('60012'); // +2 bp, rounded up to the tick
    expect(fills[0]!.commission.toString()).toBe('0.360072'); // 600.12 × 0.0006
    expect(fills[0]!.venueOrderId).toBe('paper-1');
    expect(updates.at(-1)).toMatchObject({ status: 'FILLED' });
    expect((await paper.fetchOrder(BTC.id, ClientOrderId('o1'), null))?.status).toBe('FILLED');
  });

  test('submitting the same client order id twice returns the first order', async () => {
    const { paper, clock, fills } = venue();
    await paper.submitOrder(request());
    const again = await paper.submitOrder(request({ quantity: Quantity.of('5') }));
    expect(again.venueOrderId).toBe('paper-1');
    paper.onTrade(BTC.id, clock.now(), 60000);
    expect(fills).toHaveLength(1);
  });

  test('a limit order rests until a trade prints through its price, then fills as maker', async () => {
    const { paper, clock, fills } = venue();
    await paper.submitOrder(request({ type: 'LIMIT', price: Price.of('59000'), timeInForce: 'GTC' }));
    paper.onTrade(BTC.id, clock.now(), 59000);
    expect(fills).toHaveLength(0);
    expect(await paper.fetchOpenOrders(BTC.id)).toHaveLength(1);
    paper.onTrade(BTC.id, clock.now(), 58999.9);
    expect(fills[0]).toMatchObject({ liquiditySide: 'MAKER' });
    expect(fills[0]!.lastPx.toString()).toBe('59000');
  });

  test('positions, balance and a cancelled order are reported like an exchange would', async () => {
    const { paper, clock } = venue();
    await paper.submitOrder(request());
    paper.onTrade(BTC.id, clock.now(), 60000);
    paper.onTrade(BTC.id, clock.now(), 60500);
    const [position] = await paper.fetchPositions();
    expect(position).toMatchObject({ side: 'LONG', leverage: 10 });
    expect(position!.quantity.toString()).toBe('100');
    expect(position!.markPrice?.toString()).toBe('60500');
    expect(position!.unrealizedPnl?.toString()).toBe('4.88'); // (60,500 − 60,012) × 100 × 0.0001
    expect((await paper.fetchBalance()).total.toString()).toBe('9999.639928'); // less the fee
    await paper.submitOrder(request({ clientOrderId: ClientOrderId('o2'), type: 'LIMIT', price: Price.of('50000'), timeInForce: 'GTC' }));
    const cancelled = await paper.cancelOrder(BTC.id, ClientOrderId('o2'), null);
    expect(cancelled.status).toBe('CANCELED');
  });

  test('a reduce-only order that would grow the position is refused', async () => {
    const { paper } = venue();
    await expect(paper.submitOrder(request({ side: 'SELL', reduceOnly: true }))).rejects.toMatchObject({ kind: 'invalid_order', family: 'terminal' });
  });

  test('ended orders are forgotten beyond the configured memory, oldest first', async () => {
    const clock = new SimulatedClock(START);
    const paper = new PaperVenue({ clock, instruments: INSTRUMENTS, startingBalance: Money.money('10000'), slippageBps: 0, maintenanceMarginRate: Decimal.of('0.004'), maxRememberedOrders: 2 });
    for (let i = 1; i <= 3; i++) {
      await paper.submitOrder(request({ clientOrderId: ClientOrderId(`o${i}`), side: i % 2 === 1 ? 'BUY' : 'SELL' }));
      paper.onTrade(BTC.id, clock.now(), 60000);
    }
    expect(await paper.fetchOrder(BTC.id, ClientOrderId('o1'), null)).toBeNull();
    expect(await paper.fetchOrder(BTC.id, ClientOrderId('o3'), null)).not.toBeNull();
  });
});

type VenueOverrides = Partial<Omit<ConstructorParameters<typeof PaperVenue>[0], 'clock' | 'instruments'>>;

/** A venue without slippage unless asked, recording everything it tells its subscribers. */
function recordingVenue(overrides: VenueOverrides = {}) {
  const clock = new SimulatedClock(START);
  const paper = new PaperVenue({ clock, instruments: INSTRUMENTS, startingBalance: Money.money('10000'), slippageBps: 0, maintenanceMarginRate: Decimal.of('0.004'), ...overrides });
  const fills: Fill[] = [];
  const updates: VenueOrderState[] = [];
  const funding: VenueFundingEvent[] = [];
  const liquidations: VenueLiquidationEvent[] = [];
  paper.subscribe({ onFill: (f) => fills.push(f), onOrderUpdate: (u) => updates.push(u), onFunding: (e) => funding.push(e), onLiquidation: (e) => liquidations.push(e) });
  return { clock, paper, fills, updates, funding, liquidations };
}

const total = async (paper: PaperVenue) => (await paper.fetchBalance()).total.toString();
/** BTC book levels in base units (the engine's recorded books): 0.005 BTC = 50 contracts of 0.0001 BTC. */
const lv = (price: number, btc: number) => ({ price, quantity: btc });
const HOUR = 3_600_000;

describe('PaperVenue book walking', () => {
  test('a market buy fills at the next book update by walking the asks: one fill at the volume-weighted price, rounded up to the tick, with the taker fee', async () => {
    const { paper, clock, fills, updates } = recordingVenue();
    await paper.submitOrder(request());
    paper.onBook(BTC.id, clock.now() + 100, [lv(59999.5, 1)], [lv(60000, 0.005), lv(60000.5, 0.01), lv(60001, 1)]);
    expect(fills).toHaveLength(1);
    // 50 @ 60,000 + 50 @ 60,000.5 = 60,000.25 → 60,000.3 against the buyer
    expect(fills[0]!.lastPx.toString()).toBe('60000.3');
    expect(fills[0]).toMatchObject({ liquiditySide: 'TAKER', tsEvent: clock.now() + 100 });
    expect(fills[0]!.commission.toString()).toBe('0.3600018'); // 600.003 × 0.0006
    expect(updates.at(-1)).toMatchObject({ status: 'FILLED', averageFillPrice: Price.of('60000.3') });
  });

  test('a market sell walks the bids and rounds the average down', async () => {
    const { paper, clock, fills } = recordingVenue();
    await paper.submitOrder(request({ side: 'SELL' }));
    paper.onBook(BTC.id, clock.now(), [lv(60000, 0.005), lv(59999.5, 0.01)], [lv(60000.5, 1)]);
    expect(fills[0]!.lastPx.toString()).toBe('59999.7'); // 59,999.75 → down
  });

  test('when the book is too thin the remainder fills at the last level plus slippage', async () => {
    const { paper, clock, fills } = recordingVenue({ slippageBps: 2 });
    await paper.submitOrder(request());
    paper.onBook(BTC.id, clock.now(), [lv(59999, 1)], [lv(60000, 0.005)]);
    // 50 @ 60,000 + 50 @ 60,012 (60,000 + 2 bp) = 60,006
    expect(fills[0]!.lastPx.toString()).toBe('60006');
  });

  test('at a trade, a market order walks the latest book while it is fresh, not the trade price', async () => {
    const { paper, clock, fills } = recordingVenue({ slippageBps: 2 });
    paper.onBook(BTC.id, clock.now() - 1_500, [lv(59999, 1)], [lv(60000, 1)]);
    await paper.submitOrder(request());
    paper.onTrade(BTC.id, clock.now() + 400, 61000); // the book is 1.9 s old: within the default 2 s
    expect(fills[0]!.lastPx.toString()).toBe('60000');
  });

  test('a stale book is ignored: the market order fills at the trade plus slippage', async () => {
    const { paper, clock, fills } = recordingVenue({ slippageBps: 2, bookStaleMs: 1_000 });
    paper.onBook(BTC.id, clock.now() - 1_001, [lv(59999, 1)], [lv(60000, 1)]);
    await paper.submitOrder(request());
    paper.onTrade(BTC.id, clock.now(), 61000);
    expect(fills[0]!.lastPx.toString()).toBe('61012.2'); // 61,000 + 2 bp, rounded up
  });

  test('a book of another instrument does not change how an order fills', async () => {
    const { paper, clock, fills } = recordingVenue({ slippageBps: 2 });
    paper.onBook(ETH.id, clock.now(), [lv(2999, 100)], [lv(3000, 100)]);
    await paper.submitOrder(request());
    paper.onTrade(BTC.id, clock.now(), 60000);
    expect(fills[0]!.lastPx.toString()).toBe('60012');
  });

  test('a book stamped before the order was sent does not fill it; the next event does', async () => {
    const { paper, clock, fills } = recordingVenue();
    await paper.submitOrder(request());
    paper.onBook(BTC.id, clock.now() - 1, [lv(59999, 1)], [lv(60000, 1)]);
    expect(fills).toHaveLength(0);
    paper.onBook(BTC.id, clock.now(), [lv(59999, 1)], [lv(60001, 1)]);
    expect(fills[0]!.lastPx.toString()).toBe('60001');
  });

  test('two market orders at one event: the second walks what the first left, until the next book', async () => {
    const { paper, clock, fills } = recordingVenue();
    await paper.submitOrder(request());
    await paper.submitOrder(request({ clientOrderId: ClientOrderId('o2') }));
    paper.onBook(BTC.id, clock.now(), [lv(59999, 1)], [lv(60000, 0.01), lv(60001, 1)]);
    expect(fills.map((f) => f.lastPx.toString())).toEqual(['60000', '60001']);
    await paper.submitOrder(request({ clientOrderId: ClientOrderId('o3') }));
    paper.onTrade(BTC.id, clock.now() + 10, 60000.5);
    expect(fills[2]!.lastPx.toString()).toBe('60001'); // the 60,000 level is still taken
    await paper.submitOrder(request({ clientOrderId: ClientOrderId('o4') }));
    paper.onBook(BTC.id, clock.now() + 20, [lv(59999, 1)], [lv(60000, 0.01)]);
    expect(fills[3]!.lastPx.toString()).toBe('60000'); // a new book is whole again
  });

  test('book quantities can be given in contracts, and as [price, quantity] tuples', async () => {
    const { paper, clock, fills } = recordingVenue({ bookQuantityUnit: 'contracts' });
    await paper.submitOrder(request());
    paper.onBook(BTC.id, clock.now(), [[59999, 1000]], [[60000, 50], [60001, 50]]);
    expect(fills[0]!.lastPx.toString()).toBe('60000.5');
  });

  test('with a book on one side only, a market buy waits at the book and fills at the next trade', async () => {
    const { paper, clock, fills } = recordingVenue();
    await paper.submitOrder(request());
    paper.onBook(BTC.id, clock.now(), [lv(59999, 1)], []);
    expect(fills).toHaveLength(0);
    paper.onTrade(BTC.id, clock.now() + 5, 60002);
    expect(fills[0]!.lastPx.toString()).toBe('60002');
  });
});

describe('PaperVenue limit orders and fees', () => {
  test('a limit buy fills at its price with the maker fee when a trade prints through it, not when the book touches it', async () => {
    const { paper, clock, fills } = recordingVenue();
    await paper.submitOrder(request({ type: 'LIMIT', price: Price.of('59000'), timeInForce: 'GTC' }));
    paper.onBook(BTC.id, clock.now(), [lv(58980, 1)], [lv(58990, 1)]);
    paper.onTrade(BTC.id, clock.now(), 59000);
    expect(fills).toHaveLength(0);
    paper.onTrade(BTC.id, clock.now() + 1, 58990);
    expect(fills[0]).toMatchObject({ liquiditySide: 'MAKER' });
    expect(fills[0]!.lastPx.toString()).toBe('59000');
    expect(fills[0]!.commission.toString()).toBe('0.118'); // 590 × 0.0002
  });

  test('a limit sell fills when a trade prints above its price', async () => {
    const { paper, clock, fills } = recordingVenue();
    await paper.submitOrder(request({ side: 'SELL', type: 'LIMIT', price: Price.of('61000'), timeInForce: 'GTC' }));
    paper.onTrade(BTC.id, clock.now(), 61000);
    expect(fills).toHaveLength(0);
    paper.onTrade(BTC.id, clock.now(), 61000.1);
    expect(fills[0]!.lastPx.toString()).toBe('61000');
  });

  test('maker and taker fees from settings.paper replace the instrument\'s own', async () => {
    const settings = defaultSettings();
    settings.paper.makerFee = '0.0001';
    settings.paper.takerFee = '0.0005';
    settings.paper.fundingRate = '0';
    const { paper, clock, fills } = recordingVenue(paperVenueSettings(settings.paper));
    await paper.submitOrder(request({ type: 'LIMIT', price: Price.of('59000'), timeInForce: 'GTC' }));
    await paper.submitOrder(request({ clientOrderId: ClientOrderId('o2'), side: 'SELL' }));
    paper.onTrade(BTC.id, clock.now(), 58999.9);
    const fees = Object.fromEntries(fills.map((f) => [f.clientOrderId, f.commission.toString()]));
    expect(fees).toEqual({ o1: '0.059', o2: '0.2949405' }); // 590 × 0.0001; 58,988.1 (2 bp below 58,999.9, rounded down) × 0.01 × 0.0005
  });

  test('settings.paper maps to the venue options, fee overrides only when set', () => {
    const options = paperVenueSettings(defaultSettings().paper);
    expect(options.makerFee).toBeUndefined();
    expect(options.takerFee).toBeUndefined();
    expect(options).toMatchObject({ slippageBps: 2, fundingIntervalHours: 8, bookStaleMs: 2_000 });
    expect(options.fundingRate?.toString()).toBe('0.0001');
    expect(options.maintenanceMarginRate.toString()).toBe('0.004');
  });
});

describe('PaperVenue funding', () => {
  // START is 12:00 UTC: the next funding times are 16:00, then 00:00 and 08:00
  const at = (hours: number, ms = 0) => START + hours * HOUR + ms;

  test('a long pays rate × notional at the mark at 16:00 UTC, and not before', async () => {
    const { paper, clock, funding } = recordingVenue({ fundingRate: Decimal.of('0.0001') });
    await paper.submitOrder(request());
    paper.onTrade(BTC.id, clock.now(), 60000); // long 100 @ 60,000, fee 0.36
    paper.onTrade(BTC.id, at(4, -1), 61000); // 15:59:59.999
    expect(funding).toHaveLength(0);
    paper.onTrade(BTC.id, at(4, 250), 62000);
    expect(funding).toHaveLength(1);
    const [event] = funding;
    expect(event!.ts).toBe(Date.UTC(2024, 7, 8, 16));
    expect(event!.markPrice.toString()).toBe('61000'); // the mark at 16:00, not the trade after it
    expect(event!.amount.toString()).toBe('-0.061'); // 61,000 × 100 × 0.0001 × 0.0001
    expect(event!.rate.toString()).toBe('0.0001');
    expect(await total(paper)).toBe('9999.579'); // 10,000 − 0.36 − 0.061
    expect(paper.totalFunding().toString()).toBe('-0.061');
  });

  test('a short receives a positive rate, and a long receives a negative one', async () => {
    const short = recordingVenue({ fundingRate: Decimal.of('0.0001') });
    await short.paper.submitOrder(request({ side: 'SELL' }));
    short.paper.onTrade(BTC.id, START, 60000);
    short.paper.onTrade(BTC.id, at(4), 60000);
    expect(short.funding.map((e) => e.amount.toString())).toEqual(['0.06']);

    const long = recordingVenue({ fundingRate: Decimal.of('-0.0002') });
    await long.paper.submitOrder(request());
    long.paper.onTrade(BTC.id, START, 60000);
    long.paper.onTrade(BTC.id, at(4), 60000);
    expect(long.funding.map((e) => e.amount.toString())).toEqual(['0.12']);
  });

  test('every funding time a gap in the data passes is charged, at the UTC schedule', async () => {
    const { paper, clock, funding } = recordingVenue({ fundingRate: Decimal.of('0.0001') });
    await paper.submitOrder(request());
    paper.onTrade(BTC.id, clock.now(), 60000);
    paper.onTrade(BTC.id, at(24), 60000); // next day 12:00
    expect(funding.map((e) => new Date(e.ts).toISOString())).toEqual(['2024-08-08T16:00:00.000Z', '2024-08-09T00:00:00.000Z', '2024-08-09T08:00:00.000Z']);
  });

  test('a 4-hour interval charges at 16:00 and 20:00', async () => {
    const { paper, clock, funding } = recordingVenue({ fundingRate: Decimal.of('0.0001'), fundingIntervalHours: 4 });
    await paper.submitOrder(request());
    paper.onTrade(BTC.id, clock.now(), 60000);
    paper.onTrade(BTC.id, at(9), 60000);
    expect(funding.map((e) => new Date(e.ts).getUTCHours())).toEqual([16, 20]);
  });

  test('no funding when flat, nor for a position closed before the funding time, nor without a configured rate', async () => {
    const flat = recordingVenue({ fundingRate: Decimal.of('0.0001') });
    flat.paper.onTrade(BTC.id, START, 60000);
    flat.paper.onTrade(BTC.id, at(30), 60000);
    expect(flat.funding).toHaveLength(0);
    expect(await total(flat.paper)).toBe('10000');

    const closed = recordingVenue({ fundingRate: Decimal.of('0.0001') });
    await closed.paper.submitOrder(request());
    closed.paper.onTrade(BTC.id, START, 60000);
    await closed.paper.submitOrder(request({ clientOrderId: ClientOrderId('o2'), side: 'SELL', reduceOnly: true }));
    closed.paper.onTrade(BTC.id, at(1), 60000);
    closed.paper.onTrade(BTC.id, at(5), 60000);
    expect(closed.funding).toHaveLength(0);

    const unconfigured = recordingVenue();
    await unconfigured.paper.submitOrder(request());
    unconfigured.paper.onTrade(BTC.id, START, 60000);
    unconfigured.paper.onTrade(BTC.id, at(5), 60000);
    expect(unconfigured.funding).toHaveLength(0);
  });

  test('a position opened by the event at the funding time itself pays nothing for it', async () => {
    const { paper, funding } = recordingVenue({ fundingRate: Decimal.of('0.0001') });
    paper.onTrade(BTC.id, START, 60000);
    await paper.submitOrder(request());
    paper.onTrade(BTC.id, at(4), 60000); // fills at 16:00:00.000 exactly
    paper.onTrade(BTC.id, at(5), 60000);
    expect(funding).toHaveLength(0);
  });

  test('a per-instrument rate function wins, book updates drive funding too, and the time is never read from the clock', async () => {
    const asked: Array<[string, number]> = [];
    const { paper, clock, funding } = recordingVenue({
      fundingRate: Decimal.of('0.0001'),
      fundingRateFor: (instrumentId, fundingTime) => {
        asked.push([instrumentId, fundingTime]);
        return instrumentId === BTC.id ? Decimal.of('0.0003') : null;
      },
    });
    await paper.submitOrder(request());
    await paper.submitOrder(request({ clientOrderId: ClientOrderId('e1'), instrumentId: ETH.id, quantity: Quantity.of('10') }));
    paper.onTrade(BTC.id, START, 60000);
    paper.onTrade(ETH.id, START, 3000);
    clock.advanceBy(10 * HOUR);
    expect(funding).toHaveLength(0);
    paper.onBook(ETH.id, at(4, 1), [lv(2999, 1)], [lv(3001, 1)]);
    expect(funding.map((e) => [e.instrumentId, e.amount.toString()])).toEqual([[BTC.id, '-0.18']]); // 600 × 0.0003
    expect(asked).toEqual([[BTC.id, at(4)], [ETH.id, at(4)]]);
  });
});

describe('PaperVenue liquidation', () => {
  // long 100 @ 60,000 at 10×: cost 600, margin 60; liquidation (600 − 60) / (0.01 × 0.996) = 54,216.87 → 54,216.9
  async function longAt10x() {
    const venue = recordingVenue();
    await venue.paper.submitOrder(request());
    venue.paper.onTrade(BTC.id, START, 60000);
    return venue;
  }

  test('a long is not liquidated before the mark reaches its liquidation price', async () => {
    const { paper, liquidations } = await longAt10x();
    const [position] = await paper.fetchPositions();
    expect(position!.liquidationPrice?.toString()).toBe('54216.9');
    paper.onTrade(BTC.id, START + 1, 54217);
    expect(liquidations).toHaveLength(0);
    expect(await paper.fetchPositions()).toHaveLength(1);
  });

  test('a long is closed at its liquidation price when the mark reaches it: the position is gone, the balance lost the margin, subscribers are told', async () => {
    const { paper, fills, liquidations } = await longAt10x();
    paper.onTrade(BTC.id, START + 1, 54216.9);
    expect(await paper.fetchPositions()).toEqual([]);
    expect(await total(paper)).toBe('9939.64'); // 10,000 − 0.36 fee − 60 margin
    expect((await paper.fetchBalance()).used.toString()).toBe('0');
    expect(liquidations).toHaveLength(1);
    const [event] = liquidations;
    expect(event).toMatchObject({ instrumentId: BTC.id, side: 'LONG', ts: START + 1 });
    expect(event!.price.toString()).toBe('54216.9');
    expect(event!.quantity.toString()).toBe('100');
    expect(event!.margin.toString()).toBe('60');
    expect(event!.realizedPnl.toString()).toBe('-57.831'); // (54,216.9 − 60,000) × 0.01
    expect(event!.fill).toMatchObject({ side: 'SELL', liquiditySide: 'TAKER', clientOrderId: `liquidation-${BTC.id}-1`, fillId: 'paper-liquidation-fill-1', tsEvent: START + 1 });
    expect(event!.fill.commission.toString()).toBe('2.169'); // the margin left, taken by the exchange
    expect(fills).toHaveLength(1); // the opening fill only: no order of the subscriber owns the liquidation
    expect((await paper.fetchOrder(BTC.id, ClientOrderId(`liquidation-${BTC.id}-1`), null))).toMatchObject({ status: 'FILLED', reason: 'liquidation' });
  });

  test('a short is closed at its liquidation price even when the mark gaps through it', async () => {
    const { paper, liquidations } = recordingVenue();
    await paper.submitOrder(request({ side: 'SELL' }));
    paper.onTrade(BTC.id, START, 60000);
    // (600 + 60) / (0.01 × 1.004) = 65,737.05 → 65,737.0
    paper.onTrade(BTC.id, START + 1, 65736.9);
    expect(liquidations).toHaveLength(0);
    paper.onTrade(BTC.id, START + 2, 66000);
    expect(liquidations).toHaveLength(1);
    expect(liquidations[0]!.price.toString()).toBe('65737');
    expect(liquidations[0]!.fill.side).toBe('BUY');
    expect(liquidations[0]!.fill.commission.toString()).toBe('2.63'); // 60 − 57.37
    expect(await paper.fetchPositions()).toEqual([]);
    expect(await total(paper)).toBe('9939.64');
  });

  test('a resting reduce-only order is cancelled with the liquidation; other orders keep working', async () => {
    const { paper, updates } = await longAt10x();
    await paper.submitOrder(request({ clientOrderId: ClientOrderId('tp'), side: 'SELL', type: 'LIMIT', price: Price.of('65000'), timeInForce: 'GTC', reduceOnly: true }));
    await paper.submitOrder(request({ clientOrderId: ClientOrderId('bid'), type: 'LIMIT', price: Price.of('50000'), timeInForce: 'GTC' }));
    paper.onTrade(BTC.id, START + 1, 54000);
    expect(updates.find((u) => u.clientOrderId === 'tp')).toMatchObject({ status: 'CANCELED', reason: 'liquidation' });
    expect((await paper.fetchOpenOrders()).map((o) => o.clientOrderId)).toEqual(['bid']);
  });

  test('higher leverage set on the open position moves its liquidation price closer', async () => {
    const { paper, liquidations } = await longAt10x();
    await paper.setLeverage(BTC.id, 20);
    const [position] = await paper.fetchPositions();
    // (600 − 30) / (0.01 × 0.996) = 57,228.91 → 57,229
    expect(position!.liquidationPrice?.toString()).toBe('57229');
    paper.onTrade(BTC.id, START + 1, 57229);
    expect(liquidations).toHaveLength(1);
  });

  test('an Account fed the venue\'s fills, funding and liquidation ends with the venue\'s balance', async () => {
    const { paper, clock } = recordingVenue({ fundingRate: Decimal.of('0.0001'), slippageBps: 3 });
    const account = new Account({ instruments: INSTRUMENTS, startingCapital: Money.money('10000'), sessionId: null, maintenanceMarginRate: Decimal.of('0.004') });
    paper.subscribe({
      onFill: (fill) => account.applyFill(fill, { strategyId: null, leverage: 10 }),
      onOrderUpdate: () => undefined,
      onFunding: (event) => account.applyFunding(event.instrumentId, event.rate, event.ts, event.markPrice),
      onLiquidation: (event) => account.applyFill(event.fill, { strategyId: null, leverage: 10, reason: 'liquidated' }),
    });
    await paper.submitOrder(request());
    paper.onBook(BTC.id, clock.now(), [lv(59990, 1)], [lv(60000, 0.004), lv(60000.7, 0.02)]);
    paper.onTrade(BTC.id, START + 5 * HOUR, 58000);
    paper.onTrade(BTC.id, START + 13 * HOUR, 54000);
    expect(await paper.fetchPositions()).toEqual([]);
    expect(account.openPositionCount()).toBe(0);
    expect(account.balance().toString()).toBe(await total(paper));
    expect(account.closedTrades()[0]).toMatchObject({ exitReason: 'liquidated' });
  });
});

describe('PaperVenue determinism', () => {
  test('the same data and orders give the same fills, ids, funding and liquidations', async () => {
    async function run() {
      const venue = recordingVenue({ fundingRate: Decimal.of('0.0001'), slippageBps: 2 });
      const { paper, clock } = venue;
      let price = 60000;
      for (let i = 0; i < 400; i++) {
        const ts = START + i * 7 * 60_000; // every 7 minutes, across several funding times
        clock.advanceTo(ts);
        price = Math.round((price + Math.sin(i) * 120 - 25) * 10) / 10;
        if (i % 3 === 0) paper.onBook(BTC.id, ts, [lv(price - 0.5, 0.003), lv(price - 1, 0.05)], [lv(price + 0.5, 0.003), lv(price + 1, 0.05)]);
        if (i % 25 === 0) await paper.submitOrder(request({ clientOrderId: ClientOrderId(`m${i}`), side: i % 50 === 0 ? 'BUY' : 'SELL', leverage: 25 }));
        if (i % 40 === 5) await paper.submitOrder(request({ clientOrderId: ClientOrderId(`l${i}`), type: 'LIMIT', price: Price.of((price - 30).toFixed(1)), timeInForce: 'GTC', leverage: 25 }));
        paper.onTrade(BTC.id, ts + 1, price);
      }
      return { fills: venue.fills, funding: venue.funding, liquidations: venue.liquidations, updates: venue.updates, balance: await total(paper) };
    }
    const first = await run();
    const second = await run();
    expect(first.fills.length).toBeGreaterThan(10);
    expect(first.funding.length).toBeGreaterThan(0);
    expect(first.liquidations.length).toBeGreaterThan(0);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});
