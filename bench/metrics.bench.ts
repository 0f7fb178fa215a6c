// Rendering /metrics.
//   metrics_scrape_ms  milliseconds to render the engine's registry (what GET /metrics returns)
//                      with 100 symbols' worth of series: an open position (unrealized PnL, margin
//                      ratio) and a feed (staleness) per symbol, bus counts by topic, a
//                      latency histogram with observations, the order and alert counters and Node's
//                      process metrics. Baseline = rendering an empty prom-client Registry in the
//                      same run; ratio = baseline / value (lower is better, so the ratio is < 1
//                      and shows what 100 symbols cost over nothing). Target: value < 20 ms.
// Run: npx tsx bench/metrics.bench.ts   (or npm run bench for all benches)
import { Registry } from 'prom-client';
import type { PositionDto } from '../src-shared/contract/schemas';
import { InProcessEventBus } from '../src-main/engine/bus/event-bus';
import { SimulatedClock } from '../src-main/engine/clock/clock';
import { EngineMetrics } from '../src-main/engine/ops/metrics';
import { emit, median, report, type BenchRecord } from './harness';

const SYMBOLS = 100;
const RENDERS_PER_ROUND = 20;
const ROUNDS = 15;
const WARMUP_RENDERS = 40;
const START = 1_718_000_000_000;

const clock = new SimulatedClock(START);
const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 10 });
const metrics = new EngineMetrics({ bus, clock, feedStalenessMs: 10_000 });
metrics.start();

for (let i = 0; i < SYMBOLS; i++) {
  const instrumentId = `COIN${String(i).padStart(3, '0')}/USDT:USDT`;
  const position: PositionDto = {
    sessionId: 'paper-1', instrumentId, side: i % 2 === 0 ? 'LONG' : 'SHORT', quantity: '12.5', averageEntryPrice: '1.2345', markPrice: '1.2401',
    realizedPnl: '0', unrealizedPnl: (i % 2 === 0 ? '' : '-') + `0.0${i + 1}`, commissions: '0.01', leverage: 10, marginRatioPercent: 20 + (i % 50),
    liquidationPrice: '1.01', stopLoss: null, takeProfit: null, openedAt: START, updatedAt: START,
  };
  bus.publish('position_updated', position);
  metrics.setFeedLastTick(instrumentId, START - i * 10);
  bus.publish('market_data', { kind: 'trade', instrumentId, price: 1.2401, quantity: 10, side: 'buy', ts: START });
}
bus.publish('risk_alert', { id: 'a1', severity: 'warning', source: 'bench', code: 'x', message: 'm', instrumentId: null, ts: START });
for (let i = 0; i < 1_000; i++) metrics.observeSubmissionLatency(0.02 + (i % 100) / 100);
metrics.setBreakerState('mexc', 'closed');
metrics.positionSyncStarted('mexc');
metrics.setDailyLossPercent(1.25);
clock.advanceTo(START + 1_500);

const empty = new Registry();

let renderedChars = 0; // consumed at the end, so no render is dead code

async function renderMs(registry: Registry, times: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < times; i++) renderedChars += (await registry.metrics()).length;
  return Number(process.hrtime.bigint() - started) / 1e6 / times;
}

const body = (await metrics.render()).body;
const seriesLines = body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
if (!body.includes('margin_ratio_percent{instrument="COIN099/USDT:USDT"}')) throw new Error('the registry does not hold the 100 symbols it is meant to render');

await renderMs(metrics.registry, WARMUP_RENDERS);
await renderMs(empty, WARMUP_RENDERS);
const full: number[] = [];
const baseline: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  full.push(await renderMs(metrics.registry, RENDERS_PER_ROUND));
  baseline.push(await renderMs(empty, RENDERS_PER_ROUND));
}
const value = median(full);
const base = median(baseline);

const records: BenchRecord[] = [];
const record: BenchRecord = { name: 'metrics_scrape_ms', value, unit: 'ms', baseline: base, ratio: base / value };
records.push(record);
report(record, `${SYMBOLS} symbols, ${seriesLines} samples, ${(body.length / 1024).toFixed(1)} KiB per scrape incl. process metrics; baseline = empty Registry; target < 20 ms`);
metrics.stop();
bus.shutdown();
if (renderedChars === 0) throw new Error('nothing was rendered');
emit(records);
