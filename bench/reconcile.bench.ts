// Position reconciliation, in process.
//   reconcile_1000  ms for PositionSync to reconcile 1,000 positions against the venue's list:
//                   classify each (matched / local only / exchange only / mismatch), take the
//                   exchange's mark into the local book, compute the liquidation distance and the
//                   exchange margin ratio, raise level-change alerts and publish position_updated
//                   for every position whose mark moved (the marks move on every run here).
//                   baseline = the same 1,000 positions joined by instrument with a plain Map,
//                   comparing side and quantity only, in this run; ratio = baseline / value (lower
//                   time is better, so 1.0 would mean no cost beyond the join). Target value < 20 ms.
// Run: npx tsx bench/reconcile.bench.ts   (or npm run bench -- reconcile)
import { defaultSettings } from '../src-shared/contract/settings';
import { Price } from '../src-shared/domain/values';
import { InProcessEventBus } from '../src-main/engine/bus/event-bus';
import { SimulatedClock } from '../src-main/engine/clock/clock';
import { CircuitBreaker } from '../src-main/engine/execution/circuit-breaker';
import { PositionSync } from '../src-main/engine/execution/position-sync';
import { manyPositions } from '../src-main/engine/venues/testing/execution-fixture';
import type { VenuePosition } from '../src-main/engine/venues/venue';
import { emit, median, report, type BenchRecord } from './harness';

const POSITIONS = 1_000;
const ROUNDS = 41;
const WARMUP = 20;

const clock = new SimulatedClock(Date.UTC(2024, 7, 8, 12));
const settings = defaultSettings();
const { account, venue, instruments } = manyPositions(clock, POSITIONS);
const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 10 });
let published = 0;
bus.subscribe('position_updated', () => void published++);
bus.subscribe('risk_alert', () => void published++);
const breaker = new CircuitBreaker({ name: 'stub', clock, ...settings.circuitBreaker });
const sync = new PositionSync({ venue, breaker, clock, settings: settings.positionSync, account, bus });

// two snapshots of the exchange whose marks differ by a tick, alternated so every run moves every mark
const first = await venue.fetchPositions();
const second: VenuePosition[] = first.map((p) => ({ ...p, markPrice: p.markPrice === null ? null : Price.of(p.markPrice.add('0.01')) }));
if (first.length !== POSITIONS) throw new Error(`expected ${POSITIONS} venue positions, got ${first.length}`);

function reconcileOnce(round: number): number {
  const started = process.hrtime.bigint();
  const report = sync.compare(round % 2 === 0 ? first : second);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (report.matched.length !== POSITIONS) throw new Error(`reconciliation classified ${report.matched.length} of ${POSITIONS} as matched`);
  return ms;
}

// the baseline: the bare join, nothing computed beyond it
const localSide = new Map(account.openPositions().map((p) => [p.instrumentId as string, { side: p.side, quantity: p.quantity }]));
function joinOnce(round: number): number {
  const started = process.hrtime.bigint();
  let matched = 0;
  for (const remote of round % 2 === 0 ? first : second) {
    const local = localSide.get(remote.instrumentId);
    if (local !== undefined && local.side === remote.side && local.quantity.eq(remote.quantity)) matched++;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (matched !== POSITIONS) throw new Error(`join matched ${matched}`);
  return ms;
}

for (let i = 0; i < WARMUP; i++) {
  reconcileOnce(i);
  joinOnce(i);
}
const times: number[] = [];
const joins: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  times.push(reconcileOnce(i));
  joins.push(joinOnce(i));
}
// end to end once more, including the in-memory venue's own work of building its position list
const fullStarted = process.hrtime.bigint();
await sync.reconcile();
const fullMs = Number(process.hrtime.bigint() - fullStarted) / 1e6;

const value = median(times);
const baseline = median(joins);
const record: BenchRecord = { name: 'reconcile_1000', value, unit: 'ms', baseline, ratio: baseline / value };
report(record, `baseline = plain Map join on side and quantity; median of ${ROUNDS} runs over ${instruments.length - 1} positions; max ${Math.max(...times).toFixed(2)} ms; reconcile() with the stub venue's fetch ${fullMs.toFixed(2)} ms; ${published} events`);
emit([record]);
bus.shutdown();
breaker.dispose();
