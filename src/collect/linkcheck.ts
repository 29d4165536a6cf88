import type { LinkKind, LinkResult } from '../model.ts';
import { HttpClient, type FetchResult } from './http.ts';
import { HostLimiter, Semaphore, hostKey } from './hosts.ts';
import { isHtml, linkResultFromFetch } from './verdict.ts';
import { isChainTrustError } from './tls.ts';
import { followMetaRefresh } from './refresh.ts';

export { linkResultFromFetch };

/**
 * Checks each distinct link target once per audit (results cached by URL).
 * HEAD first, GET when HEAD is refused or unreliable; GET for links that open pages, so that error pages served
 * with status 200 (soft 404) are recognised. 429/503 with Retry-After are retried after the wait; what a WAF or a
 * rate limit keeps refusing, and hosts we chose not to query, are "unverified", never "broken".
 */

export interface LinkCheckerOptions {
  http: HttpClient;
  limiter: HostLimiter;
  /** Total link checks in flight. */
  concurrency?: number;
  timeoutMs?: number;
  /** Retries after 429/503 (each after Retry-After, capped by maxRetryAfterMs). */
  retries?: number;
  maxRetryAfterMs?: number;
  /** Hosts never queried (their links are unverified). */
  skipHost?: (host: string) => boolean;
  /** Is the URL part of the audited site (GET instead of HEAD for pages)? */
  isInternal?: (url: string) => boolean;
  /**
   * A client that does not verify certificates. A target whose certificate chain cannot be verified on this machine
   * (see chainTrustFailure) is fetched again with it: when it then opens, it is "unverified", not broken.
   */
  insecureHttp?: HttpClient;
  /** Pause before transient failures are checked a second time (see recheckTransient; default 2 s). */
  recheckDelayMs?: number;
  signal?: AbortSignal;
}

/**
 * Failures that may be the moment rather than the link — a timeout, a reset connection, a resolver that could not
 * answer just then (EAI_AGAIN), a gateway or server error (often the server struggling under the audit's own
 * requests): such a target is checked once more at the end.
 */
export function isTransientFailure(r: LinkResult): boolean {
  if (r.outcome !== 'broken') return false;
  if (r.error === 'timeout' || r.error === 'reset' || r.error === 'network' || r.error === 'dns-temporary') return true;
  return r.status === 500 || r.status === 502 || r.status === 503 || r.status === 504;
}

/** At most this many targets are checked a second time (a dead host with thousands of URLs must not stall the audit). */
const MAX_RECHECKS = 500;

/** A TLS failure of the certificate chain only (see CHAIN_TRUST_CODES in tls.ts). */
export function chainTrustFailure(res: FetchResult): boolean {
  return res.error === 'tls' && isChainTrustError(res.errorDetail);
}

const PAGE_KINDS = new Set<LinkKind>(['a', 'iframe', 'form']);

export class LinkChecker {
  /** Targets checked or being checked: each distinct target once per audit. */
  private readonly seen = new Set<string>();
  /** Checks in flight. Finished results leave the checker (they go to the caller and the store), so memory
   * stays flat on sites with hundreds of thousands of distinct targets. */
  private readonly inflight = new Map<string, Promise<LinkResult>>();
  private readonly queue: Semaphore;
  private readonly o: Required<Omit<LinkCheckerOptions, 'skipHost' | 'isInternal' | 'insecureHttp' | 'signal'>> & LinkCheckerOptions;
  /** Targets whose failure may be transient, to be checked again (recheckTransient). */
  private transient: { target: string; kind: LinkKind }[] = [];

  constructor(opts: LinkCheckerOptions) {
    this.o = { concurrency: 16, timeoutMs: 15_000, retries: 2, maxRetryAfterMs: 30_000, recheckDelayMs: 2_000, ...opts };
    this.queue = new Semaphore(this.o.concurrency);
  }

  /** Distinct targets seen so far. */
  get size(): number {
    return this.seen.size;
  }

  has(target: string): boolean {
    return this.seen.has(target);
  }

  /** Records a target the crawler fetched anyway (a crawled page is its own link check). */
  record(result: LinkResult): void {
    this.seen.add(result.target);
  }

  /** Marks a target the crawler fetches itself as seen; true when nobody had checked or claimed it before. */
  claim(target: string): boolean {
    if (this.seen.has(target)) return false;
    this.seen.add(target);
    return true;
  }

  /**
   * Checks a target not seen before and resolves with its result; for a target already checked or recorded it
   * resolves with null (its result was delivered once, to whoever asked first).
   */
  check(target: string, kind: LinkKind): Promise<LinkResult | null> {
    const running = this.inflight.get(target);
    if (running) return running.then(() => null);
    if (this.seen.has(target)) return Promise.resolve(null);
    this.seen.add(target);
    const p = this.queue
      .run(() => this.run(target, kind))
      .catch((e) => unverified(target, 'internal', `check failed: ${(e as Error).message}`))
      .then((r) => {
        this.noteResult(r, kind);
        return r;
      })
      .finally(() => this.inflight.delete(target));
    this.inflight.set(target, p);
    return p;
  }

  /** Remembers a result whose failure may be transient (the crawler passes its own pages' verdicts too). */
  noteResult(r: LinkResult, kind: LinkKind): void {
    if (isTransientFailure(r) && this.transient.length < MAX_RECHECKS) this.transient.push({ target: r.target, kind });
  }

  /**
   * Checks every transient failure (isTransientFailure) once more, after a pause, and returns the new results: a
   * target that opens now is not broken; one that fails again says so in its detail. Call after drain().
   */
  async recheckTransient(): Promise<LinkResult[]> {
    const list = this.transient;
    this.transient = [];
    if (list.length === 0 || this.o.signal?.aborted) return [];
    await sleep(this.o.recheckDelayMs, this.o.signal);
    return Promise.all(
      list.map(({ target, kind }) =>
        this.queue
          .run(() => this.run(target, kind))
          .catch((e) => unverified(target, 'internal', `check failed: ${(e as Error).message}`))
          .then((r) => (r.outcome === 'broken' ? { ...r, detail: `${r.detail}; failed again when checked a second time` } : r)),
      ),
    );
  }

  /** Waits until every check started so far has finished. */
  async drain(): Promise<void> {
    // Every check started is in `inflight` until it settles (queued ones included); checks may start more.
    while (this.inflight.size > 0) await Promise.all(this.inflight.values());
  }

  private async run(target: string, kind: LinkKind): Promise<LinkResult> {
    const host = hostKey(target);
    if (!host) return linkResultFromFetch(target, failFetch(target, 'invalid-url', 'malformed URL: a browser cannot open it'), 'none');
    if (this.o.skipHost?.(new URL(target).hostname)) return unverified(target, 'not-queried', 'host excluded from checking by configuration');
    if (this.o.signal?.aborted) return unverified(target, 'aborted', 'audit aborted before this link was checked');
    const internal = this.o.isInternal?.(target) ?? false;
    const wantsBody = PAGE_KINDS.has(kind) && (internal || kind !== 'form');
    // Pages of the audited site: GET directly (cheap, and needed for soft-404). Elsewhere HEAD first.
    let method: 'HEAD' | 'GET' = wantsBody && internal ? 'GET' : 'HEAD';
    let http = this.o.http;
    let res = await this.request(host, target, method, http);
    // A certificate chain this machine cannot verify: look again without verifying (see chainTrustFailure).
    const chain = this.o.insecureHttp && chainTrustFailure(res) ? res.errorDetail : undefined;
    if (chain) {
      http = this.o.insecureHttp!;
      res = await this.request(host, target, method, http);
    }
    if (method === 'HEAD' && headUnreliable(res)) {
      method = 'GET';
      res = await this.request(host, target, 'GET', http);
    } else if (method === 'HEAD' && wantsBody && res.status === 200 && isHtml(res) && res.redirects.length > 0) {
      // A redirected page link: look at where it lands (error pages behind redirects are common).
      method = 'GET';
      res = await this.request(host, target, 'GET', http);
    }
    // A page that moves on by a quick meta refresh: the visitor lands on its target (src/collect/refresh.ts).
    if (method === 'GET' && wantsBody) res = await followMetaRefresh(res, (u) => this.request(hostKey(u) || host, u, 'GET', http));
    let lr = linkResultFromFetch(target, res, method);
    if (kind === 'form') lr = formVerdict(lr);
    if (!chain) return lr;
    const note = `certificate chain cannot be verified on this machine (${chain}; an intermediate certificate not sent by the server, or a root this machine does not trust)`;
    if (lr.outcome === 'ok') return { ...lr, outcome: 'unverified', error: 'tls-chain', detail: `${note}; opens when the certificate is not checked (${lr.detail})` };
    return { ...lr, detail: `${lr.detail}; ${note}` };
  }

  private async request(host: string, url: string, method: 'HEAD' | 'GET', http: HttpClient): Promise<FetchResult> {
    let attempt = 0;
    for (;;) {
      const res = await this.o.limiter.run(host, () =>
        http.fetch(url, { method, timeoutMs: this.o.timeoutMs, maxBytes: 256 * 1024, signal: this.o.signal }),
      );
      if ((res.status === 429 || res.status === 503) && attempt < this.o.retries) {
        const wait = retryAfterMs(res.headers['retry-after']);
        if (wait !== null && wait <= this.o.maxRetryAfterMs) {
          attempt++;
          await sleep(Math.max(wait, 200 * attempt), this.o.signal);
          continue;
        }
      }
      return res;
    }
  }
}

/**
 * A form's action is requested here without the visitor's input: a search endpoint may then answer 400/500 or a
 * "nothing found" page although the form works. Only a missing endpoint (404/410) or a host that cannot be reached
 * counts as broken; other errors are unverified.
 */
function formVerdict(lr: LinkResult): LinkResult {
  if (lr.outcome !== 'broken') return lr;
  const missing = lr.status === 404 || lr.status === 410;
  if (missing || lr.status === undefined || (lr.error !== 'soft-404' && !lr.error?.startsWith('http-'))) return lr;
  return { ...lr, outcome: 'unverified', error: 'form-without-input', detail: `${lr.detail} (form action requested without the visitor's input)` };
}

function headUnreliable(res: FetchResult): boolean {
  if (res.error) return res.error === 'reset' || res.error === 'network';
  const s = res.status ?? 0;
  // Many servers answer HEAD wrongly (405/501, 400, 404/403/500 for a GET-able page).
  return s >= 400 && s !== 429;
}

export function retryAfterMs(v: string | undefined): number | null {
  if (!v) return null;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - Date.now());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}

function failFetch(url: string, error: FetchResult['error'], detail?: string): FetchResult {
  return { url, finalUrl: url, redirects: [], status: null, headers: {}, body: Buffer.alloc(0), bytes: 0, truncated: false, error, errorDetail: detail ?? error, headersMs: 0, totalMs: 0, startedAt: new Date().toISOString() };
}

function unverified(target: string, error: string, detail: string): LinkResult {
  return { target, outcome: 'unverified', error, detail, method: 'none', redirects: [], checkedAt: new Date().toISOString(), ms: 0 };
}
