import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** One log line as a sink receives it: already redacted, fields already plain JSON-able data. */
export interface LogRecord {
  level: LogLevel;
  module: string;
  message: string;
  fields: Record<string, unknown>;
  /** Wall-clock ms since the epoch (logging is the one place engine code may read it). */
  ts: number;
}

/** Where log lines go: electron-log in the desktop shell, console/file in plain Node, memory in tests. */
export interface LogSink {
  write(record: LogRecord): void;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger for a sub-module: `createLogger('execution').child('order-manager')` logs as `execution/order-manager`. */
  child(module: string): Logger;
}

export const MASK = '***';

// ---------------------------------------------------------------------------------------------
// Redaction

/** Secrets shorter than this are not registered: masking "ab" everywhere would wreck every log line. */
export const MIN_SECRET_LENGTH = 4;

const SENSITIVE_EXACT = new Set(['sign', 'sig', 'auth', 'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'pwd', 'pass', 'credentials', 'credential']);
const SENSITIVE_PARTS = ['apikey', 'accesskey', 'secret', 'signature', 'token', 'password', 'passphrase', 'privatekey'];

/**
 * Whether a field, header, query parameter or JSON key names a secret. Case, `-` and `_` are
 * ignored, so apiKey, api_key, API-KEY, ApiKey and X-MBX-APIKEY all match; `sign` matches only
 * whole (so `signal` and `design` do not).
 */
export function isSensitiveName(name: string): boolean {
  const normalized = name.toLowerCase().replace(/[-_.\s]/g, '');
  if (normalized === '') return false;
  if (SENSITIVE_EXACT.has(normalized)) return true;
  return SENSITIVE_PARTS.some((part) => normalized.includes(part));
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// `Bearer abc`, `Basic abc` — the credential after an auth scheme, wherever it appears
const AUTH_SCHEME = /\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=-]+/gi;
// "name": "value" / "name": 123 in JSON text
const JSON_PAIR = /"([^"\\]{1,80})"(\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]{["]+)/g;
// the same inside JSON that was itself stringified into a string: \"name\":\"value\"
const ESCAPED_JSON_PAIR = /\\"([^"\\]{1,80})\\"(\s*:\s*)(\\".*?\\"|[^\s,}\]{[\\]+)/g;
// name=value in query strings, form bodies and `key=value` log text
const QUERY_PAIR = /((?:^|[?&;\s,({[])([A-Za-z0-9_.-]{1,80})=)([^&\s#"',;)}\]]*)/g;
// Name: value in header dumps and inspected objects (`Authorization: Bearer x`, `apiKey: 'x'`)
const HEADER_PAIR = /((?:^|[\s,{(;[])'?([A-Za-z][A-Za-z0-9_-]{0,79})'?\s*:\s*)('[^']*'|"[^"]*"|(?:(?:Bearer|Basic|Token)\s+)?[^\s,;'"}\])]+)/gi;

/**
 * Masks secrets in log text and fields. Holds the exact secret values registered at run time
 * (exchange keys loaded from the keychain) and masks them wherever they appear, plus anything
 * whose name says it is a secret.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private secretPattern: RegExp | null = null;

  /** Masks every later occurrence of this exact value. Returns false when it is too short to mask safely. */
  registerSecret(value: string): boolean {
    if (value.length < MIN_SECRET_LENGTH) return false;
    if (!this.secrets.has(value)) {
      this.secrets.add(value);
      this.secretPattern = null;
    }
    return true;
  }

  unregisterSecret(value: string): void {
    if (this.secrets.delete(value)) this.secretPattern = null;
  }

  clearSecrets(): void {
    this.secrets.clear();
    this.secretPattern = null;
  }

  redactString(text: string): string {
    let out = text;
    if (this.secrets.size > 0) {
      if (this.secretPattern === null) {
        // longest first, so a secret that contains another is masked whole
        const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
        this.secretPattern = new RegExp(alternatives.join('|'), 'g');
      }
      out = out.replace(this.secretPattern, MASK);
    }
    if (out.length === 0) return out;
    out = out.replace(AUTH_SCHEME, (_match, scheme: string, space: string) => `${scheme}${space}${MASK}`);
    out = out.replace(JSON_PAIR, (match, name: string, colon: string) => (isSensitiveName(name) ? `"${name}"${colon}"${MASK}"` : match));
    out = out.replace(ESCAPED_JSON_PAIR, (match, name: string, colon: string) => (isSensitiveName(name) ? `\\"${name}\\"${colon}\\"${MASK}\\"` : match));
    out = out.replace(QUERY_PAIR, (match, head: string, name: string, value: string) =>
      isSensitiveName(name) && value !== MASK && value !== '' ? `${head}${MASK}` : match,
    );
    out = out.replace(HEADER_PAIR, (match, head: string, name: string, value: string) => {
      if (!isSensitiveName(name) || value === MASK || value === `"${MASK}"` || value === `'${MASK}'`) return match;
      if (value.startsWith("'")) return `${head}'${MASK}'`;
      if (value.startsWith('"')) return `${head}"${MASK}"`;
      const scheme = /^(Bearer|Basic|Token)\s+/i.exec(value);
      return `${head}${scheme === null ? '' : scheme[0]}${MASK}`;
    });
    return out;
  }

  /**
   * A redacted, JSON-safe copy of a value: sensitive keys masked at any depth, strings scrubbed,
   * Errors turned into {name, message, stack, cause, …}, cycles and very deep nesting cut.
   */
  redactValue(value: unknown): unknown {
    return this.copy(value, new WeakSet<object>(), 0);
  }

  redactFields(fields: Record<string, unknown>): Record<string, unknown> {
    const out = this.copy(fields, new WeakSet<object>(), 0);
    return typeof out === 'object' && out !== null && !Array.isArray(out) ? (out as Record<string, unknown>) : { value: out };
  }

  private copy(value: unknown, seen: WeakSet<object>, depth: number): unknown {
    switch (typeof value) {
      case 'string':
        return this.redactString(value);
      case 'number':
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
        return value.toString();
      case 'symbol':
        return value.toString();
      case 'function':
        return `[Function ${value.name === '' ? 'anonymous' : value.name}]`;
      case 'object':
        break;
    }
    if (value === null) return null;
    const object = value as object;
    if (seen.has(object)) return '[Circular]';
    if (depth >= 8) return '[Nested too deep]';
    seen.add(object);
    try {
      if (object instanceof Error) return this.copyError(object, seen, depth);
      if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
      if (ArrayBuffer.isView(object)) return `[${object.constructor.name}(${object.byteLength} bytes)]`;
      if (object instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [key, entry] of object) this.assign(out, String(key), entry, seen, depth);
        return out;
      }
      if (object instanceof Set) return [...object].map((entry) => this.copy(entry, seen, depth + 1));
      if (Array.isArray(object)) return object.map((entry) => this.copy(entry, seen, depth + 1));
      const toJSON = (object as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.copy((toJSON as () => unknown).call(object), seen, depth + 1);
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(object)) this.assign(out, key, entry, seen, depth);
      return out;
    } finally {
      seen.delete(object);
    }
  }

  private assign(out: Record<string, unknown>, key: string, entry: unknown, seen: WeakSet<object>, depth: number): void {
    const safeKey = this.redactString(key);
    out[safeKey] = isSensitiveName(key) && entry !== null && entry !== undefined && entry !== '' ? MASK : this.copy(entry, seen, depth + 1);
  }

  private copyError(error: Error, seen: WeakSet<object>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = { name: error.name, message: this.redactString(error.message) };
    if (error.stack !== undefined) out['stack'] = this.redactString(error.stack);
    // exchange errors carry the request (url, headers, body) as extra own properties
    for (const [key, entry] of Object.entries(error)) {
      if (key === 'name' || key === 'message' || key === 'stack') continue;
      this.assign(out, key, entry, seen, depth);
    }
    if (error.cause !== undefined) out['cause'] = this.copy(error.cause, seen, depth + 1);
    return out;
  }
}

/** The process-wide redactor every logger uses unless given another; keys loaded from the keychain are registered here. */
export const defaultRedactor = new Redactor();

/** Masks every later occurrence of this exact value in every logger's output. */
export function registerSecret(value: string): boolean {
  return defaultRedactor.registerSecret(value);
}

export function unregisterSecret(value: string): void {
  defaultRedactor.unregisterSecret(value);
}

// ---------------------------------------------------------------------------------------------
// Loggers

export interface LoggerOptions {
  /** Wall clock for log timestamps; injectable so tests are stable. */
  now?: () => number;
  /** Lines below this level are dropped before redaction (default 'debug'). */
  minLevel?: LogLevel;
  redactor?: Redactor;
}

class ModuleLogger implements Logger {
  constructor(
    private readonly module: string,
    private readonly sink: LogSink,
    private readonly now: () => number,
    private readonly minRank: number,
    private readonly redactor: Redactor,
  ) {}

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  child(module: string): Logger {
    return new ModuleLogger(this.module === '' ? module : `${this.module}/${module}`, this.sink, this.now, this.minRank, this.redactor);
  }

  private log(level: LogLevel, message: string, fields: Record<string, unknown> | undefined): void {
    if (LEVEL_RANK[level] < this.minRank) return;
    // logging must never take down the caller (a trading path), whatever the sink or the fields do
    try {
      const record: LogRecord = {
        level,
        module: this.module,
        message: this.redactor.redactString(String(message)),
        fields: fields === undefined ? {} : this.redactor.redactFields(fields),
        ts: this.now(),
      };
      this.sink.write(record);
    } catch (failure) {
      reportSinkFailure(failure);
    }
  }
}

let sinkFailureReported = false;
function reportSinkFailure(failure: unknown): void {
  if (sinkFailureReported) return;
  sinkFailureReported = true;
  const text = failure instanceof Error ? failure.message : String(failure);
  process.stderr.write(`logger: a log line could not be written (${defaultRedactor.redactString(text)}); further failures are not reported\n`);
}

/**
 * A logger named by module (`createLogger('execution/order-manager')`). Everything it passes to
 * the sink is redacted first, so no sink ever sees a secret.
 */
export function createLogger(module: string, sink: LogSink = consoleSink(), options: LoggerOptions = {}): Logger {
  return new ModuleLogger(module, sink, options.now ?? Date.now, LEVEL_RANK[options.minLevel ?? 'debug'], options.redactor ?? defaultRedactor);
}

// ---------------------------------------------------------------------------------------------
// Sinks

/** `2024-08-08T23:54:16.322Z INFO  [store/migrations] applied 2 migrations {"from":0,"to":20}` */
export function formatRecord(record: LogRecord): string {
  const time = Number.isFinite(record.ts) ? new Date(record.ts).toISOString() : String(record.ts);
  const fields = Object.keys(record.fields).length === 0 ? '' : ` ${safeStringify(record.fields)}`;
  return `${time} ${record.level.toUpperCase().padEnd(5)} [${record.module}] ${record.message}${fields}`;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '"[unserialisable fields]"';
  }
}

export interface ConsoleSinkOptions {
  minLevel?: LogLevel;
  /** Defaults to process.stderr, so stdout stays free for machine-readable output (serve-mode ready marker, CLI results). */
  stream?: { write(text: string): unknown };
}

export function consoleSink(options: ConsoleSinkOptions = {}): LogSink {
  const minRank = LEVEL_RANK[options.minLevel ?? 'info'];
  const stream = options.stream ?? process.stderr;
  return {
    write(record) {
      if (LEVEL_RANK[record.level] < minRank) return;
      stream.write(`${formatRecord(record)}\n`);
    },
  };
}

export interface MemorySink extends LogSink {
  readonly records: LogRecord[];
  /** Every record formatted as it would appear in a log file, one per line. */
  text(): string;
  clear(): void;
}

/** Keeps records in memory, for tests. */
export function memorySink(): MemorySink {
  const records: LogRecord[] = [];
  return {
    records,
    write(record) {
      records.push(record);
    },
    text() {
      return records.map(formatRecord).join('\n');
    },
    clear() {
      records.length = 0;
    },
  };
}

export interface FileSink extends LogSink {
  /** Flushes what is buffered and closes the file. */
  close(): Promise<void>;
}

/** Appends formatted lines to a file through a buffered stream (no synchronous I/O per line). */
export function fileSink(filePath: string, options: { minLevel?: LogLevel } = {}): FileSink {
  mkdirSync(path.dirname(filePath), { recursive: true });
  const stream = createWriteStream(filePath, { flags: 'a' });
  const minRank = LEVEL_RANK[options.minLevel ?? 'debug'];
  let failed = false;
  stream.on('error', (error) => {
    if (!failed) reportSinkFailure(error);
    failed = true;
  });
  return {
    write(record) {
      if (failed || LEVEL_RANK[record.level] < minRank) return;
      stream.write(`${formatRecord(record)}\n`);
    },
    close() {
      return new Promise<void>((resolve) => {
        if (stream.closed || stream.destroyed) {
          resolve();
          return;
        }
        stream.end(() => resolve());
      });
    },
  };
}

/** Sends each record to every sink; one failing sink does not stop the others. */
export function multiSink(...sinks: LogSink[]): LogSink {
  return {
    write(record) {
      for (const sink of sinks) {
        try {
          sink.write(record);
        } catch (failure) {
          reportSinkFailure(failure);
        }
      }
    },
  };
}

/** Drops everything; for code paths that need a Logger but whose output nobody reads. */
export const nullSink: LogSink = { write: () => undefined };
