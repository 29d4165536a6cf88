/**
 * Recognises error pages served with status 200 ("soft 404"). Only the title, the main headings and short
 * pages are examined: an article that merely mentions "404" must not be mistaken for an error page.
 */
const PHRASES = [
  '页面不存在', '您访问的页面不存在', '你访问的页面不存在', '访问的页面不存在', '找不到页面', '页面找不到', '页面未找到', '未找到页面',
  '无法找到该页', '页面已删除', '该页面已被删除', '信息不存在', '文章不存在', '内容不存在', '该信息已删除', '信息已被删除', '稿件不存在',
  '请求的页面不存在', '您要访问的页面不存在', '网页不存在', '页面无法访问', '抱歉，页面', '对不起，您访问的页面',
  'page not found', 'not found', '404 not found', 'file not found', 'the page you requested', 'page cannot be found',
];
const PHRASE_RE = new RegExp(PHRASES.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');

/** Path of an error page: /404.html, /error/, /notfound.jsp … */
export const ERROR_PATH_RE = /(^|\/)(404|40x|error|errors|notfound|not-found|not_found|nofound|nopage|page-not-found|pagenotfound)(\.[a-z]{2,5})?(\/|$)/i;

function stripTags(s: string): string {
  return s.replace(/<script[\s\S]*?<\/script>/gi, ' ').replace(/<style[\s\S]*?<\/style>/gi, ' ').replace(/<!--[\s\S]*?-->/g, ' ').replace(/<[^>]+>/g, ' ').replace(/&nbsp;|\s+/g, ' ').trim();
}

/**
 * A part of a title or heading (split at the separators of "页面不存在 - 某市人民政府") that is an error message: the
 * phrase with little around it ("对不起，您访问的页面不存在或已被删除！"). A phrase inside a longer title is an article
 * about something else: "关于某企业信息不存在虚假情况的公示" is not an error page.
 */
function errorPart(s: string): string | null {
  for (const part of s.split(/\s*[-–—_|｜:：·]\s*|\s{2,}/)) {
    const m = PHRASE_RE.exec(part);
    if (m && part.replace(/[\s!！。.，,~～…]/g, '').length <= m[0].replace(/\s/g, '').length + 12) return part;
  }
  return null;
}

/** Returns the matched phrase (a reason) when the HTML is an error page, else null. */
export function softErrorReason(html: string): string | null {
  if (!html) return null;
  const head = html.length > 300_000 ? html.slice(0, 300_000) : html;
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(head)?.[1] ?? '';
  const t = stripTags(title);
  if (/^\s*404\b|\b404\s*$|\b404\s*[-–—|:：]/.test(t) || errorPart(t)) return `title: ${t.slice(0, 80)}`;
  const headings = [...head.matchAll(/<h[1-3][^>]*>([\s\S]*?)<\/h[1-3]>/gi)].map((m) => stripTags(m[1]));
  const bad = headings.find((h) => /^\s*404\s*$/.test(h) || errorPart(h));
  if (bad !== undefined) return `heading: ${bad.slice(0, 80)}`;
  // Most pages contain neither an error phrase nor "404": skip stripping their tags.
  if (!PHRASE_RE.test(head) && !head.includes('404')) return null;
  const text = stripTags(head);
  if (text.length >= 600) return null;
  // A short page: "404" standing alone, a tiny English server page ("404 Not Found nginx"), or a sentence that is an
  // error message (not an article title that contains the words).
  if (/(^|\s)404(\s|$)/.test(text) || (text.length < 200 && /not found|cannot be found/i.test(text))) return `text: ${text.slice(0, 80)}`;
  if (text.split(/[。！!？?；;]|\s+/).some((sentence) => errorPart(sentence))) return `text: ${text.slice(0, 80)}`;
  return null;
}
