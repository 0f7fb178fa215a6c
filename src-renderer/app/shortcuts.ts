import type { Screen } from './ui-store';
import { SCREENS } from './ui-store';

export type ShortcutAction =
  | { type: 'screen'; screen: Screen }
  | { type: 'help' }
  | { type: 'close' }
  | { type: 'backtest' }
  | { type: 'new-session' }
  | { type: 'live-panel' }
  | { type: 'timeframe'; step: 1 | -1 }
  | { type: 'fit-chart' }
  | { type: 'acknowledge-alert' }
  | { type: 'mute' }
  | { type: 'kill-switch' };

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The key went to a text field, a select or an editable element: only Esc is ours then. */
  inEditable: boolean;
}

/** Every shortcut, in the order the help overlay lists them. */
export const SHORTCUTS: ReadonlyArray<{ keys: string; does: string }> = [
  ...SCREENS.map((screen) => ({ keys: screen.key, does: `${screen.label} screen` })),
  { keys: 'n', does: 'New session (focus the quick session starter)' },
  { keys: 'b', does: 'Run a backtest with the starter’s last choices' },
  { keys: 'l', does: 'Online session panel (then Tab and Enter)' },
  { keys: '[ / ]', does: 'Previous / next chart timeframe' },
  { keys: 'f', does: 'Fit the chart to all bars' },
  { keys: 'a', does: 'Acknowledge the newest unacknowledged alert' },
  { keys: 'm', does: 'Mute / unmute alert sounds' },
  { keys: 'Shift+K', does: 'Kill switch (asks to confirm)' },
  { keys: '?', does: 'This help' },
  { keys: 'Esc', does: 'Close a dialog or this help' },
];

const SCREEN_BY_KEY: ReadonlyMap<string, Screen> = new Map(SCREENS.map((screen) => [screen.key, screen.id]));

/**
 * What a key press means, or null. Plain keys only: with Ctrl, Alt or Meta held the browser's
 * and the OS's own shortcuts win; typing in a field is never taken over (except Esc).
 */
export function shortcutFor(press: KeyPress): ShortcutAction | null {
  if (press.key === 'Escape') return { type: 'close' };
  if (press.inEditable || press.ctrlKey || press.metaKey || press.altKey) return null;
  const screen = SCREEN_BY_KEY.get(press.key);
  if (screen !== undefined) return { type: 'screen', screen };
  switch (press.key) {
    case '?':
      return { type: 'help' };
    case 'b':
      return { type: 'backtest' };
    case 'n':
      return { type: 'new-session' };
    case 'l':
      return { type: 'live-panel' };
    case '[':
      return { type: 'timeframe', step: -1 };
    case ']':
      return { type: 'timeframe', step: 1 };
    case 'f':
      return { type: 'fit-chart' };
    case 'a':
      return { type: 'acknowledge-alert' };
    case 'm':
      return { type: 'mute' };
    case 'K':
      return { type: 'kill-switch' };
    default:
      return null;
  }
}
