import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';
import type { ConnectionState } from '../../transport';

const LINK_LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting',
  open: 'Connected',
  lost: 'Disconnected',
  closed: 'Closed',
};

function EngineHealth() {
  const { connection } = useApp();
  const health = useStore(connection, (state) => state.health);
  const healthError = useStore(connection, (state) => state.healthError);
  const linkOpen = useStore(connection, (state) => state.link.state === 'open');
  const status = !linkOpen || healthError !== null ? 'unknown' : (health?.status ?? 'unknown');
  const detail =
    healthError !== null
      ? `Health check failed: ${healthError}`
      : health === null
        ? 'No health report yet'
        : health.checks.map((check) => `${check.ok ? '✓' : '✗'} ${check.name}${check.detail === undefined ? '' : ` — ${check.detail}`}`).join('\n') || 'No checks reported';
  return (
    <div className="topbar-item" title={detail} data-testid="engine-health" data-status={status}>
      <span className={`dot dot-${status}`} aria-hidden="true" />
      <span className="topbar-label">Engine</span>
      <span className="topbar-value">{status === 'unknown' ? '—' : status}</span>
    </div>
  );
}

function EngineState() {
  const { connection } = useApp();
  const engine = useStore(connection, (state) => state.engine);
  if (engine === null) return null;
  return (
    <div className="topbar-item" title={engine.strategiesPaused ? 'Strategies are paused' : 'Strategies are running'}>
      <span className="topbar-label">Trading</span>
      <span className={`badge badge-trading-${engine.tradingState.toLowerCase()}`}>{engine.tradingState}</span>
    </div>
  );
}

export function TopBar() {
  const { connection } = useApp();
  const link = useStore(connection, (state) => state.link.state);
  const host = useStore(connection, (state) => state.host);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          ⚡
        </span>
        <span className="brand-name">Surge Workstation</span>
        <span className="brand-host">{host === 'preload' ? 'desktop' : 'serve'}</span>
      </div>
      <div className="topbar-spacer" />
      <div className="topbar-item" data-testid="connection-state" data-state={link}>
        <span className={`dot dot-link-${link}`} aria-hidden="true" />
        <span className="topbar-value">{LINK_LABEL[link]}</span>
      </div>
      <EngineHealth />
      <EngineState />
      {/* Always on screen so traders learn where it lives; it arms once execution lands. */}
      <span className="kill-switch-wrap" title="arrives with execution">
        <button type="button" className="kill-switch" disabled aria-label="Kill switch (arrives with execution)" data-testid="kill-switch">
          KILL SWITCH
        </button>
      </span>
    </header>
  );
}
