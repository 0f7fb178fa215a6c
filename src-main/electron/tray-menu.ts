import type { MenuItemConstructorOptions } from 'electron';
import type { TrayView } from './desktop-shell';

// No Electron value import: the menu and tooltip rules are tested in plain Node.

/** What the tray menu's items do (DesktopShell and the window, wired in main.ts). */
export interface TrayActions {
  show(): void;
  toggleStrategies(): void;
  killSwitch(): void;
  quit(): void;
}

export type TrayItemId = 'show' | 'toggle-strategies' | 'kill-switch' | 'quit';

/** The tray menu for a view; ids let tests find and click the items. */
export function trayMenuTemplate(view: TrayView, actions: TrayActions): Array<MenuItemConstructorOptions & { id?: TrayItemId }> {
  return [
    { id: 'show', label: 'Show Surge Workstation', click: () => actions.show() },
    { type: 'separator' },
    { id: 'toggle-strategies', label: view.strategiesPaused ? 'Resume strategies…' : 'Pause strategies', click: () => actions.toggleStrategies() },
    { id: 'kill-switch', label: 'Kill switch…', click: () => actions.killSwitch() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit', click: () => actions.quit() },
  ];
}

/** Windows cuts tray tooltips at 127 characters; better to cut them ourselves at a line. */
export function fitTooltip(tooltip: string, platform: NodeJS.Platform): string {
  if (platform !== 'win32' || tooltip.length <= 127) return tooltip;
  const lines = tooltip.split('\n');
  while (lines.length > 1 && lines.join('\n').length > 127) lines.pop();
  return lines.join('\n').slice(0, 127);
}
