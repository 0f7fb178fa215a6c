import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { SignalDto } from '../../../src-shared/contract/schemas';
import { evaluateGroup, referencedIndicators } from '../../../src-shared/strategy/evaluate';
import { INDICATOR_TYPES, parseIndicatorId, validateStrategy, type StrategyDefinition } from '../../../src-shared/strategy/schema';
import { SimulatedClock } from '../clock/clock';
import { readTradesCsv, type TradeRow } from '../data/csv-trades';
import { InstrumentIndicators, resolveIndicatorVariant } from '../indicators/registry';
import { StrategyEngine } from './strategy-runner';

const STRATEGIES_DIR = join(import.meta.dirname, '../../../resources/strategies');
const TRADES_DIR = '/work/shared/data/trades';
const TRADE_FILES: Record<string, string> = {
  'BTC/USDT:USDT': 'binance-usdm-btcusdt-trades-20240808T235416Z-20240808T235959Z.csv',
  'ETH/USDT:USDT': 'binance-usdm-ethusdt-trades-20240808T235416Z-20240809T000000Z.csv',
};

function loadExamples(): Map<string, StrategyDefinition> {
  const out = new Map<string, StrategyDefinition>();
  for (const file of readdirSync(STRATEGIES_DIR).filter((name) => name.endsWith('.json')).sort()) {
    const result = validateStrategy(JSON.parse(readFileSync(join(STRATEGIES_DIR, file), 'utf8')));
    if (!result.ok) throw new Error(`${file}: ${result.error.message}`);
    out.set(file, result.value);
  }
  return out;
}

describe('resources/strategies', () => {
  test('every example strategy validates', () => {
    const files = readdirSync(STRATEGIES_DIR).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(expect.arrayContaining(['dump-short.json', 'momentum-both.json', 'pump-long.json', 'skeleton-pump.json']));
    for (const file of files) {
      const result = validateStrategy(JSON.parse(readFileSync(join(STRATEGIES_DIR, file), 'utf8')));
      expect(result.ok ? 'valid' : result.error.message, file).toBe('valid');
    }
  });

  test('the skeleton has one S1 condition on PUMP_MAGNITUDE_PCT and a Z1 that is always true', () => {
    const skeleton = loadExamples().get('skeleton-pump.json')!;
    expect(skeleton.s1_signal.conditions).toEqual([{ id: 's1-pump', indicatorId: 'PUMP_MAGNITUDE_PCT', operator: '>', value: 0.05 }]);
    for (const pump of [-50, -1, 0, 0.06, 5]) expect(evaluateGroup(skeleton.z1_entry.conditions, () => pump, 'LONG')).toBe('true');
  });

  test('the indicator engine builds every indicator the examples use, and none needs a book', () => {
    for (const [file, definition] of loadExamples()) {
      for (const id of referencedIndicators(definition)) {
        expect(() => resolveIndicatorVariant(id), `${file}: ${id}`).not.toThrow();
        const parsed = parseIndicatorId(id);
        if (!parsed.ok || 'named' in parsed.value) throw new Error(`${file}: ${id} should be a built-in variant`);
        // the bundled data sets are trades only: a book indicator would stay pending for ever
        expect(INDICATOR_TYPES[parsed.value.type].source, `${file}: ${id}`).not.toBe('book');
      }
    }
  });
});

async function readAll(file: string): Promise<TradeRow[]> {
  const rows: TradeRow[] = [];
  for await (const batch of readTradesCsv(file)) rows.push(...batch);
  return rows;
}

/**
 * Replays the real BTCUSDT and ETHUSDT perpetual trades through the real indicators and the
 * state machine, with an instant fill at the trade price standing in for risk and the venue.
 */
async function replay(definition: StrategyDefinition): Promise<SignalDto[]> {
  const ticks: Array<TradeRow & { instrumentId: string }> = [];
  for (const [instrumentId, file] of Object.entries(TRADE_FILES)) for (const row of await readAll(join(TRADES_DIR, file))) ticks.push({ ...row, instrumentId });
  ticks.sort((a, b) => a.ts - b.ts); // stable: equal timestamps keep file order

  const clock = new SimulatedClock(ticks[0]!.ts);
  const signals: SignalDto[] = [];
  const positions = new Map<string, { entry: number; side: 1 | -1 }>();
  const lastPrice = new Map<string, number>();
  const engine: StrategyEngine = new StrategyEngine({
    clock,
    signalSlots: 3,
    sessionId: 'example',
    onSignal: (signal) => signals.push(signal),
    onEntry: (request) => {
      positions.set(request.instrumentId, { entry: request.price, side: request.direction === 'LONG' ? 1 : -1 });
      engine.onEntryResult(request.strategyId, request.instrumentId, { accepted: true });
    },
    onExit: (request) => {
      positions.delete(request.instrumentId);
      engine.onPositionClosed(request.strategyId, request.instrumentId);
    },
  });
  engine.addStrategy(definition);
  const ids = referencedIndicators(definition).filter((id) => id !== 'UNREALIZED_PNL_PCT');
  const indicators = new Map(Object.keys(TRADE_FILES).map((instrumentId) => [instrumentId, new InstrumentIndicators(ids)]));
  for (const tick of ticks) {
    clock.advanceTo(tick.ts);
    const set = indicators.get(tick.instrumentId)!;
    set.onTrade(tick.ts, tick.price, tick.quantity, tick.side);
    lastPrice.set(tick.instrumentId, tick.price);
    engine.onIndicators(tick.instrumentId, (id) => {
      if (id !== 'UNREALIZED_PNL_PCT') return set.value(id);
      const position = positions.get(tick.instrumentId);
      return position === undefined ? null : ((tick.price - position.entry) / position.entry) * 100 * position.side;
    }, tick.price, tick.ts);
  }
  engine.stop();
  return signals;
}

describe.skipIf(!existsSync(TRADES_DIR))('example strategies on real Binance USDⓈ-M trades', () => {
  test.each(['pump-long.json', 'dump-short.json', 'momentum-both.json', 'skeleton-pump.json'])('%s signals, enters and exits', async (file) => {
    const signals = await replay(loadExamples().get(file)!);
    const count = (section: SignalDto['section'], reason?: string): number => signals.filter((s) => s.section === section && (reason === undefined || s.reason === reason)).length;
    expect(count('S1')).toBeGreaterThan(0);
    expect(count('Z1', 'entry_accepted')).toBeGreaterThan(0);
    expect(count('ZE1') + count('E1')).toBeGreaterThan(0);
    // replays are deterministic: the same data gives the same record, ids included
    expect(await replay(loadExamples().get(file)!)).toEqual(signals);
  });

  test('the BOTH example trades both sides of the same data', async () => {
    const signals = await replay(loadExamples().get('momentum-both.json')!);
    const sides = new Set(signals.filter((s) => s.section === 'S1').map((s) => s.direction));
    expect(sides).toEqual(new Set(['LONG', 'SHORT']));
  });
});
