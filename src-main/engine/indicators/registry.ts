/** The public face of the indicators layer: everything other engine modules need. */
export { INDICATOR_TYPES, type Indicator, type IndicatorType } from './core/indicator';
export { IndicatorContext } from './core/indicator-context';
export type { BookLevel, TradeSide } from './core/market-listener';
export { InstrumentIndicators, type InstrumentIndicatorsOptions } from './instrument-indicators';
export {
  MAX_COUNT_PARAM,
  createIndicator,
  describeIndicatorTypes,
  isIndicatorType,
  isPortfolioSuppliedIndicator,
  resolveIndicatorVariant,
  type IndicatorParamDescription,
  type IndicatorTypeDescription,
  type IndicatorVariantSpec,
  type NamedVariants,
  type ParamKind,
  type ResolvedVariant,
} from './indicator-types';
export { UNREALIZED_PNL_PCT } from './unrealized-pnl';
export { formatVariantId, parseVariantId, type ParsedVariantId } from './variant-id';
