import type { LinkResult } from '../model.ts';
import type { FetchResult } from './http.ts';
import { decodeBody } from './decode.ts';
import { ERROR_PATH_RE, softErrorReason } from './soft404.ts';

/**
 * The verdict on one fetched URL (ok, broken, unverified), shared by the link checker and the page processor.
 * No I/O and no HTTP client here: the store writer thread imports this without loading undici.
 */

/** Statuses that mean "we were not allowed to look", not "the link is broken". */
const UNVERIFIED_STATUS = new Set([401, 403, 407, 412, 418, 429, 451, 521, 999]);

export function isHtml(res: FetchResult): boolean {
  const ct = res.headers['content-type'] ?? '';
  return /html/i.test(ct) || ct === '';
}

/**
 * Turns a fetch into a link verdict. Exported: the crawler uses it for the pages it fetches anyway,
 * so a crawled page and a checked link are judged by the same rules.
 */
export function linkResultFromFetch(target: string, res: FetchResult, method: 'HEAD' | 'GET' | 'none', bodyText?: string): LinkResult {
  const lr = judge(target, res, method, bodyText);
  // A page that moved on by a meta refresh: say so (the verdict is on the page where the visitor lands).
  if (res.metaRefresh?.length) lr.detail += ` (after a meta refresh from ${res.metaRefresh.join(' → ')})`;
  return lr;
}

function judge(target: string, res: FetchResult, method: 'HEAD' | 'GET' | 'none', bodyText?: string): LinkResult {
  const base = {
    target,
    method,
    finalUrl: res.finalUrl,
    redirects: res.redirects,
    checkedAt: res.startedAt,
    ms: res.totalMs,
    ...(res.status !== null ? { status: res.status } : {}),
    ...(res.notices?.length ? { notices: res.notices } : {}),
  };
  if (res.error) {
    return { ...base, outcome: 'broken', error: res.error, detail: res.errorDetail ?? res.error };
  }
  const status = res.status ?? 0;
  if (UNVERIFIED_STATUS.has(status) || (status === 503 && res.headers['retry-after'])) {
    return { ...base, outcome: 'unverified', error: `http-${status}`, detail: `HTTP ${status}: access refused or rate-limited (WAF / login), not judged` };
  }
  if (status >= 400) return { ...base, outcome: 'broken', error: `http-${status}`, detail: `HTTP ${status}` };
  if (status >= 300) return { ...base, outcome: 'broken', error: 'bad-redirect', detail: `HTTP ${status} without a usable Location` };
  if (res.redirects.length > 0) {
    try {
      const finalPath = new URL(res.finalUrl).pathname;
      if (ERROR_PATH_RE.test(finalPath)) {
        return { ...base, outcome: 'broken', error: 'soft-404', detail: `redirected to an error page ${res.finalUrl}` };
      }
    } catch {
      /* finalUrl is always valid here */
    }
  }
  if (method === 'GET' && (res.body.length > 0 || bodyText) && isHtml(res)) {
    const text = bodyText ?? decodeBody(res.body, res.headers['content-type']).text;
    const reason = softErrorReason(text);
    if (reason) return { ...base, outcome: 'broken', error: 'soft-404', detail: `status ${status} but an error page (${reason})` };
  }
  return { ...base, outcome: 'ok', detail: `HTTP ${status}` };
}
