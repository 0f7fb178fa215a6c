import type { LiveSessionDto } from '../../../src-shared/contract/live-commands';
import type { Result } from '../../../src-shared/contract/result';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import type { AppState } from '../../app/app-state';
import { entryKey } from '../strategies/library-store';
import { browserStorage, readSessionDefaults, resolveDefaults, writeSessionDefaults, type SessionDefaults } from './session-defaults';
import { liveTradingBlocker, planSession } from './session-form';

/** The starter's choices checked against the recordings, strategies and instruments that exist now. */
export function currentDefaults(app: AppState): SessionDefaults {
  const instruments = Object.keys(app.market.getState().instruments);
  return resolveDefaults(readSessionDefaults(browserStorage()), {
    recordingIds: app.recordings.getState().items.map((recording) => recording.id),
    strategyKeys: app.library.getState().entries.map(entryKey),
    // before the catalogue has loaded the saved symbols stand (the engine judges them)
    ...(instruments.length > 0 ? { symbols: instruments } : {}),
  });
}

/** Why the Live choice is off right now, or null. */
export function currentLiveBlocker(app: AppState): string | null {
  const { status, loadError } = app.credentials.getState();
  return liveTradingBlocker(status, loadError);
}

/**
 * Starts a session from the starter's choices and remembers them. A backtest opens the
 * performance dashboard on it (progress, then results); a paper replay is followed on the
 * Trade screen; an online session is focused, so its panel shows its phase and actions.
 */
export async function launchSession(app: AppState, choices: SessionDefaults): Promise<Result<SessionDto | LiveSessionDto>> {
  const entries = app.library.getState().entries;
  const strategies = choices.strategyKeys.map((key) => entries.find((entry) => entryKey(entry) === key)?.definition).filter((definition) => definition !== undefined);
  const plan = planSession(choices, strategies, currentLiveBlocker(app));
  if (!plan.ok) return plan;
  writeSessionDefaults(browserStorage(), choices);
  if (plan.value.mode === 'online') {
    const result = await app.online.getState().start(plan.value.request);
    if (!result.ok) return result;
    const session = result.value.session;
    // the session_state event may have brought it already; the start answer is at least as new
    app.sessions.getState().applySessionStates([app.sessions.getState().byId[session.id] ?? session]);
    app.focus.getState().focusSession(session.id, null, session.instruments[0] ?? null);
    return result;
  }
  const request = plan.value.request;
  const result = await app.sessions.getState().start(request);
  if (!result.ok) return result;
  const session = result.value;
  const recording = app.recordings.getState().items.find((item) => item.id === request.recordingId);
  app.focus.getState().focusSession(session.id, session.dataSessionId ?? request.recordingId, session.instruments[0] ?? recording?.instruments[0] ?? null);
  if (request.kind === 'backtest') {
    app.reports.getState().select(session.id);
    app.ui.getState().setScreen('performance');
  }
  return result;
}
