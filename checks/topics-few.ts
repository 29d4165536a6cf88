import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import type { TopicFacts } from '../src/analyze/topics.ts';
import { addDays } from '../src/analyze/dates.ts';
import { gathererScope, partialNote } from '../src/analyze/gathered.ts';

/**
 * 专题专栏 1 (市州): at least 2 original topics opened in the 12 months before the as-of date; one finding per missing
 * topic. A topic counts as opened in the period when its first item is; a link to another site's topic is not
 * original. A topic whose first item cannot be read (list written by script, older pages not read) counts as possibly
 * new, so it never produces a finding. Whether a topic is 原创 and about 中心工作 is the inspector's call: findings are
 * confirm-required.
 */
const NEEDED = 2;

export function topicWindow(asOf: string): string {
  return addDays(asOf, -365);
}

const check: Check = {
  id: 'topics-few',
  title: '专题专栏开设不足',
  description: 'Fewer than 2 original topics opened in the 12 months before as-of (one finding per missing topic); confirm-required.',
  confirm: 'required',
  run(ctx: AuditContext): CheckOutput {
    if (ctx.site.unitType !== 'city') return { findings: [], scope: { status: 'not-run', reason: '省直单位指标不含专题专栏' } };
    const not = gathererScope(ctx, 'topics', '专题专栏');
    if (not) return { findings: [], scope: not };
    const topics = ctx.observations!.list<TopicFacts>('topic');
    const since = topicWindow(ctx.asOf);
    // No topic section recognised at all (no 专题专栏 block, no section page, no /ztzl/ pages): the block may be images
    // without text or written by script. The reviewer looks; the machine does not propose two missing topics.
    if (!topics.length) return { findings: [], scope: { status: 'unverified', reason: `未找到专题专栏（首页无可识别的专题区块，也无专题页面）${partialNote(ctx, 'topics')}` } };
    const own = topics.filter((t) => !t.external && (t.onSiteShare === undefined || t.onSiteShare >= 0.5));
    const opened = own.filter((t) => t.firstDate && !t.morePages && t.firstDate >= since && t.firstDate <= ctx.asOf);
    // Readable but undatable (list written by script, older pages not read): possibly new. A topic whose pages could
    // not be read at all (a broken link) is no topic; broken-link reports it.
    const unknown = own.filter((t) => t.pagesRead > 0 && (!t.firstDate || (t.morePages && t.firstDate >= since)));
    const describe = (t: TopicFacts) =>
      `${t.name}（${t.external ? '外站链接' : t.pagesRead === 0 ? '页面无法打开' : t.firstDate ? `首条 ${t.firstDate}` : '日期无法读取'}${t.finished ? '，往期' : ''}）`;
    const missing = Math.max(0, NEEDED - opened.length - unknown.length);
    const home = ctx.homepage?.url ?? ctx.site.url;
    const findings: Finding[] = [];
    for (let k = opened.length + unknown.length + 1; k <= NEEDED; k++) {
      findings.push({
        check: check.id,
        url: home,
        target: `${home}#topics-${since.slice(0, 4)}-${k}`,
        detail: `${since} 至 ${ctx.asOf} 开设的原创专题 ${opened.length} 个；找到的专题：${topics.map(describe).join('；') || '无'}`,
        message: `监测时间点前12个月内开设的原创专题专栏不足2个（找到 ${opened.length} 个），缺少第 ${k} 个，请确认。`,
        evidence: {
          since,
          opened: opened.map((t) => ({ name: t.name, url: t.url, firstDate: t.firstDate })),
          topics: topics.map((t) => ({ name: t.name, url: t.url, firstDate: t.firstDate, newestDate: t.newestDate, external: t.external, finished: t.finished })),
        },
      });
    }
    const summary = `已检查专题 ${topics.length} 个，${since} 以来开设的原创专题 ${opened.length} 个${unknown.length ? `，开设日期无法判断 ${unknown.length} 个（按可能新开设计）` : ''}${missing ? `，缺少 ${missing} 个（待确认）` : ''}${partialNote(ctx, 'topics')}`;
    return { findings, scope: { status: 'checked', summary, stats: { topics: topics.length, opened: opened.length, unknown: unknown.length } } };
  },
};

export default check;
