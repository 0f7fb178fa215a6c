import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandInput, SurgeApi } from '../../../src-shared/contract/commands';
import type { Result, ResultError } from '../../../src-shared/contract/result';
import type { RecordingDto } from '../../../src-shared/contract/schemas';

export interface RecordingsState {
  items: RecordingDto[];
  loaded: boolean;
  loadError: string | null;
  importing: boolean;
  importError: ResultError | null;
  lastImported: RecordingDto | null;
  refresh(): Promise<void>;
  importCsv(request: CommandInput<'recordings.importCsv'>): Promise<Result<RecordingDto>>;
  clearImportError(): void;
}

export type RecordingsStore = StoreApi<RecordingsState>;

const newestFirst = (a: RecordingDto, b: RecordingDto): number => b.createdAt - a.createdAt;

export function createRecordingsStore(api: SurgeApi): RecordingsStore {
  return createStore<RecordingsState>()((set, get) => ({
    items: [],
    loaded: false,
    loadError: null,
    importing: false,
    importError: null,
    lastImported: null,
    async refresh() {
      const result = await api.invoke('recordings.list', {});
      if (result.ok) set({ items: [...result.value].sort(newestFirst), loaded: true, loadError: null });
      else set({ loadError: result.error.message });
    },
    async importCsv(request) {
      set({ importing: true, importError: null });
      const result = await api.invoke('recordings.importCsv', request);
      if (result.ok) {
        const others = get().items.filter((item) => item.id !== result.value.id);
        set({ importing: false, lastImported: result.value, items: [result.value, ...others].sort(newestFirst) });
      } else {
        set({ importing: false, importError: result.error });
      }
      return result;
    },
    clearImportError() {
      set({ importError: null });
    },
  }));
}
