import { BarCloseIndicator } from './core/bar-close-indicator';
import type { IndicatorContext } from './core/indicator-context';

/**
 * EMA(period,barSeconds) on bar closes: seeded with the simple mean of the first `period`
 * closes, then ema ← (close − ema)·k + ema with k = 2/(period+1), exactly as `technicalindicators`.
 */
export class Ema extends BarCloseIndicator {
  readonly type = 'EMA';
  private readonly period: number;
  private readonly smoothing: number;
  private committed = 0;
  private seedSum = 0;
  private ema = 0;

  constructor(variantId: string, params: readonly number[], context: IndicatorContext) {
    const [period = 0, barSeconds = 0] = params;
    super(variantId, params, context, barSeconds);
    this.period = period;
    this.smoothing = 2 / (period + 1);
  }

  protected commitClose(close: number): void {
    this.committed++;
    if (this.committed < this.period) this.seedSum += close;
    else if (this.committed === this.period) this.ema = (this.seedSum + close) / this.period;
    else this.ema = (close - this.ema) * this.smoothing + this.ema;
  }

  value(): number | null {
    if (!this.hasBar) return null;
    const closes = this.committed + 1;
    if (closes < this.period) return null;
    if (closes === this.period) return (this.seedSum + this.currentClose) / this.period;
    return (this.currentClose - this.ema) * this.smoothing + this.ema;
  }
}
