/**
 * 政府网站工作年度报表: the homepage's links to the report or its column (read from the crawl, else fetched), the
 * column's report pages, report pages found elsewhere in the crawl, and — when the due year's report is not found —
 * one query to the site's search. Observations: annual-report (per report) and annual-report-scan.
 */
import type { PageObservation } from '../model.ts';
import type { Gatherer, GatherEnv } from './_types.ts';
import { dueReportYear, isReportText, reportYear, scanAnnualReports } from '../analyze/annual-report.ts';
import { extractListItems } from '../analyze/columns.ts';
import { PageSource, siteSearch, type SearchResult } from './_pages.ts';
import { docFacts } from '../facts/doc.ts';
import { gatherFacts } from '../facts/gather.ts';


const gatherer: Gatherer = {
  id: 'annual-report',
  description: '政府网站工作年度报表: homepage links, the report column and pages, site search when the due report is missing.',
  async run(env: GatherEnv) {
    const pool: PageObservation[] = [];
    let crawled = 0;
    for (const p of env.pages()) {
      crawled++;
      if (!docFacts(p).chars || p.status === null || p.status >= 400) continue;
      if (p.isHomepage || gatherFacts(p).annualReport) pool.push(p);
    }
    const home = pool.find((p) => p.isHomepage) ?? env.homepage;
    if (!home) {
      env.status({ status: 'failed', reason: '首页无法读取' });
      return;
    }
    if (!pool.includes(home)) pool.push(home);
    const src = new PageSource(env, pool);
    const due = dueReportYear(env.asOf);
    // Read what the homepage links to, and the report pages its columns list.
    let scan = scanAnnualReports(pool);
    for (const l of scan.homepageLinks) {
      if (src.has(l.url)) continue;
      const p = await src.get(l.url, { renderIfEmpty: true });
      if (p) pool.push(p);
    }
    scan = scanAnnualReports(pool);
    for (const c of scan.columns) {
      const col = pool.find((p) => p.url === c || p.finalUrl === c);
      if (!col) continue;
      for (const it of extractListItems(col).filter((i) => isReportText(i.title)).slice(0, 4)) {
        if (src.has(it.url)) continue;
        const y = reportYear(it.title);
        if (y !== undefined && y < due - 1) continue;
        const p = await src.get(it.url);
        if (p) pool.push(p);
      }
    }
    scan = scanAnnualReports(pool);
    let search: SearchResult | undefined;
    if (!scan.reports.some((r) => r.year === due)) {
      search = await siteSearch(env, home, `${due}年度 政府网站工作年度报表`, env.asOf);
      for (const it of search?.items.filter((i) => isReportText(i.title)).slice(0, 3) ?? []) {
        const p = await src.get(it.url);
        if (p) pool.push(p);
      }
      scan = scanAnnualReports(pool);
    }
    for (const r of scan.reports) env.emit('annual-report', r.url, r, r.url);
    env.emit('annual-report-scan', 'scan', {
      dueYear: due,
      homepage: home.url,
      homepageLinks: scan.homepageLinks,
      columns: scan.columns,
      ...(search ? { search: { url: search.url, method: search.method, ok: search.ok, error: search.error, results: search.items.length } } : {}),
    });
    const summary = `首页年度报表链接 ${scan.homepageLinks.length} 个，找到报表 ${scan.reports.length} 份（补充读取 ${src.fetched} 页${search ? `，站内搜索 ${search.ok ? `${search.items.length} 条结果` : '不可用'}` : ''}）`;
    env.status({ status: 'ok', summary, stats: { pagesCrawled: crawled, reports: scan.reports.length, homepageLinks: scan.homepageLinks.length, fetched: src.fetched } });
  },
};

export default gatherer;
