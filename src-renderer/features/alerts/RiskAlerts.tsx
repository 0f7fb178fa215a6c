import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';
import { formatDateTime, formatTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';

export function RiskAlerts() {
  const { alerts, ui } = useApp();
  const items = useStore(alerts, (state) => state.items);
  const loadError = useStore(alerts, (state) => state.loadError);
  const actionError = useStore(alerts, (state) => state.actionError);
  const highlighted = useStore(ui, (state) => state.highlightedAlertId);
  const open = items.filter((alert) => alert.acknowledgedAt === null);
  const critical = open.filter((alert) => alert.severity === 'critical').length;
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    if (highlighted === null) return;
    list.current?.querySelector(`[data-alert-id="${CSS.escape(highlighted)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [highlighted, items]);

  return (
    <Panel
      title="Alerts"
      meta={
        items.length > 0 ? (
          <span className={critical > 0 ? 'negative' : undefined} data-testid="alerts-open-count">
            {critical > 0 ? `${critical} critical · ` : ''}
            {open.length} open · {items.length}
          </span>
        ) : undefined
      }
      className="panel-alerts"
      testId="alerts-panel"
    >
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      {actionError !== null ? <ErrorText>{actionError}</ErrorText> : null}
      {items.length === 0 ? (
        <EmptyState>No alerts. Risk denials, feed problems and liquidation warnings show up here.</EmptyState>
      ) : (
        <ol className="log" ref={list}>
          {items.map((alert) => {
            const acknowledged = alert.acknowledgedAt !== null;
            return (
              <li
                key={alert.id}
                className={`log-row alert-row alert-${alert.severity}${acknowledged ? ' is-acknowledged' : ''}${alert.id === highlighted ? ' is-highlighted' : ''}`}
                data-testid="alert-row"
                data-alert-id={alert.id}
                data-severity={alert.severity}
                data-acknowledged={acknowledged ? 'true' : 'false'}
              >
                <div className="log-line">
                  <span className="mono muted" title={`${formatDateTime(alert.ts)} UTC`}>
                    {formatTime(alert.ts)}
                  </span>
                  <span className={`badge badge-severity-${alert.severity}`}>{alert.severity}</span>
                  <span className="mono muted ellipsis alert-code">{alert.code}</span>
                  {alert.instrumentId !== null ? <span className="mono log-symbol">{alert.instrumentId}</span> : null}
                  <span className="row-end alert-actions">
                    {acknowledged ? (
                      <span className="muted" title={`acknowledged ${formatDateTime(alert.acknowledgedAt)} UTC`}>
                        ✓ seen
                      </span>
                    ) : (
                      <button type="button" className="button button-small" onClick={() => void alerts.getState().acknowledge(alert.id)} data-testid="alert-acknowledge" title="Acknowledge (a)">
                        Ack
                      </button>
                    )}
                    <button type="button" className="icon-button icon-button-small" onClick={() => void alerts.getState().dismiss(alert.id)} data-testid="alert-dismiss" title="Dismiss: hide it (the journal keeps it)" aria-label="Dismiss">
                      ×
                    </button>
                  </span>
                </div>
                <div className="log-reason">{alert.message}</div>
                <div className="log-sub muted">{alert.source}</div>
              </li>
            );
          })}
        </ol>
      )}
    </Panel>
  );
}
