import type { CheerioAPI } from 'cheerio';
import { loadHtml } from '../dom.ts';
import { elementsNamed, textContent } from '../walk.ts';

/**
 * The data requests a list page makes itself, read from its inline scripts: a Hanweb `dataproxy` POST
 * (`dataproxy_mailpublist.do?startrecord=1&endrecord=60&perpage=20`, body from the script's params) or a JSON URL
 * (`/api/letters?page=1`, `list.json`). govsite calls the same endpoint the page calls, with the page's own parameters.
 */

export interface DataEndpoint {
  kind: 'hanweb' | 'json';
  /** Absolute URL without paging parameters for Hanweb; as written for JSON. */
  url: string;
  method: 'GET' | 'POST';
  /** application/x-www-form-urlencoded body (POST). */
  body?: string;
  /** Records per request (Hanweb perpage × pages per load, JSON page size) when known. */
  perPage?: number;
  /** Hanweb: records loaded per request (perpage × 3 by default). */
  perLoad?: number;
  /** JSON: the page parameter and its first value. */
  pageParam?: { name: string; first: number };
  /** JSON: detail page address with `{id}` for the record id, when the script builds one. */
  detailTemplate?: string;
  /** The script text it was read from (at most 200 characters). */
  snippet: string;
}

function abs(href: string, base: string): string | undefined {
  try {
    const u = new URL(href.trim(), base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return u.href;
  } catch {
    return undefined;
  }
}

/** Simple `key: 'value'` / `key: value` pairs of the first object literal after `name:` or `name =`. */
function objectLiteral(script: string, names: string[]): Record<string, string> | undefined {
  for (const name of names) {
    const re = new RegExp(`\\b${name}\\s*[:=]\\s*\\{([^{}]{0,4000})\\}`, 'i');
    const m = re.exec(script);
    if (!m) continue;
    const out: Record<string, string> = {};
    const pr = /['"]?([A-Za-z_$][\w$]*)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?|true|false))/g;
    let p: RegExpExecArray | null;
    while ((p = pr.exec(m[1]))) out[p[1]] = p[2] ?? p[3] ?? p[4] ?? '';
    if (Object.keys(out).length) return out;
  }
  return undefined;
}

function scriptsOf($: CheerioAPI): string[] {
  return elementsNamed($, 'script')
    .filter((s) => !s.attribs?.src)
    .map((s) => textContent(s).slice(0, 500_000));
}

const JSON_URL_RE = /['"]((?:https?:\/\/|\/|\.\.?\/)?[\w./%-]*(?:\.json|\/api\/[\w./-]*|[lL]ist\.(?:do|action|jsp|php|aspx)|\/(?:getList|queryList|pubList|letterList|list)(?:\.\w+)?)(?:\?[^'"\s]*)?)['"]/g;

export function findDataEndpoints(html: string, pageUrl: string): DataEndpoint[] {
  let $: CheerioAPI;
  try {
    $ = loadHtml(html ?? '');
  } catch {
    return [];
  }
  const out: DataEndpoint[] = [];
  const seen = new Set<string>();
  for (const script of scriptsOf($)) {
    // Hanweb dataproxy.
    const hm = /['"]([^'"\s]*dataproxy[^'"\s]*)['"]/i.exec(script);
    if (hm) {
      const url = abs(hm[1].split('?')[0], pageUrl);
      if (url && !seen.has(url)) {
        seen.add(url);
        const per = /\bperpage\s*[:=]\s*['"]?(\d{1,4})/i.exec(script) ?? /[?&]perpage=(\d{1,4})/i.exec(hm[1]);
        const perPage = per ? Number(per[1]) : 20;
        const endm = /[?&]endrecord=(\d{1,5})/i.exec(hm[1]);
        const perLoad = endm ? Number(endm[1]) : perPage * 3;
        const params = objectLiteral(script, ['params', 'data', 'param', 'postData']) ?? {};
        // The Hanweb list page also passes its own query (sysid=…) to the proxy.
        try {
          for (const [k, v] of new URL(pageUrl).searchParams) if (!(k in params)) params[k] = v;
        } catch {
          /* ignore */
        }
        const body = new URLSearchParams(params).toString();
        out.push({ kind: 'hanweb', url, method: 'POST', body, perPage, perLoad, snippet: script.slice(Math.max(0, hm.index - 60), hm.index + 140).replace(/\s+/g, ' ') });
      }
    }
    JSON_URL_RE.lastIndex = 0;
    let m: RegExpExecArray | null;
    let guard = 0;
    while ((m = JSON_URL_RE.exec(script)) && guard++ < 50) {
      const raw = m[1];
      if (/dataproxy|\.js(?:\?|$)|\.css(?:\?|$)/i.test(raw)) continue;
      const url = abs(raw, pageUrl);
      if (!url || seen.has(url)) continue;
      seen.add(url);
      const around = script.slice(Math.max(0, m.index - 300), m.index + 400);
      const method = /(?:type|method)\s*:\s*['"]post['"]/i.test(around) ? 'POST' : 'GET';
      let pageParam: DataEndpoint['pageParam'];
      try {
        for (const [k, v] of new URL(url).searchParams) {
          if (/^(?:page|pageno|pagenum|pageindex|currentpage|curpage|pn|p)$/i.test(k) && /^\d+$/.test(v)) pageParam = { name: k, first: Number(v) };
        }
      } catch {
        /* ignore */
      }
      const size = /\b(?:pageSize|pagesize|rows|limit|perPage|perpage)\s*[:=]\s*['"]?(\d{1,4})/.exec(around);
      const params = method === 'POST' ? objectLiteral(around, ['data', 'params']) : undefined;
      const tpl = /['"]([^'"\s]*\?[^'"\s]*?(?:id|Id|ID)=)['"]\s*\+\s*[\w$]+(?:\.|\[['"])(\w+)/.exec(script);
      out.push({
        kind: 'json',
        url,
        method,
        body: params ? new URLSearchParams(params).toString() : undefined,
        perPage: size ? Number(size[1]) : undefined,
        pageParam,
        detailTemplate: tpl ? tpl[1] + '{id}' : undefined,
        snippet: around.replace(/\s+/g, ' ').slice(0, 200),
      });
    }
  }
  return out;
}

/** A Hanweb dataproxy request for records [start, start + perLoad). */
export function hanwebRequest(ep: DataEndpoint, start: number): { url: string; body: string } {
  const u = new URL(ep.url);
  const perPage = ep.perPage ?? 20;
  const perLoad = ep.perLoad ?? perPage * 3;
  u.searchParams.set('startrecord', String(start));
  u.searchParams.set('endrecord', String(start + perLoad - 1));
  u.searchParams.set('perpage', String(perPage));
  return { url: u.href, body: ep.body ?? '' };
}

/** The JSON endpoint's address for page n (counting from its first page). */
export function jsonPageUrl(ep: DataEndpoint, n: number): string {
  if (!ep.pageParam) return ep.url;
  const u = new URL(ep.url);
  u.searchParams.set(ep.pageParam.name, String(ep.pageParam.first + n - 1));
  return u.href;
}

/** Does the page fill its list by script (an empty list container with a data request or a template)? */
export function listByScript(html: string, pageUrl: string): boolean {
  if (findDataEndpoints(html, pageUrl).length) return true;
  return /\$\.(?:ajax|get|post|getJSON)\s*\(|fetch\s*\(|XMLHttpRequest|axios\.|new\s+Vue\s*\(|v-for=|ng-repeat|template\s+id=/i.test(html ?? '');
}
