import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { CredentialsStatusDto } from '../../../src-shared/contract/credentials-commands';
import type { ResultError } from '../../../src-shared/contract/result';

export interface CredentialsState {
  /** What the engine says about stored keys: set or not, and the last four characters of the key. */
  status: CredentialsStatusDto | null;
  loadError: string | null;
  saving: boolean;
  saveError: ResultError | null;
  load(): Promise<void>;
  /** Sends the key and secret once; they are never read back, only the status is. */
  save(apiKey: string, apiSecret: string): Promise<boolean>;
  clear(): Promise<void>;
}

export type CredentialsStore = StoreApi<CredentialsState>;

export function createCredentialsStore(api: SurgeApi): CredentialsStore {
  return createStore<CredentialsState>()((set) => ({
    status: null,
    loadError: null,
    saving: false,
    saveError: null,
    async load() {
      const result = await api.invoke('credentials.status', {});
      if (result.ok) set({ status: result.value, loadError: null });
      else set({ loadError: result.error.message });
    },
    async save(apiKey, apiSecret) {
      set({ saving: true, saveError: null });
      const result = await api.invoke('credentials.set', { exchange: 'mexc', apiKey, apiSecret });
      if (!result.ok) {
        set({ saving: false, saveError: result.error });
        return false;
      }
      set({ saving: false, status: result.value });
      return true;
    },
    async clear() {
      const result = await api.invoke('credentials.clear', { exchange: 'mexc' });
      if (result.ok) set({ status: result.value, saveError: null });
      else set({ saveError: result.error });
    },
  }));
}
