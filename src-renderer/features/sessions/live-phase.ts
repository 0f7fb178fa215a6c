import type { LiveSessionDto } from '../../../src-shared/contract/live-commands';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import { FINISHED_STATUSES } from './sessions-store';

/**
 * An online session runs on the exchange's live feed: paper or live, with no recording behind it
 * (a paper replay always names the recording it replays).
 */
export const isOnlineSession = (session: Pick<SessionDto, 'kind' | 'dataSessionId'>): boolean =>
  session.kind === 'live' || (session.kind === 'paper' && session.dataSessionId === null);

/** The engine's phases, plus `connecting`: the session exists but the engine has not said more yet. */
export type ViewPhase = LiveSessionDto['phase'] | 'connecting';

/**
 * Where an online session stands as the panel shows it. A finished session row wins over an
 * older phase reading; without a reading the session row says what it can (the engine keeps an
 * armed session `running`, every other phase `created`).
 */
export function viewPhase(session: Pick<SessionDto, 'status'>, reading: Pick<LiveSessionDto, 'phase'> | undefined): ViewPhase {
  if (FINISHED_STATUSES.has(session.status)) return 'stopped';
  if (reading !== undefined) return reading.phase;
  return session.status === 'running' ? 'armed' : 'connecting';
}

export type BadgeTone = 'amber' | 'blue' | 'red' | 'green' | 'grey';

/** The phase badge: amber while reconciling, blue when ready, red "LIVE" once a live session is armed. */
export function phaseBadge(phase: ViewPhase, kind: 'paper' | 'live'): { label: string; tone: BadgeTone; title: string } {
  switch (phase) {
    case 'connecting':
      return { label: 'CONNECTING', tone: 'grey', title: 'Connecting to the exchange and its feed' };
    case 'reconciling':
      return { label: 'RECONCILING', tone: 'amber', title: 'The exchange and the app disagree: nothing trades until you adopt, flatten or cancel' };
    case 'ready':
      return { label: 'READY', tone: 'blue', title: kind === 'live' ? 'Reconciled with the exchange; strategies wait until you arm the session' : 'Reconciled; strategies start in a moment' };
    case 'armed':
      return kind === 'live'
        ? { label: 'LIVE', tone: 'red', title: 'Armed: strategies trade real money on the exchange account' }
        : { label: 'TRADING', tone: 'green', title: 'Strategies trade on the paper venue at live prices' };
    case 'stopped':
      return { label: 'STOPPED', tone: 'grey', title: 'The session is over' };
  }
}

export type PanelAction = 'adopt' | 'flatten' | 'cancel' | 'arm' | 'stop';

/**
 * What the trader may do in each phase. Reconciling offers the three resolutions (cancel ends
 * the session, so no separate stop); only a ready live session can be armed (a paper one arms
 * itself); a stopped session offers nothing.
 */
export function panelActions(phase: ViewPhase, kind: 'paper' | 'live'): PanelAction[] {
  switch (phase) {
    case 'reconciling':
      return ['adopt', 'flatten', 'cancel'];
    case 'ready':
      return kind === 'live' ? ['arm', 'stop'] : ['stop'];
    case 'armed':
    case 'connecting':
      return ['stop'];
    case 'stopped':
      return [];
  }
}

export const ARM_WORD = 'ARM';

/** The typed confirmation for arming: the word itself, nothing looser. */
export const armWordMatches = (typed: string): boolean => typed.trim() === ARM_WORD;

/** A confirmation standing between a press and the engine. */
export type ConfirmState = { step: 'idle' } | { step: 'confirm'; action: 'flatten' | 'cancel' | 'stop' } | { step: 'arm'; typed: string };

export const IDLE: ConfirmState = { step: 'idle' };

/**
 * The actions that ask first: flatten and cancel always (they close positions or end the
 * session), stop when it is a live session (its positions stay at the exchange, unmanaged).
 */
export function asksFirst(action: PanelAction, kind: 'paper' | 'live'): boolean {
  return action === 'flatten' || action === 'cancel' || (action === 'stop' && kind === 'live');
}

/**
 * A press of an action's button: what to send now (if anything) and the confirmation state
 * after it. The first press of an action that asks first opens its confirmation; the second
 * sends it. Arming opens a box for the word ARM and sends only once it is typed. An action the
 * phase does not offer does nothing; pressing another action leaves a pending confirmation.
 */
export function press(state: ConfirmState, action: PanelAction, allowed: readonly PanelAction[], kind: 'paper' | 'live'): { state: ConfirmState; send: PanelAction | null } {
  if (!allowed.includes(action)) return { state, send: null };
  if (action === 'arm') {
    if (state.step !== 'arm') return { state: { step: 'arm', typed: '' }, send: null };
    return armWordMatches(state.typed) ? { state: IDLE, send: 'arm' } : { state, send: null };
  }
  if (action === 'adopt' || !asksFirst(action, kind)) return { state: IDLE, send: action };
  if (state.step === 'confirm' && state.action === action) return { state: IDLE, send: action };
  return { state: { step: 'confirm', action }, send: null };
}

/** What the arming box holds after the trader types. */
export function typeArmWord(state: ConfirmState, typed: string): ConfirmState {
  return state.step === 'arm' ? { step: 'arm', typed } : state;
}

/** A confirmation that the phase no longer allows is dropped (a gate that closed under a pending arm). */
export function keepAllowed(state: ConfirmState, allowed: readonly PanelAction[]): ConfirmState {
  if (state.step === 'arm') return allowed.includes('arm') ? state : IDLE;
  if (state.step === 'confirm') return allowed.includes(state.action) ? state : IDLE;
  return state;
}

const newestFirst = (a: SessionDto, b: SessionDto): number => b.createdAt - a.createdAt;

/**
 * The session the online panel shows: the focused one when it is online (picked in the session
 * list), else the running live session, else the newest running online paper session; null
 * hides the panel.
 */
export function panelSession(sessions: readonly SessionDto[], focusedId: string | null): SessionDto | null {
  const focused = focusedId === null ? undefined : sessions.find((session) => session.id === focusedId);
  if (focused !== undefined && isOnlineSession(focused)) return focused;
  const running = sessions.filter((session) => isOnlineSession(session) && !FINISHED_STATUSES.has(session.status)).sort(newestFirst);
  return running.find((session) => session.kind === 'live') ?? running[0] ?? null;
}

/** The live session the status bar reports (at most one runs at a time), with its phase; null when none runs. */
export function liveIndicator(sessions: readonly SessionDto[], readings: Readonly<Record<string, LiveSessionDto>>): { session: SessionDto; phase: ViewPhase } | null {
  const live = sessions.filter((session) => session.kind === 'live' && !FINISHED_STATUSES.has(session.status)).sort(newestFirst)[0];
  return live === undefined ? null : { session: live, phase: viewPhase(live, readings[live.id]) };
}
