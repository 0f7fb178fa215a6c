import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import type { SessionReportDto } from '../../../src-shared/contract/ui-commands';
import { useApp } from '../../app/app-context';
import { decimalSign, formatDateTime, formatDuration, formatMoney, formatPrice, formatQuantity, formatTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';
import { currentDefaults, launchSession } from '../sessions/session-launch';
import { FINISHED_STATUSES } from '../sessions/sessions-store';
import { SeriesChart } from './SeriesChart';

const signClass = (value: string | null): string => {
  const sign = decimalSign(value);
  return sign > 0 ? 'positive' : sign < 0 ? 'negative' : '';
};
const ratio = (value: number | null, decimals = 2): string => (value === null || !Number.isFinite(value) ? '—' : value.toFixed(decimals));
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

function Metric({ label, value, tone, testId, title }: { label: string; value: string; tone?: string; testId: string; title?: string }) {
  return (
    <div className="metric" data-testid={testId} title={title}>
      <div className="metric-label">{label}</div>
      <div className={`metric-value mono ${tone ?? ''}`}>{value}</div>
    </div>
  );
}

function Report({ report }: { report: SessionReportDto }) {
  const { metrics } = report;
  const equity = useMemo(() => report.equityCurve.map((point) => ({ ts: point.ts, value: Number(point.equity) })), [report]);
  const drawdown = useMemo(() => report.drawdown.map((point) => ({ ts: point.ts, value: point.drawdownPercent })), [report]);
  return (
    <div className="report" data-testid="report">
      <div className="metrics" data-testid="report-metrics">
        <Metric label="Net PnL" value={formatMoney(metrics.netPnl, { signed: true })} tone={signClass(metrics.netPnl)} testId="metric-net-pnl" title={`gross ${formatMoney(metrics.grossPnl)} − fees ${formatMoney(metrics.fees)}`} />
        <Metric label="Trades" value={String(metrics.trades)} testId="metric-trades" />
        <Metric label="Win rate" value={metrics.trades === 0 ? '—' : percent(metrics.winRate)} testId="metric-win-rate" />
        <Metric label="Sharpe" value={ratio(metrics.sharpe)} testId="metric-sharpe" title="Mean over standard deviation of per-trade returns (not annualised)" />
        <Metric label="Profit factor" value={ratio(metrics.profitFactor)} testId="metric-profit-factor" title="Gross profit ÷ gross loss" />
        <Metric label="Max drawdown" value={`${formatMoney(metrics.maxDrawdown)} (${metrics.maxDrawdownPercent.toFixed(3)}%)`} tone={decimalSign(metrics.maxDrawdown) > 0 ? 'negative' : ''} testId="metric-max-drawdown" />
        <Metric label="Fees" value={formatMoney(metrics.fees)} testId="metric-fees" />
        <Metric label="Capital" value={formatMoney(report.capital)} testId="metric-capital" />
      </div>
      <div className="fingerprint mono muted" title="sha256 over the closed trades: the same data and strategies always give the same value" data-testid="report-fingerprint">
        fingerprint {metrics.fingerprint}
      </div>
      <div className="report-charts">
        <div className="report-chart">
          <div className="report-chart-title">Equity (USDT)</div>
          <SeriesChart points={equity} color="#3b82f6" fill="rgba(59,130,246,0.25)" testId="equity-chart" precision={2} />
        </div>
        <div className="report-chart">
          <div className="report-chart-title">Drawdown (%)</div>
          <SeriesChart points={drawdown} color="#ef4444" fill="rgba(239,68,68,0.25)" testId="drawdown-chart" precision={4} />
        </div>
      </div>
      <div className="report-tables">
        <div>
          <div className="report-chart-title">Per strategy</div>
          <table className="table" data-testid="strategy-table">
            <thead>
              <tr>
                <th>Strategy</th>
                <th className="num">Trades</th>
                <th className="num">Win rate</th>
                <th className="num">Net PnL</th>
                <th className="num">Fees</th>
                <th className="num">Profit factor</th>
              </tr>
            </thead>
            <tbody>
              {report.strategies.map((row) => (
                <tr key={row.strategyId} data-testid="strategy-row">
                  <td>{row.strategyId}</td>
                  <td className="num mono">{row.trades}</td>
                  <td className="num mono">{percent(row.winRate)}</td>
                  <td className={`num mono ${signClass(row.netPnl)}`}>{formatMoney(row.netPnl, { signed: true })}</td>
                  <td className="num mono muted">{formatMoney(row.fees)}</td>
                  <td className="num mono">{ratio(row.profitFactor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.strategies.length === 0 ? <EmptyState>No closed trades.</EmptyState> : null}
        </div>
        <div>
          <div className="report-chart-title">Closed trades</div>
          <div className="table-scroll trades-scroll">
            <table className="table" data-testid="trades-table">
              <thead>
                <tr>
                  <th>Exit</th>
                  <th>Strategy</th>
                  <th>Dir.</th>
                  <th className="num">Qty</th>
                  <th className="num">Entry</th>
                  <th className="num">Exit</th>
                  <th className="num">Net PnL</th>
                  <th>Why</th>
                </tr>
              </thead>
              <tbody>
                {report.trades.map((trade, index) => (
                  <tr key={`${trade.exitTs}-${index}`} title={`held ${formatDuration(trade.exitTs - trade.entryTs)}`}>
                    <td className="mono muted">{formatTime(trade.exitTs)}</td>
                    <td className="ellipsis">{trade.strategyId}</td>
                    <td className={`side-text side-${trade.direction === 'LONG' ? 'buy' : 'sell'}`}>{trade.direction}</td>
                    <td className="num mono">{formatQuantity(trade.quantity)}</td>
                    <td className="num mono">{formatPrice(trade.entryPrice)}</td>
                    <td className="num mono">{formatPrice(trade.exitPrice)}</td>
                    <td className={`num mono ${signClass(trade.netPnl)}`}>{formatMoney(trade.netPnl, { signed: true })}</td>
                    <td className="muted">{trade.exitReason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </div>
    </div>
  );
}

function SessionPicker({ sessions, selected, onSelect }: { sessions: SessionDto[]; selected: string | null; onSelect: (id: string) => void }) {
  return (
    <ul className="list" data-testid="report-sessions">
      {sessions.map((session) => (
        <li key={session.id}>
          <button
            type="button"
            className={`list-row list-row-stacked${session.id === selected ? ' is-focused' : ''}`}
            onClick={() => onSelect(session.id)}
            data-testid="report-session"
            data-status={session.status}
            data-session-id={session.id}
          >
            <span className="row-line">
              <span className="list-row-title">{session.name}</span>
              <span className={`badge badge-status-${session.status}`}>{session.status}</span>
            </span>
            <span className="row-line list-row-sub">
              <span className={`badge badge-kind-${session.kind}`}>{session.kind}</span>
              <span className="row-end">{formatDateTime(session.createdAt)}</span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function PerformanceDashboard() {
  const app = useApp();
  const { sessions, reports } = app;
  const byId = useStore(sessions, (state) => state.byId);
  const selectedId = useStore(reports, (state) => state.selectedSessionId);
  const reportsById = useStore(reports, (state) => state.byId);
  const errors = useStore(reports, (state) => state.errors);
  const [launchError, setLaunchError] = useState<string | null>(null);
  const replayed = useMemo(() => Object.values(byId).filter((session) => session.kind === 'backtest' || session.kind === 'paper').sort((a, b) => b.createdAt - a.createdAt), [byId]);
  const selected = (selectedId === null ? undefined : byId[selectedId]) ?? replayed.find((session) => FINISHED_STATUSES.has(session.status)) ?? replayed[0];
  const finished = selected !== undefined && FINISHED_STATUSES.has(selected.status);
  const report = selected === undefined ? undefined : reportsById[selected.id];

  useEffect(() => {
    if (selected !== undefined && finished) void reports.getState().load(selected.id);
  }, [selected, finished, reports]);

  const runBacktest = async (): Promise<void> => {
    const result = await launchSession(app, { ...currentDefaults(app), kind: 'backtest' });
    setLaunchError(result.ok ? null : result.error.message);
  };

  const progress = selected?.progress ?? (finished ? 1 : 0);
  return (
    <div className="screen screen-performance" data-testid="performance-dashboard">
      <aside className="column column-left">
        <Panel
          title="Sessions"
          meta={String(replayed.length)}
          actions={
            <button type="button" className="button button-small button-primary" onClick={() => void runBacktest()} data-testid="run-backtest" title="Backtest with the quick session’s choices (b)">
              Run backtest
            </button>
          }
          className="panel-grow"
        >
          {launchError !== null ? <ErrorText>{launchError}</ErrorText> : null}
          {replayed.length === 0 ? <EmptyState>No backtests yet. Press b to run one.</EmptyState> : <SessionPicker sessions={replayed} selected={selected?.id ?? null} onSelect={(id) => reports.getState().select(id)} />}
        </Panel>
      </aside>
      <div className="column column-main">
        <Panel title={selected?.name ?? 'Performance'} meta={selected === undefined ? undefined : `${selected.kind} · ${selected.status}`} className="panel-grow panel-report">
          {selected === undefined ? (
            <EmptyState>Run a backtest (b) to see its equity curve, drawdown and statistics here.</EmptyState>
          ) : (
            <>
              <div className="backtest-progress" data-testid="backtest-progress" data-status={selected.status} data-progress={progress.toFixed(3)}>
                <div className="progress progress-large" aria-label="progress">
                  <div className={`progress-fill progress-${selected.status}`} style={{ width: `${Math.round(progress * 100)}%` }} />
                </div>
                <span className="mono">{Math.round(progress * 100)}%</span>
                <span className="muted">
                  {selected.status === 'running'
                    ? 'replaying…'
                    : selected.startedAt !== null && selected.endedAt !== null
                      ? `${selected.status} in ${formatDuration(selected.endedAt - selected.startedAt)}`
                      : selected.status}
                </span>
              </div>
              {selected.error !== null ? <ErrorText>{selected.error}</ErrorText> : null}
              {!finished ? (
                <EmptyState>The results appear here when the replay ends.</EmptyState>
              ) : report !== undefined ? (
                <Report report={report} />
              ) : errors[selected.id] !== undefined ? (
                <ErrorText>{errors[selected.id]}</ErrorText>
              ) : (
                <EmptyState>Loading the report…</EmptyState>
              )}
            </>
          )}
        </Panel>
      </div>
    </div>
  );
}
