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
 * The trade CSV layouts the importer understands, recognised by their header. Documented in
 * README ("CSV formats"). `surge` is the app's own export format.
 */
interface Layout {
  name: string;
  matches(columns: string[]): boolean;
  read(fields: string[], index: Map<string, number>): { ts: string; price: string; quantity: string; side: string };
}

const column = (fields: string[], index: Map<string, number>, name: string): string => fields[index.get(name) ?? -1] ?? '';

const LAYOUTS: Layout[] = [
  {
    name: 'surge',
    matches: (c) => ['ts', 'price', 'quantity', 'side'].every((n) => c.includes(n)),
    read: (f, i) => ({ ts: column(f, i, 'ts'), price: column(f, i, 'price'), quantity: column(f, i, 'quantity'), side: column(f, i, 'side') }),
  },
  {
    // Binance @trade / aggTrade flattened (shared/data/trades): aggressor side from buyer_is_maker
    name: 'binance-trades',
    matches: (c) => ['price', 'qty', 'trade_time_ms'].every((n) => c.includes(n)) && (c.includes('side') || c.includes('buyer_is_maker')),
    read: (f, i) => {
      const side = column(f, i, 'side');
      const maker = column(f, i, 'buyer_is_maker');
      return {
        ts: column(f, i, 'trade_time_ms'),
        price: column(f, i, 'price'),
        quantity: column(f, i, 'qty'),
        side: side !== '' ? side : maker === 'true' ? 'sell' : maker === 'false' ? 'buy' : '',
      };
    },
  },
];

export function detectLayout(header: string): Layout | null {
  const columns = header.split(',').map((c) => c.trim().toLowerCase());
  return LAYOUTS.find((layout) => layout.matches(columns)) ?? null;
}

const DECIMAL = /^\d+(\.\d+)?$/;
const INTEGER = /^\d+$/;

/**
 * Streams a trades CSV (optionally .gz) in batches. Every row is validated; the first bad row
 * stops the import with its line number, so a caller that writes into a fresh recording can
 * discard it whole and nothing already stored is touched.
 */
export async function* readTradesCsv(file: string, batchSize = 8192): AsyncGenerator<TradeRow[]> {
  const input = createReadStream(file);
  const stream = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  let layout: Layout | null = null;
  let index = new Map<string, number>();
  let lastTs = -Infinity;
  let batch: TradeRow[] = [];
  try {
    for await (const rawLine of lines) {
      lineNumber++;
      const line = rawLine.trim();
      if (line === '') continue;
      if (layout === null) {
        layout = detectLayout(line);
        if (layout === null) {
          throw new CsvImportError(file, lineNumber, `unrecognised header "${line.slice(0, 200)}"; expected columns ts,price,quantity,side (see README, CSV formats)`);
        }
        index = new Map(line.split(',').map((c, i) => [c.trim().toLowerCase(), i]));
        continue;
      }
      const fields = line.split(',');
      if (fields.length !== index.size) throw new CsvImportError(file, lineNumber, `expected ${index.size} columns, found ${fields.length}`);
      const raw = layout.read(fields, index);
      if (!INTEGER.test(raw.ts)) throw new CsvImportError(file, lineNumber, `timestamp "${raw.ts}" is not an integer number of milliseconds`);
      if (!DECIMAL.test(raw.price)) throw new CsvImportError(file, lineNumber, `price "${raw.price}" is not a positive decimal number`);
      if (!DECIMAL.test(raw.quantity)) throw new CsvImportError(file, lineNumber, `quantity "${raw.quantity}" is not a positive decimal number`);
      const ts = Number(raw.ts);
      const price = Number(raw.price);
      const quantity = Number(raw.quantity);
      if (!(price > 0)) throw new CsvImportError(file, lineNumber, `price must be greater than zero (got ${raw.price})`);
      if (!(quantity > 0)) throw new CsvImportError(file, lineNumber, `quantity must be greater than zero (got ${raw.quantity})`);
      if (ts < lastTs) throw new CsvImportError(file, lineNumber, `timestamp ${ts} goes backwards (previous row was ${lastTs})`);
      const side = raw.side.toLowerCase();
      if (side !== 'buy' && side !== 'sell') throw new CsvImportError(file, lineNumber, `side "${raw.side}" must be buy or sell`);
      lastTs = ts;
      batch.push({ ts, price, quantity, side });
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (layout === null) throw new CsvImportError(file, Math.max(lineNumber, 1), 'the file is empty');
    if (batch.length > 0) yield batch;
  } finally {
    lines.close();
    // wait for the file handle to close, so a stopped engine leaves no pending I/O behind
    if (!input.closed) {
      const closed = once(input, 'close');
      input.destroy();
      await closed;
    }
  }
}
