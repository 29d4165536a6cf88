import PQueue from 'p-queue';

/**
 * Per-host politeness: at most `concurrency` requests at a time to one host, and at least `delayMs`
 * between request starts to that host. Government servers are small: the defaults are gentle.
 */
export class HostLimiter {
  private readonly queues = new Map<string, PQueue>();

  constructor(private readonly concurrency = 4, private readonly delayMs = 0) {}

  run<T>(host: string, fn: () => Promise<T>): Promise<T> {
    let q = this.queues.get(host);
    if (!q) {
      q = this.delayMs > 0
        ? new PQueue({ concurrency: this.concurrency, interval: this.delayMs, intervalCap: 1 })
        : new PQueue({ concurrency: this.concurrency });
      this.queues.set(host, q);
    }
    return q.add(fn) as Promise<T>;
  }

  /** Requests waiting or running for all hosts. */
  get pending(): number {
    let n = 0;
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
