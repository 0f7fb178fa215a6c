import type { FillDto, OrderDto } from '../../../src-shared/contract/schemas';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill } from '../../../src-shared/domain/fill';
import { ClientOrderId, type InstrumentId } from '../../../src-shared/domain/ids';
import { checkQuantity, roundQuantity, type Instrument } from '../../../src-shared/domain/instrument';
import type { OrderSide } from '../../../src-shared/domain/order';
import type { Quantity } from '../../../src-shared/domain/values';
import { Money } from '../../../src-shared/domain/values';
import type { Clock } from '../clock/clock';
import type { ClosedTrade } from '../session/backtest-report';
import { PaperMatching } from '../venues/paper-matching';
import { Portfolio } from './portfolio';

export interface EntryIntent {
  strategyId: string;
  instrumentId: string;
  direction: 'LONG' | 'SHORT';
  positionSize: { type: 'fixed' | 'percentage'; value: number };
  leverage: number;
  price: number; // last trade price, for sizing
}

export interface ExitIntent {
  strategyId: string;
  instrumentId: string;
  reason: string; // ZE1 | E1 | ...
  closePosition: boolean;
  cancelPending: boolean;
}

export interface ExecutionListener {
  orderCreated(order: OrderDto): void;
  orderFilled(order: OrderDto, fill: FillDto): void;
  orderCancelled(order: OrderDto): void;
  entryResult(strategyId: string, instrumentId: string, accepted: boolean, reason: string | null): void;
  positionClosed(strategyId: string, instrumentId: string): void;
  tradeClosed(trade: ClosedTrade): void;
}

interface OpenTrade {
  strategyId: string;
  direction: 'LONG' | 'SHORT';
  entryTs: number;
  entryPrice: string;
  quantity: Quantity;
  fees: Money;
}

/**
 * The walking skeleton's order path for paper and backtest sessions: sizes an entry, sends a
 * market order to the paper venue (filled at the next trade), turns fills into positions and
 * closed trades. The pre-trade RiskManager and the OrderManager with retries, TTLs and the
 * circuit breaker replace the direct venue call when the execution layer lands.
 *
 * Sizing: `fixed` is margin in the settlement currency, `percentage` is that share of the
 * session capital as margin; notional = margin × leverage; contracts = notional ÷ (price ×
 * contract size), rounded down to the lot size.
 */
export class PaperExecution {
  private readonly matching: PaperMatching;
  readonly portfolio: Portfolio;
  private readonly orders = new Map<string, OrderDto & { strategyId: string; purpose: 'entry' | 'exit' }>();
  private readonly openTrades = new Map<string, OpenTrade>(); // by instrument (one strategy locks a symbol)
  private orderSeq = 0;

  constructor(
    private readonly options: {
      sessionId: string;
      clock: Clock;
      instruments: ReadonlyMap<InstrumentId, Instrument>;
      capital: Money;
      slippageBps: number;
      listener: ExecutionListener;
    },
  ) {
    this.matching = new PaperMatching(options.instruments, { slippageBps: options.slippageBps }, (fill) => this.onFill(fill));
    this.portfolio = new Portfolio(options.instruments, options.capital, options.sessionId);
  }

  onTrade(instrumentId: InstrumentId, ts: number, price: number): void {
    this.matching.onTrade(instrumentId, ts, price);
    this.portfolio.mark(instrumentId, price);
  }

  enter(intent: EntryIntent): void {
    const instrumentId = intent.instrumentId as InstrumentId;
    const instrument = this.options.instruments.get(instrumentId);
    if (instrument === undefined) {
      this.options.listener.entryResult(intent.strategyId, intent.instrumentId, false, `unknown instrument ${intent.instrumentId}`);
      return;
    }
    if (this.openTrades.has(intent.instrumentId)) {
      this.options.listener.entryResult(intent.strategyId, intent.instrumentId, false, 'a position is already open on this instrument');
      return;
    }
    const margin = intent.positionSize.type === 'fixed'
      ? Decimal.of(intent.positionSize.value)
      : this.options.capital.mul(intent.positionSize.value, 'half-even').div(100, 'down');
    const notional = margin.mul(intent.leverage);
    const contracts = roundQuantity(instrument, notional.div(Decimal.of(intent.price).mul(instrument.contractSize, 'half-even'), 'down'));
    const problem = checkQuantity(instrument, contracts);
    if (problem !== null) {
      this.options.listener.entryResult(intent.strategyId, intent.instrumentId, false, `position size too small: ${problem}`);
      return;
    }
    this.submit(intent.strategyId, instrumentId, intent.direction === 'LONG' ? 'BUY' : 'SELL', contracts, false, intent.leverage, 'entry');
  }

  exit(intent: ExitIntent): void {
    const instrumentId = intent.instrumentId as InstrumentId;
    if (intent.cancelPending) {
      for (const order of this.matching.openOrders(instrumentId)) {
        this.matching.cancel(instrumentId, order.clientOrderId);
        const dto = this.orders.get(order.clientOrderId);
        if (dto !== undefined) {
          const cancelled = { ...dto, status: 'CANCELED' as const, updatedAt: this.options.clock.now(), reason: intent.reason };
          this.orders.set(dto.clientOrderId, cancelled);
          this.options.listener.orderCancelled(strip(cancelled));
        }
      }
    }
    const position = this.portfolio.position(instrumentId);
    if (!intent.closePosition || position === undefined || position.side === 'FLAT') return;
    const trade = this.openTrades.get(intent.instrumentId);
    this.submit(trade?.strategyId ?? intent.strategyId, instrumentId, position.side === 'LONG' ? 'SELL' : 'BUY', position.quantity, true, 1, 'exit', intent.reason);
  }

  openOrderCount(): number {
    return this.matching.openOrders().length;
  }

  private submit(strategyId: string, instrumentId: InstrumentId, side: OrderSide, quantity: Quantity, reduceOnly: boolean, leverage: number, purpose: 'entry' | 'exit', reason: string | null = null): void {
    const now = this.options.clock.now();
    const clientOrderId = ClientOrderId(`${this.options.sessionId}-o${++this.orderSeq}`);
    const order: OrderDto & { strategyId: string; purpose: 'entry' | 'exit' } = {
      clientOrderId,
      venueOrderId: null,
      instrumentId,
      strategyId,
      sessionId: this.options.sessionId,
      side,
      type: 'MARKET',
      quantity: quantity.toString(),
      price: null,
      triggerPrice: null,
      timeInForce: 'IOC',
      reduceOnly,
      leverage,
      status: 'ACCEPTED',
      filledQuantity: '0',
      averageFillPrice: null,
      createdAt: now,
      updatedAt: now,
      reason,
      purpose,
    };
    this.orders.set(clientOrderId, order);
    this.options.listener.orderCreated(strip(order));
    this.matching.submit({ clientOrderId, instrumentId, side, type: 'MARKET', quantity, price: null, submittedAt: now });
  }

  private onFill(fill: Fill): void {
    const order = this.orders.get(fill.clientOrderId);
    if (order === undefined) return;
    const filled = { ...order, status: 'FILLED' as const, filledQuantity: fill.lastQty.toString(), averageFillPrice: fill.lastPx.toString(), updatedAt: fill.tsEvent };
    this.orders.delete(fill.clientOrderId); // terminal: the store keeps the record
    const before = this.portfolio.position(fill.instrumentId);
    const realizedBefore = before?.realizedPnl ?? Money.zero();
    const after = this.portfolio.applyFill(fill, order.leverage);
    const fillDto: FillDto = {
      fillId: fill.fillId,
      clientOrderId: fill.clientOrderId,
      venueOrderId: fill.venueOrderId,
      instrumentId: fill.instrumentId,
      side: fill.side,
      lastQty: fill.lastQty.toString(),
      lastPx: fill.lastPx.toString(),
      liquiditySide: fill.liquiditySide,
      commission: fill.commission.toString(),
      commissionCurrency: fill.commission.currency,
      tsEvent: fill.tsEvent,
    };
    this.options.listener.orderFilled(strip(filled), fillDto);

    if (order.purpose === 'entry') {
      this.openTrades.set(fill.instrumentId, {
        strategyId: order.strategyId,
        direction: fill.side === 'BUY' ? 'LONG' : 'SHORT',
        entryTs: fill.tsEvent,
        entryPrice: fill.lastPx.toString(),
        quantity: fill.lastQty,
        fees: fill.commission,
      });
      this.options.listener.entryResult(order.strategyId, fill.instrumentId, true, null);
      return;
    }
    const open = this.openTrades.get(fill.instrumentId);
    if (open !== undefined && after.side === 'FLAT') {
      this.openTrades.delete(fill.instrumentId);
      const gross = after.realizedPnl.minus(realizedBefore);
      const fees = open.fees.plus(fill.commission);
      this.options.listener.tradeClosed({
        strategyId: open.strategyId,
        instrumentId: fill.instrumentId,
        direction: open.direction,
        entryTs: open.entryTs,
        exitTs: fill.tsEvent,
        entryPrice: open.entryPrice,
        exitPrice: fill.lastPx.toString(),
        quantity: open.quantity.toString(),
        grossPnl: gross.toString(),
        fees: fees.toString(),
        netPnl: gross.minus(fees).toString(),
        exitReason: order.reason ?? 'exit',
      });
      this.options.listener.positionClosed(open.strategyId, fill.instrumentId);
    }
  }
}

function strip(order: OrderDto & { strategyId: string; purpose: 'entry' | 'exit' }): OrderDto {
  const { purpose: _purpose, ...dto } = order;
  return dto;
}
