import { z } from 'zod';
import { DecimalString, Id, SessionKind, Timestamp, TradingState } from './schemas';

/**
 * Engine-wide controls: the kill switch, pausing strategies, the status the tray shows, and the
 * hook the desktop shell calls after the machine wakes from sleep.
 */

export const EngineStatusDto = z.object({
  tradingState: TradingState,
  strategiesPaused: z.boolean(),
  /** Why strategies are paused ('manual', 'kill-switch', …); empty when they run. */
  pauseReasons: z.array(z.string()),
  activeSessions: z.array(z.object({ id: Id, kind: SessionKind, name: z.string(), progress: z.number().min(0).max(1).nullable() })),
  openPositions: z.number().int().nonnegative(),
  /** Across the running sessions, one entry per settlement currency: net = realised − fees + unrealised. */
  pnl: z.array(z.object({ currency: z.string(), net: DecimalString, unrealized: DecimalString })),
  ts: Timestamp,
});
export type EngineStatusDto = z.infer<typeof EngineStatusDto>;

export const StrategyPauseDto = z.object({ strategiesPaused: z.boolean(), pauseReasons: z.array(z.string()), tradingState: TradingState });

export const engineCommands = {
  'engine.status': { request: z.object({}).strict(), response: EngineStatusDto },
  /** After sleep or a lost network: reconnect feeds and reconcile orders and positions with the venue. */
  'engine.resume': {
    request: z.object({ reason: z.enum(['system_resume', 'manual']).default('manual') }).strict(),
    response: z.object({ reconciled: z.boolean(), detail: z.string() }),
  },
  /** Cancels every open order and flattens every position; strategies stay paused until resumed. */
  'killSwitch.engage': {
    // the literal makes an accidental call (an empty payload, a replayed frame) fail validation
    request: z.object({ confirm: z.literal(true) }).strict(),
    response: z.object({ cancelledOrders: z.number().int().nonnegative(), flattenedPositions: z.number().int().nonnegative() }),
  },
  'strategies.pause': { request: z.object({}).strict(), response: StrategyPauseDto },
  /** Lifts a manual pause and a kill-switch pause: the trader's explicit decision to trade again. */
  'strategies.resume': { request: z.object({}).strict(), response: StrategyPauseDto },
} as const;
