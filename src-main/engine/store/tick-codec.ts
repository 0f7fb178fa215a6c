import { endianness } from 'node:os';
import type { BookUpdate } from '../../../src-shared/contract/schemas';

/**
 * Columnar encodings of recorded market data; the layout is documented in
 * migrations/0020_market_data.sql. Typed arrays use the platform's byte order, and every platform
 * the app ships on is little-endian; a big-endian host is refused rather than misreading data.
 */
if (endianness() !== 'LE') throw new Error('recorded market data is stored little-endian; this platform is big-endian');

/** Decoded columns of recorded trades of one instrument, in time order. */
export interface TradeChunk {
  instrumentId: string;
  ts: Float64Array;
  price: Float64Array;
  quantity: Float64Array;
  /** Aggressor side: 0 = buy, 1 = sell. */
  side: Uint8Array;
  count: number;
}

/** Decoded columns of recorded book updates of one instrument, in time order. */
export interface BookChunk {
  instrumentId: string;
  count: number;
  ts: Float64Array;
  /** 1 = full snapshot, 0 = delta. */
  snapshot: Uint8Array;
  bidCounts: Uint32Array;
  askCounts: Uint32Array;
  /** (price, quantity) pairs: update 0's bids then asks, then update 1's, … */
  levels: Float64Array;
  /** Index into `levels` (in pairs) where update i starts; length count + 1. */
  levelOffsets: Uint32Array;
}

export const SIDE_BUY = 0;
export const SIDE_SELL = 1;

/** A typed array's bytes as a Buffer, without copying. */
export function bytesOf(array: Float64Array | Uint8Array | Uint32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

// A Buffer SQLite hands back may sit at any offset of a shared pool; typed array views need
// their element alignment, so an unaligned one is copied first.
function aligned(buffer: Buffer, elementSize: number): ArrayBuffer {
  if (buffer.byteOffset % elementSize === 0) return buffer.buffer as ArrayBuffer;
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return copy.buffer;
}

export function float64sOf(buffer: Buffer): Float64Array {
  if (buffer.byteLength % 8 !== 0) throw new Error(`corrupt chunk: ${buffer.byteLength} bytes is not a whole number of float64 values`);
  if (buffer.byteOffset % 8 === 0) return new Float64Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 8);
  return new Float64Array(aligned(buffer, 8), 0, buffer.byteLength / 8);
}

export function uint32sOf(buffer: Buffer): Uint32Array {
  if (buffer.byteLength % 4 !== 0) throw new Error(`corrupt chunk: ${buffer.byteLength} bytes is not a whole number of uint32 values`);
  if (buffer.byteOffset % 4 === 0) return new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
  return new Uint32Array(aligned(buffer, 4), 0, buffer.byteLength / 4);
}

export function uint8sOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export function levelOffsetsOf(bidCounts: Uint32Array, askCounts: Uint32Array): Uint32Array {
  const offsets = new Uint32Array(bidCounts.length + 1);
  for (let i = 0; i < bidCounts.length; i++) offsets[i + 1] = offsets[i]! + bidCounts[i]! + askCounts[i]!;
  return offsets;
}

/** Update i of a decoded book chunk as the contract's BookUpdate. */
export function bookUpdateAt(chunk: BookChunk, index: number): BookUpdate {
  const start = chunk.levelOffsets[index]!;
  const bidCount = chunk.bidCounts[index]!;
  const askCount = chunk.askCounts[index]!;
  const bids: Array<[number, number]> = new Array<[number, number]>(bidCount);
  const asks: Array<[number, number]> = new Array<[number, number]>(askCount);
  for (let level = 0; level < bidCount; level++) {
    const at = 2 * (start + level);
    bids[level] = [chunk.levels[at]!, chunk.levels[at + 1]!];
  }
  for (let level = 0; level < askCount; level++) {
    const at = 2 * (start + bidCount + level);
    asks[level] = [chunk.levels[at]!, chunk.levels[at + 1]!];
  }
  return { kind: 'book', instrumentId: chunk.instrumentId, bids, asks, snapshot: chunk.snapshot[index] === 1, ts: chunk.ts[index]! };
}

/** Every update of a decoded book chunk as BookUpdate objects (allocates; for replay of books, not bulk scans). */
export function* bookUpdatesOf(chunk: BookChunk): Generator<BookUpdate> {
  for (let i = 0; i < chunk.count; i++) yield bookUpdateAt(chunk, i);
}

/** Rows [start, end) of a decoded trade chunk, as views (no copy). */
export function sliceTradeChunk(chunk: TradeChunk, start: number, end: number): TradeChunk {
  if (start === 0 && end === chunk.count) return chunk;
  return {
    instrumentId: chunk.instrumentId,
    ts: chunk.ts.subarray(start, end),
    price: chunk.price.subarray(start, end),
    quantity: chunk.quantity.subarray(start, end),
    side: chunk.side.subarray(start, end),
    count: end - start,
  };
}

/** Updates [start, end) of a decoded book chunk, as views over the same levels. */
export function sliceBookChunk(chunk: BookChunk, start: number, end: number): BookChunk {
  if (start === 0 && end === chunk.count) return chunk;
  const bidCounts = chunk.bidCounts.subarray(start, end);
  const askCounts = chunk.askCounts.subarray(start, end);
  const first = chunk.levelOffsets[start]!;
  const last = chunk.levelOffsets[end]!;
  return {
    instrumentId: chunk.instrumentId,
    count: end - start,
    ts: chunk.ts.subarray(start, end),
    snapshot: chunk.snapshot.subarray(start, end),
    bidCounts,
    askCounts,
    levels: chunk.levels.subarray(2 * first, 2 * last),
    levelOffsets: levelOffsetsOf(bidCounts, askCounts),
  };
}
