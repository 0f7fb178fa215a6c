import type { ClientOrderId, InstrumentId, SessionId, StrategyId, VenueOrderId } from './ids';
import type { Price, Quantity } from './values';

export type OrderSide = 'BUY' | 'SELL';
export type OrderType = 'MARKET' | 'LIMIT' | 'STOP_MARKET';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'POST_ONLY';

export const ORDER_STATUSES = [
  'INITIALIZED', // created locally, journalled, not yet sent
  'DENIED', // refused by risk before any venue call
  'SUBMITTED', // sent to the venue, no answer yet
  'ACCEPTED', // the venue has it open
  'REJECTED', // the venue refused it
  'PARTIALLY_FILLED',
  'FILLED',
  'PENDING_CANCEL',
  'CANCELED',
  'EXPIRED', // TTL passed, or a market order too old to send
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Every allowed status change. It allows the real-world oddities: a fill that arrives after
 * the cancel was acknowledged (the venue matched before it saw the cancel), a fill without an
 * acceptance seen first, and an expiry that turns out to have been filled.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  INITIALIZED: ['DENIED', 'SUBMITTED', 'EXPIRED', 'CANCELED'],
  DENIED: [],
  SUBMITTED: ['ACCEPTED', 'REJECTED', 'PARTIALLY_FILLED', 'FILLED', 'PENDING_CANCEL', 'CANCELED', 'EXPIRED'],
  ACCEPTED: ['PARTIALLY_FILLED', 'FILLED', 'PENDING_CANCEL', 'CANCELED', 'EXPIRED'],
  REJECTED: [],
  PARTIALLY_FILLED: ['PARTIALLY_FILLED', 'FILLED', 'PENDING_CANCEL', 'CANCELED', 'EXPIRED'],
  FILLED: [],
  PENDING_CANCEL: ['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED'],
  CANCELED: ['PARTIALLY_FILLED', 'FILLED'],
  EXPIRED: ['PARTIALLY_FILLED', 'FILLED'],
};

export const TERMINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['DENIED', 'REJECTED', 'FILLED', 'CANCELED', 'EXPIRED']);

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

export class InvalidTransitionError extends Error {
  override name = 'InvalidTransitionError';
  constructor(
    readonly clientOrderId: string,
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`order ${clientOrderId}: ${from} → ${to} is not an allowed status change`);
  }
}

export interface Order {
  clientOrderId: ClientOrderId;
  venueOrderId: VenueOrderId | null;
  instrumentId: InstrumentId;
  strategyId: StrategyId | null;
  sessionId: SessionId | null;
  side: OrderSide;
  type: OrderType;
  quantity: Quantity; // contracts
  price: Price | null; // limit price
  triggerPrice: Price | null;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  leverage: number;
  status: OrderStatus;
  filledQuantity: Quantity;
  averageFillPrice: Price | null;
  createdAt: number; // ms, injected clock
  updatedAt: number;
  reason: string | null; // denial / rejection / expiry reason
}

/** Returns the order in its new status; throws InvalidTransitionError when the table forbids it. */
export function transition(order: Order, to: OrderStatus, at: number, reason: string | null = order.reason): Order {
  if (!canTransition(order.status, to)) throw new InvalidTransitionError(order.clientOrderId, order.status, to);
  return orderWith(order, order.venueOrderId, to, order.filledQuantity, order.averageFillPrice, at, reason);
}

/**
 * A copy of the order with the fields its life changes replaced. Written out field by field, in
 * Order's own order, rather than spread: every order goes through several of these, and a spread
 * of orders built in different places costs a generic (megamorphic) property copy each time.
 */
export function orderWith(
  order: Order,
  venueOrderId: VenueOrderId | null,
  status: OrderStatus,
  filledQuantity: Quantity,
  averageFillPrice: Price | null,
  updatedAt: number,
  reason: string | null,
): Order {
  return {
    clientOrderId: order.clientOrderId,
    venueOrderId,
    instrumentId: order.instrumentId,
    strategyId: order.strategyId,
    sessionId: order.sessionId,
    side: order.side,
    type: order.type,
    quantity: order.quantity,
    price: order.price,
    triggerPrice: order.triggerPrice,
    timeInForce: order.timeInForce,
    reduceOnly: order.reduceOnly,
    leverage: order.leverage,
    status,
    filledQuantity,
    averageFillPrice,
    createdAt: order.createdAt,
    updatedAt,
    reason,
  };
}
