/**
 * Probe scheduler: N probes a day per site (never below 20), evenly spaced, each site shifted by a
 * deterministic pseudo-random offset (hash of its id) so thousands of sites do not fire together.
 *
 * Slots of site s on day d (days start at Asia/Shanghai midnight, or at `origin` + k·dayMs):
 *   dayStart(d) + offset(s) + k · dayMs / N,   k = 0 … N−1,   offset(s) ∈ [0, dayMs / N)
 * so every complete day holds exactly N slots per site.
 *
 * One timer for the earliest slot (min-heap of next slots), a bounded number of probes in flight, and
 * per-host politeness (at most `perHost` probes in flight per host name, optional minimum gap between starts).
 * A site whose previous probe has not even started when its next slot comes is not queued twice (`missed`).
 */
import { createHash } from 'node:crypto';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { ProbeResult } from './probe.ts';
import { tightHeap } from '../runtime/heap.ts';
import { DAY_MS, SHANGHAI_OFFSET_MS } from './time.ts';

export interface ScheduledSite {
  id: string;
  url: string;
  /** Probes per day (values below 20 are raised to 20). */
  probesPerDay: number;
  /** Politeness key (default: the URL's host name). */
  host?: string;
}

export type ProbeFn = (site: ScheduledSite, signal: AbortSignal) => Promise<ProbeResult>;

export interface ProbeInfo {
  scheduledAt: number;
  startedAt: number;
  /** startedAt − scheduledAt, ms. */
  lagMs: number;
}

export interface SchedulerOptions {
  sites: readonly ScheduledSite[];
  probe: ProbeFn;
  onResult: (site: ScheduledSite, result: ProbeResult, info: ProbeInfo) => void;
  onError?: (site: ScheduledSite, err: unknown) => void;
  clock?: Clock;
  /** Length of a "day" (default 24 h; the benchmark compresses it). */
  dayMs?: number;
  /** An instant where a day starts (default: Asia/Shanghai midnight). */
  origin?: number;
  /** Probes in flight at once (default 2000). */
  concurrency?: number;
  /** Probes in flight at once per host (default 1). */
  perHost?: number;
  /** Minimum gap between two probe starts on the same host, ms (default 0). */
  politenessMs?: number;
  /** Minimum probes per day (default 20). */
  minPerDay?: number;
}

export interface SchedulerStats {
  sites: number;
  scheduled: number;
  started: number;
  completed: number;
  errors: number;
  missed: number;
  inFlight: number;
  queued: number;
  maxInFlight: number;
}

/** Deterministic fraction in [0, 1) from a site id. */
export function siteOffsetFraction(id: string): number {
  const h = createHash('sha1').update(id).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

function hostOf(site: ScheduledSite): string {
  if (site.host) return site.host;
  try {
    return new URL(site.url).hostname.toLowerCase();
  } catch {
    return site.url;
  }
}

interface SiteState {
  site: ScheduledSite;
  host: string;
  perDay: number;
  offsetFrac: number;
  gen: number;
  /** A job for this site is queued and not started yet. */
  queued: boolean;
}

interface HeapEntry {
  at: number;
  id: string;
  gen: number;
}

class MinHeap {
  private a: HeapEntry[] = [];
  get size(): number {
    return this.a.length;
  }
  peek(): HeapEntry | undefined {
    return this.a[0];
  }
  push(e: HeapEntry): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].at <= e.at) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = e;
  }
  pop(): HeapEntry | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length === 0) return top;
    a[0] = last;
    let i = 0;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && a[l].at < a[m].at) m = l;
      if (r < n && a[r].at < a[m].at) m = r;
      if (m === i) break;
      const tmp = a[i];
      a[i] = a[m];
      a[m] = tmp;
      i = m;
    }
    return top;
  }
}

interface Job {
  state: SiteState;
  gen: number;
  scheduledAt: number;
}

/** Simple FIFO with O(1) shift. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
}

/** The slots of one site within one day starting at `dayStart`. */
export function slotTimes(id: string, perDay: number, dayStart: number, dayMs = DAY_MS, minPerDay = 20): number[] {
  const n = Math.max(minPerDay, Math.floor(perDay));
  const interval = dayMs / n;
  const offset = siteOffsetFraction(id) * interval;
  const out: number[] = [];
  for (let k = 0; k < n; k++) out.push(Math.floor(dayStart + offset + k * interval));
  return out;
}

export class ProbeScheduler {
  private readonly clock: Clock;
  private readonly dayMs: number;
  private readonly origin: number;
  private readonly concurrency: number;
  private readonly perHost: number;
  private readonly politenessMs: number;
  private readonly minPerDay: number;
  private readonly states = new Map<string, SiteState>();
  private readonly heap = new MinHeap();
  private readonly queue = new Fifo<Job>();
  private readonly hostWaiting = new Map<string, Fifo<Job>>();
  private readonly hostRunning = new Map<string, number>();
  private readonly hostLastStart = new Map<string, number>();
  private readonly hostWake = new Map<string, unknown>();
  private readonly inFlight = new Map<number, { ac: AbortController; done: Promise<void> }>();
  private readonly ready = new Fifo<Job>();
  private timer: unknown = null;
  private timerAt = Infinity;
  private running = false;
  /** Leaves tight-heap mode (see runtime/heap.ts): the scheduler runs for days at thousands of requests a second. */
  private releaseHeap: (() => void) | null = null;
  private jobSeq = 0;
  private s: SchedulerStats = { sites: 0, scheduled: 0, started: 0, completed: 0, errors: 0, missed: 0, inFlight: 0, queued: 0, maxInFlight: 0 };

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.dayMs = opts.dayMs ?? DAY_MS;
    this.origin = opts.origin ?? -SHANGHAI_OFFSET_MS;
    this.concurrency = Math.max(1, opts.concurrency ?? 2000);
    this.perHost = Math.max(1, opts.perHost ?? 1);
    this.politenessMs = Math.max(0, opts.politenessMs ?? 0);
    this.minPerDay = opts.minPerDay ?? 20;
    for (const site of opts.sites) this.addState(site);
  }

  private addState(site: ScheduledSite): SiteState {
    const prev = this.states.get(site.id);
    const st: SiteState = {
      site,
      host: hostOf(site),
      perDay: Math.max(this.minPerDay, Math.floor(site.probesPerDay || 0)),
      offsetFrac: siteOffsetFraction(site.id),
      gen: (prev?.gen ?? 0) + 1,
      queued: false,
    };
    this.states.set(site.id, st);
    this.s.sites = this.states.size;
    return st;
  }

  /** First slot of the site at or after t. */
  nextSlot(st: { perDay: number; offsetFrac: number }, t: number): number {
    const interval = this.dayMs / st.perDay;
    const offset = st.offsetFrac * interval;
    let d = Math.floor((t - this.origin) / this.dayMs);
    for (let guard = 0; guard < 3; guard++, d++) {
      const dayStart = this.origin + d * this.dayMs;
      let k = Math.ceil((t - dayStart - offset) / interval);
      if (k < 0) k = 0;
      for (; k < st.perDay; k++) {
        const at = Math.floor(dayStart + offset + k * interval);
        if (at >= t) return at;
      }
    }
    /* c8 ignore next */
    return t;
  }

  get stats(): SchedulerStats {
    return { ...this.s, inFlight: this.inFlight.size, queued: this.queue.length + this.readyAndWaiting() };
  }

  private readyAndWaiting(): number {
    let n = this.ready.length;
    for (const q of this.hostWaiting.values()) n += q.length;
    return n;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts scheduling from the current time (slots already past today are not replayed). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.releaseHeap = tightHeap();
    const now = this.clock.now();
    for (const st of this.states.values()) this.heap.push({ at: this.nextSlot(st, now), id: st.site.id, gen: st.gen });
    this.arm();
  }

  /** Replaces the site list (new sites start at their next slot; removed sites stop; changed ones are rescheduled). */
  setSites(sites: readonly ScheduledSite[]): void {
    const now = this.clock.now();
    const keep = new Set(sites.map((s) => s.id));
    for (const id of [...this.states.keys()]) {
      if (!keep.has(id)) this.states.delete(id);
    }
    for (const site of sites) {
      const old = this.states.get(site.id);
      if (old && old.site.url === site.url && old.perDay === Math.max(this.minPerDay, Math.floor(site.probesPerDay || 0)) && old.site.host === site.host) {
        old.site = site;
        continue;
      }
      const st = this.addState(site);
      if (this.running) this.heap.push({ at: this.nextSlot(st, now), id: site.id, gen: st.gen });
    }
    this.s.sites = this.states.size;
    if (this.running) this.arm();
  }

  private arm(): void {
    if (!this.running) return;
    // drop stale heap heads
    let top = this.heap.peek();
    while (top && this.states.get(top.id)?.gen !== top.gen) {
      this.heap.pop();
      top = this.heap.peek();
    }
    if (!top) return;
    if (this.timer !== null && this.timerAt <= top.at) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timerAt = top.at;
    this.timer = this.clock.setTimeout(() => this.onTimer(), Math.max(0, top.at - this.clock.now()));
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (!this.running) return;
    const now = this.clock.now();
    for (;;) {
      const top = this.heap.peek();
      if (!top || top.at > now) break;
      this.heap.pop();
      const st = this.states.get(top.id);
      if (!st || st.gen !== top.gen) continue;
      this.s.scheduled++;
      if (st.queued) this.s.missed++;
      else {
        st.queued = true;
        this.queue.push({ state: st, gen: st.gen, scheduledAt: top.at });
      }
      this.heap.push({ at: this.nextSlot(st, top.at + 1), id: st.site.id, gen: st.gen });
    }
    this.pump();
    this.arm();
  }

  private canStart(host: string, now: number): 'yes' | 'busy' | 'gap' {
    if ((this.hostRunning.get(host) ?? 0) >= this.perHost) return 'busy';
    if (this.politenessMs > 0) {
      const last = this.hostLastStart.get(host);
      if (last !== undefined && now - last < this.politenessMs) return 'gap';
    }
    return 'yes';
  }

  private wakeHostLater(host: string, now: number): void {
    if (this.hostWake.has(host)) return;
    const last = this.hostLastStart.get(host) ?? now;
    const h = this.clock.setTimeout(() => {
      this.hostWake.delete(host);
      this.releaseHost(host);
      this.pump();
    }, Math.max(0, last + this.politenessMs - now));
    this.hostWake.set(host, h);
  }

  /** Moves one waiting job of `host` to the ready list when the host allows it. */
  private releaseHost(host: string): void {
    const q = this.hostWaiting.get(host);
    if (!q || q.length === 0) return;
    const now = this.clock.now();
    const c = this.canStart(host, now);
    if (c === 'yes') {
      this.ready.push(q.shift()!);
      if (q.length === 0) this.hostWaiting.delete(host);
    } else if (c === 'gap') this.wakeHostLater(host, now);
  }

  private pump(): void {
    if (!this.running) return;
    while (this.inFlight.size < this.concurrency) {
      const job = this.ready.shift() ?? this.queue.shift();
      if (!job) break;
      const st = job.state;
      if (this.states.get(st.site.id) !== st || st.gen !== job.gen) {
        st.queued = false;
        continue;
      }
      const now = this.clock.now();
      const c = this.canStart(st.host, now);
      if (c !== 'yes') {
        let q = this.hostWaiting.get(st.host);
        if (!q) this.hostWaiting.set(st.host, (q = new Fifo<Job>()));
        q.push(job);
        if (c === 'gap') this.wakeHostLater(st.host, now);
        continue;
      }
      this.startJob(job, now);
    }
  }

  private startJob(job: Job, now: number): void {
    const st = job.state;
    st.queued = false;
    const host = st.host;
    this.hostRunning.set(host, (this.hostRunning.get(host) ?? 0) + 1);
    this.hostLastStart.set(host, now);
    this.s.started++;
    const id = ++this.jobSeq;
    const ac = new AbortController();
    const info: ProbeInfo = { scheduledAt: job.scheduledAt, startedAt: now, lagMs: now - job.scheduledAt };
    const site = st.site;
    const done = (async () => {
      try {
        const result = await this.opts.probe(site, ac.signal);
        if (!ac.signal.aborted) {
          this.s.completed++;
          this.opts.onResult(site, result, info);
        }
      } catch (err) {
        if (!ac.signal.aborted) {
          this.s.errors++;
          this.opts.onError?.(site, err);
        }
      } finally {
        this.inFlight.delete(id);
        const n = (this.hostRunning.get(host) ?? 1) - 1;
        if (n <= 0) this.hostRunning.delete(host);
        else this.hostRunning.set(host, n);
        this.releaseHost(host);
        this.pump();
      }
    })();
    this.inFlight.set(id, { ac, done });
    if (this.inFlight.size > this.s.maxInFlight) this.s.maxInFlight = this.inFlight.size;
  }

  /** Stops scheduling; in-flight probes are cancelled (their results are discarded, never recorded as failures). */
  async stop(): Promise<void> {
    if (!this.running) {
      await Promise.all([...this.inFlight.values()].map((f) => f.done));
      return;
    }
    this.running = false;
    this.releaseHeap?.();
    this.releaseHeap = null;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const h of this.hostWake.values()) this.clock.clearTimeout(h);
    this.hostWake.clear();
    const flights = [...this.inFlight.values()];
    for (const f of flights) f.ac.abort();
    await Promise.all(flights.map((f) => f.done));
    while (this.queue.shift());
    while (this.ready.shift());
    this.hostWaiting.clear();
    for (const st of this.states.values()) st.queued = false;
  }
}
