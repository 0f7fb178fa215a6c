import { BarCloseIndicator } from './core/bar-close-indicator';
import { CompensatedSum } from './core/compensated-sum';
import type { IndicatorContext } from './core/indicator-context';

/** SMA(period,barSeconds): mean of the last `period` bar closes, the bar in progress included. */
export class Sma extends BarCloseIndicator {
  readonly type = 'SMA';
  private readonly period: number;
  /** The last period−1 finished closes, oldest overwritten first. */
  private readonly finished: Float64Array;
  private readonly finishedSum = new CompensatedSum();
  private count = 0;
  private next = 0;

  constructor(variantId: string, params: readonly number[], context: IndicatorContext) {
    const [period = 0, barSeconds = 0] = params;
    super(variantId, params, context, barSeconds);
    this.period = period;
    this.finished = new Float64Array(Math.max(0, period - 1));
  }

  protected commitClose(close: number): void {
    const capacity = this.finished.length;
    if (capacity === 0) return;
    if (this.count === capacity) this.finishedSum.add(-this.finished[this.next]!);
    else this.count++;
    this.finished[this.next] = close;
    this.finishedSum.add(close);
    this.next = this.next + 1 === capacity ? 0 : this.next + 1;
  }

  value(): number | null {
    if (!this.hasBar || this.count < this.finished.length) return null;
    return (this.finishedSum.value() + this.currentClose) / this.period;
  }
}
