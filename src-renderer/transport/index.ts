import type { SurgeApi } from '../../src-shared/contract/commands';
import { preloadTransport } from './preload-transport';
import { serveSocketUrl, takeServeToken } from './token';
import type { Transport } from './types';
import { browserSocketFactory, WebSocketTransport, type WebSocketTransportOptions } from './websocket-transport';

export type { ConnectionMonitor, ConnectionSnapshot, ConnectionState, Transport } from './types';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in a browser tab (serve mode). */
    surge?: SurgeApi;
  }
}

/** Thrown when the page was opened without the serve token; the UI shows how to get in. */
export class MissingTokenError extends Error {
  override name = 'MissingTokenError';
}

/**
 * Picks the host's link to the engine: the preload bridge when present, otherwise serve mode's
 * WebSocket on the page's own host. The only place in the renderer that knows hosts differ.
 */
export function createTransport(options: Pick<WebSocketTransportOptions, 'onProtocolError'> = {}): Transport {
  if (window.surge !== undefined) return preloadTransport(window.surge);
  const token = takeServeToken({ location: window.location, history: window.history, storage: window.sessionStorage });
  if (token === null) throw new MissingTokenError('This page needs the access token printed by serve mode: open the full URL it printed (…/?token=…).');
  return new WebSocketTransport({ url: serveSocketUrl(window.location.href, token), createSocket: browserSocketFactory, ...options });
}
