import { parseArgs } from 'node:util';
import { Store } from '../store/store.ts';
import { addInquiry, getInquiry, InquiryError, listInquiries, setInquiryReply } from '../inquiry/store.ts';
import { syncInquiry, syncInquiryInRepo, type InquirySync } from '../inquiry/service.ts';
import { openRepo, parseDbSpec } from '../repo/open.ts';
import type { Repo } from '../repo/types.ts';
import { intOpt } from './options.ts';
import { UsageError } from './usage.ts';
import { formatPoints } from '../report/audit-report.ts';

/**
 * `govsite inquiry add|list|reply`: the inspector's simulated inquiries (模拟咨询). govsite never submits anything to a
 * site; the inspector asks, records the question here, and each audit looks for the reply among the published letters.
 * A reply time entered by hand re-runs the inquiry-reply check on the site's latest audit and rescores it.
 */
export async function inquiryCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      site: { type: 'string' }, channel: { type: 'string' }, 'asked-at': { type: 'string' }, title: { type: 'string' }, note: { type: 'string' },
      id: { type: 'string' }, 'replied-at': { type: 'string' }, clear: { type: 'boolean' }, run: { type: 'string' }, manual: { type: 'string' },
      db: { type: 'string' }, format: { type: 'string' },
    },
    strict: true,
  });
  const out = (s: string) => process.stdout.write(s + '\n');
  const spec = parseDbSpec(values.db);
  if (spec.kind === 'postgres') {
    const repo = await openRepo(spec);
    try {
      return await inquiryInRepo(repo, sub, values, out);
    } finally {
      await repo.close();
    }
  }
  const store = Store.open(spec.file);
  try {
    switch (sub) {
      case 'add': {
        if (!values.site || !values.channel || !values['asked-at'] || !values.title)
          throw new UsageError('inquiry add needs --site, --channel, --asked-at "YYYY-MM-DD HH:MM" and --title');
        const rec = guard(() => addInquiry(store.db, { site: values.site!, channel: values.channel!, askedAt: values['asked-at']!, title: values.title!, note: values.note }));
        out(`已录入模拟咨询 #${rec.id}：${rec.site}「${rec.title}」，${rec.askedAt} 提问（${rec.channel}）`);
        out(describe(await syncInquiry(store, rec.id, opts(values))));
        return 0;
      }
      case 'list': {
        printInquiries(listInquiries(store.db, values.site ? [values.site] : undefined), values.format, out);
        return 0;
      }
      case 'reply': {
        const id = intOpt(values.id, 'id', 1, Number.MAX_SAFE_INTEGER);
        if (!id) throw new UsageError('inquiry reply needs --id N');
        if (!values.clear && !values['replied-at']) throw new UsageError('inquiry reply needs --replied-at "YYYY-MM-DD HH:MM" (or --clear)');
        if (!getInquiry(store.db, id)) throw new Error(`没有编号为 ${id} 的模拟咨询`);
        const rec = guard(() => setInquiryReply(store.db, id, values.clear ? null : values['replied-at']!, values.note));
        out(rec.repliedAt ? `已录入模拟咨询 #${id} 的答复时间：${rec.repliedAt}` : `已清除模拟咨询 #${id} 的答复时间`);
        out(describe(await syncInquiry(store, id, opts(values))));
        return 0;
      }
      default:
        throw new UsageError(`inquiry takes add, list or reply (got "${sub ?? ''}")`);
    }
  } finally {
    store.close();
  }
}

type InquiryValues = { site?: string; channel?: string; 'asked-at'?: string; title?: string; note?: string; id?: string; 'replied-at'?: string; clear?: boolean; run?: string; manual?: string; format?: string };

/** The same subcommands on the shared store (GOVSITE_DB / --db postgres://…). */
async function inquiryInRepo(repo: Repo, sub: string | undefined, values: InquiryValues, out: (s: string) => void): Promise<number> {
  switch (sub) {
    case 'add': {
      if (!values.site || !values.channel || !values['asked-at'] || !values.title)
        throw new UsageError('inquiry add needs --site, --channel, --asked-at "YYYY-MM-DD HH:MM" and --title');
      const rec = await guardAsync(() => repo.addInquiry({ site: values.site!, channel: values.channel!, askedAt: values['asked-at']!, title: values.title!, note: values.note }));
      out(`已录入模拟咨询 #${rec.id}：${rec.site}「${rec.title}」，${rec.askedAt} 提问（${rec.channel}）`);
      out(describe(await syncInquiryInRepo(repo, rec.id, { ...opts(values), by: 'cli' })));
      return 0;
    }
    case 'list': {
      printInquiries(await repo.listInquiries(values.site ? [values.site] : undefined), values.format, out);
      return 0;
    }
    case 'reply': {
      const id = intOpt(values.id, 'id', 1, Number.MAX_SAFE_INTEGER);
      if (!id) throw new UsageError('inquiry reply needs --id N');
      if (!values.clear && !values['replied-at']) throw new UsageError('inquiry reply needs --replied-at "YYYY-MM-DD HH:MM" (or --clear)');
      if (!(await repo.getInquiry(id))) throw new Error(`没有编号为 ${id} 的模拟咨询`);
      const rec = await guardAsync(() => repo.setInquiryReply(id, values.clear ? null : values['replied-at']!, values.note));
      out(rec.repliedAt ? `已录入模拟咨询 #${id} 的答复时间：${rec.repliedAt}` : `已清除模拟咨询 #${id} 的答复时间`);
      out(describe(await syncInquiryInRepo(repo, id, { ...opts(values), by: 'cli' })));
      return 0;
    }
    default:
      throw new UsageError(`inquiry takes add, list or reply (got "${sub ?? ''}")`);
  }
}

async function guardAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof InquiryError) throw new UsageError(e.message);
    throw e;
  }
}

function opts(values: { run?: string; manual?: string }): { runId?: number; manualFile?: string } {
  const runId = intOpt(values.run, 'run', 1, Number.MAX_SAFE_INTEGER);
  return { ...(runId ? { runId } : {}), ...(values.manual ? { manualFile: values.manual } : {}) };
}

function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InquiryError) throw new UsageError(e.message);
    throw e;
  }
}

function describe(r: InquirySync): string {
  if (r.runId === undefined) return '该网站还没有可用的检查记录：下次检查时将在已公开留言中查找答复。';
  const q = r.inquiry;
  const reply = q.repliedAt ? `答复 ${q.repliedAt}（${q.repliedBy === 'manual' ? '人工录入' : '已公开留言中找到'}），用时 ${q.latency ?? '—'} 个工作日` : '尚未发现答复';
  const f = r.findings.map((x) => x.message).join(' ');
  const score = r.score ? `，重新评分：${formatPoints(r.score.total)} 分${r.score.provisional ? '（暂定）' : ''}` : '';
  return `检查 #${r.runId}：${reply}${score}${f ? `\n${f}` : ''}`;
}

/** `govsite inquiry list`: JSON, or one line per inquiry in Chinese. */
function printInquiries(
  list: { id: number; site: string; askedAt: string; title: string; repliedAt?: string | null; channel: string }[],
  format: string | undefined,
  out: (line: string) => void,
): void {
  if (format === 'json') return out(JSON.stringify(list, null, 2));
  if (!list.length) out('没有模拟咨询记录。');
  for (const q of list) out(`#${q.id}  ${q.site}  ${q.askedAt} 提问「${q.title}」  ${q.repliedAt ? `${q.repliedAt} 答复（人工录入）` : '未录入答复时间'}  ${q.channel}`);
}
