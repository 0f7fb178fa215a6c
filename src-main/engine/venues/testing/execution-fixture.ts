import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventPayload, Topic } from '../../../../src-shared/contract/events';
import { defaultSettings, type Settings } from '../../../../src-shared/contract/settings';
import { Decimal } from '../../../../src-shared/domain/decimal';
import type { InstrumentId } from '../../../../src-shared/domain/ids';
import { instrumentFromSpec, type Instrument } from '../../../../src-shared/domain/instrument';
import { Money } from '../../../../src-shared/domain/values';
import { InProcessEventBus } from '../../bus/event-bus';
import { SimulatedClock } from '../../clock/clock';
import { Account } from '../../execution/accounting';
import { CircuitBreaker } from '../../execution/circuit-breaker';
import { countsAgainstBreaker, OrderManager } from '../../execution/order-manager';
import { RiskManager } from '../../risk/risk-manager';
import { openStore, type Store } from '../../store/store';
import { StubVenue, type StubVenueOptions } from './stub-venue';

/**
 * The execution layer wired for unit tests: a simulated clock, a real in-memory SQLite store,
 * a real event bus, account, risk manager, circuit breaker and order manager, against the stub
 * venue. Tests steer the stub and the clock and read the store and the recorded events.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
export const MIGRATIONS_DIR = path.resolve(here, '../../../../migrations');
export const START = Date.UTC(2024, 7, 8, 12, 0, 0);

/** MEXC-like BTC and ETH perpetuals: BTC 0.0001 BTC per contract, tick 0.1; ETH 0.01 ETH, tick 0.01. */
export const BTC = instrumentFromSpec({
  id: 'BTC/USDT:USDT', venue: 'stub', symbol: 'BTC_USDT', base: 'BTC', quote: 'USDT', tickSize: '0.1', lotSize: '1', contractSize: '0.0001',
  maxLeverage: 125, makerFee: '0.0002', takerFee: '0.0006',
});
export const ETH = instrumentFromSpec({
  id: 'ETH/USDT:USDT', venue: 'stub', symbol: 'ETH_USDT', base: 'ETH', quote: 'USDT', tickSize: '0.01', lotSize: '1', contractSize: '0.01',
  maxLeverage: 100, makerFee: '0.0002', takerFee: '0.0006',
});
export const SOL = instrumentFromSpec({
  id: 'SOL/USDT:USDT', venue: 'stub', symbol: 'SOL_USDT', base: 'SOL', quote: 'USDT', tickSize: '0.001', lotSize: '1', contractSize: '1',
  maxLeverage: 50, makerFee: '0.0002', takerFee: '0.0006',
});
export const DOGE = instrumentFromSpec({
  id: 'DOGE/USDT:USDT', venue: 'stub', symbol: 'DOGE_USDT', base: 'DOGE', quote: 'USDT', tickSize: '0.00001', lotSize: '1', contractSize: '100',
  maxLeverage: 50, makerFee: '0.0002', takerFee: '0.0006',
});
export const INSTRUMENTS: ReadonlyMap<InstrumentId, Instrument> = new Map([BTC, ETH, SOL, DOGE].map((i) => [i.id, i]));

export interface RecordedEvent<T extends Topic = Topic> {
  topic: T;
  payload: EventPayload<T>;
}

export interface ExecutionFixtureOptions {
  settings?: (settings: Settings) => void;
  capital?: string;
  stub?: Partial<Omit<StubVenueOptions, 'clock' | 'instruments'>>;
  stagedCaps?: boolean;
  sessionId?: string | null;
  /** Reuse a store (crash-resume tests open a second fixture on the first one's journal). */
  store?: Store;
  venue?: StubVenue;
  clock?: SimulatedClock;
}

export interface ExecutionFixture {
  clock: SimulatedClock;
  settings: Settings;
  store: Store;
  bus: InProcessEventBus;
  events: RecordedEvent[];
  venue: StubVenue;
  account: Account;
  risk: RiskManager;
  breaker: CircuitBreaker;
  orders: OrderManager;
  /** Lets every queued microtask and immediate run (venue answers, group commits). */
  settle(): Promise<void>;
  /** Advances the clock, letting async work run between timers. */
  advance(ms: number): Promise<void>;
  eventsOf<T extends Topic>(topic: T): Array<EventPayload<T>>;
  close(): Promise<void>;
}

export function createExecutionFixture(options: ExecutionFixtureOptions = {}): ExecutionFixture {
  const settings = defaultSettings();
  options.settings?.(settings);
  const clock = options.clock ?? new SimulatedClock(START);
  const store = options.store ?? openStore(':memory:', { migrationsDir: MIGRATIONS_DIR, clock });
  const bus = new InProcessEventBus({ clock, retryDelaysMs: [], maxDeadLetters: 100 });
  const events: RecordedEvent[] = [];
  for (const topic of ['order_created', 'order_filled', 'order_cancelled', 'position_updated', 'risk_alert'] as const) {
    bus.subscribe(topic, (payload) => {
      events.push({ topic, payload } as RecordedEvent);
    }, `recorder-${topic}`);
  }
  const venue = options.venue ?? new StubVenue({ clock, instruments: INSTRUMENTS.values(), ...options.stub });
  for (const [id, price] of [[BTC.id, '60000'], [ETH.id, '3000'], [SOL.id, '150'], [DOGE.id, '0.1']] as const) {
    if (options.venue === undefined) venue.setMark(id, price);
  }
  const sessionId = options.sessionId === undefined ? 'test-session' : options.sessionId;
  const account = new Account({
    instruments: INSTRUMENTS, startingCapital: Money.money(options.capital ?? '10000'), sessionId, maintenanceMarginRate: Decimal.of(settings.paper.maintenanceMarginRate),
  });
  for (const [id, price] of [[BTC.id, '60000'], [ETH.id, '3000'], [SOL.id, '150'], [DOGE.id, '0.1']] as const) account.mark(id, price);
  const risk = new RiskManager({ settings: settings.risk, clock, account, instruments: INSTRUMENTS, bus, store, stagedCaps: options.stagedCaps ?? false });
  const breaker = new CircuitBreaker({
    name: 'stub', clock, failureThreshold: settings.circuitBreaker.failureThreshold, failureWindowMs: settings.circuitBreaker.failureWindowMs,
    halfOpenAfterMs: settings.circuitBreaker.halfOpenAfterMs, isFailure: countsAgainstBreaker,
  });
  const orders = new OrderManager({ venue, breaker, clock, settings: settings.orderManager, store, risk, account, bus, sessionId });

  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  return {
    clock, settings, store, bus, events, venue, account, risk, breaker, orders, settle,
    advance: async (ms: number) => {
      await clock.advanceByAsync(ms);
      await settle();
    },
    eventsOf: <T extends Topic>(topic: T) => events.filter((e) => e.topic === topic).map((e) => e.payload as EventPayload<T>),
    close: async () => {
      await orders.stop();
      risk.stop();
      breaker.dispose();
      bus.shutdown();
      if (options.store === undefined) store.close();
    },
  };
}

/**
 * n synthetic perpetuals (plus one spare) with one open position each in an account and in a
 * stub venue that agree: the starting point of reconciliation tests and the reconcile benchmark.
 */
export function manyPositions(clock: SimulatedClock, n: number): { instruments: Instrument[]; account: Account; venue: StubVenue } {
  const instruments = Array.from({ length: n + 1 }, (_, i) => instrumentFromSpec({
    id: `SYN${i}/USDT:USDT`, venue: 'stub', symbol: `SYN${i}_USDT`, base: `SYN${i}`, quote: 'USDT', tickSize: '0.01', lotSize: '1', contractSize: '1',
    maxLeverage: 50, makerFee: '0.0002', takerFee: '0.0006',
  }));
  const map = new Map(instruments.map((i) => [i.id, i]));
  const account = new Account({ instruments: map, startingCapital: Money.money('1000000'), sessionId: null, maintenanceMarginRate: Decimal.of('0.004') });
  const venue = new StubVenue({ clock, instruments });
  instruments.slice(0, n).forEach((instrument, i) => {
    const side = i % 2 === 0 ? 'LONG' : 'SHORT';
    const quantity = String(1 + (i % 7));
    const entry = (100 + (i % 50)).toFixed(2);
    venue.openPositionOutside(instrument.id, side, quantity, entry, 5);
    venue.setMark(instrument.id, (100 + (i % 50) + 0.5).toFixed(2));
    account.adoptPosition({ instrumentId: instrument.id, side, quantity: Decimal.of(quantity), entryPrice: Decimal.of(entry), leverage: 5, ts: clock.now() });
  });
  return { instruments, account, venue };
}
