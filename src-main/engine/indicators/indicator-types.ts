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

interface TypeSpec extends Omit<IndicatorTypeDescription, 'type'> {
  /** Returns the problem with an otherwise well-formed parameter list, or null. */
  readonly check?: (params: readonly number[]) => string | null;
  /** null: supplied from outside the market data (the portfolio). */
  readonly create: Factory | null;
}

const seconds = (name: string, defaultValue: number, description: string): IndicatorParamDescription => ({ name, defaultValue, kind: 'seconds', description });
const count = (name: string, defaultValue: number, description: string): IndicatorParamDescription => ({ name, defaultValue, kind: 'count', description });
const barSeconds = (defaultValue: number): IndicatorParamDescription => ({ name: 'barSeconds', defaultValue, kind: 'barSeconds', description: 'bar length in seconds' });

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
  PRICE: { description: 'Last trade price', unit: 'price', source: 'trades', params: [], create: (id, p, c) => new LastPrice(id, p, c) },
  TWPA: {
    description: 'Time-weighted average trade price over [now − t1, now − t2]',
    unit: 'price',
    source: 'trades',
    params: [seconds('t1', 10, 'window start, seconds ago'), seconds('t2', 0, 'window end, seconds ago')],
    check: ([t1 = 0, t2 = 0]) => windowOrder('t1', t1, 't2', t2),
    create: (id, p, c) => new Twpa(id, p, c),
  },
  TWPA_RATIO: {
    description: 'TWPA(t1,t2) / TWPA(t3,t4)',
    unit: 'ratio',
    source: 'trades',
    params: [seconds('t1', 10, 'first window start'), seconds('t2', 0, 'first window end'), seconds('t3', 60, 'second window start'), seconds('t4', 30, 'second window end')],
    check: ([t1 = 0, t2 = 0, t3 = 0, t4 = 0]) => windowOrder('t1', t1, 't2', t2) ?? windowOrder('t3', t3, 't4', t4),
    create: (id, p, c) => new TwpaRatio(id, p, c),
  },
  PUMP_MAGNITUDE_PCT: {
    description: '(TWPA(t1,0) − TWPA(t3,t3−d)) / TWPA(t3,t3−d) × 100',
    unit: '%',
    source: 'trades',
    params: [seconds('t1', 10, 'recent window length'), seconds('t3', 60, 'base window start, seconds ago'), seconds('d', 30, 'base window length')],
    check: velocityWindows,
    create: (id, p, c) => new PumpMagnitudePct(id, p, c),
  },
  PRICE_VELOCITY: {
    description: 'PUMP_MAGNITUDE_PCT divided by the seconds between the window centres',
    unit: '%/s',
    source: 'trades',
    params: [seconds('t1', 10, 'recent window length'), seconds('t3', 60, 'base window start, seconds ago'), seconds('d', 30, 'base window length')],
    check: velocityWindows,
    create: (id, p, c) => new PriceVelocity(id, p, c),
  },
  VELOCITY_CASCADE: {
    description: 'Mean acceleration across velocity scales w1 < w2 < w3 (v(w) compares TWPA(w,0) with TWPA(2w,w))',
    unit: '%/s²',
    source: 'trades',
    params: [seconds('w1', 5, 'short scale'), seconds('w2', 15, 'middle scale'), seconds('w3', 60, 'long scale')],
    check: ([w1 = 0, w2 = 0, w3 = 0]) => positive('w1', w1) ?? (w1 < w2 && w2 < w3 ? null : `scales must increase: w1 < w2 < w3, got ${w1}, ${w2}, ${w3}`),
    create: (id, p, c) => new VelocityCascade(id, p, c),
  },
  MOMENTUM_REVERSAL_INDEX: {
    description: '(v_now − v_peak) / |v_peak| × 100, v = PRICE_VELOCITY(t1,t3,d), peak = largest |v| within peakWindow',
    unit: '%',
    source: 'trades',
    params: [
      seconds('t1', 10, 'recent window length'),
      seconds('t3', 60, 'base window start, seconds ago'),
      seconds('d', 30, 'base window length'),
      seconds('peakWindow', 300, 'how far back the peak velocity is looked for'),
    ],
    check: (p) => velocityWindows(p) ?? positive('peakWindow', p[3] ?? 0),
    create: (id, p, c) => new MomentumReversalIndex(id, p, c),
  },
  PRICE_MOMENTUM: {
    description: '(EMA_recent − EMA_baseline) / EMA_baseline × 100, continuous-time EMAs of trade price',
    unit: '%',
    source: 'trades',
    params: [seconds('recent', 10, 'recent EMA time constant'), seconds('baseline', 60, 'baseline EMA time constant')],
    check: ([recent = 0, baseline = 0]) => positive('recent', recent) ?? positive('baseline', baseline),
    create: (id, p, c) => new PriceMomentum(id, p, c),
  },
  VOLUME_SURGE_RATIO: {
    description: 'Traded volume per second in (t1,t2) ÷ traded volume per second in (t3,t4)',
    unit: 'ratio',
    source: 'trades',
    params: [seconds('t1', 30, 'recent window start'), seconds('t2', 0, 'recent window end'), seconds('t3', 600, 'baseline window start'), seconds('t4', 30, 'baseline window end')],
    check: ([t1 = 0, t2 = 0, t3 = 0, t4 = 0]) => windowOrder('t1', t1, 't2', t2) ?? windowOrder('t3', t3, 't4', t4),
    create: (id, p, c) => new VolumeSurgeRatio(id, p, c),
  },
  VWAP: {
    description: 'Volume-weighted average trade price over the last t1 seconds (0 = whole session)',
    unit: 'price',
    source: 'trades',
    params: [seconds('t1', 0, 'window length; 0 for the session')],
    create: (id, p, c) => new Vwap(id, p, c),
  },
  RSI: {
    description: 'Relative strength index (Wilder) on bar closes',
    unit: '0–100',
    source: 'trades',
    params: [count('period', 14, 'bars'), barSeconds(60)],
    create: (id, p, c) => new Rsi(id, p, c),
  },
  EMA: {
    description: 'Exponential moving average of bar closes',
    unit: 'price',
    source: 'trades',
    params: [count('period', 20, 'bars'), barSeconds(60)],
    create: (id, p, c) => new Ema(id, p, c),
  },
  SMA: {
    description: 'Simple moving average of bar closes',
    unit: 'price',
    source: 'trades',
    params: [count('period', 20, 'bars'), barSeconds(60)],
    create: (id, p, c) => new Sma(id, p, c),
  },
  BID_ASK_IMBALANCE: {
    description: '(bidQty − askQty)/(bidQty + askQty) × 100 over the top levels, time-weighted over t1',
    unit: '%',
    source: 'book',
    params: [seconds('t1', 10, 'averaging window'), count('levels', 5, 'book levels per side')],
    check: ([t1 = 0]) => positive('t1', t1),
    create: (id, p, c) => new BidAskImbalance(id, p, c),
  },
  SPREAD_PCT: { description: '(ask − bid) / mid × 100 of the latest book', unit: '%', source: 'book', params: [], create: (id, p, c) => new SpreadPct(id, p, c) },
  LIQUIDITY_DRAIN_INDEX: {
    description: '(baseline depth − current depth) / baseline × 100; depth = Σ price × qty of the top levels, baseline time-weighted',
    unit: '%',
    source: 'book',
    params: [seconds('baseline', 300, 'baseline window'), count('levels', 5, 'book levels per side')],
    check: ([baseline = 0]) => positive('baseline', baseline),
    create: (id, p, c) => new LiquidityDrainIndex(id, p, c),
  },
  UNREALIZED_PNL_PCT: { description: 'Unrealised PnL of the open position in %', unit: '%', source: 'portfolio', params: [], create: null },
};

/** Every indicator type with its parameters and defaults, for the strategy editor. */
export function describeIndicatorTypes(): Record<IndicatorType, IndicatorTypeDescription> {
  const described = {} as Record<IndicatorType, IndicatorTypeDescription>;
  for (const type of INDICATOR_TYPES) {
    const { description, unit, source, params } = TYPE_SPECS[type];
    described[type] = { type, description, unit, source, params: params.map((param) => ({ ...param })) };
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
  if (given.length > spec.params.length) {
    throw variantError(variantId, `${type} takes at most ${spec.params.length} parameter(s) (${spec.params.map((p) => p.name).join(', ') || 'none'}), got ${given.length}`);
  }
  const params = spec.params.map((param, position) => {
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
  return TYPE_SPECS[resolveIndicatorVariant(variantId, namedVariants).type].source === 'portfolio';
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
