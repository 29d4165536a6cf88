import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import type { TopicFacts } from '../src/analyze/topics.ts';
import { daysBetween } from '../src/analyze/dates.ts';
import { gathererScope, partialNote } from '../src/analyze/gathered.ts';

/**
 * 专题专栏 2: a topic still presented as current (not under 往期 / not marked finished) whose newest item is older than
 * its update period — 3 months by default (`ctx.options.stalePeriods.topic`, days). Links to other sites' topics and
 * topics whose dates cannot be read are not judged.
 */
export function monthsBefore(asOf: string, months: number): string {
  const y = +asOf.slice(0, 4);
  const m = +asOf.slice(5, 7) - months;
  const yy = y + Math.floor((m - 1) / 12);
  const mm = ((((m - 1) % 12) + 12) % 12) + 1;
  const last = new Date(Date.UTC(yy, mm, 0)).getUTCDate();
  const d = Math.min(+asOf.slice(8, 10), last);
  return `${yy}-${String(mm).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const check: Check = {
  id: 'topic-stale',
  title: '专题专栏未及时更新',
  description: 'A current (not finished) topic whose newest item is older than 3 months before as-of.',
  run(ctx: AuditContext): CheckOutput {
    if (ctx.site.unitType !== 'city') return { findings: [], scope: { status: 'not-run', reason: '省直单位指标不含专题专栏' } };
    const not = gathererScope(ctx, 'topics', '专题专栏');
    if (not) return { findings: [], scope: not };
    const topics = ctx.observations!.list<TopicFacts>('topic');
    const days = ctx.options?.stalePeriods?.topic;
    const limit = typeof days === 'number' ? undefined : monthsBefore(ctx.asOf, 3);
    const periodZh = typeof days === 'number' ? `${days}天` : '3个月';
    const judged = topics.filter((t) => !t.external && !t.finished);
    const findings: Finding[] = [];
    let undated = 0;
    for (const t of judged) {
      if (!t.newestDate) {
        undated++;
        continue;
      }
      const age = daysBetween(t.newestDate, ctx.asOf);
      const stale = limit ? t.newestDate < limit : age > (days as number);
      if (!stale) continue;
      findings.push({
        check: check.id,
        url: t.url,
        target: t.newestUrl,
        detail: `最新信息 ${t.newestDate}${t.newestTitle ? `「${t.newestTitle.slice(0, 40)}」` : ''}，距监测时间点 ${age} 天；更新周期 ${periodZh}`,
        message: `专题「${t.name}」超过${periodZh}未更新：最新信息日期为 ${t.newestDate}（已 ${age} 天），且未标注为往期专题。`,
        evidence: { topic: t.name, newestDate: t.newestDate, newestTitle: t.newestTitle, newestUrl: t.newestUrl, firstDate: t.firstDate, ageDays: age, period: periodZh, pagesRead: t.pagesRead },
      });
    }
    if (!topics.length) return { findings, scope: { status: 'unverified', reason: `未找到专题专栏${partialNote(ctx, 'topics')}` } };
    const summary = `已检查当前专题 ${judged.length} 个（往期 ${topics.filter((t) => t.finished).length} 个、外站链接 ${topics.filter((t) => t.external).length} 个不计）${undated ? `，${undated} 个无法读取日期` : ''}，超过${periodZh}未更新 ${findings.length} 个${partialNote(ctx, 'topics')}`;
    if (judged.length && undated === judged.length) return { findings, scope: { status: 'unverified', reason: `专题列表无法读取日期（可能由脚本加载）` } };
    return { findings, scope: { status: 'checked', summary } };
  },
};

export default check;
