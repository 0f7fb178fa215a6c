import type { EventEnvelope } from '../../src-shared/contract/events';
import type { Result } from '../../src-shared/contract/result';
import type { HealthReport } from '../../src-shared/contract/schemas';
import type { LogSink } from './ops/logger';

/**
 * What a host (Electron main process or serve mode) needs from the engine. Requests arrive
 * untrusted (`unknown`); the engine parses them with the contract before anything acts.
 */
export interface EngineHost {
  invoke(name: string, request: unknown): Promise<Result<unknown>>;
  /** Pushed events, already coalesced for the UI (high-rate topics at most once per frame per key). */
  subscribeEvents(listener: (envelope: EventEnvelope) => void): () => void;
  health(level: 'live' | 'ready' | 'deep'): Promise<HealthReport>;
  /** Prometheus text exposition of the engine's registry. */
  metrics(): Promise<{ contentType: string; body: string }>;
  /**
   * An Alertmanager webhook notification (payload version 4), untrusted: the engine parses it
   * and turns each new firing alert into a `risk_alert`. The host has already checked the
   * caller's token; a payload that does not parse is refused with a `validation` error and
   * changes nothing.
   */
  ingestAlertmanagerWebhook(payload: unknown): Promise<Result<{ accepted: number; raised: number; resolved: number }>>;
}

export interface KernelOptions {
  /** Where the database, settings file and logs live. */
  dataDir: string;
  /** The repo's migrations/ folder (bundled builds pass the copied location). */
  migrationsDir: string;
  /** The repo's resources/ folder (example strategies, instruments, demo dataset). */
  resourcesDir: string;
  /** Where engine log records go (the Electron shell plugs electron-log in); defaults to stderr. */
  logSink?: LogSink;
}

export interface EngineKernel {
  readonly host: EngineHost;
  start(): Promise<void>;
  /** Releases every timer, socket and subscription. */
  stop(): Promise<void>;
}
