import { z } from 'zod';
import { parse } from '../contract/parse';
import { err, ok, type Result } from '../contract/result';
import { INDICATOR_TYPES, isIndicatorType, parseIndicatorId, type IndicatorType } from './indicator-ids';

export {
  INDICATOR_TYPES, INDICATOR_TYPE_NAMES, MAX_COUNT, MAX_WINDOW_SECONDS, canonicalIndicatorId, isIndicatorType, mirrorRuleOf, mirrorValue,
  parseIndicatorId,
} from './indicator-ids';
export type { IndicatorParameter, IndicatorType, IndicatorTypeSpec, MirrorRule, ParameterUnit, ParsedIndicatorId } from './indicator-ids';

/**
 * The canonical five-section strategy (ARCHITECTURE §6).
 *
 * Direction. LONG and SHORT strategies are read exactly as written: a SHORT strategy that
 * shorts the top of a pump says `PUMP_MAGNITUDE_PCT > 2`, one that follows a dump says
 * `PUMP_MAGNITUDE_PCT < -2`. A BOTH strategy is written once, for LONG; its SHORT side reads
 * every direction-sensitive indicator mirrored (INDICATOR_TYPES[type].mirror: PUMP_MAGNITUDE_PCT,
 * PRICE_VELOCITY, PRICE_MOMENTUM, VELOCITY_CASCADE, BID_ASK_IMBALANCE, MOMENTUM_REVERSAL_INDEX
 * negated, TWPA_RATIO as 1/x, RSI as 100−x), so `PUMP_MAGNITUDE_PCT > 2` fires LONG on a 2 % pump
 * and SHORT on a 2 % dump. Volume, spread, liquidity, prices and UNREALIZED_PNL_PCT (already
 * signed by the position's side) are read as written for both sides. Hence a BOTH strategy's
 * s1_signal must reference a direction-sensitive indicator, or it could not tell the sides apart.
 *
 * Every object is strict: a misspelt optional key (`stoploss`) would otherwise be dropped
 * silently and the trader would trade without the protection they think they set.
 */

export const ComparisonOperator = z.enum(['>', '<', '>=', '<=', '==', '!=']);
export type ComparisonOperator = z.infer<typeof ComparisonOperator>;

export const StrategyDirection = z.enum(['LONG', 'SHORT', 'BOTH']);
export type StrategyDirection = z.infer<typeof StrategyDirection>;
export type TradeDirection = 'LONG' | 'SHORT';

export interface Condition {
  id: string;
  indicatorId: string;
  operator: ComparisonOperator;
  value: number;
}
/** A bare list means all. */
export type ConditionGroup = ConditionNode[] | { all: ConditionNode[] } | { any: ConditionNode[] } | { not: ConditionNode };
export type ConditionNode = Condition | ConditionGroup;

export interface StrategySchemaOptions {
  /** Whether a named variant (`pump_fast`) exists in the engine's registry; without it any well-formed name passes. */
  isKnownVariant?(name: string): boolean;
}

const MAX_MINUTES = 7 * 24 * 60;
const ConditionId = z.string().min(1).max(64);
const Minutes = z.number().finite().min(0).max(MAX_MINUTES);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function indicatorIdSchema(options: StrategySchemaOptions): z.ZodType<string> {
  return z.string().superRefine((id, ctx) => {
    const parsed = parseIndicatorId(id);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error.message });
      return;
    }
    if ('named' in parsed.value && options.isKnownVariant !== undefined && !options.isKnownVariant(parsed.value.named)) {
      ctx.addIssue({ code: 'custom', message: `unknown indicator variant "${parsed.value.named}"` });
    }
  });
}

/**
 * A zod union would report a bad operator as "no union member matched" at the condition;
 * dispatching on the node's shape first names the exact failing field instead.
 */
function conditionNodeSchema(options: StrategySchemaOptions): z.ZodType<ConditionNode> {
  const condition = z.object({
    id: ConditionId,
    indicatorId: indicatorIdSchema(options),
    operator: ComparisonOperator,
    value: z.number().finite(),
  }).strict();
  const list = z.lazy(() => z.array(node).min(1, 'a condition list needs at least one condition'));
  const all = z.object({ all: list }).strict();
  const any = z.object({ any: list }).strict();
  const not = z.object({ not: z.lazy(() => node) }).strict();
  const node: z.ZodType<ConditionNode> = z.unknown().transform((input, ctx): ConditionNode => {
    const schema: z.ZodType<ConditionNode> = Array.isArray(input)
      ? list
      : isRecord(input) && 'all' in input ? all
        : isRecord(input) && 'any' in input ? any
          : isRecord(input) && 'not' in input ? not
            : condition;
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] });
    return z.NEVER;
  });
  return node;
}

/** Builds the schema; options only matter for named variants. */
export function strategySchema(options: StrategySchemaOptions = {}) {
  const group = conditionNodeSchema(options);
  const protection = z.object({ enabled: z.boolean(), offsetPercent: z.number().finite().positive() }).strict();
  return z.object({
    strategy_name: z.string().trim().min(1).max(200).refine((name) => /[a-z0-9]/i.test(name), 'must contain a letter or digit (it becomes the strategy id)'),
    direction: StrategyDirection,
    enabled: z.boolean(),
    description: z.string().max(2_000).optional(),
    version: z.union([z.string().max(64), z.number().finite()]).optional(),
    global_limits: z.object({
      /** Signals this strategy may hold at once across symbols (the engine's global slots still apply). */
      max_concurrent_signals: z.number().int().min(1).max(100).optional(),
      /** Cooldown after a normal exit (ZE1), and after O1 when o1_cancel has none. */
      cooldown_minutes: Minutes.optional(),
      /** Entries per UTC day of the engine clock; when reached no new S1 until the next day. */
      max_daily_trades: z.number().int().min(1).max(10_000).optional(),
      /** Unified symbols this strategy may trade, e.g. "BTC/USDT:USDT"; absent means all. */
      allowed_symbols: z.array(z.string().min(1).max(64)).min(1).optional(),
    }).strict().default({}),
    s1_signal: z.object({ conditions: group }).strict(),
    o1_cancel: z.object({
      timeoutSeconds: z.number().finite().positive().max(MAX_MINUTES * 60),
      conditions: group.optional(),
      cooldownMinutes: Minutes.optional(),
    }).strict(),
    z1_entry: z.object({
      conditions: group,
      /** fixed: quote currency (USDT) of margin; percentage: of capital. */
      positionSize: z.object({ type: z.enum(['fixed', 'percentage']), value: z.number().finite().positive() }).strict()
        .refine((size) => size.type !== 'percentage' || size.value <= 100, { message: 'a percentage position size must be at most 100', path: ['value'] }),
      leverage: z.number().int().min(1).max(10),
      stopLoss: protection.refine((p) => p.offsetPercent < 100, { message: 'a stop loss 100 % or more away is past zero', path: ['offsetPercent'] }).optional(),
      takeProfit: protection.refine((p) => p.offsetPercent <= 1_000, { message: 'take profit offset must be at most 1000 %', path: ['offsetPercent'] }).optional(),
      orderType: z.enum(['MARKET', 'LIMIT']).default('MARKET'),
    }).strict(),
    ze1_close: z.object({ conditions: group }).strict(),
    emergency_exit: z.object({
      conditions: group,
      cooldownMinutes: Minutes,
      actions: z.object({ cancelPending: z.boolean(), closePosition: z.boolean(), logEvent: z.boolean() }).strict(),
    }).strict(),
    /** Free-form notes the app carries along but never reads. */
    metadata: z.record(z.string(), z.unknown()).optional(),
  }).strict();
}

export const StrategyDefinitionSchema = strategySchema();
export type StrategyDefinition = z.output<typeof StrategyDefinitionSchema>;
/** What a trader writes (defaults not yet applied). */
export type StrategyInput = z.input<typeof StrategyDefinitionSchema>;

export const STRATEGY_SECTIONS = ['s1_signal', 'o1_cancel', 'z1_entry', 'ze1_close', 'emergency_exit'] as const;
export type StrategySectionKey = (typeof STRATEGY_SECTIONS)[number];

interface RawCondition {
  path: string;
  id: unknown;
  indicatorId: unknown;
}

/** Walks the raw input so cross-condition rules are checked even when other fields failed. */
function rawConditions(node: unknown, path: string, out: RawCondition[]): void {
  if (Array.isArray(node)) {
    node.forEach((child, index) => rawConditions(child, `${path}[${index}]`, out));
    return;
  }
  if (!isRecord(node)) return;
  for (const key of ['all', 'any', 'not'] as const) {
    if (key in node) {
      rawConditions(node[key], `${path}.${key}`, out);
      return;
    }
  }
  out.push({ path, id: node['id'], indicatorId: node['indicatorId'] });
}

function rawSectionConditions(input: Record<string, unknown>): Array<{ section: StrategySectionKey; conditions: RawCondition[] }> {
  return STRATEGY_SECTIONS.map((section) => {
    const out: RawCondition[] = [];
    const body = input[section];
    if (isRecord(body) && 'conditions' in body) rawConditions(body['conditions'], `${section}.conditions`, out);
    return { section, conditions: out };
  });
}

function isDirectionSensitive(indicatorId: unknown): boolean | 'unknown' {
  if (typeof indicatorId !== 'string') return false;
  const parsed = parseIndicatorId(indicatorId);
  if (!parsed.ok) return false;
  if ('named' in parsed.value) return 'unknown';
  return INDICATOR_TYPES[parsed.value.type].mirror !== 'none';
}

/**
 * Validates a five-section strategy. It is accepted whole or rejected whole: the error's
 * `paths` name every failing JSON path (`z1_entry.leverage`, `s1_signal.conditions[0].indicatorId`).
 */
export function validateStrategy(json: unknown, options: StrategySchemaOptions = {}): Result<StrategyDefinition> {
  const parsed = parse(strategySchema(options), json);
  const paths: string[] = parsed.ok ? [] : [...(parsed.error.paths ?? [])];
  const lines: string[] = parsed.ok ? [] : [parsed.error.message];
  const problem = (path: string, message: string): void => {
    if (!paths.includes(path)) paths.push(path);
    lines.push(`${path}: ${message}`);
  };

  if (isRecord(json)) {
    const sections = rawSectionConditions(json);
    const seen = new Map<string, string>();
    for (const { conditions } of sections) {
      for (const condition of conditions) {
        if (typeof condition.id !== 'string') continue;
        const first = seen.get(condition.id);
        if (first === undefined) seen.set(condition.id, condition.path);
        else problem(`${condition.path}.id`, `condition id "${condition.id}" is already used at ${first}; ids must be unique within a strategy`);
      }
    }
    if (json['direction'] === 'BOTH') {
      const signal = sections.find((s) => s.section === 's1_signal')?.conditions ?? [];
      if (signal.length > 0 && !signal.some((c) => isDirectionSensitive(c.indicatorId) !== false)) {
        problem('s1_signal.conditions', 'a BOTH strategy needs a direction-sensitive indicator in s1_signal (e.g. PUMP_MAGNITUDE_PCT) to tell LONG from SHORT');
      }
    }
  }

  if (paths.length > 0) return err('validation', lines.join('; '), paths);
  if (!parsed.ok) return parsed; // unreachable: a failed parse always names a path
  return ok(parsed.value);
}

/** The stable id of a strategy: a slug of its name (`Pump Long v2` → `pump-long-v2`). */
export function strategyId(definition: Pick<StrategyDefinition, 'strategy_name'>): string {
  const slug = definition.strategy_name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/g, '');
  return slug === '' ? 'strategy' : slug;
}

/** JSON with keys sorted at every level: equal definitions give equal text. */
export function canonicalStrategyJson(definition: StrategyDefinition): string {
  const sortKeys = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (!isRecord(value)) return value;
    return Object.fromEntries(Object.keys(value).sort().filter((key) => value[key] !== undefined).map((key) => [key, sortKeys(value[key])]));
  };
  return JSON.stringify(sortKeys(definition));
}

/**
 * A content fingerprint (FNV-1a 64 over the canonical JSON, hex): tells a backtest which exact
 * version of a strategy ran. Not cryptographic; src-shared has no node:crypto.
 */
export function strategyFingerprint(definition: StrategyDefinition): string {
  const bytes = new TextEncoder().encode(canonicalStrategyJson(definition));
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * prime) & mask;
  return hash.toString(16).padStart(16, '0');
}

/** The indicator type behind an id, resolving named variants through the registry when given. */
export function indicatorTypeOf(indicatorId: string, variantType?: (name: string) => IndicatorType | undefined): IndicatorType | undefined {
  const parsed = parseIndicatorId(indicatorId);
  if (!parsed.ok) return undefined;
  if ('named' in parsed.value) return variantType?.(parsed.value.named);
  return isIndicatorType(parsed.value.type) ? parsed.value.type : undefined;
}

/**
 * Validates the strategies of a request: all of them, so one error names every failing strategy
 * and path (`request.strategies[i].<path>`), or the definitions in order.
 */
export function validateStrategies(raws: readonly unknown[], pathPrefix = 'request.strategies'): Result<StrategyDefinition[]> {
  const definitions: StrategyDefinition[] = [];
  const problems: string[] = [];
  const paths: string[] = [];
  raws.forEach((raw, index) => {
    const validated = validateStrategy(raw);
    if (validated.ok) definitions.push(validated.value);
    else {
      problems.push(`strategies[${index}]: ${validated.error.message}`);
      paths.push(...(validated.error.paths ?? []).map((p) => `${pathPrefix}[${index}].${p}`));
    }
  });
  return problems.length > 0 ? err('validation', problems.join('; '), paths) : ok(definitions);
}
