import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppPaths {
  /** The folder holding package.json, migrations/, resources/ and the builds. */
  root: string;
  migrationsDir: string;
  resourcesDir: string;
  /** The built renderer. */
  staticDir: string;
}

/** The product name Electron uses for app.getPath('userData'); serve mode uses the same folder. */
export const PRODUCT_NAME = 'Surge Workstation';

export function appPathsFromRoot(root: string): AppPaths {
  return {
    root,
    migrationsDir: path.join(root, 'migrations'),
    resourcesDir: path.join(root, 'resources'),
    staticDir: path.join(root, 'dist-renderer'),
  };
}

/**
 * Finds the app's folders from the running module's own location, so the same code works
 * bundled (dist-main/serve.js, dist-electron/main.cjs) and from source under tsx
 * (src-main/serve/main.ts): the root is the nearest ancestor that has a migrations/ folder.
 */
export function resolveAppPaths(moduleUrl: string, exists: (candidate: string) => boolean = existsSync): AppPaths {
  const start = path.dirname(moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl);
  let dir = start;
  for (let depth = 0; depth < 6; depth++) {
    if (exists(path.join(dir, 'migrations'))) return appPathsFromRoot(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find the app folder (one with migrations/) above ${start}`);
}

export interface DataDirEnvironment {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
}

const currentEnvironment = (): DataDirEnvironment => ({ platform: process.platform, env: process.env, homeDir: os.homedir() });

/**
 * Where the database, settings and logs live when no --data-dir is given: SURGE_DATA_DIR, else
 * the folder Electron's app.getPath('userData') picks, so the desktop app and serve mode share
 * their recordings.
 */
export function defaultDataDir(environment: DataDirEnvironment = currentEnvironment()): string {
  const { platform, env, homeDir } = environment;
  const override = env['SURGE_DATA_DIR'];
  if (override !== undefined && override !== '') return path.resolve(override);
  if (platform === 'win32') {
    return path.win32.join(env['APPDATA'] ?? path.win32.join(homeDir, 'AppData', 'Roaming'), PRODUCT_NAME);
  }
  if (platform === 'darwin') return path.join(homeDir, 'Library', 'Application Support', PRODUCT_NAME);
  const configHome = env['XDG_CONFIG_HOME'];
  return path.join(configHome !== undefined && configHome !== '' ? configHome : path.join(homeDir, '.config'), PRODUCT_NAME);
}
