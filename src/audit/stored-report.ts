import type { Store } from '../store/store.ts';
import type { AuditReport } from '../report/audit-report.ts';
import type { ScoreResult } from '../score/types.ts';
import { withDecisions } from '../score/engine.ts';
import { GATHER_STATUS_KIND, type GatherStatus } from '../model.ts';

/** Rebuilds the audit JSON document of a stored run (with its latest score), for rescoring and the dashboard. */
export function storedReport(store: Store, runId: number): AuditReport | undefined {
  const run = store.getRun(runId);
  if (!run) return undefined;
  const latest = store.latestScore(runId);
  const score = latest?.score as ScoreResult | undefined;
  const findings = withDecisions(store.findings(runId), score);
  const scopes = store.checkScopes(runId);
  // What each gatherer read (shown in the reports' 检测范围), as the audit reported it.
  const gather = Object.fromEntries(store.observations(runId, [GATHER_STATUS_KIND]).map((o) => [o.key, o.data as GatherStatus]));
  return {
    site: { url: run.siteUrl, ...(run.siteName ? { name: run.siteName } : {}) },
    rubric: run.rubric,
    asOf: run.asOf,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? run.startedAt,
    runId: run.id,
    stats: { pagesCrawled: 0, linksChecked: 0, brokenLinks: 0, ...run.stats, findings: findings.length },
    findings,
    ...(score ? { score } : {}),
    ...(scopes ? { scopes } : {}),
    ...(Object.keys(gather).length ? { gather } : {}),
    ...(run.screenshot ? { screenshot: run.screenshot } : {}),
    ...(run.browser ? { browser: run.browser } : {}),
    notes: run.notes,
  };
}
