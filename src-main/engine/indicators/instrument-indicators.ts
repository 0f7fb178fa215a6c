import type { Indicator } from './core/indicator';
import { IndicatorContext } from './core/indicator-context';
import type { BookLevel, TradeSide } from './core/market-listener';
import { createIndicator, type NamedVariants } from './indicator-types';

export interface InstrumentIndicatorsOptions {
  /** Trader-named variants, looked up before the id is parsed as NAME(n,...). */
  readonly namedVariants?: NamedVariants;
}

/**
 * The indicator variants of one instrument, fed by its trades and book snapshots. Each variant
 * id gets its own indicator (so two variants of a type never share a value), while identical
 * building blocks underneath (a TWPA window, a book series) are computed once.
 *
 * Time is event time only: "now" is the timestamp of the latest update; nothing here reads a clock.
 */
export class InstrumentIndicators {
  private readonly context = new IndicatorContext();
  private readonly indicators = new Map<string, Indicator>();

  /** Throws, naming the variant id and the problem, if any id is unknown or has impossible parameters. */
  constructor(variantIds: readonly string[], options: InstrumentIndicatorsOptions = {}) {
    for (const variantId of variantIds) {
      if (!this.indicators.has(variantId)) this.indicators.set(variantId, createIndicator(variantId, this.context, options.namedVariants));
    }
  }

  get variantIds(): string[] {
    return [...this.indicators.keys()];
  }

  /** Event time of the latest update, or null before the first one. */
  get now(): number | null {
    return this.context.now;
  }

  has(variantId: string): boolean {
    return this.indicators.has(variantId);
  }

  /** ts in epoch ms (event time); quantity in base units. Throws on a non-positive or non-finite price. */
  onTrade(ts: number, price: number, quantity: number, side: TradeSide): void {
    this.context.onTrade(ts, price, quantity, side);
  }

  /** The current top levels of the book (not a delta), best first on each side. */
  onBook(ts: number, bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
    this.context.onBook(ts, bids, asks);
  }

  /** The variant's value now, or null while undefined. Throws for a variant this set does not track. */
  value(variantId: string): number | null {
    const indicator = this.indicators.get(variantId);
    if (indicator === undefined) throw new Error(`Indicator variant "${variantId}" is not tracked for this instrument`);
    return indicator.value();
  }

  values(): Record<string, number | null> {
    const values: Record<string, number | null> = {};
    for (const [variantId, indicator] of this.indicators) values[variantId] = indicator.value();
    return values;
  }
}
