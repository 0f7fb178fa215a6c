import type { PartialHandlers } from '../../../src-shared/contract/commands';
import { ok } from '../../../src-shared/contract/result';
import type { InstrumentDto } from '../../../src-shared/contract/ui-commands';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';

/** The instrument specifications the engine trades with, for screens that value positions live. */
export function instrumentCatalogHandlers(instruments: ReadonlyMap<InstrumentId, Instrument>): PartialHandlers {
  const list: InstrumentDto[] = [...instruments.values()].map((instrument) => ({
    id: instrument.id,
    settle: instrument.settle,
    tickSize: instrument.tickSize.toString(),
    lotSize: instrument.lotSize.toString(),
    contractSize: instrument.contractSize.toString(),
    maxLeverage: instrument.maxLeverage,
  }));
  return { 'instruments.list': async () => ok(list) };
}
