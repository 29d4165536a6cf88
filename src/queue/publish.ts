/**
 * One audit into the shared store outside the queue (`govsite audit` with `GOVSITE_DB=postgres://…`): the run id is
 * claimed from the repository, the audit runs into a scratch SQLite working store under that id (the site's simulated
 * inquiries and the new-media registry copied in first, its feed readings sent back after), and its results are
 * published in one transaction — the same path a worker takes, without the queue.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { runAudit, AuditError, type AuditOptions } from '../audit/run.ts';
import { siteKey } from '../collect/crawl.ts';
import type { AuditReport } from '../report/audit-report.ts';
import { Store } from '../store/store.ts';
import type { Repo } from '../repo/types.ts';
import { bundleFromStore } from './worker.ts';
import { returnFeedReadings, seedWorkingStore } from './working-store.ts';

export async function auditIntoRepo(repo: Repo, o: Omit<AuditOptions, 'store' | 'dbFile' | 'runId'>): Promise<AuditReport> {
  let url: string;
  try {
    url = new URL(o.url).href;
  } catch {
    throw new AuditError(`invalid URL: ${o.url}`);
  }
  const rubric = o.rubric ?? 'hunan-2021-city';
  const asOf = o.asOf ?? new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const runId = await repo.claimRun({
    jobKey: `cli:${randomUUID()}`, siteUrl: url, siteKey: siteKey(url), ...(o.site?.id ? { siteId: o.site.id } : {}), ...(o.site?.name ? { siteName: o.site.name } : {}),
    rubric, asOf, owner: `cli@${os.hostname()}:${process.pid}`,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-audit-'));
  const file = path.join(dir, 'work.db');
  const store = Store.open(file);
  try {
    const availability = o.availability ?? (o.site?.id ? await repo.availabilityForAudit(o.site.id, asOf) : undefined);
    let report: AuditReport | undefined;
    let failure: Error | undefined;
    const gathering = o.gatherers !== false;
    if (gathering) await seedWorkingStore(repo, store, { ...(o.site?.id ? { id: o.site.id } : {}), url, ...(o.site?.name ? { name: o.site.name } : {}) });
    try {
      report = await runAudit({ ...o, store, dbFile: file, runId, ...(availability ? { availability } : {}), screenshotDir: o.screenshotDir ?? process.env.GOVSITE_SCREENSHOTS ?? path.resolve('data', 'screenshots') });
    } catch (e) {
      failure = e as Error;
      if (!(e instanceof AuditError) || e.runId === undefined) store.finishRun(runId, 'failed', { error: failure.message });
    }
    if (gathering) await returnFeedReadings(repo, store, runId);
    await repo.publishRun(runId, bundleFromStore(store, runId, { manualFile: o.manualFile ?? null }));
    if (failure) throw failure;
    return report!;
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
