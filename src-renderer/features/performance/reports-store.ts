import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { SessionReportDto } from '../../../src-shared/contract/ui-commands';

export interface ReportsState {
  /** The session the dashboard shows; null picks the newest finished one. */
  selectedSessionId: string | null;
  byId: Record<string, SessionReportDto>;
  errors: Record<string, string>;
  loading: string | null;
  select(sessionId: string | null): void;
  /** Reads a session's report (again: a finished session's report does not change). */
  load(sessionId: string, force?: boolean): Promise<void>;
}

export type ReportsStore = StoreApi<ReportsState>;

export function createReportsStore(api: SurgeApi): ReportsStore {
  return createStore<ReportsState>()((set, get) => ({
    selectedSessionId: null,
    byId: {},
    errors: {},
    loading: null,
    select(sessionId) {
      set({ selectedSessionId: sessionId });
      if (sessionId !== null) void get().load(sessionId);
    },
    async load(sessionId, force = false) {
      if (!force && get().byId[sessionId] !== undefined) return;
      set({ loading: sessionId });
      const result = await api.invoke('sessions.report', { sessionId });
      const { [sessionId]: _dropped, ...otherErrors } = get().errors;
      if (result.ok) set({ byId: { ...get().byId, [sessionId]: result.value }, errors: otherErrors, loading: null });
      else set({ errors: { ...otherErrors, [sessionId]: result.error.message }, loading: null });
    },
  }));
}
