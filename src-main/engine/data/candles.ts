import type { Candle, Timeframe } from '../../../src-shared/contract/schemas';

export const TIMEFRAME_SECONDS: Readonly<Record<Timeframe, number>> = { '1s': 1, '1m': 60, '5m': 300, '15m': 900, '1h': 3600 };

/** Builds OHLCV bars from trades as they arrive; bars are keyed by their start (seconds). */
export class CandleBuilder {
  private readonly candles: Candle[] = [];
  private readonly periodSeconds: number;

  constructor(timeframe: Timeframe) {
    this.periodSeconds = TIMEFRAME_SECONDS[timeframe];
  }

  /** Returns the bar that the trade updated. */
  add(tsMs: number, price: number, quantity: number): Candle {
    const time = Math.floor(tsMs / 1000 / this.periodSeconds) * this.periodSeconds;
    const last = this.candles[this.candles.length - 1];
    if (last !== undefined && last.time === time) {
      if (price > last.high) last.high = price;
      if (price < last.low) last.low = price;
      last.close = price;
      last.volume += quantity;
      return last;
    }
    if (last !== undefined && time < last.time) throw new Error(`trade at ${tsMs} is older than the current bar`);
    const candle: Candle = { time, open: price, high: price, low: price, close: price, volume: quantity };
    this.candles.push(candle);
    return candle;
  }

  /** The newest `limit` bars. */
  result(limit = Infinity): Candle[] {
    return this.candles.length > limit ? this.candles.slice(this.candles.length - limit) : this.candles;
  }
}

/** Snaps a ms timestamp to the start (seconds) of its bar. */
export const barTime = (tsMs: number, timeframe: Timeframe): number =>
  Math.floor(tsMs / 1000 / TIMEFRAME_SECONDS[timeframe]) * TIMEFRAME_SECONDS[timeframe];
