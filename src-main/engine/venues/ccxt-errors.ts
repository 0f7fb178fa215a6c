import {
  AccountSuspended,
  AuthenticationError,
  BadRequest,
  BadResponse,
  BadSymbol,
  BaseError,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidOrder,
  NetworkError,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import { VenueError } from './venue';

/** What the venue was doing: the same exchange refusal means different things for an order and a query. */
export type VenueOperation = 'submit' | 'cancel' | 'query';

export const API_ORDERS_REFUSED_MESSAGE =
  'MEXC refused to place futures orders through the API for this account; trade on the MEXC website or ask MEXC to enable API futures trading';

/**
 * MEXC codes that mean "this account (or contract) may not place orders through the API":
 * 1002 "Contract not allow place order!" is what MEXC answered when it switched API futures
 * trading off (ccxt issues #14293, #14474, #15055); 702/704 "enable API key write/trading
 * access"; 511 "no access to the interface"; 30018 "account temporarily cannot place orders";
 * 70011 "pair user ban trade apikey".
 */
const ORDER_PLACEMENT_REFUSED = new Set([1002, 702, 704, 511, 30018, 70011]);
/** MEXC "order not exist". */
const ORDER_NOT_FOUND = new Set([2040]);
/** MEXC "System internal error" / "system busy": outcome unknown, safe to retry with the same client id. */
const EXCHANGE_BUSY = new Set([500, 501, 503, 9999]);

/** The MEXC `code` inside a ccxt error message ("mexc {"success":false,"code":1002,...}"), or null. */
export function mexcCodeOf(error: unknown): number | null {
  if (!(error instanceof Error)) return null;
  const start = error.message.indexOf('{');
  if (start < 0) return null;
  try {
    const body: unknown = JSON.parse(error.message.slice(start));
    const code = typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
    const n = Number(code);
    return Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Maps whatever a ccxt call threw to a VenueError family. Retryable: network, timeout, rate
 * limit, exchange unavailable (incl. MEXC's "internal error", whose outcome is unknown — retrying
 * with the same client order id cannot duplicate the order). Terminal: everything else, with
 * the kind the trader needs. An error that is not ccxt's (a TypeError from a parse of a garbled
 * answer) is a `bad_response`, so the engine keeps running.
 */
export function toVenueError(error: unknown, operation: VenueOperation): VenueError {
  if (error instanceof VenueError) return error;
  const message = describe(error);
  const code = mexcCodeOf(error);
  if (!(error instanceof BaseError)) return new VenueError('bad_response', `unexpected answer from MEXC: ${message}`, error);

  if (error instanceof RequestTimeout) return new VenueError('timeout', message, error);
  if (error instanceof RateLimitExceeded || error instanceof DDoSProtection) return new VenueError('rate_limited', message, error);
  if (error instanceof ExchangeNotAvailable) return new VenueError('exchange_unavailable', message, error);
  if (error instanceof NetworkError) return new VenueError('network', message, error);
  if (error instanceof BadResponse) return new VenueError('bad_response', message, error);

  if (code !== null && ORDER_PLACEMENT_REFUSED.has(code) && operation === 'submit') {
    return new VenueError('permission_denied', `${API_ORDERS_REFUSED_MESSAGE} (MEXC said: ${message})`, error);
  }
  if (error instanceof PermissionDenied || error instanceof AccountSuspended) {
    const plain = operation === 'submit' ? API_ORDERS_REFUSED_MESSAGE : 'MEXC denied this request for the API key; check its permissions on the MEXC website';
    return new VenueError('permission_denied', `${plain} (MEXC said: ${message})`, error);
  }
  if (error instanceof AuthenticationError) {
    return new VenueError('authentication', `MEXC rejected the API key or its signature; check the key and secret (MEXC said: ${message})`, error);
  }
  if (error instanceof InsufficientFunds) return new VenueError('insufficient_funds', message, error);
  if (error instanceof OrderNotFound || (code !== null && ORDER_NOT_FOUND.has(code))) return new VenueError('order_not_found', message, error);
  if (code !== null && EXCHANGE_BUSY.has(code)) return new VenueError('exchange_unavailable', message, error);
  if (error instanceof InvalidOrder || error instanceof BadSymbol || error instanceof BadRequest) return new VenueError('invalid_order', message, error);
  if (error instanceof ExchangeError) {
    // an unclassified refusal: for an order it is the order that was refused; for a query the answer is unusable
    return new VenueError(operation === 'query' ? 'bad_response' : 'invalid_order', message, error);
  }
  return new VenueError('bad_response', message, error);
}
