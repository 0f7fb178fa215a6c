import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { formatDuration, formatTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';
import { isOnlineSession } from './live-phase';
import { FINISHED_STATUSES, recordingOfSession } from './sessions-store';

function Progress({ session }: { session: SessionDto }) {
  const running = session.status === 'running';
  const value = session.progress ?? (session.status === 'completed' ? 1 : null);
  return (
    <div className={`progress${value === null && running ? ' is-indeterminate' : ''}`} aria-label="progress">
      <div className={`progress-fill progress-${session.status}`} style={{ width: value === null ? (running ? '30%' : '0%') : `${Math.round(value * 100)}%` }} />
    </div>
  );
}

export function SessionList() {
  const { sessions, focus } = useApp();
  const byId = useStore(sessions, (state) => state.byId);
  const loadError = useStore(sessions, (state) => state.loadError);
  const stopError = useStore(sessions, (state) => state.stopError);
  const focusedSession = useStore(focus, (state) => state.sessionId);
  const ordered = useMemo(() => Object.values(byId).sort((a, b) => b.createdAt - a.createdAt), [byId]);

  const focusOn = (session: SessionDto): void => {
    focus.getState().focusSession(session.id, recordingOfSession(sessions.getState(), session), session.instruments[0] ?? null);
  };

  return (
    <Panel title="Sessions" meta={ordered.length > 0 ? String(ordered.length) : undefined} testId="sessions-panel" className="panel-sessions">
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      {stopError !== null ? <ErrorText>{stopError}</ErrorText> : null}
      {ordered.length === 0 ? (
        <EmptyState>No sessions yet. Start one with the quick session form (n), or press b for a backtest.</EmptyState>
      ) : (
        <ul className="list">
          {ordered.map((session) => {
            const percent = session.progress === null ? null : Math.round(session.progress * 100);
            const online = isOnlineSession(session);
            return (
              <li key={session.id}>
                <div
                  className={`list-row list-row-stacked${session.id === focusedSession ? ' is-focused' : ''}`}
                  role="button"
                  tabIndex={0}
                  onClick={() => focusOn(session)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' || event.key === ' ') focusOn(session);
                  }}
                  data-testid="session-row"
                  data-session-id={session.id}
                  data-status={session.status}
                  data-online={online ? 'true' : undefined}
                  title={online ? 'Online session: select it to see its phase and actions in the session panel above' : undefined}
                >
                  <div className="row-line">
                    <span className="list-row-title" title={session.name}>
                      {session.name}
                    </span>
                    <span className={`badge badge-status-${session.status}`} data-testid="session-status">
                      {session.status}
                      {session.status === 'running' && percent !== null ? ` ${percent}%` : ''}
                    </span>
                  </div>
                  <div className="row-line list-row-sub">
                    <span className={`badge badge-kind-${session.kind}`}>{online && session.kind === 'paper' ? 'paper · live' : session.kind}</span>
                    <span className="mono">{session.instruments.join(', ')}</span>
                    <span className="row-end">
                      {formatTime(session.startedAt ?? session.createdAt)}
                      {session.endedAt !== null && session.startedAt !== null ? ` · ${formatDuration(session.endedAt - session.startedAt)}` : ''}
                    </span>
                    {!FINISHED_STATUSES.has(session.status) ? (
                      <button
                        type="button"
                        className="button button-small"
                        onClick={(event) => {
                          event.stopPropagation();
                          void sessions.getState().stop(session.id);
                        }}
                        data-testid="session-stop"
                      >
                        Stop
                      </button>
                    ) : null}
                  </div>
                  {/* an online session has no end to progress towards */}
                  {online ? null : <Progress session={session} />}
                  {session.error !== null ? <span className="error-inline">{session.error}</span> : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Panel>
  );
}
