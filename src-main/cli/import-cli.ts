import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadInstrumentCatalog } from '../engine/data/instruments';
import { RecordingService } from '../engine/data/recording-service';
import { createLogger, formatRecord } from '../engine/ops/logger';
import { loadSettings } from '../engine/store/settings-file';
import { openStore } from '../engine/store/store';
import { defaultDataDir } from '../serve/app-paths';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliIo } from './backtest-cli';

export const IMPORT_USAGE = `usage: npm run import -- <csv file> [more csv files] --instrument BTC/USDT:USDT
                  [--name NAME] [--snapshot FILE] [--book-levels 20] [--data-dir DIR]

  Records the files (README, "CSV formats") into ONE new recording of the app's data directory
  (default: $SURGE_DATA_DIR, else the desktop app's folder) and prints its id. A bad row refuses
  the whole import with its line number; nothing is kept and other recordings are untouched.
  --snapshot     the depth snapshot of a depth-updates file (found beside it when omitted)
  --book-levels  levels per side kept from depth files (default 20)
exit codes: 0 ok, 1 failure while running, 2 bad arguments or data file`;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `npm run import`: CSV files → one recording in the data directory. Returns the exit code. */
export async function runImportCli(argv: readonly string[], io: CliIo): Promise<number> {
  let values;
  let files: string[];
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: {
        instrument: { type: 'string' },
        name: { type: 'string' },
        snapshot: { type: 'string' },
        'book-levels': { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
    values = parsed.values;
    files = parsed.positionals;
    if (values.help === true) {
      io.stderr(`${IMPORT_USAGE}\n`);
      return EXIT_OK;
    }
    if (files.length === 0) throw new Error('name at least one CSV file');
    if (values.instrument === undefined) throw new Error('--instrument is required (e.g. BTC/USDT:USDT)');
    if (values['book-levels'] !== undefined && !/^[1-9]\d{0,3}$/.test(values['book-levels'])) throw new Error('--book-levels must be a whole number from 1 to 9999');
  } catch (error) {
    io.stderr(`import: ${(error as Error).message}\n${IMPORT_USAGE}\n`);
    return EXIT_USAGE;
  }
  const dataDir = values['data-dir'] !== undefined ? path.resolve(values['data-dir']) : defaultDataDir();
  const logger = createLogger('cli/import', {
    write: (record) => {
      if (record.level !== 'debug') io.stderr(`${formatRecord(record)}\n`);
    },
  });
  mkdirSync(dataDir, { recursive: true });
  const settings = loadSettings(path.join(dataDir, 'settings.json'));
  const store = openStore(path.join(dataDir, 'surge.db'), {
    migrationsDir: path.join(repoRoot, 'migrations'),
    logger: logger.child('store'),
    tradeChunkSize: settings.store.tradeChunkSize,
    bookChunkSize: settings.store.bookChunkSize,
  });
  try {
    const service = new RecordingService(store, loadInstrumentCatalog(path.join(repoRoot, 'resources')), logger.child('data/recordings'));
    const result = await service.importCsv({
      path: files[0]!,
      extraPaths: files.slice(1),
      instrumentId: values.instrument,
      name: values.name,
      snapshotPath: values.snapshot,
      bookLevels: values['book-levels'] !== undefined ? Number(values['book-levels']) : undefined,
    });
    if (!result.ok) {
      io.stderr(`import: ${result.error.message}\n`);
      return EXIT_USAGE;
    }
    const r = result.value;
    io.stdout(`${r.id}\n`);
    io.stderr(`recorded ${r.tradeCount} trades and ${r.bookCount} book updates of ${r.instruments.join(', ')} in ${dataDir}\n`);
    return EXIT_OK;
  } catch (error) {
    io.stderr(`import: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  } finally {
    store.close();
  }
}
