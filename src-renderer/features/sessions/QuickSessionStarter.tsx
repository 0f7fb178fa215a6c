import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { ResultError } from '../../../src-shared/contract/result';
import { useApp } from '../../app/app-context';
import { errorForField, isFormLevelError } from '../../lib/result-text';
import { ErrorText, Panel } from '../../ui/Panel';
import { entryKey } from '../strategies/library-store';
import { browserStorage, readSessionDefaults, resolveDefaults, writeSessionDefaults, type SessionDefaults } from './session-defaults';
import { launchSession } from './session-launch';

const START_FIELDS = ['recordingId', 'strategies', 'kind', 'speed', 'capital'] as const;
const PAPER_SPEEDS = [1, 2, 5, 10, 20, 50, 100] as const;

/** Kind, data, strategies, budget: the last choices come back as defaults (this browser profile). */
export function QuickSessionStarter() {
  const app = useApp();
  const { recordings, library, sessions, ui } = app;
  const recordingItems = useStore(recordings, (state) => state.items);
  const entries = useStore(library, (state) => state.entries);
  const libraryError = useStore(library, (state) => state.loadError);
  const starting = useStore(sessions, (state) => state.starting);
  const focusRequest = useStore(ui, (state) => state.starterFocusRequest);
  const [saved] = useState(() => readSessionDefaults(browserStorage()));
  const [edits, setEdits] = useState<Partial<SessionDefaults>>({});
  const [error, setError] = useState<ResultError | null>(null);
  const firstField = useRef<HTMLButtonElement>(null);

  // the remembered choices, checked against what exists now, under the trader's edits
  const choices = useMemo(() => {
    const available = { recordingIds: recordingItems.map((item) => item.id), strategyKeys: entries.map(entryKey) };
    const resolved = resolveDefaults({ ...saved, ...edits }, available);
    // a pick the trader emptied stays empty (the saved defaults fall back to the first strategy)
    return edits.strategyKeys === undefined ? resolved : { ...resolved, strategyKeys: edits.strategyKeys.filter((key) => available.strategyKeys.includes(key)) };
  }, [saved, edits, recordingItems, entries]);
  const recording = recordingItems.find((item) => item.id === choices.recordingId);

  useEffect(() => {
    if (focusRequest > 0) firstField.current?.focus();
  }, [focusRequest]);

  // what the form shows is what b (and Run backtest) use, and what the next visit starts with
  useEffect(() => {
    if (Object.keys(edits).length > 0) writeSessionDefaults(browserStorage(), choices);
  }, [edits, choices]);

  const edit = (change: Partial<SessionDefaults>): void => {
    setError(null);
    setEdits((current) => ({ ...current, ...change }));
  };
  const toggleStrategy = (key: string): void => {
    edit({ strategyKeys: choices.strategyKeys.includes(key) ? choices.strategyKeys.filter((k) => k !== key) : [...choices.strategyKeys, key] });
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const result = await launchSession(app, choices);
    setError(result.ok ? null : result.error);
  };

  const fieldError = (field: (typeof START_FIELDS)[number]) => {
    const text = errorForField(error, field);
    return text === null ? null : <ErrorText testId={`start-error-${field}`}>{text}</ErrorText>;
  };

  return (
    <Panel title="Quick session" meta={<span className="muted" title="n focuses this form; b runs a backtest with these choices">n · b</span>} testId="session-starter" className="panel-starter">
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <div className="segmented" role="radiogroup" aria-label="Session kind">
          {(['backtest', 'paper'] as const).map((option, index) => (
            <button
              key={option}
              ref={index === 0 ? firstField : undefined}
              type="button"
              role="radio"
              aria-checked={choices.kind === option}
              className={`segment${choices.kind === option ? ' is-active' : ''}`}
              onClick={() => edit({ kind: option, speed: option === 'paper' && choices.speed === 0 ? 20 : choices.speed })}
              data-testid={`session-kind-${option}`}
            >
              {option === 'backtest' ? 'Backtest' : 'Paper (offline replay)'}
            </button>
          ))}
        </div>
        {fieldError('kind')}
        <label className="field">
          <span className="field-label">Data</span>
          <select className="input" value={choices.recordingId ?? ''} onChange={(event) => edit({ recordingId: event.target.value })} data-testid="session-recording" disabled={recordingItems.length === 0}>
            {recordingItems.length === 0 ? <option value="">Import a recording first (Data screen)</option> : null}
            {recordingItems.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </select>
          {fieldError('recordingId')}
        </label>
        <div className="field">
          <span className="field-label">Symbols</span>
          <div className="chips" data-testid="session-symbols" title="Every instrument in the recording is replayed">
            {(recording?.instruments ?? []).map((instrument) => (
              <span key={instrument} className="chip mono">
                {instrument}
              </span>
            ))}
            {recording === undefined ? <span className="muted">—</span> : null}
          </div>
        </div>
        <fieldset className="field strategy-picks">
          <legend className="field-label">Strategies</legend>
          {entries.length === 0 ? <span className="muted">{libraryError ?? 'Loading strategies…'}</span> : null}
          <div className="checklist" data-testid="session-strategies">
            {entries.map((entry) => {
              const key = entryKey(entry);
              return (
                <label key={key} className="check-row">
                  <input type="checkbox" checked={choices.strategyKeys.includes(key)} onChange={() => toggleStrategy(key)} data-testid="session-strategy" data-key={key} />
                  <span className="ellipsis">{entry.name}</span>
                  <span className={`tag tag-${entry.source}`}>{entry.source === 'stored' ? 'saved' : 'example'}</span>
                </label>
              );
            })}
          </div>
          {fieldError('strategies')}
        </fieldset>
        <div className="field-row">
          <label className="field">
            <span className="field-label">Speed</span>
            <select
              className="input"
              value={choices.kind === 'backtest' ? 0 : choices.speed}
              onChange={(event) => edit({ speed: Number(event.target.value) })}
              disabled={choices.kind === 'backtest'}
              data-testid="session-speed"
              title={choices.kind === 'backtest' ? 'A backtest runs as fast as possible' : 'Replay pace, × real time'}
            >
              {choices.kind === 'backtest' ? <option value={0}>Max</option> : null}
              {PAPER_SPEEDS.map((speed) => (
                <option key={speed} value={speed}>
                  {speed}×
                </option>
              ))}
            </select>
            {fieldError('speed')}
          </label>
          <label className="field">
            <span className="field-label">Budget (USDT)</span>
            <input className="input mono" value={choices.capital} onChange={(event) => edit({ capital: event.target.value })} inputMode="decimal" data-testid="session-capital" />
            {fieldError('capital')}
          </label>
        </div>
        {isFormLevelError(error, START_FIELDS) && error !== null ? <ErrorText testId="start-error">{error.message}</ErrorText> : null}
        <div className="form-actions">
          <span className="form-note">{choices.kind === 'backtest' ? 'Paper venue · no keys · no network' : 'Offline paper trading on replayed data'}</span>
          <button type="submit" className="button button-primary" disabled={starting} data-testid="session-start">
            {starting ? 'Starting…' : 'Start'}
          </button>
        </div>
      </form>
    </Panel>
  );
}
