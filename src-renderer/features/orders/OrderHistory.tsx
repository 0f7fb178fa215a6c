import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { OrderDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { formatDateTime, formatPrice, formatPriceNumber, formatQuantity, formatTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';
import { actionBlocker, WORKING_ORDER_STATUSES, type TradingActions } from '../positions/position-actions';
import { useTradingActions } from '../positions/PositionMonitor';
import { indexSignals, slippageOf } from './slippage';

const OPEN_STATUSES: ReadonlySet<OrderDto['status']> = new Set(['INITIALIZED', 'SUBMITTED', 'ACCEPTED', 'PARTIALLY_FILLED', 'PENDING_CANCEL']);

const SLIPPAGE_HELP =
  'Slippage in basis points against you: the average fill vs the reference price — a limit order’s price, or for a market order the price of the signal that sent it (Z1 entry, ZE1/E1 exit). Positive = filled worse.';

/** Cancel for a working order; a PENDING_CANCEL order says it is on its way; the engine's refusal stays beside the button. */
function CancelCell({ order, blocker, actions }: { order: OrderDto; blocker: string | null; actions: TradingActions }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (order.status === 'PENDING_CANCEL') return <span className="muted" data-testid="order-cancelling">cancelling…</span>;
  if (!WORKING_ORDER_STATUSES.has(order.status)) return null;
  const cancel = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    const refused = await actions.cancel(order);
    setBusy(false);
    if (refused !== null) setError(refused.message);
  };
  return (
    <span className="order-actions" title={blocker ?? `Cancel ${order.side} ${order.type} ${order.quantity} ${order.instrumentId}`}>
      <button type="button" className="button button-small" disabled={blocker !== null || busy} onClick={() => void cancel()} data-testid="order-cancel">
        {busy ? 'Cancelling…' : 'Cancel'}
      </button>
      {error !== null ? <ErrorText testId="order-cancel-error">{error}</ErrorText> : null}
    </span>
  );
}

export function OrderHistory() {
  const { orders, focus, signals, sessions } = useApp();
  const actions = useTradingActions();
  const sessionsById = useStore(sessions, (state) => state.byId);
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
                <tr key={order.clientOrderId} data-testid="order-row" data-status={order.status} data-order-id={order.clientOrderId} title={`client ${order.clientOrderId}${order.venueOrderId === null ? '' : ` · venue ${order.venueOrderId}`} · ${formatDateTime(order.createdAt)} UTC`}>
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
                    <CancelCell order={order} blocker={actionBlocker(order.sessionId, order.sessionId === null ? undefined : sessionsById[order.sessionId])} actions={actions} />
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
