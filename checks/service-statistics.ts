import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { previousMonth, type StatsScan } from '../src/analyze/service-stats.ts';
import { gathererScope } from '../src/analyze/gathered.ts';

/**
 * 办事统计 (市州 1 / 2a / 2b / 3): published overall statistics of services handled, with 受理 and 办结 figures, updated
 * monthly (the latest figures cover at least the month before the as-of date). Findings carry `evidence.rule`. When
 * nothing is found, every sub-rule gets a confirm-required finding (the statistics may sit on the service platform
 * behind a script); otherwise findings are plain. Statistics pages written by script and not rendered: unverified.
 */
interface Scan extends StatsScan {
  homepageLinks: { url: string; text: string; ok: boolean }[];
}

const RULE_ZH: Record<string, string> = {
  '1': '未公开办事总体统计数据',
  '2a': '未公开受理数据',
  '2b': '未公开办结数据',
  '3': '未按月度更新办事统计数据',
};

const check: Check = {
  id: 'service-statistics',
  title: '办事统计数据',
  description: 'Overall service statistics published, with 受理 and 办结 figures, updated monthly (city rubric).',
  run(ctx: AuditContext): CheckOutput {
    if (ctx.site.unitType !== 'city') return { findings: [], scope: { status: 'not-run', reason: '省直单位指标不含办事统计' } };
    const not = gathererScope(ctx, 'service-statistics', '办事统计');
    if (not) return { findings: [], scope: not };
    const scan = ctx.observations!.list<Scan>('service-stats')[0];
    if (!scan) return { findings: [], scope: { status: 'unverified', reason: '办事统计采集无结果' } };
    const home = ctx.homepage?.url ?? ctx.site.url;
    const readable = scan.pages.filter((p) => p.accepted || p.completed);
    const prev = previousMonth(ctx.asOf);
    const mk = (rule: string, url: string, message: string, detail: string, extra: Record<string, unknown> = {}): Finding => ({
      check: check.id,
      url,
      target: `${home}#service-statistics-${rule}`,
      detail,
      message,
      evidence: { rule, ruleText: RULE_ZH[rule], pages: scan.pages.map((p) => ({ url: p.url, title: p.title, month: p.month, accepted: p.accepted, completed: p.completed })), columns: scan.columns, homepageLinks: scan.homepageLinks, ...extra },
    });
    if (!readable.length) {
      if (scan.pages.some((p) => p.dynamic)) {
        return { findings: [], scope: { status: 'unverified', reason: `办事统计页面由脚本加载，未能读取数据（${scan.pages.find((p) => p.dynamic)!.url}）` } };
      }
      const where = `已查抓取页面及首页链接 ${scan.homepageLinks.length} 个${scan.pages.length ? `；统计页面 ${scan.pages.length} 个均无受理/办结数据` : ''}`;
      const findings = (['1', '2a', '2b', '3'] as const).map((rule) =>
        mk(rule, scan.pages[0]?.url ?? home, `未找到公开的办事统计数据（${RULE_ZH[rule]}），请确认。`, where, { confirm: 'required' }),
      );
      return { findings, scope: { status: 'checked', summary: `未找到办事统计数据（${where}）` } };
    }
    const latest = readable.find((p) => p.month === scan.latestMonth) ?? readable[0];
    const findings: Finding[] = [];
    if (!scan.accepted) findings.push(mk('2a', latest.url, '办事统计未公开受理数据。', `统计页面 ${readable.length} 个，均无受理件数`));
    if (!scan.completed) findings.push(mk('2b', latest.url, '办事统计未公开办结数据。', `统计页面 ${readable.length} 个，均无办结件数`));
    if (!scan.latestMonth) {
      findings.push(mk('3', latest.url, '无法判断办事统计是否按月更新：统计页面未标明月份，请确认。', `统计页面「${latest.title}」`, { unverified: true }));
    } else if (scan.latestMonth < prev) {
      findings.push(mk('3', latest.url, `办事统计未按月度更新：最新数据为 ${scan.latestMonth}，监测时间点 ${ctx.asOf} 应已公开 ${prev} 的数据。`, `最新统计「${latest.title}」（${latest.date ?? '日期未知'}）`, { latestMonth: scan.latestMonth, expectedMonth: prev }));
    }
    const summary = `已读取办事统计页面 ${readable.length} 个（最新 ${scan.latestMonth ?? '月份未知'}，${scan.accepted ? '有' : '无'}受理数据，${scan.completed ? '有' : '无'}办结数据）`;
    return { findings, scope: { status: 'checked', summary } };
  },
};

export default check;
