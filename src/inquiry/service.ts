import type { Store } from '../store/store.ts';
import type { Finding } from '../model.ts';
import type { ScoreResult } from '../score/types.ts';
import { rerunChecks } from '../audit/rerun-checks.ts';
import { OBS, type InquiryObs, type LetterObs } from '../analyze/interaction/observations.ts';
import { inquiryLatency, matchInquiry, type InquiryRecord } from '../analyze/interaction/inquiries.ts';
import { getInquiry } from './store.ts';
import type { Repo } from '../repo/types.ts';
import { rerunChecksInRepo, manualSnapshot, profileOf } from '../repo/rerun.ts';
import { inProcessRescorer, type Rescorer, type RescoreResult } from '../repo/rescore.ts';

/**
 * Bringing an inquiry record into a stored run: the run's inquiry observation is updated (reply entered by hand, or the
 * letter the gatherer matched) and the inquiry-reply check re-runs over it, which rescores the run. The run is the
 * latest finished audit of the inquiry's site whose as-of is not before the question.
 */

export interface InquirySync {
  runId?: number;
  score?: ScoreResult;
  findings: Finding[];
  inquiry: InquiryObs;
}

export function latestRunFor(store: Store, inq: InquiryRecord): number | undefined {
  const r = store.db
    .prepare("SELECT id FROM runs WHERE status = 'done' AND (site_id = ? OR site_key = ?) AND as_of >= ? ORDER BY id DESC LIMIT 1")
    .get(inq.site, inq.site, inq.askedAt.slice(0, 10)) as { id: number } | undefined;
  return r?.id;
}

/** The inquiry as a run sees it: the gatherer's match kept, the reply entered by hand first. */
export function inquiryObservation(inq: InquiryRecord, prev: InquiryObs | undefined, letters: LetterObs[]): InquiryObs {
  const match = prev?.match ?? matchInquiry(inq, letters);
  const repliedAt = inq.repliedAt ?? match?.repliedAt;
  const latency = inquiryLatency(inq.askedAt, repliedAt);
  return {
    id: inq.id, site: inq.site, channel: inq.channel, askedAt: inq.askedAt, title: inq.title,
    ...(inq.note ? { note: inq.note } : {}),
    ...(inq.repliedAt ? { repliedAt: inq.repliedAt, repliedBy: 'manual' as const } : match?.repliedAt ? { repliedAt: match.repliedAt, repliedBy: 'published' as const } : {}),
    ...(match ? { match } : {}),
    ...(latency !== undefined ? { latency } : {}),
  };
}

export async function syncInquiry(store: Store, id: number, o: { runId?: number; manualFile?: string } = {}): Promise<InquirySync> {
  const inq = getInquiry(store.db, id);
  if (!inq) throw new Error(`没有编号为 ${id} 的模拟咨询`);
  const runId = o.runId ?? latestRunFor(store, inq);
  if (runId === undefined) return { findings: [], inquiry: inquiryObservation(inq, undefined, []) };
  const obs = store.observations(runId, [OBS.inquiry, OBS.letter]);
  const prev = obs.find((x) => x.kind === OBS.inquiry && x.key === String(id))?.data as InquiryObs | undefined;
  const letters = obs.filter((x) => x.kind === OBS.letter).map((x) => x.data as LetterObs);
  const data = inquiryObservation(inq, prev, letters);
  store.saveObservations(runId, [{ kind: OBS.inquiry, key: String(id), data, ...(inq.channel ? { url: inq.channel } : {}) }]);
  const r = await rerunChecks(store, runId, ['inquiry-reply'], o.manualFile ? { manualFile: o.manualFile } : {});
  return { runId, ...(r.score ? { score: r.score } : {}), findings: r.findings, inquiry: data };
}

/**
 * `syncInquiry` on the shared store (PostgreSQL): the run's inquiry observation is updated there, `inquiry-reply`
 * re-runs over the stored observations, and the run is rescored through `rescorer` (in this process, or a worker's
 * job in queue mode) with the manual-items file named by `manualFile` or the run.
 */
export async function syncInquiryInRepo(
  repo: Repo,
  id: number,
  o: { runId?: number; manualFile?: string; hasPublicServices?: boolean; rescorer?: Rescorer; by?: string } = {},
): Promise<InquirySync & { rescore?: RescoreResult }> {
  const inq = await repo.getInquiry(id);
  if (!inq) throw new Error(`没有编号为 ${id} 的模拟咨询`);
  const runId = o.runId ?? (await repo.doneRuns({ siteIdOrKey: inq.site, asOfFrom: inq.askedAt.slice(0, 10), limit: 1 }))[0]?.id;
  if (runId === undefined) return { findings: [], inquiry: inquiryObservation(inq, undefined, []) };
  const run = await repo.getRun(runId);
  if (!run) throw new Error(`no stored audit run ${runId}`);
  const obs = await repo.observations(runId, [OBS.inquiry, OBS.letter]);
  const prev = obs.find((x) => x.kind === OBS.inquiry && x.key === String(id))?.data as InquiryObs | undefined;
  const letters = obs.filter((x) => x.kind === OBS.letter).map((x) => x.data as LetterObs);
  const data = inquiryObservation(inq, prev, letters);
  await repo.saveObservations(runId, [{ kind: OBS.inquiry, key: String(id), data, ...(inq.channel ? { url: inq.channel } : {}) }]);
  const r = await rerunChecksInRepo(repo, runId, ['inquiry-reply']);
  const manualFile = o.manualFile ?? ((run.options as { manualFile?: string | null }).manualFile || undefined);
  const rescore = await (o.rescorer ?? inProcessRescorer(repo)).rescore(runId, {
    manual: manualSnapshot(manualFile),
    profile: profileOf(run, { ...(o.hasPublicServices !== undefined ? { hasPublicServices: o.hasPublicServices } : {}) }),
    ...(o.by ? { by: o.by } : {}),
  });
  const score = !rescore.queued ? (rescore.score ?? undefined) : undefined;
  return { runId, ...(score ? { score } : {}), findings: r.findings, inquiry: data, rescore };
}
