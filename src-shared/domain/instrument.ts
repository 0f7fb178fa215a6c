import { Decimal, PrecisionError } from './decimal';
import type { InstrumentId } from './ids';
import { Money, Price, Quantity } from './values';

/**
 * A tradable perpetual. Order amounts are in contracts (MEXC style); one contract is
 * `contractSize` units of the base asset, so notional = price × contracts × contractSize.
 */
export interface Instrument {
  id: InstrumentId;
  venue: string;
  symbol: string; // venue symbol, e.g. BTC_USDT
  base: string;
  quote: string;
  settle: string;
  tickSize: Price;
  lotSize: Quantity; // contracts step
  minQuantity: Quantity; // in contracts
  contractSize: Decimal; // base units per contract
  maxLeverage: number;
  makerFee: Decimal; // fraction, e.g. 0.0002
  takerFee: Decimal;
}

export function notional(instrument: Instrument, price: Price, contracts: Quantity): Money {
  return Money.money(price.mul(contracts, 'half-even').mul(instrument.contractSize, 'half-even'), instrument.settle);
}

/** The problem with a price for this instrument, or null when it is valid. */
export function checkPrice(instrument: Instrument, price: Price): string | null {
  if (!price.isPositive()) return `price ${price.toString()} must be positive`;
  if (!price.isMultipleOf(instrument.tickSize)) return `price ${price.toString()} is not a multiple of the tick size ${instrument.tickSize.toString()}`;
  return null;
}

/** The problem with a quantity (contracts) for this instrument, or null when it is valid. */
export function checkQuantity(instrument: Instrument, quantity: Quantity): string | null {
  if (!quantity.isPositive()) return `quantity ${quantity.toString()} must be positive`;
  if (quantity.lt(instrument.minQuantity)) return `quantity ${quantity.toString()} is below the minimum ${instrument.minQuantity.toString()}`;
  if (!quantity.isMultipleOf(instrument.lotSize)) return `quantity ${quantity.toString()} is not a multiple of the lot size ${instrument.lotSize.toString()}`;
  return null;
}

export function roundPrice(instrument: Instrument, price: Decimal, rounding: 'down' | 'up' | 'half-even' = 'half-even'): Price {
  return Price.of(price.roundToStep(instrument.tickSize, rounding));
}

export function roundQuantity(instrument: Instrument, quantity: Decimal): Quantity {
  if (quantity.isNegative()) throw new PrecisionError('quantity cannot be negative');
  return Quantity.of(quantity.roundToStep(instrument.lotSize, 'down'));
}

export interface InstrumentSpec {
  id: string;
  venue: string;
  symbol: string;
  base: string;
  quote: string;
  settle?: string;
  tickSize: string;
  lotSize: string;
  minQuantity?: string;
  contractSize: string;
  maxLeverage: number;
  makerFee: string;
  takerFee: string;
}

export function instrumentFromSpec(spec: InstrumentSpec): Instrument {
  const tickSize = Price.of(spec.tickSize);
  const lotSize = Quantity.of(spec.lotSize);
  const contractSize = Decimal.of(spec.contractSize);
  if (!tickSize.isPositive() || !lotSize.isPositive() || !contractSize.isPositive()) {
    throw new PrecisionError(`instrument ${spec.id}: tick size, lot size and contract size must be positive`);
  }
  return {
    id: spec.id as InstrumentId,
    venue: spec.venue,
    symbol: spec.symbol,
    base: spec.base,
    quote: spec.quote,
    settle: spec.settle ?? spec.quote,
    tickSize,
    lotSize,
    minQuantity: Quantity.of(spec.minQuantity ?? spec.lotSize),
    contractSize,
    maxLeverage: spec.maxLeverage,
    makerFee: Decimal.of(spec.makerFee),
    takerFee: Decimal.of(spec.takerFee),
  };
}
