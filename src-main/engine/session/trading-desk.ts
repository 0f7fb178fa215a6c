import type { CommandRequest, CommandResponse, PartialHandlers } from '../../../src-shared/contract/commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import { Decimal, PrecisionError } from '../../../src-shared/domain/decimal';
import { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import { TERMINAL_STATUSES } from '../../../src-shared/domain/order';
import { toLots } from '../execution/order-manager';
import type { TradingStack } from '../execution/trading-stack';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/store';

export interface TradingDeskOptions {
  /** The execution layer of a running session (SessionService.tradingStack), undefined when it is not running. */
  stackFor: (sessionId: string) => TradingStack | undefined;
  /** Tells an unknown session from one that has ended. */
  store: Pick<Store, 'sessions'>;
  logger: Logger;
}

/** Journalled as the cancel reason and as the closing order's purpose (the closed trade's exit reason). */
export const TRADER_CANCEL_REASON = 'cancelled_by_trader';
export const TRADER_CLOSE_REASON = 'manual_close';

/**
 * The trader's own actions on a running session: cancel a working order, close part or all of a
 * position, set its stop-loss and take-profit. Each goes through the session's TradingStack, the
 * same order manager, risk manager and journal a strategy's orders go through, so a manual close
 * is journalled, risk-checked (reduce-only, passing HALTED) and reconciled like any other order.
 *
 * Everything is checked before the venue is asked: the session runs, the order or position is
 * this session's, the close is at least one lot, the levels are exact positive prices.
 */
export class TradingDesk {
  constructor(private readonly options: TradingDeskOptions) {}

  async cancelOrder({ sessionId, clientOrderId }: CommandRequest<'orders.cancel'>): Promise<Result<CommandResponse<'orders.cancel'>>> {
    const stack = this.stackOf(sessionId);
    if (!stack.ok) return stack;
    const orders = stack.value.orders;
    const known = orders.status(clientOrderId);
    // the journal is shared by every session: an id from another session is not this one's order
    if (known === null || known.sessionId !== sessionId) return err('not_found', `session ${sessionId} has no order ${clientOrderId}`, ['request.clientOrderId']);
    // a second click while the first cancel is on its way answers with the same order
    if (known.status === 'CANCELED' || known.status === 'PENDING_CANCEL') return ok(known);
    if (TERMINAL_STATUSES.has(known.status)) {
      return err('conflict', `order ${clientOrderId} is ${known.status}: only a working order can be cancelled`, ['request.clientOrderId']);
    }
    const after = await orders.cancel(clientOrderId, TRADER_CANCEL_REASON);
    if (after === null) return err('not_found', `session ${sessionId} has no order ${clientOrderId}`, ['request.clientOrderId']);
    this.options.logger.info('order cancelled by the trader', { sessionId, clientOrderId, status: after.status });
    return ok(after);
  }

  async closePosition({ sessionId, instrumentId, fraction }: CommandRequest<'positions.close'>): Promise<Result<CommandResponse<'positions.close'>>> {
    if (!(Number.isFinite(fraction) && fraction > 0 && fraction <= 1)) {
      return err('validation', `request.fraction: must be a share of the position in (0, 1], got ${String(fraction)}`, ['request.fraction']);
    }
    const stack = this.stackOf(sessionId);
    if (!stack.ok) return stack;
    const { account, orders } = stack.value;
    const located = locate(stack.value, sessionId, instrumentId);
    if (!located.ok) return located;
    const { id, instrument } = located.value;
    const position = account.position(id);
    if (position === null) return err('not_found', `session ${sessionId} has no position on ${instrumentId}`, ['request.instrumentId']);
    if (position.side === 'FLAT') return ok({ order: null });
    // never more than asked for: a share that is not a whole number of lots rounds down
    const quantity = toLots(instrument, position.quantity.mul(Decimal.of(fraction), 'down'));
    if (!quantity.isPositive()) {
      return err(
        'validation',
        `closing ${fraction * 100}% of ${position.quantity.toString()} contracts rounds down to 0: the lot size of ${instrumentId} is ${instrument.lotSize.toString()} contract(s)`,
        ['request.fraction'],
      );
    }
    const outcome = await orders.closePosition({ instrumentId: id, quantity, reason: TRADER_CLOSE_REASON, emergency: true, strategyId: position.strategyId });
    if (outcome === null) return ok({ order: null }); // closes already working cover it
    if (!outcome.accepted) return err('denied', outcome.denial.message);
    this.options.logger.info('position closed by the trader', { sessionId, instrumentId, fraction, quantity: quantity.toString(), clientOrderId: outcome.order.clientOrderId });
    return ok({ order: outcome.order });
  }

  async setProtection(request: CommandRequest<'positions.setProtection'>): Promise<Result<CommandResponse<'positions.setProtection'>>> {
    const { sessionId, instrumentId } = request;
    const stopLoss = parseLevel(request.stopLoss, 'stopLoss');
    if (!stopLoss.ok) return stopLoss;
    const takeProfit = parseLevel(request.takeProfit, 'takeProfit');
    if (!takeProfit.ok) return takeProfit;
    const stack = this.stackOf(sessionId);
    if (!stack.ok) return stack;
    const located = locate(stack.value, sessionId, instrumentId);
    if (!located.ok) return located;
    const problem = stack.value.setProtection(instrumentId, { stopLoss: stopLoss.value, takeProfit: takeProfit.value });
    if (problem !== null) {
      return problem.field === 'instrumentId'
        ? err('not_found', problem.message, ['request.instrumentId'])
        : err('validation', problem.message, [`request.${problem.field}`]);
    }
    const dto = stack.value.account.toDto(located.value.id);
    if (dto === null) return err('not_found', `session ${sessionId} has no position on ${instrumentId}`, ['request.instrumentId']);
    this.options.logger.info('protection set by the trader', { sessionId, instrumentId, stopLoss: request.stopLoss, takeProfit: request.takeProfit });
    return ok(dto);
  }

  handlers(): PartialHandlers {
    return {
      'orders.cancel': (request) => this.cancelOrder(request),
      'positions.close': (request) => this.closePosition(request),
      'positions.setProtection': (request) => this.setProtection(request),
    };
  }

  private stackOf(sessionId: string): Result<TradingStack> {
    const stack = this.options.stackFor(sessionId);
    if (stack !== undefined) return ok(stack);
    const stored = this.options.store.sessions.get(sessionId);
    if (stored === null) return err('not_found', `no session ${sessionId}`, ['request.sessionId']);
    return err('conflict', `session ${sessionId} is ${stored.status}: only a running session's orders and positions can be changed`, ['request.sessionId']);
  }
}

function locate(stack: TradingStack, sessionId: string, instrumentId: string): Result<{ id: InstrumentId; instrument: Instrument }> {
  const id = InstrumentId(instrumentId);
  const instrument = stack.account.instrument(id);
  if (instrument === undefined) return err('not_found', `session ${sessionId} does not trade ${instrumentId}`, ['request.instrumentId']);
  return ok({ id, instrument });
}

/**
 * A level as the protective stops compare it per trade. Read exactly from its text (never
 * parseFloat), so "1e3" or a 19th decimal is refused rather than silently changed.
 */
function parseLevel(text: string | null, field: 'stopLoss' | 'takeProfit'): Result<number | null> {
  if (text === null) return ok(null);
  let value: Decimal;
  try {
    if (!/^\d+(\.\d+)?$/.test(text)) throw new PrecisionError(`not a decimal number: "${text}"`);
    value = Decimal.of(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return err('validation', `request.${field}: must be a positive price written as a decimal string (${reason})`, [`request.${field}`]);
  }
  if (!value.isPositive()) return err('validation', `request.${field}: must be greater than zero, got ${text}`, [`request.${field}`]);
  return ok(value.toNumber());
}
