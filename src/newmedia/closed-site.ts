/**
 * What a website registered as closed (已关停 / 已报关停) does when it is requested, for the 集约整合 row
 * (网站已报关停未关停，或关停后内容未迁移至上级网站). Pure: a fetched response in, a state out.
 *
 *   still-open            it answers with its own content (not a notice, not an error page) → 已报关停未关停
 *   redirected            it redirects to the parent site (the audited unit's site or the registered 迁移至)
 *   notice                it shows a closure / migration notice (已关停, 已迁移至, 已整合至 …)
 *   gone                  nothing there (DNS, refused, 404/410, an error or server default page) and no notice
 *                         → content not shown to have moved; a proposal a reviewer confirms
 *   redirected-elsewhere  it redirects to another site (maybe the merged unit's): a person decides
 *   unverified            the answer says nothing for sure (timeout, reset, 5xx, WAF, budget)
 */
import { loadHtml, normText } from '../analyze/dom.ts';
import { bodyOrRoot, elementsNamed, firstNamed, textContent } from '../analyze/walk.ts';
import { softErrorReason } from '../collect/soft404.ts';
import { siteUrlKey } from './normalize.ts';

export type ClosedSiteState = 'still-open' | 'redirected' | 'notice' | 'gone' | 'redirected-elsewhere' | 'unverified';

export interface ClosedSiteResponse {
  ok: boolean;
  status?: number;
  error?: string;
  finalUrl?: string;
  redirects?: string[];
  contentType?: string;
  text?: string;
}

export interface ClosedSiteVerdict {
  state: ClosedSiteState;
  /** Chinese, for the finding's detail and the dashboard. */
  detail: string;
  finalUrl?: string;
  status?: number;
  title?: string;
  /** A little of the page's text (evidence). */
  snippet?: string;
}

const NOTICE = /(已|现已|正式|停止|暂停)?(关停|关闭|停止运行|停止运维|停止更新|不再更新|已下线|下线)|(迁移|整合|并入|转移)(至|到)|已(迁移|整合|并入)|网站(已|现已)?(关停|关闭|整合)/;
const SERVER_DEFAULT = /welcome to nginx|it works!|iis windows server|apache2? (ubuntu |debian )?default page|test page for|网站建设中|正在建设中|域名(已)?(过期|停放|出售)|this domain/i;

function hostOf(u: string | undefined): string {
  if (!u) return '';
  try {
    return new URL(u).host.toLowerCase().replace(/^www\./, '');
  } catch {
    return '';
  }
}

/** Does `url` lie on one of the parent sites (same host, any path — 青山市政府网站/lyj/ counts)? */
function onParent(url: string | undefined, parents: string[]): boolean {
  const h = hostOf(url);
  return !!h && parents.some((p) => hostOf(p) === h);
}

export function classifyClosedSite(site: { url: string; parents: string[] }, r: ClosedSiteResponse): ClosedSiteVerdict {
  const parents = site.parents.filter(Boolean);
  const base = { ...(r.finalUrl ? { finalUrl: r.finalUrl } : {}), ...(r.status ? { status: r.status } : {}) };
  const redirected = !!r.finalUrl && siteUrlKey(r.finalUrl) !== siteUrlKey(site.url) && hostOf(r.finalUrl) !== hostOf(site.url);
  if (redirected && onParent(r.finalUrl, parents)) {
    return { state: 'redirected', detail: `已跳转至上级网站 ${r.finalUrl}`, ...base };
  }
  if (!r.ok && r.status === undefined) {
    const e = r.error ?? 'error';
    if (/^(dns|refused|ENOTFOUND|ECONNREFUSED|invalid-url)/i.test(e)) {
      return { state: 'gone', detail: `网站已无法访问（${e === 'dns' ? '域名无法解析' : e === 'refused' ? '拒绝连接' : e}），未见跳转或迁移公告，无法确认内容已迁移至上级网站`, ...base };
    }
    return { state: 'unverified', detail: `访问失败（${e}），无法判断是否已关停`, ...base };
  }
  const status = r.status ?? 0;
  if (status === 404 || status === 410) {
    return { state: 'gone', detail: `网站返回 HTTP ${status}，未见跳转或迁移公告，无法确认内容已迁移至上级网站`, ...base };
  }
  if (status >= 500 || status === 403 || status === 401 || status === 412 || status === 429 || status === 0) {
    return { state: 'unverified', detail: `网站返回 HTTP ${status}，无法判断是否已关停`, ...base };
  }
  if (status >= 400) return { state: 'gone', detail: `网站返回 HTTP ${status}，未见跳转或迁移公告`, ...base };
  const html = r.text ?? '';
  let title = '';
  let text = '';
  let links: string[] = [];
  try {
    const $ = loadHtml(html);
    title = normText(textContent(firstNamed($, 'title')));
    text = normText(bodyOrRoot($).map((n) => textContent(n)).join(' ').replace(/<[^>]+>/g, ' '));
    links = elementsNamed($, 'a')
      .map((a) => a.attribs.href)
      .filter((h): h is string => !!h)
      .map((h) => {
        try {
          return new URL(h, r.finalUrl ?? site.url).href;
        } catch {
          return '';
        }
      })
      .filter(Boolean);
  } catch {
    /* unreadable: treated as empty */
  }
  // A meta refresh or script redirect to the parent counts as a redirect.
  const refresh = /<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d+\s*;\s*url\s*=\s*([^"'>\s]+)/i.exec(html)?.[1] ?? /(?:window\.|document\.|top\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']/.exec(html)?.[1];
  if (refresh) {
    let target = '';
    try {
      target = new URL(refresh, r.finalUrl ?? site.url).href;
    } catch {
      /* ignore */
    }
    if (onParent(target, parents)) return { state: 'redirected', detail: `页面自动跳转至上级网站 ${target}`, ...base, ...(title ? { title } : {}) };
  }
  const snippet = text.slice(0, 160);
  const soft = softErrorReason(html);
  const noticeText = `${title} ${text.slice(0, 2000)}`;
  if (NOTICE.test(noticeText) && text.length < 3000) {
    const toParent = links.find((l) => onParent(l, parents));
    return {
      state: 'notice',
      detail: `网站显示关停或迁移公告${toParent ? `，并链接至上级网站 ${toParent}` : ''}`,
      ...base,
      ...(title ? { title } : {}),
      snippet,
    };
  }
  if (redirected) {
    return { state: 'redirected-elsewhere', detail: `跳转至其他网站 ${r.finalUrl}（不是登记的上级网站），需人工确认内容是否已迁移`, ...base, ...(title ? { title } : {}), snippet };
  }
  if (soft || SERVER_DEFAULT.test(noticeText) || text.length < 40) {
    return { state: 'gone', detail: `网站只返回${soft ? '错误页面' : text.length < 40 ? '空白页面' : '服务器默认页面'}，未见跳转或迁移公告，无法确认内容已迁移至上级网站`, ...base, ...(title ? { title } : {}), snippet };
  }
  return {
    state: 'still-open',
    detail: `登记为关停的网站仍可访问并显示内容（HTTP ${status}${title ? `，标题「${title.slice(0, 40)}」` : ''}，${links.length} 个链接）`,
    ...base,
    ...(title ? { title } : {}),
    snippet,
  };
}
