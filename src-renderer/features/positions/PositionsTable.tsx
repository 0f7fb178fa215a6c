import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { PositionDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { decimalSign, formatMoney, formatPrice, formatQuantity } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';
import { positionKey } from './positions-store';

const signClass = (value: string | null): string => {
  const sign = decimalSign(value);
  return sign > 0 ? 'positive' : sign < 0 ? 'negative' : 'neutral';
};

/** Open positions first, then the most recently touched. */
const byRelevance = (a: PositionDto, b: PositionDto): number => Number(a.side === 'FLAT') - Number(b.side === 'FLAT') || b.updatedAt - a.updatedAt;

export function PositionsTable() {
  const { positions, focus } = useApp();
  const byKey = useStore(positions, (state) => state.byKey);
  const loadError = useStore(positions, (state) => state.loadError);
  const sessionId = useStore(focus, (state) => state.sessionId);
  const rows = useMemo(
    () => Object.values(byKey).filter((position) => sessionId === null || position.sessionId === sessionId).sort(byRelevance),
    [byKey, sessionId],
  );
  const open = rows.filter((position) => position.side !== 'FLAT').length;

  return (
    <Panel title="Positions" meta={rows.length > 0 ? `${open} open · ${rows.length - open} closed` : undefined} className="panel-positions">
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      <div className="table-scroll">
        <table className="table" data-testid="positions-table">
          <thead>
            <tr>
              <th>Instrument</th>
              <th>Side</th>
              <th className="num">Size</th>
              <th className="num">Entry</th>
              <th className="num">Mark</th>
              <th className="num">Unrealized PnL</th>
              <th className="num">Realized PnL</th>
              <th className="num">Fees</th>
              <th className="num">Lev.</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((position) => (
              <tr key={positionKey(position)} data-testid="position-row" data-side={position.side} className={position.side === 'FLAT' ? 'is-flat' : undefined}>
                <td className="mono">{position.instrumentId}</td>
                <td>
                  <span className={`badge badge-side-${position.side.toLowerCase()}`}>{position.side}</span>
                </td>
                <td className="num mono">{formatQuantity(position.quantity)}</td>
                <td className="num mono">{formatPrice(position.averageEntryPrice)}</td>
                <td className="num mono">{formatPrice(position.markPrice)}</td>
                <td className={`num mono ${signClass(position.unrealizedPnl)}`}>{formatMoney(position.unrealizedPnl, { signed: true })}</td>
                <td className={`num mono ${signClass(position.realizedPnl)}`}>{formatMoney(position.realizedPnl, { signed: true })}</td>
                <td className="num mono muted">{formatMoney(position.commissions)}</td>
                <td className="num mono muted">{position.leverage}×</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 ? <EmptyState>{sessionId === null ? 'No positions.' : 'No positions in this session yet.'}</EmptyState> : null}
      </div>
    </Panel>
  );
}
