import { AreaSeries, ColorType, createChart, type IChartApi, type ISeriesApi, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useMemo, useRef } from 'react';
import { CHART_COLORS } from '../chart/chart-controller';

export interface SeriesPoint {
  /** ms since the epoch */
  ts: number;
  value: number;
}

/**
 * lightweight-charts wants strictly ascending whole-second times: points in the same second
 * keep the last (the state after everything that happened in it).
 */
export function toChartPoints(points: readonly SeriesPoint[]): Array<{ time: UTCTimestamp; value: number }> {
  const out: Array<{ time: UTCTimestamp; value: number }> = [];
  for (const point of [...points].sort((a, b) => a.ts - b.ts)) {
    const time = Math.floor(point.ts / 1000) as UTCTimestamp;
    if (!Number.isFinite(point.value)) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.time === time) last.value = point.value;
    else out.push({ time, value: point.value });
  }
  return out;
}

interface SeriesChartProps {
  points: readonly SeriesPoint[];
  color: string;
  fill: string;
  testId: string;
  /** Decimals on the price scale. */
  precision: number;
}

/** One area series on the terminal's chart theme: the equity curve and the drawdown. */
export function SeriesChart({ points, color, fill, testId, precision }: SeriesChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const handles = useRef<{ chart: IChartApi; series: ISeriesApi<'Area'> } | null>(null);

  useEffect(() => {
    if (container.current === null) return;
    const chart = createChart(container.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: CHART_COLORS.background }, textColor: CHART_COLORS.text, fontSize: 11 },
      grid: { vertLines: { color: CHART_COLORS.grid }, horzLines: { color: CHART_COLORS.grid } },
      rightPriceScale: { borderColor: CHART_COLORS.border },
      timeScale: { borderColor: CHART_COLORS.border, timeVisible: true, secondsVisible: true },
      handleScroll: false,
      handleScale: false,
    });
    const series = chart.addSeries(AreaSeries, { lineColor: color, topColor: fill, bottomColor: 'rgba(0,0,0,0)', lineWidth: 2, priceFormat: { type: 'price', precision, minMove: 1 / 10 ** precision } });
    handles.current = { chart, series };
    return () => {
      handles.current = null;
      chart.remove();
    };
  }, [color, fill, precision]);

  const data = useMemo(() => toChartPoints(points), [points]);
  useEffect(() => {
    const current = handles.current;
    if (current === null) return;
    current.series.setData(data);
    current.chart.timeScale().fitContent();
  }, [data]);

  return <div ref={container} className="series-chart" data-testid={testId} data-points={data.length} />;
}
