/**
 * 办事统计 (市州): statistics pages of the crawl (办件统计 / 办事统计 / 办件公示 …), the pages the homepage names so
 * (on this host or the service platform's, rendered when their figures are written by script), and the latest
 * entries of a statistics column. Observation: service-stats (the scan: pages, columns, latest month, figures).
 */
import type { PageObservation } from '../model.ts';
import type { Gatherer, GatherEnv } from './_types.ts';
import { readStatsPage, scanServiceStats, statsMonth } from '../analyze/service-stats.ts';
import { extractListItems } from '../analyze/columns.ts';
import { loadHtml } from '../analyze/dom.ts';
import { hasDynamicListScript } from '../analyze/columns.ts';
import { PageSource, pageFromFetched } from './_pages.ts';
import { docFacts } from '../facts/doc.ts';
import { gatherFacts } from '../facts/gather.ts';

const LINK_TEXT = /办件统计|办事统计|办件公示|办件数据|办件情况|政务服务数据|数据统计|统计数据|办件查询统计/;

const gatherer: Gatherer = {
  id: 'service-statistics',
  description: '办事统计: published statistics of services handled (受理 / 办结, monthly) from the crawl, homepage links and the service platform.',
  async run(env: GatherEnv) {
    if (env.site.unitType !== 'city') {
      env.status({ status: 'skipped', reason: '省直单位指标不含办事统计' });
      return;
    }
    const pool: PageObservation[] = [];
    let crawled = 0;
    for (const p of env.pages()) {
      crawled++;
      if (!docFacts(p).chars || p.status === null || p.status >= 400 || p.isHomepage) continue;
      if (gatherFacts(p).serviceStats) pool.push(p);
    }
    const src = new PageSource(env, pool);
    const tried: { url: string; text: string; ok: boolean; rendered?: boolean }[] = [];
    for (const l of env.homepage?.links ?? []) {
      if ((l.kind !== 'a' && l.kind !== 'attachment') || !LINK_TEXT.test(l.text) || tried.length >= 5) continue;
      if (src.has(l.target)) continue;
      let p = await src.get(l.target, { renderIfEmpty: true });
      let rendered = false;
      if (p && !readStatsPage(p)?.accepted && hasDynamicListScript(loadHtml(p.html))) {
        const r = await env.render(l.target);
        if (r?.html) {
          const rp = pageFromFetched({ url: l.target, finalUrl: r.finalUrl ?? l.target, ok: true, status: 200, contentType: 'text/html', headers: {}, text: r.html, charset: 'utf-8', bytes: r.html.length, truncated: false, redirects: [], at: r.at });
          if (rp) {
            p = rp;
            rendered = true;
          }
        }
      }
      tried.push({ url: l.target, text: l.text, ok: !!p, ...(rendered ? { rendered } : {}) });
      if (p) pool.push(p);
    }
    // The newest entries of each statistics column, when the crawl did not read them.
    let scan = scanServiceStats(pool);
    for (const c of scan.columns) {
      const col = pool.find((p) => p.url === c.url);
      if (!col) continue;
      const items = extractListItems(col).filter((i) => statsMonth(i.title)).sort((a, b) => (statsMonth(b.title) ?? '').localeCompare(statsMonth(a.title) ?? '')).slice(0, 2);
      for (const it of items) {
        if (src.has(it.url)) continue;
        const p = await src.get(it.url);
        if (p) pool.push(p);
      }
    }
    scan = scanServiceStats(pool);
    env.emit('service-stats', 'scan', { ...scan, homepageLinks: tried });
    const summary = `找到办事统计页面 ${scan.pages.length} 个、统计栏目 ${scan.columns.length} 个${scan.latestMonth ? `，最新月份 ${scan.latestMonth}` : ''}（补充读取 ${src.fetched} 页）`;
    env.status({ status: 'ok', summary, stats: { pagesCrawled: crawled, pages: scan.pages.length, columns: scan.columns.length, fetched: src.fetched } });
  },
};

export default gatherer;
