import { Decimal } from '../../../src-shared/domain/decimal';
import type { Fill, LiquiditySide } from '../../../src-shared/domain/fill';
import { FillId, type ClientOrderId, type InstrumentId } from '../../../src-shared/domain/ids';
import { notional, roundPrice, type Instrument } from '../../../src-shared/domain/instrument';
import type { OrderSide, OrderType } from '../../../src-shared/domain/order';
import type { Price, Quantity } from '../../../src-shared/domain/values';
import { Money } from '../../../src-shared/domain/values';

export interface PaperOrder {
  clientOrderId: ClientOrderId;
  instrumentId: InstrumentId;
  side: OrderSide;
  type: OrderType;
  quantity: Quantity; // contracts
  price: Price | null; // limit price
  submittedAt: number;
}

export interface PaperMatchingOptions {
  /** Slippage for market orders filled at the next trade, in basis points, against the taker. */
  slippageBps: number;
  makerFee?: Decimal; // overrides the instrument's fee (fraction)
  takerFee?: Decimal;
}

/**
 * The paper venue's matching: market orders fill at the next trade plus slippage (rounded
 * against the trader to the tick); limit orders fill when a trade prints through their price.
 * Deterministic: fill ids are counters, times are the trade's event time.
 */
export class PaperMatching {
  private readonly open = new Map<InstrumentId, PaperOrder[]>();
  private fillSeq = 0;

  constructor(
    private readonly instruments: ReadonlyMap<InstrumentId, Instrument>,
    private readonly options: PaperMatchingOptions,
    private readonly onFill: (fill: Fill) => void,
  ) {}

  submit(order: PaperOrder): void {
    if (!this.instruments.has(order.instrumentId)) throw new Error(`paper venue: unknown instrument ${order.instrumentId}`);
    const list = this.open.get(order.instrumentId);
    if (list === undefined) this.open.set(order.instrumentId, [order]);
    else list.push(order);
  }

  cancel(instrumentId: InstrumentId, clientOrderId: ClientOrderId): boolean {
    const list = this.open.get(instrumentId);
    if (list === undefined) return false;
    const index = list.findIndex((o) => o.clientOrderId === clientOrderId);
    if (index < 0) return false;
    list.splice(index, 1);
    if (list.length === 0) this.open.delete(instrumentId);
    return true;
  }

  openOrders(instrumentId?: InstrumentId): PaperOrder[] {
    if (instrumentId !== undefined) return [...(this.open.get(instrumentId) ?? [])];
    return [...this.open.values()].flat();
  }

  /** Called for every trade print, after the strategy saw the previous one. */
  onTrade(instrumentId: InstrumentId, ts: number, price: number): void {
    const list = this.open.get(instrumentId);
    if (list === undefined) return;
    const instrument = this.instruments.get(instrumentId)!;
    const remaining: PaperOrder[] = [];
    for (const order of list) {
      if (order.submittedAt > ts) {
        remaining.push(order);
        continue;
      }
      if (order.type === 'MARKET') {
        const slip = Decimal.of(price).mul(Decimal.of(this.options.slippageBps), 'half-even').div(10_000, 'half-even');
        const raw = order.side === 'BUY' ? Decimal.of(price).add(slip) : Decimal.of(price).sub(slip);
        const fillPrice = roundPrice(instrument, raw, order.side === 'BUY' ? 'up' : 'down');
        this.emit(order, instrument, fillPrice, 'TAKER', ts);
      } else if (order.type === 'LIMIT' && order.price !== null) {
        const through = order.side === 'BUY' ? price < order.price.toNumber() : price > order.price.toNumber();
        if (through) this.emit(order, instrument, order.price, 'MAKER', ts);
        else remaining.push(order);
      } else {
        remaining.push(order);
      }
    }
    if (remaining.length === 0) this.open.delete(instrumentId);
    else this.open.set(instrumentId, remaining);
  }

  private emit(order: PaperOrder, instrument: Instrument, price: Price, liquidity: LiquiditySide, ts: number): void {
    const feeRate = liquidity === 'MAKER' ? (this.options.makerFee ?? instrument.makerFee) : (this.options.takerFee ?? instrument.takerFee);
    const commission = Money.money(notional(instrument, price, order.quantity).mul(feeRate, 'half-even'), instrument.settle);
    this.onFill({
      fillId: FillId(`paper-fill-${++this.fillSeq}`),
      clientOrderId: order.clientOrderId,
      venueOrderId: null,
      instrumentId: order.instrumentId,
      side: order.side,
      lastQty: order.quantity,
      lastPx: price,
      liquiditySide: liquidity,
      commission,
      tsEvent: ts,
    });
  }
}
