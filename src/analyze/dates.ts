import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { PageObservation } from '../model.ts';
import { loadHtml, normText } from './dom.ts';
import { allElements, bodyOrRoot, elementsNamed } from './walk.ts';
import { footerElements } from './footer.ts';

/**
 * Date finders for government pages: dates in visible text, in HTML comments and in CMS URLs; normalisation to
 * YYYY-MM-DD; day arithmetic against the audit's as-of date (a calendar date, Asia/Shanghai, no time zone maths).
 *
 * Everything here is pure and defensive: hostile input returns "no date", never throws.
 */

/** Where a date was read. */
export type DateSource = 'text' | 'comment' | 'url' | 'attr' | 'meta' | 'label' | 'linked-page' | 'none';

export interface DateHit {
  /** Normalised YYYY-MM-DD. For month-day dates this is the freshest reading not after as-of (see resolveMonthDay). */
  date: string;
  /** The text as found (for evidence). */
  raw: string;
  source: DateSource;
  /** 'day' = full date; 'month-day' = no year shown (year inferred); 'month' = only year and month known (URL dirs). */
  precision: 'day' | 'month-day' | 'month';
}

// ---------------------------------------------------------------------------------------------------------------
// Normalisation and arithmetic

const MIN_YEAR = 1990;
const MAX_YEAR = 2100;

/** Full-width digits, colons, hyphens, slashes, dots and spaces → ASCII. */
export function toHalfWidth(s: string): string {
  return s
    .replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[：]/g, ':')
    .replace(/[－—–‐−]/g, '-')
    .replace(/[／]/g, '/')
    .replace(/[．。]/g, (c) => (c === '．' ? '.' : c))
    .replace(/\u3000/g, ' ');
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Is (y, m, d) a real calendar date in a plausible range? */
export function isValidYmd(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (y < MIN_YEAR || y > MAX_YEAR || m < 1 || m > 12 || d < 1 || d > 31) return false;
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** YYYY-MM-DD for valid parts, else null. Two-digit years are read as 20YY. */
export function normalizeYmd(y: number | string, m: number | string, d: number | string): string | null {
  let yy = typeof y === 'string' ? parseInt(y, 10) : y;
  const mm = typeof m === 'string' ? parseInt(m, 10) : m;
  const dd = typeof d === 'string' ? parseInt(d, 10) : d;
  if (yy >= 0 && yy < 100) yy += 2000;
  if (!isValidYmd(yy, mm, dd)) return null;
  return `${yy}-${pad2(mm)}-${pad2(dd)}`;
}

function toUtcDays(ymd: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd);
  if (!m) return null;
  const y = +m[1], mo = +m[2], d = +m[3];
  if (!isValidYmd(y, mo, d)) return null;
  return Math.round(Date.UTC(y, mo - 1, d) / 86_400_000);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD); positive when `to` is later. NaN on bad input. */
export function daysBetween(from: string, to: string): number {
  const a = toUtcDays(from);
  const b = toUtcDays(to);
  if (a === null || b === null) return NaN;
  return b - a;
}

/** Age of a date at the as-of date, in days (0 = same day, negative = after as-of). */
export function ageInDays(date: string, asOf: string): number {
  return daysBetween(date, asOf);
}

/** YYYY-MM-DD plus n days. */
export function addDays(ymd: string, n: number): string {
  const base = toUtcDays(ymd);
  if (base === null) return ymd;
  const t = new Date((base + n) * 86_400_000);
  return `${t.getUTCFullYear()}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/**
 * A date shown without its year (`03-18`): the freshest reading that is not after as-of (+1 day of slack).
 * Using the freshest reading makes staleness a lower bound: a page found stale with it is stale whatever the year.
 */
export function resolveMonthDay(month: number, day: number, asOf: string): string | null {
  const ref = /^(\d{4})-/.exec(asOf);
  if (!ref) return null;
  const limit = addDays(asOf, 1);
  for (let y = +ref[1]; y >= +ref[1] - 4; y--) {
    const d = normalizeYmd(y, month, day);
    if (d && d <= limit) return d;
  }
  return null;
}

/** The newest (max) of some YYYY-MM-DD strings. */
export function newestDate(dates: Iterable<string | undefined>): string | undefined {
  let best: string | undefined;
  for (const d of dates) if (d && (!best || d > best)) best = d;
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates in text

/** Full dates in free text: 2021-06-03, 2021/6/3, 2021.06.03, 2021年6月3日, 20210603 is NOT read from text. */
const FULL_DATE_RE = /(?<![\d.])((?:19|20)\d{2})\s*(?:([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?![\d])|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?)/g;
/** Month-day without year in list rows: 06-10, 06/10, [03-18], 6月10日. Not part of a longer number. */
const MONTH_DAY_RE = /(?<![\d\-/.:年])(\d{1,2})(?:\s*[-/]\s*(\d{1,2})(?![\d\-/.:])|\s*月\s*(\d{1,2})\s*[日号])/g;

/** Every full date in a text, in order of appearance. */
export function findDatesInText(text: string, source: DateSource = 'text'): DateHit[] {
  const s = toHalfWidth(text ?? '').slice(0, 200_000);
  const out: DateHit[] = [];
  FULL_DATE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = FULL_DATE_RE.exec(s))) {
    const date = m[3] !== undefined ? normalizeYmd(m[1], m[3], m[4]) : normalizeYmd(m[1], m[5], m[6]);
    if (date) out.push({ date, raw: m[0].trim(), source, precision: 'day' });
  }
  return out;
}

/** Month-day dates (no year) in a short text such as a list row; year resolved against as-of. */
export function findMonthDays(text: string, asOf: string, source: DateSource = 'text'): DateHit[] {
  const s = toHalfWidth(text ?? '').slice(0, 5_000);
  const out: DateHit[] = [];
  MONTH_DAY_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = MONTH_DAY_RE.exec(s))) {
    const month = +m[1];
    const day = m[2] !== undefined ? +m[2] : +m[3];
    const date = resolveMonthDay(month, day, asOf);
    if (date) out.push({ date, raw: m[0].trim(), source, precision: 'month-day' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates in URLs (CMS patterns)

/**
 * Dates carried by CMS URLs:
 * - TRS: /202106/t20210610_7001.html, attachments W020210610123456789.jpg (the 8 digits after W0 are a date)
 * - 大汉 Hanweb: /art/2016/11/22/art_1621004_30332664.html
 * - WebPlus: /2021/0610/c1234a56789/page.htm
 * - generic: /2021-06/10/, /2021/06/10/, /20210610/ path segments, _20210610_ name parts
 * A bare /202106/ directory yields month precision (day set to the 1st; only a lower bound).
 */
export function datesFromUrl(url: string): DateHit[] {
  let path: string;
  try {
    const u = new URL(url);
    path = decodeURIComponent(u.pathname) + (u.search || '');
  } catch {
    return [];
  }
  if (path.length > 2_000) path = path.slice(0, 2_000);
  const out: DateHit[] = [];
  const push = (date: string | null, raw: string, precision: DateHit['precision'] = 'day') => {
    if (date && !out.some((h) => h.date === date && h.precision === precision)) out.push({ date, raw, source: 'url', precision });
  };
  let m: RegExpExecArray | null;
  const trs = /(?:^|\/)t((?:19|20)\d{2})(\d{2})(\d{2})_\d+/g;
  while ((m = trs.exec(path))) push(normalizeYmd(m[1], m[2], m[3]), m[0].replace(/^\//, ''));
  const w0 = /(?:^|\/)W0((?:19|20)\d{2})(\d{2})(\d{2})\d{3,}/g;
  while ((m = w0.exec(path))) push(normalizeYmd(m[1], m[2], m[3]), m[0].replace(/^\//, ''));
  const ymdDirs = /\/((?:19|20)\d{2})[-/](\d{1,2})[-/](\d{1,2})\//g;
  while ((m = ymdDirs.exec(path))) push(normalizeYmd(m[1], m[2], m[3]), m[0]);
  const webplus = /\/((?:19|20)\d{2})\/(\d{2})(\d{2})\/c\d+a\d+\//g;
  while ((m = webplus.exec(path))) push(normalizeYmd(m[1], m[2], m[3]), m[0]);
  const compactSeg = /(?:\/|_|-)((?:19|20)\d{2})(\d{2})(\d{2})(?=\/|_|-|\.)/g;
  while ((m = compactSeg.exec(path))) push(normalizeYmd(m[1], m[2], m[3]), m[0]);
  if (out.length === 0) {
    const ym = /\/((?:19|20)\d{2})(?:-)?(0[1-9]|1[0-2])\//.exec(path);
    if (ym) push(normalizeYmd(ym[1], ym[2], 1), ym[0], 'month');
  }
  return out;
}

/** The best full-day date of a URL (the latest when several), or undefined. */
export function urlDate(url: string): string | undefined {
  return newestDate(datesFromUrl(url).filter((h) => h.precision === 'day').map((h) => h.date));
}

/** Full dates found inside HTML comments of a fragment (real list templates hide the year there). */
export function datesInComments(html: string): DateHit[] {
  const out: DateHit[] = [];
  const re = /<!--([\s\S]*?)-->/g;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(html)) && n++ < 5_000) {
    for (const h of findDatesInText(m[1].slice(0, 2_000), 'comment')) out.push(h);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Visible text

const SKIP_TAGS = new Set(['script', 'style', 'noscript', 'template', 'textarea', 'select', 'option', 'iframe', 'frame', 'svg', 'object', 'head', 'title', 'button']);
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer',
  'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table',
  'tbody', 'thead', 'tfoot', 'tr', 'ul', 'center', 'caption',
]);
const CELL_TAGS = new Set(['td', 'th']);

/** Hidden by inline style or attribute (display:none, visibility:hidden, hidden, type=hidden). */
export function isHiddenElement(el: Element): boolean {
  const a = el.attribs ?? {};
  if ('hidden' in a) return true;
  if ((a.type ?? '').toLowerCase() === 'hidden') return true;
  const st = (a.style ?? '').toLowerCase().replace(/\s+/g, '');
  return st.includes('display:none') || st.includes('visibility:hidden');
}

/**
 * The visible text of a DOM subtree: scripts, styles, comments and hidden elements left out; block boundaries become
 * '\n', table cells are separated by '\t'. `skip` drops whole elements (e.g. an article body or the footer).
 * Iterative (deeply nested broken HTML must not overflow the stack); capped at `max` characters.
 */
export function visibleText(nodes: AnyNode[], skip?: (el: Element) => boolean, max = 400_000): string {
  const parts: string[] = [];
  let len = 0;
  const stack: (AnyNode | string)[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) stack.push(nodes[i]);
  while (stack.length && len < max) {
    const n = stack.pop()!;
    if (typeof n === 'string') {
      parts.push(n);
      len += n.length;
      continue;
    }
    if (n.type === 'text') {
      const t = (n as unknown as { data: string }).data;
      if (t) {
        parts.push(t.replace(/[\r\n\t]+/g, ' '));
        len += t.length;
      }
      continue;
    }
    if (n.type !== 'tag') continue; // comments, scripts, styles, cdata, directives
    const el = n as Element;
    const name = el.name.toLowerCase();
    if (SKIP_TAGS.has(name) || isHiddenElement(el)) continue;
    if (skip && skip(el)) {
      parts.push('\n');
      continue;
    }
    const sep = BLOCK_TAGS.has(name) ? '\n' : CELL_TAGS.has(name) ? '\t' : '';
    if (name === 'img') {
      continue;
    }
    if (sep) parts.push(sep);
    if (sep) stack.push(sep);
    const kids = el.children ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return parts
    .join('')
    .replace(/[\u00a0\u3000 ]+/g, ' ')
    .replace(/ *\t[\t ]*/g, '\t')
    .replace(/[ \t]*\n[\s]*/g, '\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Article body and publication date

/** Containers that hold an article's body text in common CMS templates (TRS, Hanweb, WebPlus, VSB, 开普云 …). */
/**
 * Article-body containers of common CMS templates (TRS, Hanweb, VSB, UCAP …), as a predicate over one element:
 * ids compared exactly (zoom and fontzoom case-insensitively, vsb_content… by prefix), classes as whitespace tokens.
 */
const BODY_IDS = new Set(['UCAP-CONTENT', 'art_content', 'ivs_content']);
const BODY_IDS_ANY_CASE = new Set(['zoom', 'fontzoom']);
const BODY_CLASSES = new Set([
  'TRS_Editor', 'TRS_UEDITOR', 'trs_editor_view', 'pages_content', 'article-content', 'article-body', 'art_con', 'artcon',
  'content-text', 'wp_articlecontent', 'v_news_content', 'zwh1', 'bt-article-con', 'Custom_UnionStyle',
]);
function isBodyContainer(el: Element): boolean {
  const id = el.attribs.id;
  if (id !== undefined && (BODY_IDS.has(id) || BODY_IDS_ANY_CASE.has(id.toLowerCase()) || id.startsWith('vsb_content'))) return true;
  const cls = el.attribs.class;
  if (cls) for (const c of cls.split(/\s+/)) if (BODY_CLASSES.has(c)) return true;
  return false;
}

const bodyCache = new WeakMap<CheerioAPI, Set<Element>>();

/** The article-body elements of a page (outermost only). ContentStart/ContentEnd metas mark them in TRS/Hanweb. */
export function articleBodyElements($: CheerioAPI): Set<Element> {
  const hit = bodyCache.get($);
  if (hit) return hit;
  const found: Element[] = [];
  try {
    for (const el of elementsNamed($, 'meta')) {
      if (el.attribs.name?.toLowerCase() !== 'contentstart') continue;
      const parent = el.parent as Element | null;
      if (parent && parent.type === 'tag' && parent.name !== 'head' && parent.name !== 'body' && parent.name !== 'html') found.push(parent);
    }
    for (const el of allElements($)) {
      if (el.type === 'tag' && el.name !== 'body' && el.name !== 'html' && isBodyContainer(el)) found.push(el);
    }
  } catch {
    /* a selector engine failure on odd markup means "no body found" */
  }
  const set = new Set<Element>();
  for (const el of found) {
    let p: AnyNode | null = el.parent;
    let nested = false;
    while (p) {
      if (found.includes(p as Element)) {
        nested = true;
        break;
      }
      p = p.parent;
    }
    if (!nested) set.add(el);
  }
  bodyCache.set($, set);
  return set;
}

/** Labels that name a publication time (strong) and generic ones that need a colon and a clear boundary (weak). */
const STRONG_LABEL = '发布时间|发布日期|发表时间|发表日期|发稿时间|发稿日期|发布于|公开日期|上传时间|上传日期|录入时间|信息时间|添加时间|刊发时间';
const WEAK_LABEL = '时间|日期';
/** A date token after a label, as shown: 2021-06-03 09:30, 2021年06月03日, 2021/5/14, 21-06-03, 2021.06.03 … */
const SHOWN_DATE = '((?:\\d{4}|\\d{2})\\s*[-/.年]\\s*\\d{1,2}\\s*[-/.月]\\s*\\d{1,2}\\s*[日号]?(?:[ T]*\\d{1,2}\\s*[:时]\\s*\\d{1,2}(?:\\s*[:分]\\s*\\d{1,2}\\s*秒?)?(?:\\s*分)?)?)';
const STRONG_RE = new RegExp(`(${STRONG_LABEL})[ \\t]*[:：]?[ \\t]*\\n?[ \\t]*${SHOWN_DATE}`, 'g');
const WEAK_RE = new RegExp(`(?:^|[\\n\\t |｜【\\[（(>])(${WEAK_LABEL})[ \\t]*(?:[:：][ \\t]*|\\t)${SHOWN_DATE}`, 'g');

export interface PublicationDate {
  /** Normalised YYYY-MM-DD (absent when the shown text is not a valid date). */
  date?: string;
  /** The date text as shown on the page (label source) or the meta/URL value. */
  shown: string;
  /** The label in front of it (发布时间, 发布日期, 时间 …) for label sources. */
  label?: string;
  source: 'label' | 'meta' | 'url';
  /** The shown text follows YYYY-MM-DD (a time after it is fine). */
  wellFormed: boolean;
}

/** Is a shown date YYYY-MM-DD, optionally followed by a time? Full-width digits and spaces around '-' tolerated. */
export function isIsoDateDisplay(shown: string): boolean {
  const s = toHalfWidth(shown).replace(/\s*-\s*/g, '-').trim();
  return /^\d{4}-\d{2}-\d{2}(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2})?)?$/.test(s);
}

/** Parse a date as shown after a label (two-digit years allowed there). */
export function parseShownDate(shown: string): string | undefined {
  const s = toHalfWidth(shown);
  const m = /^(\d{4}|\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})/.exec(s.trim());
  if (!m) return undefined;
  return normalizeYmd(m[1], m[2], m[3]) ?? undefined;
}

export interface LabelledDate {
  label: string;
  shown: string;
  date?: string;
  strong: boolean;
  /** Offset in the page's visible text. */
  offset: number;
}

/** A "today is …" header widget, not a publication time. */
const TODAY_WIDGET = /今天是|今日|星期[一二三四五六日天]|周[一二三四五六日天]/;

interface LabelScan {
  text: string;
  labels: LabelledDate[];
}
const labelCache = new WeakMap<CheerioAPI, LabelScan>();

function scanLabels($: CheerioAPI): LabelScan {
  const hit = labelCache.get($);
  if (hit) return hit;
  let text = '';
  try {
    const body = articleBodyElements($);
    const footers = new Set<Element>(footerElements($));
    const root = bodyOrRoot($);
    text = toHalfWidth(visibleText(root as AnyNode[], (el) => body.has(el) || footers.has(el)));
  } catch {
    text = '';
  }
  const labels: LabelledDate[] = [];
  const add = (m: RegExpExecArray, strong: boolean) => {
    const shown = normText(m[2]);
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const lineEnd = text.indexOf('\n', m.index + m[0].length);
    const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    if (TODAY_WIDGET.test(line) && !/发布|来源/.test(line)) return;
    labels.push({ label: m[1], shown, date: parseShownDate(shown), strong, offset: m.index });
  };
  let m: RegExpExecArray | null;
  STRONG_RE.lastIndex = 0;
  while ((m = STRONG_RE.exec(text))) add(m, true);
  // WEAK_RE only matches 时间/日期 at a boundary, so 成文日期 / 发文日期 / 活动时间 never count.
  WEAK_RE.lastIndex = 0;
  while ((m = WEAK_RE.exec(text))) add(m, false);
  labels.sort((a, b) => a.offset - b.offset);
  const scan = { text, labels };
  labelCache.set($, scan);
  return scan;
}

/**
 * Publication-time labels shown on a page outside the article body and footer, in document order.
 * 成文日期/发文日期/印发日期 (document dates in 信息公开 tables) are deliberately not publication labels.
 */
export function findPublicationLabels($: CheerioAPI): LabelledDate[] {
  return scanLabels($).labels;
}

/** The first non-blank content of a <meta name> among `names` (lower-case; names are compared case-insensitively). */
export function metaContent($: CheerioAPI, names: string[]): string | undefined {
  for (const el of elementsNamed($, 'meta')) {
    const n = el.attribs.name;
    if (n === undefined || !names.includes(n.trim().toLowerCase())) continue;
    const c = normText(el.attribs.content ?? '');
    if (c) return c;
  }
  return undefined;
}

/** The article title of a page: ArticleTitle meta, else the first h1, else the first part of <title>. */
export function articleTitle($: CheerioAPI): string | undefined {
  const meta = metaContent($, ['articletitle']);
  if (meta) return meta;
  const h1 = normText($('h1').first().text());
  if (h1.length >= 4) return h1;
  const t = normText($('title').first().text()).split(/\s*(?:_|\||｜|--|—|-\s)\s*/)[0];
  return t && t.length >= 4 ? t : undefined;
}

/**
 * The primary publication-time label of a page: the first strong label (发布时间 …) after the article title, else the
 * first strong label anywhere outside the body, else the first weak label (时间：/日期：) after the title.
 */
export function primaryPublicationLabel($: CheerioAPI): LabelledDate | undefined {
  const { text, labels } = scanLabels($);
  if (labels.length === 0) return undefined;
  let titleOffset = -1;
  const title = articleTitle($);
  if (title && title.length >= 4) {
    const probe = toHalfWidth(title.slice(0, 12));
    let at = text.indexOf(probe);
    // The title may appear in the header or breadcrumb too: take the last occurrence before the first label.
    const firstLabel = labels[0].offset;
    while (at >= 0 && at < firstLabel) {
      titleOffset = at;
      at = text.indexOf(probe, at + 1);
    }
    if (titleOffset < 0 && at >= 0) titleOffset = at;
  }
  const strong = labels.filter((l) => l.strong);
  const afterTitle = (l: LabelledDate) => titleOffset < 0 || l.offset > titleOffset;
  return strong.find(afterTitle) ?? strong[0] ?? labels.find((l) => !l.strong && titleOffset >= 0 && l.offset > titleOffset);
}

/**
 * The publication date of a (content) page: the visible label first, then the PubDate-like meta tags, then the URL.
 * `wellFormed` says whether the shown text is YYYY-MM-DD; only `source: 'label'` is something a reader sees.
 */
export function findPublicationDate(page: PageObservation, html: string = page.html): PublicationDate | undefined {
  let perPage = pubCache.get(page);
  if (perPage?.has(html ?? '')) {
    const v = perPage.get(html ?? '');
    return v ? { ...v } : undefined;
  }
  const v = findPublicationDateUncached(page, html);
  if (!perPage) {
    perPage = new Map();
    pubCache.set(page, perPage);
  }
  if (perPage.size > 2) perPage.clear();
  perPage.set(html ?? '', v);
  return v ? { ...v } : undefined;
}

const pubCache = new WeakMap<PageObservation, Map<string, PublicationDate | undefined>>();

function findPublicationDateUncached(page: PageObservation, html: string): PublicationDate | undefined {
  try {
    const $ = loadHtml(html ?? '');
    const label = primaryPublicationLabel($);
    if (label) return { date: label.date, shown: label.shown, label: label.label, source: 'label', wellFormed: isIsoDateDisplay(label.shown) };
    const meta = metaContent($, ['pubdate', 'firstpublishedtime', 'published', 'publishdate', 'article:published_time']);
    if (meta) {
      const hit = findDatesInText(meta, 'meta')[0];
      if (hit) return { date: hit.date, shown: meta, source: 'meta', wellFormed: isIsoDateDisplay(meta) };
    }
    const u = urlDate(page.finalUrl || page.url);
    if (u) return { date: u, shown: u, source: 'url', wellFormed: true };
  } catch {
    return undefined;
  }
  return undefined;
}
