import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { TradeChunk } from '../store/tick-codec';
import { SIDE_BUY } from '../store/tick-codec';

/** The app's own trade format (README, "CSV formats"); the importer reads it back. */
export const SURGE_TRADES_HEADER = 'ts,price,quantity,side';

/**
 * A float64 as plain decimal text that reads back to the same number: the shortest round-trip
 * digits JavaScript prints, with any exponent ("1.5e-7") written out, because the importer
 * accepts plain decimals only.
 */
export function plainDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as a decimal`);
  const text = String(value);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  // position of the decimal point within `digits` once the exponent is applied
  const point = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = `${digits}${'0'.repeat(point - digits.length)}`;
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

/** One chunk's rows in the app's format. */
export function tradeChunkCsv(chunk: TradeChunk): string {
  let text = '';
  for (let i = 0; i < chunk.count; i++) {
    text += `${chunk.ts[i]!},${plainDecimal(chunk.price[i]!)},${plainDecimal(chunk.quantity[i]!)},${chunk.side[i] === SIDE_BUY ? 'buy' : 'sell'}\n`;
  }
  return text;
}

/**
 * Writes trade chunks to `file` in the app's format and returns the number of trades. The rows
 * go to `<file>.partial` first and are renamed into place at the end, so a failed export never
 * leaves a truncated file that looks complete. Waits for the disk between chunks, so a large
 * export does not hold the event loop.
 */
export async function writeTradesCsv(file: string, chunks: Iterable<TradeChunk>): Promise<number> {
  const partial = `${file}.partial`;
  // 'wx': never overwrite something that is already there
  const out = createWriteStream(partial, { flags: 'wx' });
  let count = 0;
  let opened = false;
  try {
    await once(out, 'open');
    opened = true;
    const write = async (text: string): Promise<void> => {
      if (!out.write(text)) await once(out, 'drain');
    };
    await write(`${SURGE_TRADES_HEADER}\n`);
    for (const chunk of chunks) {
      await write(tradeChunkCsv(chunk));
      count += chunk.count;
    }
    out.end();
    await once(out, 'finish');
    await once(out, 'close');
    await rename(partial, file);
    return count;
  } catch (error) {
    if (!out.destroyed) out.destroy();
    // a .partial that was already there belongs to someone else: only remove our own
    if (opened) await rm(partial, { force: true });
    throw error;
  }
}
