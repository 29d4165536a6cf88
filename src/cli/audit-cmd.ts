import path from 'node:path';
import { runAudit, unitTypeOfRubric } from '../audit/run.ts';
import { parseDbSpec } from '../repo/open.ts';
import { writeOutput } from './output.ts';
import { UsageError } from './usage.ts';
import { auditArgs, auditUrlArg, canaryOpt, gatherOpt, makeLogger, progressPrinter, withLinkage, type AuditValues } from './options.ts';

/** `govsite audit <url>`: one audit of one site, the report in the chosen format. */
export async function auditCommand(url: string | undefined, v: AuditValues, extra: { asOfDefault?: string } = {}): Promise<number> {
  if (!url) throw new UsageError('audit 需要一个网址：govsite audit <网址>');
  const a = auditArgs(v, extra);
  url = auditUrlArg(url);
  const log = makeLogger(!!v.verbose);
  const spec = parseDbSpec(v.db);
  const dbFile = spec.kind === 'sqlite' ? spec.file : path.join('data', 'govsite.db');
  // The shared PostgreSQL store: the audit runs in a scratch working store and publishes its results there.
  const repo = spec.kind === 'postgres' ? await (await import('../repo/open.ts')).openRepo(spec) : undefined;
  const audit = repo ? (x: Parameters<typeof runAudit>[0]) => import('../queue/publish.ts').then((m) => m.auditIntoRepo(repo, x)) : runAudit;
  const report = await audit({
    url,
    rubric: a.rubric,
    asOf: a.asOf,
    maxPages: a.maxPages,
    maxDepth: a.maxDepth,
    concurrency: a.concurrency,
    perHost: a.perHost,
    delayMs: a.delayMs,
    timeoutMs: a.timeoutMs,
    dbFile,
    manualFile: v.manual,
    site: {
      name: v.name,
      id: v['site-id'],
      parentDomain: v['parent-domain'],
      unitType: unitTypeOfRubric(a.rubric),
      hasPublicServices: !v['no-services'],
    },
    browser: !v['no-browser'],
    chromiumPath: v.chromium,
    network: !v['no-network'],
    skipHosts: v['skip-host'],
    gather: withLinkage(gatherOpt(v.gather), v.linkage),
    gatherers: !v['no-gather'],
    ...(v.canary?.length ? { canaryUrls: v.canary.map(canaryOpt) } : {}),
    log,
    onProgress: progressPrinter(process.stderr.isTTY && a.format === 'text' && !v.verbose),
  }).finally(() => repo?.close());
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  await writeOutput(report, a.format, a.out);
  return 0;
}

