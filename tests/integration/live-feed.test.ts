import { afterEach, describe, expect, test } from 'vitest';
import type { BookUpdate, RiskAlertDto, TradeTick } from '../../src-shared/contract/schemas';
import { WallClock } from '../../src-main/engine/clock/clock';
import { LiveFeed, type StreamingExchange } from '../../src-main/engine/data/live-feed';
import { createMexcStream } from '../../src-main/engine/data/mexc-stream';
import { createLogger, memorySink } from '../../src-main/engine/ops/logger';
import { startMexcSimulator, type MexcSimulator } from '../mexc-sim';

const SYMBOL = 'BTC/USDT:USDT';
let sim: MexcSimulator | null = null;
let feed: LiveFeed | null = null;

async function waitFor(check: () => boolean, timeoutMs = 4_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

interface Captured {
  trades: TradeTick[];
  books: BookUpdate[];
  alerts: RiskAlertDto[];
  stale: Array<[string, boolean]>;
}

async function startFeed(exchange: StreamingExchange, overrides: Partial<{ stalenessMs: number; pollIntervalMs: number }> = {}): Promise<Captured> {
  const captured: Captured = { trades: [], books: [], alerts: [], stale: [] };
  feed = new LiveFeed({
    exchange,
    symbols: [SYMBOL],
    clock: new WallClock(),
    logger: createLogger('feed', memorySink()),
    stalenessMs: overrides.stalenessMs ?? 10_000,
    reconnectDelayMs: 100,
    pollIntervalMs: overrides.pollIntervalMs ?? 200,
    bookLevels: 5,
    stalenessCheckMs: 50,
    onTrade: (t) => captured.trades.push(t),
    onBook: (b) => captured.books.push(b),
    onAlert: (a) => captured.alerts.push(a),
    onStale: (symbol, stale) => captured.stale.push([symbol, stale]),
  });
  await feed.start();
  return captured;
}

afterEach(async () => {
  await feed?.stop();
  feed = null;
  await sim?.close();
  sim = null;
});

describe('live feed against the MEXC contract stream protocol', () => {
  test('streams trades in base units (contracts × contract size) and the top of the book', async () => {
    sim = await startMexcSimulator({ apiKey: 'k', secret: 's' });
    const captured = await startFeed(await createMexcStream({ urls: sim.ccxtUrls() }));
    await waitFor(() => sim!.ws.subscriptions().some((s) => s.includes('deal:BTC_USDT')));
    sim.trade('BTC_USDT', 60_001, 25, 'buy');
    await waitFor(() => captured.trades.length > 0);
    // depth deltas come from price moves; ccxt syncs them with a REST snapshot
    await waitFor(() => sim!.ws.subscriptions().some((s) => s.includes('depth:BTC_USDT')));
    for (const price of [60_000.5, 60_001, 60_001.5, 60_002, 60_002.5]) sim.setPrice('BTC_USDT', price);
    expect(captured.trades[0]).toMatchObject({ kind: 'trade', instrumentId: SYMBOL, price: 60_001, side: 'buy' });
    expect(captured.trades[0]!.quantity).toBeCloseTo(25 * 0.0001, 12);
    await waitFor(() => captured.books.length > 0);
    expect(captured.books.at(-1)!.bids.length).toBeGreaterThan(0);
  });

  test('a dropped socket is re-subscribed within 2 s and trades flow again', async () => {
    sim = await startMexcSimulator({ apiKey: 'k', secret: 's' });
    const captured = await startFeed(await createMexcStream({ urls: sim.ccxtUrls() }));
    await waitFor(() => sim!.ws.subscriptions().some((s) => s.includes('deal:BTC_USDT')));
    const subscribesBefore = sim.ws.received.filter((m) => m.method === 'sub.deal').length;
    expect(sim.ws.dropAll()).toBeGreaterThan(0);
    const reconnectMs = await waitFor(() => sim!.ws.received.filter((m) => m.method === 'sub.deal').length > subscribesBefore);
    expect(reconnectMs).toBeLessThan(2_000);
    sim.trade('BTC_USDT', 59_990, 3, 'sell');
    await waitFor(() => captured.trades.some((t) => t.price === 59_990));
    expect(feed!.getStats().reconnects).toBeGreaterThan(0);
  });

  test('while the stream is down trades are polled over REST, without duplicates when it returns', async () => {
    sim = await startMexcSimulator({ apiKey: 'k', secret: 's' });
    const captured = await startFeed(await createMexcStream({ urls: sim.ccxtUrls(), reconnectBaseMs: 300, reconnectMaxMs: 600 }), { pollIntervalMs: 100 });
    await waitFor(() => sim!.ws.subscriptions().some((s) => s.includes('deal:BTC_USDT')));
    sim.ws.refuseConnections(true);
    sim.ws.dropAll();
    await waitFor(() => feed!.getStats().errors > 0);
    sim.trade('BTC_USDT', 60_100, 2, 'buy');
    await waitFor(() => captured.trades.some((t) => t.price === 60_100));
    expect(feed!.getStats().polled).toBeGreaterThan(0);
    sim.ws.refuseConnections(false);
    await waitFor(() => sim!.ws.subscriptions().some((s) => s.includes('deal:BTC_USDT')), 6_000);
    sim.trade('BTC_USDT', 60_200, 2, 'buy');
    await waitFor(() => captured.trades.some((t) => t.price === 60_200));
    expect(captured.trades.filter((t) => t.price === 60_100)).toHaveLength(1);
  });

  test('no data for longer than the staleness setting pauses the symbol and raises an alert; data resumes it', async () => {
    sim = await startMexcSimulator({ apiKey: 'k', secret: 's' });
    const captured = await startFeed(await createMexcStream({ urls: sim.ccxtUrls() }), { stalenessMs: 300 });
    await waitFor(() => captured.stale.some(([, stale]) => stale), 3_000);
    expect(feed!.isStale(SYMBOL)).toBe(true);
    expect(captured.alerts.find((a) => a.code === 'feed_stale')).toMatchObject({ severity: 'warning', instrumentId: SYMBOL });
    sim.trade('BTC_USDT', 60_050, 1, 'buy');
    await waitFor(() => !feed!.isStale(SYMBOL));
    expect(captured.stale.at(-1)).toEqual([SYMBOL, false]);
  });
});

describe('live feed with malformed messages', () => {
  test('counts and drops garbled trades and books and keeps running', async () => {
    let calls = 0;
    const exchange: StreamingExchange = {
      loadMarkets: async () => ({}),
      market: () => ({ id: 'BTC_USDT', symbol: SYMBOL, contractSize: 0.0001 }),
      watchTrades: async () => {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (calls === 1) return [{ timestamp: Number.NaN, price: 1, amount: 1, side: 'buy' }, { timestamp: 1, price: -5, amount: 1, side: 'buy' }];
        if (calls === 2) throw new Error('garbled frame');
        return [{ id: `t${calls}`, timestamp: 1_000 + calls, price: 60_000, amount: 1, side: 'sell' }];
      },
      watchOrderBook: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { bids: [[Number.NaN, 1]], asks: [[60_001, 1]] };
      },
      fetchTrades: async () => [],
      close: async () => undefined,
    };
    const captured = await startFeed(exchange);
    await waitFor(() => captured.trades.length >= 2);
    const stats = feed!.getStats();
    expect(stats.garbled).toBeGreaterThanOrEqual(3);
    expect(stats.errors).toBeGreaterThanOrEqual(1);
    expect(captured.books).toHaveLength(0);
  });
});
