import { Decimal } from '../../src-shared/domain/decimal';

/** Shown where a value does not exist yet (no entry price, no mark). */
export const EMPTY_VALUE = '—';

function parseDecimal(value: string): Decimal | null {
  try {
    return Decimal.of(value);
  } catch {
    return null;
  }
}

function groupThousands(text: string): string {
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const [integer = '0', fraction] = unsigned.split('.');
  const grouped = integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** Rounds to maxDecimals, then drops trailing zeros down to minDecimals. Exact: no float on the way. */
function trimDecimals(decimal: Decimal, minDecimals: number, maxDecimals: number): string {
  const fixed = decimal.toFixed(maxDecimals);
  if (maxDecimals === minDecimals || !fixed.includes('.')) return fixed;
  const [integer, fraction = ''] = fixed.split('.');
  let kept = fraction.replace(/0+$/, '');
  if (kept.length < minDecimals) kept = kept.padEnd(minDecimals, '0');
  return kept === '' ? integer! : `${integer!}.${kept}`;
}

/** -1, 0 or 1 for a decimal string; 0 for anything unreadable, so colouring never throws. */
export function decimalSign(value: string | null): -1 | 0 | 1 {
  if (value === null) return 0;
  const decimal = parseDecimal(value);
  if (decimal === null) return 0;
  return decimal.cmp(0);
}

/** A price as the engine sent it: at least 2 and at most 8 decimals, grouped. */
export function formatPrice(value: string | null): string {
  if (value === null) return EMPTY_VALUE;
  const decimal = parseDecimal(value);
  return decimal === null ? value : groupThousands(trimDecimals(decimal, 2, 8));
}

/** A quantity without noise zeros (0.0100 → 0.01), at most 8 decimals. */
export function formatQuantity(value: string | null): string {
  if (value === null) return EMPTY_VALUE;
  const decimal = parseDecimal(value);
  return decimal === null ? value : groupThousands(trimDecimals(decimal, 0, 8));
}

/** Money in the quote currency: exactly 2 decimals, signed when asked (PnL). */
export function formatMoney(value: string | null, options: { signed?: boolean } = {}): string {
  if (value === null) return EMPTY_VALUE;
  const decimal = parseDecimal(value);
  if (decimal === null) return value;
  const text = groupThousands(decimal.toFixed(2));
  return options.signed === true && decimal.toFixed(2) !== '0.00' && !text.startsWith('-') ? `+${text}` : text;
}

/** Indicator readings are float64 by design; four significant decimals are enough to read them. */
export function formatReading(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return EMPTY_VALUE;
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 1000 ? 2 : magnitude >= 1 ? 4 : 6;
  return groupThousands(Number(value.toFixed(decimals)).toString());
}

/**
 * A price that arrives as float64 (signal prices, market data): fixed decimals by magnitude so a
 * column of them lines up. Display only; money never goes through here.
 */
export function formatPriceNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return EMPTY_VALUE;
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 1000 ? 2 : magnitude >= 1 ? 4 : 8;
  return groupThousands(value.toFixed(decimals));
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Trading times are shown in UTC, the same zone the chart's time axis uses. */
export function formatTime(ms: number | null, options: { millis?: boolean } = {}): string {
  if (ms === null) return EMPTY_VALUE;
  const date = new Date(ms);
  const base = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return options.millis === true ? `${base}.${pad(date.getUTCMilliseconds(), 3)}` : base;
}

export function formatDateTime(ms: number | null): string {
  if (ms === null) return EMPTY_VALUE;
  const date = new Date(ms);
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${formatTime(ms)}`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${pad(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
}

export function formatCount(value: number): string {
  return groupThousands(String(value));
}
