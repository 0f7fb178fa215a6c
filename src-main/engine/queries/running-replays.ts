import type { StrategyProgress, StrategySymbolState } from '../strategy/strategy-runner';

/** What the UI queries need from a replay while it runs; ReplaySession provides it. */
export interface RunningReplay {
  /** The session's simulated clock: data time. */
  readonly clock: { now(): number };
  strategyStates(): StrategySymbolState[];
  strategyProgress(strategyId: string, instrumentId: string): StrategyProgress | null;
  controls(): { speed: number; paused: boolean; positionTs: number | null };
}

/** The running replays by session; SessionService provides it. */
export interface RunningReplays {
  replay(sessionId: string): RunningReplay | undefined;
  runningSessionIds(): string[];
}
