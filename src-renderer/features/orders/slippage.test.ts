import { describe, expect, test } from 'vitest';
import type { OrderDto, SignalDto } from '../../../src-shared/contract/schemas';
import { indexSignals, slippageOf } from './slippage';

const order = (overrides: Partial<OrderDto>): OrderDto => ({
  clientOrderId: 'o1', venueOrderId: null, instrumentId: 'BTC/USDT:USDT', strategyId: 'pump-long', sessionId: 's1', side: 'BUY', type: 'MARKET',
  quantity: '1', price: null, triggerPrice: null, timeInForce: 'IOC', reduceOnly: false, leverage: 1, status: 'FILLED', filledQuantity: '1',
  averageFillPrice: '100.02', createdAt: 1_000, updatedAt: 1_001, reason: null, ...overrides,
});
const signal = (section: SignalDto['section'], price: number, ts: number): SignalDto => ({
  id: `${section}-${ts}`, sessionId: 's1', strategyId: 'pump-long', instrumentId: 'BTC/USDT:USDT', section, state: 'ENTRY_EVALUATION', direction: 'LONG',
  price, indicatorValues: {}, reason: null, ts,
});

describe('order slippage', () => {
  const signals = indexSignals([signal('Z1', 99, 500), signal('Z1', 100, 1_000), signal('Z1', 500, 2_000), signal('ZE1', 101, 3_000)]);

  test('measures a market entry against the Z1 signal that sent it, positive when the fill was worse', () => {
    expect(slippageOf(order({}), signals)).toMatchObject({ referencePrice: 100, referenceFrom: 'signal' });
    expect(slippageOf(order({}), signals)!.bps).toBeCloseTo(2, 9);
    expect(slippageOf(order({ averageFillPrice: '99.99' }), signals)!.bps).toBeCloseTo(-1, 9);
  });

  test('measures an exit against the section its reason names, with the sign flipped for a sell', () => {
    const exit = order({ side: 'SELL', reduceOnly: true, reason: 'ZE1', createdAt: 3_000, averageFillPrice: '100.9' });
    expect(slippageOf(exit, signals)!.bps).toBeCloseTo(((101 - 100.9) / 101) * 10_000, 9);
  });

  test('uses a limit order’s own price and leaves orders without a reference alone', () => {
    expect(slippageOf(order({ type: 'LIMIT', price: '100', averageFillPrice: '99.5' }), signals)).toMatchObject({ referenceFrom: 'limit', bps: -50 });
    expect(slippageOf(order({ reduceOnly: true, side: 'SELL', reason: 'end_of_data' }), signals)).toBeNull();
    expect(slippageOf(order({ strategyId: 'other' }), signals)).toBeNull();
    expect(slippageOf(order({ averageFillPrice: null, status: 'ACCEPTED' }), signals)).toMatchObject({ referencePrice: 100, bps: null });
  });
});
