import fc from 'fast-check';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import type { RiskAlertDto } from '../../../../src-shared/contract/schemas';
import { InProcessEventBus } from '../../bus/event-bus';
import { SimulatedClock } from '../../clock/clock';
import { createLogger, memorySink } from '../../ops/logger';
import { bool, escapeQuoted, escapeUnquoted, float, ilpLine, int, str } from './ilp';
import { QuestDbSink, type QuestDbSinkOptions } from './questdb-sink';

/** A loopback TCP listener standing in for QuestDB: collects what arrives, line by line. */
class IlpListener {
  readonly lines: string[] = [];
  private readonly sockets = new Set<Socket>();
  private pending = '';
  private constructor(private readonly server: Server) {}

  static async listen(port = 0): Promise<IlpListener> {
    const server = createServer();
    const listener = new IlpListener(server);
    server.on('connection', (socket) => {
      listener.sockets.add(socket);
      socket.setEncoding('utf8');
      socket.on('data', (text: string) => {
        listener.pending += text;
        const parts = listener.pending.split('\n');
        listener.pending = parts.pop() ?? '';
        listener.lines.push(...parts);
      });
      socket.on('close', () => listener.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return listener;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    return address.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Waits (real time) until `check` holds, for socket round trips. */
async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let listener: IlpListener | null = null;
let sink: QuestDbSink | null = null;
afterEach(async () => {
  await sink?.stop();
  await listener?.close();
  sink = null;
  listener = null;
});

function newSink(port: number, clock: SimulatedClock, alerts: RiskAlertDto[], overrides: Partial<QuestDbSinkOptions> = {}): QuestDbSink {
  return new QuestDbSink({
    host: '127.0.0.1', port, clock, logger: createLogger('store/questdb', memorySink()),
    flushIntervalMs: 100, maxBufferedLines: 1_000, reconnectDelayMs: 1_000, reconnectMaxDelayMs: 8_000,
    alert: (a) => alerts.push(a),
    ...overrides,
  });
}

describe('ILP lines', () => {
  test('escape spaces, commas and equals signs in names and symbols, quotes and backslashes in strings, and carry ns timestamps', () => {
    expect(ilpLine({
      table: 'indicators',
      symbols: [['instrument', 'BTC/USDT:USDT'], ['indicator', 'PUMP_MAGNITUDE_PCT(10,60,30)'], ['note', 'a b=c\\d']],
      columns: [['value', float(0.0523)], ['count', int(7)], ['label', str('say "hi"\\now')], ['ok', bool(true)]],
      tsMs: 1723161256322,
    })).toBe('indicators,instrument=BTC/USDT:USDT,indicator=PUMP_MAGNITUDE_PCT(10\\,60\\,30),note=a\\ b\\=c\\\\d value=0.0523,count=7i,label="say \\"hi\\"\\\\now",ok=t 1723161256322000000\n');
  });

  test('a newline can never end a row early, whatever the text', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (symbol, text) => {
      const line = ilpLine({ table: 't', symbols: [['s', symbol]], columns: [['c', str(text)]], tsMs: 1 });
      expect(line.indexOf('\n')).toBe(line.length - 1);
      expect(escapeUnquoted(symbol).replace(/\\./g, '')).not.toMatch(/[ ,=\n\r]/);
      expect(escapeQuoted(text).replace(/\\./g, '')).not.toMatch(/["\n\r]/);
    }));
  });

  test('values ILP cannot carry are refused', () => {
    expect(() => ilpLine({ table: 't', columns: [['v', float(Number.NaN)]], tsMs: 1 })).toThrow(RangeError);
    expect(() => ilpLine({ table: 't', columns: [['v', int(1.5)]], tsMs: 1 })).toThrow(RangeError);
    expect(() => ilpLine({ table: 't', columns: [], tsMs: 1 })).toThrow(RangeError);
    expect(() => ilpLine({ table: 't', columns: [['v', float(1)]], tsMs: 1.5 })).toThrow(RangeError);
  });
});

describe('QuestDB sink', () => {
  test('market data, indicator values and fills from the bus arrive at a loopback listener as ILP lines', async () => {
    listener = await IlpListener.listen();
    const clock = new SimulatedClock(1_000);
    const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 10 });
    const alerts: RiskAlertDto[] = [];
    sink = newSink(listener.port, clock, alerts, { bus });
    sink.start();
    await until(() => sink!.stats().connected);
    bus.publish('market_data', { kind: 'trade', instrumentId: 'BTC/USDT:USDT', price: 61800.3, quantity: 0.006, side: 'buy', ts: 1723161256322 });
    bus.publish('market_data', { kind: 'book', instrumentId: 'BTC/USDT:USDT', bids: [[61800.2, 2.5]], asks: [[61800.3, 2.51]], snapshot: true, ts: 1723161256323 });
    bus.publish('indicator_updated', { instrumentId: 'BTC/USDT:USDT', indicatorId: 'TWPA_RATIO(10,0,60,30)', value: 1.0004, ts: 1723161256324 });
    bus.publish('indicator_updated', { instrumentId: 'BTC/USDT:USDT', indicatorId: 'RSI', value: null, ts: 1723161256325 });
    bus.publish('order_filled', {
      order: {
        clientOrderId: 's1-o1', venueOrderId: null, instrumentId: 'BTC/USDT:USDT', strategyId: 'pump-long', sessionId: 's1', side: 'BUY', type: 'MARKET', quantity: '242', price: null,
        triggerPrice: null, timeInForce: 'IOC', reduceOnly: false, leverage: 3, status: 'FILLED', filledQuantity: '242', averageFillPrice: '61752.8', createdAt: 1, updatedAt: 2, reason: null,
      },
      fill: { fillId: 'paper-fill-1', clientOrderId: 's1-o1', venueOrderId: null, instrumentId: 'BTC/USDT:USDT', side: 'BUY', lastQty: '242', lastPx: '61752.8', liquiditySide: 'TAKER', commission: '0.29', commissionCurrency: 'USDT', tsEvent: 1723161256330 },
    });
    clock.advanceBy(100);
    await until(() => listener!.lines.length >= 4);
    expect(listener.lines).toEqual([
      'trades,instrument=BTC/USDT:USDT,side=buy price=61800.3,quantity=0.006 1723161256322000000',
      'book_top,instrument=BTC/USDT:USDT,kind=snapshot bid=61800.2,bid_quantity=2.5,ask=61800.3,ask_quantity=2.51,levels=1i 1723161256323000000',
      'indicators,instrument=BTC/USDT:USDT,indicator=TWPA_RATIO(10\\,0\\,60\\,30) value=1.0004 1723161256324000000',
      'fills,instrument=BTC/USDT:USDT,side=BUY,liquidity=TAKER,session=s1 price=61752.8,quantity=242,commission=0.29,commission_currency="USDT",client_order_id="s1-o1",fill_id="paper-fill-1" 1723161256330000000',
    ]);
    expect(alerts).toEqual([]);
    expect(sink.stats()).toMatchObject({ sent: 4, queued: 0, dropped: 0 });
  });

  test('an unreachable QuestDB raises one warning, trading goes on, and the kept lines are sent after a reconnect with backoff', async () => {
    // a port with nobody listening: take a free one, then let it go
    const probe = await IlpListener.listen();
    const port = probe.port;
    await probe.close();
    const clock = new SimulatedClock(5_000);
    const alerts: RiskAlertDto[] = [];
    sink = newSink(port, clock, alerts);
    sink.start();
    await until(() => alerts.length === 1);
    expect(alerts[0]).toMatchObject({ severity: 'warning', code: 'questdb_unreachable', source: 'store/questdb', ts: 5_000 });
    // writes never block or throw while it is away
    for (let i = 0; i < 10; i++) sink.write({ table: 'trades', columns: [['price', float(100 + i)]], tsMs: 6_000 + i });
    expect(sink.stats()).toMatchObject({ connected: false, queued: 10 });

    // attempt 1 after 1 s fails (still nobody there): one alert per outage, not per attempt
    clock.advanceBy(1_000);
    await until(() => sink!.stats().reconnects === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alerts).toHaveLength(1);

    listener = await IlpListener.listen(port);
    // the next attempt waits twice as long
    clock.advanceBy(1_999);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.stats().reconnects).toBe(1);
    clock.advanceBy(1);
    await until(() => sink!.stats().connected);
    await until(() => listener!.lines.length === 10);
    expect(listener.lines[0]).toBe('trades price=100 6000000000');
    expect(alerts.map((a) => [a.severity, a.code])).toEqual([['warning', 'questdb_unreachable'], ['info', 'questdb_reachable']]);
  });

  test('when the queue is full the oldest lines are dropped and counted', async () => {
    const probe = await IlpListener.listen();
    const port = probe.port;
    await probe.close();
    const clock = new SimulatedClock(0);
    const alerts: RiskAlertDto[] = [];
    sink = newSink(port, clock, alerts, { maxBufferedLines: 5 });
    sink.start();
    for (let i = 0; i < 12; i++) sink.write({ table: 't', columns: [['i', int(i)]], tsMs: i });
    expect(sink.stats()).toMatchObject({ queued: 5, dropped: 7 });
    listener = await IlpListener.listen(port);
    await until(() => alerts.length === 1);
    clock.advanceBy(1_000);
    await until(() => listener!.lines.length === 5);
    expect(listener.lines).toEqual(['t i=7i 7000000', 't i=8i 8000000', 't i=9i 9000000', 't i=10i 10000000', 't i=11i 11000000']);
  });

  test('stop releases the timers, the socket and the bus subscriptions', async () => {
    listener = await IlpListener.listen();
    const clock = new SimulatedClock(0);
    const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 10 });
    sink = newSink(listener.port, clock, [], { bus });
    sink.start();
    await until(() => sink!.stats().connected);
    expect(bus.subscriberCount()).toBe(3);
    await sink.stop();
    expect(bus.subscriberCount()).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    expect(sink.stats().connected).toBe(false);
  });
});
