import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { RiskAlertDto } from '../../../src-shared/contract/schemas';

export interface AlertsState {
  /** Newest first, one entry per alert id. */
  items: RiskAlertDto[];
  loadError: string | null;
  load(): Promise<void>;
  applyAlerts(alerts: RiskAlertDto[]): void;
}

export type AlertsStore = StoreApi<AlertsState>;

export interface AlertsStoreOptions {
  maxAlerts: number;
}

function mergeAlerts(existing: readonly RiskAlertDto[], incoming: readonly RiskAlertDto[], maxAlerts: number): RiskAlertDto[] {
  const byId = new Map<string, RiskAlertDto>();
  for (const alert of existing) byId.set(alert.id, alert);
  for (const alert of incoming) byId.set(alert.id, alert);
  return [...byId.values()].sort((a, b) => b.ts - a.ts).slice(0, maxAlerts);
}

export function createAlertsStore(api: SurgeApi, options: AlertsStoreOptions): AlertsStore {
  return createStore<AlertsState>()((set, get) => ({
    items: [],
    loadError: null,
    async load() {
      const result = await api.invoke('alerts.list', { limit: Math.min(options.maxAlerts, 1_000) });
      if (result.ok) set({ items: mergeAlerts(get().items, result.value, options.maxAlerts), loadError: null });
      else set({ loadError: result.error.message });
    },
    applyAlerts(alerts) {
      set({ items: mergeAlerts(get().items, alerts, options.maxAlerts) });
    },
  }));
}
