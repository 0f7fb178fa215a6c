import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** One trade as read from a file: price and quantity are float64 readings of the decimal text. */
export interface TradeRow {
  ts: number; // ms
  price: number;
  quantity: number; // base units
  side: 'buy' | 'sell';
}

/** One book update as read from a file: the best levels first on each side. */
export interface BookRow {
  ts: number; // ms
  bids: Array<[number, number]>;
  asks: Array<[number, number]>;
  /** true: these levels are the whole (top of the) book; false: changed levels only. */
  snapshot: boolean;
}

export class CsvImportError extends Error {
  override name = 'CsvImportError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}, line ${line}: ${problem}`);
  }
}

/**
 * The lines of a text file (gunzipped when it ends in .gz), numbered from 1, blank lines
 * skipped. Closing the generator early closes the file, so a stopped import leaves no pending I/O.
 */
export async function* numberedLines(file: string): AsyncGenerator<{ line: string; lineNumber: number }> {
  const input = createReadStream(file);
  const stream = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const rawLine of lines) {
      lineNumber++;
      const line = rawLine.trim();
      if (line !== '') yield { line, lineNumber };
    }
  } finally {
    lines.close();
    if (!input.closed) {
      const closed = once(input, 'close');
      input.destroy();
      await closed;
    }
  }
}
