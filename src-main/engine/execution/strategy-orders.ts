import { Decimal, PrecisionError } from '../../../src-shared/domain/decimal';
import { InstrumentId } from '../../../src-shared/domain/ids';
import { roundPrice, roundQuantity } from '../../../src-shared/domain/instrument';
import type { Logger } from '../ops/logger';
import type { RiskManager } from '../risk/risk-manager';
import type { EntryRequest, EntryResult, ExitRequest } from '../strategy/strategy-runner';
import { HUNDRED, type Account } from './accounting';
import type { OrderManager, SubmitOutcome } from './order-manager';

export interface StrategyOrdersOptions {
  risk: RiskManager;
  orders: OrderManager;
  account: Account;
  sessionId: string | null;
  /** The strategy engine's onEntryResult. */
  onEntryResult: (strategyId: string, instrumentId: string, result: EntryResult) => void;
  /** The strategy engine's onPositionClosed. */
  onPositionClosed: (strategyId: string, instrumentId: string) => void;
  logger?: Logger;
}

/**
 * Turns the strategy engine's entry and exit requests into orders: sizes the entry, asks the
 * risk manager, hands the approval to the order manager, and reports back — an entry is
 * accepted once its first fill is accounted, denied when risk, the queue or the venue refuse
 * it or it ends unfilled; a position that goes flat is reported closed.
 *
 * Sizing (as the walking skeleton's paper execution): `fixed` is margin in the settlement
 * currency, `percentage` is that share of the starting capital as margin; notional = margin ×
 * leverage; contracts = notional ÷ (price × contract size), rounded down to the lot.
 *
 * Exits: ZE1 closes with a reduce-only market order (passes REDUCING, not HALTED); E1 is an
 * emergency exit and passes HALTED too. Both cancel the symbol's working entry orders first
 * when the strategy asks, never a close already working.
 */
export const STRATEGY_ENTRY = 'entry';

export class StrategyOrders {
  private readonly unsubscribe: () => void;

  constructor(private readonly options: StrategyOrdersOptions) {
    // entries are recognised by their journalled purpose, so a fill racing submit() is never missed
    this.unsubscribe = options.orders.addListener({
      onFill: ({ order, fill, outcome, meta }) => {
        // both are canonical decimal strings: equal text is an equal amount
        const firstFill = order.filledQuantity === fill.lastQty;
        if (meta.purpose === STRATEGY_ENTRY && meta.strategyId !== null && firstFill) {
          options.onEntryResult(meta.strategyId, order.instrumentId, { accepted: true });
        }
        const before = outcome.before;
        if (before.side !== 'FLAT' && outcome.position.side !== before.side && before.strategyId !== null) {
          options.onPositionClosed(before.strategyId, before.instrumentId);
        }
      },
      onOrderUpdate: (order, meta) => {
        if (meta.purpose !== STRATEGY_ENTRY || meta.strategyId === null || order.filledQuantity !== '0') return;
        if (order.status === 'CANCELED' || order.status === 'EXPIRED' || order.status === 'REJECTED') {
          options.onEntryResult(meta.strategyId, order.instrumentId, { accepted: false, reason: `${order.status.toLowerCase()}: ${order.reason ?? ''}` });
        }
      },
    });
  }

  async onEntry(request: EntryRequest): Promise<SubmitOutcome> {
    const { account, risk, orders } = this.options;
    const instrument = account.instrument(InstrumentId(request.instrumentId));
    let quantity: Decimal | number = Number.NaN;
    let limitPrice: Decimal | null = null;
    if (instrument !== undefined) {
      try {
        const margin = request.positionSize.type === 'fixed'
          ? Decimal.of(request.positionSize.value)
          : Decimal.fromRaw(account.startingCapital.raw).mul(request.positionSize.value, 'half-even').div(HUNDRED, 'down');
        const notional = margin.mul(request.leverage, 'half-even');
        quantity = roundQuantity(instrument, Decimal.max(Decimal.ZERO, notional.div(Decimal.of(request.price).mul(instrument.contractSize, 'half-even'), 'down')));
        if (request.orderType === 'LIMIT') limitPrice = roundPrice(instrument, Decimal.of(request.price), request.direction === 'LONG' ? 'down' : 'up');
      } catch (error) {
        // a NaN or infinite input: risk names it (invalid_number) rather than this adapter throwing
        if (!(error instanceof PrecisionError)) throw error;
      }
    }
    const decision = risk.check({
      instrumentId: request.instrumentId, side: request.direction === 'LONG' ? 'BUY' : 'SELL', type: request.orderType,
      quantity, price: limitPrice, referencePrice: Number.isFinite(request.price) ? request.price : String(request.price), leverage: request.leverage,
      strategyId: request.strategyId, sessionId: request.sessionId ?? this.options.sessionId, purpose: STRATEGY_ENTRY,
    });
    if (!decision.approved) {
      this.options.onEntryResult(request.strategyId, request.instrumentId, { accepted: false, reason: `${decision.denial.code}: ${decision.denial.message}` });
      return { accepted: false, denial: decision.denial };
    }
    const outcome = await orders.submit(decision.approval);
    if (!outcome.accepted) {
      this.options.onEntryResult(request.strategyId, request.instrumentId, { accepted: false, reason: `${outcome.denial.code}: ${outcome.denial.message}` });
    }
    return outcome;
  }

  async onExit(request: ExitRequest): Promise<SubmitOutcome | null> {
    const { orders } = this.options;
    if (request.cancelPending) await orders.cancelAll({ instrumentId: request.instrumentId, reason: request.section, keepReduceOnly: true });
    if (!request.closePosition) return null;
    const outcome = await orders.closePosition({
      instrumentId: request.instrumentId, reason: request.section, referencePrice: Number.isFinite(request.price) ? request.price : null,
      emergency: request.section === 'E1', strategyId: request.strategyId,
    });
    if (outcome !== null && !outcome.accepted) this.options.logger?.warn('exit denied', { instrumentId: request.instrumentId, section: request.section, reason: outcome.denial.message });
    return outcome;
  }

  dispose(): void {
    this.unsubscribe();
  }
}
