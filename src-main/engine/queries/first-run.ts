import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CommandRequest } from '../../../src-shared/contract/commands';
import type { Result } from '../../../src-shared/contract/result';
import type { RecordingDto, SessionDto } from '../../../src-shared/contract/schemas';
import type { Logger } from '../ops/logger';
import type { Store } from '../store/store';

/** The bundled demo data: real Binance USD-M BTCUSDT trades (see resources/demo/README.md). */
export const DEMO_TRADES_FILE = path.join('demo', 'btcusdt-trades-demo.csv');
export const DEMO_INSTRUMENT = 'BTC/USDT:USDT';
export const DEMO_RECORDING_NAME = 'Demo · BTCUSDT perpetual trades (Binance, 2024-08-08)';
/**
 * Two example strategies that both fire on the demo data, a short one within its first two
 * minutes (so signals show within seconds at the demo speed) and a long one later.
 */
export const DEMO_STRATEGY_FILES: readonly string[] = ['dump-short.json', 'pump-long.json'];

export interface FirstRunDemoOptions {
  enabled: boolean;
  /** Replay speed, N× real time. */
  speed: number;
  capital: string;
  resourcesDir: string;
  store: Store;
  examples: ReadonlyArray<{ file: string; definition: unknown }>;
  importCsv: (request: { path: string; instrumentId: string; name?: string }) => Promise<Result<RecordingDto>>;
  startSession: (request: CommandRequest<'sessions.start'>) => Result<SessionDto>;
  logger: Logger;
}

export type FirstRunOutcome =
  | { started: true; recording: RecordingDto; session: SessionDto }
  | { started: false; reason: string };

/**
 * First run without network or keys: when the store holds no recording and no session, the
 * bundled demo trades are imported and replayed as an offline paper session, so the trader sees
 * candles and signals within seconds. Never touches a store that has been used; settings
 * `firstRun.demo: false` turns it off.
 */
export async function startFirstRunDemo(options: FirstRunDemoOptions): Promise<FirstRunOutcome> {
  const { store, logger } = options;
  if (!options.enabled) return { started: false, reason: 'turned off in settings (firstRun.demo)' };
  if (store.recordings.list().length > 0 || store.sessions.list({ limit: 1 }).length > 0) return { started: false, reason: 'the store is already in use' };
  const file = path.join(options.resourcesDir, DEMO_TRADES_FILE);
  if (!existsSync(file)) return { started: false, reason: `no demo data at ${file}` };
  const strategies = DEMO_STRATEGY_FILES.map((name) => options.examples.find((example) => example.file === name)?.definition).filter((definition) => definition !== undefined);
  if (strategies.length === 0) return { started: false, reason: `none of the demo strategies (${DEMO_STRATEGY_FILES.join(', ')}) is bundled` };

  const imported = await options.importCsv({ path: file, instrumentId: DEMO_INSTRUMENT, name: DEMO_RECORDING_NAME });
  if (!imported.ok) {
    logger.warn('demo data could not be imported', { error: imported.error.message });
    return { started: false, reason: imported.error.message };
  }
  const started = options.startSession({ kind: 'paper', recordingId: imported.value.id, strategies, speed: options.speed, capital: options.capital });
  if (!started.ok) {
    logger.warn('demo session could not be started', { error: started.error.message });
    return { started: false, reason: started.error.message };
  }
  logger.info('first run: started an offline paper session on the demo data', { sessionId: started.value.id, speed: options.speed });
  return { started: true, recording: imported.value, session: started.value };
}
