import { Decimal } from './decimal';
import type { Fill } from './fill';
import type { InstrumentId } from './ids';
import { notional, type Instrument } from './instrument';
import { Money, Price, Quantity } from './values';

export type PositionSide = 'LONG' | 'SHORT' | 'FLAT';

/** A net position in one instrument (one-way mode), built from fills, exact throughout. */
export interface Position {
  instrumentId: InstrumentId;
  side: PositionSide;
  quantity: Quantity; // contracts, never negative
  averageEntryPrice: Price | null;
  realizedPnl: Money; // net of nothing: fees are tracked apart
  commissions: Money;
  openedAt: number | null;
  updatedAt: number;
}

export function flatPosition(instrumentId: InstrumentId, at: number, currency = 'USDT'): Position {
  return {
    instrumentId,
    side: 'FLAT',
    quantity: Quantity.of(0),
    averageEntryPrice: null,
    realizedPnl: Money.zero(currency),
    commissions: Money.zero(currency),
    openedAt: null,
    updatedAt: at,
  };
}

/** Signed contracts: + long, − short. */
export function signedQuantity(position: Position): Decimal {
  return position.side === 'SHORT' ? position.quantity.neg() : position.quantity;
}

/**
 * Applies a fill: adds to, reduces, closes or flips the position. Realised PnL on the closed
 * part is (exit − entry) × qty × contractSize for longs, the reverse for shorts.
 */
export function applyFill(position: Position, fill: Fill, instrument: Instrument): Position {
  const before = signedQuantity(position);
  const delta = fill.side === 'BUY' ? fill.lastQty : fill.lastQty.neg();
  const after = before.add(delta);
  const commissions = position.commissions.plus(fill.commission);
  let realizedPnl = position.realizedPnl;
  let averageEntryPrice = position.averageEntryPrice;
  let openedAt = position.openedAt;

  const increasing = before.isZero() || before.isPositive() === delta.isPositive();
  if (increasing) {
    const entry = averageEntryPrice ?? fill.lastPx;
    const totalQty = before.abs().add(fill.lastQty);
    const weighted = entry.mul(before.abs(), 'half-even').add(fill.lastPx.mul(fill.lastQty, 'half-even'));
    averageEntryPrice = Price.of(weighted.div(totalQty, 'half-even'));
    if (before.isZero()) openedAt = fill.tsEvent;
  } else {
    const closing = Decimal.min(before.abs(), fill.lastQty);
    const entry = averageEntryPrice ?? fill.lastPx;
    const perContract = before.isPositive() ? fill.lastPx.sub(entry) : entry.sub(fill.lastPx);
    realizedPnl = realizedPnl.plus(perContract.mul(closing, 'half-even').mul(instrument.contractSize, 'half-even'));
    if (after.isZero()) {
      averageEntryPrice = null;
      openedAt = null;
    } else if (after.isPositive() !== before.isPositive()) {
      averageEntryPrice = fill.lastPx; // flipped: the remainder opened at this fill
      openedAt = fill.tsEvent;
    }
  }
  return {
    instrumentId: position.instrumentId,
    side: after.isZero() ? 'FLAT' : after.isPositive() ? 'LONG' : 'SHORT',
    quantity: Quantity.of(after.abs()),
    averageEntryPrice,
    realizedPnl,
    commissions,
    openedAt,
    updatedAt: fill.tsEvent,
  };
}

export function unrealizedPnl(position: Position, markPrice: Price, instrument: Instrument): Money {
  if (position.side === 'FLAT' || position.averageEntryPrice === null) return Money.zero(instrument.settle);
  const diff = position.side === 'LONG' ? markPrice.sub(position.averageEntryPrice) : position.averageEntryPrice.sub(markPrice);
  return Money.money(diff.mul(position.quantity, 'half-even').mul(instrument.contractSize, 'half-even'), instrument.settle);
}

export function positionNotional(position: Position, markPrice: Price, instrument: Instrument): Money {
  return notional(instrument, markPrice, position.quantity);
}
