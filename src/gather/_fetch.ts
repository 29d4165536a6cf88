/**
 * The gatherers' HTTP: the collectors' HttpClient behind per-host politeness, request budgets and Retry-After, with
 * bodies decoded like crawled pages. It never throws: every outcome is a Fetched value.
 */
import { HttpClient } from '../collect/http.ts';
import { HostLimiter, hostKey } from '../collect/hosts.ts';
import { decodeBody } from '../collect/decode.ts';
import { retryAfterMs } from '../collect/linkcheck.ts';
import type { Fetched, GatherFetchOptions } from './_types.ts';

export const DEFAULT_GATHER_BUDGET = 300;
/** Longest Retry-After honoured (longer waits give up: the audit must finish). */
const MAX_RETRY_AFTER_MS = 10_000;

export interface GatherFetcherOptions {
  timeoutMs?: number;
  /** Requests at a time to one host (default 2: these are extra pages on small government servers). */
  perHost?: number;
  /** Gap between request starts to one host, ms. */
  delayMs?: number;
  userAgent?: string;
  /** Injected client (tests); otherwise one is created and closed with the fetcher. */
  client?: HttpClient;
  /** Hosts never queried (the audit's skip list). */
  skipHost?: (host: string) => boolean;
}

export class GatherFetcher {
  private readonly client: HttpClient;
  private readonly ownClient: boolean;
  private readonly limiter: HostLimiter;
  private readonly used = new Map<string, number>();

  constructor(private readonly o: GatherFetcherOptions = {}) {
    this.ownClient = !o.client;
    this.client = o.client ?? new HttpClient({ userAgent: o.userAgent, insecure: true, connections: 8 });
    this.limiter = new HostLimiter(o.perHost ?? 2, o.delayMs ?? 0);
  }

  spent(budget: string): number {
    return this.used.get(budget) ?? 0;
  }

  async fetch(url: string, o: GatherFetchOptions & { budget: string; limit: number; signal?: AbortSignal }): Promise<Fetched> {
    const at = new Date().toISOString();
    const none = (error: string, detail: string): Fetched => ({
      url, finalUrl: url, ok: false, error, errorDetail: detail, contentType: '', headers: {}, text: '', charset: '', bytes: 0,
      truncated: false, redirects: [], at,
    });
    let host: string;
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return none('unsupported-scheme', `unsupported scheme ${u.protocol}`);
      host = hostKey(u.href);
    } catch {
      return none('invalid-url', `invalid URL: ${url}`);
    }
    if (o.signal?.aborted) return none('aborted', 'the gatherer was stopped');
    if (this.o.skipHost?.(new URL(url).hostname)) return none('skipped-host', `host ${host} is not queried`);
    const n = this.spent(o.budget);
    if (n >= o.limit) return none('budget', `request budget "${o.budget}" (${o.limit}) spent`);
    this.used.set(o.budget, n + 1);
    for (let attempt = 0; ; attempt++) {
      const res = await this.limiter.run(host, () =>
        this.client.fetch(url, {
          method: o.method ?? 'GET',
          ...(o.body !== undefined ? { body: o.body } : {}),
          headers: o.headers,
          timeoutMs: this.o.timeoutMs ?? 15_000,
          maxBytes: o.maxBytes ?? 5 * 1024 * 1024,
          signal: o.signal,
        }),
      );
      if (attempt === 0 && (res.status === 429 || res.status === 503)) {
        const wait = retryAfterMs(res.headers['retry-after']);
        if (wait !== null && wait <= MAX_RETRY_AFTER_MS && !o.signal?.aborted) {
          await new Promise((r) => setTimeout(r, wait));
          continue;
        }
      }
      const ct = res.headers['content-type'] ?? '';
      const decoded = res.body.length ? decodeBody(res.body, ct) : { text: '', charset: '' };
      const ok = !res.error && res.status !== null && res.status >= 200 && res.status < 300;
      return {
        url,
        finalUrl: res.finalUrl,
        ok,
        ...(res.status !== null ? { status: res.status } : {}),
        ...(res.error ? { error: res.error, errorDetail: res.errorDetail } : !ok ? { error: `http-${res.status}` } : {}),
        contentType: ct,
        headers: res.headers,
        text: decoded.text,
        charset: decoded.charset,
        bytes: res.bytes,
        truncated: res.truncated,
        redirects: res.redirects,
        at: res.startedAt,
      };
    }
  }

  async close(): Promise<void> {
    if (this.ownClient) await this.client.close();
  }
}
