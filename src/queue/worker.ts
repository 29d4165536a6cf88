/**
 * A worker of queue mode (`govsite worker --vantage ID [--queues probe,audit,rescore]`): it takes probe rounds of its
 * vantage, nightly audits and rescoring after reviews, and writes what it finds to the shared repository.
 *
 * - Probe rounds: every site at its slot, an immediate retry after a failure (the confirmation when this is the only
 *   vantage), the round's canaries; then the round is judged (impaired or not) and written whole, once.
 * - Audits: the site's host (and shared platform) is taken through a Redis semaphore first, so politeness holds across
 *   all workers; the audit runs into a scratch SQLite file under the run id the repository gave the job (the same id
 *   for a retry), and its results are published in one transaction with the nightly mark.
 * - A worker killed mid-job: its job lock expires and another worker takes the job over (BullMQ stalled jobs); the
 *   retry claims the same run id and publishes over nothing, so the audit completes once.
 */
import fs from 'node:fs';
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { Semaphore } from 'redis-semaphore';
import type { Logger } from 'pino';
import { runAudit, AuditError } from '../audit/run.ts';
import { siteKey } from '../collect/crawl.ts';
import { isFailureOutcome, probeUrl, staticLookup, type LookupFn, type ProbeResult } from '../monitor/probe.ts';
import { LoopStallTracker, stallLimitMs } from '../monitor/stall.ts';
import { Store } from '../store/store.ts';
import { judgeRound } from '../repo/confirm.ts';
import type { Repo, RoundProbe, RunBundle, StoredScore } from '../repo/types.ts';
import { rescoreProcessor } from './rescore.ts';
import {
  RESCORE_QUEUE, AUDIT_QUEUE, hostSemKey, platformSemKey, probeQueueName, queueTimings, redisConnection, vantagesKey, workersKey,
  type AuditJob, type ProbeRoundJob, type QueueTimings,
} from './common.ts';
import type { NightlyLogger } from '../monitor/nightly.ts';
import type { AuditDigest } from '../monitor/warnings.ts';
import { returnFeedReadings, seedWorkingStore } from './working-store.ts';

export type WorkerQueue = 'probe' | 'audit' | 'rescore';

export interface WorkerOptions {
  repo: Repo;
  queueUrl: string;
  prefix: string;
  vantage: string;
  queues: readonly WorkerQueue[];
  timings?: Partial<QueueTimings>;
  /** Probe rounds at once (default 32) and probes in flight at once (default 2000). */
  roundConcurrency?: number;
  maxProbesInFlight?: number;
  /** Audits at once in this worker (default 2). */
  auditConcurrency?: number;
  /** Scratch directory for the audits' working stores (default: a temporary directory). */
  scratchDir?: string;
  /** Where homepage screenshots go (shared with the dashboard, e.g. a common volume). */
  screenshotDir?: string;
  browser?: boolean;
  chromiumPath?: string;
  /** DNS/IPv6 observation and gatherers in audits (default true; `GOVSITE_NO_NETWORK=1`, `GOVSITE_NO_GATHER=1`). */
  network?: boolean;
  gatherers?: boolean;
  /** DNS for probes and audits (tests, staging: `GOVSITE_RESOLVE`). */
  lookup?: LookupFn;
  logger?: NightlyLogger & Partial<Pick<Logger, 'debug'>>;
  auditLogger?: Logger;
}

export interface WorkerHandle {
  readonly id: string;
  stats: { rounds: number; probes: number; audits: number; auditsFailed: number };
  stop(): Promise<void>;
}

/** `GOVSITE_RESOLVE="a.gov.cn=127.0.0.2,*=127.0.0.9"`: fixed addresses for host names (tests, staging); `*` = any other. */
export function resolveFromEnv(v: string | undefined): LookupFn | undefined {
  if (!v?.trim()) return undefined;
  const map = new Map<string, string>();
  for (const part of v.split(',')) {
    const [h, a] = part.split('=').map((x) => x.trim());
    if (!h || !a) throw new Error(`GOVSITE_RESOLVE 格式应为 主机=地址,主机=地址（当前为 "${v}"）`);
    map.set(h.toLowerCase(), a);
  }
  const any = map.get('*');
  return staticLookup((h) => map.get(h) ?? any);
}

const silent: NightlyLogger = { info() {}, warn() {}, error() {} };

/** Waits until `t` (or until the signal aborts); one abort listener per worker, not one per waiting probe. */
function sleeper(signal: AbortSignal): (t: number) => Promise<void> {
  const waiting = new Set<{ h: NodeJS.Timeout; resolve: () => void }>();
  signal.addEventListener('abort', () => {
    for (const w of waiting) {
      clearTimeout(w.h);
      w.resolve();
    }
    waiting.clear();
  }, { once: true });
  return (t) => {
    const ms = t - Date.now();
    if (ms <= 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const w = { h: setTimeout(() => {
        waiting.delete(w);
        resolve();
      }, ms), resolve };
      waiting.add(w);
    });
  };
}

/** A run's results from a working store, ready to publish. */
export function bundleFromStore(store: Store, runId: number, o: { manualFile?: string | null } = {}): RunBundle {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} missing from the working store`);
  const scores = (store.db.prepare('SELECT * FROM scores WHERE run_id = ? ORDER BY id').all(runId) as Record<string, unknown>[]).map(
    (s): StoredScore => ({
      rubric: s.rubric as string,
      manualFile: o.manualFile !== undefined ? o.manualFile : ((s.manual_file as string | null) ?? null),
      computedAt: s.computed_at as string,
      total: s.total as number,
      veto: s.veto === 1,
      provisional: s.provisional === 1,
      score: JSON.parse(s.score as string),
    }),
  );
  const rendered = (store.db.prepare('SELECT url, at, screenshot FROM rendered WHERE run_id = ?').all(runId) as { url: string; at: string; screenshot: string | null }[]).map((r) => ({
    url: r.url,
    at: r.at,
    ...(r.screenshot ? { screenshot: r.screenshot } : {}),
  }));
  const options = { ...run.options, ...(o.manualFile !== undefined ? { manualFile: o.manualFile } : {}) };
  return {
    run: { status: run.status === 'done' ? 'done' : 'failed', finishedAt: run.finishedAt, stats: run.stats, error: run.error, network: run.network, browser: run.browser, screenshot: run.screenshot, notes: run.notes, options },
    findings: store.findings(runId),
    scopes: store.checkScopes(runId),
    scores,
    observations: store.observations(runId),
    rendered,
  };
}

/** A counting limiter (probes in flight in this worker). */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export async function startWorker(o: WorkerOptions): Promise<WorkerHandle> {
  const log = o.logger ?? silent;
  const t = { ...queueTimings(), ...o.timings };
  const id = `${o.vantage}@${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const repo = o.repo;
  const conn = redisConnection(o.queueUrl);
  const stats = { rounds: 0, probes: 0, audits: 0, auditsFailed: 0 };
  const stall = new LoopStallTracker();
  stall.start();
  const limiter = new Limiter(o.maxProbesInFlight ?? 2000);
  const ac = new AbortController();
  setMaxListeners(0, ac.signal); // every probe in flight listens to the one stop signal
  const sleepUntil = sleeper(ac.signal);
  const scratch = o.scratchDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-worker-'));
  fs.mkdirSync(scratch, { recursive: true });
  const ownScratch = !o.scratchDir;

  // ---- presence: the scheduler sends rounds to vantages with a live worker
  const beat = async () => {
    const now = Date.now();
    await conn.hset(vantagesKey(o.prefix), o.vantage, String(now));
    await conn.hset(workersKey(o.prefix), id, JSON.stringify({ vantage: o.vantage, queues: o.queues, pid: process.pid, host: os.hostname(), at: now }));
  };
  await beat();
  const beatTimer = setInterval(() => void beat().catch(() => undefined), Math.max(200, Math.min(5_000, Math.floor(t.vantageTtlMs / 3))));
  beatTimer.unref();

  const workerOpts = (concurrency: number) => ({
    connection: redisConnection(o.queueUrl) as unknown as Redis,
    prefix: o.prefix,
    concurrency,
    lockDuration: t.lockMs,
    stalledInterval: t.lockMs,
    maxStalledCount: 2,
  });

  // ---- probe rounds
  const probeOne = async (url: string, timeoutMs: number): Promise<ProbeResult | null> => {
    const r = await probeUrl(url, { timeoutMs, lookup: o.lookup, signal: ac.signal });
    // a timeout measured while this process was frozen says nothing about the site: not recorded
    if (r.outcome === 'timeout') {
      const from = Date.parse(r.at);
      if (stall.stalledMs(from, from + r.ms) >= stallLimitMs(timeoutMs)) return null;
    }
    return r;
  };
  const roundProcessor = async (job: Job<ProbeRoundJob>) => {
    const d = job.data;
    const canaryP = Promise.all(d.canaries.map((u) => probeUrl(u, { timeoutMs: d.timeoutMs, lookup: o.lookup, signal: ac.signal }).catch(() => null)));
    const probes: RoundProbe[] = [];
    await Promise.all(
      d.sites.map(async (s) => {
        await sleepUntil(s.slotAt);
        if (ac.signal.aborted) return;
        await limiter.run(async () => {
          const first = await probeOne(s.url, d.timeoutMs).catch(() => null);
          if (!first) return;
          probes.push({ siteId: s.id, slotAt: s.slotAt, attempt: 0, result: first });
          if (isFailureOutcome(first.outcome) && !first.blocked && !ac.signal.aborted) {
            const retry = await probeOne(s.url, d.timeoutMs).catch(() => null);
            if (retry) probes.push({ siteId: s.id, slotAt: s.slotAt, attempt: 1, result: retry });
          }
        });
      }),
    );
    if (ac.signal.aborted) throw new Error('worker stopping'); // not recorded: the round is retried or left unmeasured
    const canaries = (await canaryP).map((r, i) => ({ url: d.canaries[i], ok: r?.outcome === 'ok', outcome: r?.outcome ?? 'cancelled' }));
    const hostOf = new Map(d.sites.map((s) => [s.id, s.host]));
    const firsts = probes.filter((p) => p.attempt === 0).map((p) => ({ host: hostOf.get(p.siteId) ?? p.siteId, failed: isFailureOutcome(p.result.outcome), blocked: !!p.result.blocked }));
    const verdict = judgeRound(firsts, canaries, d.impairment);
    const written = await repo.recordRound({ vantage: d.vantage, roundAt: d.windowAt, worker: id, probes, canaries, impaired: verdict.impaired, ...(verdict.reason ? { reason: verdict.reason } : {}) });
    if (written) {
      stats.rounds++;
      stats.probes += probes.length;
    }
    if (verdict.impaired) log.warn({ vantage: d.vantage, windowAt: new Date(d.windowAt).toISOString(), reason: verdict.reason }, 'vantage impaired: round not measured');
    return { probes: probes.length, impaired: verdict.impaired, written };
  };

  // ---- audits
  const auditProcessor = async (job: Job<AuditJob>) => {
    const { site, asOf, nightlyRunId } = job.data;
    const limits = job.data.limits ?? { perHost: 1, perPlatform: 2 };
    const host = (() => {
      try {
        return new URL(site.url).hostname.toLowerCase();
      } catch {
        return site.id;
      }
    })();
    const semOpts = { lockTimeout: t.lockMs, refreshInterval: Math.max(100, Math.floor(t.lockMs / 3)), acquireTimeout: 12 * 3_600_000, retryInterval: Math.min(1_000, Math.max(50, Math.floor(t.lockMs / 10))) };
    const sems = [new Semaphore(conn as never, hostSemKey(o.prefix, host), limits.perHost, semOpts)];
    if (site.platform) sems.push(new Semaphore(conn as never, platformSemKey(o.prefix, site.platform), limits.perPlatform, semOpts));
    const held: Semaphore[] = [];
    const jobKey = String(job.id);
    let runId: number | undefined;
    let file: string | undefined;
    try {
      for (const s of sems) {
        await s.acquire(ac.signal);
        held.push(s);
      }
      if (nightlyRunId !== undefined) await repo.nightlySiteStarted(nightlyRunId, site.id);
      runId = await repo.claimRun({
        jobKey, siteUrl: site.url, siteKey: siteKey(site.url), siteId: site.id, siteName: site.name, rubric: site.rubric, asOf, owner: id,
        options: { attempt: job.attemptsMade + 1 },
      });
      log.info({ job: jobKey, runId, site: site.id, attempt: job.attemptsMade + 1 }, 'audit started');
      file = path.join(scratch, `run-${runId}-${process.pid}-${randomBytes(3).toString('hex')}.db`);
      let manualFile: string | undefined;
      if (job.data.manual) {
        manualFile = path.join(scratch, `manual-${runId}.yaml`);
        fs.writeFileSync(manualFile, job.data.manual.content);
      }
      const store = Store.open(file);
      let bundle: RunBundle;
      let failure: Error | undefined;
      let facts: AuditDigest | undefined;
      const gathering = o.gatherers ?? true;
      try {
        const availability = await repo.availabilityForAudit(site.id, asOf);
        // the site's simulated inquiries and the new-media registry, as the gatherers read them on one machine
        if (gathering) await seedWorkingStore(repo, store, { id: site.id, url: site.url, name: site.name, ...(site.newMediaUnit ? { unit: site.newMediaUnit } : {}) });
        try {
          const report = await runAudit({
            url: site.url, rubric: site.rubric, asOf, store, dbFile: file, runId,
            ...(availability ? { availability } : {}),
            maxPages: site.maxPages, concurrency: site.concurrency, delayMs: site.politenessMs,
            manualFile, manualMayBeMissing: true, skipHosts: site.skipHosts,
            ...(site.gather ? { gather: site.gather } : {}),
            site: { id: site.id, name: site.name, parentDomain: site.parentDomain, hasPublicServices: site.hasPublicServices },
            browser: o.browser ?? true, network: o.network ?? true, gatherers: o.gatherers ?? true, ...(o.chromiumPath ? { chromiumPath: o.chromiumPath } : {}),
            ...(o.screenshotDir ? { screenshotDir: o.screenshotDir } : {}),
            ...(o.lookup ? { lookup: o.lookup as never } : {}),
            signal: ac.signal,
            ...(o.auditLogger ? { log: o.auditLogger } : {}),
          });
          facts = report.facts;
        } catch (e) {
          if (ac.signal.aborted) throw e; // stopping: the job is taken over, nothing published
          failure = e as Error;
          if (!(e instanceof AuditError) || e.runId === undefined) store.finishRun(runId, 'failed', { error: (e as Error).message });
        }
        if (gathering) await returnFeedReadings(repo, store, runId).catch((e) => log.warn({ job: jobKey, err: (e as Error).message }, 'feed readings not returned'));
        bundle = bundleFromStore(store, runId, { manualFile: job.data.manual?.path ?? site.manual ?? null });
      } finally {
        store.close();
      }
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (failure && !last) {
        // published as failed for now (visible), the nightly site back to pending; BullMQ retries the job
        await repo.publishRun(runId, bundle);
        if (nightlyRunId !== undefined) await repo.nightlySiteFailed(nightlyRunId, site.id, failure.message, false);
        throw failure;
      }
      // the warning digest, as the one-machine nightly run keeps it (newest homepage date, empty columns, new-media accounts)
      const digest = bundle.run.status === 'done'
        ? { ...(facts?.homepageNewestDate ? { homepageNewestDate: facts.homepageNewestDate } : {}), emptyColumns: facts?.emptyColumns ?? 0, ...(facts?.newMedia ? { newMedia: facts.newMedia } : {}) }
        : undefined;
      await repo.publishRun(runId, bundle, nightlyRunId !== undefined ? { nightlyRunId, siteId: site.id, findings: bundle.findings.length, ...(digest ? { digest } : {}) } : undefined);
      if (failure) {
        stats.auditsFailed++;
        log.error({ job: jobKey, runId, err: failure.message }, 'audit failed');
        return { runId, status: 'failed' };
      }
      stats.audits++;
      log.info({ job: jobKey, runId, findings: bundle.findings.length }, 'audit published');
      return { runId, status: 'done' };
    } finally {
      for (const s of held.reverse()) await s.release().catch(() => undefined);
      if (file) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    }
  };

  const workers: Worker[] = [];
  if (o.queues.includes('probe')) workers.push(new Worker(probeQueueName(o.vantage), roundProcessor, workerOpts(o.roundConcurrency ?? 32)));
  if (o.queues.includes('audit')) workers.push(new Worker(AUDIT_QUEUE, auditProcessor, workerOpts(o.auditConcurrency ?? 2)));
  // rescoring after reviews on the dashboard: from the shared store only (no crawl), quick
  if (o.queues.includes('rescore')) workers.push(new Worker(RESCORE_QUEUE, rescoreProcessor(repo), workerOpts(4)));
  for (const w of workers) {
    w.on('failed', (job, err) => log.warn({ queue: w.name, job: job?.id, err: err.message }, 'job failed'));
    w.on('error', (err) => log.error({ queue: w.name, err: err.message }, 'worker error'));
  }
  log.info({ worker: id, vantage: o.vantage, queues: o.queues }, 'worker started');

  let stopping: Promise<void> | null = null;
  return {
    id,
    stats,
    stop() {
      stopping ??= (async () => {
        clearInterval(beatTimer);
        stall.stop();
        // in-flight probes are cancelled (not recorded) and audits aborted: their jobs are taken over after the lock
        ac.abort(new Error('worker stopping'));
        await Promise.all(workers.map((w) => w.close(true)));
        await conn.hdel(workersKey(o.prefix), id).catch(() => undefined);
        conn.disconnect();
        if (ownScratch) fs.rmSync(scratch, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
