#!/usr/bin/env node
// `npm run test:electron`: Playwright-Electron tests of the desktop shell's security settings.
// Where no Electron binary was ever downloaded (CI containers, this workplace) it says so plainly
// and exits 0; otherwise it builds if needed and runs under xvfb-run when there is no display.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    // electron's index.js throws when its path.txt is missing (binary never downloaded)
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

if (electronBinary() === null) {
  console.log('skipped: no Electron binary');
  process.exit(0);
}

const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const built = ['dist-electron/main.cjs', 'dist-electron/preload.cjs', 'dist-renderer/index.html'].every((file) => existsSync(path.join(root, file)));
if (!built) {
  const status = run('npm', ['run', '--silent', 'build']);
  if (status !== 0) process.exit(status);
}

const playwright = ['npx', '--no-install', 'playwright', 'test', '-c', 'tests/electron/playwright.config.ts', ...process.argv.slice(2)];
if (process.env.DISPLAY) process.exit(run(playwright[0], playwright.slice(1)));

if (spawnSync('xvfb-run', ['--help'], { stdio: 'ignore' }).error !== undefined) {
  console.error('no DISPLAY and no xvfb-run: install xvfb (apt-get install xvfb) to run the Electron tests headless');
  process.exit(1);
}
process.exit(run('xvfb-run', ['-a', '--server-args=-screen 0 1600x1000x24', ...playwright]));
