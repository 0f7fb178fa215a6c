import {
  AccountSuspended,
  AuthenticationError,
  BadRequest,
  BadResponse,
  BadSymbol,
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  InsufficientFunds,
  InvalidNonce,
  InvalidOrder,
  NetworkError,
  OnMaintenance,
  OrderNotFound,
  PermissionDenied,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import { describe, expect, test } from 'vitest';
import { API_ORDERS_REFUSED_MESSAGE, mexcCodeOf, toVenueError } from './ccxt-errors';
import { VenueError } from './venue';

const mexcBody = (code: number, message: string): string => `mexc {"success":false,"code":${code},"message":"${message}"}`;

describe('ccxt errors become venue error families', () => {
  test.each([
    [new RequestTimeout('mexc GET … request timed out (300 ms)'), 'timeout'],
    [new RateLimitExceeded(mexcBody(510, 'Requests are too frequent!')), 'rate_limited'],
    [new DDoSProtection('mexc 418'), 'rate_limited'],
    [new ExchangeNotAvailable('mexc GET … 503 Service Unavailable'), 'exchange_unavailable'],
    [new OnMaintenance(mexcBody(801, 'System under maintenance')), 'exchange_unavailable'],
    [new NetworkError('mexc GET … fetch failed: socket hang up'), 'network'],
    [new InvalidNonce('mexc 700003 outside recvWindow'), 'network'],
    [new ExchangeError(mexcBody(500, 'System internal error!')), 'exchange_unavailable'],
  ] as const)('%s is retryable (%s)', (error, kind) => {
    const mapped = toVenueError(error, 'submit');
    expect([mapped.family, mapped.kind]).toEqual(['retryable', kind]);
  });

  test.each([
    [new InvalidOrder(mexcBody(2011, 'Order quantity error')), 'invalid_order'],
    [new BadRequest(mexcBody(600, 'Param error!')), 'invalid_order'],
    [new BadSymbol(mexcBody(1001, 'Contract does not exist!')), 'invalid_order'],
    [new InsufficientFunds(mexcBody(2005, 'Insufficient balance!')), 'insufficient_funds'],
    [new AuthenticationError(mexcBody(602, 'Signature verification failed!')), 'authentication'],
    [new OrderNotFound('mexc order 1 not found'), 'order_not_found'],
    [new ExchangeError(mexcBody(2040, 'order not exist')), 'order_not_found'],
    [new BadResponse('mexc garbled'), 'bad_response'],
    [new TypeError("Cannot read properties of undefined (reading 'data')"), 'bad_response'],
  ] as const)('%s is terminal (%s)', (error, kind) => {
    const mapped = toVenueError(error, 'submit');
    expect([mapped.family, mapped.kind]).toEqual(['terminal', kind]);
  });

  test('MEXC refusing API order placement tells the trader plainly what to do, whatever ccxt class carried it', () => {
    for (const error of [
      new InvalidOrder(mexcBody(1002, 'Contract not allow place order!')),
      new PermissionDenied(mexcBody(704, 'Please enable API Key trading information write access')),
      new AccountSuspended(mexcBody(30018, 'account cannot place orders')),
    ]) {
      const mapped = toVenueError(error, 'submit');
      expect(mapped.kind).toBe('permission_denied');
      expect(mapped.family).toBe('terminal');
      expect(mapped.message.startsWith(API_ORDERS_REFUSED_MESSAGE)).toBe(true);
    }
  });

  test('the same refusal on a query is a permission problem with the key, not an order refusal', () => {
    const mapped = toVenueError(new PermissionDenied(mexcBody(701, 'Please enable API Key read access')), 'query');
    expect(mapped.kind).toBe('permission_denied');
    expect(mapped.message).not.toContain('place futures orders');
  });

  test('an unclassified exchange refusal is a refused order when placing, an unusable answer when querying', () => {
    const error = new ExchangeError(mexcBody(2007, 'Order price error!'));
    expect(toVenueError(error, 'submit').kind).toBe('invalid_order');
    expect(toVenueError(error, 'query').kind).toBe('bad_response');
  });

  test('a VenueError passes through unchanged, and the MEXC code is read from the message', () => {
    const original = new VenueError('timeout', 'x');
    expect(toVenueError(original, 'query')).toBe(original);
    expect(mexcCodeOf(new Error(mexcBody(1002, 'x')))).toBe(1002);
    expect(mexcCodeOf(new Error('mexc GET http://x 503 Service Unavailable <html>'))).toBeNull();
  });
});
