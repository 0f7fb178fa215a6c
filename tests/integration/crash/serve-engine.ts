import { createMexcStream } from '../../../src-main/engine/data/mexc-stream';
import { consoleSink, createLogger } from '../../../src-main/engine/ops/logger';
import { CcxtVenue } from '../../../src-main/engine/venues/ccxt-venue';
import { appPathsFromRoot } from '../../../src-main/serve/app-paths';
import { formatReadyLine } from '../../../src-main/serve/cli-args';
import { createServe } from '../../../src-main/serve/start-serve';
import type { CcxtMexcUrls } from '../../mexc-sim';
import { MemorySecretStore } from '../../fixtures/memory-secret-store';
import { repoRoot } from '../../fixtures/paths';

/**
 * Serve mode for the crash-recovery test, run as a child process (`node --import tsx`): the
 * same engine and host as `npm run serve` (createServe), with only the outside world swapped —
 * the MEXC simulator's URLs for the market stream and the exchange venue, and an in-memory
 * keychain seeded with the simulator's keys. Everything arrives through this process's
 * environment, set by the test alone:
 *   SURGE_CRASH_DATA_DIR  the data directory (kept across the kill and the restart)
 *   SURGE_CRASH_SIM       JSON { urls, apiKey, apiSecret }
 * Prints serve mode's READY line on stdout; logs go to stderr.
 */

interface SimulatorAccess {
  urls: CcxtMexcUrls;
  apiKey: string;
  apiSecret: string;
}

const logger = createLogger('serve', consoleSink());

async function main(): Promise<void> {
  const dataDir = required('SURGE_CRASH_DATA_DIR');
  const sim = JSON.parse(required('SURGE_CRASH_SIM')) as SimulatorAccess;
  const secretStore = new MemorySecretStore();
  const urls = sim.urls;
  const serve = await createServe({
    dataDir,
    port: 0,
    paths: appPathsFromRoot(repoRoot),
    logger,
    dependencies: {
      secretStore,
      openMarketStream: () => createMexcStream({ urls }),
      openExchangeVenue: (keys, { clock, settings, logger: venueLogger }) => new CcxtVenue({
        exchangeId: 'mexc', credentials: { apiKey: keys.apiKey, secret: keys.apiSecret }, urls, clock, logger: venueLogger,
        rateLimitPerSecond: settings.rateLimits.venueRequestsPerSecond, timeoutMs: 2_000,
      }),
    },
  });
  // the keys are in the keychain before the engine starts, as they would be after any earlier run:
  // resuming a live session reads them during start()
  const stored = await serve.kernel.host.invoke('credentials.set', { exchange: 'mexc', apiKey: sim.apiKey, apiSecret: sim.apiSecret });
  if (!stored.ok) throw new Error(stored.error.message);
  const stop = (): void => {
    serve.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const server = await serve.start();
  process.stdout.write(`${formatReadyLine({ url: server.openUrl, port: server.port, token: server.token, pid: process.pid })}\n`);
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

main().catch((error: unknown) => {
  logger.error('crash-test engine failed to start', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
