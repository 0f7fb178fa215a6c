import { describe, expect, test } from 'vitest';
import { ok, type Result } from '../../../src-shared/contract/result';
import type { Candle } from '../../../src-shared/contract/schemas';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import { createChartStore, orderedCandles } from './chart-store';

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
});
