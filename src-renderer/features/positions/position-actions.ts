import type { CommandInput, SurgeApi } from '../../../src-shared/contract/commands';
import type { ResultError } from '../../../src-shared/contract/result';
import type { OrderDto, PositionDto, SessionDto } from '../../../src-shared/contract/schemas';
import type { OrdersStore } from '../orders/orders-store';
import { FINISHED_STATUSES } from '../sessions/sessions-store';
import type { PositionsStore } from './positions-store';

export type ProtectionField = 'stopLoss' | 'takeProfit';
export const PROTECTION_FIELDS: readonly ProtectionField[] = ['stopLoss', 'takeProfit'];

/** Orders the trader can still cancel (PENDING_CANCEL is already on its way). */
export const WORKING_ORDER_STATUSES: ReadonlySet<OrderDto['status']> = new Set(['INITIALIZED', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED']);

/** The shares of a position the monitor offers to close. */
export const CLOSE_FRACTIONS = { half: 0.5, all: 1 } as const;

export type LevelInput = { ok: true; value: string | null } | { ok: false; message: string };

/** Digits with an optional fraction, optionally grouped by thousands the way the monitor shows prices. */
const LEVEL_PATTERN = /^(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$/;

/**
 * What the trader typed into a stop-loss or take-profit cell, checked before anything is sent:
 * empty clears the level, otherwise a positive price. Kept as the decimal text it was typed as
 * (the engine reads it exactly); which side of the price it must be on is the engine's call.
 */
export function parseLevelInput(text: string): LevelInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  if (!LEVEL_PATTERN.test(trimmed)) return { ok: false, message: `"${trimmed}" is not a price: use digits and a decimal point, e.g. 59500.5` };
  const value = trimmed.replace(/,/g, '');
  if (!/[1-9]/.test(value)) return { ok: false, message: 'must be greater than zero (leave it empty to remove the level)' };
  return { ok: true, value };
}

/** A level as the edit box starts with it: the engine's decimal without grouping or noise zeros. */
export function editableLevel(value: string | null): string {
  if (value === null) return '';
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

/** True when the typed level is the one the position already has (nothing to send). */
export function sameLevel(current: string | null, next: string | null): boolean {
  if (current === null || next === null) return current === next;
  return editableLevel(current) === editableLevel(next);
}

/** The request for one edited level: the other one is sent as the engine last reported it, so it stays. */
export function protectionRequest(position: Pick<PositionDto, 'sessionId' | 'instrumentId' | 'stopLoss' | 'takeProfit'>, field: ProtectionField, value: string | null): CommandInput<'positions.setProtection'> | null {
  if (position.sessionId === null) return null;
  return {
    sessionId: position.sessionId,
    instrumentId: position.instrumentId,
    stopLoss: field === 'stopLoss' ? value : position.stopLoss,
    takeProfit: field === 'takeProfit' ? value : position.takeProfit,
  };
}

/**
 * Why a session's positions and orders cannot be acted on from here, or null when they can. A
 * session the list has not loaded yet is left to the engine to judge.
 */
export function actionBlocker(sessionId: string | null, session: Pick<SessionDto, 'status'> | undefined): string | null {
  if (sessionId === null) return 'not part of a session: nothing here can change it';
  if (session !== undefined && FINISHED_STATUSES.has(session.status)) return `the session has ${session.status === 'failed' ? 'failed' : 'ended'}`;
  return null;
}

/** A check done in the window, shaped like the engine's answer so one view shows both. */
export function localValidation(field: ProtectionField, message: string): ResultError {
  return { type: 'validation', message, paths: [`request.${field}`] };
}

export interface TradingActions {
  /** Sets one level (null clears it); the position store takes the engine's answer. Null when it worked. */
  setProtection(position: PositionDto, field: ProtectionField, value: string | null): Promise<ResultError | null>;
  /** Closes a share of the position; the closing order goes into the order store. */
  close(position: PositionDto, fraction: number): Promise<{ error: ResultError | null; order: OrderDto | null }>;
  cancel(order: OrderDto): Promise<ResultError | null>;
}

/**
 * The trader's position and order actions. Each answer is applied to the stores at once, so the
 * row shows the new level or the cancelled order without waiting for the pushed event (which
 * carries the same or a newer copy: the stores keep the newer one).
 */
export function createTradingActions(api: Pick<SurgeApi, 'invoke'>, stores: { positions: PositionsStore; orders: OrdersStore }): TradingActions {
  return {
    async setProtection(position, field, value) {
      const request = protectionRequest(position, field, value);
      if (request === null) return localValidation(field, 'this position is not part of a session');
      const result = await api.invoke('positions.setProtection', request);
      if (!result.ok) return result.error;
      stores.positions.getState().applyPositions([result.value]);
      return null;
    },
    async close(position, fraction) {
      if (position.sessionId === null) return { error: { type: 'conflict', message: 'this position is not part of a session' }, order: null };
      const result = await api.invoke('positions.close', { sessionId: position.sessionId, instrumentId: position.instrumentId, fraction });
      if (!result.ok) return { error: result.error, order: null };
      if (result.value.order !== null) stores.orders.getState().applyOrders([result.value.order], []);
      return { error: null, order: result.value.order };
    },
    async cancel(order) {
      if (order.sessionId === null) return { type: 'conflict', message: 'this order is not part of a session' };
      const result = await api.invoke('orders.cancel', { sessionId: order.sessionId, clientOrderId: order.clientOrderId });
      if (!result.ok) return result.error;
      stores.orders.getState().applyOrders([result.value], []);
      return null;
    },
  };
}
