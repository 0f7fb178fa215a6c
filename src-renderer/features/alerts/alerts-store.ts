import { createStore, type StoreApi } from 'zustand/vanilla';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import type { RiskAlertDto, Severity } from '../../../src-shared/contract/schemas';
import type { AlertRecordDto } from '../../../src-shared/contract/ui-commands';

export type SeverityName = (typeof Severity.options)[number];

/** A new alert that should be heard: set when one arrives as an event, never for a list load. */
export interface SoundRequest {
  alertId: string;
  severity: SeverityName;
  /** Bumped per request, so the same alert id twice still plays twice. */
  seq: number;
}

export interface AlertsState {
  /** Newest first, one entry per alert id; dismissed alerts are removed. */
  items: AlertRecordDto[];
  loadError: string | null;
  actionError: string | null;
  sound: SoundRequest | null;
  load(): Promise<void>;
  applyAlerts(alerts: RiskAlertDto[]): void;
  acknowledge(id: string): Promise<void>;
  dismiss(id: string): Promise<void>;
}

export type AlertsStore = StoreApi<AlertsState>;

export interface AlertsStoreOptions {
  maxAlerts: number;
}

const SEVERITY_RANK: Record<SeverityName, number> = { info: 0, warning: 1, critical: 2 };

/** The loudest of the alerts, for one sound per burst. */
export function loudest(alerts: readonly RiskAlertDto[]): RiskAlertDto | null {
  let best: RiskAlertDto | null = null;
  for (const alert of alerts) if (best === null || SEVERITY_RANK[alert.severity] > SEVERITY_RANK[best.severity]) best = alert;
  return best;
}

export function atLeast(severity: SeverityName, minimum: SeverityName): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[minimum];
}

/** Newest first; a stored record (with its acknowledgement) wins over a pushed copy without one. */
export function mergeAlerts(existing: readonly AlertRecordDto[], incoming: readonly AlertRecordDto[], maxAlerts: number): AlertRecordDto[] {
  const byId = new Map<string, AlertRecordDto>();
  for (const alert of existing) byId.set(alert.id, alert);
  for (const alert of incoming) {
    const known = byId.get(alert.id);
    byId.set(alert.id, known === undefined ? alert : { ...alert, acknowledgedAt: alert.acknowledgedAt ?? known.acknowledgedAt, dismissedAt: alert.dismissedAt ?? known.dismissedAt });
  }
  return [...byId.values()].filter((alert) => alert.dismissedAt === null).sort((a, b) => b.ts - a.ts).slice(0, maxAlerts);
}

export function createAlertsStore(api: SurgeApi, options: AlertsStoreOptions): AlertsStore {
  let soundSeq = 0;
  return createStore<AlertsState>()((set, get) => ({
    items: [],
    loadError: null,
    actionError: null,
    sound: null,
    async load() {
      const result = await api.invoke('alerts.recent', { limit: Math.min(options.maxAlerts, 1_000) });
      // the stored list is the truth: an alert dismissed elsewhere must disappear here too
      if (result.ok) set({ items: mergeAlerts([], result.value, options.maxAlerts), loadError: null });
      else set({ loadError: result.error.message });
    },
    applyAlerts(alerts) {
      const known = new Set(get().items.map((alert) => alert.id));
      const fresh = alerts.filter((alert) => !known.has(alert.id));
      const records = alerts.map((alert) => ({ ...alert, acknowledgedAt: null, dismissedAt: null }));
      const next = loudest(fresh);
      set({
        items: mergeAlerts(get().items, records, options.maxAlerts),
        ...(next === null ? {} : { sound: { alertId: next.id, severity: next.severity, seq: ++soundSeq } }),
      });
    },
    async acknowledge(id) {
      const result = await api.invoke('alerts.acknowledge', { id });
      if (result.ok) set({ items: mergeAlerts(get().items, [result.value], options.maxAlerts), actionError: null });
      else set({ actionError: result.error.message });
    },
    async dismiss(id) {
      const result = await api.invoke('alerts.dismiss', { id });
      if (result.ok) set({ items: mergeAlerts(get().items, [result.value], options.maxAlerts), actionError: null });
      else set({ actionError: result.error.message });
    },
  }));
}
