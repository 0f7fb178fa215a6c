/**
 * Exact fixed-point decimal: a bigint of units of 10^-18. Prices, quantities and money are
 * built on it; arithmetic that would lose precision or produce NaN fails fast, because
 * corrupt money is worse than no money.
 */
export const DECIMALS = 18;
const SCALE = 10n ** BigInt(DECIMALS);
const ZEROS = '0'.repeat(DECIMALS);

export type Rounding = 'down' | 'up' | 'half-even' | 'floor' | 'ceil';

export class PrecisionError extends Error {
  override name = 'PrecisionError';
}

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** 10^0 … 10^18: scaling by a table entry instead of computing a power on every parse. */
const POW10: readonly bigint[] = Array.from({ length: DECIMALS + 1 }, (_, i) => 10n ** BigInt(i));
// up to 15 digits are exact in a float64 (10^15 < 2^53), so they can be accumulated as a number
const MAX_NUMBER_DIGITS = 15;

function parseDecimalString(text: string): bigint {
  return parsePlain(text) ?? parseGeneral(text);
}

/**
 * The fast path for the text prices, quantities and amounts come as — `[-]digits[.digits]` with
 * at most 18 decimals — without a regular expression or string building. Anything else
 * (whitespace, a plus sign, an exponent, too many decimals, malformed text) returns null and goes
 * the general way, which also produces the errors.
 */
function parsePlain(text: string): bigint | null {
  const length = text.length;
  let i = 0;
  let negative = false;
  if (length > 0 && text.charCodeAt(0) === 45) {
    negative = true;
    i = 1;
  }
  const intStart = i;
  let value = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  const intDigits = i - intStart;
  if (intDigits === 0) return null;
  let fracDigits = 0;
  if (i < length) {
    if (text.charCodeAt(i) !== 46) return null;
    i++;
    const fracStart = i;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      value = value * 10 + (c - 48);
      i++;
    }
    fracDigits = i - fracStart;
    if (fracDigits === 0 || fracDigits > DECIMALS) return null;
  }
  let units: bigint;
  if (intDigits + fracDigits <= MAX_NUMBER_DIGITS) units = BigInt(value);
  else units = BigInt(fracDigits === 0 ? text.slice(intStart) : text.slice(intStart, intStart + intDigits) + text.slice(intStart + intDigits + 1));
  const raw = units * POW10[DECIMALS - fracDigits]!;
  return negative ? -raw : raw;
}

function parseGeneral(text: string): bigint {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) throw new PrecisionError(`not a decimal number: "${text}"`);
  const [, sign, intPart = '0', fracPartRaw = '', expRaw] = match;
  let digits = intPart + fracPartRaw;
  let fracLen = fracPartRaw.length - (expRaw === undefined ? 0 : Number(expRaw));
  if (fracLen < 0) {
    digits += '0'.repeat(-fracLen);
    fracLen = 0;
  }
  if (fracLen > DECIMALS) {
    const cut = digits.slice(digits.length - (fracLen - DECIMALS));
    if (/[1-9]/.test(cut)) throw new PrecisionError(`"${text}" has more than ${DECIMALS} decimal places`);
    digits = digits.slice(0, digits.length - (fracLen - DECIMALS));
    fracLen = DECIMALS;
  }
  const raw = BigInt(digits === '' ? '0' : digits) * POW10[DECIMALS - fracLen]!;
  return sign === '-' ? -raw : raw;
}

/** Divides with an explicit rounding mode. */
function divRound(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator === 0n) throw new PrecisionError('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  const negative = numerator < 0n;
  switch (rounding) {
    case 'down':
      return quotient;
    case 'up':
      return negative ? quotient - 1n : quotient + 1n;
    case 'floor':
      return negative ? quotient - 1n : quotient;
    case 'ceil':
      return negative ? quotient : quotient + 1n;
    case 'half-even': {
      const twice = (remainder < 0n ? -remainder : remainder) * 2n;
      if (twice < denominator) return quotient;
      if (twice > denominator || (quotient & 1n) !== 0n) return negative ? quotient - 1n : quotient + 1n;
      return quotient;
    }
  }
}

export type DecimalInput = Decimal | string | number | bigint;

export class Decimal {
  /** Units of 10^-18. */
  readonly raw: bigint;

  protected constructor(raw: bigint) {
    this.raw = raw;
  }

  static readonly ZERO = new Decimal(0n);
  static readonly ONE = new Decimal(SCALE);

  static fromRaw(raw: bigint): Decimal {
    return new Decimal(raw);
  }

  /** Numbers are accepted only when finite; they are read through their shortest decimal text. */
  static of(value: DecimalInput): Decimal {
    return new Decimal(Decimal.toRaw(value));
  }

  static toRaw(value: DecimalInput): bigint {
    if (value instanceof Decimal) return value.raw;
    if (typeof value === 'bigint') return value * SCALE;
    if (typeof value === 'number') {
      // a whole number needs no text round trip (leverage, sizes, counts)
      if (Number.isSafeInteger(value)) return BigInt(value) * SCALE;
      if (!Number.isFinite(value)) throw new PrecisionError(`not a finite number: ${value}`);
      return parseDecimalString(String(value));
    }
    return parseDecimalString(value);
  }

  add(other: DecimalInput): Decimal {
    return new Decimal(this.raw + Decimal.toRaw(other));
  }
  sub(other: DecimalInput): Decimal {
    return new Decimal(this.raw - Decimal.toRaw(other));
  }
  /** Exact product; throws when the result needs more than 18 decimals unless a rounding is given. */
  mul(other: DecimalInput, rounding?: Rounding): Decimal {
    const product = this.raw * Decimal.toRaw(other);
    if (rounding !== undefined) return new Decimal(divRound(product, SCALE, rounding));
    // exact: one division and one check, not a remainder test followed by a rounding division
    const quotient = product / SCALE;
    if (quotient * SCALE !== product) {
      throw new PrecisionError(`${this.toString()} × ${Decimal.of(other).toString()} needs more than ${DECIMALS} decimals`);
    }
    return new Decimal(quotient);
  }
  /** Division always states how it rounds. */
  div(other: DecimalInput, rounding: Rounding = 'half-even'): Decimal {
    return new Decimal(divRound(this.raw * SCALE, Decimal.toRaw(other), rounding));
  }
  neg(): Decimal {
    return new Decimal(-this.raw);
  }
  abs(): Decimal {
    return this.raw < 0n ? new Decimal(-this.raw) : this;
  }
  cmp(other: DecimalInput): -1 | 0 | 1 {
    const r = Decimal.toRaw(other);
    return this.raw < r ? -1 : this.raw > r ? 1 : 0;
  }
  eq(other: DecimalInput): boolean {
    return this.raw === Decimal.toRaw(other);
  }
  lt(other: DecimalInput): boolean {
    return this.raw < Decimal.toRaw(other);
  }
  lte(other: DecimalInput): boolean {
    return this.raw <= Decimal.toRaw(other);
  }
  gt(other: DecimalInput): boolean {
    return this.raw > Decimal.toRaw(other);
  }
  gte(other: DecimalInput): boolean {
    return this.raw >= Decimal.toRaw(other);
  }
  isZero(): boolean {
    return this.raw === 0n;
  }
  isNegative(): boolean {
    return this.raw < 0n;
  }
  isPositive(): boolean {
    return this.raw > 0n;
  }
  static min(a: Decimal, b: Decimal): Decimal {
    return a.raw <= b.raw ? a : b;
  }
  static max(a: Decimal, b: Decimal): Decimal {
    return a.raw >= b.raw ? a : b;
  }
  /** True when this is a whole multiple of step (step > 0). */
  isMultipleOf(step: DecimalInput): boolean {
    const s = Decimal.toRaw(step);
    if (s <= 0n) throw new PrecisionError('step must be positive');
    return this.raw % s === 0n;
  }
  /** Rounds to a whole multiple of step. */
  roundToStep(step: DecimalInput, rounding: Rounding): Decimal {
    const s = Decimal.toRaw(step);
    if (s <= 0n) throw new PrecisionError('step must be positive');
    return new Decimal(divRound(this.raw, s, rounding) * s);
  }
  /** How many whole steps (e.g. ticks or lots) this is; throws if not a multiple. */
  toSteps(step: DecimalInput): bigint {
    const s = Decimal.toRaw(step);
    if (this.raw % s !== 0n) throw new PrecisionError(`${this.toString()} is not a multiple of ${Decimal.of(step).toString()}`);
    return this.raw / s;
  }
  /** For indicators and charts only: float64 is fine there, never for money. */
  toNumber(): number {
    return Number(this.toString());
  }
  toString(): string {
    const raw = this.raw;
    const negative = raw < 0n;
    const abs = negative ? -raw : raw;
    const intText = (abs / SCALE).toString();
    const fracUnits = abs % SCALE;
    let body = intText;
    if (fracUnits !== 0n) {
      const frac = fracUnits.toString();
      // strip the trailing zeros without a regular expression (this runs for every DTO field)
      let end = frac.length;
      while (frac.charCodeAt(end - 1) === 48) end--;
      body = `${intText}.${ZEROS.slice(0, DECIMALS - frac.length)}${frac.slice(0, end)}`;
    }
    return negative ? `-${body}` : body;
  }
  /** Fixed number of decimals, for display. */
  toFixed(decimals: number, rounding: Rounding = 'half-even'): string {
    const step = 10n ** BigInt(DECIMALS - decimals);
    const rounded = divRound(this.raw, step, rounding);
    const negative = rounded < 0n;
    const abs = (negative ? -rounded : rounded).toString().padStart(decimals + 1, '0');
    const intPart = abs.slice(0, abs.length - decimals);
    const frac = decimals > 0 ? `.${abs.slice(abs.length - decimals)}` : '';
    return `${negative ? '-' : ''}${intPart}${frac}`;
  }
  toJSON(): string {
    return this.toString();
  }
}
