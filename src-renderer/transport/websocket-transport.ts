import type { CommandInput, CommandName, CommandResponse } from '../../src-shared/contract/commands';
import { events, type EventEnvelope, type Topic } from '../../src-shared/contract';
import { err, type Result } from '../../src-shared/contract/result';
import type { ConnectionMonitor, ConnectionSnapshot, ConnectionState, Transport } from './types';

/** What the transport needs from a socket; adapters exist for the browser WebSocket and (in tests) `ws`. */
export interface SocketHandlers {
  open(): void;
  message(data: unknown): void;
  /** Called once, whether the socket failed to connect or dropped later. */
  close(): void;
}

export interface SocketHandle {
  send(text: string): void;
  close(): void;
}

export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketHandle;

export interface TransportTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface WebSocketTransportOptions {
  url: string;
  createSocket: SocketFactory;
  timers?: TransportTimers;
  /** First reconnect delay; doubles per failed attempt up to reconnectMaxMs. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** A command that got no answer within this time (connected or not) fails with `unavailable`. */
  requestTimeoutMs?: number;
  /** How often an idle open connection is pinged. */
  heartbeatIntervalMs?: number;
  /** A connection with no frame at all for this long is treated as dead (e.g. a frozen SSH tunnel). */
  heartbeatTimeoutMs?: number;
  /** Protocol-level problems (error frames, unparsable frames); they never throw into callers. */
  onProtocolError?: (message: string) => void;
}

export const WEBSOCKET_TRANSPORT_DEFAULTS = {
  reconnectInitialMs: 3_000,
  reconnectMaxMs: 30_000,
  requestTimeoutMs: 30_000,
  heartbeatIntervalMs: 10_000,
  heartbeatTimeoutMs: 25_000,
} as const;

const browserTimers: TransportTimers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
};

/** The browser's WebSocket behind the SocketFactory seam. */
export const browserSocketFactory: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  let closed = false;
  const closeOnce = (): void => {
    if (closed) return;
    closed = true;
    handlers.close();
  };
  socket.onopen = () => handlers.open();
  socket.onmessage = (event: MessageEvent) => handlers.message(event.data);
  socket.onclose = closeOnce;
  socket.onerror = closeOnce;
  return {
    send: (text) => socket.send(text),
    close: () => socket.close(),
  };
};

interface PendingCommand {
  id: number;
  name: string;
  frame: string;
  sent: boolean;
  timer: unknown;
  resolve: (result: Result<unknown>) => void;
}

const isTopic = (topic: unknown): topic is Topic => typeof topic === 'string' && Object.prototype.hasOwnProperty.call(events, topic);

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { ok?: unknown; value?: unknown; error?: unknown };
  if (candidate.ok === true) return 'value' in candidate;
  if (candidate.ok !== false || typeof candidate.error !== 'object' || candidate.error === null) return false;
  const error = candidate.error as { type?: unknown; message?: unknown };
  return typeof error.type === 'string' && typeof error.message === 'string';
}

function frameText(data: unknown): string | null {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return null;
}

/**
 * SurgeApi over serve mode's WebSocket (src-shared/contract/wire.ts). Commands issued while the
 * link is down wait in order and go out when it comes back; each fails with an `unavailable`
 * result if nothing answered within requestTimeoutMs. A command already sent when the link
 * drops fails at once, because the engine may or may not have run it and resending could run it
 * twice.
 */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket' as const;
  readonly connection: ConnectionMonitor;

  private readonly options: Required<Omit<WebSocketTransportOptions, 'onProtocolError'>> & Pick<WebSocketTransportOptions, 'onProtocolError'>;
  private readonly pending = new Map<number, PendingCommand>();
  private readonly eventListeners = new Set<(envelope: EventEnvelope) => void>();
  private readonly connectionListeners = new Set<(snapshot: ConnectionSnapshot) => void>();
  private socket: SocketHandle | null = null;
  /** Bumped per socket so late callbacks from a replaced socket are ignored. */
  private generation = 0;
  private nextId = 1;
  private state: ConnectionState = 'connecting';
  private attempt = 0;
  private nextRetryAt: number | null = null;
  private reconnectTimer: unknown = null;
  private heartbeatTimer: unknown = null;
  private lastFrameAt = 0;
  private snapshot: ConnectionSnapshot;

  constructor(options: WebSocketTransportOptions) {
    this.options = { ...WEBSOCKET_TRANSPORT_DEFAULTS, timers: browserTimers, ...options };
    this.snapshot = this.buildSnapshot();
    this.connection = {
      current: () => this.snapshot,
      watch: (listener) => {
        this.connectionListeners.add(listener);
        return () => {
          this.connectionListeners.delete(listener);
        };
      },
    };
    this.connect();
  }

  invoke<N extends CommandName>(name: N, request: CommandInput<N>): Promise<Result<CommandResponse<N>>> {
    if (this.state === 'closed') return Promise.resolve(err('unavailable', `cannot send "${name}": the connection to the engine was closed`));
    const id = this.nextId++;
    let frame: string;
    try {
      frame = JSON.stringify({ type: 'invoke', id, name, request });
    } catch (error) {
      return Promise.resolve(err('validation', `cannot send "${name}": ${error instanceof Error ? error.message : String(error)}`));
    }
    return new Promise<Result<CommandResponse<N>>>((resolve) => {
      const timeoutSeconds = Number((this.options.requestTimeoutMs / 1000).toFixed(1));
      const timer = this.options.timers.setTimeout(() => {
        const waiting = this.pending.get(id);
        const why = waiting !== undefined && !waiting.sent
          ? `no connection to the engine for ${timeoutSeconds} s; "${name}" was not sent`
          : `the engine did not answer "${name}" within ${timeoutSeconds} s`;
        this.settle(id, err('unavailable', why));
      }, this.options.requestTimeoutMs);
      this.pending.set(id, { id, name, frame, sent: false, timer, resolve: resolve as (result: Result<unknown>) => void });
      if (this.state === 'open') this.sendPending(id);
      else this.publish();
    });
  }

  subscribe(listener: (envelope: EventEnvelope) => void): () => void {
    this.eventListeners.add(listener);
    return () => {
      this.eventListeners.delete(listener);
    };
  }

  close(): void {
    if (this.state === 'closed') return;
    this.clearTimer('reconnect');
    this.clearTimer('heartbeat');
    this.generation++;
    this.socket?.close();
    this.socket = null;
    for (const id of [...this.pending.keys()]) this.settle(id, err('unavailable', 'the connection to the engine was closed'));
    this.setState('closed');
  }

  private connect(): void {
    this.nextRetryAt = null;
    const generation = ++this.generation;
    const current = (): boolean => generation === this.generation;
    try {
      this.socket = this.options.createSocket(this.options.url, {
        open: () => {
          if (current()) this.onOpen();
        },
        message: (data) => {
          if (current()) this.onMessage(data);
        },
        close: () => {
          if (current()) this.onClose();
        },
      });
    } catch {
      // A malformed URL or a refused constructor behaves like a failed connection: retry later.
      this.socket = null;
      this.onClose();
    }
  }

  private onOpen(): void {
    this.attempt = 0;
    this.lastFrameAt = this.options.timers.now();
    this.setState('open');
    for (const command of [...this.pending.values()].sort((a, b) => a.id - b.id)) {
      if (!command.sent) this.sendPending(command.id);
    }
    this.scheduleHeartbeat();
  }

  private onMessage(data: unknown): void {
    this.lastFrameAt = this.options.timers.now();
    const text = frameText(data);
    let frame: unknown;
    try {
      frame = text === null ? null : JSON.parse(text);
    } catch {
      frame = null;
    }
    if (typeof frame !== 'object' || frame === null) {
      this.options.onProtocolError?.('received a frame that is not JSON');
      return;
    }
    const typed = frame as { type?: unknown; id?: unknown; result?: unknown; topic?: unknown; payload?: unknown; message?: unknown; publishedAt?: unknown };
    switch (typed.type) {
      case 'result': {
        if (typeof typed.id !== 'number') return;
        const result = isResult(typed.result) ? typed.result : err('internal', 'the engine sent a malformed result');
        this.settle(typed.id, result);
        return;
      }
      case 'event': {
        if (!isTopic(typed.topic)) {
          this.options.onProtocolError?.(`received an event with an unknown topic: ${String(typed.topic)}`);
          return;
        }
        const envelope = { topic: typed.topic, payload: typed.payload } as EventEnvelope;
        // the engine's publish time, for the UI's latency probe (absent from older hosts)
        if (typeof typed.publishedAt === 'number' && Number.isFinite(typed.publishedAt)) envelope.publishedAt = typed.publishedAt;
        for (const listener of [...this.eventListeners]) {
          try {
            listener(envelope);
          } catch (error) {
            // One failing view must not starve the others of events.
            this.options.onProtocolError?.(`event listener failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        return;
      }
      case 'pong':
        return;
      case 'error':
        this.options.onProtocolError?.(`engine: ${String(typed.message)}`);
        return;
      default:
        this.options.onProtocolError?.(`received a frame of unknown type: ${String(typed.type)}`);
    }
  }

  private onClose(): void {
    this.socket = null;
    this.clearTimer('heartbeat');
    for (const command of [...this.pending.values()]) {
      if (command.sent) {
        this.settle(command.id, err('unavailable', `the connection to the engine was lost before it answered "${command.name}"; it may or may not have run`));
      }
    }
    this.attempt++;
    const delay = Math.min(this.options.reconnectInitialMs * 2 ** (this.attempt - 1), this.options.reconnectMaxMs);
    this.nextRetryAt = this.options.timers.now() + delay;
    this.setState('lost');
    this.reconnectTimer = this.options.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private scheduleHeartbeat(): void {
    this.heartbeatTimer = this.options.timers.setTimeout(() => {
      this.heartbeatTimer = null;
      if (this.state !== 'open') return;
      if (this.options.timers.now() - this.lastFrameAt >= this.options.heartbeatTimeoutMs) {
        // The socket never reported a close; drop it ourselves and let the reconnect path run.
        this.generation++;
        const dead = this.socket;
        dead?.close();
        this.onClose();
        return;
      }
      this.write(JSON.stringify({ type: 'ping', id: this.nextId++ }));
      this.scheduleHeartbeat();
    }, this.options.heartbeatIntervalMs);
  }

  private sendPending(id: number): void {
    const command = this.pending.get(id);
    if (command === undefined) return;
    if (this.write(command.frame)) command.sent = true;
    this.publish();
  }

  private write(text: string): boolean {
    if (this.socket === null) return false;
    try {
      this.socket.send(text);
      return true;
    } catch {
      return false;
    }
  }

  private settle(id: number, result: Result<unknown>): void {
    const command = this.pending.get(id);
    if (command === undefined) return;
    this.pending.delete(id);
    this.options.timers.clearTimeout(command.timer);
    command.resolve(result);
    this.publish();
  }

  private clearTimer(which: 'reconnect' | 'heartbeat'): void {
    const handle = which === 'reconnect' ? this.reconnectTimer : this.heartbeatTimer;
    if (handle !== null) this.options.timers.clearTimeout(handle);
    if (which === 'reconnect') this.reconnectTimer = null;
    else this.heartbeatTimer = null;
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    if (state === 'open') this.nextRetryAt = null;
    this.publish();
  }

  private buildSnapshot(): ConnectionSnapshot {
    let queued = 0;
    for (const command of this.pending.values()) if (!command.sent) queued++;
    return { state: this.state, attempt: this.attempt, nextRetryAt: this.nextRetryAt, queued };
  }

  /** Listeners hear only real changes, and get a stable object between changes. */
  private publish(): void {
    const next = this.buildSnapshot();
    const previous = this.snapshot;
    if (previous.state === next.state && previous.attempt === next.attempt && previous.nextRetryAt === next.nextRetryAt && previous.queued === next.queued) return;
    this.snapshot = next;
    for (const listener of [...this.connectionListeners]) listener(next);
  }
}
