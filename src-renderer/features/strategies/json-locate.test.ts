import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { lineOf, locate, scanJson } from './json-locate';

const text = `{
  "strategy_name": "x",
  "z1_entry": {
    "leverage": 50,
    "conditions": [
      { "id": "a", "value": 1 }
    ]
  }
}`;

describe('JSON path locator', () => {
  test('finds the line of a field by the path the validator names', () => {
    const scan = scanJson(text);
    if (!scan.ok) throw new Error(scan.message);
    expect(lineOf(text, locate(scan.spans, 'z1_entry.leverage')!.start)).toBe(4);
    expect(lineOf(text, locate(scan.spans, 'z1_entry.conditions[0].value')!.start)).toBe(6);
    expect(text.slice(locate(scan.spans, 'z1_entry.leverage')!.start, locate(scan.spans, 'z1_entry.leverage')!.end)).toBe('"leverage": 50');
  });

  test('points a missing field at its nearest parent', () => {
    const scan = scanJson(text);
    if (!scan.ok) throw new Error(scan.message);
    expect(lineOf(text, locate(scan.spans, 'z1_entry.positionSize.value')!.start)).toBe(3);
    expect(locate(scan.spans, 'ze1_close')!.start).toBe(0);
    expect(locate(scan.spans, '(root)')).toEqual({ start: 0, end: text.length });
  });

  test('reports where a syntax error is', () => {
    const broken = '{\n  "a": 1,\n  "b": ]\n}';
    const scan = scanJson(broken);
    expect(scan.ok).toBe(false);
    if (!scan.ok) expect(lineOf(broken, scan.offset)).toBe(3);
    expect(scanJson('{"a": 1,}').ok).toBe(false);
    expect(scanJson('{"a": 1} x').ok).toBe(false);
  });

  test('keeps a "__proto__" key as data, never as the prototype', () => {
    const scan = scanJson('{"__proto__": {"polluted": true}}');
    expect(scan.ok && Object.getPrototypeOf(scan.value)).toBe(Object.prototype);
    expect(scan.ok && Object.keys(scan.value as object)).toEqual(['__proto__']);
  });

  test('reads any JSON exactly as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        const scan = scanJson(json);
        expect(scan.ok).toBe(true);
        if (scan.ok) expect(scan.value).toEqual(JSON.parse(json));
      }),
    );
  });
});
