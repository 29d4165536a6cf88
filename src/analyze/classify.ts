import type { CheerioAPI } from 'cheerio';
import type { AuditContext, PageObservation } from '../model.ts';
import { loadHtml, normText } from './dom.ts';
import { bodyOrRoot, closestNamed, elementsNamed, textContent } from './walk.ts';
import {
  articleBodyElements, bodyVisibleText, bodyVisibleTextHalfWidth, findPublicationDate, findPublicationLabels, metaContent, primaryPublicationLabel, toHalfWidth, visibleText,
  type PublicationDate,
} from './dates.ts';
import { urlParts } from '../runtime/url-parts.ts';
import {
  breadcrumb, columnInfo, extractListItems, findPlaceholder, hasDynamicListScript, mainListItems, substantiveTextLength,
  type Breadcrumb, type ColumnInfo, type ListItem, type Placeholder,
} from './columns.ts';

/**
 * Page kind (home / column 栏目页 / content 内容页 / other) from structure, tags and CMS URL patterns, with the reasons
 * that decided it. Real templates vary (TRS, Hanweb, WebPlus, old table layouts), so the decision is a score over
 * independent signals; a page with weak or contradictory signals is 'other' or `confidence: 'low'`.
 */

export type PageKind = 'home' | 'column' | 'content' | 'other';

export interface Classification {
  kind: PageKind;
  /** English reasons, e.g. "url: TRS content t20210610_7001.html", "meta: ArticleTitle". */
  reasons: string[];
  /** 'high' when the winning kind leads clearly; checks that deduct on the kind alone should require it. */
  confidence: 'high' | 'low';
  scores: { column: number; content: number };
}

/** Content (article) URL patterns of common CMSs. */
const CONTENT_URL: { re: RegExp; why: string; w: number }[] = [
  { re: /\/t(?:19|20)\d{6}_\d+\.s?html?$/i, why: 'TRS content t<date>_<id>', w: 3 },
  { re: /\/art\/(?:19|20)\d{2}\/\d{1,2}\/\d{1,2}\/art_\d+_\d+\.html?$/i, why: 'Hanweb content /art/<y>/<m>/<d>/art_', w: 3 },
  { re: /\/art_\d+_\d+\.html?$/i, why: 'Hanweb content art_', w: 3 },
  { re: /\/(?:19|20)\d{2}\/\d{4}\/c\d+a\d+\/page\.htm$/i, why: 'WebPlus content page.htm', w: 3 },
  { re: /\/content_\d+\.s?html?$/i, why: 'content_<id>', w: 2 },
  { re: /\/info\/\d+\/\d+\.htm$/i, why: 'VSB content info/<col>/<id>.htm', w: 3 },
  { re: /\/(?:19|20)\d{2}-\d{2}\/\d{2}\/[a-z_]*\d+\.s?html?$/i, why: 'dated directory content', w: 2 },
  { re: /\/(?:19|20)\d{6}\/[0-9a-z_]{6,}\.s?html?$/i, why: 'dated directory content', w: 2 },
  { re: /[?&](?:articleid|newsid|contentid|infoid|artid|docid|aid)=\d+/i, why: 'article id parameter', w: 2 },
  { re: /\/(?:detail|article|show|view|content|news_?detail|info_?detail)[^/]*\.(?:jsp|aspx?|php|do|html?)(?:\?.*)?$/i, why: 'detail/article script', w: 1 },
];

/** Column (list) URL patterns. */
const COLUMN_URL: { re: RegExp; why: string; w: number }[] = [
  { re: /\/col\/col\d+\/index\.html?(?:\?.*)?$/i, why: 'Hanweb column /col/col<id>/index.html', w: 3 },
  { re: /\/index_\d+\.s?html?$/i, why: 'paginated list index_<n>.html', w: 3 },
  { re: /\/(?:list|lists|column|channel|lanmu|class|more)(?:[_-]\d+)?\.(?:s?html?|jsp|aspx?|php|do)(?:\?.*)?$/i, why: 'list script', w: 2 },
  { re: /\/node_\d+(?:_\d+)?\.s?html?$/i, why: 'node_<id> list', w: 2 },
  { re: /[?&](?:page|pageno|pageindex|curpage|pagenum)=\d+/i, why: 'page parameter', w: 2 },
  { re: /[?&](?:columnid|colid|channelid|catid|classid|typeid|lmid)=\w+/i, why: 'column id parameter', w: 2 },
  { re: /\/index\.(?:s?html?|jsp|aspx?|php)$/i, why: 'directory index page', w: 1 },
  { re: /\/[^/.]+\/$/, why: 'directory URL', w: 1 },
];

const PAGINATION_RE = /上一页|下一页|尾页|末页|共\s*\d+\s*页|第\s*\d+\s*页|共\s*\d+\s*条/;
const ROOT_INDEX = /^\/(?:(?:index|default|main|home)\.(?:s?html?|jsp|aspx?|php))?$/i;

/** Is this URL a typical article URL of a CMS? */
export function isContentUrl(url: string): boolean {
  return CONTENT_URL.some((p) => p.w >= 2 && p.re.test(pathAndQuery(url)));
}

/** Is this URL a typical list (column) URL of a CMS? */
export function isColumnUrl(url: string): boolean {
  return COLUMN_URL.some((p) => p.w >= 2 && p.re.test(pathAndQuery(url)));
}

/** Is this a second or later page of a list (index_1.html, list_2.html, ?page=2)? */
export function isLaterListPage(url: string): boolean {
  const p = pathAndQuery(url);
  const m = /\/(?:index|list)_(\d+)\.s?html?$/i.exec(p) ?? /[?&](?:page|pageno|pageindex|curpage|pagenum)=(\d+)/i.exec(p);
  if (!m) return false;
  // TRS counts from index_1 (= page 2); others from page=1 (= page 1).
  return /index_|list_/i.test(m[0]) ? true : +m[1] > 1;
}

/** A key shared by the pages of one column (index.html, index_1.html, ?page=2 …). */
export function columnKey(url: string): string {
  try {
    const u = new URL(url);
    u.hash = '';
    u.pathname = u.pathname.replace(/\/(index|list)(?:_\d+)?\.(s?html?|jsp|aspx?|php)$/i, '/');
    for (const k of [...u.searchParams.keys()]) if (/^(page|pageno|pageindex|curpage|pagenum)$/i.test(k)) u.searchParams.delete(k);
    return u.href;
  } catch {
    return url;
  }
}

function pathAndQuery(url: string): string {
  const u = urlParts(url);
  return u ? u.pathname + u.search : url;
}

export function isHtmlPage(page: PageObservation): boolean {
  if (page.status === null || page.status < 200 || page.status >= 300) return false;
  const ct = (page.contentType || page.headers?.['content-type'] || '').toLowerCase();
  if (ct && !/html|xml|text\/plain/.test(ct)) return false;
  return typeof page.html === 'string' && page.html.length > 0;
}

const cache = new WeakMap<PageObservation, Map<string, Classification>>();
/** Paragraphs inside these are list entries, links or footer lines, not running text. */
const NOT_RUNNING_TEXT = new Set(['li', 'a', 'footer']);


/**
 * Classify a page. `html` overrides page.html (e.g. the rendered DOM). Memoised per page and HTML.
 */
export function classifyPage(page: PageObservation, html?: string): Classification {
  const src = html ?? page.html ?? '';
  let perPage = cache.get(page);
  const hit = perPage?.get(src);
  if (hit) return hit;
  const result = classifyUncached(page, src);
  if (!perPage) {
    perPage = new Map();
    cache.set(page, perPage);
  }
  if (perPage.size > 4) perPage.clear();
  perPage.set(src, result);
  return result;
}

function classifyUncached(page: PageObservation, html: string): Classification {
  const reasons: string[] = [];
  const url = page.finalUrl || page.url;
  if (page.isHomepage) {
    return { kind: 'home', reasons: ['crawler: start page (isHomepage)'], confidence: 'high', scores: { column: 0, content: 0 } };
  }
  if (!isHtmlPage({ ...page, html })) {
    return { kind: 'other', reasons: [`not an HTML page with status 2xx (status ${page.status ?? 'none'})`], confidence: 'high', scores: { column: 0, content: 0 } };
  }
  const path = pathAndQuery(url);
  if (ROOT_INDEX.test(path.replace(/\?.*$/, '')) && !/[?&]\w+=/.test(path)) {
    return { kind: 'home', reasons: ['url: site root'], confidence: 'high', scores: { column: 0, content: 0 } };
  }
  if (/search|sousuo|jsearch|query|login|register|\/member\//i.test(path) && !isContentUrl(url)) {
    return { kind: 'other', reasons: ['url: search, login or member page'], confidence: 'high', scores: { column: 0, content: 0 } };
  }
  let $: CheerioAPI;
  try {
    $ = loadHtml(html);
  } catch {
    return { kind: 'other', reasons: ['HTML could not be parsed'], confidence: 'high', scores: { column: 0, content: 0 } };
  }
  let content = 0;
  let column = 0;
  const add = (kind: 'content' | 'column', w: number, why: string) => {
    if (kind === 'content') content += w;
    else column += w;
    reasons.push(`${kind} +${w}: ${why}`);
  };
  try {
    for (const p of CONTENT_URL) if (p.re.test(path)) { add('content', p.w, `url: ${p.why}`); break; }
    for (const p of COLUMN_URL) if (p.re.test(path)) { add('column', p.w, `url: ${p.why}`); break; }

    const articleTitle = metaContent($, ['articletitle']);
    const pubDate = metaContent($, ['pubdate', 'firstpublishedtime', 'published']);
    const columnName = metaContent($, ['columnname']);
    if (articleTitle) add('content', 4, 'meta: ArticleTitle');
    if (pubDate) add('content', 2, 'meta: PubDate');
    if (columnName && !articleTitle) add('column', 1, 'meta: ColumnName without ArticleTitle');

    const bodies = articleBodyElements($);
    let bodyChars = 0;
    for (const b of bodies) bodyChars += normText(textContent(b)).length;
    if (bodies.size > 0 && bodyChars >= 30) add('content', 2, `article body container (${bodyChars} chars)`);

    const allLabels = findPublicationLabels($);
    const labels = allLabels.filter((l) => l.strong);
    if (labels.length > 0 && labels.length <= 2) add('content', 2, `publication label: ${labels[0].label}`);
    else if (labels.length === 0 && primaryPublicationLabel($)) add('content', 1, `publication label: ${allLabels[0].label}`);
    const textAll = normText(bodyVisibleText($)).slice(0, 300_000);
    if (findSourceLabels($).some((l) => l.value)) add('content', 1, 'source label');
    if (/上一篇|下一篇|相关阅读|打印本页|关闭窗口|【打印】|\[打印\]|字体\s*[:：]?\s*[【\[]?\s*大/.test(textAll)) add('content', 1, 'article tools (上一篇/打印/字号)');

    let pTextLen = 0;
    for (const el of elementsNamed($, 'p')) {
      if (closestNamed(el, NOT_RUNNING_TEXT)) continue;
      pTextLen += normText(textContent(el)).length;
    }
    if (pTextLen >= 300) add('content', 1, `paragraph text ${pTextLen} chars`);

    const items = extractListItems(page, { html });
    const main = mainListItems(items);
    const datedMain = main.filter((i) => i.date && i.dateSource !== 'url').length;
    if (datedMain >= 5) add('column', 3, `list of ${datedMain} dated items`);
    else if (datedMain >= 3) add('column', 2, `list of ${datedMain} dated items`);
    else if (main.length >= 8) add('column', 1, `list of ${main.length} items`);

    const scriptText = elementsNamed($, 'script')
      .map((s) => (s.children ?? []).map((c) => (c as unknown as { data?: string }).data ?? '').join(''))
      .join('\n')
      .slice(0, 200_000);
    if (PAGINATION_RE.test(textAll) || /createPageHTML\(\s*\d+\s*,|(?:pageCount|countPage|totalPage|pageTotal)\s*[=:]\s*['"]?\d+/i.test(scriptText)) {
      add('column', 2, 'pagination');
    }
    if (/<record[^>]*>\s*<!\[CDATA\[/i.test(scriptText)) add('column', 2, 'Hanweb datastore list');

    const placeholder = findPlaceholder($);
    if (placeholder && bodies.size === 0 && !articleTitle) add('column', 2, `placeholder: ${placeholder.text}`);

    const crumb = breadcrumb($, url);
    if (crumb) reasons.push(`breadcrumb: ${crumb.items.map((c) => c.text).join(' > ').slice(0, 120)}`);
  } catch (e) {
    reasons.push(`analysis failed: ${(e as Error).message}`);
  }

  const scores = { column, content };
  let kind: PageKind = 'other';
  if (content >= 3 && content > column) kind = 'content';
  else if (column >= 3 && column > content) kind = 'column';
  else if (content >= 3 && content === column) kind = metaContent($, ['articletitle']) ? 'content' : 'column';
  const lead = Math.abs(content - column);
  const top = Math.max(content, column);
  const confidence: Classification['confidence'] = kind !== 'other' && top >= 4 && lead >= 2 ? 'high' : 'low';
  reasons.unshift(`scores: content ${content}, column ${column} → ${kind}`);
  return { kind, reasons, confidence, scores };
}

/** Source labels of a content page (来源 / 信息来源 / 文章来源 / 稿源 …; 发布机构 in 信息公开 tables). */
const SOURCE_LABEL =
  /(信息来源|文章来源|新闻来源|内容来源|稿件来源|资料来源|来源单位|供稿单位|发布机构|发文机关|发布单位|发文单位|来源|稿源|出处|供稿)[ ]*(?:[:：][ \t]*|\t)([^\n\t]{0,60})/g;
const ORIGINAL_RE = /本站原创|本网原创|原创\s*[:：]?\s*本[站网]/;

export interface SourceLabel {
  label: string;
  /** The value shown after the label ('' when blank). */
  value: string;
}

/**
 * The source labels a page shows in its visible text (scripts and hidden elements excluded; the article body
 * included: "（来源：湖南日报）" at the end of an article is a source too). Values are cut at the next label.
 */
const sourceLabelsCache = new WeakMap<CheerioAPI, SourceLabel[]>();

export function findSourceLabels($: CheerioAPI): SourceLabel[] {
  const hit = sourceLabelsCache.get($);
  if (hit) return hit;
  const out = findSourceLabelsUncached($);
  sourceLabelsCache.set($, out);
  return out;
}

function findSourceLabelsUncached($: CheerioAPI): SourceLabel[] {
  let text: string;
  try {
    text = bodyVisibleTextHalfWidth($);
  } catch {
    return [];
  }
  const out: SourceLabel[] = [];
  SOURCE_LABEL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SOURCE_LABEL.exec(text)) && out.length < 20) {
    // "来源" inside a word like 资源来源于 / 数据来源说明 without a colon never matches (colon or cell required).
    let value = m[2].replace(/(?:^|\s+)[^\s:：]{1,6}[:：](?!\/\/).*$/, '').replace(/[)）】\]]+$/, '');
    value = normText(value);
    out.push({ label: m[1], value });
  }
  const mm = /来源于\s*([^\s，。,;；]{2,30})/.exec(text);
  if (mm) out.push({ label: '来源于', value: mm[1] });
  const orig = ORIGINAL_RE.exec(text);
  if (orig) out.push({ label: '原创', value: orig[0] });
  return out;
}

const sourceCache = new WeakMap<PageObservation, Map<string, SourceLabel[]>>();

/** findSourceLabels for a page (memoised per page and HTML). */
export function sourceLabelsOf(page: PageObservation, html: string = page.html ?? ''): SourceLabel[] {
  let perPage = sourceCache.get(page);
  const hit = perPage?.get(html);
  if (hit) return hit;
  let labels: SourceLabel[] = [];
  try {
    labels = findSourceLabels(loadHtml(html));
  } catch {
    labels = [];
  }
  if (!perPage) {
    perPage = new Map();
    sourceCache.set(page, perPage);
  }
  if (perPage.size > 2) perPage.clear();
  perPage.set(html, labels);
  return labels;
}

// ---------------------------------------------------------------------------------------------------------------
// Page facts: everything the content checks read from one page, computed from a single parse and memoised, so that
// seven checks over hundreds of pages parse each page once (loadHtml keeps only a few parsed documents).

export interface MetaTag {
  /** Any occurrence has a non-blank content attribute. */
  filled: boolean;
  /** The first non-blank value. */
  value?: string;
}

export interface PageFacts {
  classification: Classification;
  /** <meta name> tags by lower-cased name. */
  meta: Map<string, MetaTag>;
  publication?: PublicationDate;
  sourceLabels: SourceLabel[];
  crumb?: Breadcrumb;
  column: ColumnInfo;
  /** List items (year-less dates read against the fetch date; article bodies skipped). */
  items: ListItem[];
  placeholder?: Placeholder;
  substantiveChars: number;
  /** A script that fills lists after load (ajax, Hanweb jpage …). */
  dynamicList: boolean;
  /** A script mentions 来源 (the source line may be written by it). */
  scriptMentionsSource: boolean;
}

/** The <meta name="…" content="…"> tags of a parsed page. */
export function readMetaTags($: CheerioAPI): Map<string, MetaTag> {
  const out = new Map<string, MetaTag>();
  for (const el of elementsNamed($, 'meta')) {
    const a = el.attribs;
    if (a.name === undefined) continue;
    const name = a.name.trim().toLowerCase();
    if (!name) continue;
    const value = normText(a.content ?? '');
    const prev = out.get(name);
    if (!prev) out.set(name, { filled: value !== '', value: value || undefined });
    else if (!prev.filled && value) out.set(name, { filled: true, value });
  }
  return out;
}

/**
 * Every fact the content checks read from one page, from a single parse (see src/facts/page.ts, which stores them
 * per page at crawl time). Never throws.
 */
export function computePageFacts(page: PageObservation, html: string = page.html ?? ''): PageFacts {
  const classification = classifyPage(page, html);
  const empty: PageFacts = {
    classification,
    meta: new Map(),
    sourceLabels: [],
    column: { type: 'unknown', nameSource: 'none' },
    items: [],
    substantiveChars: 0,
    dynamicList: false,
    scriptMentionsSource: false,
  };
  if (!html || !isHtmlPage({ ...page, html })) return empty;
  try {
    const $ = loadHtml(html);
    const url = page.finalUrl || page.url;
    const scripts = elementsNamed($, 'script')
      .map((s) => ((s as unknown as { children?: { data?: string }[] }).children ?? []).map((c) => c.data ?? '').join('').slice(0, 20_000));
    return {
      classification,
      meta: readMetaTags($),
      publication: findPublicationDate(page, html),
      sourceLabels: sourceLabelsOf(page, html),
      crumb: breadcrumb($, url),
      column: columnInfo(page, { kind: classification.kind, html }),
      items: extractListItems(page, { html }),
      placeholder: findPlaceholder($),
      substantiveChars: substantiveTextLength($),
      dynamicList: hasDynamicListScript($),
      scriptMentionsSource: scripts.some((s) => /来源|document\.write\([^)]{0,80}source/i.test(s)),
    };
  } catch {
    return empty;
  }
}
