import { parseArgs } from 'node:util';
import { Store } from '../store/store.ts';
import { scoreStoredRun } from '../audit/score-run.ts';
import { storedReport } from '../audit/stored-report.ts';
import fs from 'node:fs';
import { formatOpt, intOpt, manualArg, outArg, rubricArg } from './options.ts';
import { writeOutput } from './output.ts';
import { RUN_STATUS_ZH } from '../report/zh.ts';
import { UsageError } from './usage.ts';
import { openRepo, parseDbSpec, type DbSpec } from '../repo/open.ts';
import { scoreAudit } from '../score/engine.ts';
import { loadRubric } from '../score/rubric.ts';
import { loadManual } from '../score/manual.ts';

/** `govsite score --run ID [--manual FILE] [--rubric ID] [--format ...] [--out FILE] [--db FILE]`: rescoring without crawling. */
export async function scoreCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      run: { type: 'string' }, manual: { type: 'string' }, rubric: { type: 'string' }, format: { type: 'string' },
      out: { type: 'string' }, db: { type: 'string' }, 'no-services': { type: 'boolean' },
    },
    strict: true,
  });
  const runId = intOpt(values.run, 'run', 1, Number.MAX_SAFE_INTEGER);
  if (!runId) throw new UsageError('score 需要 --run <检查编号>（已存储审计的 runId）');
  const format = formatOpt(values.format);
  if (values.rubric !== undefined) rubricArg(values.rubric);
  if (values.manual !== undefined) manualArg(values.manual);
  outArg(values.out);
  const spec = parseDbSpec(values.db);
  if (spec.kind === 'postgres') return scoreInRepo(spec, runId, values, format);
  const store = Store.open(spec.file);
  try {
    const run = store.getRun(runId);
    if (!run) throw new Error(`数据库 ${values.db ?? 'data/govsite.db'} 中没有编号为 ${runId} 的审计`);
    if (run.status !== 'done') throw new Error(`审计 ${runId} 的状态为“${RUN_STATUS_ZH[run.status] ?? run.status}”：只能对已完成的审计评分`);
    const opts = run.options as { unitType?: 'city' | 'provincial'; hasPublicServices?: boolean; manualFile?: string | null };
    // The audit's own manual file (a site's configured file) may not exist yet: no manual entries yet.
    const stored = opts.manualFile && fs.existsSync(opts.manualFile) ? opts.manualFile : undefined;
    const manualFile = values.manual ?? stored;
    scoreStoredRun(store, runId, {
      rubric: values.rubric ?? run.rubric,
      manualFile,
      profile: { unitType: opts.unitType ?? 'city', hasPublicServices: values['no-services'] ? false : opts.hasPublicServices ?? true },
    });
    const report = storedReport(store, runId)!;
    if (values.rubric) report.rubric = values.rubric;
    await writeOutput(report, format, values.out);
    return 0;
  } finally {
    store.close();
  }
}

/** Rescoring a run published to the shared PostgreSQL store (findings and scopes from there; a new score row there). */
async function scoreInRepo(spec: DbSpec, runId: number, values: { manual?: string; rubric?: string; out?: string; 'no-services'?: boolean }, format: ReturnType<typeof formatOpt>): Promise<number> {
  const repo = await openRepo(spec);
  try {
    const run = await repo.getRun(runId);
    if (!run) throw new Error(`no stored audit run ${runId} in ${repo.label}`);
    if (run.status !== 'done') throw new Error(`run ${runId} is ${run.status}: only finished audits can be scored`);
    const opts = run.options as { unitType?: 'city' | 'provincial'; hasPublicServices?: boolean; manualFile?: string | null };
    const stored = opts.manualFile && fs.existsSync(opts.manualFile) ? opts.manualFile : undefined;
    const manualFile = values.manual ?? stored;
    const rubricId = values.rubric ?? run.rubric;
    const scopes = await repo.checkScopes(runId);
    const score = scoreAudit({
      rubric: loadRubric(rubricId),
      findings: await repo.findings(runId),
      manual: manualFile ? loadManual(manualFile) : undefined,
      profile: { unitType: opts.unitType ?? 'city', hasPublicServices: values['no-services'] ? false : opts.hasPublicServices ?? true },
      ...(scopes ? { scopes } : {}),
    });
    await repo.saveScore(runId, { rubric: rubricId, manualFile, total: score.total, veto: score.veto.failed, provisional: score.provisional, score });
    const { storedReportFromRepo } = await import('../web/cluster.ts');
    const report = (await storedReportFromRepo(repo, runId))!;
    if (values.rubric) report.rubric = values.rubric;
    await writeOutput(report, format, values.out);
    return 0;
  } finally {
    await repo.close();
  }
}
