import { useStore } from 'zustand';
import { AlertSounds } from '../features/alerts/AlertSounds';
import { RiskAlerts } from '../features/alerts/RiskAlerts';
import { TradingChart } from '../features/chart/TradingChart';
import { ConnectionBanner } from '../features/connection/ConnectionBanner';
import { TopBar } from '../features/connection/TopBar';
import { HelpOverlay } from '../features/help/HelpOverlay';
import { KillSwitchDialog } from '../features/kill-switch/KillSwitch';
import { OrderHistory } from '../features/orders/OrderHistory';
import { PerformanceDashboard } from '../features/performance/PerformanceDashboard';
import { PositionMonitor } from '../features/positions/PositionMonitor';
import { DataPanel } from '../features/recordings/DataPanel';
import { RecordingDetails } from '../features/recordings/RecordingDetails';
import { LiveSessionPanel } from '../features/sessions/LiveSessionPanel';
import { QuickSessionStarter } from '../features/sessions/QuickSessionStarter';
import { SessionList } from '../features/sessions/SessionList';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { SignalLog } from '../features/signals/SignalLog';
import { StrategyEditor } from '../features/strategies/StrategyEditor';
import { StrategyStatePanel } from '../features/strategies/StrategyStatePanel';
import { PanelBoundary } from '../ui/PanelBoundary';
import { useApp } from './app-context';
import { SCREENS, type Screen } from './ui-store';
import { useShortcuts } from './use-shortcuts';

function NavRail() {
  const { ui, alerts } = useApp();
  const screen = useStore(ui, (state) => state.screen);
  const openCritical = useStore(alerts, (state) => state.items.filter((alert) => alert.severity === 'critical' && alert.acknowledgedAt === null).length);
  return (
    <nav className="nav-rail" aria-label="Screens">
      {SCREENS.map((item) => (
        <button
          key={item.id}
          type="button"
          className={`nav-item${screen === item.id ? ' is-active' : ''}`}
          onClick={() => ui.getState().setScreen(item.id)}
          aria-current={screen === item.id ? 'page' : undefined}
          title={`${item.label} (${item.key})`}
          data-testid={`nav-${item.id}`}
        >
          <span className="nav-key">{item.key}</span>
          <span className="nav-label">{item.label}</span>
          {item.id === 'trade' && openCritical > 0 ? <span className="nav-alert" title={`${openCritical} critical alert(s) to acknowledge`}>{openCritical}</span> : null}
        </button>
      ))}
    </nav>
  );
}

function TradeScreen() {
  return (
    <div className="screen screen-trade" data-testid="trade-screen">
      <aside className="column column-left">
        <PanelBoundary name="Quick session">
          <QuickSessionStarter />
        </PanelBoundary>
        <PanelBoundary name="Online session">
          <LiveSessionPanel />
        </PanelBoundary>
        <PanelBoundary name="Sessions">
          <SessionList />
        </PanelBoundary>
      </aside>
      <div className="column column-center">
        <PanelBoundary name="Chart">
          <TradingChart />
        </PanelBoundary>
        <PanelBoundary name="Positions">
          <PositionMonitor />
        </PanelBoundary>
        <PanelBoundary name="Orders">
          <OrderHistory />
        </PanelBoundary>
      </div>
      <aside className="column column-right">
        <PanelBoundary name="Alerts">
          <RiskAlerts />
        </PanelBoundary>
        <PanelBoundary name="Strategy state">
          <StrategyStatePanel />
        </PanelBoundary>
        <PanelBoundary name="Signal log">
          <SignalLog />
        </PanelBoundary>
      </aside>
    </div>
  );
}

function DataScreen() {
  return (
    <div className="screen screen-data" data-testid="data-screen">
      <div className="column column-main">
        <PanelBoundary name="Data">
          <DataPanel />
        </PanelBoundary>
      </div>
      <aside className="column column-right column-wide">
        <PanelBoundary name="Recording">
          <RecordingDetails />
        </PanelBoundary>
      </aside>
    </div>
  );
}

const SCREEN_VIEWS: Record<Screen, () => React.JSX.Element> = {
  trade: TradeScreen,
  performance: () => (
    <PanelBoundary name="Performance">
      <PerformanceDashboard />
    </PanelBoundary>
  ),
  strategies: () => (
    <PanelBoundary name="Strategies">
      <StrategyEditor />
    </PanelBoundary>
  ),
  data: DataScreen,
  settings: () => (
    <PanelBoundary name="Settings">
      <SettingsScreen />
    </PanelBoundary>
  ),
};

export function App() {
  const app = useApp();
  useShortcuts(app);
  const screen = useStore(app.ui, (state) => state.screen);
  const overlay = useStore(app.ui, (state) => state.overlay);
  const close = (): void => app.ui.getState().closeOverlay();
  const View = SCREEN_VIEWS[screen];
  return (
    <div className="app" data-screen={screen}>
      <TopBar />
      <ConnectionBanner />
      <div className="shell">
        <NavRail />
        <main className="workspace">
          <View />
        </main>
      </div>
      <AlertSounds />
      {overlay === 'help' ? <HelpOverlay onClose={close} /> : null}
      {overlay === 'kill-switch' ? <KillSwitchDialog onClose={close} /> : null}
    </div>
  );
}

/** Shown instead of the app when serve mode's page was opened without its token. */
export function MissingToken({ message }: { message: string }) {
  return (
    <div className="app app-blocked">
      <div className="blocked-card" role="alert">
        <h1>Surge Workstation</h1>
        <p>{message}</p>
        <p className="muted">The token keeps other programs on this machine away from your engine. It is printed once when serve mode starts.</p>
      </div>
    </div>
  );
}
