/**
 * Rescoring on the queue (queue mode): a review on the dashboard records a rescore request in the shared store
 * (revision n of the run) and adds job `rescore:{run}:{n}` — added once, however often the same request is sent;
 * any worker taking the `rescore` queue scores the run from the shared store (`performRescore`: findings, scopes and
 * the manual-items file as the request recorded it). A job of an older revision stores nothing once a newer one exists.
 */
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { performRescore, type Rescorer, type RescoreOutcome } from '../repo/rescore.ts';
import type { Repo } from '../repo/types.ts';
import { RESCORE_QUEUE, redisConnection, type RescoreJob } from './common.ts';

export function rescoreJobId(runId: number, revision: number): string {
  return `rescore:${runId}:${revision}`;
}

/** Adds the rescore job of a request (idempotent by job id). */
export async function enqueueRescore(queue: Queue, runId: number, revision: number): Promise<string> {
  const jobId = rescoreJobId(runId, revision);
  await queue.add('rescore', { runId, revision } satisfies RescoreJob, {
    jobId,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 86_400, count: 10_000 },
    removeOnFail: { age: 7 * 86_400 },
  });
  return jobId;
}

/** Rescoring through the queue: the request is recorded, the job added; a worker does the rest. */
export function queueRescorer(repo: Repo, o: { queueUrl: string; prefix: string }): Rescorer & { queue: Queue } {
  const conn = redisConnection(o.queueUrl);
  const queue = new Queue(RESCORE_QUEUE, { connection: conn as unknown as Redis, prefix: o.prefix });
  return {
    queue,
    async rescore(runId, input) {
      const revision = await repo.requestRescore(runId, input);
      const jobId = await enqueueRescore(queue, runId, revision);
      return { queued: true, revision, jobId };
    },
    async close() {
      await queue.close();
      conn.disconnect();
    },
  };
}

/** The worker's processor of `rescore` jobs. */
export function rescoreProcessor(repo: Repo): (job: Job<RescoreJob>) => Promise<{ status: RescoreOutcome['status']; revision: number; total?: number }> {
  return async (job) => {
    const r = await performRescore(repo, job.data.runId, job.data.revision);
    // the score itself is in the store; the job's return value says what happened
    return { status: r.status, revision: r.revision, ...(r.score ? { total: r.score.total } : {}) };
  };
}
