import { test as base } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Real market data shared by the team, next to the repo (never a hard-coded absolute path). */
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const screenshotsDir = path.join(repoRoot, 'tests', 'e2e', 'screenshots');

export interface ServeInfo {
  url: string;
  port: number;
  token: string;
  pid: number;
}

const READY_PREFIX = 'SURGE_SERVE_READY ';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
/** Lines of serve output kept to explain a failed start. */
const OUTPUT_LINES_KEPT = 80;

function waitForReady(child: ChildProcess, output: string[]): Promise<ServeInfo> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`serve mode did not print ${READY_PREFIX.trim()} within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n--- serve output ---\n${output.join('\n')}`));
    };
    const keep = (line: string): void => {
      output.push(line);
      if (output.length > OUTPUT_LINES_KEPT) output.shift();
    };
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      if (!line.startsWith(READY_PREFIX)) return;
      try {
        const info = JSON.parse(line.slice(READY_PREFIX.length)) as ServeInfo;
        clearTimeout(timer);
        resolve(info);
      } catch (error) {
        fail(new Error(`unreadable ready line: ${line} (${String(error)})`));
      }
    });
    createInterface({ input: child.stderr! }).on('line', keep);
    child.once('error', (error) => fail(error));
    child.once('exit', (code, signal) => fail(new Error(`serve mode exited before it was ready (code ${code}, signal ${signal})`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * One serve-mode process per worker, on a free port, with a fresh data directory:
 * `node dist-main/serve.js --port 0 --data-dir <tmp>`. SURGE_E2E_SERVE_SCRIPT may point at
 * another script speaking the same protocol (for debugging the UI without the engine).
 */
export const test = base.extend<object, { serve: ServeInfo; serveUrl: string }>({
  serve: [
    async ({}, use) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'surge-e2e-'));
      const script = process.env.SURGE_E2E_SERVE_SCRIPT ?? path.join(repoRoot, 'dist-main', 'serve.js');
      const child = spawn(process.execPath, [script, '--port', '0', '--data-dir', dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      const output: string[] = [];
      try {
        const info = await waitForReady(child, output);
        await use(info);
      } finally {
        await stopChild(child);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: READY_TIMEOUT_MS + STOP_TIMEOUT_MS + 5_000 },
  ],
  serveUrl: [async ({ serve }, use) => use(serve.url), { scope: 'worker' }],
});

export { expect } from '@playwright/test';
