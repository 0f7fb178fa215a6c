import type { PositionDto } from '../../../src-shared/contract/schemas';
import { Decimal } from '../../../src-shared/domain/decimal';

export interface LiveValuation {
  /** The price the position is valued at (decimal text). */
  markPrice: string | null;
  unrealizedPnl: string;
  /** True when valued at a trade newer than the engine's last position update. */
  live: boolean;
}

/**
 * An open position valued at the latest trade, the same way the engine values it: (mark − entry)
 * × contracts × contract size, signed by side, in exact decimals. The engine publishes a position
 * when it fills; between fills the screen keeps the mark moving itself. Without a newer trade or
 * the instrument's contract size, the engine's own figures stand.
 */
export function liveValuation(position: PositionDto, lastTrade: { price: number; ts: number } | undefined, contractSize: string | undefined): LiveValuation {
  const engine: LiveValuation = { markPrice: position.markPrice, unrealizedPnl: position.unrealizedPnl, live: false };
  if (position.side === 'FLAT' || position.averageEntryPrice === null || lastTrade === undefined || contractSize === undefined) return engine;
  if (lastTrade.ts <= position.updatedAt || !Number.isFinite(lastTrade.price) || lastTrade.price <= 0) return engine;
  try {
    // market data prices are float64 readings of the exchange's decimal text; String() gives that text back
    const mark = Decimal.of(String(lastTrade.price));
    const entry = Decimal.of(position.averageEntryPrice);
    const diff = position.side === 'LONG' ? mark.sub(entry) : entry.sub(mark);
    const pnl = diff.mul(position.quantity, 'half-even').mul(contractSize, 'half-even');
    return { markPrice: mark.toString(), unrealizedPnl: pnl.toString(), live: true };
  } catch {
    return engine;
  }
}
