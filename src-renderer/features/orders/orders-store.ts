import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { FillDto, OrderDto } from '../../../src-shared/contract/schemas';

export interface OrdersState {
  byId: Record<string, OrderDto>;
  /** Fills seen through order_filled events, newest last, per client order id. */
  fillsByOrder: Record<string, FillDto[]>;
  loadError: string | null;
  load(sessionId: string | null): Promise<void>;
  applyOrders(orders: OrderDto[], fills: FillDto[]): void;
}

export type OrdersStore = StoreApi<OrdersState>;

export interface OrdersStoreOptions {
  loadLimit: number;
}

function mergeOrders(existing: Record<string, OrderDto>, incoming: readonly OrderDto[]): Record<string, OrderDto> {
  const next = { ...existing };
  for (const order of incoming) {
    const current = next[order.clientOrderId];
    // order_created / order_filled / order_cancelled are separate topics and may interleave.
    if (current === undefined || order.updatedAt >= current.updatedAt) next[order.clientOrderId] = order;
  }
  return next;
}

export function createOrdersStore(api: SurgeApi, options: OrdersStoreOptions): OrdersStore {
  return createStore<OrdersState>()((set, get) => ({
    byId: {},
    fillsByOrder: {},
    loadError: null,
    async load(sessionId) {
      const result = await api.invoke('orders.list', sessionId === null ? { limit: options.loadLimit } : { sessionId, limit: options.loadLimit });
      if (result.ok) set({ byId: mergeOrders(get().byId, result.value), loadError: null });
      else set({ loadError: result.error.message });
    },
    applyOrders(orders, fills) {
      const fillsByOrder = { ...get().fillsByOrder };
      for (const fill of fills) {
        const known = fillsByOrder[fill.clientOrderId] ?? [];
        if (!known.some((existing) => existing.fillId === fill.fillId)) fillsByOrder[fill.clientOrderId] = [...known, fill];
      }
      set({ byId: mergeOrders(get().byId, orders), fillsByOrder });
    },
  }));
}
