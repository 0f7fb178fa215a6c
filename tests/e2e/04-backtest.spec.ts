import path from 'node:path';
import { expect, openApp, screenshotsDir, test } from './fixtures';

test.describe('backtest', () => {
  test('runs a backtest from the keyboard and shows its progress, then equity, drawdown and statistics', async ({ page, serveUrl }) => {
    await openApp(page, serveUrl);
    // pick two strategies in the quick session form; b runs a backtest with them
    const starter = page.getByTestId('session-starter');
    for (const box of await starter.getByTestId('session-strategy').all()) if (await box.isChecked()) await box.uncheck();
    await starter.locator('[data-testid="session-strategy"][data-key="example:dump-short"]').check();
    await starter.locator('[data-testid="session-strategy"][data-key="example:pump-long"]').check();
    await starter.getByTestId('session-kind-backtest').click();
    await page.getByTestId('session-start').focus();
    await page.getByTestId('session-start').blur();

    // every progress value the dashboard shows, from the moment the backtest starts
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __progressSeen: string[] }).__progressSeen = seen;
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="backtest-progress"]');
        if (bar !== null) seen.push(`${bar.getAttribute('data-status')}:${bar.getAttribute('data-progress')}`);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-progress', 'data-status'] });
    });
    await page.keyboard.press('b');
    await expect(page.getByTestId('performance-dashboard')).toBeVisible();
    const progress = page.getByTestId('backtest-progress');
    await expect(progress).toHaveAttribute('data-status', 'completed', { timeout: 30_000 });
    await expect(progress).toHaveAttribute('data-progress', '1.000');
    const seen = await page.evaluate(() => (window as unknown as { __progressSeen: string[] }).__progressSeen);
    expect(seen.some((entry) => entry.startsWith('running:'))).toBe(true);

    const report = page.getByTestId('report');
    await expect(report.getByTestId('metric-trades')).toContainText(/\d+/);
    await expect(report.getByTestId('metric-win-rate')).toContainText(/%/);
    await expect(report.getByTestId('metric-sharpe')).toContainText(/-?\d+\.\d\d/);
    await expect(report.getByTestId('metric-profit-factor')).toContainText(/\d+\.\d\d/);
    await expect(report.getByTestId('report-fingerprint')).toContainText(/[0-9a-f]{64}/);
    await expect.poll(async () => Number(await report.getByTestId('equity-chart').getAttribute('data-points'))).toBeGreaterThan(2);
    await expect.poll(async () => Number(await report.getByTestId('drawdown-chart').getAttribute('data-points'))).toBeGreaterThan(2);
    await expect(report.getByTestId('strategy-row')).toHaveCount(2);
    await page.screenshot({ path: path.join(screenshotsDir, 'performance.png') });
  });
});
