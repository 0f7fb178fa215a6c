import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { ResultError } from '../../../src-shared/contract/result';
import { useApp } from '../../app/app-context';
import { errorForField, isFormLevelError } from '../../lib/result-text';
import { ErrorText, Panel } from '../../ui/Panel';
import { entryKey } from '../strategies/library-store';
import { browserStorage, isOnlineKind, readSessionDefaults, resolveDefaults, STARTER_KINDS, writeSessionDefaults, type SessionDefaults, type StarterKind } from './session-defaults';
import { liveTradingBlocker } from './session-form';
import { launchSession } from './session-launch';

const START_FIELDS = ['recordingId', 'symbols', 'strategies', 'kind', 'speed', 'capital'] as const;
const PAPER_SPEEDS = [1, 2, 5, 10, 20, 50, 100] as const;

const KIND_NOTES: Record<StarterKind, string> = {
  backtest: 'Paper venue · no keys · no network',
  paper: 'Offline paper trading on replayed data',
  'online-paper': 'Paper fills at live MEXC prices · no keys',
  live: 'Real orders on MEXC · nothing trades until you arm it',
};

/** Kind, data or symbols, strategies, budget: the last choices come back as defaults (this browser profile). */
export function QuickSessionStarter() {
  const app = useApp();
  const { recordings, library, sessions, online, credentials, market, ui } = app;
  const recordingItems = useStore(recordings, (state) => state.items);
  const entries = useStore(library, (state) => state.entries);
  const libraryError = useStore(library, (state) => state.loadError);
  const instruments = useStore(market, (state) => state.instruments);
  const credentialStatus = useStore(credentials, (state) => state.status);
  const credentialError = useStore(credentials, (state) => state.loadError);
  const startingReplay = useStore(sessions, (state) => state.starting);
  const startingOnline = useStore(online, (state) => state.starting);
  const focusRequest = useStore(ui, (state) => state.starterFocusRequest);
  const [saved] = useState(() => readSessionDefaults(browserStorage()));
  const [edits, setEdits] = useState<Partial<SessionDefaults>>({});
  const [error, setError] = useState<ResultError | null>(null);
  const firstField = useRef<HTMLButtonElement>(null);
  const symbolIds = useMemo(() => Object.keys(instruments).sort(), [instruments]);
  const liveBlocker = liveTradingBlocker(credentialStatus, credentialError);

  // the remembered choices, checked against what exists now, under the trader's edits
  const choices = useMemo(() => {
    const available = { recordingIds: recordingItems.map((item) => item.id), strategyKeys: entries.map(entryKey), ...(symbolIds.length > 0 ? { symbols: symbolIds } : {}) };
    const resolved = resolveDefaults({ ...saved, ...edits }, available);
    // a pick the trader emptied stays empty (the saved defaults fall back to the first one)
    return {
      ...resolved,
      ...(edits.strategyKeys === undefined ? {} : { strategyKeys: edits.strategyKeys.filter((key) => available.strategyKeys.includes(key)) }),
      ...(edits.symbols === undefined ? {} : { symbols: edits.symbols }),
    };
  }, [saved, edits, recordingItems, entries, symbolIds]);
  const recording = recordingItems.find((item) => item.id === choices.recordingId);
  const onlineKind = isOnlineKind(choices.kind);
  const starting = startingReplay || startingOnline;

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
  const toggle = (list: readonly string[], item: string): string[] => (list.includes(item) ? list.filter((entry) => entry !== item) : [...list, item]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (starting) return;
    setError(null);
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
        <div className="segmented segmented-grid" role="radiogroup" aria-label="Session kind" data-testid="session-kind">
          {STARTER_KINDS.map(({ kind, label }, index) => {
            const blocked = kind === 'live' ? liveBlocker : null;
            return (
              <button
                key={kind}
                ref={index === 0 ? firstField : undefined}
                type="button"
                role="radio"
                aria-checked={choices.kind === kind}
                className={`segment${choices.kind === kind ? ' is-active' : ''}${kind === 'live' ? ' segment-live' : ''}`}
                onClick={() => edit({ kind, speed: kind === 'paper' && choices.speed === 0 ? 20 : choices.speed })}
                disabled={blocked !== null}
                title={blocked === null ? undefined : `Live is off: ${blocked}`}
                data-testid={`session-kind-${kind}`}
              >
                {label}
              </button>
            );
          })}
        </div>
        {liveBlocker !== null ? (
          <span className="form-note kind-note" title={`Live is off: ${liveBlocker}`} data-testid="session-live-blocked">
            Live is off: {liveBlocker}
          </span>
        ) : null}
        {fieldError('kind')}
        {onlineKind ? (
          <div className="field">
            <span className="field-label" id="session-symbols-label">
              Symbols
            </span>
            <div className="chips" role="group" aria-labelledby="session-symbols-label" data-testid="session-symbols">
              {symbolIds.length === 0 ? <span className="muted">Loading instruments…</span> : null}
              {symbolIds.map((symbol) => {
                const on = choices.symbols.includes(symbol);
                return (
                  <button key={symbol} type="button" className={`chip chip-toggle mono${on ? ' is-on' : ''}`} aria-pressed={on} onClick={() => edit({ symbols: toggle(choices.symbols, symbol) })} data-testid="session-symbol" data-symbol={symbol}>
                    {symbol.split(':')[0]}
                  </button>
                );
              })}
            </div>
            {fieldError('symbols')}
          </div>
        ) : (
          <>
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
          </>
        )}
        <fieldset className="field strategy-picks">
          <legend className="field-label">Strategies</legend>
          {entries.length === 0 ? <span className="muted">{libraryError ?? 'Loading strategies…'}</span> : null}
          <div className="checklist" data-testid="session-strategies">
            {entries.map((entry) => {
              const key = entryKey(entry);
              return (
                <label key={key} className="check-row">
                  <input type="checkbox" checked={choices.strategyKeys.includes(key)} onChange={() => edit({ strategyKeys: toggle(choices.strategyKeys, key) })} data-testid="session-strategy" data-key={key} />
                  <span className="ellipsis">{entry.name}</span>
                  <span className={`tag tag-${entry.source}`}>{entry.source === 'stored' ? 'saved' : 'example'}</span>
                </label>
              );
            })}
          </div>
          {fieldError('strategies')}
        </fieldset>
        <div className="field-row">
          {onlineKind ? null : (
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
          )}
          <label className="field">
            <span className="field-label">{choices.kind === 'live' ? 'Capital cap (USDT)' : 'Budget (USDT)'}</span>
            <input
              className={`input mono${errorForField(error, 'capital') === null ? '' : ' has-error'}`}
              value={choices.capital}
              onChange={(event) => edit({ capital: event.target.value })}
              inputMode="decimal"
              data-testid="session-capital"
              title={choices.kind === 'live' ? 'The most of the account this session may commit' : undefined}
            />
            {fieldError('capital')}
          </label>
        </div>
        {isFormLevelError(error, START_FIELDS) && error !== null ? <ErrorText testId="start-error">{error.message}</ErrorText> : null}
        <div className="form-actions">
          <span className="form-note" data-testid="session-kind-note">
            {KIND_NOTES[choices.kind]}
          </span>
          <button type="submit" className={`button ${choices.kind === 'live' ? 'button-live' : 'button-primary'}`} disabled={starting} data-testid="session-start">
            {starting ? (onlineKind ? 'Connecting…' : 'Starting…') : choices.kind === 'live' ? 'Connect' : 'Start'}
          </button>
        </div>
      </form>
    </Panel>
  );
}
