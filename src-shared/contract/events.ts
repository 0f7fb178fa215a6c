import { z } from 'zod';
import {
  FillDto, IndicatorValueDto, MarketData, OrderDto, PositionDto, RiskAlertDto, SessionDto, SignalDto, Timestamp, TradingState,
} from './schemas';

/**
 * Every pushed event, declared once. The EventBus topics and the renderer's event stream
 * are both typed from this map.
 */
export const events = {
  market_data: MarketData,
  indicator_updated: IndicatorValueDto,
  signal_generated: SignalDto,
  order_created: OrderDto,
  order_filled: z.object({ order: OrderDto, fill: FillDto }),
  order_cancelled: OrderDto,
  position_updated: PositionDto,
  risk_alert: RiskAlertDto,
  session_state: SessionDto,
  engine_state: z.object({
    status: z.enum(['starting', 'running', 'stopping', 'stopped']),
    tradingState: TradingState,
    strategiesPaused: z.boolean(),
    ts: Timestamp,
  }),
  /**
   * Sent by the desktop shell, not the engine: bring a screen to the front (a click on a
   * critical-alert notification opens the alerts, with the alert that was clicked).
   */
  ui_focus: z.object({
    screen: z.enum(['alerts', 'positions', 'trading']),
    alertId: z.string().optional(),
  }),
} as const;

export type Events = typeof events;
export type Topic = keyof Events;
export type EventPayload<T extends Topic> = z.output<Events[T]>;
export type EventPayloads = { [T in Topic]: EventPayload<T> };
export const TOPICS = Object.keys(events) as Topic[];

/** High-rate topics that hosts coalesce to at most one update per frame per key. */
export const COALESCED_TOPICS: ReadonlySet<Topic> = new Set(['market_data', 'indicator_updated']);

/** An event as it crosses to the renderer. */
export interface EventEnvelope<T extends Topic = Topic> {
  topic: T;
  payload: EventPayload<T>;
  /**
   * Wall-clock ms when the engine published the event (stamped by the UI bridge on the host's
   * clock): the UI measures publish-to-pixel latency against it on the same machine.
   */
  publishedAt?: number;
}
