import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { ClosedTrade } from '../session/backtest-report';
import { computeMetrics } from '../session/backtest-report';
import { drawdownSeries, equityCurve, strategyTable } from './session-reports';

const trade = (netPnl: string, exitTs: number, strategyId = 'pump-long', fees = '0.1'): ClosedTrade => ({
  strategyId, instrumentId: 'BTC/USDT:USDT', direction: 'LONG', entryTs: exitTs - 5, exitTs, entryPrice: '100', exitPrice: '101',
  quantity: '1', grossPnl: Decimal.of(netPnl).add(fees).toString(), fees, netPnl, exitReason: 'ZE1',
});

describe('session report series', () => {
  test('the equity curve starts at the capital and adds each net PnL exactly', () => {
    const curve = equityCurve(Decimal.of('10000'), [trade('0.1', 10), trade('0.2', 20), trade('-0.3', 30)], 0);
    expect(curve).toEqual([
      { ts: 0, equity: '10000' },
      { ts: 10, equity: '10000.1' },
      { ts: 20, equity: '10000.3' },
      { ts: 30, equity: '10000' },
    ]);
  });

  test('the drawdown is zero at each new high and measures the distance below the running peak', () => {
    const drawdown = drawdownSeries([
      { ts: 0, equity: '100' },
      { ts: 1, equity: '110' },
      { ts: 2, equity: '99' },
      { ts: 3, equity: '120' },
    ]);
    expect(drawdown.map((point) => point.drawdown)).toEqual(['0', '0', '-11', '0']);
    expect(drawdown[2]!.drawdownPercent).toBeCloseTo(-10, 10);
  });

  test('the deepest drawdown of the series is the metrics maximum drawdown', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50_000, max: 50_000 }), { maxLength: 40 }), (cents) => {
        const trades = cents.map((c, index) => trade(Decimal.of(c).div(100).toString(), index + 1));
        const capital = Decimal.of('1000');
        const deepest = drawdownSeries(equityCurve(capital, trades, 0)).reduce((min, point) => Decimal.min(min, Decimal.of(point.drawdown)), Decimal.ZERO);
        expect(deepest.neg().eq(computeMetrics(trades, capital).maxDrawdown)).toBe(true);
      }),
    );
  });

  test('the per-strategy table counts trades, wins and net PnL per strategy in first-trade order', () => {
    const rows = strategyTable([trade('2', 1, 'dump-short'), trade('-1', 2, 'pump-long'), trade('3', 3, 'dump-short'), trade('-0.5', 4, 'dump-short')]);
    expect(rows).toEqual([
      { strategyId: 'dump-short', trades: 3, wins: 2, winRate: 2 / 3, netPnl: '4.5', fees: '0.3', profitFactor: 10 },
      { strategyId: 'pump-long', trades: 1, wins: 0, winRate: 0, netPnl: '-1', fees: '0.1', profitFactor: 0 },
    ]);
    expect(strategyTable([trade('1', 1)])[0]!.profitFactor).toBeNull();
  });
});
