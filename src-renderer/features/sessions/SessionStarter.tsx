import { useMemo, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';
import { errorForField, isFormLevelError } from '../../lib/result-text';
import { ErrorText, Panel } from '../../ui/Panel';

const START_FIELDS = ['recordingId', 'strategies', 'kind', 'speed', 'capital'] as const;

const SPEEDS: ReadonlyArray<{ value: number; label: string }> = [
  { value: 0, label: 'Max' },
  { value: 1, label: '1×' },
  { value: 2, label: '2×' },
  { value: 5, label: '5×' },
  { value: 10, label: '10×' },
  { value: 50, label: '50×' },
  { value: 100, label: '100×' },
];

type Kind = 'backtest' | 'paper';

export function SessionStarter() {
  const { recordings, sessions, focus } = useApp();
  const recordingItems = useStore(recordings, (state) => state.items);
  const examples = useStore(sessions, (state) => state.examples);
  const examplesError = useStore(sessions, (state) => state.examplesError);
  const starting = useStore(sessions, (state) => state.starting);
  const error = useStore(sessions, (state) => state.startError);
  const focusedRecording = useStore(focus, (state) => state.recordingId);

  const [chosenRecording, setChosenRecording] = useState<string | null>(null);
  const [chosenStrategy, setChosenStrategy] = useState<string | null>(null);
  const [kind, setKind] = useState<Kind>('backtest');
  const [speed, setSpeed] = useState<number>(0);
  const [capital, setCapital] = useState('10000');

  // Until the trader picks, follow what the rest of the screen is looking at.
  const recordingId = useMemo(() => {
    const ids = recordingItems.map((recording) => recording.id);
    if (chosenRecording !== null && ids.includes(chosenRecording)) return chosenRecording;
    if (focusedRecording !== null && ids.includes(focusedRecording)) return focusedRecording;
    return ids[0] ?? '';
  }, [recordingItems, chosenRecording, focusedRecording]);
  const strategyFile = chosenStrategy ?? examples[0]?.file ?? '';
  const strategy = examples.find((example) => example.file === strategyFile);

  const chooseKind = (next: Kind): void => {
    setKind(next);
    setSpeed(next === 'backtest' ? 0 : 1);
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const result = await sessions.getState().start({
      kind,
      recordingId,
      strategies: strategy === undefined ? [] : [strategy.definition],
      speed,
      capital: capital.trim(),
    });
    if (result.ok) {
      const recording = recordingItems.find((item) => item.id === recordingId);
      focus.getState().focusSession(result.value.id, result.value.dataSessionId ?? recordingId, result.value.instruments[0] ?? recording?.instruments[0] ?? null);
    }
  };

  const fieldError = (field: (typeof START_FIELDS)[number]) => {
    const text = errorForField(error, field);
    return text === null ? null : <ErrorText testId={`start-error-${field}`}>{text}</ErrorText>;
  };

  return (
    <Panel title="New session" testId="session-starter" className="panel-starter">
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <label className="field">
          <span className="field-label">Recording</span>
          <select className="input" value={recordingId} onChange={(event) => setChosenRecording(event.target.value)} data-testid="session-recording" disabled={recordingItems.length === 0}>
            {recordingItems.length === 0 ? <option value="">Import a recording first</option> : null}
            {recordingItems.map((recording) => (
              <option key={recording.id} value={recording.id}>
                {recording.name} — {recording.instruments.join(', ')}
              </option>
            ))}
          </select>
          {fieldError('recordingId')}
        </label>
        <label className="field">
          <span className="field-label">Strategy</span>
          <select className="input" value={strategyFile} onChange={(event) => setChosenStrategy(event.target.value)} data-testid="session-strategy" disabled={examples.length === 0}>
            {examples.length === 0 ? <option value="">{examplesError ?? 'No example strategies'}</option> : null}
            {examples.map((example) => (
              <option key={example.file} value={example.file}>
                {example.name}
              </option>
            ))}
          </select>
          {fieldError('strategies')}
        </label>
        <div className="field-row">
          <div className="field">
            <span className="field-label">Kind</span>
            <div className="segmented" role="radiogroup" aria-label="Session kind">
              {(['backtest', 'paper'] as const).map((option) => (
                <button
                  key={option}
                  type="button"
                  role="radio"
                  aria-checked={kind === option}
                  className={`segment${kind === option ? ' is-active' : ''}`}
                  onClick={() => chooseKind(option)}
                  data-testid={`session-kind-${option}`}
                >
                  {option === 'backtest' ? 'Backtest' : 'Paper (replay)'}
                </button>
              ))}
            </div>
            {fieldError('kind')}
          </div>
        </div>
        <div className="field-row">
          <label className="field">
            <span className="field-label">Speed</span>
            <select className="input" value={speed} onChange={(event) => setSpeed(Number(event.target.value))} data-testid="session-speed">
              {SPEEDS.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            {fieldError('speed')}
          </label>
          <label className="field">
            <span className="field-label">Capital (USDT)</span>
            <input className="input mono" value={capital} onChange={(event) => setCapital(event.target.value)} inputMode="decimal" data-testid="session-capital" />
            {fieldError('capital')}
          </label>
        </div>
        {isFormLevelError(error, START_FIELDS) && error !== null ? <ErrorText testId="start-error">{error.message}</ErrorText> : null}
        <div className="form-actions">
          <span className="form-note">{kind === 'backtest' ? 'Paper venue, no keys, no network' : 'Offline paper trading on replayed data'}</span>
          <button type="submit" className="button button-primary" disabled={starting || recordingId === '' || strategy === undefined} data-testid="session-start">
            {starting ? 'Starting…' : 'Start'}
          </button>
        </div>
      </form>
    </Panel>
  );
}
