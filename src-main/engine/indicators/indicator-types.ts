import { INDICATOR_TYPES as SHARED_TYPES } from '../../../src-shared/strategy/indicator-ids';
import { BidAskImbalance } from './bid-ask-imbalance';
import { INDICATOR_TYPES, type Indicator, type IndicatorType } from './core/indicator';
import type { IndicatorContext } from './core/indicator-context';
import { Ema } from './ema';
import { LiquidityDrainIndex } from './liquidity-drain-index';
import { MomentumReversalIndex } from './momentum-reversal-index';
import { LastPrice } from './price';
import { PriceMomentum } from './price-momentum';
import { PriceVelocity } from './price-velocity';
import { PumpMagnitudePct } from './pump-magnitude';
import { Rsi } from './rsi';
import { Sma } from './sma';
import { SpreadPct } from './spread-pct';
import { Twpa } from './twpa';
import { TwpaRatio } from './twpa-ratio';
import { parseVariantId, variantError } from './variant-id';
import { VelocityCascade } from './velocity-cascade';
import { VolumeSurgeRatio } from './volume-surge-ratio';
import { Vwap } from './vwap';

/**
 * seconds: a duration, finite and ≥ 0 (type checks add ordering rules);
 * count: a whole number of bars or book levels, 1..MAX_COUNT_PARAM;
 * barSeconds: a bar length > 0 in whole milliseconds.
 */
export type ParamKind = 'seconds' | 'count' | 'barSeconds';

export interface IndicatorParamDescription {
  readonly name: string;
  readonly defaultValue: number;
  readonly kind: ParamKind;
  readonly description: string;
}

export interface IndicatorTypeDescription {
  readonly type: IndicatorType;
  readonly description: string;
  readonly unit: string;
  /** What feeds it: trade ticks, book snapshots, or the portfolio (not computed here). */
  readonly source: 'trades' | 'book' | 'portfolio';
  readonly params: readonly IndicatorParamDescription[];
}

/** A trader-named variant, e.g. "fast_pump" → {type: 'PUMP_MAGNITUDE_PCT', params: [5, 60, 30]}. */
export interface IndicatorVariantSpec {
  readonly type: string;
  readonly params: readonly number[];
}
export type NamedVariants = Readonly<Record<string, IndicatorVariantSpec>>;

export interface ResolvedVariant {
  readonly variantId: string;
  readonly type: IndicatorType;
  /** Every parameter, defaults filled in. */
  readonly params: readonly number[];
}

/** Larger bar counts or level counts are almost certainly typos and would allocate accordingly. */
export const MAX_COUNT_PARAM = 100_000;

type Factory = (variantId: string, params: readonly number[], context: IndicatorContext) => Indicator;

/**
 * What the engine adds to the strategy format's catalogue (src-shared/strategy/indicator-ids.ts,
 * which owns the types, parameter names, defaults, sources and descriptions): units, what each
 * parameter means, the checks with the engine's wording, and the factory.
 */
interface TypeSpec {
  readonly unit: string;
  /** One note per parameter of the shared catalogue, in order. */
  readonly notes: readonly string[];
  /** Returns the problem with an otherwise well-formed parameter list, or null. */
  readonly check?: (params: readonly number[]) => string | null;
  /** null: supplied from outside the market data (the portfolio). */
  readonly create: Factory | null;
}

/** The shared catalogue's parameters with the engine's notes, as the engine describes them. */
function paramsOf(type: IndicatorType): IndicatorParamDescription[] {
  const notes = TYPE_SPECS[type].notes;
  return SHARED_TYPES[type].params.map((param, index) => ({ name: param.name, defaultValue: param.default, kind: param.unit, description: notes[index] ?? '' }));
}

function windowOrder(fromName: string, from: number, toName: string, to: number): string | null {
  return from > to ? null : `window start ${fromName}=${from} must be further back than window end ${toName}=${to} (need ${fromName} > ${toName})`;
}

function positive(name: string, value: number): string | null {
  return value > 0 ? null : `${name} must be greater than 0`;
}

function velocityWindows(params: readonly number[]): string | null {
  const [t1 = 0, t3 = 0, d = 0] = params;
  return (
    positive('t1', t1) ??
    positive('d', d) ??
    (d <= t3 ? null : `base window length d=${d} cannot exceed its start t3=${t3}`) ??
    (t3 - d / 2 > t1 / 2 ? null : `the base window centre (t3 − d/2 = ${t3 - d / 2}) must lie before the recent window centre (t1/2 = ${t1 / 2})`)
  );
}

const TYPE_SPECS: Record<IndicatorType, TypeSpec> = {
  PRICE: { unit: 'price', notes: [], create: (id, p, c) => new LastPrice(id, p, c) },
  TWPA: {
    unit: 'price',
    notes: ['window start, seconds ago', 'window end, seconds ago'],
    check: ([t1 = 0, t2 = 0]) => windowOrder('t1', t1, 't2', t2),
    create: (id, p, c) => new Twpa(id, p, c),
  },
  TWPA_RATIO: {
    unit: 'ratio',
    notes: ['first window start', 'first window end', 'second window start', 'second window end'],
    check: ([t1 = 0, t2 = 0, t3 = 0, t4 = 0]) => windowOrder('t1', t1, 't2', t2) ?? windowOrder('t3', t3, 't4', t4),
    create: (id, p, c) => new TwpaRatio(id, p, c),
  },
  PUMP_MAGNITUDE_PCT: {
    unit: '%',
    notes: ['recent window length', 'base window start, seconds ago', 'base window length'],
    check: velocityWindows,
    create: (id, p, c) => new PumpMagnitudePct(id, p, c),
  },
  PRICE_VELOCITY: {
    unit: '%/s',
    notes: ['recent window length', 'base window start, seconds ago', 'base window length'],
    check: velocityWindows,
    create: (id, p, c) => new PriceVelocity(id, p, c),
  },
  VELOCITY_CASCADE: {
    unit: '%/s²',
    notes: ['short scale', 'middle scale', 'long scale'],
    check: ([w1 = 0, w2 = 0, w3 = 0]) => positive('w1', w1) ?? (w1 < w2 && w2 < w3 ? null : `scales must increase: w1 < w2 < w3, got ${w1}, ${w2}, ${w3}`),
    create: (id, p, c) => new VelocityCascade(id, p, c),
  },
  MOMENTUM_REVERSAL_INDEX: {
    unit: '%',
    notes: ['recent window length', 'base window start, seconds ago', 'base window length', 'how far back the peak velocity is looked for'],
    check: (p) => velocityWindows(p) ?? positive('peakWindow', p[3] ?? 0),
    create: (id, p, c) => new MomentumReversalIndex(id, p, c),
  },
  PRICE_MOMENTUM: {
    unit: '%',
    notes: ['recent EMA time constant', 'baseline EMA time constant'],
    check: ([recent = 0, baseline = 0]) => positive('recent', recent) ?? positive('baseline', baseline),
    create: (id, p, c) => new PriceMomentum(id, p, c),
  },
  VOLUME_SURGE_RATIO: {
    unit: 'ratio',
    notes: ['recent window start', 'recent window end', 'baseline window start', 'baseline window end'],
    check: ([t1 = 0, t2 = 0, t3 = 0, t4 = 0]) => windowOrder('t1', t1, 't2', t2) ?? windowOrder('t3', t3, 't4', t4),
    create: (id, p, c) => new VolumeSurgeRatio(id, p, c),
  },
  VWAP: { unit: 'price', notes: ['window length; 0 for the session'], create: (id, p, c) => new Vwap(id, p, c) },
  RSI: { unit: '0–100', notes: ['bars', 'bar length in seconds'], create: (id, p, c) => new Rsi(id, p, c) },
  EMA: { unit: 'price', notes: ['bars', 'bar length in seconds'], create: (id, p, c) => new Ema(id, p, c) },
  SMA: { unit: 'price', notes: ['bars', 'bar length in seconds'], create: (id, p, c) => new Sma(id, p, c) },
  BID_ASK_IMBALANCE: {
    unit: '%',
    notes: ['averaging window', 'book levels per side'],
    check: ([t1 = 0]) => positive('t1', t1),
    create: (id, p, c) => new BidAskImbalance(id, p, c),
  },
  SPREAD_PCT: { unit: '%', notes: [], create: (id, p, c) => new SpreadPct(id, p, c) },
  LIQUIDITY_DRAIN_INDEX: {
    unit: '%',
    notes: ['baseline window', 'book levels per side'],
    check: ([baseline = 0]) => positive('baseline', baseline),
    create: (id, p, c) => new LiquidityDrainIndex(id, p, c),
  },
  UNREALIZED_PNL_PCT: { unit: '%', notes: [], create: null },
};

/** Every indicator type with its parameters and defaults, for the strategy editor. */
export function describeIndicatorTypes(): Record<IndicatorType, IndicatorTypeDescription> {
  const described = {} as Record<IndicatorType, IndicatorTypeDescription>;
  for (const type of INDICATOR_TYPES) {
    const { description, source } = SHARED_TYPES[type];
    described[type] = { type, description, unit: TYPE_SPECS[type].unit, source, params: paramsOf(type) };
  }
  return described;
}

export function isIndicatorType(type: string): type is IndicatorType {
  return (INDICATOR_TYPES as readonly string[]).includes(type);
}

/**
 * Parses (or looks up a named variant), checks and completes a variant id. Throws an Error that
 * names the variant id and the problem.
 */
export function resolveIndicatorVariant(variantId: string, namedVariants?: NamedVariants): ResolvedVariant {
  const named = namedVariants !== undefined && Object.hasOwn(namedVariants, variantId) ? namedVariants[variantId] : undefined;
  const { type, params: given } = named ?? parseVariantId(variantId);
  if (!isIndicatorType(type)) throw variantError(variantId, `unknown indicator type "${type}"; known: ${INDICATOR_TYPES.join(', ')}`);
  const spec = TYPE_SPECS[type];
  const declared = paramsOf(type);
  if (given.length > declared.length) {
    throw variantError(variantId, `${type} takes at most ${declared.length} parameter(s) (${declared.map((p) => p.name).join(', ') || 'none'}), got ${given.length}`);
  }
  const params = declared.map((param, position) => {
    const value = given[position] ?? param.defaultValue;
    const problem = checkParam(param, value);
    if (problem !== null) throw variantError(variantId, problem);
    return value;
  });
  const problem = spec.check?.(params) ?? null;
  if (problem !== null) throw variantError(variantId, problem);
  return { variantId, type, params };
}

/** True when the variant's value comes from the portfolio, not from market data (UNREALIZED_PNL_PCT). */
export function isPortfolioSuppliedIndicator(variantId: string, namedVariants?: NamedVariants): boolean {
  return SHARED_TYPES[resolveIndicatorVariant(variantId, namedVariants).type].source === 'portfolio';
}

/** Builds one indicator on the given instrument context; identical building blocks are shared through it. */
export function createIndicator(variantId: string, context: IndicatorContext, namedVariants?: NamedVariants): Indicator {
  const { type, params } = resolveIndicatorVariant(variantId, namedVariants);
  const create = TYPE_SPECS[type].create;
  if (create === null) throw variantError(variantId, `${type} is supplied by the portfolio, not computed from market data`);
  return create(variantId, params, context);
}

function checkParam(param: IndicatorParamDescription, value: number): string | null {
  if (!Number.isFinite(value) || value < 0) return `${param.name} must be a finite number ≥ 0, got ${value}`;
  switch (param.kind) {
    case 'seconds':
      return null;
    case 'count':
      return Number.isInteger(value) && value >= 1 && value <= MAX_COUNT_PARAM ? null : `${param.name} must be a whole number from 1 to ${MAX_COUNT_PARAM}, got ${value}`;
    case 'barSeconds': {
      const ms = value * 1000;
      return value > 0 && Math.abs(ms - Math.round(ms)) < 1e-6 ? null : `${param.name} must be greater than 0 and a whole number of milliseconds, got ${value}`;
    }
  }
}
