import { createHash } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import type { LinkResult, PageObservation } from '../model.ts';
import { HttpClient, type FetchResult } from './http.ts';
import { HostLimiter, hostKey } from './hosts.ts';
import { LinkChecker, linkResultFromFetch } from './linkcheck.ts';
import { tightHeap } from '../runtime/heap.ts';
import { makeScope } from './scope.ts';
import { OutsideReach, type OfflineVerdict } from './reach.ts';
import { followMetaRefresh } from './refresh.ts';
import { homepageSignature, isHomepageAlias, type HomepageSignature } from './homepage-alias.ts';

export { makeScope, siteKey } from './scope.ts';
import { inThreadProcessor, isCrawlableCode, kindOfCode, type PageProcessor } from './page-process.ts';
import { urlParts } from '../runtime/url-parts.ts';

/**
 * Breadth-first crawl of one site's own HTML pages, checking every outgoing reference once.
 *
 * Scope: the start URL's host, with "www." and the bare name counted as one site (www.x.gov.cn ≡ x.gov.cn) and the
 * same port. Department sites under a portal's domain (fgw.x.gov.cn) are separate sites and are not crawled — their
 * links are checked like any external link.
 *
 * Pages are handed to `onPage` as soon as they are parsed and not kept: memory stays flat on large sites.
 */

export interface CrawlOptions {
  startUrl: string;
  maxPages?: number;
  maxDepth?: number;
  /** Page fetches in flight (also the per-host limit of the audited site unless perHost is given). */
  concurrency?: number;
  /** Requests at a time to one host (politeness), for pages and link checks. */
  perHost?: number;
  /** Minimum milliseconds between request starts to one host. */
  delayMs?: number;
  timeoutMs?: number;
  linkTimeoutMs?: number;
  /** Pause before timeouts, resets and 5xx are checked a second time (default 2 s). */
  recheckDelayMs?: number;
  userAgent?: string;
  /** DNS lookup for every request of the crawl (default: the system's; tests and staging inject one). */
  lookup?: LookupFunction;
  /**
   * URLs that tell whether this machine reaches the outside (see src/collect/reach.ts). Fetched only when external links
   * failed without an answer; when none of them can be reached either, those links are unverified (offline).
   * Without canaries, the external hosts tried decide.
   */
  canaryUrls?: string[];
  /** Further attempts at the homepage after a transient failure (reset, timeout, temporary DNS, 5xx; default 2). */
  homepageRetries?: number;
  /** Pause before the first homepage retry, doubled for each further one (default 1 s). */
  homepageRetryDelayMs?: number;
  /** Check outgoing references (default true). */
  checkLinks?: boolean;
  skipHost?: (host: string) => boolean;
  signal?: AbortSignal;
  http?: HttpClient;
  linkHttp?: HttpClient;
  /** Every page of the site as parsed (used by the default, in-thread page processor; ignored when `processor` is given). */
  onPage?: (page: PageObservation, extras: { soft404: string | null }) => void;
  /**
   * Who decodes, judges, parses and stores fetched pages (default: this thread, handing pages to `onPage`).
   * The audit passes the store writer thread's processor (src/store/writer.ts), which stores pages itself.
   */
  processor?: PageProcessor;
  onLinkResult?: (r: LinkResult) => void;
  onProgress?: (p: { pagesDone: number; queued: number; linksChecked: number }) => void;
}

export interface CrawlSummary {
  homepage: {
    ok: boolean; url: string; finalUrl: string; status: number | null; error?: string; detail?: string;
    /** Failed attempts before the last one (transient failures retried with backoff), as "error: detail". */
    retried?: string[];
  };
  pagesCrawled: number;
  pagesFailed: number;
  /** Pages found but not fetched because of maxPages / maxDepth. */
  pagesSkipped: number;
  linksChecked: number;
  brokenLinks: number;
  unverifiedLinks: number;
  /**
   * Pages crawled under a second address (the homepage as /index.html, two links redirected to one page): checked as
   * links, analysed once. `examples`: up to 10, each with the address of the page it repeats.
   */
  aliases?: { count: number; examples: { url: string; of: string }[] };
  /** The start page was an entry page (引导页): `entry`, the page it enters, was audited as the homepage. */
  entryPage?: { url: string; entry: string };
  aborted: boolean;
  /** Set when this machine could not reach the outside: `links` external failures were made unverified. */
  offline?: OfflineVerdict & { links: number };
  /**
   * Responses a browser opens but stricter clients refuse (see FetchResult.notices), counted per kind
   * (`large-headers`, `long-redirect-chain`) with the largest value and one example URL.
   */
  notices: Record<string, { count: number; max: number; example: string }>;
}

/** Host (www. or not, any scheme) and directory of a URL: where relative links of a page resolve alike. */
function directoryKey(u: string): string {
  const x = urlParts(u);
  return x ? `${x.hostname.toLowerCase().replace(/^www\./, '')}:${x.port}${x.pathname.slice(0, x.pathname.lastIndexOf('/') + 1)}` : u;
}

export async function crawlSite(opts: CrawlOptions): Promise<CrawlSummary> {
  const releaseHeap = tightHeap();
  try {
    return await crawl(opts);
  } finally {
    releaseHeap();
  }
}


async function crawl(opts: CrawlOptions): Promise<CrawlSummary> {
  const maxPages = opts.maxPages ?? 2000;
  const maxDepth = opts.maxDepth ?? 10;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const perHost = Math.max(1, opts.perHost ?? concurrency);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const checkLinks = opts.checkLinks ?? true;
  const ownHttp = !opts.http;
  const lookup = opts.lookup ? { lookup: opts.lookup } : {};
  const http = opts.http ?? new HttpClient({ userAgent: opts.userAgent, insecure: true, connections: perHost, ...lookup });
  const ownLinkHttp = !opts.linkHttp;
  const linkHttp = opts.linkHttp ?? new HttpClient({ userAgent: opts.userAgent, connections: perHost, ...lookup });
  const limiter = new HostLimiter(perHost, opts.delayMs ?? 0);
  const inScope = makeScope(opts.startUrl);
  const checker = new LinkChecker({
    http: linkHttp,
    limiter,
    concurrency: Math.max(8, perHost * 4),
    timeoutMs: opts.linkTimeoutMs ?? timeoutMs,
    ...(opts.recheckDelayMs !== undefined ? { recheckDelayMs: opts.recheckDelayMs } : {}),
    skipHost: opts.skipHost,
    isInternal: inScope,
    // The page client does not verify certificates (the audited site is crawled whatever its chain): link targets
    // whose chain cannot be verified here are looked at again with it.
    insecureHttp: ownHttp ? http : undefined,
    signal: opts.signal,
  });

  const summary: CrawlSummary = {
    homepage: { ok: false, url: opts.startUrl, finalUrl: opts.startUrl, status: null },
    pagesCrawled: 0,
    pagesFailed: 0,
    pagesSkipped: 0,
    linksChecked: 0,
    brokenLinks: 0,
    unverifiedLinks: 0,
    aborted: false,
    notices: {},
  };
  const canaries = (opts.canaryUrls ?? []).filter((u) => /^https?:\/\//i.test(u));
  const reach = new OutsideReach((u) => !inScope(u), canaries.length > 0);
  const noteOddities = (target: string, notices: string[] | undefined) => {
    for (const n of notices ?? []) {
      const i = n.lastIndexOf(':');
      const kind = n.slice(0, i);
      const value = Number(n.slice(i + 1)) || 0;
      const e = (summary.notices[kind] ??= { count: 0, max: 0, example: target });
      e.count++;
      if (value > e.max) {
        e.max = value;
        e.example = target;
      }
    }
  };

  const frontier: { url: string; depth: number }[] = [{ url: opts.startUrl, depth: 0 }];
  let head = 0;
  const enqueued = new Set<string>([opts.startUrl]);
  const skipped = new Set<string>();
  let inflight = 0;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const countResult = (r: LinkResult) => {
    summary.linksChecked++;
    if (r.outcome === 'broken') summary.brokenLinks++;
    else if (r.outcome === 'unverified') summary.unverifiedLinks++;
    reach.note(r);
    noteOddities(r.target, r.notices);
    opts.onLinkResult?.(r);
  };
  const progress = () => opts.onProgress?.({ pagesDone: summary.pagesCrawled + summary.pagesFailed, queued: frontier.length - head + inflight, linksChecked: summary.linksChecked });

  const processor = opts.processor ?? inThreadProcessor(inScope, opts.onPage);
  const fetchPage = (url: string) => limiter.run(hostKey(url), () => http.fetch(url, { timeoutMs, signal: opts.signal }));
  const homepageRetries = Math.max(0, opts.homepageRetries ?? 2);
  const homepageRetryDelayMs = Math.max(0, opts.homepageRetryDelayMs ?? 1000);
  /** The homepage's address and title; the final URL of every page stored (→ the address it was crawled under). */
  let home: HomepageSignature | undefined;
  const finals = new Map<string, string>();
  /** SHA-1 of every stored page's directory and body → the address it was crawled under. */
  const bodies = new Map<string, string>();
  const processPage = async (url: string, depth: number, entryHops = 0): Promise<void> => {
    let res = await fetchPage(url);
    // The homepage decides whether there is an audit at all: a reset, a timeout, a resolver hiccup or a busy server
    // is tried again (with backoff, a bounded number of times) before the audit gives up.
    const retried: string[] = [];
    if (depth === 0) {
      while (retried.length < homepageRetries && retryableHomepage(res) && !opts.signal?.aborted) {
        retried.push(res.error ? `${res.error}: ${res.errorDetail ?? res.error}` : `HTTP ${res.status}`);
        await sleep(homepageRetryDelayMs * 2 ** (retried.length - 1), opts.signal);
        if (opts.signal?.aborted) break;
        res = await fetchPage(url);
      }
    }
    // A quick meta refresh is a redirect for the visitor: the page is where it lands (src/collect/refresh.ts).
    res = await followMetaRefresh(res, fetchPage);
    // The same page under a second address is checked as a link and analysed once (homepage-alias.ts).
    let aliasOf: string | undefined;
    const ok2xx = !res.error && res.status !== null && res.status >= 200 && res.status < 300;
    if (ok2xx) {
      // Byte-identical bodies at two addresses of one directory are one page (a tracking query, index.html beside /,
      // http and https both served …). In another directory the same bytes are another page: its relative links
      // lead elsewhere.
      // (Kept small: 100,000 pages mean 100,000 entries; the URL string is the crawler's own when nothing redirected.)
      const digest = res.body.byteLength && !res.truncated ? createHash('sha1').update(directoryKey(res.finalUrl)).update(res.body).digest('base64') : undefined;
      const finalKey = res.finalUrl === url ? url : res.finalUrl;
      if (depth === 0) home = homepageSignature(res);
      else aliasOf = finals.get(finalKey) ?? (digest ? bodies.get(digest) : undefined) ?? (isHomepageAlias(home, res) ? summary.homepage.finalUrl : undefined);
      if (!aliasOf) {
        finals.set(finalKey, url);
        if (digest) bodies.set(digest, url);
      }
    }
    // Claimed before processing (which may run on another thread): no link check of the same URL starts meanwhile.
    const ownCheck = checkLinks && checker.claim(url);
    const v = await processor.process({ url, depth, res, ...(aliasOf ? { aliasOf } : {}), ...(depth === 0 && entryHops === 0 ? { detectEntry: true } : {}) });
    const lr = v.lr;
    if (ownCheck) {
      countResult(lr);
      // The homepage was retried already: a failure of it ends the audit, a second look at the end would not help.
      if (depth > 0) checker.noteResult(lr, 'a');
    }
    if (depth === 0) {
      summary.homepage = {
        ok: lr.outcome !== 'broken' && !res.error && (res.status ?? 0) < 400,
        url,
        finalUrl: res.finalUrl,
        status: res.status,
        ...(res.error ? { error: res.error } : {}),
        detail: retried.length ? `${lr.detail} (${retried.length + 1} attempts)` : lr.detail,
        ...(retried.length ? { retried } : {}),
      };
    }
    // An entry page (引导页): the page it enters is the homepage (src/analyze/entry-page.ts).
    if (depth === 0 && v.entry && !v.page) {
      summary.entryPage = { url, entry: v.entry };
      enqueued.add(v.entry);
      return processPage(v.entry, 0, entryHops + 1);
    }
    if (!v.page) {
      if (res.error || (res.status ?? 0) >= 400) summary.pagesFailed++;
      else if (aliasOf && v.lr.outcome !== 'broken' && !v.soft404) {
        const a = (summary.aliases ??= { count: 0, examples: [] });
        a.count++;
        if (a.examples.length < 10) a.examples.push({ url, of: aliasOf });
      }
      return;
    }
    summary.pagesCrawled++;
    // No targets: no links, or an error page (its links are the site template's, already seen elsewhere).
    const targets = v.targets;
    const codes = v.codes;
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i];
      const code = codes[i];
      if (isCrawlableCode(code)) {
        if (enqueued.has(target)) continue;
        if (enqueued.size < maxPages && depth + 1 <= maxDepth) {
          enqueued.add(target);
          frontier.push({ url: target, depth: depth + 1 });
          notify();
          continue;
        }
        if (!skipped.has(target)) {
          skipped.add(target);
          summary.pagesSkipped++;
        }
      }
      if (checkLinks && !checker.has(target)) void checker.check(target, kindOfCode(code)).then((r) => r && countResult(r));
    }
  };

  const worker = async () => {
    for (;;) {
      if (opts.signal?.aborted) {
        summary.aborted = true;
        return;
      }
      if (head < frontier.length) {
        const item = frontier[head];
        frontier[head++] = undefined as never; // release memory of consumed entries
        inflight++;
        try {
          await processPage(item.url, item.depth);
        } catch {
          summary.pagesFailed++;
        } finally {
          inflight--;
          progress();
          notify();
        }
        if (head > 50_000 && head * 2 > frontier.length) {
          frontier.splice(0, head);
          head = 0;
        }
        continue;
      }
      if (inflight === 0) {
        notify();
        return;
      }
      await new Promise<void>((r) => {
        const prev = wake;
        wake = () => {
          prev?.();
          r();
        };
      });
    }
  };

  // The homepage first, alone: if it cannot be opened there is no audit.
  await worker0(processPage, opts.startUrl, summary);
  if (summary.homepage.ok) {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } else {
    head = frontier.length;
  }
  await checker.drain();
  // Timeouts, resets and 5xx may be the moment (or the audit's own load): those targets are checked once more.
  for (const r of await checker.recheckTransient()) {
    if (r.outcome !== 'broken') {
      summary.brokenLinks--;
      if (r.outcome === 'unverified') summary.unverifiedLinks++;
    }
    reach.note(r);
    opts.onLinkResult?.(r); // replaces the first result (one result per target and run)
  }
  // External links that failed without an answer: is it them, or this machine that cannot reach the outside?
  if (reach.candidates > 0 && !opts.signal?.aborted) {
    let verdict: OfflineVerdict | null;
    if (canaries.length) {
      const results = await Promise.all(
        canaries.map(async (u) => linkResultFromFetch(u, await limiter.run(hostKey(u), () => linkHttp.fetch(u, { timeoutMs: opts.linkTimeoutMs ?? timeoutMs, maxBytes: 64 * 1024, signal: opts.signal })), 'GET')),
      );
      verdict = reach.byCanaries(results);
    } else {
      verdict = reach.byHosts();
    }
    if (verdict) {
      const changed = reach.unverified(verdict);
      for (const r of changed) {
        summary.brokenLinks--;
        summary.unverifiedLinks++;
        opts.onLinkResult?.(r);
      }
      summary.offline = { ...verdict, links: changed.length };
    }
  }
  if (ownHttp) await http.close();
  if (ownLinkHttp) await linkHttp.close();
  if (opts.signal?.aborted) summary.aborted = true;
  return summary;

  async function worker0(fn: typeof processPage, url: string, s: CrawlSummary) {
    head = 1;
    inflight++;
    try {
      await fn(url, 0);
    } catch (e) {
      s.homepage = { ok: false, url, finalUrl: url, status: null, error: 'network', detail: (e as Error).message };
    } finally {
      inflight--;
      progress();
    }
  }
}

/** Homepage failures worth another attempt: the moment, not the site (a missing page or a refused connection is not). */
function retryableHomepage(res: FetchResult): boolean {
  if (res.error) return res.error === 'reset' || res.error === 'timeout' || res.error === 'network' || res.error === 'dns-temporary';
  const s = res.status ?? 0;
  return s === 500 || s === 502 || s === 503 || s === 504;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
