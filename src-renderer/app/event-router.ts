import type { EventEnvelope, EventPayload } from '../../src-shared/contract';
import { assertNever } from '../../src-shared/contract/result';
import type { FillDto, MarketData, OrderDto, PositionDto, RiskAlertDto, SessionDto, SignalDto } from '../../src-shared/contract/schemas';
import type { FrameScheduler } from '../lib/frame-scheduler';
import type { AppState } from './app-state';

type RoutedStores = Pick<AppState, 'connection' | 'sessions' | 'signals' | 'positions' | 'orders' | 'alerts' | 'market' | 'ui'> & Partial<Pick<AppState, 'ticks'>>;

/**
 * Feeds pushed events into the stores. Events are buffered and applied once per frame, one store
 * update per topic, so a burst (a fast backtest, a busy market) costs one render, not thousands.
 * Market data also goes to the tick hub at once: the chart draws it without a store or a render.
 */
export function routeEvents(
  source: { subscribe(listener: (envelope: EventEnvelope) => void): () => void },
  stores: RoutedStores,
  scheduler: FrameScheduler,
  onSessionsFinished: (sessions: SessionDto[]) => void,
): () => void {
  let buffer: EventEnvelope[] = [];
  let cancelFrame: (() => void) | null = null;

  const flush = (): void => {
    cancelFrame = null;
    const batch = buffer;
    buffer = [];
    const marketData: MarketData[] = [];
    const signals: SignalDto[] = [];
    const orders: OrderDto[] = [];
    const fills: FillDto[] = [];
    const positions: PositionDto[] = [];
    const alerts: RiskAlertDto[] = [];
    const sessions: SessionDto[] = [];
    let engineState: EventPayload<'engine_state'> | null = null;
    let uiFocus: EventPayload<'ui_focus'> | null = null;
    for (const envelope of batch) {
      switch (envelope.topic) {
        case 'market_data':
          marketData.push(envelope.payload as EventPayload<'market_data'>);
          break;
        case 'indicator_updated':
          // No view shows live indicator readings yet; the signal log shows the values a signal carried.
          break;
        case 'signal_generated':
          signals.push(envelope.payload as EventPayload<'signal_generated'>);
          break;
        case 'order_created':
        case 'order_cancelled':
          orders.push(envelope.payload as EventPayload<'order_created'>);
          break;
        case 'order_filled': {
          const filled = envelope.payload as EventPayload<'order_filled'>;
          orders.push(filled.order);
          fills.push(filled.fill);
          break;
        }
        case 'position_updated':
          positions.push(envelope.payload as EventPayload<'position_updated'>);
          break;
        case 'risk_alert':
          alerts.push(envelope.payload as EventPayload<'risk_alert'>);
          break;
        case 'session_state':
          sessions.push(envelope.payload as EventPayload<'session_state'>);
          break;
        case 'engine_state':
          engineState = envelope.payload as EventPayload<'engine_state'>;
          break;
        case 'ui_focus':
          uiFocus = envelope.payload as EventPayload<'ui_focus'>;
          break;
        default:
          assertNever(envelope.topic, 'event topic');
      }
    }
    if (marketData.length > 0) stores.market.getState().applyMarketData(marketData);
    if (signals.length > 0) stores.signals.getState().applySignals(signals);
    if (orders.length > 0) stores.orders.getState().applyOrders(orders, fills);
    if (positions.length > 0) stores.positions.getState().applyPositions(positions);
    if (alerts.length > 0) stores.alerts.getState().applyAlerts(alerts);
    if (engineState !== null) stores.connection.getState().applyEngineState(engineState);
    if (uiFocus !== null) {
      // every screen the shell names (alerts, positions, trading) lives on the Trade screen
      stores.ui.getState().setScreen('trade');
      stores.ui.getState().highlightAlert(uiFocus.alertId ?? null);
    }
    if (sessions.length > 0) {
      const finished = stores.sessions.getState().applySessionStates(sessions);
      if (finished.length > 0) onSessionsFinished(finished);
    }
  };

  const unsubscribe = source.subscribe((envelope) => {
    if (envelope.topic === 'market_data') stores.ticks?.publish(envelope.payload as EventPayload<'market_data'>, envelope.publishedAt);
    buffer.push(envelope);
    cancelFrame ??= scheduler.request(flush);
  });

  return () => {
    unsubscribe();
    cancelFrame?.();
    cancelFrame = null;
    buffer = [];
  };
}
