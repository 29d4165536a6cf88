import type { Store } from '../store/store.ts';
import type { AuditReport } from '../report/audit-report.ts';
import type { ScoreResult } from '../score/types.ts';
import { withDecisions } from '../score/engine.ts';

/** Rebuilds the audit JSON document of a stored run (with its latest score), for rescoring and the dashboard. */
export function storedReport(store: Store, runId: number): AuditReport | undefined {
  const run = store.getRun(runId);
  if (!run) return undefined;
  const latest = store.latestScore(runId);
  const score = latest?.score as ScoreResult | undefined;
  const findings = withDecisions(store.findings(runId), score);
  const scopes = store.checkScopes(runId);
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
    ...(run.screenshot ? { screenshot: run.screenshot } : {}),
    ...(run.browser ? { browser: run.browser } : {}),
    notes: run.notes,
  };
}
