import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import type { RecordingDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { formatCount, formatDateTime, formatDuration } from '../../lib/format';
import { errorForField, isFormLevelError } from '../../lib/result-text';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';

const IMPORT_FIELDS = ['path', 'instrumentId', 'name'] as const;

function RecordingRow({ recording, focused, onFocus }: { recording: RecordingDto; focused: boolean; onFocus: () => void }) {
  const span = recording.firstTs !== null && recording.lastTs !== null ? formatDuration(recording.lastTs - recording.firstTs) : null;
  return (
    <li>
      <button
        type="button"
        className={`list-row list-row-stacked${focused ? ' is-focused' : ''}`}
        onClick={onFocus}
        data-testid="recording-row"
        data-recording-id={recording.id}
        title={`${recording.source}\n${formatDateTime(recording.firstTs)} → ${formatDateTime(recording.lastTs)} UTC`}
      >
        <span className="row-line">
          <span className="list-row-title">{recording.name}</span>
          <span className="mono row-end">{formatCount(recording.tradeCount)} trades</span>
        </span>
        <span className="row-line list-row-sub">
          <span className="mono">{recording.instruments.join(', ') || 'no instruments'}</span>
          <span className="row-end">
            {formatDateTime(recording.firstTs)}
            {span === null ? '' : ` · ${span}`}
          </span>
        </span>
      </button>
    </li>
  );
}

function ImportForm() {
  const { recordings, focus } = useApp();
  const importing = useStore(recordings, (state) => state.importing);
  const error = useStore(recordings, (state) => state.importError);
  const lastImported = useStore(recordings, (state) => state.lastImported);
  const [path, setPath] = useState('');
  const [instrumentId, setInstrumentId] = useState('BTC/USDT:USDT');
  const [name, setName] = useState('');

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const trimmedName = name.trim();
    const result = await recordings.getState().importCsv({
      path: path.trim(),
      instrumentId: instrumentId.trim(),
      ...(trimmedName === '' ? {} : { name: trimmedName }),
    });
    if (result.ok) {
      setPath('');
      setName('');
      focus.getState().focusRecording(result.value.id, result.value.instruments[0] ?? instrumentId.trim());
    }
  };

  const fieldError = (field: (typeof IMPORT_FIELDS)[number]) => {
    const text = errorForField(error, field);
    return text === null ? null : <ErrorText testId={`import-error-${field}`}>{text}</ErrorText>;
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)} data-testid="import-form" noValidate>
      <div className="form-title">Import trades CSV</div>
      <label className="field">
        <span className="field-label">File path (on the engine machine)</span>
        <input
          className={`input mono${errorForField(error, 'path') === null ? '' : ' has-error'}`}
          value={path}
          onChange={(event) => setPath(event.target.value)}
          placeholder="/data/binance-btcusdt-trades.csv"
          spellCheck={false}
          data-testid="import-path"
        />
        {fieldError('path')}
      </label>
      <div className="field-row">
        <label className="field">
          <span className="field-label">Instrument</span>
          <input
            className={`input mono${errorForField(error, 'instrumentId') === null ? '' : ' has-error'}`}
            value={instrumentId}
            onChange={(event) => setInstrumentId(event.target.value)}
            placeholder="BTC/USDT:USDT"
            spellCheck={false}
            data-testid="import-instrument"
          />
          {fieldError('instrumentId')}
        </label>
        <label className="field">
          <span className="field-label">Name (optional)</span>
          <input className="input" value={name} onChange={(event) => setName(event.target.value)} placeholder="from file name" data-testid="import-name" />
          {fieldError('name')}
        </label>
      </div>
      {isFormLevelError(error, IMPORT_FIELDS) && error !== null ? <ErrorText testId="import-error">{error.message}</ErrorText> : null}
      <div className="form-actions">
        {lastImported !== null && error === null ? (
          <span className="form-note" data-testid="import-done">
            Imported {formatCount(lastImported.tradeCount)} trades
          </span>
        ) : (
          <span />
        )}
        <button type="submit" className="button button-primary" disabled={importing} data-testid="import-submit">
          {importing ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

export function DataPanel() {
  const { recordings, focus } = useApp();
  const items = useStore(recordings, (state) => state.items);
  const loaded = useStore(recordings, (state) => state.loaded);
  const loadError = useStore(recordings, (state) => state.loadError);
  const focusedRecording = useStore(focus, (state) => (state.sessionId === null ? state.recordingId : null));

  return (
    <Panel title="Data" meta={loaded ? `${items.length} recording${items.length === 1 ? '' : 's'}` : undefined} testId="data-panel" className="panel-data">
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      {items.length === 0 ? (
        <EmptyState>{loaded ? 'No recordings yet. Import a trades CSV below.' : 'Loading recordings…'}</EmptyState>
      ) : (
        <ul className="list" data-testid="recordings-list">
          {items.map((recording) => (
            <RecordingRow
              key={recording.id}
              recording={recording}
              focused={recording.id === focusedRecording}
              onFocus={() => focus.getState().focusRecording(recording.id, recording.instruments[0] ?? null)}
            />
          ))}
        </ul>
      )}
      <ImportForm />
    </Panel>
  );
}
