import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';
import { liveIndicator, phaseBadge } from './live-phase';

/**
 * In the status bar on every screen, beside the kill switch: the live session, if one runs, and
 * whether it is armed (red, pulsing: real orders may go out). A click opens its panel.
 */
export function LiveIndicator() {
  const { sessions, online, focus, ui } = useApp();
  const byId = useStore(sessions, (state) => state.byId);
  const readings = useStore(online, (state) => state.byId);
  const live = useMemo(() => liveIndicator(Object.values(byId), readings), [byId, readings]);
  if (live === null) return null;
  const { session, phase } = live;
  const badge = phaseBadge(phase, 'live');
  const armed = phase === 'armed';
  const symbols = session.instruments.map((symbol) => symbol.split(':')[0]).join(', ');
  const open = (): void => {
    focus.getState().focusSession(session.id, null, session.instruments[0] ?? null);
    ui.getState().focusLivePanel();
  };
  return (
    <button
      type="button"
      className={`live-indicator live-indicator-${badge.tone}${armed ? ' is-armed' : ''}`}
      onClick={open}
      title={`${badge.title} — ${session.name}. Click (or l) for its panel.`}
      data-testid="live-indicator"
      data-phase={phase}
    >
      <span className="live-indicator-dot" aria-hidden="true" />
      <span className="live-indicator-label">{armed ? 'LIVE · ARMED' : `LIVE · ${badge.label}`}</span>
      <span className="live-indicator-symbols mono">{symbols}</span>
    </button>
  );
}
