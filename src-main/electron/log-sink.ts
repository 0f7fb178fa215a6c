import type { LogRecord, LogSink } from '../engine/ops/logger';

/**
 * Engine and shell log records written through electron-log to a file in app.getPath('logs').
 * Records reach a sink already redacted by the engine logger, so nothing here sees a secret.
 */

/** The part of electron-log's main logger this adapter uses. */
export interface ElectronLogFunctions {
  debug(...params: unknown[]): void;
  info(...params: unknown[]): void;
  warn(...params: unknown[]): void;
  error(...params: unknown[]): void;
}

export function electronLogSink(log: ElectronLogFunctions): LogSink {
  return {
    write(record: LogRecord) {
      // electron-log stamps its own time; the record's ts would only repeat it
      const line = `[${record.module}] ${record.message}`;
      if (Object.keys(record.fields).length === 0) log[record.level](line);
      else log[record.level](line, safeJson(record.fields));
    },
  };
}

function safeJson(fields: Record<string, unknown>): string {
  try {
    return JSON.stringify(fields);
  } catch {
    return '"[unserialisable fields]"';
  }
}
