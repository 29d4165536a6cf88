import type { PageObservation } from '../model.ts';
import { loadHtml } from './dom.ts';
import { allElements, textContent } from './walk.ts';

/**
 * Does a fetched page (the homepage above all) have anything to analyse? An empty 200, a page served with a type that
 * is not a web page (HTML labelled image/png: a browser shows a broken image, not the page) or an HTML document
 * without any text, link, image, script or frame gives the checks nothing to judge: the audit says so, the page is a
 * finding of its own (homepage-empty), and the verdicts that need the page are pending, never full marks.
 */

export type Emptiness =
  | { empty: false }
  | { empty: true; reason: 'empty-body' | 'not-html' | 'no-content'; detail: string; zh: string };

/** Elements that are content even without text (a script may draw the page, a frame holds it). */
const CONTENT_TAGS = new Set(['a', 'img', 'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'video', 'audio', 'canvas', 'svg', 'form', 'input', 'picture', 'area']);

/** The crawler's own test (isHtmlResponse): a declared type without "html" is not decoded as a page. */
function isHtmlType(ct: string): boolean {
  const t = ct.toLowerCase();
  return !t || t.includes('html');
}

/**
 * Why a run has no page to analyse (Chinese), or null when it has one: every page is empty or not a web page (in
 * practice: the homepage, with nothing linked from it). Checks that examine pages then examined nothing (not-run).
 */
export function nothingToAnalyse(ctx: { pages?: PageObservation[]; homepage?: PageObservation }): string | null {
  const pages = ctx.pages ?? [];
  if (pages.length === 0 && !ctx.homepage) return null; // nothing was loaded (unit contexts, stored runs without pages)
  if (pages.some((p) => p.status !== null && p.status >= 200 && p.status < 300 && !pageEmptiness(p).empty)) return null;
  const home = ctx.homepage ?? pages.find((p) => p.isHomepage);
  const e = home ? pageEmptiness(home) : undefined;
  return e?.empty ? `未读取到可分析的网页：首页${e.zh}` : '未读取到可分析的网页';
}

/** What a 2xx page gave to analyse. Pages with an error status are not judged here (they are not "empty"). */
export function pageEmptiness(page: PageObservation): Emptiness {
  if (page.status === null || page.status < 200 || page.status >= 300) return { empty: false };
  const ct = (page.contentType || page.headers?.['content-type'] || '').trim();
  const bytes = page.bytes ?? 0;
  if (!isHtmlType(ct)) {
    return {
      empty: true, reason: 'not-html', detail: `served as ${ct}, not as a web page (${bytes} bytes)`,
      zh: `以“${ct}”类型返回（不是网页，${bytes} 字节），浏览器无法作为网页显示`,
    };
  }
  const html = page.html ?? '';
  if (bytes === 0 || !html.trim()) {
    return { empty: true, reason: 'empty-body', detail: `HTTP ${page.status} with an empty body (${bytes} bytes)`, zh: `返回 HTTP ${page.status}，但内容为空（${bytes} 字节），浏览器中为空白页面` };
  }
  // Cheap: a page with a tag that carries content, or with visible words, is not empty.
  if (html.length > 4096) return { empty: false };
  const $ = loadHtml(html);
  const all = allElements($);
  if (all.some((el) => CONTENT_TAGS.has(el.name) || (el.name === 'meta' && /refresh/i.test(el.attribs['http-equiv'] ?? '')))) return { empty: false };
  const text = all
    .filter((el) => el.name === 'body' || el.name === 'html')
    .map((el) => textContent(el, 2_000))
    .join(' ')
    .replace(/[\s\u00a0\u3000]+/g, '');
  const loose = text || textContent($.root()[0], 2_000).replace(/[\s\u00a0\u3000]+/g, '');
  if (loose.length > 0) return { empty: false };
  return { empty: true, reason: 'no-content', detail: `an HTML document without text, links, images or scripts (${bytes} bytes)`, zh: `是空白网页：没有文字、链接、图片或脚本（${bytes} 字节）` };
}
