import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { BTC_TRADES, repoRoot, resourcesDir, sharedData } from '../../tests/fixtures/paths';
import { EXIT_OK, EXIT_USAGE, runBacktestCli, type BacktestJson } from './backtest-cli';
import { runImportCli } from './import-cli';

const strategyFile = (name: string): string => path.join(resourcesDir, 'strategies', `${name}.json`);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'surge-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runBacktestCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function backtestJson(args: string[]): Promise<BacktestJson> {
  const run = await cli([...args, '--json']);
  expect(run.code, run.stderr).toBe(EXIT_OK);
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout) as BacktestJson;
}

describe('npm run backtest', () => {
  test.each(['pump-long', 'dump-short', 'momentum-both'])('the example %s backtests on the real BTCUSDT trades with trades and a stable fingerprint', async (name) => {
    const first = await backtestJson(['--data', BTC_TRADES, '--strategy', strategyFile(name)]);
    const second = await backtestJson(['--data', BTC_TRADES, '--strategy', strategyFile(name)]);
    expect(first.tradeCount).toBeGreaterThan(0);
    expect(first.trades).toHaveLength(first.tradeCount);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(second.trades).toEqual(first.trades);
    expect(first.ticks).toBe(21_313);
  });

  test('--json prints one object with the fields a script needs', async () => {
    const result = await backtestJson(['--data', BTC_TRADES, '--strategy', strategyFile('dump-short'), '--capital', '2500', '--instrument', 'BTC/USDT:USDT']);
    for (const key of ['fingerprint', 'trades', 'netPnl', 'winRate', 'maxDrawdown', 'sharpe', 'profitFactor', 'ticks'] as const) expect(result).toHaveProperty(key);
    expect(result.capital).toBe('2500');
    expect(typeof result.winRate).toBe('number');
    expect(result.trades[0]).toMatchObject({ instrumentId: 'BTC/USDT:USDT', direction: 'SHORT' });
  });

  test('without --json it prints the trades and the summary for a person, progress going to stderr', async () => {
    const run = await cli(['--data', BTC_TRADES, '--strategy', strategyFile('dump-short')]);
    expect(run.code).toBe(EXIT_OK);
    for (const label of ['net PnL', 'win rate', 'max drawdown', 'Sharpe', 'profit factor', 'fingerprint']) expect(run.stdout).toContain(label);
    expect(run.stderr).toMatch(/backtest 100%/);
    expect(run.stdout).not.toMatch(/backtest \d+%/);
  });

  test('an invalid strategy exits 2 and names every failing JSON path', async () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ strategy_name: 'Bad', direction: 'UP', enabled: true, global_limits: {}, s1_signal: { conditions: [{ id: 'a', indicatorId: 'NOPE', operator: '>', value: 1 }] } }));
    const run = await cli(['--data', BTC_TRADES, '--strategy', bad, '--json']);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stdout).toBe('');
    for (const failing of ['direction', 's1_signal.conditions[0].indicatorId', 'o1_cancel', 'z1_entry', 'ze1_close', 'emergency_exit']) expect(run.stderr).toContain(failing);
  });

  test('bad arguments exit 2 with the usage', async () => {
    for (const args of [[], ['--strategy', strategyFile('pump-long')], ['--data', BTC_TRADES, '--strategy', strategyFile('pump-long'), '--capital', '-5'], ['--data', 'no-such-recording', '--strategy', strategyFile('pump-long')], ['--bogus']]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(EXIT_USAGE);
      expect(run.stderr.length).toBeGreaterThan(0);
    }
  });

  test('a CSV with a bad row exits 2 with the line number', async () => {
    const bad = path.join(tmp, 'bad.csv');
    writeFileSync(bad, 'ts,price,quantity,side\n1,100,1,buy\n2,0,1,buy\n');
    const run = await cli(['--data', bad, '--strategy', strategyFile('pump-long')]);
    expect(run.code).toBe(EXIT_USAGE);
    expect(run.stderr).toMatch(/line 3/);
  });

  test('a recording id is read from --data-dir, and gives the same fingerprint as the CSV it was imported from', async () => {
    const dataDir = path.join(tmp, 'data');
    let id = '';
    const code = await runImportCli([BTC_TRADES, '--instrument', 'BTC/USDT:USDT', '--data-dir', dataDir], { stdout: (t) => (id += t), stderr: () => undefined });
    expect(code).toBe(EXIT_OK);
    const fromRecording = await backtestJson(['--data', id.trim(), '--data-dir', dataDir, '--strategy', strategyFile('momentum-both')]);
    const fromCsv = await backtestJson(['--data', BTC_TRADES, '--strategy', strategyFile('momentum-both')]);
    expect(fromRecording.fingerprint).toBe(fromCsv.fingerprint);
  });

  test('without --data-dir a CSV backtest writes nothing to disk', async () => {
    const before = readdirSync(tmp).sort();
    await backtestJson(['--data', sharedData('candles', 'bybit-spot-btcusdt-1m-20221213.csv'), '--strategy', strategyFile('pump-long')]);
    expect(readdirSync(tmp).sort()).toEqual(before);
  });

  test('the real entry point runs as a process: exit 0 and one JSON line on stdout', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src-main', 'cli', 'backtest.ts'), '--data', BTC_TRADES, '--strategy', strategyFile('pump-long'), '--json'], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const parsed = JSON.parse(run.stdout) as BacktestJson;
    expect(parsed.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const invalid = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src-main', 'cli', 'backtest.ts'), '--data', BTC_TRADES], { cwd: repoRoot, encoding: 'utf8' });
    expect(invalid.status).toBe(2);
  });
});
