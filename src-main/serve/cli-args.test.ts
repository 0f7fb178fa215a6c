import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultDataDir, resolveAppPaths } from './app-paths';
import { DEFAULT_SERVE_PORT, formatReadyLine, parseServeArgs, SERVE_READY_MARKER } from './cli-args';

const linux = { platform: 'linux' as const, env: {}, homeDir: '/home/trader' };

describe('parseServeArgs', () => {
  test('defaults to port 4780, a random token and the desktop app data folder', () => {
    expect(parseServeArgs([], linux)).toEqual({ ok: true, value: { port: DEFAULT_SERVE_PORT, dataDir: '/home/trader/.config/Surge Workstation', help: false } });
    expect(DEFAULT_SERVE_PORT).toBe(4780);
  });

  test('reads --port, --data-dir and --token', () => {
    const parsed = parseServeArgs(['--port', '0', '--data-dir', 'tmp/data', '--token', 'abcdefghijklmnop-123'], linux);
    expect(parsed).toEqual({ ok: true, value: { port: 0, dataDir: path.resolve('tmp/data'), token: 'abcdefghijklmnop-123', help: false } });
    expect(parseServeArgs(['--port=8123'], linux)).toMatchObject({ ok: true, value: { port: 8123 } });
  });

  test.each([['--port', '-1'], ['--port', '65536'], ['--port', 'abc'], ['--port', '1.5'], ['--token', 'short'], ['--token', 'has space in it 1234'], ['--data-dir', ''], ['--bogus'], ['stray']])(
    'refuses %s %s with a validation error',
    (...argv) => {
      expect(parseServeArgs(argv, linux)).toMatchObject({ ok: false, error: { type: 'validation' } });
    },
  );

  test('SURGE_DATA_DIR overrides the platform default but not --data-dir', () => {
    const environment = { ...linux, env: { SURGE_DATA_DIR: '/srv/surge' } };
    expect(parseServeArgs([], environment)).toMatchObject({ ok: true, value: { dataDir: '/srv/surge' } });
    expect(parseServeArgs(['--data-dir', '/elsewhere'], environment)).toMatchObject({ ok: true, value: { dataDir: '/elsewhere' } });
  });
});

describe('defaultDataDir', () => {
  test('follows each platform the way Electron userData does', () => {
    expect(defaultDataDir({ ...linux, env: { XDG_CONFIG_HOME: '/xdg' } })).toBe('/xdg/Surge Workstation');
    expect(defaultDataDir({ platform: 'darwin', env: {}, homeDir: '/Users/t' })).toBe('/Users/t/Library/Application Support/Surge Workstation');
    expect(defaultDataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\t\\AppData\\Roaming' }, homeDir: 'C:\\Users\\t' })).toBe(
      'C:\\Users\\t\\AppData\\Roaming\\Surge Workstation',
    );
  });
});

describe('resolveAppPaths', () => {
  const root = path.resolve('/opt/surge');
  const exists = (candidate: string): boolean => candidate === path.join(root, 'migrations');

  test('finds the root from the bundled serve entry', () => {
    expect(resolveAppPaths(`file://${root}/dist-main/serve.js`, exists)).toEqual({
      root,
      migrationsDir: path.join(root, 'migrations'),
      resourcesDir: path.join(root, 'resources'),
      staticDir: path.join(root, 'dist-renderer'),
    });
  });

  test('finds the same root from the source entry under tsx and from a plain path', () => {
    expect(resolveAppPaths(`file://${root}/src-main/serve/main.ts`, exists).root).toBe(root);
    expect(resolveAppPaths(path.join(root, 'dist-electron', 'main.cjs'), exists).root).toBe(root);
  });

  test('finds this repository from this very file', () => {
    expect(resolveAppPaths(import.meta.url).root).toBe(path.resolve(import.meta.dirname, '../..'));
  });

  test('says which folder it searched from when there is no app root', () => {
    expect(() => resolveAppPaths('file:///nowhere/x/y.js', () => false)).toThrow(/above \/nowhere\/x/);
  });
});

describe('the ready line', () => {
  test('is the marker followed by one JSON object that parses back', () => {
    const ready = { url: 'http://127.0.0.1:4780/?token=abc', port: 4780, token: 'abc', pid: 123 };
    const line = formatReadyLine(ready);
    expect(line).toBe('SURGE_SERVE_READY {"url":"http://127.0.0.1:4780/?token=abc","port":4780,"token":"abc","pid":123}');
    expect(JSON.parse(line.slice(SERVE_READY_MARKER.length + 1))).toEqual(ready);
  });
});
