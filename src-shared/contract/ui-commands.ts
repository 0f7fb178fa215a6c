import { z } from 'zod';
import { Candle, DecimalString, Id, InstrumentIdSchema, RiskAlertDto, SessionKind, SessionStatus, SignalSection, StrategyState, Timeframe, Timestamp } from './schemas';
import { SettingsSchema } from './settings';

/**
 * What the trading screens ask the engine beyond the walking skeleton's commands: settings,
 * the strategy library, session reports, the live strategy state overview, alert handling and
 * session-aware chart history.
 */

/** One problem of a definition or a settings patch, at the JSON path it names. */
export const ValidationIssueDto = z.object({ path: z.string(), message: z.string() });
export type ValidationIssueDto = z.infer<typeof ValidationIssueDto>;

export const SettingsViewDto = z.object({
  settings: SettingsSchema,
  /**
   * True once the saved file differs from what the running engine was built with: services read
   * their limits at construction, so those changes take effect after a restart.
   */
  restartRequired: z.boolean(),
});
export type SettingsViewDto = z.infer<typeof SettingsViewDto>;

/** A strategy the trader can load: saved in the store, or one of the bundled examples. */
export const StrategyEntryDto = z.object({
  /** The strategy id (a slug of its name); stored and example entries may share one. */
  id: z.string(),
  name: z.string(),
  source: z.enum(['stored', 'example']),
  /** The example's file name; null for stored strategies. */
  file: z.string().nullable(),
  definition: z.unknown(),
  updatedAt: Timestamp.nullable(),
});
export type StrategyEntryDto = z.infer<typeof StrategyEntryDto>;

export const SessionMetricsDto = z.object({
  trades: z.number().int().nonnegative(),
  netPnl: DecimalString,
  grossPnl: DecimalString,
  fees: DecimalString,
  winRate: z.number().min(0).max(1),
  maxDrawdown: DecimalString,
  maxDrawdownPercent: z.number(),
  /** Mean over standard deviation of per-trade returns on equity (not annualised); null below two trades. */
  sharpe: z.number().nullable(),
  /** Gross profit over gross loss; null without a losing trade. */
  profitFactor: z.number().nullable(),
  /** sha256 over the closed trades: equal for every run of the same data and strategies. */
  fingerprint: z.string(),
});
export type SessionMetricsDto = z.infer<typeof SessionMetricsDto>;

export const ClosedTradeDto = z.object({
  strategyId: z.string(),
  instrumentId: InstrumentIdSchema,
  direction: z.enum(['LONG', 'SHORT']),
  entryTs: Timestamp,
  exitTs: Timestamp,
  entryPrice: DecimalString,
  exitPrice: DecimalString,
  quantity: DecimalString,
  grossPnl: DecimalString,
  fees: DecimalString,
  netPnl: DecimalString,
  exitReason: z.string(),
});
export type ClosedTradeDto = z.infer<typeof ClosedTradeDto>;

export const StrategyPerformanceDto = z.object({
  strategyId: z.string(),
  trades: z.number().int().nonnegative(),
  wins: z.number().int().nonnegative(),
  winRate: z.number().min(0).max(1),
  netPnl: DecimalString,
  fees: DecimalString,
  profitFactor: z.number().nullable(),
});
export type StrategyPerformanceDto = z.infer<typeof StrategyPerformanceDto>;

export const SessionReportDto = z.object({
  sessionId: Id,
  kind: SessionKind,
  status: SessionStatus,
  capital: DecimalString,
  metrics: SessionMetricsDto,
  /** Equity after each closed trade, starting with the capital at the session's first tick. */
  equityCurve: z.array(z.object({ ts: Timestamp, equity: DecimalString })),
  /** Distance below the running equity peak at each point of the curve (≤ 0). */
  drawdown: z.array(z.object({ ts: Timestamp, drawdown: DecimalString, drawdownPercent: z.number() })),
  strategies: z.array(StrategyPerformanceDto),
  trades: z.array(ClosedTradeDto),
  createdAt: Timestamp,
});
export type SessionReportDto = z.infer<typeof SessionReportDto>;

export const StrategyStateRowDto = z.object({
  sessionId: Id,
  strategyId: z.string(),
  instrumentId: InstrumentIdSchema,
  state: StrategyState,
  /** Session (data) time the state was entered. */
  since: Timestamp,
  direction: z.enum(['LONG', 'SHORT']).nullable(),
  /** When the O1 timeout or the cooldown ends; null otherwise. */
  until: Timestamp.nullable(),
  /** The session's clock now, so "time in state" can be shown in data time. */
  now: Timestamp,
});
export type StrategyStateRowDto = z.infer<typeof StrategyStateRowDto>;

export const ConditionProgressDto = z.object({
  id: z.string(),
  indicatorId: z.string(),
  operator: z.enum(['>', '<', '>=', '<=', '==', '!=']),
  value: z.number(),
  current: z.number().nullable(),
  compared: z.number().nullable(),
  /** null while the indicator has no value yet (pending, never true). */
  met: z.boolean().nullable(),
});
export type ConditionProgressDto = z.infer<typeof ConditionProgressDto>;

export const StrategyProgressDto = z.object({
  strategyId: z.string(),
  instrumentId: InstrumentIdSchema,
  state: StrategyState,
  direction: z.enum(['LONG', 'SHORT']),
  sections: z.record(SignalSection, z.array(ConditionProgressDto)),
});
export type StrategyProgressDto = z.infer<typeof StrategyProgressDto>;

export const AlertRecordDto = RiskAlertDto.extend({
  acknowledgedAt: Timestamp.nullable(),
  dismissedAt: Timestamp.nullable(),
});
export type AlertRecordDto = z.infer<typeof AlertRecordDto>;

export const SessionCandlesDto = z.object({
  candles: z.array(Candle),
  /** Data time the candles reach: the replay's position while it runs, the recording's end after. */
  untilTs: Timestamp.nullable(),
  /** True while the session replays, so newer bars arrive as market_data. */
  live: z.boolean(),
});
export type SessionCandlesDto = z.infer<typeof SessionCandlesDto>;

/** What the screens need to know about an instrument to value a position at a live price. */
export const InstrumentDto = z.object({
  id: InstrumentIdSchema,
  settle: z.string(),
  tickSize: DecimalString,
  lotSize: DecimalString,
  /** Base units per contract: quantities in positions and orders are contracts. */
  contractSize: DecimalString,
  maxLeverage: z.number().int().min(1),
});
export type InstrumentDto = z.infer<typeof InstrumentDto>;

const Empty = z.object({}).strict();

export const uiCommands = {
  'settings.get': { request: Empty, response: SettingsViewDto },
  /** Deep-merges the patch into the settings file; refused whole, naming `request.patch.<field>` paths. */
  'settings.update': { request: z.object({ patch: z.record(z.string(), z.unknown()) }).strict(), response: SettingsViewDto },
  'strategies.validate': {
    request: z.object({ definition: z.unknown() }).strict(),
    response: z.object({ valid: z.boolean(), errors: z.array(ValidationIssueDto) }),
  },
  'strategies.list': { request: Empty, response: z.array(StrategyEntryDto) },
  /** Validated whole; a failing definition is refused with every failing `request.definition.<path>`. */
  'strategies.save': { request: z.object({ definition: z.unknown() }).strict(), response: StrategyEntryDto },
  'strategies.delete': { request: z.object({ id: Id }).strict(), response: z.object({ deleted: z.boolean() }) },
  'strategies.states': {
    request: z.object({ sessionId: Id.optional() }).strict(),
    response: z.object({ running: z.boolean(), rows: z.array(StrategyStateRowDto) }),
  },
  'strategies.progress': {
    request: z.object({ sessionId: Id, strategyId: Id, instrumentId: InstrumentIdSchema }).strict(),
    response: z.object({ running: z.boolean(), progress: StrategyProgressDto.nullable() }),
  },
  'sessions.report': { request: z.object({ sessionId: Id }).strict(), response: SessionReportDto },
  /** Recent alerts with their acknowledgement, dismissed ones left out; newest first. */
  'alerts.recent': { request: z.object({ limit: z.number().int().min(1).max(1_000).default(200) }).strict(), response: z.array(AlertRecordDto) },
  'alerts.acknowledge': { request: z.object({ id: Id }).strict(), response: AlertRecordDto },
  /** Acknowledges and hides the alert; it stays in the journal. */
  'alerts.dismiss': { request: z.object({ id: Id }).strict(), response: AlertRecordDto },
  'instruments.list': { request: Empty, response: z.array(InstrumentDto) },
  'chart.sessionCandles': {
    request: z.object({
      sessionId: Id,
      instrumentId: InstrumentIdSchema,
      timeframe: Timeframe,
      limit: z.number().int().min(1).max(50_000).default(5_000),
    }).strict(),
    response: SessionCandlesDto,
  },
} as const;
