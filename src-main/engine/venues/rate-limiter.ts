import type { Clock, TimerHandle } from '../clock/clock';

/**
 * A token bucket on the injected clock: `ratePerSecond` tokens a second, at most `burst` saved
 * up. `acquire()` resolves at once while tokens are left and otherwise waits its turn (first
 * come, first served), so a replay on a simulated clock throttles exactly like live. Token
 * counts are plain floats: they pace requests, they are not money.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private timer: TimerHandle | null = null;
  private closed = false;
  readonly burst: number;

  constructor(
    private readonly clock: Clock,
    readonly ratePerSecond: number,
    burst?: number,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new Error(`rate limit must be a positive number of requests per second, got ${ratePerSecond}`);
    this.burst = burst ?? Math.max(1, Math.floor(ratePerSecond));
    if (!(this.burst >= 1)) throw new Error(`burst must be at least 1, got ${this.burst}`);
    this.tokens = this.burst;
    this.updatedAt = clock.now();
  }

  /** Resolves when the caller may send one request; rejects once the bucket is closed. */
  acquire(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('rate limiter closed'));
    this.refill();
    if (this.waiting.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Requests waiting for a token. */
  queued(): number {
    return this.waiting.length;
  }

  /** Releases the timer and rejects everyone still waiting. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const waiting = this.waiting.splice(0);
    for (const waiter of waiting) waiter.reject(new Error('rate limiter closed'));
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.updatedAt = now;
  }

  private schedule(): void {
    if (this.timer !== null || this.waiting.length === 0 || this.closed) return;
    const missing = Math.max(0, 1 - this.tokens);
    // at least 1 ms: float rounding may leave 0.9999… tokens after an exact wait
    const delay = Math.max(1, Math.ceil((missing * 1000) / this.ratePerSecond));
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.drain();
    }, delay);
  }

  private drain(): void {
    this.refill();
    while (this.waiting.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.waiting.shift()?.resolve();
    }
    this.schedule();
  }
}
