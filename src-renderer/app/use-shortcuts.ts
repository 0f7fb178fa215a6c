import { useEffect } from 'react';
import { currentDefaults, launchSession } from '../features/sessions/session-launch';
import { KILL_SWITCH_AVAILABLE } from '../features/kill-switch/KillSwitch';
import type { AppState } from './app-state';
import { shortcutFor, type ShortcutAction } from './shortcuts';

const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color']);

function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !NON_TEXT_INPUTS.has(target.type);
}

export function runShortcut(app: AppState, action: ShortcutAction): void {
  const ui = app.ui.getState();
  switch (action.type) {
    case 'screen':
      ui.setScreen(action.screen);
      return;
    case 'help':
      if (ui.overlay === 'help') ui.closeOverlay();
      else ui.openOverlay('help');
      return;
    case 'close':
      ui.closeOverlay();
      return;
    case 'backtest':
      void launchSession(app, { ...currentDefaults(app), kind: 'backtest' });
      return;
    case 'new-session':
      ui.focusStarter();
      return;
    case 'live-panel':
      ui.focusLivePanel();
      return;
    case 'timeframe':
      void app.chart.getState().stepTimeframe(action.step);
      return;
    case 'fit-chart':
      ui.setScreen('trade');
      ui.fitChart();
      return;
    case 'acknowledge-alert': {
      const newest = app.alerts.getState().items.find((alert) => alert.acknowledgedAt === null);
      if (newest !== undefined) void app.alerts.getState().acknowledge(newest.id);
      return;
    }
    case 'mute':
      ui.toggleMute();
      return;
    case 'kill-switch':
      if (KILL_SWITCH_AVAILABLE) ui.openOverlay('kill-switch');
      return;
  }
}

/** One window-wide key handler: the shortcuts listed in the help overlay (?). */
export function useShortcuts(app: AppState): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.defaultPrevented || event.repeat) return;
      const action = shortcutFor({ key: event.key, ctrlKey: event.ctrlKey, metaKey: event.metaKey, altKey: event.altKey, inEditable: isEditable(event.target) });
      if (action === null) return;
      // Esc with nothing open belongs to whatever has focus (a select, the browser)
      if (action.type === 'close' && app.ui.getState().overlay === null) return;
      event.preventDefault();
      runShortcut(app, action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [app]);
}
