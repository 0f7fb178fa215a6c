import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { SignalDto } from '../../../src-shared/contract/schemas';

export interface SignalsState {
  /** Oldest first, one entry per signal id (the bus delivers at least once). */
  items: SignalDto[];
  loadError: string | null;
  load(sessionId: string | null): Promise<void>;
  applySignals(signals: SignalDto[]): void;
}

export type SignalsStore = StoreApi<SignalsState>;

export interface SignalsStoreOptions {
  /** Signals kept in memory; the oldest go first. */
  maxSignals: number;
  /** How many the engine is asked for per load. */
  loadLimit: number;
}

export function mergeSignals(existing: readonly SignalDto[], incoming: readonly SignalDto[], maxSignals: number): SignalDto[] {
  if (incoming.length === 0) return existing as SignalDto[];
  const byId = new Map<string, SignalDto>();
  for (const signal of existing) byId.set(signal.id, signal);
  for (const signal of incoming) byId.set(signal.id, signal);
  const merged = [...byId.values()].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return merged.length > maxSignals ? merged.slice(merged.length - maxSignals) : merged;
}

export function createSignalsStore(api: SurgeApi, options: SignalsStoreOptions): SignalsStore {
  return createStore<SignalsState>()((set, get) => ({
    items: [],
    loadError: null,
    async load(sessionId) {
      const result = await api.invoke('signals.list', sessionId === null ? { limit: options.loadLimit } : { sessionId, limit: options.loadLimit });
      if (result.ok) set({ items: mergeSignals(get().items, result.value, options.maxSignals), loadError: null });
      else set({ loadError: result.error.message });
    },
    applySignals(signals) {
      set({ items: mergeSignals(get().items, signals, options.maxSignals) });
    },
  }));
}
