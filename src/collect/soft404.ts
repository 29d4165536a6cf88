/**
 * Recognises error pages served with status 200 ("soft 404"). A soft 404 needs an error page's shape, not a number
 * in the text: the error message is the title (or a part of it: "页面不存在 - 某市人民政府", "404 Not Found"), or one
 * of the page's headings, or the page has little text besides the message. "404" inside ordinary text — an office
 * "404室", a bus "公交404路", a document number "〔2021〕404号", a list item "信息404", a query `?day=404` — is not an
 * error page, and neither is a page whose links say "404" or "Not Found": link texts are never read here (a short
 * homepage with such a link must not be taken for an error page and stop the audit).
 *
 * The scan is one linear pass over the first 300 KB (no backtracking regular expressions over the page: a hostile
 * page of unclosed comments or headings must not make it quadratic).
 */
const PHRASES = [
  '页面不存在', '您访问的页面不存在', '你访问的页面不存在', '访问的页面不存在', '找不到页面', '页面找不到', '页面未找到', '未找到页面',
  '无法找到该页', '页面已删除', '该页面已被删除', '信息不存在', '文章不存在', '内容不存在', '该信息已删除', '信息已被删除', '稿件不存在',
  '请求的页面不存在', '您要访问的页面不存在', '网页不存在', '页面无法访问', '抱歉，页面', '对不起，您访问的页面', '页面走丢了',
  'page not found', 'not found', '404 not found', 'file not found', 'the page you requested', 'page cannot be found',
];
const PHRASE_RE = new RegExp(PHRASES.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');

/** Path of an error page: /404.html, /error/, /notfound.jsp … */
export const ERROR_PATH_RE = /(^|\/)(404|40x|error|errors|notfound|not-found|not_found|nofound|nopage|page-not-found|pagenotfound)(\.[a-z]{2,5})?(\/|$)/i;

/** Words of an error message that a bare "404" on a short page must come with. */
const ERROR_WORDS = /不存在|找不到|未找到|走丢|无法访问|已删除|被删除|错误|出错|not\s*found|error/i;

/** Title, headings and the text outside links of a page, from one pass over its HTML. */
interface Scan {
  title: string;
  headings: string[];
  /** Text nodes outside links, scripts, styles and the title (each trimmed, non-empty). */
  texts: string[];
  textLength: number;
}

const RAW = new Set(['script', 'style', 'noscript', 'template', 'textarea', 'xmp']);
const HEADING = new Set(['h1', 'h2', 'h3']);
const TAG_NAME = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)/y;
/** Text beyond this is not needed: a page with more text is not "little else". */
const MAX_TEXT = 4_000;
const MAX_HEADINGS = 50;

function decodeEntities(s: string): string {
  return s.replace(/&nbsp;|&#160;|&#xa0;/gi, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

function scan(html: string): Scan {
  const lower = html.toLowerCase();
  const out: Scan = { title: '', headings: [], texts: [], textLength: 0 };
  let inLink = false;
  let inTitle = false;
  let heading: string[] | null = null;
  let i = 0;
  const addText = (raw: string) => {
    if (!raw || (!inTitle && (inLink || (!heading && out.textLength >= MAX_TEXT)))) return;
    const t = decodeEntities(raw).replace(/\s+/g, ' ').trim();
    if (!t) return;
    if (inTitle) out.title += (out.title ? ' ' : '') + t;
    else if (!inLink) {
      if (heading) heading.push(t);
      if (out.textLength < MAX_TEXT) {
        out.texts.push(t);
        out.textLength += t.length + 1;
      }
    }
  };
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    addText(html.slice(i, lt < 0 ? html.length : lt));
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const m = TAG_NAME.exec(html);
    const gt = html.indexOf('>', lt + 1);
    if (!m) {
      // "<" not starting a tag ("a < b", "<!DOCTYPE", "<?xml"): a declaration is skipped, a lone "<" is text.
      if (html[lt + 1] === '!' || html[lt + 1] === '?') i = gt < 0 ? html.length : gt + 1;
      else {
        addText('<');
        i = lt + 1;
      }
      continue;
    }
    if (gt < 0) break;
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    i = gt + 1;
    if (!closing && RAW.has(name)) {
      const end = lower.indexOf('</' + name, i);
      const close = end < 0 ? -1 : html.indexOf('>', end);
      i = close < 0 ? html.length : close + 1;
      continue;
    }
    if (name === 'a') inLink = !closing; // links do not nest: a new <a> closes the previous one
    else if (name === 'title') inTitle = !closing && !out.title;
    else if (HEADING.has(name)) {
      if (!closing && out.headings.length < MAX_HEADINGS) heading = [];
      else if (closing && heading) {
        const h = heading.join(' ').trim();
        if (h) out.headings.push(h);
        heading = null;
      }
    }
  }
  return out;
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

const STATUS_RE = /^(?:http(?:status)?)?(?:error|错误)?404(?:error|错误|notfound|pagenotfound|filenotfound|page|页面|页面不存在|页面未找到|找不到页面)?$/;

function bareOf(s: string): string {
  return s.replace(/[\s!！。.,，~～…()（）[\]【】]/g, '').toLowerCase();
}

/** A text node that is the status code: with its words ("404 Not Found", "Error 404") or bare ("404"). */
function statusCode(t: string): 'words' | 'bare' | null {
  const bare = bareOf(t);
  if (!STATUS_RE.test(bare)) return null;
  return bare === '404' ? 'bare' : 'words';
}

/**
 * Is this (a part of a title, heading or text) the status code as an error message: "404", "Error 404", "HTTP 404",
 * "404 Not Found", "404错误"? Not "信息404", "404室", "404号", "公交404路".
 */
function statusPart(s: string): boolean {
  for (const part of s.split(/\s*[-–—_|｜:：·]\s*|\s{2,}/)) {
    if (STATUS_RE.test(bareOf(part))) return true;
  }
  return false;
}

/** An error message as a whole title or heading. */
function errorHeading(s: string): boolean {
  return statusPart(s) || errorPart(s) !== null;
}

/** Returns the matched phrase (a reason) when the HTML is an error page, else null. */
export function softErrorReason(html: string): string | null {
  if (!html) return null;
  const head = html.length > 300_000 ? html.slice(0, 300_000) : html;
  // Most pages contain neither an error phrase nor "404": nothing below can match them.
  if (!head.includes('404') && !PHRASE_RE.test(head)) return null;
  const s = scan(head);
  if (errorHeading(s.title)) return `title: ${s.title.slice(0, 80)}`;
  const bad = s.headings.find(errorHeading);
  if (bad !== undefined) return `heading: ${bad.slice(0, 80)}`;
  // Little else on the page: its text (outside links) is short, and it is an error message — a sentence that is one
  // ("对不起，您访问的页面不存在！"), or the status code standing alone with error words ("404" … "页面找不到了").
  if (s.textLength >= 600) return null;
  const text = s.texts.join(' ');
  const sample = `text: ${text.slice(0, 80)}`;
  if (s.texts.some((t) => t.split(/[。！!？?；;]|\s{2,}/).some((sentence) => errorPart(sentence)))) return sample;
  for (const t of s.texts) {
    const code = statusCode(t);
    if (code === 'words' || (code === 'bare' && ERROR_WORDS.test(text))) return sample;
  }
  return null;
}
