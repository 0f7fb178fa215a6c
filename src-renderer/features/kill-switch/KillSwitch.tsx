import { useState } from 'react';
import { useStore } from 'zustand';
import { commands } from '../../../src-shared/contract/commands';
import { useApp } from '../../app/app-context';
import { Dialog } from '../../ui/Dialog';
import { ErrorText } from '../../ui/Panel';

/** True when the engine's contract has a kill switch (it arrives with the execution layer). */
export const KILL_SWITCH_AVAILABLE = Object.prototype.hasOwnProperty.call(commands, 'killSwitch.engage');

/** Always on screen; a confirmation stands between the click and the engine. */
export function KillSwitchButton() {
  const { ui } = useApp();
  if (!KILL_SWITCH_AVAILABLE) {
    return (
      <span className="kill-switch-wrap" title="arrives with execution">
        <button type="button" className="kill-switch" disabled aria-label="Kill switch (arrives with execution)" data-testid="kill-switch">
          KILL SWITCH
        </button>
      </span>
    );
  }
  return (
    <span className="kill-switch-wrap" title="Cancel every open order and flatten every position (Shift+K)">
      <button type="button" className="kill-switch" onClick={() => ui.getState().openOverlay('kill-switch')} aria-label="Kill switch" data-testid="kill-switch">
        KILL SWITCH
      </button>
    </span>
  );
}

export function KillSwitchDialog({ onClose }: { onClose: () => void }) {
  const { transport, connection } = useApp();
  const engine = useStore(connection, (state) => state.engine);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const engage = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    const result = await transport.invoke('killSwitch.engage', { confirm: true });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    const { cancelledOrders, flattenedPositions } = result.value;
    setOutcome(
      `Cancelled ${cancelledOrders} order${cancelledOrders === 1 ? '' : 's'} and flattened ${flattenedPositions} position${flattenedPositions === 1 ? '' : 's'}. Strategies stay paused until you resume them.`,
    );
  };

  return (
    <Dialog
      title="Kill switch"
      tone="danger"
      onClose={onClose}
      testId="kill-switch-dialog"
      footer={
        outcome === null ? (
          <>
            <button type="button" className="button" onClick={onClose} data-testid="kill-switch-cancel">
              Cancel
            </button>
            <button type="button" className="button button-danger" onClick={() => void engage()} disabled={busy} data-testid="kill-switch-confirm">
              {busy ? 'Engaging…' : 'Cancel all orders and flatten'}
            </button>
          </>
        ) : (
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        )
      }
    >
      {outcome === null ? (
        <p>
          Cancel <strong>every open order</strong> and close <strong>every open position</strong> at market, in every running session, and pause all strategies?
          {engine?.strategiesPaused === true ? ' Strategies are already paused.' : ''}
        </p>
      ) : (
        <p data-testid="kill-switch-outcome">{outcome}</p>
      )}
      {error !== null ? <ErrorText testId="kill-switch-error">{error}</ErrorText> : null}
    </Dialog>
  );
}
