import { test as base, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { READY_TIMEOUT_MS, repoRoot, startServe, STOP_TIMEOUT_MS, type ServeInfo } from './serve-process';

export { repoRoot, type ServeInfo };
/** Real market data shared by the team, next to the repo (never a hard-coded absolute path). */
export const sharedDir = process.env.SURGE_SHARED_DIR ?? path.resolve(repoRoot, '..', 'shared');
export const screenshotsDir = path.join(repoRoot, 'tests', 'e2e', 'screenshots');

/**
 * One serve-mode process per worker, on a free port, with a fresh data directory — so it opens
 * with the first-run demo session, as a new install does. The spec files are numbered: they run
 * in order against the same engine, the first one while the demo is still replaying.
 */
export const test = base.extend<object, { serve: ServeInfo; serveUrl: string }>({
  serve: [
    async ({}, use) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'surge-e2e-'));
      try {
        const started = await startServe(dataDir);
        try {
          await use(started.info);
        } finally {
          await started.stop();
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: READY_TIMEOUT_MS + STOP_TIMEOUT_MS + 5_000 },
  ],
  serveUrl: [async ({ serve }, use) => use(serve.url), { scope: 'worker' }],
});

/** Opens the app and waits for the engine link. */
export async function openApp(page: Page, serveUrl: string): Promise<void> {
  await page.goto(serveUrl);
  await base.expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'open');
}

/** Marker counts by section, as the chart reports them. */
export async function markerCounts(page: Page): Promise<Record<string, number>> {
  const text = await page.getByTestId('trading-chart').getAttribute('data-marker-counts');
  return text === null ? {} : (JSON.parse(text) as Record<string, number>);
}

export async function numberAttribute(page: Page, testId: string, attribute: string): Promise<number> {
  return Number((await page.getByTestId(testId).getAttribute(attribute)) ?? Number.NaN);
}

export { expect } from '@playwright/test';
