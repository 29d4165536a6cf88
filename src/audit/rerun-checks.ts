import type { AuditContext, AvailabilitySummary, CheckScope, Finding, SiteInfo } from '../model.ts';
import { DEFAULT_CHECK_OPTIONS, observationSet } from '../model.ts';
import type { Store } from '../store/store.ts';
import type { ScoreResult } from '../score/types.ts';
import { loadChecks, runChecks } from '../checks.ts';
import { scoreStoredRun } from './score-run.ts';
import { unitTypeOfRubric } from './run.ts';

/**
 * Re-runs chosen checks of a stored run over what the run stored (pages, link results, rendered pages, observations)
 * — no crawling, no gathering — replaces those checks' findings and scopes, and rescores the run. For facts that change
 * after the audit without a new crawl: a reply time an inspector enters by hand (模拟咨询), a corrected observation.
 * The other checks' findings are left as they are.
 */
export interface RerunOptions {
  /** Manual-items file for the rescore (default: the one the run was scored with). */
  manualFile?: string;
  hasPublicServices?: boolean;
  /** For the availability check (the audit looked it up in the monitor's tables). */
  availability?: AvailabilitySummary;
}

export interface RerunResult {
  findings: Finding[];
  scopes: Record<string, CheckScope>;
  score?: ScoreResult;
}

export async function rerunChecks(store: Store, runId: number, checkIds: readonly string[], o: RerunOptions = {}): Promise<RerunResult> {
  const run = store.getRun(runId);
  if (!run) throw new Error(`no stored audit run ${runId}`);
  if (run.status !== 'done') throw new Error(`run ${runId} is ${run.status}: only finished audits can be re-checked`);
  const all = await loadChecks();
  const checks = all.filter((c) => checkIds.includes(c.id));
  const unknown = checkIds.filter((id) => !all.some((c) => c.id === id));
  if (unknown.length) throw new Error(`unknown check id: ${unknown.join(', ')}`);
  const opts = run.options as { unitType?: 'city' | 'provincial'; hasPublicServices?: boolean; manualFile?: string | null; parentDomain?: string | null };
  const unitType = opts.unitType ?? unitTypeOfRubric(run.rubric);
  const site: SiteInfo = {
    url: run.siteUrl,
    host: new URL(run.siteUrl).hostname,
    unitType,
    ...(run.siteName ? { name: run.siteName } : {}),
    ...(opts.parentDomain ? { parentDomain: opts.parentDomain } : {}),
  };
  const needsHtml = checks.some((c) => c.needsHtml);
  const pages = needsHtml ? [...store.iteratePages(runId, { withHtml: true })] : [];
  const ctx: AuditContext = {
    site,
    asOf: run.asOf,
    runId,
    pages,
    homepage: needsHtml ? pages.find((p) => p.isHomepage) : store.homepage(runId),
    linkResults: store.linkResults(runId, { problemsOnly: true }),
    browser: { available: !!run.browser?.available, ...(run.browser?.reason ? { reason: run.browser.reason } : {}), pages: store.rendered(runId) },
    ...(run.network ? { network: run.network } : {}),
    ...(o.availability ? { availability: o.availability } : {}),
    observations: observationSet(store.observations(runId)),
    options: DEFAULT_CHECK_OPTIONS,
  };
  const r = runChecks(checks, ctx);
  const failed = Object.keys(r.errors);
  // A check that throws keeps its stored findings: a re-check must not erase evidence.
  if (failed.length) throw new Error(`check ${failed.join(', ')} failed: ${Object.values(r.errors)[0].split('\n')[0]}`);
  store.replaceCheckFindings(runId, checks.map((c) => c.id), r.findings);
  // A run stored before scopes existed is scored on findings alone: adding some scopes would make every other check
  // of it "not run".
  if (store.checkScopes(runId) !== undefined) store.saveCheckScopes(runId, r.scopes, { partial: true });
  const scored = scoreStoredRun(store, runId, {
    rubric: run.rubric,
    manualFile: o.manualFile ?? opts.manualFile ?? undefined,
    profile: { unitType, hasPublicServices: o.hasPublicServices ?? opts.hasPublicServices ?? true },
  });
  return { findings: r.findings, scopes: r.scopes, ...(scored.score ? { score: scored.score } : {}) };
}
