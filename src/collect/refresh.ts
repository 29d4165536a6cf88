import type { FetchResult } from './http.ts';
import { decodeBody } from './decode.ts';
import { parseMetaRefresh, resolveUrl } from './links.ts';

/**
 * A page that moves the visitor on with `<meta http-equiv="refresh" content="0; url=…">` is, for the visitor, a
 * redirect: the crawler and the link checker follow it as a redirect hop (the chain is recorded in `redirects`, the
 * refreshing pages in `metaRefresh`), so a link to a page that refreshes to a missing page is a broken link, and a
 * homepage that refreshes to the real portal is audited where it lands. A refresh that waits longer than
 * REFRESH_HOP_MAX_DELAY seconds shows its own page first: it is not followed here, its target is checked as a link of
 * the page (extractLinks).
 */

/** Meta refreshes followed in one chain at most (a refresh loop ends as `redirect-loop`). */
export const MAX_REFRESH_HOPS = 5;
/** Seconds: a refresh waiting up to this long is a redirect page ("正在跳转…"). */
export const REFRESH_HOP_MAX_DELAY = 5;
/** Bytes of the body searched for the meta element (it belongs in <head>). */
const SCAN_BYTES = 32 * 1024;

const META_TAG = /<meta\b[^>]*>/gi;
const ATTR = /([^\s"'=<>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g;

function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  ATTR.lastIndex = 0;
  for (let m = ATTR.exec(tag); m; m = ATTR.exec(tag)) {
    const name = m[1].toLowerCase();
    if (!out.has(name)) out.set(name, m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

const decodeEntities = (s: string) => s.replace(/&amp;/gi, '&').replace(/&quot;/gi, '"').replace(/&#39;|&apos;/gi, "'");

/** The target of the response's meta refresh (absolute), with its delay; null when there is none or it reloads the page. */
export function metaRefreshOf(res: FetchResult): { url: string; delay: number } | null {
  if (res.error || res.status === null || res.status < 200 || res.status >= 300 || res.body.length === 0) return null;
  const ct = (res.headers['content-type'] ?? '').toLowerCase();
  if (ct && !ct.includes('html')) return null;
  const head = res.body.subarray(0, SCAN_BYTES);
  if (!/http-equiv\s*=\s*["']?\s*refresh/i.test(head.toString('latin1'))) return null;
  const decoded = decodeBody(head, res.headers['content-type']);
  const html = decoded.text;
  META_TAG.lastIndex = 0;
  for (let m = META_TAG.exec(html); m; m = META_TAG.exec(html)) {
    const a = attributes(m[0]);
    if ((a.get('http-equiv') ?? '').trim().toLowerCase() !== 'refresh') continue;
    const r = parseMetaRefresh(decodeEntities(a.get('content') ?? ''));
    if (!r) return null;
    const url = resolveUrl(r.url, res.finalUrl, decoded.charset);
    if (!url || url === res.finalUrl.replace(/#.*$/, '')) return null;
    return { url, delay: r.delay };
  }
  return null;
}

/**
 * Follows quick meta refreshes of a fetched page as redirect hops: the result is the page where the visitor lands,
 * with `url` and `startedAt` of the first request, the whole chain in `redirects` and the refreshing pages in
 * `metaRefresh`. A response without a quick refresh comes back unchanged.
 */
export async function followMetaRefresh(res: FetchResult, fetch: (url: string) => Promise<FetchResult>): Promise<FetchResult> {
  let cur = res;
  const visited = new Set<string>([res.url, ...res.redirects, res.finalUrl]);
  for (let hop = 0; hop < MAX_REFRESH_HOPS; hop++) {
    const r = metaRefreshOf(cur);
    if (!r || r.delay > REFRESH_HOP_MAX_DELAY) return cur;
    const redirects = [...cur.redirects, cur.finalUrl];
    const metaRefresh = [...(cur.metaRefresh ?? []), cur.finalUrl];
    if (visited.has(r.url)) {
      return {
        ...cur, finalUrl: r.url, redirects, metaRefresh, status: cur.status, body: Buffer.alloc(0), bytes: 0, truncated: false,
        error: 'redirect-loop', errorDetail: `meta refresh loop via ${r.url}`,
      };
    }
    const next = await fetch(r.url);
    for (const u of [...next.redirects, next.finalUrl]) visited.add(u);
    cur = {
      ...next,
      url: res.url,
      redirects: [...redirects, ...next.redirects],
      metaRefresh,
      headersMs: cur.headersMs,
      totalMs: cur.totalMs + next.totalMs,
      startedAt: res.startedAt,
    };
  }
  return cur;
}
