import { defineConfig } from '@playwright/test';

/** Playwright-Electron: drives the built app (dist-electron/main.cjs). Run through run.mjs. */
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  // one Electron app per test file; they share nothing but the machine's two cores
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  // npm test's runner asks for a JSON report (PLAYWRIGHT_JSON_OUTPUT_NAME) to count the tests
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME !== undefined ? [['list'], ['json']] : [['list']],
  outputDir: '../../test-results/electron',
});
