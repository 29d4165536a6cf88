import type { CheerioAPI } from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import type { LinkKind, LinkRef } from '../model.ts';
import { footerElements, inFooterPredicate } from '../analyze/footer.ts';
import { normText } from '../analyze/dom.ts';

/** Extensions that make a link an attachment (附件). */
export const ATTACHMENT_EXT = new Set([
  'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'pdf', 'wps', 'et', 'dps', 'ofd', 'txt', 'rtf', 'csv',
  'zip', 'rar', '7z', 'gz', 'tar', 'ceb', 'caj',
]);
const MEDIA_EXT = new Set(['mp4', 'mp3', 'flv', 'avi', 'wmv', 'mov', 'swf', 'wav', 'm4a', 'webm']);
const IMAGE_EXT = new Set(['jpg', 'jpeg', 'png', 'gif', 'bmp', 'webp', 'svg', 'ico', 'tif', 'tiff']);

/** Schemes we never fetch. */
const SKIP_SCHEME = /^(javascript|mailto|tel|sms|data|about|blob|file|ftp|vbscript|weixin|wx):/i;

export function extensionOf(u: URL): string {
  const m = /\.([a-z0-9]{1,5})$/i.exec(u.pathname);
  return m ? m[1].toLowerCase() : '';
}

/** Resolve an href against a base; returns null for unfetchable or malformed references. Fragment is dropped. */
export function resolveUrl(raw: string | undefined, base: string): string | null {
  if (!raw) return null;
  // Browsers strip leading/trailing ASCII whitespace and remove tabs/newlines inside URLs.
  const href = raw.replace(/[\t\n\r]/g, '').trim();
  if (!href || href.startsWith('#') || SKIP_SCHEME.test(href)) return null;
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
  const b = $('base[href]').first().attr('href');
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

/**
 * Every outgoing reference of a page: a/area href, img src, script src, link href (stylesheet, icon),
 * iframe/frame src, form action, media sources. One entry per (target, kind); the first anchor text wins,
 * and a reference counts as "in footer" when any occurrence is.
 */
export function extractLinks($: CheerioAPI, pageUrl: string): LinkRef[] {
  const base = documentBase($, pageUrl);
  const inFooter = inFooterPredicate(footerElements($));
  const out = new Map<string, LinkRef>();
  const add = (el: AnyNode, tag: string, raw: string | undefined, text: string, rel?: string) => {
    const abs = resolveUrl(raw, base);
    if (!abs) return;
    const kind = classify(tag, new URL(abs), rel);
    const key = kind + ' ' + abs;
    const foot = inFooter(el);
    const prev = out.get(key);
    if (prev) {
      if (!prev.text && text) prev.text = text;
      if (foot) prev.inFooter = true;
      return;
    }
    out.set(key, { target: abs, kind, text: text.slice(0, 200), inFooter: foot });
  };
  $('a[href], area[href]').each((_, el) => {
    const $el = $(el);
    let text = normText($el.text());
    if (!text) text = normText($el.attr('title') ?? $el.find('img').attr('alt') ?? '');
    add(el, (el as Element).name, $el.attr('href'), text);
  });
  $('img[src]').each((_, el) => {
    const $el = $(el);
    add(el, 'img', $el.attr('src'), normText($el.attr('alt') ?? $el.attr('title') ?? ''));
  });
  $('script[src]').each((_, el) => add(el, 'script', $(el).attr('src'), ''));
  $('link[href]').each((_, el) => {
    const rel = $(el).attr('rel') ?? '';
    if (/^(dns-prefetch|preconnect|canonical|alternate|search)$/i.test(rel.trim())) return;
    add(el, 'link', $(el).attr('href'), '', rel);
  });
  $('iframe[src], frame[src]').each((_, el) => add(el, (el as Element).name, $(el).attr('src'), normText($(el).attr('title') ?? '')));
  $('form[action]').each((_, el) => {
    const method = ($(el).attr('method') ?? 'get').toLowerCase();
    if (method !== 'get') return; // a POST endpoint is not a page to open
    add(el, 'form', $(el).attr('action'), '');
  });
  $('video[src], audio[src], source[src], embed[src]').each((_, el) => add(el, (el as Element).name, $(el).attr('src'), ''));
  return [...out.values()];
}
