import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { ResultError } from '../../../src-shared/contract/result';
import type { StrategyEntryDto, ValidationIssueDto } from '../../../src-shared/contract/ui-commands';

export interface LibraryState {
  entries: StrategyEntryDto[];
  loadError: string | null;
  /** Issues the engine found in the editor's text, by JSON path; null before a check. */
  issues: ValidationIssueDto[] | null;
  checking: boolean;
  saving: boolean;
  saveError: ResultError | null;
  lastSaved: StrategyEntryDto | null;
  load(): Promise<void>;
  validate(definition: unknown): Promise<ValidationIssueDto[] | null>;
  save(definition: unknown): Promise<StrategyEntryDto | null>;
  remove(id: string): Promise<void>;
  clearResult(): void;
}

export type LibraryStore = StoreApi<LibraryState>;

/** A key that tells a stored strategy from an example of the same name. */
export const entryKey = (entry: Pick<StrategyEntryDto, 'source' | 'id'>): string => `${entry.source}:${entry.id}`;

export function createLibraryStore(api: SurgeApi): LibraryStore {
  let latestCheck = 0;
  // bumped when the text changes: a save answer for older text must not land on newer text
  let resultGeneration = 0;
  return createStore<LibraryState>()((set, get) => ({
    entries: [],
    loadError: null,
    issues: null,
    checking: false,
    saving: false,
    saveError: null,
    lastSaved: null,
    async load() {
      const result = await api.invoke('strategies.list', {});
      if (result.ok) set({ entries: result.value, loadError: null });
      else set({ loadError: result.error.message });
    },
    async validate(definition) {
      const check = ++latestCheck;
      set({ checking: true });
      const result = await api.invoke('strategies.validate', { definition });
      if (check !== latestCheck) return null;
      if (!result.ok) {
        set({ checking: false, issues: [{ path: '(root)', message: result.error.message }] });
        return null;
      }
      set({ checking: false, issues: result.value.errors });
      return result.value.errors;
    },
    async save(definition) {
      const generation = ++resultGeneration;
      set({ saving: true, saveError: null, lastSaved: null });
      const result = await api.invoke('strategies.save', { definition });
      const current = generation === resultGeneration;
      if (!result.ok) {
        set(current ? { saving: false, saveError: result.error } : { saving: false });
        return null;
      }
      set(current ? { saving: false, lastSaved: result.value, issues: [] } : { saving: false });
      await get().load();
      return result.value;
    },
    async remove(id) {
      const result = await api.invoke('strategies.delete', { id });
      if (!result.ok) set({ saveError: result.error });
      await get().load();
    },
    clearResult() {
      resultGeneration++;
      set({ saveError: null, lastSaved: null });
    },
  }));
}
