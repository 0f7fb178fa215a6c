import type { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import type { ClientOrderId, InstrumentId, VenueOrderId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import type { OrderSide, OrderStatus, OrderType, TimeInForce } from '../../../src-shared/domain/order';
import type { PositionSide } from '../../../src-shared/domain/position';
import type { Money, Price, Quantity } from '../../../src-shared/domain/values';

/**
 * What the order manager and position sync need from a venue (paper or exchange). Adapters
 * keep the venue's raw payload in `info`; everything else is normalised domain types.
 */
export interface VenueCapabilities {
  /** Pushes order updates and fills (else the order manager polls status). */
  privateStream: boolean;
  /** Pushes position changes (else position sync polls; ccxt has no watchPositions for MEXC). */
  positionStream: boolean;
  /** Accepts our client order id as its external id and can look orders up by it. */
  clientOrderIdLookup: boolean;
  /** SL/TP attach to orders (else placed as trigger orders or managed by the engine). */
  attachedStopLoss: boolean;
  reduceOnly: boolean;
}

export interface SubmitOrderRequest {
  clientOrderId: ClientOrderId;
  instrumentId: InstrumentId;
  side: OrderSide;
  type: OrderType;
  quantity: Quantity; // contracts
  price: Price | null;
  triggerPrice: Price | null;
  timeInForce: TimeInForce;
  reduceOnly: boolean;
  leverage: number;
  marginMode: 'isolated' | 'cross';
}

export interface VenueOrderState {
  clientOrderId: ClientOrderId;
  venueOrderId: VenueOrderId | null;
  instrumentId: InstrumentId;
  status: OrderStatus;
  filledQuantity: Quantity;
  averageFillPrice: Price | null;
  /** Fees charged so far for this order (cumulative), when the venue reports them: with polling it is how fills get their commission. */
  commission?: Money;
  reason: string | null;
  info?: unknown;
}

export interface VenuePosition {
  instrumentId: InstrumentId;
  side: PositionSide;
  quantity: Quantity; // contracts
  entryPrice: Price | null;
  markPrice: Price | null;
  liquidationPrice: Price | null;
  leverage: number;
  margin: Money | null;
  unrealizedPnl: Money | null;
  info?: unknown;
}

export interface VenueBalance {
  currency: string;
  total: Money;
  free: Money;
  used: Money;
}

/** Errors split into families; retry policy depends only on the family. */
export type VenueErrorFamily = 'retryable' | 'terminal';
export type VenueErrorKind =
  | 'network' | 'timeout' | 'rate_limited' | 'exchange_unavailable' // retryable
  | 'invalid_order' | 'insufficient_funds' | 'authentication' | 'order_not_found' | 'permission_denied' | 'bad_response'; // terminal

export class VenueError extends Error {
  override name = 'VenueError';
  readonly family: VenueErrorFamily;
  constructor(
    readonly kind: VenueErrorKind,
    message: string,
    readonly info?: unknown,
  ) {
    super(message);
    this.family = kind === 'network' || kind === 'timeout' || kind === 'rate_limited' || kind === 'exchange_unavailable' ? 'retryable' : 'terminal';
  }
}

/** A funding payment the venue applied to an open position. */
export interface VenueFundingEvent {
  instrumentId: InstrumentId;
  /** Signed fraction per interval: longs pay a positive rate, shorts receive it. */
  rate: Decimal;
  /** The holder's cash flow, signed (negative = paid), as accounting.fundingPayment computes it. */
  amount: Money;
  /** The mark the notional was taken at (Account.applyFunding's markPrice). */
  markPrice: Price;
  /** The funding time (e.g. 00:00, 08:00, 16:00 UTC), not the event that reached it. */
  ts: number;
}

/** The venue closed a position by its liquidation rule. */
export interface VenueLiquidationEvent {
  instrumentId: InstrumentId;
  /** The side the position had. */
  side: 'LONG' | 'SHORT';
  quantity: Quantity;
  price: Price;
  /** The isolated position margin the trader lost: realizedPnl − fill.commission = −margin. */
  margin: Money;
  realizedPnl: Money;
  /** The closing fill (TAKER, client order id `liquidation-…`); its commission is the margin left at the liquidation price. No order of ours owns it, so it is not sent through onFill. */
  fill: Fill;
  ts: number;
}

/**
 * A position the venue has closed, from its position history (MEXC history_positions): by a
 * liquidation, or by any close — the app's own orders included. Position sync reads it to settle
 * a position the app still holds but the venue no longer does.
 */
export interface VenueClosedPosition {
  instrumentId: InstrumentId;
  side: 'LONG' | 'SHORT';
  /** Contracts closed over the position's life (partial closes included). */
  quantity: Quantity;
  entryPrice: Price | null;
  /** Average close price; for a liquidation, the price the venue liquidated at. */
  exitPrice: Price;
  /**
   * The venue's close PnL over the position's life, before fees (MEXC closeProfitLoss). A
   * liquidated isolated position's includes the margin lost.
   */
  realizedPnl: Money;
  /** Every trading fee of the position, opening and closing (MEXC fee); null when the venue does not say. */
  fees: Money | null;
  liquidated: boolean;
  /** When the venue opened the position, when known. */
  openedAt: number | null;
  closedAt: number;
  info?: unknown;
}

export interface VenueListener {
  onOrderUpdate(update: VenueOrderState): void;
  onFill(fill: Fill): void;
  onPositionUpdate?(position: VenuePosition): void;
  onFunding?(event: VenueFundingEvent): void;
  onLiquidation?(event: VenueLiquidationEvent): void;
}

export interface Venue {
  readonly name: string;
  readonly has: VenueCapabilities;
  loadInstruments(): Promise<Map<InstrumentId, Instrument>>;
  /** Idempotent by client order id: resubmitting an id the venue already has returns that order. */
  submitOrder(request: SubmitOrderRequest): Promise<VenueOrderState>;
  cancelOrder(instrumentId: InstrumentId, clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): Promise<VenueOrderState>;
  /** Looks an order up by client id (or venue id); null when the venue never saw it. */
  fetchOrder(instrumentId: InstrumentId, clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): Promise<VenueOrderState | null>;
  fetchOpenOrders(instrumentId?: InstrumentId): Promise<VenueOrderState[]>;
  fetchPositions(): Promise<VenuePosition[]>;
  fetchBalance(): Promise<VenueBalance>;
  /**
   * Positions closed at or after `since` (venue time, ms), newest first. Optional: a venue without
   * a position history leaves local-only positions to the trader (adopt or flatten).
   */
  fetchClosedPositions?(since: number): Promise<VenueClosedPosition[]>;
  setLeverage(instrumentId: InstrumentId, leverage: number, marginMode: 'isolated' | 'cross'): Promise<void>;
  subscribe(listener: VenueListener): () => void;
  close(): Promise<void>;
}
