import { CsvImportError, type TradeRow } from './csv-lines';
import { readMarketCsv } from './market-csv';

export { CsvImportError, type BookRow, type TradeRow } from './csv-lines';

/**
 * Streams the trades of a trades or candles CSV (optionally .gz) in batches; a book file is
 * refused. Every row is validated and the first bad one stops the read with its line number.
 * The formats are those of market-csv.ts (README, "CSV formats").
 */
export async function* readTradesCsv(file: string, batchSize = 8192): AsyncGenerator<TradeRow[]> {
  for await (const batch of readMarketCsv(file, { batchSize })) {
    if (batch.kind !== 'trades') throw new CsvImportError(file, 1, 'this file holds order-book data, not trades');
    yield batch.rows;
  }
}
