import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SurgeApi } from '../../src-shared/contract/commands';
import type { EngineStatusDto } from '../../src-shared/contract/engine-commands';
import type { EventEnvelope } from '../../src-shared/contract/events';

/**
 * The desktop shell around the engine: tray menu, kill switch (tray and hotkey), critical-alert
 * notifications and living in the tray. Native dialogs and notifications cannot be clicked by a
 * test, so the main process's dialog.showMessageBox and Notification.show are replaced with
 * recorders that answer as the test says; everything behind them (DesktopShell, the engine's
 * commands) is the real code. The tray is read and clicked through the shell's test hooks,
 * which exist only in an unpackaged app started with SURGE_TEST_HOOKS=1.
 */

const root = path.resolve(import.meta.dirname, '../..');

interface ShellHooks {
  tray(): { icon: string; tooltip: string; items: Array<{ id: string; label: string }> } | null;
  clickTray(id: string): void;
  hotkey(): string | null;
  pressHotkey(): void;
}

interface Recorders {
  answer: number;
  questions: Array<{ title?: string; message: string; buttons?: string[] }>;
  notifications: Array<{ title: string; body: string; emit(event: string): boolean }>;
}

let app: ElectronApplication;
let page: Page;
let dataDir: string;

test.beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-electron-shell-'));
  app = await electron.launch({
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
    cwd: root,
    env: { ...process.env, SURGE_DATA_DIR: dataDir, SURGE_TEST_HOOKS: '1' },
  });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
  await app.evaluate(({ dialog, Notification }) => {
    const recorders: Recorders = { answer: 1, questions: [], notifications: [] };
    (globalThis as unknown as { __recorders: Recorders }).__recorders = recorders;
    const showMessageBox = async (...args: unknown[]) => {
      const options = (args.length > 1 ? args[1] : args[0]) as Recorders['questions'][number];
      recorders.questions.push({ title: options.title, message: options.message, buttons: options.buttons });
      return { response: recorders.answer, checkboxChecked: false };
    };
    (dialog as unknown as { showMessageBox: typeof showMessageBox }).showMessageBox = showMessageBox;
    Notification.prototype.show = function record(this: Recorders['notifications'][number]) {
      recorders.notifications.push(this);
    };
  });
  await expect.poll(() => app.evaluate(() => (globalThis as unknown as { __surgeShell?: ShellHooks }).__surgeShell?.tray() ?? null)).not.toBeNull();
});

test.afterEach(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const tray = () => app.evaluate(() => (globalThis as unknown as { __surgeShell: ShellHooks }).__surgeShell.tray());
const clickTray = (id: string) => app.evaluate((_electron, item) => (globalThis as unknown as { __surgeShell: ShellHooks }).__surgeShell.clickTray(item), id);
const answerQuestionsWith = (response: number) => app.evaluate((_electron, answer) => {
  (globalThis as unknown as { __recorders: Recorders }).__recorders.answer = answer;
}, response);
const questions = () => app.evaluate(() => (globalThis as unknown as { __recorders: Recorders }).__recorders.questions);
const notifications = () => app.evaluate(() => (globalThis as unknown as { __recorders: Recorders }).__recorders.notifications.map((n) => ({ title: n.title, body: n.body })));
const engineStatus = () => page.evaluate(async () => {
  const result = await (window as unknown as { surge: SurgeApi }).surge.invoke('engine.status', {});
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}) as Promise<EngineStatusDto>;

test('the tray shows the engine state and offers show, pause, kill switch and quit', async () => {
  const shown = await tray();
  expect(shown?.items.map((item) => item.label)).toEqual(['Show Surge Workstation', 'Pause strategies', 'Kill switch…', 'Quit']);
  expect(shown?.icon).toBe('idle');
  expect(shown?.tooltip).toBe('Surge Workstation: idle');
});

test('pausing from the tray pauses the strategies in the engine, and the tray says so', async () => {
  await clickTray('toggle-strategies');
  await expect.poll(async () => (await engineStatus()).strategiesPaused).toBe(true);
  await expect.poll(async () => (await tray())?.icon).toBe('paused');
  expect((await tray())?.items.find((item) => item.id === 'toggle-strategies')?.label).toBe('Resume strategies…');
  expect(await questions()).toEqual([]);
});

test('the kill switch asks first; confirmed, it halts trading, a critical notification appears, and its click opens the alerts', async () => {
  await page.evaluate(() => {
    const seen: EventEnvelope[] = [];
    (window as unknown as { __seen: EventEnvelope[] }).__seen = seen;
    (window as unknown as { surge: SurgeApi }).surge.subscribe((envelope) => seen.push(envelope));
  });
  await clickTray('kill-switch');
  await expect.poll(async () => (await questions()).map((q) => q.message)).toEqual(['Cancel every open order and close every position?']);
  expect((await questions())[0]?.buttons).toEqual(['Cancel', 'Engage kill switch']);
  await expect.poll(async () => (await engineStatus()).tradingState).toBe('HALTED');
  await expect.poll(notifications).toEqual([{ title: 'Critical: KILL_SWITCH_ENGAGED', body: expect.stringContaining('Kill switch engaged') }]);

  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.hide());
  await app.evaluate(() => {
    (globalThis as unknown as { __recorders: Recorders }).__recorders.notifications[0]!.emit('click');
  });
  await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.isVisible() ?? false)).toBe(true);
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __seen: EventEnvelope[] }).__seen.filter((e) => e.topic === 'ui_focus').map((e) => e.payload)))
    .toEqual([{ screen: 'alerts', alertId: expect.any(String) }]);
});

test('answering "Cancel" to the kill-switch question changes nothing', async () => {
  await answerQuestionsWith(0);
  await clickTray('kill-switch');
  await expect.poll(async () => (await questions()).length).toBe(1);
  await page.waitForTimeout(300);
  expect((await engineStatus()).tradingState).toBe('ACTIVE');
  expect(await notifications()).toEqual([]);
});

test('the kill-switch hotkey from the settings is registered system-wide and asks the same question', async () => {
  expect(await app.evaluate(() => (globalThis as unknown as { __surgeShell: ShellHooks }).__surgeShell.hotkey())).toBe('CommandOrControl+Shift+K');
  expect(await app.evaluate(({ globalShortcut }) => globalShortcut.isRegistered('CommandOrControl+Shift+K'))).toBe(true);
  await answerQuestionsWith(0);
  await app.evaluate(() => (globalThis as unknown as { __surgeShell: ShellHooks }).__surgeShell.pressHotkey());
  await expect.poll(async () => (await questions()).map((q) => q.title)).toEqual(['Kill switch']);
});

test('closing the window keeps the app in the tray, and "Show" brings a window back', async () => {
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(0);
  expect(await tray()).not.toBeNull();
  await clickTray('show');
  await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});
