import type { CommandInput } from '../../../src-shared/contract/commands';
import { commands } from '../../../src-shared/contract/commands';
import type { CredentialsStatusDto } from '../../../src-shared/contract/credentials-commands';
import { parse } from '../../../src-shared/contract/parse';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import { isOnlineKind, type SessionDefaults } from './session-defaults';

/** What the starter sends: a replay of a recording, or a session on the live feed. */
export type StartPlan = { mode: 'replay'; request: CommandInput<'sessions.start'> } | { mode: 'online'; request: CommandInput<'sessions.startOnline'> };

/**
 * Why live trading cannot start from here, in the trader's words, or null when it may. The
 * engine checks again (the keychain is its to read); this only spares a round trip and keeps
 * the Live choice honest about why it is off.
 */
export function liveTradingBlocker(status: CredentialsStatusDto | null, loadError: string | null): string | null {
  if (status === null) return loadError === null ? 'checking the keychain for exchange keys…' : `cannot tell whether exchange keys are set (${loadError})`;
  if (!status.available) return `no OS keychain here${status.reason === undefined ? '' : ` (${status.reason})`}, so no exchange keys and no live trading`;
  const mexc = status.exchanges.find((exchange) => exchange.exchange === 'mexc');
  if (mexc?.apiKeySet !== true) return 'no MEXC API keys are set — add them on the Settings screen (5) to trade live';
  return null;
}

/** A budget as typed: digits with an optional fraction, above zero. Null when it is fine. */
export function capitalProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return 'enter a budget in USDT, e.g. 1000';
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return `"${trimmed}" is not an amount: use digits and a decimal point, e.g. 2500.50`;
  if (!/[1-9]/.test(trimmed)) return 'must be greater than zero';
  return null;
}

/**
 * The starter's choices checked before anything is sent, every problem at the field it names
 * (the same `request.<field>` paths the engine uses, so one view shows both), then turned into
 * the request for the chosen kind. The contract's own schema has the last word.
 */
export function planSession(choices: SessionDefaults, strategies: readonly unknown[], liveBlocker: string | null): Result<StartPlan> {
  const problems: Array<[field: string, message: string]> = [];
  const online = isOnlineKind(choices.kind);
  if (choices.kind === 'live' && liveBlocker !== null) problems.push(['kind', liveBlocker]);
  if (online && choices.symbols.length === 0) problems.push(['symbols', 'pick at least one symbol']);
  if (!online && choices.recordingId === null) problems.push(['recordingId', 'pick a recording to replay (import one on the Data screen)']);
  if (strategies.length === 0) problems.push(['strategies', 'pick at least one strategy']);
  const capital = capitalProblem(choices.capital);
  if (capital !== null) problems.push(['capital', capital]);
  if (problems.length > 0) {
    return err('validation', problems.map(([field, message]) => `request.${field}: ${message}`).join('; '), problems.map(([field]) => `request.${field}`));
  }
  if (online) {
    const request = { kind: choices.kind === 'live' ? ('live' as const) : ('paper' as const), symbols: [...choices.symbols], strategies: [...strategies], capital: choices.capital.trim() };
    const checked = parse(commands['sessions.startOnline'].request, request, 'request');
    return checked.ok ? ok({ mode: 'online', request }) : checked;
  }
  const request = {
    kind: choices.kind === 'backtest' ? ('backtest' as const) : ('paper' as const),
    recordingId: choices.recordingId!,
    strategies: [...strategies],
    speed: choices.kind === 'backtest' ? 0 : choices.speed,
    capital: choices.capital.trim(),
  };
  const checked = parse(commands['sessions.start'].request, request, 'request');
  return checked.ok ? ok({ mode: 'replay', request }) : checked;
}
