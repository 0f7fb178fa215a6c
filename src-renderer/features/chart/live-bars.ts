import type { Candle, Timeframe } from '../../../src-shared/contract/schemas';
import { TIMEFRAME_SECONDS } from './chart-store';

export interface LiveTick {
  ts: number;
  price: number;
  quantity: number;
}

/**
 * The chart's bars: history from the engine (up to `untilTs`), then bars built here from live
 * ticks. Ticks the history already holds (at or before `untilTs`) are skipped, so replaying the
 * ticks that arrived while the history loaded never counts one twice. Live volume is a lower
 * bound: the bridge sends the latest tick per frame, not every trade; the next history load
 * replaces the estimate with the exact bars.
 */
export class LiveBars {
  private bars: Candle[] = [];
  private periodSeconds: number;
  private untilTs: number | null = null;
  private lastTickTs = Number.NEGATIVE_INFINITY;

  constructor(timeframe: Timeframe) {
    this.periodSeconds = TIMEFRAME_SECONDS[timeframe];
  }

  /** Replaces everything with a history load (bars sorted by time, as the engine sends them). */
  reset(history: readonly Candle[], untilTs: number | null, timeframe: Timeframe): void {
    this.periodSeconds = TIMEFRAME_SECONDS[timeframe];
    this.bars = history.map((bar) => ({ ...bar }));
    this.untilTs = untilTs;
    this.lastTickTs = untilTs ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * Applies one tick; returns the bar it changed (a copy, safe to hand to the chart) and whether
   * it opened a new bar, or null when the tick is already in the history or out of order.
   */
  apply(tick: LiveTick): { bar: Candle; opened: boolean } | null {
    if (this.untilTs !== null && tick.ts <= this.untilTs) return null;
    if (tick.ts < this.lastTickTs) return null;
    this.lastTickTs = tick.ts;
    const time = Math.floor(tick.ts / 1000 / this.periodSeconds) * this.periodSeconds;
    const last = this.bars[this.bars.length - 1];
    if (last !== undefined && last.time === time) {
      if (tick.price > last.high) last.high = tick.price;
      if (tick.price < last.low) last.low = tick.price;
      last.close = tick.price;
      last.volume += tick.quantity;
      return { bar: { ...last }, opened: false };
    }
    if (last !== undefined && time < last.time) return null;
    const bar: Candle = { time, open: tick.price, high: tick.price, low: tick.price, close: tick.price, volume: tick.quantity };
    this.bars.push(bar);
    return { bar: { ...bar }, opened: true };
  }

  all(): readonly Candle[] {
    return this.bars;
  }

  get count(): number {
    return this.bars.length;
  }
}
