import { defineConfig } from '@playwright/test';

// Chromium comes from the OS (Debian's /usr/bin/chromium); Playwright never downloads a browser
// here. The build (`npm run build`) is done by the test runner script before this config runs.
const CHROMIUM_PATH = process.env.SURGE_E2E_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../../test-results/e2e',
  timeout: 180_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  // npm test's runner asks for a JSON report (PLAYWRIGHT_JSON_OUTPUT_NAME) to count the tests
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME !== undefined ? [['list'], ['json']] : [['list']],
  use: {
    headless: true,
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
