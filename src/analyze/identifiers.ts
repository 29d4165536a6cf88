import { loadHtml } from './dom.ts';
import { footerFrames, analyzeFooterItems, betterResult, type ItemKind, type ItemResult } from './footer-items.ts';
import { mayWriteContent } from './scripts.ts';
import type { AuditContext, Check, Evidence, Finding, PageObservation } from '../model.ts';

/**
 * The footer identifier checks' shared logic (网站标识: 党政机关网站标识, 网站标识码, ICP备案编号, 公安机关备案标识,
 * 网站主办单位, 联系方式): which pages a site-level check samples, how sure a "missing" verdict is (rendered DOM,
 * static HTML, scripts that may write the footer) and the check builder. The recognisers live in footer-items.ts, the
 * 找错 entry in error-entry.ts, scripts in scripts.ts (re-exported here); per-page results are facts (src/facts/).
 */
export * from './scripts.ts';
export * from './footer-items.ts';
export * from './error-entry.ts';
import { docFacts, isIdentifierPage } from '../facts/doc.ts';
import { footerItemsOf } from '../facts/footer.ts';
import { urlParts } from '../runtime/url-parts.ts';

// ───────────────────────────── pages, browser confirmation ─────────────────────────────

export type Confirmation = 'rendered' | 'static' | 'unconfirmed';

/** A page fit for HTML checks (fetched, HTML, non-empty). */
export function isHtmlPage(p: PageObservation): boolean {
  if (!p || typeof p.html !== 'string' || p.html.length === 0) return false;
  if (p.status !== null && (p.status < 200 || p.status >= 300)) return false;
  if (p.error) return false;
  const ct = (p.contentType || '').toLowerCase();
  return !ct || ct.includes('html') || ct.includes('xml');
}

/** The rendered snapshot of a page, when the browser rendered it. */
export function renderedHtml(ctx: AuditContext, page: PageObservation): string | undefined {
  const pages = ctx.browser?.pages;
  if (!pages) return undefined;
  const r = pages.get(page.url) ?? pages.get(page.finalUrl);
  return r && typeof r.html === 'string' && r.html.length > 0 ? r.html : undefined;
}

/**
 * How sure a "missing" decision on this page is: rendered DOM → 'rendered'; static HTML whose scripts cannot write
 * content → 'static'; static HTML with scripts that may write the footer and no rendered snapshot (browser
 * unavailable, or this page not rendered) → 'unconfirmed' (the scorer does not deduct).
 */
export function missingConfirmation(ctx: AuditContext, page: PageObservation): Confirmation {
  if (renderedHtml(ctx, page)) return 'rendered';
  return docFacts(page).mayWrite ? 'unconfirmed' : 'static';
}

/** Strongest confirmation among several: rendered > static > unconfirmed. */
export function strongest(list: Confirmation[]): Confirmation {
  if (list.includes('rendered')) return 'rendered';
  if (list.includes('static')) return 'static';
  return 'unconfirmed';
}

function pageKind(url: string): string {
  const u = urlParts(url);
  if (!u) return 'other';
  const path = u.pathname;
  if (/\/t\d{8}_\d+|content_\d+|art_\d+|\/art\/\d{4}|\/\d{6}\/|\/\d{4}[-/]\d{2}[-/]?\d{2}\/|detail|article|show|\/\d{5,}\.s?html?$/i.test(path)) return 'article';
  if (/(index(_\d+)?\.s?html?|\/)$|\/col\/|list|column|lanmu/i.test(path)) return 'list';
  return 'other';
}

const collator = new Intl.Collator(); // what String.prototype.localeCompare uses, made once
/** The identifier pages of a page list, as listed and nearest first (depth, then address): per list, made once. */
const orderedPages = new WeakMap<PageObservation[], { n: number; pages: PageObservation[]; nearest: PageObservation[] }>();

function identifierPages(all: PageObservation[]): { pages: PageObservation[]; nearest: PageObservation[] } {
  let v = orderedPages.get(all);
  if (!v || v.n !== all.length) {
    const pages = all.filter(isIdentifierPage);
    v = { n: all.length, pages, nearest: [...pages].sort((a, b) => a.depth - b.depth || collator.compare(a.url, b.url)) };
    orderedPages.set(all, v);
  }
  return v;
}

/**
 * Pages a site-level footer check examines: the homepage, then pages the browser rendered, then other pages of
 * various kinds (articles, lists, others, round-robin, shallow first), at most `max` in all.
 */
export function samplePages(ctx: AuditContext, max = 10): PageObservation[] {
  // Every footer check samples the same page list (twice when pages are rendered to confirm): it is ordered once.
  const { pages, nearest } = identifierPages(ctx.pages ?? []);
  const out: PageObservation[] = [];
  const seen = new Set<string>();
  const push = (p: PageObservation | undefined) => {
    if (!p || out.length >= max || seen.has(p.url)) return;
    seen.add(p.url);
    out.push(p);
  };
  const home = ctx.homepage && isIdentifierPage(ctx.homepage) ? ctx.homepage : pages.find((p) => p.isHomepage);
  push(home);
  const rest = nearest.filter((p) => !seen.has(p.url));
  const rendered = rest.filter((p) => renderedHtml(ctx, p));
  // Rendered pages first (at most half the sample), then a round-robin by kind.
  for (const p of rendered.slice(0, Math.max(1, Math.floor(max / 2)))) push(p);
  const byKind = new Map<string, PageObservation[]>();
  for (const p of rest) {
    if (seen.has(p.url)) continue;
    const k = pageKind(p.url);
    if (!byKind.has(k)) byKind.set(k, []);
    byKind.get(k)!.push(p);
  }
  const queues = ['article', 'list', 'other'].map((k) => byKind.get(k) ?? []);
  while (out.length < max && queues.some((qq) => qq.length)) {
    for (const qq of queues) push(qq.shift());
  }
  return out;
}

/** The homepage URL to attach site-level findings to. */
export function homepageUrl(ctx: AuditContext): string {
  return ctx.homepage?.url ?? ctx.site?.url ?? '';
}

// ───────────────────────────── the six footer checks ─────────────────────────────

export interface FooterItemSpec {
  id: string;
  kind: ItemKind;
  /** Chinese check title. */
  title: string;
  /** Chinese name of the item, used in messages (e.g. "ICP备案编号"). */
  label: string;
  description: string;
  /**
   * Extra findings when the item is present everywhere (or only unverified): e.g. the site code disagreeing with the
   * SiteIDCode meta. Receives the per-page outcomes and the pages examined.
   */
  extra?: (ctx: AuditContext, outcomes: PageOutcome[], pages: PageObservation[]) => Finding[];
}

export interface PageOutcome {
  url: string;
  result: ItemResult;
  source: 'rendered' | 'static';
  confirmation: Confirmation;
}

const TRUNCATED_REASON = 'page truncated at the read limit: its end (the footer) was not read';

/** Decides one item on one page: rendered DOM when available (static HTML still counts when it has the item). */
export function decidePageItem(ctx: AuditContext, page: PageObservation, kind: ItemKind): PageOutcome {
  const rendered = renderedHtml(ctx, page);
  const staticRes = footerItemsOf(page)[kind];
  if (rendered) {
    const r = analyzeFooterItems(rendered)[kind];
    const best = betterResult(r, staticRes);
    return { url: page.url, result: best, source: best === r ? 'rendered' : 'static', confirmation: 'rendered' };
  }
  // A page cut at the read cap: its footer was never read, so the item is neither missing nor malformed there.
  if (page.truncated && staticRes.state !== 'present') {
    return { url: page.url, result: { state: 'unverified', reason: TRUNCATED_REASON }, source: 'static', confirmation: 'unconfirmed' };
  }
  const confirmation: Confirmation = staticRes.state === 'present' ? 'static' : missingConfirmation(ctx, page);
  return { url: page.url, result: staticRes, source: 'static', confirmation };
}

/** Builds one of the six footer-identifier checks (one finding per item for the site). */
export function makeFooterItemCheck(spec: FooterItemSpec): Check {
  return {
    id: spec.id,
    title: spec.title,
    description: spec.description,
    needsHtml: true,
    run(ctx: AuditContext): Finding[] {
      const sample = samplePages(ctx);
      if (sample.length === 0) return [];
      const outcomes: PageOutcome[] = [];
      const pages: PageObservation[] = [];
      for (const p of sample) {
        try {
          outcomes.push(decidePageItem(ctx, p, spec.kind));
          pages.push(p);
        } catch {
          /* a page that cannot be analysed is skipped */
        }
      }
      if (outcomes.length === 0) return [];
      const pagesChecked = outcomes.map((o) => o.url);
      const home = homepageUrl(ctx);
      const homeUrl = ctx.homepage?.url;
      const missing = outcomes.filter((o) => o.result.state === 'missing');
      const malformed = outcomes.filter((o) => o.result.state === 'malformed');
      const unverified = outcomes.filter((o) => o.result.state === 'unverified');
      const present = outcomes.filter((o) => o.result.state === 'present');
      const base = (extra: Evidence): Evidence => ({
        pagesChecked,
        item: spec.kind,
        ...(present[0] ? { presentOn: present.slice(0, 3).map((o) => ({ url: o.url, value: o.result.value, form: o.result.form })) } : {}),
        ...extra,
      });
      if (missing.length) {
        const confirmation = strongest(missing.map((o) => o.confirmation));
        const onHomepage = missing.some((o) => o.url === homeUrl);
        const where = onHomepage
          ? (missing.length > 1 ? `首页及其他 ${missing.length - 1} 个页面` : '首页')
          : `${missing.length} 个页面`;
        const f: Finding = {
          check: spec.id,
          url: home,
          detail: missing.some((o) => o.result.reason) ? `missing (${missing.find((o) => o.result.reason)!.result.reason})` : 'missing',
          message: `${where}底部功能区未列明${spec.label}（共检查 ${outcomes.length} 个页面）`,
          evidence: base({
            onHomepage,
            confirmation,
            pagesMissing: missing.map((o) => ({ url: o.url, confirmation: o.confirmation, source: o.source })),
            ...(missing[0].result.snippet ? { snippet: missing[0].result.snippet } : {}),
          }),
        };
        return [f];
      }
      if (malformed.length) {
        const first = malformed[0];
        return [{
          check: spec.id,
          url: home,
          detail: `malformed: ${first.result.value ?? ''}`.trim(),
          message: `底部功能区的${spec.label}格式不正确：“${first.result.value || '（空）'}”`,
          evidence: base({
            onHomepage: malformed.some((o) => o.url === homeUrl),
            confirmation: first.confirmation,
            value: first.result.value,
            snippet: first.result.snippet,
            pagesMalformed: malformed.map((o) => o.url),
          }),
        }];
      }
      const extra = spec.extra ? safeExtra(() => spec.extra!(ctx, outcomes, pages)) : [];
      if (unverified.length) {
        const first = unverified[0];
        return [...extra, {
          check: spec.id,
          url: home,
          detail: `unverified: ${first.result.reason ?? ''}`.trim(),
          message: `无法确认底部功能区的${spec.label}（${unverifiedReasonZh(first.result)}），需人工核实`,
          evidence: base({
            unverified: true,
            ...(unverified.some((o) => o.result.reason === TRUNCATED_REASON) ? { truncated: true } : {}),
            onHomepage: unverified.some((o) => o.url === homeUrl),
            confirmation: first.confirmation,
            pagesUnverified: unverified.map((o) => ({ url: o.url, reason: o.result.reason, value: o.result.value })),
          }),
        }];
      }
      return extra;
    },
  };
}

function safeExtra(fn: () => Finding[]): Finding[] {
  try {
    return fn();
  } catch {
    return [];
  }
}

function unverifiedReasonZh(r: ItemResult): string {
  if (r.reason === TRUNCATED_REASON) return '页面超过 5 MB 读取上限被截断，页面底部未读取';
  if (r.form === 'iframe') return '页面底部由框架（iframe）加载，无法读取';
  if (r.reason?.startsWith('outside the footer')) return '仅在底部区域以外发现，内容不完整';
  if (r.form === 'image') return '以图片形式展示，无法读取';
  if (r.form === 'copyright') return '仅有版权声明，未注明主办单位';
  if (r.form === 'link') return '仅有链接，未见编号';
  return '未见完整编号';
}
