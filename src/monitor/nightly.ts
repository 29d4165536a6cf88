/**
 * The nightly run: audits every configured site with bounded parallelism and per-host politeness, records
 * progress in `nightly_runs` / `nightly_sites`, then sends early warnings.
 *
 * Resumable: a run interrupted by a crash or kill is picked up by the next `runNightly` call — sites already
 * `done` are not audited again, sites that were `running` are audited again. A site counts as done only after
 * its results were committed: the audit function may call `opts.markDone(runId)` INSIDE its own results
 * transaction (same db connection), which makes "results stored" and "site done" one atomic commit; otherwise
 * the site is marked done right after the audit function resolves.
 *
 * Only one live run at a time: a run whose owner process is alive and whose lease is fresh is not taken over. The
 * owner is told by more than its pid (lock, boot id, start time: see store/owner.ts), since pids repeat in containers.
 */
import type { Finding } from '../model.ts';
import type { Db } from '../store/db.ts';
import { currentOwner, isCurrentProcess, ownerAlive, parseOwner } from '../store/owner.ts';
import type { SiteConfig, SitesConfig } from './config.ts';
import { availabilityForAudit } from './ratios.ts';
import { ensureMonitorSchema } from './schema.ts';
import { shanghaiDay } from './time.ts';
import type { AuditDigest, DeliveryResult, MonitorWarning, SendOptions } from './warnings.ts';
import { evaluateWarnings, sendWarnings } from './warnings.ts';
import { syncSitesFile } from '../newmedia/sites-file.ts';

export interface AuditOptions {
  asOf: string;
  db: Db;
  signal: AbortSignal;
  /**
   * Optional: call inside the transaction that stores the audit's results, with the audit run id, so the site is
   * marked done in the same commit (no duplicate after a crash between the two).
   */
  markDone?: (auditRunId: number) => void;
}

export interface AuditOutcome {
  runId: number;
  findings: Finding[];
  /** Facts for early warnings (newest homepage date, empty columns); derived from findings when absent. */
  summary?: AuditDigest;
}

export type AuditFn = (site: SiteConfig, opts: AuditOptions) => Promise<AuditOutcome>;

export type NightlySiteState = 'pending' | 'running' | 'done' | 'failed';

export interface NightlySiteStatus {
  siteId: string;
  status: NightlySiteState;
  attempts: number;
  auditRunId?: number;
  findings?: number;
  error?: string;
  /** Done by an earlier (interrupted) attempt of this run, not by this call. */
  carriedOver?: boolean;
}

export interface NightlyResult {
  runId: number;
  asOf: string;
  resumed: boolean;
  total: number;
  done: number;
  failed: number;
  /** Sites already done before this call (resumed run). */
  alreadyDone: number;
  /** Sites audited by this call. */
  audited: number;
  /** The run was stopped (signal) before finishing; it will resume. */
  interrupted: boolean;
  sites: NightlySiteStatus[];
  warnings?: { evaluated: number; delivered: number; skipped: number; results: DeliveryResult[] };
}

export interface NightlyLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface NightlyOptions {
  db: Db;
  sites: readonly SiteConfig[];
  auditFn: AuditFn;
  /** Clock (default Date.now). */
  now?: () => number | Date;
  /** Sites audited at once (default 2). */
  concurrency?: number;
  /** Audits at once per host name (default 1). */
  perHost?: number;
  /** Monitoring time point (default: today in Asia/Shanghai). A resumed run keeps its own. */
  asOf?: string;
  signal?: AbortSignal;
  /** Attempts per site across resumes before it stays failed (default 2). */
  maxAttempts?: number;
  /** Owner lease, ms (default 120,000; renewed every third of it). */
  leaseMs?: number;
  /** Unfinished runs older than this are abandoned instead of resumed (default 20 h). */
  resumeWithinMs?: number;
  /** Send early warnings after the run (needs `warnings.channels`). */
  warnings?: SitesConfig['warnings'] & { send?: SendOptions };
  /** Derives the warning digest from findings when the audit returns no summary (default `digestFindings`). */
  summarize?: (findings: readonly Finding[]) => AuditDigest;
  logger?: NightlyLogger;
  /** Progress callback (site started/finished). */
  onProgress?: (e: { siteId: string; status: NightlySiteState; error?: string }) => void;
}

/** Thrown when another live process owns the unfinished run. */
export class NightlyBusyError extends Error {
  constructor(
    readonly runId: number,
    readonly pid: number | null,
  ) {
    super(`夜间巡检 #${runId} 正在由进程 ${pid ?? '?'} 执行，本次不重复启动`);
    this.name = 'NightlyBusyError';
  }
}

const EMPTY_COLUMN_CHECKS = /^(?:empty|blank)-columns?$|^columns?-(?:empty|blank)$/;

/**
 * Default digest from findings: `homepageNewestDate` from any finding's evidence `homepageNewestDate`
 * (or `newestDate` of a homepage-update check), `emptyColumns` from evidence `emptyColumns` (a count) or the
 * number of non-unverified findings of an empty-column check. Audits that know better should return `summary`.
 */
export function digestFindings(findings: readonly Finding[]): AuditDigest {
  const out: AuditDigest = {};
  let counted = 0;
  let explicit: number | undefined;
  for (const f of findings) {
    const ev = f.evidence ?? {};
    const d = typeof ev.homepageNewestDate === 'string' ? ev.homepageNewestDate : /homepage/.test(f.check) && typeof ev.newestDate === 'string' ? ev.newestDate : undefined;
    if (d && /^\d{4}-\d{2}-\d{2}/.test(d)) {
      const day = d.slice(0, 10);
      if (!out.homepageNewestDate || day > out.homepageNewestDate) out.homepageNewestDate = day;
    }
    if (typeof ev.emptyColumns === 'number' && Number.isFinite(ev.emptyColumns)) explicit = Math.max(explicit ?? 0, ev.emptyColumns);
    else if (EMPTY_COLUMN_CHECKS.test(f.check) && !ev.unverified) counted++;
  }
  if (explicit !== undefined || counted > 0) out.emptyColumns = explicit ?? counted;
  return out;
}


/** Run ids being executed by this process right now. */
const activeRuns = new Set<number>();

interface RunRow {
  id: number;
  as_of: string;
  started_at: string;
  status: string;
  pid: number | null;
  owner: string | null;
  lease_until: number | null;
}

/** Is the process that owns this run still alive (and not this process)? */
function otherOwnerAlive(db: Db, r: RunRow): boolean {
  const owner = parseOwner(r.owner);
  if (isCurrentProcess(owner, r.pid)) return false;
  return ownerAlive(owner, r.pid, db.name);
}

function hostKey(site: SiteConfig): string {
  try {
    return new URL(site.url).hostname.toLowerCase();
  } catch {
    return site.id;
  }
}

const silent: NightlyLogger = { info() {}, warn() {}, error() {} };

/** The unfinished run a new call would resume, if any (for status displays). */
export function unfinishedNightlyRun(db: Db): { id: number; asOf: string; startedAt: string; pid: number | null; ownerAlive: boolean } | undefined {
  ensureMonitorSchema(db);
  const r = db.prepare(`SELECT * FROM nightly_runs WHERE status = 'running' ORDER BY id DESC LIMIT 1`).get() as RunRow | undefined;
  if (!r) return undefined;
  return { id: r.id, asOf: r.as_of, startedAt: r.started_at, pid: r.pid, ownerAlive: otherOwnerAlive(db, r) ? (r.lease_until ?? 0) > Date.now() : activeRuns.has(r.id) };
}

/** Runs (or resumes) the nightly audit of all sites. */
export async function runNightly(opts: NightlyOptions): Promise<NightlyResult> {
  const { db, auditFn } = opts;
  ensureMonitorSchema(db);
  const clock = () => {
    const t = opts.now?.() ?? Date.now();
    return typeof t === 'number' ? t : t.getTime();
  };
  const iso = () => new Date(clock()).toISOString();
  const log = opts.logger ?? silent;
  const concurrency = Math.max(1, opts.concurrency ?? 2);
  const perHost = Math.max(1, opts.perHost ?? 1);
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 2);
  const leaseMs = Math.max(3_000, opts.leaseMs ?? 120_000);
  const resumeWithinMs = opts.resumeWithinMs ?? 20 * 3_600_000;
  const summarize = opts.summarize ?? digestFindings;
  const byId = new Map(opts.sites.map((s) => [s.id, s]));
  // The sites file's new-media accounts and closed sites go into the registry the audits read (src/newmedia).
  try {
    syncSitesFile(db, opts.sites, iso());
  } catch (e) {
    log.warn({ err: (e as Error).message }, 'new-media registry sync failed');
  }

  // ---- claim (resume or create) a run, atomically
  const owner = JSON.stringify(currentOwner(db.name));
  const claim = db.transaction((): { runId: number; asOf: string; resumed: boolean } => {
    const now = clock();
    let run = db.prepare(`SELECT * FROM nightly_runs WHERE status = 'running' ORDER BY id DESC LIMIT 1`).get() as RunRow | undefined;
    if (run) {
      if (activeRuns.has(run.id)) throw new NightlyBusyError(run.id, run.pid);
      if (otherOwnerAlive(db, run) && (run.lease_until ?? 0) > now) throw new NightlyBusyError(run.id, run.pid);
      if (now - Date.parse(run.started_at) > resumeWithinMs) {
        db.prepare(`UPDATE nightly_runs SET status = 'abandoned', finished_at = ? WHERE id = ?`).run(new Date(now).toISOString(), run.id);
        log.warn({ runId: run.id }, 'abandoning stale unfinished nightly run');
        run = undefined;
      }
    }
    const insSite = db.prepare(`INSERT OR IGNORE INTO nightly_sites (run_id, site_id, host, status) VALUES (?, ?, ?, 'pending')`);
    if (run) {
      db.prepare(`UPDATE nightly_runs SET pid = ?, owner = ?, lease_until = ?, resumes = resumes + 1 WHERE id = ?`).run(process.pid, owner, now + leaseMs, run.id);
      db.prepare(`UPDATE nightly_sites SET status = 'pending' WHERE run_id = ? AND status = 'running'`).run(run.id);
      db.prepare(`UPDATE nightly_sites SET status = 'pending', error = NULL WHERE run_id = ? AND status = 'failed' AND attempts < ?`).run(run.id, maxAttempts);
      for (const s of opts.sites) insSite.run(run.id, s.id, hostKey(s));
      db.prepare(`UPDATE nightly_runs SET sites_total = (SELECT count(*) FROM nightly_sites WHERE run_id = ?) WHERE id = ?`).run(run.id, run.id);
      return { runId: run.id, asOf: run.as_of, resumed: true };
    }
    const asOf = opts.asOf ?? shanghaiDay(now);
    const info = db
      .prepare(`INSERT INTO nightly_runs (as_of, started_at, status, pid, owner, lease_until, sites_total) VALUES (?, ?, 'running', ?, ?, ?, ?)`)
      .run(asOf, new Date(now).toISOString(), process.pid, owner, now + leaseMs, opts.sites.length);
    const runId = Number(info.lastInsertRowid);
    for (const s of opts.sites) insSite.run(runId, s.id, hostKey(s));
    return { runId, asOf, resumed: false };
  });
  const { runId, asOf, resumed } = claim.immediate();
  activeRuns.add(runId);
  log.info({ runId, asOf, resumed, sites: opts.sites.length }, resumed ? 'resuming nightly run' : 'nightly run started');

  const leaseTimer = setInterval(() => {
    try {
      db.prepare(`UPDATE nightly_runs SET lease_until = ? WHERE id = ?`).run(clock() + leaseMs, runId);
    } catch (e) {
      log.error({ err: (e as Error).message }, 'cannot renew nightly lease');
    }
  }, Math.floor(leaseMs / 3));
  leaseTimer.unref();

  const setStatus = db.prepare(`UPDATE nightly_sites SET status = ?, error = ?, finished_at = ? WHERE run_id = ? AND site_id = ?`);
  const markRunning = db.prepare(`UPDATE nightly_sites SET status = 'running', attempts = attempts + 1, started_at = ?, error = NULL WHERE run_id = ? AND site_id = ?`);
  const markDoneStmt = db.prepare(
    `UPDATE nightly_sites SET status = 'done', audit_run_id = ?, finished_at = ?, error = NULL WHERE run_id = ? AND site_id = ?`,
  );
  const fillDone = db.prepare(`UPDATE nightly_sites SET status = 'done', audit_run_id = coalesce(audit_run_id, ?), findings = ?, summary = ?, finished_at = coalesce(finished_at, ?) WHERE run_id = ? AND site_id = ?`);

  const rows = db.prepare(`SELECT site_id, status FROM nightly_sites WHERE run_id = ?`).all(runId) as { site_id: string; status: NightlySiteState }[];
  const alreadyDone = rows.filter((r) => r.status === 'done').length;
  const queue: SiteConfig[] = [];
  for (const r of rows) {
    if (r.status !== 'pending') continue;
    const site = byId.get(r.site_id);
    if (site) queue.push(site);
    else setStatus.run('failed', 'site no longer configured', iso(), runId, r.site_id);
  }

  const ac = new AbortController();
  const onAbort = () => ac.abort(opts.signal?.reason);
  if (opts.signal?.aborted) ac.abort(opts.signal.reason);
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  const hostBusy = new Map<string, number>();
  let audited = 0;
  let wake: (() => void) | null = null;
  const running = new Set<Promise<void>>();
  ac.signal.addEventListener('abort', () => wake?.(), { once: true });

  const auditOne = async (site: SiteConfig): Promise<void> => {
    const host = hostKey(site);
    markRunning.run(iso(), runId, site.id);
    opts.onProgress?.({ siteId: site.id, status: 'running' });
    let markedDone = false;
    const markDone = (auditRunId: number) => {
      markDoneStmt.run(auditRunId, iso(), runId, site.id);
      markedDone = true;
    };
    try {
      const out = await auditFn(site, { asOf, db, signal: ac.signal, markDone });
      const digest = out.summary ?? summarize(out.findings ?? []);
      fillDone.run(out.runId ?? null, out.findings?.length ?? 0, JSON.stringify(digest), iso(), runId, site.id);
      audited++;
      opts.onProgress?.({ siteId: site.id, status: 'done' });
      log.info({ runId, site: site.id, auditRunId: out.runId, findings: out.findings?.length ?? 0 }, 'site audited');
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      if (markedDone) {
        // results were committed with the done mark; a later failure does not undo them
        audited++;
        log.warn({ runId, site: site.id, err: msg }, 'audit failed after its results were committed');
      } else if (ac.signal.aborted) {
        setStatus.run('pending', null, null, runId, site.id);
        log.info({ runId, site: site.id }, 'site audit interrupted; will resume');
      } else {
        setStatus.run('failed', msg.slice(0, 2000), iso(), runId, site.id);
        opts.onProgress?.({ siteId: site.id, status: 'failed', error: msg });
        log.error({ runId, site: site.id, err: msg }, 'site audit failed');
      }
    } finally {
      const n = (hostBusy.get(host) ?? 1) - 1;
      if (n <= 0) hostBusy.delete(host);
      else hostBusy.set(host, n);
    }
  };

  try {
    while ((queue.length > 0 || running.size > 0) && !ac.signal.aborted) {
      if (running.size < concurrency) {
        const idx = queue.findIndex((s) => (hostBusy.get(hostKey(s)) ?? 0) < perHost);
        if (idx >= 0) {
          const site = queue.splice(idx, 1)[0];
          const host = hostKey(site);
          hostBusy.set(host, (hostBusy.get(host) ?? 0) + 1);
          const p: Promise<void> = auditOne(site).finally(() => {
            running.delete(p);
            wake?.();
          });
          running.add(p);
          continue;
        }
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
    await Promise.allSettled([...running]);
  } finally {
    clearInterval(leaseTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    activeRuns.delete(runId);
  }

  const interrupted = ac.signal.aborted && (db.prepare(`SELECT count(*) AS n FROM nightly_sites WHERE run_id = ? AND status IN ('pending', 'running')`).get(runId) as { n: number }).n > 0;
  if (!interrupted) {
    db.prepare(`UPDATE nightly_runs SET status = 'done', finished_at = ?, lease_until = NULL WHERE id = ?`).run(iso(), runId);
  } else {
    db.prepare(`UPDATE nightly_runs SET lease_until = NULL, pid = NULL, owner = NULL WHERE id = ?`).run(runId);
  }

  const final = db
    .prepare(`SELECT site_id, status, attempts, audit_run_id, findings, error, summary, finished_at, started_at FROM nightly_sites WHERE run_id = ? ORDER BY site_id`)
    .all(runId) as {
    site_id: string;
    status: NightlySiteState;
    attempts: number;
    audit_run_id: number | null;
    findings: number | null;
    error: string | null;
    summary: string | null;
  }[];
  const result: NightlyResult = {
    runId,
    asOf,
    resumed,
    total: final.length,
    done: final.filter((r) => r.status === 'done').length,
    failed: final.filter((r) => r.status === 'failed').length,
    alreadyDone,
    audited,
    interrupted,
    sites: final.map((r) => ({
      siteId: r.site_id,
      status: r.status,
      attempts: r.attempts,
      ...(r.audit_run_id != null ? { auditRunId: r.audit_run_id } : {}),
      ...(r.findings != null ? { findings: r.findings } : {}),
      ...(r.error ? { error: r.error } : {}),
    })),
  };
  log.info({ runId, done: result.done, failed: result.failed, interrupted }, 'nightly run finished');

  if (!interrupted && opts.warnings && opts.warnings.enabled !== false && opts.warnings.channels.length > 0) {
    const all: MonitorWarning[] = [];
    for (const r of final) {
      const site = byId.get(r.site_id);
      if (!site) continue;
      let digest: AuditDigest | undefined;
      if (r.status === 'done' && r.summary) {
        try {
          digest = JSON.parse(r.summary) as AuditDigest;
        } catch {
          digest = undefined;
        }
      }
      const availability = availabilityForAudit(db, site.id, asOf, { now: clock() });
      all.push(
        ...evaluateWarnings({
          site: { id: site.id, name: site.name, url: site.url, region: site.region },
          asOf,
          availability,
          audit: digest,
          thresholds: opts.warnings,
        }),
      );
    }
    const sent = await sendWarnings(db, all, opts.warnings.channels, { now: clock, ...opts.warnings.send });
    result.warnings = { evaluated: all.length, ...sent };
    for (const r of sent.results) if (!r.ok) log.warn({ channel: r.channel, err: r.error }, 'warning delivery failed');
  }
  return result;
}

/** The latest digest stored for each site by nightly runs (newest done audit). */
export function latestDigests(db: Db): Map<string, AuditDigest & { asOf: string }> {
  ensureMonitorSchema(db);
  const rows = db
    .prepare(
      `SELECT s.site_id, s.summary, r.as_of FROM nightly_sites s JOIN nightly_runs r ON r.id = s.run_id
       WHERE s.status = 'done' AND s.summary IS NOT NULL ORDER BY r.id`,
    )
    .all() as { site_id: string; summary: string; as_of: string }[];
  const out = new Map<string, AuditDigest & { asOf: string }>();
  for (const r of rows) {
    try {
      out.set(r.site_id, { ...(JSON.parse(r.summary) as AuditDigest), asOf: r.as_of });
    } catch {
      /* ignore a broken row */
    }
  }
  return out;
}
