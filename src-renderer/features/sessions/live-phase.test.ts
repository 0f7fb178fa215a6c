import { describe, expect, test } from 'vitest';
import type { LiveSessionDto } from '../../../src-shared/contract/live-commands';
import type { SessionDto } from '../../../src-shared/contract/schemas';
import { ARM_WORD, IDLE, isOnlineSession, keepAllowed, liveIndicator, panelActions, panelSession, phaseBadge, press, typeArmWord, viewPhase, type ConfirmState, type PanelAction } from './live-phase';

const session = (overrides: Partial<SessionDto> = {}): SessionDto => ({
  id: 's1',
  kind: 'live',
  status: 'created',
  name: 'live pump on BTC',
  instruments: ['BTC/USDT:USDT'],
  strategyIds: ['pump'],
  dataSessionId: null,
  startedAt: 10,
  endedAt: null,
  progress: null,
  error: null,
  createdAt: 10,
  ...overrides,
});

const reading = (phase: LiveSessionDto['phase'], over: Partial<SessionDto> = {}): LiveSessionDto => ({ session: session(over), phase, differences: [], detail: null });

describe('which sessions are online', () => {
  test('live sessions and paper sessions without a recording are; replays and collections are not', () => {
    expect(isOnlineSession(session())).toBe(true);
    expect(isOnlineSession(session({ kind: 'paper' }))).toBe(true);
    expect(isOnlineSession(session({ kind: 'paper', dataSessionId: 'rec-1' }))).toBe(false);
    expect(isOnlineSession(session({ kind: 'backtest' }))).toBe(false);
    expect(isOnlineSession(session({ kind: 'collect' }))).toBe(false);
  });
});

describe('an online session’s phase as shown', () => {
  test('takes the engine’s reading, but a finished session row wins over a stale reading', () => {
    expect(viewPhase(session(), reading('reconciling'))).toBe('reconciling');
    expect(viewPhase(session({ status: 'stopped' }), reading('armed'))).toBe('stopped');
    expect(viewPhase(session({ status: 'failed' }), undefined)).toBe('stopped');
  });

  test('without a reading, the row says what it can: running means armed, created means still connecting', () => {
    expect(viewPhase(session({ status: 'running' }), undefined)).toBe('armed');
    expect(viewPhase(session({ status: 'created' }), undefined)).toBe('connecting');
  });

  test('badges: amber reconciling, blue ready, red LIVE only when a live session is armed', () => {
    expect(phaseBadge('reconciling', 'live')).toMatchObject({ label: 'RECONCILING', tone: 'amber' });
    expect(phaseBadge('ready', 'live')).toMatchObject({ label: 'READY', tone: 'blue' });
    expect(phaseBadge('armed', 'live')).toMatchObject({ label: 'LIVE', tone: 'red' });
    expect(phaseBadge('armed', 'paper')).toMatchObject({ label: 'TRADING', tone: 'green' });
    expect(phaseBadge('stopped', 'live').tone).toBe('grey');
    expect(phaseBadge('connecting', 'paper').tone).toBe('grey');
  });

  test('offers the resolutions while reconciling, arming only to a ready live session, nothing once stopped', () => {
    expect(panelActions('reconciling', 'live')).toEqual(['adopt', 'flatten', 'cancel']);
    expect(panelActions('ready', 'live')).toEqual(['arm', 'stop']);
    expect(panelActions('ready', 'paper')).toEqual(['stop']);
    expect(panelActions('armed', 'live')).toEqual(['stop']);
    expect(panelActions('connecting', 'live')).toEqual(['stop']);
    expect(panelActions('stopped', 'live')).toEqual([]);
  });
});

describe('confirmations between a press and the engine', () => {
  const reconciling = panelActions('reconciling', 'live');
  const ready = panelActions('ready', 'live');
  const pressAll = (actions: PanelAction[], allowed: readonly PanelAction[], kind: 'paper' | 'live' = 'live') => {
    let state: ConfirmState = IDLE;
    const sent: PanelAction[] = [];
    for (const action of actions) {
      const outcome = press(state, action, allowed, kind);
      state = outcome.state;
      if (outcome.send !== null) sent.push(outcome.send);
    }
    return { state, sent };
  };

  test('adopt goes at once', () => {
    expect(pressAll(['adopt'], reconciling)).toEqual({ state: IDLE, sent: ['adopt'] });
  });

  test('flatten and cancel ask first and go on the second press', () => {
    expect(pressAll(['flatten'], reconciling)).toEqual({ state: { step: 'confirm', action: 'flatten' }, sent: [] });
    expect(pressAll(['flatten', 'flatten'], reconciling)).toEqual({ state: IDLE, sent: ['flatten'] });
    expect(pressAll(['cancel', 'cancel'], reconciling).sent).toEqual(['cancel']);
  });

  test('a pending confirmation is not taken as the confirmation of another action', () => {
    expect(pressAll(['flatten', 'cancel'], reconciling)).toEqual({ state: { step: 'confirm', action: 'cancel' }, sent: [] });
    expect(pressAll(['flatten', 'adopt'], reconciling)).toEqual({ state: IDLE, sent: ['adopt'] });
  });

  test('stopping asks first for a live session, not for a paper one', () => {
    expect(pressAll(['stop'], ['stop'], 'live').sent).toEqual([]);
    expect(pressAll(['stop', 'stop'], ['stop'], 'live').sent).toEqual(['stop']);
    expect(pressAll(['stop'], ['stop'], 'paper').sent).toEqual(['stop']);
  });

  test('arming sends only once the word ARM is typed exactly', () => {
    let state = press(IDLE, 'arm', ready, 'live').state;
    expect(state).toEqual({ step: 'arm', typed: '' });
    expect(press(state, 'arm', ready, 'live').send).toBeNull();
    for (const typed of ['arm', 'AR', 'ARMED', 'yes']) expect(press(typeArmWord(state, typed), 'arm', ready, 'live').send, typed).toBeNull();
    state = typeArmWord(state, ` ${ARM_WORD} `);
    expect(press(state, 'arm', ready, 'live')).toEqual({ state: IDLE, send: 'arm' });
  });

  test('an action the phase does not offer does nothing', () => {
    expect(pressAll(['arm', 'arm'], reconciling)).toEqual({ state: IDLE, sent: [] });
    expect(pressAll(['adopt'], ready)).toEqual({ state: IDLE, sent: [] });
  });

  test('a confirmation the phase no longer allows is dropped (the gate closed under an open arm box)', () => {
    const arming: ConfirmState = { step: 'arm', typed: 'AR' };
    expect(keepAllowed(arming, ready)).toBe(arming);
    expect(keepAllowed(arming, reconciling)).toEqual(IDLE);
    expect(keepAllowed({ step: 'confirm', action: 'flatten' }, ready)).toEqual(IDLE);
    expect(typeArmWord(IDLE, 'ARM')).toEqual(IDLE);
  });
});

describe('which session the panel and the status bar show', () => {
  const live = session({ id: 'live', createdAt: 5 });
  const paper = session({ id: 'paper', kind: 'paper', createdAt: 9 });
  const replay = session({ id: 'replay', kind: 'paper', dataSessionId: 'rec', createdAt: 20 });
  const oldLive = session({ id: 'old', status: 'stopped', createdAt: 1 });

  test('the focused online session, else the running live one, else the newest running online paper one', () => {
    expect(panelSession([live, paper, replay, oldLive], 'old')?.id).toBe('old');
    expect(panelSession([live, paper, replay, oldLive], 'replay')?.id).toBe('live');
    expect(panelSession([paper, replay, oldLive], null)?.id).toBe('paper');
    expect(panelSession([replay, oldLive], null)).toBeNull();
  });

  test('the status bar reports the running live session with its phase, and nothing without one', () => {
    expect(liveIndicator([live, paper], { live: reading('armed') })).toEqual({ session: live, phase: 'armed' });
    expect(liveIndicator([live], {})?.phase).toBe('connecting');
    expect(liveIndicator([paper, oldLive], {})).toBeNull();
  });
});
