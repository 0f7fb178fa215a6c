import { Menu, nativeImage, Tray, type NativeImage } from 'electron';
import path from 'node:path';
import type { TrayIconState, TrayView } from './desktop-shell';
import { fitTooltip, trayMenuTemplate, type TrayActions, type TrayItemId } from './tray-menu';

export type { TrayActions, TrayItemId } from './tray-menu';

const INITIAL_VIEW: TrayView = { icon: 'idle', tooltip: 'Surge Workstation: starting', title: '', strategiesPaused: false, tradingHalted: false };

/**
 * The tray icon: its image shows the engine's state (idle, running, paused, halted), the tooltip
 * the active session, open positions and PnL, the menu the actions. resources/tray holds one
 * PNG per state plus an @2x variant that Electron picks on high-density screens.
 */
export class ShellTray {
  private readonly tray: Tray;
  private readonly images = new Map<TrayIconState, NativeImage>();
  private view: TrayView = INITIAL_VIEW;

  constructor(
    private readonly trayImageDir: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(this.image(INITIAL_VIEW.icon));
    // Windows and Linux: a left click shows the window; the menu is on the right click
    this.tray.on('click', () => actions.show());
    this.render(INITIAL_VIEW, true);
  }

  render(view: TrayView, force = false): void {
    if (this.tray.isDestroyed()) return;
    const previous = this.view;
    this.view = view;
    if (force || previous.icon !== view.icon) this.tray.setImage(this.image(view.icon));
    this.tray.setToolTip(fitTooltip(view.tooltip, process.platform));
    if (process.platform === 'darwin') this.tray.setTitle(view.title);
    if (force || previous.strategiesPaused !== view.strategiesPaused) this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(view, this.actions)));
  }

  /** For the Playwright-Electron tests: what the tray shows, and a way to click an item. */
  inspect(): { icon: TrayIconState; tooltip: string; items: Array<{ id: TrayItemId; label: string }> } {
    const items = trayMenuTemplate(this.view, this.actions).flatMap((item) => (item.id === undefined ? [] : [{ id: item.id, label: String(item.label) }]));
    return { icon: this.view.icon, tooltip: this.view.tooltip, items };
  }

  click(id: TrayItemId): void {
    const item = trayMenuTemplate(this.view, this.actions).find((entry) => entry.id === id);
    if (item?.click === undefined) throw new Error(`no tray item ${id}`);
    item.click(undefined as never, undefined, undefined as never);
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private image(state: TrayIconState): NativeImage {
    let image = this.images.get(state);
    if (image === undefined) {
      image = nativeImage.createFromPath(path.join(this.trayImageDir, `tray-${state}.png`));
      this.images.set(state, image);
    }
    return image;
  }
}
