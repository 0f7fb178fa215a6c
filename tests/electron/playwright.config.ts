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
  reporter: [['list']],
  outputDir: '../../test-results/electron',
});
