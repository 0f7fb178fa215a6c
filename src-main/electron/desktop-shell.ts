import type { CommandInput, CommandName, CommandResponse } from '../../src-shared/contract/commands';
import type { EngineStatusDto } from '../../src-shared/contract/engine-commands';
import type { EventEnvelope, EventPayload } from '../../src-shared/contract/events';
import type { Result } from '../../src-shared/contract/result';
import { Decimal } from '../../src-shared/domain/decimal';
import type { EngineHost } from '../engine/host';
import type { Logger } from '../engine/ops/logger';

/**
 * What the desktop shell does with the engine: the tray's view of it, the kill switch and pause
 * from the tray or the hotkey, notifications for critical alerts, asking before quitting with
 * open positions, and telling the engine when the machine wakes. Every decision about trading
 * is the engine's (it is asked through commands); this only sequences dialogs and commands.
 *
 * No Electron import: the Electron parts sit behind ShellPorts (main.ts), so this is tested in
 * plain Node.
 */

export interface ConfirmQuestion {
  title: string;
  message: string;
  detail: string;
  confirmLabel: string;
  cancelLabel: string;
}

/** One tray image per state: resources/tray/tray-<state>.png (+ @2x), drawn by scripts/generate-resources.mjs. */
export const TRAY_ICON_STATES = ['idle', 'running', 'paused', 'halted'] as const;
export type TrayIconState = (typeof TRAY_ICON_STATES)[number];

export interface TrayView {
  icon: TrayIconState;
  /** Several lines: state, sessions, positions and PnL. */
  tooltip: string;
  /** Short text beside the icon (macOS menu bar): the PnL, or empty. */
  title: string;
  strategiesPaused: boolean;
  tradingHalted: boolean;
}

export interface ShellPorts {
  /** A native yes/no question; true when the trader confirmed. */
  confirm(question: ConfirmQuestion): Promise<boolean>;
  /** A native notification, shown even while every window is hidden. */
  notify(notification: { title: string; body: string; urgent: boolean }, onClick: () => void): void;
  /** Shows, restores and focuses the main window (creating it when it was closed). */
  showWindow(): void;
  /** An event for the renderer windows (not from the engine: the shell's own ui_focus). */
  sendToRenderer(envelope: EventEnvelope): void;
  renderTray(view: TrayView): void;
  /** Something failed that the trader must know about. */
  showError(title: string, message: string): void;
  /** Quits for real: the engine stops in before-quit. */
  quit(): void;
}

export interface TimerFunctions {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DesktopShellOptions {
  host: EngineHost;
  ports: ShellPorts;
  logger: Logger;
  /** settings.alerts.trayNotifications */
  notifyCriticalAlerts: boolean;
  /** Least time between two status refreshes caused by a burst of events. */
  statusRefreshMs?: number;
  /** How often the status (PnL moves with every mark, not only with fills) is refreshed while a session runs. */
  statusPollMs?: number;
  /** A burst of critical alerts becomes one notification per this interval ("3 critical alerts"). */
  notificationIntervalMs?: number;
  timers?: TimerFunctions;
}

/** Topics after which the tray's status may be out of date. */
const STATUS_TOPICS: ReadonlySet<EventEnvelope['topic']> = new Set(['engine_state', 'session_state', 'position_updated', 'order_filled']);

export class DesktopShell {
  private readonly timers: TimerFunctions;
  private readonly statusRefreshMs: number;
  private readonly statusPollMs: number;
  private readonly notificationIntervalMs: number;
  private lastNotifiedAt = Number.NEGATIVE_INFINITY;
  private heldAlerts: Array<EventPayload<'risk_alert'>> = [];
  private notificationTimer: unknown = null;
  private unsubscribe: (() => void) | null = null;
  private refreshTimer: unknown = null;
  private pollTimer: unknown = null;
  private refreshing = false;
  private refreshAgain = false;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private status: EngineStatusDto | null = null;
  // one dialog at a time: a hotkey pressed twice must not stack two kill-switch questions
  private dialogOpen = false;
  private stopped = false;

  constructor(private readonly options: DesktopShellOptions) {
    this.timers = options.timers ?? {
      now: () => Date.now(),
      setTimeout: (callback, ms) => setTimeout(callback, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    this.statusRefreshMs = options.statusRefreshMs ?? 1_000;
    this.statusPollMs = options.statusPollMs ?? 5_000;
    this.notificationIntervalMs = options.notificationIntervalMs ?? 3_000;
  }

  start(): Promise<void> {
    this.stopped = false;
    this.unsubscribe = this.options.host.subscribeEvents((envelope) => this.onEvent(envelope));
    return this.refreshStatus();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const timer of [this.refreshTimer, this.pollTimer, this.notificationTimer]) if (timer !== null) this.timers.clearTimeout(timer);
    this.refreshTimer = null;
    this.pollTimer = null;
    this.notificationTimer = null;
    this.heldAlerts = [];
  }

  /** The engine's latest status as the tray shows it (null before the first answer). */
  get engineStatus(): EngineStatusDto | null {
    return this.status;
  }

  onEvent(envelope: EventEnvelope): void {
    if (envelope.topic === 'risk_alert') this.onRiskAlert(envelope.payload as EventPayload<'risk_alert'>);
    if (STATUS_TOPICS.has(envelope.topic)) this.scheduleRefresh();
  }

  /** Kill switch from the tray or the global hotkey: always asks first. */
  async engageKillSwitch(source: 'tray' | 'hotkey'): Promise<void> {
    if (this.dialogOpen) return;
    this.dialogOpen = true;
    try {
      const status = await this.fetchStatus();
      const positions = status?.openPositions ?? 0;
      const confirmed = await this.options.ports.confirm({
        title: 'Kill switch',
        message: 'Cancel every open order and close every position?',
        detail: `${positions} open position(s) will be closed at market and every strategy halts until you resume it.`,
        confirmLabel: 'Engage kill switch',
        cancelLabel: 'Cancel',
      });
      if (!confirmed) {
        this.options.logger.info('kill switch not confirmed', { source });
        return;
      }
      const result = await this.invoke('killSwitch.engage', { confirm: true });
      if (!result.ok) {
        this.options.ports.showError('The kill switch failed', result.error.message);
        return;
      }
      // the engine raises a critical alert for it: the notification comes through onEvent
      this.options.logger.warn('kill switch engaged', { source, ...result.value });
    } finally {
      this.dialogOpen = false;
      this.scheduleRefresh();
    }
  }

  /** Pause, or resume (asking first when the kill switch halted trading). */
  async toggleStrategies(): Promise<void> {
    if (this.dialogOpen) return;
    const status = await this.fetchStatus();
    if (status === null) return;
    if (!status.strategiesPaused) {
      const paused = await this.invoke('strategies.pause', {});
      if (!paused.ok) this.options.ports.showError('Strategies could not be paused', paused.error.message);
      this.scheduleRefresh();
      return;
    }
    if (status.tradingState === 'HALTED') {
      this.dialogOpen = true;
      try {
        const confirmed = await this.options.ports.confirm({
          title: 'Resume trading',
          message: 'The kill switch halted trading. Resume strategies?',
          detail: 'Strategies may open new positions again.',
          confirmLabel: 'Resume strategies',
          cancelLabel: 'Stay halted',
        });
        if (!confirmed) return;
      } finally {
        this.dialogOpen = false;
      }
    }
    const resumed = await this.invoke('strategies.resume', {});
    if (!resumed.ok) this.options.ports.showError('Strategies could not be resumed', resumed.error.message);
    this.scheduleRefresh();
  }

  /** Quits, asking first when positions are open. Returns whether it quit. */
  async requestQuit(): Promise<boolean> {
    if (this.dialogOpen) return false;
    const status = await this.fetchStatus();
    const positions = status?.openPositions ?? 0;
    if (positions > 0) {
      this.dialogOpen = true;
      try {
        const confirmed = await this.options.ports.confirm({
          title: 'Quit Surge Workstation',
          message: `${positions} position(s) are open. Quit anyway?`,
          detail: 'Running sessions stop where they are; open positions are not closed. Use the kill switch first to close them.',
          confirmLabel: 'Quit',
          cancelLabel: 'Keep running',
        });
        if (!confirmed) return false;
      } finally {
        this.dialogOpen = false;
      }
    }
    this.options.ports.quit();
    return true;
  }

  /** The machine woke up: the engine reconnects and reconciles what it has to. */
  async onSystemResume(): Promise<void> {
    const result = await this.invoke('engine.resume', { reason: 'system_resume' });
    if (result.ok) this.options.logger.info('engine resumed after sleep', result.value);
    else this.options.logger.error('engine resume after sleep failed', { error: result.error.message });
    this.scheduleRefresh();
  }

  /** Brings the alerts screen up (a notification click). */
  focusAlerts(alertId: string): void {
    this.options.ports.showWindow();
    this.options.ports.sendToRenderer({ topic: 'ui_focus', payload: { screen: 'alerts', alertId } });
  }

  private onRiskAlert(alert: EventPayload<'risk_alert'>): void {
    if (alert.severity !== 'critical' || !this.options.notifyCriticalAlerts || this.stopped) return;
    const now = this.timers.now();
    if (this.notificationTimer === null && now - this.lastNotifiedAt >= this.notificationIntervalMs) {
      this.lastNotifiedAt = now;
      this.options.ports.notify({ title: `Critical: ${alert.code}`, body: alert.message, urgent: true }, () => this.focusAlerts(alert.id));
      return;
    }
    // loud, but not a flood: the rest of a burst is told once the interval has passed
    this.heldAlerts.push(alert);
    this.notificationTimer ??= this.timers.setTimeout(() => this.notifyHeldAlerts(), this.lastNotifiedAt + this.notificationIntervalMs - now);
  }

  private notifyHeldAlerts(): void {
    this.notificationTimer = null;
    const held = this.heldAlerts;
    this.heldAlerts = [];
    const latest = held[held.length - 1];
    if (latest === undefined || this.stopped) return;
    this.lastNotifiedAt = this.timers.now();
    const title = held.length === 1 ? `Critical: ${latest.code}` : `${held.length} more critical alerts`;
    const body = held.length === 1 ? latest.message : `Latest: ${latest.message}`;
    this.options.ports.notify({ title, body, urgent: true }, () => this.focusAlerts(latest.id));
  }

  private scheduleRefresh(): void {
    if (this.stopped || this.refreshTimer !== null) return;
    const wait = Math.max(0, this.lastRefreshAt + this.statusRefreshMs - this.timers.now());
    this.refreshTimer = this.timers.setTimeout(() => {
      this.refreshTimer = null;
      this.refreshStatus().catch((error: unknown) => this.options.logger.error('tray status refresh failed', { error }));
    }, wait);
  }

  private async refreshStatus(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.refreshAgain = false;
        this.lastRefreshAt = this.timers.now();
        await this.fetchStatus();
      } while (this.refreshAgain && !this.stopped);
    } finally {
      this.refreshing = false;
    }
    if (this.stopped) return;
    if (this.pollTimer !== null) this.timers.clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if ((this.status?.activeSessions.length ?? 0) > 0) {
      this.pollTimer = this.timers.setTimeout(() => {
        this.pollTimer = null;
        this.scheduleRefresh();
      }, this.statusPollMs);
    }
  }

  private async fetchStatus(): Promise<EngineStatusDto | null> {
    const result = await this.invoke('engine.status', {});
    if (!result.ok) {
      this.options.logger.warn('engine status unavailable', { error: result.error.message });
      return this.status;
    }
    this.status = result.value;
    if (!this.stopped) this.options.ports.renderTray(trayView(result.value));
    return result.value;
  }

  private async invoke<N extends CommandName>(name: N, request: CommandInput<N>): Promise<Result<CommandResponse<N>>> {
    try {
      return (await this.options.host.invoke(name, request)) as Result<CommandResponse<N>>;
    } catch (error) {
      return { ok: false, error: { type: 'internal', message: error instanceof Error ? error.message : String(error) } };
    }
  }
}

/** The tray's icon, tooltip and title for an engine status. */
export function trayView(status: EngineStatusDto): TrayView {
  const halted = status.tradingState === 'HALTED';
  const icon: TrayIconState = halted ? 'halted' : status.strategiesPaused ? 'paused' : status.activeSessions.length > 0 ? 'running' : 'idle';
  const state = halted ? 'HALTED (kill switch)' : status.strategiesPaused ? 'strategies paused' : status.activeSessions.length > 0 ? 'running' : 'idle';
  const lines = [`Surge Workstation: ${state}`];
  const [first, ...others] = status.activeSessions;
  if (first !== undefined) lines.push(`Session: ${first.name}${others.length > 0 ? ` (+${others.length} more)` : ''}`);
  const pnl = status.pnl.map((entry) => `${signed(entry.net)} ${entry.currency}`).join(', ');
  if (status.activeSessions.length > 0) lines.push(`Open positions: ${status.openPositions}${pnl === '' ? '' : ` · PnL ${pnl}`}`);
  return { icon, tooltip: lines.join('\n'), title: pnl, strategiesPaused: status.strategiesPaused, tradingHalted: halted };
}

/** "+12.34" / "-0.50": money for a glance, rounded to cents. */
function signed(amount: string): string {
  const value = Decimal.of(amount);
  const text = value.toFixed(2);
  return value.isNegative() ? text : `+${text}`;
}
