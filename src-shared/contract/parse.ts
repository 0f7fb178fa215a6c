import type { z } from 'zod';
import { err, ok, type Result } from './result';

/** Renders a zod issue path as a JSON path: `orders[2].price`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * The only way an untrusted payload (renderer, network, file) becomes a typed value.
 * The error names every failing path.
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown, root = ''): Result<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const paths: string[] = [];
  const lines: string[] = [];
  for (const issue of parsed.error.issues) {
    const path = formatPath(issue.path, root);
    if (!paths.includes(path)) paths.push(path);
    lines.push(`${path}: ${issue.message}`);
  }
  return err('validation', lines.join('; '), paths);
}

/** Like parse, but throws an Error with the same message (for start-up code that must stop). */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = parse(schema, input);
  if (!result.ok) throw new Error(`${what} is invalid: ${result.error.message}`);
  return result.value;
}
