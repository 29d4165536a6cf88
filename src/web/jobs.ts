/**
 * "Run now" from the dashboard: audits of CONFIGURED sites only (the caller looks the site up in sites.yaml by id;
 * no URL ever comes from a visitor), queued and run one at a time in this process with the same audit function as
 * the CLI and the nightly run. A site already queued or running is not queued twice.
 */
import { zhText } from '../report/zh.ts';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SiteConfig } from '../monitor/config.ts';
import type { Store } from '../store/store.ts';
import { runAudit, todayShanghai, unitTypeOfRubric } from '../audit/run.ts';
import { availabilityForAudit } from '../monitor/ratios.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface Job {
  id: string;
  siteId: string;
  status: JobStatus;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** The audit run, once known. */
  runId?: number;
  error?: string;
  /** Who asked for it. */
  requestedBy: string;
}

export interface AuditRequest {
  site: SiteConfig;
  store: Store;
  dbFile: string;
  signal: AbortSignal;
  log?: Logger;
}

/** Runs one audit; resolves with the stored run id. */
export type AuditRunner = (req: AuditRequest) => Promise<{ runId?: number }>;

/**
 * A runner calling `audit` (default `runAudit`) with the site's settings from sites.yaml — the same settings the
 * nightly run and `govsite demo` use: its skipped hosts, and its fixed monitoring time point when it has one (the demo
 * site's pages are frozen at 2021-06-15; audited today, every date rule would fail).
 */
export function makeAuditRunner(audit: typeof runAudit = runAudit): AuditRunner {
  return (req) => runSiteAudit(req, audit);
}

/** The default runner: `runAudit` with the site's settings from sites.yaml. */
export const defaultAuditRunner: AuditRunner = makeAuditRunner();

async function runSiteAudit({ site, store, dbFile, signal, log }: AuditRequest, audit: typeof runAudit): Promise<{ runId?: number }> {
  const asOf = site.asOf ?? todayShanghai();
  let availability;
  try {
    availability = availabilityForAudit(store.db, site.id, asOf);
  } catch {
    availability = undefined;
  }
  const manualFile = site.manual && fs.existsSync(site.manual) ? site.manual : undefined;
  const report = await audit({
    url: site.url,
    rubric: site.rubric,
    asOf,
    store,
    dbFile,
    site: {
      id: site.id,
      name: site.name,
      unitType: unitTypeOfRubric(site.rubric),
      hasPublicServices: site.hasPublicServices,
      ...(site.parentDomain ? { parentDomain: site.parentDomain } : {}),
    },
    ...(manualFile ? { manualFile } : {}),
    ...(site.maxPages ? { maxPages: site.maxPages } : {}),
    ...(site.concurrency ? { concurrency: site.concurrency } : {}),
    ...(site.politenessMs !== undefined ? { delayMs: site.politenessMs } : {}),
    ...(site.skipHosts?.length ? { skipHosts: site.skipHosts } : {}),
    ...(availability ? { availability } : {}),
    ...(site.gather ? { gather: site.gather } : {}),
    signal,
    log,
  });
  return { runId: report.runId };
}

const MAX_JOBS_KEPT = 500;

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: { job: Job; site: SiteConfig }[] = [];
  private running = 0;
  private readonly controller = new AbortController();
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly runner: AuditRunner,
    private readonly ctx: { store: Store; dbFile: string; log?: Logger },
    private readonly concurrency = 1,
  ) {}

  /** Queues an audit of the site, or returns the job already queued/running for it. */
  start(site: SiteConfig, requestedBy: string): { job: Job; created: boolean } {
    for (const j of this.jobs.values()) if (j.siteId === site.id && (j.status === 'queued' || j.status === 'running')) return { job: j, created: false };
    const job: Job = { id: randomBytes(9).toString('base64url'), siteId: site.id, status: 'queued', createdAt: new Date().toISOString(), requestedBy };
    this.jobs.set(job.id, job);
    this.trim();
    this.queue.push({ job, site });
    this.pump();
    return { job, created: true };
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Jobs of a site, newest first. */
  forSite(siteId: string): Job[] {
    return [...this.jobs.values()].filter((j) => j.siteId === siteId).reverse();
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Aborts running audits and drops queued ones. */
  async close(): Promise<void> {
    for (const { job } of this.queue.splice(0)) {
      job.status = 'failed';
      job.error = '看板已关闭，检查未执行';
      job.finishedAt = new Date().toISOString();
    }
    this.controller.abort();
    await this.whenIdle();
  }

  private trim(): void {
    if (this.jobs.size <= MAX_JOBS_KEPT) return;
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= MAX_JOBS_KEPT) break;
      if (j.status === 'done' || j.status === 'failed') this.jobs.delete(id);
    }
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length) {
      const { job, site } = this.queue.shift()!;
      this.running++;
      job.status = 'running';
      job.startedAt = new Date().toISOString();
      this.ctx.log?.info({ job: job.id, site: site.id }, 'dashboard audit started');
      void this.runner({ site, store: this.ctx.store, dbFile: this.ctx.dbFile, signal: this.controller.signal, log: this.ctx.log })
        .then((r) => {
          job.status = 'done';
          if (r.runId !== undefined) job.runId = r.runId;
        })
        .catch((e: unknown) => {
          job.status = 'failed';
          // For people (the site page, /api/jobs): Chinese, codes kept in parentheses; the log keeps the original.
          job.error = zhText(((e as Error)?.message ?? String(e)).split('\n')[0].slice(0, 500));
          const rid = (e as { runId?: unknown })?.runId;
          if (typeof rid === 'number') job.runId = rid;
          this.ctx.log?.warn({ job: job.id, site: site.id, err: job.error }, 'dashboard audit failed');
        })
        .finally(() => {
          job.finishedAt = new Date().toISOString();
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const r of this.idle.splice(0)) r();
        });
    }
  }
}
