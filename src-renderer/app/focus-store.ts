import { createStore, type StoreApi } from 'zustand/vanilla';

/**
 * What the chart, positions, orders and signal log are looking at: a session (its recording and
 * instrument) or just a recording. One place, so the views never disagree.
 */
export interface FocusState {
  sessionId: string | null;
  recordingId: string | null;
  instrumentId: string | null;
  focusSession(sessionId: string, recordingId: string | null, instrumentId: string | null): void;
  focusRecording(recordingId: string, instrumentId: string | null): void;
  setInstrument(instrumentId: string): void;
}

export type FocusStore = StoreApi<FocusState>;

export function createFocusStore(): FocusStore {
  return createStore<FocusState>()((set) => ({
    sessionId: null,
    recordingId: null,
    instrumentId: null,
    focusSession(sessionId, recordingId, instrumentId) {
      set({ sessionId, recordingId, instrumentId });
    },
    focusRecording(recordingId, instrumentId) {
      set({ sessionId: null, recordingId, instrumentId });
    },
    setInstrument(instrumentId) {
      set({ instrumentId });
    },
  }));
}
