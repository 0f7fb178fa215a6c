/**
 * The InfluxDB line protocol as QuestDB reads it over TCP (ILP):
 *
 *   table,symbol=value,symbol=value column=value,column=value timestamp\n
 *
 * - table names, symbol (tag) names and values, and column names are unquoted: a space, a comma
 *   or an equals sign in them is escaped with a backslash, as is a backslash itself;
 * - string column values are double-quoted: a double quote or a backslash inside is escaped;
 * - a newline or carriage return anywhere is escaped with a backslash (a raw one would end the row);
 * - floats are written as JavaScript prints them (shortest round-trip text); integers end in `i`;
 *   booleans are `t`/`f`; the designated timestamp is nanoseconds since the epoch.
 *
 * Written here rather than taken from @questdb/nodejs-client, which is not installed.
 */
export type IlpValue =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number | bigint }
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean };

export const float = (value: number): IlpValue => ({ kind: 'float', value });
export const int = (value: number | bigint): IlpValue => ({ kind: 'int', value });
export const str = (value: string): IlpValue => ({ kind: 'string', value });
export const bool = (value: boolean): IlpValue => ({ kind: 'bool', value });

export interface IlpRow {
  table: string;
  /** Symbol (tag) columns, in order. */
  symbols?: ReadonlyArray<readonly [name: string, value: string]>;
  /** At least one column (a row of symbols only is allowed by ILP but carries no measurement here). */
  columns: ReadonlyArray<readonly [name: string, value: IlpValue]>;
  /** Designated timestamp, ms since the epoch (whole ms). */
  tsMs: number;
}

const UNQUOTED = /[ ,=\\\n\r]/g;
const QUOTED = /["\\\n\r]/g;

/** Escapes a table, symbol or column name, or a symbol value. */
export function escapeUnquoted(text: string): string {
  return text.replace(UNQUOTED, (ch) => `\\${ch}`);
}

/** The body of a quoted string column value (without the quotes). */
export function escapeQuoted(text: string): string {
  return text.replace(QUOTED, (ch) => `\\${ch}`);
}

function value(name: string, v: IlpValue): string {
  switch (v.kind) {
    case 'float':
      if (!Number.isFinite(v.value)) throw new RangeError(`ILP column ${name}: ${v.value} is not a finite number`);
      return String(v.value);
    case 'int': {
      if (typeof v.value === 'number' && !Number.isSafeInteger(v.value)) throw new RangeError(`ILP column ${name}: ${v.value} is not a whole number`);
      return `${v.value}i`;
    }
    case 'string':
      return `"${escapeQuoted(v.value)}"`;
    case 'bool':
      return v.value ? 't' : 'f';
  }
}

/** ms → the nanosecond text of the designated timestamp. */
export function nanoseconds(tsMs: number): string {
  if (!Number.isSafeInteger(tsMs) || tsMs < 0) throw new RangeError(`ILP timestamp must be whole ms since the epoch, got ${tsMs}`);
  return `${BigInt(tsMs) * 1_000_000n}`;
}

/** One row as a complete line, newline included. Throws RangeError for a value ILP cannot carry. */
export function ilpLine(row: IlpRow): string {
  if (row.table === '') throw new RangeError('ILP table name must not be empty');
  if (row.columns.length === 0) throw new RangeError(`ILP row for ${row.table} has no columns`);
  let line = escapeUnquoted(row.table);
  for (const [name, symbol] of row.symbols ?? []) line += `,${escapeUnquoted(name)}=${escapeUnquoted(symbol)}`;
  line += ' ';
  row.columns.forEach(([name, v], i) => {
    line += `${i === 0 ? '' : ','}${escapeUnquoted(name)}=${value(name, v)}`;
  });
  return `${line} ${nanoseconds(row.tsMs)}\n`;
}
