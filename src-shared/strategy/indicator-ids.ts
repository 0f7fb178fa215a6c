import { err, ok, type Result } from '../contract/result';

/**
 * Indicator variant ids as strategies write them (ARCHITECTURE §7). Three forms:
 *   - a bare type name, `PUMP_MAGNITUDE_PCT`: the type with its default parameters;
 *   - `TYPE(p1,p2,...)`, `PUMP_MAGNITUDE_PCT(10,60,30)`: unsigned decimals, no spaces; trailing
 *     parameters may be left out and take their defaults (`RSI(14)` = `RSI(14,60)`);
 *   - a named user variant, `pump_fast` (lowercase, digits, underscores), resolved by the
 *     engine's variant registry.
 * Windows are seconds back from now: `(t1, t2)` covers now−t1 … now−t2, so t1 > t2 ≥ 0.
 *
 * The grammar, parameters, defaults and checks mirror the indicator engine's own table
 * (src-main/engine/indicators/indicator-types.ts) and are at least as strict, so a strategy
 * accepted here never makes the engine refuse one of its indicators at session start.
 */

/** Seconds parameters may look back at most a week: a longer window is a typo, not a strategy. */
export const MAX_WINDOW_SECONDS = 7 * 24 * 60 * 60;
/** Bar and book-level counts above this are typos (and would allocate accordingly). */
export const MAX_COUNT = 100_000;

/**
 * How a direction-sensitive value is read for the SHORT side of a BOTH strategy, so that the
 * condition written for LONG means the same move the other way:
 *   negate        −x   (a +2 % pump read for SHORT is a −2 % dump)
 *   reciprocal    1/x  (a price ratio of 1.002 mirrors to 0.998…)
 *   complement100 100−x (RSI 70 mirrors to RSI 30)
 *   none          the value has no direction (volume, spread, depth, prices, and the PnL of the
 *                 own position, which is already signed by the position's side)
 */
export type MirrorRule = 'none' | 'negate' | 'reciprocal' | 'complement100';

/** seconds: a duration ≥ 0; count: whole bars or book levels ≥ 1; barSeconds: a bar length > 0 in whole ms. */
export type ParameterUnit = 'seconds' | 'count' | 'barSeconds';

export interface IndicatorParameter {
  readonly name: string;
  readonly unit: ParameterUnit;
  readonly default: number;
}

export interface IndicatorTypeSpec {
  readonly params: readonly IndicatorParameter[];
  readonly mirror: MirrorRule;
  /** Where the values come from: a trade-only recording has no book indicators. */
  readonly source: 'trades' | 'book' | 'portfolio';
  readonly description: string;
  /** Relations between parameters (beyond each one's own range); returns what is wrong. */
  readonly check?: (p: readonly number[]) => string[];
}

const seconds = (name: string, value: number): IndicatorParameter => ({ name, unit: 'seconds', default: value });
const count = (name: string, value: number): IndicatorParameter => ({ name, unit: 'count', default: value });
const barSeconds: IndicatorParameter = { name: 'barSeconds', unit: 'barSeconds', default: 60 };

/** A window (start, end) in seconds ago must start further back than it ends. */
function window(p: readonly number[], a: number, b: number, names: [string, string]): string[] {
  const start = p[a] ?? 0;
  const end = p[b] ?? 0;
  return start > end ? [] : [`window (${names[0]}, ${names[1]}) must have ${names[0]} > ${names[1]} ≥ 0, got (${start}, ${end})`];
}

function positive(p: readonly number[], index: number, name: string): string[] {
  const value = p[index] ?? 0;
  return value > 0 ? [] : [`${name} must be greater than 0, got ${value}`];
}

/**
 * Recent window (t1, 0) against the base window (t3, t3−d): the base must lie in the past
 * (d ≤ t3) and its centre before the recent one's, or the velocity's time span is ≤ 0.
 */
function recentVersusBase(p: readonly number[]): string[] {
  const [t1 = 0, t3 = 0, d = 0] = p;
  const problems = [...positive(p, 0, 't1'), ...positive(p, 2, 'd')];
  if (d > t3) problems.push(`d must not exceed t3 (the base window (t3, t3−d) would reach into the future), got d=${d}, t3=${t3}`);
  else if (problems.length === 0 && !(t3 - d / 2 > t1 / 2)) problems.push(`the base window centre (t3 − d/2 = ${t3 - d / 2}) must lie before the recent window centre (t1/2 = ${t1 / 2})`);
  return problems;
}

/**
 * Every known type, its parameters in order with defaults, and how it mirrors for SHORT.
 * Defaults from §7 where given (PUMP_MAGNITUDE_PCT 10/60/30, VOLUME_SURGE_RATIO 30/0/600/30);
 * the rest are the indicator engine's: recent windows of seconds against bases of a minute.
 */
export const INDICATOR_TYPES = {
  PRICE: { params: [], mirror: 'none', source: 'trades', description: 'last trade price' },
  TWPA: {
    params: [seconds('t1', 10), seconds('t2', 0)],
    mirror: 'none',
    source: 'trades',
    description: 'time-weighted average trade price over (t1, t2)',
    check: (p) => window(p, 0, 1, ['t1', 't2']),
  },
  TWPA_RATIO: {
    params: [seconds('t1', 10), seconds('t2', 0), seconds('t3', 60), seconds('t4', 30)],
    mirror: 'reciprocal',
    source: 'trades',
    description: 'TWPA(t1,t2) / TWPA(t3,t4)',
    check: (p) => [...window(p, 0, 1, ['t1', 't2']), ...window(p, 2, 3, ['t3', 't4'])],
  },
  PUMP_MAGNITUDE_PCT: {
    params: [seconds('t1', 10), seconds('t3', 60), seconds('d', 30)],
    mirror: 'negate',
    source: 'trades',
    description: '(TWPA(t1,0) − TWPA(t3,t3−d)) / TWPA(t3,t3−d) × 100',
    check: recentVersusBase,
  },
  PRICE_VELOCITY: {
    params: [seconds('t1', 10), seconds('t3', 60), seconds('d', 30)],
    mirror: 'negate',
    source: 'trades',
    description: 'PUMP_MAGNITUDE_PCT divided by the seconds between the two window centres (%/s)',
    check: recentVersusBase,
  },
  VELOCITY_CASCADE: {
    params: [seconds('w1', 5), seconds('w2', 15), seconds('w3', 60)],
    mirror: 'negate',
    source: 'trades',
    description: 'mean acceleration across velocity scales w1 < w2 < w3',
    check: ([w1 = 0, w2 = 0, w3 = 0]) => (w1 > 0 && w1 < w2 && w2 < w3 ? [] : [`scales must increase from above 0: 0 < w1 < w2 < w3, got ${w1}, ${w2}, ${w3}`]),
  },
  MOMENTUM_REVERSAL_INDEX: {
    params: [seconds('t1', 10), seconds('t3', 60), seconds('d', 30), seconds('peakWindow', 300)],
    mirror: 'negate',
    source: 'trades',
    description: '(v_now − v_peak) / |v_peak| × 100 with v = PRICE_VELOCITY(t1,t3,d), peak = largest |v| within peakWindow',
    check: (p) => [...recentVersusBase(p), ...positive(p, 3, 'peakWindow')],
  },
  PRICE_MOMENTUM: {
    params: [seconds('recent', 10), seconds('baseline', 60)],
    mirror: 'negate',
    source: 'trades',
    description: '(EMA_recent − EMA_baseline) / EMA_baseline × 100, EMAs with these time constants',
    check: (p) => [...positive(p, 0, 'recent'), ...positive(p, 1, 'baseline')],
  },
  VOLUME_SURGE_RATIO: {
    params: [seconds('t1', 30), seconds('t2', 0), seconds('t3', 600), seconds('t4', 30)],
    mirror: 'none',
    source: 'trades',
    description: 'volume per second in (t1,t2) ÷ volume per second in (t3,t4)',
    check: (p) => [...window(p, 0, 1, ['t1', 't2']), ...window(p, 2, 3, ['t3', 't4'])],
  },
  VWAP: { params: [seconds('t1', 0)], mirror: 'none', source: 'trades', description: 'volume-weighted average price over the last t1 seconds (0: the whole session)' },
  RSI: { params: [count('period', 14), barSeconds], mirror: 'complement100', source: 'trades', description: 'relative strength index (Wilder) on bar closes' },
  EMA: { params: [count('period', 20), barSeconds], mirror: 'none', source: 'trades', description: 'exponential moving average of bar closes' },
  SMA: { params: [count('period', 20), barSeconds], mirror: 'none', source: 'trades', description: 'simple moving average of bar closes' },
  BID_ASK_IMBALANCE: {
    params: [seconds('t1', 10), count('levels', 5)],
    mirror: 'negate',
    source: 'book',
    description: '(bidQty − askQty)/(bidQty + askQty) × 100 over the top levels, time-weighted over t1',
    check: (p) => positive(p, 0, 't1'),
  },
  SPREAD_PCT: { params: [], mirror: 'none', source: 'book', description: '(ask − bid) / mid × 100 of the latest book' },
  LIQUIDITY_DRAIN_INDEX: {
    params: [seconds('baseline', 300), count('levels', 5)],
    mirror: 'none',
    source: 'book',
    description: '(baseline depth − current depth) / baseline × 100 over the top levels',
    check: (p) => positive(p, 0, 'baseline'),
  },
  UNREALIZED_PNL_PCT: {
    params: [],
    mirror: 'none',
    source: 'portfolio',
    description: 'unrealized PnL of the open position in % (supplied by the caller, not computed from market data)',
  },
} as const satisfies Record<string, IndicatorTypeSpec>;

export type IndicatorType = keyof typeof INDICATOR_TYPES;
export const INDICATOR_TYPE_NAMES = Object.keys(INDICATOR_TYPES) as IndicatorType[];

export function isIndicatorType(name: string): name is IndicatorType {
  return Object.prototype.hasOwnProperty.call(INDICATOR_TYPES, name);
}

/** A built-in variant always carries its full parameter list (defaults filled in). */
export type ParsedIndicatorId = { type: IndicatorType; params: number[] } | { named: string };

const NAMED = /^[a-z][a-z0-9_]{0,63}$/;
const TYPED = /^([A-Z][A-Z0-9_]*)(?:\((.*)\))?$/s;
const UNSIGNED_DECIMAL = /^\d+(?:\.\d+)?$/;

function parameterProblem(param: IndicatorParameter, text: string): string | null {
  if (text.startsWith('-') && UNSIGNED_DECIMAL.test(text.slice(1))) return `${param.name} must not be negative, got ${text}`;
  if (!UNSIGNED_DECIMAL.test(text)) return `${param.name} must be an unsigned decimal number without spaces, got "${text}"`;
  const value = Number(text);
  switch (param.unit) {
    case 'seconds':
      return value <= MAX_WINDOW_SECONDS ? null : `${param.name} must be at most ${MAX_WINDOW_SECONDS} s (7 days), got ${value}`;
    case 'count':
      return Number.isInteger(value) && value >= 1 && value <= MAX_COUNT ? null : `${param.name} must be a whole number from 1 to ${MAX_COUNT}, got ${value}`;
    case 'barSeconds': {
      const ms = value * 1000;
      if (!(value > 0) || Math.abs(ms - Math.round(ms)) > 1e-6) return `${param.name} must be greater than 0 and a whole number of milliseconds, got ${value}`;
      return value <= MAX_WINDOW_SECONDS ? null : `${param.name} must be at most ${MAX_WINDOW_SECONDS} s, got ${value}`;
    }
  }
}

/**
 * Parses and checks a variant id. Errors say what is wrong in the trader's terms
 * (`PUMP_MAGNITUDE_PCT(10,60,90): d must not exceed t3 …`).
 */
export function parseIndicatorId(id: string): Result<ParsedIndicatorId> {
  if (id === '') return err('validation', 'indicator id must not be empty');
  if (NAMED.test(id)) {
    // a lowercase spelling of a type name is almost surely a typo of the type, not a user variant
    if (isIndicatorType(id.toUpperCase())) return err('validation', `indicator types are written in capitals: ${id.toUpperCase()}`);
    return ok({ named: id });
  }
  const match = TYPED.exec(id);
  if (match === null) return err('validation', `"${id}" is neither TYPE, TYPE(p1,…) nor a lowercase named variant`);
  const typeName = match[1] ?? '';
  if (!isIndicatorType(typeName)) return err('validation', `unknown indicator type "${typeName}"; known: ${INDICATOR_TYPE_NAMES.join(', ')}`);
  const spec: IndicatorTypeSpec = INDICATOR_TYPES[typeName];
  const defaults = spec.params.map((p) => p.default);
  const argumentText = match[2];
  if (argumentText === undefined) return ok({ type: typeName, params: defaults });
  if (argumentText === '') return err('validation', `${id}: empty parameter list; write the bare name ${typeName} for the defaults`);

  const pieces = argumentText.split(',');
  if (pieces.length > spec.params.length) {
    const expected = spec.params.length === 0 ? 'no parameters' : `at most ${spec.params.length} (${spec.params.map((p) => p.name).join(', ')})`;
    return err('validation', `${id}: ${typeName} takes ${expected}, got ${pieces.length}`);
  }
  const problems: string[] = [];
  const params = spec.params.map((param, index) => {
    const piece = pieces[index];
    if (piece === undefined) return param.default;
    const problem = parameterProblem(param, piece);
    if (problem !== null) problems.push(problem);
    return Number(piece);
  });
  if (problems.length === 0 && spec.check !== undefined) problems.push(...spec.check(params));
  if (problems.length > 0) return err('validation', `${id}: ${problems.join('; ')}`);
  return ok({ type: typeName, params });
}

/** One spelling per variant, so `PUMP_MAGNITUDE_PCT` and `PUMP_MAGNITUDE_PCT(10,60,30)` share a key. */
export function canonicalIndicatorId(parsed: ParsedIndicatorId): string {
  if ('named' in parsed) return parsed.named;
  return parsed.params.length === 0 ? parsed.type : `${parsed.type}(${parsed.params.join(',')})`;
}

/** The mirror rule of an id; named variants need the registry's answer for their type. */
export function mirrorRuleOf(indicatorId: string, variantType?: (name: string) => IndicatorType | undefined): MirrorRule {
  const parsed = parseIndicatorId(indicatorId);
  if (!parsed.ok) return 'none';
  const type = 'named' in parsed.value ? variantType?.(parsed.value.named) : parsed.value.type;
  return type === undefined ? 'none' : INDICATOR_TYPES[type].mirror;
}

/** Reads a value the SHORT way; null when the mirror is undefined (1/0). */
export function mirrorValue(rule: MirrorRule, value: number): number | null {
  switch (rule) {
    case 'none':
      return value;
    case 'negate':
      return value === 0 ? 0 : -value; // no −0 in signal records
    case 'reciprocal':
      return value > 0 ? 1 / value : null;
    case 'complement100':
      return 100 - value;
  }
}
