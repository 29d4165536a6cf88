import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { normText } from './dom.ts';
import { descendants, documentOrder, footerElements, visibleText } from './footer.ts';
import { metaContent } from './identifiers.ts';
import { elementsNamed, findElements, firstNamed, outermost, textContent } from './walk.ts';

/**
 * Site-name helpers for the 网站名称 indicator: the names a site declares (SiteName meta, the title's site part),
 * how they compare with the unit's name, and whether a page's header area (页面头部区域) shows the name.
 * Pure: no I/O. Government headers usually show the name as a logo image: when its alt/title does not carry the
 * name we cannot read it, and the answer is "unverified", never "missing".
 */

/** Characters removed before comparing names. */
const PUNCT = /[\s\u00a0\u3000·•・.,，。、:：;；!！?？"“”'‘’()（）[\]【】《》<>〈〉|｜_\-—–~～/\\]+/g;
const SITE_SUFFIX = /(门户网站|官方网站|政务网站|门户网|网站|官网|门户|网)$/;
const SITE_LIKE = /(网|网站|官网|门户|政府|委员会|委|局|厅|办|院|中心|部|署|会|所)$/;

/** Name normalised for comparison: no punctuation/spaces, 人民 dropped (湘潭市人民政府 ≈ 湘潭市政府). */
export function normalizeName(s: string): string {
  return (s ?? '').replace(PUNCT, '').replace(/人民/g, '').toLowerCase();
}

/** The unit part of a site name: 湘潭市政府门户网站 → 湘潭市政府; 中国政府网 → 中国政府. */
export function nameCore(s: string): string {
  let n = normalizeName(s);
  for (let i = 0; i < 3; i++) {
    const next = n.replace(SITE_SUFFIX, '');
    if (next === n || next.length < 2) break;
    n = next;
  }
  return n;
}

/** The site part of a <title>: the last segment after _ | ｜ or a spaced dash, when it looks like a site name. */
export function titleSiteName(title: string, wholeTitleAllowed = false): string | undefined {
  const t = normText(title ?? '');
  if (!t) return undefined;
  const parts = t.split(/\s*[_|｜]+\s*|\s+[-–—]+\s+/).map((x) => x.trim()).filter(Boolean);
  if (parts.length > 1) {
    const last = parts[parts.length - 1];
    if (last.length >= 2 && last.length <= 40 && SITE_LIKE.test(last)) return last;
    return undefined;
  }
  if (wholeTitleAllowed && t.length >= 2 && t.length <= 30 && SITE_LIKE.test(t)) return t;
  return undefined;
}

/** Names a page declares: the SiteName meta and the title's site part. */
export function declaredNames($: CheerioAPI, isHomepage: boolean): { siteName?: string; titleName?: string } {
  const siteName = metaContent($, 'sitename') || undefined;
  const titleName = titleSiteName(textContent(firstNamed($, 'title')), isHomepage);
  return { siteName, titleName };
}

function isSubsequence(needle: string, hay: string): boolean {
  let j = 0;
  for (let i = 0; i < hay.length && j < needle.length; i++) if (hay[i] === needle[j]) j++;
  return j === needle.length;
}

function lcs(a: string, b: string): number {
  if (!a || !b) return 0;
  const prev = new Array<number>(b.length + 1).fill(0);
  const cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    for (let j = 0; j <= b.length; j++) prev[j] = cur[j];
  }
  return prev[b.length];
}

const REGION_RE = /^(.{2,10}?)(省|市|自治区|自治州|州|县|区|盟|旗)/;

export type NameMatch = 'match' | 'partial' | 'mismatch';

/**
 * Is a declared site name named after the unit? Allows site suffixes (门户网站, 政府网 …), 人民 dropped,
 * abbreviations that keep the order of characters (湖南省发改委 for 湖南省发展和改革委员会), and, for a
 * government (…政府), names built on the region (中国长沙 for 长沙市人民政府).
 */
export function matchUnitName(declared: string, unit: string): NameMatch {
  const d = nameCore(declared);
  const u = nameCore(unit);
  if (!d || !u) return 'partial';
  if (d.includes(u) || (d.length >= 2 && u.includes(d))) return 'match';
  if (d.length >= 3 && isSubsequence(d, u)) return 'match';
  const region = REGION_RE.exec(u);
  if (region) {
    const root = region[1];
    if (/政府$/.test(u) && root.length >= 2 && d.includes(root)) return 'match';
    if (root.length >= 2 && d.includes(root)) return 'partial';
  }
  return lcs(d, u) / u.length >= 0.5 ? 'partial' : 'mismatch';
}

// ───────────────────────────── header area ─────────────────────────────

const HEADER_TOKEN = /^(header|head(?!line)|top(?!ic)|logo|banner|masthead|brand|site-?name|site-?title|toubu)/i;
const HEADER_SUB = /(header|logo|banner|masthead|sitename|site_name|site-name)/i;
const HEADER_ZONE = 0.4;

/** The document-order index up to which an element counts as being in the first `share` of <body> (at least 8 elements). */
function zoneLimit($: CheerioAPI, share: number): number {
  const order = documentOrder($);
  const body = elementsNamed($, 'body')[0] as AnyNode | undefined;
  const start = body ? order.start.get(body) ?? 0 : 0;
  const end = body ? order.end.get(body) ?? order.total : order.total;
  return start + Math.max(8, (end - start) * share);
}

function tokens(el: Element): string[] {
  return `${el.attribs?.class ?? ''} ${el.attribs?.id ?? ''}`.split(/\s+/).filter(Boolean);
}

function isHeaderLike(el: Element): boolean {
  if (el.name === 'header') return true;
  if ((el.attribs?.role ?? '').toLowerCase() === 'banner') return true;
  return tokens(el).some((t) => HEADER_TOKEN.test(t) || HEADER_SUB.test(t));
}

function inside(set: Set<AnyNode>, el: AnyNode): boolean {
  let p: AnyNode | null = el;
  while (p) {
    if (set.has(p)) return true;
    p = p.parent;
  }
  return false;
}

/** Elements inside <body>, in document order (what `$('body *')` gives, without its cost on odd documents). */
function inBody($: CheerioAPI): Element[] {
  return findElements(outermost(elementsNamed($, 'body')), () => true);
}

/** Header-area elements: header-like containers and h1 in the first part of the page (outside the footer). */
export function headerElements($: CheerioAPI): Element[] {
  const body = elementsNamed($, 'body')[0] as Element | undefined;
  if (!body) return [];
  const limit = zoneLimit($, HEADER_ZONE);
  const order = documentOrder($);
  const footers = new Set<AnyNode>(footerElements($));
  const found: Element[] = [];
  for (const el of inBody($)) {
    if (el.type !== 'tag' || el.name === 'script' || el.name === 'style') continue;
    const pos = order.start.get(el) ?? Infinity;
    if (pos > limit) break; // document order: nothing further can qualify
    if (!(isHeaderLike(el) || el.name === 'h1')) continue;
    if (inside(footers, el)) continue;
    found.push(el);
  }
  if (found.length === 0) {
    // First blocks of the page.
    const kids = (body.children ?? []).filter((n) => n.type === 'tag' && !['script', 'style', 'link', 'meta', 'input', 'noscript'].includes((n as Element).name)) as Element[];
    for (const k of kids.slice(0, 2)) if ((order.start.get(k) ?? Infinity) <= limit) found.push(k);
  }
  return outermost(found);
}


export type HeaderState = 'shown' | 'missing' | 'unverified';

export interface HeaderCheck {
  state: HeaderState;
  /** Which text carried the name (when shown). */
  via?: string;
  /** Why undecided / what the header holds (English). */
  reason?: string;
  /** A short sample of the header text. */
  sample?: string;
}

const TOP_ZONE = 0.25;

/** The first quarter of the page (by element order), outside the footer: text, attributes, images, scripts. */
export function topZone($: CheerioAPI): { text: string; attrs: string[]; images: number; scripts: number; cssLogo: boolean } {
  const order = documentOrder($);
  const limit = zoneLimit($, TOP_ZONE);
  const footers = new Set<AnyNode>(footerElements($));
  const attrs: string[] = [];
  const texts: string[] = [];
  let images = 0;
  let scripts = 0;
  let cssLogo = false;
  for (const el of inBody($)) {
    if ((order.start.get(el) ?? Infinity) > limit) break;
    if (inside(footers, el)) continue;
    if (el.name === 'img') images++;
    if ((el.type === 'script' || el.name === 'script' || el.name === 'iframe' || el.name === 'frame') && el.attribs?.src) scripts++;
    if (/background(-image)?\s*:[^;]*url\(/i.test(el.attribs?.style ?? '') || tokens(el).some((t) => /logo/i.test(t))) cssLogo = true;
    for (const a of ['alt', 'title', 'aria-label']) {
      const v = el.attribs?.[a];
      if (v && v.trim()) attrs.push(v.trim());
    }
    if (el.type === 'script' || el.type === 'style' || el.name === 'noscript' || el.name === 'template') continue;
    for (const c of el.children ?? []) if (c.type === 'text') texts.push((c as unknown as { data: string }).data);
  }
  return { text: normText(texts.join(' ')), attrs, images, scripts, cssLogo };
}

/** Texts of the header area: visible text (hidden logo text included), alt/title/aria-label attributes. */
function headerTexts($: CheerioAPI, els: Element[]): { text: string; attrs: string[] } {
  const attrs: string[] = [];
  for (const el of els) {
    const all = [el, ...descendants(el, 20_000)];
    for (const e of all) {
      for (const a of ['alt', 'title', 'aria-label']) {
        const v = e.attribs?.[a];
        if (v && v.trim()) attrs.push(v.trim());
      }
    }
  }
  return { text: normText(els.map((e) => visibleText(e)).join(' ')), attrs };
}

/** Does a normalised haystack contain the name (or an order-keeping abbreviation of it)? */
export function containsName(hay: string, name: string): boolean {
  const core = nameCore(name);
  if (core.length < 2) return false;
  const h = normalizeName(hay);
  if (h.includes(core)) return true;
  const full = normalizeName(name);
  if (full.length >= 2 && h.includes(full)) return true;
  // Abbreviation: a run of the header that is a subsequence of the name, starting like it.
  const need = Math.max(4, Math.ceil(core.length * 0.45));
  if (core.length < 4) return false;
  const head = core.slice(0, 2);
  let from = h.indexOf(head);
  while (from >= 0) {
    let j = 0;
    let len = 0;
    for (let i = from; i < h.length; i++) {
      const k = core.indexOf(h[i], j);
      if (k < 0) break;
      j = k + 1;
      len++;
    }
    if (len >= need) return true;
    from = h.indexOf(head, from + 1);
  }
  return false;
}

/** Is one of the names shown in the page's header area? */
export function checkHeaderName($: CheerioAPI, names: string[]): HeaderCheck {
  const els = headerElements($);
  if (els.length === 0) return { state: 'unverified', reason: 'no header area found' };
  const { text, attrs } = headerTexts($, els);
  for (const n of names) {
    if (containsName(text, n)) return { state: 'shown', via: 'text' };
    const a = attrs.find((x) => containsName(x, n));
    if (a) return { state: 'shown', via: `attribute: ${a.slice(0, 40)}` };
  }
  const subtree = els.flatMap((el) => [el, ...descendants(el, 20_000)]);
  const imgs = subtree.filter((e) => e.name === 'img').length;
  const scripts = subtree.filter((e) => e.name === 'script' && !!e.attribs?.src).length;
  const logoBox = subtree.some((e) =>
    tokens(e).some((t) => /logo|banner|brand/i.test(t)) || /background(-image)?\s*:[^;]*url\(/i.test(e.attribs?.style ?? ''));
  const sample = text.slice(0, 80);
  // The header containers we recognised may not hold the logo (unknown class names): look at the whole top of the
  // page before calling the name missing.
  const top = topZone($);
  for (const n of names) {
    if (containsName(top.text, n) || top.attrs.some((x) => containsName(x, n))) return { state: 'shown', via: 'top of page' };
  }
  if (imgs > 0) return { state: 'unverified', reason: 'header shows images (logo) whose text cannot be read', sample };
  if (scripts > 0) return { state: 'unverified', reason: 'header written by scripts not rendered', sample };
  if (logoBox) return { state: 'unverified', reason: 'logo drawn with CSS (background image)', sample };
  if (text.replace(/\s/g, '').length < 2) return { state: 'unverified', reason: 'empty header area', sample };
  if (top.images > 0) return { state: 'unverified', reason: 'images at the top of the page (a logo?) cannot be read', sample };
  if (top.scripts > 0) return { state: 'unverified', reason: 'top of the page written by scripts not rendered', sample };
  if (top.cssLogo) return { state: 'unverified', reason: 'a background image at the top of the page (a logo?)', sample };
  return { state: 'missing', reason: 'header text does not contain the site name', sample };
}
