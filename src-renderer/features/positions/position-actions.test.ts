import { describe, expect, test } from 'vitest';
import type { CommandInput, CommandName, CommandResponse, SurgeApi } from '../../../src-shared/contract/commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { OrderDto, PositionDto } from '../../../src-shared/contract/schemas';
import { errorForField } from '../../lib/result-text';
import { createOrdersStore } from '../orders/orders-store';
import { actionBlocker, createTradingActions, editableLevel, parseLevelInput, protectionRequest, sameLevel, WORKING_ORDER_STATUSES } from './position-actions';
import { createPositionsStore, positionKey } from './positions-store';

const position: PositionDto = {
  sessionId: 's1', instrumentId: 'BTC/USDT:USDT', side: 'LONG', quantity: '3', averageEntryPrice: '60000', markPrice: '60100', realizedPnl: '0', unrealizedPnl: '0.03',
  commissions: '0.01', leverage: 2, marginRatioPercent: 48.2, liquidationPrice: '30120.5', stopLoss: null, takeProfit: '61000.0', openedAt: 1, updatedAt: 10,
};

const order: OrderDto = {
  clientOrderId: 's1-o2', venueOrderId: 'paper-2', instrumentId: 'BTC/USDT:USDT', strategyId: null, sessionId: 's1', side: 'BUY', type: 'LIMIT', quantity: '2', price: '59000',
  triggerPrice: null, timeInForce: 'GTC', reduceOnly: false, leverage: 2, status: 'ACCEPTED', filledQuantity: '0', averageFillPrice: null, createdAt: 5, updatedAt: 5, reason: null,
};

/** Answers each command from a table and records what was sent. */
function stubApi(answers: Partial<{ [N in CommandName]: (request: CommandInput<N>) => Result<CommandResponse<N>> }>) {
  const sent: Array<{ name: CommandName; request: unknown }> = [];
  const api: Pick<SurgeApi, 'invoke'> = {
    invoke: async (name, request) => {
      sent.push({ name, request });
      const answer = answers[name] as ((request: unknown) => Result<unknown>) | undefined;
      if (answer === undefined) throw new Error(`unexpected ${name}`);
      return answer(request) as never;
    },
  };
  return { api, sent };
}

function stores() {
  const never = { invoke: async () => err('internal', 'not used') } as unknown as SurgeApi;
  return { positions: createPositionsStore(never), orders: createOrdersStore(never, { loadLimit: 10 }) };
}

describe('parseLevelInput', () => {
  test('empty clears the level', () => {
    expect(parseLevelInput('  ')).toEqual({ ok: true, value: null });
  });
  test('takes a plain or thousands-grouped price as exact text', () => {
    expect(parseLevelInput(' 59500.25 ')).toEqual({ ok: true, value: '59500.25' });
    expect(parseLevelInput('59,500.10')).toEqual({ ok: true, value: '59500.10' });
    expect(parseLevelInput('0.00001234')).toEqual({ ok: true, value: '0.00001234' });
  });
  test.each(['abc', '-59000', '1e5', '59.500,1', '5,95', '.5', 'NaN', 'Infinity', '0', '0.000'])('refuses %j before anything is sent', (text) => {
    expect(parseLevelInput(text).ok).toBe(false);
  });
});

describe('editing helpers', () => {
  test('the edit box starts from the engine decimal without noise zeros', () => {
    expect(editableLevel('61000.0')).toBe('61000');
    expect(editableLevel('59500.250')).toBe('59500.25');
    expect(editableLevel('100')).toBe('100');
    expect(editableLevel(null)).toBe('');
  });
  test('an unchanged level is recognised, so Enter on it sends nothing', () => {
    expect(sameLevel('61000.0', '61000')).toBe(true);
    expect(sameLevel(null, null)).toBe(true);
    expect(sameLevel(null, '1')).toBe(false);
    expect(sameLevel('61000.0', '61000.5')).toBe(false);
  });
  test('editing one level sends the other as the engine last reported it', () => {
    expect(protectionRequest(position, 'stopLoss', '59500')).toEqual({ sessionId: 's1', instrumentId: 'BTC/USDT:USDT', stopLoss: '59500', takeProfit: '61000.0' });
    expect(protectionRequest(position, 'takeProfit', null)).toEqual({ sessionId: 's1', instrumentId: 'BTC/USDT:USDT', stopLoss: null, takeProfit: null });
    expect(protectionRequest({ ...position, sessionId: null }, 'stopLoss', '1')).toBeNull();
  });
  test('actions are blocked for positions outside a session and for ended sessions, not for running or unknown ones', () => {
    expect(actionBlocker(null, undefined)).toMatch(/not part of a session/);
    expect(actionBlocker('s1', { status: 'completed' })).toBe('the session has ended');
    expect(actionBlocker('s1', { status: 'failed' })).toBe('the session has failed');
    expect(actionBlocker('s1', { status: 'paused' })).toBeNull();
    expect(actionBlocker('s1', undefined)).toBeNull();
  });
  test('working orders are the cancellable ones', () => {
    expect([...WORKING_ORDER_STATUSES].sort()).toEqual(['ACCEPTED', 'INITIALIZED', 'PARTIALLY_FILLED', 'SUBMITTED']);
  });
});

describe('createTradingActions', () => {
  test("a saved level goes into the position store from the engine's answer", async () => {
    const s = stores();
    s.positions.getState().applyPositions([position]);
    const { api, sent } = stubApi({ 'positions.setProtection': (request) => ok({ ...position, stopLoss: request.stopLoss, updatedAt: 11 }) });
    const actions = createTradingActions(api, s);
    expect(await actions.setProtection(position, 'stopLoss', '59500')).toBeNull();
    expect(sent).toEqual([{ name: 'positions.setProtection', request: { sessionId: 's1', instrumentId: 'BTC/USDT:USDT', stopLoss: '59500', takeProfit: '61000.0' } }]);
    expect(s.positions.getState().byKey[positionKey(position)]?.stopLoss).toBe('59500');
  });

  test("the engine's refusal comes back with the field it names and the store is left alone", async () => {
    const s = stores();
    s.positions.getState().applyPositions([position]);
    const { api } = stubApi({ 'positions.setProtection': () => err('validation', "a long position's stop-loss must be below the last price 60100", ['request.stopLoss']) });
    const error = await createTradingActions(api, s).setProtection(position, 'stopLoss', '60500');
    expect(errorForField(error, 'stopLoss')).toBe("a long position's stop-loss must be below the last price 60100");
    expect(errorForField(error, 'takeProfit')).toBeNull();
    expect(s.positions.getState().byKey[positionKey(position)]?.stopLoss).toBeNull();
  });

  test('a close sends the share and puts the closing order into the order store; nothing left to close is no error', async () => {
    const s = stores();
    const closing: OrderDto = { ...order, clientOrderId: 's1-o3', side: 'SELL', type: 'MARKET', price: null, quantity: '1', reduceOnly: true, reason: 'manual_close' };
    let answer: OrderDto | null = closing;
    const { api, sent } = stubApi({ 'positions.close': () => ok({ order: answer }) });
    const actions = createTradingActions(api, s);
    expect(await actions.close(position, 0.5)).toEqual({ error: null, order: closing });
    expect(sent[0]).toEqual({ name: 'positions.close', request: { sessionId: 's1', instrumentId: 'BTC/USDT:USDT', fraction: 0.5 } });
    expect(s.orders.getState().byId['s1-o3']).toEqual(closing);
    answer = null;
    expect(await actions.close(position, 1)).toEqual({ error: null, order: null });
  });

  test('a cancel applies the cancelled order; a refusal is returned as the engine sent it', async () => {
    const s = stores();
    s.orders.getState().applyOrders([order], []);
    let refuse = false;
    const { api } = stubApi({
      'orders.cancel': () => (refuse ? err('conflict', 'order s1-o2 is FILLED: only a working order can be cancelled', ['request.clientOrderId']) : ok({ ...order, status: 'CANCELED', updatedAt: 6 })),
    });
    const actions = createTradingActions(api, s);
    expect(await actions.cancel(order)).toBeNull();
    expect(s.orders.getState().byId['s1-o2']?.status).toBe('CANCELED');
    refuse = true;
    expect(await actions.cancel(order)).toMatchObject({ type: 'conflict', message: expect.stringContaining('FILLED') });
  });

  test('nothing is sent for a position or order outside a session', async () => {
    const { api, sent } = stubApi({});
    const actions = createTradingActions(api, stores());
    expect(await actions.setProtection({ ...position, sessionId: null }, 'stopLoss', '1')).toMatchObject({ type: 'validation', paths: ['request.stopLoss'] });
    expect((await actions.close({ ...position, sessionId: null }, 1)).error).not.toBeNull();
    expect(await actions.cancel({ ...order, sessionId: null })).not.toBeNull();
    expect(sent).toEqual([]);
  });
});
