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
import type { AuditContext, CheckOutput, Finding } from '../model.ts';
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
  const from = str(input.from, 40);
  const to = str(input.to, 40);
  const startsAt = from ? parseShanghaiTime(from) : undefined;
  const endsAt = to ? parseShanghaiTime(to) : undefined;
  if (startsAt === undefined || endsAt === undefined) throw new ReviewError(400, '请填写维护时段的开始和结束时间（北京时间，例如 2021-06-16 22:00）');
  const note = str(input.note, 500);
  const window = wrap(() => addMaintenanceWindow(store.db, { siteId, startsAt, endsAt, ...(note ? { note } : {}), createdBy: reviewer, now }));
  return { window, rescored: rejudge(store, window, siteOf) };
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
  if (input.remove === '1' || input.remove === true || input.remove === 'true') {
    removeMaintenanceWindow(store.db, before.id);
    return { removed: true, rescored: rejudge(store, before, siteOf) };
  }
  const decision = str(input.decision, 20);
  if (decision !== 'count' && decision !== 'exclude' && decision !== 'pending')
    throw new ReviewError(400, 'decision 应为 count（计入）、exclude（不计入）或 pending（撤销决定）');
  const reason = str(input.reason, 500);
  const window = wrap(() => decideMaintenanceWindow(store.db, before.id, { decision: decision as MaintenanceDecision, by: reviewer, ...(reason ? { reason } : {}), now }));
  return { window, rescored: rejudge(store, window, siteOf) };
}

/**
 * Runs the availability check again for the site's finished audits whose monitored week may contain the window
 * (monitoring time point from the window's start to two weeks after its end), and rescores them.
 */
function rejudge(store: Store, w: MaintenanceWindow, siteOf: (id: string) => SiteConfig | undefined): number[] {
  // An audit judges the week of its monitoring time point (or the week before): from the window's week to a week after.
  const first = weekRange(isoWeekOf(shanghaiDay(w.startsAt))).from;
  const last = addDays(weekRange(isoWeekOf(shanghaiDay(w.endsAt))).to, 7);
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
    const out = availabilityCheck.run({ availability, site: { url: run.siteUrl }, homepage: { url: homeUrl } } as unknown as AuditContext) as CheckOutput;
    const findings: Finding[] = Array.isArray(out) ? out : out.findings;
    const scope = Array.isArray(out) ? undefined : out.scope;
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
