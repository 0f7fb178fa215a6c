import { assertNever } from '../contract/result';
import { mirrorRuleOf, mirrorValue, parseIndicatorId, type IndicatorType, type MirrorRule } from './indicator-ids';
import {
  STRATEGY_SECTIONS, type ComparisonOperator, type Condition, type ConditionNode, type StrategyDefinition, type StrategyDirection,
  type StrategySectionKey, type TradeDirection,
} from './schema';

/**
 * Pure, three-valued evaluation of condition groups. An indicator without a value yet makes its
 * condition `pending`, and pending never turns into true: a strategy must not act on data it
 * has not seen.
 */
export type Truth = 'true' | 'false' | 'pending';

/** The current value of an indicator variant for one symbol; null/undefined/NaN mean "not yet". */
export type IndicatorLookup = (indicatorId: string) => number | null | undefined;

export interface EvaluateOptions {
  /** Resolves a named variant (`pump_fast`) to its type so it mirrors like the type does. */
  variantType?(name: string): IndicatorType | undefined;
}

/**
 * The reading to evaluate conditions with. Only the SHORT side of a BOTH strategy is mirrored
 * (see schema.ts); LONG and SHORT strategies are read as written, which is the 'LONG' reading.
 */
export function readingFor(strategyDirection: StrategyDirection, traded: TradeDirection): TradeDirection {
  return strategyDirection === 'BOTH' ? traded : 'LONG';
}

export function isCondition(node: ConditionNode): node is Condition {
  return !Array.isArray(node) && 'indicatorId' in node;
}

export function compare(left: number, operator: ComparisonOperator, right: number): boolean {
  switch (operator) {
    case '>':
      return left > right;
    case '<':
      return left < right;
    case '>=':
      return left >= right;
    case '<=':
      return left <= right;
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    default:
      return assertNever(operator, 'operator');
  }
}

// Built-in ids are parsed once; the set is bounded by the ids the loaded strategies use.
const builtinMirrorRules = new Map<string, MirrorRule>();

function mirrorRule(indicatorId: string, options: EvaluateOptions): MirrorRule {
  const cached = builtinMirrorRules.get(indicatorId);
  if (cached !== undefined) return cached;
  const parsed = parseIndicatorId(indicatorId);
  if (parsed.ok && 'named' in parsed.value) return mirrorRuleOf(indicatorId, options.variantType);
  const rule = mirrorRuleOf(indicatorId);
  builtinMirrorRules.set(indicatorId, rule);
  return rule;
}

function usable(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The value a condition compares: the raw reading, mirrored for the SHORT reading. */
export function readValue(indicatorId: string, lookup: IndicatorLookup, direction: TradeDirection, options: EvaluateOptions = {}): number | null {
  const raw = lookup(indicatorId);
  if (!usable(raw)) return null;
  if (direction === 'LONG') return raw;
  const mirrored = mirrorValue(mirrorRule(indicatorId, options), raw);
  return mirrored !== null && Number.isFinite(mirrored) ? mirrored : null;
}

export function evaluateCondition(condition: Condition, lookup: IndicatorLookup, direction: TradeDirection, options: EvaluateOptions = {}): Truth {
  const value = readValue(condition.indicatorId, lookup, direction, options);
  if (value === null) return 'pending';
  return compare(value, condition.operator, condition.value) ? 'true' : 'false';
}

function allOf(children: readonly ConditionNode[], lookup: IndicatorLookup, direction: TradeDirection, options: EvaluateOptions): Truth {
  let pending = false;
  for (const child of children) {
    const truth = evaluateGroup(child, lookup, direction, options);
    if (truth === 'false') return 'false';
    if (truth === 'pending') pending = true;
  }
  return pending ? 'pending' : 'true';
}

function anyOf(children: readonly ConditionNode[], lookup: IndicatorLookup, direction: TradeDirection, options: EvaluateOptions): Truth {
  let pending = false;
  for (const child of children) {
    const truth = evaluateGroup(child, lookup, direction, options);
    if (truth === 'true') return 'true';
    if (truth === 'pending') pending = true;
  }
  return pending ? 'pending' : 'false';
}

/**
 * all: false if any is false, else pending if any is pending, else true.
 * any: true if any is true, else pending if any is pending, else false.
 * not: swaps true and false; pending stays pending.
 */
export function evaluateGroup(group: ConditionNode, lookup: IndicatorLookup, direction: TradeDirection, options: EvaluateOptions = {}): Truth {
  if (Array.isArray(group)) return allOf(group, lookup, direction, options);
  if (isCondition(group)) return evaluateCondition(group, lookup, direction, options);
  if ('all' in group) return allOf(group.all, lookup, direction, options);
  if ('any' in group) return anyOf(group.any, lookup, direction, options);
  const inner = evaluateGroup(group.not, lookup, direction, options);
  return inner === 'pending' ? 'pending' : inner === 'true' ? 'false' : 'true';
}

/** Every condition of a group in document order. */
export function conditionsOf(group: ConditionNode): Condition[] {
  const out: Condition[] = [];
  const walk = (node: ConditionNode): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isCondition(node)) out.push(node);
    else if ('all' in node) node.all.forEach(walk);
    else if ('any' in node) node.any.forEach(walk);
    else walk(node.not);
  };
  walk(group);
  return out;
}

export interface ConditionProgress {
  id: string;
  indicatorId: string;
  operator: ComparisonOperator;
  value: number;
  /** The indicator's raw value, null while it has none. */
  current: number | null;
  /** What was compared: `current`, mirrored on the SHORT reading of a BOTH strategy. */
  compared: number | null;
  /** This condition on its own (a `not` around it is not applied); null while pending. */
  met: boolean | null;
}

/** Per-condition state for the UI, in document order. */
export function conditionProgress(group: ConditionNode, lookup: IndicatorLookup, direction: TradeDirection, options: EvaluateOptions = {}): ConditionProgress[] {
  return conditionsOf(group).map((condition) => {
    const raw = lookup(condition.indicatorId);
    const compared = readValue(condition.indicatorId, lookup, direction, options);
    return {
      id: condition.id,
      indicatorId: condition.indicatorId,
      operator: condition.operator,
      value: condition.value,
      current: usable(raw) ? raw : null,
      compared,
      met: compared === null ? null : compare(compared, condition.operator, condition.value),
    };
  });
}

/** The condition group of a section, if it has one (o1_cancel's is optional). */
export function sectionConditions(definition: StrategyDefinition, section: StrategySectionKey): ConditionNode | undefined {
  return definition[section].conditions;
}

/** Unique indicator ids a section uses, in document order. */
export function sectionIndicators(definition: StrategyDefinition, section: StrategySectionKey): string[] {
  const group = sectionConditions(definition, section);
  return group === undefined ? [] : [...new Set(conditionsOf(group).map((c) => c.indicatorId))];
}

/** Unique indicator ids used anywhere in the strategy: what the indicator engine must compute. */
export function referencedIndicators(definition: StrategyDefinition): string[] {
  return [...new Set(STRATEGY_SECTIONS.flatMap((section) => sectionIndicators(definition, section)))];
}
