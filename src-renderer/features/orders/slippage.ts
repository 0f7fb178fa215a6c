import type { OrderDto, SignalDto } from '../../../src-shared/contract/schemas';

/**
 * Slippage of a filled order in basis points against the trader: positive means the fill was
 * worse than the reference price (paid more on a buy, got less on a sell), negative means better.
 *
 * Reference price: a limit order's own price; a market order's is the price of the signal that
 * sent it (Z1 for an entry, the ZE1/E1 named in an exit's reason), i.e. the last trade the
 * strategy saw when it decided. Orders without such a signal (end-of-data closes, the kill
 * switch) have no reference and no slippage.
 */
export interface Slippage {
  referencePrice: number;
  referenceFrom: 'limit' | 'signal';
  bps: number | null;
}

/** The signals of one session, indexed for order lookups (newest last per key). */
export function indexSignals(signals: readonly SignalDto[]): Map<string, SignalDto[]> {
  const index = new Map<string, SignalDto[]>();
  for (const signal of signals) {
    if (signal.price === null) continue;
    const key = `${signal.sessionId ?? ''}|${signal.strategyId}|${signal.instrumentId}|${signal.section}`;
    const list = index.get(key);
    if (list === undefined) index.set(key, [signal]);
    else list.push(signal);
  }
  for (const list of index.values()) list.sort((a, b) => a.ts - b.ts);
  return index;
}

function latestAtOrBefore(list: readonly SignalDto[] | undefined, ts: number): SignalDto | null {
  if (list === undefined) return null;
  let found: SignalDto | null = null;
  for (const signal of list) {
    if (signal.ts > ts) break;
    found = signal;
  }
  return found;
}

export function slippageOf(order: OrderDto, signals: ReadonlyMap<string, SignalDto[]>): Slippage | null {
  let reference: number | null = null;
  let referenceFrom: Slippage['referenceFrom'] = 'signal';
  if (order.type === 'LIMIT' && order.price !== null) {
    reference = Number(order.price);
    referenceFrom = 'limit';
  } else if (order.type === 'MARKET' && order.strategyId !== null) {
    const sections = order.reduceOnly ? (order.reason === 'E1' ? ['E1'] : order.reason === 'ZE1' ? ['ZE1'] : []) : ['Z1'];
    for (const section of sections) {
      const signal = latestAtOrBefore(signals.get(`${order.sessionId ?? ''}|${order.strategyId}|${order.instrumentId}|${section}`), order.createdAt);
      if (signal?.price != null) reference = signal.price;
    }
  }
  if (reference === null || !Number.isFinite(reference) || reference <= 0) return null;
  const fill = order.averageFillPrice === null ? Number.NaN : Number(order.averageFillPrice);
  if (!Number.isFinite(fill)) return { referencePrice: reference, referenceFrom, bps: null };
  const against = order.side === 'BUY' ? fill - reference : reference - fill;
  // a display figure in basis points, not money: float is fine here
  return { referencePrice: reference, referenceFrom, bps: (against / reference) * 10_000 };
}
