import type { CheerioAPI } from 'cheerio';
import { createRequire } from 'node:module';
import type { AnyNode, Element } from 'domhandler';
import type { LinkKind, LinkRef } from '../model.ts';
import { footerElements } from '../analyze/footer.ts';
import { normText } from '../analyze/dom.ts';
import { elementsNamed } from '../analyze/walk.ts';

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

export function extensionOf(u: URL): string {
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
  if (!raw) return null;
  // Browsers strip leading/trailing ASCII whitespace and remove tabs/newlines inside URLs.
  let href = raw.replace(/[\t\n\r]/g, '').trim();
  if (!href || href.startsWith('#') || SKIP_SCHEME.test(href)) return null;
  if (charset && LEGACY_QUERY_CHARSET.test(charset)) href = encodeLegacyQuery(href, charset);
  let u: URL;
  try {
    u = new URL(href, base);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.hash = '';
  return u.href;
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

function classify(tag: string, u: URL, rel?: string): LinkKind {
  const ext = extensionOf(u);
  if (ATTACHMENT_EXT.has(ext)) return 'attachment';
  switch (tag) {
    case 'a':
    case 'area':
      if (MEDIA_EXT.has(ext)) return 'media';
      if (IMAGE_EXT.has(ext)) return 'img';
      return 'a';
    case 'img':
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
 * Every outgoing reference of a page: a/area href, img src, script src, link href (stylesheet, icon),
 * iframe/frame src, GET form action, media sources. One entry per (target, kind); the first anchor text wins,
 * and a reference counts as "in footer" when any occurrence is. One walk over the tree (the crawler's hot path).
 */
export function extractLinks($: CheerioAPI, pageUrl: string, charset?: string): LinkRef[] {
  const footers = new Set<AnyNode>(footerElements($));
  // One walk collects raw references (and a <base href>); they are resolved afterwards against the base.
  const raw: { tag: string; ref: string; text: string; foot: boolean; rel?: string }[] = [];
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
      } else if (SRC_TAGS.has(name) && a.src !== undefined) {
        const text = name === 'img' ? normText(a.alt ?? a.title ?? '') : name === 'iframe' || name === 'frame' ? normText(a.title ?? '') : '';
        raw.push({ tag: name, ref: a.src, text, foot });
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
  for (const r of raw) {
    const abs = resolveUrl(r.ref, base, charset);
    if (!abs) continue;
    const kind = classify(r.tag, new URL(abs), r.rel);
    const key = kind + ' ' + abs;
    const prev = out.get(key);
    if (prev) {
      if (!prev.text && r.text) prev.text = r.text.slice(0, 200);
      if (r.foot) prev.inFooter = true;
      continue;
    }
    out.set(key, { target: abs, kind, text: r.text.slice(0, 200), inFooter: r.foot });
  }
  return [...out.values()];
}
