import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ClientOrderId, InstrumentId, SessionId, StrategyId, VenueOrderId } from './ids';
import { canTransition, InvalidTransitionError, ORDER_STATUSES, ORDER_TRANSITIONS, TERMINAL_STATUSES, transition, type Order, type OrderStatus } from './order';
import { Price, Quantity } from './values';

const newOrder = (): Order => ({
  clientOrderId: ClientOrderId('c-1'),
  venueOrderId: null,
  instrumentId: InstrumentId('BTC/USDT:USDT'),
  strategyId: null,
  sessionId: null,
  side: 'BUY',
  type: 'MARKET',
  quantity: Quantity.of(1),
  price: null,
  triggerPrice: null,
  timeInForce: 'GTC',
  reduceOnly: false,
  leverage: 1,
  status: 'INITIALIZED',
  filledQuantity: Quantity.of(0),
  averageFillPrice: null,
  createdAt: 0,
  updatedAt: 0,
  reason: null,
});

describe('order status transitions', () => {
  test('every status reached by any sequence of attempted changes is reachable through the table', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORDER_STATUSES), { maxLength: 30 }), (targets) => {
        let order = newOrder();
        for (const [i, to] of targets.entries()) {
          const allowed = canTransition(order.status, to);
          if (allowed) {
            const from = order.status;
            order = transition(order, to, i + 1);
            expect(ORDER_TRANSITIONS[from]).toContain(to);
            expect(order.updatedAt).toBe(i + 1);
          } else {
            expect(() => transition(order, to, i + 1)).toThrow(InvalidTransitionError);
          }
        }
      }),
    );
  });

  test('denied, rejected and filled orders never change again', () => {
    for (const status of ['DENIED', 'REJECTED', 'FILLED'] as OrderStatus[]) {
      expect(ORDER_TRANSITIONS[status]).toHaveLength(0);
      expect(TERMINAL_STATUSES.has(status)).toBe(true);
    }
  });

  test('allows a fill that arrives after the cancel was acknowledged', () => {
    let order = newOrder();
    order = transition(order, 'SUBMITTED', 1);
    order = transition(order, 'ACCEPTED', 2);
    order = transition(order, 'PENDING_CANCEL', 3);
    order = transition(order, 'CANCELED', 4);
    order = transition(order, 'FILLED', 5);
    expect(order.status).toBe('FILLED');
  });

  test('a transition changes only the status, the time and the reason; every other field is carried over', () => {
    const order: Order = { ...newOrder(), venueOrderId: VenueOrderId('v-9'), strategyId: StrategyId('pump'), sessionId: SessionId('s-1'), price: Price.of('61000.5'), reason: 'entry' };
    const submitted = transition(order, 'SUBMITTED', 7);
    expect(submitted).toEqual({ ...order, status: 'SUBMITTED', updatedAt: 7 });
    expect(Object.keys(submitted)).toEqual(Object.keys(order));
    expect(transition(submitted, 'REJECTED', 8, 'insufficient margin')).toEqual({ ...order, status: 'REJECTED', updatedAt: 8, reason: 'insufficient margin' });
  });

  test('an order that never reached the venue cannot be filled', () => {
    expect(canTransition('INITIALIZED', 'FILLED')).toBe(false);
    expect(canTransition('DENIED', 'SUBMITTED')).toBe(false);
    expect(() => transition(newOrder(), 'FILLED', 1)).toThrow(/INITIALIZED → FILLED is not an allowed status change/);
  });
});
