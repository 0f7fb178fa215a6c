import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { ResultError } from '../../../src-shared/contract/result';
import type { PositionDto } from '../../../src-shared/contract/schemas';
import { useApp } from '../../app/app-context';
import { decimalSign, formatMoney, formatPrice, formatQuantity } from '../../lib/format';
import { errorForField, isFormLevelError } from '../../lib/result-text';
import { EmptyState, ErrorText, Panel } from '../../ui/Panel';
import { marketKey } from '../market/market-store';
import { liveValuation } from './live-valuation';
import {
  actionBlocker, CLOSE_FRACTIONS, createTradingActions, editableLevel, localValidation, parseLevelInput, PROTECTION_FIELDS, sameLevel, type ProtectionField, type TradingActions,
} from './position-actions';
import { positionKey } from './positions-store';

const signClass = (value: string | null): string => {
  const sign = decimalSign(value);
  return sign > 0 ? 'positive' : sign < 0 ? 'negative' : 'neutral';
};

/** A USDT-margined perpetual's id without its settlement suffix (BTC/USDT:USDT → BTC/USDT); the full id is the cell's title. */
const shortInstrument = (instrumentId: string): string => {
  const [symbol = instrumentId, settle] = instrumentId.split(':');
  return settle !== undefined && symbol.endsWith(`/${settle}`) ? symbol : instrumentId;
};

/** Open positions first, then the most recently touched. */
const byRelevance = (a: PositionDto, b: PositionDto): number => Number(a.side === 'FLAT') - Number(b.side === 'FLAT') || b.updatedAt - a.updatedAt;

/** The trader's order and position actions over the window's transport, answers applied to the stores. */
export function useTradingActions(): TradingActions {
  const { transport, positions, orders } = useApp();
  return useMemo(() => createTradingActions(transport, { positions, orders }), [transport, positions, orders]);
}

/**
 * Margin ratio as a gauge: the share of margin left before liquidation
 * (PositionDto.marginRatioPercent); red below the critical distance (settings
 * positionSync.liquidationCriticalPct, 15 % by default). "—" until the engine has a mark to
 * measure it at.
 */
export function MarginGauge({ percent, criticalBelow }: { percent: number | null; criticalBelow: number }) {
  if (percent === null || !Number.isFinite(percent)) {
    return (
      <span className="margin-gauge is-unknown" data-testid="margin-ratio" data-value="" title="No margin ratio yet: the engine has no mark price for this position">
        —
      </span>
    );
  }
  const clamped = Math.max(0, Math.min(100, percent));
  const level = percent < criticalBelow ? 'critical' : percent < criticalBelow * (5 / 3) ? 'warning' : 'ok';
  return (
    <span className={`margin-gauge is-${level}`} data-testid="margin-ratio" data-value={String(percent)} data-level={level} title={`Margin ratio ${percent.toFixed(1)} %; red below ${criticalBelow} %`}>
      <span className="margin-gauge-track">
        <span className="margin-gauge-fill" style={{ width: `${clamped}%` }} />
      </span>
      <span className="mono">{percent.toFixed(1)}%</span>
    </span>
  );
}

const LEVEL_LABEL: Record<ProtectionField, { short: string; long: string; testId: string }> = {
  stopLoss: { short: 'SL', long: 'Stop-loss', testId: 'sl' },
  takeProfit: { short: 'TP', long: 'Take-profit', testId: 'tp' },
};

interface ProtectionCellProps {
  field: ProtectionField;
  value: string | null;
  /** The text being typed, or null while the cell only shows the level. */
  draft: string | null;
  error: string | null;
  saving: boolean;
  blocker: string | null;
  /** Prefix of the ids of the messages under the row (aria-errormessage). */
  errorId: string;
  onStart(): void;
  onDraft(text: string): void;
  /** Resolves true once the level is saved (the cell then leaves edit mode). */
  onSave(): Promise<boolean>;
  onCancel(): void;
}

/**
 * An inline-editable level: focus (click or Tab) edits it, Enter saves, Esc or leaving the cell
 * throws the edit away. An empty cell removes the level. The engine's refusal stays under the cell
 * with the typed text, so the trader can correct it.
 */
/** The level is shown as the decimal the engine keeps (no grouping), the same text the edit starts from. */
function ProtectionCell({ field, value, draft, error, saving, blocker, errorId, onStart, onDraft, onSave, onCancel }: ProtectionCellProps) {
  const label = LEVEL_LABEL[field];
  const editing = draft !== null;
  const inputRef = useRef<HTMLInputElement>(null);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if (event.key === 'Enter') {
      event.preventDefault();
      // Enter edits a focused level, and saves an edited one
      if (!editing) onStart();
      else if (!saving) {
        void onSave().then((saved) => {
          if (saved) inputRef.current?.blur();
        });
      }
    } else if (event.key === 'Escape') {
      // the field's Esc: the window's Esc (close an overlay) must not also act on it
      event.preventDefault();
      onCancel();
      event.currentTarget.blur();
    }
  };
  const title = blocker !== null ? `${label.long}: ${blocker}` : `${label.long}: type a price, Enter saves, Esc cancels; empty removes it. The engine closes the position when a trade crosses it.`;
  return (
    <span className={`protection-cell${editing ? ' is-editing' : ''}`} title={title}>
      <input
        ref={inputRef}
        className={`input input-inline mono${error === null ? '' : ' has-error'}`}
        value={editing ? draft : editableLevel(value)}
        placeholder={`${label.short} —`}
        readOnly={!editing || saving}
        disabled={blocker !== null}
        onFocus={() => {
          if (!editing) onStart();
        }}
        onClick={() => {
          if (!editing) onStart();
        }}
        onChange={(event) => onDraft(event.target.value)}
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (!saving) onCancel();
        }}
        spellCheck={false}
        autoComplete="off"
        inputMode="decimal"
        data-testid={`position-${label.testId}`}
        data-value={value ?? ''}
        aria-label={label.long}
        aria-invalid={error !== null}
        aria-errormessage={error !== null ? `${errorId}-${label.testId}` : undefined}
      />
    </span>
  );
}

interface PositionRowProps {
  position: PositionDto;
  lastTrade: { price: number; ts: number } | undefined;
  contractSize: string | undefined;
  criticalBelow: number;
  blocker: string | null;
  actions: TradingActions;
}

function PositionRow({ position, lastTrade, contractSize, criticalBelow, blocker, actions }: PositionRowProps) {
  const [editing, setEditing] = useState<{ field: ProtectionField; draft: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [protectionError, setProtectionError] = useState<{ field: ProtectionField; error: ResultError } | null>(null);
  const [closing, setClosing] = useState<'idle' | 'confirm' | 'busy'>('idle');
  const [closeError, setCloseError] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const isOpen = position.side !== 'FLAT';
  const valued = liveValuation(position, lastTrade, contractSize);
  const engineNote = `engine's last update: mark ${formatPrice(position.markPrice)}, uPnL ${formatMoney(position.unrealizedPnl, { signed: true })}`;

  useEffect(() => {
    if (closing === 'confirm') confirmRef.current?.focus();
  }, [closing]);
  // a position that went flat (closed, stopped out) has nothing left to confirm or edit
  useEffect(() => {
    if (isOpen) return;
    setClosing('idle');
    setEditing(null);
  }, [isOpen]);

  /** The engine's message for a field: the one it names, or a message naming no field under the field being edited. */
  const errorFor = (field: ProtectionField): string | null => {
    if (protectionError === null) return null;
    const named = errorForField(protectionError.error, field);
    if (named !== null) return named;
    return protectionError.field === field && isFormLevelError(protectionError.error, PROTECTION_FIELDS) ? protectionError.error.message : null;
  };

  const save = async (field: ProtectionField, draft: string): Promise<boolean> => {
    const parsed = parseLevelInput(draft);
    if (!parsed.ok) {
      setProtectionError({ field, error: localValidation(field, parsed.message) });
      return false;
    }
    if (sameLevel(position[field], parsed.value)) {
      setEditing(null);
      setProtectionError(null);
      return true;
    }
    setSaving(true);
    const error = await actions.setProtection(position, field, parsed.value);
    setSaving(false);
    if (error !== null) {
      setProtectionError({ field, error });
      return false;
    }
    setProtectionError(null);
    setEditing(null);
    return true;
  };

  const close = async (fraction: number): Promise<void> => {
    setClosing('busy');
    setCloseError(null);
    const { error } = await actions.close(position, fraction);
    setClosing('idle');
    if (error !== null) setCloseError(error.message);
  };

  const onConfirmKey = (event: KeyboardEvent<HTMLButtonElement>): void => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    setClosing('idle');
  };

  const slError = isOpen ? errorFor('stopLoss') : null;
  const tpError = isOpen ? errorFor('takeProfit') : null;
  const errorId = `position-error-${positionKey(position)}`;
  return (
    <>
      <tr data-testid="position-row" data-side={position.side} data-instrument={position.instrumentId} className={isOpen ? undefined : 'is-flat'}>
        <td className="mono" title={position.instrumentId}>
          {shortInstrument(position.instrumentId)}
        </td>
        <td className="nowrap">
          <span className={`badge badge-side-${position.side.toLowerCase()}`}>{position.side}</span>
          {isOpen ? (
            <>
              <span className="mono position-size" data-testid="position-size">
                {formatQuantity(position.quantity)}
              </span>
              <span className="muted lev">{position.leverage}×</span>
            </>
          ) : null}
        </td>
        <td className="num mono">{formatPrice(position.averageEntryPrice)}</td>
        <td className="num mono" title={valued.live ? `last trade; ${engineNote}` : 'as of the engine’s last position update'} data-testid="position-mark" data-live={valued.live ? 'true' : 'false'}>
          {formatPrice(valued.markPrice)}
        </td>
        <td className={`num mono ${signClass(valued.unrealizedPnl)}`} title={valued.live ? `at the last trade; ${engineNote}` : undefined} data-testid="position-upnl">
          {formatMoney(valued.unrealizedPnl, { signed: true })}
        </td>
        <td className={`num mono ${signClass(position.realizedPnl)}`} title={`fees ${formatMoney(position.commissions)}`}>
          {formatMoney(position.realizedPnl, { signed: true })}
        </td>
        <td className="num">{isOpen ? <MarginGauge percent={position.marginRatioPercent} criticalBelow={criticalBelow} /> : <span className="muted">—</span>}</td>
        <td className="num mono" data-testid="position-liquidation">
          {formatPrice(position.liquidationPrice)}
        </td>
        <td className="nowrap protection-cells">
          {isOpen
            ? PROTECTION_FIELDS.map((field) => (
                <ProtectionCell
                  key={field}
                  field={field}
                  value={position[field]}
                  draft={editing?.field === field ? editing.draft : null}
                  error={field === 'stopLoss' ? slError : tpError}
                  saving={saving && editing?.field === field}
                  blocker={blocker}
                  errorId={errorId}
                  onStart={() => {
                    setEditing({ field, draft: editableLevel(position[field]) });
                    setProtectionError(null);
                  }}
                  onDraft={(draft) => setEditing({ field, draft })}
                  onSave={() => (editing?.field === field ? save(field, editing.draft) : Promise.resolve(false))}
                  onCancel={() => {
                    if (editing?.field !== field) return;
                    setEditing(null);
                    setProtectionError(null);
                  }}
                />
              ))
            : null}
        </td>
        <td className="row-actions">
          {isOpen ? (
            <span className="position-actions" title={blocker ?? undefined}>
              {closing === 'confirm' ? (
                <>
                  <button
                    ref={confirmRef}
                    type="button"
                    className="button button-small button-danger"
                    onClick={() => void close(CLOSE_FRACTIONS.all)}
                    onKeyDown={onConfirmKey}
                    title={`Close all ${formatQuantity(position.quantity)} contracts at market? Enter confirms, Esc keeps the position`}
                    data-testid="position-close-confirm"
                  >
                    Close {formatQuantity(position.quantity)}?
                  </button>
                  <button type="button" className="button button-small" onClick={() => setClosing('idle')} onKeyDown={onConfirmKey} title="Keep the position (Esc)" aria-label="Keep the position" data-testid="position-close-keep">
                    ✕
                  </button>
                </>
              ) : (
                <>
                  <button
                    type="button"
                    className="button button-small"
                    disabled={blocker !== null || closing === 'busy'}
                    onClick={() => void close(CLOSE_FRACTIONS.half)}
                    title={blocker === null ? 'Close half the position at market (rounded down to the lot)' : undefined}
                    data-testid="position-close-half"
                  >
                    50%
                  </button>
                  <button
                    type="button"
                    className="button button-small"
                    disabled={blocker !== null || closing === 'busy'}
                    onClick={() => {
                      setCloseError(null);
                      setClosing('confirm');
                    }}
                    title={blocker === null ? 'Close the whole position at market (asks first)' : undefined}
                    data-testid="position-close-all"
                  >
                    Close
                  </button>
                </>
              )}
            </span>
          ) : null}
        </td>
      </tr>
      {slError !== null || tpError !== null || (isOpen && closeError !== null) ? (
        // under the SL / TP cells and the buttons: the message sits by the field it names without widening the table
        <tr className="row-detail" data-testid="position-row-detail">
          <td colSpan={8} />
          <td colSpan={2} className="row-detail-messages">
            {slError !== null ? <ErrorText testId="position-sl-error"><span id={`${errorId}-sl`}>SL: {slError}</span></ErrorText> : null}
            {tpError !== null ? <ErrorText testId="position-tp-error"><span id={`${errorId}-tp`}>TP: {tpError}</span></ErrorText> : null}
            {isOpen && closeError !== null ? <ErrorText testId="position-close-error">{closeError}</ErrorText> : null}
          </td>
        </tr>
      ) : null}
    </>
  );
}

export function PositionMonitor() {
  const { positions, focus, settingsStore, market, sessions } = useApp();
  const actions = useTradingActions();
  const sessionsById = useStore(sessions, (state) => state.byId);
  const lastTrade = useStore(market, (state) => state.lastTrade);
  const instruments = useStore(market, (state) => state.instruments);
  const byKey = useStore(positions, (state) => state.byKey);
  const loadError = useStore(positions, (state) => state.loadError);
  const sessionId = useStore(focus, (state) => state.sessionId);
  const criticalBelow = useStore(settingsStore, (state) => state.settings?.positionSync.liquidationCriticalPct ?? 15);
  const rows = useMemo(
    () => Object.values(byKey).filter((position) => sessionId === null || position.sessionId === sessionId).sort(byRelevance),
    [byKey, sessionId],
  );
  const open = rows.filter((position) => position.side !== 'FLAT').length;

  return (
    <Panel title="Positions" meta={rows.length > 0 ? `${open} open · ${rows.length - open} flat` : undefined} className="panel-positions" testId="position-monitor">
      {loadError !== null ? <ErrorText>{loadError}</ErrorText> : null}
      <div className="table-scroll">
        <table className="table" data-testid="positions-table">
          <thead>
            <tr>
              <th>Instrument</th>
              <th>Position</th>
              <th className="num">Entry</th>
              <th className="num">Mark</th>
              <th className="num">uPnL</th>
              <th className="num">rPnL</th>
              <th className="num" title="Margin left before liquidation; red below the critical distance">
                Margin
              </th>
              <th className="num" title="Liquidation price">
                Liq.
              </th>
              <th>SL / TP</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((position) => (
              <PositionRow
                key={positionKey(position)}
                position={position}
                lastTrade={lastTrade[marketKey(position.sessionId, position.instrumentId)]}
                contractSize={instruments[position.instrumentId]?.contractSize}
                criticalBelow={criticalBelow}
                blocker={actionBlocker(position.sessionId, position.sessionId === null ? undefined : sessionsById[position.sessionId])}
                actions={actions}
              />
            ))}
          </tbody>
        </table>
        {rows.length === 0 ? <EmptyState>{sessionId === null ? 'No positions.' : 'No positions in this session yet.'}</EmptyState> : null}
      </div>
    </Panel>
  );
}
