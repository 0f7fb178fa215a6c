import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { EventPayload, Topic } from '../../src-shared/contract/events';
import { defaultSettings, type Settings } from '../../src-shared/contract/settings';
import { validateStrategy } from '../../src-shared/strategy/schema';
import { WallClock } from '../engine/clock/clock';
import { loadInstrumentCatalog } from '../engine/data/instruments';
import { RecordingService } from '../engine/data/recording-service';
import { createLogger, formatRecord, type LogSink } from '../engine/ops/logger';
import type { ClosedTrade } from '../engine/session/backtest-report';
import { SessionService } from '../engine/session/session-service';
import { loadSettings } from '../engine/store/settings-file';
import { openStore, type Store } from '../engine/store/store';

/** Exit codes: 0 ok, 1 the backtest failed while running, 2 bad arguments, strategy or data file. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const USAGE = `usage: npm run backtest -- --data <recording id | csv path> --strategy <file>
                    [--instrument BTC/USDT:USDT] [--capital 10000] [--json] [--data-dir DIR]

  --data        a recording id (needs --data-dir) or a CSV file (README, "CSV formats");
                repeat it to record several files together (e.g. trades and a book ticker)
  --strategy    a five-section strategy JSON file
  --instrument  the instrument a CSV holds (default BTC/USDT:USDT)
  --capital     starting capital in USDT (default 10000)
  --json        print one JSON object on stdout instead of the report
  --data-dir    the app's data directory: recordings are read from it and the session is
                journalled in it; without it a CSV is imported into a temporary in-memory
                store and nothing is written anywhere
exit codes: 0 ok, 1 failure while running, 2 bad arguments, invalid strategy or data file`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Progress lines are rewritten in place on a terminal. */
  stderrIsTty?: boolean;
}

/** The one JSON object `--json` prints. */
export interface BacktestJson {
  strategy: string;
  strategyId: string;
  data: string[];
  recordingId: string;
  instrumentId: string;
  capital: string;
  fingerprint: string;
  trades: ClosedTrade[];
  tradeCount: number;
  netPnl: string;
  grossPnl: string;
  fees: string;
  winRate: number;
  maxDrawdown: string;
  maxDrawdownPercent: number;
  sharpe: number | null;
  profitFactor: number | null;
  ticks: number;
  elapsedMs: number;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Arguments {
  data: string[];
  strategy: string;
  instrument: string;
  capital: string;
  json: boolean;
  dataDir: string | null;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): Arguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        data: { type: 'string', multiple: true },
        strategy: { type: 'string' },
        instrument: { type: 'string', default: 'BTC/USDT:USDT' },
        capital: { type: 'string', default: '10000' },
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values;
  if (values.help === true) throw new UsageError('');
  const problems: string[] = [];
  if (values.data === undefined || values.data.length === 0) problems.push('--data is required');
  if (values.strategy === undefined) problems.push('--strategy is required');
  const capital = values.capital ?? '10000';
  if (!/^\d+(\.\d+)?$/.test(capital) || !/[1-9]/.test(capital)) problems.push(`--capital must be a positive decimal number, got "${capital}"`);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return {
    data: values.data!,
    strategy: values.strategy!,
    instrument: values.instrument ?? 'BTC/USDT:USDT',
    capital,
    json: values.json === true,
    dataDir: values['data-dir'] ?? null,
  };
}

const isFile = (file: string): boolean => {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * `npm run backtest`: the same path a backtest started from the app takes — RecordingService
 * imports the CSV, SessionService runs a ReplaySession with the paper venue — with the result
 * printed for a terminal or as one JSON object. Returns the exit code.
 */
export async function runBacktestCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: Arguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    const message = (error as Error).message;
    io.stderr(message === '' ? `${USAGE}\n` : `backtest: ${message}\n${USAGE}\n`);
    return message === '' ? EXIT_OK : EXIT_USAGE;
  }

  // the strategy first: a file that cannot load is refused before any data is touched
  let strategyJson: unknown;
  try {
    strategyJson = JSON.parse(readFileSync(args.strategy, 'utf8'));
  } catch (error) {
    io.stderr(`backtest: cannot read the strategy ${args.strategy}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  const strategy = validateStrategy(strategyJson);
  if (!strategy.ok) {
    const paths = strategy.error.paths ?? [];
    io.stderr(`backtest: the strategy ${args.strategy} is invalid (${paths.length} problem${paths.length === 1 ? '' : 's'}):\n`);
    for (const line of strategy.error.message.split('; ')) io.stderr(`  ${line}\n`);
    if (paths.length > 0) io.stderr(`failing paths: ${paths.join(', ')}\n`);
    return EXIT_USAGE;
  }

  const csvFiles = args.data.filter(isFile);
  if (csvFiles.length > 0 && csvFiles.length !== args.data.length) {
    io.stderr(`backtest: --data mixes files and recording ids (${args.data.filter((d) => !isFile(d)).join(', ')} is not a file)\n`);
    return EXIT_USAGE;
  }
  if (csvFiles.length === 0 && args.data.length > 1) {
    io.stderr('backtest: only one recording id may be given\n');
    return EXIT_USAGE;
  }
  if (csvFiles.length === 0 && args.dataDir === null) {
    io.stderr(`backtest: ${args.data[0]} is not a file; a recording id needs --data-dir (the folder holding surge.db)\n`);
    return EXIT_USAGE;
  }

  let settings: Settings = defaultSettings();
  // warnings and errors only, on stderr: stdout carries the report (or the JSON) alone
  const logSink: LogSink = {
    write: (record) => {
      if (record.level === 'warn' || record.level === 'error') io.stderr(`${formatRecord(record)}\n`);
    },
  };
  const logger = createLogger('cli/backtest', logSink);
  let store: Store;
  try {
    if (args.dataDir !== null) {
      mkdirSync(args.dataDir, { recursive: true });
      settings = loadSettings(path.join(args.dataDir, 'settings.json'));
    }
    store = openStore(args.dataDir === null ? ':memory:' : path.join(args.dataDir, 'surge.db'), {
      migrationsDir: path.join(repoRoot, 'migrations'),
      logger: logger.child('store'),
      tradeChunkSize: settings.store.tradeChunkSize,
      bookChunkSize: settings.store.bookChunkSize,
    });
  } catch (error) {
    io.stderr(`backtest: cannot open the data directory: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }

  const progress = progressPrinter(io);
  try {
    const instruments = loadInstrumentCatalog(path.join(repoRoot, 'resources'));
    const clock = new WallClock();
    const recordings = new RecordingService(store, instruments, logger.child('data/recordings'));
    let recordingId: string;
    if (csvFiles.length > 0) {
      io.stderr(`importing ${csvFiles.join(', ')} …\n`);
      const imported = await recordings.importCsv({ path: csvFiles[0]!, extraPaths: csvFiles.slice(1), instrumentId: args.instrument });
      if (!imported.ok) {
        io.stderr(`backtest: ${imported.error.message}\n`);
        return EXIT_USAGE;
      }
      recordingId = imported.value.id;
    } else {
      recordingId = args.data[0]!;
      if (store.recordings.get(recordingId) === null) {
        io.stderr(`backtest: no recording ${recordingId} in ${args.dataDir}\n`);
        return EXIT_USAGE;
      }
    }

    const publish = <T extends Topic>(topic: T, payload: EventPayload<T>): void => {
      if (topic === 'session_state') progress((payload as EventPayload<'session_state'>).progress ?? 0);
    };
    const sessions = new SessionService({
      store,
      clock,
      instruments,
      logger: logger.child('session'),
      publish,
      settings,
    });
    const started = clock.now();
    const session = sessions.start({ kind: 'backtest', recordingId, strategies: [strategyJson], speed: 0, capital: args.capital });
    if (!session.ok) {
      io.stderr(`backtest: ${session.error.message}\n`);
      return EXIT_USAGE;
    }
    await sessions.whenDone(session.value.id);
    progress(1, true);
    const result = sessions.result(session.value.id);
    if (result === undefined) {
      const failed = store.sessions.get(session.value.id);
      io.stderr(`backtest: the session failed: ${failed?.error ?? 'unknown error'}\n`);
      return EXIT_FAILURE;
    }
    const metrics = result.metrics;
    const output: BacktestJson = {
      strategy: strategy.value.strategy_name,
      strategyId: session.value.strategyIds[0] ?? '',
      data: args.data,
      recordingId,
      instrumentId: args.instrument,
      capital: args.capital,
      fingerprint: metrics.fingerprint,
      trades: result.trades,
      tradeCount: metrics.trades,
      netPnl: metrics.netPnl,
      grossPnl: metrics.grossPnl,
      fees: metrics.fees,
      winRate: metrics.winRate,
      maxDrawdown: metrics.maxDrawdown,
      maxDrawdownPercent: metrics.maxDrawdownPercent,
      sharpe: metrics.sharpe,
      profitFactor: metrics.profitFactor,
      ticks: result.ticks,
      elapsedMs: clock.now() - started,
    };
    io.stdout(args.json ? `${JSON.stringify(output)}\n` : formatReport(output));
    return EXIT_OK;
  } catch (error) {
    io.stderr(`backtest: failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    store.close();
  }
}

function progressPrinter(io: CliIo): (fraction: number, final?: boolean) => void {
  let shown = -1;
  return (fraction, final = false) => {
    const percent = Math.floor(fraction * 100);
    if (io.stderrIsTty === true) {
      if (percent !== shown) io.stderr(`\rbacktest ${String(percent).padStart(3)}%${final ? '\n' : ''}`);
    } else if ((final && percent !== shown) || percent >= shown + 10) {
      io.stderr(`backtest ${percent}%\n`);
    } else return;
    shown = percent;
  };
}

const iso = (ts: number): string => new Date(ts).toISOString().replace('T', ' ').replace('Z', '');
const fixed = (value: number | null, digits: number): string => (value === null ? 'n/a' : value.toFixed(digits));

/** The human-readable report: one line per closed trade, then the summary. */
export function formatReport(result: BacktestJson): string {
  const lines: string[] = [];
  lines.push(`${result.strategy} on ${result.data.join(', ')} (${result.instrumentId}), capital ${result.capital} USDT, ${result.ticks} ticks in ${result.elapsedMs} ms`);
  lines.push('');
  if (result.trades.length === 0) lines.push('no closed trades');
  else {
    lines.push(['#', 'direction', 'entry time', 'entry', 'exit time', 'exit', 'contracts', 'net PnL', 'exit reason'].join('\t'));
    result.trades.forEach((t, i) => {
      lines.push([i + 1, t.direction, iso(t.entryTs), t.entryPrice, iso(t.exitTs), t.exitPrice, t.quantity, t.netPnl, t.exitReason].join('\t'));
    });
  }
  lines.push('');
  lines.push(`trades         ${result.tradeCount}`);
  lines.push(`net PnL        ${result.netPnl} USDT (gross ${result.grossPnl}, fees ${result.fees})`);
  lines.push(`win rate       ${(result.winRate * 100).toFixed(1)} %`);
  lines.push(`max drawdown   ${result.maxDrawdown} USDT (${result.maxDrawdownPercent.toFixed(3)} %)`);
  lines.push(`Sharpe         ${fixed(result.sharpe, 3)} (per trade, not annualised)`);
  lines.push(`profit factor  ${fixed(result.profitFactor, 3)}`);
  lines.push(`fingerprint    ${result.fingerprint}`);
  return `${lines.join('\n')}\n`;
}
