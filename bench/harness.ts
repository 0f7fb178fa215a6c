// Shared helpers for bench/*.bench.ts. Absolute times drift on shared machines, so every figure
// is reported with a baseline measured in the same process and the ratio between the two.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface BenchRecord {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  /** value/baseline where higher is better, baseline/value where lower is better; each bench says which. */
  ratio: number;
}

/** Seconds taken by `run(iterations)`; the loop lives inside `run` so the harness adds no per-iteration call. */
export function timeSeconds(run: (iterations: number) => void, iterations: number): number {
  const started = process.hrtime.bigint();
  run(iterations);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Operations per second of each contender, measured in interleaved rounds after a warm-up so
 * that JIT tiers and machine load affect every contender alike. Returns the median per contender.
 */
export function compareRates(
  contenders: ReadonlyArray<(iterations: number) => void>,
  options: { iterations: number; rounds: number; warmupIterations: number },
): number[] {
  for (const run of contenders) run(options.warmupIterations);
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < options.rounds; round++) {
    contenders.forEach((run, i) => samples[i]!.push(options.iterations / timeSeconds(run, options.iterations)));
  }
  return samples.map(median);
}

let gcFunction: (() => void) | null = null;

/** A full collection; works with or without --expose-gc on the command line. */
export function forceGc(): void {
  if (gcFunction === null) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') gcFunction = exposed;
    else {
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    }
  }
  gcFunction();
  gcFunction();
}

export function heapUsedBytes(): number {
  forceGc();
  return process.memoryUsage().heapUsed;
}

const round = (value: number): number => Number(value.toPrecision(6));

/** One human-readable line for a figure. */
export function report(record: BenchRecord, detail = ''): void {
  const extra = detail === '' ? '' : `  (${detail})`;
  console.log(`${record.name}: ${round(record.value)} ${record.unit}; baseline ${round(record.baseline)}; ratio ${round(record.ratio)}${extra}`);
}

/** The machine-readable last line that scripts/bench-all.mjs collects. */
export function emit(records: readonly BenchRecord[]): void {
  console.log(`BENCH_JSON ${JSON.stringify(records.map((r) => ({ ...r, value: round(r.value), baseline: round(r.baseline), ratio: round(r.ratio) })))}`);
}
