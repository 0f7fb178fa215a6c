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

/**
 * A timeframe that gives a readable number of bars for data spanning `spanMs`: five minutes of
 * trades at 1m would be five bars, a week at 1s more than the chart may load.
 */
export function suggestTimeframe(spanMs: number): Timeframe {
  const minutes = spanMs / 60_000;
  if (minutes <= 20) return '1s';
  if (minutes <= 16 * 60) return '1m';
  if (minutes <= 3 * 24 * 60) return '5m';
  if (minutes <= 10 * 24 * 60) return '15m';
  return '1h';
}

/**
 * What the chart shows: a session (its recording as far as the replay has got, then live ticks)
 * or a whole recording.
 */
export interface ChartSource {
  recordingId: string;
  instrumentId: string;
  sessionId?: string | null;
}

const sameSource = (a: ChartSource | null, b: ChartSource | null): boolean =>
  a !== null && b !== null && a.recordingId === b.recordingId && a.instrumentId === b.instrumentId && (a.sessionId ?? null) === (b.sessionId ?? null);

export interface ChartState {
  timeframe: Timeframe;
  /** Once the trader picks a timeframe, the chart stops suggesting one per recording. */
  timeframePicked: boolean;
  /** What `candles` were loaded for; null before the first load. */
  source: ChartSource | null;
  /** History bars; live bars beyond them are the chart's own (LiveBars). */
  candles: Candle[];
  /** Data time the history reaches; newer ticks extend it. */
  untilTs: number | null;
  /** True while the source session replays at a pace, so market_data extends the bars. */
  live: boolean;
  /** Bumped on every completed load, so the chart resets even when the answer is equal. */
  loadSeq: number;
  loading: boolean;
  error: string | null;
  setTimeframe(timeframe: Timeframe): Promise<void>;
  stepTimeframe(step: 1 | -1): Promise<void>;
  /** Takes the suggested timeframe for a new source unless the trader picked one. */
  suggest(timeframe: Timeframe): void;
  load(source: ChartSource | null): Promise<void>;
  /** Loads the current source again (a session finished, a periodic resync). */
  reload(): Promise<void>;
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
    timeframePicked: false,
    source: null,
    candles: [],
    untilTs: null,
    live: false,
    loadSeq: 0,
    loading: false,
    error: null,
    async setTimeframe(timeframe) {
      set({ timeframe, timeframePicked: true });
      await get().load(get().source);
    },
    suggest(timeframe) {
      if (!get().timeframePicked) set({ timeframe });
    },
    async stepTimeframe(step) {
      const index = TIMEFRAMES.indexOf(get().timeframe);
      const next = TIMEFRAMES[Math.min(TIMEFRAMES.length - 1, Math.max(0, index + step))]!;
      if (next !== get().timeframe) await get().setTimeframe(next);
    },
    async reload() {
      await get().load(get().source);
    },
    async load(source) {
      const request = ++latestRequest;
      if (source === null) {
        set({ source: null, candles: [], untilTs: null, live: false, loading: false, error: null, loadSeq: get().loadSeq + 1 });
        return;
      }
      const keep = sameSource(get().source, source);
      set({ source, loading: true, error: null, ...(keep ? {} : { candles: [], untilTs: null, live: false }) });
      const timeframe = get().timeframe;
      const sessionId = source.sessionId ?? null;
      const answer =
        sessionId === null
          ? await api.invoke('chart.candles', { recordingId: source.recordingId, instrumentId: source.instrumentId, timeframe, limit: options.candleLimit }).then((result) =>
              result.ok ? { ok: true as const, candles: result.value, untilTs: null, live: false } : { ok: false as const, message: result.error.message },
            )
          : await api.invoke('chart.sessionCandles', { sessionId, instrumentId: source.instrumentId, timeframe, limit: options.candleLimit }).then((result) =>
              result.ok ? { ok: true as const, ...result.value } : { ok: false as const, message: result.error.message },
            );
      if (request !== latestRequest) return;
      if (answer.ok) set({ candles: orderedCandles(answer.candles), untilTs: answer.untilTs, live: answer.live, loading: false, loadSeq: get().loadSeq + 1 });
      else set({ candles: [], untilTs: null, live: false, loading: false, error: answer.message, loadSeq: get().loadSeq + 1 });
    },
  }));
}
