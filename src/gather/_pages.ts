/**
 * Helpers of the issue-13 gatherers (policy, topics, annual-report, linkage, service-statistics): turning a fetched
 * response into a page the analysis reads, fetching a page the crawl did not reach (rendered when its list is written
 * by script), following a list's pagination, and the site's own search.
 */
import type { PageObservation } from '../model.ts';
import { loadHtml, normText } from '../analyze/dom.ts';
import { extractLinks, documentBase, resolveUrl } from '../collect/links.ts';
import { extractListItems, hasDynamicListScript, mainListItems, type ListItem } from '../analyze/columns.ts';
import { findElements, textContent, elementsNamed } from '../analyze/walk.ts';
import { urlKey } from '../analyze/policy/extract.ts';
import type { Fetched, GatherEnv } from './_types.ts';

/** A fetched HTML response as a page of the run (links extracted as the crawler does). */
export function pageFromFetched(f: Fetched, o: { isHomepage?: boolean; depth?: number; html?: string } = {}): PageObservation | undefined {
  if (!f.ok || !/html|xml|text\/plain|^$/i.test(f.contentType)) return undefined;
  const html = o.html ?? f.text;
  if (!html) return undefined;
  let links: PageObservation['links'] = [];
  try {
    links = extractLinks(loadHtml(html), f.finalUrl || f.url, f.charset);
  } catch {
    links = [];
  }
  return {
    url: f.url,
    finalUrl: f.finalUrl || f.url,
    redirects: f.redirects,
    status: f.status ?? 200,
    depth: o.depth ?? 9,
    fetchedAt: f.at,
    timings: { headersMs: 0, totalMs: 0 },
    headers: f.headers,
    bytes: f.bytes,
    contentType: f.contentType,
    charset: f.charset,
    charsetSource: 'gather',
    html,
    links,
    isHomepage: !!o.isHomepage,
  };
}

/** A page the gatherer read: from the crawl when it is there, else fetched (and rendered when its list is scripted). */
export class PageSource {
  private readonly known = new Map<string, PageObservation>();
  fetched = 0;
  rendered = 0;
  failures: { url: string; error: string }[] = [];

  constructor(private readonly env: GatherEnv, crawled: Iterable<PageObservation> = []) {
    for (const p of crawled) this.add(p);
  }

  add(p: PageObservation): void {
    this.known.set(urlKey(p.url), p);
    if (p.finalUrl) this.known.set(urlKey(p.finalUrl), p);
  }

  has(url: string): boolean {
    return this.known.has(urlKey(url));
  }

  /** The page at `url`; undefined when it cannot be read (the failure is recorded). */
  async get(url: string, o: { renderIfEmpty?: boolean } = {}): Promise<PageObservation | undefined> {
    const hit = this.known.get(urlKey(url));
    if (hit) return hit;
    if (this.env.signal.aborted) return undefined;
    const f = await this.env.fetch(url);
    this.fetched++;
    let page = pageFromFetched(f);
    if (!page) {
      this.failures.push({ url, error: f.error ?? `http-${f.status ?? 0}` });
      return undefined;
    }
    if (o.renderIfEmpty && mainListItems(extractListItems(page)).length === 0 && hasDynamicListScript(loadHtml(page.html))) {
      const r = await this.env.render(url);
      if (r?.html) {
        this.rendered++;
        page = pageFromFetched({ ...f, finalUrl: r.finalUrl ?? f.finalUrl }, { html: r.html }) ?? page;
      }
    }
    this.add(page);
    return page;
  }
}

/** Pages of a list after this one: the 下一页 link, else TRS createPageHTML(total, current, 'index', 'html'). */
export function nextListPages(page: PageObservation): string[] {
  const out: string[] = [];
  try {
    const $ = loadHtml(page.html);
    const base = documentBase($, page.finalUrl || page.url);
    for (const a of findElements($.root().toArray(), (e) => e.name === 'a' && e.attribs.href !== undefined, 20_000)) {
      const t = normText(textContent(a));
      if (!/^(?:下一页|下页|后一页|>|›|»)$/.test(t)) continue;
      const u = resolveUrl(a.attribs.href, base);
      if (u && /^https?:/i.test(u) && urlKey(u) !== urlKey(page.finalUrl || page.url)) out.push(u);
    }
    if (!out.length) {
      for (const s of elementsNamed($, 'script')) {
        const code = (s.children ?? []).map((c) => (c as unknown as { data?: string }).data ?? '').join('');
        const m = /createPageHTML\(\s*['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,\s*['"]([\w-]+)['"]\s*,\s*['"](\w+)['"]/.exec(code);
        if (!m) continue;
        const total = +m[1];
        const current = +m[2];
        if (current + 1 < total) out.push(new URL(`${m[3]}_${current + 1}.${m[4]}`, page.finalUrl || page.url).href);
      }
    }
  } catch {
    return out;
  }
  return [...new Set(out)].slice(0, 1);
}

/** The dated list items of a list page (its main list). */
export function listItemsOf(page: PageObservation, asOf: string): ListItem[] {
  return mainListItems(extractListItems(page, { asOf }));
}

export interface SearchResult {
  /** The request made (URL, and the POST body when the form posts). */
  url: string;
  method: 'GET' | 'POST';
  ok: boolean;
  error?: string;
  /** Result rows: title, URL, date when shown. */
  items: { title: string; url: string; date?: string }[];
}

/** The site's search form on a page: Hanweb jsearchfront, TRS was5, or any form with a keyword field. */
export function findSearchForm(home: PageObservation | undefined): { action: string; method: 'GET' | 'POST'; field: string; hidden: Record<string, string> } | undefined {
  if (!home?.html) return undefined;
  try {
    const $ = loadHtml(home.html);
    const base = documentBase($, home.finalUrl || home.url);
    for (const form of elementsNamed($, 'form')) {
      const action = resolveUrl(form.attribs.action ?? '', base);
      if (!action || !/^https?:/i.test(action)) continue;
      const inputs = findElements(form, (e) => e.name === 'input' && !!e.attribs.name, 30);
      const field = inputs.find((i) => /^(?:q|searchword|keyword|keywords|query|wd|kw|sword|key|searchWord|title)$/i.test(i.attribs.name!) && !/hidden|submit|button/i.test(i.attribs.type ?? ''));
      if (!field) continue;
      const hidden: Record<string, string> = {};
      for (const i of inputs) if (/hidden/i.test(i.attribs.type ?? '') && i.attribs.name) hidden[i.attribs.name] = i.attribs.value ?? '';
      return { action, method: /post/i.test(form.attribs.method ?? '') ? 'POST' : 'GET', field: field.attribs.name!, hidden };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** One query to the site's search (counts against the gatherer's budget). Results are the page's dated list rows. */
export async function siteSearch(env: GatherEnv, home: PageObservation | undefined, query: string, asOf: string): Promise<SearchResult | undefined> {
  const form = findSearchForm(home);
  if (!form) return undefined;
  const params = new URLSearchParams({ ...form.hidden, [form.field]: query });
  const url = form.method === 'GET' ? `${form.action}${form.action.includes('?') ? '&' : '?'}${params}` : form.action;
  const f = await env.fetch(url, form.method === 'POST' ? { method: 'POST', body: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {});
  const base: SearchResult = { url, method: form.method, ok: f.ok, ...(f.ok ? {} : { error: f.error ?? `http-${f.status}` }), items: [] };
  const page = pageFromFetched(f);
  if (!page) return base;
  const items = extractListItems(page, { asOf, skipBody: false }).filter((i) => i.title.length >= 6);
  return { ...base, items: items.slice(0, 50).map((i) => ({ title: i.title, url: i.url, ...(i.date ? { date: i.date } : {}) })) };
}
