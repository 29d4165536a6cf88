import type { CheerioAPI } from 'cheerio';
import { createRequire } from 'node:module';
import type { AnyNode, Element } from 'domhandler';
import type { LinkKind, LinkRef } from '../model.ts';
import { footerElements } from './footer.ts';
import { normText } from './dom.ts';
import { elementsNamed } from './walk.ts';
import { resolveHref, urlParts, type UrlParts } from '../runtime/url-parts.ts';

/** Extensions that make a link an attachment (附件). */
export const ATTACHMENT_EXT = new Set([
  'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'pdf', 'wps', 'et', 'dps', 'ofd', 'txt', 'rtf', 'csv',
  'zip', 'rar', '7z', 'gz', 'tar', 'ceb', 'caj',
]);
const MEDIA_EXT = new Set(['mp4', 'mp3', 'flv', 'avi', 'wmv', 'mov', 'swf', 'wav', 'm4a', 'webm']);
const IMAGE_EXT = new Set(['jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp', 'svg', 'ico', 'tif', 'tiff']);

/** Schemes we never fetch. */
const SKIP_SCHEME = /^(javascript|mailto|tel|sms|data|about|blob|file|ftp|vbscript|weixin|wx):/i;

/** Page encodings whose queries browsers encode in that encoding (UTF-8 and UTF-16 pages use UTF-8). */
const LEGACY_QUERY_CHARSET = /^(gb18030|gbk|gb2312|big5|shift_jis|euc-jp|euc-kr|iso-2022-jp)$/;

type IconvLite = { encode(s: string, enc: string): Buffer; decode(b: Buffer, enc: string): string; encodingExists(enc: string): boolean };
let iconv: IconvLite | null = null;

/**
 * The non-ASCII characters of the query part of `href`, percent-encoded in `charset` (a character the encoding
 * lacks becomes `%26%23N%3B`, i.e. `&#N;`, as browsers send it). Already-encoded and ASCII parts are left alone.
 */
export function encodeLegacyQuery(href: string, charset: string): string {
  const q = href.indexOf('?');
  if (q < 0) return href;
  const hash = href.indexOf('#', q);
  const end = hash < 0 ? href.length : hash;
  const query = href.slice(q + 1, end);
  if (!/[^\x00-\x7f]/.test(query)) return href;
  iconv ??= createRequire(import.meta.url)('iconv-lite') as IconvLite; // loaded on the first such link only
  if (!iconv.encodingExists(charset)) return href;
  let out = '';
  for (const ch of query) {
    if (ch.charCodeAt(0) < 0x80) {
      out += ch;
      continue;
    }
    const bytes = iconv.encode(ch, charset);
    if (iconv.decode(bytes, charset) !== ch) {
      out += `%26%23${ch.codePointAt(0)}%3B`; // &#N; with its delimiters percent-encoded, as the URL standard says
      continue;
    }
    for (const b of bytes) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return href.slice(0, q + 1) + out + href.slice(end);
}

export function extensionOf(u: { readonly pathname: string }): string {
  const m = /\.([a-z0-9]{1,5})$/i.exec(u.pathname);
  return m ? m[1].toLowerCase() : '';
}

/**
 * Resolve an href against a base; returns null for unfetchable or malformed references. Fragment is dropped.
 * `charset` is the page's encoding: as in a browser, a query written in non-ASCII characters on a GBK/GB18030 (or
 * Big5, Shift_JIS …) page is sent percent-encoded in that encoding, not in UTF-8 — `download.jsp?file=通知.doc` on a
 * GBK page must be requested the way a visitor's browser requests it, or the server will not find the file.
 */
export function resolveUrl(raw: string | undefined, base: string, charset?: string): string | null {
  const r = resolveRef(raw, base, charset);
  return 'url' in r ? r.url : null;
}

/** resolveUrl for readers that test with `undefined`: the absolute http(s) URL of an href, or undefined. */
export function absoluteUrl(raw: string | undefined, base: string): string | undefined {
  return resolveUrl(raw, base) ?? undefined;
}

/**
 * What an href is: a fetchable URL (absolute, fragment dropped); `skip` — nothing to fetch (empty, a fragment, a
 * javascript:/mailto:/tel:/data: … pseudo-link, another scheme such as ftp:); or `invalid` — a reference that is no
 * URL at all (`//////`, `http://`, `http://exa mple`, `http://[::1`): a browser goes nowhere when it is clicked (or shows a
 * broken image), so it is reported, with the href as written (tabs and newlines removed, trimmed).
 */
export function resolveRef(raw: string | undefined, base: string, charset?: string): { url: string } | { skip: true } | { invalid: string } {
  if (!raw) return { skip: true };
  // Browsers strip leading/trailing ASCII whitespace and remove tabs/newlines inside URLs.
  let href = raw.replace(/[\t\n\r]/g, '').trim();
  if (!href || href.startsWith('#') || SKIP_SCHEME.test(href)) return { skip: true };
  const written = href;
  if (charset && LEGACY_QUERY_CHARSET.test(charset)) href = encodeLegacyQuery(href, charset);
  const url = resolveHref(href, base);
  if (url === null) return { invalid: written.slice(0, 2_000) };
  if (!url.startsWith('http:') && !url.startsWith('https:')) return { skip: true };
  return { url };
}

/** One candidate of a srcset attribute: its URL and its descriptor ("2x", "800w", or "" for none). */
export interface SrcsetCandidate {
  url: string;
  descriptor: string;
}

/**
 * The candidates of a `srcset` (img, or source inside picture), as the HTML standard parses them: URLs are runs of
 * non-space characters (they may contain commas: a trailing comma ends the candidate), descriptors run to the next
 * comma outside parentheses.
 */
export function parseSrcset(value: string): SrcsetCandidate[] {
  const out: SrcsetCandidate[] = [];
  const s = value;
  let i = 0;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
  while (i < s.length && out.length < 100) {
    while (i < s.length && (isSpace(s[i]) || s[i] === ',')) i++;
    if (i >= s.length) break;
    let j = i;
    while (j < s.length && !isSpace(s[j])) j++;
    let url = s.slice(i, j);
    i = j;
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      let depth = 0;
      let k = i;
      while (k < s.length && (depth > 0 || s[k] !== ',')) {
        if (s[k] === '(') depth++;
        else if (s[k] === ')' && depth > 0) depth--;
        k++;
      }
      descriptor = s.slice(i, k).replace(/\s+/g, ' ').trim();
      i = k + 1;
    }
    if (url) out.push({ url, descriptor });
  }
  return out;
}

/**
 * The target of a `<meta http-equiv="refresh" content="…">` (the standard's declarative refresh: "0; url=/new.html",
 * "3;URL='x.html'", "0, x.html"), with its delay in seconds; null when it only reloads the page (no URL).
 */
export function parseMetaRefresh(content: string | undefined): { delay: number; url: string } | null {
  if (!content) return null;
  const m = /^\s*(\d+)(?:\.[\d.]*)?\s*(?:[;,]\s*)?(.*)$/s.exec(content);
  if (!m) return null;
  let rest = m[2].trim();
  const named = /^url\s*=\s*/i.exec(rest);
  if (named) rest = rest.slice(named[0].length);
  else if (!rest) return null;
  const q = rest[0];
  if (q === '"' || q === "'") {
    const end = rest.indexOf(q, 1);
    rest = end < 0 ? rest.slice(1) : rest.slice(1, end);
  }
  rest = rest.trim();
  return rest ? { delay: Number(m[1]), url: rest } : null;
}

/** The base URL of a document: <base href> when present and valid, else the page URL. */
export function documentBase($: CheerioAPI, pageUrl: string): string {
  const b = elementsNamed($, 'base').find((el) => el.attribs.href !== undefined)?.attribs.href;
  if (b) {
    try {
      return new URL(b.trim(), pageUrl).href;
    } catch {
      /* ignore a broken <base> */
    }
  }
  return pageUrl;
}

function classify(tag: string, u: UrlParts | null, rel?: string): LinkKind {
  const ext = u ? extensionOf(u) : '';
  if (ATTACHMENT_EXT.has(ext)) return 'attachment';
  switch (tag) {
    case 'a':
    case 'area':
    case 'meta':
      if (MEDIA_EXT.has(ext)) return 'media';
      if (IMAGE_EXT.has(ext)) return 'img';
      return 'a';
    case 'img':
    case 'srcset':
      return 'img';
    case 'script':
      return 'script';
    case 'link':
      return rel && /icon/i.test(rel) ? 'img' : 'link';
    case 'iframe':
    case 'frame':
      return 'iframe';
    case 'form':
      return 'form';
    case 'video':
    case 'audio':
    case 'source':
    case 'embed':
      return 'media';
    default:
      return 'other';
  }
}

/** Text of an element's subtree (for anchor text), bounded. */
function textOf(node: AnyNode, limit = 400): string {
  let out = '';
  const stack: AnyNode[] = [node];
  while (stack.length && out.length < limit) {
    const n = stack.pop()!;
    if (n.type === 'text') out += (n as unknown as { data: string }).data;
    else if (n.type === 'tag') {
      const kids = (n as Element).children;
      for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
    }
  }
  return out;
}

function firstImgAlt(node: Element): string {
  const stack: AnyNode[] = [...node.children];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type !== 'tag') continue;
    const el = n as Element;
    if (el.name === 'img' && el.attribs.alt) return el.attribs.alt;
    for (const k of el.children) stack.push(k);
  }
  return '';
}

/** Link-bearing attributes by tag. */
const SRC_TAGS = new Set(['img', 'script', 'iframe', 'frame', 'video', 'audio', 'source', 'embed']);
const SKIP_REL = /^(dns-prefetch|preconnect|prefetch|preload|canonical|alternate|search|manifest)$/i;

/**
 * Every outgoing reference of a page: a/area href, img src and every srcset candidate (img, and source inside
 * picture), script src, link href (stylesheet, icon), iframe/frame src, GET form action, media sources, and the
 * target of a meta refresh. One entry per (target, kind); the first anchor text wins, and a reference counts as
 * "in footer" when any occurrence is. A reference that is no URL at all (`http://`, `http://exa mple`) is kept with
 * the href as written as its target: the link checker reports it as `invalid-url`. One walk over the tree (the
 * crawler's hot path).
 *
 * Not extracted, on purpose: link rel canonical / alternate / prefetch / preconnect / manifest (hints for search engines
 * and browsers, not something a visitor opens), JSON-LD and Open Graph / Twitter-card images in <meta> (read by
 * crawlers and social networks, never shown on the page) — see docs/architecture.md.
 */
export function extractLinks($: CheerioAPI, pageUrl: string, charset?: string): LinkRef[] {
  const footers = new Set<AnyNode>(footerElements($));
  // One walk collects raw references (and a <base href>); they are resolved afterwards against the base.
  const raw: { tag: string; ref: string; text: string; foot: boolean; rel?: string; via?: string }[] = [];
  let baseHref: string | undefined;
  // Iterative walk (deep trees must not overflow the stack); each entry carries "inside the footer".
  const stack: [AnyNode, boolean][] = [[$.root()[0] as AnyNode, false]];
  while (stack.length) {
    const [node, parentFoot] = stack.pop()!;
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'root') continue;
    const el = node as Element;
    const foot = parentFoot || footers.has(node);
    if (node.type !== 'root') {
      const name = el.name;
      const a = el.attribs;
      if ((name === 'a' || name === 'area') && a.href !== undefined) {
        let text = normText(textOf(el));
        if (!text) text = normText(a.title ?? firstImgAlt(el));
        raw.push({ tag: name, ref: a.href, text, foot });
      } else if (SRC_TAGS.has(name) && (a.src !== undefined || a.srcset !== undefined)) {
        const text = name === 'img' ? normText(a.alt ?? a.title ?? '') : name === 'iframe' || name === 'frame' ? normText(a.title ?? '') : '';
        if (a.src !== undefined) raw.push({ tag: name, ref: a.src, text, foot });
        // srcset: every candidate is an image a browser may load (a high-density screen, a wide window).
        if (a.srcset !== undefined && (name === 'img' || name === 'source')) {
          const inPicture = name === 'source' && (el.parent as Element | null)?.name === 'picture';
          if (name === 'img' || inPicture) {
            const alt = name === 'img' ? text : normText(firstImgAlt(el.parent as Element));
            const where = name === 'img' ? 'srcset' : `picture source${a.type ? ` (${a.type})` : ''}${a.media ? ` [${a.media}]` : ''} srcset`;
            for (const c of parseSrcset(a.srcset)) raw.push({ tag: 'srcset', ref: c.url, text: alt, foot, via: c.descriptor ? `${where} ${c.descriptor}` : where });
          }
        }
      } else if (name === 'meta' && a.content !== undefined && (a['http-equiv'] ?? '').trim().toLowerCase() === 'refresh') {
        const r = parseMetaRefresh(a.content);
        if (r) raw.push({ tag: 'meta', ref: r.url, text: '', foot, via: `meta refresh (${r.delay}s)` });
      } else if (name === 'link' && a.href !== undefined) {
        const rel = (a.rel ?? '').trim();
        if (!SKIP_REL.test(rel)) raw.push({ tag: 'link', ref: a.href, text: '', foot, rel });
      } else if (name === 'form' && a.action !== undefined) {
        if ((a.method ?? 'get').toLowerCase() === 'get') raw.push({ tag: 'form', ref: a.action, text: '', foot });
      } else if (name === 'base' && a.href !== undefined && baseHref === undefined) {
        baseHref = a.href;
      }
    }
    const kids = el.children;
    if (kids) for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k], foot]);
  }
  let base = pageUrl;
  if (baseHref) {
    try {
      base = new URL(baseHref.trim(), pageUrl).href;
    } catch {
      /* ignore a broken <base> */
    }
  }
  const out = new Map<string, LinkRef>();
  const self = pageUrl.replace(/#.*$/, '');
  for (const r of raw) {
    const res = resolveRef(r.ref, base, charset);
    if ('skip' in res) continue;
    const abs = 'url' in res ? res.url : res.invalid;
    // A refresh of the page itself is a reload, not a link.
    if (r.tag === 'meta' && abs === self) continue;
    const kind = classify(r.tag, 'url' in res ? urlParts(abs) : null, r.rel);
    const key = kind + ' ' + abs;
    const prev = out.get(key);
    if (prev) {
      if (!prev.text && r.text) prev.text = r.text.slice(0, 200);
      if (r.foot) prev.inFooter = true;
      continue;
    }
    const link: LinkRef = { target: abs, kind, text: r.text.slice(0, 200), inFooter: r.foot };
    if (r.via) link.via = r.via;
    out.set(key, link);
  }
  return [...out.values()];
}
