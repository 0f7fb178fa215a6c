import { describe, expect, test } from 'vitest';
import { FACTORY_DEFAULTS, isOnlineKind, readSessionDefaults, resolveDefaults, SESSION_DEFAULTS_KEY, writeSessionDefaults, type SessionDefaults } from './session-defaults';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value) };
}

describe('quick session defaults', () => {
  test('remembers the last choices across reads', () => {
    const storage = memoryStorage();
    const choices: SessionDefaults = { kind: 'paper', recordingId: 'r1', symbols: [], strategyKeys: ['example:pump-long', 'stored:mine'], speed: 20, capital: '2500' };
    writeSessionDefaults(storage, choices);
    expect(readSessionDefaults(storage)).toEqual(choices);
  });

  test('remembers an online choice with its symbols, live included', () => {
    for (const kind of ['online-paper', 'live'] as const) {
      const storage = memoryStorage();
      const choices: SessionDefaults = { ...FACTORY_DEFAULTS, kind, symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT'], strategyKeys: ['example:pump-long'], capital: '500' };
      writeSessionDefaults(storage, choices);
      expect(readSessionDefaults(storage)).toEqual(choices);
      expect(isOnlineKind(kind)).toBe(true);
    }
    expect(isOnlineKind('paper')).toBe(false);
    expect(isOnlineKind('backtest')).toBe(false);
  });

  test('falls back field by field when the stored entry is missing, broken or edited by hand', () => {
    expect(readSessionDefaults(memoryStorage())).toEqual(FACTORY_DEFAULTS);
    expect(readSessionDefaults(memoryStorage({ [SESSION_DEFAULTS_KEY]: '{not json' }))).toEqual(FACTORY_DEFAULTS);
    expect(
      readSessionDefaults(memoryStorage({ [SESSION_DEFAULTS_KEY]: JSON.stringify({ kind: 'margin', speed: -3, capital: '1e9', strategyKeys: [1, 'example:x'], symbols: 'BTC' }) })),
    ).toEqual({ ...FACTORY_DEFAULTS, strategyKeys: ['example:x'] });
    // an entry saved before online sessions existed has no symbols
    expect(readSessionDefaults(memoryStorage({ [SESSION_DEFAULTS_KEY]: JSON.stringify({ kind: 'paper', recordingId: 'r', strategyKeys: [], speed: 5, capital: '10' }) }))).toEqual({
      ...FACTORY_DEFAULTS,
      kind: 'paper',
      recordingId: 'r',
      speed: 5,
      capital: '10',
    });
    expect(readSessionDefaults(null)).toEqual(FACTORY_DEFAULTS);
  });

  test('never offers a recording or strategy that no longer exists', () => {
    const saved = { ...FACTORY_DEFAULTS, recordingId: 'gone', strategyKeys: ['stored:gone', 'example:pump-long'] };
    expect(resolveDefaults(saved, { recordingIds: ['r2', 'r3'], strategyKeys: ['example:pump-long', 'example:dump-short'] })).toMatchObject({
      recordingId: 'r2',
      strategyKeys: ['example:pump-long'],
    });
    expect(resolveDefaults({ ...saved, strategyKeys: ['stored:gone'] }, { recordingIds: [], strategyKeys: ['example:dump-short'] })).toMatchObject({
      recordingId: null,
      strategyKeys: ['example:dump-short'],
    });
  });

  test('keeps only symbols the catalogue still lists, falling back to its first, and leaves them be before it has loaded', () => {
    const saved = { ...FACTORY_DEFAULTS, kind: 'online-paper' as const, symbols: ['DOGE/USDT:USDT', 'ETH/USDT:USDT'] };
    const base = { recordingIds: [], strategyKeys: [] };
    expect(resolveDefaults(saved, { ...base, symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT'] }).symbols).toEqual(['ETH/USDT:USDT']);
    expect(resolveDefaults({ ...saved, symbols: ['DOGE/USDT:USDT'] }, { ...base, symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT'] }).symbols).toEqual(['BTC/USDT:USDT']);
    expect(resolveDefaults(saved, base).symbols).toEqual(['DOGE/USDT:USDT', 'ETH/USDT:USDT']);
  });
});
