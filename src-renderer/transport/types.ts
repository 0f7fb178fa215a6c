import type { SurgeApi } from '../../src-shared/contract/commands';

/**
 * `connecting` before the first successful connection, `open` while frames flow, `lost` after a
 * connection dropped (or never came up) and a reconnect is pending. `closed` once the app
 * disposed the transport.
 */
export type ConnectionState = 'connecting' | 'open' | 'lost' | 'closed';

export interface ConnectionSnapshot {
  state: ConnectionState;
  /** Reconnect attempts since the last open connection (0 while open). */
  attempt: number;
  /** When the next reconnect attempt starts (ms since epoch), while `lost`. */
  nextRetryAt: number | null;
  /** Commands waiting for the connection to come back. */
  queued: number;
}

export interface ConnectionMonitor {
  current(): ConnectionSnapshot;
  /** Called on every change; returns the unsubscribe function. */
  watch(listener: (snapshot: ConnectionSnapshot) => void): () => void;
}

/** A SurgeApi plus what the UI needs to know about the link itself. */
export interface Transport extends SurgeApi {
  readonly kind: 'preload' | 'websocket';
  readonly connection: ConnectionMonitor;
  close(): void;
}
