import { useStore } from 'zustand';
import type { ConditionProgressDto } from '../../../src-shared/contract/ui-commands';
import { useApp } from '../../app/app-context';
import { formatDuration, formatReading, formatTime } from '../../lib/format';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';

const SECTIONS = [
  ['S1', 'Signal'],
  ['O1', 'Cancel'],
  ['Z1', 'Entry'],
  ['ZE1', 'Close'],
  ['E1', 'Emergency'],
] as const;

function ConditionRow({ condition }: { condition: ConditionProgressDto }) {
  const state = condition.met === null ? 'pending' : condition.met ? 'met' : 'unmet';
  const mirrored = condition.compared !== null && condition.current !== null && condition.compared !== condition.current;
  return (
    <li className={`condition condition-${state}`} data-testid="condition" data-met={state}>
      <span className="condition-mark" aria-label={state}>
        {state === 'met' ? '●' : state === 'unmet' ? '○' : '…'}
      </span>
      <span className="mono condition-indicator" title={condition.id}>
        {condition.indicatorId}
      </span>
      <span className="mono muted">
        {condition.operator} {formatReading(condition.value)}
      </span>
      <span className="mono condition-now" title={mirrored ? `raw ${formatReading(condition.current)}, mirrored for the short side` : 'current value'}>
        {formatReading(condition.compared)}
      </span>
    </li>
  );
}

/** Strategy × symbol × state × time in state, and which conditions of each section hold right now. */
export function StrategyStatePanel() {
  const { strategyStates, focus } = useApp();
  const sessionId = useStore(focus, (state) => state.sessionId);
  const running = useStore(strategyStates, (state) => state.running);
  const rows = useStore(strategyStates, (state) => state.rows);
  const selected = useStore(strategyStates, (state) => state.selected);
  const progress = useStore(strategyStates, (state) => state.progress);
  const error = useStore(strategyStates, (state) => state.error);
  const multiSymbol = new Set(rows.map((row) => row.instrumentId)).size > 1;

  return (
    <Panel title="Strategy state" meta={running ? `${rows.length} live` : undefined} className="panel-states" testId="strategy-states">
      {error !== null ? <ErrorText>{error}</ErrorText> : null}
      {sessionId === null ? (
        <EmptyState>Pick a session to see its strategies.</EmptyState>
      ) : !running ? (
        <EmptyState>The session has ended; strategy states and condition progress show while a session runs.</EmptyState>
      ) : (
        <>
          <table className="table table-compact" data-testid="state-overview">
            <thead>
              <tr>
                <th>{multiSymbol ? 'Strategy · symbol' : 'Strategy'}</th>
                <th>State</th>
                <th className="num" title="Time in state, in session (data) time">
                  In state
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const isSelected = selected?.strategyId === row.strategyId && selected.instrumentId === row.instrumentId;
                return (
                  <tr
                    key={`${row.strategyId}|${row.instrumentId}`}
                    className={`clickable${isSelected ? ' is-selected' : ''}`}
                    onClick={() => strategyStates.getState().select({ strategyId: row.strategyId, instrumentId: row.instrumentId })}
                    data-testid="state-row"
                    data-state={row.state}
                  >
                    <td className="ellipsis" title={`${row.strategyId} on ${row.instrumentId}`}>
                      {row.strategyId}
                      {multiSymbol ? <span className="muted mono"> · {row.instrumentId}</span> : null}
                    </td>
                    <td>
                      <span className={`badge badge-state-${row.state.toLowerCase()}`}>{row.state.replace('_', ' ')}</span>
                      {row.direction !== null ? <span className={`side-text side-${row.direction === 'LONG' ? 'buy' : 'sell'} state-dir`}>{row.direction}</span> : null}
                    </td>
                    <td className="num mono" title={`since ${formatTime(row.since)}${row.until === null ? '' : `, until ${formatTime(row.until)}`} (data time, UTC)`}>
                      {formatDuration(row.now - row.since)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {progress !== null ? (
            <div className="progress-sections" data-testid="condition-progress">
              <div className="progress-title">
                <span>{progress.strategyId}</span>
                <span className="muted mono">{progress.instrumentId}</span>
                <span className={`side-text side-${progress.direction === 'LONG' ? 'buy' : 'sell'}`}>{progress.direction}</span>
              </div>
              {SECTIONS.map(([section, label]) => {
                const conditions = progress.sections[section];
                if (conditions.length === 0) return null;
                const met = conditions.filter((condition) => condition.met === true).length;
                return (
                  <div key={section} className="progress-section" data-section={section}>
                    <div className="progress-section-head">
                      <span className={`section section-${section.toLowerCase()}`}>{section}</span>
                      <span className="muted">{label}</span>
                      <span className="mono row-end muted">
                        {met}/{conditions.length}
                      </span>
                    </div>
                    <ul className="conditions">
                      {conditions.map((condition) => (
                        <ConditionRow key={condition.id} condition={condition} />
                      ))}
                    </ul>
                  </div>
                );
              })}
            </div>
          ) : null}
        </>
      )}
    </Panel>
  );
}
