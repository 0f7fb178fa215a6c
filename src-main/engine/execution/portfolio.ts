import type { PositionDto } from '../../../src-shared/contract/schemas';
import type { Fill } from '../../../src-shared/domain/fill';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import { applyFill, flatPosition, unrealizedPnl, type Position } from '../../../src-shared/domain/position';
import { Money, Price } from '../../../src-shared/domain/values';

/**
 * Positions built from fills, exact throughout; marks come from the latest trade. The
 * session's cash balance is starting capital + realised PnL − commissions.
 */
export class Portfolio {
  private readonly positions = new Map<InstrumentId, Position>();
  private readonly marks = new Map<InstrumentId, Price>();
  private readonly leverage = new Map<InstrumentId, number>();
  private realized: Money;
  private commissions: Money;

  constructor(
    private readonly instruments: ReadonlyMap<InstrumentId, Instrument>,
    private readonly startingCapital: Money,
    private readonly sessionId: string | null,
  ) {
    this.realized = Money.zero(startingCapital.currency);
    this.commissions = Money.zero(startingCapital.currency);
  }

  applyFill(fill: Fill, leverage = 1): Position {
    const instrument = this.instrument(fill.instrumentId);
    const before = this.positions.get(fill.instrumentId) ?? flatPosition(fill.instrumentId, fill.tsEvent, instrument.settle);
    const after = applyFill(before, fill, instrument);
    this.realized = this.realized.plus(after.realizedPnl.minus(before.realizedPnl));
    this.commissions = this.commissions.plus(fill.commission);
    this.positions.set(fill.instrumentId, after);
    if (before.side === 'FLAT') this.leverage.set(fill.instrumentId, leverage);
    if (!this.marks.has(fill.instrumentId)) this.marks.set(fill.instrumentId, fill.lastPx);
    return after;
  }

  /** Returns true when an open position's mark changed. */
  mark(instrumentId: InstrumentId, price: number): boolean {
    const previous = this.marks.get(instrumentId);
    if (previous !== undefined && previous.toNumber() === price) return false;
    this.marks.set(instrumentId, Price.of(price));
    const position = this.positions.get(instrumentId);
    return position !== undefined && position.side !== 'FLAT';
  }

  position(instrumentId: InstrumentId): Position | undefined {
    return this.positions.get(instrumentId);
  }

  openPositions(): Position[] {
    return [...this.positions.values()].filter((p) => p.side !== 'FLAT');
  }

  unrealizedPnl(instrumentId: InstrumentId): Money {
    const position = this.positions.get(instrumentId);
    const mark = this.marks.get(instrumentId);
    if (position === undefined || mark === undefined) return Money.zero(this.startingCapital.currency);
    return unrealizedPnl(position, mark, this.instrument(instrumentId));
  }

  /** Unrealised PnL as % of the position's entry notional (for UNREALIZED_PNL_PCT exits). */
  unrealizedPnlPercent(instrumentId: InstrumentId): number | null {
    const position = this.positions.get(instrumentId);
    if (position === undefined || position.side === 'FLAT' || position.averageEntryPrice === null) return null;
    const instrument = this.instrument(instrumentId);
    const entryNotional = position.averageEntryPrice.mul(position.quantity, 'half-even').mul(instrument.contractSize, 'half-even');
    if (entryNotional.isZero()) return null;
    return this.unrealizedPnl(instrumentId).div(entryNotional, 'half-even').toNumber() * 100;
  }

  realizedPnl(): Money {
    return this.realized;
  }
  totalCommissions(): Money {
    return this.commissions;
  }
  /** Capital + realised − fees + unrealised. */
  equity(): Money {
    let equity = this.startingCapital.plus(this.realized).minus(this.commissions);
    for (const position of this.openPositions()) equity = equity.plus(this.unrealizedPnl(position.instrumentId));
    return equity;
  }

  toDto(instrumentId: InstrumentId): PositionDto | null {
    const position = this.positions.get(instrumentId);
    if (position === undefined) return null;
    const mark = this.marks.get(instrumentId) ?? null;
    return {
      sessionId: this.sessionId,
      instrumentId,
      side: position.side,
      quantity: position.quantity.toString(),
      averageEntryPrice: position.averageEntryPrice?.toString() ?? null,
      markPrice: mark?.toString() ?? null,
      realizedPnl: position.realizedPnl.toString(),
      unrealizedPnl: this.unrealizedPnl(instrumentId).toString(),
      commissions: position.commissions.toString(),
      leverage: this.leverage.get(instrumentId) ?? 1,
      marginRatioPercent: null,
      liquidationPrice: null,
      stopLoss: null,
      takeProfit: null,
      openedAt: position.openedAt,
      updatedAt: position.updatedAt,
    };
  }

  allDtos(): PositionDto[] {
    return [...this.positions.keys()].map((id) => this.toDto(id)).filter((dto): dto is PositionDto => dto !== null);
  }

  private instrument(id: InstrumentId): Instrument {
    const instrument = this.instruments.get(id);
    if (instrument === undefined) throw new Error(`unknown instrument ${id}`);
    return instrument;
  }
}
