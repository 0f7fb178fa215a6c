import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { OrderDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { formatDateTime, formatPrice, formatPriceNumber, formatQuantity, formatTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';
import { EXECUTION_PENDING } from '../positions/PositionMonitor';
import { indexSignals, slippageOf } from './slippage';

const OPEN_STATUSES: ReadonlySet<OrderDto['status']> = new Set(['INITIALIZED', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'PENDING_CANCEL']);

const SLIPPAGE_HELP =
  'Slippage in basis points against you: the average fill vs the reference price — a limit order’s price, or for a market order the price of the signal that sent it (Z1 entry, ZE1/E1 exit). Positive = filled worse.';

export function OrderHistory() {
  const { orders, focus, signals } = useApp();
  const byId = useStore(orders, (state) => state.byId);
  const loadError = useStore(orders, (state) => state.loadError);
  const signalItems = useStore(signals, (state) => state.items);
  const sessionId = useStore(focus, (state) => state.sessionId);
  const rows = useMemo(
    () => Object.values(byId).filter((order) => sessionId === null || order.sessionId === sessionId).sort((a, b) => b.createdAt - a.createdAt),
    [byId, sessionId],
  );
  const signalIndex = useMemo(() => indexSignals(signalItems), [signalItems]);
  const open = rows.filter((order) => OPEN_STATUSES.has(order.status)).length;

  return (
    <Panel title="Orders" meta={rows.length > 0 ? `${open} open · ${rows.length} total` : undefined} className="panel-orders" testId="order-history">
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      <div className="table-scroll">
        <table className="table" data-testid="orders-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Instrument</th>
              <th>Side</th>
              <th>Type</th>
              <th className="num">Qty</th>
              <th className="num">Filled</th>
              <th className="num" title="Reference price: limit price, or the price of the signal that sent a market order">
                Ref.
              </th>
              <th className="num">Avg fill</th>
              <th className="num" title={SLIPPAGE_HELP}>
                Slip. (bps)
              </th>
              <th>Status</th>
              <th>Reason</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((order) => {
              const slippage = slippageOf(order, signalIndex);
              const bps = slippage?.bps ?? null;
              return (
                <tr key={order.clientOrderId} data-testid="order-row" title={`client ${order.clientOrderId}${order.venueOrderId === null ? '' : ` · venue ${order.venueOrderId}`} · ${formatDateTime(order.createdAt)} UTC`}>
                  <td className="mono muted">{formatTime(order.createdAt)}</td>
                  <td className="mono">{order.instrumentId}</td>
                  <td>
                    <span className={`side-text side-${order.side.toLowerCase()}`}>{order.side}</span>
                    {order.reduceOnly ? <span className="tag">RO</span> : null}
                  </td>
                  <td className="muted">{order.type}</td>
                  <td className="num mono">{formatQuantity(order.quantity)}</td>
                  <td className="num mono">{formatQuantity(order.filledQuantity)}</td>
                  <td className="num mono muted" title={slippage === null ? 'no reference price' : slippage.referenceFrom === 'limit' ? 'limit price' : 'signal price'}>
                    {slippage === null ? '—' : formatPriceNumber(slippage.referencePrice)}
                  </td>
                  <td className="num mono">{formatPrice(order.averageFillPrice)}</td>
                  <td className={`num mono ${bps === null ? 'muted' : bps > 0.005 ? 'negative' : bps < -0.005 ? 'positive' : ''}`} data-testid="order-slippage">
                    {bps === null ? '—' : `${bps > 0 ? '+' : ''}${bps.toFixed(2)}`}
                  </td>
                  <td>
                    <span className={`badge badge-order-${order.status.toLowerCase()}`}>{order.status}</span>
                  </td>
                  <td className="muted ellipsis" title={order.reason ?? undefined}>
                    {order.reason ?? ''}
                  </td>
                  <td className="row-actions">
                    {OPEN_STATUSES.has(order.status) ? (
                      <span className="inert-wrap" title={`Cancelling ${EXECUTION_PENDING}`}>
                        <button type="button" className="button button-small" disabled data-testid="order-cancel">
                          Cancel
                        </button>
                      </span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {rows.length === 0 ? <EmptyState>No orders.</EmptyState> : null}
      </div>
    </Panel>
  );
}
