import { secondsToMs, type Indicator } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import type { MarketListener } from './core/market-listener';

/**
 * PRICE_MOMENTUM(recent,baseline) = (EMA_recent − EMA_baseline) / EMA_baseline × 100.
 *
 * Both are continuous-time EMAs of the trade-price step function with time constants `recent`
 * and `baseline` seconds: over an interval Δt during which price p held,
 *   ema ← ema + α (p − ema),  α = 1 − exp(−Δt/τ).
 * Updating with the price that held (not the new one) makes this the exact EMA of the step
 * function, independent of how often events arrive. Both start at the first trade price.
 * null until max(recent, baseline) seconds have passed since the first trade.
 *
 * The EMAs are kept as deviations from the first trade price: the value is a small difference
 * of two large numbers, and deviations keep roughly 500× more of its significant digits.
 */
export class PriceMomentum implements Indicator, MarketListener {
  readonly type = 'PRICE_MOMENTUM';
  private readonly recentTauMs: number;
  private readonly baselineTauMs: number;
  private readonly warmUpMs: number;
  private firstTs = Number.NaN;
  private lastTs = Number.NaN;
  private now = Number.NaN;
  private reference = 0;
  private heldDeviation = 0;
  private recentDeviation = 0;
  private baselineDeviation = 0;

  constructor(
    readonly variantId: string,
    readonly params: readonly number[],
    context: IndicatorContext,
  ) {
    const [recent = 0, baseline = 0] = params;
    this.recentTauMs = secondsToMs(recent);
    this.baselineTauMs = secondsToMs(baseline);
    this.warmUpMs = Math.max(this.recentTauMs, this.baselineTauMs);
    context.register(this);
  }

  onTrade(ts: number, price: number): void {
    if (Number.isNaN(this.firstTs)) {
      this.firstTs = ts;
      this.lastTs = ts;
      this.now = ts;
      this.reference = price;
      return;
    }
    this.advance(ts);
    this.heldDeviation = price - this.reference;
  }

  onBook(ts: number): void {
    if (!Number.isNaN(this.firstTs)) this.advance(ts);
  }

  value(): number | null {
    if (Number.isNaN(this.firstTs) || this.now - this.firstTs < this.warmUpMs) return null;
    return ((this.recentDeviation - this.baselineDeviation) / (this.reference + this.baselineDeviation)) * 100;
  }

  private advance(ts: number): void {
    this.now = ts;
    const elapsed = ts - this.lastTs;
    if (elapsed <= 0) return;
    const held = this.heldDeviation;
    this.recentDeviation = held + (this.recentDeviation - held) * Math.exp(-elapsed / this.recentTauMs);
    this.baselineDeviation = held + (this.baselineDeviation - held) * Math.exp(-elapsed / this.baselineTauMs);
    this.lastTs = ts;
  }
}
