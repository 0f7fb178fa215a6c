import { expect, markerCounts, numberAttribute, openApp, test } from './fixtures';

test.describe('first run', () => {
  test('opens an offline paper session on the bundled demo data and shows live candles and signals within seconds', async ({ page, serveUrl }) => {
    await openApp(page, serveUrl);
    // no network, no keys, a fresh data directory: the demo session is already replaying
    const session = page.getByTestId('session-row').first();
    await expect(session).toHaveAttribute('data-status', 'running');
    await expect(session).toContainText('Demo');
    const chart = page.getByTestId('trading-chart');
    await expect(chart).toHaveAttribute('data-live', 'true');
    await expect(page.getByTestId('chart-live')).toBeVisible();
    await expect.poll(() => numberAttribute(page, 'trading-chart', 'data-candles')).toBeGreaterThan(0);
    // bars grow from market_data events as they arrive, not from a reload
    const ticks = await numberAttribute(page, 'trading-chart', 'data-live-ticks');
    await expect.poll(() => numberAttribute(page, 'trading-chart', 'data-live-ticks'), { timeout: 5_000 }).toBeGreaterThan(Number.isNaN(ticks) ? 0 : ticks);
    // the first signal (Dump Short's S1) is 94 s into the data: under 5 s at the demo's 20×
    await expect.poll(async () => (await markerCounts(page)).S1 ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('signal-row').first()).toBeVisible();
    await expect(page.getByTestId('state-row')).toHaveCount(2);
  });
});
