import path from 'node:path';
import { parseArgs } from 'node:util';
import { err, ok, type Result } from '../../src-shared/contract/result';
import { defaultDataDir, type DataDirEnvironment } from './app-paths';

export const DEFAULT_SERVE_PORT = 4780;

export interface ServeArgs {
  port: number;
  dataDir: string;
  /** Absent: a fresh random token per run. */
  token?: string;
  help: boolean;
}

export const SERVE_USAGE = `Usage: npm run serve -- [--port N] [--data-dir DIR] [--token T]

  --port N        port on 127.0.0.1 (default ${DEFAULT_SERVE_PORT}; 0 picks a free one)
  --data-dir DIR  database, settings and logs (default: $SURGE_DATA_DIR, else the desktop app's folder)
  --token T       fixed access token, at least 16 characters (default: random per run)
  --help          this text`;

export function parseServeArgs(argv: readonly string[], environment?: DataDirEnvironment): Result<ServeArgs> {
  let values: { port?: string; 'data-dir'?: string; token?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return err('validation', error instanceof Error ? error.message : String(error));
  }

  let port = DEFAULT_SERVE_PORT;
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port) || Number(values.port) > 65_535) {
      return err('validation', `--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`, ['port']);
    }
    port = Number(values.port);
  }
  const token = values.token;
  if (token !== undefined && !/^[A-Za-z0-9._~-]{16,256}$/.test(token)) {
    return err('validation', '--token must be 16 to 256 URL-safe characters (letters, digits, . _ ~ -)', ['token']);
  }
  const dataDirFlag = values['data-dir'];
  if (dataDirFlag === '') return err('validation', '--data-dir must not be empty', ['data-dir']);
  const dataDir = dataDirFlag !== undefined ? path.resolve(dataDirFlag) : defaultDataDir(environment);

  return ok({ port, dataDir, ...(token !== undefined ? { token } : {}), help: values.help === true });
}

/** The line end-to-end tests and scripts wait for: one JSON object after a fixed marker. */
export const SERVE_READY_MARKER = 'SURGE_SERVE_READY';

export interface ServeReady {
  url: string;
  port: number;
  token: string;
  pid: number;
}

export function formatReadyLine(ready: ServeReady): string {
  return `${SERVE_READY_MARKER} ${JSON.stringify(ready)}`;
}
