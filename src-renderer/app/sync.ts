import type { SessionDto } from '../../src-shared/contract/schemas';
import type { FrameScheduler } from '../lib/frame-scheduler';
import { suggestTimeframe } from '../features/chart/chart-store';
import { isOnlineSession } from '../features/sessions/live-phase';
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
 * session's results when it finishes, polls for what is not pushed (strategy states while a
 * session runs, exact chart history under the live bars) and a periodic health check.
 */
export function startSync(app: AppState, scheduler: FrameScheduler, timers: SyncTimers): () => void {
  const loadFocused = (): void => {
    const focus = app.focus.getState();
    void app.signals.getState().load(focus.sessionId);
    void app.positions.getState().load(focus.sessionId);
    void app.orders.getState().load(focus.sessionId);
    void app.strategyStates.getState().refresh(focus.sessionId);
  };

  const loadChart = (): void => {
    const focus = app.focus.getState();
    const recording = app.recordings.getState().items.find((item) => item.id === focus.recordingId);
    if (recording?.firstTs != null && recording.lastTs != null) app.chart.getState().suggest(suggestTimeframe(recording.lastTs - recording.firstTs));
    void app.chart
      .getState()
      .load(focus.recordingId !== null && focus.instrumentId !== null ? { recordingId: focus.recordingId, instrumentId: focus.instrumentId, sessionId: focus.sessionId } : null);
  };

  const loadEverything = async (): Promise<void> => {
    void app.connection.getState().refreshHealth();
    void app.library.getState().load();
    void app.alerts.getState().load();
    void app.settingsStore.getState().load();
    void app.credentials.getState().load();
    void app.market.getState().loadInstruments();
    await Promise.all([app.recordings.getState().refresh(), app.sessions.getState().refresh()]);
    readOnlineSessions();
    const before = app.focus.getState();
    pickInitialFocus();
    const after = app.focus.getState();
    // the focus watcher loads what a changed focus needs; an unchanged one (a reconnect) may have moved on meanwhile
    if (after.sessionId === before.sessionId) loadFocused();
    if (after === before) loadChart();
  };

  /** On first load, look at the newest session (or, with none, the newest recording) rather than an empty chart. */
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

  /** The phase of every running online session (the panel and the status bar show it). */
  const readOnlineSessions = (): void => {
    for (const session of Object.values(app.sessions.getState().byId)) {
      if (isOnlineSession(session) && isSessionActive(session)) void app.online.getState().refresh(session.id);
    }
  };

  const onSessionsFinished = (sessions: SessionDto[]): void => {
    const focused = app.focus.getState().sessionId;
    for (const session of sessions) {
      void app.signals.getState().load(session.id);
      void app.positions.getState().load(session.id);
      void app.orders.getState().load(session.id);
      void app.reports.getState().load(session.id, true);
      if (session.id === focused) {
        // the whole recording is history now, and the strategy engine is gone
        void app.chart.getState().reload();
        void app.strategyStates.getState().refresh(session.id);
      }
    }
    void app.alerts.getState().load();
  };

  const stopRouting = routeEvents(app.transport, app, scheduler, onSessionsFinished);

  // Only a re-connection reloads: commands made while first connecting are queued, not lost.
  const stopWatchingLink = app.connection.subscribe((state, previous) => {
    if (state.link.state === 'open' && previous.link.state === 'lost') void loadEverything();
  });

  // an online session whose row changed (armed, failed, stopped) is read again at once, not at the next poll
  const stopWatchingOnline = app.sessions.subscribe((state, previous) => {
    if (state.byId === previous.byId) return;
    for (const session of Object.values(state.byId)) {
      const before = previous.byId[session.id];
      if (isOnlineSession(session) && before !== undefined && before.status !== session.status && isSessionActive(session)) void app.online.getState().refresh(session.id);
    }
  });

  const stopWatchingFocus = app.focus.subscribe((focus, previous) => {
    if (focus.recordingId !== previous.recordingId || focus.instrumentId !== previous.instrumentId || focus.sessionId !== previous.sessionId) loadChart();
    if (focus.sessionId !== previous.sessionId) loadFocused();
  });

  // Commands queue until the link opens, so the first load need not wait for it.
  void loadEverything();
  const linkOpen = (): boolean => app.connection.getState().link.state === 'open';
  // Session progress normally arrives as session_state events; polling while a session is active
  // keeps the list right even if events were dropped for a slow client or never forwarded.
  const sessionTimer = timers.setInterval(() => {
    if (!linkOpen()) return;
    if (!Object.values(app.sessions.getState().byId).some(isSessionActive)) return;
    void app.sessions
      .getState()
      .refresh()
      .then((finished) => {
        if (finished.length > 0) onSessionsFinished(finished);
      });
  }, app.settings.activeSessionPollMs);
  const strategyTimer = timers.setInterval(() => {
    const sessionId = app.focus.getState().sessionId;
    const session = sessionId === null ? undefined : app.sessions.getState().byId[sessionId];
    if (linkOpen() && session !== undefined && isSessionActive(session)) void app.strategyStates.getState().refresh(session.id);
  }, app.settings.strategyStatePollMs);
  const chartTimer = timers.setInterval(() => {
    if (linkOpen() && app.chart.getState().live && !app.chart.getState().loading) void app.chart.getState().reload();
  }, app.settings.chartResyncMs);
  const onlineTimer = timers.setInterval(() => {
    if (linkOpen()) readOnlineSessions();
  }, app.settings.onlineSessionPollMs);
  const healthTimer = timers.setInterval(() => {
    // While the link is down the banner says so; queuing health checks would only pile up.
    if (linkOpen()) void app.connection.getState().refreshHealth();
  }, app.settings.healthPollMs);

  return () => {
    timers.clearInterval(healthTimer);
    timers.clearInterval(sessionTimer);
    timers.clearInterval(strategyTimer);
    timers.clearInterval(chartTimer);
    timers.clearInterval(onlineTimer);
    stopRouting();
    stopWatchingLink();
    stopWatchingFocus();
    stopWatchingOnline();
  };
}
