// The order path, end to end in process, with the SQLite journal on.
//   order_path         orders/s: approved entry signals → sizing → RiskManager → OrderManager (journal
//                      committed before each send, group commit per tick) → PaperVenue → fill at the
//                      next trade → fill + order + position committed → account, events. A real
//                      better-sqlite3 file database in a temp dir (WAL, synchronous=NORMAL).
//                      baseline = the same number of bare PaperVenue submissions and fills in this run
//                      (no risk, no order manager, no journal); ratio = value / baseline (higher is
//                      better). Target value >= 20,000 orders/s.
//   order_path_p99_us  99th percentile µs from one signal to its position being updated (signals one
//                      at a time, so each order's own latency, its journal commits included);
//                      baseline = the same percentile of the bare paper venue; ratio = baseline /
//                      value (lower is better). Target value < 1,000 µs.
// For throughput, signals arrive SIGNALS_PER_TICK at a time (one tick of a 4-symbol feed firing 16
// entries), which lets the journal group-commit; every commit still happens before the orders it
// covers are sent, and before their fills are published.
// Run: npx tsx bench/order-path.bench.ts   (or npm run bench -- order-path)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSettings } from '../src-shared/contract/settings';
import { Decimal } from '../src-shared/domain/decimal';
import { ClientOrderId, type InstrumentId } from '../src-shared/domain/ids';
import { instrumentFromSpec, type Instrument } from '../src-shared/domain/instrument';
import { Money, Quantity } from '../src-shared/domain/values';
import { InProcessEventBus } from '../src-main/engine/bus/event-bus';
import { SimulatedClock } from '../src-main/engine/clock/clock';
import { Account } from '../src-main/engine/execution/accounting';
import { CircuitBreaker } from '../src-main/engine/execution/circuit-breaker';
import { countsAgainstBreaker, OrderManager } from '../src-main/engine/execution/order-manager';
import { StrategyOrders } from '../src-main/engine/execution/strategy-orders';
import { RiskManager } from '../src-main/engine/risk/risk-manager';
import { openStore } from '../src-main/engine/store/store';
import type { EntryRequest } from '../src-main/engine/strategy/strategy-runner';
import { PaperVenue } from '../src-main/engine/venues/paper-venue';
import { emit, median, report, type BenchRecord } from './harness';

const ORDERS = 40_000;
const WARMUP_ORDERS = 8_000;
const SIGNALS_PER_TICK = 16;
const LATENCY_ORDERS = 5_000;
const ROUNDS = 3;
const START = Date.UTC(2024, 7, 8, 12, 0, 0);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const migrationsDir = path.join(root, 'migrations');

const spec = (base: string, tickSize: string, contractSize: string) => instrumentFromSpec({
  id: `${base}/USDT:USDT`, venue: 'paper', symbol: `${base}_USDT`, base, quote: 'USDT', tickSize, lotSize: '1', contractSize, maxLeverage: 100, makerFee: '0.0002', takerFee: '0.0006',
});
const instrumentList: Instrument[] = [spec('BTC', '0.1', '0.0001'), spec('ETH', '0.01', '0.01'), spec('SOL', '0.001', '1'), spec('DOGE', '0.00001', '100')];
const instruments = new Map<InstrumentId, Instrument>(instrumentList.map((i) => [i.id, i]));
const prices = [60000, 3000, 150, 0.1];

/** Each symbol's signals alternate long and short, so positions stay small and risk limits far away. */
function alternate(counters: Uint32Array, which: number): boolean {
  const n = counters[which]!;
  counters[which] = n + 1;
  return n % 2 === 0;
}
const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

interface RunResult {
  ordersPerSecond: number;
  latenciesUs: number[];
  commits: number;
}

/** The full path with the journal on. */
async function runPipeline(orders: number, dir: string, label: string, perTick = SIGNALS_PER_TICK): Promise<RunResult> {
  const settings = defaultSettings();
  settings.risk.maxOpenPositions = 100;
  settings.risk.consecutiveLossCooldown.enabled = false;
  const clock = new SimulatedClock(START);
  const store = openStore(path.join(dir, `${label}.db`), { migrationsDir, clock });
  const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 10 });
  let published = 0;
  for (const topic of ['order_created', 'order_filled', 'position_updated'] as const) bus.subscribe(topic, () => void published++);
  const account = new Account({ instruments, startingCapital: Money.money('1000000'), sessionId: label, maintenanceMarginRate: Decimal.of('0.004') });
  const risk = new RiskManager({ settings: settings.risk, clock, account, instruments, bus, store });
  const breaker = new CircuitBreaker({ name: 'paper', clock, ...settings.circuitBreaker, isFailure: countsAgainstBreaker });
  const venue = new PaperVenue({ clock, instruments, startingBalance: Money.money('1000000'), slippageBps: 2, maintenanceMarginRate: Decimal.of('0.004') });
  const manager = new OrderManager({ venue, breaker, clock, settings: settings.orderManager, store, risk, account, bus, sessionId: label });
  let accepted = 0;
  let denied = 0;
  const adapter = new StrategyOrders({
    risk, orders: manager, account, sessionId: label,
    onEntryResult: (_s, _i, result) => (result.accepted ? accepted++ : denied++),
    onPositionClosed: () => undefined,
  });
  let filled = 0;
  manager.addListener({ onFill: () => void filled++ });
  await manager.start();
  const direction = new Uint32Array(instrumentList.length);
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < orders; sent += perTick) {
    clock.advanceBy(1);
    const t0 = process.hrtime.bigint();
    const submissions: Array<Promise<unknown>> = [];
    for (let k = 0; k < perTick; k++) {
      const which = (sent + k) % instrumentList.length;
      const request: EntryRequest = {
        signalId: `sig-${sent + k}`, strategyId: 'pump', instrumentId: instrumentList[which]!.id, sessionId: label, direction: alternate(direction, which) ? 'LONG' : 'SHORT',
        price: prices[which]!, positionSize: { type: 'fixed', value: 100 }, leverage: 5, orderType: 'MARKET', stopLoss: null, takeProfit: null, ts: clock.now(),
      };
      submissions.push(adapter.onEntry(request));
    }
    await Promise.all(submissions);
    await immediate(); // the sends reach the venue
    for (let i = 0; i < instrumentList.length; i++) venue.onTrade(instrumentList[i]!.id, clock.now(), prices[i]!);
    await immediate(); // fills journalled, accounted, published
    const latency = Number(process.hrtime.bigint() - t0) / 1e3;
    for (let k = 0; k < perTick; k++) latencies.push(latency);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await manager.stop();
  const commits = manager.journalCommits;
  const storedFills = store.fills.listBySession(label).length;
  store.close();
  if (filled !== orders || storedFills !== orders || denied > 0 || accepted !== orders || published < orders * 2) {
    throw new Error(`order path lost work: ${filled} fills, ${storedFills} stored, ${accepted} accepted, ${denied} denied, ${published} events for ${orders} orders`);
  }
  return { ordersPerSecond: orders / seconds, latenciesUs: latencies, commits };
}

/** The same submissions and fills straight on the paper venue. */
async function runBare(orders: number, perTick = SIGNALS_PER_TICK): Promise<RunResult> {
  const clock = new SimulatedClock(START);
  const venue = new PaperVenue({ clock, instruments, startingBalance: Money.money('1000000'), slippageBps: 2, maintenanceMarginRate: Decimal.of('0.004') });
  let filled = 0;
  venue.subscribe({ onFill: () => void filled++, onOrderUpdate: () => undefined });
  const direction = new Uint32Array(instrumentList.length);
  const contracts = instrumentList.map((instrument, i) => Quantity.of(Decimal.of(500).div(Decimal.of(prices[i]!).mul(instrument.contractSize), 'down').roundToStep(instrument.lotSize, 'down')));
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < orders; sent += perTick) {
    clock.advanceBy(1);
    const t0 = process.hrtime.bigint();
    const submissions: Array<Promise<unknown>> = [];
    for (let k = 0; k < perTick; k++) {
      const which = (sent + k) % instrumentList.length;
      submissions.push(venue.submitOrder({
        clientOrderId: ClientOrderId(`bare-${sent + k}`), instrumentId: instrumentList[which]!.id, side: alternate(direction, which) ? 'BUY' : 'SELL', type: 'MARKET',
        quantity: contracts[which]!, price: null, triggerPrice: null, timeInForce: 'IOC', reduceOnly: false, leverage: 5, marginMode: 'isolated',
      }));
    }
    await Promise.all(submissions);
    await immediate();
    for (let i = 0; i < instrumentList.length; i++) venue.onTrade(instrumentList[i]!.id, clock.now(), prices[i]!);
    await immediate();
    const latency = Number(process.hrtime.bigint() - t0) / 1e3;
    for (let k = 0; k < perTick; k++) latencies.push(latency);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (filled !== orders) throw new Error(`bare paper venue filled ${filled} of ${orders}`);
  return { ordersPerSecond: orders / seconds, latenciesUs: latencies, commits: 0 };
}

const dir = mkdtempSync(path.join(tmpdir(), 'surge-order-path-'));
try {
  await runPipeline(WARMUP_ORDERS, dir, 'warmup');
  await runBare(WARMUP_ORDERS);
  const pipeline: RunResult[] = [];
  const bare: RunResult[] = [];
  const single: RunResult[] = [];
  const bareSingle: RunResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    pipeline.push(await runPipeline(ORDERS, dir, `round${round}`));
    bare.push(await runBare(ORDERS));
    single.push(await runPipeline(LATENCY_ORDERS, dir, `single${round}`, 1));
    bareSingle.push(await runBare(LATENCY_ORDERS, 1));
  }
  const rate = median(pipeline.map((r) => r.ordersPerSecond));
  const bareRate = median(bare.map((r) => r.ordersPerSecond));
  const p99 = median(single.map((r) => percentile(r.latenciesUs, 99)));
  const bareP99 = median(bareSingle.map((r) => percentile(r.latenciesUs, 99)));
  const records: BenchRecord[] = [
    { name: 'order_path', value: rate, unit: 'orders/s', baseline: bareRate, ratio: rate / bareRate },
    { name: 'order_path_p99_us', value: p99, unit: 'µs', baseline: bareP99, ratio: bareP99 / p99 },
  ];
  const commitsPerOrder = pipeline[0]!.commits / ORDERS;
  report(records[0]!, `baseline = bare PaperVenue submit + fill, same orders; ${ORDERS} orders × ${ROUNDS} rounds, ${SIGNALS_PER_TICK} signals per tick; ${commitsPerOrder.toFixed(3)} journal commits per order; tick p50 ${median(pipeline.map((r) => percentile(r.latenciesUs, 50))).toFixed(0)} µs`);
  report(records[1]!, `one signal at a time, ${LATENCY_ORDERS} orders × ${ROUNDS} rounds; p50 ${median(single.map((r) => percentile(r.latenciesUs, 50))).toFixed(0)} µs; baseline = the same percentile for the bare paper venue`);
  emit(records);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
