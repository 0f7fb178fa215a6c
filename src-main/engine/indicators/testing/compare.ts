/** Agreement statistics between an indicator and its reference over many sampled ticks. */
export interface Agreement {
  samples: number;
  defined: number;
  /** Samples where exactly one side was null. */
  nullMismatches: number;
  firstNullMismatch: string | null;
  /** max |actual − expected| / max(|actual|, |expected|, floor) over samples where both are defined. */
  worstRelativeDifference: number;
  worstSample: string | null;
}

export function newAgreement(): Agreement {
  return { samples: 0, defined: 0, nullMismatches: 0, firstNullMismatch: null, worstRelativeDifference: 0, worstSample: null };
}

/**
 * `floor` bounds the denominator from below for indicators that cross zero (a % change of
 * 1e-12 has no meaningful relative error); it is stated next to each use.
 */
export function record(agreement: Agreement, actual: number | null, expected: number | null, where: string, floor = 0): void {
  agreement.samples++;
  if (actual === null || expected === null) {
    if (actual !== expected) {
      agreement.nullMismatches++;
      agreement.firstNullMismatch ??= `${where}: actual ${actual}, expected ${expected}`;
    }
    return;
  }
  agreement.defined++;
  const scale = Math.max(Math.abs(actual), Math.abs(expected), floor);
  const difference = scale === 0 ? 0 : Math.abs(actual - expected) / scale;
  if (!(difference <= agreement.worstRelativeDifference)) {
    agreement.worstRelativeDifference = difference;
    agreement.worstSample = `${where}: actual ${actual}, expected ${expected}`;
  }
}

/** Every tick of the first 2,000, then every 50th. */
export function isSampled(index: number): boolean {
  return index < 2000 || index % 50 === 49;
}
