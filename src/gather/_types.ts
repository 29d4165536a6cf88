/**
 * Gatherers: collectors that run after the crawl, for what the breadth-first crawl of the site's own host does not
 * reach or cannot read — message boards on another host, the deeper pages of a document library, the province's
 * service platform, new-media feeds. Each gatherer is one file `src/gather/<id>.ts` (files starting with `_` are the
 * runtime) whose default export is a Gatherer. A gatherer does I/O through its env only (polite HTTP with a request
 * budget, the shared browser tab) and records what it read as observations; checks then read the observations
 * purely. A gatherer that throws is recorded as `failed`, never fatal to the audit.
 */
import type { Logger } from 'pino';
import type { GatherStatus, LinkResult, PageObservation, RenderedPage, SiteInfo } from '../model.ts';

/** A response as a gatherer sees it: decoded text, never an exception. */
export interface Fetched {
  url: string;
  finalUrl: string;
  /** 2xx and no network error. */
  ok: boolean;
  status?: number;
  /** Network error class (timeout, dns, refused …), 'budget' when the request budget is spent, 'aborted'. */
  error?: string;
  errorDetail?: string;
  contentType: string;
  headers: Record<string, string>;
  /** The body decoded with the charset the response declares or that sniffing finds. */
  text: string;
  charset: string;
  bytes: number;
  /** The body was cut at maxBytes. */
  truncated: boolean;
  redirects: string[];
  /** ISO time the request started. */
  at: string;
}

export interface GatherFetchOptions {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** The budget the request counts against (default: the gatherer's id). */
  budget?: string;
  /** Body cap in bytes (default 5 MB). */
  maxBytes?: number;
}

export interface GatherEnv {
  runId: number;
  site: SiteInfo;
  /** Monitoring time point, YYYY-MM-DD. */
  asOf: string;
  rubric: string;
  /** False for a 省直单位 without public-service functions (无对外服务职能). */
  hasPublicServices: boolean;
  /** This gatherer's options (sites file `gather.<id>`, AuditOptions.gather[id]). */
  config: Record<string, unknown>;
  /** The homepage as crawled, with HTML. */
  homepage: PageObservation | undefined;
  /**
   * Every crawled page of the run, in crawl order (streamed from the store), with its facts (src/facts/: decide from
   * them which pages to read); `page.html` is decoded when first read.
   */
  pages(): Iterable<PageObservation>;
  /** Link-check result of a target that did not open fine; undefined = opened fine or was not checked. */
  linkResult(target: string): LinkResult | undefined;
  /**
   * Polite HTTP to any host: per-host concurrency and delay, Retry-After, a deadline per request, redirects, charset
   * decoding. Each call counts against a budget (default `config.budget` or 300 requests per budget name); past it the
   * call resolves `{ ok: false, error: 'budget' }` without a request. Never throws.
   */
  fetch(url: string, o?: GatherFetchOptions): Promise<Fetched>;
  /** Requests made so far under a budget name. */
  spent(budget?: string): number;
  /** The page rendered by Chromium (one reused tab), or null when no browser is available or the render failed. */
  render(url: string, o?: { screenshotPath?: string }): Promise<(RenderedPage & { error?: string; status?: number; finalUrl?: string }) | null>;
  /** Where a gatherer may write screenshots. */
  screenshotDir: string;
  /** Records one observation (JSON data). A key seen again for the same kind replaces the earlier value. */
  emit(kind: string, key: string, data: unknown, url?: string): void;
  /** The gatherer's account of its run (the last call wins). */
  status(s: GatherStatus): void;
  /** A Chinese line for the report's notes. */
  note(zh: string): void;
  signal: AbortSignal;
  log: Logger;
}

export interface Gatherer {
  id: string;
  /** Short English description for developers. */
  description: string;
  /**
   * Runs beside the other gatherers instead of after the one before it: for a gatherer that mostly waits for the
   * browser (render-compat), while the others wait for HTTP.
   */
  beside?: boolean;
  run(env: GatherEnv): Promise<void>;
}
