import { describe, expect, test } from 'vitest';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import type { EventEnvelope } from '../../src-shared/contract/events';
import { ok, type Result } from '../../src-shared/contract/result';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../src-shared/contract/wire';
import type { EngineHost } from '../engine/host';
import { isAllowedExternalUrl, isAppUrl } from './app-origin';
import { PRELOAD_EVENT_CHANNEL, PRELOAD_INVOKE_CHANNEL } from './ipc-channels';
import { registerIpcHandlers } from './ipc-main-adapter';

type InvokeHandler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

class FakeIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();
  handle(channel: string, handler: InvokeHandler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  call(frameUrl: string | null, ...args: unknown[]): Promise<unknown> {
    const event = { senderFrame: frameUrl === null ? null : { url: frameUrl } } as unknown as IpcMainInvokeEvent;
    return this.handlers.get(IPC_INVOKE_CHANNEL)!(event, ...args);
  }
}

class StubEngine implements EngineHost {
  readonly invocations: Array<[string, unknown]> = [];
  readonly listeners = new Set<(envelope: EventEnvelope) => void>();
  async invoke(name: string, request: unknown): Promise<Result<unknown>> {
    this.invocations.push([name, request]);
    if (name === 'throws') throw new Error('broken');
    return ok({ name });
  }
  subscribeEvents(listener: (envelope: EventEnvelope) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  health(): never {
    throw new Error('not used');
  }
  metrics(): never {
    throw new Error('not used');
  }
  ingestAlertmanagerWebhook(): never {
    throw new Error('not used');
  }
}

function fakeContents(url: string, destroyed = false): WebContents & { sent: Array<[string, unknown]> } {
  const sent: Array<[string, unknown]> = [];
  return { sent, isDestroyed: () => destroyed, getURL: () => url, send: (channel: string, payload: unknown) => sent.push([channel, payload]) } as unknown as WebContents & {
    sent: Array<[string, unknown]>;
  };
}

const APP_PAGE = 'app://surge/index.html';

describe('registerIpcHandlers', () => {
  test('hands the command name and untouched request from our own page to the engine', async () => {
    const ipc = new FakeIpcMain();
    const engine = new StubEngine();
    registerIpcHandlers(ipc, engine, () => []);
    expect(await ipc.call(APP_PAGE, 'sessions.list', { any: 'thing' })).toEqual({ ok: true, value: { name: 'sessions.list' } });
    expect(engine.invocations).toEqual([['sessions.list', { any: 'thing' }]]);
  });

  test.each([
    ['a remote page', 'https://evil.example/'],
    ['a file:// page', 'file:///etc/passwd'],
    ['a look-alike app host', 'app://surge.evil/index.html'],
    ['a destroyed frame', null],
  ])('refuses %s without reaching the engine', async (_what, url) => {
    const ipc = new FakeIpcMain();
    const engine = new StubEngine();
    const refused: Array<string | null> = [];
    registerIpcHandlers(ipc, engine, () => [], { onRefused: (_reason, from) => refused.push(from) });
    expect(await ipc.call(url, 'sessions.list', {})).toMatchObject({ ok: false, error: { type: 'unauthorized' } });
    expect(engine.invocations).toEqual([]);
    expect(refused).toEqual([url]);
  });

  test('a non-string command name is a validation error, and an engine that throws still answers with data', async () => {
    const ipc = new FakeIpcMain();
    registerIpcHandlers(ipc, new StubEngine(), () => []);
    expect(await ipc.call(APP_PAGE, 42, {})).toMatchObject({ ok: false, error: { type: 'validation', paths: ['name'] } });
    expect(await ipc.call(APP_PAGE, 'throws', {})).toMatchObject({ ok: false, error: { type: 'internal' } });
  });

  test('forwards pushed events only to live windows showing our own page', () => {
    const ipc = new FakeIpcMain();
    const engine = new StubEngine();
    const ours = fakeContents(APP_PAGE);
    const closed = fakeContents(APP_PAGE, true);
    const foreign = fakeContents('https://evil.example/');
    registerIpcHandlers(ipc, engine, () => [ours, closed, foreign]);
    const envelope = { topic: 'risk_alert', payload: { id: 'x' } } as unknown as EventEnvelope;
    for (const listener of engine.listeners) listener(envelope);
    expect(ours.sent).toEqual([[IPC_EVENT_CHANNEL, envelope]]);
    expect(closed.sent).toEqual([]);
    expect(foreign.sent).toEqual([]);
  });

  test('dispose removes the handler and the event subscription, so it can be registered again', () => {
    const ipc = new FakeIpcMain();
    const engine = new StubEngine();
    const dispose = registerIpcHandlers(ipc, engine, () => []);
    dispose();
    expect(ipc.handlers.size).toBe(0);
    expect(engine.listeners.size).toBe(0);
    registerIpcHandlers(ipc, engine, () => []);
    expect(ipc.handlers.size).toBe(1);
  });
});

test('the preload uses the same channel names as the contract', () => {
  expect(PRELOAD_INVOKE_CHANNEL).toBe(IPC_INVOKE_CHANNEL);
  expect(PRELOAD_EVENT_CHANNEL).toBe(IPC_EVENT_CHANNEL);
});

describe('app origin', () => {
  test('only app://surge is our renderer', () => {
    expect(isAppUrl('app://surge/index.html')).toBe(true);
    expect(isAppUrl('app://surge/assets/x.js')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('file:///app/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });

  test('only plain https links to listed hosts may open in the system browser', () => {
    expect(isAllowedExternalUrl('https://futures.mexc.com/exchange/BTC_USDT')).toBe(true);
    expect(isAllowedExternalUrl('http://futures.mexc.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://mexc.com.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pass@www.mexc.com/')).toBe(false);
    expect(isAllowedExternalUrl('https://www.mexc.com:8443/')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
  });
});
