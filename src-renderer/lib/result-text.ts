import type { ResultError } from '../../src-shared/contract/result';

/** Paths the dispatcher uses for the envelope itself: `name` is the command name, never a request field. */
const ENVELOPE_PATHS: ReadonlySet<string> = new Set(['name']);

function pathNamesField(path: string, field: string): boolean {
  let relative: string;
  if (path.startsWith('request.')) relative = path.slice('request.'.length);
  else if (ENVELOPE_PATHS.has(path)) return false;
  else relative = path;
  return relative === field || relative.startsWith(`${field}.`) || relative.startsWith(`${field}[`);
}

/**
 * The engine names failing fields as JSON paths relative to the request (`request.path`,
 * `request.strategies[0].z1_entry.leverage`). Views ask by their own field name.
 */
export function errorForField(error: ResultError | null, field: string): string | null {
  if (error === null || error.paths === undefined) return null;
  if (!error.paths.some((path) => pathNamesField(path, field))) return null;
  // The message lists every failing path as "path: reason"; show only this field's part when it can be found.
  const parts = error.message.split('; ').filter((part) => pathNamesField(part.split(':')[0] ?? '', field));
  return parts.length > 0 ? parts.map((part) => part.slice(part.indexOf(':') + 1).trim()).join('; ') : error.message;
}

/** True when the error names none of the given fields, so it belongs at form level. */
export function isFormLevelError(error: ResultError | null, fields: readonly string[]): boolean {
  if (error === null) return false;
  return fields.every((field) => errorForField(error, field) === null);
}
