import { describe, expect, test } from 'vitest';
import { FACTORY_DEFAULTS, readSessionDefaults, resolveDefaults, SESSION_DEFAULTS_KEY, writeSessionDefaults } from './session-defaults';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value) };
}

describe('quick session defaults', () => {
  test('remembers the last choices across reads', () => {
    const storage = memoryStorage();
    const choices = { kind: 'paper' as const, recordingId: 'r1', strategyKeys: ['example:pump-long', 'stored:mine'], speed: 20, capital: '2500' };
    writeSessionDefaults(storage, choices);
    expect(readSessionDefaults(storage)).toEqual(choices);
  });

  test('falls back field by field when the stored entry is missing, broken or edited by hand', () => {
    expect(readSessionDefaults(memoryStorage())).toEqual(FACTORY_DEFAULTS);
    expect(readSessionDefaults(memoryStorage({ [SESSION_DEFAULTS_KEY]: '{not json' }))).toEqual(FACTORY_DEFAULTS);
    expect(readSessionDefaults(memoryStorage({ [SESSION_DEFAULTS_KEY]: JSON.stringify({ kind: 'live', speed: -3, capital: '1e9', strategyKeys: [1, 'example:x'] }) }))).toEqual({
      ...FACTORY_DEFAULTS,
      strategyKeys: ['example:x'],
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
});
