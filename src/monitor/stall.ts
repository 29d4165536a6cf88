/**
 * Event-loop stall tracker. A probe that "timed out" while this process itself was frozen (a long synchronous
 * job, swapping, an overloaded machine) says nothing about the site: the response may have been sitting in the
 * socket buffer. The monitor asks `stalledMs(from, to)` for every timed-out probe and drops the probe (neither
 * up nor down) when the process stalled for a significant part of its window.
 */
export class LoopStallTracker {
  private stalls: { start: number; end: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private last = 0;
  /** Total stalled time observed (ms). */
  totalStalledMs = 0;

  constructor(
    private readonly intervalMs = 100,
    /** Extra delay beyond the interval that counts as a stall. */
    private readonly thresholdMs = 150,
    /** How long stall records are kept. */
    private readonly keepMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (this.timer) return;
    this.last = this.now();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One observation (exposed for tests): called every `intervalMs`. */
  tick(): void {
    const now = this.now();
    const gap = now - this.last - this.intervalMs;
    if (gap > this.thresholdMs) {
      this.stalls.push({ start: this.last + this.intervalMs, end: now });
      this.totalStalledMs += gap;
    }
    this.last = now;
    const horizon = now - this.keepMs;
    let drop = 0;
    while (drop < this.stalls.length && this.stalls[drop].end < horizon) drop++;
    if (drop) this.stalls.splice(0, drop);
  }

  /** Milliseconds of stall overlapping [from, to] (epoch ms). Includes a stall still in progress up to now. */
  stalledMs(from: number, to: number): number {
    let total = 0;
    for (const s of this.stalls) {
      const a = Math.max(from, s.start);
      const b = Math.min(to, s.end);
      if (b > a) total += b - a;
    }
    return total;
  }
}

/** The stall share of a probe window above which a timeout is not trusted: 1 s, or 10 % of the deadline if larger. */
export function stallLimitMs(timeoutMs: number): number {
  return Math.max(1_000, timeoutMs * 0.1);
}
