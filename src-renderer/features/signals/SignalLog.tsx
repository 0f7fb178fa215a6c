import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import type { SignalDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { formatPriceNumber, formatReading, formatTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';

function IndicatorValues({ values }: { values: SignalDto['indicatorValues'] }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  return (
    <div className="signal-values">
      {entries.map(([indicator, value]) => (
        <span key={indicator} className="signal-value">
          <span className="muted">{indicator}</span> <span className="mono">{formatReading(value)}</span>
        </span>
      ))}
    </div>
  );
}

const SECTIONS: ReadonlyArray<SignalDto['section']> = ['S1', 'O1', 'Z1', 'ZE1', 'E1'];

export function SignalLog() {
  const { signals, focus, settings } = useApp();
  const items = useStore(signals, (state) => state.items);
  const loadError = useStore(signals, (state) => state.loadError);
  const sessionId = useStore(focus, (state) => state.sessionId);
  const [hidden, setHidden] = useState<ReadonlySet<SignalDto['section']>>(new Set());
  const rows = useMemo(() => {
    const relevant = items.filter((signal) => (sessionId === null || signal.sessionId === sessionId) && !hidden.has(signal.section));
    return relevant.slice(-settings.signalLogRows).reverse();
  }, [items, sessionId, hidden, settings.signalLogRows]);
  const toggle = (section: SignalDto['section']): void => {
    const next = new Set(hidden);
    if (next.has(section)) next.delete(section);
    else next.add(section);
    setHidden(next);
  };

  return (
    <Panel
      title="Signal log"
      meta={rows.length > 0 ? String(rows.length) : undefined}
      className="panel-signals"
      testId="signal-log"
      actions={
        <span className="section-filter" role="group" aria-label="Show sections">
          {SECTIONS.map((section) => (
            <button
              key={section}
              type="button"
              className={`section section-${section.toLowerCase()} section-toggle${hidden.has(section) ? ' is-off' : ''}`}
              aria-pressed={!hidden.has(section)}
              onClick={() => toggle(section)}
              title={`${hidden.has(section) ? 'Show' : 'Hide'} ${section} signals`}
            >
              {section}
            </button>
          ))}
        </span>
      }
    >
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      {rows.length === 0 ? (
        <EmptyState>No signals yet. They appear here as strategies fire.</EmptyState>
      ) : (
        <ol className="log">
          {rows.map((signal) => (
            <li key={signal.id} className="log-row" data-testid="signal-row" data-section={signal.section}>
              <div className="log-line">
                <span className="mono muted">{formatTime(signal.ts, { millis: true })}</span>
                <span className={`section section-${signal.section.toLowerCase()}`}>{signal.section}</span>
                <span className={`side-text side-${signal.direction === 'LONG' ? 'buy' : 'sell'}`}>{signal.direction}</span>
                <span className="mono log-symbol">{signal.instrumentId}</span>
                {signal.price !== null ? <span className="mono log-price">{formatPriceNumber(signal.price)}</span> : null}
              </div>
              <div className="log-sub">
                <span className="muted" title="strategy">
                  {signal.strategyId}
                </span>
                {signal.reason !== null ? <span className="log-reason-inline"> · {signal.reason}</span> : null}
              </div>
              <IndicatorValues values={signal.indicatorValues} />
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
