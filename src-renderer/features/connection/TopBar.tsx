import { useState } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';
import type { ConnectionState } from '../../transport';
import { KillSwitchButton } from '../kill-switch/KillSwitch';
import { LiveIndicator } from '../sessions/LiveIndicator';

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
  const { connection, transport } = useApp();
  const engine = useStore(connection, (state) => state.engine);
  const [resumeError, setResumeError] = useState<string | null>(null);
  if (engine === null) return null;
  const resume = async (): Promise<void> => {
    const result = await transport.invoke('strategies.resume', {});
    setResumeError(result.ok ? null : result.error.message);
  };
  return (
    <div className="topbar-item" title={engine.strategiesPaused ? 'Strategies are paused: no new entries' : 'Strategies are running'} data-testid="trading-state">
      <span className="topbar-label">Trading</span>
      <span className={`badge badge-trading-${engine.tradingState.toLowerCase()}`}>{engine.tradingState}</span>
      {engine.strategiesPaused ? (
        <>
          <span className="badge badge-status-paused">strategies paused</span>
          <button type="button" className="button button-small" onClick={() => void resume()} title={resumeError ?? 'Let strategies open positions again'} data-testid="strategies-resume">
            Resume
          </button>
        </>
      ) : null}
    </div>
  );
}

function SoundToggle() {
  const { ui, settingsStore } = useApp();
  const muted = useStore(ui, (state) => state.soundMuted);
  const enabled = useStore(settingsStore, (state) => state.settings?.alerts.sound ?? true);
  const label = !enabled ? 'Alert sounds are off in Settings' : muted ? 'Alert sounds muted in this window (m)' : 'Alert sounds on (m to mute)';
  return (
    <button type="button" className={`icon-button sound-toggle${muted || !enabled ? ' is-muted' : ''}`} onClick={() => ui.getState().toggleMute()} title={label} aria-label={label} aria-pressed={muted} data-testid="sound-toggle">
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <path d="M8 1.5a4 4 0 0 0-4 4v2.7L2.6 10.6a.6.6 0 0 0 .5.9h9.8a.6.6 0 0 0 .5-.9L12 8.2V5.5a4 4 0 0 0-4-4Zm-1.6 11a1.6 1.6 0 0 0 3.2 0Z" fill="currentColor" />
        {muted || !enabled ? <path d="M2 2l12 12" stroke="#ef4444" strokeWidth="1.6" strokeLinecap="round" /> : null}
      </svg>
    </button>
  );
}

export function TopBar() {
  const { connection, ui } = useApp();
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
      <SoundToggle />
      <button type="button" className="icon-button" onClick={() => ui.getState().openOverlay('help')} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" data-testid="help-button">
        ?
      </button>
      <LiveIndicator />
      <KillSwitchButton />
    </header>
  );
}
