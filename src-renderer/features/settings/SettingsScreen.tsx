import { useMemo, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';
import { ErrorText, EmptyState, Panel } from '../../ui/Panel';
import { ApiKeysForm } from '../credentials/ApiKeysForm';
import { checkForm, engineProblems, humanize, settingsFields, toInput, valueAt, type FieldSpec } from './settings-form';

const FIELDS = settingsFields();
const GROUPS = [...new Set(FIELDS.map((field) => field.group))];

/** Groups the renderer applies at once; every other change reaches the engine's services on the next start. */
const LIVE_GROUPS = new Set(['alerts']);

function FieldInput({ field, value, problem, onChange }: { field: FieldSpec; value: string | boolean; problem: string | undefined; onChange: (value: string | boolean) => void }) {
  const id = `setting-${field.path}`;
  const common = { id, 'data-testid': id, 'aria-invalid': problem !== undefined };
  let input;
  switch (field.kind.type) {
    case 'boolean':
      input = <input type="checkbox" {...common} checked={value === true} onChange={(event) => onChange(event.target.checked)} />;
      break;
    case 'enum':
      input = (
        <select {...common} className={`input${problem === undefined ? '' : ' has-error'}`} value={String(value)} onChange={(event) => onChange(event.target.value)}>
          {field.kind.nullable ? <option value="">(none)</option> : null}
          {field.kind.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      );
      break;
    case 'number':
    case 'number-list':
    case 'string':
      input = (
        <input
          {...common}
          className={`input mono${problem === undefined ? '' : ' has-error'}`}
          value={String(value)}
          onChange={(event) => onChange(event.target.value)}
          placeholder={field.kind.type === 'string' && field.kind.nullable ? 'default' : undefined}
          inputMode={field.kind.type === 'number' ? 'decimal' : undefined}
          spellCheck={false}
        />
      );
  }
  return (
    <label className={`setting${field.kind.type === 'boolean' ? ' setting-check' : ''}`} htmlFor={id}>
      <span className="setting-label" title={field.path}>
        {field.label}
      </span>
      {input}
      {problem !== undefined ? (
        <span className="setting-error" role="alert" data-testid={`setting-error-${field.path}`}>
          {problem}
        </span>
      ) : null}
    </label>
  );
}

export function SettingsScreen() {
  const { settingsStore } = useApp();
  const settings = useStore(settingsStore, (state) => state.settings);
  const loadError = useStore(settingsStore, (state) => state.loadError);
  const saving = useStore(settingsStore, (state) => state.saving);
  const saveError = useStore(settingsStore, (state) => state.saveError);
  const restartRequired = useStore(settingsStore, (state) => state.restartRequired);
  const savedAt = useStore(settingsStore, (state) => state.savedAt);
  const [inputs, setInputs] = useState<Record<string, string | boolean>>({});
  const [tried, setTried] = useState(false);

  const check = useMemo(() => (settings === null ? null : checkForm(FIELDS, settings, inputs)), [settings, inputs]);
  const fromEngine = useMemo(() => (saveError === null ? {} : engineProblems(saveError.message, saveError.paths)), [saveError]);
  // local problems show as soon as a field is touched; the engine's after a save attempt
  const problems = { ...(tried ? fromEngine : {}), ...(check?.problems ?? {}) };
  const formProblems = Object.entries(problems).filter(([path]) => !FIELDS.some((field) => field.path === path));

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setTried(true);
    if (check === null || Object.keys(check.problems).length > 0 || check.changed === 0) return;
    if (await settingsStore.getState().save(check.patch)) setInputs({});
  };

  if (settings === null) {
    return (
      <div className="screen screen-settings">
        <Panel title="Settings" className="panel-grow">
          {loadError !== null ? <ErrorText>{loadError}</ErrorText> : <EmptyState>Loading settings…</EmptyState>}
        </Panel>
      </div>
    );
  }

  return (
    <div className="screen screen-settings" data-testid="settings-screen">
      <aside className="settings-side">
        <ApiKeysForm />
      </aside>
      <form className="settings-form" onSubmit={(event) => void submit(event)} noValidate data-testid="settings-form">
        <div className="settings-bar">
          <span className="muted">
            Limits and intervals are read when the engine starts: changes apply after a restart, except alert sounds, which apply at once.
          </span>
          {restartRequired ? (
            <span className="badge badge-status-paused" data-testid="settings-restart">
              restart to apply
            </span>
          ) : null}
          {savedAt !== null && saveError === null && Object.keys(inputs).length === 0 ? (
            <span className="positive" data-testid="settings-saved">
              Saved
            </span>
          ) : null}
          <span className="row-end" />
          <button type="button" className="button" onClick={() => setInputs({})} disabled={Object.keys(inputs).length === 0}>
            Revert
          </button>
          <button type="submit" className="button button-primary" disabled={saving || check === null || check.changed === 0} data-testid="settings-save">
            {saving ? 'Saving…' : check !== null && check.changed > 0 ? `Save ${check.changed} change${check.changed === 1 ? '' : 's'}` : 'Save'}
          </button>
        </div>
        {formProblems.map(([path, problem]) => (
          <ErrorText key={path} testId="settings-error">
            {path}: {problem}
          </ErrorText>
        ))}
        <div className="settings-grid">
          {GROUPS.map((group) => (
            <fieldset key={group} className="settings-group" data-testid={`settings-group-${group}`}>
              <legend>
                {humanize(group)}
                {LIVE_GROUPS.has(group) ? <span className="tag">live</span> : null}
              </legend>
              {FIELDS.filter((field) => field.group === group).map((field, index, list) => (
                <div key={field.path}>
                  {field.subgroup !== null && list[index - 1]?.subgroup !== field.subgroup ? <div className="settings-subgroup">{field.subgroup}</div> : null}
                  <FieldInput
                    field={field}
                    value={inputs[field.path] ?? toInput(field.kind, valueAt(settings, field.path))}
                    problem={problems[field.path]}
                    onChange={(value) => setInputs((current) => ({ ...current, [field.path]: value }))}
                  />
                </div>
              ))}
            </fieldset>
          ))}
        </div>
      </form>
    </div>
  );
}
