import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { InstrumentId } from '../../../src-shared/domain/ids';
import { instrumentFromSpec, type Instrument, type InstrumentSpec } from '../../../src-shared/domain/instrument';

/** The offline instrument catalogue (resources/instruments.json); live sessions load markets from the venue. */
export function loadInstrumentCatalog(resourcesDir: string): Map<InstrumentId, Instrument> {
  const file = path.join(resourcesDir, 'instruments.json');
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { instruments?: InstrumentSpec[] };
  if (!Array.isArray(parsed.instruments)) throw new Error(`${file}: "instruments" must be an array`);
  const catalog = new Map<InstrumentId, Instrument>();
  for (const [index, spec] of parsed.instruments.entries()) {
    try {
      const instrument = instrumentFromSpec(spec);
      catalog.set(instrument.id, instrument);
    } catch (error) {
      throw new Error(`${file}: instruments[${index}]: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return catalog;
}
