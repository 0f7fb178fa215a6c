import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SurgeApi } from '../../src-shared/contract/commands';

/**
 * The desktop window's security settings, read back from the running app (ARCHITECTURE §13).
 * Each test gets a fresh app and a throwaway data folder.
 */

const root = path.resolve(import.meta.dirname, '../..');

let app: ElectronApplication;
let page: Page;
let dataDir: string;

test.beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-electron-'));
  app = await electron.launch({
    // Chromium refuses to run as root with its OS sandbox (CI containers run as root); the
    // renderer sandbox these tests check is Electron's `sandbox: true`, which stays on
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
    cwd: root,
    env: { ...process.env, SURGE_DATA_DIR: dataDir, ELECTRON_ENABLE_LOGGING: '1' },
  });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

test.afterEach(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('the window runs sandboxed, context-isolated and without Node', async () => {
  const preferences = await app.evaluate(({ BrowserWindow }) => {
    const [window] = BrowserWindow.getAllWindows();
    // not in electron.d.ts, but the stable way Electron's own tests read the applied preferences
    const contents = window!.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> };
    const applied = contents.getLastWebPreferences();
    return {
      windows: BrowserWindow.getAllWindows().length,
      sandbox: applied['sandbox'],
      contextIsolation: applied['contextIsolation'],
      nodeIntegration: applied['nodeIntegration'],
      nodeIntegrationInWorker: applied['nodeIntegrationInWorker'],
      webSecurity: applied['webSecurity'],
      allowRunningInsecureContent: applied['allowRunningInsecureContent'],
      experimentalFeatures: applied['experimentalFeatures'],
      webviewTag: applied['webviewTag'],
    };
  });
  expect(preferences).toEqual({
    windows: 1,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
  });
});

test("the renderer comes from the app's own files with a strict CSP", async () => {
  expect(page.url()).toMatch(/^app:\/\/surge\//);
  const headers = await page.evaluate(async () => {
    const response = await fetch('app://surge/index.html');
    return { csp: response.headers.get('content-security-policy'), nosniff: response.headers.get('x-content-type-options') };
  });
  expect(headers.csp).toContain("default-src 'self'");
  expect(headers.csp).toContain("script-src 'self'");
  expect(headers.csp).not.toMatch(/script-src[^;]*unsafe/);
  expect(headers.csp).toContain("object-src 'none'");
  expect(headers.nosniff).toBe('nosniff');
});

test('the page sees window.surge with exactly invoke and subscribe, and no Node globals', async () => {
  const globals = await page.evaluate(() => {
    const scope = window as unknown as Record<string, unknown>;
    const surge = scope['surge'] as Record<string, unknown> | undefined;
    return {
      surgeKeys: surge === undefined ? null : Object.keys(surge).sort(),
      invokeType: typeof surge?.['invoke'],
      subscribeType: typeof surge?.['subscribe'],
      require: typeof scope['require'],
      process: typeof scope['process'],
      module: typeof scope['module'],
      buffer: typeof scope['Buffer'],
      ipcRenderer: typeof scope['ipcRenderer'],
    };
  });
  expect(globals).toEqual({
    surgeKeys: ['invoke', 'subscribe'],
    invokeType: 'function',
    subscribeType: 'function',
    require: 'undefined',
    process: 'undefined',
    module: 'undefined',
    buffer: 'undefined',
    ipcRenderer: 'undefined',
  });
});

test('a command goes through the preload to the engine and back as data', async () => {
  const result = await page.evaluate(async () => {
    const surge = (window as unknown as { surge: SurgeApi }).surge;
    const health = await surge.invoke('engine.health', {});
    // the engine parses every request: a garbled one comes back as a validation error, not a throw
    const garbled = await surge.invoke('sessions.stop', { sessionId: 42 } as never);
    const unknownCommand = await surge.invoke('no.such.command' as never, {} as never);
    return { health: health.ok, garbled, unknownCommand };
  });
  expect(result.health).toBe(true);
  expect(result.garbled).toMatchObject({ ok: false, error: { type: 'validation' } });
  expect(result.unknownCommand).toMatchObject({ ok: false, error: { type: 'validation' } });
});

test('navigating away from the app is refused', async () => {
  const before = page.url();
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
  await page.evaluate(() => {
    window.location.href = 'file:///etc/passwd';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
});

test('window.open is refused and opens no window', async () => {
  const opened = await page.evaluate(() => [window.open('https://example.com/') === null, window.open('app://surge/index.html') === null]);
  expect(opened).toEqual([true, true]);
  await page.waitForTimeout(300);
  expect(app.windows()).toHaveLength(1);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});

test('permission requests are denied', async () => {
  const permission = await page.evaluate(() => Notification.requestPermission());
  expect(permission).toBe('denied');
});

test('a second instance exits and leaves the first one running', async () => {
  // the second process quits during start-up: either launch fails or its app ends with no window
  const second = await electron
    .launch({ args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root], cwd: root, env: { ...process.env, SURGE_DATA_DIR: dataDir } })
    .catch(() => null);
  if (second !== null) {
    await expect.poll(() => second.windows().length, { timeout: 5_000 }).toBe(0);
    await second.close().catch(() => {});
  }
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
});
