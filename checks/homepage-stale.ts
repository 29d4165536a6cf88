import type { AuditContext, Check, Finding, PageObservation } from '../src/model.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import { htmlFor, pageFacts } from '../src/analyze/classify.ts';
import { extractLinks } from '../src/collect/links.ts';
import { extractListItems } from '../src/analyze/columns.ts';
import { addDays, daysBetween, urlDate } from '../src/analyze/dates.ts';

/**
 * 首页超过2周不更新 (veto item): the newest dated item reachable from the homepage — dates shown in its lists, hidden
 * in comments, carried by CMS URLs, or shown by the content pages it links to — is older than homepageStaleDays.
 * Year-less dates (03-18) take their freshest possible reading, so a finding holds whatever the real year.
 */

interface Candidate {
  date: string;
  where: string;
  title?: string;
  url?: string;
  precision: string;
}

const SOURCE_ZH: Record<string, string> = {
  text: '列表显示日期',
  comment: '页面注释中的日期',
  url: '链接地址中的日期',
  attr: '链接标题属性中的日期',
  'linked-page': '首页链接的内容页发布时间',
};

function pageByUrl(pages: PageObservation[]): Map<string, PageObservation> {
  const m = new Map<string, PageObservation>();
  for (const p of pages) {
    m.set(p.url, p);
    if (p.finalUrl) m.set(p.finalUrl, p);
  }
  return m;
}

/**
 * Every dated item reachable from the homepage (list text, comments, CMS URLs, linked content pages).
 * Exported for the early warnings (homepage not updated for 10 days), which need the newest date even when no
 * finding is due yet.
 */
export function homepageDates(ctx: AuditContext) {
  const home = ctx.homepage;
  if (!home || !home.html || home.status === null || home.status >= 400) return null;
  const notAfter = addDays(ctx.asOf, 1);
  const { html, rendered } = htmlFor(ctx, home);
  const items = extractListItems(home, { html, skipBody: false });
  const cands: Candidate[] = [];
  let future = 0;
  for (const it of items) {
    if (!it.date) continue;
    if (it.date > notAfter) {
      future++;
      continue;
    }
    cands.push({ date: it.date, where: it.dateSource, title: it.title, url: it.url, precision: it.precision ?? 'day' });
  }
  // Every homepage link whose CMS URL carries a date (headline images, short titles the list rules skip).
  const links = rendered ? extractLinks(loadHtml(html), home.finalUrl || home.url, home.charset) : home.links ?? [];
  for (const l of links) {
    if (l.kind !== 'a' && l.kind !== 'attachment') continue;
    const d = urlDate(l.target);
    if (d && d <= notAfter) cands.push({ date: d, where: 'url', title: l.text, url: l.target, precision: 'day' });
  }
  // Content pages the homepage links to, when the crawl fetched them.
  const byUrl = pageByUrl(ctx.pages ?? []);
  for (const l of links) {
    if (l.kind !== 'a') continue;
    const p = byUrl.get(l.target);
    if (!p || p === home) continue;
    const facts = pageFacts(p);
    if (facts.classification.kind !== 'content') continue;
    const pub = facts.publication;
    if (pub?.date && pub.date <= notAfter) cands.push({ date: pub.date, where: 'linked-page', title: l.text, url: p.url, precision: 'day' });
  }
  const newest = cands.length ? cands.reduce((b, c) => (c.date > b.date ? c : b)) : undefined;
  return { home, html, rendered, items, cands, future, newest };
}

const check: Check = {
  id: 'homepage-stale',
  title: '首页更新情况',
  description: 'Newest dated item reachable from the homepage (list text, comments, CMS URLs, linked content pages) must be within homepageStaleDays of as-of.',
  needsHtml: true,
  run(ctx) {
    const found = homepageDates(ctx);
    if (!found) return [];
    const { home, html, rendered, items, cands, future } = found;
    const limitDays = ctx.options?.homepageStaleDays ?? 14;

    const evidenceBase = {
      itemsFound: items.length,
      datedCandidates: cands.length,
      thresholdDays: limitDays,
      asOf: ctx.asOf,
      confirmation: rendered ? ('rendered' as const) : ('static' as const),
      ...(future ? { datesAfterAsOf: future } : {}),
    };

    const dynamic = !rendered && pageFacts(home, html).dynamicList;

    if (cands.length > 0) {
      const newest = cands.reduce((b, c) => (c.date > b.date ? c : b));
      const age = daysBetween(newest.date, ctx.asOf);
      if (!(age > limitDays)) return [];
      // Lists filled by scripts are not in the static HTML: without the rendered DOM a stale verdict is a guess.
      const unsure = dynamic;
      const yearNote = newest.precision === 'month-day' ? '（页面未显示年份，按最近的可能年份计算）' : '';
      const where = SOURCE_ZH[newest.where] ?? newest.where;
      const detail = `最新日期 ${newest.date}${yearNote}，${where}${newest.title ? `「${newest.title.slice(0, 40)}」` : ''}${newest.url ? ` ${newest.url}` : ''}`;
      const f: Finding = {
        check: check.id,
        url: home.url,
        target: newest.url,
        detail,
        message: unsure
          ? `首页疑似超过${limitDays}天未更新：静态页面中最新信息日期为 ${newest.date}（已 ${age} 天），但部分列表由脚本加载，需浏览器或人工确认。`
          : `首页超过${limitDays}天未更新：首页可见的最新信息日期为 ${newest.date}，距监测时间点 ${ctx.asOf} 已 ${age} 天。`,
        evidence: {
          ...evidenceBase,
          onHomepage: true,
          newestDate: newest.date,
          newestSource: newest.where,
          newestTitle: newest.title,
          newestUrl: newest.url,
          precision: newest.precision,
          ageDays: age,
          ...(unsure ? { unverified: true, confirmation: 'unconfirmed' as const } : {}),
        },
      };
      return [f];
    }

    // No date at all.
    const listed = items.filter((i) => !i.date && i.title.length >= 10);
    if (listed.length >= 5 && !dynamic) {
      return [
        {
          check: check.id,
          url: home.url,
          detail: `首页列出 ${listed.length} 条信息，但均未显示日期（页面文字、注释和链接地址中均无日期），无法证明两周内有更新`,
          message: `首页信息均未标注日期（${listed.length} 条），按未更新处理。`,
          evidence: { ...evidenceBase, onHomepage: true, undatedItems: listed.slice(0, 10).map((i) => ({ title: i.title, url: i.url })) },
        },
      ];
    }
    return [
      {
        check: check.id,
        url: home.url,
        detail: listed.length
          ? `首页未找到任何日期；列表可能由脚本加载（静态页面仅见 ${listed.length} 条无日期信息），需人工或浏览器确认`
          : '首页未找到任何日期，也未识别出信息列表（可能由脚本生成），无法判断更新情况',
        message: '无法判断首页更新情况：未找到带日期的信息，需人工核实。',
        evidence: { ...evidenceBase, unverified: true, ...(dynamic ? { confirmation: 'unconfirmed' as const } : {}) },
      },
    ];
  },
};

export default check;
