import path from 'node:path';
import { expect, openApp, screenshotsDir, test } from './fixtures';

test.describe('settings', () => {
  test('shows a validation error next to the field it names and saves a valid change', async ({ page, serveUrl }) => {
    await openApp(page, serveUrl);
    await page.keyboard.press('5');
    const field = page.getByTestId('setting-risk.maxOpenPositions');
    await expect(field).toHaveValue('3');
    await field.fill('0');
    await expect(page.getByTestId('setting-error-risk.maxOpenPositions')).toHaveText('must be ≥ 1 (got 0)');
    await page.getByTestId('setting-paper.slippageBps').fill('lots');
    await expect(page.getByTestId('setting-error-paper.slippageBps')).toHaveText('must be a number');
    await page.screenshot({ path: path.join(screenshotsDir, 'settings.png') });
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-saved')).toHaveCount(0);

    await field.fill('2');
    await page.getByTestId('setting-paper.slippageBps').fill('2');
    await expect(page.getByTestId('setting-error-risk.maxOpenPositions')).toHaveCount(0);
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-saved')).toBeVisible();
    await expect(page.getByTestId('settings-restart')).toBeVisible();
    await page.reload();
    await page.keyboard.press('5');
    await expect(page.getByTestId('setting-risk.maxOpenPositions')).toHaveValue('2');
  });

  test('API keys go to the keychain and only the masked form comes back', async ({ page, serveUrl, serve }) => {
    test.skip(!serve.keychain, 'no Secret Service here (dbus-run-session and gnome-keyring-daemon are needed)');
    const apiKey = 'mx0vglE2ETestKey1234abcd';
    const apiSecret = '0123456789abcdef0123456789abcdef';
    const received: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => received.push(String(frame.payload))));
    await openApp(page, serveUrl);
    await page.keyboard.press('5');
    const keys = page.getByTestId('api-keys');
    await keys.getByTestId('credentials-key').fill('short');
    await keys.getByTestId('credentials-secret').fill(apiSecret);
    await keys.getByTestId('credentials-save').click();
    await expect(keys.getByTestId('credentials-error-apiKey')).toContainText('too short');

    await keys.getByTestId('credentials-key').fill(apiKey);
    await keys.getByTestId('credentials-save').click();
    await expect(keys.getByTestId('credentials-status')).toHaveAttribute('data-set', 'true');
    await expect(keys.getByTestId('credentials-status')).toContainText('…abcd');
    await expect(keys.getByTestId('credentials-key')).toHaveValue('');
    await expect(keys.getByTestId('credentials-secret')).toHaveValue('');
    await page.reload();
    await page.keyboard.press('5');
    await expect(page.getByTestId('credentials-status')).toContainText('…abcd');
    // nothing the engine sent this page ever carried the key or the secret
    expect(received.length).toBeGreaterThan(0);
    expect(received.filter((frame) => frame.includes(apiKey) || frame.includes(apiSecret))).toEqual([]);
    expect(await page.content()).not.toContain(apiSecret);
    await page.getByTestId('credentials-clear').click();
    await expect(page.getByTestId('credentials-status')).toHaveAttribute('data-set', 'false');
  });
});
