/** The quick session starter's last choices, remembered in this browser profile (localStorage). */
export interface SessionDefaults {
  kind: 'backtest' | 'paper';
  recordingId: string | null;
  /** Library entry keys (`stored:<id>` or `example:<id>`). */
  strategyKeys: string[];
  /** 0 = as fast as possible. */
  speed: number;
  capital: string;
}

export const SESSION_DEFAULTS_KEY = 'surge.sessionDefaults.v1';

export const FACTORY_DEFAULTS: SessionDefaults = { kind: 'backtest', recordingId: null, strategyKeys: [], speed: 0, capital: '10000' };

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
  return {
    kind: saved['kind'] === 'paper' ? 'paper' : 'backtest',
    recordingId: typeof saved['recordingId'] === 'string' ? saved['recordingId'] : null,
    strategyKeys: Array.isArray(saved['strategyKeys']) ? saved['strategyKeys'].filter((key): key is string => typeof key === 'string') : [],
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

/**
 * The saved choices, checked against what exists now: a deleted recording or strategy falls
 * back to the first available one, so the starter never offers what is gone.
 */
export function resolveDefaults(saved: SessionDefaults, available: { recordingIds: readonly string[]; strategyKeys: readonly string[] }): SessionDefaults {
  const recordingId = saved.recordingId !== null && available.recordingIds.includes(saved.recordingId) ? saved.recordingId : (available.recordingIds[0] ?? null);
  const kept = saved.strategyKeys.filter((key) => available.strategyKeys.includes(key));
  const strategyKeys = kept.length > 0 ? kept : available.strategyKeys.slice(0, 1);
  return { ...saved, recordingId, strategyKeys };
}

export function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
