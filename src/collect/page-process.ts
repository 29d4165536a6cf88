import type { LinkKind, LinkRef, LinkResult, PageObservation } from '../model.ts';
import type { FetchResult } from './http.ts';
import { linkResultFromFetch } from './verdict.ts';
import { decodeBody } from './decode.ts';
import { extractLinks, extensionOf } from './links.ts';
import { forgetHtml, loadHtml } from '../analyze/dom.ts';
import { crawlFacts } from '../facts/index.ts';
import { entryPageTarget } from '../analyze/entry-page.ts';
import { urlParts } from '../runtime/url-parts.ts';

/**
 * What happens to a fetched page of the audited site: charset decoding, the page's own link verdict (incl. soft 404),
 * parsing, link extraction and handing the page to whoever stores it. The crawler only needs back the verdict and the
 * outgoing link targets with their kinds, in a compact form — so this work can run on another thread
 * (`src/store/writer.ts` runs it on the store writer thread, which stores the page there and then) or in the crawler's
 * own thread (`inThreadProcessor`, used for in-memory stores and for callers who want every PageObservation).
 */

/** Extensions of URLs that can be HTML pages of the site (the crawler follows only these). */
export const PAGE_EXT_OK = new Set(['', 'html', 'htm', 'shtml', 'shtm', 'xhtml', 'jsp', 'jspx', 'asp', 'aspx', 'php', 'do', 'action', 'cgi', 'xml']);

/** A fetched page handed to a processor. */
export interface PageJob {
  url: string;
  depth: number;
  res: FetchResult;
  /**
   * Set when the response is a page already crawled under another address (src/collect/homepage-alias.ts, or the
   * same final URL after redirects): only its link verdict is wanted — it is not stored, analysed or followed.
   */
  aliasOf?: string;
  /** The start page: an entry page (引导页, src/analyze/entry-page.ts) is not stored; the verdict names its entry. */
  detectEntry?: boolean;
}

/**
 * The crawler's share of a processed page: the link targets and `codes`, one character per target: its kind
 * (see KIND_CODE), upper case when the crawler may follow it (an a/iframe link to an HTML-like URL on the site).
 * Targets are separate strings, never pieces of one joined string: the crawler keeps them (sets of URLs seen), and a
 * piece of a string keeps the whole string alive.
 */
export interface PageVerdict {
  /** The page's own link verdict (a crawled page is its own link check). */
  lr: LinkResult;
  /** The response was an HTML page that ended on the site: it was stored as a page. */
  page: boolean;
  /** Soft-404 reason when the page is an error page served with 200. */
  soft404: string | null;
  targets: string[];
  codes: string;
  /** The start page was an entry page: the page it enters (the audit's homepage instead). */
  entry?: string;
}

export interface PageProcessor {
  process(job: PageJob): Promise<PageVerdict> | PageVerdict;
}

const KINDS: LinkKind[] = ['a', 'img', 'script', 'link', 'iframe', 'form', 'attachment', 'media', 'other'];
const KIND_CODE = new Map<LinkKind, string>(KINDS.map((k, i) => [k, String.fromCharCode(97 + i)]));

/** Kind of a link from its code character. */
export function kindOfCode(c: string): LinkKind {
  return KINDS[(c.charCodeAt(0) | 0x20) - 97] ?? 'other';
}

/** Is the code character one of a link the crawler may follow? */
export function isCrawlableCode(c: string): boolean {
  const x = c.charCodeAt(0);
  return x >= 65 && x <= 90;
}

export function isHtmlResponse(res: FetchResult): boolean {
  const ct = (res.headers['content-type'] ?? '').toLowerCase();
  if (ct) return ct.includes('html') || ct.includes('xhtml');
  const head = res.body.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.includes('<head') || head.includes('<body');
}

/**
 * Decodes, judges, parses and extracts a fetched page. `page` is null when the response is not an HTML page of the
 * site (error, not HTML, or redirected off the site): such a response is only a link verdict.
 */
export function analyzePage(job: PageJob, inScope: (url: string) => boolean): { verdict: PageVerdict; page: PageObservation | null } {
  const { url, depth, res } = job;
  let text = '';
  let charset = '';
  let charsetSource = '';
  const html = !res.error && res.status !== null && res.status < 400 && isHtmlResponse(res);
  if (html) {
    const d = decodeBody(res.body, res.headers['content-type']);
    text = d.text;
    charset = d.charset;
    charsetSource = d.source;
  }
  const lr = linkResultFromFetch(url, res, 'GET', html ? text : undefined);
  const soft404 = lr.error === 'soft-404' ? lr.detail : null;
  // The page belongs to the site only if it ended on the site (a redirect off-site is just a link). The homepage is
  // kept whatever it is (an HTML page served as image/png, a PDF): the audit must say what it got (homepage-empty).
  const homepageOther = depth === 0 && !html && !res.error && res.status !== null && res.status >= 200 && res.status < 300;
  if ((!html && !homepageOther) || !inScope(res.finalUrl) || job.aliasOf) return { verdict: { lr, page: false, soft404, targets: [], codes: '' }, page: null };
  // One parse serves the links and every fact family (the analysis helpers find it in loadHtml's cache).
  let links: LinkRef[] = [];
  try {
    links = extractLinks(loadHtml(text), res.finalUrl, charset);
  } catch {
    links = [];
  }
  if (job.detectEntry && html) {
    let entry: string | undefined;
    try {
      entry = entryPageTarget(loadHtml(text), links, res.finalUrl, inScope);
    } catch {
      entry = undefined;
    }
    if (entry) {
      forgetHtml(text);
      return { verdict: { lr, page: false, soft404, targets: [], codes: '', entry }, page: null };
    }
  }
  const page: PageObservation = {
    url,
    finalUrl: res.finalUrl,
    redirects: res.redirects,
    status: res.status,
    depth,
    fetchedAt: res.startedAt,
    timings: { headersMs: res.headersMs, totalMs: res.totalMs },
    headers: res.headers,
    bytes: res.bytes,
    ...(res.truncated ? { truncated: true } : {}),
    contentType: res.headers['content-type'] ?? '',
    charset,
    charsetSource,
    html: text,
    links,
    isHomepage: depth === 0,
  };
  // The page's facts (src/facts/): the analysis of the checks and gatherers, done here once, while the crawl goes on.
  try {
    // GOVSITE_NOFACTS=1 (diagnostics: what the facts cost): none stored; they are computed when first used.
    if (process.env.GOVSITE_NOFACTS !== '1') page.facts = crawlFacts(page);
  } finally {
    forgetHtml(text);
  }
  // An error page's links are the site template's, already seen elsewhere: the crawler gets none of them.
  const targets: string[] = [];
  let codes = '';
  if (!soft404) {
    for (const link of links) {
      let code = KIND_CODE.get(link.kind) ?? 'i';
      if ((link.kind === 'a' || link.kind === 'iframe') && inScope(link.target) && PAGE_EXT_OK.has(extensionOf(urlParts(link.target) ?? { pathname: '' }))) code = code.toUpperCase();
      targets.push(link.target);
      codes += code;
    }
  }
  return { verdict: { lr, page: true, soft404, targets, codes }, page };
}

/** The crawler's own thread does the work and hands each page to `onPage`. */
export function inThreadProcessor(
  inScope: (url: string) => boolean,
  onPage?: (page: PageObservation, extras: { soft404: string | null }) => void,
): PageProcessor {
  return {
    process(job) {
      const { verdict, page } = analyzePage(job, inScope);
      if (page) onPage?.(page, { soft404: verdict.soft404 });
      return verdict;
    },
  };
}
