import path from 'node:path';
import { expect, openApp, screenshotsDir, test } from './fixtures';

test.describe('keyboard and kill switch', () => {
  test('lists the shortcuts in a help overlay, switches screens by number and closes dialogs with Esc', async ({ page, serveUrl }) => {
    await openApp(page, serveUrl);
    await page.keyboard.press('?');
    await expect(page.getByTestId('help-overlay')).toContainText('Kill switch');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('help-overlay')).toHaveCount(0);
    await page.keyboard.press('4');
    await expect(page.getByTestId('data-screen')).toBeVisible();
    await page.getByTestId('recording-row').first().click();
    await expect(page.getByTestId('recording-instruments')).toContainText('BTC/USDT:USDT');
    await page.screenshot({ path: path.join(screenshotsDir, 'data.png') });
    // typing in a field is never taken over by a shortcut
    await page.getByTestId('import-path').fill('12345');
    await expect(page.getByTestId('data-screen')).toBeVisible();
    await expect(page.getByTestId('import-path')).toHaveValue('12345');
  });

  test('the always-visible kill switch asks first, then cancels and flattens and pauses strategies', async ({ page, serveUrl }) => {
    await openApp(page, serveUrl);
    await page.getByTestId('kill-switch').click();
    const dialog = page.getByTestId('kill-switch-dialog');
    await expect(dialog).toContainText('every open order');
    await dialog.getByTestId('kill-switch-cancel').click();
    await expect(dialog).toHaveCount(0);

    await page.keyboard.press('Shift+K');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('kill-switch-confirm').click();
    await expect(dialog.getByTestId('kill-switch-outcome')).toContainText(/Cancelled \d+ orders? and flattened \d+ positions?/);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('trading-state')).toContainText('strategies paused');
    await page.getByTestId('strategies-resume').click();
    await expect(page.getByTestId('trading-state')).not.toContainText('strategies paused');
  });
});
