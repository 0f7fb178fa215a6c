import { mkdirSync } from 'node:fs';
import { createKernel } from '../engine/kernel';
import { consoleSink, createLogger } from '../engine/ops/logger';
import type { EngineKernel } from '../engine/host';
import { resolveAppPaths } from './app-paths';
import { formatReadyLine, parseServeArgs, SERVE_USAGE } from './cli-args';
import { startServeHost, type ServeHost, type ServeLogger } from './server';

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

  const paths = resolveAppPaths(import.meta.url);
  mkdirSync(args.dataDir, { recursive: true });
  logger.info('starting engine', { dataDir: args.dataDir, root: paths.root });

  const kernel: EngineKernel = await createKernel({
    dataDir: args.dataDir,
    migrationsDir: paths.migrationsDir,
    resourcesDir: paths.resourcesDir,
  }, { firstRunDemo: true });
  let server: ServeHost | null = null;
  let stopping: Promise<void> | null = null;
  const shutdown = (signal: string): Promise<void> =>
    (stopping ??= (async () => {
      logger.info('shutting down', { signal });
      try {
        await server?.close();
        await kernel.stop();
      } catch (error) {
        logger.error('shutdown failed', { error: describe(error) });
        process.exit(1);
      }
      process.exit(0);
    })());
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await kernel.start();
  try {
    server = await startServeHost({
      host: kernel.host,
      port: args.port,
      staticDir: paths.staticDir,
      ...(args.token !== undefined ? { token: args.token } : {}),
      logger,
    });
  } catch (error) {
    await kernel.stop();
    throw isAddressInUse(error) ? new Error(`port ${args.port} on 127.0.0.1 is already in use; pick another with --port`) : error;
  }

  process.stdout.write(`Surge Workstation serve mode: open ${server.openUrl}\n`);
  process.stdout.write(`${formatReadyLine({ url: server.openUrl, port: server.port, token: server.token, pid: process.pid })}\n`);
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
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
