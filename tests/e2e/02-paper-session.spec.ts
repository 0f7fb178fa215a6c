import path from 'node:path';
import { expect, markerCounts, numberAttribute, openApp, screenshotsDir, test } from './fixtures';

test.describe('offline paper session', () => {
  test('starts from the quick session form, draws candles and markers live and shows the open position with its margin ratio', async ({ page, serveUrl }) => {
    await openApp(page, serveUrl);
    const starter = page.getByTestId('session-starter');
    await starter.getByTestId('session-kind-paper').click();
    for (const box of await starter.getByTestId('session-strategy').all()) if (await box.isChecked()) await box.uncheck();
    await starter.locator('[data-testid="session-strategy"][data-key="example:dump-short"]').check();
    await starter.getByTestId('session-speed').selectOption('20');
    await starter.getByTestId('session-capital').fill('25000');
    await starter.getByTestId('session-start').click();

    const session = page.getByTestId('session-row').filter({ hasText: 'paper Dump Short on' }).first();
    await expect(session).toHaveAttribute('data-status', 'running');
    await expect(page.getByTestId('trading-chart')).toHaveAttribute('data-live', 'true');
    await expect.poll(() => numberAttribute(page, 'trading-chart', 'data-live-ticks')).toBeGreaterThan(20);
    await expect.poll(async () => (await markerCounts(page)).Z1 ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);

    // Dump Short is short from 94 s to 217 s into the data: about 5 s to 11 s at 20×
    const position = page.getByTestId('position-row').filter({ has: page.locator('[data-side="SHORT"], .badge-side-short') }).first();
    await expect(page.getByTestId('position-row').first()).toHaveAttribute('data-side', 'SHORT', { timeout: 15_000 });
    // the paper account's margin model: margin left before liquidation, as a gauge
    await expect(position.getByTestId('margin-ratio')).toHaveText(/^\d+\.\d%$/);
    // between fills the screen values the position at the latest trade itself
    await expect(position.getByTestId('position-mark')).toHaveAttribute('data-live', 'true');
    // the trader's own actions are live on a running session (09-position-actions uses them)
    await expect(position.getByTestId('position-close-all')).toBeEnabled();
    await expect(page.getByTestId('trading-chart')).toHaveAttribute('data-price-lines', /entry/);
    await expect(page.getByTestId('order-row').first().getByTestId('order-slippage')).toHaveText(/^[+-]?\d+\.\d{2}$/);
    await page.keyboard.press('f'); // every bar in view, with the signal markers and the entry line
    await page.screenshot({ path: path.join(screenshotsDir, 'trade.png') });

    // the remembered choices come back as the next defaults
    await page.reload();
    await expect(page.getByTestId('session-kind-paper')).toHaveAttribute('aria-checked', 'true');
    await expect(page.getByTestId('session-capital')).toHaveValue('25000');
    await expect(page.locator('[data-testid="session-strategy"][data-key="example:dump-short"]')).toBeChecked();
    await page.getByTestId('session-row').filter({ hasText: 'paper Dump Short on' }).first().getByTestId('session-stop').click();
    await expect(page.getByTestId('session-row').filter({ hasText: 'paper Dump Short on' }).first()).not.toHaveAttribute('data-status', 'running');
  });
});
