import { describe, expect, test } from 'vitest';
import type { CommandInput, CommandName, SurgeApi } from '../../../src-shared/contract/commands';
import type { LiveSessionDto } from '../../../src-shared/contract/live-commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import { createOnlineSessionsStore } from './online-sessions-store';

const dto = (phase: LiveSessionDto['phase'], differences: LiveSessionDto['differences'] = []): LiveSessionDto => ({
  session: { id: 's1', kind: 'live', status: 'created', name: 'live', instruments: ['BTC/USDT:USDT'], strategyIds: ['p'], dataSessionId: null, startedAt: 1, endedAt: null, progress: null, error: null, createdAt: 1 },
  phase,
  differences,
  detail: null,
});

/** An engine stub answering each command from a queue, recording what was sent. */
function engine(answers: Partial<Record<CommandName, Array<Result<unknown>>>>) {
  const sent: Array<{ name: CommandName; request: unknown }> = [];
  const api: SurgeApi = {
    invoke: <N extends CommandName>(name: N, request: CommandInput<N>) => {
      sent.push({ name, request });
      const answer = answers[name]?.shift() ?? err('internal', `no answer for ${name}`);
      return Promise.resolve(answer as never);
    },
    subscribe: () => () => undefined,
  } as unknown as SurgeApi;
  return { api, sent };
}

describe('online sessions store', () => {
  test('arming sends the explicit confirm and keeps the engine’s answer', async () => {
    const { api, sent } = engine({ 'sessions.arm': [ok(dto('armed'))] });
    const store = createOnlineSessionsStore(api);
    const pendingDuring = store.getState().arm('s1');
    expect(store.getState().pending['s1']).toBe('arm');
    await pendingDuring;
    expect(sent).toEqual([{ name: 'sessions.arm', request: { sessionId: 's1', confirm: true } }]);
    expect(store.getState().byId['s1']?.phase).toBe('armed');
    expect(store.getState().pending['s1']).toBeNull();
  });

  test('a refused resolution is kept for the panel and the last reading stays', async () => {
    const differences = [{ kind: 'exchange_only' as const, instrumentId: 'BTC/USDT:USDT', detail: 'short 2 at the exchange' }];
    const { api } = engine({ 'sessions.online': [ok(dto('reconciling', differences))], 'sessions.resolve': [err('unavailable', 'could not flatten: exchange timeout', ['request.resolution'])] });
    const store = createOnlineSessionsStore(api);
    await store.getState().refresh('s1');
    await store.getState().resolve('s1', 'flatten');
    expect(store.getState().actionErrors['s1']?.message).toBe('could not flatten: exchange timeout');
    expect(store.getState().byId['s1']?.differences).toEqual(differences);
    store.getState().clearActionError('s1');
    expect(store.getState().actionErrors['s1']).toBeNull();
  });

  test('a failed read is remembered until a good one replaces it', async () => {
    const { api } = engine({ 'sessions.online': [err('conflict', 'session s1 is not a running online session (live, stopped)'), ok(dto('ready'))] });
    const store = createOnlineSessionsStore(api);
    await store.getState().refresh('s1');
    expect(store.getState().readErrors['s1']).toMatch(/not a running online session/);
    await store.getState().refresh('s1');
    expect(store.getState().readErrors['s1']).toBeUndefined();
    expect(store.getState().byId['s1']?.phase).toBe('ready');
  });

  test('starting reports progress and returns the engine’s refusal as it is', async () => {
    const { api } = engine({ 'sessions.startOnline': [err('unavailable', 'the session could not start: getaddrinfo ENOTFOUND contract.mexc.com')] });
    const store = createOnlineSessionsStore(api);
    const started = store.getState().start({ kind: 'paper', symbols: ['BTC/USDT:USDT'], strategies: [{}], capital: '100' });
    expect(store.getState().starting).toBe(true);
    const result = await started;
    expect(store.getState().starting).toBe(false);
    expect(!result.ok && result.error.message).toMatch(/could not start/);
  });
});
