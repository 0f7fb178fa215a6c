import { consoleSink, createLogger } from '../engine/ops/logger';
import { resolveAppPaths } from './app-paths';
import { formatReadyLine, parseServeArgs, SERVE_USAGE } from './cli-args';
import type { ServeLogger } from './server';
import { createServe } from './start-serve';

/**
 * `npm run serve`: the engine in a plain Node process, its contract on a loopback WebSocket.
 * stdout carries exactly two lines for people and scripts; logs go to stderr.
 */

const logger: ServeLogger = createLogger('serve', consoleSink());

async function main(): Promise<void> {
  const parsed = parseServeArgs(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`${parsed.error.message}\n\n${SERVE_USAGE}\n`);
    process.exit(2);
  }
  const args = parsed.value;
  if (args.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return;
  }

  const serve = await createServe({
    dataDir: args.dataDir,
    port: args.port,
    ...(args.token !== undefined ? { token: args.token } : {}),
    paths: resolveAppPaths(import.meta.url),
    logger,
  });
  let stopping: Promise<void> | null = null;
  const shutdown = (signal: string): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('shutting down', { signal });
      try {
        await serve.stop();
      } catch (error) {
        logger.error('shutdown failed', { error: describe(error) });
        process.exit(1);
      }
      process.exit(0);
    })());
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const server = await serve.start();
  process.stdout.write(`Surge Workstation serve mode: open ${server.openUrl}\n`);
  process.stdout.write(`${formatReadyLine({ url: server.openUrl, port: server.port, token: server.token, pid: process.pid })}\n`);
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

process.on('unhandledRejection', (reason) => {
  logger.error('unhandled rejection', { error: describe(reason) });
  process.exit(1);
});

main().catch((error: unknown) => {
  logger.error('serve mode failed to start', { error: describe(error) });
  process.exit(1);
});
