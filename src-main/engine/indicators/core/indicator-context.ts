import { bookDepthNotional, bookImbalancePct } from './book-metrics';
import type { BookLevel, MarketListener, TradeSide } from './market-listener';
import { StepSeries } from './step-series';
import { TimeWeightedWindow } from './time-weighted-window';
import { TradeFlowSeries } from './trade-flow-series';
import { TradeFlowWindow } from './trade-flow-window';

/**
 * The per-instrument event pump and the cache of shared building blocks. Indicators ask it for
 * series and windows; identical requests return the same object, so two variants reading
 * TWPA(10,0) advance one window, not two. Blocks register as listeners when first created, which
 * keeps the dispatch order equal to the dependency order.
 *
 * "Now" is event time: the timestamp of the latest trade or book update. An event stamped earlier
 * than now (late delivery) is treated as happening now, so every series stays ordered and a
 * replay gives the same values as the live run that recorded it.
 */
export class IndicatorContext {
  private readonly listeners: MarketListener[] = [];
  private currentNow = Number.NEGATIVE_INFINITY;
  private tradePrices: StepSeries | null = null;
  private tradeFlow: TradeFlowSeries | null = null;
  private readonly bookSeries = new Map<string, StepSeries>();
  private readonly timeWeightedWindows = new Map<string, TimeWeightedWindow>();
  private readonly flowWindows = new Map<string, TradeFlowWindow>();

  /** Event time of the latest update, or null before the first one. */
  get now(): number | null {
    return this.currentNow === Number.NEGATIVE_INFINITY ? null : this.currentNow;
  }

  /** Blocks created after the first event would silently miss history, so that is refused. */
  register(listener: MarketListener): void {
    if (this.currentNow !== Number.NEGATIVE_INFINITY) throw new Error('indicators must all be created before the first market event');
    this.listeners.push(listener);
  }

  onTrade(ts: number, price: number, quantity: number, side: TradeSide): void {
    if (!Number.isFinite(ts)) throw new RangeError(`trade timestamp must be finite, got ${ts}`);
    if (!(price > 0) || !Number.isFinite(price)) throw new RangeError(`trade price must be positive and finite, got ${price}`);
    if (!(quantity >= 0) || !Number.isFinite(quantity)) throw new RangeError(`trade quantity must be non-negative and finite, got ${quantity}`);
    const now = ts > this.currentNow ? ts : this.currentNow;
    this.currentNow = now;
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!.onTrade(now, price, quantity, side);
  }

  onBook(ts: number, bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
    if (!Number.isFinite(ts)) throw new RangeError(`book timestamp must be finite, got ${ts}`);
    const now = ts > this.currentNow ? ts : this.currentNow;
    this.currentNow = now;
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!.onBook(now, bids, asks);
  }

  /** Last trade price as a step series. */
  tradePriceSeries(): StepSeries {
    if (this.tradePrices === null) {
      const series = new StepSeries();
      this.tradePrices = series;
      this.register({
        onTrade: (ts, price) => series.append(ts, price),
        onBook: () => undefined,
      });
    }
    return this.tradePrices;
  }

  tradeFlowSeries(): TradeFlowSeries {
    if (this.tradeFlow === null) {
      const series = new TradeFlowSeries();
      this.tradeFlow = series;
      this.register({
        onTrade: (ts, price, quantity) => series.append(ts, quantity, price * quantity),
        onBook: () => undefined,
      });
    }
    return this.tradeFlow;
  }

  /** Top-N order-book imbalance in %, as a step series (an empty book leaves the previous value holding). */
  bookImbalanceSeries(levels: number): StepSeries {
    return this.bookMetricSeries(`imbalance:${levels}`, (bids, asks) => bookImbalancePct(bids, asks, levels));
  }

  /** Top-N order-book depth (Σ price × quantity, both sides), as a step series. */
  bookDepthSeries(levels: number): StepSeries {
    return this.bookMetricSeries(`depth:${levels}`, (bids, asks) => bookDepthNotional(bids, asks, levels));
  }

  /** TWPA(from, to) of trade prices. */
  priceWindow(fromMs: number, toMs: number): TimeWeightedWindow {
    return this.timeWeightedWindow('price', this.tradePriceSeries(), fromMs, toMs);
  }

  bookImbalanceWindow(levels: number, fromMs: number, toMs: number): TimeWeightedWindow {
    return this.timeWeightedWindow(`imbalance:${levels}`, this.bookImbalanceSeries(levels), fromMs, toMs);
  }

  bookDepthWindow(levels: number, fromMs: number, toMs: number): TimeWeightedWindow {
    return this.timeWeightedWindow(`depth:${levels}`, this.bookDepthSeries(levels), fromMs, toMs);
  }

  flowWindow(fromMs: number, toMs: number): TradeFlowWindow {
    const key = `${fromMs}:${toMs}`;
    let window = this.flowWindows.get(key);
    if (window === undefined) {
      window = new TradeFlowWindow(this.tradeFlowSeries(), fromMs, toMs);
      this.flowWindows.set(key, window);
      this.register(window);
    }
    return window;
  }

  private timeWeightedWindow(seriesKey: string, series: StepSeries, fromMs: number, toMs: number): TimeWeightedWindow {
    const key = `${seriesKey}:${fromMs}:${toMs}`;
    let window = this.timeWeightedWindows.get(key);
    if (window === undefined) {
      window = new TimeWeightedWindow(series, fromMs, toMs);
      this.timeWeightedWindows.set(key, window);
      this.register(window);
    }
    return window;
  }

  private bookMetricSeries(
    key: string,
    metric: (bids: readonly BookLevel[], asks: readonly BookLevel[]) => number | null,
  ): StepSeries {
    let series = this.bookSeries.get(key);
    if (series === undefined) {
      const created = new StepSeries();
      series = created;
      this.bookSeries.set(key, created);
      this.register({
        onTrade: () => undefined,
        onBook: (ts, bids, asks) => {
          const value = metric(bids, asks);
          if (value !== null) created.append(ts, value);
        },
      });
    }
    return series;
  }
}
