import { useMemo } from 'react';
import { useStore } from 'zustand';
import type { OrderDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { formatPrice, formatQuantity, formatTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';

const OPEN_STATUSES: ReadonlySet<OrderDto['status']> = new Set(['INITIALIZED', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'PENDING_CANCEL']);

export function OrdersList() {
  const { orders, focus } = useApp();
  const byId = useStore(orders, (state) => state.byId);
  const loadError = useStore(orders, (state) => state.loadError);
  const sessionId = useStore(focus, (state) => state.sessionId);
  const rows = useMemo(
    () => Object.values(byId).filter((order) => sessionId === null || order.sessionId === sessionId).sort((a, b) => b.createdAt - a.createdAt),
    [byId, sessionId],
  );
  const open = rows.filter((order) => OPEN_STATUSES.has(order.status)).length;

  return (
    <Panel title="Orders" meta={rows.length > 0 ? `${open} open · ${rows.length} total` : undefined} className="panel-orders">
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
              <th className="num">Price</th>
              <th className="num">Avg fill</th>
              <th>Status</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((order) => (
              <tr key={order.clientOrderId} data-testid="order-row" title={`client ${order.clientOrderId}${order.venueOrderId === null ? '' : ` · venue ${order.venueOrderId}`}`}>
                <td className="mono muted">{formatTime(order.createdAt)}</td>
                <td className="mono">{order.instrumentId}</td>
                <td>
                  <span className={`side-text side-${order.side.toLowerCase()}`}>{order.side}</span>
                  {order.reduceOnly ? <span className="tag">RO</span> : null}
                </td>
                <td className="muted">{order.type}</td>
                <td className="num mono">{formatQuantity(order.quantity)}</td>
                <td className="num mono">{formatQuantity(order.filledQuantity)}</td>
                <td className="num mono">{formatPrice(order.price ?? order.triggerPrice)}</td>
                <td className="num mono">{formatPrice(order.averageFillPrice)}</td>
                <td>
                  <span className={`badge badge-order-${order.status.toLowerCase()}`}>{order.status}</span>
                </td>
                <td className="muted ellipsis" title={order.reason ?? undefined}>
                  {order.reason ?? ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 ? <EmptyState>No orders.</EmptyState> : null}
      </div>
    </Panel>
  );
}
