import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml, normText } from '../dom.ts';
import { bodyOrRoot, elementsNamed, isElement, textContent } from '../walk.ts';
import { findDatesInText } from '../dates.ts';
import { footerElements } from '../footer.ts';
import { ACTIVITY_LABELS, matchLabelKey, type ActivityField } from './labels.ts';
import { cellText, labelledPairs, pick, type Pair } from './records.ts';
import type { FieldRead } from './letters.ts';

/**
 * Survey and consultation activities (征集调查: 意见征集, 网上调查, 民意征集): title, start and end dates, status and
 * whether a result (征集结果 / 反馈情况 / 采纳情况) is published, read by label from list rows and detail pages.
 */

export type ResultState = 'published' | 'none' | 'unknown';

export interface Activity {
  url?: string;
  title: string;
  start?: string;
  end?: string;
  published?: string;
  status?: 'open' | 'closed' | 'upcoming';
  statusText?: string;
  result: { state: ResultState; url?: string; at?: string; snippet?: string };
  fields: Partial<Record<ActivityField, FieldRead>>;
  source: 'list' | 'detail';
}

const matchActivity = (label: string): ActivityField | undefined => matchLabelKey(label, ACTIVITY_LABELS);

const STATUS_OPEN = /^(?:进行中|征集中|调查中|投票中|正在征集|正在进行|开放中)$/;
const STATUS_CLOSED = /^(?:已结束|已截止|已完结|已完成|征集结束|调查结束|已关闭|结束|截止|已办结|已反馈)$/;
const STATUS_UPCOMING = /^(?:未开始|即将开始|待开始)$/;
const NO_RESULT = /^(?:暂无|无|未|尚未|暂未|待)(?:反馈|结果|公布|公开|发布|采纳情况)?|^(?:待公布|未公布|暂无反馈结果|—|-|\/)$/;
const SURVEY_TITLE = /征集|调查|意见|问卷|投票|征求|建议|民意/;
const RESULT_LINK = /(?:征集|调查|反馈|意见)?(?:结果|反馈|采纳情况|采纳)/;

function readStatus(text: string): Activity['status'] | undefined {
  const t = text.replace(/[\s【】\[\]()（）]/g, '');
  if (STATUS_OPEN.test(t)) return 'open';
  if (STATUS_CLOSED.test(t)) return 'closed';
  if (STATUS_UPCOMING.test(t)) return 'upcoming';
  return undefined;
}

/** Two dates written as a range: 2021-03-01 至 2021-03-31, 2021年3月1日—2021年3月31日, 2021-03-01~2021-03-31. */
export function dateRange(text: string): { start?: string; end?: string } {
  const hits = findDatesInText(text ?? '');
  if (hits.length >= 2) {
    const between = text.slice(text.indexOf(hits[0].raw) + hits[0].raw.length, text.indexOf(hits[1].raw));
    if (/^\s*(?:\d{1,2}:\d{2}(?::\d{2})?\s*)?(?:至|到|—|－|-|~|～|–|止)\s*$/.test(between)) return { start: hits[0].date, end: hits[1].date };
  }
  return {};
}

function fromPairs(pairs: Pair<ActivityField>[], a: Activity): void {
  for (const f of ['title', 'start', 'end', 'range', 'published', 'status', 'result', 'resultAt', 'unit'] as const) {
    const p = pick(pairs, f);
    if (p) a.fields[f] = { label: p.label, value: p.value, snippet: p.snippet };
  }
  const f = a.fields;
  if (f.title?.value) a.title = normText(f.title.value).slice(0, 300);
  if (f.range?.value) {
    const r = dateRange(f.range.value);
    a.start ??= r.start;
    a.end ??= r.end;
  }
  const s = f.start?.value ? findDatesInText(f.start.value)[0]?.date : undefined;
  const e = f.end?.value ? findDatesInText(f.end.value)[0]?.date : undefined;
  if (s) a.start = s;
  if (e) a.end = e;
  const pub = f.published?.value ? findDatesInText(f.published.value)[0]?.date : undefined;
  if (pub) a.published = pub;
  if (f.status?.value) {
    const st = readStatus(f.status.value);
    if (st) {
      a.status = st;
      a.statusText = f.status.value;
    }
  }
  if (f.result) {
    const v = f.result.value.trim();
    if (!v || NO_RESULT.test(v.replace(/\s+/g, ''))) a.result = { state: 'none', snippet: f.result.snippet };
    else {
      const at = findDatesInText(v)[0]?.date ?? (f.resultAt?.value ? findDatesInText(f.resultAt.value)[0]?.date : undefined);
      a.result = { state: 'published', at, snippet: f.result.snippet };
    }
  } else if (f.resultAt?.value) {
    const at = findDatesInText(f.resultAt.value)[0]?.date;
    if (at) a.result = { state: 'published', at, snippet: f.resultAt.snippet };
  }
}

function footerSet($: CheerioAPI): Set<Element> {
  try {
    return new Set(footerElements($));
  } catch {
    return new Set();
  }
}

function resultLinkIn(root: Element | AnyNode[], base: string, title: string): { url: string; text: string } | undefined {
  const stack: AnyNode[] = Array.isArray(root) ? [...root] : [...root.children];
  let guard = 0;
  while (stack.length && guard++ < 20_000) {
    const n = stack.pop()!;
    if (!isElement(n)) {
      const kids = (n as { children?: AnyNode[] }).children;
      if (kids) stack.push(...kids);
      continue;
    }
    if (n.name === 'a') {
      const text = normText(textContent(n));
      const href = n.attribs?.href ?? '';
      if (text && text !== title && text.length <= 60 && RESULT_LINK.test(text) && !/^(?:javascript:|#)/i.test(href)) {
        try {
          return { url: new URL(href, base).href, text };
        } catch {
          /* ignore */
        }
      }
    }
    stack.push(...n.children);
  }
  return undefined;
}

/** Activities listed on a survey channel page. */
export function parseActivityList(html: string, pageUrl: string): Activity[] {
  let $: CheerioAPI;
  try {
    $ = loadHtml(html ?? '');
  } catch {
    return [];
  }
  const footers = footerSet($);
  const out: Activity[] = [];
  const seen = new Set<Element>();
  for (const a of elementsNamed($, 'a')) {
    let inFooter = false;
    for (let n: AnyNode | null = a; n; n = n.parent as AnyNode | null) if (isElement(n) && footers.has(n)) inFooter = true;
    if (inFooter) continue;
    const title = normText(a.attribs?.title || textContent(a));
    if (title.length < 6 || RESULT_LINK.test(title) && title.length < 10) continue;
    let box: Element | undefined;
    let depth = 0;
    for (let n = a.parent as AnyNode | null; n && depth < 5; n = n.parent as AnyNode | null, depth++) {
      if (!isElement(n)) break;
      if (n.name === 'li' || n.name === 'tr' || n.name === 'dl') {
        box = n;
        break;
      }
      if ((n.name === 'div' || n.name === 'p') && cellText(n).length <= 400) box = n;
      if (n.name === 'ul' || n.name === 'table' || n.name === 'body') break;
    }
    if (!box || seen.has(box)) continue;
    seen.add(box);
    const act: Activity = { title, result: { state: 'unknown' }, fields: {}, source: 'list' };
    try {
      act.url = new URL(a.attribs?.href ?? '', pageUrl).href;
    } catch {
      /* no url */
    }
    if (/^(?:javascript:|#)/i.test(a.attribs?.href ?? '')) act.url = undefined;
    fromPairs(labelledPairs([box], matchActivity), act);
    act.title = title;
    const text = cellText(box);
    if (!act.start && !act.end) {
      const r = dateRange(text);
      act.start = r.start;
      act.end = r.end;
    }
    if (!act.status) {
      for (const w of text.split(/\s+/)) {
        const st = readStatus(w);
        if (st) {
          act.status = st;
          act.statusText = w;
          break;
        }
      }
    }
    const rl = resultLinkIn(box, pageUrl, title);
    if (rl && act.result.state !== 'published') act.result = { state: 'published', url: rl.url, snippet: rl.text };
    if (!act.start && !act.end && !act.published) {
      const d = findDatesInText(text)[0];
      if (d) act.published = d.date;
    }
    // A dated row counts as an activity only with a range, a status, or a survey word in its title (a news list in
    // the sidebar of a survey page is not a list of activities).
    if (!act.start && !act.end && !act.status && !(act.published && SURVEY_TITLE.test(title))) continue;
    out.push(act);
  }
  return out;
}

/** One activity's detail page: dates, status and its result (label, or a link to it). */
export function parseActivityDetail(html: string, pageUrl: string): Activity {
  let $: CheerioAPI;
  try {
    $ = loadHtml(html ?? '');
  } catch {
    return { title: '', result: { state: 'unknown' }, fields: {}, source: 'detail', url: pageUrl };
  }
  const footers = footerSet($);
  const roots = bodyOrRoot($) as AnyNode[];
  const act: Activity = { title: '', result: { state: 'unknown' }, fields: {}, source: 'detail', url: pageUrl };
  fromPairs(labelledPairs(roots, matchActivity, { skip: (el) => footers.has(el), multiline: new Set(['result']) }), act);
  if (!act.title) {
    for (const h of ['h1', 'h2', 'h3']) {
      const el = elementsNamed($, h).find((e) => normText(textContent(e)).length >= 4);
      if (el) {
        act.title = normText(textContent(el)).slice(0, 300);
        break;
      }
    }
  }
  if (!act.start && !act.end) {
    const text = cellText(roots[0] ?? $.root()[0], (el) => footers.has(el));
    const r = dateRange(text);
    act.start = r.start;
    act.end = r.end;
  }
  if (act.result.state === 'unknown') {
    const rl = resultLinkIn(roots, pageUrl, act.title);
    if (rl) act.result = { state: 'published', url: rl.url, snippet: rl.text };
  }
  return act;
}

/** Result articles (征集结果 lists): does one of them answer this activity (same core title)? */
export function matchResult(activity: Activity, results: { title: string; url?: string; date?: string }[]): { title: string; url?: string; date?: string } | undefined {
  const core = coreTitle(activity.title);
  if (core.length < 4) return undefined;
  return results.find((r) => {
    const rc = coreTitle(r.title);
    return rc.includes(core) || core.includes(rc) && rc.length >= 6;
  });
}

/** The distinctive part of a title: the 《…》 name when present, else the title without 关于/征集/意见/结果 words. */
export function coreTitle(title: string): string {
  const book = /《([^》]{4,})》/.exec(title ?? '');
  if (book) return book[1];
  return (title ?? '')
    .replace(/[\s“”"'、，,。.（）()]/g, '')
    .replace(/^关于/, '')
    .replace(/(?:公开)?(?:征求|征集)(?:社会)?(?:公众)?(?:意见|建议)?(?:的)?(?:公告|通知|结果|反馈|情况|采纳情况)*$/, '')
    .replace(/(?:的)?(?:意见|建议|调查)?(?:征集|采纳)?(?:结果|反馈|情况)+(?:公示|公告|说明)?$/, '')
    .replace(/的$/, '');
}
