import type { Result } from '../../../src-shared/contract/result';
import { err } from '../../../src-shared/contract/result';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import type { AppState } from '../../app/app-state';
import { entryKey } from '../strategies/library-store';
import { browserStorage, readSessionDefaults, resolveDefaults, writeSessionDefaults, type SessionDefaults } from './session-defaults';

/** The starter's choices checked against the recordings and strategies that exist now. */
export function currentDefaults(app: AppState): SessionDefaults {
  return resolveDefaults(readSessionDefaults(browserStorage()), {
    recordingIds: app.recordings.getState().items.map((recording) => recording.id),
    strategyKeys: app.library.getState().entries.map(entryKey),
  });
}

/**
 * Starts a session from the starter's choices and remembers them. A backtest opens the
 * performance dashboard on it (progress, then results); a paper session is followed on the
 * Trade screen.
 */
export async function launchSession(app: AppState, choices: SessionDefaults): Promise<Result<SessionDto>> {
  const entries = app.library.getState().entries;
  const strategies = choices.strategyKeys.map((key) => entries.find((entry) => entryKey(entry) === key)?.definition).filter((definition) => definition !== undefined);
  if (choices.recordingId === null) return err('validation', 'pick a recording to replay (import one on the Data screen)', ['request.recordingId']);
  if (strategies.length === 0) return err('validation', 'pick at least one strategy', ['request.strategies']);
  writeSessionDefaults(browserStorage(), choices);
  const result = await app.sessions.getState().start({
    kind: choices.kind,
    recordingId: choices.recordingId,
    strategies,
    speed: choices.kind === 'backtest' ? 0 : choices.speed,
    capital: choices.capital.trim(),
  });
  if (!result.ok) return result;
  const session = result.value;
  const recording = app.recordings.getState().items.find((item) => item.id === choices.recordingId);
  app.focus.getState().focusSession(session.id, session.dataSessionId ?? choices.recordingId, session.instruments[0] ?? recording?.instruments[0] ?? null);
  if (choices.kind === 'backtest') {
    app.reports.getState().select(session.id);
    app.ui.getState().setScreen('performance');
  }
  return result;
}
