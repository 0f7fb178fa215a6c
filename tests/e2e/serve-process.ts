import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Starting and stopping serve mode as a child process, for the e2e fixtures and the UI bench:
 * `node dist-main/serve.js --port 0 --data-dir <dir>`, ready once it prints SURGE_SERVE_READY.
 */

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ServeInfo {
  url: string;
  port: number;
  token: string;
  /** The serve process itself (under dbus-run-session when the keychain wrapper is used). */
  pid: number;
  /** Whether serve mode runs with a real (throwaway) Secret Service keychain. */
  keychain: boolean;
}

const READY_PREFIX = 'SURGE_SERVE_READY ';
export const READY_TIMEOUT_MS = 60_000;
export const STOP_TIMEOUT_MS = 10_000;
/** Lines of serve output kept to explain a failed start. */
const OUTPUT_LINES_KEPT = 80;

function waitForReady(child: ChildProcess, output: string[]): Promise<Omit<ServeInfo, 'keychain'>> {
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
        const info = JSON.parse(line.slice(READY_PREFIX.length)) as Omit<ServeInfo, 'keychain'>;
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

async function stopServe(child: ChildProcess, servePid: number | null): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // the serve process shuts down cleanly on SIGTERM; a dbus-run-session wrapper ends with it
  try {
    if (servePid !== null && servePid !== child.pid) process.kill(servePid, 'SIGTERM');
    else child.kill('SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => {
    if (servePid !== null) {
      try {
        process.kill(servePid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

const hasTool = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;

/**
 * On Linux with dbus-run-session and gnome-keyring-daemon, serve mode runs inside a private D-Bus
 * session whose GNOME Keyring is unlocked with a throwaway password and keeps its files in the
 * test's temporary folder: the API-key test then goes through a real Secret Service, and a
 * developer's own keyring is never touched. SURGE_E2E_KEYCHAIN=0 turns it off.
 */
const useKeychain = process.platform === 'linux' && process.env.SURGE_E2E_KEYCHAIN !== '0' && hasTool('dbus-run-session') && hasTool('gnome-keyring-daemon');

export interface StartedServe {
  info: ServeInfo;
  stop(): Promise<void>;
}

/** `node dist-main/serve.js --port 0 --data-dir <dir>`, ready to use; the bench starts it the same way. */
export async function startServe(dataDir: string, options: { keychain?: boolean; script?: string } = {}): Promise<StartedServe> {
  const script = options.script ?? process.env.SURGE_E2E_SERVE_SCRIPT ?? path.join(repoRoot, 'dist-main', 'serve.js');
  const node = [process.execPath, script, '--port', '0', '--data-dir', dataDir];
  const keychain = options.keychain ?? useKeychain;
  let child: ChildProcess;
  if (keychain) {
    const home = path.join(dataDir, '.keyring');
    const runtimeDir = path.join(home, 'run');
    mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
    const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;
    const shell = `printf surge-e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec ${node.map(quote).join(' ')}`;
    child = spawn('dbus-run-session', ['--', 'sh', '-c', shell], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, XDG_DATA_HOME: path.join(home, 'data'), XDG_RUNTIME_DIR: runtimeDir, DBUS_SESSION_BUS_ADDRESS: '' },
    });
  } else {
    child = spawn(node[0]!, node.slice(1), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  const output: string[] = [];
  let info: Omit<ServeInfo, 'keychain'>;
  try {
    info = await waitForReady(child, output);
  } catch (error) {
    await stopServe(child, null);
    throw error;
  }
  return { info: { ...info, keychain }, stop: () => stopServe(child, info.pid) };
}

