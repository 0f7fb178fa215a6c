import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { StrategyProgressDto, StrategyStateRowDto } from '../../../src-shared/contract/ui-commands';

export interface ProgressTarget {
  strategyId: string;
  instrumentId: string;
}

export interface StrategyStatesState {
  sessionId: string | null;
  running: boolean;
  rows: StrategyStateRowDto[];
  selected: ProgressTarget | null;
  progress: StrategyProgressDto | null;
  error: string | null;
  /** Reads the overview (and the selected row's progress) of a session; null clears. */
  refresh(sessionId: string | null): Promise<void>;
  select(target: ProgressTarget | null): void;
}

export type StrategyStatesStore = StoreApi<StrategyStatesState>;

/**
 * The state overview and condition progress of the focused session. They exist only in the
 * running replay's strategy engine, so they are polled while it runs (sync.ts) rather than
 * pushed; a finished session shows that it is finished instead of a frozen picture.
 */
export function createStrategyStatesStore(api: SurgeApi): StrategyStatesStore {
  let latest = 0;
  return createStore<StrategyStatesState>()((set, get) => ({
    sessionId: null,
    running: false,
    rows: [],
    selected: null,
    progress: null,
    error: null,
    async refresh(sessionId) {
      const request = ++latest;
      if (sessionId === null) {
        set({ sessionId: null, running: false, rows: [], progress: null, error: null });
        return;
      }
      if (sessionId !== get().sessionId) set({ sessionId, rows: [], progress: null, selected: null });
      const states = await api.invoke('strategies.states', { sessionId });
      if (request !== latest) return;
      if (!states.ok) {
        set({ error: states.error.message });
        return;
      }
      const { running, rows } = states.value;
      // until the trader picks a row, follow the first one that is doing something
      const selected = get().selected ?? pickInteresting(rows);
      set({ running, rows, selected, error: null });
      if (selected === null || !running) {
        set({ progress: null });
        return;
      }
      const progress = await api.invoke('strategies.progress', { sessionId, ...selected });
      if (request !== latest) return;
      if (progress.ok) set({ progress: progress.value.progress });
      else set({ error: progress.error.message });
    },
    select(target) {
      set({ selected: target, progress: null });
      void get().refresh(get().sessionId);
    },
  }));
}

function pickInteresting(rows: readonly StrategyStateRowDto[]): ProgressTarget | null {
  const busy = rows.find((row) => row.state !== 'MONITORING') ?? rows[0];
  return busy === undefined ? null : { strategyId: busy.strategyId, instrumentId: busy.instrumentId };
}
