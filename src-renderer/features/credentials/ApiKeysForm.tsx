import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../../app/app-context';
import { errorForField, isFormLevelError } from '../../lib/result-text';
import { ErrorText, Panel } from '../../ui/Panel';

const FIELDS = ['apiKey', 'apiSecret', 'exchange'] as const;

/**
 * MEXC API key and secret: sent once to the engine, which keeps them in the OS keychain. They
 * never come back; the form shows only "set, ends in …abcd".
 */
export function ApiKeysForm() {
  const { credentials } = useApp();
  const status = useStore(credentials, (state) => state.status);
  const loadError = useStore(credentials, (state) => state.loadError);
  const saving = useStore(credentials, (state) => state.saving);
  const error = useStore(credentials, (state) => state.saveError);
  const [apiKey, setApiKey] = useState('');
  const [apiSecret, setApiSecret] = useState('');
  const mexc = status?.exchanges.find((exchange) => exchange.exchange === 'mexc');

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (await credentials.getState().save(apiKey, apiSecret)) {
      // the secret leaves the page's memory as soon as the engine has it
      setApiKey('');
      setApiSecret('');
    }
  };

  const fieldError = (field: (typeof FIELDS)[number]) => {
    const text = errorForField(error, field);
    return text === null ? null : <ErrorText testId={`credentials-error-${field}`}>{text}</ErrorText>;
  };

  return (
    <Panel title="Exchange API keys" meta="MEXC" testId="api-keys" className="settings-card">
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      <div className="credentials-status" data-testid="credentials-status" data-set={mexc?.apiKeySet === true ? 'true' : 'false'}>
        {status === null ? (
          <span className="muted">Checking the keychain…</span>
        ) : !status.available ? (
          <span className="negative">No OS keychain here{status.reason === undefined ? '' : `: ${status.reason}`}. Keys cannot be stored, so live trading stays off.</span>
        ) : mexc?.apiKeySet === true ? (
          <span>
            <span className="positive">● set</span>, ends in <span className="mono">{mexc.apiKeyHint}</span>
          </span>
        ) : (
          <span className="muted">not set — paper trading and backtests need no keys</span>
        )}
      </div>
      <form className="form" onSubmit={(event) => void submit(event)} noValidate autoComplete="off">
        <label className="field">
          <span className="field-label">API key</span>
          <input className={`input mono${errorForField(error, 'apiKey') === null ? '' : ' has-error'}`} value={apiKey} onChange={(event) => setApiKey(event.target.value)} spellCheck={false} autoComplete="off" data-testid="credentials-key" disabled={status?.available === false} />
          {fieldError('apiKey')}
        </label>
        <label className="field">
          <span className="field-label">API secret</span>
          <input type="password" className={`input mono${errorForField(error, 'apiSecret') === null ? '' : ' has-error'}`} value={apiSecret} onChange={(event) => setApiSecret(event.target.value)} spellCheck={false} autoComplete="new-password" data-testid="credentials-secret" disabled={status?.available === false} />
          {fieldError('apiSecret')}
        </label>
        {isFormLevelError(error, FIELDS) && error !== null ? <ErrorText testId="credentials-error">{error.message}</ErrorText> : null}
        <div className="form-actions">
          <span className="form-note">Stored in the OS keychain, never in files or logs.</span>
          {mexc?.apiKeySet === true ? (
            <button type="button" className="button" onClick={() => void credentials.getState().clear()} data-testid="credentials-clear">
              Remove
            </button>
          ) : null}
          <button type="submit" className="button button-primary" disabled={saving || status?.available === false} data-testid="credentials-save">
            {saving ? 'Saving…' : 'Save keys'}
          </button>
        </div>
      </form>
    </Panel>
  );
}
