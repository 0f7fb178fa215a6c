import { describe, expect, test, vi } from 'vitest';
import { SimulatedClock } from '../clock/clock';
import { CircuitBreaker, CircuitBreakerOpenError, type CircuitBreakerOptions, type CircuitBreakerState } from './circuit-breaker';

class VenueDown extends Error {}
class InvalidOrder extends Error {}

function makeBreaker(overrides: Partial<CircuitBreakerOptions> = {}) {
  const clock = new SimulatedClock(1_700_000_000_000);
  const breaker = new CircuitBreaker({
    name: 'mexc', clock, failureThreshold: 5, failureWindowMs: 60_000, halfOpenAfterMs: 30_000, ...overrides,
  });
  return { clock, breaker };
}

const failing = () => Promise.reject(new VenueDown('502 bad gateway'));
const succeeding = () => Promise.resolve('ok');

async function failTimes(breaker: CircuitBreaker, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await expect(breaker.execute(failing)).rejects.toBeInstanceOf(VenueDown);
}

async function open(breaker: CircuitBreaker): Promise<void> {
  await failTimes(breaker, 5);
  expect(breaker.getState()).toBe('open');
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CircuitBreaker', () => {
  test('stays closed after four failures', async () => {
    const { breaker } = makeBreaker();
    await failTimes(breaker, 4);
    expect(breaker.getState()).toBe('closed');
    await expect(breaker.execute(succeeding)).resolves.toBe('ok');
  });

  test('opens on the fifth failure within 60 s', async () => {
    const { breaker, clock } = makeBreaker();
    for (let i = 0; i < 5; i++) {
      await expect(breaker.execute(failing)).rejects.toBeInstanceOf(VenueDown);
      clock.advanceBy(14_000);
    }
    expect(breaker.getState()).toBe('open');
  });

  test('does not count failures older than 60 s', async () => {
    const { breaker, clock } = makeBreaker();
    await failTimes(breaker, 4);
    clock.advanceBy(60_000);
    await failTimes(breaker, 4);
    expect(breaker.getState()).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.getState()).toBe('open');
  });

  test('a success in between does not reset the count: it is five failures in the window, not five in a row', async () => {
    const { breaker } = makeBreaker();
    await failTimes(breaker, 3);
    await breaker.execute(succeeding);
    await failTimes(breaker, 2);
    expect(breaker.getState()).toBe('open');
  });

  test('rejects with CircuitBreakerOpenError while open, without calling fn', async () => {
    const { breaker, clock } = makeBreaker();
    await open(breaker);
    clock.advanceBy(10_000);
    let called = false;
    const error = await breaker
      .execute(async () => {
        called = true;
        return 1;
      })
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(error).toBeInstanceOf(CircuitBreakerOpenError);
    expect(error).toMatchObject({ name: 'CircuitBreakerOpenError', breakerName: 'mexc', retryAfterMs: 20_000 });
  });

  test('becomes half-open after 30 s and lets exactly one trial call through', async () => {
    const { breaker, clock } = makeBreaker();
    await open(breaker);
    clock.advanceBy(29_999);
    expect(breaker.getState()).toBe('open');
    clock.advanceBy(1);
    expect(breaker.getState()).toBe('half-open');

    const trial = deferred<string>();
    let secondRan = false;
    const first = breaker.execute(() => trial.promise);
    const second = breaker.execute(async () => {
      secondRan = true;
      return 'second';
    });
    await Promise.resolve();
    expect(breaker.getState()).toBe('half-open');
    expect(secondRan).toBe(false);
    trial.resolve('trial');
    await expect(first).resolves.toBe('trial');
    await expect(second).resolves.toBe('second');
    expect(secondRan).toBe(true);
  });

  test('closes after one successful call in half-open', async () => {
    const { breaker, clock } = makeBreaker();
    await open(breaker);
    clock.advanceBy(30_000);
    await expect(breaker.execute(succeeding)).resolves.toBe('ok');
    expect(breaker.getState()).toBe('closed');
    // the failures before the open are forgotten: four new ones do not re-open it
    await failTimes(breaker, 4);
    expect(breaker.getState()).toBe('closed');
  });

  test('re-opens on a failure in half-open and waits another 30 s', async () => {
    const { breaker, clock } = makeBreaker();
    await open(breaker);
    clock.advanceBy(30_000);
    await expect(breaker.execute(failing)).rejects.toBeInstanceOf(VenueDown);
    expect(breaker.getState()).toBe('open');
    await expect(breaker.execute(succeeding)).rejects.toMatchObject({ retryAfterMs: 30_000 });
    clock.advanceBy(30_000);
    await expect(breaker.execute(succeeding)).resolves.toBe('ok');
    expect(breaker.getState()).toBe('closed');
  });

  test('reset() closes an open circuit and forgets recent failures', async () => {
    const { breaker, clock } = makeBreaker();
    await open(breaker);
    breaker.reset();
    expect(breaker.getState()).toBe('closed');
    expect(clock.pendingTimers()).toBe(0);
    await expect(breaker.execute(succeeding)).resolves.toBe('ok');
    await failTimes(breaker, 4);
    expect(breaker.getState()).toBe('closed');
  });

  test('reports metrics and every state change, including half-open when the trial becomes due', async () => {
    const changes: Array<[CircuitBreakerState, CircuitBreakerState]> = [];
    const { breaker, clock } = makeBreaker({ onStateChange: (state, previous) => changes.push([state, previous]) });
    const openedAt = clock.now();
    await open(breaker);
    await expect(breaker.execute(succeeding)).rejects.toBeInstanceOf(CircuitBreakerOpenError);
    clock.advanceBy(30_000); // the clock's timer announces half-open before any call arrives
    expect(changes).toEqual([['open', 'closed'], ['half-open', 'open']]);
    await breaker.execute(succeeding);
    await breaker.execute(succeeding);
    expect(changes).toEqual([['open', 'closed'], ['half-open', 'open'], ['closed', 'half-open']]);
    expect(breaker.metrics()).toEqual({ state: 'closed', failures: 5, successes: 2, rejections: 1, opens: 1, lastOpenedAt: openedAt });
  });

  test('stops notifying a listener once it unsubscribes', async () => {
    const { breaker } = makeBreaker();
    const seen: CircuitBreakerState[] = [];
    const unsubscribe = breaker.onStateChange((state) => seen.push(state));
    unsubscribe();
    await open(breaker);
    expect(seen).toEqual([]);
  });

  test('errors the caller classifies as terminal do not open the circuit', async () => {
    const { breaker } = makeBreaker({ isFailure: (error) => !(error instanceof InvalidOrder) });
    for (let i = 0; i < 10; i++) {
      await expect(breaker.execute(() => Promise.reject(new InvalidOrder('bad size')))).rejects.toBeInstanceOf(InvalidOrder);
    }
    expect(breaker.getState()).toBe('closed');
    expect(breaker.metrics().failures).toBe(0);
    await failTimes(breaker, 5);
    expect(breaker.getState()).toBe('open');
  });

  test('a listener that throws does not break the call that changed the state', async () => {
    const { breaker } = makeBreaker({
      onStateChange: () => {
        throw new Error('listener bug');
      },
    });
    await failTimes(breaker, 5);
    expect(breaker.getState()).toBe('open');
  });

  test('takes every timing decision from the injected clock, whatever the wall clock does', async () => {
    const wall = vi.spyOn(Date, 'now').mockReturnValue(0);
    try {
      const { breaker, clock } = makeBreaker();
      await open(breaker);
      wall.mockReturnValue(10 * 60_000); // wall time leaps ten minutes: still open by the engine's clock
      await expect(breaker.execute(succeeding)).rejects.toBeInstanceOf(CircuitBreakerOpenError);
      wall.mockReturnValue(0); // and back: half-open comes from the engine's clock alone
      clock.advanceBy(30_000);
      await expect(breaker.execute(succeeding)).resolves.toBe('ok');
      expect(breaker.getState()).toBe('closed');
    } finally {
      wall.mockRestore();
    }
  });

  test('dispose() releases the half-open timer and silences listeners', async () => {
    const seen: CircuitBreakerState[] = [];
    const { breaker, clock } = makeBreaker({ onStateChange: (state) => seen.push(state) });
    await open(breaker);
    expect(clock.pendingTimers()).toBe(1);
    breaker.dispose();
    expect(clock.pendingTimers()).toBe(0);
    clock.advanceBy(60_000);
    expect(seen).toEqual(['open']);
  });
});
