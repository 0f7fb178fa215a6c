import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ExchangeEvent, SimClock, SimExchange } from './exchange';
import { hmacSha256Hex, sameHex } from './signing';
import { assetView, levelView, orderView, positionView, publicDealView, tickerView } from './views';

/**
 * MEXC's contract WebSocket (wss://contract.mexc.com/edge) on the simulator's /edge path.
 * Requests are `{"method": "...", "param": {...}}`; answers `{"channel": "rs.<method>", "data": "success", "ts"}`;
 * pushes `{"channel": "push.<topic>", "symbol"?, "data", "ts"}`. Supported:
 *   ping → pong; sub./unsub. deal | depth | ticker | tickers; login (HMAC-SHA256(secret, apiKey + reqTime))
 *   after which push.personal.order / push.personal.position / push.personal.asset flow;
 *   personal.filter (accepted, not filtering).
 */
interface Connection {
  socket: WebSocket;
  topics: Set<string>; // 'deal:BTC_USDT', 'depth:BTC_USDT', 'ticker:BTC_USDT', 'tickers'
  loggedIn: boolean;
}

export interface WsReceived {
  method: string;
  param: unknown;
  at: number;
}

export class SimWebSocket {
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly connections = new Set<Connection>();
  private readonly unsubscribe: () => void;
  /** Every message a client sent, for assertions. */
  readonly received: WsReceived[] = [];
  private refusing = false;

  constructor(
    private readonly exchange: SimExchange,
    private readonly clock: SimClock,
    private readonly credentials: { apiKey: string; secret: string },
  ) {
    this.unsubscribe = exchange.onEvent((event) => this.onExchangeEvent(event));
    this.server.on('connection', (socket: WebSocket) => this.onConnection(socket));
  }

  /** Hooked to the HTTP server's 'upgrade' event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== '/edge' || this.refusing) {
      socket.write(`HTTP/1.1 ${this.refusing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
      socket.destroy();
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.server.emit('connection', ws, request));
  }

  /** Drops every open socket abruptly (no close frame), as a network cut would. */
  dropAll(): number {
    const count = this.connections.size;
    for (const connection of this.connections) connection.socket.terminate();
    return count;
  }

  /** While on, new connections are refused with HTTP 503. */
  refuseConnections(refusing = true): void {
    this.refusing = refusing;
  }

  connectionCount(): number {
    return this.connections.size;
  }

  /** Topics per open connection, e.g. [['deal:BTC_USDT'], ['depth:BTC_USDT']]. */
  subscriptions(): string[][] {
    return [...this.connections].map((c) => [...c.topics]);
  }

  close(): void {
    this.unsubscribe();
    for (const connection of this.connections) connection.socket.terminate();
    this.connections.clear();
    this.server.close();
  }

  private onConnection(socket: WebSocket): void {
    const connection: Connection = { socket, topics: new Set(), loggedIn: false };
    this.connections.add(connection);
    socket.on('close', () => this.connections.delete(connection));
    socket.on('error', () => this.connections.delete(connection));
    socket.on('message', (raw: Buffer) => this.onMessage(connection, raw.toString('utf8')));
  }

  private send(connection: Connection, message: Record<string, unknown>): void {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(message));
  }

  private reply(connection: Connection, method: string, data: unknown): void {
    this.send(connection, { channel: `rs.${method}`, data, ts: this.clock.now() });
  }

  private onMessage(connection: Connection, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.send(connection, { channel: 'rs.error', data: 'invalid json', ts: this.clock.now() });
      return;
    }
    const method = typeof message === 'object' && message !== null ? (message as { method?: unknown }).method : undefined;
    const param = typeof message === 'object' && message !== null ? (message as { param?: unknown }).param : undefined;
    if (typeof method !== 'string') {
      this.send(connection, { channel: 'rs.error', data: 'method is required', ts: this.clock.now() });
      return;
    }
    this.received.push({ method, param, at: this.clock.now() });
    const symbol = typeof param === 'object' && param !== null ? (param as { symbol?: unknown }).symbol : undefined;
    const topic = /^(un)?sub\.(deal|depth|ticker)$/.exec(method);
    if (method === 'ping') {
      this.send(connection, { channel: 'pong', data: this.clock.now() });
    } else if (topic !== null) {
      if (typeof symbol !== 'string' || !this.exchange.hasContract(symbol)) {
        this.send(connection, { channel: 'rs.error', data: `contract ${String(symbol)} does not exist`, ts: this.clock.now() });
        return;
      }
      const key = `${topic[2]}:${symbol}`;
      if (topic[1] === 'un') connection.topics.delete(key);
      else connection.topics.add(key);
      this.reply(connection, method, 'success');
    } else if (method === 'sub.tickers' || method === 'unsub.tickers') {
      if (method === 'sub.tickers') connection.topics.add('tickers');
      else connection.topics.delete('tickers');
      this.reply(connection, method, 'success');
    } else if (method === 'login') {
      const p = (typeof param === 'object' && param !== null ? param : {}) as { apiKey?: unknown; reqTime?: unknown; signature?: unknown };
      const valid =
        p.apiKey === this.credentials.apiKey &&
        (typeof p.reqTime === 'string' || typeof p.reqTime === 'number') &&
        typeof p.signature === 'string' &&
        sameHex(p.signature.toLowerCase(), hmacSha256Hex(this.credentials.secret, this.credentials.apiKey + String(p.reqTime)));
      if (!valid) {
        this.send(connection, { channel: 'rs.error', data: 'Signature verification failed!', ts: this.clock.now() });
        return;
      }
      connection.loggedIn = true;
      this.reply(connection, 'login', 'success');
    } else if (method === 'personal.filter') {
      this.reply(connection, method, 'success');
    } else {
      this.send(connection, { channel: 'rs.error', data: `unknown method ${method}`, ts: this.clock.now() });
    }
  }

  private broadcast(predicate: (connection: Connection) => boolean, message: Record<string, unknown>): void {
    for (const connection of this.connections) if (predicate(connection)) this.send(connection, message);
  }

  private onExchangeEvent(event: ExchangeEvent): void {
    const ts = this.clock.now();
    switch (event.kind) {
      case 'deal':
        this.broadcast((c) => c.topics.has(`deal:${event.symbol}`), { symbol: event.symbol, data: [publicDealView(event.deal)], channel: 'push.deal', ts });
        return;
      case 'depth':
        this.broadcast((c) => c.topics.has(`depth:${event.symbol}`), {
          channel: 'push.depth',
          data: { asks: event.asks.map(levelView), bids: event.bids.map(levelView), version: event.version },
          symbol: event.symbol,
          ts,
        });
        return;
      case 'ticker': {
        const ticker = tickerView(this.exchange, event.symbol, ts);
        this.broadcast((c) => c.topics.has(`ticker:${event.symbol}`), { symbol: event.symbol, data: ticker, channel: 'push.ticker', ts });
        this.broadcast((c) => c.topics.has('tickers'), { data: [ticker], channel: 'push.tickers', ts });
        return;
      }
      case 'order':
        this.broadcast((c) => c.loggedIn, { channel: 'push.personal.order', data: orderView(event.order), ts });
        return;
      case 'position':
        this.broadcast((c) => c.loggedIn, { channel: 'push.personal.position', data: positionView(this.exchange, event.position), ts });
        return;
      case 'asset':
        this.broadcast((c) => c.loggedIn, { channel: 'push.personal.asset', data: assetView(this.exchange), ts });
        return;
      case 'liquidation':
        return; // visible through push.personal.position (state 3) and the REST history
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled exchange event ${JSON.stringify(unhandled)}`);
      }
    }
  }
}
