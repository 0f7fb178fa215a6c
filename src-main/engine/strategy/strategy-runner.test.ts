import { describe, expect, test } from 'vitest';
import { SignalDto } from '../../../src-shared/contract/schemas';
import { validateStrategy, type StrategyDefinition, type StrategyInput } from '../../../src-shared/strategy/schema';
import { SimulatedClock } from '../clock/clock';
import { StrategyEngine, type EntryRequest, type ExitRequest, type StrategyEngineOptions } from './strategy-runner';

const T0 = Date.UTC(2024, 7, 8, 23, 55, 0);
const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const SOL = 'SOL/USDT:USDT';

type Values = Record<string, number | null>;

function strategy(overrides: Partial<StrategyInput> = {}): StrategyDefinition {
  const input: StrategyInput = {
    strategy_name: 'Pump',
    direction: 'LONG',
    enabled: true,
    global_limits: {},
    s1_signal: { conditions: [{ id: 's1', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '>', value: 2 }] },
    o1_cancel: { timeoutSeconds: 30, cooldownMinutes: 1, conditions: [{ id: 'o1', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '<', value: 0 }] },
    z1_entry: {
      conditions: [{ id: 'z1', indicatorId: 'VOLUME_SURGE_RATIO', operator: '>', value: 3 }],
      positionSize: { type: 'percentage', value: 5 },
      leverage: 3,
      stopLoss: { enabled: true, offsetPercent: 1.5 },
      takeProfit: { enabled: false, offsetPercent: 4 },
    },
    ze1_close: { conditions: [{ id: 'ze1', indicatorId: 'UNREALIZED_PNL_PCT', operator: '>=', value: 1 }] },
    emergency_exit: {
      conditions: [{ id: 'e1', indicatorId: 'UNREALIZED_PNL_PCT', operator: '<=', value: -5 }],
      cooldownMinutes: 5,
      actions: { cancelPending: true, closePosition: true, logEvent: true },
    },
    ...overrides,
  };
  const result = validateStrategy(input);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

function harness(options: Partial<StrategyEngineOptions> & { answer?: (request: EntryRequest) => void } = {}) {
  const clock = new SimulatedClock(T0);
  const signals: SignalDto[] = [];
  const entries: EntryRequest[] = [];
  const exits: ExitRequest[] = [];
  const engine = new StrategyEngine({
    clock,
    signalSlots: 3,
    sessionId: 'sess',
    onSignal: (signal) => signals.push(SignalDto.parse(signal)),
    onEntry: (request) => {
      entries.push(request);
      options.answer?.(request);
    },
    onExit: (request) => exits.push(request),
    ...options,
  });
  const values = new Map<string, Values>();
  /** Moves the clock on and delivers one indicator update for a symbol. */
  const feed = (instrumentId: string, update: Values, afterMs = 1_000, price: number | null = 100): void => {
    clock.advanceBy(afterMs);
    const current = { ...(values.get(instrumentId) ?? {}), ...update };
    values.set(instrumentId, current);
    engine.onIndicators(instrumentId, (id) => current[id], price, clock.now());
  };
  const state = (strategyId: string, instrumentId: string) => engine.states().find((s) => s.strategyId === strategyId && s.instrumentId === instrumentId)?.state;
  const trail = () => signals.map((s) => `${s.section}:${s.state}`);
  return { clock, engine, signals, entries, exits, feed, state, trail };
}

const QUIET: Values = { PUMP_MAGNITUDE_PCT: 0.5, VOLUME_SURGE_RATIO: 1, UNREALIZED_PNL_PCT: null };

describe('StrategyEngine', () => {
  test('walks the full LONG path: S1, Z1, accepted entry, ZE1 exit, cooldown, monitoring', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ global_limits: { cooldown_minutes: 2 } }));
    h.feed(BTC, QUIET);
    expect(h.state('pump', BTC)).toBe('MONITORING');
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.state('pump', BTC)).toBe('SIGNAL_DETECTED');
    h.feed(BTC, { VOLUME_SURGE_RATIO: 4 });
    expect(h.state('pump', BTC)).toBe('ENTRY_EVALUATION');
    expect(h.entries).toEqual([{
      signalId: 'sess-sig-2', strategyId: 'pump', instrumentId: BTC, sessionId: 'sess', direction: 'LONG', price: 100,
      positionSize: { type: 'percentage', value: 5 }, leverage: 3, orderType: 'MARKET', stopLoss: { offsetPercent: 1.5 }, takeProfit: null, ts: T0 + 3_000,
    }]);
    expect(h.engine.onEntryResult('pump', BTC, { accepted: true })).toBe(true);
    expect(h.state('pump', BTC)).toBe('POSITION_ACTIVE');
    h.feed(BTC, { UNREALIZED_PNL_PCT: 0.4 });
    expect(h.exits).toEqual([]);
    h.feed(BTC, { UNREALIZED_PNL_PCT: 1.2 }, 1_000, 101.2);
    expect(h.state('pump', BTC)).toBe('EXITED');
    expect(h.exits).toEqual([{
      signalId: 'sess-sig-4', strategyId: 'pump', instrumentId: BTC, sessionId: 'sess', direction: 'LONG', section: 'ZE1', price: 101.2,
      cancelPending: true, closePosition: true, logEvent: false, ts: T0 + 5_000,
    }]);
    h.engine.onPositionClosed('pump', BTC);
    expect(h.engine.states()[0]).toMatchObject({ state: 'COOLDOWN', until: T0 + 5_000 + 120_000 });
    h.clock.advanceBy(120_000);
    expect(h.state('pump', BTC)).toBe('MONITORING');
    expect(h.trail()).toEqual(['S1:SIGNAL_DETECTED', 'Z1:ENTRY_EVALUATION', 'Z1:POSITION_ACTIVE', 'ZE1:EXITED']);
  });

  test('records the values of the section that triggered each signal', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 }, 1_000, 61_800.3);
    expect(h.signals[0]).toMatchObject({
      id: 'sess-sig-1', sessionId: 'sess', strategyId: 'pump', instrumentId: BTC, section: 'S1', state: 'SIGNAL_DETECTED',
      direction: 'LONG', price: 61_800.3, indicatorValues: { PUMP_MAGNITUDE_PCT: 2.5 }, reason: 'signal_detected', ts: T0 + 1_000,
    });
  });

  test('a SHORT strategy reads its conditions as written and trades SHORT', () => {
    const h = harness({ answer: (request) => h.engine.onEntryResult(request.strategyId, request.instrumentId, { accepted: true }) });
    h.engine.addStrategy(strategy({
      strategy_name: 'Dump',
      direction: 'SHORT',
      s1_signal: { conditions: [{ id: 's1', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '<', value: -2 }] },
      o1_cancel: { timeoutSeconds: 30 },
    }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.signals).toEqual([]);
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: -2.5, VOLUME_SURGE_RATIO: 4 });
    expect(h.entries.map((e) => e.direction)).toEqual(['SHORT']);
    expect(h.signals.every((s) => s.direction === 'SHORT')).toBe(true);
    expect(h.state('dump', BTC)).toBe('POSITION_ACTIVE');
  });

  test('a BOTH strategy goes LONG on a pump and SHORT on a dump, reading every section mirrored for SHORT', () => {
    const h = harness({ answer: (request) => h.engine.onEntryResult(request.strategyId, request.instrumentId, { accepted: true }) });
    h.engine.addStrategy(strategy({
      strategy_name: 'Both',
      direction: 'BOTH',
      o1_cancel: { timeoutSeconds: 30 },
      z1_entry: {
        conditions: [{ id: 'z1', indicatorId: 'PRICE_VELOCITY', operator: '>', value: 0.01 }],
        positionSize: { type: 'fixed', value: 100 },
        leverage: 2,
      },
    }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, PRICE_VELOCITY: -0.05 });
    expect(h.signals.map((s) => [s.section, s.direction])).toEqual([['S1', 'LONG']]);
    // the pump is there but Z1's velocity is falling: no LONG entry
    expect(h.entries).toEqual([]);

    h.feed(ETH, { ...QUIET, PUMP_MAGNITUDE_PCT: -2.5, PRICE_VELOCITY: -0.05 });
    expect(h.entries.map((e) => [e.instrumentId, e.direction])).toEqual([[ETH, 'SHORT']]);
    // O1 (pump < 0) read mirrored: the dump deepening must not cancel the SHORT signal
    expect(h.signals.filter((s) => s.section === 'O1')).toEqual([]);
  });

  test('a BOTH strategy takes no side when its S1 is true both ways', () => {
    const h = harness();
    h.engine.addStrategy(strategy({
      strategy_name: 'Both',
      direction: 'BOTH',
      s1_signal: { conditions: { any: [{ id: 's1-pump', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '>', value: 2 }, { id: 's1-vol', indicatorId: 'VOLUME_SURGE_RATIO', operator: '>', value: 3 }] } },
    }));
    h.feed(BTC, { ...QUIET, VOLUME_SURGE_RATIO: 5 });
    expect(h.signals).toEqual([]);
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 1 });
    expect(h.signals.map((s) => s.direction)).toEqual(['LONG']);
  });

  test('O1 cancels on its conditions and the symbol cools down for o1_cancel.cooldownMinutes', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: -0.1 });
    expect(h.trail()).toEqual(['S1:SIGNAL_DETECTED', 'O1:SIGNAL_CANCELLED']);
    expect(h.signals[1]).toMatchObject({ reason: 'cancel_conditions', indicatorValues: { PUMP_MAGNITUDE_PCT: -0.1 } });
    expect(h.engine.states()[0]).toMatchObject({ state: 'COOLDOWN', since: T0 + 2_000, until: T0 + 2_000 + 60_000 });
  });

  test('O1 fires on timeoutSeconds measured on the clock, with no further data', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.clock.advanceBy(29_999);
    expect(h.state('pump', BTC)).toBe('SIGNAL_DETECTED');
    h.clock.advanceBy(1);
    expect(h.signals[1]).toMatchObject({ section: 'O1', state: 'SIGNAL_CANCELLED', reason: 'timeout', ts: T0 + 31_000 });
    expect(h.state('pump', BTC)).toBe('COOLDOWN');
  });

  test('the O1 timeout counts even when data arrives ahead of the clock', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    // the caller reports an update 40 s later without having advanced the clock yet
    h.engine.onIndicators(BTC, (id) => ({ ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 5 })[id], 100, T0 + 41_000);
    expect(h.entries).toEqual([]);
    expect(h.signals[1]).toMatchObject({ section: 'O1', reason: 'timeout', ts: T0 + 31_000 });
  });

  test('a cooldown blocks a new signal until it has elapsed', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: -0.1 }); // O1 at T0+2s, cooldown 1 min
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: 3 }, 59_999);
    expect(h.signals).toHaveLength(2);
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: 3 }, 1);
    expect(h.trail()).toEqual(['S1:SIGNAL_DETECTED', 'O1:SIGNAL_CANCELLED', 'S1:SIGNAL_DETECTED']);
  });

  test('one strategy holds a symbol at a time; another takes it once it is free', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ strategy_name: 'A' }));
    h.engine.addStrategy(strategy({ strategy_name: 'B', o1_cancel: { timeoutSeconds: 30 } }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.feed(ETH, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.signals.map((s) => `${s.strategyId}@${s.instrumentId}`)).toEqual([`a@${BTC}`, `a@${ETH}`]);
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: 2.4 });
    expect(h.state('b', BTC)).toBe('MONITORING');
    // A times out on BTC (O1) and cools down; B, still seeing the pump, takes the symbol
    h.clock.advanceBy(30_000);
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: 2.4 });
    expect(h.state('a', BTC)).toBe('COOLDOWN');
    expect(h.state('b', BTC)).toBe('SIGNAL_DETECTED');
  });

  test('signals wait when every global slot is in use and take a slot once one frees', () => {
    const h = harness({ signalSlots: 2 });
    h.engine.addStrategy(strategy());
    for (const symbol of [BTC, ETH, SOL]) h.feed(symbol, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.signals.map((s) => s.instrumentId)).toEqual([BTC, ETH]);
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: -1 }); // O1 frees BTC's slot
    h.feed(SOL, { PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.state('pump', SOL)).toBe('SIGNAL_DETECTED');
  });

  test('a strategy holds no more symbols than its max_concurrent_signals', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ global_limits: { max_concurrent_signals: 1 } }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.feed(ETH, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.signals.map((s) => s.instrumentId)).toEqual([BTC]);
  });

  test('an indicator without a value never triggers anything', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: null });
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: Number.NaN });
    expect(h.signals).toEqual([]);
    expect(h.engine.progress('pump', BTC)?.sections.S1).toEqual([
      { id: 's1', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '>', value: 2, current: null, compared: null, met: null },
    ]);
    // a signal is up but Z1's indicator has no value yet: no entry
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: null });
    expect(h.entries).toEqual([]);
    expect(h.state('pump', BTC)).toBe('SIGNAL_DETECTED');
  });

  test('E1 is checked before ZE1 and carries the emergency actions', () => {
    const h = harness();
    h.engine.addStrategy(strategy({
      ze1_close: { conditions: [{ id: 'ze1', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '<', value: 0 }] },
      emergency_exit: {
        conditions: [{ id: 'e1', indicatorId: 'UNREALIZED_PNL_PCT', operator: '<=', value: -5 }],
        cooldownMinutes: 5,
        actions: { cancelPending: true, closePosition: false, logEvent: true },
      },
    }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 });
    h.engine.onEntryResult('pump', BTC, { accepted: true });
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: -1, UNREALIZED_PNL_PCT: -6 });
    expect(h.exits).toHaveLength(1);
    expect(h.exits[0]).toMatchObject({ section: 'E1', cancelPending: true, closePosition: false, logEvent: true });
    expect(h.signals.at(-1)).toMatchObject({ section: 'E1', state: 'EXITED', reason: 'emergency_exit', indicatorValues: { UNREALIZED_PNL_PCT: -6 } });
    // without closePosition the symbol stays held until the position is flat, then cools down 5 min
    h.feed(BTC, {});
    expect(h.state('pump', BTC)).toBe('EXITED');
    h.engine.onPositionClosed('pump', BTC);
    expect(h.engine.states()[0]).toMatchObject({ state: 'COOLDOWN', until: h.clock.now() + 5 * 60_000 });
  });

  test('an entry denial is recorded with its reason and rests the symbol for the denial cooldown', () => {
    const h = harness({ denialCooldownMs: 30_000, answer: (request) => h.engine.onEntryResult(request.strategyId, request.instrumentId, { accepted: false, reason: 'max open positions' }) });
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 });
    expect(h.trail()).toEqual(['S1:SIGNAL_DETECTED', 'Z1:ENTRY_EVALUATION', 'Z1:COOLDOWN']);
    expect(h.signals[2]).toMatchObject({ reason: 'entry_denied: max open positions', direction: 'LONG', indicatorValues: { VOLUME_SURGE_RATIO: 4 } });
    h.feed(BTC, {}, 29_000);
    expect(h.signals).toHaveLength(3);
    h.feed(BTC, {}, 1_000);
    expect(h.signals).toHaveLength(6);
  });

  test('with no denial cooldown a denied entry returns straight to monitoring and frees the slot', () => {
    const h = harness({ signalSlots: 1, denialCooldownMs: 0 });
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 });
    h.engine.onEntryResult('pump', BTC, { accepted: false });
    expect(h.state('pump', BTC)).toBe('MONITORING');
    expect(h.signals.at(-1)).toMatchObject({ state: 'MONITORING', reason: 'entry_denied: no reason given' });
    h.feed(ETH, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.state('pump', ETH)).toBe('SIGNAL_DETECTED');
  });

  test('while paused no S1 or Z1 fires, but E1 still exits', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.engine.pause('feed_stale');
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 });
    expect(h.signals).toEqual([]);
    h.engine.resume('feed_stale');
    h.feed(ETH, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 });
    h.engine.onEntryResult('pump', ETH, { accepted: true });
    h.feed(SOL, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.engine.pause('breaker_open');
    h.feed(SOL, { VOLUME_SURGE_RATIO: 4 });
    expect(h.state('pump', SOL)).toBe('SIGNAL_DETECTED');
    h.feed(ETH, { UNREALIZED_PNL_PCT: -7 });
    expect(h.exits.map((e) => [e.instrumentId, e.section])).toEqual([[ETH, 'E1']]);
  });

  test('one pauser resuming does not lift another one\'s pause', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.engine.pause('feed_stale');
    h.engine.pause('breaker_open');
    h.engine.resume('feed_stale');
    expect(h.engine.paused).toBe(true);
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.signals).toEqual([]);
    h.engine.resume('breaker_open');
    h.feed(BTC, {});
    expect(h.signals).toHaveLength(1);
  });

  test('an entry answered synchronously by risk goes straight to POSITION_ACTIVE', () => {
    const h = harness({ answer: (request) => h.engine.onEntryResult(request.strategyId, request.instrumentId, { accepted: true }) });
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 });
    expect(h.trail()).toEqual(['S1:SIGNAL_DETECTED', 'Z1:ENTRY_EVALUATION', 'Z1:POSITION_ACTIVE']);
    expect(h.state('pump', BTC)).toBe('POSITION_ACTIVE');
  });

  test('a position closed outside the strategy (stop loss) cools down by the global cooldown', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ global_limits: { cooldown_minutes: 3 } }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 });
    h.engine.onEntryResult('pump', BTC, { accepted: true });
    expect(h.engine.onPositionClosed('pump', BTC)).toBe(true);
    expect(h.engine.states()[0]).toMatchObject({ state: 'COOLDOWN', until: h.clock.now() + 180_000 });
    expect(h.engine.onPositionClosed('pump', BTC)).toBe(false);
    expect(h.engine.onEntryResult('pump', BTC, { accepted: true })).toBe(false);
  });

  test('max_daily_trades stops new signals until the next UTC day', () => {
    const h = harness({ answer: (request) => h.engine.onEntryResult(request.strategyId, request.instrumentId, { accepted: true }) });
    h.engine.addStrategy(strategy({ global_limits: { max_daily_trades: 1 } }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 });
    h.engine.onPositionClosed('pump', BTC);
    h.feed(BTC, {});
    expect(h.signals.filter((s) => s.section === 'S1')).toHaveLength(1);
    h.feed(BTC, {}, 5 * 60_000); // T0 is 23:55 UTC: this is the next day
    expect(h.signals.filter((s) => s.section === 'S1')).toHaveLength(2);
  });

  test('allowed_symbols keeps a strategy off other symbols', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ global_limits: { allowed_symbols: [ETH] } }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.feed(ETH, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.signals.map((s) => s.instrumentId)).toEqual([ETH]);
    expect(h.engine.states().map((s) => s.instrumentId)).toEqual([ETH]);
  });

  test('a disabled strategy never signals', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ enabled: false }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.signals).toEqual([]);
  });

  test('refuses a second strategy with the same id and the removal of one that holds a position', () => {
    const h = harness();
    expect(h.engine.addStrategy(strategy())).toEqual({ ok: true, value: 'pump' });
    expect(h.engine.addStrategy(strategy())).toMatchObject({ ok: false, error: { type: 'conflict' } });
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 });
    h.engine.onEntryResult('pump', BTC, { accepted: true });
    expect(h.engine.removeStrategy('pump')).toMatchObject({ ok: false, error: { type: 'conflict' } });
    h.engine.onPositionClosed('pump', BTC);
    expect(h.engine.removeStrategy('pump')).toEqual({ ok: true, value: undefined });
    expect(h.engine.states()).toEqual([]);
    expect(h.clock.pendingTimers()).toBe(0);
    expect(h.engine.removeStrategy('pump')).toMatchObject({ ok: false, error: { type: 'not_found' } });
  });

  test('removing a strategy with a pending signal frees its symbol for others', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ strategy_name: 'A' }));
    h.engine.addStrategy(strategy({ strategy_name: 'B' }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.engine.removeStrategy('a').ok).toBe(true);
    h.feed(BTC, {});
    expect(h.state('b', BTC)).toBe('SIGNAL_DETECTED');
  });

  test('progress shows every section for the direction being traded', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ strategy_name: 'Both', direction: 'BOTH', o1_cancel: { timeoutSeconds: 30 } }));
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: -2.5 });
    const progress = h.engine.progress('both', BTC);
    expect(progress).toMatchObject({ state: 'SIGNAL_DETECTED', direction: 'SHORT' });
    expect(progress?.sections.S1[0]).toMatchObject({ current: -2.5, compared: 2.5, met: true });
    expect(progress?.sections.Z1[0]).toMatchObject({ current: 1, met: false });
    expect(progress?.sections.O1).toEqual([]);
    expect(h.engine.progress('nope', BTC)).toBeNull();
  });

  test('two identical runs produce identical signals, ids included', () => {
    const run = (): SignalDto[] => {
      const h = harness({ answer: (request) => h.engine.onEntryResult(request.strategyId, request.instrumentId, { accepted: true }) });
      h.engine.addStrategy(strategy({
        global_limits: { cooldown_minutes: 0.5 },
        emergency_exit: { conditions: [{ id: 'e1', indicatorId: 'UNREALIZED_PNL_PCT', operator: '<=', value: -1.5 }], cooldownMinutes: 1, actions: { cancelPending: true, closePosition: true, logEvent: true } },
      }));
      h.engine.addStrategy(strategy({ strategy_name: 'Dump', direction: 'SHORT', s1_signal: { conditions: [{ id: 's1', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '<', value: -2 }] } }));
      for (let i = 0; i < 400; i++) {
        const wave = Math.sin(i / 7) * 3;
        for (const symbol of [BTC, ETH]) {
          const pnl = h.state('pump', symbol) === 'POSITION_ACTIVE' || h.state('dump', symbol) === 'POSITION_ACTIVE' ? Math.cos(i / 5) * 2 : null;
          h.feed(symbol, { PUMP_MAGNITUDE_PCT: symbol === BTC ? wave : -wave, VOLUME_SURGE_RATIO: 2 + Math.sin(i / 3) * 2, UNREALIZED_PNL_PCT: pnl }, 700);
        }
        for (const s of h.engine.states()) if (s.state === 'EXITED') h.engine.onPositionClosed(s.strategyId, s.instrumentId);
      }
      return h.signals;
    };
    const first = run();
    expect(first.length).toBeGreaterThan(20);
    expect(new Set(first.map((s) => s.section))).toEqual(new Set(['S1', 'O1', 'Z1', 'ZE1', 'E1']));
    expect(run()).toEqual(first);
    expect(first.map((s) => s.id).slice(0, 3)).toEqual(['sess-sig-1', 'sess-sig-2', 'sess-sig-3']);
  });

  test('stop clears every timer and ignores later input', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.feed(ETH, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.feed(ETH, { PUMP_MAGNITUDE_PCT: -1 });
    expect(h.clock.pendingTimers()).toBe(2);
    h.engine.stop();
    expect(h.clock.pendingTimers()).toBe(0);
    h.clock.advanceBy(10 * 60_000);
    h.feed(SOL, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    expect(h.signals).toHaveLength(3);
  });

  test('every state change reaches onStateChange for the UI', () => {
    const changes: string[] = [];
    const h = harness({ onStateChange: (s) => changes.push(s.state) });
    h.engine.addStrategy(strategy());
    h.feed(BTC, { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5 });
    h.feed(BTC, { PUMP_MAGNITUDE_PCT: -1 });
    h.clock.advanceBy(60_000);
    expect(changes).toEqual(['SIGNAL_DETECTED', 'SIGNAL_CANCELLED', 'COOLDOWN', 'MONITORING']);
  });

  test('rejects a settings object without a usable slot count', () => {
    expect(() => harness({ signalSlots: 0 })).toThrow(/signalSlots/);
  });
});

describe('StrategyEngine.restore (resuming after a restart)', () => {
  const ENTERS_AT_ONCE: Values = { ...QUIET, PUMP_MAGNITUDE_PCT: 2.5, VOLUME_SURGE_RATIO: 4 };

  test('a restored position is held: the strategy does not enter the symbol again, and its exits still run', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ global_limits: { cooldown_minutes: 2 } }));
    expect(h.engine.restore({ strategyId: 'pump', instrumentId: BTC, state: 'POSITION_ACTIVE', direction: 'LONG', since: T0 - 60_000, entryPrice: 100 })).toEqual({ ok: true, value: undefined });
    h.feed(BTC, ENTERS_AT_ONCE);
    expect(h.entries).toEqual([]);
    expect(h.engine.states()[0]).toMatchObject({ strategyId: 'pump', instrumentId: BTC, state: 'POSITION_ACTIVE', direction: 'LONG', since: T0 - 60_000 });
    h.feed(BTC, { UNREALIZED_PNL_PCT: 1.2 }, 1_000, 101.2);
    expect(h.exits).toEqual([expect.objectContaining({ strategyId: 'pump', instrumentId: BTC, direction: 'LONG', section: 'ZE1', price: 101.2 })]);
    expect(h.engine.onPositionClosed('pump', BTC)).toBe(true);
    expect(h.state('pump', BTC)).toBe('COOLDOWN');
  });

  test('a restored working entry waits for its order: accepted when it fills, cooled down when it ends unfilled', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.engine.restore({ strategyId: 'pump', instrumentId: BTC, state: 'ENTRY_EVALUATION', direction: 'LONG', since: T0, entryPrice: null });
    h.engine.restore({ strategyId: 'pump', instrumentId: ETH, state: 'ENTRY_EVALUATION', direction: 'LONG', since: T0, entryPrice: null });
    h.feed(BTC, ENTERS_AT_ONCE);
    h.feed(ETH, ENTERS_AT_ONCE);
    expect(h.entries).toEqual([]);
    expect(h.engine.onEntryResult('pump', BTC, { accepted: true })).toBe(true);
    expect(h.state('pump', BTC)).toBe('POSITION_ACTIVE');
    expect(h.engine.onEntryResult('pump', ETH, { accepted: false, reason: 'canceled: not found at the venue after a restart' })).toBe(true);
    expect(h.state('pump', ETH)).toBe('COOLDOWN');
  });

  test('a restored position opened today counts against max_daily_trades', () => {
    const h = harness();
    h.engine.addStrategy(strategy({ global_limits: { max_daily_trades: 1 } }));
    h.engine.restore({ strategyId: 'pump', instrumentId: BTC, state: 'POSITION_ACTIVE', direction: 'LONG', since: T0 - 60_000, entryPrice: 100 });
    h.engine.onPositionClosed('pump', BTC);
    h.feed(ETH, ENTERS_AT_ONCE);
    expect(h.signals.filter((s) => s.section === 'S1')).toEqual([]);
  });

  test('is refused for a strategy that is not loaded, or a symbol another strategy holds', () => {
    const h = harness();
    h.engine.addStrategy(strategy());
    h.engine.addStrategy(strategy({ strategy_name: 'Other' }));
    expect(h.engine.restore({ strategyId: 'gone', instrumentId: BTC, state: 'POSITION_ACTIVE', direction: 'LONG', since: T0, entryPrice: null })).toMatchObject({ ok: false, error: { type: 'not_found' } });
    h.engine.restore({ strategyId: 'pump', instrumentId: BTC, state: 'POSITION_ACTIVE', direction: 'LONG', since: T0, entryPrice: null });
    expect(h.engine.restore({ strategyId: 'other', instrumentId: BTC, state: 'POSITION_ACTIVE', direction: 'LONG', since: T0, entryPrice: null })).toMatchObject({ ok: false, error: { type: 'conflict' } });
  });
});
