import type { Check, Finding } from '../src/model.ts';
import { loadHtml, normText } from '../src/analyze/dom.ts';
import { elementsNamed, selectAll, textContent } from '../src/analyze/walk.ts';
import { htmlFor, htmlPages, pageFacts, renderedFor } from '../src/facts/page.ts';
import { COLUMN_SYNONYMS, matchRequiredColumn, REQUIRED_COLUMNS } from '../src/analyze/columns.ts';
import { extractLinks } from '../src/analyze/links.ts';

/**
 * 栏目开设: a column the rubric requires is absent (市州: 概况信息、机构职能、领导信息、动态要闻、政策文件、政策解读;
 * 省直: 机构职能、领导信息、动态要闻、政策文件). Looked for under the names real sites use (走进XX = 概况信息,
 * 领导之窗 = 领导信息, XX要闻 = 动态要闻 …) in link texts of the homepage and of every crawled page, ColumnName and
 * ColumnType tags, and breadcrumbs. When the homepage navigation is written by a script and no rendered DOM exists,
 * findings are unverified; so are they when a page of the site the homepage links to could not be looked at (timeout,
 * reset, 5xx, WAF — not a 404): the column may be listed there.
 */

const check: Check = {
  id: 'required-column',
  title: '栏目开设',
  description: 'Required columns by unit type, recognised by synonyms in link texts, ColumnName/ColumnType tags and breadcrumbs.',
  needsHtml: true,
  run(ctx) {
    const home = ctx.homepage;
    if (!home || !home.html || home.status === null || home.status >= 400) return [];
    const required = REQUIRED_COLUMNS[ctx.site?.unitType === 'provincial' ? 'provincial' : 'city'];
    const found = new Map<string, { label: string; where: string }>();
    const consider = (label: string | undefined, where: string) => {
      if (!label) return;
      for (const name of matchRequiredColumn(label)) if (!found.has(name)) found.set(name, { label: normText(label), where });
    };

    const pages = htmlPages(ctx);
    let homeRendered = false;
    let homeLinkCount = 0;
    let homeTargets: string[] = [];
    // The homepage first (its link count decides how sure a finding is), then the other pages until all are found.
    const ordered = [home, ...pages.filter((p) => p !== home)];
    for (const page of ordered) {
      if (page !== home && found.size === required.length) break;
      try {
        // The static HTML is read only for the homepage: other pages answer from their stored facts.
        const { html, rendered } = page === home ? htmlFor(ctx, page) : renderedFor(ctx, page);
        const links = rendered ? extractLinks(loadHtml(html), page.finalUrl || page.url, page.charset) : page.links ?? [];
        if (page === home) {
          homeRendered = rendered;
          homeLinkCount = links.filter((l) => l.kind === 'a').length;
          homeTargets = links.filter((l) => l.kind === 'a').map((l) => l.target);
        }
        for (const l of links) if (l.kind === 'a' || l.kind === 'img') consider(l.text, page.url);
        const facts = rendered ? pageFacts(page, html) : pageFacts(page);
        consider(facts.meta.get('columnname')?.value, `${page.url} (ColumnName)`);
        for (const part of (facts.meta.get('columntype')?.value ?? '').split(/[,，、;；\s]+/)) consider(part, `${page.url} (ColumnType)`);
        for (const c of facts.crumb?.items ?? []) consider(c.text, `${page.url} (当前位置)`);
        // Column headings of homepage blocks are often plain text (<h3>青山要闻</h3><a>更多</a>).
        if (page === home) {
          const $ = loadHtml(html);
          for (const el of selectAll($, 'h1, h2, h3, h4, h5, .title, [class*="tit" i], [class*="hd" i], [class*="lm" i], li span, td span, dt')) {
            const t = normText(textContent(el, 2_000));
            if (t && t.length <= 12) consider(t, `${page.url} (栏目标题)`);
          }
        }
      } catch {
        // A page that cannot be read adds no names.
      }
    }
    if (found.size === required.length) return [];

    // Was the homepage navigation visible to us? A script-written header with no rendered DOM hides it.
    let navScripted = false;
    let hasScripts = false;
    try {
      const $h = loadHtml(home.html);
      const scripts = elementsNamed($h, 'script');
      hasScripts = scripts.length > 0;
      navScripted =
        !homeRendered &&
        scripts.some((s) => s.attribs.src !== undefined && /top|head|nav|menu|header|dh/i.test(s.attribs.src.split('/').pop() ?? ''));
    } catch {
      navScripted = false;
    }
    const unsure = !homeRendered && (navScripted || (homeLinkCount < 15 && hasScripts));
    // Pages the homepage links to that could not be looked at (timeout, reset, 5xx, WAF, unreachable — not a 404):
    // the missing column may be listed there (领导信息 and 政策解读 usually sit under 政务公开).
    const unseen = unseenSitePages(ctx, home.finalUrl || home.url, homeTargets);

    const findings: Finding[] = [];
    for (const name of required) {
      if (found.has(name)) continue;
      findings.push({
        check: check.id,
        url: home.url,
        detail: name,
        message: unsure
          ? `未找到「${name}」栏目（首页导航可能由脚本生成，需浏览器或人工确认）。`
          : unseen.length
            ? `未找到「${name}」栏目，但首页链接的 ${unseen.length} 个本站页面未能打开（如 ${unseen[0].url}：${unseen[0].why}），栏目可能在其中，需人工确认。`
            : `未开设「${name}」栏目（首页及已抓取页面的栏目名称中均未找到）。`,
        evidence: {
          onHomepage: true,
          requiredColumn: name,
          synonyms: COLUMN_SYNONYMS[name]?.match.source,
          pagesChecked: pages.slice(0, 50).map((p) => p.url),
          pagesCheckedCount: pages.length,
          homepageLinks: homeLinkCount,
          confirmation: homeRendered ? 'rendered' : unsure || unseen.length ? 'unconfirmed' : 'static',
          ...(unseen.length ? { unopened: unseen.slice(0, 10) } : {}),
          ...(unsure || unseen.length ? { unverified: true } : {}),
        },
      });
    }
    return findings;
  },
};

/** Same-site pages linked from the homepage whose link check could not look at them (anything but a clear 404/410). */
function unseenSitePages(ctx: Parameters<Check['run']>[0], homeUrl: string, targets: string[]): { url: string; why: string }[] {
  const hostOf = (u: string) => {
    try {
      return new URL(u).hostname.toLowerCase().replace(/^www\./, '');
    } catch {
      return '';
    }
  };
  const host = hostOf(homeUrl);
  const out: { url: string; why: string }[] = [];
  for (const t of new Set(targets)) {
    if (hostOf(t) !== host) continue;
    const r = ctx.linkResults.get(t);
    if (!r || r.outcome === 'ok') continue;
    const gone = r.status === 404 || r.status === 410 || r.error === 'soft-404' || r.error === 'invalid-url';
    if (r.outcome === 'broken' && gone) continue;
    out.push({ url: t, why: r.status ? `HTTP ${r.status}` : (r.error ?? '无法打开') });
  }
  return out;
}

export default check;
