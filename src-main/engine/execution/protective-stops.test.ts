import { describe, expect, test } from 'vitest';
import type { AccountPosition } from './accounting';
import type { ClosePositionInput, SubmitOutcome } from './order-manager';
import { ProtectiveStops, type ProtectionLevels } from './protective-stops';

/** An account with one position whose side the test sets, and a closer that records what it was asked. */
function setup(side: 'LONG' | 'SHORT' | 'FLAT' = 'LONG') {
  const position = { side, strategyId: 's1' } as AccountPosition;
  let current: AccountPosition | null = side === 'FLAT' ? null : position;
  const closes: ClosePositionInput[] = [];
  const changes: Array<[string, ProtectionLevels | null]> = [];
  const stops = new ProtectiveStops({
    account: { position: () => current },
    closer: {
      closePosition: async (input) => {
        closes.push(input);
        return null as SubmitOutcome | null;
      },
    },
    onChange: (id, levels) => changes.push([id, levels]),
  });
  return { stops, closes, changes, flatten: () => (current = null) };
}
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('protective stops', () => {
  test('a long position closes when a trade reaches its stop-loss, once, with an emergency reduce-only close', async () => {
    const { stops, closes } = setup('LONG');
    expect(stops.set('BTC', { stopLoss: 99, takeProfit: 105 }, 100)).toBeNull();
    stops.onTrade('BTC', 99.5);
    expect(closes).toHaveLength(0);
    stops.onTrade('BTC', 99);
    stops.onTrade('BTC', 98); // a close is already being sent
    await settle();
    expect(closes).toEqual([expect.objectContaining({ instrumentId: 'BTC', reason: 'stop_loss', emergency: true, referencePrice: 99, strategyId: 's1' })]);
  });

  test('a short position takes profit when the price falls to its take-profit', async () => {
    const { stops, closes } = setup('SHORT');
    expect(stops.set('ETH', { stopLoss: 110, takeProfit: 90 }, 100)).toBeNull();
    expect(stops.crossed('ETH', 95)).toBe(false);
    expect(stops.crossed('ETH', 90)).toBe(true);
    stops.onTrade('ETH', 89);
    await settle();
    expect(closes.map((c) => c.reason)).toEqual(['take_profit']);
  });

  test('a gap through both levels counts as the stop-loss', async () => {
    const { stops, closes } = setup('LONG');
    // levels set from offsets can cross each other only in a gap; the loss side wins
    stops.setFromOffsets('BTC', 'LONG', 100, 1, 1);
    stops.onTrade('BTC', 98);
    await settle();
    expect(closes.map((c) => c.reason)).toEqual(['stop_loss']);
  });

  test('levels on the wrong side of the last price are refused with the field that is wrong', () => {
    const { stops } = setup('LONG');
    expect(stops.set('BTC', { stopLoss: 101, takeProfit: null }, 100)).toMatchObject({ field: 'stopLoss' });
    expect(stops.set('BTC', { stopLoss: null, takeProfit: 99 }, 100)).toMatchObject({ field: 'takeProfit' });
    expect(stops.set('BTC', { stopLoss: Number.NaN, takeProfit: null }, 100)).toMatchObject({ field: 'stopLoss' });
    expect(stops.get('BTC')).toBeNull();
  });

  test('no position, no levels; a flat or flipped position drops them and says so', () => {
    const flat = setup('FLAT');
    expect(flat.stops.set('BTC', { stopLoss: 90, takeProfit: null }, 100)).toMatchObject({ field: 'instrumentId' });
    const { stops, changes } = setup('LONG');
    stops.set('BTC', { stopLoss: 90, takeProfit: null }, 100);
    stops.onPosition('BTC', 'LONG');
    expect(stops.active).toBe(true);
    stops.onPosition('BTC', 'SHORT');
    expect(stops.active).toBe(false);
    expect(changes).toEqual([['BTC', { stopLoss: 90, takeProfit: null }], ['BTC', null]]);
  });

  test('a level crossed after the position went flat elsewhere sends nothing and is dropped', async () => {
    const { stops, closes, flatten } = setup('LONG');
    stops.set('BTC', { stopLoss: 90, takeProfit: null }, 100);
    flatten();
    stops.onTrade('BTC', 80);
    await settle();
    expect(closes).toHaveLength(0);
    expect(stops.get('BTC')).toBeNull();
  });
});
