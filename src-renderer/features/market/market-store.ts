import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { MarketData } from '../../../src-shared/contract/schemas';
import type { InstrumentDto } from '../../../src-shared/contract/ui-commands';

export interface LastTrade {
  price: number;
  side: 'buy' | 'sell';
  ts: number;
}

/** Replays of one instrument are separate markets: the key is the session (none for a live feed) and the instrument. */
export const marketKey = (sessionId: string | null | undefined, instrumentId: string): string => `${sessionId ?? ''}|${instrumentId}`;

export interface MarketState {
  /** By marketKey. */
  lastTrade: Record<string, LastTrade>;
  /** Instrument specifications by id (contract size for valuing positions). */
  instruments: Record<string, InstrumentDto>;
  loadInstruments(): Promise<void>;
  /** Applies one frame's worth of market data in a single store update. */
  applyMarketData(batch: MarketData[]): void;
}

export type MarketStore = StoreApi<MarketState>;

export function createMarketStore(api?: SurgeApi): MarketStore {
  return createStore<MarketState>()((set, get) => ({
    lastTrade: {},
    instruments: {},
    async loadInstruments() {
      const result = await api?.invoke('instruments.list', {});
      if (result?.ok === true) set({ instruments: Object.fromEntries(result.value.map((instrument) => [instrument.id, instrument])) });
    },
    applyMarketData(batch) {
      let next: Record<string, LastTrade> | null = null;
      for (const data of batch) {
        if (data.kind !== 'trade') continue;
        const key = marketKey(data.sessionId, data.instrumentId);
        const current = (next ?? get().lastTrade)[key];
        if (current !== undefined && current.ts > data.ts) continue;
        next ??= { ...get().lastTrade };
        next[key] = { price: data.price, side: data.side, ts: data.ts };
      }
      if (next !== null) set({ lastTrade: next });
    },
  }));
}
