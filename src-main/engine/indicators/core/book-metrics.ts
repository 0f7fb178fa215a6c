import type { BookLevel } from './market-listener';

/** (bidQty − askQty) / (bidQty + askQty) × 100 over the best `levels` levels; null for an empty book. */
export function bookImbalancePct(bids: readonly BookLevel[], asks: readonly BookLevel[], levels: number): number | null {
  let bidQuantity = 0;
  let askQuantity = 0;
  const bidCount = Math.min(levels, bids.length);
  for (let i = 0; i < bidCount; i++) bidQuantity += bids[i]![1];
  const askCount = Math.min(levels, asks.length);
  for (let i = 0; i < askCount; i++) askQuantity += asks[i]![1];
  const total = bidQuantity + askQuantity;
  if (total === 0) return null;
  return ((bidQuantity - askQuantity) / total) * 100;
}

/** Σ price × quantity over the best `levels` levels of both sides, in quote currency. */
export function bookDepthNotional(bids: readonly BookLevel[], asks: readonly BookLevel[], levels: number): number {
  let depth = 0;
  const bidCount = Math.min(levels, bids.length);
  for (let i = 0; i < bidCount; i++) depth += bids[i]![0] * bids[i]![1];
  const askCount = Math.min(levels, asks.length);
  for (let i = 0; i < askCount; i++) depth += asks[i]![0] * asks[i]![1];
  return depth;
}
