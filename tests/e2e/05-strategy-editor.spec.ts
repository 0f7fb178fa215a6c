import path from 'node:path';
import { expect, openApp, screenshotsDir, test } from './fixtures';

test.describe('strategy editor', () => {
  test('marks the failing path inline, refuses to save it, and saves the corrected strategy', async ({ page, serveUrl }) => {
    await openApp(page, serveUrl);
    await page.keyboard.press('3');
    const editor = page.getByTestId('strategy-editor');
    await editor.locator('[data-testid="library-entry"][data-key="example:pump-long"]').click();
    const text = editor.getByTestId('editor-text');
    await expect(text).toHaveValue(/"strategy_name": "Pump Long"/);
    await expect(editor.getByTestId('editor-status')).toHaveText('✓ valid');

    const original = await text.inputValue();
    const broken = original.replace('"strategy_name": "Pump Long"', '"strategy_name": "Pump Long E2E"').replace(/"leverage": \d+/, '"leverage": 50');
    await text.fill(broken);
    await expect(editor.locator('[data-testid="editor-issue"][data-path="z1_entry.leverage"]')).toBeVisible();
    // the failing line is marked where the field is
    const leverageLine = broken.split('\n').findIndex((line) => line.includes('"leverage": 50')) + 1;
    await expect(editor.locator(`[data-testid="error-line"][data-line="${leverageLine}"]`)).toHaveCount(1);
    // the issue list jumps to the field: the marked line scrolls into view with the value selected
    await editor.locator('[data-testid="editor-issue"][data-path="z1_entry.leverage"]').click();
    await expect(editor.locator(`[data-testid="error-line"][data-line="${leverageLine}"]`)).toBeInViewport();
    expect(await text.evaluate((area: HTMLTextAreaElement) => area.value.slice(area.selectionStart, area.selectionEnd))).toBe('"leverage": 50');
    await page.screenshot({ path: path.join(screenshotsDir, 'strategies.png') });

    await editor.getByTestId('editor-save').click();
    await expect(editor.getByTestId('editor-save-refused')).toBeVisible();
    await expect(editor.locator('[data-testid="editor-issue"][data-path="z1_entry.leverage"]')).toBeVisible();
    await expect(editor.getByTestId('editor-saved')).toHaveCount(0);

    await text.fill(broken.replace('"leverage": 50', '"leverage": 3'));
    await expect(editor.getByTestId('editor-status')).toHaveText('✓ valid');
    await editor.getByTestId('editor-save').click();
    await expect(editor.getByTestId('editor-saved')).toContainText('Pump Long E2E');
    await expect(editor.locator('[data-testid="library-entry"][data-key="stored:pump-long-e2e"]')).toBeVisible();
    // a saved strategy is offered for new sessions
    await page.keyboard.press('1');
    await expect(page.locator('[data-testid="session-strategy"][data-key="stored:pump-long-e2e"]')).toBeVisible();
  });
});
