import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import type { LinkageResult } from '../src/analyze/linkage.ts';
import { gathererScope, partialNote } from '../src/analyze/gathered.ts';

/**
 * 联动传播 (both rubrics): each item of the inspector's relay list must appear on the site within its time limit (7
 * days by default). Relayed late (a dated page after the deadline): a finding. Not found: a finding that is
 * confirm-required unless the site's own search answered and found nothing either (the crawl may not reach every
 * column). Items whose deadline is after the as-of date are not judged.
 */
interface Searched {
  pages: number;
  files: string[];
  search?: { url?: string; ok?: boolean; error?: string; results?: number; available?: boolean };
}

const check: Check = {
  id: 'linkage-missing',
  title: '重要信息未联动传播',
  description: 'Items of the configured relay list not found on the site within their time limit (default 7 days).',
  run(ctx: AuditContext): CheckOutput {
    const not = gathererScope(ctx, 'linkage', '联动传播清单');
    if (not) return { findings: [], scope: not };
    const results = ctx.observations!.list<LinkageResult & { searched: Searched }>('linkage-item');
    const home = ctx.homepage?.url ?? ctx.site.url;
    const findings: Finding[] = [];
    for (const r of results) {
      if (r.status !== 'missing' && r.status !== 'late') continue;
      const s = r.searched?.search;
      const where = `抓取页面 ${r.searched?.pages ?? 0} 个${s?.available === false ? '（网站无可用的站内搜索）' : s ? `，站内搜索${s.ok ? ` ${s.results ?? 0} 条结果` : `失败（${s.error ?? '无法访问'}）`}` : ''}`;
      const days = r.item.withinDays ?? 7;
      const target = `linkage:${r.item.date}:${r.item.title}`;
      const evidence = { item: r.item, deadline: r.deadline, searched: r.searched, ...(r.hit ? { relay: r.hit } : {}), ...(r.others ? { others: r.others } : {}) };
      if (r.status === 'late') {
        findings.push({
          check: check.id,
          url: r.hit!.url,
          target,
          detail: `清单日期 ${r.item.date}，应于 ${r.deadline} 前转载；本站 ${r.hit!.date} 发布「${r.hit!.title.slice(0, 40)}」`,
          message: `重要信息「${r.item.title}」未在${days}天内联动传播：本站于 ${r.hit!.date} 才转载（应不晚于 ${r.deadline}）。`,
          evidence,
        });
      } else {
        const sure = !!s?.ok;
        findings.push({
          check: check.id,
          url: home,
          target,
          detail: `清单日期 ${r.item.date}${r.item.source ? `，来源 ${r.item.source}` : ''}；已查：${where}${r.item.keywords?.length ? `；关键词 ${r.item.keywords.join('、')}` : ''}`,
          message: `重要信息「${r.item.title}」未在本站找到（应于 ${r.deadline} 前转载）${sure ? '' : '，请确认'}。`,
          evidence: { ...evidence, ...(sure ? {} : { confirm: 'required' as const }) },
        });
      }
    }
    const count = (st: string) => results.filter((r) => r.status === st).length;
    const summary = `联动传播清单 ${results.length} 条：按期转载 ${count('found')} 条，逾期 ${count('late')} 条，未找到 ${count('missing')} 条，未到期 ${count('not-due')} 条${partialNote(ctx, 'linkage')}`;
    return { findings, scope: { status: 'checked', summary, stats: { items: results.length, found: count('found'), late: count('late'), missing: count('missing') } } };
  },
};

export default check;
