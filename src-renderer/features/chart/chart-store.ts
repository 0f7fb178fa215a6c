import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { Candle, Timeframe } from '../../../src-shared/contract/schemas';

export const TIMEFRAMES: readonly Timeframe[] = ['1s', '1m', '5m', '15m', '1h'];

export const TIMEFRAME_SECONDS: Record<Timeframe, number> = { '1s': 1, '1m': 60, '5m': 300, '15m': 900, '1h': 3600 };

/**
 * lightweight-charts throws on bars that are not strictly ascending in time; one bad answer must
 * not take the chart down, so bars are put in order and a repeated bar time keeps the later bar.
 */
export function orderedCandles(candles: readonly Candle[]): Candle[] {
  let ordered = true;
  for (let index = 1; index < candles.length; index++) {
    if (candles[index]!.time <= candles[index - 1]!.time) {
      ordered = false;
      break;
    }
  }
  if (ordered) return candles as Candle[];
  const byTime = new Map<number, Candle>();
  for (const candle of candles) byTime.set(candle.time, candle);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

export interface ChartSource {
  recordingId: string;
  instrumentId: string;
}

export interface ChartState {
  timeframe: Timeframe;
  /** What `candles` were loaded for; null before the first load. */
  source: ChartSource | null;
  candles: Candle[];
  loading: boolean;
  error: string | null;
  setTimeframe(timeframe: Timeframe): Promise<void>;
  load(source: ChartSource | null): Promise<void>;
}

export type ChartStore = StoreApi<ChartState>;

export interface ChartStoreOptions {
  /** Most candles asked for at once; the contract allows up to 50 000. */
  candleLimit: number;
}

export function createChartStore(api: SurgeApi, options: ChartStoreOptions): ChartStore {
  // Answers can arrive out of order when the trader clicks quickly; only the latest request may land.
  let latestRequest = 0;
  return createStore<ChartState>()((set, get) => ({
    timeframe: '1m',
    source: null,
    candles: [],
    loading: false,
    error: null,
    async setTimeframe(timeframe) {
      set({ timeframe });
      await get().load(get().source);
    },
    async load(source) {
      const request = ++latestRequest;
      if (source === null) {
        set({ source: null, candles: [], loading: false, error: null });
        return;
      }
      const sameSource = get().source?.recordingId === source.recordingId && get().source?.instrumentId === source.instrumentId;
      set({ source, loading: true, error: null, candles: sameSource ? get().candles : [] });
      const result = await api.invoke('chart.candles', {
        recordingId: source.recordingId,
        instrumentId: source.instrumentId,
        timeframe: get().timeframe,
        limit: options.candleLimit,
      });
      if (request !== latestRequest) return;
      if (result.ok) set({ candles: orderedCandles(result.value), loading: false });
      else set({ candles: [], loading: false, error: result.error.message });
    },
  }));
}
