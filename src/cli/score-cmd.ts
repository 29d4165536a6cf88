import { parseArgs } from 'node:util';
import path from 'node:path';
import { Store } from '../store/store.ts';
import { scoreStoredRun } from '../audit/score-run.ts';
import { storedReport } from '../audit/stored-report.ts';
import fs from 'node:fs';
import { formatOpt, intOpt, manualArg, outArg, rubricArg } from './main.ts';
import { writeOutput } from './output.ts';
import { RUN_STATUS_ZH } from '../report/zh.ts';
import { UsageError } from './usage.ts';

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
  const store = Store.open(values.db ?? path.join('data', 'govsite.db'));
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
