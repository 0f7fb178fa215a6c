import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';
import { formatTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';

export function AlertsList() {
  const { alerts } = useApp();
  const items = useStore(alerts, (state) => state.items);
  const loadError = useStore(alerts, (state) => state.loadError);
  const critical = items.filter((alert) => alert.severity === 'critical').length;

  return (
    <Panel
      title="Alerts"
      meta={items.length > 0 ? <span className={critical > 0 ? 'negative' : undefined}>{critical > 0 ? `${critical} critical · ` : ''}{items.length}</span> : undefined}
      className="panel-alerts"
      testId="alerts-panel"
    >
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      {items.length === 0 ? (
        <EmptyState>No alerts. Risk denials, feed problems and liquidation warnings show up here.</EmptyState>
      ) : (
        <ol className="log">
          {items.map((alert) => (
            <li key={alert.id} className={`log-row alert-row alert-${alert.severity}`} data-testid="alert-row" data-severity={alert.severity}>
              <div className="log-line">
                <span className="mono muted">{formatTime(alert.ts)}</span>
                <span className={`badge badge-severity-${alert.severity}`}>{alert.severity}</span>
                <span className="mono muted">{alert.code}</span>
                {alert.instrumentId !== null ? <span className="mono log-symbol">{alert.instrumentId}</span> : null}
                <span className="log-source muted" title="raised by">
                  {alert.source}
                </span>
              </div>
              <div className="log-reason">{alert.message}</div>
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
