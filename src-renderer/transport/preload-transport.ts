import type { SurgeApi } from '../../src-shared/contract/commands';
import type { ConnectionSnapshot, Transport } from './types';

const ALWAYS_OPEN: ConnectionSnapshot = { state: 'open', attempt: 0, nextRetryAt: null, queued: 0 };

/** In Electron the preload's IPC bridge lives as long as the window: the link is always open. */
export function preloadTransport(api: SurgeApi): Transport {
  return {
    kind: 'preload',
    invoke: (name, request) => api.invoke(name, request),
    subscribe: (listener) => api.subscribe(listener),
    connection: { current: () => ALWAYS_OPEN, watch: () => () => undefined },
    close: () => undefined,
  };
}
