/**
 * Rescoring a published run in the shared store (the dashboard's reviews, maintenance decisions and inquiry replies
 * over PostgreSQL).
 *
 * A rescore is asked for by recording what the run is to be scored with — the manual-items file's content as it is
 * now (the file stays the source of reviewer decisions), the unit profile — under a new revision n of the run
 * (`requestRescore`). Then either this process scores it at once (no queue), or a worker does, from job
 * `rescore:{run}:{n}` (queue mode, src/queue/rescore.ts). Either way `performRescore` reads findings, scopes and the
 * request from the store and stores the score only if no newer request came meanwhile: the latest score always
 * reflects the latest review, whatever order the jobs run in, and a job run twice stores nothing twice.
 */
import { loadRubric } from '../score/rubric.ts';
import { parseManual, type ManualFile } from '../score/manual.ts';
import { scoreAudit } from '../score/engine.ts';
import type { ScoreResult } from '../score/types.ts';
import type { ScoreProfile } from '../audit/score-run.ts';
import type { RescoreRequest, Repo } from './types.ts';

/** A rescore_requests row (either backend). */
export function rescoreFromRow(r: Record<string, unknown>): RescoreRequest {
  return {
    runId: Number(r.run_id),
    revision: Number(r.revision),
    manual: r.manual_path && typeof r.manual === 'string' ? { path: r.manual_path as string, content: r.manual } : null,
    profile: JSON.parse(r.profile as string) as ScoreProfile,
    requestedBy: (r.requested_by as string | null) ?? null,
    requestedAt: r.requested_at as string,
    doneRevision: r.done_revision === null || r.done_revision === undefined ? null : Number(r.done_revision),
  };
}

/** done: scored now; already: this revision was scored before (a job run twice); superseded: a newer request exists. */
export type RescoreStatus = 'done' | 'already' | 'superseded' | 'missing';

export interface RescoreOutcome {
  status: RescoreStatus;
  revision: number;
  score?: ScoreResult;
}

/** Scores a stored run from the shared store (nothing stored). ManualError when the manual file is broken. */
export async function scoreFromRepo(repo: Repo, runId: number, o: { rubric: string; manual?: ManualFile; profile: ScoreProfile }): Promise<ScoreResult> {
  const rubric = loadRubric(o.rubric);
  const findings = await repo.findings(runId);
  const scopes = await repo.checkScopes(runId);
  return scoreAudit({ rubric, findings, ...(o.manual ? { manual: o.manual } : {}), profile: o.profile, ...(scopes ? { scopes } : {}) });
}

/**
 * Scores revision `revision` of a run's rescore request and stores the score — unless a newer request exists
 * (`superseded`: its own job scores it), it was scored already (`already`), or the request or run is gone (`missing`).
 */
export async function performRescore(repo: Repo, runId: number, revision: number): Promise<RescoreOutcome> {
  const req = await repo.rescoreRequest(runId);
  if (!req) return { status: 'missing', revision };
  if (req.revision !== revision) return { status: req.revision > revision ? 'superseded' : 'missing', revision };
  if ((req.doneRevision ?? 0) >= revision) return { status: 'already', revision };
  const run = await repo.getRun(runId);
  if (!run) return { status: 'missing', revision };
  const manual = req.manual ? parseManual(req.manual.content, req.manual.path) : undefined;
  const score = await scoreFromRepo(repo, runId, { rubric: run.rubric, ...(manual ? { manual } : {}), profile: req.profile });
  const id = await repo.saveRescore(runId, revision, {
    rubric: run.rubric, ...(req.manual ? { manualFile: req.manual.path } : {}), total: score.total, veto: score.veto.failed, provisional: score.provisional, score,
  });
  if (id === undefined) {
    const now = await repo.rescoreRequest(runId);
    return { status: now && now.revision > revision ? 'superseded' : 'already', revision };
  }
  return { status: 'done', revision, score };
}

/** What a rescore request came to for the person who asked: scored now, or queued for a worker. */
export type RescoreResult = { queued: false; revision: number; status: RescoreStatus; score?: ScoreResult } | { queued: true; revision: number; jobId: string };

/** Where rescoring happens: in this process (no queue) or on a worker (queue mode). */
export interface Rescorer {
  rescore(runId: number, input: { manual: { path: string; content: string } | null; profile: ScoreProfile; by?: string }): Promise<RescoreResult>;
  close?(): Promise<void>;
}

/** Rescoring in this process, at once. */
export function inProcessRescorer(repo: Repo): Rescorer {
  return {
    async rescore(runId, input) {
      const revision = await repo.requestRescore(runId, input);
      const r = await performRescore(repo, runId, revision);
      return { queued: false, revision, status: r.status, ...(r.score ? { score: r.score } : {}) };
    },
  };
}
