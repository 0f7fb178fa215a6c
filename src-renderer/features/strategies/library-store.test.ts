import { describe, expect, test } from 'vitest';
import type { SurgeApi } from '../../../src-shared/contract/commands';
import { err, type Result } from '../../../src-shared/contract/result';
import { createLibraryStore } from './library-store';

describe('strategy library store', () => {
  test('a refused save that answers after the text changed does not mark the new text', async () => {
    let answer: (result: Result<unknown>) => void = () => undefined;
    const api: SurgeApi = {
      invoke: ((name: string) =>
        name === 'strategies.save'
          ? new Promise<Result<unknown>>((resolve) => {
              answer = resolve;
            })
          : Promise.resolve({ ok: true, value: [] })) as SurgeApi['invoke'],
      subscribe: () => () => undefined,
    };
    const library = createLibraryStore(api);
    const saving = library.getState().save({ strategy_name: 'x' });
    library.getState().clearResult(); // the trader kept typing
    answer(err('validation', 'request.definition.z1_entry.leverage: too big', ['request.definition.z1_entry.leverage']));
    await saving;
    expect(library.getState()).toMatchObject({ saving: false, saveError: null });

    const again = library.getState().save({ strategy_name: 'x' });
    answer(err('validation', 'request.definition.z1_entry.leverage: too big', ['request.definition.z1_entry.leverage']));
    await again;
    expect(library.getState().saveError?.paths).toEqual(['request.definition.z1_entry.leverage']);
  });
});
