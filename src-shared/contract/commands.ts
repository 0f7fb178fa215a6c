import { liveCommands } from './live-commands';
import { z } from 'zod';
import { credentialsCommands } from './credentials-commands';
import { engineCommands } from './engine-commands';
import type { EventEnvelope } from './events';
import { recordingCommands } from './recording-commands';
import type { Result } from './result';
import { sessionCommands } from './session-commands';
import { tradingCommands } from './trading-commands';
import { uiCommands } from './ui-commands';
import {
  Candle, HealthReport, Id, InstrumentIdSchema, OrderDto, PositionDto, RecordingDto, RiskAlertDto, SessionDto, SignalDto, Timeframe,
} from './schemas';

const Empty = z.object({}).strict();

/**
 * Every command the renderer (or a script) may send to the engine: name → request and
 * response schemas. The Electron IPC adapters and the serve-mode WebSocket are both driven
 * by this one declaration, and the engine parses every request with it before acting.
 */
export const commands = {
  'engine.health': { request: Empty, response: HealthReport },
  'recordings.list': { request: Empty, response: z.array(RecordingDto) },
  'recordings.importCsv': {
    request: z.object({
      path: z.string().min(1).max(4096),
      instrumentId: InstrumentIdSchema,
      name: z.string().min(1).max(200).optional(),
      /** Further files recorded into the same recording, e.g. the book ticker beside the trades. */
      extraPaths: z.array(z.string().min(1).max(4096)).max(10).optional(),
      /** The depth snapshot a depth-updates file starts from (found beside it when omitted). */
      snapshotPath: z.string().min(1).max(4096).optional(),
      /** Levels per side kept from depth files (default 20). */
      bookLevels: z.number().int().min(1).max(1000).optional(),
    }).strict(),
    response: RecordingDto,
  },
  'recordings.delete': { request: z.object({ id: Id }).strict(), response: z.object({ deleted: z.boolean() }) },
  'sessions.list': { request: Empty, response: z.array(SessionDto) },
  'sessions.start': {
    request: z.object({
      kind: z.enum(['backtest', 'paper']),
      recordingId: Id,
      /** Five-section strategy JSON; validated by the strategy schema in the engine. */
      strategies: z.array(z.unknown()).min(1).max(20),
      /** Replay speed: 0 = as fast as possible, 1 = real time, N = N× real time. */
      speed: z.number().min(0).max(10_000).default(0),
      capital: z.string().regex(/^\d+(\.\d+)?$/).default('10000'),
    }).strict(),
    response: SessionDto,
  },
  'sessions.stop': { request: z.object({ sessionId: Id }).strict(), response: SessionDto },
  'chart.candles': {
    request: z.object({
      instrumentId: InstrumentIdSchema,
      timeframe: Timeframe,
      recordingId: Id,
      limit: z.number().int().min(1).max(50_000).default(5_000),
    }).strict(),
    response: z.array(Candle),
  },
  'signals.list': {
    request: z.object({ sessionId: Id.optional(), limit: z.number().int().min(1).max(10_000).default(1_000) }).strict(),
    response: z.array(SignalDto),
  },
  'positions.list': { request: z.object({ sessionId: Id.optional() }).strict(), response: z.array(PositionDto) },
  'orders.list': {
    request: z.object({ sessionId: Id.optional(), limit: z.number().int().min(1).max(10_000).default(1_000) }).strict(),
    response: z.array(OrderDto),
  },
  'strategies.examples': {
    request: Empty,
    response: z.array(z.object({ file: z.string(), name: z.string(), definition: z.unknown() })),
  },
  'alerts.list': { request: z.object({ limit: z.number().int().min(1).max(1_000).default(200) }).strict(), response: z.array(RiskAlertDto) },
  ...recordingCommands,
  ...sessionCommands,
  ...uiCommands,
  ...engineCommands,
  ...credentialsCommands,
  ...tradingCommands,
  ...liveCommands,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandRequest<N extends CommandName> = z.output<Commands[N]['request']>;
/** What a caller may send: defaults are filled in by the engine's parse. */
export type CommandInput<N extends CommandName> = z.input<Commands[N]['request']>;
export type CommandResponse<N extends CommandName> = z.output<Commands[N]['response']>;
export const COMMAND_NAMES = Object.keys(commands) as CommandName[];

export type CommandHandler<N extends CommandName> = (request: CommandRequest<N>) => Promise<Result<CommandResponse<N>>>;
export type CommandHandlers = { [N in CommandName]: CommandHandler<N> };
/** A domain declares the handlers it owns next to its code; the kernel combines them. */
export type PartialHandlers = Partial<CommandHandlers>;

/** The one client API both transports implement: `window.surge` and the WebSocket client. */
export interface SurgeApi {
  invoke<N extends CommandName>(name: N, request: CommandInput<N>): Promise<Result<CommandResponse<N>>>;
  subscribe(listener: (envelope: EventEnvelope) => void): () => void;
}
