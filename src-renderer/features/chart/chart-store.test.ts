import { describe, expect, test } from 'vitest';
import { ok, type Result } from '../../../src-shared/contract/result';
import type { Candle } from '../../../src-shared/contract/schemas';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import { createChartStore, orderedCandles, suggestTimeframe } from './chart-store';

const bar = (time: number, close = 1): Candle => ({ time, open: 1, high: 1, low: 1, close, volume: 1 });

describe('chart store', () => {
  test('leaves ordered bars untouched and repairs unordered or repeated ones', () => {
    const ordered = [bar(1), bar(2)];
    expect(orderedCandles(ordered)).toBe(ordered);
    expect(orderedCandles([bar(3), bar(1), bar(3, 9)]).map((candle) => [candle.time, candle.close])).toEqual([
      [1, 1],
      [3, 9],
    ]);
  });

  test('keeps only the answer to the latest request when answers arrive out of order', async () => {
    const resolvers: Array<(result: Result<Candle[]>) => void> = [];
    const api: SurgeApi = {
      invoke: () => new Promise((resolve) => resolvers.push(resolve as (result: Result<Candle[]>) => void)),
      subscribe: () => () => undefined,
    };
    const store = createChartStore(api, { candleLimit: 100 });
    const first = store.getState().load({ recordingId: 'a', instrumentId: 'BTC/USDT:USDT' });
    const second = store.getState().load({ recordingId: 'b', instrumentId: 'BTC/USDT:USDT' });
    resolvers[1]!(ok([bar(2)]));
    resolvers[0]!(ok([bar(1)]));
    await Promise.all([first, second]);
    expect(store.getState().source?.recordingId).toBe('b');
    expect(store.getState().candles.map((candle) => candle.time)).toEqual([2]);
  });

  test('a session source asks for the session\'s candles so far and keeps where they end', async () => {
    const asked: Array<[string, unknown]> = [];
    const api: SurgeApi = {
      invoke: (async (name: string, request: unknown) => {
        asked.push([name, request]);
        return ok({ candles: [bar(60), bar(120)], untilTs: 150_000, live: true });
      }) as SurgeApi['invoke'],
      subscribe: () => () => undefined,
    };
    const store = createChartStore(api, { candleLimit: 100 });
    await store.getState().load({ recordingId: 'r', instrumentId: 'BTC/USDT:USDT', sessionId: 's1' });
    expect(asked).toEqual([['chart.sessionCandles', { sessionId: 's1', instrumentId: 'BTC/USDT:USDT', timeframe: '1m', limit: 100 }]]);
    expect(store.getState()).toMatchObject({ untilTs: 150_000, live: true, loadSeq: 1 });
    await store.getState().stepTimeframe(1);
    expect(store.getState().timeframe).toBe('5m');
    expect(asked.at(-1)![1]).toMatchObject({ timeframe: '5m' });
  });

  test('suggests a timeframe that gives a readable number of bars, until the trader picks one', async () => {
    expect(suggestTimeframe(5 * 60_000)).toBe('1s');
    expect(suggestTimeframe(6 * 3_600_000)).toBe('1m');
    expect(suggestTimeframe(2 * 86_400_000)).toBe('5m');
    expect(suggestTimeframe(30 * 86_400_000)).toBe('1h');
    const api: SurgeApi = { invoke: (async () => ok([])) as SurgeApi['invoke'], subscribe: () => () => undefined };
    const store = createChartStore(api, { candleLimit: 100 });
    store.getState().suggest('1s');
    expect(store.getState().timeframe).toBe('1s');
    await store.getState().setTimeframe('5m');
    store.getState().suggest('1s');
    expect(store.getState().timeframe).toBe('5m');
  });
});
