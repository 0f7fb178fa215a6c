import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { SimulatedClock } from '../clock/clock';
import { openStore, type Store } from '../store/store';
import { StrategyLibrary, validationIssues } from './strategy-library';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const example = (file: string): unknown => JSON.parse(readFileSync(path.join(ROOT, 'resources', 'strategies', file), 'utf8'));

let store: Store;
let library: StrategyLibrary;
beforeEach(() => {
  store = openStore(':memory:', { migrationsDir: path.join(ROOT, 'migrations'), clock: new SimulatedClock(1_000) });
  library = new StrategyLibrary(store, () => [{ file: 'pump-long.json', name: 'Pump Long', definition: example('pump-long.json') }]);
});
afterEach(() => store.close());

const withLeverage = (leverage: unknown): Record<string, unknown> => {
  const definition = structuredClone(example('pump-long.json')) as { z1_entry: Record<string, unknown> };
  definition.z1_entry['leverage'] = leverage;
  return definition;
};

describe('strategy library', () => {
  test('validation names each failing JSON path with its own message', () => {
    const result = library.validate(withLeverage(50));
    expect(result.valid).toBe(false);
    expect(result.errors.map((issue) => issue.path)).toEqual(['z1_entry.leverage']);
    expect(result.errors[0]!.message).toMatch(/10/);
    expect(library.validate(example('pump-long.json'))).toEqual({ valid: true, errors: [] });
  });

  test('a message containing the separator stays with its path', () => {
    expect(validationIssues('a.b: first; part two; c: second', ['a.b', 'c'])).toEqual([
      { path: 'a.b', message: 'first; part two' },
      { path: 'c', message: 'second' },
    ]);
  });

  test('saving refuses an invalid definition whole, naming request.definition paths, and stores nothing', () => {
    const result = library.save(withLeverage(50));
    expect(result).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.definition.z1_entry.leverage'] } });
    if (!result.ok) expect(result.error.message).toMatch(/^request\.definition\.z1_entry\.leverage: /);
    expect(store.strategies.list()).toEqual([]);
    expect(library.save('not an object')).toMatchObject({ ok: false, error: { paths: ['request.definition'] } });
  });

  test('saves a valid definition as written under its name slug, lists it before the examples and deletes it', async () => {
    const definition = { ...(example('pump-long.json') as Record<string, unknown>), strategy_name: 'My Pump v2' };
    const saved = library.save(definition);
    expect(saved).toMatchObject({ ok: true, value: { id: 'my-pump-v2', name: 'My Pump v2', source: 'stored', definition } });
    const listed = library.list();
    expect(listed.map((entry) => [entry.id, entry.source])).toEqual([['my-pump-v2', 'stored'], ['pump-long', 'example']]);
    await expect(library.handlers()['strategies.delete']!({ id: 'my-pump-v2' })).resolves.toEqual({ ok: true, value: { deleted: true } });
    expect(library.list().map((entry) => entry.source)).toEqual(['example']);
  });
});
