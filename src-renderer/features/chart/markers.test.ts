import { describe, expect, test } from 'vitest';
import type { Candle, SignalDto } from '../../../src-shared/contract/schemas';
import { buildMarkers, MARKER_COLORS } from './markers';

const minute = (n: number): number => 1_723_161_240 + n * 60; // 2024-08-08 23:54:00 UTC + n minutes
const candle = (time: number): Candle => ({ time, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 });

function signal(section: SignalDto['section'], tsMs: number, direction: SignalDto['direction'] = 'LONG'): SignalDto {
  return {
    id: `${section}-${tsMs}`,
    sessionId: 's',
    strategyId: 'skeleton-pump',
    instrumentId: 'BTC/USDT:USDT',
    section,
    state: 'SIGNAL_DETECTED',
    direction,
    price: 61_000,
    indicatorValues: {},
    reason: null,
    ts: tsMs,
  };
}

describe('chart markers', () => {
  const candles = [candle(minute(0)), candle(minute(1)), candle(minute(3))];

  test('snaps each signal to the start of the bar it happened in', () => {
    const { markers } = buildMarkers([signal('S1', (minute(1) + 42) * 1000 + 123)], candles, '1m');
    expect(markers.map((marker) => marker.time)).toEqual([minute(1)]);
  });

  test('puts a signal in a bar-less bucket on the bar before it', () => {
    const { markers } = buildMarkers([signal('Z1', (minute(2) + 5) * 1000)], candles, '1m');
    expect(markers.map((marker) => marker.time)).toEqual([minute(1)]);
  });

  test('leaves out signals outside the loaded candles', () => {
    const { markers, counts } = buildMarkers([signal('S1', (minute(0) - 1) * 1000), signal('S1', (minute(4) + 1) * 1000)], candles, '1m');
    expect(markers).toEqual([]);
    expect(counts.S1).toBe(0);
  });

  test('snaps to the chosen timeframe, not to one minute', () => {
    const fiveMinute = [candle(minute(0) - 240), candle(minute(1))]; // 23:50 and 23:55
    const { markers } = buildMarkers([signal('S1', (minute(3) + 10) * 1000)], fiveMinute, '5m');
    expect(markers[0]!.time).toBe(minute(1));
  });

  test('draws each section in its own style, texted with the section', () => {
    const at = (n: number): number => (minute(0) + n) * 1000;
    const { markers, counts } = buildMarkers(
      [signal('S1', at(1)), signal('O1', at(2)), signal('Z1', at(3)), signal('Z1', at(4), 'SHORT'), signal('ZE1', at(5)), signal('E1', at(6))],
      candles,
      '1m',
    );
    expect(markers.map((marker) => [marker.text, marker.shape, marker.color])).toEqual([
      ['S1', 'arrowUp', MARKER_COLORS.S1],
      ['O1', 'circle', MARKER_COLORS.O1],
      ['Z1', 'arrowUp', MARKER_COLORS.Z1_LONG],
      ['Z1', 'arrowDown', MARKER_COLORS.Z1_SHORT],
      ['ZE1', 'arrowDown', MARKER_COLORS.ZE1],
      ['E1', 'square', MARKER_COLORS.E1],
    ]);
    expect(counts).toEqual({ S1: 1, O1: 1, Z1: 2, ZE1: 1, E1: 1 });
  });

  test('returns markers in time order whatever order the signals came in', () => {
    const { markers } = buildMarkers([signal('ZE1', (minute(3) + 1) * 1000), signal('S1', (minute(0) + 1) * 1000)], candles, '1m');
    expect(markers.map((marker) => marker.text)).toEqual(['S1', 'ZE1']);
  });
});
