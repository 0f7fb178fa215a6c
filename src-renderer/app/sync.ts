import type { SessionDto } from '../../src-shared/contract/schemas';
import type { FrameScheduler } from '../lib/frame-scheduler';
import { isSessionActive, recordingOfSession } from '../features/sessions/sessions-store';
import type { AppState } from './app-state';
import { routeEvents } from './event-router';

export interface SyncTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/**
 * Keeps the stores in step with the engine: a full load at start and after every reconnection
 * (events pushed while the link was down are gone), pushed events in between, a fresh read of a
 * session's results when it finishes, and a periodic health check.
 */
export function startSync(app: AppState, scheduler: FrameScheduler, timers: SyncTimers): () => void {
  const loadFocused = (): void => {
    const focus = app.focus.getState();
    void app.signals.getState().load(focus.sessionId);
    void app.positions.getState().load(focus.sessionId);
    void app.orders.getState().load(focus.sessionId);
  };

  const loadEverything = async (): Promise<void> => {
    void app.connection.getState().refreshHealth();
    void app.sessions.getState().loadExamples();
    void app.alerts.getState().load();
    await Promise.all([app.recordings.getState().refresh(), app.sessions.getState().refresh()]);
    pickInitialFocus();
    loadFocused();
  };

  // On first load, look at the newest session (or, with none, the newest recording) rather than an empty chart.
  const pickInitialFocus = (): void => {
    const focus = app.focus.getState();
    if (focus.sessionId !== null || focus.recordingId !== null) return;
    const sessionsState = app.sessions.getState();
    const newest = Object.values(sessionsState.byId).sort((a, b) => b.createdAt - a.createdAt)[0];
    if (newest !== undefined) {
      focus.focusSession(newest.id, recordingOfSession(sessionsState, newest), newest.instruments[0] ?? null);
      return;
    }
    const recording = app.recordings.getState().items[0];
    if (recording !== undefined) focus.focusRecording(recording.id, recording.instruments[0] ?? null);
  };

  const onSessionsFinished = (sessions: SessionDto[]): void => {
    for (const session of sessions) {
      void app.signals.getState().load(session.id);
      void app.positions.getState().load(session.id);
      void app.orders.getState().load(session.id);
    }
    void app.alerts.getState().load();
  };

  const stopRouting = routeEvents(app.transport, app, scheduler, onSessionsFinished);

  // Only a re-connection reloads: commands made while first connecting are queued, not lost.
  const stopWatchingLink = app.connection.subscribe((state, previous) => {
    if (state.link.state === 'open' && previous.link.state === 'lost') void loadEverything();
  });

  const stopWatchingFocus = app.focus.subscribe((focus, previous) => {
    if (focus.recordingId !== previous.recordingId || focus.instrumentId !== previous.instrumentId) {
      void app.chart.getState().load(focus.recordingId !== null && focus.instrumentId !== null ? { recordingId: focus.recordingId, instrumentId: focus.instrumentId } : null);
    }
    if (focus.sessionId !== previous.sessionId) loadFocused();
  });

  // Commands queue until the link opens, so the first load need not wait for it.
  void loadEverything();
  // Session progress normally arrives as session_state events; polling while a session is active
  // keeps the list right even if events were dropped for a slow client or never forwarded.
  const sessionTimer = timers.setInterval(() => {
    if (app.connection.getState().link.state !== 'open') return;
    if (!Object.values(app.sessions.getState().byId).some(isSessionActive)) return;
    void app.sessions
      .getState()
      .refresh()
      .then((finished) => {
        if (finished.length > 0) onSessionsFinished(finished);
      });
  }, app.settings.activeSessionPollMs);
  const healthTimer = timers.setInterval(() => {
    // While the link is down the banner says so; queuing health checks would only pile up.
    if (app.connection.getState().link.state === 'open') void app.connection.getState().refreshHealth();
  }, app.settings.healthPollMs);

  return () => {
    timers.clearInterval(healthTimer);
    timers.clearInterval(sessionTimer);
    stopRouting();
    stopWatchingLink();
    stopWatchingFocus();
  };
}
