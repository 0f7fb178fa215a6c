import { Decimal, PrecisionError, type DecimalInput } from './decimal';

/** A price in quote currency (USDT). May be negative only for spreads, never for orders. */
export class Price extends Decimal {
  declare private readonly kind: 'Price';
  static override of(value: DecimalInput): Price {
    return new Price(Decimal.toRaw(value));
  }
  static override fromRaw(raw: bigint): Price {
    return new Price(raw);
  }
}

/** A quantity: never negative. Direction lives in the side, not in the sign. */
export class Quantity extends Decimal {
  declare private readonly kind: 'Quantity';
  static override of(value: DecimalInput): Quantity {
    const raw = Decimal.toRaw(value);
    if (raw < 0n) throw new PrecisionError(`a quantity cannot be negative: ${Decimal.fromRaw(raw).toString()}`);
    return new Quantity(raw);
  }
  static override fromRaw(raw: bigint): Quantity {
    if (raw < 0n) throw new PrecisionError(`a quantity cannot be negative: ${Decimal.fromRaw(raw).toString()}`);
    return new Quantity(raw);
  }
  static readonly ZERO_QTY = new Quantity(0n);
}

/** An amount of a currency. Amounts of different currencies never mix. */
export class Money extends Decimal {
  readonly currency: string;
  private constructor(raw: bigint, currency: string) {
    super(raw);
    this.currency = currency;
  }
  static money(value: DecimalInput, currency = 'USDT'): Money {
    return new Money(Decimal.toRaw(value), currency);
  }
  static zero(currency = 'USDT'): Money {
    return new Money(0n, currency);
  }
  private same(other: DecimalInput): bigint {
    if (other instanceof Money && other.currency !== this.currency) {
      throw new PrecisionError(`cannot combine ${this.currency} with ${other.currency}`);
    }
    return Decimal.toRaw(other);
  }
  plus(other: DecimalInput): Money {
    return new Money(this.raw + this.same(other), this.currency);
  }
  minus(other: DecimalInput): Money {
    return new Money(this.raw - this.same(other), this.currency);
  }
  times(factor: DecimalInput, rounding: 'down' | 'half-even' = 'half-even'): Money {
    return new Money(this.mul(factor, rounding).raw, this.currency);
  }
  override toJSON(): string {
    return this.toString();
  }
}
