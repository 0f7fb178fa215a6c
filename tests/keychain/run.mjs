#!/usr/bin/env node
// `npm test`'s keychain stage: the keychain tests (src-main/engine/keychain) against a REAL OS
// keychain. On Linux that is the Secret Service: a private D-Bus session (dbus-run-session) with
// GNOME Keyring unlocked by a throwaway password, its files in a temporary folder so a developer's
// own keyring is never touched. Elsewhere (macOS Keychain, Windows Credential Manager) the tests
// run directly. SURGE_REQUIRE_KEYCHAIN=1 turns "no keychain, skipped" into a failure, and this
// script fails too if any keychain test was skipped or none ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const jsonOut = process.env.SURGE_KEYCHAIN_JSON ?? path.join(root, 'test-results', 'keychain.json');
mkdirSync(path.dirname(jsonOut), { recursive: true });
rmSync(jsonOut, { force: true });

const vitest = ['npx', '--no-install', 'vitest', 'run', 'src-main/engine/keychain', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonOut}`];
const quote = (arg) => `'${arg.replaceAll("'", `'\\''`)}'`;

let status;
if (process.platform === 'linux') {
  const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0);
  if (missing.length > 0) {
    console.error(`keychain stage: ${missing.join(' and ')} not found; install them (apt-get install dbus gnome-keyring) to test the real Secret Service`);
    process.exit(1);
  }
  const home = mkdtempSync(path.join(os.tmpdir(), 'surge-keyring-'));
  const runtimeDir = path.join(home, 'run');
  mkdirSync(runtimeDir, { mode: 0o700 });
  try {
    const script = `printf surge-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec ${vitest.map(quote).join(' ')}`;
    status = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, SURGE_REQUIRE_KEYCHAIN: '1', XDG_DATA_HOME: path.join(home, 'data'), XDG_RUNTIME_DIR: runtimeDir, DBUS_SESSION_BUS_ADDRESS: '' },
    }).status;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
} else {
  status = spawnSync(vitest[0], vitest.slice(1), { cwd: root, stdio: 'inherit', env: { ...process.env, SURGE_REQUIRE_KEYCHAIN: '1' } }).status;
}

if (!existsSync(jsonOut)) {
  console.error('keychain stage: vitest wrote no report');
  process.exit(1);
}
const report = JSON.parse(readFileSync(jsonOut, 'utf8'));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (skipped > 0 || (report.numPassedTests ?? 0) === 0) {
  console.error(`keychain stage: ${skipped} keychain test(s) skipped and ${report.numPassedTests ?? 0} passed; here every one must run against the real keychain`);
  process.exit(1);
}
process.exit(status ?? 1);
