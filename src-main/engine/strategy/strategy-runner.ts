import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { SignalDto } from '../../../src-shared/contract/schemas';
import {
  conditionProgress, evaluateGroup, readingFor, sectionIndicators, type ConditionProgress, type EvaluateOptions, type IndicatorLookup,
} from '../../../src-shared/strategy/evaluate';
import {
  strategyId as strategyIdOf, type ConditionNode, type IndicatorType, type StrategyDefinition, type StrategySectionKey, type TradeDirection,
} from '../../../src-shared/strategy/schema';
import type { Clock, TimerHandle } from '../clock/clock';

/**
 * The per-(strategy, symbol) state machine of ARCHITECTURE §6:
 *
 *   MONITORING ─S1→ SIGNAL_DETECTED ─O1 (conditions or timeout)→ SIGNAL_CANCELLED → COOLDOWN
 *                                   └Z1→ ENTRY_EVALUATION ─accepted→ POSITION_ACTIVE ─E1|ZE1→ EXITED
 *                                                          └denied→ COOLDOWN (or MONITORING)
 *   EXITED ─position closed→ COOLDOWN ─elapsed→ MONITORING
 *
 * A symbol held (SIGNAL_DETECTED … EXITED) by one strategy cannot be taken by another, and
 * every held symbol uses one of the engine-wide signal slots until its position is closed.
 * Time is the injected clock's (event time in replay), so a replay is bit-for-bit repeatable.
 */

export type SignalSection = SignalDto['section'];
export type StrategyStateName = SignalDto['state'];
export type ExitSection = 'ZE1' | 'E1';

export const DEFAULT_SIGNAL_SLOTS = 3;
export const DEFAULT_DENIAL_COOLDOWN_MS = 60_000;

export interface EntryRequest {
  /** The Z1 signal that asked for this entry. */
  signalId: string;
  strategyId: string;
  instrumentId: string;
  sessionId: string | null;
  direction: TradeDirection;
  /** Last trade price when Z1 fired (Z1 waits until a price is known). */
  price: number;
  /** fixed: quote currency (USDT) of margin; percentage: of capital. */
  positionSize: { type: 'fixed' | 'percentage'; value: number };
  leverage: number;
  orderType: 'MARKET' | 'LIMIT';
  /** Only when enabled in the strategy; offsets are % of the entry price. */
  stopLoss: { offsetPercent: number } | null;
  takeProfit: { offsetPercent: number } | null;
  ts: number;
}

export interface ExitRequest {
  signalId: string;
  strategyId: string;
  instrumentId: string;
  sessionId: string | null;
  direction: TradeDirection;
  section: ExitSection;
  /** Last trade price when the exit fired. */
  price: number;
  /** ZE1: true, true, false. E1: the strategy's emergency_exit.actions. */
  cancelPending: boolean;
  closePosition: boolean;
  logEvent: boolean;
  ts: number;
}

export interface EntryResult {
  accepted: boolean;
  reason?: string | undefined;
}

export interface StrategySymbolState {
  strategyId: string;
  instrumentId: string;
  state: StrategyStateName;
  since: number;
  /** The side being traded; null while monitoring. */
  direction: TradeDirection | null;
  /** When the O1 timeout or the cooldown ends; null otherwise. */
  until: number | null;
}

export interface StrategyProgress {
  strategyId: string;
  instrumentId: string;
  state: StrategyStateName;
  direction: TradeDirection;
  sections: Record<SignalSection, ConditionProgress[]>;
}

export interface StrategyEngineOptions {
  clock: Clock;
  /** Signals held at once across all strategies and symbols (settings; default 3). */
  signalSlots: number;
  onSignal: (signal: SignalDto) => void;
  onEntry: (request: EntryRequest) => void;
  onExit: (request: ExitRequest) => void;
  sessionId: string | null;
  /** Ids for signals; the default counts, so two runs of the same data give the same ids. */
  idFactory?: () => string;
  /**
   * After risk or the venue denies an entry, the symbol rests this long before S1 may fire
   * again; without it a still-true S1/Z1 would ask again on every tick. 0 returns straight to
   * MONITORING.
   */
  denialCooldownMs?: number;
  /** Resolves named variants to their type so a BOTH strategy mirrors them correctly. */
  variantType?: (name: string) => IndicatorType | undefined;
  /** Every state change, for the UI's state overview. */
  onStateChange?: (state: StrategySymbolState) => void;
}

interface StrategyEntry {
  id: string;
  definition: StrategyDefinition;
  indicators: Record<SignalSection, string[]>;
}

interface Tracker {
  strategy: StrategyEntry;
  instrumentId: string;
  state: StrategyStateName;
  since: number;
  direction: TradeDirection | null;
  /** O1 timeout while SIGNAL_DETECTED, end of cooldown while COOLDOWN. */
  deadline: number | null;
  timer: TimerHandle | null;
  entrySignalId: string | null;
  entryValues: Record<string, number | null>;
  entryPrice: number | null;
  exitSection: ExitSection | null;
}

interface MarketView {
  lookup: IndicatorLookup;
  price: number | null;
}

const SECTION_KEYS: Record<SignalSection, StrategySectionKey> = {
  S1: 's1_signal',
  O1: 'o1_cancel',
  Z1: 'z1_entry',
  ZE1: 'ze1_close',
  E1: 'emergency_exit',
};
const SECTIONS = Object.keys(SECTION_KEYS) as SignalSection[];
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function holdsSymbol(state: StrategyStateName): boolean {
  return state === 'SIGNAL_DETECTED' || state === 'ENTRY_EVALUATION' || state === 'POSITION_ACTIVE' || state === 'EXITED';
}

const noValues: IndicatorLookup = () => null;

export class StrategyEngine {
  private readonly strategies = new Map<string, StrategyEntry>();
  /** strategyId → instrumentId → tracker, in the order first seen (states() relies on it). */
  private readonly trackers = new Map<string, Map<string, Tracker>>();
  /** instrumentId → the strategy holding it; its size is the number of slots in use. */
  private readonly locks = new Map<string, string>();
  private readonly markets = new Map<string, MarketView>();
  private readonly dailyEntries = new Map<string, { day: number; count: number }>();
  private readonly pauseReasons = new Set<string>();
  private readonly evaluateOptions: EvaluateOptions;
  private readonly nextId: () => string;
  private readonly denialCooldownMs: number;
  private stopped = false;

  constructor(private readonly options: StrategyEngineOptions) {
    if (!(Number.isInteger(options.signalSlots) && options.signalSlots >= 1)) throw new Error(`signalSlots must be a whole number ≥ 1, got ${options.signalSlots}`);
    const denial = options.denialCooldownMs ?? DEFAULT_DENIAL_COOLDOWN_MS;
    if (!(denial >= 0)) throw new Error(`denialCooldownMs must be ≥ 0, got ${denial}`);
    this.denialCooldownMs = denial;
    this.evaluateOptions = options.variantType === undefined ? {} : { variantType: options.variantType };
    let counter = 0;
    this.nextId = options.idFactory ?? (() => `${options.sessionId ?? 'local'}-sig-${++counter}`);
  }

  addStrategy(definition: StrategyDefinition): Result<string> {
    const id = strategyIdOf(definition);
    if (this.strategies.has(id)) return err('conflict', `a strategy with id "${id}" is already loaded`);
    const indicators = Object.fromEntries(SECTIONS.map((section) => [section, sectionIndicators(definition, SECTION_KEYS[section])])) as Record<SignalSection, string[]>;
    this.strategies.set(id, { id, definition, indicators });
    return ok(id);
  }

  /** Refused while the strategy has an entry in flight or a position: it would be orphaned. */
  removeStrategy(id: string): Result<void> {
    if (!this.strategies.has(id)) return err('not_found', `no strategy "${id}"`);
    const trackers = this.trackers.get(id);
    const busy = [...(trackers?.values() ?? [])].filter((t) => t.state === 'ENTRY_EVALUATION' || t.state === 'POSITION_ACTIVE' || t.state === 'EXITED');
    if (busy.length > 0) return err('conflict', `strategy "${id}" still trades ${busy.map((t) => t.instrumentId).join(', ')}`);
    for (const tracker of trackers?.values() ?? []) {
      this.clearTimer(tracker);
      this.release(tracker);
    }
    this.trackers.delete(id);
    this.strategies.delete(id);
    this.dailyEntries.delete(id);
    return ok(undefined);
  }

  /**
   * Called after the indicators of one symbol were updated. The strategy holding the symbol
   * goes first (its cancel/exit may free the symbol), then every other strategy in load order.
   */
  onIndicators(instrumentId: string, lookup: IndicatorLookup, price: number | null, ts: number): void {
    if (this.stopped) return;
    // a book update carries no trade price: keep the last one
    this.markets.set(instrumentId, { lookup, price: price ?? this.markets.get(instrumentId)?.price ?? null });
    const holder = this.locks.get(instrumentId);
    if (holder !== undefined) {
      const tracker = this.trackers.get(holder)?.get(instrumentId);
      if (tracker !== undefined) this.step(tracker, ts);
    }
    for (const strategy of this.strategies.values()) {
      if (strategy.id === holder) continue;
      const allowed = strategy.definition.global_limits.allowed_symbols;
      if (allowed !== undefined && !allowed.includes(instrumentId)) continue;
      this.step(this.tracker(strategy, instrumentId, ts), ts);
    }
  }

  /** The outcome of risk and order submission for an entry this engine requested. */
  onEntryResult(strategyId: string, instrumentId: string, result: EntryResult): boolean {
    const tracker = this.trackers.get(strategyId)?.get(instrumentId);
    if (tracker === undefined || tracker.state !== 'ENTRY_EVALUATION' || this.stopped) return false;
    const ts = this.options.clock.now();
    if (result.accepted) {
      this.countEntry(tracker.strategy.id, ts);
      this.setState(tracker, 'POSITION_ACTIVE', ts);
      this.emit(tracker, 'Z1', tracker.entryValues, 'entry_accepted', ts);
    } else {
      const direction = this.directionOf(tracker);
      const values = tracker.entryValues;
      this.cooldown(tracker, this.denialCooldownMs, ts);
      this.emit(tracker, 'Z1', values, `entry_denied: ${result.reason ?? 'no reason given'}`, ts, { direction });
    }
    return true;
  }

  /**
   * The position is flat: after our own exit, or closed outside the strategy (stop loss, take
   * profit, liquidation, the trader). The cooldown follows what ended it.
   */
  onPositionClosed(strategyId: string, instrumentId: string): boolean {
    const tracker = this.trackers.get(strategyId)?.get(instrumentId);
    if (tracker === undefined || this.stopped) return false;
    if (tracker.state !== 'ENTRY_EVALUATION' && tracker.state !== 'POSITION_ACTIVE' && tracker.state !== 'EXITED') return false;
    const ts = this.options.clock.now();
    if (tracker.state !== 'EXITED') this.setState(tracker, 'EXITED', ts);
    const definition = tracker.strategy.definition;
    const minutes = tracker.exitSection === 'E1' ? definition.emergency_exit.cooldownMinutes : (definition.global_limits.cooldown_minutes ?? 0);
    this.cooldown(tracker, minutes * MINUTE_MS, ts);
    return true;
  }

  /**
   * After a restart: the strategy held this symbol when the process stopped — its entry order
   * still working (ENTRY_EVALUATION, accepted or denied later by onEntryResult) or its position
   * open (POSITION_ACTIVE, whose exits run as before). Without this a resumed strategy would
   * see the symbol as free and enter it a second time. A restored position counts as an entry
   * on the day it was opened (max_daily_trades). Refused when the strategy is not loaded or
   * another strategy already holds the symbol.
   */
  restore(input: { strategyId: string; instrumentId: string; state: 'ENTRY_EVALUATION' | 'POSITION_ACTIVE'; direction: TradeDirection; since: number; entryPrice: number | null }): Result<void> {
    const strategy = this.strategies.get(input.strategyId);
    if (strategy === undefined) return err('not_found', `no strategy "${input.strategyId}"`);
    const holder = this.locks.get(input.instrumentId);
    if (holder !== undefined && holder !== strategy.id) return err('conflict', `${input.instrumentId} is held by strategy "${holder}"`);
    const tracker = this.tracker(strategy, input.instrumentId, input.since);
    this.clearTimer(tracker);
    tracker.direction = input.direction;
    tracker.exitSection = null;
    tracker.entryPrice = input.entryPrice;
    if (input.state === 'POSITION_ACTIVE') this.countEntry(strategy.id, input.since);
    this.setState(tracker, input.state, input.since);
    return ok(undefined);
  }

  /** Strategy × symbol × state × since, in load order then first-seen order. */
  states(): StrategySymbolState[] {
    const out: StrategySymbolState[] = [];
    for (const trackers of this.trackers.values()) for (const tracker of trackers.values()) out.push(this.snapshot(tracker));
    return out;
  }

  /** Condition progress of every section for the UI; direction defaults to the one being traded. */
  progress(strategyId: string, instrumentId: string, direction?: TradeDirection): StrategyProgress | null {
    const strategy = this.strategies.get(strategyId);
    if (strategy === undefined) return null;
    const tracker = this.trackers.get(strategyId)?.get(instrumentId);
    const definition = strategy.definition;
    const traded = direction ?? tracker?.direction ?? (definition.direction === 'SHORT' ? 'SHORT' : 'LONG');
    const reading = readingFor(definition.direction, traded);
    const lookup = this.markets.get(instrumentId)?.lookup ?? noValues;
    const sections = Object.fromEntries(SECTIONS.map((section) => {
      const group = this.group(strategy, section);
      return [section, group === undefined ? [] : conditionProgress(group, lookup, reading, this.evaluateOptions)];
    })) as Record<SignalSection, ConditionProgress[]>;
    return { strategyId, instrumentId, state: tracker?.state ?? 'MONITORING', direction: traded, sections };
  }

  /**
   * No new S1 or Z1 while any reason holds (stale feed, open circuit breaker, …); O1, E1 and
   * ZE1 keep running because cancelling and exiting only reduce exposure. Reasons are counted
   * separately so one subsystem's resume cannot lift another's pause.
   */
  pause(reason = 'manual'): void {
    this.pauseReasons.add(reason);
  }

  resume(reason = 'manual'): void {
    this.pauseReasons.delete(reason);
  }

  get paused(): boolean {
    return this.pauseReasons.size > 0;
  }

  /** Clears every timer; the engine ignores further input. */
  stop(): void {
    this.stopped = true;
    for (const trackers of this.trackers.values()) for (const tracker of trackers.values()) this.clearTimer(tracker);
  }

  private tracker(strategy: StrategyEntry, instrumentId: string, ts: number): Tracker {
    let trackers = this.trackers.get(strategy.id);
    if (trackers === undefined) {
      trackers = new Map();
      this.trackers.set(strategy.id, trackers);
    }
    let tracker = trackers.get(instrumentId);
    if (tracker === undefined) {
      tracker = {
        strategy, instrumentId, state: 'MONITORING', since: ts, direction: null, deadline: null, timer: null,
        entrySignalId: null, entryValues: {}, entryPrice: null, exitSection: null,
      };
      trackers.set(instrumentId, tracker);
    }
    return tracker;
  }

  private step(tracker: Tracker, ts: number): void {
    // a deadline the clock has not fired yet (caller feeds data ahead of the clock) still counts
    if (tracker.deadline !== null && ts >= tracker.deadline) this.expire(tracker, tracker.deadline);
    switch (tracker.state) {
      case 'MONITORING':
        if (this.trySignal(tracker, ts)) this.whileSignalled(tracker, ts);
        return;
      case 'SIGNAL_DETECTED':
        this.whileSignalled(tracker, ts);
        return;
      case 'POSITION_ACTIVE':
        this.whilePositioned(tracker, ts);
        return;
      case 'SIGNAL_CANCELLED':
      case 'ENTRY_EVALUATION':
      case 'EXITED':
      case 'COOLDOWN':
        return;
    }
  }

  private trySignal(tracker: Tracker, ts: number): boolean {
    const strategy = tracker.strategy;
    const definition = strategy.definition;
    if (!definition.enabled || this.paused) return false;
    if (this.locks.has(tracker.instrumentId)) return false;
    if (this.locks.size >= this.options.signalSlots) return false;
    const perStrategy = definition.global_limits.max_concurrent_signals;
    if (perStrategy !== undefined && this.heldBy(strategy.id) >= perStrategy) return false;
    const daily = definition.global_limits.max_daily_trades;
    if (daily !== undefined && this.entriesToday(strategy.id, ts) >= daily) return false;

    const direction = this.signalDirection(tracker, definition.s1_signal.conditions);
    if (direction === null) return false;
    tracker.direction = direction;
    tracker.exitSection = null;
    this.setState(tracker, 'SIGNAL_DETECTED', ts);
    this.emit(tracker, 'S1', this.values(tracker, 'S1'), 'signal_detected', ts);
    const deadline = Math.ceil(ts + definition.o1_cancel.timeoutSeconds * 1000);
    this.schedule(tracker, deadline);
    return true;
  }

  /**
   * LONG and SHORT strategies read S1 as written. A BOTH strategy takes the side whose reading
   * is true; when both are (only direction-free conditions decided it) it takes neither.
   */
  private signalDirection(tracker: Tracker, group: ConditionNode): TradeDirection | null {
    const lookup = this.lookup(tracker);
    const declared = tracker.strategy.definition.direction;
    if (declared !== 'BOTH') return evaluateGroup(group, lookup, 'LONG', this.evaluateOptions) === 'true' ? declared : null;
    const long = evaluateGroup(group, lookup, 'LONG', this.evaluateOptions) === 'true';
    const short = evaluateGroup(group, lookup, 'SHORT', this.evaluateOptions) === 'true';
    if (long === short) return null;
    return long ? 'LONG' : 'SHORT';
  }

  private whileSignalled(tracker: Tracker, ts: number): void {
    const definition = tracker.strategy.definition;
    const cancel = definition.o1_cancel.conditions;
    if (cancel !== undefined && this.isTrue(tracker, cancel)) {
      this.cancelSignal(tracker, 'cancel_conditions', ts);
      return;
    }
    const price = this.markets.get(tracker.instrumentId)?.price ?? null;
    if (this.paused || price === null || !this.isTrue(tracker, definition.z1_entry.conditions)) return;

    this.clearTimer(tracker);
    const entry = definition.z1_entry;
    const direction = this.directionOf(tracker);
    const signalId = this.nextId();
    tracker.entrySignalId = signalId;
    tracker.entryValues = this.values(tracker, 'Z1');
    tracker.entryPrice = price;
    this.setState(tracker, 'ENTRY_EVALUATION', ts);
    this.emit(tracker, 'Z1', tracker.entryValues, 'entry_requested', ts, { id: signalId });
    // risk may answer synchronously (onEntryResult re-enters); the state is already consistent
    this.options.onEntry({
      signalId,
      strategyId: tracker.strategy.id,
      instrumentId: tracker.instrumentId,
      sessionId: this.options.sessionId,
      direction,
      price,
      positionSize: { type: entry.positionSize.type, value: entry.positionSize.value },
      leverage: entry.leverage,
      orderType: entry.orderType,
      stopLoss: entry.stopLoss?.enabled === true ? { offsetPercent: entry.stopLoss.offsetPercent } : null,
      takeProfit: entry.takeProfit?.enabled === true ? { offsetPercent: entry.takeProfit.offsetPercent } : null,
      ts,
    });
  }

  /** E1 before ZE1: an emergency outranks a normal close. Neither is blocked by pause. */
  private whilePositioned(tracker: Tracker, ts: number): void {
    const definition = tracker.strategy.definition;
    if (this.isTrue(tracker, definition.emergency_exit.conditions)) {
      const actions = definition.emergency_exit.actions;
      this.exit(tracker, 'E1', actions, 'emergency_exit', ts);
    } else if (this.isTrue(tracker, definition.ze1_close.conditions)) {
      this.exit(tracker, 'ZE1', { cancelPending: true, closePosition: true, logEvent: false }, 'close_conditions', ts);
    }
  }

  private exit(tracker: Tracker, section: ExitSection, actions: { cancelPending: boolean; closePosition: boolean; logEvent: boolean }, reason: string, ts: number): void {
    tracker.exitSection = section;
    const signalId = this.nextId();
    this.setState(tracker, 'EXITED', ts);
    this.emit(tracker, section, this.values(tracker, section), reason, ts, { id: signalId });
    // with closePosition false the position is left to the trader; the symbol stays held until it is flat
    this.options.onExit({
      signalId,
      strategyId: tracker.strategy.id,
      instrumentId: tracker.instrumentId,
      sessionId: this.options.sessionId,
      direction: this.directionOf(tracker),
      section,
      // Z1 needed a price and a known price is never forgotten, so the fallbacks are never used
      price: this.markets.get(tracker.instrumentId)?.price ?? tracker.entryPrice ?? 0,
      cancelPending: actions.cancelPending,
      closePosition: actions.closePosition,
      logEvent: actions.logEvent,
      ts,
    });
  }

  private cancelSignal(tracker: Tracker, reason: 'cancel_conditions' | 'timeout', ts: number): void {
    const definition = tracker.strategy.definition;
    this.clearTimer(tracker);
    this.setState(tracker, 'SIGNAL_CANCELLED', ts);
    this.emit(tracker, 'O1', this.values(tracker, 'O1'), reason, ts);
    const minutes = definition.o1_cancel.cooldownMinutes ?? definition.global_limits.cooldown_minutes ?? 0;
    this.cooldown(tracker, minutes * MINUTE_MS, ts);
  }

  private cooldown(tracker: Tracker, durationMs: number, ts: number): void {
    this.clearTimer(tracker);
    if (durationMs <= 0) {
      this.setState(tracker, 'MONITORING', ts);
      return;
    }
    this.setState(tracker, 'COOLDOWN', ts);
    this.schedule(tracker, Math.ceil(ts + durationMs));
  }

  /** A deadline passed: the O1 timeout of a signal, or the end of a cooldown. */
  private expire(tracker: Tracker, at: number): void {
    if (tracker.state === 'SIGNAL_DETECTED') this.cancelSignal(tracker, 'timeout', at);
    else if (tracker.state === 'COOLDOWN') {
      this.clearTimer(tracker);
      this.setState(tracker, 'MONITORING', at);
    } else this.clearTimer(tracker);
  }

  private schedule(tracker: Tracker, deadline: number): void {
    this.clearTimer(tracker);
    tracker.deadline = deadline;
    const clock = this.options.clock;
    tracker.timer = clock.setTimeout(() => {
      tracker.timer = null;
      if (this.stopped || tracker.deadline !== deadline) return;
      this.expire(tracker, deadline);
    }, Math.max(0, deadline - clock.now()));
  }

  private clearTimer(tracker: Tracker): void {
    if (tracker.timer !== null) this.options.clock.clearTimeout(tracker.timer);
    tracker.timer = null;
    tracker.deadline = null;
  }

  private setState(tracker: Tracker, state: StrategyStateName, ts: number): void {
    tracker.state = state;
    tracker.since = ts;
    if (state === 'MONITORING') {
      tracker.direction = null;
      tracker.entrySignalId = null;
      tracker.entryValues = {};
      tracker.entryPrice = null;
    }
    if (holdsSymbol(state)) this.locks.set(tracker.instrumentId, tracker.strategy.id);
    else this.release(tracker);
    this.options.onStateChange?.(this.snapshot(tracker));
  }

  private release(tracker: Tracker): void {
    if (this.locks.get(tracker.instrumentId) === tracker.strategy.id) this.locks.delete(tracker.instrumentId);
  }

  private heldBy(strategyId: string): number {
    let count = 0;
    for (const holder of this.locks.values()) if (holder === strategyId) count++;
    return count;
  }

  private entriesToday(strategyId: string, ts: number): number {
    const entry = this.dailyEntries.get(strategyId);
    return entry !== undefined && entry.day === Math.floor(ts / DAY_MS) ? entry.count : 0;
  }

  private countEntry(strategyId: string, ts: number): void {
    const day = Math.floor(ts / DAY_MS);
    const entry = this.dailyEntries.get(strategyId);
    if (entry === undefined || entry.day !== day) this.dailyEntries.set(strategyId, { day, count: 1 });
    else entry.count++;
  }

  private directionOf(tracker: Tracker): TradeDirection {
    if (tracker.direction === null) throw new Error(`${tracker.strategy.id}/${tracker.instrumentId}: no direction in state ${tracker.state}`);
    return tracker.direction;
  }

  private lookup(tracker: Tracker): IndicatorLookup {
    return this.markets.get(tracker.instrumentId)?.lookup ?? noValues;
  }

  private isTrue(tracker: Tracker, group: ConditionNode): boolean {
    const reading = readingFor(tracker.strategy.definition.direction, this.directionOf(tracker));
    return evaluateGroup(group, this.lookup(tracker), reading, this.evaluateOptions) === 'true';
  }

  private group(strategy: StrategyEntry, section: SignalSection): ConditionNode | undefined {
    return strategy.definition[SECTION_KEYS[section]].conditions;
  }

  /** The raw values of the indicators a section uses, as the signal record of what triggered it. */
  private values(tracker: Tracker, section: SignalSection): Record<string, number | null> {
    const lookup = this.lookup(tracker);
    const out: Record<string, number | null> = {};
    for (const id of tracker.strategy.indicators[section]) {
      const value = lookup(id);
      out[id] = typeof value === 'number' && Number.isFinite(value) ? value : null;
    }
    return out;
  }

  private emit(
    tracker: Tracker, section: SignalSection, indicatorValues: Record<string, number | null>, reason: string, ts: number,
    given: { id?: string; direction?: TradeDirection } = {},
  ): void {
    this.options.onSignal({
      id: given.id ?? this.nextId(),
      sessionId: this.options.sessionId,
      strategyId: tracker.strategy.id,
      instrumentId: tracker.instrumentId,
      section,
      state: tracker.state,
      direction: given.direction ?? this.directionOf(tracker),
      price: this.markets.get(tracker.instrumentId)?.price ?? null,
      indicatorValues,
      reason,
      ts,
    });
  }

  private snapshot(tracker: Tracker): StrategySymbolState {
    return {
      strategyId: tracker.strategy.id,
      instrumentId: tracker.instrumentId,
      state: tracker.state,
      since: tracker.since,
      direction: tracker.direction,
      until: tracker.deadline,
    };
  }
}
