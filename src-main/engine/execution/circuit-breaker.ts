import {
  CircuitState,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
  isIsolatedCircuitError,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
  type IBreaker,
  type IDisposable,
  type IHalfOpenAfterBackoffContext,
} from 'cockatiel';
import type { Clock, TimerHandle } from '../clock/clock';

export type CircuitBreakerState = 'closed' | 'open' | 'half-open';

export type CircuitBreakerStateListener = (state: CircuitBreakerState, previous: CircuitBreakerState) => void;

export interface CircuitBreakerOptions {
  /** Shown in errors and metrics labels, e.g. the venue id. */
  name: string;
  clock: Clock;
  /** Failures within failureWindowMs that open the circuit (ARCHITECTURE §9: 5 in 60 s). */
  failureThreshold: number;
  failureWindowMs: number;
  /** How long the circuit stays open before one trial call is let through (30 s). */
  halfOpenAfterMs: number;
  /**
   * Which errors count against the venue. Terminal errors such as an invalid order or
   * insufficient funds prove the venue is answering, so they must not open the circuit.
   * Default: every error counts.
   */
  isFailure?: (error: unknown) => boolean;
  onStateChange?: CircuitBreakerStateListener;
  logger?: { error(message: string, context?: Record<string, unknown>): void };
}

export interface CircuitBreakerMetrics {
  state: CircuitBreakerState;
  /** Calls that failed with an error classified as a failure, since construction. */
  failures: number;
  successes: number;
  /** Calls refused with CircuitBreakerOpenError without running. */
  rejections: number;
  opens: number;
  lastOpenedAt: number | null;
}

/** Thrown instead of running the call while the circuit is open. */
export class CircuitBreakerOpenError extends Error {
  override name = 'CircuitBreakerOpenError';
  constructor(
    readonly breakerName: string,
    /** Clock time until a trial call will be let through; 0 when one is already due or running. */
    readonly retryAfterMs: number,
  ) {
    super(`circuit breaker ${breakerName} is open; a trial call is allowed in ${retryAfterMs} ms`);
  }
}

/**
 * Opens when `threshold` failures fall within the last `windowMs` of the injected clock.
 * cockatiel's SamplingBreaker reads Date.now() and judges a failure *rate*; the spec is a
 * failure *count* in a window on the engine's clock, so replay behaves exactly as live.
 */
class WindowedFailureBreaker implements IBreaker {
  private failureTimes: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly threshold: number,
    private readonly windowMs: number,
  ) {}

  get state(): unknown {
    return { failureTimes: [...this.failureTimes] };
  }
  set state(value: unknown) {
    const times = (value as { failureTimes?: unknown } | null)?.failureTimes;
    this.failureTimes = Array.isArray(times) ? times.filter((t): t is number => typeof t === 'number') : [];
  }

  success(state: CircuitState): void {
    if (state === CircuitState.HalfOpen) this.clear();
  }

  failure(state: CircuitState): boolean {
    if (state !== CircuitState.Closed) return true;
    const now = this.clock.now();
    this.failureTimes.push(now);
    while (this.failureTimes.length > 0 && now - this.failureTimes[0]! >= this.windowMs) this.failureTimes.shift();
    // only the newest `threshold` can matter; keeps the array bounded under a failure storm
    if (this.failureTimes.length > this.threshold) this.failureTimes.shift();
    return this.failureTimes.length >= this.threshold;
  }

  clear(): void {
    this.failureTimes = [];
  }
}

/**
 * cockatiel decides "still open" with `Date.now() - openedAt < backoff.duration`. Its Date.now()
 * is wall time, so instead of a fixed duration this backoff answers from the injected clock:
 * +Infinity (stay open) until halfOpenAfterMs of clock time has passed since it was created —
 * cockatiel creates it at the moment it opens — and -Infinity (let a trial through) after.
 * Wall time then never decides anything, and SimulatedClock needs no real waiting.
 */
class ClockGatedHalfOpen implements IBackoffFactory<IHalfOpenAfterBackoffContext> {
  constructor(
    private readonly clock: Clock,
    private readonly halfOpenAfterMs: number,
  ) {}

  next(): IBackoff<IHalfOpenAfterBackoffContext> {
    const clock = this.clock;
    const openedAt = clock.now();
    const halfOpenAfterMs = this.halfOpenAfterMs;
    return {
      get duration(): number {
        return clock.now() - openedAt >= halfOpenAfterMs ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      },
      next: () => this.next(),
    };
  }
}

/**
 * Every venue call goes through one of these (ARCHITECTURE §9): opens after failureThreshold
 * failures within failureWindowMs, lets one trial call through after halfOpenAfterMs, closes
 * after that trial succeeds and re-opens if it fails. Built on cockatiel's CircuitBreakerPolicy;
 * all timing comes from the injected clock.
 */
export class CircuitBreaker {
  readonly name: string;
  private readonly clock: Clock;
  private readonly failureThreshold: number;
  private readonly failureWindowMs: number;
  private readonly halfOpenAfterMs: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly logger: CircuitBreakerOptions['logger'];
  private readonly listeners = new Set<CircuitBreakerStateListener>();

  private policy!: CircuitBreakerPolicy;
  private breaker!: WindowedFailureBreaker;
  private policyEvents: IDisposable[] = [];
  private reported: CircuitBreakerState = 'closed';
  private openedAt: number | null = null;
  private halfOpenTimer: TimerHandle | null = null;
  private disposed = false;

  private failures = 0;
  private successes = 0;
  private rejections = 0;
  private opens = 0;
  private lastOpenedAt: number | null = null;

  constructor(options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError(`failureThreshold must be a positive integer, got ${options.failureThreshold}`);
    }
    if (!(options.failureWindowMs > 0)) throw new RangeError(`failureWindowMs must be positive, got ${options.failureWindowMs}`);
    if (!(options.halfOpenAfterMs >= 0)) throw new RangeError(`halfOpenAfterMs must be non-negative, got ${options.halfOpenAfterMs}`);
    this.name = options.name;
    this.clock = options.clock;
    this.failureThreshold = options.failureThreshold;
    this.failureWindowMs = options.failureWindowMs;
    this.halfOpenAfterMs = options.halfOpenAfterMs;
    this.isFailure = options.isFailure ?? (() => true);
    this.logger = options.logger;
    if (options.onStateChange !== undefined) this.listeners.add(options.onStateChange);
    this.buildPolicy();
  }

  /**
   * Runs fn unless the circuit is open. While a half-open trial runs, further calls wait for
   * its outcome and then run (closed) or are refused (re-opened).
   * @throws CircuitBreakerOpenError while open; otherwise whatever fn throws.
   */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    let ran = false;
    try {
      return await this.policy.execute(() => {
        ran = true;
        return fn();
      });
    } catch (error) {
      // `ran` tells cockatiel's refusal apart from the same error class thrown by fn itself
      if (!ran && (isBrokenCircuitError(error) || isIsolatedCircuitError(error))) {
        this.rejections++;
        throw new CircuitBreakerOpenError(this.name, this.retryAfterMs());
      }
      throw error;
    }
  }

  getState(): CircuitBreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      case CircuitState.Open:
      case CircuitState.Isolated:
        // cockatiel only moves to HalfOpen when the trial call arrives; the trial is due already
        return this.retryAfterMs() === 0 ? 'half-open' : 'open';
    }
  }

  /** Forces the circuit closed and forgets recent failures; lifetime counters in metrics() stay monotonic. */
  reset(): void {
    this.releasePolicy();
    this.openedAt = null;
    this.buildPolicy();
    this.report('closed');
  }

  metrics(): CircuitBreakerMetrics {
    return {
      state: this.getState(),
      failures: this.failures,
      successes: this.successes,
      rejections: this.rejections,
      opens: this.opens,
      lastOpenedAt: this.lastOpenedAt,
    };
  }

  onStateChange(listener: CircuitBreakerStateListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Releases the half-open timer and every listener; calls still run but no events fire. */
  dispose(): void {
    this.disposed = true;
    this.releasePolicy();
    this.listeners.clear();
  }

  private retryAfterMs(): number {
    if (this.openedAt === null) return 0;
    return Math.max(0, this.openedAt + this.halfOpenAfterMs - this.clock.now());
  }

  private buildPolicy(): void {
    this.breaker = new WindowedFailureBreaker(this.clock, this.failureThreshold, this.failureWindowMs);
    this.policy = circuitBreaker(handleWhen((error) => this.isFailure(error)), {
      halfOpenAfter: new ClockGatedHalfOpen(this.clock, this.halfOpenAfterMs),
      breaker: this.breaker,
    });
    this.policyEvents = [
      this.policy.onStateChange((state) => this.onPolicyState(state)),
      this.policy.onSuccess(() => {
        this.successes++;
      }),
      this.policy.onFailure((failure) => {
        if (failure.handled) this.failures++;
      }),
    ];
  }

  private releasePolicy(): void {
    for (const event of this.policyEvents) event.dispose();
    this.policyEvents = [];
    this.clearHalfOpenTimer();
  }

  private onPolicyState(state: CircuitState): void {
    switch (state) {
      case CircuitState.Open:
      case CircuitState.Isolated: {
        const now = this.clock.now();
        this.openedAt = now;
        this.lastOpenedAt = now;
        this.opens++;
        this.clearHalfOpenTimer();
        // cockatiel half-opens lazily on the next call; this timer tells listeners (the order
        // manager) that a trial is due, so waiting orders can provide one
        if (!this.disposed) this.halfOpenTimer = this.clock.setTimeout(() => this.onHalfOpenDue(), this.halfOpenAfterMs);
        this.report('open');
        return;
      }
      case CircuitState.HalfOpen:
        this.clearHalfOpenTimer();
        this.report('half-open');
        return;
      case CircuitState.Closed:
        this.clearHalfOpenTimer();
        this.openedAt = null;
        // a half-open trial that failed with an unclassified error also closes; start clean either way
        this.breaker.clear();
        this.report('closed');
        return;
    }
  }

  private onHalfOpenDue(): void {
    this.halfOpenTimer = null;
    if (this.policy.state === CircuitState.Open) this.report('half-open');
  }

  private clearHalfOpenTimer(): void {
    if (this.halfOpenTimer === null) return;
    this.clock.clearTimeout(this.halfOpenTimer);
    this.halfOpenTimer = null;
  }

  private report(state: CircuitBreakerState): void {
    if (state === this.reported) return;
    const previous = this.reported;
    this.reported = state;
    if (this.disposed) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(state, previous);
      } catch (error) {
        // a listener's bug must not turn into a failed venue call inside cockatiel's emit
        this.logger?.error('circuit breaker state listener failed', { breaker: this.name, state, error: String(error) });
      }
    }
  }
}
