import type { AuditContext, PageObservation } from '../model.ts';
import { columnKey, computePageFacts, isLaterListPage, type MetaTag, type PageFacts } from '../analyze/classify.ts';
import { factOf, type FactFamily } from './_facts.ts';
import { docFacts, isHtmlPageFact } from './doc.ts';

/**
 * Fact family `page`: everything the content checks read from one page — its kind (home / column / content), meta
 * tags, publication date and label, source labels, breadcrumb, column name and type, list items with dates, empty-list
 * placeholder, text length, list-filling scripts (src/analyze/classify.ts `computePageFacts`). Used by date-format,
 * source-label, page-tags, empty-column, stale-column, required-column, homepage-stale and the policy and
 * render-compat gatherers.
 */
type Stored = Omit<PageFacts, 'meta'> & { meta: [string, MetaTag][] };

const family: FactFamily<PageFacts, Stored> = {
  id: 'page',
  extract: (page) => computePageFacts(page),
  encode: (f) => ({ ...f, meta: [...f.meta] }),
  decode: (j) => ({ ...j, meta: new Map(j.meta) }),
};
export default family;

const rendered = new WeakMap<PageObservation, Map<string, PageFacts>>();

/**
 * The facts of a page: of its static HTML (stored at crawl time) when `html` is not given, else of that HTML (e.g. the
 * rendered DOM), memoised per page and HTML. Never throws.
 */
export function pageFacts(page: PageObservation, html?: string): PageFacts {
  if (html === undefined) return factOf(page, family);
  let perPage = rendered.get(page);
  const hit = perPage?.get(html);
  if (hit) return hit;
  const facts = computePageFacts(page, html);
  if (!perPage) rendered.set(page, (perPage = new Map()));
  if (perPage.size > 2) perPage.clear();
  perPage.set(html, facts);
  return facts;
}

/** The rendered DOM of a page when the browser captured it. */
function renderedOf(ctx: AuditContext, page: PageObservation): string | undefined {
  const r = ctx.browser?.pages?.get(page.url) ?? ctx.browser?.pages?.get(page.finalUrl);
  return r && typeof r.html === 'string' && r.html.length > 0 ? r.html : undefined;
}

/**
 * The HTML to analyse for a page: the browser-rendered DOM when the browser collector captured it (lists and footers
 * written by scripts show up there), else the static HTML.
 */
export function htmlFor(ctx: AuditContext, page: PageObservation): { html: string; rendered: boolean } {
  const r = renderedOf(ctx, page);
  if (r) return { html: r, rendered: true };
  return { html: page.html ?? '', rendered: false };
}

/** The rendered DOM of a page when the browser captured it, else '' (the static HTML is not read). */
export function renderedFor(ctx: AuditContext, page: PageObservation): { html: string; rendered: boolean } {
  const r = renderedOf(ctx, page);
  return r ? { html: r, rendered: true } : { html: '', rendered: false };
}

/** The facts to judge a page on: of the rendered DOM when there is one, else the stored static facts. */
function factsFor(ctx: AuditContext, page: PageObservation): { rendered: boolean; facts: PageFacts; html?: string } {
  const r = renderedOf(ctx, page);
  return r ? { rendered: true, facts: pageFacts(page, r), html: r } : { rendered: false, facts: pageFacts(page) };
}

/** A page with the HTML to analyse (read on first use: the static HTML is loaded only when a check asks) and its facts. */
function withHtml<T extends { page: PageObservation; rendered: boolean; facts: PageFacts }>(o: T, html: string | undefined): T & { html: string } {
  let h = html;
  return Object.defineProperty(o, 'html', { enumerable: true, get: () => (h ??= o.page.html ?? '') }) as T & { html: string };
}

/** A column page with the HTML to analyse and its facts (see columnPages). */
export interface ColumnPage {
  page: PageObservation;
  url: string;
  /** The column's identity (its directory), see columnKey. */
  key: string;
  html: string;
  rendered: boolean;
  facts: PageFacts;
}

/**
 * The column pages (栏目页) of a run, one per column: the homepage, later list pages (index_1.html …) and further
 * pages of a column already seen are skipped. A page whose analysis throws is skipped, not fatal.
 */
export function* columnPages(ctx: AuditContext, pages: PageObservation[] = htmlPages(ctx)): Generator<ColumnPage> {
  const seen = new Set<string>();
  for (const page of pages) {
    let found: ColumnPage | null = null;
    try {
      if (page.isHomepage) continue;
      const url = page.finalUrl || page.url;
      if (isLaterListPage(url)) continue;
      if (pageFacts(page).classification.kind !== 'column') continue;
      const key = columnKey(url);
      if (seen.has(key)) continue;
      seen.add(key);
      const f = factsFor(ctx, page);
      found = withHtml({ page, url, key, rendered: f.rendered, facts: f.facts } as ColumnPage, f.html);
    } catch {
      found = null;
    }
    if (found) yield found;
  }
}

/** A content page (内容页) with the HTML to analyse and its facts (see contentPages). */
export interface ContentPage {
  page: PageObservation;
  html: string;
  rendered: boolean;
  facts: PageFacts;
}

/**
 * The content pages of a run (classified on their static HTML), each with the HTML to analyse — the rendered DOM when
 * the browser captured it — and its facts. A page whose analysis throws is skipped, not fatal.
 */
export function* contentPages(ctx: AuditContext): Generator<ContentPage> {
  for (const page of htmlPages(ctx)) {
    let found: ContentPage | null = null;
    try {
      if (pageFacts(page).classification.kind !== 'content') continue;
      const f = factsFor(ctx, page);
      found = withHtml({ page, rendered: f.rendered, facts: f.facts } as ContentPage, f.html);
    } catch {
      found = null;
    }
    if (found) yield found;
  }
}

/** Pages of the run that are fetched HTML pages (status 2xx, non-empty body). */
export function htmlPages(ctx: AuditContext): PageObservation[] {
  return (ctx.pages ?? []).filter((p) => isHtmlPageFact(p));
}

export { docFacts };
