/**
 * Latency measurements the benchmarks read from the page (bench/ui.bench.ts): how long a tick
 * took from the engine's publish to the chart frame that shows it, and when the first candles
 * were painted. Engine and browser run on one machine, so both sides read the same wall clock.
 */
export interface UiProbe {
  /** Publish-to-pixel latency of each painted tick, ms (the newest `maxSamples`). */
  tickToPixelMs: number[];
  ticksPainted: number;
  /** Wall-clock ms of the first frame that showed candles; null before. */
  firstCandlesPaintAt: number | null;
}

declare global {
  interface Window {
    __surgeProbe?: UiProbe;
  }
}

const MAX_SAMPLES = 50_000;

function probe(): UiProbe {
  window.__surgeProbe ??= { tickToPixelMs: [], ticksPainted: 0, firstCandlesPaintAt: null };
  return window.__surgeProbe;
}

let pending: number[] = [];
let frameRequested = false;

/**
 * Call right after the chart was given the tick. The chart paints in its own animation-frame
 * callback, requested during that update; ours is requested after it, so it runs in the same
 * frame once the canvas holds the tick.
 */
export function recordTickShown(publishedAt: number): void {
  pending.push(publishedAt);
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    const now = Date.now();
    const target = probe();
    for (const published of pending) target.tickToPixelMs.push(now - published);
    target.ticksPainted += pending.length;
    pending = [];
    if (target.tickToPixelMs.length > MAX_SAMPLES) target.tickToPixelMs.splice(0, target.tickToPixelMs.length - MAX_SAMPLES);
  });
}

/** Call after the first candles were handed to the chart; records the frame that shows them. */
export function recordCandlesShown(): void {
  if (probe().firstCandlesPaintAt !== null) return;
  requestAnimationFrame(() => {
    const target = probe();
    target.firstCandlesPaintAt ??= Date.now();
  });
}
