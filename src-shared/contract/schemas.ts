import { z } from 'zod';

/** Exact decimals cross boundaries as strings ("61234.5"), never as floats. */
export const DecimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal number written as a string, e.g. "61234.5"');
export const PositiveDecimalString = DecimalString.refine((v) => !v.startsWith('-') && /[1-9]/.test(v), 'must be greater than zero');
export const Timestamp = z.number().int().nonnegative(); // ms since epoch, from the injected clock
export const Id = z.string().min(1).max(128);
export const InstrumentIdSchema = z.string().min(1).max(64).describe('unified symbol, e.g. BTC/USDT:USDT');

export const Side = z.enum(['BUY', 'SELL']);
export const AggressorSide = z.enum(['buy', 'sell']);
export const Severity = z.enum(['info', 'warning', 'critical']);
export const SignalSection = z.enum(['S1', 'O1', 'Z1', 'ZE1', 'E1']);
export const StrategyState = z.enum(['MONITORING', 'SIGNAL_DETECTED', 'SIGNAL_CANCELLED', 'ENTRY_EVALUATION', 'POSITION_ACTIVE', 'EXITED', 'COOLDOWN']);
export const SessionKind = z.enum(['collect', 'backtest', 'paper', 'live']);
export const SessionStatus = z.enum(['created', 'running', 'paused', 'stopped', 'completed', 'failed']);
export const TradingState = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);
export const OrderStatusSchema = z.enum(['INITIALIZED', 'DENIED', 'SUBMITTED', 'ACCEPTED', 'REJECTED', 'PARTIALLY_FILLED', 'FILLED', 'PENDING_CANCEL', 'CANCELED', 'EXPIRED']);

/** Market data inside the engine: float64 readings of the exchange's decimal text (≤15 significant digits round-trip exactly). */
export const TradeTick = z.object({
  kind: z.literal('trade'),
  instrumentId: InstrumentIdSchema,
  price: z.number().positive().finite(),
  quantity: z.number().positive().finite(), // base units
  side: AggressorSide,
  ts: Timestamp,
  tradeId: z.string().optional(),
  /** The replay (backtest or paper session) this tick belongs to; absent on live feeds. */
  sessionId: z.string().optional(),
});
export type TradeTick = z.infer<typeof TradeTick>;

export const BookLevel = z.tuple([z.number().positive().finite(), z.number().nonnegative().finite()]);
export const BookUpdate = z.object({
  kind: z.literal('book'),
  instrumentId: InstrumentIdSchema,
  bids: z.array(BookLevel),
  asks: z.array(BookLevel),
  snapshot: z.boolean(),
  ts: Timestamp,
  /** The replay (backtest or paper session) this update belongs to; absent on live feeds. */
  sessionId: z.string().optional(),
});
export type BookUpdate = z.infer<typeof BookUpdate>;

export const MarketData = z.discriminatedUnion('kind', [TradeTick, BookUpdate]);
export type MarketData = z.infer<typeof MarketData>;

export const OrderDto = z.object({
  clientOrderId: Id,
  venueOrderId: z.string().nullable(),
  instrumentId: InstrumentIdSchema,
  strategyId: z.string().nullable(),
  sessionId: z.string().nullable(),
  side: Side,
  type: z.enum(['MARKET', 'LIMIT', 'STOP_MARKET']),
  quantity: DecimalString,
  price: DecimalString.nullable(),
  triggerPrice: DecimalString.nullable(),
  timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'POST_ONLY']),
  reduceOnly: z.boolean(),
  leverage: z.number().int().min(1),
  status: OrderStatusSchema,
  filledQuantity: DecimalString,
  averageFillPrice: DecimalString.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  reason: z.string().nullable(),
});
export type OrderDto = z.infer<typeof OrderDto>;

export const FillDto = z.object({
  fillId: Id,
  clientOrderId: Id,
  venueOrderId: z.string().nullable(),
  instrumentId: InstrumentIdSchema,
  side: Side,
  lastQty: DecimalString,
  lastPx: DecimalString,
  liquiditySide: z.enum(['MAKER', 'TAKER']),
  commission: DecimalString,
  commissionCurrency: z.string(),
  tsEvent: Timestamp,
});
export type FillDto = z.infer<typeof FillDto>;

export const PositionDto = z.object({
  sessionId: z.string().nullable(),
  instrumentId: InstrumentIdSchema,
  side: z.enum(['LONG', 'SHORT', 'FLAT']),
  quantity: DecimalString,
  averageEntryPrice: DecimalString.nullable(),
  markPrice: DecimalString.nullable(),
  realizedPnl: DecimalString,
  unrealizedPnl: DecimalString,
  commissions: DecimalString,
  leverage: z.number().int().min(1),
  marginRatioPercent: z.number().nullable(),
  liquidationPrice: DecimalString.nullable(),
  stopLoss: DecimalString.nullable(),
  takeProfit: DecimalString.nullable(),
  openedAt: Timestamp.nullable(),
  updatedAt: Timestamp,
});
export type PositionDto = z.infer<typeof PositionDto>;

export const SignalDto = z.object({
  id: Id,
  sessionId: z.string().nullable(),
  strategyId: Id,
  instrumentId: InstrumentIdSchema,
  section: SignalSection,
  state: StrategyState,
  direction: z.enum(['LONG', 'SHORT']),
  price: z.number().nullable(),
  indicatorValues: z.record(z.string(), z.number().nullable()),
  reason: z.string().nullable(),
  ts: Timestamp,
});
export type SignalDto = z.infer<typeof SignalDto>;

export const RiskAlertDto = z.object({
  id: Id,
  severity: Severity,
  source: z.string(),
  code: z.string(),
  message: z.string(),
  instrumentId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).optional(),
  ts: Timestamp,
});
export type RiskAlertDto = z.infer<typeof RiskAlertDto>;

export const IndicatorValueDto = z.object({
  instrumentId: InstrumentIdSchema,
  indicatorId: Id,
  value: z.number().nullable(),
  ts: Timestamp,
});
export type IndicatorValueDto = z.infer<typeof IndicatorValueDto>;

export const SessionDto = z.object({
  id: Id,
  kind: SessionKind,
  status: SessionStatus,
  name: z.string(),
  instruments: z.array(InstrumentIdSchema),
  strategyIds: z.array(z.string()),
  dataSessionId: z.string().nullable(),
  startedAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  progress: z.number().min(0).max(1).nullable(),
  error: z.string().nullable(),
  createdAt: Timestamp,
});
export type SessionDto = z.infer<typeof SessionDto>;

export const RecordingDto = z.object({
  id: Id,
  name: z.string(),
  source: z.string(),
  instruments: z.array(InstrumentIdSchema),
  firstTs: Timestamp.nullable(),
  lastTs: Timestamp.nullable(),
  tradeCount: z.number().int().nonnegative(),
  bookCount: z.number().int().nonnegative(),
  createdAt: Timestamp,
});
export type RecordingDto = z.infer<typeof RecordingDto>;

export const Candle = z.object({
  time: z.number().int(), // bar start, seconds since epoch (lightweight-charts UTCTimestamp)
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});
export type Candle = z.infer<typeof Candle>;

export const Timeframe = z.enum(['1s', '1m', '5m', '15m', '1h']);
export type Timeframe = z.infer<typeof Timeframe>;

export const HealthCheck = z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() });
export const HealthReport = z.object({
  status: z.enum(['ok', 'degraded', 'down']),
  checks: z.array(HealthCheck),
  ts: Timestamp,
});
export type HealthReport = z.infer<typeof HealthReport>;
