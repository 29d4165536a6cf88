import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { loadHtml, normText } from './dom.ts';
import { compactLabels, FOOTER_LABELS, normalizeLabel, stripZeroWidth } from './labels.ts';
import { articleBodyElements } from './dates.ts';
import { allElements, elementsNamed, outermost, textContent } from './walk.ts';
import { descendants, documentOrder, footerElements, trailingFooterBlocks, visibleText } from './footer.ts';
import { inlineWrittenHtml, jsUnescape, MAX_SCRIPT } from './scripts.ts';

/**
 * Recognisers for the footer identifiers of a government site (网站标识: 党政机关网站标识, 网站标识码, ICP备案编号,
 * 公安机关备案标识, 网站主办单位, 联系方式), one page at a time (analyzeFooterItems; stored per page as the fact
 * family `footer`, src/facts/footer.ts). Pure: no I/O.
 *
 * Real forms (see shared/reference/norms.md): conac badge as a bszs.conac.cn link around an image or as a
 * dcs.conac.cn script (often inside document.write(unescape(...))); ICP with or without 号 and with a -N suffix;
 * 公网安备 with or without a space, 公安网备号, 公安机关备案号, beian.gov.cn / beian.mps.gov.cn links carrying a
 * recordcode; 主办单位：/主办：/主办方：; phones, e-mail, addresses, 联系我们 links. Footers written by inline
 * `document.write` are read by extracting the written string literals (no code is evaluated).
 */

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
export function inBody(e: Element): boolean {
  for (let p = e.parent; p; p = p.parent) if (p.type === 'tag' && (p as Element).name === 'body') return true;
  return false;
}
const isLink = (e: Element) => e.name === 'a' && e.attribs.href !== undefined;
export const isLinkOrArea = (e: Element) => (e.name === 'a' || e.name === 'area') && e.attribs.href !== undefined;
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

export function attr(el: Element, name: string): string {
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

/** The content of a <meta name=...> (name matched case-insensitively), trimmed; '' when absent or blank. */
export function metaContent($: CheerioAPI, name: string): string {
  for (const e of elementsNamed($, 'meta')) {
    if (e.attribs.name === undefined || attr(e, 'name').toLowerCase() !== name.toLowerCase()) continue;
    const c = attr(e, 'content');
    if (c) return c;
  }
  return '';
}

