import { afterEach, describe, expect, test } from 'vitest';
import type { OrderProposal } from '../risk/risk-manager';
import { BTC, createExecutionFixture, ETH, manyPositions, SOL, type ExecutionFixture, type ExecutionFixtureOptions } from '../venues/testing/execution-fixture';
import { VenueError } from '../venues/venue';
import { PositionSync } from './position-sync';

let fx: ExecutionFixture;
let sync: PositionSync;
afterEach(async () => {
  sync.stop();
  await fx.close();
});

/** What onPositionClosedOutside heard: instrument, strategy, the round trip's exit reason and net PnL. */
let closedOutside: string[] = [];

async function setup(options: ExecutionFixtureOptions = {}): Promise<void> {
  fx = createExecutionFixture(options);
  await fx.orders.start();
  closedOutside = [];
  sync = new PositionSync({
    venue: fx.venue, breaker: fx.breaker, clock: fx.clock, settings: fx.settings.positionSync, account: fx.account, bus: fx.bus, store: fx.store,
    closer: fx.orders, workingOrders: (id) => fx.orders.openOrders(id).length,
    onPositionClosedOutside: (id, strategyId, trade) => closedOutside.push(`${id}:${strategyId}:${trade?.exitReason}:${trade?.netPnl}`),
  });
}

/** A stub venue that keeps a position history (MEXC's history_positions). */
const withHistory: ExecutionFixtureOptions = { stub: { positionHistory: true } };

/** Opens a position through the whole order path, so both books hold it. */
async function open(proposal: Partial<OrderProposal> = {}): Promise<void> {
  const decision = fx.risk.check({ instrumentId: BTC.id, side: 'BUY', type: 'MARKET', quantity: '1000', referencePrice: '60000', leverage: 10, strategyId: 'pump', ...proposal });
  if (!decision.approved) throw new Error(decision.denial.message);
  const outcome = await fx.orders.submit(decision.approval);
  if (!outcome.accepted) throw new Error('not accepted');
  await fx.settle();
}

const alertCodes = () => fx.eventsOf('risk_alert').map((a) => a.code);

describe('PositionSync', () => {
  test('positions held in both books match; the exchange mark flows into the local position', async () => {
    await setup();
    await open();
    fx.venue.setMark(BTC.id, '60600');
    const report = await sync.reconcile();
    expect(report.clean).toBe(true);
    expect(report.matched).toHaveLength(1);
    expect(report.matched[0]).toMatchObject({ kind: 'matched', instrumentId: BTC.id, liquidationAlert: 'ok' });
    expect(fx.account.unrealizedPnl(BTC.id).toString()).toBe('60');
    expect(fx.eventsOf('position_updated').at(-1)).toMatchObject({ instrumentId: BTC.id, markPrice: '60600', unrealizedPnl: '60' });
    expect(sync.lastSuccessAt()).toBe(fx.clock.now());
  });

  test('a position the exchange no longer holds is local-only: one critical alert, not one per sync', async () => {
    await setup();
    await open();
    fx.venue.liquidate(BTC.id);
    const report = await sync.reconcile();
    expect(report.localOnly.map((c) => c.instrumentId)).toEqual([BTC.id]);
    expect(report.clean).toBe(false);
    await sync.reconcile();
    expect(alertCodes().filter((c) => c === 'position_local_only')).toHaveLength(1);
    expect(fx.store.riskEvents.listRecent().some((e) => e.code === 'position_local_only' && e.severity === 'critical')).toBe(true);
  });

  test('adopting a liquidation closes the local position at the liquidation price and tells who held it', async () => {
    await setup();
    const closed: string[] = [];
    sync = new PositionSync({
      venue: fx.venue, breaker: fx.breaker, clock: fx.clock, settings: fx.settings.positionSync, account: fx.account, bus: fx.bus, store: fx.store,
      onPositionClosedOutside: (id, strategyId, trade) => closed.push(`${id}:${strategyId}:${trade?.exitReason}`),
    });
    await open();
    fx.account.mark(BTC.id, '54000'); // the last mark the app saw was through the liquidation price
    fx.venue.liquidate(BTC.id);
    const report = await sync.reconcile();
    const dto = sync.adopt(report.localOnly[0]!);
    expect(dto).toMatchObject({ side: 'FLAT', quantity: '0' });
    expect(fx.account.realizedPnl().toString()).toBe('-578.31'); // (54,216.9 − 60,000) × 1,000 × 0.0001
    expect(closed).toEqual([`${BTC.id}:pump:liquidated`]);
    expect((await sync.reconcile()).clean).toBe(true);
  });

  test("a liquidation in the venue's position history is adopted by the next sync: closed at the exchange's price, the margin lost exactly, one critical alert", async () => {
    await setup(withHistory);
    await open(); // 1,000 contracts 10× long from 60,000: 600 USDT of margin, 3.6 USDT taker fee
    // the app's last mark is still the entry: the feed never printed the liquidation price
    fx.venue.liquidate(BTC.id);
    const report = await sync.reconcile();
    expect(report.clean).toBe(true);
    expect(report.localOnly).toEqual([]);
    expect(report.closedOutside).toEqual([{
      instrumentId: BTC.id, reason: 'liquidated', side: 'LONG', quantity: '1000', exitPrice: '54216.9', realizedPnl: '-600', fees: '0', netPnl: '-603.6', closedAt: fx.clock.now(),
    }]);
    expect(fx.account.position(BTC.id)?.side).toBe('FLAT');
    expect(fx.account.closedTrades()).toEqual([expect.objectContaining({ exitReason: 'liquidated', exitPrice: '54216.9', grossPnl: '-600', fees: '3.6', netPnl: '-603.6' })]);
    // both books hold the same cash: 10,000 − 3.6 − 600
    expect(fx.account.balance().toString()).toBe('9396.4');
    expect((await fx.venue.fetchBalance()).total.toString()).toBe('9396.4');
    expect(fx.eventsOf('position_updated').at(-1)).toMatchObject({ instrumentId: BTC.id, side: 'FLAT' });
    expect(fx.store.positions.get('test-session', BTC.id)).toMatchObject({ side: 'FLAT', realizedPnl: '-600' });
    const alerts = fx.eventsOf('risk_alert').filter((a) => a.source === 'position-sync');
    expect(alerts).toEqual([expect.objectContaining({ severity: 'critical', code: 'liquidated', instrumentId: BTC.id })]);
    expect(alerts[0]!.message).toBe(`${BTC.id} LONG 1000 was liquidated by the exchange at 54216.9: 600 USDT lost`);
    expect(closedOutside).toEqual([`${BTC.id}:pump:liquidated:-603.6`]);

    const next = await sync.reconcile();
    expect([next.clean, next.closedOutside]).toEqual([true, []]);
    expect(fx.venue.calls.fetchClosedPositions).toBe(1); // asked only while a position was local-only
    expect(fx.eventsOf('risk_alert').filter((a) => a.source === 'position-sync')).toHaveLength(1);
  });

  test("a position closed outside the app is adopted at the exchange's close price, with the closing fee the app never saw, and a warning", async () => {
    await setup(withHistory);
    await open();
    // the trader closes on the website at 61,000: +100 USDT, a 3.66 USDT taker fee
    fx.venue.closePositionOutside(BTC.id, { price: '61000', fee: '3.66' });
    const report = await sync.reconcile();
    expect(report.clean).toBe(true);
    expect(report.closedOutside).toEqual([expect.objectContaining({ reason: 'closed_outside', exitPrice: '61000', realizedPnl: '100', fees: '3.66', netPnl: '92.74' })]);
    expect(fx.account.closedTrades()).toEqual([expect.objectContaining({ exitReason: 'closed_outside', exitPrice: '61000', grossPnl: '100', fees: '7.26', netPnl: '92.74' })]);
    expect(fx.account.balance().toString()).toBe((await fx.venue.fetchBalance()).total.toString());
    const alerts = fx.eventsOf('risk_alert').filter((a) => a.source === 'position-sync');
    expect(alerts.map((a) => [a.severity, a.code, a.message])).toEqual([['warning', 'position_closed_outside', `${BTC.id} LONG 1000 was closed outside the app at 61000: 96.34 USDT gained`]]);
    expect(closedOutside).toEqual([`${BTC.id}:pump:closed_outside:92.74`]);
  });

  test('without a position history the local-only position waits for the trader as before: alerted, kept open, adopted by hand', async () => {
    await setup();
    expect(fx.venue.fetchClosedPositions).toBeUndefined();
    await open();
    fx.venue.liquidate(BTC.id);
    const report = await sync.reconcile();
    expect([report.clean, report.closedOutside, report.localOnly.map((c) => c.instrumentId)]).toEqual([false, [], [BTC.id]]);
    expect(fx.account.position(BTC.id)?.side).toBe('LONG');
    expect(alertCodes()).toEqual(['position_local_only']);
    expect(closedOutside).toEqual([]);
    // the trader adopts: closed at the last mark the app saw, the entry (it never saw the liquidation price)
    sync.adopt(report.localOnly[0]!);
    expect(fx.account.closedTrades()).toEqual([expect.objectContaining({ exitReason: 'closed_outside', exitPrice: '60000', grossPnl: '0' })]);
  });

  test('a history that cannot be read, or has nothing for the position yet, leaves it local-only and alerted; the sync itself succeeds', async () => {
    await setup(withHistory);
    await open();
    fx.venue.liquidate(BTC.id, { history: false }); // the exchange has not written its history yet
    fx.venue.failNext('fetchClosedPositions', new VenueError('timeout', 'slow'));
    const failed = await sync.reconcile();
    expect(failed.localOnly.map((c) => c.instrumentId)).toEqual([BTC.id]);
    expect(sync.failureCount()).toBe(0); // the positions were read: the sync itself succeeded
    const empty = await sync.reconcile();
    expect([empty.localOnly.length, empty.closedOutside.length]).toEqual([1, 0]);
    expect(fx.venue.calls.fetchClosedPositions).toBe(2);
    expect(alertCodes()).toEqual(['position_local_only']);
    expect(fx.account.position(BTC.id)?.side).toBe('LONG');
  });

  test('a history entry closed before the local position opened is ignored: an earlier round trip is not this one', async () => {
    await setup(withHistory);
    await open(); // BTC, held throughout
    await fx.advance(10_000);
    await open({ instrumentId: ETH.id, quantity: '100', referencePrice: '3000' });
    await fx.advance(10_000);
    await fx.orders.closePosition({ instrumentId: ETH.id, reason: 'ZE1', referencePrice: '3000' }); // in the history from now on
    await fx.settle();
    await fx.advance(10_000);
    await open({ instrumentId: ETH.id, quantity: '100', referencePrice: '3000' });
    const ethOpenedAt = fx.account.position(ETH.id)!.openedAt!;
    await fx.advance(10_000);
    fx.venue.liquidate(BTC.id);
    fx.venue.liquidate(ETH.id, { history: false });
    const report = await sync.reconcile();
    const [btc] = report.closedOutside;
    expect(report.closedOutside.map((r) => [r.instrumentId, r.reason])).toEqual([[BTC.id, 'liquidated']]);
    expect(btc!.closedAt).toBeGreaterThan(ethOpenedAt);
    // ETH's only entry in the history (its first round trip, ZE1) ended before this ETH position opened
    expect(report.localOnly.map((c) => c.instrumentId)).toEqual([ETH.id]);
    expect(fx.account.position(ETH.id)?.side).toBe('LONG');
    expect(fx.account.closedTrades().map((t) => [t.instrumentId, t.exitReason])).toEqual([[ETH.id, 'ZE1'], [BTC.id, 'liquidated']]);
    expect(alertCodes().filter((c) => c.startsWith('position_') || c === 'liquidated')).toEqual(['liquidated', 'position_local_only']);
  });

  test("an instrument with working orders is not adopted from the history: the entry may be the app's own close, whose fill is on its way", async () => {
    await setup({ stub: { positionHistory: true, marketFills: 'manual', has: { privateStream: false } } });
    const entry = fx.risk.check({ instrumentId: BTC.id, side: 'BUY', type: 'MARKET', quantity: '1000', referencePrice: '60000', leverage: 10, strategyId: 'pump' });
    if (!entry.approved) throw new Error(entry.denial.message);
    const opened = await fx.orders.submit(entry.approval);
    if (!opened.accepted) throw new Error('not accepted');
    fx.venue.fill(opened.order.clientOrderId);
    await fx.advance(2_000); // the order manager polls the fill in
    expect(fx.account.position(BTC.id)?.side).toBe('LONG');
    const close = await fx.orders.closePosition({ instrumentId: BTC.id, reason: 'ZE1', referencePrice: '60500' });
    await fx.settle();
    fx.venue.fill(close!.accepted ? close!.order.clientOrderId : '', undefined, '60500'); // closed at the venue, not heard yet
    const during = await sync.reconcile();
    expect([during.localOnly.map((c) => c.ordersWorking), during.closedOutside]).toEqual([[true], []]);
    expect(fx.venue.calls.fetchClosedPositions).toBe(0);
    await fx.advance(2_000);
    expect((await sync.reconcile()).clean).toBe(true);
    expect(fx.account.closedTrades().map((t) => [t.exitReason, t.exitPrice, t.grossPnl])).toEqual([['ZE1', '60500', '50']]);
    expect(closedOutside).toEqual([]);
  });

  test('a position the trader settled while the history was being read is not closed a second time', async () => {
    await setup(withHistory);
    await open();
    fx.venue.liquidate(BTC.id);
    fx.venue.failNext('fetchClosedPositions', new VenueError('timeout', 'slow'));
    const first = await sync.reconcile();
    fx.venue.setLatency(100);
    const second = sync.reconcile();
    await fx.advance(100); // the positions are in; the history request is on its way
    expect(fx.venue.calls.fetchClosedPositions).toBe(2);
    sync.adopt(first.localOnly[0]!); // the trader's adopt gets there first
    await fx.advance(100);
    expect((await second).closedOutside).toEqual([]);
    expect(fx.account.closedTrades().map((t) => t.exitReason)).toEqual(['closed_outside']);
    expect(alertCodes()).toEqual(['position_local_only']);
  });

  test('a position opened outside the app is exchange-only; adopt takes it over', async () => {
    await setup();
    fx.venue.openPositionOutside(ETH.id, 'SHORT', '50', '3000', 5);
    const report = await sync.reconcile();
    expect(report.exchangeOnly).toHaveLength(1);
    expect(alertCodes()).toContain('position_exchange_only');
    const dto = sync.adopt(report.exchangeOnly[0]!);
    expect(dto).toMatchObject({ side: 'SHORT', quantity: '50', averageEntryPrice: '3000', leverage: 5 });
    expect(fx.store.positions.get('test-session', ETH.id)).toMatchObject({ side: 'SHORT', quantity: '50' });
    expect((await sync.reconcile()).clean).toBe(true);
  });

  test('flattening an exchange-only position closes it on the exchange and leaves both books flat', async () => {
    await setup();
    fx.venue.openPositionOutside(ETH.id, 'LONG', '50', '3000', 5);
    const report = await sync.reconcile();
    const result = await sync.flatten(report.exchangeOnly[0]!);
    await fx.settle();
    expect(result.order?.accepted).toBe(true);
    expect(fx.venue.position(ETH.id).side).toBe('FLAT');
    expect(fx.account.position(ETH.id)?.side).toBe('FLAT');
    expect((await sync.reconcile()).clean).toBe(true);
  });

  test('a different quantity on each side is a mismatch', async () => {
    await setup();
    await open();
    fx.venue.openPositionOutside(BTC.id, 'LONG', '1500', '60000', 10);
    const report = await sync.reconcile();
    expect(report.mismatched.map((c) => [c.local?.quantity, c.exchange?.quantity])).toEqual([['1000', '1500']]);
    expect(alertCodes()).toContain('position_mismatch');
  });

  test('liquidation distance below 25 % warns and below 15 % is critical, once per level', async () => {
    await setup();
    await open(); // 10× long from 60,000: liquidation at 54,216.9
    fx.venue.setMark(BTC.id, '58000'); // 65 % left
    await sync.reconcile();
    expect(alertCodes().filter((c) => c.startsWith('liquidation_'))).toEqual([]);
    fx.venue.setMark(BTC.id, '55500'); // 22.2 % left
    const warning = await sync.reconcile();
    expect(warning.matched[0]?.liquidationAlert).toBe('warning');
    await sync.reconcile();
    fx.venue.setMark(BTC.id, '55000'); // 13.5 % left
    await sync.reconcile();
    expect(alertCodes().filter((c) => c.startsWith('liquidation_'))).toEqual(['liquidation_warning', 'liquidation_critical']);
    const critical = fx.eventsOf('risk_alert').find((a) => a.code === 'liquidation_critical');
    expect(critical).toMatchObject({ severity: 'critical', instrumentId: BTC.id, details: expect.objectContaining({ liquidationPrice: '54216.9' }) });
    fx.venue.setMark(BTC.id, '59000'); // recovered: the next approach alerts again
    await sync.reconcile();
    fx.venue.setMark(BTC.id, '55000');
    await sync.reconcile();
    expect(alertCodes().filter((c) => c === 'liquidation_critical')).toHaveLength(2);
  });

  test('the exchange margin ratio is reported as MM ÷ (margin + unrealised)', async () => {
    await setup();
    await open();
    fx.venue.setMark(BTC.id, '57000');
    const report = await sync.reconcile();
    expect(report.matched[0]?.exchangeMarginRatio).toBe('0.076'); // 22.8 ÷ (600 − 300)
  });

  test('it runs every 10 s on the injected clock until stopped, recording the last success', async () => {
    await setup();
    sync.start();
    await fx.advance(9_999);
    expect(fx.venue.calls.fetchPositions).toBe(0);
    await fx.advance(1);
    expect(fx.venue.calls.fetchPositions).toBe(1);
    const first = sync.lastSuccessAt();
    await fx.advance(10_000);
    expect(fx.venue.calls.fetchPositions).toBe(2);
    expect(sync.lastSuccessAt()).toBe(first! + 10_000);
    sync.stop();
    await fx.advance(30_000);
    expect(fx.venue.calls.fetchPositions).toBe(2);
  });

  test('a failed sync keeps the last success time and counts the failure', async () => {
    await setup();
    await sync.reconcile();
    const success = sync.lastSuccessAt();
    fx.clock.advanceBy(10_000);
    fx.venue.failNext('fetchPositions', new VenueError('timeout', 'slow'));
    await expect(sync.reconcile()).rejects.toThrow('slow');
    expect(sync.lastSuccessAt()).toBe(success);
    expect(sync.failureCount()).toBe(1);
  });

  test('an instrument with working orders is compared but not alerted on (a fill may be in flight)', async () => {
    await setup({ stub: { marketFills: 'manual', has: { privateStream: false } } });
    const decision = fx.risk.check({ instrumentId: SOL.id, side: 'BUY', type: 'MARKET', quantity: '10', referencePrice: '150', leverage: 5 });
    if (!decision.approved) throw new Error('denied');
    const outcome = await fx.orders.submit(decision.approval);
    await fx.settle();
    if (!outcome.accepted) throw new Error('denied');
    fx.venue.fill(outcome.order.clientOrderId, '10', '150'); // the venue filled it; the app hears at the next poll
    const during = await sync.reconcile();
    expect(during.exchangeOnly.map((c) => [c.instrumentId, c.ordersWorking])).toEqual([[SOL.id, true]]);
    expect(alertCodes().filter((c) => c.startsWith('position_'))).toEqual([]);
    await fx.advance(2_000); // the order manager polls the fill in
    const after = await sync.reconcile();
    expect(after.clean).toBe(true);
    expect(alertCodes().filter((c) => c.startsWith('position_'))).toEqual([]);
  });

  test('1,000 positions are classified one by one: matched, local-only, exchange-only, mismatched', async () => {
    await setup();
    const { instruments, account, venue } = manyPositions(fx.clock, 1000);
    const big = new PositionSync({ venue, breaker: fx.breaker, clock: fx.clock, settings: fx.settings.positionSync, account });
    venue.liquidate(instruments[0]!.id);
    venue.closePositionOutside(instruments[1]!.id);
    venue.openPositionOutside(instruments[1_000]!.id, 'SHORT', '3', '100', 2);
    venue.openPositionOutside(instruments[2]!.id, 'LONG', '999', '100', 2);
    const report = await big.reconcile();
    expect([report.matched.length, report.localOnly.length, report.exchangeOnly.length, report.mismatched.length]).toEqual([997, 2, 1, 1]);
  });
});
