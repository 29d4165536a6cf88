/**
 * Re-running chosen checks of a run published in the shared store, for facts that change after the audit without a
 * new crawl: a reply time entered by hand (`inquiry-reply`), a maintenance decision (`availability`). The shared store
 * keeps findings, scopes and observations but not the audit's pages or link results (they stay in the working store
 * of the process that audited), so only checks that read nothing else may run here — any other is refused rather
 * than judged on missing pages. The one-machine store keeps using src/audit/rerun-checks.ts.
 */
import fs from 'node:fs';
import type { AuditContext, AvailabilitySummary, CheckScope, Finding, SiteInfo } from '../model.ts';
import { DEFAULT_CHECK_OPTIONS, observationSet } from '../model.ts';
import { loadChecks, runChecks } from '../checks.ts';
import { unitTypeOfRubric } from '../audit/run.ts';
import type { ScoreProfile } from '../audit/score-run.ts';
import type { RunRow } from '../store/store.ts';
import type { Repo } from './types.ts';

/** Checks that read only the run's observations, availability and address: they can be re-run from the shared store. */
export const REPO_RERUNNABLE: ReadonlySet<string> = new Set(['inquiry-reply', 'availability']);

export async function rerunChecksInRepo(
  repo: Repo,
  runId: number,
  checkIds: readonly string[],
  o: { availability?: AvailabilitySummary; homepageUrl?: string } = {},
): Promise<{ findings: Finding[]; scopes: Record<string, CheckScope> }> {
  const run = await repo.getRun(runId);
  if (!run) throw new Error(`no stored audit run ${runId}`);
  if (run.status !== 'done') throw new Error(`run ${runId} is ${run.status}: only finished audits can be re-checked`);
  const all = await loadChecks();
  const unknown = checkIds.filter((id) => !all.some((c) => c.id === id));
  if (unknown.length) throw new Error(`unknown check id: ${unknown.join(', ')}`);
  const refused = checkIds.filter((id) => !REPO_RERUNNABLE.has(id));
  if (refused.length) throw new Error(`check ${refused.join(', ')} needs the audit's pages, which the shared store does not keep: audit the site again`);
  const checks = all.filter((c) => checkIds.includes(c.id));
  const opts = run.options as { unitType?: 'city' | 'provincial'; parentDomain?: string | null };
  const site: SiteInfo = {
    url: run.siteUrl,
    host: new URL(run.siteUrl).hostname,
    unitType: opts.unitType ?? unitTypeOfRubric(run.rubric),
    ...(run.siteName ? { name: run.siteName } : {}),
    ...(opts.parentDomain ? { parentDomain: opts.parentDomain } : {}),
  };
  const ctx = {
    site,
    asOf: run.asOf,
    runId,
    pages: [],
    ...(o.homepageUrl ? { homepage: { url: o.homepageUrl } } : {}),
    linkResults: new Map(),
    browser: { available: !!run.browser?.available, pages: new Map() },
    ...(run.network ? { network: run.network } : {}),
    ...(o.availability ? { availability: o.availability } : {}),
    observations: observationSet(await repo.observations(runId)),
    options: DEFAULT_CHECK_OPTIONS,
  } as unknown as AuditContext;
  const r = runChecks(checks, ctx);
  const failed = Object.keys(r.errors);
  // A check that throws keeps its stored findings: a re-check must not erase evidence.
  if (failed.length) throw new Error(`check ${failed.join(', ')} failed: ${Object.values(r.errors)[0].split('\n')[0]}`);
  // A run stored before scopes existed is scored on findings alone (adding some scopes would make the others "not run").
  const hasScopes = (await repo.checkScopes(runId)) !== undefined;
  await repo.replaceCheckResults(runId, checks.map((c) => c.id), r.findings, hasScopes ? r.scopes : undefined);
  return { findings: r.findings, scopes: r.scopes };
}

/** The unit profile a run is scored with (its options, the configured site's services flag first). */
export function profileOf(run: RunRow, o: { hasPublicServices?: boolean } = {}): ScoreProfile {
  const opts = run.options as { unitType?: 'city' | 'provincial'; hasPublicServices?: boolean };
  return { unitType: opts.unitType ?? unitTypeOfRubric(run.rubric), hasPublicServices: o.hasPublicServices ?? opts.hasPublicServices ?? true };
}

/** The manual-items file's content to score with: null when none is named or it is not written yet. */
export function manualSnapshot(file: string | undefined | null): { path: string; content: string } | null {
  if (!file) return null;
  try {
    return { path: file, content: fs.readFileSync(file, 'utf8') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`人工评分文件 ${file} 无法读取：${(e as Error).message}`);
  }
}
