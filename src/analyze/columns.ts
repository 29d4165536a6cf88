import type { CheerioAPI } from 'cheerio';
import { allElements, bodyOrRoot, elementsNamed, findElement, findElements, firstNamed, hasDescendant, isElement, textContent } from './walk.ts';
import type { AnyNode, Element } from 'domhandler';
import type { PageObservation } from '../model.ts';
import { documentBase, resolveUrl } from './links.ts';
import { loadHtml, normText, parseHtml } from './dom.ts';
import { footerElements, inFooterPredicate } from './footer.ts';
import {
  articleBodyElements, bodyTextVariants, datesFromUrl, findDatesInText, findMonthDays, metaContent, visibleText, addDays, readItemDate,
  toHalfWidth, unreadDateLike, type DateHit, type ItemDate, type YearSource,
} from './dates.ts';

/**
 * Column (栏目) analysis: the column's name and type, the dated items a list page shows (ul/li lists, old <table>
 * layouts, loose <td> lists separated by <br>, Hanweb datastore records), placeholders of empty columns, and the
 * synonyms real sites use for the columns the rubric requires.
 */

// ---------------------------------------------------------------------------------------------------------------
// Column types

/** Column types with their Chinese name patterns, tried in order (the first match wins). */
const TYPE_PATTERNS: { type: string; re: RegExp; not?: RegExp }[] = [
  { type: 'interpretation', re: /解读|图解|答记者问|政策问答/ },
  { type: 'notice', re: /通知公告|公告公示|公示公告|通知|公告|公示/ },
  { type: 'policy', re: /政策文件|规范性文件|政策法规|政府文件|文件发布|部门文件|政府令|规章|文件/ },
  { type: 'personnel', re: /人事|任免|招录|招考|招聘/ },
  { type: 'plan', re: /规划|计划/ },
  { type: 'leader', re: /领导|负责人|班子成员/, not: /信箱|邮箱|留言/ },
  { type: 'organization', re: /机构|职能|职责|内设|组织/ },
  { type: 'overview', re: /概况|市情|县情|区情|省情|州情|走进|简介/ },
  { type: 'finance', re: /财政|预算|决算|预决算/ },
  { type: 'statistics', re: /统计/ },
  { type: 'news', re: /动态|要闻|新闻|资讯|快讯|头条|时政|图片报道/, not: /发布会|发言人|新闻办/ },
];

/**
 * The type of a column from its name (or a ColumnType value): news, notice, policy, personnel, plan, leader,
 * organization, overview, interpretation, finance, statistics — or 'unknown'.
 */
export function columnTypeOf(name: string | undefined): string {
  const n = normText(name ?? '');
  if (!n) return 'unknown';
  for (const p of TYPE_PATTERNS) {
    if (p.re.test(n) && !(p.not && p.not.test(n))) return p.type;
  }
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------------------------
// Breadcrumb (当前位置)

export interface Breadcrumb {
  /** Crumb texts in order, the leading label (当前位置：) removed. */
  items: { text: string; url?: string }[];
}

const CRUMB_LABEL = /^(?:当前位置|您的位置|您现在的位置|您当前的位置|您所在的位置|您现在所在的位置|所在位置|当前页面|位置)\s*[:：]?/;
const CRUMB_CLASS = /(crumb|position|location|dqwz|weizhi|lujing|mianbao|bread|^place$|^path$|curpos|cur_pos|cur-pos|currentpos)/i;
const crumbCache = new WeakMap<CheerioAPI, Breadcrumb | null>();
/** Characters of an element's text read to decide whether it is short enough to be a breadcrumb (or a crumb). */
const CRUMB_TEXT_READ = 20_000;
const isLink = (e: Element) => e.name === 'a';

/** The page's breadcrumb (当前位置：首页 > 政务公开 > 通知公告), or undefined. */
export function breadcrumb($: CheerioAPI, pageUrl = 'http://localhost/'): Breadcrumb | undefined {
  const cached = crumbCache.get($);
  if (cached !== undefined) return cached ?? undefined;
  let found: Element | undefined;
  try {
    const candidates: Element[] = [];
    for (const e of allElements($)) {
      if (candidates.length > 20) break;
      if (e.attribs.class === undefined && e.attribs.id === undefined) continue;
      const tokens = [...(e.attribs.class ?? '').split(/\s+/), e.attribs.id ?? ''].filter(Boolean);
      if (!tokens.some((t) => CRUMB_CLASS.test(t))) continue;
      const txt = normText(textContent(e, CRUMB_TEXT_READ));
      if (txt.length > 0 && txt.length < 200 && hasDescendant(e, isLink)) candidates.push(e);
    }
    found = candidates.find((e) => CRUMB_LABEL.test(normText(textContent(e))) || /首页|主页|网站首页/.test(textContent(e)));
    if (!found) {
      // Text-based: a text node starting the crumb (当前位置：), then the nearest ancestor (≤ 4 levels) that holds a
      // link and little text — covers <div>当前位置：<a>…</a></div> and <td>当前位置：</td><td><a>…</a></td>.
      const label = /(?:当前位置|您的位置|您现在的位置|您当前的位置|您所在的位置|您现在所在的位置|所在位置|当前页面|(?:^|[^\u4e00-\u9fa5])位置)\s*[:：]/;
      const stack: AnyNode[] = [elementsNamed($, 'body')[0] ?? ($.root()[0] as AnyNode)];
      let visited = 0;
      const starts: AnyNode[] = [];
      while (stack.length && visited++ < 200_000 && starts.length < 5) {
        const n = stack.pop()!;
        if (n.type === 'text') {
          const t = (n as unknown as { data: string }).data;
          if (t.length < 300 && label.test(t)) starts.push(n);
          continue;
        }
        if (n.type !== 'tag' && n.type !== 'root') continue;
        const name = (n as Element).name;
        if (name === 'script' || name === 'style') continue;
        const kids = (n as Element).children ?? [];
        for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
      }
      for (const t of starts) {
        let cur = t.parent as Element | null;
        for (let depth = 0; cur && cur.type === 'tag' && depth < 4 && !found; depth++) {
          if (cur.name === 'body' || cur.name === 'html') break;
          const txt = normText(textContent(cur, CRUMB_TEXT_READ));
          if (txt.length > 200) break;
          if (hasDescendant(cur, isLink)) found = cur;
          cur = cur.parent as Element | null;
        }
        if (found) break;
      }
    }
  } catch {
    found = undefined;
  }
  if (!found) {
    crumbCache.set($, null);
    return undefined;
  }
  const base = documentBase($, pageUrl);
  const items: { text: string; url?: string }[] = [];
  // Walk the crumb in document order: links are crumbs; plain text between separators too. Tool blocks (字号, 打印,
  // 分享) that templates put in the same container end the walk.
  const stack: AnyNode[] = [...(found.children ?? [])].reverse();
  let steps = 0;
  while (stack.length && steps++ < 2_000 && items.length < 15) {
    const n = stack.pop()!;
    if (n.type === 'text') {
      const t = (n as unknown as { data: string }).data;
      for (const seg of t.split(/>>|>|»|›|→|＞|\/|\|/)) {
        const x = normText(seg.replace(CRUMB_LABEL, ''));
        if (x && x.length <= 40 && !/[:：]$/.test(x)) items.push({ text: x });
      }
      continue;
    }
    if (n.type !== 'tag') continue;
    const el = n as Element;
    if (['script', 'style', 'noscript'].includes(el.name)) continue;
    const cls = (el.attribs.class ?? '') + ' ' + (el.attribs.id ?? '');
    if (/print|share|font|size|tool|search/i.test(cls) && items.length > 0) break;
    if (el.name === 'a') {
      const t = normText(textContent(el, CRUMB_TEXT_READ)) || normText(el.attribs.title ?? '');
      const u = resolveUrl(el.attribs.href, base) ?? undefined;
      if (t && t.length <= 40) items.push({ text: t.replace(CRUMB_LABEL, '').trim() || t, url: u });
      continue;
    }
    const kids = el.children ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  const crumb = items.length ? { items } : null;
  crumbCache.set($, crumb);
  return crumb ?? undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Column name

export interface ColumnInfo {
  name?: string;
  /** news, notice, policy, … or 'unknown' (see columnTypeOf). */
  type: string;
  /** Where the name came from. */
  nameSource: 'meta' | 'breadcrumb' | 'title' | 'none';
  /** The ColumnType meta value, when present and not blank. */
  metaType?: string;
}

const NOT_A_COLUMN = /^(首页|主页|网站首页|正文|详情|详细内容|内容|文章|浏览文章|查看内容|信息详情|正文内容|阅读|列表)$/;

/**
 * The column a page belongs to (column pages: the column itself). Name: the ColumnName tag, else the last breadcrumb
 * crumb that is a column, else (column pages only) the first part of <title>. Type: from the name, else from the
 * ColumnType tag.
 */
export function columnInfo(page: PageObservation, opts: { kind?: string; html?: string } = {}): ColumnInfo {
  try {
    const $ = loadHtml(opts.html ?? page.html ?? '');
    const metaName = metaContent($, ['columnname']);
    const metaType = metaContent($, ['columntype']);
    const title = metaContent($, ['articletitle']);
    let name: string | undefined = metaName;
    let nameSource: ColumnInfo['nameSource'] = metaName ? 'meta' : 'none';
    if (!name) {
      const crumb = breadcrumb($, page.finalUrl || page.url);
      if (crumb) {
        const items = crumb.items.filter((c) => !NOT_A_COLUMN.test(c.text) && c.text !== title && c.text.length <= 20);
        // On a content page the last crumb can be the article title itself (long, no link): skip unlinked long ones.
        const pick = [...items].reverse().find((c) => c.url || c.text.length <= 12);
        if (pick) {
          name = pick.text;
          nameSource = 'breadcrumb';
        }
      }
    }
    const looksContent = !!title || /\/t\d{8}_\d+|\/art_\d|content_\d+|\/c\d+a\d+\/page\.htm/i.test(page.finalUrl || page.url);
    if (!name && (opts.kind === 'column' || (!opts.kind && !looksContent))) {
      const t = normText(textContent(firstNamed($, 'title'))).split(/\s*(?:_|\||｜|--|—|-\s)\s*/)[0];
      if (t && t.length <= 20) {
        name = t;
        nameSource = 'title';
      }
    }
    let type = columnTypeOf(name);
    if (type === 'unknown' && metaType) type = columnTypeOf(metaType);
    return { name, type, nameSource, metaType };
  } catch {
    return { type: 'unknown', nameSource: 'none' };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// List items

export type ItemDateSource = 'text' | 'meta' | 'comment' | 'url' | 'attr' | 'none';

export interface ListItem {
  title: string;
  url: string;
  /**
   * YYYY-MM-DD. A year-less date (03-18) takes its year from a comment or the URL when they agree on month and day,
   * else its freshest reading not after the reference date (the fetch date): a lower bound on the item's age.
   */
  date?: string;
  dateSource: ItemDateSource;
  /** The date as found (text shown, comment text, URL part). */
  rawDate?: string;
  /** 'month-day' when the year was not shown and not recovered from a comment or the URL. */
  precision?: DateHit['precision'];
  /** Where the year came from (shown, comment, attr, url, page-time, as-of): see readItemDate. */
  yearFrom?: YearSource;
  /** Undated items: what in the row looks like a date but could not be read (2021-6, 6.10 …), for the evidence. */
  unread?: string[];
  /** Items of the same list share a key (the list container). */
  listKey: number;
}

export interface ListOptions {
  /** Reference date for year-less dates; default: the fetch date of the page. */
  asOf?: string;
  /** Analyse this HTML instead of page.html (e.g. the browser-rendered DOM). */
  html?: string;
  /** Skip links inside the article body (default true). */
  skipBody?: boolean;
  /**
   * The page's own generation time (YYYY-MM-DD, see pageGenerationTime): a year-less date nothing else gives a year
   * takes its freshest reading not after it (yearFrom 'page-time') rather than after the reference date.
   */
  pageTime?: string;
}

const ROW_TAGS = new Set(['li', 'tr', 'dd', 'dt']);
const STOP_TAGS = new Set(['body', 'html', 'ul', 'ol', 'table', 'tbody', 'thead', 'dl']);
const INLINE_BREAK = new Set(['br', 'p', 'div', 'li', 'tr', 'table', 'hr']);

function shanghaiDate(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
}

function anchorTitle(_$: CheerioAPI, a: Element): string {
  const text = normText(textContent(a));
  const attr = normText(a.attribs.title ?? '');
  if (attr && (!text || /(\.\.\.|…)$/.test(text) || attr.length > text.length) && attr.length <= 200) return attr;
  if (text) return text.slice(0, 200);
  return normText(findElement(a, (e) => e.name === 'img')?.attribs.alt ?? '').slice(0, 200);
}

const isLinkWithHref = (e: Element) => e.name === 'a' && e.attribs.href !== undefined;
/** Inline wrappers a list template may put a date in, inside the anchor. */
const INLINE_DATE_TAGS = new Set(['span', 'em', 'i', 'b', 'font', 'time', 'div', 'small']);

/** Text beside an anchor that is its own row (loose lists: <a>…</a> 06-10<br>). */
function siblingText(a: AnyNode): string {
  const parts: string[] = [];
  const walk = (start: AnyNode | null, dir: 'next' | 'prev') => {
    let n = start;
    let steps = 0;
    while (n && steps++ < 8) {
      if (n.type === 'tag') {
        const el = n as Element;
        if (el.name === 'a' || INLINE_BREAK.has(el.name)) break;
        if (!['script', 'style'].includes(el.name)) parts.push(visibleText([el]));
      } else if (n.type === 'text') {
        parts.push((n as unknown as { data: string }).data);
      } else if (n.type === 'comment') {
        parts.push(' <!--' + (n as unknown as { data: string }).data + '--> ');
      }
      n = dir === 'next' ? n.next : n.prev;
    }
  };
  walk(a.next, 'next');
  walk(a.prev, 'prev');
  return parts.join(' ').slice(0, 300);
}

function commentsIn(el: AnyNode, limit = 50): string[] {
  const out: string[] = [];
  const stack: AnyNode[] = [el];
  while (stack.length && out.length < limit) {
    const n = stack.pop()!;
    if (n.type === 'comment') out.push((n as unknown as { data: string }).data);
    const kids = (n as Element).children;
    if (kids) for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return out;
}

interface RawRow {
  title: string;
  url: string;
  container: AnyNode | null;
  pick: ItemDate;
  unread?: string[];
}

function rowsOf($: CheerioAPI, scopeNodes: AnyNode[], base: string, refDate: string, skip: (n: AnyNode) => boolean, pageTime?: string): RawRow[] {
  const limit = addDays(refDate, 1);
  const anchorCount = new Map<AnyNode, number>();
  const countTitles = (el: Element): number => {
    const hit = anchorCount.get(el);
    if (hit !== undefined) return hit;
    const hrefs = new Set<string>();
    let n = 0;
    for (const a of findElements(el, isLinkWithHref)) {
      n++;
      const t = normText(textContent(a));
      if (t.length >= 6) hrefs.add((a.attribs.href ?? '') + '|' + t);
    }
    const v = n > 4 ? 99 : hrefs.size;
    anchorCount.set(el, v);
    return v;
  };
  // Normalised text length of an ancestor: sibling anchors climb through the same ancestors.
  const textLengths = new Map<AnyNode, number>();
  const textLength = (el: Element): number => {
    let v = textLengths.get(el);
    if (v === undefined) {
      v = normText(textContent(el)).length;
      textLengths.set(el, v);
    }
    return v;
  };
  const rows: RawRow[] = [];
  const seenRows = new Set<AnyNode>();
  const anchors: Element[] = [];
  for (const root of scopeNodes) {
    if (root.type === 'tag' && (root as Element).name === 'a' && (root as Element).attribs.href !== undefined) anchors.push(root as Element);
    for (const a of findElements(root, isLinkWithHref)) anchors.push(a);
  }
  for (const a of anchors) {
    if (rows.length > 5_000) break;
    if (skip(a)) continue;
    const url = resolveUrl(a.attribs.href, base);
    if (!url) continue;
    const title = anchorTitle($, a);
    if (!title) continue;
    // The row: the highest ancestor (≤ 5 levels) that still holds this item only; li/tr/dd/dt end the climb.
    let row: Element = a;
    let cur = a.parent as Element | null;
    for (let depth = 0; cur && cur.type === 'tag' && depth < 5; depth++) {
      if (STOP_TAGS.has(cur.name)) break;
      if (countTitles(cur) > 1) break;
      if (textLength(cur) > 400) break;
      row = cur;
      if (ROW_TAGS.has(cur.name)) break;
      cur = cur.parent as Element | null;
    }
    if (seenRows.has(row)) continue;
    seenRows.add(row);
    let text: string;
    let comments: string[];
    if (row === a) {
      const side = siblingText(a);
      text = side.replace(/<!--[\s\S]*?-->/g, ' ');
      comments = [...side.matchAll(/<!--([\s\S]*?)-->/g)].map((m) => m[1]);
    } else {
      text = visibleText([row], (el) => el === a);
      comments = commentsIn(row);
      if (!/\d/.test(text) && !ROW_TAGS.has(row.name)) {
        // <td><span><a>标题</a></span> 06-10<br>… : the date sits beside the wrapper.
        const side = siblingText(row);
        text += ' ' + side.replace(/<!--[\s\S]*?-->/g, ' ');
        comments.push(...[...side.matchAll(/<!--([\s\S]*?)-->/g)].map((m) => m[1]));
      }
    }
    // Some templates put the date inside the anchor: <a><span>title</span><span>2021-06-10</span></a>.
    let textHits = findDatesInText(text, 'text', { shortYear: true });
    let mdHits = textHits.length ? [] : findMonthDays(text, refDate);
    if (!textHits.length && !mdHits.length) {
      for (const el of findElements(a, (e) => INLINE_DATE_TAGS.has(e.name))) {
        const t = normText(textContent(el));
        if (t.length > 25) continue;
        textHits.push(...findDatesInText(t, 'text', { shortYear: true }));
        if (!textHits.length) mdHits.push(...findMonthDays(t, refDate));
      }
      if (!textHits.length && !mdHits.length) {
        // The date may be written right after the title inside the anchor: "标题 2021-06-10".
        const inner = normText(textContent(a));
        const tail = /(?:\s|\[|\(|（|【)((?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}|\d{2}[-/.]\d{2}[-/.]\d{2}|\d{1,2}-\d{1,2})[\]\)）】]?$/.exec(toHalfWidth(inner));
        if (tail) {
          textHits = findDatesInText(tail[1], 'text', { shortYear: true });
          if (!textHits.length) mdHits = findMonthDays(tail[1], refDate);
        }
      }
    }
    const commentHits = comments.flatMap((c) => findDatesInText(c.slice(0, 500), 'comment'));
    const attrHits = findDatesInText(a.attribs.title ?? '', 'attr');
    // Machine-readable dates in the row: <time datetime="…">, <meta itemprop="datePublished" content="…">.
    const metaHits: DateHit[] = [];
    for (const el of row === a ? [] : findElements(row, (e) => e.name === 'time' || e.name === 'meta', 10)) {
      const v = el.name === 'time' ? el.attribs.datetime : /date|time/i.test(el.attribs.itemprop ?? el.attribs.name ?? '') ? el.attribs.content : undefined;
      if (v) metaHits.push(...findDatesInText(v.slice(0, 100), 'meta'));
    }
    const urlHits = datesFromUrl(url);
    const pick = readItemDate({ text: textHits, monthDay: mdHits, meta: metaHits, comment: commentHits, attr: attrHits, url: urlHits }, limit, pageTime);
    const unread = pick.date ? undefined : unreadDateLike(text, refDate, 5);
    rows.push({ title, url, container: row.parent ?? null, pick, ...(unread?.length ? { unread } : {}) });
  }
  return rows;
}

/** Hanweb (大汉) list pages keep their records in <script type="text/xml"><datastore><recordset><record><![CDATA[…]]>. */
function datastoreFragments($: CheerioAPI): string[] {
  const out: string[] = [];
  for (const e of elementsNamed($, 'script')) {
    const body = (e.children ?? []).map((c) => (c as unknown as { data?: string }).data ?? '').join('');
    if (!/<record/i.test(body) || body.length > 2_000_000) continue;
    const re = /<record[^>]*>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/record>/gi;
    let m: RegExpExecArray | null;
    while ((m = re.exec(body)) && out.length < 2_000) out.push(m[1]);
  }
  return out;
}

/**
 * The list items a page shows: links with a title in list rows (ul/li, table rows, dl, div rows, loose <br> lists,
 * Hanweb datastore records), each with the best date found — visible text first, then year-less text completed from
 * a comment or the URL, then comments, the title attribute and CMS URL dates. Footer links and (by default) links
 * inside the article body are left out. An undated link counts as an item only with a title of 8+ characters in a
 * list of 3+ such rows (navigation menus have short names).
 */
export function extractListItems(page: PageObservation, opts: ListOptions = {}): ListItem[] {
  const html = opts.html ?? page.html ?? '';
  const key = `${opts.asOf ?? ''}|${opts.skipBody === false ? 0 : 1}|${opts.pageTime ?? ''}`;
  let perPage = itemsCache.get(page);
  const hit = perPage?.get(html)?.get(key);
  if (hit) return hit.map((i) => ({ ...i }));
  const items = extractListItemsUncached(page, opts);
  if (!perPage) {
    perPage = new Map();
    itemsCache.set(page, perPage);
  }
  if (perPage.size > 2) perPage.clear();
  const byKey = perPage.get(html) ?? new Map<string, ListItem[]>();
  byKey.set(key, items);
  perPage.set(html, byKey);
  return items.map((i) => ({ ...i }));
}

/** Memo: page → html → options key → items (pages are immutable once observed). */
const itemsCache = new WeakMap<PageObservation, Map<string, Map<string, ListItem[]>>>();

function extractListItemsUncached(page: PageObservation, opts: ListOptions): ListItem[] {
  try {
    const html = opts.html ?? page.html ?? '';
    if (!html) return [];
    const $ = loadHtml(html);
    const pageUrl = page.finalUrl || page.url;
    const base = documentBase($, pageUrl);
    const refDate = opts.asOf ?? shanghaiDate(page.fetchedAt) ?? new Date().toISOString().slice(0, 10);
    const inFooter = inFooterPredicate(footerElements($));
    // Article bodies hold links that are not list items; a "body" that is really a list (dated rows, little running
    // text) is not skipped.
    const bodies = new Set<Element>();
    if (opts.skipBody !== false) {
      for (const b of articleBodyElements($)) {
        let para = 0;
        for (const p of findElements(b, (e) => e.name === 'p')) {
          if (para >= 100) break;
          para += normText(textContent(p)).length;
        }
        const marked = b.children.some((c) => isElement(c) && c.name === 'meta' && c.attribs.name?.toLowerCase() === 'contentstart');
        if (marked || para >= 50 || findElements(b, (e) => e.name === 'li' || e.name === 'tr', 3).length < 3) bodies.add(b);
      }
    }
    const inBody = (n: AnyNode) => {
      if (bodies.size === 0) return false;
      let p: AnyNode | null = n;
      while (p) {
        if (bodies.has(p as Element)) return true;
        p = p.parent;
      }
      return false;
    };
    const skip = (n: AnyNode) => inFooter(n) || inBody(n);
    const rows = rowsOf($, bodyOrRoot($), base, refDate, skip, opts.pageTime);
    // Datastore records: each record is a row of one list.
    const frags = datastoreFragments($);
    const dsKey = {} as AnyNode;
    for (const f of frags) {
      const $f = parseHtml(`<div>${f}</div>`);
      const fr = rowsOf($f, $f.root().toArray(), base, refDate, () => false, opts.pageTime);
      // One record = one item: keep its best row (the one with a date, else the longest title).
      const bestRow = fr.find((r) => r.pick.date) ?? fr.sort((x, y) => y.title.length - x.title.length)[0];
      if (bestRow) rows.push({ ...bestRow, container: dsKey });
    }
    // Group by container; decide which undated rows are items.
    const keys = new Map<AnyNode | null, number>();
    const groups = new Map<number, RawRow[]>();
    for (const r of rows) {
      let k = keys.get(r.container);
      if (k === undefined) {
        k = keys.size + 1;
        keys.set(r.container, k);
      }
      const g = groups.get(k) ?? [];
      g.push(r);
      groups.set(k, g);
    }
    const out: ListItem[] = [];
    const seen = new Set<string>();
    for (const [key, g] of groups) {
      const longUndated = g.filter((r) => !r.pick.date && r.title.length >= 8).length;
      for (const r of g) {
        const dated = r.pick.date && r.pick.source !== 'url' ? r.title.length >= 4 : false;
        const urlDated = r.pick.source === 'url' && r.title.length >= 6;
        const listed = !r.pick.date && r.title.length >= 8 && longUndated >= 3;
        if (!dated && !urlDated && !listed) continue;
        const id = r.url + '\u0000' + r.title;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({
          title: r.title,
          url: r.url,
          date: r.pick.date,
          dateSource: r.pick.source,
          rawDate: r.pick.raw,
          precision: r.pick.precision,
          ...(r.pick.yearFrom ? { yearFrom: r.pick.yearFrom } : {}),
          ...(r.unread ? { unread: r.unread } : {}),
          listKey: key,
        });
      }
    }
    return out;
  } catch {
    return [];
  }
}

/** The page's main list: the list with the most dated items (ties: most items). */
export function mainListItems(items: ListItem[]): ListItem[] {
  const groups = new Map<number, ListItem[]>();
  for (const it of items) {
    const g = groups.get(it.listKey) ?? [];
    g.push(it);
    groups.set(it.listKey, g);
  }
  let best: ListItem[] = [];
  let bestScore = -1;
  for (const g of groups.values()) {
    const score = g.filter((i) => i.date).length * 1000 + g.length;
    if (score > bestScore) {
      best = g;
      bestScore = score;
    }
  }
  return best;
}

/** The newest dated item (ties: the first). Dates after `notAfter` are ignored when given. */
export function newestItem(items: ListItem[], notAfter?: string): ListItem | undefined {
  let best: ListItem | undefined;
  for (const it of items) {
    if (!it.date) continue;
    if (notAfter && it.date > notAfter) continue;
    if (!best || it.date > best.date!) best = it;
  }
  return best;
}


// ---------------------------------------------------------------------------------------------------------------
// Placeholders and substantive text

/** Texts that CMS templates show in a column with nothing in it. */
export const PLACEHOLDER_RE =
  /暂无(?:相关)?(?:信息|内容|数据|记录|文章|新闻|公告|文件|资料)|该栏目(?:暂无|没有)(?:信息|内容|数据|文章)?|本栏目(?:暂无|没有)(?:信息|内容|数据|文章)?|栏目(?:正在)?建设中|正在建设中|建设中[，,]?敬请期待|敬请期待|没有相关(?:信息|内容|记录|数据)|无相关(?:信息|内容|记录)|没有(?:找到)?(?:任何)?(?:信息|记录|数据)|(?:信息|内容)更新中/;

export interface Placeholder {
  /** The placeholder words. */
  text: string;
  /** The short line they stand on. */
  line: string;
}

/**
 * A placeholder (暂无信息 …) standing on a short line of its own in the page outside the footer — not a sentence in
 * a paragraph that happens to contain the words.
 */
const placeholders = new WeakMap<CheerioAPI, Placeholder | null>();

/** findPlaceholder, memoised per parsed document (classification and the page facts both ask). */
export function findPlaceholder($: CheerioAPI): Placeholder | undefined {
  let v = placeholders.get($);
  if (v === undefined) placeholders.set($, (v = findPlaceholderUncached($) ?? null));
  return v ?? undefined;
}

function findPlaceholderUncached($: CheerioAPI): Placeholder | undefined {
  try {
    // No texts: the page's footer could not be told — no placeholder can be said to stand outside it.
    const text = bodyTextVariants($)?.outsideFooter;
    if (text === undefined) return undefined;
    for (const raw of text.split(/[\n\t]/)) {
      const line = normText(raw);
      if (!line || line.length > 40) continue;
      const m = PLACEHOLDER_RE.exec(line);
      // The placeholder must be (nearly) the whole line: "对不起，暂无相关信息！" yes, a sentence no.
      if (m && line.length - m[0].length <= 12) return { text: m[0], line };
    }
  } catch {
    return undefined;
  }
  return undefined;
}


/**
 * Characters of running text (lines of 30+ characters, links excluded) outside header, navigation, sidebars and
 * footer: a column page with such text shows content (e.g. a 领导之窗 page with biographies) even without a list.
 */
export function substantiveTextLength($: CheerioAPI): number {
  try {
    const text = bodyTextVariants($)?.substantive;
    if (text === undefined) return 0;
    let n = 0;
    for (const raw of text.split('\n')) {
      const line = normText(raw);
      if (line.length >= 30) n += line.length;
    }
    return n;
  } catch {
    return 0;
  }
}

/** Scripts that fill lists after load (Hanweb jpage/dataproxy, ajax, fetch, unitbuild): static HTML may be empty. */
export function hasDynamicListScript($: CheerioAPI): boolean {
  let dyn = false;
  for (const e of elementsNamed($, 'script')) {
    if (dyn) break;
    const src = e.attribs.src ?? '';
    const body = (e.children ?? []).map((c) => (c as unknown as { data?: string }).data ?? '').join('').slice(0, 50_000);
    if (/dataproxy|jpage|unitbuild|ajax|\$\.get|\$\.post|fetch\(|XMLHttpRequest|axios|\.load\(|getJSON|vue|react|angular/i.test(src + ' ' + body)) dyn = true;
  }
  return dyn;
}

// ---------------------------------------------------------------------------------------------------------------
// Required columns and their synonyms

/** The columns the Hunan 2021 rubric requires, by unit type. */
export const REQUIRED_COLUMNS: Record<'city' | 'provincial', string[]> = {
  city: ['概况信息', '机构职能', '领导信息', '动态要闻', '政策文件', '政策解读'],
  provincial: ['机构职能', '领导信息', '动态要闻', '政策文件'],
};

/** Names real sites give those columns. A label counts when `match` hits and `not` does not. */
export const COLUMN_SYNONYMS: Record<string, { match: RegExp; not?: RegExp }> = {
  概况信息: { match: /概况|^走进|市情|县情|区情|省情|州情|地情|^魅力|城市名片|[市县区]域简介|^简介$/ },
  机构职能: {
    match: /机构职能|机构设置|内设机构|部门职责|主要职责|工作职责|职能职责|职能配置|主要职能|部门职能|机构概况|机构信息|机构简介|组织机构|机构与职能|^机构$|^职能$|领导及机构|下属单位|直属单位|单位职能|机构职责/,
  },
  领导信息: { match: /领导|负责人信息|班子成员|^负责人$/, not: /信箱|邮箱|留言|来信/ },
  动态要闻: { match: /要闻|动态|新闻|资讯|快讯|头条|时政/, not: /发布会|发言人/ },
  政策文件: {
    match: /政策文件|规范性文件|政策法规|文件发布|政府文件|部门文件|单位文件|本级文件|[市县区州局委厅办]文件|^文件$|文件公开|文件公告|发文|政府令|规章|法规|政策库|最新政策|政策发布|政府公报/,
    not: /解读|图解/,
  },
  政策解读: { match: /解读|图解|答记者问|政策问答/ },
};

/** The required column names a column label stands for (usually zero or one). Labels longer than 16 chars are titles. */
const columnMatches = new Map<string, readonly string[]>();

/** matchRequiredColumn, remembered by label (the same navigation texts are on every page; bounded). */
export function matchRequiredColumn(label: string): readonly string[] {
  const key = label ?? '';
  let v = columnMatches.get(key);
  if (v === undefined) {
    v = Object.freeze(matchRequiredColumnUncached(key));
    if (key.length <= 200) {
      if (columnMatches.size >= 4_096) columnMatches.clear();
      columnMatches.set(key, v);
    }
  }
  return v;
}

function matchRequiredColumnUncached(label: string): string[] {
  const t = normText(label ?? '').replace(/[>»›\s]+$/, '');
  if (!t || t.length > 16) return [];
  const out: string[] = [];
  for (const [name, syn] of Object.entries(COLUMN_SYNONYMS)) {
    if (syn.match.test(t) && !(syn.not && syn.not.test(t))) out.push(name);
  }
  return out;
}
