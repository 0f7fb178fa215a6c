import { AlertsList } from '../features/alerts/AlertsList';
import { TradingChart } from '../features/chart/TradingChart';
import { ConnectionBanner } from '../features/connection/ConnectionBanner';
import { TopBar } from '../features/connection/TopBar';
import { OrdersList } from '../features/orders/OrdersList';
import { PositionsTable } from '../features/positions/PositionsTable';
import { DataPanel } from '../features/recordings/DataPanel';
import { SessionList } from '../features/sessions/SessionList';
import { SessionStarter } from '../features/sessions/SessionStarter';
import { SignalLog } from '../features/signals/SignalLog';
import { PanelBoundary } from '../ui/PanelBoundary';

export function App() {
  return (
    <div className="app">
      <TopBar />
      <ConnectionBanner />
      <main className="workspace">
        <aside className="column column-left">
          <PanelBoundary name="Data">
            <DataPanel />
          </PanelBoundary>
          <PanelBoundary name="New session">
            <SessionStarter />
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
            <PositionsTable />
          </PanelBoundary>
          <PanelBoundary name="Orders">
            <OrdersList />
          </PanelBoundary>
        </div>
        <aside className="column column-right">
          <PanelBoundary name="Signal log">
            <SignalLog />
          </PanelBoundary>
          <PanelBoundary name="Alerts">
            <AlertsList />
          </PanelBoundary>
        </aside>
      </main>
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
