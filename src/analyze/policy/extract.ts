import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { LinkRef, PageObservation } from '../../model.ts';
import { loadHtml, normText } from '../dom.ts';
import { bodyOrRoot, findElements, textContent } from '../walk.ts';
import { articleBodyElements, articleTitle, findPublicationDate, toHalfWidth, urlDate, visibleText, findDatesInText } from '../dates.ts';
import { footerElements } from '../footer.ts';
import { documentBase, extractLinks, resolveUrl } from '../links.ts';
import { breadcrumb, columnInfo } from '../columns.ts';
import { classifyPage, isColumnUrl } from '../classify.ts';
import { findDocNos, findRegNos, normalizeDocNo } from './docno.ts';
import { readFieldsFromText, type Fields } from './fields.ts';

/**
 * Policy documents (政策文件) and their interpretations (政策解读) read from one page: title, 文号, 统一登记号, issuing
 * body, date, the 《…》 titles and 文号 an interpretation names, and the links between the two (relation blocks such as
 * 政策解读： / 相关解读： / 原文链接：, anchors named 解读 / 图解 / 原文). Label- and text-based, not class-based.
 * Pure: a page in, a record (or null) out; hostile or odd input gives null, never a throw.
 */

export interface PolicyLink {
  url: string;
  text: string;
  /** relation: inside a relation block (相关解读： …); anchor: an anchor whose text names the relation (解读, 原文). */
  where: 'relation' | 'anchor';
}

/** Kinds of documents that usually need no interpretation (the inspector decides). */
export type DocCategory = 'reply' | 'personnel' | 'forward' | 'commendation' | 'routine';

export interface PolicyDocument {
  url: string;
  title: string;
  /** The 《…》 titles in the document's title (关于印发《X》的通知 → X). */
  innerTitles: string[];
  /** Canonical 文号 (湘政办发〔2022〕12号). */
  docNo?: string;
  /** 统一登记号, canonical (HNPR-2022-01034). */
  regNo?: string;
  /** 发布机构 / 发文机关 as shown, else the issuer named at the start of the title. */
  issuer?: string;
  /** 成文日期, else the publication date, else the URL date (YYYY-MM-DD). */
  date?: string;
  dateSource?: 'written' | 'published' | 'page' | 'url';
  /** The column the page sits in (ColumnName or breadcrumb). */
  column?: string;
  /** Set when the kind of document usually needs no interpretation. */
  category?: DocCategory;
  /** Links on the page that name interpretations (relation block or 解读/图解 anchors). */
  links: PolicyLink[];
  /** Every link target of the page outside the footer (normalised, capped) — to tell whether it links anything. */
  linkTargets: string[];
  /** Why the page was taken for a policy document (English). */
  signals: string[];
}

export type InterpretationForm = 'text' | 'graphic' | 'qa' | 'video' | 'press';

export interface PolicyInterpretation {
  url: string;
  title: string;
  date?: string;
  form: InterpretationForm;
  column?: string;
  /** 文号 named in the title, a relation block or the first paragraphs (strong places). */
  docNos: string[];
  /** 文号 named further down the body (weaker: may be background documents). */
  bodyDocNos: string[];
  /** 《…》 titles named in the title or a relation block. */
  titleRefs: string[];
  /** 《…》 titles named in the first paragraphs of the body. */
  leadTitleRefs: string[];
  /** Links that name the original (relation block 原文链接 / 政策原文, anchors 原文). */
  links: PolicyLink[];
  /** Anchors with a long text (possible document titles) outside the footer: target and text. */
  anchors: { url: string; text: string }[];
  linkTargets: string[];
  /** The body is (almost) only images (图解 pages). */
  imageOnly: boolean;
  signals: string[];
}

export type PolicyPage =
  | { kind: 'document'; doc: PolicyDocument }
  | { kind: 'interpretation'; interp: PolicyInterpretation };

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

/** Titles of interpretation material. */
export const INTERPRETATION_TITLE = /解读|图解|答记者问|一图(?:读懂|看懂|速览|了解|解析|带你|get)|政策问答|政策吹风|问答[：:]|热点问答/i;
/** Column names of interpretation columns. */
const INTERPRETATION_COLUMN = /解读|图解|答记者问|政策问答/;
/** Column names of policy-document columns (not interpretation ones). */
const POLICY_COLUMN = /政策文件|规范性文件|政府文件|政策法规|文件发布|部门文件|本级文件|[市县区州省局委厅办]文件|^文件$|文件库|政府令|规章|政府公报|最新文件|政策库|发文/;

/** Relation-block labels on a document page (→ interpretations) and on an interpretation page (→ originals). */
const DOC_RELATION_LABEL = /^(?:【\s*)?(?:政策解读|相关解读|解读文件|解读材料|解读链接|解读稿|文件解读|配套解读|图文解读|图解|解读|相关图解|视频解读|政策图解|权威解读)\s*(?:】)?\s*[:：]?/;
const INTERP_RELATION_LABEL = /^(?:【\s*)?(?:原文链接|政策原文|文件原文|原文件|原文|相关文件|相关政策|关联文件|解读对象|政策文件|源文件|文件链接|查看原文|阅读原文)\s*(?:】)?\s*[:：]?/;
/** Anchor texts that name an interpretation / the original. */
const INTERP_ANCHOR = /解读|图解|答记者问|一图(?:读懂|看懂)|政策问答/;
const ORIGINAL_ANCHOR = /^(?:【\s*)?(?:查看|阅读|点击查看)?(?:政策|文件)?原文(?:链接|件)?(?:\s*】)?$|^(?:政策|相关)文件$|^原文链接/;

const CATEGORIES: { cat: DocCategory; re: RegExp }[] = [
  { cat: 'reply', re: /批复|复函|的函$/ },
  { cat: 'personnel', re: /任免|任职|免职|免去|聘任|职务|人事/ },
  { cat: 'forward', re: /^(?:.{0,30}关于)?转发|^转发/ },
  { cat: 'commendation', re: /表彰|表扬|嘉奖|命名|授予|通报批评|处分/ },
  // Work arrangements (关于开展/做好/组织…工作的通知), meetings, committees, corrections: usually nothing to interpret.
  { cat: 'routine', re: /放假|会议的通知|召开.{0,20}会议|成立.{0,30}(?:领导小组|委员会|指挥部)|调整.{0,30}(?:领导小组|组成人员|成员)|更正|撤销.{0,10}文件|废止|关于(?:开展|做好|组织|举办|召开|印发.{0,6}工作要点).{0,40}(?:工作|活动|培训|会议)?的通知$/ },
];

/** The issuer at the start of a title: "青山市人民政府办公室关于…" → 青山市人民政府办公室. */
const TITLE_ISSUER = /^(.{2,30}?(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室|政府办公厅|办公室|办公厅|委员会|局|厅|委|办))(?:关于|印发|转发)/;

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** A title reduced for comparison: full-width → half-width, spaces, quotes and punctuation removed. */
export function normTitle(s: string): string {
  return toHalfWidth(String(s ?? ''))
    .replace(/[Ａ-Ｚａ-ｚ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s"'“”‘’「」『』〈〉<>《》()（）〔〕\[\]【】,，、。.:;；!！?？·・—\-_~…|｜/]+/g, '')
    .toLowerCase();
}

/** The 《…》 titles in a text (innermost first-level titles; nested 〈〉 kept inside). */
export function bookTitles(text: string, max = 50): string[] {
  const out: string[] = [];
  const re = /《([^《》\n]{2,120})》/g;
  let m: RegExpExecArray | null;
  const s = String(text ?? '').slice(0, 200_000);
  while ((m = re.exec(s)) && out.length < max) {
    const t = normText(m[1]);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

/** URL identity for comparing links: no fragment, no default index file, http = https, www. = bare host. */
export function urlKey(u: string): string {
  try {
    const x = new URL(u);
    x.hash = '';
    const host = x.hostname.replace(/^www\./, '').toLowerCase();
    const port = x.port && !['80', '443'].includes(x.port) ? ':' + x.port : '';
    const path = x.pathname.replace(/\/(?:index|default)\.(?:s?html?|jsp|aspx?|php)$/i, '/');
    return host + port + path + x.search;
  } catch {
    return u;
  }
}

/** A link to a column (list page) rather than to one text: menus, "more" links. */
function isNavigation(l: LinkRef): boolean {
  if (isColumnUrl(l.target)) return true;
  try {
    return /\/$|\/(?:index|default)(?:_\d+)?\.(?:s?html?|jsp|aspx?|php)$/i.test(new URL(l.target).pathname);
  } catch {
    return true;
  }
}

function categoryOf(title: string): DocCategory | undefined {
  for (const c of CATEGORIES) if (c.re.test(title)) return c.cat;
  return undefined;
}

function formOf(title: string, body: string): InterpretationForm {
  if (/图解|一图|图说|长图|海报/.test(title)) return 'graphic';
  if (/视频|微视频|动漫|动画|H5/i.test(title)) return 'video';
  if (/发布会|吹风会/.test(title)) return 'press';
  if (/答记者问|问答|问[:：]/.test(title) || /(?:^|\n)\s*(?:问|Q)\s*[:：]/.test(body.slice(0, 3000))) return 'qa';
  return 'text';
}

const BLOCK_NAMES = new Set(['div', 'p', 'li', 'td', 'tr', 'dl', 'dd', 'dt', 'ul', 'section', 'table', 'tbody', 'span', 'h2', 'h3', 'h4', 'h5', 'strong', 'b', 'font']);

/**
 * Links of relation blocks: an element whose own text starts with a relation label, and the links in it or, when it
 * holds none, in the nearest ancestor (≤ 3 levels, little text) that does.
 */
function relationLinks($: CheerioAPI, label: RegExp, base: string, skip: (el: AnyNode) => boolean): { links: PolicyLink[]; texts: string[] } {
  const links: PolicyLink[] = [];
  const texts: string[] = [];
  const seen = new Set<string>();
  const blocks = new Set<Element>();
  const candidates = findElements(bodyOrRoot($), (el) => BLOCK_NAMES.has(el.name), 20_000);
  for (const el of candidates) {
    if (blocks.size >= 10) break;
    // The element's leading text (its first text node(s), before any child block).
    let lead = '';
    for (const k of el.children ?? []) {
      if (k.type === 'text') lead += (k as unknown as { data: string }).data;
      else if (k.type === 'tag' && ['strong', 'b', 'span', 'font', 'em', 'label'].includes((k as Element).name) && lead.trim() === '') lead += textContent(k);
      else if (k.type === 'tag') break;
      if (lead.trim().length > 20) break;
    }
    const t = normText(lead);
    if (!t || !label.test(t)) continue;
    if (skip(el)) continue;
    let block: Element | null = el;
    for (let depth = 0; block && depth < 4; depth++) {
      const anchors = findElements(block, (e) => e.name === 'a' && e.attribs.href !== undefined, 30);
      const len = normText(textContent(block)).length;
      if (anchors.length > 0 && anchors.length <= 20 && len < 1500) break;
      if (len >= 1500) {
        block = null;
        break;
      }
      const p = block.parent as Element | null;
      block = p && p.type === 'tag' && p.name !== 'body' && p.name !== 'html' ? p : null;
    }
    if (!block || blocks.has(block)) continue;
    blocks.add(block);
    texts.push(normText(visibleText([block])).slice(0, 600));
    for (const a of findElements(block, (e) => e.name === 'a' && e.attribs.href !== undefined, 20)) {
      const url = resolveUrl(a.attribs.href, base);
      if (!url || !/^https?:/i.test(url)) continue;
      const text = normText(textContent(a)) || normText(a.attribs.title ?? '');
      if (seen.has(url)) continue;
      seen.add(url);
      links.push({ url, text: text.slice(0, 200), where: 'relation' });
    }
  }
  return { links, texts };
}

interface Parsed {
  $: CheerioAPI;
  url: string;
  title: string;
  fields: Fields;
  /** Visible text outside the footer, half-width. */
  text: string;
  /** The article body's text (or '' when no body container). */
  body: string;
  bodyImages: number;
  links: LinkRef[];
  column?: string;
  crumbText: string;
  skip: (el: AnyNode) => boolean;
}

function parse(page: PageObservation, html: string): Parsed | null {
  const $ = loadHtml(html);
  const url = page.finalUrl || page.url;
  const footers = new Set<AnyNode>(footerElements($));
  const inFooter = (el: AnyNode) => {
    for (let p: AnyNode | null = el; p; p = p.parent) if (footers.has(p)) return true;
    return false;
  };
  const text = toHalfWidth(visibleText(bodyOrRoot($), (el) => footers.has(el)));
  const bodies = [...articleBodyElements($)];
  const body = bodies.length ? toHalfWidth(visibleText(bodies)) : '';
  let bodyImages = 0;
  for (const b of bodies) bodyImages += findElements(b, (e) => e.name === 'img', 50).length;
  const title = articleTitle($) ?? '';
  if (!title) return null;
  const crumb = breadcrumb($, url);
  const col = columnInfo(page, { html, kind: 'content' });
  const links = html === page.html && page.links?.length ? page.links : extractLinks($, url, page.charset);
  return {
    $,
    url,
    title: normText(title),
    fields: readFieldsFromText(text),
    text,
    body,
    bodyImages,
    links,
    column: col.name,
    crumbText: crumb ? crumb.items.map((c) => c.text).join(' > ') : '',
    skip: inFooter,
  };
}

function linkTargets(links: LinkRef[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const l of links) {
    if (l.inFooter || (l.kind !== 'a' && l.kind !== 'attachment')) continue;
    const k = urlKey(l.target);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(l.target);
    if (out.length >= 400) break;
  }
  return out;
}

/** The leading text of a document title's issuer: 青山市人民政府办公室关于… → 青山市人民政府办公室. */
export function titleIssuer(title: string): string | undefined {
  const m = TITLE_ISSUER.exec(normText(title));
  return m ? m[1] : undefined;
}

/** Dates of the page: 成文日期, else the shown publication date, else the URL date. */
function docDate(page: PageObservation, html: string, fields: Fields): { date?: string; source?: PolicyDocument['dateSource'] } {
  const w = fields.written ? findDatesInText(fields.written)[0]?.date : undefined;
  if (w) return { date: w, source: 'written' };
  const p = fields.published ? findDatesInText(fields.published)[0]?.date : undefined;
  if (p) return { date: p, source: 'published' };
  const pub = findPublicationDate(page, html);
  if (pub?.date) return { date: pub.date, source: pub.source === 'url' ? 'url' : 'page' };
  const u = urlDate(page.finalUrl || page.url);
  return u ? { date: u, source: 'url' } : {};
}

// ---------------------------------------------------------------------------------------------------------------
// The extractor

/**
 * Reads a page as a policy document or an interpretation; null for anything else. `html` overrides page.html (the
 * rendered DOM when the browser captured it).
 */
export function extractPolicyPage(page: PageObservation, html: string = page.html ?? ''): PolicyPage | null {
  try {
    if (!html || page.isHomepage) return null;
    if (page.status !== null && (page.status < 200 || page.status >= 300)) return null;
    const cls = classifyPage(page, html);
    if (cls.kind !== 'content') return null;
    const p = parse(page, html);
    if (!p) return null;
    const columnText = `${p.column ?? ''} > ${p.crumbText}`;
    const interpByTitle = INTERPRETATION_TITLE.test(p.title);
    const interpByColumn = INTERPRETATION_COLUMN.test(columnText);
    if (interpByTitle || interpByColumn) return { kind: 'interpretation', interp: readInterpretation(page, html, p, interpByTitle, interpByColumn) };
    return readDocument(page, html, p);
  } catch {
    return null;
  }
}

function readDocument(page: PageObservation, html: string, p: Parsed): PolicyPage | null {
  const signals: string[] = [];
  const docNo = normalizeDocNo(p.fields.docNo) ?? headerDocNo(p);
  if (docNo) signals.push(`文号 ${docNo}`);
  const regNo = (p.fields.regNo && findRegNos(p.fields.regNo)[0]) ?? findRegNos(p.text.slice(0, 3000))[0];
  if (regNo) signals.push(`统一登记号 ${regNo}`);
  const columnText = `${p.column ?? ''} > ${p.crumbText}`;
  const inPolicyColumn = columnText.split(/\s*>\s*/).some((c) => POLICY_COLUMN.test(c) && !INTERPRETATION_COLUMN.test(c));
  if (inPolicyColumn) signals.push(`column ${p.column ?? p.crumbText}`);
  if (!docNo && !regNo && !inPolicyColumn) return null;
  const { date, source } = docDate(page, html, p.fields);
  const $ = p.$;
  const base = documentBase($, p.url);
  const rel = relationLinks($, DOC_RELATION_LABEL, base, p.skip);
  const links: PolicyLink[] = [...rel.links];
  const seen = new Set(links.map((l) => urlKey(l.url)));
  for (const l of p.links) {
    if (l.inFooter || (l.kind !== 'a' && l.kind !== 'attachment')) continue;
    if (!INTERP_ANCHOR.test(l.text) || seen.has(urlKey(l.target))) continue;
    // Navigation to the interpretation column is not a link to an interpretation of this document.
    if (isNavigation(l)) continue;
    seen.add(urlKey(l.target));
    links.push({ url: l.target, text: l.text, where: 'anchor' });
  }
  const issuer = p.fields.issuer ?? titleIssuer(p.title);
  return {
    kind: 'document',
    doc: {
      url: page.url,
      title: p.title,
      innerTitles: bookTitles(p.title),
      docNo,
      regNo: regNo || undefined,
      issuer,
      date,
      dateSource: source,
      column: p.column,
      category: categoryOf(p.title),
      links,
      linkTargets: linkTargets(p.links),
      signals,
    },
  };
}

/** A 文号 shown near the title without a label (a line of its own above or below the title). */
function headerDocNo(p: Parsed): string | undefined {
  const at = p.text.indexOf(p.title.slice(0, 10));
  const window = at >= 0 ? p.text.slice(Math.max(0, at - 200), at + p.title.length + 300) : p.text.slice(0, 600);
  for (const line of window.split(/\n/)) {
    const l = normText(line);
    if (l.length > 40) continue;
    const hit = findDocNos(l)[0];
    if (hit && l.length - hit.raw.length <= 8) return hit.norm;
  }
  return undefined;
}

function readInterpretation(page: PageObservation, html: string, p: Parsed, byTitle: boolean, byColumn: boolean): PolicyInterpretation {
  const signals: string[] = [];
  if (byTitle) signals.push('title names an interpretation');
  if (byColumn) signals.push(`column ${p.column ?? p.crumbText}`);
  const $ = p.$;
  const base = documentBase($, p.url);
  const rel = relationLinks($, INTERP_RELATION_LABEL, base, p.skip);
  const links: PolicyLink[] = [...rel.links];
  const seen = new Set(links.map((l) => urlKey(l.url)));
  const anchors: { url: string; text: string }[] = [];
  for (const l of p.links) {
    if (l.inFooter || (l.kind !== 'a' && l.kind !== 'attachment')) continue;
    if (l.text.length >= 8 && anchors.length < 300) anchors.push({ url: l.target, text: l.text });
    if (ORIGINAL_ANCHOR.test(l.text) && !isNavigation(l) && !seen.has(urlKey(l.target))) {
      seen.add(urlKey(l.target));
      links.push({ url: l.target, text: l.text, where: 'anchor' });
    }
  }
  // The body's first paragraphs name the document being interpreted; further down, background documents appear.
  const body = p.body || bodyAfterTitle(p.text, p.title);
  const lead = body.slice(0, 800);
  const rest = body.slice(800, 20_000);
  const strongText = [p.title, ...rel.texts].join('\n');
  const docNos = uniq([...findDocNos(strongText), ...findDocNos(lead)].map((d) => d.norm));
  const bodyDocNos = uniq(findDocNos(rest).map((d) => d.norm)).filter((d) => !docNos.includes(d));
  const titleRefs = uniq([...bookTitles(p.title), ...rel.texts.flatMap((t) => bookTitles(t))]);
  const leadTitleRefs = bookTitles(lead).filter((t) => !titleRefs.includes(t));
  const pub = findPublicationDate(page, html);
  const date = pub?.date ?? urlDate(page.finalUrl || page.url);
  const bodyChars = normText(body).replace(/\s/g, '').length;
  return {
    url: page.url,
    title: p.title,
    date,
    form: formOf(p.title, body),
    column: p.column,
    docNos,
    bodyDocNos,
    titleRefs,
    leadTitleRefs,
    links,
    anchors,
    linkTargets: linkTargets(p.links),
    imageOnly: p.bodyImages > 0 && bodyChars < 60,
    signals,
  };
}

/** Without a body container: the text after the (last) title line, up to 6,000 characters. */
function bodyAfterTitle(text: string, title: string): string {
  const probe = title.slice(0, 12);
  const at = text.lastIndexOf(probe);
  return at >= 0 ? text.slice(at + title.length, at + title.length + 6000) : '';
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
