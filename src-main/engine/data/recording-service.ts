import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { PartialHandlers } from '../../../src-shared/contract/commands';
import type { RecordingInspectionDto } from '../../../src-shared/contract/recording-commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { Candle, RecordingDto, Timeframe } from '../../../src-shared/contract/schemas';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import type { Logger } from '../ops/logger';
import { RecordingInputError } from '../store/recordings';
import type { Store } from '../store/store';
import { CandleBuilder } from './candles';
import { CsvImportError } from './csv-lines';
import { writeTradesCsv } from './csv-export';
import { readMarketCsv } from './market-csv';

export interface ImportCsvRequest {
  path: string;
  instrumentId: string;
  name?: string | undefined;
  /** Further files recorded into the same recording (e.g. the book ticker beside the trades). */
  extraPaths?: readonly string[] | undefined;
  /** The depth snapshot of a depth-updates file (found beside it when not given). */
  snapshotPath?: string | undefined;
  /** Levels per side kept from depth files (default 20). */
  bookLevels?: number | undefined;
}

/**
 * Recorded market data: CSV import into a fresh recording (all or nothing — a bad row
 * discards that recording and leaves every other one intact), inspection, export, listing,
 * deletion and candles.
 */
export class RecordingService {
  constructor(
    private readonly store: Store,
    private readonly instruments: ReadonlyMap<InstrumentId, Instrument>,
    private readonly logger: Logger,
  ) {}

  async importCsv(request: ImportCsvRequest): Promise<Result<RecordingDto>> {
    if (!this.instruments.has(request.instrumentId as InstrumentId)) {
      return err('validation', `unknown instrument "${request.instrumentId}"; known: ${[...this.instruments.keys()].join(', ')}`, ['request.instrumentId']);
    }
    const files = [request.path, ...(request.extraPaths ?? [])];
    for (const [index, file] of files.entries()) {
      const where = index === 0 ? 'request.path' : `request.extraPaths[${index - 1}]`;
      const problem = await notAFile(file);
      if (problem !== null) return err('validation', problem, [where]);
    }
    if (request.snapshotPath !== undefined) {
      const problem = await notAFile(request.snapshotPath);
      if (problem !== null) return err('validation', problem, ['request.snapshotPath']);
    }
    const name = request.name ?? path.basename(request.path);
    const recording = this.store.recordings.createRecording({ name, source: `csv:${files.join(',')}`, instruments: [request.instrumentId] });
    let current = 0;
    try {
      let trades = 0;
      let books = 0;
      for (; current < files.length; current++) {
        const batches = readMarketCsv(files[current]!, {
          ...(request.snapshotPath !== undefined ? { snapshotPath: request.snapshotPath } : {}),
          ...(request.bookLevels !== undefined ? { bookLevels: request.bookLevels } : {}),
        });
        for await (const batch of batches) {
          if (batch.kind === 'trades') {
            this.store.recordings.appendTrades(recording.id, request.instrumentId, batch.rows);
            trades += batch.rows.length;
          } else {
            this.store.recordings.appendBooks(recording.id, request.instrumentId, batch.rows);
            books += batch.rows.length;
          }
        }
      }
      const finished = this.store.recordings.finalize(recording.id);
      this.logger.info('imported CSV', { recordingId: recording.id, files, trades, books });
      return ok(finished);
    } catch (error) {
      this.store.recordings.delete(recording.id);
      const where = current === 0 ? 'request.path' : `request.extraPaths[${current - 1}]`;
      if (error instanceof CsvImportError || error instanceof RecordingInputError) {
        return err('validation', `${error.message} (nothing was recorded)`, [where]);
      }
      throw error;
    }
  }

  inspect(id: string): Result<RecordingInspectionDto> {
    const recording = this.store.recordings.get(id);
    if (recording === null) return err('not_found', `no recording ${id}`, ['request.id']);
    const instruments = this.store.recordings.instrumentStats(id);
    let firstTs: number | null = null;
    let lastTs: number | null = null;
    for (const entry of instruments) {
      for (const series of [entry.trades, entry.books]) {
        if (series.firstTs !== null && (firstTs === null || series.firstTs < firstTs)) firstTs = series.firstTs;
        if (series.lastTs !== null && (lastTs === null || series.lastTs > lastTs)) lastTs = series.lastTs;
      }
    }
    return ok({ recording, firstTs, lastTs, instruments });
  }

  async exportCsv(request: { id: string; instrumentId?: string | undefined; path: string }): Promise<Result<{ path: string; instrumentId: string; trades: number }>> {
    const inspection = this.inspect(request.id);
    if (!inspection.ok) return inspection;
    const withTrades = inspection.value.instruments.filter((i) => i.trades.count > 0).map((i) => i.instrumentId);
    let instrumentId = request.instrumentId;
    if (instrumentId === undefined) {
      if (withTrades.length === 0) return err('validation', `recording ${request.id} holds no trades to export`, ['request.id']);
      if (withTrades.length > 1) return err('validation', `recording ${request.id} holds trades of ${withTrades.join(', ')}; name one in instrumentId`, ['request.instrumentId']);
      instrumentId = withTrades[0]!;
    } else if (!withTrades.includes(instrumentId)) {
      return err('validation', `recording ${request.id} holds no trades of ${instrumentId}${withTrades.length > 0 ? `; it has ${withTrades.join(', ')}` : ''}`, ['request.instrumentId']);
    }
    try {
      await stat(request.path);
      return err('conflict', `${request.path} already exists; choose a new file name`, ['request.path']);
    } catch {
      // does not exist: good
    }
    try {
      const trades = await writeTradesCsv(request.path, this.store.recordings.readTradeChunks(request.id, instrumentId));
      this.logger.info('exported trades CSV', { recordingId: request.id, instrumentId, path: request.path, trades });
      return ok({ path: request.path, instrumentId, trades });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EEXIST' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EROFS') {
        return err('validation', `cannot write ${request.path}: ${(error as Error).message}`, ['request.path']);
      }
      throw error;
    }
  }

  candles(request: { recordingId: string; instrumentId: string; timeframe: Timeframe; limit: number }): Result<Candle[]> {
    if (this.store.recordings.get(request.recordingId) === null) return err('not_found', `no recording ${request.recordingId}`, ['request.recordingId']);
    const builder = new CandleBuilder(request.timeframe);
    for (const chunk of this.store.recordings.readTradeChunks(request.recordingId, request.instrumentId)) {
      for (let i = 0; i < chunk.count; i++) builder.add(chunk.ts[i]!, chunk.price[i]!, chunk.quantity[i]!);
    }
    return ok(builder.result(request.limit));
  }

  handlers(): PartialHandlers {
    return {
      'recordings.list': async () => ok(this.store.recordings.list()),
      'recordings.importCsv': (request) => this.importCsv(request),
      'recordings.inspect': async ({ id }) => this.inspect(id),
      'recordings.exportCsv': (request) => this.exportCsv(request),
      'recordings.delete': async ({ id }) => ok({ deleted: this.store.recordings.delete(id) }),
      'chart.candles': async (request) => this.candles(request),
    };
  }
}

async function notAFile(file: string): Promise<string | null> {
  try {
    const info = await stat(file);
    return info.isFile() ? null : `${file} is not a file`;
  } catch {
    return `cannot read ${file}: no such file`;
  }
}
