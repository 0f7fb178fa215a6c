import path from 'node:path';
import type { Locator } from '@playwright/test';
import { expect, screenshotsDir, sharedDir, test } from './fixtures';

const TRADES_CSV = path.join(sharedDir, 'data', 'trades', 'binance-usdm-btcusdt-trades-20240808T235416Z-20240808T235959Z.csv');
const INSTRUMENT = 'BTC/USDT:USDT';

async function markerCounts(chart: Locator): Promise<Record<string, number>> {
  const text = await chart.getAttribute('data-marker-counts');
  return text === null ? {} : (JSON.parse(text) as Record<string, number>);
}

test.describe('walking skeleton in serve mode', () => {
  test('keeps the token out of the address bar and connects', async ({ page, serveUrl }) => {
    await page.goto(serveUrl);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await expect(page.getByTestId('kill-switch')).toBeDisabled();
    await expect(page.getByTestId('kill-switch').locator('..')).toHaveAttribute('title', 'arrives with execution');
  });

  test('shows the engine reason next to the path field when the import request is invalid', async ({ page, serveUrl }) => {
    await page.goto(serveUrl);
    await page.getByTestId('import-path').fill('');
    await page.getByTestId('import-submit').click();
    await expect(page.getByTestId('import-error-path')).toBeVisible();
  });

  test('imports a trades CSV, backtests the skeleton strategy and shows candles, markers and a position', async ({ page, serveUrl }) => {
    await page.goto(serveUrl);
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');

    await page.getByTestId('import-path').fill(TRADES_CSV);
    await page.getByTestId('import-instrument').fill(INSTRUMENT);
    await page.getByTestId('import-submit').click();
    await expect(page.getByTestId('import-done')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('recording-row').filter({ hasText: 'binance-usdm-btcusdt' }).first()).toBeVisible();

    const strategySelect = page.getByTestId('session-strategy');
    await expect(strategySelect.locator('option', { hasText: 'skeleton' })).toHaveCount(1);
    const skeletonValue = await strategySelect.locator('option', { hasText: 'skeleton' }).getAttribute('value');
    await strategySelect.selectOption(skeletonValue!);
    await page.getByTestId('session-kind-backtest').click();
    await page.getByTestId('session-start').click();

    const session = page.getByTestId('session-row').first();
    await expect(session).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });

    const chart = page.getByTestId('trading-chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-candles'))).toBeGreaterThan(0);
    await expect.poll(async () => (await markerCounts(chart)).S1 ?? 0).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await markerCounts(chart)).Z1 ?? 0).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('position-row').first()).toBeVisible();

    await page.screenshot({ path: path.join(screenshotsDir, 'skeleton.png'), fullPage: true });
  });
});
