import type { PartialHandlers } from '../../../src-shared/contract/commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { SessionReportDto, StrategyPerformanceDto } from '../../../src-shared/contract/ui-commands';
import { Decimal } from '../../../src-shared/domain/decimal';
import type { Logger } from '../ops/logger';
import type { ClosedTrade } from '../session/backtest-report';
import type { ReplayResult } from '../session/replay-session';
import type { EquityPoint, SessionResultRecord, SessionResultRepository } from '../store/session-results';
import type { Store } from '../store/store';

/**
 * Equity after each closed trade, starting from the capital at `startTs`. Exact: each point adds
 * the trade's net PnL (after fees) as a Decimal, so the last point is capital + net PnL to the cent.
 */
export function equityCurve(capital: Decimal, trades: readonly ClosedTrade[], startTs: number): EquityPoint[] {
  const points: EquityPoint[] = [{ ts: startTs, equity: capital.toString() }];
  let equity = capital;
  for (const trade of trades) {
    equity = equity.add(trade.netPnl);
    points.push({ ts: trade.exitTs, equity: equity.toString() });
  }
  return points;
}

/** How far each point sits below the running peak (0 at a new high, negative below it). */
export function drawdownSeries(curve: readonly EquityPoint[]): SessionReportDto['drawdown'] {
  let peak: Decimal | null = null;
  return curve.map((point) => {
    const equity = Decimal.of(point.equity);
    if (peak === null || equity.gt(peak)) peak = equity;
    const drawdown = equity.sub(peak);
    // a percentage is a reading for the chart, not money: float is fine here
    const drawdownPercent = peak.isZero() ? 0 : drawdown.div(peak).toNumber() * 100;
    return { ts: point.ts, drawdown: drawdown.toString(), drawdownPercent };
  });
}

/** One row per strategy, in the order each first closed a trade. */
export function strategyTable(trades: readonly ClosedTrade[]): StrategyPerformanceDto[] {
  const rows = new Map<string, { trades: number; wins: number; net: Decimal; fees: Decimal; profit: Decimal; loss: Decimal }>();
  for (const trade of trades) {
    let row = rows.get(trade.strategyId);
    if (row === undefined) {
      row = { trades: 0, wins: 0, net: Decimal.ZERO, fees: Decimal.ZERO, profit: Decimal.ZERO, loss: Decimal.ZERO };
      rows.set(trade.strategyId, row);
    }
    const pnl = Decimal.of(trade.netPnl);
    row.trades++;
    row.net = row.net.add(pnl);
    row.fees = row.fees.add(trade.fees);
    if (pnl.isPositive()) {
      row.wins++;
      row.profit = row.profit.add(pnl);
    } else if (pnl.isNegative()) {
      row.loss = row.loss.add(pnl.abs());
    }
  }
  return [...rows].map(([strategyId, row]) => ({
    strategyId,
    trades: row.trades,
    wins: row.wins,
    winRate: row.trades === 0 ? 0 : row.wins / row.trades,
    netPnl: row.net.toString(),
    fees: row.fees.toString(),
    profitFactor: row.loss.isZero() ? null : row.profit.div(row.loss).toNumber(),
  }));
}

export interface SessionReportsOptions {
  store: Store;
  results: SessionResultRepository;
  logger: Logger;
}

/**
 * The performance dashboard's data: written once when a replay ends (so it survives a restart
 * and never needs the replay again), read by `sessions.report`.
 */
export class SessionReports {
  constructor(private readonly options: SessionReportsOptions) {}

  /** Called by the session service when a replay ends (completed, or stopped part-way). */
  persist(sessionId: string, result: ReplayResult): SessionResultRecord | null {
    const { store, results, logger } = this.options;
    const session = store.sessions.get(sessionId);
    if (session === null) {
      logger.warn('no session to attach a result to', { sessionId });
      return null;
    }
    const capital = capitalOf(store.sessions.getConfig(sessionId));
    const recording = session.dataSessionId === null ? null : store.recordings.get(session.dataSessionId);
    const startTs = recording?.firstTs ?? result.trades[0]?.entryTs ?? session.startedAt ?? session.createdAt;
    return results.save({
      sessionId,
      capital: capital.toString(),
      metrics: result.metrics,
      equityCurve: equityCurve(capital, result.trades, startTs),
      trades: result.trades,
    });
  }

  report(sessionId: string): Result<SessionReportDto> {
    const session = this.options.store.sessions.get(sessionId);
    if (session === null) return err('not_found', `no session ${sessionId}`, ['request.sessionId']);
    const record = this.options.results.get(sessionId);
    if (record === null) {
      const why = session.status === 'running' || session.status === 'paused' ? 'is still running; its report is written when it ends' : 'has no stored result';
      return err('not_found', `session ${sessionId} ${why}`, ['request.sessionId']);
    }
    return ok({
      sessionId,
      kind: session.kind,
      status: session.status,
      capital: record.capital,
      metrics: record.metrics,
      equityCurve: record.equityCurve,
      drawdown: drawdownSeries(record.equityCurve),
      strategies: strategyTable(record.trades),
      trades: record.trades,
      createdAt: record.createdAt,
    });
  }

  handlers(): PartialHandlers {
    return { 'sessions.report': async ({ sessionId }) => this.report(sessionId) };
  }
}

/** The session's configured capital; sessions.start always stores one, older rows fall back to zero. */
function capitalOf(config: unknown): Decimal {
  const capital = typeof config === 'object' && config !== null ? (config as { capital?: unknown }).capital : undefined;
  try {
    return typeof capital === 'string' ? Decimal.of(capital) : Decimal.ZERO;
  } catch {
    return Decimal.ZERO;
  }
}
