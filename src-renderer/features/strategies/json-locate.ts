/**
 * Where each value of a JSON text sits, by the JSON path the engine's validator names
 * (`z1_entry.leverage`, `s1_signal.conditions[0].value`, `(root)`), so the editor can mark the
 * line of a failing field. A small scanner of its own because JSON.parse says nothing about
 * positions; it also reports where a syntax error is.
 */
export interface Span {
  start: number;
  end: number;
}

export type JsonScan = { ok: true; value: unknown; spans: Map<string, Span> } | { ok: false; message: string; offset: number };

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const childPath = (parent: string, key: string | number): string =>
  typeof key === 'number' ? `${parent === '(root)' ? '' : parent}[${key}]` : parent === '(root)' ? key : `${parent}.${key}`;

export function scanJson(text: string): JsonScan {
  const spans = new Map<string, Span>();
  let index = 0;

  const fail = (message: string, at = index): never => {
    throw new ScanError(message, at);
  };
  const skipSpace = (): void => {
    while (index < text.length && /\s/.test(text[index]!)) index++;
  };
  const expect = (char: string): void => {
    if (text[index] !== char) fail(`expected "${char}"${index < text.length ? ` but found "${text[index]}"` : ' but the text ended'}`);
    index++;
  };

  const readString = (): string => {
    const start = index;
    expect('"');
    for (;;) {
      if (index >= text.length) fail('unterminated string', start);
      const char = text[index]!;
      if (char === '"') break;
      if (char === '\\') index++;
      else if (char < ' ') fail('control character in string');
      index++;
    }
    index++;
    try {
      return JSON.parse(text.slice(start, index)) as string;
    } catch {
      return fail('invalid escape in string', start);
    }
  };

  const readValue = (path: string): unknown => {
    skipSpace();
    const start = index;
    let value: unknown;
    const char = text[index];
    if (char === '{') {
      index++;
      const object: Record<string, unknown> = {};
      skipSpace();
      if (text[index] === '}') index++;
      else {
        for (;;) {
          skipSpace();
          const keyStart = index;
          if (text[index] !== '"') fail('expected a property name in double quotes');
          const key = readString();
          skipSpace();
          expect(':');
          // an own property, like JSON.parse makes: `object[key] =` would set the prototype for "__proto__"
          Object.defineProperty(object, key, { value: readValue(childPath(path, key)), enumerable: true, writable: true, configurable: true });
          // a member's span starts at its key, so a missing-field error inside it points at the key
          const member = spans.get(childPath(path, key));
          if (member !== undefined) spans.set(childPath(path, key), { start: keyStart, end: member.end });
          skipSpace();
          if (text[index] === ',') {
            index++;
            continue;
          }
          expect('}');
          break;
        }
      }
      value = object;
    } else if (char === '[') {
      index++;
      const array: unknown[] = [];
      skipSpace();
      if (text[index] === ']') index++;
      else {
        for (;;) {
          array.push(readValue(childPath(path, array.length)));
          skipSpace();
          if (text[index] === ',') {
            index++;
            continue;
          }
          expect(']');
          break;
        }
      }
      value = array;
    } else if (char === '"') {
      value = readString();
    } else {
      const match = /^(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(index));
      if (match === null) fail(index >= text.length ? 'the text ended where a value was expected' : `unexpected "${char}"`);
      index += match![0].length;
      value = JSON.parse(match![0]) as unknown;
    }
    spans.set(path, { start, end: index });
    return value;
  };

  try {
    const value = readValue('(root)');
    skipSpace();
    if (index < text.length) fail('unexpected text after the end of the JSON');
    return { ok: true, value, spans };
  } catch (error) {
    if (error instanceof ScanError) return { ok: false, message: error.message, offset: error.offset };
    throw error;
  }
}

/** The span of a path, or of its nearest ancestor that exists (a missing field points at its parent). */
export function locate(spans: ReadonlyMap<string, Span>, path: string): Span | null {
  let current = path;
  for (;;) {
    const span = spans.get(current);
    if (span !== undefined) return span;
    if (current === '(root)' || current === '') return spans.get('(root)') ?? null;
    const cut = Math.max(current.lastIndexOf('.'), current.lastIndexOf('['));
    current = cut <= 0 ? '(root)' : current.slice(0, cut);
  }
}

/** 1-based line of a character offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
