import { BarCloseIndicator } from './core/bar-close-indicator';
import type { IndicatorContext } from './core/indicator-context';

/**
 * RSI(period,barSeconds) on bar closes with Wilder smoothing: the first average gain/loss is the
 * simple mean of the first `period` changes, then avg ← (avg·(period−1) + x) / period. Same
 * arithmetic, in the same order, as the `technicalindicators` package (which the tests compare
 * against) but without its rounding to two decimals. That package cannot evaluate a bar in
 * progress without consuming it, hence this small incremental copy.
 */
export class Rsi extends BarCloseIndicator {
  readonly type = 'RSI';
  private readonly period: number;
  private previousClose = Number.NaN;
  private changes = 0;
  private gainSum = 0;
  private lossSum = 0;
  private averageGain = 0;
  private averageLoss = 0;

  constructor(variantId: string, params: readonly number[], context: IndicatorContext) {
    const [period = 0, barSeconds = 0] = params;
    super(variantId, params, context, barSeconds);
    this.period = period;
  }

  protected commitClose(close: number): void {
    if (Number.isNaN(this.previousClose)) {
      this.previousClose = close;
      return;
    }
    const gain = close - this.previousClose > 0 ? close - this.previousClose : 0;
    const loss = this.previousClose - close > 0 ? this.previousClose - close : 0;
    this.changes++;
    if (this.changes <= this.period) {
      this.gainSum += gain;
      this.lossSum += loss;
      if (this.changes === this.period) {
        this.averageGain = this.gainSum / this.period;
        this.averageLoss = this.lossSum / this.period;
      }
    } else {
      this.averageGain = (this.averageGain * (this.period - 1) + gain) / this.period;
      this.averageLoss = (this.averageLoss * (this.period - 1) + loss) / this.period;
    }
    this.previousClose = close;
  }

  value(): number | null {
    if (!this.hasBar || Number.isNaN(this.previousClose)) return null;
    const changes = this.changes + 1;
    if (changes < this.period) return null;
    const close = this.currentClose;
    const gain = close - this.previousClose > 0 ? close - this.previousClose : 0;
    const loss = this.previousClose - close > 0 ? this.previousClose - close : 0;
    let averageGain: number;
    let averageLoss: number;
    if (changes === this.period) {
      averageGain = (this.gainSum + gain) / this.period;
      averageLoss = (this.lossSum + loss) / this.period;
    } else {
      averageGain = (this.averageGain * (this.period - 1) + gain) / this.period;
      averageLoss = (this.averageLoss * (this.period - 1) + loss) / this.period;
    }
    if (averageLoss === 0) return 100;
    if (averageGain === 0) return 0;
    return 100 - 100 / (1 + averageGain / averageLoss);
  }
}
