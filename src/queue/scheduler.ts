/**
 * The scheduler of queue mode (`govsite monitor --queue redis://…`): it probes nothing and audits nothing itself.
 * Its clock is a set of BullMQ Job Schedulers on the `control` queue (so two schedulers never both act: each control
 * job is processed once, by whichever is up), plus the probe tick:
 *   (tick)    every round length, on this process's own timer: enqueue the next probe windows for every live vantage
 *             (`probe:<vantage>:<window>`: idempotent, so two schedulers add each window once)
 *   settle    confirm the outages of finished windows (repo.settle), finish nightly runs and send their warnings
 *   nightly   the nightly cron (Asia/Shanghai): open the day's nightly run, one audit job per site (`audit:<site>:<date>`)
 *   warnings  hourly availability warnings
 */
import fs from 'node:fs';
import os from 'node:os';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SiteConfig, SitesConfig } from '../monitor/config.ts';
import { loadSitesConfig, probesPerDayFor } from '../monitor/config.ts';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../monitor/probe.ts';
import { addDays, isoWeekAt, shanghaiDay } from '../monitor/time.ts';
import { evaluateWarnings, sendWarnings, type SendOptions } from '../monitor/warnings.ts';
import type { NightlyLogger } from '../monitor/nightly.ts';
import { DEFAULT_IMPAIRMENT } from '../repo/confirm.ts';
import type { Repo } from '../repo/types.ts';
import {
  AUDIT_QUEUE, CONTROL_QUEUE, probeQueueName, queueTimings, redisConnection, roundsNextKey, vantagesKey,
  type AuditJob, type ProbeRoundJob, type QueueTimings,
} from './common.ts';
import { SlotTable } from './rounds.ts';

export interface SchedulerOptions {
  repo: Repo;
  queueUrl: string;
  prefix: string;
  config: SitesConfig;
  configPath?: string;
  timings?: Partial<QueueTimings>;
  probeTimeoutMs?: number;
  /** Canary URLs every vantage probes at the start of each round (sites file `probes.canaries`, else these). */
  canaries?: string[];
  /** Install the nightly cron Job Scheduler (default: config.nightly.enabled). */
  nightly?: boolean;
  sendOptions?: SendOptions;
  logger?: NightlyLogger;
  /** Clock (tests). */
  now?: () => number;
}

export interface SchedulerHandle {
  readonly queues: { control: Queue; audit: Queue };
  /** Opens (or finds) today's nightly run and enqueues its audits; the same as the cron firing. */
  runNightlyNow(o?: { asOf?: string; siteIds?: string[] }): Promise<{ nightlyRunId: number; enqueued: number; created: boolean }>;
  /** Enqueues the windows due now (tests call it instead of waiting for a tick). */
  tick(): Promise<number>;
  settle(): Promise<void>;
  setConfig(c: SitesConfig): void;
  stop(): Promise<void>;
}

const silent: NightlyLogger = { info() {}, warn() {}, error() {} };

function hostKey(site: SiteConfig): string {
  try {
    return new URL(site.url).hostname.toLowerCase();
  } catch {
    return site.id;
  }
}

/** Reads a site's manual file to ship it with the audit job (workers elsewhere do not have it). */
function manualOf(site: SiteConfig): AuditJob['manual'] {
  if (!site.manual) return undefined;
  try {
    return { path: site.manual, content: fs.readFileSync(site.manual, 'utf8') };
  } catch {
    return undefined; // not written yet: no manual entries yet
  }
}

/** Enqueues the audits of a nightly run (ids `audit:<site>:<date>`: a job already there is not added twice). */
export async function enqueueNightly(
  repo: Repo,
  audit: Queue,
  sites: readonly SiteConfig[],
  asOf: string,
  owner: string,
  limits?: AuditJob['limits'],
): Promise<{ nightlyRunId: number; enqueued: number; created: boolean }> {
  const { id, created } = await repo.openNightly(asOf, sites.map((s) => ({ id: s.id, host: hostKey(s) })), owner);
  const pending = new Set((await repo.nightlySites(id)).filter((s) => s.status === 'pending' || s.status === 'running').map((s) => s.siteId));
  const jobs = sites
    .filter((s) => pending.has(s.id))
    .map((site) => ({
      name: 'audit',
      data: { site, asOf, nightlyRunId: id, ...(manualOf(site) ? { manual: manualOf(site) } : {}), ...(limits ? { limits } : {}) } satisfies AuditJob,
      opts: { jobId: `audit:${site.id}:${asOf}`, attempts: 2, backoff: { type: 'fixed', delay: 60_000 }, removeOnComplete: { age: 7 * 86_400 }, removeOnFail: { age: 30 * 86_400 } },
    }));
  if (jobs.length) await audit.addBulk(jobs);
  return { nightlyRunId: id, enqueued: jobs.length, created };
}

export async function startScheduler(o: SchedulerOptions): Promise<SchedulerHandle> {
  const log = o.logger ?? silent;
  const repo = o.repo;
  const t = { ...queueTimings(), ...o.timings };
  const now = o.now ?? Date.now;
  const timeoutMs = o.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const owner = `scheduler@${os.hostname()}:${process.pid}`;
  const conn = redisConnection(o.queueUrl);
  const connection = conn as unknown as Redis;
  const control = new Queue(CONTROL_QUEUE, { connection, prefix: o.prefix });
  const audit = new Queue(AUDIT_QUEUE, { connection, prefix: o.prefix });
  const probeQueues = new Map<string, Queue>();
  const probeQueue = (v: string) => {
    let q = probeQueues.get(v);
    if (!q) probeQueues.set(v, (q = new Queue(probeQueueName(v), { connection, prefix: o.prefix })));
    return q;
  };
  let config = o.config;
  let slots = new SlotTable(config.sites.map((s) => ({ id: s.id, url: s.url, probesPerDay: probesPerDayFor(s, config) })), t.dayMs);
  const setConfig = (c: SitesConfig) => {
    config = c;
    slots = new SlotTable(c.sites.map((s) => ({ id: s.id, url: s.url, probesPerDay: probesPerDayFor(s, c) })), t.dayMs);
    log.info({ sites: c.sites.length }, 'site list updated');
  };
  const canaries = () => (config.probes.canaries.length ? config.probes.canaries : (o.canaries ?? []));

  // ---- tick: enqueue the current and the next window for every live vantage
  const liveVantages = async (): Promise<string[]> => {
    const all = await conn.hgetall(vantagesKey(o.prefix));
    const cut = now() - t.vantageTtlMs;
    return Object.entries(all).filter(([, at]) => Number(at) >= cut).map(([v]) => v).sort();
  };
  let lastNoVantageLog = 0;
  const tick = async (): Promise<number> => {
    const R = t.roundMs;
    const n = now();
    const current = Math.floor(n / R) * R;
    const stored = Number(await conn.get(roundsNextKey(o.prefix)));
    // windows already over are not replayed (those minutes count as not measured)
    // windows are enqueued one or two rounds ahead, so a worker has each before its first slot; at start the current,
    // partly elapsed window is left out (its minutes count as not measured)
    let w = Number.isFinite(stored) && stored > current ? stored : current + R;
    const last = current + 2 * R;
    const vantages = await liveVantages();
    if (vantages.length === 0 && now() - lastNoVantageLog > 60_000) {
      lastNoVantageLog = now();
      log.warn({}, 'no live vantage: no worker has sent a heartbeat recently, probe rounds are not enqueued');
    }
    let added = 0;
    const guard = config.probes.outageGuard;
    const impairment = { ratio: guard.ratio ?? DEFAULT_IMPAIRMENT.ratio, minHosts: guard.minHosts ?? DEFAULT_IMPAIRMENT.minHosts, minProbes: guard.minProbes ?? DEFAULT_IMPAIRMENT.minProbes };
    for (; w <= last; w += R) {
      const sites = slots.window(w, R);
      if (sites.length === 0) continue;
      for (const v of vantages) {
        const data: ProbeRoundJob = { vantage: v, windowAt: w, windowMs: R, timeoutMs, sites, canaries: canaries(), impairment };
        await probeQueue(v).add('round', data, { jobId: `probe:${v}:${w}`, attempts: 3, backoff: { type: 'fixed', delay: 1_000 }, removeOnComplete: { age: 3_600, count: 10_000 }, removeOnFail: { age: 86_400 } });
        added++;
      }
    }
    await conn.set(roundsNextKey(o.prefix), String(last + R));
    return added;
  };

  // ---- settle: confirmation of finished windows; nightly completion and its warnings
  let settling = false;
  const settle = async () => {
    if (settling) return;
    settling = true;
    try {
      // a window is final once every vantage had time to finish it: round + probe + immediate retry + margin
      const before = now() - (t.roundMs + 2 * timeoutMs + Math.max(1_000, Math.min(5_000, t.roundMs)));
      const r = await repo.settle({ before, windowMs: t.roundMs, pid: process.pid });
      if (r.windows) log.info({ ...r }, 'probe windows settled');
      for (const n of await repo.openNightlyRuns()) {
        if (!(await repo.finishNightlyIfComplete(n.id))) continue;
        log.info({ nightlyRunId: n.id, asOf: n.asOf, done: n.done, failed: n.failed }, 'nightly run finished');
        await nightlyWarnings(n.id, n.asOf);
      }
    } finally {
      settling = false;
    }
  };

  const nightlyWarnings = async (nightlyRunId: number, asOf: string) => {
    const w = config.warnings;
    if (!w.enabled || w.channels.length === 0) return;
    const byId = new Map(config.sites.map((s) => [s.id, s]));
    const all = [];
    for (const r of await repo.nightlySites(nightlyRunId)) {
      const site = byId.get(r.siteId);
      if (!site) continue;
      const availability = await repo.availabilityForAudit(site.id, asOf, { now: now() });
      all.push(...evaluateWarnings({ site: { id: site.id, name: site.name, url: site.url, region: site.region }, asOf, availability, audit: r.status === 'done' ? (r.summary ?? undefined) : undefined, thresholds: w }));
    }
    const sent = await sendWarnings(repo, all, w.channels, { now, ...o.sendOptions });
    for (const r of sent.results) if (!r.ok) log.warn({ channel: r.channel, err: r.error }, 'warning delivery failed');
  };

  const availabilityWarnings = async () => {
    const w = config.warnings;
    if (!w.enabled || w.channels.length === 0) return;
    const n = now();
    const rows = await repo.weeklyAvailability({ week: isoWeekAt(n), now: n });
    const byId = new Map(config.sites.map((s) => [s.id, s]));
    const all = [];
    for (const r of rows) {
      const s = byId.get(r.site);
      if (!s) continue;
      all.push(...evaluateWarnings({ site: { id: s.id, name: s.name, url: s.url, region: s.region }, asOf: shanghaiDay(n), availability: r, thresholds: w }).filter((x) => x.condition === 'availability'));
    }
    if (all.length) await sendWarnings(repo, all, w.channels, { now, ...o.sendOptions });
  };

  const runNightlyNow = async (x: { asOf?: string; siteIds?: string[] } = {}) => {
    const asOf = x.asOf ?? shanghaiDay(now());
    const sites = x.siteIds ? config.sites.filter((s) => x.siteIds!.includes(s.id)) : config.sites;
    const r = await enqueueNightly(repo, audit, sites, asOf, owner, { perHost: config.nightly.perHost, perPlatform: config.nightly.perPlatform });
    log.info({ ...r, asOf }, 'nightly audits enqueued');
    return r;
  };

  let lastPrune = '';
  const processor = async (job: Job) => {
    switch (job.name) {
      case 'tick':
        return { added: await tick() };
      case 'settle': {
        await settle();
        const today = shanghaiDay(now());
        if (today !== lastPrune) {
          lastPrune = today;
          const n = await repo.pruneProbes(addDays(today, -config.probes.retentionDays));
          if (n) log.info({ rows: n }, 'pruned old probe rows');
        }
        return {};
      }
      case 'nightly':
        return runNightlyNow();
      case 'warnings':
        await availabilityWarnings();
        return {};
      default:
        return {};
    }
  };

  const worker = new Worker(CONTROL_QUEUE, processor, { connection: redisConnection(o.queueUrl) as unknown as Redis, prefix: o.prefix, concurrency: 4, lockDuration: 60_000 });
  worker.on('failed', (job, err) => log.error({ job: job?.name, err: err.message }, 'control job failed'));
  const template = { opts: { removeOnComplete: true, removeOnFail: 50 } };
  // Probe windows are enqueued by this process's own timer (every round): a tick is cheap and idempotent (job ids
  // `probe:<vantage>:<window>`), so two schedulers enqueue each window once, and a tick never waits behind a long
  // control job. The Job Schedulers drive what must happen once: settle, nightly, warnings.
  await control.removeJobScheduler('tick');
  let ticking = false;
  const tickTimer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    tick()
      .catch((e) => log.error({ err: (e as Error).message }, 'probe tick failed'))
      .finally(() => {
        ticking = false;
      });
  }, t.roundMs);
  void tick().catch((e) => log.error({ err: (e as Error).message }, 'probe tick failed'));
  await control.upsertJobScheduler('settle', { every: t.settleEveryMs }, { name: 'settle', ...template });
  await control.upsertJobScheduler('warnings', { every: 3_600_000 }, { name: 'warnings', ...template });
  if (o.nightly ?? config.nightly.enabled) {
    await control.upsertJobScheduler('nightly', { pattern: config.nightly.cron, tz: config.nightly.timezone }, { name: 'nightly', ...template });
  } else {
    await control.removeJobScheduler('nightly');
  }

  let watching = false;
  const onConfigChange = (cur: fs.Stats, prev: fs.Stats) => {
    if (cur.mtimeMs === prev.mtimeMs || !o.configPath) return;
    try {
      setConfig(loadSitesConfig(o.configPath));
    } catch (e) {
      log.error({ err: (e as Error).message }, 'sites file invalid; keeping the previous list');
    }
  };
  if (o.configPath) {
    fs.watchFile(o.configPath, { interval: 5_000, persistent: false }, onConfigChange);
    watching = true;
  }
  log.info({ sites: config.sites.length, roundMs: t.roundMs, nightly: config.nightly.cron }, 'scheduler started');

  let stopping: Promise<void> | null = null;
  return {
    queues: { control, audit },
    runNightlyNow,
    tick,
    settle,
    setConfig,
    stop() {
      stopping ??= (async () => {
        clearInterval(tickTimer);
        if (watching && o.configPath) fs.unwatchFile(o.configPath, onConfigChange);
        await worker.close();
        await Promise.all([control.close(), audit.close(), ...[...probeQueues.values()].map((q) => q.close())]);
        conn.disconnect();
      })();
      return stopping;
    },
  };
}
