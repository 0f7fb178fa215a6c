import { createHash } from 'node:crypto';
import { Decimal } from '../../../src-shared/domain/decimal';

/** One round trip: from flat to flat (or to a flip) for one strategy on one instrument. */
export interface ClosedTrade {
  strategyId: string;
  instrumentId: string;
  direction: 'LONG' | 'SHORT';
  entryTs: number;
  exitTs: number;
  entryPrice: string;
  exitPrice: string;
  quantity: string; // contracts
  grossPnl: string;
  fees: string;
  netPnl: string;
  exitReason: string;
}

export interface BacktestMetrics {
  trades: number;
  netPnl: string;
  grossPnl: string;
  fees: string;
  winRate: number; // 0..1
  maxDrawdown: string; // money, from peak of closed-trade equity
  maxDrawdownPercent: number;
  sharpe: number | null; // mean / stdev of per-trade returns on capital (not annualised)
  profitFactor: number | null; // gross profit / gross loss; null when no losing trade
  fingerprint: string; // sha256 over the closed trades
}

/** Canonical text of the closed trades: the fingerprint's input, stable across runs. */
export function canonicalTrades(trades: readonly ClosedTrade[]): string {
  return trades
    .map((t) => [t.strategyId, t.instrumentId, t.direction, t.entryTs, t.exitTs, t.entryPrice, t.exitPrice, t.quantity, t.grossPnl, t.fees, t.netPnl, t.exitReason].join('|'))
    .join('\n');
}

export function fingerprint(trades: readonly ClosedTrade[]): string {
  return createHash('sha256').update(canonicalTrades(trades)).digest('hex');
}

export function computeMetrics(trades: readonly ClosedTrade[], capital: Decimal): BacktestMetrics {
  let net = Decimal.ZERO;
  let gross = Decimal.ZERO;
  let fees = Decimal.ZERO;
  let profit = Decimal.ZERO;
  let loss = Decimal.ZERO;
  let wins = 0;
  let equity = capital;
  let peak = capital;
  let maxDrawdown = Decimal.ZERO;
  let maxDrawdownPercent = 0;
  const returns: number[] = [];
  for (const trade of trades) {
    const pnl = Decimal.of(trade.netPnl);
    net = net.add(pnl);
    gross = gross.add(trade.grossPnl);
    fees = fees.add(trade.fees);
    if (pnl.isPositive()) {
      wins++;
      profit = profit.add(pnl);
    } else if (pnl.isNegative()) {
      loss = loss.add(pnl.abs());
    }
    returns.push(pnl.div(equity.isZero() ? Decimal.ONE : equity, 'half-even').toNumber());
    equity = equity.add(pnl);
    if (equity.gt(peak)) peak = equity;
    const drawdown = peak.sub(equity);
    if (drawdown.gt(maxDrawdown)) {
      maxDrawdown = drawdown;
      maxDrawdownPercent = peak.isZero() ? 0 : drawdown.div(peak, 'half-even').toNumber() * 100;
    }
  }
  let sharpe: number | null = null;
  if (returns.length >= 2) {
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1);
    sharpe = variance > 0 ? mean / Math.sqrt(variance) : null;
  }
  return {
    trades: trades.length,
    netPnl: net.toString(),
    grossPnl: gross.toString(),
    fees: fees.toString(),
    winRate: trades.length === 0 ? 0 : wins / trades.length,
    maxDrawdown: maxDrawdown.toString(),
    maxDrawdownPercent,
    sharpe,
    profitFactor: loss.isZero() ? null : profit.div(loss, 'half-even').toNumber(),
    fingerprint: fingerprint(trades),
  };
}
