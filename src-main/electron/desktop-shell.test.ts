import { describe, expect, test } from 'vitest';
import type { EngineStatusDto } from '../../src-shared/contract/engine-commands';
import type { EventEnvelope } from '../../src-shared/contract/events';
import { err, ok, type Result } from '../../src-shared/contract/result';
import type { RiskAlertDto } from '../../src-shared/contract/schemas';
import type { EngineHost } from '../engine/host';
import { createLogger, memorySink } from '../engine/ops/logger';
import { DesktopShell, trayView, type ConfirmQuestion, type ShellPorts, type TimerFunctions, type TrayView } from './desktop-shell';
import { fitTooltip, trayMenuTemplate } from './tray-menu';

/** The engine as the shell sees it: answers commands from a script, pushes events on demand. */
class StubEngine implements EngineHost {
  readonly invocations: Array<[string, unknown]> = [];
  readonly listeners = new Set<(envelope: EventEnvelope) => void>();
  status: EngineStatusDto = status({});
  killSwitchResult: Result<unknown> = ok({ cancelledOrders: 1, flattenedPositions: 2 });

  async invoke(name: string, request: unknown): Promise<Result<unknown>> {
    this.invocations.push([name, request]);
    switch (name) {
      case 'engine.status':
        return ok(this.status);
      case 'killSwitch.engage':
        return this.killSwitchResult;
      case 'strategies.pause':
        this.status = { ...this.status, strategiesPaused: true, pauseReasons: ['manual'] };
        return ok({ strategiesPaused: true, pauseReasons: ['manual'], tradingState: this.status.tradingState });
      case 'strategies.resume':
        this.status = { ...this.status, strategiesPaused: false, pauseReasons: [], tradingState: 'ACTIVE' };
        return ok({ strategiesPaused: false, pauseReasons: [], tradingState: 'ACTIVE' });
      case 'engine.resume':
        return ok({ reconciled: false, detail: 'nothing live' });
      default:
        return err('validation', `unexpected ${name}`);
    }
  }
  subscribeEvents(listener: (envelope: EventEnvelope) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  push(envelope: EventEnvelope): void {
    for (const listener of this.listeners) listener(envelope);
  }
  commands(): string[] {
    return this.invocations.map(([name]) => name).filter((name) => name !== 'engine.status');
  }
  health(): never {
    throw new Error('not used');
  }
  metrics(): never {
    throw new Error('not used');
  }
  ingestAlertmanagerWebhook(): never {
    throw new Error('not used');
  }
}

/** Records what the shell asked the desktop to do; answers questions as scripted. */
class RecordingPorts implements ShellPorts {
  readonly questions: ConfirmQuestion[] = [];
  readonly notifications: Array<{ title: string; body: string; urgent: boolean; click: () => void }> = [];
  readonly sent: EventEnvelope[] = [];
  readonly trays: TrayView[] = [];
  readonly errors: string[] = [];
  windowShown = 0;
  quits = 0;
  answer = true;
  /** When set, questions stay open until release() is called. */
  private pending: Array<() => void> = [];
  holdQuestions = false;

  confirm(question: ConfirmQuestion): Promise<boolean> {
    this.questions.push(question);
    if (!this.holdQuestions) return Promise.resolve(this.answer);
    return new Promise((resolve) => this.pending.push(() => resolve(this.answer)));
  }
  release(): void {
    for (const resolve of this.pending.splice(0)) resolve();
  }
  notify(notification: { title: string; body: string; urgent: boolean }, onClick: () => void): void {
    this.notifications.push({ ...notification, click: onClick });
  }
  showWindow(): void {
    this.windowShown++;
  }
  sendToRenderer(envelope: EventEnvelope): void {
    this.sent.push(envelope);
  }
  renderTray(view: TrayView): void {
    this.trays.push(view);
  }
  showError(title: string, message: string): void {
    this.errors.push(`${title}: ${message}`);
  }
  quit(): void {
    this.quits++;
  }
}

/** Timers the test moves by hand. */
class ManualTimers implements TimerFunctions {
  time = 1_000_000;
  private readonly due = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.due.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }
  advance(ms: number): void {
    this.time += ms;
    for (const [id, timer] of [...this.due].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.time) continue;
      this.due.delete(id);
      timer.callback();
    }
  }
  get pending(): number {
    return this.due.size;
  }
}

function status(overrides: Partial<EngineStatusDto>): EngineStatusDto {
  return { tradingState: 'ACTIVE', strategiesPaused: false, pauseReasons: [], activeSessions: [], openPositions: 0, pnl: [], ts: 1, ...overrides };
}

function alert(id: string, severity: RiskAlertDto['severity'], message = `alert ${id}`): EventEnvelope {
  return { topic: 'risk_alert', payload: { id, severity, source: 'risk', code: 'DAILY_LOSS', message, instrumentId: null, ts: 1 } };
}

async function setup(options: { notify?: boolean } = {}) {
  const engine = new StubEngine();
  const ports = new RecordingPorts();
  const timers = new ManualTimers();
  const shell = new DesktopShell({ host: engine, ports, logger: createLogger('shell', memorySink()), notifyCriticalAlerts: options.notify ?? true, timers });
  await shell.start();
  return { engine, ports, timers, shell };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('critical alert notifications', () => {
  test('a critical alert becomes a notification whose click brings up the alerts screen at that alert', async () => {
    const { engine, ports } = await setup();
    engine.push(alert('a-1', 'critical', 'Daily loss limit reached'));
    expect(ports.notifications).toMatchObject([{ title: 'Critical: DAILY_LOSS', body: 'Daily loss limit reached', urgent: true }]);
    ports.notifications[0]!.click();
    expect(ports.windowShown).toBe(1);
    expect(ports.sent).toEqual([{ topic: 'ui_focus', payload: { screen: 'alerts', alertId: 'a-1' } }]);
  });

  test('warnings and information stay in the app; with tray notifications off nothing pops up', async () => {
    const loud = await setup();
    loud.engine.push(alert('w', 'warning'));
    loud.engine.push(alert('i', 'info'));
    expect(loud.ports.notifications).toEqual([]);
    const quiet = await setup({ notify: false });
    quiet.engine.push(alert('c', 'critical'));
    expect(quiet.ports.notifications).toEqual([]);
  });

  test('a burst of critical alerts is one notification now and one summary when the interval has passed', async () => {
    const { engine, ports, timers } = await setup();
    engine.push(alert('c-1', 'critical'));
    engine.push(alert('c-2', 'critical'));
    engine.push(alert('c-3', 'critical', 'third'));
    expect(ports.notifications.map((n) => n.title)).toEqual(['Critical: DAILY_LOSS']);
    timers.advance(3_000);
    expect(ports.notifications.map((n) => n.title)).toEqual(['Critical: DAILY_LOSS', '2 more critical alerts']);
    expect(ports.notifications[1]!.body).toBe('Latest: third');
    ports.notifications[1]!.click();
    expect(ports.sent).toEqual([{ topic: 'ui_focus', payload: { screen: 'alerts', alertId: 'c-3' } }]);
  });
});

describe('kill switch from the tray or the hotkey', () => {
  test('asks first, and a "Cancel" sends nothing to the engine', async () => {
    const { engine, ports, shell } = await setup();
    engine.status = status({ openPositions: 2 });
    ports.answer = false;
    await shell.engageKillSwitch('hotkey');
    expect(ports.questions.at(-1)).toMatchObject({ message: 'Cancel every open order and close every position?', confirmLabel: 'Engage kill switch', cancelLabel: 'Cancel' });
    expect(ports.questions.at(-1)!.detail).toContain('2 open position(s)');
    expect(engine.commands()).toEqual([]);
  });

  test('confirmed, it is engaged with confirm: true; a second press while the question is open asks nothing more', async () => {
    const { engine, ports, shell } = await setup();
    ports.holdQuestions = true;
    const first = shell.engageKillSwitch('hotkey');
    await flush();
    await shell.engageKillSwitch('hotkey');
    expect(ports.questions).toHaveLength(1);
    ports.release();
    await first;
    expect(engine.invocations.filter(([name]) => name === 'killSwitch.engage')).toEqual([['killSwitch.engage', { confirm: true }]]);
  });

  test('an engine that refuses is shown as an error, not swallowed', async () => {
    const { engine, ports, shell } = await setup();
    engine.killSwitchResult = err('unavailable', 'venue unreachable');
    await shell.engageKillSwitch('tray');
    expect(ports.errors).toEqual(['The kill switch failed: venue unreachable']);
  });
});

describe('pause, quit and wake', () => {
  test('the tray pauses strategies at once; resuming after a kill-switch halt asks first', async () => {
    const { engine, ports, shell } = await setup();
    await shell.toggleStrategies();
    expect(engine.commands()).toEqual(['strategies.pause']);
    expect(ports.questions).toEqual([]);

    engine.status = status({ strategiesPaused: true, pauseReasons: ['kill-switch'], tradingState: 'HALTED' });
    ports.answer = false;
    await shell.toggleStrategies();
    expect(ports.questions.map((q) => q.message)).toEqual(['The kill switch halted trading. Resume strategies?']);
    expect(engine.commands()).toEqual(['strategies.pause']);
    ports.answer = true;
    await shell.toggleStrategies();
    expect(engine.commands()).toEqual(['strategies.pause', 'strategies.resume']);
  });

  test('quitting asks only while positions are open', async () => {
    const { engine, ports, shell } = await setup();
    expect(await shell.requestQuit()).toBe(true);
    expect(ports.questions).toEqual([]);
    expect(ports.quits).toBe(1);

    engine.status = status({ openPositions: 3, activeSessions: [{ id: 's', kind: 'paper', name: 'paper', progress: 0.5 }] });
    ports.answer = false;
    expect(await shell.requestQuit()).toBe(false);
    expect(ports.questions.map((q) => q.message)).toEqual(['3 position(s) are open. Quit anyway?']);
    expect(ports.quits).toBe(1);
  });

  test('waking from sleep asks the engine to resume (reconnect and reconcile)', async () => {
    const { engine, shell } = await setup();
    await shell.onSystemResume();
    expect(engine.invocations).toContainEqual(['engine.resume', { reason: 'system_resume' }]);
  });
});

describe('the tray', () => {
  test('redraws after events, at most once per second however many arrive', async () => {
    const { engine, ports, timers } = await setup();
    const before = ports.trays.length;
    for (let i = 0; i < 50; i++) engine.push({ topic: 'position_updated', payload: {} as never });
    timers.advance(1_000);
    await flush();
    expect(ports.trays.length).toBe(before + 1);
  });

  test('keeps refreshing while a session runs (PnL moves with every price) and stops when it ends', async () => {
    const { engine, ports, timers, shell } = await setup();
    engine.status = status({ activeSessions: [{ id: 's', kind: 'paper', name: 'paper', progress: 0.1 }] });
    engine.push({ topic: 'session_state', payload: {} as never });
    timers.advance(1_000);
    await flush();
    const afterStart = ports.trays.length;
    timers.advance(5_000);
    await flush();
    timers.advance(1_000);
    await flush();
    expect(ports.trays.length).toBeGreaterThan(afterStart);
    engine.status = status({});
    timers.advance(6_000);
    await flush();
    timers.advance(6_000);
    await flush();
    // no session: nothing left scheduled
    expect(timers.pending).toBe(0);
    shell.stop();
  });

  test('shows the state, the first session and the PnL rounded to cents', () => {
    const view = trayView(status({
      activeSessions: [{ id: 'a', kind: 'paper', name: 'paper pump on BTC', progress: 0.2 }, { id: 'b', kind: 'backtest', name: 'b', progress: 0.9 }],
      openPositions: 1,
      pnl: [{ currency: 'USDT', net: '12.345', unrealized: '-1.2' }],
    }));
    expect(view).toEqual({
      icon: 'running',
      tooltip: 'Surge Workstation: running\nSession: paper pump on BTC (+1 more)\nOpen positions: 1 · PnL +12.34 USDT',
      title: '+12.34 USDT',
      strategiesPaused: false,
      tradingHalted: false,
    });
    expect(trayView(status({ tradingState: 'HALTED', strategiesPaused: true })).icon).toBe('halted');
    expect(trayView(status({ strategiesPaused: true })).tooltip).toBe('Surge Workstation: strategies paused');
    expect(trayView(status({ pnl: [{ currency: 'USDT', net: '-0.5', unrealized: '0' }], activeSessions: [{ id: 'a', kind: 'paper', name: 'p', progress: null }] })).title).toBe('-0.50 USDT');
  });

  test('the menu offers show, pause or resume, kill switch and quit', () => {
    const calls: string[] = [];
    const actions = { show: () => calls.push('show'), toggleStrategies: () => calls.push('toggle'), killSwitch: () => calls.push('kill'), quit: () => calls.push('quit') };
    const running = trayMenuTemplate(trayView(status({})), actions);
    expect(running.filter((item) => item.id !== undefined).map((item) => item.label)).toEqual(['Show Surge Workstation', 'Pause strategies', 'Kill switch…', 'Quit']);
    const paused = trayMenuTemplate(trayView(status({ strategiesPaused: true })), actions);
    expect(paused.find((item) => item.id === 'toggle-strategies')?.label).toBe('Resume strategies…');
  });

  test('Windows tooltips are cut at a whole line to fit 127 characters; others are left alone', () => {
    const long = ['Surge Workstation: running', `Session: ${'x'.repeat(90)}`, 'Open positions: 1 · PnL +1.00 USDT'].join('\n');
    expect(fitTooltip(long, 'win32')).toBe(['Surge Workstation: running', `Session: ${'x'.repeat(90)}`].join('\n'));
    expect(fitTooltip(long, 'linux')).toBe(long);
  });
});
