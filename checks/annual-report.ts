import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { dueReportYear, reportDeadline, type AnnualReport } from '../src/analyze/annual-report.ts';
import { gathererScope } from '../src/analyze/gathered.ts';

/**
 * 年度报表 (both rubrics): the 政府网站工作年度报表 of the due year (the previous year from February 1, the year before
 * that until January 31) must be published on the homepage by January 31. Late (a publication date after the
 * deadline, shown on the page, in its list or in its URL): a finding. Not found, or found only away from the homepage:
 * a confirm-required finding (an image link or a script-written footer may hide it). Found without a readable date:
 * unverified.
 */
interface Scan {
  dueYear: number;
  homepage: string;
  homepageLinks: { url: string; text: string; inFooter: boolean }[];
  columns: string[];
  search?: { url: string; ok: boolean; results: number; error?: string };
}

const REACH_ZH = { 'homepage-link': '首页直接链接', 'homepage-column': '首页链接的年度报表栏目', elsewhere: '非首页入口' } as const;

const check: Check = {
  id: 'annual-report',
  title: '网站工作年度报表',
  description: 'The due year\'s website annual report is reachable from the homepage and was published by January 31.',
  run(ctx: AuditContext): CheckOutput {
    const not = gathererScope(ctx, 'annual-report', '年度报表');
    if (not) return { findings: [], scope: not };
    const obs = ctx.observations!;
    const due = dueReportYear(ctx.asOf);
    const deadline = reportDeadline(due);
    const scan = obs.list<Scan>('annual-report-scan')[0];
    const reports = obs.list<AnnualReport>('annual-report');
    const home = scan?.homepage ?? ctx.homepage?.url ?? ctx.site.url;
    // The due year's report: named with the year, else a report without a year published in the following year.
    const ofYear = reports.filter((r) => r.year === due);
    const inferred = reports.filter((r) => r.year === undefined && r.date && r.date.slice(0, 4) === String(due + 1));
    const candidates = ofYear.length ? ofYear : inferred;
    const rank = { 'homepage-link': 0, 'homepage-column': 1, elsewhere: 2 } as const;
    const best = [...candidates].sort((a, b) => rank[a.reach] - rank[b.reach] || (a.date ?? '9').localeCompare(b.date ?? '9'))[0];
    const searched = `首页链接 ${scan?.homepageLinks.length ?? 0} 个${scan?.columns.length ? `、栏目 ${scan.columns.length} 个` : ''}${scan?.search ? `、站内搜索（${scan.search.ok ? `${scan.search.results} 条结果` : '不可用'}）` : ''}`;
    const evidenceBase = { dueYear: due, deadline, homepageLinks: scan?.homepageLinks ?? [], reportsFound: reports.map((r) => ({ title: r.title, url: r.url, year: r.year, date: r.date, reach: r.reach })), ...(scan?.search ? { search: scan.search } : {}) };
    if (!best) {
      const f: Finding = {
        check: check.id,
        url: home,
        target: `${home}#annual-report-${due}`,
        detail: `已查：${searched}；找到的报表：${reports.map((r) => r.title).join('、') || '无'}`,
        message: `未在首页找到${due}年度政府网站工作年度报表（应于${deadline}前在首页发布），请确认。`,
        evidence: { ...evidenceBase, confirm: 'required' },
      };
      return { findings: [f], scope: { status: 'checked', summary: `未找到${due}年度报表（已查${searched}）` } };
    }
    const where = REACH_ZH[best.reach];
    const findings: Finding[] = [];
    const ev = { ...evidenceBase, reportTitle: best.title, reportUrl: best.url, reportDate: best.date, dateSource: best.dateSource, reach: best.reach, via: best.via, imageOnly: best.imageOnly, ...(best.year === undefined ? { yearInferred: true } : {}) };
    if (best.reach === 'elsewhere') {
      findings.push({
        check: check.id,
        url: best.url,
        target: `${home}#annual-report-${due}`,
        detail: `报表 ${best.url}${best.date ? `（${best.date} 发布）` : ''}；首页未找到其链接或栏目（已查${searched}）`,
        message: `${due}年度政府网站工作年度报表「${best.title}」未在网站首页发布（首页无链接或栏目入口），请确认。`,
        evidence: { ...ev, confirm: 'required' },
      });
    }
    if (!best.date) {
      return { findings, scope: { status: 'unverified', reason: `找到${due}年度报表「${best.title}」（${where}），但无法读取其发布日期` } };
    }
    if (best.date > deadline) {
      findings.push({
        check: check.id,
        url: best.url,
        target: `${home}#annual-report-${due}-late`,
        detail: `发布日期 ${best.date}（${best.dateSource === 'url' ? '链接地址中的日期' : best.dateSource === 'list' ? '栏目列表日期' : '页面发布时间'}），晚于 ${deadline}；入口：${where}`,
        message: `${due}年度政府网站工作年度报表「${best.title}」于 ${best.date} 发布，晚于规定的 ${deadline}。`,
        evidence: ev,
      });
    }
    const summary = `${due}年度报表「${best.title}」${best.date} 发布（${where}${best.imageOnly ? '，内容为图片' : ''}），截止 ${deadline}`;
    return { findings, scope: { status: 'checked', summary } };
  },
};

export default check;
