import type { PartialHandlers } from '../../../src-shared/contract/commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { StrategyProgressDto, StrategyStateRowDto } from '../../../src-shared/contract/ui-commands';
import type { Store } from '../store/store';
import type { RunningReplays } from './running-replays';

/**
 * The state overview (strategy × symbol × state × since) and condition progress of running
 * sessions. Both live only in a running replay's strategy engine; a finished session answers
 * `running: false` with nothing to show rather than a stale picture.
 */
export class StrategyStates {
  constructor(
    private readonly store: Store,
    private readonly replays: RunningReplays,
  ) {}

  states(sessionId: string | undefined): Result<{ running: boolean; rows: StrategyStateRowDto[] }> {
    if (sessionId !== undefined && this.store.sessions.get(sessionId) === null) return err('not_found', `no session ${sessionId}`, ['request.sessionId']);
    const ids = sessionId === undefined ? this.replays.runningSessionIds() : [sessionId];
    const rows: StrategyStateRowDto[] = [];
    let running = false;
    for (const id of ids) {
      const replay = this.replays.replay(id);
      if (replay === undefined) continue;
      running = true;
      const now = replay.clock.now();
      for (const state of replay.strategyStates()) rows.push({ sessionId: id, ...state, now });
    }
    return ok({ running, rows });
  }

  progress(sessionId: string, strategyId: string, instrumentId: string): Result<{ running: boolean; progress: StrategyProgressDto | null }> {
    if (this.store.sessions.get(sessionId) === null) return err('not_found', `no session ${sessionId}`, ['request.sessionId']);
    const replay = this.replays.replay(sessionId);
    if (replay === undefined) return ok({ running: false, progress: null });
    return ok({ running: true, progress: replay.strategyProgress(strategyId, instrumentId) });
  }

  handlers(): PartialHandlers {
    return {
      'strategies.states': async ({ sessionId }) => this.states(sessionId),
      'strategies.progress': async ({ sessionId, strategyId, instrumentId }) => this.progress(sessionId, strategyId, instrumentId),
    };
  }
}
