import {
  CandlestickSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  CrosshairMode,
  HistogramSeries,
  LineStyle,
  type AutoscaleInfo,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import type { Candle, MarketData, SignalDto, Timeframe } from '../../../src-shared/contract/schemas';
import { recordCandlesShown, recordTickShown } from '../../lib/perf-probe';
import { LiveBars, type LiveTick } from './live-bars';
import { buildMarkers, type ChartMarkers } from './markers';
import { autoscaledLinePrices } from './price-lines';

export const CHART_COLORS = {
  background: '#0e1217',
  text: '#8b96a5',
  grid: '#161c25',
  border: '#262e39',
  up: '#26a69a',
  down: '#ef5350',
  volumeUp: 'rgba(38, 166, 154, 0.35)',
  volumeDown: 'rgba(239, 83, 80, 0.35)',
} as const;

export type PriceLineKind = 'entry' | 'stopLoss' | 'takeProfit' | 'liquidation';

export interface PriceLineSpec {
  kind: PriceLineKind;
  price: number;
}

const PRICE_LINE_STYLE: Record<PriceLineKind, { title: string; color: string; style: LineStyle }> = {
  entry: { title: 'Entry', color: '#60a5fa', style: LineStyle.Dashed },
  stopLoss: { title: 'SL', color: '#ef4444', style: LineStyle.Dashed },
  takeProfit: { title: 'TP', color: '#22c55e', style: LineStyle.Dashed },
  liquidation: { title: 'Liq', color: '#f97316', style: LineStyle.Dotted },
};

export interface ChartHistory {
  instrumentId: string | null;
  /** The replay whose ticks extend the bars; null for a live feed (ticks without a session). */
  replaySessionId: string | null;
  timeframe: Timeframe;
  candles: readonly Candle[];
  untilTs: number | null;
  live: boolean;
  /** Fit the view to the data (a new source or timeframe), rather than keep the trader's zoom. */
  fit: boolean;
}

export interface ChartSummary {
  bars: number;
  markers: ChartMarkers;
}

/** Ticks kept to replay over a history load that was requested before they arrived. */
const RECENT_TICKS = 4_096;

/**
 * The chart outside React: lightweight-charts series, the bars (history + live), markers, price
 * lines and the latency probe. Live ticks go straight from the transport to series.update() —
 * no store, no render — and lightweight-charts paints at most once per animation frame.
 */
export class ChartController {
  private readonly chart: IChartApi;
  private readonly candles: ISeriesApi<'Candlestick'>;
  private readonly volume: ISeriesApi<'Histogram'>;
  private readonly markers: ISeriesMarkersPluginApi<Time>;
  private readonly bars = new LiveBars('1m');
  private readonly recent: LiveTick[] = [];
  private priceLines: IPriceLine[] = [];
  private priceLineKey = '';
  private linePrices: PriceLineSpec[] = [];
  private signals: readonly SignalDto[] = [];
  private instrumentId: string | null = null;
  private replaySessionId: string | null = null;
  private timeframe: Timeframe = '1m';
  private live = false;
  private liveTicks = 0;
  private summary: ChartSummary = { bars: 0, markers: { markers: [], counts: { S1: 0, O1: 0, Z1: 0, ZE1: 0, E1: 0 } } };

  constructor(
    private readonly container: HTMLElement,
    private readonly onSummary: (summary: ChartSummary) => void,
  ) {
    this.chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: CHART_COLORS.background },
        textColor: CHART_COLORS.text,
        fontSize: 11,
        fontFamily: 'ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, monospace',
      },
      grid: { vertLines: { color: CHART_COLORS.grid }, horzLines: { color: CHART_COLORS.grid } },
      rightPriceScale: { borderColor: CHART_COLORS.border },
      timeScale: { borderColor: CHART_COLORS.border, timeVisible: true, secondsVisible: false, rightOffset: 4 },
      crosshair: { mode: CrosshairMode.Normal },
    });
    this.candles = this.chart.addSeries(CandlestickSeries, {
      upColor: CHART_COLORS.up,
      downColor: CHART_COLORS.down,
      borderVisible: false,
      wickUpColor: CHART_COLORS.up,
      wickDownColor: CHART_COLORS.down,
      priceLineVisible: true,
      // the open position's lines stay in view with the bars (a far liquidation excepted)
      autoscaleInfoProvider: (base: () => AutoscaleInfo | null) => {
        const info = base();
        if (info?.priceRange == null || this.linePrices.length === 0) return info;
        const { minValue, maxValue } = info.priceRange;
        const shown = autoscaledLinePrices(this.linePrices, minValue, maxValue);
        if (shown.length === 0) return info;
        return { ...info, priceRange: { minValue: Math.min(minValue, ...shown), maxValue: Math.max(maxValue, ...shown) } };
      },
    });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.22 } });
    this.volume = this.chart.addSeries(HistogramSeries, { priceScaleId: 'volume', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    this.chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    this.markers = createSeriesMarkers(this.candles, []);
    this.publish();
  }

  setHistory(history: ChartHistory): void {
    const changedSource = history.instrumentId !== this.instrumentId || history.replaySessionId !== this.replaySessionId;
    if (changedSource) this.recent.length = 0;
    this.instrumentId = history.instrumentId;
    this.replaySessionId = history.replaySessionId;
    this.timeframe = history.timeframe;
    this.live = history.live;
    this.bars.reset(history.candles, history.untilTs, history.timeframe);
    // ticks that arrived while this history was on its way: the history stops before them
    for (const tick of this.recent) this.bars.apply(tick);
    this.chart.applyOptions({ timeScale: { secondsVisible: history.timeframe === '1s' } });
    const all = this.bars.all();
    this.candles.setData(all.map(toBar));
    this.volume.setData(all.map(toVolume));
    if (history.fit && all.length > 0) this.chart.timeScale().fitContent();
    if (all.length > 0) recordCandlesShown();
    this.refreshMarkers();
  }

  /** A market_data event as it arrived, with the engine's publish time when the host sent one. */
  onTick(data: MarketData, publishedAt: number | undefined): void {
    // two replays of one instrument run side by side: only this chart's session extends its bars
    if (data.kind !== 'trade' || data.instrumentId !== this.instrumentId || (data.sessionId ?? null) !== this.replaySessionId) return;
    const tick: LiveTick = { ts: data.ts, price: data.price, quantity: data.quantity };
    this.recent.push(tick);
    if (this.recent.length > RECENT_TICKS) this.recent.splice(0, this.recent.length - RECENT_TICKS);
    if (!this.live) return;
    const applied = this.bars.apply(tick);
    if (applied === null) return;
    this.candles.update(toBar(applied.bar));
    this.volume.update(toVolume(applied.bar));
    this.liveTicks++;
    this.container.dataset['liveTicks'] = String(this.liveTicks);
    if (publishedAt !== undefined) recordTickShown(publishedAt);
    // a new bar may be the one a just-arrived signal belongs to
    if (applied.opened) this.refreshMarkers();
  }

  setSignals(signals: readonly SignalDto[]): void {
    this.signals = signals;
    this.refreshMarkers();
  }

  /** Entry, stop-loss, take-profit and liquidation of the open position in view. */
  setPriceLines(lines: readonly PriceLineSpec[]): void {
    const key = lines.map((line) => `${line.kind}:${line.price}`).join('|');
    if (key === this.priceLineKey) return;
    this.priceLineKey = key;
    for (const line of this.priceLines) this.candles.removePriceLine(line);
    this.priceLines = lines.map((line) => {
      const style = PRICE_LINE_STYLE[line.kind];
      return this.candles.createPriceLine({ price: line.price, color: style.color, lineWidth: 1, lineStyle: style.style, axisLabelVisible: true, title: style.title });
    });
    this.linePrices = [...lines];
    this.container.dataset['priceLines'] = lines.map((line) => line.kind).join(',');
  }

  /** Shows every bar (f). */
  fit(): void {
    this.chart.timeScale().fitContent();
  }

  dispose(): void {
    this.chart.remove();
  }

  private refreshMarkers(): void {
    const markers = buildMarkers(this.signals, this.bars.all(), this.timeframe);
    this.markers.setMarkers(markers.markers);
    this.summary = { bars: this.bars.count, markers };
    this.publish();
  }

  private publish(): void {
    const { dataset } = this.container;
    dataset['candles'] = String(this.summary.bars);
    dataset['markers'] = String(this.summary.markers.markers.length);
    dataset['markerCounts'] = JSON.stringify(this.summary.markers.counts);
    this.onSummary(this.summary);
  }
}

const toBar = (candle: Candle) => ({ time: candle.time as UTCTimestamp, open: candle.open, high: candle.high, low: candle.low, close: candle.close });

const toVolume = (candle: Candle) => ({
  time: candle.time as UTCTimestamp,
  value: candle.volume,
  color: candle.close >= candle.open ? CHART_COLORS.volumeUp : CHART_COLORS.volumeDown,
});
