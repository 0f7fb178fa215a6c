import { z } from 'zod';
import { Id, InstrumentIdSchema, RecordingDto, Timestamp } from './schemas';

/** Counts and time range of one kind of recorded data (trades or book updates) of one instrument. */
export const RecordedSeriesDto = z.object({
  count: z.number().int().nonnegative(),
  firstTs: Timestamp.nullable(),
  lastTs: Timestamp.nullable(),
});
export type RecordedSeriesDto = z.infer<typeof RecordedSeriesDto>;

export const RecordingInspectionDto = z.object({
  recording: RecordingDto,
  firstTs: Timestamp.nullable(),
  lastTs: Timestamp.nullable(),
  instruments: z.array(z.object({ instrumentId: InstrumentIdSchema, trades: RecordedSeriesDto, books: RecordedSeriesDto })),
});
export type RecordingInspectionDto = z.infer<typeof RecordingInspectionDto>;

/** Recorded-session management beyond list/import/delete (README, "CSV formats" for the export format). */
export const recordingCommands = {
  'recordings.inspect': { request: z.object({ id: Id }).strict(), response: RecordingInspectionDto },
  'recordings.exportCsv': {
    request: z.object({
      id: Id,
      /** Needed when the recording holds trades of more than one instrument. */
      instrumentId: InstrumentIdSchema.optional(),
      /** The file to write; refused if it exists. */
      path: z.string().min(1).max(4096),
    }).strict(),
    response: z.object({ path: z.string(), instrumentId: InstrumentIdSchema, trades: z.number().int().nonnegative() }),
  },
} as const;
