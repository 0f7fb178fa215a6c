import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { PositionDto } from '../../../src-shared/contract/schemas';

export interface PositionsState {
  byKey: Record<string, PositionDto>;
  loadError: string | null;
  load(sessionId: string | null): Promise<void>;
  applyPositions(positions: PositionDto[]): void;
}

export type PositionsStore = StoreApi<PositionsState>;

/** One position per session and instrument; live trading has no session id. */
export const positionKey = (position: Pick<PositionDto, 'sessionId' | 'instrumentId'>): string => `${position.sessionId ?? 'live'}|${position.instrumentId}`;

/** Different topics are not ordered against each other, so an older copy must not overwrite a newer one. */
function mergeNewer(existing: Record<string, PositionDto>, incoming: readonly PositionDto[]): Record<string, PositionDto> {
  const next = { ...existing };
  for (const position of incoming) {
    const key = positionKey(position);
    const current = next[key];
    if (current === undefined || position.updatedAt >= current.updatedAt) next[key] = position;
  }
  return next;
}

export function createPositionsStore(api: SurgeApi): PositionsStore {
  return createStore<PositionsState>()((set, get) => ({
    byKey: {},
    loadError: null,
    async load(sessionId) {
      const result = await api.invoke('positions.list', sessionId === null ? {} : { sessionId });
      if (result.ok) set({ byKey: mergeNewer(get().byKey, result.value), loadError: null });
      else set({ loadError: result.error.message });
    },
    applyPositions(positions) {
      set({ byKey: mergeNewer(get().byKey, positions) });
    },
  }));
}
