import type { PartialHandlers } from '../../../src-shared/contract/commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { Timeframe } from '../../../src-shared/contract/schemas';
import type { SessionCandlesDto } from '../../../src-shared/contract/ui-commands';
import { CandleBuilder } from '../data/candles';
import type { Store } from '../store/store';
import type { RunningReplays } from './running-replays';

/**
 * Candles of a session's recording as far as the session has got: a paper replay shows history
 * only up to its replay position (the rest of the recording is its future) and newer bars then
 * come from its market_data events; a finished session shows its whole recording.
 */
export class SessionCandles {
  constructor(
    private readonly store: Store,
    private readonly replays: RunningReplays,
  ) {}

  candles(request: { sessionId: string; instrumentId: string; timeframe: Timeframe; limit: number }): Result<SessionCandlesDto> {
    const session = this.store.sessions.get(request.sessionId);
    if (session === null) return err('not_found', `no session ${request.sessionId}`, ['request.sessionId']);
    const recordingId = session.dataSessionId;
    const recording = recordingId === null ? null : this.store.recordings.get(recordingId);
    if (recordingId === null || recording === null) return err('not_found', `session ${request.sessionId} replays no stored recording`, ['request.sessionId']);
    const replay = this.replays.replay(request.sessionId);
    const controls = replay?.controls();
    // the position is read before the candles: a tick processed meanwhile arrives as an event
    const untilTs = controls === undefined ? recording.lastTs : controls.positionTs;
    const live = controls !== undefined && controls.speed > 0;
    const builder = new CandleBuilder(request.timeframe);
    if (untilTs !== null) {
      reading: for (const chunk of this.store.recordings.readTradeChunks(recordingId, request.instrumentId)) {
        for (let i = 0; i < chunk.count; i++) {
          const ts = chunk.ts[i]!;
          if (ts > untilTs) break reading;
          builder.add(ts, chunk.price[i]!, chunk.quantity[i]!);
        }
      }
    }
    return ok({ candles: builder.result(request.limit), untilTs, live });
  }

  handlers(): PartialHandlers {
    return { 'chart.sessionCandles': async (request) => this.candles(request) };
  }
}
