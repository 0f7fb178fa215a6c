import { stat } from 'node:fs/promises';
import type { PartialHandlers } from '../../../src-shared/contract/commands';
import { err, ok, type Result } from '../../../src-shared/contract/result';
import type { Candle, RecordingDto, Timeframe } from '../../../src-shared/contract/schemas';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import type { Logger } from '../ops/logger';
import { RecordingInputError } from '../store/recordings';
import type { Store } from '../store/store';
import { CandleBuilder } from './candles';
import { CsvImportError, readTradesCsv } from './csv-trades';

/**
 * Recorded market data: CSV import into a fresh recording (all or nothing — a bad row
 * discards that recording and leaves every other one intact), listing, deletion and candles.
 */
export class RecordingService {
  constructor(
    private readonly store: Store,
    private readonly instruments: ReadonlyMap<InstrumentId, Instrument>,
    private readonly logger: Logger,
  ) {}

  async importCsv(request: { path: string; instrumentId: string; name?: string }): Promise<Result<RecordingDto>> {
    if (!this.instruments.has(request.instrumentId as InstrumentId)) {
      return err('validation', `unknown instrument "${request.instrumentId}"; known: ${[...this.instruments.keys()].join(', ')}`, ['request.instrumentId']);
    }
    try {
      const info = await stat(request.path);
      if (!info.isFile()) return err('validation', `${request.path} is not a file`, ['request.path']);
    } catch {
      return err('validation', `cannot read ${request.path}: no such file`, ['request.path']);
    }
    const name = request.name ?? request.path.split(/[\\/]/).pop() ?? request.path;
    const recording = this.store.recordings.createRecording({ name, source: `csv:${request.path}`, instruments: [request.instrumentId] });
    try {
      for await (const batch of readTradesCsv(request.path)) {
        this.store.recordings.appendTrades(recording.id, request.instrumentId, batch);
      }
      this.store.recordings.flush(recording.id);
      const finished = this.store.recordings.finalize(recording.id);
      this.logger.info('imported trades CSV', { recordingId: recording.id, path: request.path, trades: finished.tradeCount });
      return ok(finished);
    } catch (error) {
      this.store.recordings.delete(recording.id);
      if (error instanceof CsvImportError || error instanceof RecordingInputError) {
        return err('validation', error.message, ['request.path']);
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
      'recordings.delete': async ({ id }) => ok({ deleted: this.store.recordings.delete(id) }),
      'chart.candles': async (request) => this.candles(request),
    };
  }
}
