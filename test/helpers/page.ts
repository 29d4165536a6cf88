import { loadHtml } from '../../src/analyze/dom.ts';
import { extractLinks } from '../../src/collect/links.ts';
import type { AuditContext, PageObservation, SiteInfo } from '../../src/model.ts';
import { DEFAULT_CHECK_OPTIONS } from '../../src/model.ts';

/** Builds a PageObservation from an HTML string, as the crawler would (for check tests). */
export function makePage(url: string, html: string, extra: Partial<PageObservation> = {}): PageObservation {
  return {
    url,
    finalUrl: url,
    redirects: [],
    status: 200,
    depth: 0,
    fetchedAt: '2021-06-10T02:00:00.000Z',
    timings: { headersMs: 1, totalMs: 2 },
    headers: { 'content-type': 'text/html; charset=utf-8' },
    bytes: Buffer.byteLength(html),
    contentType: 'text/html',
    charset: 'utf-8',
    charsetSource: 'test',
    html,
    links: extractLinks(loadHtml(html), url),
    isHomepage: false,
    ...extra,
  };
}

/** Builds an AuditContext from pages (the first page flagged isHomepage, or the first one, is the homepage). */
export function makeContext(pages: PageObservation[], over: Partial<Omit<AuditContext, 'site'>> & { site?: Partial<SiteInfo> } = {}): AuditContext {
  const home = pages.find((p) => p.isHomepage) ?? pages[0];
  const url = home?.url ?? 'http://www.example.gov.cn/';
  const { site, ...rest } = over;
  return {
    site: { url, host: new URL(url).hostname, unitType: 'city', ...site },
    asOf: '2021-06-15',
    pages,
    homepage: home,
    linkResults: new Map(),
    browser: { available: false, reason: 'not run in unit tests', pages: new Map() },
    options: DEFAULT_CHECK_OPTIONS,
    ...rest,
  };
}
