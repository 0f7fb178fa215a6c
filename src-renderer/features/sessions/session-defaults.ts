/**
 * The kinds the quick session starter offers: two replays of a recording (backtest, paper) and
 * two sessions on the exchange's live feed (paper fills, or live trading on the account).
 */
export type StarterKind = 'backtest' | 'paper' | 'online-paper' | 'live';

export const STARTER_KINDS: ReadonlyArray<{ kind: StarterKind; label: string; online: boolean }> = [
  { kind: 'backtest', label: 'Backtest', online: false },
  { kind: 'paper', label: 'Paper · replay', online: false },
  { kind: 'online-paper', label: 'Paper · live feed', online: true },
  { kind: 'live', label: 'Live', online: true },
];

const KINDS: ReadonlySet<string> = new Set(STARTER_KINDS.map((entry) => entry.kind));

/** True for the kinds that run on the live market feed (a symbol picker instead of a recording). */
export const isOnlineKind = (kind: StarterKind): kind is 'online-paper' | 'live' => kind === 'online-paper' || kind === 'live';

/** The quick session starter's last choices, remembered in this browser profile (localStorage). */
export interface SessionDefaults {
  kind: StarterKind;
  recordingId: string | null;
  /** Instruments for an online session (a replay takes the recording's instruments). */
  symbols: string[];
  /** Library entry keys (`stored:<id>` or `example:<id>`). */
  strategyKeys: string[];
  /** 0 = as fast as possible. */
  speed: number;
  capital: string;
}

export const SESSION_DEFAULTS_KEY = 'surge.sessionDefaults.v1';

export const FACTORY_DEFAULTS: SessionDefaults = { kind: 'backtest', recordingId: null, symbols: [], strategyKeys: [], speed: 0, capital: '10000' };

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/** Whatever was stored, field by field; anything unreadable falls back (a stale or edited entry never breaks the form). */
export function readSessionDefaults(storage: Pick<Storage, 'getItem'> | null): SessionDefaults {
  let raw: unknown = null;
  try {
    raw = JSON.parse(storage?.getItem(SESSION_DEFAULTS_KEY) ?? 'null');
  } catch {
    raw = null;
  }
  if (typeof raw !== 'object' || raw === null) return { ...FACTORY_DEFAULTS };
  const saved = raw as Record<string, unknown>;
  const kind = saved['kind'];
  return {
    kind: typeof kind === 'string' && KINDS.has(kind) ? (kind as StarterKind) : FACTORY_DEFAULTS.kind,
    recordingId: typeof saved['recordingId'] === 'string' ? saved['recordingId'] : null,
    symbols: strings(saved['symbols']),
    strategyKeys: strings(saved['strategyKeys']),
    speed: typeof saved['speed'] === 'number' && Number.isFinite(saved['speed']) && saved['speed'] >= 0 ? saved['speed'] : FACTORY_DEFAULTS.speed,
    capital: typeof saved['capital'] === 'string' && /^\d+(\.\d+)?$/.test(saved['capital']) ? saved['capital'] : FACTORY_DEFAULTS.capital,
  };
}

export function writeSessionDefaults(storage: Pick<Storage, 'setItem'> | null, defaults: SessionDefaults): void {
  try {
    storage?.setItem(SESSION_DEFAULTS_KEY, JSON.stringify(defaults));
  } catch {
    // private mode or a full quota: the starter still works, it just forgets
  }
}

export interface AvailableChoices {
  recordingIds: readonly string[];
  strategyKeys: readonly string[];
  /** The instrument catalogue; absent leaves the saved symbols as they are. */
  symbols?: readonly string[];
}

/**
 * The saved choices, checked against what exists now: a deleted recording, strategy or
 * instrument falls back to the first available one, so the starter never offers what is gone.
 */
export function resolveDefaults(saved: SessionDefaults, available: AvailableChoices): SessionDefaults {
  const recordingId = saved.recordingId !== null && available.recordingIds.includes(saved.recordingId) ? saved.recordingId : (available.recordingIds[0] ?? null);
  const kept = saved.strategyKeys.filter((key) => available.strategyKeys.includes(key));
  const strategyKeys = kept.length > 0 ? kept : available.strategyKeys.slice(0, 1);
  const catalogue = available.symbols;
  const keptSymbols = catalogue === undefined ? saved.symbols : saved.symbols.filter((symbol) => catalogue.includes(symbol));
  const symbols = keptSymbols.length > 0 || catalogue === undefined ? keptSymbols : catalogue.slice(0, 1);
  return { ...saved, recordingId, strategyKeys, symbols };
}

export function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
