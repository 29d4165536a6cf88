import type { AuditContext, Check, CheckOutput, Finding, PageObservation } from '../src/model.ts';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml } from '../src/analyze/dom.ts';
import { htmlFor, pageFacts } from '../src/facts/page.ts';
import { extractLinks } from '../src/analyze/links.ts';
import { extractListItems, type ListItem } from '../src/analyze/columns.ts';
import { footerElements } from '../src/analyze/footer.ts';
import { bodyOrRoot } from '../src/analyze/walk.ts';
import {
  addDays, dateLikeStrings, datesFromUrl, datesInComments, daysBetween, findDatesInText, findMonthDays, pageGenerationTime,
  resolveMonthDay, TODAY_WIDGET, urlDate, visibleText, type PageTimeHit, type YearSource,
} from '../src/analyze/dates.ts';
import { pageEmptiness } from '../src/analyze/emptiness.ts';

/**
 * 首页超过2周不更新 (veto item): the newest dated item reachable from the homepage — dates shown in its lists, hidden
 * in comments, carried by CMS URLs, or shown by the content pages it links to — is older than homepageStaleDays.
 * Year-less dates (03-21) take their year from the item's URL (/201803/, t20180321_…) or a comment when those are
 * near, else the freshest reading not after the page's own generation time or the fetch date, so a finding holds
 * whatever the real year. A homepage whose dates cannot be read is 未核实 (with what was seen), never stale; one that
 * truly shows no date anywhere is a finding only once a reviewer confirms it.
 */

interface Candidate {
  date: string;
  where: string;
  title?: string;
  url?: string;
  precision: string;
  yearFrom?: YearSource;
  /** Read on a list item (or a linked content page), not only from a homepage link's URL. */
  fromItem?: boolean;
}

const SOURCE_ZH: Record<string, string> = {
  text: '列表显示日期',
  meta: '列表中的时间标记（time/meta）',
  comment: '页面注释中的日期',
  url: '链接地址中的日期',
  attr: '链接标题属性中的日期',
  'linked-page': '首页链接的内容页发布时间',
};

const YEAR_ZH: Partial<Record<YearSource, string>> = {
  url: '（页面未显示年份，年份取自链接地址）',
  meta: '（页面未显示年份，年份取自时间标记）',
  comment: '（页面未显示年份，年份取自页面注释）',
  attr: '（页面未显示年份，年份取自链接标题）',
  'page-time': '（页面未显示年份，按页面生成时间推算）',
  'as-of': '（页面未显示年份，按最近的可能年份计算）',
};

const PAGE_TIME_ZH: Record<string, string> = { meta: '页面元数据', label: '页面显示的更新时间', comment: '页面注释' };

function pageByUrl(pages: PageObservation[]): Map<string, PageObservation> {
  const m = new Map<string, PageObservation>();
  for (const p of pages) {
    m.set(p.url, p);
    if (p.finalUrl) m.set(p.finalUrl, p);
  }
  return m;
}

/**
 * Every dated item reachable from the homepage (list text, comments, CMS URLs, linked content pages), the page's own
 * generation time, and the dates found after as-of + 1 day (ignored, counted).
 * Exported for the early warnings (homepage not updated for 10 days), which need the newest date even when no
 * finding is due yet.
 */
export function homepageDates(ctx: AuditContext) {
  const home = ctx.homepage;
  if (!home || !home.html || home.status === null || home.status >= 400) return null;
  const notAfter = addDays(ctx.asOf, 1);
  const { html, rendered } = htmlFor(ctx, home);
  let pageTime: PageTimeHit | undefined;
  let pageTimes: PageTimeHit[] = [];
  let future = 0;
  try {
    const gen = pageGenerationTime(loadHtml(html), ctx.asOf);
    pageTime = gen.time;
    pageTimes = gen.all;
    future += gen.future;
  } catch {
    /* no page time */
  }
  const items = extractListItems(home, { html, skipBody: false, ...(pageTime ? { pageTime: pageTime.date } : {}) });
  const cands: Candidate[] = [];
  for (const it of items) {
    if (!it.date) continue;
    if (it.date > notAfter) {
      future++;
      continue;
    }
    cands.push({ date: it.date, where: it.dateSource, title: it.title, url: it.url, precision: it.precision ?? 'day', yearFrom: it.yearFrom, fromItem: true });
  }
  // Every homepage link whose CMS URL carries a date (headline images, short titles the list rules skip).
  const links = rendered ? extractLinks(loadHtml(html), home.finalUrl || home.url, home.charset) : home.links ?? [];
  for (const l of links) {
    if (l.kind !== 'a' && l.kind !== 'attachment') continue;
    const d = urlDate(l.target);
    if (!d) continue;
    if (d <= notAfter) cands.push({ date: d, where: 'url', title: l.text, url: l.target, precision: 'day', yearFrom: 'url' });
    else future++;
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
    if (!pub?.date) continue;
    if (pub.date <= notAfter) cands.push({ date: pub.date, where: 'linked-page', title: l.text, url: p.url, precision: 'day', yearFrom: 'shown', fromItem: true });
    else future++;
  }
  const newest = cands.length ? cands.reduce((b, c) => (c.date > b.date ? c : b)) : undefined;
  return { home, html, rendered, items, cands, future, newest, pageTime, pageTimes, links };
}

type Found = NonNullable<ReturnType<typeof homepageDates>>;

/**
 * What a homepage shows that looks like a date outside the items read: date-like strings of its rows and of its
 * visible text (footer left out) — read (`shown`: a date not tied to an item) or not (`unread`) —, dates in comments,
 * dates of its links' URLs (images, scripts and month directories included), its own times.
 * `none` = the page truly shows no date anywhere (text, comment, URL, <meta>).
 */
function dateTraces(found: Found, asOf: string) {
  const unread = new Set<string>();
  for (const it of found.items) for (const u of it.unread ?? []) if (unread.size < 10) unread.add(u);
  const shown: { raw: string; date: string; withYear: boolean; widget: boolean }[] = [];
  let comments: string[] = [];
  try {
    const $ = loadHtml(found.html);
    const footers = new Set<Element>(footerElements($));
    const text = visibleText(bodyOrRoot($) as AnyNode[], (el) => footers.has(el));
    for (const line of text.split('\n')) {
      if (shown.length >= 20 && unread.size >= 10) break;
      for (const raw of dateLikeStrings(line, 10)) {
        const full = findDatesInText(raw, 'text', { shortYear: true })[0];
        const md = full ? undefined : findMonthDays(raw, asOf)[0];
        const hit = full ?? md;
        if (hit) {
          if (shown.length < 20) shown.push({ raw, date: hit.date, withYear: !!full, widget: TODAY_WIDGET.test(line) });
        } else if (unread.size < 10) unread.add(raw);
      }
    }
    comments = datesInComments(found.html).slice(0, 10).map((h) => h.raw);
  } catch {
    /* nothing more */
  }
  const urlDates = new Set<string>();
  for (const l of found.links) {
    if (urlDates.size >= 10) break;
    for (const h of datesFromUrl(l.target)) urlDates.add(h.raw);
  }
  const none = unread.size === 0 && shown.length === 0 && comments.length === 0 && urlDates.size === 0 && found.pageTimes.length === 0 && found.future === 0;
  return { unread: [...unread], shown, comments, urlDates: [...urlDates], none };
}

function pageTimeZh(t: PageTimeHit): string {
  return `${PAGE_TIME_ZH[t.source] ?? t.source}（${t.where}）${t.date}`;
}

function titlesOf(items: ListItem[], n = 10) {
  return items.slice(0, n).map((i) => ({ title: i.title, url: i.url }));
}

const check: Check = {
  id: 'homepage-stale',
  title: '首页更新情况',
  description: 'Newest dated item reachable from the homepage (list text, comments, CMS URLs, linked content pages) must be within homepageStaleDays of as-of.',
  needsHtml: true,
  run(ctx): CheckOutput {
    // A homepage with nothing to analyse (empty, not a web page): the veto item cannot be judged — pending, never passed.
    const empty = ctx.homepage ? pageEmptiness(ctx.homepage) : undefined;
    if (ctx.homepage && empty?.empty) {
      return {
        findings: [{
          check: check.id,
          url: ctx.homepage.url,
          detail: `homepage has nothing to analyse: ${empty.detail}`,
          message: `无法判断首页更新情况：首页${empty.zh}，需人工核实。`,
          evidence: { onHomepage: true, unverified: true, reason: empty.reason, asOf: ctx.asOf },
        }],
        scope: { status: 'unverified', reason: `首页${empty.zh}，无法判断首页更新情况` },
      };
    }
    const found = homepageDates(ctx);
    if (!found) {
      const h = ctx.homepage;
      const reason = !h ? '未抓取到首页，无法判断首页更新情况' : `首页无法打开（${h.status ? `HTTP ${h.status}` : h.error ?? '无响应'}），无法判断首页更新情况`;
      return { findings: [], scope: { status: 'unverified', reason } };
    }
    const { home, rendered, items, cands, future, pageTime } = found;
    const limitDays = ctx.options?.homepageStaleDays ?? 14;
    const stats = { items: items.length, dated: cands.length, ...(future ? { future } : {}) };

    const evidenceBase = {
      itemsFound: items.length,
      datedCandidates: cands.length,
      thresholdDays: limitDays,
      asOf: ctx.asOf,
      confirmation: rendered ? ('rendered' as const) : ('static' as const),
      ...(future ? { datesAfterAsOf: future } : {}),
      ...(pageTime ? { pageTime: pageTime.date, pageTimeSource: pageTime.source, pageTimeWhere: pageTime.where } : {}),
    };

    const dynamic = !rendered && pageFacts(home).dynamicList;

    if (cands.length > 0) {
      const newest = cands.reduce((b, c) => (c.date > b.date ? c : b));
      const age = daysBetween(newest.date, ctx.asOf);
      const summary = `已读取首页 ${items.length} 条信息及链接日期，最新信息日期 ${newest.date}（${SOURCE_ZH[newest.where] ?? newest.where}），距监测时间点 ${ctx.asOf} ${age} 天`;
      if (!(age > limitDays)) return { findings: [], scope: { status: 'checked', summary, stats } };
      // Lists filled by scripts are not in the static HTML: without the rendered DOM a stale verdict is a guess.
      const unsure = dynamic;
      // A year inferred from the page's generation time (not shown, not in the URL) is stale only because of it when
      // the freshest reading before as-of is recent: a reviewer confirms.
      let doubt: string | undefined;
      if (newest.yearFrom === 'page-time') {
        const byAsOf = resolveMonthDay(+newest.date.slice(5, 7), +newest.date.slice(8, 10), ctx.asOf);
        if (byAsOf && !(daysBetween(byAsOf, ctx.asOf) > limitDays)) doubt = `年份按页面生成时间 ${pageTime?.date ?? ''} 推算；若按监测时间点推算为 ${byAsOf}，未超过${limitDays}天`;
      }
      // The page says it was generated recently, or shows a recent date we could not tie to an item, although every
      // list we read is old: a list we could not read may be fresh.
      if (!doubt && pageTime && !(daysBetween(pageTime.date, ctx.asOf) > limitDays) && pageTime.date > newest.date) {
        doubt = `页面生成时间为 ${pageTime.date}（${PAGE_TIME_ZH[pageTime.source] ?? pageTime.source}），晚于列表中的最新日期`;
      }
      // Only links' URLs carry dates (no list item was dated), or some items show dates the reader could not read: the
      // lists we could not date may be the fresh ones.
      if (!doubt && !cands.some((c) => c.fromItem)) doubt = '首页信息列表中未读出日期，最新日期仅来自链接地址';
      const unreadOnItems = [...new Set(items.flatMap((i) => (i.date ? [] : i.unread ?? [])))];
      if (!doubt && unreadOnItems.length) doubt = `部分信息的日期无法识别（${unreadOnItems.slice(0, 3).map((u) => `“${u}”`).join('、')}）`;
      // (A date shown without its year is not compared: list rows show theirs, and their year came from the URL.)
      if (!doubt) {
        const notAfter = addDays(ctx.asOf, 1);
        const fresher = dateTraces(found, ctx.asOf).shown.find(
          (d) => d.withYear && !d.widget && d.date > newest.date && d.date <= notAfter && !(daysBetween(d.date, ctx.asOf) > limitDays),
        );
        if (fresher) doubt = `页面上另有较新的日期“${fresher.raw}”，未能对应到具体信息`;
      }
      const yearNote = newest.precision === 'month-day' || (newest.where === 'text' && newest.yearFrom && newest.yearFrom !== 'shown') ? YEAR_ZH[newest.yearFrom ?? 'as-of'] ?? '' : '';
      const where = SOURCE_ZH[newest.where] ?? newest.where;
      const detail = `最新日期 ${newest.date}${yearNote}，${where}${newest.title ? `「${newest.title.slice(0, 40)}」` : ''}${newest.url ? ` ${newest.url}` : ''}${doubt ? `；${doubt}，需人工确认` : ''}`;
      const f: Finding = {
        check: check.id,
        url: home.url,
        target: newest.url,
        detail,
        message: unsure
          ? `首页疑似超过${limitDays}天未更新：静态页面中最新信息日期为 ${newest.date}（已 ${age} 天），但部分列表由脚本加载，需浏览器或人工确认。`
          : doubt
            ? `首页疑似超过${limitDays}天未更新：首页可见的最新信息日期为 ${newest.date}（已 ${age} 天），需人工确认。`
            : `首页超过${limitDays}天未更新：首页可见的最新信息日期为 ${newest.date}，距监测时间点 ${ctx.asOf} 已 ${age} 天。`,
        evidence: {
          ...evidenceBase,
          onHomepage: true,
          newestDate: newest.date,
          newestSource: newest.where,
          newestTitle: newest.title,
          newestUrl: newest.url,
          precision: newest.precision,
          ...(newest.yearFrom ? { yearFrom: newest.yearFrom } : {}),
          ageDays: age,
          ...(unsure ? { unverified: true, confirmation: 'unconfirmed' as const } : {}),
          ...(doubt && !unsure ? { confirm: 'required' as const } : {}),
        },
      };
      return unsure
        ? { findings: [f], scope: { status: 'unverified', reason: '首页列表可能由脚本加载，静态页面中的日期不足以判断，需浏览器或人工确认', stats } }
        : { findings: [f], scope: { status: 'checked', summary, stats } };
    }

    // No date could be read.
    const listed = items.filter((i) => !i.date && i.title.length >= 10);
    const traces = dateTraces(found, ctx.asOf);
    const seen = {
      ...(listed.length ? { undatedItems: titlesOf(listed) } : {}),
      ...(traces.unread.length ? { unreadDates: traces.unread } : {}),
      ...(traces.comments.length ? { commentDates: traces.comments } : {}),
      ...(traces.shown.length ? { shownDates: traces.shown.slice(0, 10).map((d) => d.raw) } : {}),
      ...(traces.urlDates.length ? { urlDates: traces.urlDates } : {}),
      ...(found.pageTimes.length ? { pageTimes: found.pageTimes.slice(0, 5).map((t) => ({ date: t.date, source: t.source, where: t.where })) } : {}),
    };
    if (listed.length >= 5 && !dynamic && traces.none) {
      // Items and truly no date anywhere (text, comments, URLs, <meta>): a finding a reviewer must confirm.
      const summary = `首页列出 ${listed.length} 条信息，页面文字、注释、链接地址和页面元数据中均无日期`;
      const f: Finding = {
        check: check.id,
        url: home.url,
        detail: `首页列出 ${listed.length} 条信息，但均未显示日期（页面文字、注释、链接地址和页面元数据中均无日期），无法证明两周内有更新，需人工确认`,
        message: `首页信息均未标注日期（${listed.length} 条），无法证明两周内有更新，需人工确认。`,
        evidence: { ...evidenceBase, onHomepage: true, ...seen, confirm: 'required' as const },
      };
      return { findings: [f], scope: { status: 'checked', summary, stats } };
    }
    const seenZh: string[] = [];
    if (items.length) seenZh.push(`识别出 ${items.length} 条信息${listed.length ? `（${listed.length} 条无日期）` : ''}`);
    if (traces.unread.length) seenZh.push(`无法识别的日期样式：${traces.unread.slice(0, 5).map((u) => `“${u}”`).join('、')}`);
    if (traces.shown.length) seenZh.push(`页面上的日期未能对应到具体信息：${traces.shown.slice(0, 3).map((d) => `“${d.raw}”`).join('、')}`);
    if (found.pageTimes.length) seenZh.push(`页面自带时间：${found.pageTimes.slice(0, 2).map(pageTimeZh).join('；')}`);
    if (traces.urlDates.length) seenZh.push(`链接地址中的日期：${traces.urlDates.slice(0, 3).join('、')}`);
    if (future) seenZh.push(`${future} 个日期晚于监测时间点，已忽略`);
    const why = dynamic
      ? listed.length
        ? `列表可能由脚本加载（静态页面仅见 ${listed.length} 条无日期信息），需人工或浏览器确认`
        : '未识别出信息列表（可能由脚本生成），需人工或浏览器确认'
      : '需人工核实';
    const reason = `首页未读出任何信息日期${seenZh.length ? `（${seenZh.join('；')}）` : ''}，${why}`;
    const f: Finding = {
      check: check.id,
      url: home.url,
      detail: `首页未读出任何信息日期${seenZh.length ? `；${seenZh.join('；')}` : ''}；${why}`,
      message: '无法判断首页更新情况：未读出带日期的信息，需人工核实。',
      evidence: { ...evidenceBase, ...seen, unverified: true, ...(dynamic ? { confirmation: 'unconfirmed' as const } : {}) },
    };
    return { findings: [f], scope: { status: 'unverified', reason, stats } };
  },
};

export default check;
