/** Errors cross a process boundary as data, never as exceptions the other side cannot type. */
export type ErrorType =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'denied'
  | 'unavailable'
  | 'unauthorized'
  | 'internal';

export interface ResultError {
  type: ErrorType;
  message: string;
  /** JSON paths that failed validation, e.g. `payload.z1_entry.leverage`. */
  paths?: string[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ResultError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = (type: ErrorType, message: string, paths?: string[]): { ok: false; error: ResultError } =>
  paths === undefined ? { ok: false, error: { type, message } } : { ok: false, error: { type, message, paths } };

/** For exhaustive switches: the compiler proves this is unreachable. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
