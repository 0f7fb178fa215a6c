import { z } from 'zod';
import { formatPath } from './parse';
import { err, ok, type Result } from './result';

/**
 * Every limit and interval of the engine, in one validated object injected through
 * constructors (ARCHITECTURE §3, §8, §9, §12). Each group parses from `{}` to its defaults, so a
 * settings file only needs the values a trader changed; unknown keys are refused so a misspelt
 * risk limit never silently falls back to its default.
 */

const decimal = (message: string) => z.string().regex(/^\d+(\.\d+)?$/, message);
const positiveDecimal = decimal('must be a positive decimal number written as a string, e.g. "100"').refine((v) => /[1-9]/.test(v), 'must be greater than zero');
const fraction = decimal('must be a decimal fraction written as a string, e.g. "0.0004"');
const percent = z.number().gt(0).max(100);
const wholeMs = z.number().int().nonnegative();
const positiveMs = z.number().int().positive();
const port = z.number().int().min(0).max(65_535);

/** zod 4: `.default({})` would skip parsing the default; `.prefault({})` parses it, filling nested defaults. */
const group = <S extends z.ZodRawShape>(shape: S) => {
  const schema = z.strictObject(shape);
  // every field of every group has a default, so {} is a complete input
  return schema.prefault({} as z.input<typeof schema>);
};

export const RiskSettingsSchema = group({
  /** Largest position (margin) as % of capital. */
  maxPositionPctOfCapital: percent.default(10),
  maxOpenPositions: z.number().int().min(1).default(3),
  /** Capital in one symbol, %. */
  maxSymbolConcentrationPct: percent.default(30),
  /** Trading halts for the day once the day's loss reaches this % of capital. */
  maxDailyLossPct: percent.default(5),
  /** Trading halts once equity falls this % below its peak. */
  maxDrawdownPct: percent.default(15),
  /** New orders are denied at or above this margin utilisation %. */
  maxMarginUtilizationPct: percent.default(80),
  /** Orders asking for more leverage are denied before any venue call (the strategy schema allows 1–10). */
  maxLeverage: z.number().int().min(1).max(125).default(10),
  consecutiveLossCooldown: group({
    enabled: z.boolean().default(true),
    losses: z.number().int().min(1).default(3),
    minutes: z.number().min(0).default(60),
  }),
  /** Staged live capital: largest notional of one live order, quote currency (USDT). */
  maxOrderNotional: positiveDecimal.default('100'),
  /** Staged live capital: largest total notional of all open live positions, quote currency. */
  maxTotalExposure: positiveDecimal.default('300'),
});

export const OrderManagerSettingsSchema = group({
  maxQueue: z.number().int().min(1).default(1000),
  /** Orders not acknowledged by the venue within this time are expired. */
  orderTtlMs: positiveMs.default(300_000),
  /** A market order older than this is expired, never sent late into a fast market. */
  marketOrderMaxAgeMs: positiveMs.default(3_000),
  retries: z.number().int().min(0).max(20).default(3),
  retryBaseDelayMs: positiveMs.default(1_000),
  retryMaxDelayMs: positiveMs.default(30_000),
  /** Status polling where the venue has no private stream. */
  statusPollIntervalMs: positiveMs.default(2_000),
  cleanupIntervalMs: positiveMs.default(300_000),
});

export const CircuitBreakerSettingsSchema = group({
  failureThreshold: z.number().int().min(1).default(5),
  failureWindowMs: positiveMs.default(60_000),
  halfOpenAfterMs: positiveMs.default(30_000),
});

export const BusSettingsSchema = group({
  /** One entry per retry of a failing handler. */
  retryDelaysMs: z.array(wholeMs).max(10).default(() => [1_000, 2_000, 4_000]),
  maxDeadLetters: z.number().int().min(1).default(1_000),
});

export const PositionSyncSettingsSchema = group({
  intervalMs: positiveMs.default(10_000),
  /**
   * Distance to liquidation below which a warning is raised, as the share of the way from the
   * liquidation price to the entry price that the mark still has left: 100 at entry, 0 at
   * liquidation (execution/accounting.ts liquidationDistancePercent; the UI's margin gauge).
   */
  liquidationWarningPct: percent.default(25),
  /** … and below which a critical alert is raised. */
  liquidationCriticalPct: percent.default(15),
}).refine((s) => s.liquidationCriticalPct < s.liquidationWarningPct, {
  message: 'must be below liquidationWarningPct (critical is the nearer distance to liquidation)',
  path: ['liquidationCriticalPct'],
});

export const FeedSettingsSchema = group({
  /** A feed with no message for this long is stale (strategies pause, an alert is raised). */
  stalenessMs: positiveMs.default(10_000),
  reconnectDelayMs: positiveMs.default(2_000),
  reconnectMaxDelayMs: positiveMs.default(60_000),
  /** Pause before re-subscribing a dropped stream (ccxt.pro redials with its own short backoff; together they stay under 2 s). */
  resubscribeDelayMs: positiveMs.default(500),
  /** REST polling of trades while a trade stream is down. */
  restPollIntervalMs: positiveMs.default(2_000),
  /** Book levels recorded and fed to the book indicators. */
  bookLevels: z.number().int().min(1).max(500).default(20),
});

export const RateLimitSettingsSchema = group({
  venueRequestsPerSecond: z.number().gt(0).max(1_000).default(10),
});

export const StrategySettingsSchema = group({
  /** Concurrent signals across all strategies. */
  signalSlots: z.number().int().min(1).max(100).default(3),
  /** Cooldown when a strategy's JSON sets none. */
  defaultCooldownMinutes: z.number().min(0).default(5),
  /** After risk denies an entry, the symbol rests this long before S1 may fire again. */
  denialCooldownMs: wholeMs.default(60_000),
});

export const PaperSettingsSchema = group({
  startingCapital: positiveDecimal.default('10000'),
  /** Fee as a fraction of notional; null uses the instrument's own fee. */
  makerFee: fraction.nullable().default(null),
  takerFee: fraction.nullable().default(null),
  /** Slippage of market orders filled at the next trade, basis points against the taker. */
  slippageBps: z.number().min(0).max(1_000).default(2),
  /** Funding rate per funding interval, as a signed fraction. */
  fundingRate: z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a signed decimal fraction written as a string, e.g. "0.0001"').default('0.0001'),
  fundingIntervalHours: z.number().int().min(1).max(24).default(8),
  /** Maintenance margin rate for the liquidation rule, as a fraction. */
  maintenanceMarginRate: fraction.default('0.004'),
  /** Market orders walk the recorded book unless it is older than this at the trade that fills them (then: the trade plus slippage). */
  bookStaleMs: positiveMs.default(2_000),
});

export const StoreSettingsSchema = group({
  tradeChunkSize: z.number().int().min(64).max(1_000_000).default(8_192),
  bookChunkSize: z.number().int().min(16).max(100_000).default(1_024),
  /** How often a recorder writes partially filled chunks. */
  flushIntervalMs: positiveMs.default(5_000),
  busyTimeoutMs: wholeMs.default(5_000),
});

export const MetricsSettingsSchema = group({
  /** Opt-in /metrics on 127.0.0.1. */
  enabled: z.boolean().default(false),
  port: port.default(9_464),
});

export const ServeSettingsSchema = group({
  /** Serve mode's port on 127.0.0.1 (0 picks a free one); --port overrides it. */
  port: port.default(4_780),
});

export const QuestDbSettingsSchema = group({
  enabled: z.boolean().default(false),
  host: z.string().min(1).default('127.0.0.1'),
  /** ILP over TCP (QuestDB's default 9009). */
  port: port.default(9_009),
  /** How often queued lines are sent. */
  flushIntervalMs: positiveMs.default(1_000),
  /** Lines kept while QuestDB is slow or away; beyond it the oldest are dropped (and counted). */
  maxBufferedLines: z.number().int().min(1).max(10_000_000).default(100_000),
  /** First reconnect delay; doubles per failed attempt up to reconnectMaxDelayMs. */
  reconnectDelayMs: positiveMs.default(1_000),
  reconnectMaxDelayMs: positiveMs.default(30_000),
});

export const AlertSettingsSchema = group({
  sound: z.boolean().default(true),
  trayNotifications: z.boolean().default(true),
  /** The lowest severity that plays a sound. */
  soundMinSeverity: z.enum(['info', 'warning', 'critical']).default('warning'),
});

/**
 * An Electron accelerator with at least one modifier: a global hotkey without one would take a
 * plain key away from every other application.
 */
const ACCELERATOR_MODIFIER = '(?:CommandOrControl|CmdOrCtrl|Command|Cmd|Control|Ctrl|Alt|Option|AltGr|Shift|Super|Meta)';
const ACCELERATOR = new RegExp(`^(?:${ACCELERATOR_MODIFIER}\\+)+(?:[A-Z0-9]|F(?:[1-9]|1[0-9]|2[0-4])|Space|Tab|Backspace|Delete|Insert|Return|Enter|Up|Down|Left|Right|Home|End|PageUp|PageDown|Escape|Esc)$`);

export const ShortcutSettingsSchema = group({
  /** Global hotkey (works while the app is in the background) that asks to engage the kill switch; null turns it off. */
  killSwitch: z.string().regex(ACCELERATOR, 'must be an accelerator with a modifier, e.g. "CommandOrControl+Shift+K"').nullable().default('CommandOrControl+Shift+K'),
});

export const FirstRunSettingsSchema = group({
  /**
   * With no recordings and no sessions yet, import the bundled demo trades and start an offline
   * paper session on them, so a fresh install shows candles and signals without network or keys.
   */
  demo: z.boolean().default(true),
  /** Replay speed of that demo session (N× real time). */
  demoSpeed: z.number().gt(0).max(1_000).default(20),
});

export const LoggingSettingsSchema = group({
  level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export const SettingsSchema = z.strictObject({
  risk: RiskSettingsSchema,
  orderManager: OrderManagerSettingsSchema,
  circuitBreaker: CircuitBreakerSettingsSchema,
  bus: BusSettingsSchema,
  positionSync: PositionSyncSettingsSchema,
  feed: FeedSettingsSchema,
  rateLimits: RateLimitSettingsSchema,
  strategy: StrategySettingsSchema,
  paper: PaperSettingsSchema,
  store: StoreSettingsSchema,
  metrics: MetricsSettingsSchema,
  serve: ServeSettingsSchema,
  questdb: QuestDbSettingsSchema,
  alerts: AlertSettingsSchema,
  shortcuts: ShortcutSettingsSchema,
  logging: LoggingSettingsSchema,
  firstRun: FirstRunSettingsSchema,
});

export type Settings = z.output<typeof SettingsSchema>;
/** What a settings file may hold: any subset of the settings. */
export type SettingsInput = z.input<typeof SettingsSchema>;

export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type SettingsPatch = DeepPartial<Settings>;

/** A fresh copy of every default. */
export function defaultSettings(): Settings {
  return SettingsSchema.parse({});
}

/**
 * Validates settings from a file or the UI. The error names each failing field path with a
 * problem a trader can act on, e.g. `risk.maxOpenPositions: must be ≥ 1 (got 0)`.
 */
export function validateSettings(input: unknown): Result<Settings> {
  const parsed = SettingsSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const problems = settingsProblems(parsed.error.issues, input);
  return err('validation', problems.map((p) => `${p.path}: ${p.problem}`).join('; '), [...new Set(problems.map((p) => p.path))]);
}

export interface SettingsProblem {
  path: string;
  problem: string;
}

export function settingsProblems(issues: readonly z.core.$ZodIssue[], input: unknown): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: formatPath([...issue.path, key]), problem: 'unknown setting (check the spelling)' });
      continue;
    }
    const got = valueAt(input, issue.path);
    const shown = got.found ? ` (got ${show(got.value)})` : ' (missing)';
    problems.push({ path: formatPath(issue.path), problem: `${describeIssue(issue)}${shown}` });
  }
  return problems;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small': {
      const bound = String(issue.minimum);
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive === false ? `must be > ${bound}` : `must be ≥ ${bound}`;
      if (issue.origin === 'array') return `must have at least ${bound} entries`;
      if (issue.origin === 'string') return bound === '1' ? 'must not be empty' : `must have at least ${bound} characters`;
      return issue.message;
    }
    case 'too_big': {
      const bound = String(issue.maximum);
      if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') return issue.inclusive === false ? `must be < ${bound}` : `must be ≤ ${bound}`;
      if (issue.origin === 'array') return `must have at most ${bound} entries`;
      if (issue.origin === 'string') return `must have at most ${bound} characters`;
      return issue.message;
    }
    case 'invalid_type':
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${issue.expected === 'object' || issue.expected === 'array' ? 'an' : 'a'} ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_format':
    case 'custom':
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
    case 'unrecognized_keys':
      // the schema's own messages already read as problems ("must be greater than zero")
      return issue.message;
  }
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): { found: boolean; value: unknown } {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !(key in current)) return { found: false, value: undefined };
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: current };
}

function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Merges a patch into settings: objects merge key by key, arrays and values replace. The result
 * still needs validating (validateSettings).
 */
export function mergeSettings(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch === undefined ? base : patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    merged[key] = mergeSettings(base[key], value);
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
