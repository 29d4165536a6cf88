import { parseArgs } from 'node:util';
import path from 'node:path';
import { Store } from '../store/store.ts';
import { scoreStoredRun } from '../audit/score-run.ts';
import { storedReport } from '../audit/stored-report.ts';
import fs from 'node:fs';
import { formatOpt, intOpt, manualArg, outArg, rubricArg } from './main.ts';
import { writeOutput } from './output.ts';
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
  if (!runId) throw new UsageError('score needs --run <id> (see the runId of a stored audit)');
  const format = formatOpt(values.format);
  if (values.rubric !== undefined) rubricArg(values.rubric);
  if (values.manual !== undefined) manualArg(values.manual);
  outArg(values.out);
  const store = Store.open(values.db ?? path.join('data', 'govsite.db'));
  try {
    const run = store.getRun(runId);
    if (!run) throw new Error(`no stored audit run ${runId} in ${values.db ?? 'data/govsite.db'}`);
    if (run.status !== 'done') throw new Error(`run ${runId} is ${run.status}: only finished audits can be scored`);
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
