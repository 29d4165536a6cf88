import { loadHtml } from '../dom.ts';
import { elementsNamed } from '../walk.ts';
import { resolveUrl } from '../links.ts';

/**
 * The JSON endpoint a platform page calls to fill itself (Hunan's guide page `guide.html?id=X` asks
 * `…/unifyTaskToWt/getUnifyTaskInfo?unifyId=X`): read from the page's scripts, as a URL literal ending in `param=` that
 * the script completes with the page's own parameter. Pure: the caller fetches the scripts (`scriptSources`) and
 * passes their text.
 */

/** External scripts of a page (absolute URLs, document order). */
export function scriptSources(html: string, pageUrl: string): string[] {
  const $ = loadHtml(html);
  const out: string[] = [];
  for (const s of elementsNamed($, 'script')) {
    const src = s.attribs?.src;
    if (!src) continue;
    const u = resolveUrl(src, pageUrl);
    if (u && !out.includes(u)) out.push(u);
  }
  return out;
}

/** Inline script text of a page (bounded). */
export function inlineScripts(html: string): string {
  const $ = loadHtml(html);
  return elementsNamed($, 'script')
    .filter((s) => !s.attribs?.src)
    .map((s) => (s.children ?? []).map((c) => (c as unknown as { data?: string }).data ?? '').join(''))
    .join('\n')
    .slice(0, 300_000);
}

const LIBRARY = /jquery|vue|react|angular|bootstrap|layui|echarts|swiper|polyfill|analytics|baidu|cnzz|hm\.js|jiucuo|conac|share/i;

/** Scripts worth reading for endpoints: same-site ones that are not well-known libraries. */
export function candidateScripts(srcs: string[], pageUrl: string, max = 4): string[] {
  let host = '';
  try {
    host = new URL(pageUrl).host;
  } catch {
    return [];
  }
  return srcs
    .filter((s) => {
      try {
        return new URL(s).host === host && !LIBRARY.test(s);
      } catch {
        return false;
      }
    })
    .slice(0, max);
}

/**
 * Endpoint URLs the scripts build from the page's parameters: a literal like '/api/getInfo?unifyId=' followed by `+`.
 * The value is the page's parameter of the same name, else the page's only parameter. Literals that need a value the
 * page does not carry are left out.
 */
export function scriptEndpoints(scriptText: string, pageUrl: string, max = 5): string[] {
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return [];
  }
  const params = [...page.searchParams.entries()].filter(([, v]) => v !== '');
  const out: string[] = [];
  const re = /(['"`])((?:https?:)?\/{1,2}[^'"`\s<>]{0,300}?[?&]([A-Za-z_][\w-]{0,40})=)\1\s*\+/g;
  let n = 0;
  for (let m = re.exec(scriptText); m && n < 200 && out.length < max; m = re.exec(scriptText), n++) {
    const literal = m[2];
    const name = m[3];
    const same = params.find(([k]) => k.toLowerCase() === name.toLowerCase());
    const value = same?.[1] ?? (params.length === 1 ? params[0][1] : undefined);
    if (value === undefined) continue;
    const u = resolveUrl(literal + encodeURIComponent(value), pageUrl);
    if (u && !out.includes(u)) out.push(u);
  }
  return out;
}

/** Parses a JSON (or JSONP `cb({...})`) answer; undefined when it is neither. */
export function parseJsonAnswer(text: string): unknown {
  const t = text.trim().replace(/^\uFEFF/, '');
  if (!t) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    const m = /^[\w$.]+\s*\(\s*([\s\S]*)\)\s*;?\s*$/.exec(t);
    if (!m) return undefined;
    try {
      return JSON.parse(m[1]);
    } catch {
      return undefined;
    }
  }
}
