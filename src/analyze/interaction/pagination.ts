import type { CheerioAPI } from 'cheerio';
import { loadHtml, normText } from '../dom.ts';
import { elementsNamed, textContent } from '../walk.ts';
import { toHalfWidth } from '../dates.ts';
import { absoluteUrl } from '../links.ts';

/**
 * Pagination of a list page: the next-page link, the other page links, the totals the page states (共 123 条 /
 * 共 12 页 / totalRecord = 123), and the page parameter when the addresses follow one (page=N, pageNo=N,
 * startrecord=N, index_N.html from TRS createPageHTML). Pure; a page without pagination gives an empty answer.
 */

export interface Pagination {
  /** Absolute URL of the next page, when a link says so (下一页 / 下页 / ›). */
  next?: string;
  /** Other page links seen (absolute, in document order, without the current page). */
  pages: string[];
  totalRecords?: number;
  totalPages?: number;
  perPage?: number;
  /** Current page number (1-based) when shown. */
  current?: number;
  /** How to address page n: a query parameter, a record offset, or TRS static pages. */
  pattern?:
    | { kind: 'param'; param: string; firstIndex: number }
    | { kind: 'offset'; param: string; endParam?: string; perPage: number }
    | { kind: 'trs'; prefix: string; ext: string; count: number };
}

const NEXT_RE = /^(?:下一页|下页|后一页|下一頁|next|›|»|>|>>|＞)$/i;
const PAGE_PARAMS = ['page', 'pageno', 'pagenum', 'pageindex', 'currentpage', 'curpage', 'pn', 'p', 'pagenumber', 'page_no', 'page_index', 'cpage', 'pageid'];


function pageParamOf(url: string): { param: string; value: number } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  for (const [k, v] of u.searchParams) {
    if (PAGE_PARAMS.includes(k.toLowerCase()) && /^\d{1,6}$/.test(v)) return { param: k, value: Number(v) };
  }
  return undefined;
}

export function findPagination(html: string, pageUrl: string): Pagination {
  const out: Pagination = { pages: [] };
  let $: CheerioAPI;
  try {
    $ = loadHtml(html ?? '');
  } catch {
    return out;
  }
  const seen = new Set<string>([pageUrl]);
  for (const a of elementsNamed($, 'a')) {
    const href = a.attribs?.href ?? '';
    if (!href || /^(?:javascript:|#|mailto:)/i.test(href.trim())) continue;
    const text = normText(textContent(a) || a.attribs?.title || '');
    const url = absoluteUrl(href, pageUrl);
    if (!url) continue;
    if (!out.next && NEXT_RE.test(text.replace(/\s+/g, '')) && url !== pageUrl) out.next = url;
    const isNumber = /^\d{1,5}$/.test(text);
    if ((isNumber || NEXT_RE.test(text.replace(/\s+/g, '')) || /^(?:尾页|末页|最后一页|首页|上一页)$/.test(text)) && !seen.has(url)) {
      // 首页 (first page) links back to the list; keep only links that look like list pages.
      if (text === '首页' && new URL(url).pathname === '/') continue;
      seen.add(url);
      out.pages.push(url);
    }
  }
  const text = toHalfWidth(normText($.root().text())).slice(0, 500_000);
  const total = /共\s*[:：]?\s*(\d{1,7})\s*(?:条|封|件|个|项|篇)(?:记录|信件|留言|数据)?/.exec(text) ?? /(?:总记录数|记录总数|总条数|总数)\s*[:：]?\s*(\d{1,7})/.exec(text);
  if (total) out.totalRecords = Number(total[1]);
  const pages = /共\s*[:：]?\s*(\d{1,6})\s*页/.exec(text) ?? /第?\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*页/.exec(text);
  if (pages) {
    if (pages.length > 2 && pages[2]) {
      out.current = Number(pages[1]);
      out.totalPages = Number(pages[2]);
    } else out.totalPages = Number(pages[1]);
  }
  const cur = /当前\s*(?:第)?\s*(\d{1,6})\s*页/.exec(text);
  if (cur) out.current = Number(cur[1]);
  // Script variables (Hanweb, TRS, custom): totalRecord = 123; perpage: 20; createPageHTML(12, 0, "index", "html").
  const scripts = elementsNamed($, 'script').map((s) => textContent(s)).join('\n').slice(0, 2_000_000);
  const tr = /(?:totalRecord|totalrecord|totalCount|recordCount|total_record)\s*[=:]\s*['"]?(\d{1,7})/.exec(scripts);
  if (tr && out.totalRecords === undefined) out.totalRecords = Number(tr[1]);
  const pp = /(?:perpage|perPage|pageSize|pagesize|page_size)\s*[=:]\s*['"]?(\d{1,4})/.exec(scripts);
  if (pp) out.perPage = Number(pp[1]);
  const tp = /(?:totalPage|totalpage|pageCount|pagecount|countPage)\s*[=:]\s*['"]?(\d{1,6})/.exec(scripts);
  if (tp && out.totalPages === undefined) out.totalPages = Number(tp[1]);
  const trs = /createPageHTML\(\s*['"]?(\d{1,6})['"]?\s*,\s*['"]?(\d{1,6})['"]?\s*,\s*['"]([\w-]+)['"]\s*,\s*['"](\w+)['"]/.exec(scripts);
  if (trs) {
    out.pattern = { kind: 'trs', count: Number(trs[1]), prefix: trs[3], ext: trs[4] };
    out.totalPages ??= Number(trs[1]);
    out.current ??= Number(trs[2]) + 1;
    const n = Number(trs[2]);
    if (!out.next && n + 1 < Number(trs[1])) out.next = absoluteUrl(`${trs[3]}_${n + 1}.${trs[4]}`, pageUrl);
  }
  if (!out.pattern) {
    const own = pageParamOf(pageUrl);
    const linked = [out.next, ...out.pages].map((u) => (u ? pageParamOf(u) : undefined)).find(Boolean);
    const p = own ?? linked;
    if (p) out.pattern = { kind: 'param', param: p.param, firstIndex: 1 };
    else {
      const off = /[?&](startrecord|start|offset)=(\d+)/i.exec([out.next, ...out.pages, pageUrl].filter(Boolean).join(' '));
      if (off) out.pattern = { kind: 'offset', param: off[1], endParam: /endrecord=/i.test(pageUrl + (out.next ?? '')) ? 'endrecord' : undefined, perPage: out.perPage ?? 20 };
    }
  }
  if (out.totalPages === undefined && out.totalRecords !== undefined && out.perPage) out.totalPages = Math.ceil(out.totalRecords / out.perPage);
  return out;
}

/** The address of page n (1-based) under a pagination pattern, or undefined when the pattern is unknown. */
export function pageUrlFor(p: Pagination, listUrl: string, n: number): string | undefined {
  const pat = p.pattern;
  if (!pat || n < 1) return undefined;
  let u: URL;
  try {
    u = new URL(listUrl);
  } catch {
    return undefined;
  }
  if (pat.kind === 'trs') {
    if (n > pat.count) return undefined;
    const dir = u.pathname.replace(/[^/]*$/, '');
    u.pathname = dir + (n === 1 ? `${pat.prefix}.${pat.ext}` : `${pat.prefix}_${n - 1}.${pat.ext}`);
    u.search = '';
    return u.href;
  }
  if (pat.kind === 'param') {
    u.searchParams.set(pat.param, String(n - 1 + pat.firstIndex));
    return u.href;
  }
  const start = (n - 1) * pat.perPage + 1;
  u.searchParams.set(pat.param, String(start));
  if (pat.endParam) u.searchParams.set(pat.endParam, String(start + pat.perPage - 1));
  return u.href;
}
