import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { ResultError } from '../../../src-shared/contract/result';
import type { Settings } from '../../../src-shared/contract/settings';

export interface SettingsState {
  settings: Settings | null;
  restartRequired: boolean;
  loadError: string | null;
  saving: boolean;
  saveError: ResultError | null;
  savedAt: number | null;
  load(): Promise<void>;
  save(patch: Record<string, unknown>): Promise<boolean>;
}

export type SettingsStore = StoreApi<SettingsState>;

export function createSettingsStore(api: SurgeApi): SettingsStore {
  return createStore<SettingsState>()((set) => ({
    settings: null,
    restartRequired: false,
    loadError: null,
    saving: false,
    saveError: null,
    savedAt: null,
    async load() {
      const result = await api.invoke('settings.get', {});
      if (result.ok) set({ settings: result.value.settings, restartRequired: result.value.restartRequired, loadError: null });
      else set({ loadError: result.error.message });
    },
    async save(patch) {
      set({ saving: true, saveError: null });
      const result = await api.invoke('settings.update', { patch });
      if (!result.ok) {
        set({ saving: false, saveError: result.error });
        return false;
      }
      set({ saving: false, settings: result.value.settings, restartRequired: result.value.restartRequired, savedAt: Date.now() });
      return true;
    },
  }));
}
