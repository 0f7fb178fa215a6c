import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandInput, SurgeApi } from '../../../src-shared/contract/commands';
import type { Result, ResultError } from '../../../src-shared/contract/result';
import type { SessionDto } from '../../../src-shared/contract/schemas';

export const FINISHED_STATUSES: ReadonlySet<SessionDto['status']> = new Set(['stopped', 'completed', 'failed']);

export interface SessionsState {
  byId: Record<string, SessionDto>;
  /** The recording each session replays, remembered from the start request in case the DTO leaves it out. */
  recordingBySession: Record<string, string>;
  loadError: string | null;
  starting: boolean;
  startError: ResultError | null;
  stopError: string | null;
  /** Reloads the list; returns the sessions that finished since the store last saw them. */
  refresh(): Promise<SessionDto[]>;
  start(request: CommandInput<'sessions.start'>): Promise<Result<SessionDto>>;
  stop(sessionId: string): Promise<void>;
  /** Applies pushed session_state events; returns the sessions that just finished. */
  applySessionStates(sessions: SessionDto[]): SessionDto[];
}

export type SessionsStore = StoreApi<SessionsState>;

/** The recording a session replays: the engine's link when it gives one, else what we started it with. */
export function recordingOfSession(state: Pick<SessionsState, 'recordingBySession'>, session: SessionDto): string | null {
  return session.dataSessionId ?? state.recordingBySession[session.id] ?? null;
}

/**
 * Sessions that reached a finished status in `incoming` while the store had them unfinished. A
 * pushed event about a session the store never saw is news too; a first list load is not.
 */
function finishedSince(known: Record<string, SessionDto>, incoming: readonly SessionDto[], unknownCounts: boolean): SessionDto[] {
  return incoming.filter((session) => {
    const before = known[session.id];
    if (!FINISHED_STATUSES.has(session.status)) return false;
    return before === undefined ? unknownCounts : !FINISHED_STATUSES.has(before.status);
  });
}

/** True while a session still has work to report. */
export const isSessionActive = (session: SessionDto): boolean => !FINISHED_STATUSES.has(session.status);

export function createSessionsStore(api: SurgeApi): SessionsStore {
  return createStore<SessionsState>()((set, get) => ({
    byId: {},
    recordingBySession: {},
    loadError: null,
    starting: false,
    startError: null,
    stopError: null,
    async refresh() {
      const result = await api.invoke('sessions.list', {});
      if (!result.ok) {
        set({ loadError: result.error.message });
        return [];
      }
      const finished = finishedSince(get().byId, result.value, false);
      const byId: Record<string, SessionDto> = {};
      for (const session of result.value) byId[session.id] = session;
      set({ byId, loadError: null });
      return finished;
    },
    async start(request) {
      set({ starting: true, startError: null });
      const result = await api.invoke('sessions.start', request);
      if (result.ok) {
        const session = result.value;
        set((state) => ({
          starting: false,
          // A session_state event may already have brought a newer copy; keep whichever is newer.
          byId: { ...state.byId, [session.id]: state.byId[session.id] ?? session },
          recordingBySession: { ...state.recordingBySession, [session.id]: request.recordingId },
        }));
      } else {
        set({ starting: false, startError: result.error });
      }
      return result;
    },
    async stop(sessionId) {
      set({ stopError: null });
      const result = await api.invoke('sessions.stop', { sessionId });
      if (result.ok) set((state) => ({ byId: { ...state.byId, [sessionId]: result.value } }));
      else set({ stopError: result.error.message });
    },
    applySessionStates(sessions) {
      const finished = finishedSince(get().byId, sessions, true);
      const byId = { ...get().byId };
      for (const session of sessions) byId[session.id] = session;
      set({ byId });
      return finished;
    },
  }));
}
