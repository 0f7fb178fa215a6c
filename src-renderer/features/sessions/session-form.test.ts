import { describe, expect, test } from 'vitest';
import type { CredentialsStatusDto } from '../../../src-shared/contract/credentials-commands';
import { errorForField, isFormLevelError } from '../../lib/result-text';
import { FACTORY_DEFAULTS, type SessionDefaults } from './session-defaults';
import { capitalProblem, liveTradingBlocker, planSession } from './session-form';

const strategy = { strategy_name: 'pump' };
const FIELDS = ['recordingId', 'symbols', 'strategies', 'kind', 'speed', 'capital'];
const keysSet: CredentialsStatusDto = { available: true, exchanges: [{ exchange: 'mexc', apiKeySet: true, apiKeyHint: '…abcd' }] };

const online = (overrides: Partial<SessionDefaults> = {}): SessionDefaults => ({ ...FACTORY_DEFAULTS, kind: 'online-paper', symbols: ['BTC/USDT:USDT'], strategyKeys: ['example:pump'], capital: '1000', ...overrides });

describe('whether live trading may start from here', () => {
  test('needs a keychain and MEXC keys in it, and says which is missing', () => {
    expect(liveTradingBlocker(keysSet, null)).toBeNull();
    expect(liveTradingBlocker({ available: true, exchanges: [{ exchange: 'mexc', apiKeySet: false, apiKeyHint: null }] }, null)).toMatch(/no MEXC API keys are set.*Settings/);
    expect(liveTradingBlocker({ available: true, exchanges: [] }, null)).toMatch(/no MEXC API keys/);
    expect(liveTradingBlocker({ available: false, reason: 'no Secret Service on this desktop', exchanges: [] }, null)).toMatch(/no OS keychain here \(no Secret Service on this desktop\)/);
  });

  test('stays off while the status is unknown, naming why', () => {
    expect(liveTradingBlocker(null, null)).toMatch(/checking the keychain/);
    expect(liveTradingBlocker(null, 'link lost')).toMatch(/cannot tell.*link lost/);
  });
});

describe('the budget as typed', () => {
  test('accepts a positive decimal and refuses anything else with a plain reason', () => {
    expect(capitalProblem('1000')).toBeNull();
    expect(capitalProblem(' 2500.50 ')).toBeNull();
    expect(capitalProblem('')).toMatch(/enter a budget/);
    expect(capitalProblem('1e4')).toMatch(/"1e4" is not an amount/);
    expect(capitalProblem('-5')).toMatch(/is not an amount/);
    expect(capitalProblem('0.000')).toBe('must be greater than zero');
  });
});

describe('planning a session from the starter', () => {
  test('an online paper choice becomes a startOnline request of kind paper', () => {
    const plan = planSession(online({ capital: ' 750 ' }), [strategy], 'no keys');
    expect(plan).toEqual({ ok: true, value: { mode: 'online', request: { kind: 'paper', symbols: ['BTC/USDT:USDT'], strategies: [strategy], capital: '750' } } });
  });

  test('live needs the keys: without them the reason sits at the kind field', () => {
    const refused = planSession(online({ kind: 'live' }), [strategy], 'no MEXC API keys are set');
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(errorForField(refused.error, 'kind')).toBe('no MEXC API keys are set');
    const allowed = planSession(online({ kind: 'live' }), [strategy], null);
    expect(allowed.ok && allowed.value.mode === 'online' && allowed.value.request.kind).toBe('live');
  });

  test('names every missing choice at its own field at once', () => {
    const result = planSession(online({ symbols: [], capital: 'lots' }), [], null);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(errorForField(result.error, 'symbols')).toBe('pick at least one symbol');
    expect(errorForField(result.error, 'strategies')).toBe('pick at least one strategy');
    expect(errorForField(result.error, 'capital')).toMatch(/"lots" is not an amount/);
    expect(errorForField(result.error, 'recordingId')).toBeNull();
    expect(isFormLevelError(result.error, FIELDS)).toBe(false);
  });

  test('a replay needs a recording, not symbols, and sends its speed (none for a backtest)', () => {
    const missing = planSession({ ...FACTORY_DEFAULTS, kind: 'paper', strategyKeys: ['x'] }, [strategy], null);
    expect(!missing.ok && errorForField(missing.error, 'recordingId')).toMatch(/pick a recording/);
    expect(!missing.ok && errorForField(missing.error, 'symbols')).toBeNull();
    const paper = planSession({ ...FACTORY_DEFAULTS, kind: 'paper', recordingId: 'r1', speed: 20 }, [strategy], null);
    expect(paper).toEqual({ ok: true, value: { mode: 'replay', request: { kind: 'paper', recordingId: 'r1', strategies: [strategy], speed: 20, capital: '10000' } } });
    const backtest = planSession({ ...FACTORY_DEFAULTS, kind: 'backtest', recordingId: 'r1', speed: 20 }, [strategy], null);
    expect(backtest.ok && backtest.value.request).toMatchObject({ kind: 'backtest', speed: 0 });
  });

  test('the contract has the last word: more symbols than it allows are refused at the symbols field', () => {
    const many = Array.from({ length: 21 }, (_, index) => `S${index}/USDT:USDT`);
    const result = planSession(online({ symbols: many }), [strategy], null);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.paths).toEqual(['request.symbols']);
    expect(errorForField(result.error, 'symbols')).not.toBeNull();
  });
});
