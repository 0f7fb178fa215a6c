import { describe, expect, test } from 'vitest';
import type { PositionDto } from '../../../src-shared/contract/schemas';
import { liveValuation } from './live-valuation';

const short: PositionDto = {
  sessionId: 's1', instrumentId: 'BTC/USDT:USDT', side: 'SHORT', quantity: '607', averageEntryPrice: '61752.8', markPrice: '61765.2', realizedPnl: '0',
  unrealizedPnl: '-0.75268', commissions: '0.9', leverage: 3, marginRatioPercent: null, liquidationPrice: null, stopLoss: null, takeProfit: null, openedAt: 1_000, updatedAt: 1_000,
};

describe('live position valuation', () => {
  test('values the position at the engine’s own mark exactly as the engine did', () => {
    expect(liveValuation(short, { price: 61765.2, ts: 1_001 }, '0.0001')).toEqual({ markPrice: '61765.2', unrealizedPnl: '-0.75268', live: true });
  });

  test('follows newer trades: a short gains as the price falls', () => {
    expect(liveValuation(short, { price: 61638.3, ts: 2_000 }, '0.0001')).toEqual({ markPrice: '61638.3', unrealizedPnl: '6.95015', live: true });
    expect(liveValuation({ ...short, side: 'LONG' }, { price: 61638.3, ts: 2_000 }, '0.0001').unrealizedPnl).toBe('-6.95015');
  });

  test('keeps the engine’s figures without a newer trade, a contract size or an open position', () => {
    const engine = { markPrice: '61765.2', unrealizedPnl: '-0.75268', live: false };
    expect(liveValuation(short, { price: 60_000, ts: 999 }, '0.0001')).toEqual(engine);
    expect(liveValuation(short, { price: 60_000, ts: 2_000 }, undefined)).toEqual(engine);
    expect(liveValuation(short, undefined, '0.0001')).toEqual(engine);
    expect(liveValuation({ ...short, side: 'FLAT' }, { price: 60_000, ts: 2_000 }, '0.0001').live).toBe(false);
  });
});
