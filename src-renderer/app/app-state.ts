import { createAlertsStore, type AlertsStore } from '../features/alerts/alerts-store';
import { createChartStore, type ChartStore } from '../features/chart/chart-store';
import { createConnectionStore, type ConnectionStore } from '../features/connection/connection-store';
import { createMarketStore, type MarketStore } from '../features/market/market-store';
import { createOrdersStore, type OrdersStore } from '../features/orders/orders-store';
import { createPositionsStore, type PositionsStore } from '../features/positions/positions-store';
import { createRecordingsStore, type RecordingsStore } from '../features/recordings/recordings-store';
import { createOnlineSessionsStore, type OnlineSessionsStore } from '../features/sessions/online-sessions-store';
import { createSessionsStore, type SessionsStore } from '../features/sessions/sessions-store';
import { createSignalsStore, type SignalsStore } from '../features/signals/signals-store';
import { createCredentialsStore, type CredentialsStore } from '../features/credentials/credentials-store';
import { createReportsStore, type ReportsStore } from '../features/performance/reports-store';
import { createSettingsStore, type SettingsStore } from '../features/settings/settings-store';
import { createLibraryStore, type LibraryStore } from '../features/strategies/library-store';
import { createStrategyStatesStore, type StrategyStatesStore } from '../features/strategies/strategy-states-store';
import { createTickHub, type TickHub } from '../lib/tick-hub';
import type { Transport } from '../transport';
import { createFocusStore, type FocusStore } from './focus-store';
import { createUiStore, type UiStore } from './ui-store';

/** Every limit and interval the renderer uses, in one place. */
export interface RendererSettings {
  candleLimit: number;
  maxSignals: number;
  signalLoadLimit: number;
  orderLoadLimit: number;
  maxAlerts: number;
  healthPollMs: number;
  /** How often the session list is re-read while a session is running (a backstop for missed events). */
  activeSessionPollMs: number;
  /** Rows shown in the signal log; older signals stay in memory for the chart. */
  signalLogRows: number;
  /** How often the state overview and condition progress are read while the focused session runs. */
  strategyStatePollMs: number;
  /** How often a live chart reloads exact history (live bars are built from one tick per frame). */
  chartResyncMs: number;
  /**
   * How often each running online session's phase is read: a move between reconciling and ready
   * changes no session row, so no session_state event tells of it.
   */
  onlineSessionPollMs: number;
}

export const DEFAULT_RENDERER_SETTINGS: RendererSettings = {
  candleLimit: 20_000,
  maxSignals: 20_000,
  signalLoadLimit: 5_000,
  orderLoadLimit: 2_000,
  maxAlerts: 500,
  healthPollMs: 10_000,
  activeSessionPollMs: 2_000,
  signalLogRows: 300,
  strategyStatePollMs: 1_000,
  chartResyncMs: 5_000,
  onlineSessionPollMs: 2_000,
};

/** The per-feature stores, created once per window around one transport. */
export interface AppState {
  transport: Transport;
  settings: RendererSettings;
  connection: ConnectionStore;
  focus: FocusStore;
  recordings: RecordingsStore;
  sessions: SessionsStore;
  /** Phases, differences and actions of online (live-feed) sessions. */
  online: OnlineSessionsStore;
  chart: ChartStore;
  signals: SignalsStore;
  positions: PositionsStore;
  orders: OrdersStore;
  alerts: AlertsStore;
  market: MarketStore;
  ui: UiStore;
  ticks: TickHub;
  strategyStates: StrategyStatesStore;
  library: LibraryStore;
  reports: ReportsStore;
  settingsStore: SettingsStore;
  credentials: CredentialsStore;
}

export function createAppState(transport: Transport, settings: RendererSettings = DEFAULT_RENDERER_SETTINGS): AppState {
  return {
    transport,
    settings,
    connection: createConnectionStore(transport, transport),
    focus: createFocusStore(),
    recordings: createRecordingsStore(transport),
    sessions: createSessionsStore(transport),
    online: createOnlineSessionsStore(transport),
    chart: createChartStore(transport, { candleLimit: settings.candleLimit }),
    signals: createSignalsStore(transport, { maxSignals: settings.maxSignals, loadLimit: settings.signalLoadLimit }),
    positions: createPositionsStore(transport),
    orders: createOrdersStore(transport, { loadLimit: settings.orderLoadLimit }),
    alerts: createAlertsStore(transport, { maxAlerts: settings.maxAlerts }),
    market: createMarketStore(transport),
    ui: createUiStore(),
    ticks: createTickHub(),
    strategyStates: createStrategyStatesStore(transport),
    library: createLibraryStore(transport),
    reports: createReportsStore(transport),
    settingsStore: createSettingsStore(transport),
    credentials: createCredentialsStore(transport),
  };
}
