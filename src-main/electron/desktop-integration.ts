import { app, dialog, globalShortcut, Notification, type BrowserWindow, type MessageBoxOptions } from 'electron';
import path from 'node:path';
import type { EventEnvelope } from '../../src-shared/contract/events';
import type { Settings } from '../../src-shared/contract/settings';
import { IPC_EVENT_CHANNEL } from '../../src-shared/contract/wire';
import type { EngineHost } from '../engine/host';
import type { Logger } from '../engine/ops/logger';
import { isAppUrl } from './app-origin';
import { DesktopShell, type ShellPorts } from './desktop-shell';
import { ShellTray, type TrayItemId } from './tray';

export interface DesktopIntegrationOptions {
  host: EngineHost;
  settings: Pick<Settings, 'alerts' | 'shortcuts'>;
  resourcesDir: string;
  logger: Logger;
  /** Shows (creating when needed), restores and focuses the main window. */
  showMainWindow(): BrowserWindow;
  mainWindow(): BrowserWindow | null;
  /** Quits without asking again (the trader already answered). */
  quit(): void;
}

/** Unanswered notifications kept referenced (a collected one loses its click handler); the oldest go first. */
const MAX_LIVE_NOTIFICATIONS = 20;

/**
 * The Electron side of DesktopShell: tray, native dialogs and notifications, the kill-switch
 * hotkey. Only adapters here; what they trigger is decided in DesktopShell and the engine.
 */
export class DesktopIntegration {
  readonly shell: DesktopShell;
  private tray: ShellTray | null = null;
  private readonly liveNotifications = new Set<Notification>();
  private hotkey: { accelerator: string; press: () => void } | null = null;

  constructor(private readonly options: DesktopIntegrationOptions) {
    const ports: ShellPorts = {
      confirm: (question) => this.confirm(question),
      notify: (notification, onClick) => this.notify(notification, onClick),
      showWindow: () => {
        options.showMainWindow();
      },
      sendToRenderer: (envelope) => this.sendToRenderer(envelope),
      renderTray: (view) => this.tray?.render(view),
      showError: (title, message) => {
        this.background(dialog.showMessageBox({ type: 'error', title, message: title, detail: message, buttons: ['OK'], noLink: true }), 'error dialog');
      },
      quit: () => options.quit(),
    };
    this.shell = new DesktopShell({ host: options.host, ports, logger: options.logger, notifyCriticalAlerts: options.settings.alerts.trayNotifications });
  }

  async start(): Promise<void> {
    try {
      this.tray = new ShellTray(path.join(this.options.resourcesDir, 'tray'), {
        show: () => {
          this.options.showMainWindow();
        },
        toggleStrategies: () => this.background(this.shell.toggleStrategies(), 'pause/resume from the tray'),
        killSwitch: () => this.background(this.shell.engageKillSwitch('tray'), 'kill switch from the tray'),
        quit: () => this.background(this.shell.requestQuit(), 'quit from the tray'),
      });
    } catch (error) {
      // some Linux desktops have no status area; the app then quits with its last window
      this.options.logger.warn('no tray icon on this desktop', { error });
    }
    this.registerHotkey(this.options.settings.shortcuts.killSwitch);
    await this.shell.start();
  }

  /** Whether closing the last window should keep the app running in the tray. */
  get hasTray(): boolean {
    return this.tray !== null;
  }

  /** An update has been downloaded: it installs when the app quits. */
  notifyUpdateReady(version: string): void {
    this.notify({ title: 'Update ready', body: `Surge Workstation ${version} installs when you quit.`, urgent: false }, () => {
      this.options.showMainWindow();
    });
  }

  onSystemResume(): void {
    this.background(this.shell.onSystemResume(), 'resume after sleep');
  }

  /** Exposed to the Playwright-Electron tests only (SURGE_TEST_HOOKS=1 in an unpackaged app). */
  testHooks(): Record<string, unknown> {
    return {
      tray: () => this.tray?.inspect() ?? null,
      clickTray: (id: TrayItemId) => this.tray?.click(id),
      hotkey: () => this.hotkey?.accelerator ?? null,
      pressHotkey: () => this.hotkey?.press(),
      engineStatus: () => this.shell.engineStatus,
    };
  }

  dispose(): void {
    this.shell.stop();
    if (this.hotkey !== null) globalShortcut.unregister(this.hotkey.accelerator);
    this.hotkey = null;
    this.tray?.destroy();
    this.tray = null;
    for (const notification of this.liveNotifications) notification.close();
    this.liveNotifications.clear();
  }

  private registerHotkey(accelerator: string | null): void {
    if (accelerator === null) return;
    const press = (): void => this.background(this.shell.engageKillSwitch('hotkey'), 'kill switch from the hotkey');
    try {
      if (globalShortcut.register(accelerator, press)) {
        this.hotkey = { accelerator, press };
        this.options.logger.info('kill-switch hotkey registered', { accelerator });
      } else {
        this.options.logger.warn('kill-switch hotkey is taken by another application; change shortcuts.killSwitch in the settings', { accelerator });
      }
    } catch (error) {
      this.options.logger.warn('kill-switch hotkey could not be registered', { accelerator, error });
    }
  }

  private async confirm(question: Parameters<ShellPorts['confirm']>[0]): Promise<boolean> {
    const options: MessageBoxOptions = {
      type: 'warning',
      title: question.title,
      message: question.message,
      detail: question.detail,
      // the safe answer is the default: Enter or Escape never engages anything
      buttons: [question.cancelLabel, question.confirmLabel],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    };
    const window = this.options.mainWindow();
    const parent = window !== null && !window.isDestroyed() && window.isVisible() ? window : null;
    const { response } = parent === null ? await dialog.showMessageBox(options) : await dialog.showMessageBox(parent, options);
    return response === 1;
  }

  private notify(notification: { title: string; body: string; urgent: boolean }, onClick: () => void): void {
    if (!Notification.isSupported()) {
      this.options.logger.warn('native notifications are not supported here', { title: notification.title });
      return;
    }
    const shown = new Notification({
      title: notification.title,
      body: notification.body,
      icon: path.join(this.options.resourcesDir, 'icon.png'),
      urgency: notification.urgent ? 'critical' : 'normal',
      // Windows: a critical alert stays until the trader dismisses it
      timeoutType: notification.urgent ? 'never' : 'default',
      silent: false,
    });
    const release = (): void => {
      this.liveNotifications.delete(shown);
    };
    shown.on('click', () => {
      release();
      onClick();
    });
    shown.on('close', release);
    this.liveNotifications.add(shown);
    if (this.liveNotifications.size > MAX_LIVE_NOTIFICATIONS) {
      const [oldest] = this.liveNotifications;
      if (oldest !== undefined) {
        this.liveNotifications.delete(oldest);
        oldest.close();
      }
    }
    shown.show();
  }

  private sendToRenderer(envelope: EventEnvelope): void {
    const window = this.options.mainWindow();
    if (window === null || window.isDestroyed()) return;
    const contents = window.webContents;
    const send = (): void => {
      if (!contents.isDestroyed() && isAppUrl(contents.getURL())) contents.send(IPC_EVENT_CHANNEL, envelope);
    };
    // a window re-created by a notification click is still loading: its page would miss the event
    if (contents.isLoading()) contents.once('did-finish-load', send);
    else send();
  }

  /** Deliberate fire-and-forget: failures are logged, never unhandled. */
  private background(promise: Promise<unknown>, what: string): void {
    promise.catch((error: unknown) => this.options.logger.error(`${what} failed`, { error }));
  }
}

/** Test hooks exist only for an unpackaged app started with SURGE_TEST_HOOKS=1. */
export function testHooksEnabled(): boolean {
  return process.env['SURGE_TEST_HOOKS'] === '1' && !app.isPackaged;
}
