/**
 * Indicator variant ids: `NAME` (every parameter at its default) or `NAME(p1,p2,...)` with
 * positional unsigned decimal numbers and no spaces, e.g. `TWPA(10,0)`, `RSI(14,60)`,
 * `BID_ASK_IMBALANCE(2.5,1)`. Trailing parameters may be omitted and take their defaults.
 * This is deliberately strict so that one variant has few spellings.
 */
export interface ParsedVariantId {
  readonly type: string;
  readonly params: number[];
}

const TYPE_NAME = /^[A-Z][A-Z0-9_]*$/;
const UNSIGNED_DECIMAL = /^\d+(?:\.\d+)?$/;

export function parseVariantId(variantId: string): ParsedVariantId {
  const open = variantId.indexOf('(');
  if (open === -1) {
    if (!TYPE_NAME.test(variantId)) throw variantError(variantId, 'expected NAME or NAME(n,n,...) with NAME in A-Z, 0-9 and _');
    return { type: variantId, params: [] };
  }
  const type = variantId.slice(0, open);
  if (!TYPE_NAME.test(type)) throw variantError(variantId, `"${type}" is not a valid indicator type name`);
  if (!variantId.endsWith(')')) throw variantError(variantId, 'missing closing parenthesis');
  const inner = variantId.slice(open + 1, -1);
  if (inner === '') throw variantError(variantId, 'empty parameter list; write the bare name for defaults');
  const params = inner.split(',').map((text, position) => {
    if (!UNSIGNED_DECIMAL.test(text)) throw variantError(variantId, `parameter ${position + 1} "${text}" is not an unsigned decimal number`);
    return Number(text);
  });
  return { type, params };
}

/** Inverse of parseVariantId for canonical ids: `TWPA(10,0)`. */
export function formatVariantId(type: string, params: readonly number[]): string {
  return params.length === 0 ? type : `${type}(${params.join(',')})`;
}

export function variantError(variantId: string, problem: string): Error {
  return new Error(`Indicator variant "${variantId}": ${problem}`);
}
