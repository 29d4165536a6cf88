import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml, normText } from './dom.ts';
import { compactLabels, FOOTER_LABELS, normalizeLabel, stripZeroWidth } from './labels.ts';
import { articleBodyElements } from './dates.ts';
import { allElements, elementsNamed, outermost, textContent } from './walk.ts';
import { descendants, documentOrder, footerElements, trailingFooterBlocks, visibleText } from './footer.ts';
import type { AuditContext, Check, Evidence, Finding, PageObservation } from '../model.ts';

/**
 * Recognisers for the footer identifiers of a government site (网站标识: 党政机关网站标识, 网站标识码, ICP备案编号,
 * 公安机关备案标识, 网站主办单位, 联系方式) and for the 我为政府网站找错 entry, plus the page sampling and
 * browser-confirmation logic the footer checks share. Pure: no I/O.
 *
 * Real forms (see shared/reference/norms.md): conac badge as a bszs.conac.cn link around an image or as a
 * dcs.conac.cn script (often inside document.write(unescape(...))); ICP with or without 号 and with a -N suffix;
 * 公网安备 with or without a space, 公安网备号, 公安机关备案号, beian.gov.cn / beian.mps.gov.cn links carrying a
 * recordcode; 主办单位：/主办：/主办方：; phones, e-mail, addresses, 联系我们 links. Footers written by inline
 * `document.write` are read by extracting the written string literals (no code is evaluated).
 */

// ───────────────────────────── small text helpers ─────────────────────────────

/** The legacy JS `unescape` (%XX and %uXXXX), tolerant of malformed sequences. */
export function jsUnescape(s: string): string {
  return s.replace(/%u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})/g, (_, u: string | undefined, h: string | undefined) =>
    String.fromCharCode(parseInt((u ?? h)!, 16)),
  );
}

const MAX_SCRIPT = 300_000;
const MAX_WRITTEN = 600_000;

/** Reads one JS string literal starting at s[i] (a quote); returns [value, indexAfter] or null. */
function readStringLiteral(s: string, i: number): [string, number] | null {
  const q = s[i];
  if (q !== '"' && q !== "'" && q !== '`') return null;
  let out = '';
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === q) return [out, j + 1];
    if (q === '`' && c === '$' && s[j + 1] === '{') return null; // template with expressions: not a constant
    if (c === '\\') {
      const n = s[j + 1];
      if (n === undefined) return null;
      if (n === 'n') out += '\n';
      else if (n === 't') out += '\t';
      else if (n === 'r') out += '\r';
      else if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(j + 2, j + 4))) {
        out += String.fromCharCode(parseInt(s.slice(j + 2, j + 4), 16));
        j += 4;
        continue;
      } else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6))) {
        out += String.fromCharCode(parseInt(s.slice(j + 2, j + 6), 16));
        j += 6;
        continue;
      } else if (n === '\n') {
        /* line continuation */
      } else out += n;
      j += 2;
      continue;
    }
    if (c === '\n' && q !== '`') return null; // unterminated literal
    out += c;
    j++;
  }
  return null;
}

/**
 * Parses the argument list of a call starting right after its "(": concatenations of string literals,
 * `unescape(...)`, `decodeURIComponent(...)`, `decodeURI(...)`. Anything else (variables, calls) contributes
 * nothing. Returns [value, indexAfterClosingParen].
 */
function readArgs(s: string, i: number, depthLimit = 4): [string, number] {
  let out = '';
  let j = i;
  while (j < s.length) {
    const c = s[j];
    if (c === ')') return [out, j + 1];
    if (c === '"' || c === "'" || c === '`') {
      const lit = readStringLiteral(s, j);
      // An unterminated literal (or a template with expressions): give up on this call.
      if (!lit) return [out, j + 1];
      out += lit[0];
      j = lit[1];
      continue;
    }
    const fn = /^(unescape|decodeURIComponent|decodeURI|escape)\s*\(/.exec(s.slice(j, j + 40));
    if (fn && depthLimit > 0) {
      const [inner, after] = readArgs(s, j + fn[0].length, depthLimit - 1);
      let v = inner;
      if (fn[1] === 'unescape') v = jsUnescape(inner);
      else if (fn[1] !== 'escape') {
        try {
          v = decodeURIComponent(inner);
        } catch {
          v = jsUnescape(inner);
        }
      }
      out += v;
      j = after;
      continue;
    }
    if (c === '(') {
      // A nested call we do not understand: skip to its closing paren (bounded nesting).
      if (depthLimit <= 0) return [out, j + 1];
      const [, after] = readArgs(s, j + 1, depthLimit - 1);
      j = after;
      continue;
    }
    if (c === ';' || c === '}') return [out, j];
    j++;
  }
  return [out, j];
}

/** The HTML an inline script writes with document.write / document.writeln (constant parts only). */
export function documentWrites(script: string): string {
  if (!script || script.length > MAX_SCRIPT || !/document\s*\.\s*write/.test(script)) return '';
  const re = /document\s*\.\s*write(?:ln)?\s*\(/g;
  let out = '';
  let m: RegExpExecArray | null;
  while ((m = re.exec(script)) && out.length < MAX_WRITTEN) {
    const [v, after] = readArgs(script, m.index + m[0].length);
    out += v;
    re.lastIndex = Math.max(after, m.index + m[0].length);
  }
  return out;
}

/**
 * Collapse text for matching: zero-width characters removed, whitespace (incl. &nbsp; and full-width spaces) to one
 * space, and footer labels spaced out for alignment closed up (主 办：, 主　　办：, 联 系 电 话 → 主办：, 联系电话).
 */
function flat(s: string): string {
  return compactLabels(normText(stripZeroWidth(s)), FOOTER_LABELS);
}

function snippetAround(text: string, index: number, len = 60): string {
  const a = Math.max(0, index - 10);
  return text.slice(a, a + len).trim();
}

// ───────────────────────────── scopes ─────────────────────────────

/** A part of a page searched by the recognisers. */
export interface Scope {
  $: CheerioAPI;
  roots: AnyNode[];
  /** Flattened visible text of the roots. */
  text: string;
  where: ItemWhere;
}

export type ItemWhere = 'footer' | 'script' | 'page';

/** Identifiers that only a footer carries: an article body holding them is where the footer was put. */
const FOOTER_ONLY = /ICP\s*(?:备|证)|公网安备|网站标识码/i;

/**
 * Article bodies inside the footer scope (a trailing block of the page can be the article itself): their text is not
 * footer text — "主办单位：青山市文化馆" in an event notice is not the site's sponsor. A body that carries ICP / 公网安备
 * / 网站标识码 holds the footer and is kept.
 */
function bodiesToSkip($: CheerioAPI): Set<AnyNode> | undefined {
  let bodies: Set<Element>;
  try {
    bodies = articleBodyElements($);
  } catch {
    return undefined;
  }
  if (bodies.size === 0) return undefined;
  const out = new Set<AnyNode>();
  for (const b of bodies) if (!FOOTER_ONLY.test(visibleText(b))) out.add(b);
  return out.size ? out : undefined;
}

function makeScope($: CheerioAPI, roots: AnyNode[], where: ItemWhere): Scope {
  const skip = where === 'footer' ? bodiesToSkip($) : undefined;
  return { $, roots, text: flat(roots.map((r) => visibleText(r, skip)).join(' ')), where };
}

/**
 * Elements matching a selector inside (or equal to) the scope roots. Queries the whole document and keeps the
 * matches under a root: cheerio's contextual .find() is far slower on big pages.
 */
/** Inside a <body> element (css `body *`): an element with a body ancestor. */
function inBody(e: Element): boolean {
  for (let p = e.parent; p; p = p.parent) if (p.type === 'tag' && (p as Element).name === 'body') return true;
  return false;
}
const isLink = (e: Element) => e.name === 'a' && e.attribs.href !== undefined;
const isLinkOrArea = (e: Element) => (e.name === 'a' || e.name === 'area') && e.attribs.href !== undefined;
const isScript = (e: Element) => e.name === 'script';
const isScriptWithSrc = (e: Element) => e.name === 'script' && e.attribs.src !== undefined;
const isImg = (e: Element) => e.name === 'img';
const isConacPlaceholder = (e: Element) => e.attribs.id === '_ideConac' || e.attribs.id === 'imgConac';

/**
 * The elements of the scope that pass `test`, in document order (a scope root itself included). Reads the page's
 * element index (walk.ts) instead of running a selector over the whole document for every question.
 */
function q(scope: Scope, test: (el: Element) => boolean): Element[] {
  const { $, roots } = scope;
  if (roots.length === 0) return [];
  const all = allElements($).filter(test);
  if (roots.some((r) => r.type === 'root')) return all;
  const rootSet = new Set<AnyNode>(roots);
  return all.filter((el) => {
    let p: AnyNode | null = el;
    while (p) {
      if (rootSet.has(p)) return true;
      p = p.parent;
    }
    return false;
  });
}

/** Does the subtree of el contain an <img>? */
function hasImg(el: AnyNode): boolean {
  if (el.type === 'tag' && (el as Element).name === 'img') return true;
  return descendants(el, 5000).some((d) => d.name === 'img');
}

/** The footer area of a page for recognition: footer containers plus the trailing blocks with footer words. */
const scopeCache = new WeakMap<CheerioAPI, Element[]>();

export function footerScopeRoots($: CheerioAPI): Element[] {
  const hit = scopeCache.get($);
  if (hit) return [...hit];
  const list = [...footerElements($)];
  for (const el of trailingFooterBlocks($, 3)) if (!list.includes(el)) list.push(el);
  const out = outermost(list);
  scopeCache.set($, out);
  return [...out];
}


/** HTML written by the page's inline scripts (document.write), concatenated. */
export function inlineWrittenHtml($: CheerioAPI): string {
  let out = '';
  for (const el of elementsNamed($, 'script')) {
    if (out.length > MAX_WRITTEN) break;
    if (el.attribs.src) continue;
    const type = (el.attribs.type ?? '').toLowerCase();
    if (type && !/javascript|ecmascript|^module$|^text\/jscript$/.test(type)) continue;
    out += documentWrites(textContent(el)) + '\n';
  }
  return out.trim();
}

/**
 * Frames that may hold the page's footer: iframes/frames/objects in the footer area or in the last part of the
 * page, or a frameset. Their content is another document (not in the rendered DOM either).
 */
export function footerFrames($: CheerioAPI): string[] {
  const out: string[] = [];
  try {
    if (elementsNamed($, 'frameset').length) {
      for (const el of elementsNamed($, 'frame')) if (el.attribs.src !== undefined) out.push(attr(el, 'src'));
      return out.length ? out : ['frameset'];
    }
    const frames = allElements($).filter(
      (e) => e.name === 'iframe' || e.name === 'frame' || (e.name === 'object' && e.attribs.data !== undefined) || (e.name === 'embed' && e.attribs.src !== undefined),
    );
    if (frames.length === 0) return out;
    const order = documentOrder($);
    const roots = new Set<AnyNode>(footerScopeRoots($));
    for (const e of frames) {
      const src = attr(e, 'src') || attr(e, 'data');
      if (!src || /^(about:|javascript:)/i.test(src)) continue;
      // Players, maps and share/statistics widgets are not footers; a footer include is the site's own page
      // (a relative URL) or is named like one.
      if (/\.(mp4|flv|swf|mp3|pdf)(\?|$)|map\.|player|video|share|bshare|baidu|weibo|qq\.com|stat|count/i.test(src)) continue;
      const own = !/^([a-z]+:)?\/\//i.test(src);
      if (!own && !/foot|bottom|copyright|dibu|banquan/i.test(src)) continue;
      let inFooter = false;
      for (let p: AnyNode | null = e; p; p = p.parent) if (roots.has(p)) { inFooter = true; break; }
      const nearEnd = (order.start.get(e) ?? 0) >= order.total * 0.6;
      if (inFooter || nearEnd) out.push(src);
    }
  } catch {
    /* ignore */
  }
  return out;
}

// ───────────────────────────── item recognisers ─────────────────────────────

export type ItemKind = 'conac' | 'siteCode' | 'icp' | 'police' | 'sponsor' | 'contact';
export type ItemState = 'present' | 'malformed' | 'unverified' | 'missing';

export interface ItemResult {
  state: ItemState;
  where?: ItemWhere;
  /** The recognised value (a code, a number, a name, a phone …). */
  value?: string;
  /** Which form was recognised (e.g. 'link', 'script', 'text', 'copyright', 'image'). */
  form?: string;
  snippet?: string;
  /** Why the state is not 'present' (English). */
  reason?: string;
}

const MISSING: ItemResult = { state: 'missing' };

/** Valid 网站标识码. */
export const SITE_CODE_RE = /^(\d{10}|bm\d{8})$/i;

export function isValidSiteCode(code: string | undefined | null): boolean {
  return !!code && SITE_CODE_RE.test(code.trim());
}

function attr(el: Element, name: string): string {
  return (el.attribs?.[name] ?? '').trim();
}

function imgHint(el: Element): string {
  return `${attr(el, 'src')} ${attr(el, 'alt')} ${attr(el, 'title')}`;
}

// 党政机关网站标识
const CONAC_IMG_HINT = /conac|dzjg|dangzheng|党政机关|jgbs|bszs|biaoshi|(^|\/)red\.(png|gif|jpe?g)/i;

export function recogniseConac(scope: Scope): ItemResult {
  const { where } = scope;
  for (const a of q(scope, isLinkOrArea)) {
    const href = attr(a, 'href');
    if (/conac\.cn/i.test(href)) return { state: 'present', where, form: 'link', value: href.slice(0, 200), snippet: href.slice(0, 120) };
  }
  for (const s of q(scope, isScriptWithSrc)) {
    const src = attr(s, 'src');
    if (/conac\.cn/i.test(src)) return { state: 'present', where, form: 'script', value: src.slice(0, 200), snippet: src.slice(0, 120) };
  }
  for (const img of q(scope, isImg)) {
    if (/conac\.cn/i.test(attr(img, 'src'))) return { state: 'present', where, form: 'image', value: attr(img, 'src').slice(0, 200) };
  }
  for (const s of q(scope, isScript)) {
    if (attr(s, 'src')) continue;
    const code = textContent(s);
    if (code.length > MAX_SCRIPT) continue;
    if (/conac|_ideConac/i.test(code) || /conac|_ideConac/i.test(jsUnescape(code))) {
      return { state: 'present', where, form: 'inline-script', snippet: 'dcs.conac.cn' };
    }
  }
  // The placeholder the conac script fills, without the script (removed, or not loaded when rendered).
  if (q(scope, isConacPlaceholder).length) {
    return { state: 'unverified', where, form: 'marker', snippet: '_ideConac', reason: 'conac placeholder without the conac script' };
  }
  for (const img of q(scope, isImg)) {
    if (CONAC_IMG_HINT.test(imgHint(img))) {
      return { state: 'unverified', where, form: 'image', value: attr(img, 'src').slice(0, 200), reason: 'badge-like image without a conac link' };
    }
  }
  return MISSING;
}

// 网站标识码
const SITE_CODE_LABEL = /(?:网站|网站的)?(?:标识码|识别码)/;
export function recogniseSiteCode(scope: Scope): ItemResult {
  const { text, where } = scope;
  const re = /(?:网站标识码|网站识别码|政府网站标识码|网站标识)\s*[：:]?\s*/g;
  let m: RegExpExecArray | null;
  let firstBad: ItemResult | null = null;
  while ((m = re.exec(text))) {
    const rest = text.slice(m.index + m[0].length, m.index + m[0].length + 24);
    const code = /^(bm\d+|BM\d+|\d+)/.exec(rest)?.[1];
    // "网站标识" without 码 only counts when a code follows.
    if (!/码/.test(m[0]) && !code) continue;
    if (code && isValidSiteCode(code)) {
      return { state: 'present', where, form: 'text', value: code, snippet: snippetAround(text, m.index) };
    }
    if (code) {
      firstBad ??= { state: 'malformed', where, form: 'text', value: code, snippet: snippetAround(text, m.index), reason: 'site code does not match ^(\\d{10}|bm\\d{8})$' };
      continue;
    }
    firstBad ??= { state: 'malformed', where, form: 'text', value: rest.slice(0, 8).trim(), snippet: snippetAround(text, m.index), reason: 'label without a code' };
  }
  if (firstBad) {
    if (firstBad.reason === 'label without a code' && labelFollowedByImage(scope, SITE_CODE_LABEL)) {
      return { ...firstBad, state: 'unverified', form: 'image', reason: 'site code label followed by an image' };
    }
    return firstBad;
  }
  return MISSING;
}

/** Is there an element whose own text carries the label and that is followed (in its parent) by an image? */
function labelFollowedByImage(scope: Scope, label: RegExp): boolean {
  const { $ } = scope;
  for (const el of q(scope, () => true)) {
    const own = normalizeLabel((el.children ?? []).filter((c) => c.type === 'text').map((c) => (c as unknown as { data: string }).data).join(''));
    if (!label.test(own)) continue;
    // Image inside the same element, or in the next siblings.
    if (hasImg(el)) return true;
    let sib = el.next;
    for (let k = 0; sib && k < 3; k++, sib = sib.next) {
      if (sib.type === 'tag' && hasImg(sib)) return true;
      if (sib.type === 'text' && /\d{4,}/.test((sib as unknown as { data: string }).data)) return false;
    }
    // Label in a text node directly followed by an <img> sibling.
    const kids = el.children ?? [];
    for (let k = 0; k < kids.length; k++) {
      const c = kids[k];
      if (c.type === 'text' && label.test(normalizeLabel((c as unknown as { data: string }).data))) {
        const nxt = kids.slice(k + 1, k + 3).find((n) => n.type === 'tag');
        if (nxt && hasImg(nxt)) return true;
      }
    }
  }
  return false;
}

// ICP备案编号
const ICP_RE = /([\u4e00-\u9fa5])?\s*ICP\s*(?:备|证)\s*(?:案)?\s*(?:号|编号)?\s*[：:]?\s*(\d{4,12})\s*(号)?(?:\s*[-－—–]\s*(\d{1,3}))?/i;
export function recogniseIcp(scope: Scope): ItemResult {
  const { text, where } = scope;
  const m = ICP_RE.exec(text);
  if (m) {
    const value = `${m[1] ?? ''}ICP备${m[2]}${m[3] ?? ''}${m[4] ? '-' + m[4] : ''}`;
    return { state: 'present', where, form: 'text', value, snippet: snippetAround(text, m.index) };
  }
  // A link to the MIIT filing system whose text is not readable (an image), or an ICP label without a number.
  const miit = q(scope, isLink).find((a) => /beian\.miit\.gov\.cn|miitbeian\.gov\.cn/i.test(attr(a, 'href')));
  if (miit) return { state: 'unverified', where, form: 'link', value: attr(miit, 'href').slice(0, 200), reason: 'MIIT link without a readable filing number' };
  const label = /ICP\s*(?:备|证)/i.exec(text);
  if (label) return { state: 'unverified', where, form: 'text', snippet: snippetAround(text, label.index), reason: 'ICP label without a number' };
  return MISSING;
}

// 公安机关备案标识
const POLICE_LABEL = /(?:公网安备|公安网备|公安备案|公安机关备案|网安备|公网安|公安机关网站备案)/;
const POLICE_RE = /(?:公网安备|公安网备|公安备案|公安机关备案|网安备|公网安|公安机关网站备案)[^\d\n]{0,8}?(\d{10,16})/;
export function recognisePolice(scope: Scope): ItemResult {
  const { text, where } = scope;
  const m = POLICE_RE.exec(text);
  if (m) return { state: 'present', where, form: 'text', value: m[1], snippet: snippetAround(text, m.index) };
  for (const a of q(scope, isLink)) {
    const href = attr(a, 'href');
    if (/beian\.(mps\.)?gov\.cn/i.test(href) && !/miit/i.test(href)) {
      const code = /(?:recordcode|code)=(\d{8,})/i.exec(href)?.[1];
      if (code) return { state: 'present', where, form: 'link', value: code, snippet: href.slice(0, 120) };
      return { state: 'unverified', where, form: 'link', value: href.slice(0, 200), reason: 'police filing link without a record code' };
    }
  }
  const label = POLICE_LABEL.exec(text);
  if (label) return { state: 'unverified', where, form: 'text', snippet: snippetAround(text, label.index), reason: 'police filing label without a number' };
  for (const img of q(scope, isImg)) {
    if (/gongan|gaba|ga\.png|beian|公安/i.test(imgHint(img))) {
      return { state: 'unverified', where, form: 'image', value: attr(img, 'src').slice(0, 200), reason: 'police badge image without a number' };
    }
  }
  return MISSING;
}

// 网站主办单位
const NAME_CHARS = '[\\u4e00-\\u9fa5A-Za-z0-9（）()·•\\-—]';
const SPONSOR_LABEL_RE = /(?:网站)?主办(?:单位|方|机关|部门)?\s*[：:]\s*|(?:网站)?主办(?:单位|方)\s+/g;
const SPONSOR_SUFFIX_RE = new RegExp(`(${NAME_CHARS}{3,40}?)\\s*主办(?![单方机部])`);
const NAME_RUN = new RegExp(`^${NAME_CHARS}{2,40}`);
const NAME_RUN_END = new RegExp(`${NAME_CHARS}{3,40}$`);
const SITE_NAME_ENDING = /(网|网站|官网|门户|平台|客户端)$/;
const UNIT_ENDING = /(政府|委员会|委|局|厅|办公室|办公厅|办|院|中心|部|署|会|所|站|馆|队|处|科|室|总局|集团|公司|学校|大学|医院|法院|检察院|政协|人大|党委|纪委|监委|研究院)$/;

/** Words that start the next footer field when labels run together ("主办单位：X承办单位：Y"). */
const NEXT_FIELD = /(承办|协办|主管|运维|运行维护|技术支持|网站标识|标识码|备案|版权|地址|电话|联系|邮编|邮箱|网站地图|ICP|公网安备)/i;

function cutAtLabel(name: string): string {
  const m = NEXT_FIELD.exec(name);
  return (m ? name.slice(0, m.index) : name).trim();
}

/** Names of copyright holders printed in the text ("版权所有：X", "X 版权所有", "Copyright © 2021 X"). */
function copyrightNames(text: string): { name: string; index: number }[] {
  const out: { name: string; index: number }[] = [];
  const clean = (n: string) => n.replace(/^中国\s*[·•]\s*/, '').replace(/^[\d\-—]+/, '').trim();
  const re = /版权所有|copyright|©/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && out.length < 8) {
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 70)
      .replace(/^\s*[：:]?\s*(?:©|\(c\)|copyright)?\s*(?:\d{4}(?:\s*[-—–]\s*\d{4})?)?\s*/i, '');
    const a = cutAtLabel(NAME_RUN.exec(after)?.[0] ?? '');
    if (a && a.length >= 3) out.push({ name: clean(a), index: m.index });
    if (/版权所有/.test(m[0])) {
      const before = text.slice(Math.max(0, m.index - 60), m.index).replace(/\s*(?:©|\(c\)|copyright)?\s*(?:\d{4}\s*)?$/i, '');
      const b = NAME_RUN_END.exec(before)?.[0]?.split(NEXT_FIELD).pop();
      // A name before "版权所有" only counts when it looks like a unit or a website (not "网站地图 版权所有").
      if (b && (UNIT_ENDING.test(clean(b)) || SITE_NAME_ENDING.test(clean(b)))) out.push({ name: clean(b), index: Math.max(0, m.index - b.length) });
    }
  }
  return out.filter((c) => c.name.length >= 3 && !/^(all|rights|reserved)/i.test(c.name));
}

export function recogniseSponsor(scope: Scope): ItemResult {
  const { text, where } = scope;
  let m: RegExpExecArray | null;
  let empty: ItemResult | null = null;
  SPONSOR_LABEL_RE.lastIndex = 0;
  while ((m = SPONSOR_LABEL_RE.exec(text))) {
    const rest = text.slice(m.index + m[0].length, m.index + m[0].length + 60);
    const name = cutAtLabel(NAME_RUN.exec(rest)?.[0] ?? '');
    if (name.length >= 2) {
      return { state: 'present', where, form: 'label', value: name, snippet: snippetAround(text, m.index) };
    }
    empty ??= { state: 'missing', where, form: 'label', snippet: snippetAround(text, m.index), reason: 'sponsor label without a name' };
  }
  const suf = SPONSOR_SUFFIX_RE.exec(text);
  if (suf && !/(承办|协办)$/.test(suf[1])) {
    return { state: 'present', where, form: 'suffix', value: suf[1].trim(), snippet: snippetAround(text, suf.index) };
  }
  const names = copyrightNames(text);
  const unit = names.find((c) => UNIT_ENDING.test(c.name) && !SITE_NAME_ENDING.test(c.name));
  if (unit) return { state: 'present', where, form: 'copyright', value: unit.name, snippet: snippetAround(text, unit.index) };
  if (names.length) {
    const c = names[0];
    return { state: 'unverified', where, form: 'copyright', value: c.name, snippet: snippetAround(text, c.index), reason: 'only a copyright line, no sponsor named' };
  }
  return empty ?? MISSING;
}

// 联系方式
const PHONE_RES: [RegExp, string][] = [
  [/(?<!\d)(?:[（(]\s*0\d{2,3}\s*[）)]|0\d{2,3})\s*[-－—–]?\s*\d{7,8}(?!\d)/, 'phone'],
  [/(?<!\d)1[3-9]\d{9}(?!\d)/, 'mobile'],
  [/(?<!\d)[48]00\s*[-－]?\s*\d{3}\s*[-－]?\s*\d{4}(?!\d)/, 'phone'],
  [/(?:热线|服务电话|便民电话|电话)[^\d\n]{0,12}(?<!\d)(123\d{2}|110|119|120|96\d{3,4})(?!\d)/, 'hotline'],
  [/(?<!\d)(123\d{2})(?!\d)[^\d\n]{0,6}(?:热线|服务热线|便民热线)/, 'hotline'],
  [/(?:电话|联系方式|热线|传真|Tel|TEL|tel|Phone|phone)\s*[：:]?\s*\d{7,8}(?!\d)/, 'phone'],
];
const EMAIL_RE = /[A-Za-z0-9._%+-]+\s*(?:@|＠|\(at\)|\[at\])\s*[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const ADDRESS_RE = /(?:地址|通讯地址|联系地址|办公地址|单位地址|地\s*址)\s*[：:]\s*([\u4e00-\u9fa5A-Za-z0-9（）()\-号]{4,})/;
const CONTACT_LINK_RE = /联系我们|联系方式|联系电话|联系我|Contact/i;
const PHONE_LABEL = /电话|联系方式|热线|Tel|TEL|传真/;
const PHONE_IMG_HINT = /tel|phone|dianhua|lxdh|lxfs|contact|电话|联系|hotline|rexian/i;

export function recogniseContact(scope: Scope): ItemResult {
  const { text, where } = scope;
  for (const [re, form] of PHONE_RES) {
    const m = re.exec(text);
    if (m) return { state: 'present', where, form, value: (m[1] ?? m[0]).trim(), snippet: snippetAround(text, m.index) };
  }
  const e = EMAIL_RE.exec(text);
  if (e) return { state: 'present', where, form: 'email', value: e[0], snippet: snippetAround(text, e.index) };
  const ad = ADDRESS_RE.exec(text);
  if (ad) return { state: 'present', where, form: 'address', value: ad[1], snippet: snippetAround(text, ad.index) };
  for (const a of q(scope, isLink)) {
    const href = attr(a, 'href');
    if (/^\s*(mailto|tel):/i.test(href)) return { state: 'present', where, form: 'link', value: href.slice(0, 120) };
    const label = normText(textContent(a)) || attr(a, 'title');
    if (CONTACT_LINK_RE.test(normalizeLabel(label))) return { state: 'present', where, form: 'link', value: label.slice(0, 40), snippet: href.slice(0, 120) };
  }
  if (labelFollowedByImage(scope, PHONE_LABEL)) {
    return { state: 'unverified', where, form: 'image', reason: 'phone shown as an image' };
  }
  for (const img of q(scope, isImg)) {
    const src = attr(img, 'src').split(/[?#]/)[0].split('/').pop() ?? '';
    if (PHONE_IMG_HINT.test(`${src} ${attr(img, 'alt')} ${attr(img, 'title')}`)) {
      return { state: 'unverified', where, form: 'image', value: attr(img, 'src').slice(0, 200), reason: 'contact image (cannot be read)' };
    }
  }
  return MISSING;
}

const RECOGNISERS: Record<ItemKind, (s: Scope) => ItemResult> = {
  conac: recogniseConac,
  siteCode: recogniseSiteCode,
  icp: recogniseIcp,
  police: recognisePolice,
  sponsor: recogniseSponsor,
  contact: recogniseContact,
};

/** Items that count when found anywhere on the page (they are never article content). */
const ANYWHERE: Set<ItemKind> = new Set(['conac', 'siteCode', 'icp', 'police']);

const RANK: Record<ItemState, number> = { present: 0, malformed: 1, unverified: 2, missing: 3 };

/** The better (less deduction-prone) of two results; ties keep the first. */
export function betterResult(a: ItemResult, b: ItemResult): ItemResult {
  return RANK[b.state] < RANK[a.state] ? b : a;
}

export type PageItems = Record<ItemKind, ItemResult>;

const itemsCache = new Map<string, PageItems>();
const itemsOrder: string[] = [];

/** All six footer items of one HTML document (memoised per HTML string). Never throws. */
export function analyzeFooterItems(html: string): PageItems {
  const hit = itemsCache.get(html);
  if (hit) return hit;
  const out = {} as PageItems;
  try {
    const $ = loadHtml(html);
    const footer = makeScope($, footerScopeRoots($), 'footer');
    const writtenHtml = inlineWrittenHtml($);
    const written = writtenHtml ? (() => {
      const $w = loadHtml(writtenHtml);
      const root = (elementsNamed($w, 'body')[0] ?? $w.root()[0]) as AnyNode;
      return makeScope($w, [root], 'script');
    })() : null;
    const bodyRoot = (elementsNamed($, 'body')[0] ?? $.root()[0]) as AnyNode;
    let page: Scope | null = null;
    let frames: string[] | null = null;
    for (const kind of Object.keys(RECOGNISERS) as ItemKind[]) {
      const rec = RECOGNISERS[kind];
      let r = rec(footer);
      if (r.state !== 'present' && written) r = betterResult(r, rec(written));
      if (r.state !== 'present' && ANYWHERE.has(kind)) {
        page ??= makeScope($, [bodyRoot], 'page');
        const p = rec(page);
        // Outside the footer only a clean hit is trusted; a malformed or unreadable one may be article text.
        if (p.state === 'present') r = p;
        else if (p.state !== 'missing' && r.state === 'missing') r = { ...p, state: 'unverified', reason: `outside the footer: ${p.reason ?? p.state}` };
      }
      if (r.state === 'missing') {
        frames ??= footerFrames($);
        if (frames.length) r = { state: 'unverified', where: 'footer', form: 'iframe', value: frames[0], reason: 'footer may be in a frame' };
      }
      out[kind] = r;
    }
  } catch {
    for (const kind of Object.keys(RECOGNISERS) as ItemKind[]) out[kind] ??= { state: 'unverified', reason: 'page could not be analysed' };
  }
  itemsCache.set(html, out);
  itemsOrder.push(html);
  if (itemsOrder.length > 64) itemsCache.delete(itemsOrder.shift()!);
  return out;
}

// ───────────────────────────── 我为政府网站找错 entry ─────────────────────────────

export type EntryForm = 'script' | 'link' | 'image' | 'text' | 'inline-script' | 'onclick';

export interface ErrorEntry {
  form: EntryForm;
  /** The site code the entry carries (sitecode attribute or site_code parameter), when any. */
  code?: string;
  /** Hidden by an inline style (display:none / visibility:hidden) or the hidden attribute, on itself or an ancestor. */
  hidden: boolean;
  inFooter: boolean;
  snippet: string;
}

export interface ErrorEntryScan {
  entries: ErrorEntry[];
  /** The code printed in the footer (网站标识码), when valid. */
  footerCode?: string;
  /** The SiteIDCode meta, when non-blank. */
  metaCode?: string;
}

const HIDDEN_STYLE = /display\s*:\s*none|visibility\s*:\s*hidden/i;

function isHidden(el: AnyNode): boolean {
  let p: AnyNode | null = el;
  while (p && p.type !== 'root') {
    if (p.type === 'tag' || p.type === 'script') {
      const e = p as Element;
      if (e.name === 'body' || e.name === 'html') break;
      if (HIDDEN_STYLE.test(e.attribs?.style ?? '') || e.attribs?.hidden !== undefined) return true;
    }
    p = p.parent;
  }
  return false;
}

function codeFromUrl(u: string): string | undefined {
  const m = /[?&](?:site_?code|siteid|sitecode)=([^&#'"\s]*)/i.exec(u);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]).trim();
  } catch {
    return m[1].trim();
  }
}

const ENTRY_TEXT = /我为政府网站找错|政府网站找错|为政府网站找错/;

/** Error-report (找错) entries of one HTML document. Never throws. */
export function scanErrorEntries(html: string): ErrorEntryScan {
  const out: ErrorEntryScan = { entries: [] };
  try {
    const $ = loadHtml(html);
    const footers = new Set<AnyNode>(footerScopeRoots($));
    const inFooter = (el: AnyNode) => {
      let p: AnyNode | null = el;
      while (p) {
        if (footers.has(p)) return true;
        p = p.parent;
      }
      return false;
    };
    const seen = new Set<AnyNode>();
    const add = (el: Element, form: EntryForm, code: string | undefined, snippet: string) => {
      if (seen.has(el)) return;
      seen.add(el);
      out.entries.push({ form, code: code || undefined, hidden: isHidden(el), inFooter: inFooter(el), snippet: snippet.slice(0, 160) });
    };
    for (const e of elementsNamed($, 'script')) {
      const src = attr(e, 'src');
      const id = attr(e, 'id');
      if (id === '_jiucuo_' || /jiucuo/i.test(src)) {
        add(e, 'script', attr(e, 'sitecode') || attr(e, 'site_code') || codeFromUrl(src), src || `script#${id}`);
        continue;
      }
      if (!src) {
        const code = textContent(e);
        if (code.length < MAX_SCRIPT && /jiucuo|找错/i.test(code)) {
          const written = documentWrites(code);
          const body = written || code;
          if (/jiucuo|找错/i.test(body)) {
            const c = /site_?code\s*(?:=|:)\s*\\?['"]?([A-Za-z0-9]+)/i.exec(body)?.[1];
            add(e, 'inline-script', c, 'inline script');
          }
        }
      }
    }
    const all = allElements($);
    for (const e of all) {
      if (!isLinkOrArea(e)) continue;
      const href = attr(e, 'href');
      const label = normText(textContent(e)) || attr(e, 'title');
      if (/jiucuo/i.test(href) || (/\/exposure\//i.test(href) && /site_?code/i.test(href)) || ENTRY_TEXT.test(normalizeLabel(label)) ||
        descendants(e, 2000).some((i) => i.name === 'img' && /jiucuo/i.test(attr(i, 'src')))) {
        add(e, 'link', codeFromUrl(href), href || label);
      }
    }
    imgs: for (const e of elementsNamed($, 'img')) {
      if (e.attribs.src === undefined || !/jiucuo/i.test(attr(e, 'src'))) continue;
      // Skip images already covered by their link.
      let p: AnyNode | null = e.parent;
      while (p && p.type === 'tag') {
        if (seen.has(p)) continue imgs;
        p = p.parent;
      }
      add(e, 'image', undefined, attr(e, 'src'));
    }
    for (const e of all) {
      if (e.attribs.onclick === undefined) continue;
      const oc = attr(e, 'onclick');
      if (/jiucuo/i.test(oc)) add(e, 'onclick', codeFromUrl(oc), oc);
    }
    // Plain text entry (e.g. a span with the wording and a handler set by a script).
    texts: for (const e of all) {
      if (seen.has(e) || e.name === 'script' || e.name === 'style' || !inBody(e)) continue;
      const own = (e.children ?? []).filter((c) => c.type === 'text').map((c) => (c as unknown as { data: string }).data).join('');
      if (ENTRY_TEXT.test(normalizeLabel(own))) {
        let p: AnyNode | null = e.parent;
        while (p && p.type === 'tag') {
          if (seen.has(p)) continue texts;
          p = p.parent;
        }
        add(e, 'text', undefined, normText(own));
      }
    }
    const items = analyzeFooterItems(html);
    if (items.siteCode.state === 'present' && items.siteCode.value) out.footerCode = items.siteCode.value;
    out.metaCode = metaContent($, 'siteidcode') || undefined;
  } catch {
    /* hostile input: report what was found so far */
  }
  return out;
}

/** The content of a <meta name=...> (name matched case-insensitively), trimmed; '' when absent or blank. */
export function metaContent($: CheerioAPI, name: string): string {
  for (const e of elementsNamed($, 'meta')) {
    if (e.attribs.name === undefined || attr(e, 'name').toLowerCase() !== name.toLowerCase()) continue;
    const c = attr(e, 'content');
    if (c) return c;
  }
  return '';
}

// ───────────────────────────── pages, browser confirmation ─────────────────────────────

export type Confirmation = 'rendered' | 'static' | 'unconfirmed';

/** A page fit for HTML checks (fetched, HTML, non-empty). */
export function isHtmlPage(p: PageObservation): boolean {
  if (!p || typeof p.html !== 'string' || p.html.length === 0) return false;
  if (p.status !== null && (p.status < 200 || p.status >= 300)) return false;
  if (p.error) return false;
  const ct = (p.contentType || '').toLowerCase();
  return !ct || ct.includes('html') || ct.includes('xml');
}

/** The rendered snapshot of a page, when the browser rendered it. */
export function renderedHtml(ctx: AuditContext, page: PageObservation): string | undefined {
  const pages = ctx.browser?.pages;
  if (!pages) return undefined;
  const r = pages.get(page.url) ?? pages.get(page.finalUrl);
  return r && typeof r.html === 'string' && r.html.length > 0 ? r.html : undefined;
}

/** Does the page load external scripts (any)? */
export function hasExternalScripts(html: string): boolean {
  try {
    return loadHtml(html)('script[src]').length > 0;
  } catch {
    return /<script[^>]+src=/i.test(html);
  }
}

/**
 * External scripts that never write a page's footer or header: the 找错 and conac widgets (they draw only their own
 * entry), common libraries, analytics, share and accessibility widgets.
 */
const INERT_SCRIPT = /jiucuo|conac\.cn|jquery|bootstrap|swiper|(^|\/)layer(\.min)?\.js|layui|(^|\/)vue(\.min)?\.js|react|echarts|lazyload|superslide|hm\.baidu\.com|cnzz|umeng|google-analytics|googletagmanager|gtag|ta\.trs\.cn|webdig\.js|share\.js|bdshare|bsstatic|bshare|qrcode|html5shiv|respond(\.min)?\.js|json2|polyfill|es5-shim|(^|\/)aria\.js|wxa11y|barrierfree/i;
const INLINE_DYNAMIC = /\.load\s*\(|\$\.(get|ajax|post|getJSON)\s*\(|ajax\s*\(|fetch\s*\(|XMLHttpRequest|innerHTML|insertAdjacentHTML|\.html\s*\(|\.append(To)?\s*\(|\.prepend\s*\(|\.after\s*\(|\.before\s*\(|\.replaceWith\s*\(/;

const mayWriteCache = new Map<string, boolean>();

/**
 * Could scripts change what the static HTML shows (write a footer, a header, an entry)? True when the page loads an
 * external script that is not a known inert one, or has an inline script that fetches or inserts markup (jQuery
 * .load/.html/.append, innerHTML, fetch …) or calls document.write with non-constant content.
 */
export function mayWriteContent(html: string): boolean {
  const hit = mayWriteCache.get(html);
  if (hit !== undefined) return hit;
  let res = false;
  try {
    const $ = loadHtml(html);
    for (const e of elementsNamed($, 'script')) {
      const src = attr(e, 'src');
      const type = attr(e, 'type').toLowerCase();
      if (type && !/javascript|ecmascript|^module$|jscript/.test(type)) continue;
      if (src) {
        if (!INERT_SCRIPT.test(src)) res = true;
      } else {
        const code = textContent(e);
        if (INLINE_DYNAMIC.test(code)) res = true;
        else if (/document\s*\.\s*write/.test(code)) {
          // document.write of something we cannot read (a variable, a computed string).
          const written = documentWrites(code);
          if (!written.trim()) res = true;
          // Scripts written by document.write are external scripts too.
          const $w = written ? loadHtml(written) : null;
          if ($w) for (const w of elementsNamed($w, 'script')) if (w.attribs.src !== undefined && !INERT_SCRIPT.test(attr(w, 'src'))) res = true;
        }
      }
      if (res) break;
    }
  } catch {
    res = /<script/i.test(html);
  }
  mayWriteCache.set(html, res);
  if (mayWriteCache.size > 128) mayWriteCache.delete(mayWriteCache.keys().next().value!);
  return res;
}

/**
 * How sure a "missing" decision on this page is: rendered DOM → 'rendered'; static HTML whose scripts cannot write
 * content → 'static'; static HTML with scripts that may write the footer and no rendered snapshot (browser
 * unavailable, or this page not rendered) → 'unconfirmed' (the scorer does not deduct).
 */
export function missingConfirmation(ctx: AuditContext, page: PageObservation): Confirmation {
  if (renderedHtml(ctx, page)) return 'rendered';
  return mayWriteContent(page.html) ? 'unconfirmed' : 'static';
}

/** Strongest confirmation among several: rendered > static > unconfirmed. */
export function strongest(list: Confirmation[]): Confirmation {
  if (list.includes('rendered')) return 'rendered';
  if (list.includes('static')) return 'static';
  return 'unconfirmed';
}

function pageKind(url: string): string {
  let path = '';
  try {
    path = new URL(url).pathname;
  } catch {
    return 'other';
  }
  if (/\/t\d{8}_\d+|content_\d+|art_\d+|\/art\/\d{4}|\/\d{6}\/|\/\d{4}[-/]\d{2}[-/]?\d{2}\/|detail|article|show|\/\d{5,}\.s?html?$/i.test(path)) return 'article';
  if (/(index(_\d+)?\.s?html?|\/)$|\/col\/|list|column|lanmu/i.test(path)) return 'list';
  return 'other';
}

/**
 * Pages a site-level footer check examines: the homepage, then pages the browser rendered, then other pages of
 * various kinds (articles, lists, others, round-robin, shallow first), at most `max` in all.
 */
export function samplePages(ctx: AuditContext, max = 10): PageObservation[] {
  const pages = (ctx.pages ?? []).filter(isHtmlPage);
  const out: PageObservation[] = [];
  const seen = new Set<string>();
  const push = (p: PageObservation | undefined) => {
    if (!p || out.length >= max || seen.has(p.url)) return;
    seen.add(p.url);
    out.push(p);
  };
  const home = ctx.homepage && isHtmlPage(ctx.homepage) ? ctx.homepage : pages.find((p) => p.isHomepage);
  push(home);
  const rest = pages.filter((p) => !seen.has(p.url)).sort((a, b) => a.depth - b.depth || a.url.localeCompare(b.url));
  const rendered = rest.filter((p) => renderedHtml(ctx, p));
  // Rendered pages first (at most half the sample), then a round-robin by kind.
  for (const p of rendered.slice(0, Math.max(1, Math.floor(max / 2)))) push(p);
  const byKind = new Map<string, PageObservation[]>();
  for (const p of rest) {
    if (seen.has(p.url)) continue;
    const k = pageKind(p.url);
    if (!byKind.has(k)) byKind.set(k, []);
    byKind.get(k)!.push(p);
  }
  const queues = ['article', 'list', 'other'].map((k) => byKind.get(k) ?? []);
  while (out.length < max && queues.some((qq) => qq.length)) {
    for (const qq of queues) push(qq.shift());
  }
  return out;
}

/** The homepage URL to attach site-level findings to. */
export function homepageUrl(ctx: AuditContext): string {
  return ctx.homepage?.url ?? ctx.site?.url ?? '';
}

// ───────────────────────────── the six footer checks ─────────────────────────────

export interface FooterItemSpec {
  id: string;
  kind: ItemKind;
  /** Chinese check title. */
  title: string;
  /** Chinese name of the item, used in messages (e.g. "ICP备案编号"). */
  label: string;
  description: string;
  /**
   * Extra findings when the item is present everywhere (or only unverified): e.g. the site code disagreeing with the
   * SiteIDCode meta. Receives the per-page outcomes and the pages examined.
   */
  extra?: (ctx: AuditContext, outcomes: PageOutcome[], pages: PageObservation[]) => Finding[];
}

export interface PageOutcome {
  url: string;
  result: ItemResult;
  source: 'rendered' | 'static';
  confirmation: Confirmation;
}

const TRUNCATED_REASON = 'page truncated at the read limit: its end (the footer) was not read';

/** Decides one item on one page: rendered DOM when available (static HTML still counts when it has the item). */
export function decidePageItem(ctx: AuditContext, page: PageObservation, kind: ItemKind): PageOutcome {
  const rendered = renderedHtml(ctx, page);
  const staticRes = analyzeFooterItems(page.html)[kind];
  if (rendered) {
    const r = analyzeFooterItems(rendered)[kind];
    const best = betterResult(r, staticRes);
    return { url: page.url, result: best, source: best === r ? 'rendered' : 'static', confirmation: 'rendered' };
  }
  // A page cut at the read cap: its footer was never read, so the item is neither missing nor malformed there.
  if (page.truncated && staticRes.state !== 'present') {
    return { url: page.url, result: { state: 'unverified', reason: TRUNCATED_REASON }, source: 'static', confirmation: 'unconfirmed' };
  }
  const confirmation: Confirmation = staticRes.state === 'present' ? 'static' : missingConfirmation(ctx, page);
  return { url: page.url, result: staticRes, source: 'static', confirmation };
}

/** Builds one of the six footer-identifier checks (one finding per item for the site). */
export function makeFooterItemCheck(spec: FooterItemSpec): Check {
  return {
    id: spec.id,
    title: spec.title,
    description: spec.description,
    needsHtml: true,
    run(ctx: AuditContext): Finding[] {
      const sample = samplePages(ctx);
      if (sample.length === 0) return [];
      const outcomes: PageOutcome[] = [];
      const pages: PageObservation[] = [];
      for (const p of sample) {
        try {
          outcomes.push(decidePageItem(ctx, p, spec.kind));
          pages.push(p);
        } catch {
          /* a page that cannot be analysed is skipped */
        }
      }
      if (outcomes.length === 0) return [];
      const pagesChecked = outcomes.map((o) => o.url);
      const home = homepageUrl(ctx);
      const homeUrl = ctx.homepage?.url;
      const missing = outcomes.filter((o) => o.result.state === 'missing');
      const malformed = outcomes.filter((o) => o.result.state === 'malformed');
      const unverified = outcomes.filter((o) => o.result.state === 'unverified');
      const present = outcomes.filter((o) => o.result.state === 'present');
      const base = (extra: Evidence): Evidence => ({
        pagesChecked,
        item: spec.kind,
        ...(present[0] ? { presentOn: present.slice(0, 3).map((o) => ({ url: o.url, value: o.result.value, form: o.result.form })) } : {}),
        ...extra,
      });
      if (missing.length) {
        const confirmation = strongest(missing.map((o) => o.confirmation));
        const onHomepage = missing.some((o) => o.url === homeUrl);
        const where = onHomepage
          ? (missing.length > 1 ? `首页及其他 ${missing.length - 1} 个页面` : '首页')
          : `${missing.length} 个页面`;
        const f: Finding = {
          check: spec.id,
          url: home,
          detail: missing.some((o) => o.result.reason) ? `missing (${missing.find((o) => o.result.reason)!.result.reason})` : 'missing',
          message: `${where}底部功能区未列明${spec.label}（共检查 ${outcomes.length} 个页面）`,
          evidence: base({
            onHomepage,
            confirmation,
            pagesMissing: missing.map((o) => ({ url: o.url, confirmation: o.confirmation, source: o.source })),
            ...(missing[0].result.snippet ? { snippet: missing[0].result.snippet } : {}),
          }),
        };
        return [f];
      }
      if (malformed.length) {
        const first = malformed[0];
        return [{
          check: spec.id,
          url: home,
          detail: `malformed: ${first.result.value ?? ''}`.trim(),
          message: `底部功能区的${spec.label}格式不正确：“${first.result.value || '（空）'}”`,
          evidence: base({
            onHomepage: malformed.some((o) => o.url === homeUrl),
            confirmation: first.confirmation,
            value: first.result.value,
            snippet: first.result.snippet,
            pagesMalformed: malformed.map((o) => o.url),
          }),
        }];
      }
      const extra = spec.extra ? safeExtra(() => spec.extra!(ctx, outcomes, pages)) : [];
      if (unverified.length) {
        const first = unverified[0];
        return [...extra, {
          check: spec.id,
          url: home,
          detail: `unverified: ${first.result.reason ?? ''}`.trim(),
          message: `无法确认底部功能区的${spec.label}（${unverifiedReasonZh(first.result)}），需人工核实`,
          evidence: base({
            unverified: true,
            ...(unverified.some((o) => o.result.reason === TRUNCATED_REASON) ? { truncated: true } : {}),
            onHomepage: unverified.some((o) => o.url === homeUrl),
            confirmation: first.confirmation,
            pagesUnverified: unverified.map((o) => ({ url: o.url, reason: o.result.reason, value: o.result.value })),
          }),
        }];
      }
      return extra;
    },
  };
}

function safeExtra(fn: () => Finding[]): Finding[] {
  try {
    return fn();
  } catch {
    return [];
  }
}

function unverifiedReasonZh(r: ItemResult): string {
  if (r.reason === TRUNCATED_REASON) return '页面超过 5 MB 读取上限被截断，页面底部未读取';
  if (r.form === 'iframe') return '页面底部由框架（iframe）加载，无法读取';
  if (r.reason?.startsWith('outside the footer')) return '仅在底部区域以外发现，内容不完整';
  if (r.form === 'image') return '以图片形式展示，无法读取';
  if (r.form === 'copyright') return '仅有版权声明，未注明主办单位';
  if (r.form === 'link') return '仅有链接，未见编号';
  return '未见完整编号';
}
