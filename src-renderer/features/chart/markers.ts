import type { SeriesMarkerBar, UTCTimestamp } from 'lightweight-charts';
import type { Candle, SignalDto, Timeframe } from '../../../src-shared/contract/schemas';
import { TIMEFRAME_SECONDS } from './chart-store';

export const MARKER_COLORS = {
  S1: '#f5a524',
  O1: '#8b949e',
  Z1_LONG: '#22c55e',
  Z1_SHORT: '#ef4444',
  ZE1: '#3b82f6',
  E1: '#ef4444',
} as const;

type Section = SignalDto['section'];

/** How each strategy section looks on the chart. Entries point the way of the trade; exits the other way. */
function markerStyle(signal: SignalDto): Pick<SeriesMarkerBar<UTCTimestamp>, 'shape' | 'color' | 'position'> {
  const long = signal.direction === 'LONG';
  switch (signal.section) {
    case 'S1':
      return long ? { shape: 'arrowUp', color: MARKER_COLORS.S1, position: 'belowBar' } : { shape: 'arrowDown', color: MARKER_COLORS.S1, position: 'aboveBar' };
    case 'O1':
      return { shape: 'circle', color: MARKER_COLORS.O1, position: long ? 'belowBar' : 'aboveBar' };
    case 'Z1':
      return long ? { shape: 'arrowUp', color: MARKER_COLORS.Z1_LONG, position: 'belowBar' } : { shape: 'arrowDown', color: MARKER_COLORS.Z1_SHORT, position: 'aboveBar' };
    case 'ZE1':
      return long ? { shape: 'arrowDown', color: MARKER_COLORS.ZE1, position: 'aboveBar' } : { shape: 'arrowUp', color: MARKER_COLORS.ZE1, position: 'belowBar' };
    case 'E1':
      return { shape: 'square', color: MARKER_COLORS.E1, position: long ? 'aboveBar' : 'belowBar' };
  }
}

/** Index of the last candle starting at or before `time`, or -1. Candles are sorted by time. */
function candleAtOrBefore(candles: readonly Candle[], time: number): number {
  let low = 0;
  let high = candles.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (candles[middle]!.time <= time) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

export interface ChartMarkers {
  markers: SeriesMarkerBar<UTCTimestamp>[];
  counts: Record<Section, number>;
}

/**
 * Places each signal on the bar it happened in. A marker must sit on an existing bar time, so a
 * signal is snapped to its timeframe bucket and, where that bucket has no bar (no trade in that
 * second), to the bar before it. Signals outside the loaded candles are left off.
 */
export function buildMarkers(signals: readonly SignalDto[], candles: readonly Candle[], timeframe: Timeframe): ChartMarkers {
  const counts: Record<Section, number> = { S1: 0, O1: 0, Z1: 0, ZE1: 0, E1: 0 };
  const markers: SeriesMarkerBar<UTCTimestamp>[] = [];
  const last = candles[candles.length - 1];
  if (last === undefined) return { markers, counts };
  const bucketSeconds = TIMEFRAME_SECONDS[timeframe];
  for (const signal of signals) {
    const bucket = Math.floor(signal.ts / 1000 / bucketSeconds) * bucketSeconds;
    if (bucket > last.time) continue;
    const index = candleAtOrBefore(candles, bucket);
    if (index < 0) continue;
    markers.push({
      id: signal.id,
      time: candles[index]!.time as UTCTimestamp,
      text: signal.section,
      ...markerStyle(signal),
    });
    counts[signal.section]++;
  }
  markers.sort((a, b) => a.time - b.time);
  return { markers, counts };
}
