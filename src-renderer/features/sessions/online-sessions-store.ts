import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandInput, SurgeApi } from '../../../src-shared/contract/commands';
import type { LiveSessionDto } from '../../../src-shared/contract/live-commands';
import type { Result, ResultError } from '../../../src-shared/contract/result';

/** What the trader can ask of a running online session from its panel. */
export type Resolution = 'adopt' | 'flatten' | 'cancel';

export interface OnlineSessionsState {
  /** The engine's last word on each online session (phase, differences, why). */
  byId: Record<string, LiveSessionDto>;
  /** Why the last read of a session failed (it stopped, the link dropped); cleared by a good read. */
  readErrors: Record<string, string>;
  /** An action on its way to the engine, per session: the panel disables its buttons meanwhile. */
  pending: Record<string, 'arm' | Resolution | null>;
  /** The engine's refusal of the last action, per session. */
  actionErrors: Record<string, ResultError | null>;
  starting: boolean;
  start(request: CommandInput<'sessions.startOnline'>): Promise<Result<LiveSessionDto>>;
  refresh(sessionId: string): Promise<void>;
  arm(sessionId: string): Promise<Result<LiveSessionDto>>;
  resolve(sessionId: string, resolution: Resolution): Promise<Result<LiveSessionDto>>;
  clearActionError(sessionId: string): void;
}

export type OnlineSessionsStore = StoreApi<OnlineSessionsState>;

export function createOnlineSessionsStore(api: SurgeApi): OnlineSessionsStore {
  return createStore<OnlineSessionsState>()((set) => {
    const take = (dto: LiveSessionDto): void => {
      set((state) => {
        const readErrors = { ...state.readErrors };
        delete readErrors[dto.session.id];
        return { byId: { ...state.byId, [dto.session.id]: dto }, readErrors };
      });
    };
    const act = async (sessionId: string, action: 'arm' | Resolution, send: () => Promise<Result<LiveSessionDto>>): Promise<Result<LiveSessionDto>> => {
      set((state) => ({ pending: { ...state.pending, [sessionId]: action }, actionErrors: { ...state.actionErrors, [sessionId]: null } }));
      const result = await send();
      if (result.ok) take(result.value);
      set((state) => ({ pending: { ...state.pending, [sessionId]: null }, actionErrors: { ...state.actionErrors, [sessionId]: result.ok ? null : result.error } }));
      return result;
    };
    return {
      byId: {},
      readErrors: {},
      pending: {},
      actionErrors: {},
      starting: false,
      async start(request) {
        set({ starting: true });
        const result = await api.invoke('sessions.startOnline', request);
        if (result.ok) take(result.value);
        set({ starting: false });
        return result;
      },
      async refresh(sessionId) {
        const result = await api.invoke('sessions.online', { sessionId });
        if (result.ok) take(result.value);
        else set((state) => ({ readErrors: { ...state.readErrors, [sessionId]: result.error.message } }));
      },
      arm: (sessionId) => act(sessionId, 'arm', () => api.invoke('sessions.arm', { sessionId, confirm: true })),
      resolve: (sessionId, resolution) => act(sessionId, resolution, () => api.invoke('sessions.resolve', { sessionId, resolution })),
      clearActionError(sessionId) {
        set((state) => ({ actionErrors: { ...state.actionErrors, [sessionId]: null } }));
      },
    };
  });
}
