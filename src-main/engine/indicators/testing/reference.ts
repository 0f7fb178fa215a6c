/**
 * Brute-force references for the incremental indicators: every function recomputes its answer
 * from the full history up to `count` events, with no state carried between calls. Written for
 * obviousness, not speed (the only shortcut is a binary search for where a window starts).
 */
import type { BookTop, Trade } from './market-data';

export interface Point {
  readonly ts: number;
  readonly value: number;
}

/** Index of the last point with ts ≤ t among the first `count`, or −1. */
function lastAtOrBefore(points: readonly { ts: number }[], count: number, t: number): number {
  let low = 0;
  let high = count - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (points[middle]!.ts <= t) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/** Time-weighted mean of the step function through the first `count` points over [now − fromMs, now − toMs]. */
export function timeWeightedAverage(points: readonly Point[], count: number, now: number, fromMs: number, toMs: number): number | null {
  const windowStart = now - fromMs;
  const windowEnd = now - toMs;
  if (count === 0 || points[0]!.ts > windowStart) return null;
  let integral = 0;
  for (let i = lastAtOrBefore(points, count, windowStart); i < count; i++) {
    const segmentStart = Math.max(points[i]!.ts, windowStart);
    const segmentEnd = Math.min(i + 1 < count ? points[i + 1]!.ts : Number.POSITIVE_INFINITY, windowEnd);
    if (segmentEnd > segmentStart) integral += points[i]!.value * (segmentEnd - segmentStart);
  }
  return integral / (windowEnd - windowStart);
}

export const pricePoints = (trades: readonly Trade[]): Point[] => trades.map((trade) => ({ ts: trade.ts, value: trade.price }));

export function twpa(trades: readonly Point[], count: number, now: number, t1: number, t2: number): number | null {
  return timeWeightedAverage(trades, count, now, t1 * 1000, t2 * 1000);
}

function changePct(recent: number | null, base: number | null): number | null {
  return recent === null || base === null ? null : ((recent - base) / base) * 100;
}

export function pumpMagnitudePct(prices: readonly Point[], count: number, now: number, t1: number, t3: number, d: number): number | null {
  return changePct(twpa(prices, count, now, t1, 0), twpa(prices, count, now, t3, t3 - d));
}

export function priceVelocity(prices: readonly Point[], count: number, now: number, t1: number, t3: number, d: number): number | null {
  const change = pumpMagnitudePct(prices, count, now, t1, t3, d);
  return change === null ? null : change / (t3 - d / 2 - t1 / 2);
}

export function twpaRatio(prices: readonly Point[], count: number, now: number, t1: number, t2: number, t3: number, t4: number): number | null {
  const numerator = twpa(prices, count, now, t1, t2);
  const denominator = twpa(prices, count, now, t3, t4);
  return numerator === null || denominator === null ? null : numerator / denominator;
}

export function velocityCascade(prices: readonly Point[], count: number, now: number, w1: number, w2: number, w3: number): number | null {
  const v = (w: number): number | null => priceVelocity(prices, count, now, w, 2 * w, w);
  const [short, mid, long] = [v(w1), v(w2), v(w3)];
  if (short === null || mid === null || long === null) return null;
  return ((short - mid) / (w2 - w1) + (mid - long) / (w3 - w2)) / 2;
}

/** Σ quantity of trades with now − fromMs < ts ≤ now − toMs; null if observation began after the window start. */
export function tradedQuantity(trades: readonly Trade[], count: number, firstEventTs: number, now: number, fromMs: number, toMs: number): number | null {
  if (firstEventTs > now - fromMs) return null;
  let quantity = 0;
  for (let i = lastAtOrBefore(trades, count, now - fromMs) + 1; i < count; i++) {
    const ts = trades[i]!.ts;
    if (ts > now - toMs) break;
    quantity += trades[i]!.quantity;
  }
  return quantity;
}

export function volumeSurgeRatio(trades: readonly Trade[], count: number, now: number, t1: number, t2: number, t3: number, t4: number): number | null {
  const first = trades[0]!.ts;
  const recent = tradedQuantity(trades, count, first, now, t1 * 1000, t2 * 1000);
  const baseline = tradedQuantity(trades, count, first, now, t3 * 1000, t4 * 1000);
  if (recent === null || baseline === null || baseline === 0) return null;
  return recent / (t1 - t2) / (baseline / (t3 - t4));
}

export function vwap(trades: readonly Trade[], count: number, now: number, windowSeconds: number): number | null {
  if (windowSeconds > 0 && trades[0]!.ts > now - windowSeconds * 1000) return null;
  let quantity = 0;
  let notional = 0;
  const first = windowSeconds === 0 ? 0 : lastAtOrBefore(trades, count, now - windowSeconds * 1000) + 1;
  for (let i = first; i < count; i++) {
    quantity += trades[i]!.quantity;
    notional += trades[i]!.price * trades[i]!.quantity;
  }
  return quantity === 0 ? null : notional / quantity;
}

/**
 * Closed-form continuous-time EMA of the price step function, started at the first price:
 * ema(now) = p0 + Σ_j (p_j − p0) · (e^{−(now − end_j)/τ} − e^{−(now − start_j)/τ}).
 * Returned as the deviation from p0, which keeps the momentum difference well conditioned.
 */
function emaDeviation(trades: readonly Trade[], count: number, now: number, tauMs: number): number {
  const reference = trades[0]!.price;
  let deviation = 0;
  for (let j = 0; j < count; j++) {
    const start = trades[j]!.ts;
    const end = j + 1 < count ? trades[j + 1]!.ts : now;
    if (end > start) deviation += (trades[j]!.price - reference) * (Math.exp(-(now - end) / tauMs) - Math.exp(-(now - start) / tauMs));
  }
  return deviation;
}

export function priceMomentum(trades: readonly Trade[], count: number, now: number, recent: number, baseline: number): number | null {
  if (now - trades[0]!.ts < Math.max(recent, baseline) * 1000) return null;
  const recentDeviation = emaDeviation(trades, count, now, recent * 1000);
  const baselineDeviation = emaDeviation(trades, count, now, baseline * 1000);
  return ((recentDeviation - baselineDeviation) / (trades[0]!.price + baselineDeviation)) * 100;
}

/**
 * MOMENTUM_REVERSAL_INDEX from velocity samples taken after every event: samples[k] is the
 * velocity after event k (or null). Peak = largest |v| among samples in [now − peakWindow, now],
 * the latest one on ties.
 */
export function momentumReversal(samples: readonly (number | null)[], times: readonly number[], k: number, peakWindowSeconds: number): number | null {
  const current = samples[k] ?? null;
  if (current === null) return null;
  const now = times[k]!;
  let peak = 0;
  let found = false;
  for (let j = 0; j <= k; j++) {
    const v = samples[j] ?? null;
    if (v === null || times[j]! < now - peakWindowSeconds * 1000) continue;
    if (!found || Math.abs(v) >= Math.abs(peak)) {
      peak = v;
      found = true;
    }
  }
  if (!found || peak === 0) return null;
  return ((current - peak) / Math.abs(peak)) * 100;
}

/** Bar closes from the first trade's bar through now's bar; empty bars repeat the previous close. */
export function barCloses(trades: readonly Trade[], count: number, now: number, barSeconds: number): number[] {
  const barMs = barSeconds * 1000;
  const closes: number[] = [];
  let j = 0;
  let close = Number.NaN;
  for (let bar = Math.floor(trades[0]!.ts / barMs); bar <= Math.floor(now / barMs); bar++) {
    while (j < count && trades[j]!.ts < (bar + 1) * barMs) close = trades[j++]!.price;
    closes.push(close);
  }
  return closes;
}

export const imbalancePoints = (book: readonly BookTop[]): Point[] =>
  book.map((top) => ({ ts: top.ts, value: ((top.bidQuantity - top.askQuantity) / (top.bidQuantity + top.askQuantity)) * 100 }));

export const depthPoints = (book: readonly BookTop[]): Point[] =>
  book.map((top) => ({ ts: top.ts, value: top.bidPrice * top.bidQuantity + top.askPrice * top.askQuantity }));

export function spreadPct(top: BookTop): number {
  return ((top.askPrice - top.bidPrice) / ((top.askPrice + top.bidPrice) / 2)) * 100;
}

export function liquidityDrain(depth: readonly Point[], count: number, now: number, baselineSeconds: number): number | null {
  const baseline = timeWeightedAverage(depth, count, now, baselineSeconds * 1000, 0);
  if (baseline === null || baseline === 0) return null;
  return ((baseline - depth[count - 1]!.value) / baseline) * 100;
}
