import { mkdirSync } from 'node:fs';
import type { EngineKernel } from '../engine/host';
import { createKernel, type KernelDependencies } from '../engine/kernel';
import type { AppPaths } from './app-paths';
import { startServeHost, type ServeHost, type ServeLogger } from './server';

export interface CreateServeOptions {
  dataDir: string;
  /** 0 picks a free port on 127.0.0.1. */
  port: number;
  /** Absent: a fresh random token per run. */
  token?: string;
  paths: AppPaths;
  logger: ServeLogger;
  /**
   * What the kernel is built with beyond serve mode's own choices. `npm run serve` passes none
   * (OS keychain, the real exchange); a test passes the simulator's stream and venue here.
   */
  dependencies?: Omit<KernelDependencies, 'firstRunDemo'>;
}

export interface Serve {
  readonly kernel: EngineKernel;
  /** Starts the engine (live sessions resume here), then the HTTP/WebSocket host. */
  start(): Promise<ServeHost>;
  /** Closes the host, then stops the engine; safe to call before or during start(). */
  stop(): Promise<void>;
}

/**
 * Serve mode's engine and host, built the same way whoever runs them: `npm run serve`
 * (main.ts) and the crash-recovery test's child process. The kernel exists once this resolves,
 * so the caller can install its signal handlers before the engine starts.
 */
export async function createServe(options: CreateServeOptions): Promise<Serve> {
  const { dataDir, paths, logger } = options;
  mkdirSync(dataDir, { recursive: true });
  logger.info('starting engine', { dataDir, root: paths.root });
  const kernel = await createKernel({
    dataDir,
    migrationsDir: paths.migrationsDir,
    resourcesDir: paths.resourcesDir,
  }, { ...options.dependencies, firstRunDemo: true });
  let server: ServeHost | null = null;

  return {
    kernel,
    async start() {
      await kernel.start();
      try {
        server = await startServeHost({
          host: kernel.host,
          port: options.port,
          staticDir: paths.staticDir,
          ...(options.token !== undefined ? { token: options.token } : {}),
          logger,
        });
      } catch (error) {
        await kernel.stop();
        throw isAddressInUse(error) ? new Error(`port ${options.port} on 127.0.0.1 is already in use; pick another with --port`) : error;
      }
      return server;
    },
    async stop() {
      await server?.close();
      await kernel.stop();
    },
  };
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}
