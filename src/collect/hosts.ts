import PQueue from 'p-queue';

/**
 * At most `limit` tasks at a time, the others wait in arrival order. A light stand-in for p-queue on the crawler's hot
 * path (no events, no priorities, one closure per waiting task); the waiting list is a FIFO with a moving head, so a
 * long queue costs O(1) per task.
 */
export class Semaphore {
  private active = 0;
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  /** Tasks running plus tasks waiting. */
  get pending(): number {
    return this.active + this.waiting.length - this.head;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((r) => this.waiting.push(r)); // the slot is handed over by release()
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head];
      this.waiting[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next();
    } else {
      this.active--;
    }
  }
}

/**
 * Per-host politeness: at most `concurrency` requests at a time to one host, and at least `delayMs`
 * between request starts to that host. Government servers are small: the defaults are gentle.
 */
export class HostLimiter {
  private readonly gates = new Map<string, Semaphore>();
  private readonly queues = new Map<string, PQueue>();

  constructor(private readonly concurrency = 4, private readonly delayMs = 0) {}

  run<T>(host: string, fn: () => Promise<T>): Promise<T> {
    if (this.delayMs <= 0) {
      let g = this.gates.get(host);
      if (!g) {
        g = new Semaphore(this.concurrency);
        this.gates.set(host, g);
      }
      return g.run(fn);
    }
    let q = this.queues.get(host);
    if (!q) {
      q = new PQueue({ concurrency: this.concurrency, interval: this.delayMs, intervalCap: 1 });
      this.queues.set(host, q);
    }
    return q.add(fn) as Promise<T>;
  }

  /** Requests waiting or running for all hosts. */
  get pending(): number {
    let n = 0;
    for (const g of this.gates.values()) n += g.pending;
    for (const q of this.queues.values()) n += q.size + q.pending;
    return n;
  }
}

export function hostKey(url: string): string {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return '';
  }
}
