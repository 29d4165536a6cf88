import type { AuditContext, Check, Finding, PageObservation } from '../src/model.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import { docFacts } from '../src/facts/doc.ts';
import { homepageUrl, renderedHtml, samplePages, type Confirmation } from '../src/analyze/identifiers.ts';
import { checkHeaderName, declaredNames, matchUnitName, type HeaderCheck, type NameMatch } from '../src/analyze/sitename.ts';

/**
 * 网站名称:
 * 1. rule 'naming' — the site is not named after the unit (only decidable when ctx.site.name is configured): the
 *    homepage's SiteName meta and title site part are compared with the unit's name, allowing site suffixes
 *    (门户网站, 政府网 …), 人民 dropped, order-keeping abbreviations and region-based government names. A partial
 *    resemblance is reported as unverified.
 * 2. rule 'header' — the name is not shown in the header area (text, hidden logo text, img alt/title, aria-label)
 *    of the homepage or a sampled page: one finding per page. A header whose logo is an image we cannot read,
 *    drawn by CSS or written by unrendered scripts is not a defect: when no page could confirm the name, one
 *    site-level finding with evidence.unverified says a person must look.
 */
const ID = 'site-name';

function uniq(list: (string | undefined)[]): string[] {
  return [...new Set(list.map((x) => (x ?? '').trim()).filter((x) => x.length >= 2 && x.length <= 40))];
}

function views(ctx: AuditContext, page: PageObservation): { html: string; rendered: boolean }[] {
  const r = renderedHtml(ctx, page);
  return r ? [{ html: r, rendered: true }, { html: page.html, rendered: false }] : [{ html: page.html, rendered: false }];
}

const HEADER_RANK: Record<HeaderCheck['state'], number> = { shown: 0, unverified: 1, missing: 2 };

const check: Check = {
  id: ID,
  title: '网站名称',
  description: 'The site is not named after the unit (when the unit name is configured), or its name is not shown in the header area of the homepage / sampled pages.',
  needsHtml: true,
  run(ctx: AuditContext): Finding[] {
    const out: Finding[] = [];
    const pages = samplePages(ctx);
    if (pages.length === 0) return out;
    const home = ctx.homepage && pages.includes(ctx.homepage) ? ctx.homepage : pages[0];
    const homeUrl = homepageUrl(ctx);

    // Names the homepage declares (rendered DOM first).
    const homeDeclared: { siteName?: string; titleName?: string }[] = [];
    for (const v of views(ctx, home)) {
      try {
        homeDeclared.push(declaredNames(loadHtml(v.html), true));
      } catch {
        /* ignore */
      }
    }
    const declared = uniq(homeDeclared.flatMap((d) => [d.siteName, d.titleName]));
    const unit = ctx.site?.name?.trim() || undefined;

    // Rule 1: naming.
    if (unit && declared.length) {
      const results: { name: string; match: NameMatch }[] = declared.map((name) => ({ name, match: matchUnitName(name, unit) }));
      if (!results.some((r) => r.match === 'match')) {
        const partial = results.some((r) => r.match === 'partial');
        out.push({
          check: ID,
          url: homeUrl,
          detail: partial ? 'naming: partial resemblance' : 'naming: not named after the unit',
          message: partial
            ? `网站名称“${declared[0]}”与单位名称“${unit}”不完全一致，需人工核实是否以本单位名称命名`
            : `网站名称“${declared[0]}”未以单位名称“${unit}”命名`,
          evidence: {
            rule: 'naming',
            onHomepage: true,
            declared: results,
            unit,
            confirmation: 'static',
            ...(partial ? { unverified: true } : {}),
          },
        });
      }
    }

    // Rule 2: header.
    const baseNames = uniq([unit, ...declared]);
    const perPage: { page: PageObservation; res: HeaderCheck; rendered: boolean }[] = [];
    for (const page of pages) {
      try {
        let best: { res: HeaderCheck; rendered: boolean } | null = null;
        for (const v of views(ctx, page)) {
          const $ = loadHtml(v.html);
          const own = declaredNames($, page === home);
          const names = uniq([...baseNames, own.siteName, own.titleName]);
          if (names.length === 0) continue;
          const res = checkHeaderName($, names);
          if (!best || HEADER_RANK[res.state] < HEADER_RANK[best.res.state]) best = { res, rendered: v.rendered };
          if (res.state === 'shown') break;
        }
        if (best) perPage.push({ page, ...best });
      } catch {
        /* a page that cannot be analysed is skipped */
      }
    }
    if (perPage.length === 0) return out;
    const pagesChecked = perPage.map((p) => p.page.url);
    const missing = perPage.filter((p) => p.res.state === 'missing');
    for (const m of missing) {
      const confirmation: Confirmation = renderedHtml(ctx, m.page) ? 'rendered' : docFacts(m.page).mayWrite ? 'unconfirmed' : 'static';
      const onHomepage = m.page === home;
      out.push({
        check: ID,
        url: m.page.url,
        detail: 'header: name not shown',
        message: `${onHomepage ? '首页' : '页面'}头部区域未展示网站名称（${baseNames[0] ?? '未知'}）`,
        evidence: {
          rule: 'header',
          onHomepage,
          confirmation,
          names: baseNames,
          snippet: m.res.sample,
          pagesChecked,
        },
      });
    }
    if (missing.length === 0 && !perPage.some((p) => p.res.state === 'shown')) {
      const first = perPage[0];
      out.push({
        check: ID,
        url: homeUrl,
        detail: `header: unverified (${first.res.reason ?? ''})`,
        message: '页面头部的网站名称以图片或脚本展示，无法自动确认，需人工核实',
        evidence: {
          rule: 'header',
          unverified: true,
          onHomepage: first.page === home,
          names: baseNames,
          reason: first.res.reason,
          pagesChecked,
        },
      });
    }
    return out;
  },
};

export default check;
