import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { LiveDifferenceDto } from '../../../src-shared/contract/live-commands';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { formatDuration, formatTime } from '../../lib/format';
import { ErrorText, Panel } from '../../ui/Panel';
import { ARM_WORD, armWordMatches, IDLE, keepAllowed, panelActions, panelSession, phaseBadge, press, typeArmWord, viewPhase, type ConfirmState, type PanelAction } from './live-phase';
import type { Resolution } from './online-sessions-store';

const DIFFERENCE_LABEL: Record<LiveDifferenceDto['kind'], string> = {
  local_only: 'app only',
  exchange_only: 'exchange only',
  mismatch: 'mismatch',
  foreign_order: 'foreign order',
};

const ACTION_TEXT: Record<PanelAction, { label: string; title: string; confirm?: string }> = {
  adopt: { label: 'Adopt', title: 'Take the exchange’s positions into the app’s book as they are' },
  flatten: { label: 'Flatten', title: 'Close the differing positions at market and cancel orders this app did not place (asks first)', confirm: 'Flatten at market?' },
  cancel: { label: 'Cancel', title: 'End the session without trading; the exchange is left as it is (asks first)', confirm: 'End session?' },
  arm: { label: 'Arm live trading…', title: 'Let the strategies trade this exchange account (asks you to type ARM)' },
  stop: { label: 'Stop', title: 'Stop the session: strategies stop, the feed closes; open positions are not closed', confirm: 'Stop? Positions stay open' },
};

/**
 * The online session the trader is looking at (or the one running live): its phase, what stands
 * between it and trading, and the trader's moves — resolve the reconciliation gate, arm a live
 * session behind a typed confirmation, stop it. Hidden when no online session is around.
 */
export function LiveSessionPanel() {
  const { sessions, focus } = useApp();
  const byId = useStore(sessions, (state) => state.byId);
  const focusedId = useStore(focus, (state) => state.sessionId);
  const session = useMemo(() => panelSession(Object.values(byId), focusedId), [byId, focusedId]);
  if (session === null) return null;
  // keyed by session: a confirmation never carries over to another session
  return <LiveSessionView key={session.id} session={session} />;
}

function LiveSessionView({ session }: { session: SessionDto }) {
  const { sessions, online, credentials, ui } = useApp();
  const sessionId = session.id;
  const reading = useStore(online, (state) => state.byId[sessionId]);
  const readError = useStore(online, (state) => state.readErrors[sessionId] ?? null);
  const pending = useStore(online, (state) => state.pending[sessionId] ?? null);
  const actionError = useStore(online, (state) => state.actionErrors[sessionId] ?? null);
  const keyHint = useStore(credentials, (state) => state.status?.exchanges.find((exchange) => exchange.exchange === 'mexc')?.apiKeyHint ?? null);
  const focusRequest = useStore(ui, (state) => state.livePanelFocusRequest);
  const [confirm, setConfirm] = useState<ConfirmState>(IDLE);
  const [stopping, setStopping] = useState(false);
  const [stopError, setStopError] = useState<string | null>(null);
  const body = useRef<HTMLDivElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const armInput = useRef<HTMLInputElement>(null);

  const kind = session.kind === 'live' ? 'live' : 'paper';
  const phase = viewPhase(session, reading);
  const badge = phaseBadge(phase, kind);
  const allowed = panelActions(phase, kind);
  const busy = pending !== null || stopping;
  const differences = phase === 'reconciling' ? (reading?.differences ?? []) : [];
  // a phase that moved on takes a pending confirmation with it (the gate closed under an open arm box)
  const shown = keepAllowed(confirm, allowed);

  useEffect(() => {
    if (focusRequest > 0) body.current?.querySelector<HTMLElement>('button:not(:disabled), input')?.focus();
  }, [focusRequest]);
  useEffect(() => {
    if (shown.step === 'confirm') confirmButton.current?.focus();
    if (shown.step === 'arm') armInput.current?.focus();
  }, [shown.step]);

  const send = async (action: PanelAction): Promise<void> => {
    setStopError(null);
    if (action === 'arm') {
      await online.getState().arm(sessionId);
      return;
    }
    if (action === 'stop') {
      setStopping(true);
      online.getState().clearActionError(sessionId);
      await sessions.getState().stop(sessionId);
      setStopping(false);
      setStopError(sessions.getState().stopError);
      return;
    }
    await online.getState().resolve(sessionId, action satisfies Resolution);
  };

  const onPress = (action: PanelAction): void => {
    const outcome = press(shown, action, allowed, kind);
    setConfirm(outcome.state);
    if (outcome.send !== null) void send(outcome.send);
  };
  const keepKey = (event: KeyboardEvent<HTMLElement>): void => {
    if (event.key !== 'Escape') return;
    // Esc here dismisses the confirmation, not a dialog
    event.preventDefault();
    setConfirm(IDLE);
  };
  const submitArm = (event: FormEvent): void => {
    event.preventDefault();
    onPress('arm');
  };

  const actionButton = (action: PanelAction) => {
    const text = ACTION_TEXT[action];
    if (shown.step === 'confirm' && shown.action === action) {
      return (
        <span key={action} className="confirm-pair">
          <button ref={confirmButton} type="button" className="button button-small button-danger" onClick={() => onPress(action)} onKeyDown={keepKey} disabled={busy} title={`${text.title}. Enter confirms, Esc keeps things as they are`} data-testid={`live-${action}-confirm`}>
            {text.confirm ?? `${text.label}?`}
          </button>
          <button type="button" className="button button-small" onClick={() => setConfirm(IDLE)} onKeyDown={keepKey} title="Keep things as they are (Esc)" aria-label={`Do not ${action}`} data-testid={`live-${action}-keep`}>
            ✕
          </button>
        </span>
      );
    }
    const danger = action === 'arm';
    return (
      <button
        key={action}
        type="button"
        className={`button button-small${danger ? ' button-arm' : ''}`}
        onClick={() => onPress(action)}
        disabled={busy}
        title={text.title}
        data-testid={`live-${action}`}
      >
        {pending === action || (action === 'stop' && stopping) ? `${text.label.replace('…', '')}…` : text.label}
      </button>
    );
  };

  return (
    <Panel
      title={kind === 'live' ? 'Live session' : 'Online session'}
      meta={<span title="l focuses these actions">l</span>}
      actions={
        <span className={`badge badge-phase badge-tone-${badge.tone}`} title={badge.title} data-testid="live-phase" data-phase={phase}>
          {badge.label}
        </span>
      }
      testId="live-session-panel"
      className={`panel-live panel-live-${phase}`}
    >
      <div ref={body} className="live-body" data-session-id={session.id} data-kind={kind}>
        <div className="live-summary">
          <span className={`badge badge-kind-${kind}`}>{kind === 'live' ? 'MEXC' : 'paper · live'}</span>
          <span className="mono live-symbols" title={session.instruments.join(', ')}>
            {session.instruments.map((symbol) => symbol.split(':')[0]).join(' · ')}
          </span>
          <span className="row-end muted">
            {formatTime(session.startedAt ?? session.createdAt)}
            {session.endedAt !== null && session.startedAt !== null ? ` · ${formatDuration(session.endedAt - session.startedAt)}` : ''}
          </span>
        </div>
        {reading?.detail != null && phase !== 'stopped' ? (
          <div className="live-detail" data-testid="live-detail">
            {reading.detail}
          </div>
        ) : null}
        {session.error !== null ? <ErrorText testId="live-session-error">{session.error}</ErrorText> : null}
        {readError !== null && phase !== 'stopped' ? (
          <div className="live-detail muted" data-testid="live-read-error" title="The panel keeps the last reading until the engine answers again">
            Last read failed: {readError}
          </div>
        ) : null}
        {differences.length > 0 ? (
          <ul className="live-differences" aria-label="Differences with the exchange" data-testid="live-differences">
            {differences.map((difference, index) => (
              <li key={`${difference.kind}-${difference.instrumentId}-${index}`} className="live-difference" data-testid="live-difference" data-kind={difference.kind}>
                <span className="live-difference-head">
                  <span className={`tag live-difference-kind live-difference-${difference.kind}`}>{DIFFERENCE_LABEL[difference.kind]}</span>
                  <span className="mono">{difference.instrumentId.split(':')[0]}</span>
                </span>
                <span className="live-difference-detail">{difference.detail}</span>
              </li>
            ))}
          </ul>
        ) : null}
        {phase === 'reconciling' ? <p className="live-hint">Resolve every difference at once: adopt them into the app’s book, flatten them at the exchange, or cancel the session.</p> : null}
        {phase === 'ready' && kind === 'live' && shown.step !== 'arm' ? <p className="live-hint">Reconciled with the exchange. Strategies wait until you arm the session.</p> : null}
        {phase === 'armed' ? (
          <p className={`live-hint${kind === 'live' ? ' live-hint-armed' : ''}`}>
            {kind === 'live' ? 'Armed: strategies place real orders on this account.' : 'Strategies trade on the paper venue at live prices.'} The kill switch (Shift+K) cancels and flattens everything.
          </p>
        ) : null}
        {phase === 'stopped' && kind === 'live' ? <p className="live-hint">Stopped. Anything still open at the exchange stays there, no longer managed by the app.</p> : null}
        {shown.step === 'arm' ? (
          <form className="arm-box" onSubmit={submitArm} data-testid="live-arm-box">
            <label className="field">
              <span className="arm-warning">
                Strategies will place <strong>real orders</strong> on MEXC{keyHint === null ? '' : ` (key ${keyHint})`}. Type <kbd>{ARM_WORD}</kbd> to confirm.
              </span>
              <input
                ref={armInput}
                className="input mono arm-input"
                value={shown.typed}
                onChange={(event) => setConfirm(typeArmWord(shown, event.target.value))}
                onKeyDown={keepKey}
                autoComplete="off"
                spellCheck={false}
                aria-label={`Type ${ARM_WORD} to arm live trading`}
                placeholder={ARM_WORD}
                data-testid="live-arm-input"
              />
            </label>
            <div className="arm-actions">
              <button type="submit" className="button button-small button-danger" disabled={!armWordMatches(shown.typed) || busy} data-testid="live-arm-confirm">
                {pending === 'arm' ? 'Arming…' : 'Arm live trading'}
              </button>
              <button type="button" className="button button-small" onClick={() => setConfirm(IDLE)} onKeyDown={keepKey} title="Keep the session disarmed (Esc)" data-testid="live-arm-keep">
                Keep disarmed
              </button>
            </div>
          </form>
        ) : null}
        {allowed.length > 0 ? (
          <div className="live-actions" role="group" aria-label="Session actions">
            {/* the open arm box has its own button; a second one would only confuse */}
            {allowed.filter((action) => !(action === 'arm' && shown.step === 'arm')).map(actionButton)}
          </div>
        ) : null}
        {actionError !== null ? <ErrorText testId="live-action-error">{actionError.message}</ErrorText> : null}
        {stopError !== null ? <ErrorText testId="live-stop-error">{stopError}</ErrorText> : null}
      </div>
    </Panel>
  );
}
