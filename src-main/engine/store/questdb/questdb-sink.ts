import { connect, type Socket } from 'node:net';
import type { EventPayload } from '../../../../src-shared/contract/events';
import type { RiskAlertDto } from '../../../../src-shared/contract/schemas';
import type { EventBus, Subscription } from '../../bus/types';
import type { Clock, TimerHandle } from '../../clock/clock';
import type { Logger } from '../../ops/logger';
import { float, ilpLine, int, str, type IlpRow } from './ilp';

export interface QuestDbSinkOptions {
  host: string;
  /** QuestDB's ILP-over-TCP port (9009 by default). */
  port: number;
  clock: Clock;
  logger: Logger;
  /** How often queued lines are sent. */
  flushIntervalMs: number;
  /** Lines kept while QuestDB is slow or away; beyond it the oldest are dropped and counted. */
  maxBufferedLines: number;
  /** First reconnect delay; doubles per failed attempt up to reconnectMaxDelayMs. */
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
  /** Raised when QuestDB becomes unreachable (warning) and when it is back (info). */
  alert: (alert: RiskAlertDto) => void;
  /** When set, start() writes this bus's market data, indicator values and fills. */
  bus?: EventBus;
}

export interface QuestDbSinkStats {
  connected: boolean;
  queued: number;
  sent: number;
  dropped: number;
  /** Events that could not be turned into a line (a value ILP cannot carry). */
  skipped: number;
  reconnects: number;
}

/** Lines sent in one socket write. */
const LINES_PER_WRITE = 4096;

/**
 * The optional time-series sink (ARCHITECTURE §11): market data, indicator values and fills,
 * written to QuestDB over ILP/TCP. It must never slow trading down, so:
 *  - write() only appends a line to an in-memory queue (bounded: the oldest lines go first, counted);
 *  - the queue is sent on a timer, in slices, and only while the socket accepts more
 *    (backpressure waits for 'drain' rather than buffering without limit in the socket);
 *  - a refused or dropped connection raises one risk_alert (warning) per outage and is retried
 *    with exponential backoff on the injected clock; trading goes on throughout.
 * ILP over TCP has no acknowledgements: lines in flight when a connection drops are lost.
 */
export class QuestDbSink {
  // a ring of lines: head..tail, so dropping the oldest is O(1)
  private ring: Array<string | undefined>;
  private head = 0;
  private size = 0;
  private socket: Socket | null = null;
  private connected = false;
  private writable = true;
  private running = false;
  private flushTimer: TimerHandle | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private attempts = 0;
  private outage = false;
  private alertSeq = 0;
  private sent = 0;
  private dropped = 0;
  private skipped = 0;
  private reconnects = 0;
  private subscriptions: Subscription[] = [];

  constructor(private readonly options: QuestDbSinkOptions) {
    if (!Number.isInteger(options.maxBufferedLines) || options.maxBufferedLines < 1) throw new RangeError('maxBufferedLines must be a whole number ≥ 1');
    this.ring = new Array<string | undefined>(options.maxBufferedLines);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.flushTimer = this.options.clock.setInterval(() => this.flush(), this.options.flushIntervalMs);
    const bus = this.options.bus;
    if (bus !== undefined) {
      this.subscriptions = [
        bus.subscribe('market_data', (data) => this.onMarketData(data), 'questdb'),
        bus.subscribe('indicator_updated', (data) => this.onIndicator(data), 'questdb'),
        bus.subscribe('order_filled', (data) => this.onFill(data), 'questdb'),
      ];
    }
    this.connect();
  }

  /** Sends what the socket takes right away, then closes; lines still queued are dropped (counted). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const subscription of this.subscriptions) this.options.bus?.unsubscribe(subscription);
    this.subscriptions = [];
    if (this.flushTimer !== null) this.options.clock.clearInterval(this.flushTimer);
    if (this.reconnectTimer !== null) this.options.clock.clearTimeout(this.reconnectTimer);
    this.flushTimer = null;
    this.reconnectTimer = null;
    this.flush();
    const socket = this.socket;
    this.socket = null;
    this.connected = false;
    if (socket !== null && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
        // a peer that never reads must not hold shutdown up
        socket.setTimeout(1_000, () => socket.destroy());
      });
    }
    this.dropped += this.size;
    this.size = 0;
  }

  /** Queues one row; never blocks and never throws on a value it cannot write (skipped and counted). */
  write(row: IlpRow): void {
    if (!this.running) return;
    let line: string;
    try {
      line = ilpLine(row);
    } catch (error) {
      this.skipped++;
      if (this.skipped === 1 || this.skipped % 1000 === 0) this.options.logger.warn('row not sent to QuestDB', { table: row.table, error, skipped: this.skipped });
      return;
    }
    const capacity = this.ring.length;
    if (this.size === capacity) {
      // full: the oldest line makes room
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % capacity;
      this.size--;
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 10_000 === 0) this.options.logger.warn('QuestDB queue full; oldest lines dropped', { dropped: this.dropped });
    }
    this.ring[(this.head + this.size) % capacity] = line;
    this.size++;
  }

  stats(): QuestDbSinkStats {
    return { connected: this.connected, queued: this.size, sent: this.sent, dropped: this.dropped, skipped: this.skipped, reconnects: this.reconnects };
  }

  onMarketData(data: EventPayload<'market_data'>): void {
    if (data.kind === 'trade') {
      this.write({
        table: 'trades',
        symbols: [['instrument', data.instrumentId], ['side', data.side]],
        columns: [['price', float(data.price)], ['quantity', float(data.quantity)]],
        tsMs: data.ts,
      });
      return;
    }
    // the top of the book only: whole books would swamp the sink for little analytical value
    const bid = data.bids[0];
    const ask = data.asks[0];
    const columns: Array<[string, ReturnType<typeof float>]> = [];
    if (bid !== undefined) columns.push(['bid', float(bid[0])], ['bid_quantity', float(bid[1])]);
    if (ask !== undefined) columns.push(['ask', float(ask[0])], ['ask_quantity', float(ask[1])]);
    if (columns.length === 0) return;
    columns.push(['levels', int(Math.max(data.bids.length, data.asks.length))]);
    this.write({ table: 'book_top', symbols: [['instrument', data.instrumentId], ['kind', data.snapshot ? 'snapshot' : 'delta']], columns, tsMs: data.ts });
  }

  onIndicator(data: EventPayload<'indicator_updated'>): void {
    if (data.value === null) return; // ILP has no null: an undefined value is simply absent
    this.write({ table: 'indicators', symbols: [['instrument', data.instrumentId], ['indicator', data.indicatorId]], columns: [['value', float(data.value)]], tsMs: data.ts });
  }

  onFill(data: EventPayload<'order_filled'>): void {
    const { order, fill } = data;
    this.write({
      table: 'fills',
      symbols: [['instrument', fill.instrumentId], ['side', fill.side], ['liquidity', fill.liquiditySide], ['session', order.sessionId ?? 'live']],
      columns: [
        // exact decimals become doubles here: the sink is for analysis, the journal keeps the exact values
        ['price', float(Number(fill.lastPx))],
        ['quantity', float(Number(fill.lastQty))],
        ['commission', float(Number(fill.commission))],
        ['commission_currency', str(fill.commissionCurrency)],
        ['client_order_id', str(fill.clientOrderId)],
        ['fill_id', str(fill.fillId)],
      ],
      tsMs: fill.tsEvent,
    });
  }

  /** Sends queued lines while the socket accepts them, LINES_PER_WRITE per write. */
  flush(): void {
    const socket = this.socket;
    if (socket === null || !this.connected) return;
    while (this.size > 0 && this.writable) {
      const count = Math.min(this.size, LINES_PER_WRITE);
      const capacity = this.ring.length;
      let chunk = '';
      for (let i = 0; i < count; i++) {
        const at = (this.head + i) % capacity;
        chunk += this.ring[at]!;
        this.ring[at] = undefined;
      }
      this.head = (this.head + count) % capacity;
      this.size -= count;
      this.sent += count;
      this.writable = socket.write(chunk);
    }
  }

  private connect(): void {
    if (!this.running) return;
    const { host, port } = this.options;
    const socket = connect({ host, port });
    this.socket = socket;
    this.writable = true;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (this.socket !== socket) return;
      this.connected = true;
      this.attempts = 0;
      if (this.outage) {
        this.outage = false;
        this.raise('info', 'questdb_reachable', `QuestDB at ${host}:${port} is reachable again; sending what was kept`);
      }
      this.options.logger.info('connected to QuestDB', { host, port });
      this.flush();
    });
    socket.on('drain', () => {
      this.writable = true;
      this.flush();
    });
    // ILP over TCP sends nothing back: anything that arrives is ignored
    socket.on('data', () => undefined);
    socket.on('error', (error) => {
      if (this.socket === socket) this.options.logger.debug('QuestDB socket error', { error: error.message });
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.connected = false;
      if (!this.running) return;
      if (!this.outage) {
        this.outage = true;
        this.raise('warning', 'questdb_unreachable', `QuestDB at ${host}:${port} is unreachable; market data, indicators and fills are kept (up to ${this.options.maxBufferedLines} lines, oldest dropped first) and trading continues`);
      }
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    const { reconnectDelayMs, reconnectMaxDelayMs, clock } = this.options;
    const delay = Math.min(reconnectMaxDelayMs, reconnectDelayMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    this.reconnectTimer = clock.setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnects++;
      this.connect();
    }, delay);
  }

  private raise(severity: RiskAlertDto['severity'], code: string, message: string): void {
    const ts = this.options.clock.now();
    this.options.logger[severity === 'info' ? 'info' : 'warn'](message, { code });
    this.options.alert({
      id: `questdb-${ts}-${++this.alertSeq}`,
      severity,
      source: 'store/questdb',
      code,
      message,
      instrumentId: null,
      details: { host: this.options.host, port: this.options.port, queued: this.size, dropped: this.dropped },
      ts,
    });
  }
}
