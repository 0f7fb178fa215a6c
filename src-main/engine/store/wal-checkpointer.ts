import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../ops/logger';

/**
 * Checkpoints the WAL of a database file from a worker thread, on the worker's own connection.
 *
 * A checkpoint copies the WAL back into the database file and fsyncs both: tens of
 * milliseconds once a busy journal has written a few thousand pages. Run on the engine thread it
 * stalls whatever order is in flight; run here it overlaps with the engine's work. It is
 * PASSIVE: it never takes the write lock, so the engine's commits never wait for it, and a
 * checkpoint that cannot finish (the engine keeps writing) is simply completed by the next one.
 * Durability does not depend on it: every commit is in the WAL before the engine acts on it.
 *
 * The worker starts on the first request. If it cannot start or run (a driver that cannot load
 * on a worker thread, say), `request()` answers false from then on and the caller checkpoints on
 * its own thread instead.
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private failed = false;
  private closed = false;
  private busy = false;
  private completed = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly filename: string,
    private readonly logger?: Logger,
  ) {}

  /**
   * Asks for a checkpoint; returns at once. True when the worker takes it (or is already
   * running one, which covers this request); false when the caller must checkpoint itself.
   */
  request(): boolean {
    if (this.failed || this.closed) return false;
    const worker = this.worker ?? this.start();
    if (worker === null) return false;
    if (this.busy) return true;
    this.busy = true;
    worker.postMessage('checkpoint');
    return true;
  }

  /** Checkpoints the worker has completed (for tests and benchmarks). */
  get completedCount(): number {
    return this.completed;
  }

  /** False once the worker failed: checkpoints are the caller's again. */
  get available(): boolean {
    return !this.failed && !this.closed;
  }

  /** Resolves once the worker is idle (a checkpoint in progress finished, or the worker failed); for tests. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Lets the worker close its connection and end; it never keeps the process alive. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker?.postMessage('close');
  }

  private start(): Worker | null {
    try {
      // the worker loads the same driver the engine uses, from wherever this build resolves it
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, filename: this.filename } });
      worker.unref();
      worker.on('message', (message: WorkerMessage) => {
        if (message.error !== null) {
          // a checkpoint that failed loses nothing (the WAL still holds every commit); the next request retries
          this.logger?.warn('WAL checkpoint on the worker failed', { error: message.error });
        } else {
          this.completed++;
        }
        this.setIdle();
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`the checkpoint worker exited with code ${code}`));
        else this.setIdle();
      });
      this.worker = worker;
      return worker;
    } catch (error) {
      this.fail(error);
      return null;
    }
  }

  private setIdle(): void {
    this.busy = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.setIdle();
    this.logger?.warn('WAL checkpoints run on the engine thread: the checkpoint worker is unavailable', {
      error: error instanceof Error ? error.message : String(error),
    });
    void this.worker?.terminate();
    this.worker = null;
  }
}

interface WorkerMessage {
  error: string | null;
}

// CommonJS, evaluated as the worker's script (no file to ship next to the bundles)
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// On Linux a priority set for "process 0" applies to the calling thread only: this worker yields
// the CPU to the engine thread. (Elsewhere it would apply to the whole app, so it is not done.)
if (process.platform === 'linux') {
  try {
    require('node:os').setPriority(10);
  } catch {
    // not allowed here: run at normal priority
  }
}
const Database = require(workerData.driver);
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ error: null });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
`;
