import type { SimClock } from './exchange';

/**
 * Which requests a fault applies to: a substring of the path ('order/create'), a RegExp on the
 * path, or a predicate. Omitted: every request.
 */
export type RequestMatcher = string | RegExp | ((request: { method: string; path: string }) => boolean);

export interface FaultOptions {
  match?: RequestMatcher;
}

export type FaultKind = 'http_error' | 'rate_limit' | 'hang' | 'garble' | 'drop_after_accept';

interface Fault {
  kind: FaultKind;
  match: RequestMatcher | undefined;
  /** Requests left; Infinity for time-boxed faults. */
  remaining: number;
  /** Clock ms after which the fault stops; Infinity for counted faults. */
  until: number;
  status: number;
}

const matches = (matcher: RequestMatcher | undefined, request: { method: string; path: string }): boolean => {
  if (matcher === undefined) return true;
  if (typeof matcher === 'string') return request.path.includes(matcher);
  if (matcher instanceof RegExp) return matcher.test(request.path);
  return matcher(request);
};

/** The "next N requests" and "for the next T ms" faults of the simulator, consumed in order. */
export class FaultPlan {
  private faults: Fault[] = [];
  /** While set, order placement answers MEXC's refusal for accounts without API futures trading. */
  orderPlacementForbidden = false;

  constructor(private readonly clock: SimClock) {}

  /** The next n matching requests answer HTTP `status` (default 503) with an HTML error page, like a gateway. */
  failNext(n: number, options: FaultOptions & { status?: number } = {}): void {
    this.add('http_error', n, Infinity, options.match, options.status ?? 503);
  }

  /** The next n matching requests answer HTTP 429 with MEXC code 510 ("Requests are too frequent"). */
  rateLimitNext(n: number, options: FaultOptions = {}): void {
    this.add('rate_limit', n, Infinity, options.match, 429);
  }

  /** Every matching request answers HTTP 429 / code 510 until `ms` of the simulator clock have passed. */
  rateLimitFor(ms: number, options: FaultOptions = {}): void {
    this.add('rate_limit', Infinity, this.clock.now() + ms, options.match, 429);
  }

  /** The next n matching requests are never answered (the client's timeout fires). Nothing is executed. */
  hangNext(n: number, options: FaultOptions = {}): void {
    this.add('hang', n, Infinity, options.match, 0);
  }

  /** The next n matching requests are executed, then answered 200 with a truncated JSON body. */
  garbleNext(n: number, options: FaultOptions = {}): void {
    this.add('garble', n, Infinity, options.match, 200);
  }

  /**
   * The next n matching requests (default: order placement) are executed — the order is accepted
   * and matched — and then the connection is dropped without an answer.
   */
  dropResponseAfterAccept(n = 1, options: FaultOptions = {}): void {
    this.add('drop_after_accept', n, Infinity, options.match ?? /\/order\/(create|submit)$/, 0);
  }

  forbidOrderPlacement(forbidden = true): void {
    this.orderPlacementForbidden = forbidden;
  }

  clear(): void {
    this.faults = [];
    this.orderPlacementForbidden = false;
  }

  /** Pending faults, for assertions. */
  pending(): { kind: FaultKind; remaining: number; until: number }[] {
    this.expire();
    return this.faults.map((f) => ({ kind: f.kind, remaining: f.remaining, until: f.until }));
  }

  /** The first pending fault of these kinds that applies to the request; consumes one use of it. */
  take(kinds: readonly FaultKind[], request: { method: string; path: string }): { kind: FaultKind; status: number } | null {
    this.expire();
    const fault = this.faults.find((f) => kinds.includes(f.kind) && matches(f.match, request));
    if (fault === undefined) return null;
    fault.remaining -= 1;
    this.expire();
    return { kind: fault.kind, status: fault.status };
  }

  private add(kind: FaultKind, remaining: number, until: number, match: RequestMatcher | undefined, status: number): void {
    if (!(remaining > 0)) throw new Error(`fault ${kind}: the count must be positive`);
    this.faults.push({ kind, match, remaining, until, status });
  }

  private expire(): void {
    const now = this.clock.now();
    this.faults = this.faults.filter((f) => f.remaining > 0 && now < f.until);
  }
}
