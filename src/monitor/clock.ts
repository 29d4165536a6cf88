/**
 * Injectable time: the scheduler and the monitor only read time and set timers through a Clock, so tests run
 * a whole simulated day with `FakeClock` and no real waiting.
 */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Longest single real timer; longer waits re-check (robust to clock jumps and the 2^31 ms limit). */
const MAX_REAL_TIMER_MS = 60_000;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, Math.min(ms, MAX_REAL_TIMER_MS)));
    return t;
  },
  clearTimeout(h) {
    clearTimeout(h as NodeJS.Timeout);
  },
};

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function flushAsync(rounds = 3): Promise<void> {
  let p = Promise.resolve();
  for (let i = 0; i < rounds; i++) p = p.then(() => new Promise<void>((r) => setImmediate(r)));
  return p;
}

/** A manual clock: time moves only through `advance`, timers fire in time order. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start: number | Date | string = Date.UTC(2021, 5, 14, 0, 0, 0) - 8 * 3_600_000) {
    this.t = typeof start === 'number' ? start : new Date(start).getTime();
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: ++this.seq, at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting async work settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    await flushAsync();
    for (;;) {
      let next: FakeTimer | undefined;
      for (const x of this.timers) if (x.at <= target && (!next || x.at < next.at || (x.at === next.at && x.id < next.id))) next = x;
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await flushAsync();
    }
    this.t = target;
    await flushAsync();
  }
}
