/**
 * Queue mode (BullMQ 5 on Redis): names, connections and the job shapes shared by the scheduler and the workers.
 *
 * Queues (all under the key prefix `GOVSITE_QUEUE_PREFIX`, default `govsite`):
 *   control          the scheduler's own clock, driven by BullMQ Job Schedulers: `tick` (enqueue the next probe rounds),
 *                    `settle` (confirm outages of finished windows, finish nightly runs), `nightly` (cron), `warnings`
 *   probe-<vantage>  probe rounds of one vantage point, job id `probe:<vantage>:<window start>` (added once)
 *   audit            nightly audits, one job per site and day, job id `audit:<site>:<date>` (a retry never doubles a run)
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { SiteConfig } from '../monitor/config.ts';
import type { ImpairmentRule } from '../repo/confirm.ts';

export const CONTROL_QUEUE = 'control';
export const AUDIT_QUEUE = 'audit';
export const RESCORE_QUEUE = 'rescore';
export const probeQueueName = (vantage: string) => `probe-${vantage}`;

/** A vantage id: letters, digits and dashes (it names a queue and appears in every probe row). */
export const VANTAGE_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function queuePrefix(env: NodeJS.ProcessEnv = process.env): string {
  const p = env.GOVSITE_QUEUE_PREFIX?.trim() || 'govsite';
  if (!/^[\w.-]{1,64}$/.test(p)) throw new Error(`GOVSITE_QUEUE_PREFIX 只能包含字母、数字、点、下划线和连字符（当前为 "${p}"）`);
  return p;
}

export function isRedisUrl(s: string | undefined): boolean {
  return !!s && /^rediss?:\/\//i.test(s.trim());
}

/** A connection BullMQ can block on (workers need `maxRetriesPerRequest: null`). */
export function redisConnection(url: string, extra: RedisOptions = {}): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra });
  r.on('error', () => undefined); // reconnects by itself; errors surface on the commands that need the server
  return r;
}

/** `redis://user:pass@host:6379/0` → `redis://host:6379/0` for messages. */
export function redactRedis(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return 'redis://…';
  }
}

/** One site of a probe round. */
export interface RoundSite {
  id: string;
  url: string;
  host: string;
  /** The slot (epoch ms): the moment every vantage probes it. */
  slotAt: number;
}

export interface ProbeRoundJob {
  vantage: string;
  windowAt: number;
  windowMs: number;
  timeoutMs: number;
  sites: RoundSite[];
  canaries: string[];
  impairment: ImpairmentRule;
}

export interface RescoreJob {
  runId: number;
  /** The run's rescore revision (src/repo/rescore.ts). */
  revision: number;
}

export interface AuditJob {
  site: SiteConfig;
  asOf: string;
  nightlyRunId?: number;
  /** The site's manual-items file as the scheduler read it (workers on other machines do not have it). */
  manual?: { path: string; content: string };
  /** Audits at once across all workers: per host name, per shared platform (site `platform`). */
  limits?: { perHost: number; perPlatform: number };
}

/** Timings of the queue mode; tests and benchmarks shorten them (env), production keeps the defaults. */
export interface QueueTimings {
  /** Length of a probe round (window), ms. */
  roundMs: number;
  /** Length of a "day" for probe slots (benchmarks compress it). */
  dayMs?: number;
  /** A worker's job lock; a job whose worker died is taken over after about this long. */
  lockMs: number;
  /** A vantage with no worker heartbeat for this long gets no rounds. */
  vantageTtlMs: number;
  /** How often the scheduler settles finished windows. */
  settleEveryMs: number;
}

export function queueTimings(env: NodeJS.ProcessEnv = process.env): QueueTimings {
  const num = (k: string, d: number, min: number) => {
    const v = env[k];
    if (v === undefined || v === '') return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`${k} 应为不小于 ${min} 的毫秒数（当前为 "${v}"）`);
    return Math.round(n);
  };
  const dayMs = env.GOVSITE_DAY_MS ? num('GOVSITE_DAY_MS', 86_400_000, 1_000) : undefined;
  return {
    roundMs: num('GOVSITE_ROUND_MS', 10_000, 100),
    ...(dayMs ? { dayMs } : {}),
    lockMs: num('GOVSITE_QUEUE_LOCK_MS', 60_000, 500),
    vantageTtlMs: num('GOVSITE_VANTAGE_TTL_MS', 60_000, 500),
    settleEveryMs: num('GOVSITE_SETTLE_MS', 15_000, 100),
  };
}

/** Hash of live vantages: vantage → last heartbeat (epoch ms) of any of its workers. */
export const vantagesKey = (prefix: string) => `${prefix}:govsite:vantages`;
/** Hash of live workers: worker id → JSON { vantage, queues, pid, host, at }. */
export const workersKey = (prefix: string) => `${prefix}:govsite:workers`;
/** The next probe window to enqueue. */
export const roundsNextKey = (prefix: string) => `${prefix}:govsite:rounds-next`;
/** Semaphore keys (per host, per shared platform). */
export const hostSemKey = (prefix: string, host: string) => `${prefix}:govsite:sem:host:${host}`;
export const platformSemKey = (prefix: string, p: string) => `${prefix}:govsite:sem:platform:${p}`;
