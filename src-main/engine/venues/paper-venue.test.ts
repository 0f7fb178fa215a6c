import { describe, expect, test } from 'vitest';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import { ClientOrderId } from '../../../src-shared/domain/ids';
import { Money, Price, Quantity } from '../../../src-shared/domain/values';
import { SimulatedClock } from '../clock/clock';
import { PaperVenue } from './paper-venue';
import { BTC, INSTRUMENTS, START } from './testing/execution-fixture';
import type { SubmitOrderRequest, VenueOrderState } from './venue';

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
