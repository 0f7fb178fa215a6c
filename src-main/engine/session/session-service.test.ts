import { defaultSettings } from '../../../src-shared/contract/settings';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { EventPayload, Topic } from '../../../src-shared/contract/events';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import { BTC_TRADES, migrationsDir, resourcesDir } from '../../../tests/fixtures/paths';
import { WallClock } from '../clock/clock';
import { loadInstrumentCatalog } from '../data/instruments';
import { RecordingService } from '../data/recording-service';
import { createLogger, memorySink } from '../ops/logger';
import { openStore, type Store } from '../store/store';
import { SessionService } from './session-service';

const instruments = loadInstrumentCatalog(resourcesDir);
const strategy = JSON.parse(readFileSync(path.join(resourcesDir, 'strategies', 'pump-long.json'), 'utf8')) as unknown;

let store: Store;
let sessions: SessionService;
let states: SessionDto[];
let recordingId: string;

beforeEach(async () => {
  store = openStore(':memory:', { migrationsDir });
  states = [];
  const publish = <T extends Topic>(topic: T, payload: EventPayload<T>): void => {
    if (topic === 'session_state') states.push(payload as SessionDto);
  };
  let n = 0;
  sessions = new SessionService({
    store, clock: new WallClock(), instruments, logger: createLogger('test', memorySink()), publish,
    settings: defaultSettings(), idFactory: () => `s${++n}`,
  });
  const imported = await new RecordingService(store, instruments, createLogger('test', memorySink())).importCsv({ path: BTC_TRADES, instrumentId: 'BTC/USDT:USDT' });
  if (!imported.ok) throw new Error(imported.error.message);
  recordingId = imported.value.id;
});
afterEach(async () => {
  await sessions.stopAll();
  store.close();
});

describe('session replay commands', () => {
  test('pause, seek, speed and resume drive a running paper replay, and the session row follows', async () => {
    const handlers = sessions.handlers();
    const started = await handlers['sessions.start']!({ kind: 'paper', recordingId, strategies: [strategy], speed: 1, capital: '10000' });
    if (!started.ok) throw new Error(started.error.message);
    const sessionId = started.value.id;

    const paused = await handlers['sessions.pause']!({ sessionId });
    expect(paused).toMatchObject({ ok: true, value: { sessionId, status: 'paused', paused: true, speed: 1, total: 21_313 } });
    expect(store.sessions.get(sessionId)?.status).toBe('paused');
    expect(states.at(-1)?.status).toBe('paused');

    const seek = await handlers['sessions.seek']!({ sessionId, ts: 1723161256322 + 60_000 });
    expect(seek).toMatchObject({ ok: true, value: { seekTargetTs: 1723161256322 + 60_000 } });
    const speed = await handlers['sessions.setSpeed']!({ sessionId, speed: 0 });
    expect(speed).toMatchObject({ ok: true, value: { speed: 0 } });

    const resumed = await handlers['sessions.resume']!({ sessionId });
    expect(resumed).toMatchObject({ ok: true, value: { status: 'running', paused: false } });
    await sessions.whenDone(sessionId);
    expect(store.sessions.get(sessionId)).toMatchObject({ status: 'completed', progress: 1 });
    expect(sessions.result(sessionId)?.ticks).toBe(21_313);

    // finished: there is nothing left to control
    expect(await handlers['sessions.pause']!({ sessionId })).toMatchObject({ ok: false, error: { type: 'conflict', paths: ['request.sessionId'] } });
    expect(await handlers['sessions.seek']!({ sessionId: 'nope', ts: 1 })).toMatchObject({ ok: false, error: { type: 'not_found' } });
  });

  test('a paused session can be stopped, and ends as stopped', async () => {
    const handlers = sessions.handlers();
    const started = await handlers['sessions.start']!({ kind: 'paper', recordingId, strategies: [strategy], speed: 1, capital: '10000' });
    if (!started.ok) throw new Error(started.error.message);
    await handlers['sessions.pause']!({ sessionId: started.value.id });
    const stopped = await handlers['sessions.stop']!({ sessionId: started.value.id });
    expect(stopped).toMatchObject({ ok: true, value: { status: 'stopped' } });
  });
});
