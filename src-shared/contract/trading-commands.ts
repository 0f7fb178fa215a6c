import { z } from 'zod';
import { Id, InstrumentIdSchema, OrderDto, PositionDto, PositiveDecimalString } from './schemas';

/**
 * The trader's own order and position actions in a running session (backtest, paper, live): the
 * buttons and inline edits of the position monitor and the order history. They go through the
 * session's execution layer like a strategy's orders do (order manager, risk, journal); a close
 * is reduce-only and passes a HALTED trading state, because it can only take risk off.
 *
 * Errors: `validation` names the field (`request.stopLoss`), `not_found` an unknown session,
 * order or position, `conflict` a session that has ended or an order that can no longer be
 * cancelled, `denied` a close the risk manager refused.
 */

/** Share of the open position to close: the UI offers ½ and all of it. */
export const CloseFraction = z.number().gt(0, 'must be more than 0 (a share of the position, e.g. 0.5)').lte(1, 'must be at most 1 (the whole position)');

/** A protective price level as an exact decimal string, or null to clear it. */
export const ProtectionLevel = PositiveDecimalString.nullable();

export const tradingCommands = {
  /** Cancels a working order of the session; answers with the order after the request (PENDING_CANCEL, or CANCELED when it never reached the venue). */
  'orders.cancel': {
    request: z.object({ sessionId: Id, clientOrderId: Id }).strict(),
    response: OrderDto,
  },
  /** Closes a share of the open position with a reduce-only market order; `order` is null when nothing is left to close. */
  'positions.close': {
    request: z.object({ sessionId: Id, instrumentId: InstrumentIdSchema, fraction: CloseFraction }).strict(),
    response: z.object({ order: OrderDto.nullable() }),
  },
  /** Sets the engine-managed stop-loss and take-profit of the open position (null clears one); answers with the position and its levels. */
  'positions.setProtection': {
    request: z.object({ sessionId: Id, instrumentId: InstrumentIdSchema, stopLoss: ProtectionLevel, takeProfit: ProtectionLevel }).strict(),
    response: PositionDto,
  },
} as const;
