import { z } from 'zod';
import { Id, SessionDto } from './schemas';

const PositiveDecimal = z.string().regex(/^\d+(\.\d+)?$/, 'must be a positive decimal number written as a string, e.g. "1000"').refine((v) => /[1-9]/.test(v), 'must be greater than zero');

/**
 * Where an online session stands:
 * - `reconciling`: the exchange holds positions or orders the app does not know (or the other way
 *   round); nothing trades until the trader resolves it (adopt / flatten / cancel);
 * - `ready`: connected and reconciled, waiting for the trader to arm it (live only);
 * - `armed`: strategies may trade; `stopped`: over.
 */
export const LivePhase = z.enum(['reconciling', 'ready', 'armed', 'stopped']);
export type LivePhase = z.infer<typeof LivePhase>;

export const LiveDifferenceDto = z.object({
  kind: z.enum(['local_only', 'exchange_only', 'mismatch', 'foreign_order']),
  instrumentId: z.string(),
  detail: z.string(),
});

export const LiveSessionDto = z.object({
  session: SessionDto,
  phase: LivePhase,
  /** What stands between the session and trading (reconciling), else empty. */
  differences: z.array(LiveDifferenceDto),
  /** Why it is where it is (the reconciliation, a stale feed, a refused resume). */
  detail: z.string().nullable(),
});
export type LiveSessionDto = z.infer<typeof LiveSessionDto>;

/**
 * Online sessions on the live market feed: `paper` fills on the paper venue (no keys needed),
 * `live` trades the exchange account with the keys from the OS keychain, behind explicit arming,
 * a reconciliation gate and the staged capital caps. At most one live session runs at a time.
 */
export const liveCommands = {
  'sessions.startOnline': {
    request: z.object({
      kind: z.enum(['paper', 'live']),
      symbols: z.array(z.string().min(1).max(64)).min(1).max(20),
      strategies: z.array(z.unknown()).min(1).max(20),
      capital: PositiveDecimal,
    }).strict(),
    response: LiveSessionDto,
  },
  /** The trader's explicit go for a live session that is reconciled (`ready`). */
  'sessions.arm': {
    request: z.object({ sessionId: Id, confirm: z.literal(true, { error: 'arming a live session needs confirm: true' }) }).strict(),
    response: LiveSessionDto,
  },
  /**
   * Resolves a reconciliation gate: `adopt` takes the exchange's positions into the app's book,
   * `flatten` closes them (and cancels orders the app did not place), `cancel` ends the session
   * without trading.
   */
  'sessions.resolve': {
    request: z.object({ sessionId: Id, resolution: z.enum(['adopt', 'flatten', 'cancel']) }).strict(),
    response: LiveSessionDto,
  },
  'sessions.online': {
    request: z.object({ sessionId: Id }).strict(),
    response: LiveSessionDto,
  },
} as const;
export type LiveDifferenceDto = z.infer<typeof LiveDifferenceDto>;
