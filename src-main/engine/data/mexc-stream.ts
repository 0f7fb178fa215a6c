import ccxt from 'ccxt';
import type { StreamingExchange } from './live-feed';

export interface MexcStreamOptions {
  /** Overrides for tests (the MEXC simulator); production uses ccxt's defaults. */
  urls?: object;
  /** ccxt.pro's reconnect backoff; its default (~1 s, then 2 s, …) would miss the 2 s reconnect target. */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  timeoutMs?: number;
}

/** A public ccxt.pro MEXC client for USDT-M perpetuals (no keys: market data only). */
export async function createMexcStream(options: MexcStreamOptions = {}): Promise<StreamingExchange> {
  const exchange = new ccxt.pro.mexc({
    ...(options.urls !== undefined ? { urls: options.urls } : {}),
    enableRateLimit: options.urls === undefined, // ccxt's wall-clock throttle only against the real exchange
    timeout: options.timeoutMs ?? 10_000,
    options: {
      defaultType: 'swap',
      fetchMarkets: { types: ['swap'] },
      ws: { backoff: { base: options.reconnectBaseMs ?? 200, max: options.reconnectMaxMs ?? 1_500 } },
      watchOrderBook: { snapshotDelay: 2 },
    },
  });
  // plain ws:// URLs (the simulator) need ccxt's http agent loaded first
  if (options.urls !== undefined) await exchange.loadHttpProxyAgent();
  return exchange as unknown as StreamingExchange;
}
