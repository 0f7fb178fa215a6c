import type { BookUpdate, RiskAlertDto, TradeTick } from '../../../src-shared/contract/schemas';
import type { Clock, TimerHandle } from '../clock/clock';
import type { Logger } from '../ops/logger';

/** The slice of a ccxt.pro exchange the feed uses; `ccxt.pro.mexc` satisfies it. */
export interface StreamingExchange {
  loadMarkets(): Promise<unknown>;
  market(symbol: string): { id: string; symbol: string; contractSize?: number | undefined };
  watchTrades(symbol: string): Promise<Array<{ id?: string | undefined; timestamp?: number | undefined; price?: number | undefined; amount?: number | undefined; side?: string | undefined }>>;
  watchOrderBook(symbol: string, limit?: number): Promise<{ bids: number[][]; asks: number[][]; timestamp?: number | undefined }>;
  fetchTrades(symbol: string, since?: number, limit?: number): Promise<Array<{ id?: string | undefined; timestamp?: number | undefined; price?: number | undefined; amount?: number | undefined; side?: string | undefined }>>;
  close(): Promise<unknown>;
}

export interface LiveFeedOptions {
  exchange: StreamingExchange;
  symbols: string[]; // unified, e.g. BTC/USDT:USDT
  clock: Clock;
  logger: Logger;
  /** No data for longer than this → the symbol is stale (strategies pause, risk_alert raised). */
  stalenessMs: number;
  /** Delay before re-subscribing after a dropped stream. */
  reconnectDelayMs: number;
  /** REST polling interval while a trade stream is down. */
  pollIntervalMs: number;
  bookLevels: number;
  /** How often staleness is checked. */
  stalenessCheckMs?: number;
  onTrade(tick: TradeTick): void;
  onBook(update: BookUpdate): void;
  onAlert(alert: RiskAlertDto): void;
  onStale(symbol: string, stale: boolean): void;
}

export interface FeedStats {
  trades: number;
  books: number;
  reconnects: number;
  errors: number;
  garbled: number;
  polled: number;
  stale: string[];
}

/**
 * Live public market data for a set of symbols through ccxt.pro: trades and the top N book
 * levels. A dropped stream is re-subscribed after `reconnectDelayMs` (ccxt.pro opens a fresh
 * socket and keeps its own ping/pong heartbeat); while a trade stream is down, trades are polled
 * over REST so nothing is missed; a symbol with no data for `stalenessMs` is declared stale.
 * Malformed messages are counted and logged and never stop the feed.
 */
export class LiveFeed {
  private running = false;
  private readonly lastDataAt = new Map<string, number>();
  private readonly lastTradeTs = new Map<string, number>();
  private readonly seenIds = new Map<string, Set<string>>();
  private readonly streamDown = new Set<string>();
  private readonly stale = new Set<string>();
  private readonly contractSize = new Map<string, number>();
  private readonly loops: Promise<void>[] = [];
  private readonly timers: TimerHandle[] = [];
  private readonly sleepers = new Map<() => void, TimerHandle>();
  private alertSeq = 0;
  private readonly stats: FeedStats = { trades: 0, books: 0, reconnects: 0, errors: 0, garbled: 0, polled: 0, stale: [] };

  constructor(private readonly options: LiveFeedOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    await this.options.exchange.loadMarkets();
    this.running = true;
    const now = this.options.clock.now();
    for (const symbol of this.options.symbols) {
      const market = this.options.exchange.market(symbol);
      this.contractSize.set(symbol, market.contractSize ?? 1);
      this.lastDataAt.set(symbol, now);
      this.loops.push(this.tradeLoop(symbol), this.bookLoop(symbol));
    }
    this.timers.push(this.options.clock.setInterval(() => this.checkStaleness(), this.options.stalenessCheckMs ?? 1000));
    this.timers.push(this.options.clock.setInterval(() => void this.pollDownStreams(), this.options.pollIntervalMs));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const timer of this.timers) this.options.clock.clearInterval(timer);
    this.timers.length = 0;
    for (const [wake, handle] of [...this.sleepers]) {
      this.options.clock.clearTimeout(handle);
      wake();
    }
    await this.options.exchange.close();
    await Promise.allSettled(this.loops);
    this.loops.length = 0;
  }

  getStats(): FeedStats {
    return { ...this.stats, stale: [...this.stale] };
  }

  isStale(symbol: string): boolean {
    return this.stale.has(symbol);
  }

  private async tradeLoop(symbol: string): Promise<void> {
    while (this.running) {
      try {
        const trades = await this.options.exchange.watchTrades(symbol);
        if (this.streamDown.delete(symbol)) this.options.logger.info('trade stream restored', { symbol });
        for (const trade of trades) this.acceptTrade(symbol, trade);
      } catch (error) {
        if (!this.running) return;
        this.onStreamError(symbol, 'trades', error);
        await this.sleep(this.options.reconnectDelayMs);
      }
    }
  }

  private async bookLoop(symbol: string): Promise<void> {
    while (this.running) {
      try {
        const book = await this.options.exchange.watchOrderBook(symbol, this.options.bookLevels);
        this.acceptBook(symbol, book);
      } catch (error) {
        if (!this.running) return;
        this.onStreamError(symbol, 'book', error);
        await this.sleep(this.options.reconnectDelayMs);
      }
    }
  }

  private onStreamError(symbol: string, stream: 'trades' | 'book', error: unknown): void {
    this.stats.errors++;
    this.stats.reconnects++;
    if (stream === 'trades') this.streamDown.add(symbol);
    this.options.logger.warn(`${stream} stream dropped; re-subscribing`, { symbol, error, delayMs: this.options.reconnectDelayMs });
  }

  private acceptTrade(symbol: string, trade: { id?: string | undefined; timestamp?: number | undefined; price?: number | undefined; amount?: number | undefined; side?: string | undefined }): void {
    const { timestamp, price, amount, side } = trade;
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || typeof price !== 'number' || !(price > 0) || typeof amount !== 'number' || !(amount > 0) || (side !== 'buy' && side !== 'sell')) {
      this.stats.garbled++;
      this.options.logger.warn('dropped a malformed trade', { symbol, trade: JSON.stringify(trade).slice(0, 300) });
      return;
    }
    // the same trade can arrive from REST polling and from the stream after a reconnect
    const last = this.lastTradeTs.get(symbol) ?? -Infinity;
    if (timestamp < last) return;
    const key = trade.id ?? `${timestamp}:${price}:${amount}:${side}`;
    let seen = this.seenIds.get(symbol);
    if (timestamp > last || seen === undefined) {
      seen = new Set();
      this.seenIds.set(symbol, seen);
    }
    if (seen.has(key)) return;
    seen.add(key);
    this.lastTradeTs.set(symbol, timestamp);
    this.markData(symbol);
    this.stats.trades++;
    this.options.onTrade({ kind: 'trade', instrumentId: symbol, price, quantity: amount * (this.contractSize.get(symbol) ?? 1), side, ts: timestamp, ...(trade.id !== undefined ? { tradeId: trade.id } : {}) });
  }

  private acceptBook(symbol: string, book: { bids: number[][]; asks: number[][]; timestamp?: number | undefined }): void {
    const size = this.contractSize.get(symbol) ?? 1;
    const levels = (side: number[][]): Array<[number, number]> | null => {
      const out: Array<[number, number]> = [];
      for (const level of side.slice(0, this.options.bookLevels)) {
        const [price, amount] = level;
        if (typeof price !== 'number' || !(price > 0) || typeof amount !== 'number' || !(amount >= 0)) return null;
        out.push([price, amount * size]);
      }
      return out;
    };
    const bids = Array.isArray(book.bids) ? levels(book.bids) : null;
    const asks = Array.isArray(book.asks) ? levels(book.asks) : null;
    if (bids === null || asks === null) {
      this.stats.garbled++;
      this.options.logger.warn('dropped a malformed book update', { symbol });
      return;
    }
    this.markData(symbol);
    this.stats.books++;
    this.options.onBook({ kind: 'book', instrumentId: symbol, bids, asks, snapshot: true, ts: book.timestamp ?? this.options.clock.now() });
  }

  private markData(symbol: string): void {
    this.lastDataAt.set(symbol, this.options.clock.now());
    if (this.stale.delete(symbol)) {
      this.options.onStale(symbol, false);
      this.alert('info', 'feed_recovered', symbol, `market data for ${symbol} is flowing again`);
    }
  }

  private checkStaleness(): void {
    const now = this.options.clock.now();
    for (const [symbol, at] of this.lastDataAt) {
      if (!this.stale.has(symbol) && now - at > this.options.stalenessMs) {
        this.stale.add(symbol);
        this.options.onStale(symbol, true);
        this.alert('warning', 'feed_stale', symbol, `no market data for ${symbol} for ${Math.round((now - at) / 1000)} s; strategies on it are paused`);
      }
    }
  }

  private async pollDownStreams(): Promise<void> {
    for (const symbol of this.streamDown) {
      try {
        const since = this.lastTradeTs.get(symbol);
        const trades = await this.options.exchange.fetchTrades(symbol, since, 100);
        this.stats.polled += trades.length;
        for (const trade of trades) this.acceptTrade(symbol, trade);
      } catch (error) {
        this.stats.errors++;
        this.options.logger.warn('REST trade polling failed', { symbol, error });
      }
    }
  }

  private alert(severity: RiskAlertDto['severity'], code: string, symbol: string, message: string): void {
    this.options.onAlert({ id: `feed-${code}-${++this.alertSeq}`, severity, source: 'feed', code, message, instrumentId: symbol, ts: this.options.clock.now() });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.sleepers.delete(wake);
        resolve();
      };
      this.sleepers.set(wake, this.options.clock.setTimeout(wake, ms));
    });
  }
}
