import type { AnyNode, Element } from 'domhandler';
import type { PageObservation } from '../model.ts';
import { loadHtml, normText } from './dom.ts';
import { bodyOrRoot, elementsNamed, findElements, textContent } from './walk.ts';
import { documentBase, resolveUrl } from './links.ts';
import { extractListItems, hasDynamicListScript } from './columns.ts';
import { findPublicationDate, urlDate } from './dates.ts';
import { footerElements } from './footer.ts';

/**
 * 专题专栏: the special-topic section and its topics. Topics are found by label — a homepage block or a section page
 * headed 专题专栏 / 专题 / 专栏, entries under a 往期专题 / 历史专题 heading being finished topics — and by URL (pages
 * under /ztzl/<topic>/). Per topic: the first and newest item dates over every crawled page under the topic's
 * directory, whether its items live on this site (original) or it is a link to another site's topic, and whether it
 * says it is finished. Pure.
 */

export interface TopicEntry {
  name: string;
  url: string;
  /** Where the entry was found: the homepage block, the section page, or only a URL under /ztzl/. */
  source: 'homepage' | 'section' | 'url';
  /** On another host: a link to another site's topic. */
  external: boolean;
  /** Listed under 往期 / 历史专题, or its page says the topic has ended. */
  finished: boolean;
  finishedBy?: string;
}

export interface TopicFacts extends TopicEntry {
  /** Crawled pages under the topic's directory. */
  pagesRead: number;
  /** Dated items (list rows and content pages), distinct by URL. */
  items: number;
  /** Share of list items that live on this site (0–1); undefined when no item. */
  onSiteShare?: number;
  firstDate?: string;
  newestDate?: string;
  newestTitle?: string;
  newestUrl?: string;
  /** Some list of the topic is filled by script (dates may be missing from static HTML). */
  dynamic: boolean;
  /** A list page of the topic links further pages that were not read (older items may exist). */
  morePages: boolean;
}

const SECTION_HEADING = /^(?:专题专栏|专题栏目|专题|专栏|热点专题|专题聚焦|专题报道|重点专题|特别专题|专题活动)(?:\s*[>›»]+)?$/;
const FINISHED_HEADING = /往期专题|历史专题|过往专题|专题回顾|已结束|往期回顾|专题归档/;
const FINISHED_TEXT = /本专题已结束|专题已结束|专题已关闭|已停止更新|往期专题|历史专题|专题归档/;
const TOPIC_DIR = /^(\/(?:[^/]+\/)*?(?:ztzl|zt|ztlm|special|topic|zhuanti)\/[^/]+\/)/i;
const MORE = /^(?:更多|more|查看更多|>>|更多专题|更多>>|更多 >>)/i;

function host(u: string): string {
  try {
    return new URL(u).hostname.replace(/^www\./, '').toLowerCase();
  } catch {
    return '';
  }
}

/** The directory of a topic URL: http://x/ztzl/dsxx/index.html → http://x/ztzl/dsxx/. */
export function topicDir(url: string): string | undefined {
  try {
    const u = new URL(url);
    const m = TOPIC_DIR.exec(u.pathname);
    if (m) return u.origin + m[1];
    // Hanweb: /col/col123/index.html is a topic column of its own.
    if (/\/col\/col\d+\//.test(u.pathname)) return u.origin + u.pathname.replace(/[^/]*$/, '');
    return u.origin + u.pathname.replace(/[^/]*$/, '');
  } catch {
    return undefined;
  }
}

/** Headings of blocks: the short texts of h1–h5 / title-like elements. */
function headingOf(el: Element): string | undefined {
  const t = normText(textContent(el));
  return t && t.length <= 12 ? t : undefined;
}

interface Block {
  heading: string;
  root: Element;
}

/** Blocks of a page whose heading is a topic-section heading (or a finished-topics heading). */
function topicBlocks(html: string): Block[] {
  const $ = loadHtml(html);
  const footers = new Set<AnyNode>(footerElements($));
  const heads = findElements(bodyOrRoot($), (e) => /^h[1-5]$/.test(e.name) || /(?:^|[-_\s])(?:title|tit|hd|head)(?:$|[-_\s])/i.test(e.attribs.class ?? ''), 5_000);
  const out: Block[] = [];
  for (const h of heads) {
    const own = headingOf(h);
    if (!own) continue;
    const t = own.replace(/(?:更多|more)\s*[>》»]*$/i, '').trim();
    if (!SECTION_HEADING.test(t) && !FINISHED_HEADING.test(t)) continue;
    // The block: the nearest ancestor holding links besides the heading's own.
    let root: Element | null = h.parent as Element | null;
    for (let d = 0; root && d < 3; d++) {
      const links = findElements(root, (e) => e.name === 'a' && e.attribs.href !== undefined, 60).filter((a) => !isInside(a, h) && !MORE.test(normText(textContent(a))));
      if (links.length) break;
      root = root.parent as Element | null;
    }
    if (!root || footers.has(root)) continue;
    out.push({ heading: t, root });
  }
  return out;
}

function isInside(n: AnyNode, anc: AnyNode): boolean {
  for (let p: AnyNode | null = n; p; p = p.parent) if (p === anc) return true;
  return false;
}

/** Topic entries listed on a page (homepage block or section page). */
export function topicEntriesOf(page: PageObservation, source: 'homepage' | 'section', html: string = page.html ?? ''): TopicEntry[] {
  const out: TopicEntry[] = [];
  try {
    const base = documentBase(loadHtml(html), page.finalUrl || page.url);
    const self = host(page.finalUrl || page.url);
    for (const b of topicBlocks(html)) {
      const finished = FINISHED_HEADING.test(b.heading);
      for (const a of findElements(b.root, (e) => e.name === 'a' && e.attribs.href !== undefined, 100)) {
        const url = resolveUrl(a.attribs.href, base);
        if (!url || !/^https?:/i.test(url)) continue;
        const text = normText(textContent(a)) || normText(a.attribs.title ?? '') || normText(findElements(a, (e) => e.name === 'img', 1)[0]?.attribs.alt ?? '');
        if (!text || MORE.test(text) || SECTION_HEADING.test(text) || FINISHED_HEADING.test(text)) continue;
        if (out.some((o) => o.url === url)) continue;
        out.push({
          name: (normText(a.attribs.title ?? '') || text).slice(0, 60),
          url,
          source,
          external: host(url) !== self,
          finished,
          ...(finished ? { finishedBy: b.heading } : {}),
        });
      }
    }
  } catch {
    return out;
  }
  return out;
}

/** Is this page the topic section's own page (专题专栏 index)? */
export function isTopicSectionPage(page: PageObservation, html: string = page.html ?? ''): boolean {
  try {
    const $ = loadHtml(html);
    // The element index (walk.ts) instead of a selector over the whole document: this runs for every crawled page.
    const meta = elementsNamed($, 'meta').find((m) => m.attribs.name !== undefined && m.attribs.name.toLowerCase() === 'columnname');
    const title = elementsNamed($, 'title')[0];
    const name = normText(meta?.attribs.content ?? '') || normText(title ? textContent(title) : '').split(/[_|\-－—]/)[0];
    return SECTION_HEADING.test(name) && !page.isHomepage;
  } catch {
    return false;
  }
}

/**
 * Topics of a site: entries of the homepage block and of the section page(s), plus topic directories seen only in
 * URLs. A topic listed as finished anywhere is finished.
 */
export function findTopics(pages: PageObservation[], htmlOf: (p: PageObservation) => string = (p) => p.html ?? ''): TopicEntry[] {
  const byDir = new Map<string, TopicEntry>();
  const put = (e: TopicEntry) => {
    const key = e.external ? e.url : topicDir(e.url) ?? e.url;
    const prev = byDir.get(key);
    if (!prev) byDir.set(key, e);
    else {
      if (e.finished && !prev.finished) byDir.set(key, { ...prev, finished: true, finishedBy: e.finishedBy });
      if (prev.source === 'url' && e.source !== 'url') byDir.set(key, { ...e, finished: prev.finished || e.finished });
    }
  };
  const home = pages.find((p) => p.isHomepage);
  if (home) for (const e of topicEntriesOf(home, 'homepage', htmlOf(home))) put(e);
  const sections = pages.filter((p) => isTopicSectionPage(p, htmlOf(p)));
  for (const s of sections) for (const e of topicEntriesOf(s, 'section', htmlOf(s))) put(e);
  // Topic entries point at the topic's front page; section links that are the section itself are not topics.
  for (const s of sections) byDir.delete(topicDir(s.finalUrl || s.url) ?? '');
  // Directories under /ztzl/ seen only in crawled URLs.
  const sectionDirs = new Set(sections.map((s) => topicDir(s.finalUrl || s.url)));
  for (const p of pages) {
    const u = p.finalUrl || p.url;
    let m: RegExpExecArray | null = null;
    try {
      m = TOPIC_DIR.exec(new URL(u).pathname);
    } catch {
      m = null;
    }
    if (!m) continue;
    const dir = new URL(u).origin + m[1];
    if (byDir.has(dir) || sectionDirs.has(dir)) continue;
    if (!/\/(?:index|default)\.\w+$|\/$/.test(new URL(u).pathname)) continue;
    let name = '';
    try {
      name = normText(loadHtml(htmlOf(p))('title').first().text()).split(/[_|\-－—]/)[0];
    } catch {
      name = '';
    }
    byDir.set(dir, { name: name || dir, url: u, source: 'url', external: false, finished: false });
  }
  return [...byDir.values()];
}

/** Facts of one topic from the crawled pages under its directory. */
export function topicFacts(entry: TopicEntry, pages: PageObservation[], asOf: string, htmlOf: (p: PageObservation) => string = (p) => p.html ?? ''): TopicFacts {
  const base: TopicFacts = { ...entry, pagesRead: 0, items: 0, dynamic: false, morePages: false };
  if (entry.external) return base;
  const dir = topicDir(entry.url);
  if (!dir) return base;
  const self = host(entry.url);
  const dated = new Map<string, { date: string; title: string }>();
  let listed = 0;
  let onSite = 0;
  let finished = entry.finished;
  let finishedBy = entry.finishedBy;
  const limit = asOf;
  for (const p of pages) {
    const u = p.finalUrl || p.url;
    if (!u.startsWith(dir)) continue;
    if (p.status === null || p.status >= 400) continue;
    base.pagesRead++;
    const html = htmlOf(p);
    let $;
    try {
      $ = loadHtml(html);
    } catch {
      continue;
    }
    const text = normText(textContent(bodyOrRoot($)[0] ?? $.root()[0]));
    if (!finished && FINISHED_TEXT.test(text)) {
      finished = true;
      finishedBy = FINISHED_TEXT.exec(text)![0];
    }
    if (hasDynamicListScript($)) base.dynamic = true;
    if (/下一页|尾页|末页/.test(text)) {
      const next = findElements(bodyOrRoot($), (e) => e.name === 'a' && /下一页|尾页|末页/.test(textContent(e)), 3);
      const base2 = documentBase($, u);
      for (const a of next) {
        const t = resolveUrl(a.attribs.href, base2);
        if (t && !pages.some((q) => (q.finalUrl || q.url) === t)) base.morePages = true;
      }
    }
    for (const it of extractListItems(p, { html, asOf })) {
      if (!it.date || it.date > limit) continue;
      listed++;
      if (host(it.url) === self) onSite++;
      const prev = dated.get(it.url);
      if (!prev || it.date < prev.date) dated.set(it.url, { date: it.date, title: it.title });
      else if (!prev.title) prev.title = it.title;
    }
    const pub = findPublicationDate(p, html);
    const d = pub?.date ?? urlDate(u);
    if (d && d <= limit && !/\/(?:index|default)(?:_\d+)?\.\w+$|\/$/.test(new URL(u).pathname)) {
      const prev = dated.get(u);
      if (!prev) dated.set(u, { date: d, title: '' });
    }
  }
  let first: string | undefined;
  let newest: { date: string; title: string; url: string } | undefined;
  for (const [url, v] of dated) {
    if (!first || v.date < first) first = v.date;
    if (!newest || v.date > newest.date) newest = { ...v, url };
  }
  return {
    ...base,
    finished,
    ...(finishedBy ? { finishedBy } : {}),
    items: dated.size,
    ...(listed ? { onSiteShare: Math.round((onSite / listed) * 100) / 100 } : {}),
    ...(first ? { firstDate: first } : {}),
    ...(newest ? { newestDate: newest.date, newestTitle: newest.title || undefined, newestUrl: newest.url } : {}),
  };
}
