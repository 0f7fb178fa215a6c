import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { PositionDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { decimalSign, formatMoney, formatPrice, formatQuantity } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';
import { marketKey } from '../market/market-store';
import { liveValuation } from './live-valuation';
import { positionKey } from './positions-store';

/** Why the position controls are inert: their commands come with the live execution layer. */
export const EXECUTION_PENDING = 'arrives with live execution';

const signClass = (value: string | null): string => {
  const sign = decimalSign(value);
  return sign > 0 ? 'positive' : sign < 0 ? 'negative' : 'neutral';
};

/** Open positions first, then the most recently touched. */
const byRelevance = (a: PositionDto, b: PositionDto): number => Number(a.side === 'FLAT') - Number(b.side === 'FLAT') || b.updatedAt - a.updatedAt;

/**
 * Margin ratio as a gauge: the share of margin left before liquidation; red below the critical
 * distance (settings positionSync.liquidationCriticalPct, 15 % by default). Paper positions have
 * no margin model yet, so the engine sends null and the gauge says "—".
 */
export function MarginGauge({ percent, criticalBelow }: { percent: number | null; criticalBelow: number }) {
  if (percent === null || !Number.isFinite(percent)) {
    return (
      <span className="margin-gauge is-unknown" data-testid="margin-ratio" data-value="" title={`Margin ratio ${EXECUTION_PENDING} (position sync)`}>
        —
      </span>
    );
  }
  const clamped = Math.max(0, Math.min(100, percent));
  const level = percent < criticalBelow ? 'critical' : percent < criticalBelow * (5 / 3) ? 'warning' : 'ok';
  return (
    <span className={`margin-gauge is-${level}`} data-testid="margin-ratio" data-value={String(percent)} title={`Margin ratio ${percent.toFixed(1)} %; red below ${criticalBelow} %`}>
      <span className="margin-gauge-track">
        <span className="margin-gauge-fill" style={{ width: `${clamped}%` }} />
      </span>
      <span className="mono">{percent.toFixed(1)}%</span>
    </span>
  );
}

function Inert({ label, testId }: { label: string; testId: string }) {
  return (
    <span className="inert-wrap" title={EXECUTION_PENDING}>
      <button type="button" className="button button-small" disabled data-testid={testId}>
        {label}
      </button>
    </span>
  );
}

function ProtectionCell({ value, kind }: { value: string | null; kind: 'sl' | 'tp' }) {
  return (
    <span className="protection-cell" title={`Editing ${kind === 'sl' ? 'the stop-loss' : 'the take-profit'} ${EXECUTION_PENDING}`}>
      <input className="input input-inline mono" value={value === null ? '' : formatPrice(value)} placeholder={kind === 'sl' ? 'SL —' : 'TP —'} disabled readOnly data-testid={`position-${kind}`} aria-label={kind === 'sl' ? 'Stop-loss' : 'Take-profit'} />
    </span>
  );
}

export function PositionMonitor() {
  const { positions, focus, settingsStore, market } = useApp();
  const lastTrade = useStore(market, (state) => state.lastTrade);
  const instruments = useStore(market, (state) => state.instruments);
  const byKey = useStore(positions, (state) => state.byKey);
  const loadError = useStore(positions, (state) => state.loadError);
  const sessionId = useStore(focus, (state) => state.sessionId);
  const criticalBelow = useStore(settingsStore, (state) => state.settings?.positionSync.liquidationCriticalPct ?? 15);
  const rows = useMemo(
    () => Object.values(byKey).filter((position) => sessionId === null || position.sessionId === sessionId).sort(byRelevance),
    [byKey, sessionId],
  );
  const open = rows.filter((position) => position.side !== 'FLAT').length;

  return (
    <Panel title="Positions" meta={rows.length > 0 ? `${open} open · ${rows.length - open} flat` : undefined} className="panel-positions" testId="position-monitor">
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      <div className="table-scroll">
        <table className="table" data-testid="positions-table">
          <thead>
            <tr>
              <th>Instrument</th>
              <th>Position</th>
              <th className="num">Entry</th>
              <th className="num">Mark</th>
              <th className="num">uPnL</th>
              <th className="num">rPnL</th>
              <th className="num" title="Margin left before liquidation; red below the critical distance">
                Margin
              </th>
              <th className="num" title="Liquidation price">
                Liq.
              </th>
              <th>SL / TP</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((position) => {
              const isOpen = position.side !== 'FLAT';
              const valued = liveValuation(position, lastTrade[marketKey(position.sessionId, position.instrumentId)], instruments[position.instrumentId]?.contractSize);
              const engineNote = `engine's last update: mark ${formatPrice(position.markPrice)}, uPnL ${formatMoney(position.unrealizedPnl, { signed: true })}`;
              return (
                <tr key={positionKey(position)} data-testid="position-row" data-side={position.side} className={isOpen ? undefined : 'is-flat'}>
                  <td className="mono">{position.instrumentId}</td>
                  <td className="nowrap">
                    <span className={`badge badge-side-${position.side.toLowerCase()}`}>{position.side}</span>
                    {isOpen ? (
                      <>
                        <span className="mono position-size">{formatQuantity(position.quantity)}</span>
                        <span className="muted lev">{position.leverage}×</span>
                      </>
                    ) : null}
                  </td>
                  <td className="num mono">{formatPrice(position.averageEntryPrice)}</td>
                  <td className="num mono" title={valued.live ? `last trade; ${engineNote}` : 'as of the engine’s last position update'} data-testid="position-mark" data-live={valued.live ? 'true' : 'false'}>
                    {formatPrice(valued.markPrice)}
                  </td>
                  <td className={`num mono ${signClass(valued.unrealizedPnl)}`} title={valued.live ? `at the last trade; ${engineNote}` : undefined} data-testid="position-upnl">
                    {formatMoney(valued.unrealizedPnl, { signed: true })}
                  </td>
                  <td className={`num mono ${signClass(position.realizedPnl)}`} title={`fees ${formatMoney(position.commissions)}`}>
                    {formatMoney(position.realizedPnl, { signed: true })}
                  </td>
                  <td className="num">{isOpen ? <MarginGauge percent={position.marginRatioPercent} criticalBelow={criticalBelow} /> : <span className="muted">—</span>}</td>
                  <td className="num mono" title={position.liquidationPrice === null && isOpen ? `Liquidation price ${EXECUTION_PENDING}` : undefined}>
                    {formatPrice(position.liquidationPrice)}
                  </td>
                  <td className="nowrap">
                    <ProtectionCell value={position.stopLoss} kind="sl" />
                    <ProtectionCell value={position.takeProfit} kind="tp" />
                  </td>
                  <td className="row-actions">
                    {isOpen ? (
                      <>
                        <Inert label="50%" testId="position-close-half" />
                        <Inert label="Close" testId="position-close-all" />
                      </>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {rows.length === 0 ? <EmptyState>{sessionId === null ? 'No positions.' : 'No positions in this session yet.'}</EmptyState> : null}
      </div>
    </Panel>
  );
}
