/**
 * Everything in the engine reads time from a Clock. Live uses the wall clock; replay uses a
 * simulated clock driven by the event time of the data, so cooldowns, TTLs, retries and
 * timeouts behave exactly as they would live and a backtest is repeatable.
 */
export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, intervalMs: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Resolves after delayMs of this clock's time. */
  sleep(delayMs: number): Promise<void>;
}

/** The only place wall-clock time enters the engine. */
export class WallClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }
  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        callback();
      }, delayMs),
    );
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(handle.id);
    }
  }
  setInterval(callback: () => void, intervalMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, setInterval(callback, intervalMs));
    return { id };
  }
  clearInterval(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer !== undefined) {
      clearInterval(timer);
      this.timers.delete(handle.id);
    }
  }
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delayMs));
  }
  /** Timers still pending (for the no-leaked-handles check on stop). */
  pendingTimers(): number {
    return this.timers.size;
  }
}

interface SimTimer {
  id: number;
  due: number;
  seq: number;
  intervalMs: number | null;
  callback: () => void;
}

/**
 * A clock that only moves when told to. `advanceTo(t)` fires every timer due at or before t
 * in due-time order (ties in creation order), setting now() to each timer's due time first.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private nextId = 1;
  private seq = 0;
  private readonly timers = new Map<number, SimTimer>();
  // a binary heap keyed by (due, seq); cancelled timers are skipped lazily
  private heap: SimTimer[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.schedule(callback, Math.max(0, delayMs), null);
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }
  setInterval(callback: () => void, intervalMs: number): TimerHandle {
    if (!(intervalMs > 0)) throw new Error(`interval must be positive, got ${intervalMs}`);
    return this.schedule(callback, intervalMs, intervalMs);
  }
  clearInterval(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, delayMs));
  }
  pendingTimers(): number {
    return this.timers.size;
  }
  /** The due time of the earliest pending timer, or null. */
  nextDue(): number | null {
    this.dropCancelled();
    return this.heap[0]?.due ?? null;
  }

  /** Moves time forward to t (never backwards), firing due timers on the way. */
  advanceTo(t: number): void {
    if (t < this.current) return; // replay data can repeat a timestamp; time never goes back
    for (;;) {
      this.dropCancelled();
      const top = this.heap[0];
      if (top === undefined || top.due > t) break;
      this.pop();
      this.current = Math.max(this.current, top.due);
      if (top.intervalMs !== null) {
        top.due += top.intervalMs;
        top.seq = this.seq++;
        this.push(top);
      } else {
        this.timers.delete(top.id);
      }
      top.callback();
    }
    this.current = t;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  /** Advances by ms in small steps, yielding to the microtask queue between timers so awaited sleeps resume. */
  async advanceByAsync(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await Promise.resolve();
      await new Promise<void>((resolve) => setImmediate(resolve));
      const due = this.nextDue();
      if (due === null || due > target) break;
      this.advanceTo(due);
    }
    this.advanceTo(target);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  private schedule(callback: () => void, delayMs: number, intervalMs: number | null): TimerHandle {
    const timer: SimTimer = { id: this.nextId++, due: this.current + delayMs, seq: this.seq++, intervalMs, callback };
    this.timers.set(timer.id, timer);
    this.push(timer);
    return { id: timer.id };
  }
  private dropCancelled(): void {
    while (this.heap.length > 0 && !this.timers.has(this.heap[0]!.id)) this.pop();
  }
  private less(a: SimTimer, b: SimTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }
  private push(timer: SimTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }
  private pop(): SimTimer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < heap.length && this.less(heap[l]!, heap[smallest]!)) smallest = l;
        if (r < heap.length && this.less(heap[r]!, heap[smallest]!)) smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
