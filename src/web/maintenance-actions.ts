/**
 * Maintenance windows from the dashboard: register a window, decide whether its probes count, remove it. After each
 * change, the stored audits whose monitored week the window touches get their `availability` check run again on
 * the current numbers (findings and scope replaced) and are rescored, so a run's 单否 and the weekly verdict never
 * disagree. Errors are ReviewErrors (Chinese, with an HTTP status) like the other reviewer actions.
 */
import fs from 'node:fs';
import type { Store } from '../store/store.ts';
import type { SiteConfig } from '../monitor/config.ts';
import {
  addMaintenanceWindow,
  decideMaintenanceWindow,
  getMaintenanceWindow,
  MaintenanceError,
  parseShanghaiTime,
  removeMaintenanceWindow,
  type MaintenanceDecision,
  type MaintenanceWindow,
} from '../monitor/maintenance.ts';
import { availabilityForAudit } from '../monitor/ratios.ts';
import { addDays, isoWeekOf, shanghaiDay, weekRange } from '../monitor/time.ts';
import { scoreStoredRun } from '../audit/score-run.ts';
import { unitTypeOfRubric } from '../audit/run.ts';
import availabilityCheck from '../../checks/availability.ts';
import type { AuditContext, AvailabilitySummary, CheckOutput, CheckScope, Finding } from '../model.ts';
import type { Repo } from '../repo/types.ts';
import { manualSnapshot, profileOf } from '../repo/rerun.ts';
import type { Rescorer } from '../repo/rescore.ts';
import { manualFileFor, ReviewError } from './review.ts';

function str(v: unknown, max: number): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return s ? s.slice(0, max) : undefined;
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MaintenanceError) throw new ReviewError(400, e.message);
    throw e;
  }
}

export interface MaintenanceResult {
  window?: MaintenanceWindow;
  removed?: boolean;
  /** Audit runs whose availability was judged again. */
  rescored: number[];
}

/** Registers a window: `from` / `to` as "2021-06-16 22:00" or "2021-06-16T22:00" (Asia/Shanghai), `note` optional. */
export function addWindow(
  store: Store,
  siteId: string,
  input: { from?: unknown; to?: unknown; note?: unknown },
  reviewer: string,
  now: number,
  siteOf: (id: string) => SiteConfig | undefined,
): MaintenanceResult {
  const w = windowInput(input);
  const window = wrap(() => addMaintenanceWindow(store.db, { siteId, ...w, createdBy: reviewer, now }));
  return { window, rescored: rejudge(store, window, siteOf) };
}

/** The form's window: start, end (Asia/Shanghai) and the announcement. */
function windowInput(input: { from?: unknown; to?: unknown; note?: unknown }): { startsAt: number; endsAt: number; note?: string } {
  const from = str(input.from, 40);
  const to = str(input.to, 40);
  const startsAt = from ? parseShanghaiTime(from) : undefined;
  const endsAt = to ? parseShanghaiTime(to) : undefined;
  if (startsAt === undefined || endsAt === undefined) throw new ReviewError(400, '请填写维护时段的开始和结束时间（北京时间，例如 2021-06-16 22:00）');
  const note = str(input.note, 500);
  return { startsAt, endsAt, ...(note ? { note } : {}) };
}

/** The form's change: remove, or a decision with its reason. */
function changeInput(input: { decision?: unknown; reason?: unknown; remove?: unknown }): { remove: true } | { remove: false; decision: MaintenanceDecision; reason?: string } {
  if (input.remove === '1' || input.remove === true || input.remove === 'true') return { remove: true };
  const decision = str(input.decision, 20);
  if (decision !== 'count' && decision !== 'exclude' && decision !== 'pending')
    throw new ReviewError(400, 'decision 应为 count（计入）、exclude（不计入）或 pending（撤销决定）');
  const reason = str(input.reason, 500);
  return { remove: false, decision, ...(reason ? { reason } : {}) };
}

/** The inspector's decision (`count` / `exclude` / `pending`), or `remove`. */
export function changeWindow(
  store: Store,
  id: string,
  input: { decision?: unknown; reason?: unknown; remove?: unknown },
  reviewer: string,
  now: number,
  siteOf: (id: string) => SiteConfig | undefined,
): MaintenanceResult {
  if (!/^\d{1,12}$/.test(id)) throw new ReviewError(404, '没有这个维护时段');
  const before = getMaintenanceWindow(store.db, Number(id));
  if (!before) throw new ReviewError(404, '没有这个维护时段');
  const c = changeInput(input);
  if (c.remove) {
    removeMaintenanceWindow(store.db, before.id);
    return { removed: true, rescored: rejudge(store, before, siteOf) };
  }
  const window = wrap(() => decideMaintenanceWindow(store.db, before.id, { decision: c.decision, by: reviewer, ...(c.reason ? { reason: c.reason } : {}), now }));
  return { window, rescored: rejudge(store, window, siteOf) };
}

/**
 * Runs the availability check again for the site's finished audits whose monitored week may contain the window
 * (monitoring time point from the window's start to two weeks after its end), and rescores them.
 */
/** The as-of days of the audits whose monitored week may contain the window: from the window's week to a week after. */
function rejudgeSpan(w: MaintenanceWindow): { first: string; last: string } {
  return { first: weekRange(isoWeekOf(shanghaiDay(w.startsAt))).from, last: addDays(weekRange(isoWeekOf(shanghaiDay(w.endsAt))).to, 7) };
}

/** The availability check's verdict for a run on the current numbers. */
function judgeAvailability(availability: AvailabilitySummary | undefined, siteUrl: string, homeUrl: string): { findings: Finding[]; scope?: CheckScope } {
  const out = availabilityCheck.run({ availability, site: { url: siteUrl }, homepage: { url: homeUrl } } as unknown as AuditContext) as CheckOutput;
  return Array.isArray(out) ? { findings: out } : { findings: out.findings, ...(out.scope ? { scope: out.scope } : {}) };
}

function rejudge(store: Store, w: MaintenanceWindow, siteOf: (id: string) => SiteConfig | undefined): number[] {
  // An audit judges the week of its monitoring time point (or the week before): from the window's week to a week after.
  const { first, last } = rejudgeSpan(w);
  const runs = store.db
    .prepare(`SELECT id FROM runs WHERE site_id = ? AND status = 'done' AND as_of >= ? AND as_of <= ? ORDER BY id DESC LIMIT 50`)
    .all(w.siteId, first, last) as { id: number }[];
  const site = siteOf(w.siteId);
  const done: number[] = [];
  for (const { id } of runs) {
    const run = store.getRun(id);
    if (!run) continue;
    const availability = availabilityForAudit(store.db, w.siteId, run.asOf);
    const homeUrl = store.findings(id).find((f) => f.check === 'availability')?.url ?? run.siteUrl;
    const { findings, scope } = judgeAvailability(availability, run.siteUrl, homeUrl);
    const before = store.findings(id).filter((f) => f.check === 'availability');
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (same(before.map(strip), findings.map(strip)) && same(store.checkScopes(id)?.availability, scope)) continue;
    store.db.transaction(() => {
      store.replaceCheckFindings(id, ['availability'], findings);
      if (scope) store.saveCheckScopes(id, { availability: scope }, { partial: true });
    })();
    const manualFile = manualFileFor(run, site);
    const opts = run.options as { unitType?: 'city' | 'provincial'; hasPublicServices?: boolean };
    try {
      scoreStoredRun(store, id, {
        rubric: run.rubric,
        ...(manualFile && fs.existsSync(manualFile) ? { manualFile } : {}),
        profile: { unitType: opts.unitType ?? unitTypeOfRubric(run.rubric), hasPublicServices: site?.hasPublicServices ?? opts.hasPublicServices ?? true },
      });
      done.push(id);
    } catch {
      // a broken manual file keeps the old score; the run page shows the file's problem
    }
  }
  return done;
}

/** A finding as stored and compared (no undefined fields). */
function strip(f: Finding): unknown {
  return JSON.parse(JSON.stringify({ check: f.check, url: f.url, target: f.target ?? null, message: f.message, evidence: f.evidence ?? {} }));
}

// ------------------------------------------------------------------------------------------------------------------
// The same actions on the shared store (the dashboard over PostgreSQL): the window goes to the repository, the
// audits it touches get their availability judged again from the repository's numbers, and are rescored through
// `rescorer` (in the dashboard's process, or a worker's job in queue mode).

export interface RepoMaintenanceResult {
  window?: MaintenanceWindow;
  removed?: boolean;
  /** Audit runs whose availability was judged again (and rescored, or queued for it). */
  rescored: number[];
  /** Rescore jobs queued (queue mode). */
  queued: string[];
}

async function wrapAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MaintenanceError) throw new ReviewError(400, e.message);
    throw e;
  }
}

export async function addWindowInRepo(
  repo: Repo,
  rescorer: Rescorer,
  siteId: string,
  input: { from?: unknown; to?: unknown; note?: unknown },
  reviewer: string,
  now: number,
  siteOf: (id: string) => SiteConfig | undefined,
): Promise<RepoMaintenanceResult> {
  const w = windowInput(input);
  const window = await wrapAsync(() => repo.addMaintenanceWindow({ siteId, ...w, createdBy: reviewer, now }));
  return { window, ...(await rejudgeInRepo(repo, rescorer, window, siteOf, reviewer)) };
}

export async function changeWindowInRepo(
  repo: Repo,
  rescorer: Rescorer,
  id: string,
  input: { decision?: unknown; reason?: unknown; remove?: unknown },
  reviewer: string,
  now: number,
  siteOf: (id: string) => SiteConfig | undefined,
): Promise<RepoMaintenanceResult> {
  if (!/^\d{1,12}$/.test(id)) throw new ReviewError(404, '没有这个维护时段');
  const before = await repo.getMaintenanceWindow(Number(id));
  if (!before) throw new ReviewError(404, '没有这个维护时段');
  const c = changeInput(input);
  if (c.remove) {
    await repo.removeMaintenanceWindow(before.id);
    return { removed: true, ...(await rejudgeInRepo(repo, rescorer, before, siteOf, reviewer)) };
  }
  const window = await wrapAsync(() => repo.decideMaintenanceWindow(before.id, { decision: c.decision, by: reviewer, ...(c.reason ? { reason: c.reason } : {}), now }));
  return { window, ...(await rejudgeInRepo(repo, rescorer, window, siteOf, reviewer)) };
}

async function rejudgeInRepo(repo: Repo, rescorer: Rescorer, w: MaintenanceWindow, siteOf: (id: string) => SiteConfig | undefined, by: string): Promise<{ rescored: number[]; queued: string[] }> {
  const { first, last } = rejudgeSpan(w);
  const site = siteOf(w.siteId);
  const rescored: number[] = [];
  const queued: string[] = [];
  for (const run of await repo.doneRuns({ siteId: w.siteId, asOfFrom: first, asOfTo: last, limit: 50 })) {
    const availability = await repo.availabilityForAudit(w.siteId, run.asOf);
    const stored = await repo.findings(run.id);
    const homeUrl = stored.find((f) => f.check === 'availability')?.url ?? run.siteUrl;
    const { findings, scope } = judgeAvailability(availability, run.siteUrl, homeUrl);
    const before = stored.filter((f) => f.check === 'availability');
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (same(before.map(strip), findings.map(strip)) && same((await repo.checkScopes(run.id))?.availability, scope)) continue;
    await repo.replaceCheckResults(run.id, ['availability'], findings, scope ? { availability: scope } : undefined);
    try {
      const r = await rescorer.rescore(run.id, { manual: manualSnapshot(manualFileFor(run, site)), profile: profileOf(run, { ...(site ? { hasPublicServices: site.hasPublicServices } : {}) }), by });
      rescored.push(run.id);
      if (r.queued) queued.push(r.jobId);
    } catch {
      // a broken manual file keeps the old score; the run page shows the file's problem
    }
  }
  return { rescored, queued };
}