import { z } from 'zod';
import { Id, SessionDto, SessionStatus, Timestamp } from './schemas';

/** Replay speed: 0 = as fast as possible, 1 = real time, N = N× real time (paced on the host clock). */
export const ReplaySpeed = z.number().min(0).max(10_000);

/** Where a replayed (backtest or offline paper) session stands, as the replay controls report it. */
export const ReplayStateDto = z.object({
  sessionId: Id,
  status: SessionStatus,
  paused: z.boolean(),
  speed: ReplaySpeed,
  /** Event time of the last tick processed, or null before the first. */
  positionTs: Timestamp.nullable(),
  /** A seek still being fast-forwarded to, or null. */
  seekTargetTs: Timestamp.nullable(),
  processed: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type ReplayStateDto = z.infer<typeof ReplayStateDto>;

const SessionRef = z.object({ sessionId: Id }).strict();

/**
 * Replay controls for running backtest and paper-replay sessions. Seeking forward fast-forwards
 * without pacing; seeking backward restarts the replay from the beginning and fast-forwards to
 * the target (the session's journal is rewritten with the same deterministic ids).
 */
export const sessionCommands = {
  /** Records live public trades and books for the symbols into a new recording (needs the network). */
  'sessions.collect': {
    request: z.object({ symbols: z.array(z.string().min(1).max(64)).min(1).max(20), name: z.string().min(1).max(200).optional() }).strict(),
    response: SessionDto,
  },
  'sessions.pause': { request: SessionRef, response: ReplayStateDto },
  'sessions.resume': { request: SessionRef, response: ReplayStateDto },
  'sessions.seek': { request: z.object({ sessionId: Id, ts: Timestamp }).strict(), response: ReplayStateDto },
  'sessions.setSpeed': { request: z.object({ sessionId: Id, speed: ReplaySpeed }).strict(), response: ReplayStateDto },
} as const;
