import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect, test, type Page } from '@playwright/test';
import { startMexcSimulator, type MexcSimulator } from '../mexc-sim';
import { repoRoot, screenshotsDir } from './fixtures';

/**
 * Online sessions started and run from the screen, against serve mode wired to the MEXC
 * simulator (the crash test's engine script: serve mode's own start-up with the simulator's
 * URLs and keys in an in-memory keychain). Nothing leaves 127.0.0.1. This file brings its own
 * engine: the other specs share the first-run demo engine of the fixtures.
 */

const API_KEY = 'mx0vgl-e2e-online-key';
const SECRET = 'e2e-online-secret-0123456789abcdef';
const ENGINE_SCRIPT = path.join(repoRoot, 'tests', 'integration', 'crash', 'serve-engine.ts');
const READY_MARKER = 'SURGE_SERVE_READY ';
const READY_TIMEOUT_MS = 60_000;

let sim: MexcSimulator;
let engine: ChildProcess;
let url = '';
let dataDir = '';
let trades: ReturnType<typeof setInterval> | undefined;
const engineLog: string[] = [];

async function startEngine(): Promise<string> {
  engine = spawn(process.execPath, ['--import', 'tsx', ENGINE_SCRIPT], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SURGE_CRASH_DATA_DIR: dataDir, SURGE_CRASH_SIM: JSON.stringify({ urls: sim.ccxtUrls(), apiKey: API_KEY, apiSecret: SECRET }) },
  });
  createInterface({ input: engine.stderr! }).on('line', (line) => {
    engineLog.push(line);
    if (engineLog.length > 60) engineLog.shift();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the engine printed no ready line within ${READY_TIMEOUT_MS} ms\n${engineLog.join('\n')}`)), READY_TIMEOUT_MS);
    engine.once('exit', (code) => reject(new Error(`the engine exited (${code}) before it was ready\n${engineLog.join('\n')}`)));
    createInterface({ input: engine.stdout! }).on('line', (line) => {
      if (!line.startsWith(READY_MARKER)) return;
      clearTimeout(timer);
      resolve((JSON.parse(line.slice(READY_MARKER.length)) as { url: string }).url);
    });
  });
}

test.beforeAll(async () => {
  test.setTimeout(READY_TIMEOUT_MS + 20_000);
  sim = await startMexcSimulator({ apiKey: API_KEY, secret: SECRET });
  sim.setPrice('BTC_USDT', 60_000);
  dataDir = mkdtempSync(path.join(tmpdir(), 'surge-e2e-online-'));
  // no demo session: the online session is the only thing on screen
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ firstRun: { demo: false }, positionSync: { intervalMs: 500 } }));
  url = await startEngine();
  // a live market: a trade every half second on the simulator's feed
  trades = setInterval(() => sim.trade('BTC_USDT', 60_000 + Math.round(Math.random() * 50), 1, Math.random() < 0.5 ? 'buy' : 'sell'), 500);
});

test.afterAll(async () => {
  if (trades !== undefined) clearInterval(trades);
  if (engine !== undefined && engine.exitCode === null) {
    const exited = new Promise((resolve) => engine.once('exit', resolve));
    engine.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (engine.exitCode === null) engine.kill('SIGKILL');
  }
  await sim?.close();
  if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
});

async function open(page: Page): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
}

async function pickOnly(page: Page, symbol: string): Promise<void> {
  for (const chip of await page.getByTestId('session-symbol').all()) {
    const wanted = (await chip.getAttribute('data-symbol')) === symbol;
    if ((await chip.getAttribute('aria-pressed')) !== String(wanted)) await chip.click();
  }
}

test.describe('online sessions', () => {
  test('a paper session on the live feed starts from the quick session form and trades as soon as it is reconciled', async ({ page }) => {
    await open(page);
    const starter = page.getByTestId('session-starter');
    await starter.getByTestId('session-kind-online-paper').click();
    // the recording picker gives way to the symbol picker; a budget of nothing is refused here
    await expect(starter.getByTestId('session-recording')).toHaveCount(0);
    await pickOnly(page, 'BTC/USDT:USDT');
    await starter.getByTestId('session-capital').fill('');
    await starter.getByTestId('session-start').click();
    await expect(starter.getByTestId('start-error-capital')).toContainText('enter a budget');
    await starter.getByTestId('session-capital').fill('1000');
    await starter.getByTestId('session-start').click();

    const panel = page.getByTestId('live-session-panel');
    await expect(panel.getByTestId('live-phase')).toHaveAttribute('data-phase', 'armed');
    await expect(panel.getByTestId('live-phase')).toHaveText('TRADING');
    await expect(page.locator('[data-testid=session-row][data-online=true]')).toHaveCount(1);
    // paper trading is not live trading: the status bar stays quiet
    await expect(page.getByTestId('live-indicator')).toHaveCount(0);
    await page.screenshot({ path: path.join(screenshotsDir, 'online-paper.png') });

    await panel.getByTestId('live-stop').click();
    await expect(panel.getByTestId('live-phase')).toHaveAttribute('data-phase', 'stopped');
  });

  test('a live session is refused an unknown symbol at its field, reconciles, flattens after confirmation, arms only once ARM is typed, and shows in the status bar on every screen', async ({ page }) => {
    // a position opened on the website, which the app does not know; at 5×, since the app's risk
    // check refuses a flatten order above the settings' leverage cap (10×), and the exchange's default is 20×
    sim.openPositionOutside('BTC_USDT', 'short', 2, { leverage: 5 });
    await open(page);
    const starter = page.getByTestId('session-starter');
    await expect(starter.getByTestId('session-kind-live')).toBeEnabled();
    await starter.getByTestId('session-kind-live').click();
    await pickOnly(page, 'SOL/USDT:USDT');
    await starter.getByTestId('session-capital').fill('500');
    await starter.getByTestId('session-start').click();
    await expect(starter.getByTestId('start-error-symbols')).toContainText('unknown symbol(s): SOL/USDT:USDT');

    await pickOnly(page, 'BTC/USDT:USDT');
    await starter.getByTestId('session-start').click();
    const panel = page.getByTestId('live-session-panel');
    const phase = panel.getByTestId('live-phase');
    await expect(phase).toHaveAttribute('data-phase', 'reconciling');
    await expect(panel.getByTestId('live-difference')).toHaveAttribute('data-kind', 'exchange_only');
    await expect(page.getByTestId('live-indicator')).toHaveAttribute('data-phase', 'reconciling');

    // flatten asks first; Esc keeps things as they are
    await panel.getByTestId('live-flatten').click();
    await expect(panel.getByTestId('live-flatten-confirm')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(panel.getByTestId('live-flatten-confirm')).toHaveCount(0);
    expect(sim.position('BTC_USDT', 'short')?.holdVol).toBe('2');
    await panel.getByTestId('live-flatten').click();
    await panel.getByTestId('live-flatten-confirm').click();
    await expect(phase).toHaveAttribute('data-phase', 'ready');
    await expect.poll(() => sim.position('BTC_USDT', 'short')?.holdVol ?? '0').toBe('0');

    // arming: from the keyboard (l focuses the panel), and only with the word typed
    await page.locator('body').click({ position: { x: 5, y: 890 } });
    await page.keyboard.press('l');
    await expect(panel.getByTestId('live-arm')).toBeFocused();
    await page.keyboard.press('Enter');
    const word = panel.getByTestId('live-arm-input');
    await expect(word).toBeFocused();
    await page.keyboard.type('arm');
    await expect(panel.getByTestId('live-arm-confirm')).toBeDisabled();
    await page.keyboard.press('Enter');
    await expect(phase).toHaveAttribute('data-phase', 'ready');
    await word.fill('ARM');
    await page.screenshot({ path: path.join(screenshotsDir, 'online-live-arm.png') });
    await page.keyboard.press('Enter');
    await expect(phase).toHaveAttribute('data-phase', 'armed');
    await expect(phase).toHaveText('LIVE');

    await page.getByTestId('nav-settings').click();
    const indicator = page.getByTestId('live-indicator');
    await expect(indicator).toHaveAttribute('data-phase', 'armed');
    await expect(indicator).toContainText('ARMED');
    await page.screenshot({ path: path.join(screenshotsDir, 'online-live-armed.png') });

    // the indicator leads back to the panel; stopping a live session asks first
    await indicator.click();
    await panel.getByTestId('live-stop').click();
    await panel.getByTestId('live-stop-confirm').click();
    await expect(phase).toHaveAttribute('data-phase', 'stopped');
    await expect(indicator).toHaveCount(0);
  });
});
