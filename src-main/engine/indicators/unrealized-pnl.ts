/**
 * UNREALIZED_PNL_PCT is a strategy input like the others, but it describes the open position,
 * so the portfolio supplies it; market data cannot. The registry lists it so strategy validation
 * and the UI know the id, and refuses to build it from ticks.
 */
export const UNREALIZED_PNL_PCT = 'UNREALIZED_PNL_PCT';
