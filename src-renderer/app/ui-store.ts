import { createStore, type StoreApi } from 'zustand/vanilla';

export type Screen = 'trade' | 'performance' | 'strategies' | 'data' | 'settings';

export const SCREENS: ReadonlyArray<{ id: Screen; label: string; key: string }> = [
  { id: 'trade', label: 'Trade', key: '1' },
  { id: 'performance', label: 'Performance', key: '2' },
  { id: 'strategies', label: 'Strategies', key: '3' },
  { id: 'data', label: 'Data', key: '4' },
  { id: 'settings', label: 'Settings', key: '5' },
];

export type Overlay = 'help' | 'kill-switch';

export interface UiState {
  screen: Screen;
  /** At most one dialog at a time; Esc closes it. */
  overlay: Overlay | null;
  /** An alert to bring into view (a clicked desktop notification). */
  highlightedAlertId: string | null;
  /** Bumped to ask the session starter to take keyboard focus. */
  starterFocusRequest: number;
  /** Bumped to ask the online session panel to take keyboard focus. */
  livePanelFocusRequest: number;
  /** Bumped to ask the chart to show every bar. */
  chartFitRequest: number;
  /** The trader silenced alert sounds in this window (settings can turn them off everywhere). */
  soundMuted: boolean;
  setScreen(screen: Screen): void;
  openOverlay(overlay: Overlay): void;
  closeOverlay(): void;
  highlightAlert(alertId: string | null): void;
  focusStarter(): void;
  focusLivePanel(): void;
  toggleMute(): void;
  fitChart(): void;
}

export type UiStore = StoreApi<UiState>;

export function createUiStore(): UiStore {
  return createStore<UiState>()((set) => ({
    screen: 'trade',
    overlay: null,
    highlightedAlertId: null,
    starterFocusRequest: 0,
    livePanelFocusRequest: 0,
    soundMuted: false,
    chartFitRequest: 0,
    setScreen(screen) {
      set({ screen });
    },
    openOverlay(overlay) {
      set({ overlay });
    },
    closeOverlay() {
      set({ overlay: null });
    },
    highlightAlert(alertId) {
      set({ highlightedAlertId: alertId });
    },
    focusStarter() {
      set((state) => ({ screen: 'trade', starterFocusRequest: state.starterFocusRequest + 1 }));
    },
    focusLivePanel() {
      set((state) => ({ screen: 'trade', livePanelFocusRequest: state.livePanelFocusRequest + 1 }));
    },
    fitChart() {
      set((state) => ({ chartFitRequest: state.chartFitRequest + 1 }));
    },
    toggleMute() {
      set((state) => ({ soundMuted: !state.soundMuted }));
    },
  }));
}
