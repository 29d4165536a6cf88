import type { RunRow, Store } from '../store/store.ts';
import type { Finding } from '../model.ts';
import type { AuditReport } from '../report/audit-report.ts';
import type { ScoreResult } from '../score/types.ts';
import { withDecisions } from '../score/engine.ts';
import { GATHER_STATUS_KIND, type GatherStatus } from '../model.ts';

/** What a stored run's report is rebuilt from: the run row, its latest score, findings, scopes and gatherer statuses. */
export interface StoredParts {
  run: RunRow;
  score: ScoreResult | undefined;
  findings: Finding[];
  scopes: AuditReport['scopes'] | undefined;
  gather: Record<string, GatherStatus>;
}

/** The audit JSON document of a stored run, from its parts (decisions of the score applied to the findings). */
export function reportFromParts(p: StoredParts): AuditReport {
  const { run, score } = p;
  const findings = withDecisions(p.findings, score);
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
    ...(p.scopes ? { scopes: p.scopes } : {}),
    ...(Object.keys(p.gather).length ? { gather: p.gather } : {}),
    ...(run.screenshot ? { screenshot: run.screenshot } : {}),
    ...(run.browser ? { browser: run.browser } : {}),
    notes: run.notes,
  };
}

/** What each gatherer read (shown in the reports' 检测范围), as the audit reported it. */
export function gatherStatuses(observations: { key: string; data: unknown }[]): Record<string, GatherStatus> {
  return Object.fromEntries(observations.map((o) => [o.key, o.data as GatherStatus]));
}

/** Rebuilds the audit JSON document of a stored run (with its latest score), for rescoring and the dashboard. */
export function storedReport(store: Store, runId: number): AuditReport | undefined {
  const run = store.getRun(runId);
  if (!run) return undefined;
  return reportFromParts({
    run,
    score: store.latestScore(runId)?.score as ScoreResult | undefined,
    findings: store.findings(runId),
    scopes: store.checkScopes(runId),
    gather: gatherStatuses(store.observations(runId, [GATHER_STATUS_KIND])),
  });
}
