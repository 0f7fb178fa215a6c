import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SimulatedClock } from '../clock/clock';
import { TokenBucket } from './rate-limiter';

/** Starts n acquisitions and records the clock time at which each one was granted. */
function grantTimes(clock: SimulatedClock, bucket: TokenBucket, n: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i++) void bucket.acquire().then(() => times.push(clock.now()));
  return times;
}

describe('the token bucket that paces venue requests', () => {
  test('ten requests a second: a burst of ten passes at once, the rest one every 100 ms of the injected clock, in order', async () => {
    const clock = new SimulatedClock(1_000);
    const bucket = new TokenBucket(clock, 10);
    const times = grantTimes(clock, bucket, 13);
    await clock.advanceByAsync(0);
    expect(times).toEqual(Array(10).fill(1_000));
    await clock.advanceByAsync(99);
    expect(times).toHaveLength(10);
    await clock.advanceByAsync(1);
    expect(times).toHaveLength(11);
    await clock.advanceByAsync(200);
    expect(times.slice(10)).toEqual([1_100, 1_200, 1_300]);
    expect(bucket.queued()).toBe(0);
  });

  test('idle time refills the bucket only up to its burst', async () => {
    const clock = new SimulatedClock(0);
    const bucket = new TokenBucket(clock, 10);
    grantTimes(clock, bucket, 10);
    await clock.advanceByAsync(60_000);
    const times = grantTimes(clock, bucket, 11);
    await clock.advanceByAsync(0);
    expect(times).toHaveLength(10);
  });

  test('over any window, no more than burst + rate × seconds requests are granted (any rate, any arrival pattern)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 50 }), fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 60 }), async (rate, gaps) => {
        const clock = new SimulatedClock(0);
        const bucket = new TokenBucket(clock, rate);
        const granted: number[] = [];
        for (const gap of gaps) {
          await clock.advanceByAsync(gap);
          void bucket.acquire().then(() => granted.push(clock.now()));
        }
        await clock.advanceByAsync(Math.ceil((gaps.length * 1000) / rate) + 1_000);
        expect(granted).toHaveLength(gaps.length);
        for (let i = 0; i < granted.length; i++) {
          for (let j = i; j < granted.length; j++) {
            const windowMs = granted[j]! - granted[i]!;
            expect(j - i + 1).toBeLessThanOrEqual(bucket.burst + Math.floor((windowMs * rate) / 1000));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  test('closing rejects the waiting requests and leaves no timer behind', async () => {
    const clock = new SimulatedClock(0);
    const bucket = new TokenBucket(clock, 1);
    await bucket.acquire();
    const waiting = bucket.acquire();
    expect(clock.pendingTimers()).toBe(1);
    bucket.close();
    await expect(waiting).rejects.toThrow('rate limiter closed');
    await expect(bucket.acquire()).rejects.toThrow('rate limiter closed');
    expect(clock.pendingTimers()).toBe(0);
  });

  test('a rate that is not positive is refused at construction', () => {
    expect(() => new TokenBucket(new SimulatedClock(0), 0)).toThrow(/positive/);
    expect(() => new TokenBucket(new SimulatedClock(0), Number.NaN)).toThrow(/positive/);
  });
});
