import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { LiveSessionDto } from '../../src-shared/contract/live-commands';
import { createMexcStream } from '../../src-main/engine/data/mexc-stream';
import { createKernel } from '../../src-main/engine/kernel';
import { createLogger, memorySink } from '../../src-main/engine/ops/logger';
import { CcxtVenue } from '../../src-main/engine/venues/ccxt-venue';
import { MemorySecretStore } from '../fixtures/memory-secret-store';
import { enterOnFirstTrade } from '../fixtures/online-strategy';
import { migrationsDir, resourcesDir } from '../fixtures/paths';
import { startMexcSimulator, type MexcSimulator } from '../mexc-sim';

const API_KEY = 'mx0vgl-online-test-key';
const SECRET = 'online-test-secret-0123456789abcdef';
const BTC = 'BTC/USDT:USDT';

let sim: MexcSimulator | null = null;
let kernel: Awaited<ReturnType<typeof createKernel>> | null = null;
let dataDir = '';

afterEach(async () => {
  await kernel?.stop();
  kernel = null;
  await sim?.close();
  sim = null;
  if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  dataDir = '';
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A kernel whose market stream and exchange are the simulator; keys in an in-memory keychain when `keys`. */
async function boot(options: { keys: boolean }): Promise<{ kernel: NonNullable<typeof kernel>; sim: MexcSimulator }> {
  sim = await startMexcSimulator({ apiKey: API_KEY, secret: SECRET });
  const urls = sim.ccxtUrls();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'surge-online-'));
  const secrets = new MemorySecretStore();
  kernel = await createKernel({ dataDir, migrationsDir, resourcesDir, logSink: memorySink() }, {
    secretStore: secrets,
    openMarketStream: () => createMexcStream({ urls }),
    openExchangeVenue: (keys, { clock, settings }) => new CcxtVenue({
      exchangeId: 'mexc', credentials: { apiKey: keys.apiKey, secret: keys.apiSecret }, urls, clock, logger: createLogger('venues/mexc', memorySink()),
      rateLimitPerSecond: settings.rateLimits.venueRequestsPerSecond, timeoutMs: 2_000,
    }),
  });
  await kernel.start();
  if (options.keys) {
    const set = await kernel.host.invoke('credentials.set', { exchange: 'mexc', apiKey: API_KEY, apiSecret: SECRET });
    if (!set.ok) throw new Error(set.error.message);
  }
  return { kernel, sim };
}

const tradeAt = (s: MexcSimulator, price: number, i = 0): void => s.trade('BTC_USDT', price, 1, 'buy', Date.now() + i);

describe('a paper session on the live feed', () => {
  test('runs from the contract: the strategy enters on the feed, the paper venue fills it, and orders and position are in the store', async () => {
    const { kernel: k, sim: s } = await boot({ keys: false });
    const started = await k.host.invoke('sessions.startOnline', { kind: 'paper', symbols: [BTC], strategies: [enterOnFirstTrade()], capital: '1000' });
    if (!started.ok) throw new Error(started.error.message);
    const { session, phase } = started.value as LiveSessionDto;
    expect(phase).toBe('armed');
    expect(session).toMatchObject({ kind: 'paper', status: 'running' });
    await waitFor(() => s.ws.subscriptions().some((sub) => sub.includes('deal:BTC_USDT')), 'trade stream subscribed');
    // the first trade fires S1 and Z1; the market order fills at the next trade
    for (let i = 0; i < 5; i++) {
      tradeAt(s, 60_000 + i, i);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitFor(() => k.store.orders.list({ sessionId: session.id, limit: 10 }).some((o) => o.status === 'FILLED'), 'entry filled');
    const position = k.store.positions.list({ sessionId: session.id }).find((p) => p.instrumentId === BTC);
    expect(position).toMatchObject({ side: 'LONG', quantity: '2' });
    // nothing reached the exchange: a paper session needs no keys and places no real order
    expect(s.requestsTo('order/create')).toHaveLength(0);
    expect(await k.host.invoke('sessions.stop', { sessionId: session.id })).toMatchObject({ ok: true, value: { status: 'stopped' } });
  });
});

describe('a live session (simulated exchange)', () => {
  test('is refused without keys in the keychain, saying why', async () => {
    const { kernel: k } = await boot({ keys: false });
    const result = await k.host.invoke('sessions.startOnline', { kind: 'live', symbols: [BTC], strategies: [enterOnFirstTrade()], capital: '1000' });
    expect(result).toMatchObject({ ok: false, error: { type: 'conflict', paths: ['request.kind'] } });
    if (!result.ok) expect(result.error.message).toMatch(/no mexc API keys/);
  });

  test('waits for arming, then trades within the staged caps; a second live session is refused', async () => {
    const { kernel: k, sim: s } = await boot({ keys: true });
    const started = await k.host.invoke('sessions.startOnline', { kind: 'live', symbols: [BTC], strategies: [enterOnFirstTrade()], capital: '1000' });
    if (!started.ok) throw new Error(started.error.message);
    const live = started.value as LiveSessionDto;
    expect(live.phase).toBe('ready');
    expect(live.session.status).toBe('created');
    await waitFor(() => s.ws.subscriptions().some((sub) => sub.includes('deal:BTC_USDT')), 'trade stream subscribed');
    tradeAt(s, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // not armed: the strategy saw the trade, but nothing went to the exchange
    expect(s.requestsTo('order/create')).toHaveLength(0);

    const second = await k.host.invoke('sessions.startOnline', { kind: 'live', symbols: [BTC], strategies: [enterOnFirstTrade('Other')], capital: '1000' });
    expect(second).toMatchObject({ ok: false, error: { type: 'conflict' } });
    if (!second.ok) expect(second.error.message).toMatch(/at most one live session/);

    expect(await k.host.invoke('sessions.arm', { sessionId: live.session.id })).toMatchObject({ ok: false, error: { type: 'validation', paths: ['request.confirm'] } });
    const armed = await k.host.invoke('sessions.arm', { sessionId: live.session.id, confirm: true });
    expect(armed).toMatchObject({ ok: true, value: { phase: 'armed', session: { status: 'running' } } });
    for (let i = 1; i < 6; i++) {
      tradeAt(s, 60_000 + i, i);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await waitFor(() => s.requestsTo('order/create').length === 1, 'one order at the exchange');
    // the market order fills at the simulator; the order manager polls it (no private stream on MEXC)
    await waitFor(() => k.store.orders.list({ sessionId: live.session.id, limit: 10 }).some((o) => o.status === 'FILLED'), 'entry filled', 10_000);
    expect(s.positions()).toEqual([expect.objectContaining({ symbol: 'BTC_USDT' })]);
    const online = k.online.session(live.session.id)!;
    expect(online.stack.account.position(BTC as never)).toMatchObject({ side: 'LONG' });
    const report = await online.stack.reconcile();
    expect(report.clean).toBe(true);
    // the open position follows the market between fills: marked and republished (at most once a second)
    const marks: string[] = [];
    k.bus.subscribe('position_updated', (p) => {
      if (p.sessionId === live.session.id && p.markPrice !== null) marks.push(p.markPrice);
    }, 'test-marks');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    tradeAt(s, 60_123.5, 10);
    await waitFor(() => marks.includes('60123.5'), 'position republished at the new mark');
    expect(s.requestsTo('order/create')).toHaveLength(1);
  });

  test('a position opened outside the app closes the gate; adopt takes it over and the session becomes ready', async () => {
    const { kernel: k, sim: s } = await boot({ keys: true });
    s.openPositionOutside('BTC_USDT', 'long', 3, { leverage: 5 });
    const started = await k.host.invoke('sessions.startOnline', { kind: 'live', symbols: [BTC], strategies: [enterOnFirstTrade()], capital: '1000' });
    if (!started.ok) throw new Error(started.error.message);
    const live = started.value as LiveSessionDto;
    expect(live.phase).toBe('reconciling');
    expect(live.differences).toEqual([expect.objectContaining({ kind: 'exchange_only', instrumentId: BTC })]);
    expect(await k.host.invoke('sessions.arm', { sessionId: live.session.id, confirm: true })).toMatchObject({ ok: false, error: { type: 'conflict' } });
    const adopted = await k.host.invoke('sessions.resolve', { sessionId: live.session.id, resolution: 'adopt' });
    expect(adopted).toMatchObject({ ok: true, value: { phase: 'ready', differences: [] } });
    expect(k.online.session(live.session.id)!.stack.account.position(BTC as never)).toMatchObject({ side: 'LONG' });
    expect(s.requestsTo('order/create')).toHaveLength(0);
  });

  test('flatten closes what the exchange holds; cancel ends the session without trading', async () => {
    const { kernel: k, sim: s } = await boot({ keys: true });
    // 20× is above the settings' 10× cap: a reduce-only close of it must still pass risk
    s.openPositionOutside('BTC_USDT', 'short', 2, { leverage: 20 });
    const first = await k.host.invoke('sessions.startOnline', { kind: 'live', symbols: [BTC], strategies: [enterOnFirstTrade()], capital: '1000' });
    if (!first.ok) throw new Error(first.error.message);
    const gate = first.value as LiveSessionDto;
    expect(gate.phase).toBe('reconciling');
    const flattened = await k.host.invoke('sessions.resolve', { sessionId: gate.session.id, resolution: 'flatten' });
    expect(flattened).toMatchObject({ ok: true });
    await waitFor(() => s.positions().length === 0, 'exchange flat');
    expect(s.requestsTo('order/create')).toHaveLength(1);

    const cancelled = await k.host.invoke('sessions.resolve', { sessionId: gate.session.id, resolution: 'cancel' });
    expect(cancelled).toMatchObject({ ok: true, value: { phase: 'stopped', session: { status: 'stopped' } } });
  });
});
