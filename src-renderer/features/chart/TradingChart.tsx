import {
  CandlestickSeries,
  ColorType,
  createChart,
  createSeriesMarkers,
  CrosshairMode,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useMemo, useRef } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';
import { formatPriceNumber } from '../../lib/format';
import { EmptyState, ErrorText } from '../../ui/Panel';
import { TIMEFRAMES } from './chart-store';
import { buildMarkers } from './markers';

const CHART_COLORS = {
  background: '#0e1217',
  text: '#8b96a5',
  grid: '#1a2029',
  border: '#262e39',
  up: '#26a69a',
  down: '#ef5350',
  volumeUp: 'rgba(38, 166, 154, 0.35)',
  volumeDown: 'rgba(239, 83, 80, 0.35)',
} as const;

interface ChartHandles {
  chart: IChartApi;
  candles: ISeriesApi<'Candlestick'>;
  volume: ISeriesApi<'Histogram'>;
  markers: ISeriesMarkersPluginApi<Time>;
}

export function TradingChart() {
  const { chart: chartStore, signals: signalsStore, focus, recordings, market } = useApp();
  const candles = useStore(chartStore, (state) => state.candles);
  const timeframe = useStore(chartStore, (state) => state.timeframe);
  const loading = useStore(chartStore, (state) => state.loading);
  const error = useStore(chartStore, (state) => state.error);
  const signals = useStore(signalsStore, (state) => state.items);
  const sessionId = useStore(focus, (state) => state.sessionId);
  const instrumentId = useStore(focus, (state) => state.instrumentId);
  const recordingId = useStore(focus, (state) => state.recordingId);
  const recordingName = useStore(recordings, (state) => state.items.find((item) => item.id === recordingId)?.name ?? null);
  const lastTrade = useStore(market, (state) => (instrumentId === null ? undefined : state.lastTrade[instrumentId]));

  const containerRef = useRef<HTMLDivElement>(null);
  const handles = useRef<ChartHandles | null>(null);

  const shownSignals = useMemo(
    () => (sessionId === null ? [] : signals.filter((signal) => signal.sessionId === sessionId && signal.instrumentId === instrumentId)),
    [signals, sessionId, instrumentId],
  );
  const { markers, counts } = useMemo(() => buildMarkers(shownSignals, candles, timeframe), [shownSignals, candles, timeframe]);

  useEffect(() => {
    const container = containerRef.current;
    if (container === null) return;
    const chart = createChart(container, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: CHART_COLORS.background },
        textColor: CHART_COLORS.text,
        fontSize: 11,
        fontFamily: 'ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, monospace',
      },
      grid: { vertLines: { color: CHART_COLORS.grid }, horzLines: { color: CHART_COLORS.grid } },
      rightPriceScale: { borderColor: CHART_COLORS.border },
      timeScale: { borderColor: CHART_COLORS.border, timeVisible: true, secondsVisible: false },
      crosshair: { mode: CrosshairMode.Normal },
    });
    const candleSeries = chart.addSeries(CandlestickSeries, {
      upColor: CHART_COLORS.up,
      downColor: CHART_COLORS.down,
      borderVisible: false,
      wickUpColor: CHART_COLORS.up,
      wickDownColor: CHART_COLORS.down,
      priceLineVisible: true,
    });
    candleSeries.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.22 } });
    const volumeSeries = chart.addSeries(HistogramSeries, { priceScaleId: 'volume', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    handles.current = { chart, candles: candleSeries, volume: volumeSeries, markers: createSeriesMarkers(candleSeries, []) };
    return () => {
      handles.current = null;
      chart.remove();
    };
  }, []);

  useEffect(() => {
    const current = handles.current;
    if (current === null) return;
    current.chart.applyOptions({ timeScale: { secondsVisible: timeframe === '1s' } });
    current.candles.setData(candles.map((candle) => ({ time: candle.time as UTCTimestamp, open: candle.open, high: candle.high, low: candle.low, close: candle.close })));
    current.volume.setData(
      candles.map((candle) => ({ time: candle.time as UTCTimestamp, value: candle.volume, color: candle.close >= candle.open ? CHART_COLORS.volumeUp : CHART_COLORS.volumeDown })),
    );
    if (candles.length > 0) current.chart.timeScale().fitContent();
  }, [candles, timeframe]);

  useEffect(() => {
    handles.current?.markers.setMarkers(markers);
  }, [markers]);

  const title = instrumentId ?? 'No instrument';
  return (
    <section className="panel panel-chart">
      <header className="panel-header chart-header">
        <h2 className="panel-title chart-symbol">{title}</h2>
        {recordingName !== null ? <span className="panel-meta" title="recording">{recordingName}</span> : null}
        {lastTrade !== undefined ? (
          <span className={`chart-last mono ${lastTrade.side === 'buy' ? 'positive' : 'negative'}`} title="last trade">
            {formatPriceNumber(lastTrade.price)}
          </span>
        ) : null}
        <div className="chart-legend" aria-label="marker counts" title={`${candles.length} bars, times in UTC`}>
          {(['S1', 'O1', 'Z1', 'ZE1', 'E1'] as const).map((section) => (
            <span key={section} className={`legend-item legend-${section.toLowerCase()}`}>
              {section} {counts[section]}
            </span>
          ))}
        </div>
        <div className="panel-actions segmented segmented-small" role="radiogroup" aria-label="Timeframe">
          {TIMEFRAMES.map((option) => (
            <button
              key={option}
              type="button"
              role="radio"
              aria-checked={timeframe === option}
              className={`segment${timeframe === option ? ' is-active' : ''}`}
              onClick={() => void chartStore.getState().setTimeframe(option)}
              data-testid={`timeframe-${option}`}
            >
              {option}
            </button>
          ))}
        </div>
      </header>
      <div className="chart-stage">
        <div
          ref={containerRef}
          className="chart-canvas"
          data-testid="trading-chart"
          data-candles={candles.length}
          data-markers={markers.length}
          data-marker-counts={JSON.stringify(counts)}
          data-timeframe={timeframe}
          data-loading={loading ? 'true' : 'false'}
        />
        {candles.length === 0 ? (
          <div className="chart-overlay">
            {error !== null ? (
              <ErrorText>{error}</ErrorText>
            ) : loading ? (
              <EmptyState>Loading candles…</EmptyState>
            ) : recordingId === null ? (
              <EmptyState>Import a recording or pick a session to see its chart.</EmptyState>
            ) : (
              <EmptyState>No trades in this recording for {title}.</EmptyState>
            )}
          </div>
        ) : null}
      </div>
    </section>
  );
}
