import { createStore, type StoreApi } from 'zustand/vanilla';
import type { MarketData } from '../../../src-shared/contract/schemas';

export interface LastTrade {
  price: number;
  side: 'buy' | 'sell';
  ts: number;
}

export interface MarketState {
  lastTrade: Record<string, LastTrade>;
  /** Applies one frame's worth of market data in a single store update. */
  applyMarketData(batch: MarketData[]): void;
}

export type MarketStore = StoreApi<MarketState>;

export function createMarketStore(): MarketStore {
  return createStore<MarketState>()((set, get) => ({
    lastTrade: {},
    applyMarketData(batch) {
      let next: Record<string, LastTrade> | null = null;
      for (const data of batch) {
        if (data.kind !== 'trade') continue;
        const current = (next ?? get().lastTrade)[data.instrumentId];
        if (current !== undefined && current.ts > data.ts) continue;
        next ??= { ...get().lastTrade };
        next[data.instrumentId] = { price: data.price, side: data.side, ts: data.ts };
      }
      if (next !== null) set({ lastTrade: next });
    },
  }));
}
