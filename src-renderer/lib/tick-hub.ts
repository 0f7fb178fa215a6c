import type { MarketData } from '../../src-shared/contract/schemas';

export type TickListener = (data: MarketData, publishedAt: number | undefined) => void;

/**
 * Market data as it arrives, before the per-frame store update: the chart draws the forming
 * candle straight from here (lightweight-charts itself paints at most once per frame), so a tick
 * is on screen one frame after it arrived rather than two.
 */
export interface TickHub {
  publish(data: MarketData, publishedAt: number | undefined): void;
  subscribe(listener: TickListener): () => void;
}

export function createTickHub(): TickHub {
  const listeners = new Set<TickListener>();
  return {
    publish(data, publishedAt) {
      for (const listener of listeners) listener(data, publishedAt);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
