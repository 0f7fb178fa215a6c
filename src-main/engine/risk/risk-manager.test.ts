import { afterEach, describe, expect, test } from 'vitest';
import type { Fill } from '../../../src-shared/domain/fill';
import { ClientOrderId, FillId } from '../../../src-shared/domain/ids';
import type { Instrument } from '../../../src-shared/domain/instrument';
import { Money, Price, Quantity } from '../../../src-shared/domain/values';
import { Decimal } from '../../../src-shared/domain/decimal';
import { DAY_MS } from '../execution/accounting';
import { BTC, createExecutionFixture, DOGE, ETH, SOL, type ExecutionFixture, type ExecutionFixtureOptions } from '../venues/testing/execution-fixture';
import type { OrderProposal } from './risk-manager';

let fx: ExecutionFixture;
afterEach(async () => {
  await fx.close();
});

function setup(options: ExecutionFixtureOptions = {}): ExecutionFixture {
  fx = createExecutionFixture(options);
  return fx;
}

let fillSeq = 0;
/** A fill straight into the account (no fees), for building positions a check runs against. */
function hold(instrument: Instrument, side: 'BUY' | 'SELL', contracts: string, price: string, leverage = 10): void {
  const fill: Fill = {
    fillId: FillId(`f${++fillSeq}`), clientOrderId: ClientOrderId(`c${fillSeq}`), venueOrderId: null, instrumentId: instrument.id, side,
    lastQty: Quantity.of(contracts), lastPx: Price.of(price), liquiditySide: 'TAKER', commission: Money.zero(), tsEvent: fx.clock.now(),
  };
  fx.account.applyFill(fill, { strategyId: 's', leverage });
}

/** 1 BTC contract = 0.0001 BTC ≈ 6 USDT at 60,000: 1000 contracts at 10× is 6,000 notional and 600 margin. */
const btcBuy = (overrides: Partial<OrderProposal> = {}): OrderProposal => ({
  instrumentId: BTC.id, side: 'BUY', type: 'MARKET', quantity: '1000', referencePrice: '60000', leverage: 10, strategyId: 'pump', ...overrides,
});
/** 1 ETH contract = 0.01 ETH: 30 notional, 3 margin — fits beside a large BTC position. */
const ethBuy = (): OrderProposal => btcBuy({ instrumentId: ETH.id, quantity: '1', referencePrice: '3000' });

function denialCode(proposal: OrderProposal): string | null {
  const decision = fx.risk.check(proposal);
  return decision.approved ? null : decision.denial.code;
}

describe('RiskManager pre-trade checks', () => {
  test('approves an order inside every limit and scores it by the share of its tightest limit it uses', () => {
    setup();
    const decision = fx.risk.check(btcBuy());
    expect(decision.approved).toBe(true);
    if (!decision.approved) return;
    // margin 600 of the 1,000 position limit (10 % of 10,000) is the tightest: 60
    expect(decision.approval.riskScore).toBe(60);
    expect(decision.approval.order.margin.toString()).toBe('600');
    expect(decision.approval.order.notional.toString()).toBe('6000');
    expect(fx.risk.reservationCount()).toBe(1);
  });

  test.each([
    ['an unknown symbol', { instrumentId: 'NOPE/USDT:USDT' }, 'unknown_instrument'],
    ['a NaN quantity', { quantity: Number.NaN }, 'invalid_number'],
    ['an infinite reference price', { referencePrice: Number.POSITIVE_INFINITY }, 'invalid_number'],
    ['a NaN leverage', { leverage: Number.NaN }, 'invalid_number'],
    ['a quantity that is not a number', { quantity: 'ten' }, 'invalid_number'],
    ['a quantity below the lot size', { quantity: '0.5' }, 'invalid_quantity'],
    ['a quantity that is not a multiple of the lot', { quantity: '1.5' }, 'invalid_quantity'],
    ['a zero quantity', { quantity: '0' }, 'invalid_quantity'],
    ['a negative quantity', { quantity: '-3' }, 'invalid_quantity'],
    ['a limit price off the tick', { type: 'LIMIT', price: '60000.05' }, 'invalid_price'],
    ['a trigger price off the tick', { type: 'STOP_MARKET', triggerPrice: '59000.01' }, 'invalid_price'],
    ['leverage above the setting', { leverage: 11 }, 'invalid_leverage'],
    ['fractional leverage', { leverage: 2.5 }, 'invalid_leverage'],
    ['a limit order without a price', { type: 'LIMIT' }, 'invalid_order'],
    ['a market order without a reference price', { referencePrice: null }, 'invalid_order'],
    ['an emergency order that is not reduce-only', { emergency: true }, 'invalid_order'],
  ] as const)('denies %s before any venue call', (_name, overrides, code) => {
    setup();
    expect(denialCode(btcBuy(overrides as Partial<OrderProposal>))).toBe(code);
    expect(fx.venue.calls.submitOrder).toBe(0);
    expect(fx.risk.reservationCount()).toBe(0);
  });

  test('denies leverage above the instrument maximum even when the setting allows it', () => {
    setup({ settings: (s) => (s.risk.maxLeverage = 125) });
    expect(denialCode(btcBuy({ instrumentId: SOL.id, quantity: '1', referencePrice: '150', leverage: 51 }))).toBe('invalid_leverage');
    expect(denialCode(btcBuy({ instrumentId: SOL.id, quantity: '1', referencePrice: '150', leverage: 50 }))).toBeNull();
  });

  test('a reduce-only close of an over-levered position (adopted from the exchange) is not refused for its leverage', () => {
    setup();
    fx.account.adoptPosition({ instrumentId: BTC.id, side: 'LONG', quantity: Decimal.of(2), entryPrice: Decimal.of(60000), leverage: 20, ts: fx.clock.now() });
    expect(denialCode(btcBuy({ side: 'SELL', quantity: '2', leverage: 20 }))).toBe('invalid_leverage');
    expect(denialCode(btcBuy({ side: 'SELL', quantity: '2', leverage: 20, reduceOnly: true }))).toBeNull();
  });

  test('denies an order whose margin is above 10 % of capital', () => {
    setup();
    expect(denialCode(btcBuy({ quantity: '1667' }))).toBe('position_size'); // 1,000.2 margin
    expect(denialCode(btcBuy({ quantity: '1666' }))).toBeNull(); // 999.6
  });

  test('denies a fourth position while three are open', () => {
    setup();
    hold(BTC, 'BUY', '100', '60000');
    hold(ETH, 'BUY', '10', '3000');
    hold(SOL, 'SELL', '10', '150');
    expect(denialCode(btcBuy({ instrumentId: DOGE.id, quantity: '10', referencePrice: '0.1' }))).toBe('max_open_positions');
    // adding to an open position is not a new one
    expect(denialCode(btcBuy({ quantity: '10' }))).toBeNull();
  });

  test('counts positions being opened by approved orders that have not filled yet', () => {
    setup();
    hold(BTC, 'BUY', '100', '60000');
    expect(fx.risk.check(btcBuy({ instrumentId: ETH.id, quantity: '10', referencePrice: '3000' })).approved).toBe(true);
    expect(fx.risk.check(btcBuy({ instrumentId: SOL.id, quantity: '10', referencePrice: '150' })).approved).toBe(true);
    expect(denialCode(btcBuy({ instrumentId: DOGE.id, quantity: '10', referencePrice: '0.1' }))).toBe('max_open_positions');
  });

  test('denies more than 30 % of capital in one symbol, position and working orders together', () => {
    setup();
    hold(BTC, 'BUY', '4000', '60000'); // 2,400 margin at 10×
    expect(denialCode(btcBuy({ quantity: '1001' }))).toBe('symbol_concentration'); // 2,400 + 600.6 > 3,000
    expect(denialCode(btcBuy({ quantity: '1000' }))).toBeNull(); // exactly 3,000 is allowed
  });

  test('denies an order that would take margin utilisation to 80 % or more', () => {
    setup({ settings: (s) => {
      s.risk.maxSymbolConcentrationPct = 100;
      s.risk.maxPositionPctOfCapital = 100;
    } });
    hold(BTC, 'BUY', '10000', '60000', 10); // 6,000 margin
    hold(ETH, 'BUY', '50', '3000', 10); // 0.01 ETH per contract: 1,500 notional, 150 margin
    expect(denialCode(btcBuy({ quantity: '3084' }))).toBe('margin_utilization'); // 6,150 + 1,850.4 = 80.004 %
    expect(denialCode(btcBuy({ quantity: '3083' }))).toBeNull(); // 6,150 + 1,849.8 = 79.998 %
  });

  test('live sessions are capped by the staged order notional and total exposure', () => {
    setup({ stagedCaps: true });
    expect(denialCode(btcBuy({ quantity: '17' }))).toBe('max_order_notional'); // 102 > 100
    expect(fx.risk.check(btcBuy({ quantity: '16' })).approved).toBe(true); // 96
    hold(ETH, 'BUY', '6', '3000'); // 180 notional
    expect(denialCode(btcBuy({ quantity: '5' }))).toBe('max_total_exposure'); // 180 + 96 reserved + 30 = 306 > 300
    expect(fx.risk.check(btcBuy({ quantity: '4' })).approved).toBe(true); // 300
  });

  test('paper and backtest sessions do not apply the live caps', () => {
    setup({ stagedCaps: false });
    expect(denialCode(btcBuy({ quantity: '17' }))).toBeNull();
  });

  test('a denial carries its reason, a 0–100 score, raises risk_alert and is stored in risk_events', () => {
    setup();
    const decision = fx.risk.check(btcBuy({ quantity: '5000' }));
    expect(decision.approved).toBe(false);
    if (decision.approved) return;
    expect(decision.denial).toMatchObject({ code: 'position_size', riskScore: 100 });
    expect(decision.denial.message).toContain('10% of capital');
    const alerts = fx.eventsOf('risk_alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ code: 'order_denied_position_size', source: 'risk', severity: 'warning', instrumentId: BTC.id });
    expect(fx.store.riskEvents.get(decision.denial.alert.id)).toMatchObject({ code: 'order_denied_position_size', details: expect.objectContaining({ riskScore: 100 }) });
  });
});

describe('RiskManager concurrency', () => {
  test('two orders submitted at the same moment cannot both pass a limit only one of them fits', async () => {
    setup({ stub: { marketFills: 'manual' } });
    await fx.orders.start();
    // each needs 600 of the 1,000 concentration headroom left after a 2,400 position
    hold(BTC, 'BUY', '4000', '60000');
    const submit = async () => {
      const decision = fx.risk.check(btcBuy({ quantity: '1000' }));
      if (!decision.approved) return decision.denial.code;
      const outcome = await fx.orders.submit(decision.approval);
      return outcome.accepted ? 'accepted' : outcome.denial.code;
    };
    const results = await Promise.all([submit(), submit(), submit()]);
    // 2,400 + 600 = 3,000 is exactly the 30 % limit; a second 600 would be 3,600
    expect(results.filter((r) => r === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r === 'symbol_concentration')).toHaveLength(2);
    await fx.settle();
    expect(fx.venue.ordersCreated).toBe(1);
  });

  test('a released reservation frees its room for the next order', async () => {
    setup({ stub: { marketFills: 'manual' } });
    await fx.orders.start();
    hold(BTC, 'BUY', '4000', '60000');
    const first = fx.risk.check(btcBuy({ type: 'LIMIT', price: '59000', quantity: '1000' }));
    expect(first.approved).toBe(true);
    expect(denialCode(btcBuy({ quantity: '1000' }))).toBe('symbol_concentration');
    if (!first.approved) return;
    const outcome = await fx.orders.submit(first.approval);
    await fx.settle();
    if (!outcome.accepted) throw new Error('expected acceptance');
    await fx.orders.cancel(outcome.order.clientOrderId);
    await fx.settle();
    expect(fx.risk.reservationCount()).toBe(0);
    expect(denialCode(btcBuy({ quantity: '1000' }))).toBeNull();
  });
});

describe('RiskManager trading state and protections', () => {
  test('REDUCING lets only reduce-only orders through', () => {
    setup();
    hold(BTC, 'BUY', '100', '60000');
    fx.risk.setTradingState('REDUCING');
    expect(denialCode(btcBuy({ quantity: '1' }))).toBe('reducing_only');
    expect(denialCode(btcBuy({ side: 'SELL', quantity: '100', reduceOnly: true }))).toBeNull();
  });

  test('HALTED denies even reduce-only orders unless they are emergency actions', () => {
    setup();
    hold(BTC, 'BUY', '100', '60000');
    const changes: string[] = [];
    fx.risk.onTradingStateChange((c) => changes.push(`${c.previous}->${c.state}`));
    fx.risk.setTradingState('HALTED');
    expect(denialCode(btcBuy({ side: 'SELL', quantity: '100', reduceOnly: true }))).toBe('trading_halted');
    expect(denialCode(btcBuy({ side: 'SELL', quantity: '100', reduceOnly: true, emergency: true }))).toBeNull();
    expect(changes).toEqual(['ACTIVE->HALTED']);
  });

  test('a reduce-only order larger than the position (with closes already working) is denied', () => {
    setup();
    hold(BTC, 'BUY', '100', '60000');
    expect(fx.risk.check(btcBuy({ side: 'SELL', quantity: '60', reduceOnly: true })).approved).toBe(true);
    expect(denialCode(btcBuy({ side: 'SELL', quantity: '50', reduceOnly: true }))).toBe('reduce_only_exceeds_position');
    expect(denialCode(btcBuy({ side: 'BUY', quantity: '10', reduceOnly: true }))).toBe('reduce_only_without_position');
  });

  test('a 5 % daily loss halts trading until the next UTC day', () => {
    setup();
    hold(BTC, 'BUY', '10000', '60000');
    fx.risk.refresh(); // the day starts at 10,000
    fx.account.mark(BTC.id, '59500'); // −500 = −5 %
    expect(denialCode(ethBuy())).toBe('daily_loss');
    expect(fx.risk.tradingState()).toBe('HALTED');
    expect(fx.eventsOf('risk_alert').some((a) => a.code === 'daily_loss' && a.severity === 'critical')).toBe(true);
    const midnight = (Math.floor(fx.clock.now() / DAY_MS) + 1) * DAY_MS;
    fx.clock.advanceTo(midnight - 1);
    expect(fx.risk.tradingState()).toBe('HALTED');
    fx.clock.advanceTo(midnight);
    expect(fx.risk.tradingState()).toBe('ACTIVE');
    expect(denialCode(ethBuy())).toBeNull();
  });

  test('a 4.99 % daily loss does not halt', () => {
    setup();
    hold(BTC, 'BUY', '10000', '60000');
    fx.risk.refresh();
    fx.account.mark(BTC.id, '59500.1');
    expect(denialCode(ethBuy())).toBeNull();
  });

  test('a 15 % drawdown from the peak halts until the trader resumes, and resuming measures from there', () => {
    setup({ settings: (s) => (s.risk.maxDailyLossPct = 100) });
    hold(BTC, 'BUY', '10000', '60000');
    fx.account.mark(BTC.id, '62000'); // equity 12,000: the new peak
    fx.risk.refresh();
    fx.account.mark(BTC.id, '60200'); // 10,200 = 15 % below 12,000
    expect(denialCode(ethBuy())).toBe('drawdown');
    fx.risk.setTradingState('ACTIVE');
    expect(denialCode(ethBuy())).toBeNull();
  });

  test('three losing trades in a row pause new entries for the cooldown, exits still pass', () => {
    setup();
    hold(BTC, 'BUY', '100', '60000');
    for (let i = 0; i < 3; i++) fx.risk.recordTradeResult(Decimal.of('-1'));
    expect(denialCode(btcBuy({ quantity: '1' }))).toBe('loss_cooldown');
    expect(denialCode(btcBuy({ side: 'SELL', quantity: '100', reduceOnly: true }))).toBeNull();
    fx.clock.advanceBy(60 * 60_000);
    expect(denialCode(btcBuy({ quantity: '1' }))).toBeNull();
  });

  test('a win between losses resets the count', () => {
    setup();
    for (const pnl of ['-1', '-1', '2', '-1', '-1']) fx.risk.recordTradeResult(Decimal.of(pnl));
    expect(denialCode(btcBuy({ quantity: '1' }))).toBeNull();
  });

  test('protections survive a restart through their snapshot', () => {
    setup();
    for (let i = 0; i < 3; i++) fx.risk.recordTradeResult(Decimal.of('-1'));
    const snapshot = fx.risk.snapshotProtections();
    const first = fx;
    setup();
    fx.risk.restoreProtections(JSON.parse(JSON.stringify(snapshot)) as typeof snapshot);
    expect(denialCode(btcBuy({ quantity: '1' }))).toBe('loss_cooldown');
    void first.close();
  });
});
