import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Logger } from '../ops/logger';
import type { Account } from './accounting';
import type { ClosePositionInput, SubmitOutcome } from './order-manager';

/** A position's stop-loss and take-profit as prices (null: none). */
export interface ProtectionLevels {
  stopLoss: number | null;
  takeProfit: number | null;
}

export interface ProtectionState extends ProtectionLevels {
  instrumentId: string;
  side: 'LONG' | 'SHORT';
}

export interface ProtectiveStopsOptions {
  account: Pick<Account, 'position'>;
  closer: { closePosition(input: ClosePositionInput): Promise<SubmitOutcome | null> };
  logger?: Logger;
  /** Told whenever a level is set, cleared or fires (the UI's price lines and the store follow it). */
  onChange?: (instrumentId: string, levels: ProtectionLevels | null) => void;
}

export type ProtectionProblem = { field: 'stopLoss' | 'takeProfit' | 'instrumentId'; message: string };

/**
 * Stop-loss and take-profit managed by the engine (ARCHITECTURE §10: MEXC plan orders carry no
 * external id, so they cannot be placed idempotently): each trade price is compared with the
 * levels of the open position on its instrument, and the first level crossed closes the whole
 * position with a reduce-only market order that passes a HALTED risk state (it only reduces
 * exposure). The order manager sizes closes net of closes already working, so a level crossed
 * on every tick of a fast move still sends one close.
 *
 * Levels are plain numbers compared per trade (cheap on the backtest hot path); the close itself
 * is exact. A level is dropped when the position it protects goes flat or flips.
 */
export class ProtectiveStops {
  private readonly levels = new Map<string, ProtectionState>();
  private readonly firing = new Set<string>();

  constructor(private readonly options: ProtectiveStopsOptions) {}

  /**
   * Sets (or with nulls clears) the levels of the open position on an instrument. A stop-loss
   * must be on the losing side of the last price and a take-profit on the winning side, else the
   * close would fire at once: such requests are refused with the field that is wrong.
   */
  set(instrumentId: string, levels: ProtectionLevels, lastPrice: number | null): ProtectionProblem | null {
    const position = this.options.account.position(instrumentId as InstrumentId);
    if (position === null || position.side === 'FLAT') return { field: 'instrumentId', message: `no open position on ${instrumentId}` };
    for (const field of ['stopLoss', 'takeProfit'] as const) {
      const value = levels[field];
      if (value !== null && !(Number.isFinite(value) && value > 0)) return { field, message: `${field} must be a positive price, got ${String(value)}` };
    }
    const long = position.side === 'LONG';
    if (lastPrice !== null) {
      if (levels.stopLoss !== null && (long ? levels.stopLoss >= lastPrice : levels.stopLoss <= lastPrice)) {
        return { field: 'stopLoss', message: `a ${long ? 'long' : 'short'} position's stop-loss must be ${long ? 'below' : 'above'} the last price ${lastPrice}` };
      }
      if (levels.takeProfit !== null && (long ? levels.takeProfit <= lastPrice : levels.takeProfit >= lastPrice)) {
        return { field: 'takeProfit', message: `a ${long ? 'long' : 'short'} position's take-profit must be ${long ? 'above' : 'below'} the last price ${lastPrice}` };
      }
    }
    if (levels.stopLoss === null && levels.takeProfit === null) {
      this.clear(instrumentId);
      return null;
    }
    this.levels.set(instrumentId, { instrumentId, side: position.side, ...levels });
    this.options.onChange?.(instrumentId, levels);
    return null;
  }

  /** Levels from an entry's offsets (% of the fill price), set when the entry fills. */
  setFromOffsets(instrumentId: string, side: 'LONG' | 'SHORT', entryPrice: number, stopLossPct: number | null, takeProfitPct: number | null): void {
    if (stopLossPct === null && takeProfitPct === null) return;
    const sign = side === 'LONG' ? 1 : -1;
    const levels: ProtectionState = {
      instrumentId,
      side,
      stopLoss: stopLossPct === null ? null : entryPrice * (1 - sign * stopLossPct / 100),
      takeProfit: takeProfitPct === null ? null : entryPrice * (1 + sign * takeProfitPct / 100),
    };
    this.levels.set(instrumentId, levels);
    this.options.onChange?.(instrumentId, { stopLoss: levels.stopLoss, takeProfit: levels.takeProfit });
  }

  get(instrumentId: string): ProtectionState | null {
    return this.levels.get(instrumentId) ?? null;
  }

  all(): ProtectionState[] {
    return [...this.levels.values()];
  }

  clear(instrumentId: string): void {
    if (this.levels.delete(instrumentId)) this.options.onChange?.(instrumentId, null);
  }

  /** True while any level is set (the replay only calls onTrade then). */
  get active(): boolean {
    return this.levels.size > 0;
  }

  /** True when this price crosses a level of the instrument's position (numbers only: the backtest hot path asks first). */
  crossed(instrumentId: string, price: number): boolean {
    const levels = this.levels.get(instrumentId);
    return levels !== undefined && crossing(levels, price) !== null;
  }

  /** A trade printed: closes the position when it crossed a level. */
  onTrade(instrumentId: string, price: number): void {
    const levels = this.levels.get(instrumentId);
    if (levels === undefined) return;
    const reason = crossing(levels, price);
    if (reason === null || this.firing.has(instrumentId)) return;
    const position = this.options.account.position(instrumentId as InstrumentId);
    if (position === null || position.side !== levels.side) {
      this.clear(instrumentId);
      return;
    }
    this.firing.add(instrumentId);
    this.options.logger?.info('protective level crossed', { instrumentId, reason, price, stopLoss: levels.stopLoss, takeProfit: levels.takeProfit });
    this.options.closer
      .closePosition({ instrumentId, reason, referencePrice: price, emergency: true, strategyId: position.strategyId })
      .then((outcome) => {
        if (outcome !== null && !outcome.accepted) this.options.logger?.warn('protective close refused', { instrumentId, reason, denial: outcome.denial.message });
      })
      .catch((error: unknown) => this.options.logger?.error('protective close failed', { instrumentId, reason, error }))
      .finally(() => this.firing.delete(instrumentId));
  }

  /** The position on an instrument changed: levels of a position that went flat or flipped are dropped. */
  onPosition(instrumentId: string, side: 'LONG' | 'SHORT' | 'FLAT'): void {
    const levels = this.levels.get(instrumentId);
    if (levels !== undefined && levels.side !== side) this.clear(instrumentId);
  }
}

/** Which level a price crosses: the stop-loss first (a gap through both is a loss, not a win). */
function crossing(levels: ProtectionState, price: number): 'stop_loss' | 'take_profit' | null {
  const long = levels.side === 'LONG';
  if (levels.stopLoss !== null && (long ? price <= levels.stopLoss : price >= levels.stopLoss)) return 'stop_loss';
  if (levels.takeProfit !== null && (long ? price >= levels.takeProfit : price <= levels.takeProfit)) return 'take_profit';
  return null;
}
