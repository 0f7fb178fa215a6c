// EventBus throughput and retention.
//   bus_fanout4      events/s published to 4 subscribers; baseline = Node's EventEmitter doing the
//                    same in this run; ratio = value / baseline (higher is better). Targets:
//                    value >= 1,000,000 events/s, ratio >= 0.3.
//   bus_heap_growth  heap growth in % between 1 million and 10 million published events (after a
//                    full GC each time); baseline = heapUsed in MB after the first million;
//                    ratio = baseline / heap MB after 10 million (lower growth is better, so
//                    1.0 means nothing retained and a value below 1 shows growth). Target value <= 2 %.
// Run: npx tsx bench/bus.bench.ts   (or npm run bench for all benches)
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MarketData } from '../src-shared/contract/schemas';
import { SimulatedClock } from '../src-main/engine/clock/clock';
import { InProcessEventBus } from '../src-main/engine/bus/event-bus';
import { compareRates, emit, heapUsedBytes, report, type BenchRecord } from './harness';

const PAYLOAD_COUNT = 1 << 14; // a power of two so the hot loops index with a mask
const INSTRUMENT = 'BTC/USDT:USDT';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = process.env['SURGE_DATA_DIR'] ?? path.resolve(root, '..', 'shared', 'data');

function csvRows(file: string, limit: number): string[][] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').slice(1, limit + 1).filter((l) => l !== '').map((l) => l.split(','));
}

/** Real Binance USD-M BTCUSDT trades and book tickers, interleaved 3:1 like a live feed; synthetic if the data is absent. */
function loadPayloads(): { payloads: MarketData[]; source: string } {
  const trades = csvRows(path.join(dataDir, 'trades', 'binance-usdm-btcusdt-trades-20240808T235416Z-20240808T235959Z.csv'), PAYLOAD_COUNT);
  const tickers = csvRows(path.join(dataDir, 'orderbook', 'binance-usdm-btcusdt-bookticker-20240808T235416Z-20240809T000001Z.csv'), PAYLOAD_COUNT);
  const payloads: MarketData[] = [];
  for (let i = 0; payloads.length < PAYLOAD_COUNT; i++) {
    const ticker = tickers.length > 0 ? tickers[i % tickers.length]! : null;
    const row = trades.length > 0 ? trades[i % trades.length]! : null;
    if (i % 4 === 3 && ticker !== null) {
      const [, bid, bidQty, ask, askQty, ts] = ticker;
      payloads.push({
        kind: 'book', instrumentId: INSTRUMENT, snapshot: false, ts: Number(ts),
        bids: [[Number(bid), Number(bidQty)]], asks: [[Number(ask), Number(askQty)]],
      });
    } else if (row !== null) {
      const [tradeId, price, qty, ts, , , side] = row;
      payloads.push({
        kind: 'trade', instrumentId: INSTRUMENT, price: Number(price), quantity: Number(qty),
        side: side === 'sell' ? 'sell' : 'buy', ts: Number(ts), tradeId,
      });
    } else {
      payloads.push({ kind: 'trade', instrumentId: INSTRUMENT, price: 61800 + (i % 100) / 10, quantity: 0.01, side: i % 2 === 0 ? 'buy' : 'sell', ts: 1723161256322 + i });
    }
  }
  return { payloads, source: trades.length > 0 ? 'real Binance BTCUSDT trades + book tickers' : 'synthetic payloads (data dir not found)' };
}

const { payloads, source } = loadPayloads();
const MASK = PAYLOAD_COUNT - 1;

// Four trivial consumers that read the payload, each accumulating into its own sink so nothing is dead code.
const sinks = new Float64Array(4);
const consumers: Array<(p: MarketData) => void> = [
  (p) => { sinks[0]! += p.ts; },
  (p) => { sinks[1]! += p.kind === 'trade' ? p.price : p.bids.length; },
  (p) => { sinks[2]! += p.instrumentId.length; },
  (p) => { sinks[3]! += p.kind === 'trade' ? p.quantity : p.asks.length; },
];

function makeBus(): InProcessEventBus {
  const bus = new InProcessEventBus({ clock: new SimulatedClock(0), retryDelaysMs: [1000, 2000, 4000], maxDeadLetters: 1000 });
  consumers.forEach((consumer, i) => bus.subscribe('market_data', consumer, `consumer-${i}`));
  return bus;
}

const bus = makeBus();
const publishToBus = (iterations: number): void => {
  for (let i = 0; i < iterations; i++) bus.publish('market_data', payloads[i & MASK]!);
};

const emitter = new EventEmitter();
for (const consumer of consumers) emitter.on('market_data', consumer);
const emitToEmitter = (iterations: number): void => {
  for (let i = 0; i < iterations; i++) emitter.emit('market_data', payloads[i & MASK]!);
};

const records: BenchRecord[] = [];

{
  const [busRate, emitterRate] = compareRates([publishToBus, emitToEmitter], { iterations: 2_000_000, rounds: 7, warmupIterations: 1_000_000 });
  const record: BenchRecord = { name: 'bus_fanout4', value: busRate!, unit: 'events/s', baseline: emitterRate!, ratio: busRate! / emitterRate! };
  records.push(record);
  report(record, `baseline = node:events EventEmitter events/s, 4 listeners; payloads: ${source}`);
}

{
  const heapBus = makeBus();
  const publish = (from: number, to: number): void => {
    for (let i = from; i < to; i++) heapBus.publish('market_data', payloads[i & MASK]!);
  };
  publish(0, 1_000_000);
  const afterFirstMillion = heapUsedBytes();
  publish(1_000_000, 10_000_000);
  const afterTenMillion = heapUsedBytes();
  const growthPercent = ((afterTenMillion - afterFirstMillion) / afterFirstMillion) * 100;
  const record: BenchRecord = {
    name: 'bus_heap_growth',
    value: growthPercent,
    unit: '%',
    baseline: afterFirstMillion / 2 ** 20, // MB (MiB) heapUsed after the first million events
    ratio: afterFirstMillion / afterTenMillion,
  };
  records.push(record);
  report(record, `heapUsed ${(afterFirstMillion / 2 ** 20).toFixed(2)} MB after 1M, ${(afterTenMillion / 2 ** 20).toFixed(2)} MB after 10M; counted ${heapBus.publishedCounts().get('market_data')} events`);
  heapBus.shutdown();
}

bus.shutdown();
if (sinks.some((s) => !Number.isFinite(s))) throw new Error('consumer sinks went non-finite');
emit(records);
