/**
 * The data model shared by every stage of the pipeline:
 * collectors → observations (store) → checks → rubrics/scoring → reports.
 *
 * Field names here appear in the JSON output and in stored rows: treat them as a contract.
 */

/** What kind of reference an outgoing link is. `attachment` = a document by extension (doc, pdf, xls, zip …). */
export type LinkKind = 'a' | 'img' | 'script' | 'link' | 'iframe' | 'form' | 'attachment' | 'media' | 'other';

/** One outgoing reference found on a page. */
export interface LinkRef {
  /** Absolute URL, fragment removed. */
  target: string;
  kind: LinkKind;
  /** Anchor text, alt or title (trimmed, at most 200 chars). */
  text: string;
  /** True when the element sits in the page's footer area (see src/analyze/footer.ts). */
  inFooter: boolean;
  /**
   * Where the reference came from when it is not the element's own href/src: "srcset 2x", "picture source
   * (image/webp) srcset 800w", "meta refresh (0s)". Absent for ordinary links.
   */
  via?: string;
}

/** A fetched HTML page of the audited site, as observed by the crawler. */
export interface PageObservation {
  /** The URL the crawler requested. */
  url: string;
  /** The URL after redirects. */
  finalUrl: string;
  /** Every URL visited before finalUrl (empty when there was no redirect). */
  redirects: string[];
  /** HTTP status of the final response; null when no response arrived. */
  status: number | null;
  /** Network error code when no response arrived (timeout, dns, refused, tls, …). */
  error?: string;
  /** Link distance from the start URL (0 = homepage). */
  depth: number;
  /** ISO time the fetch started. */
  fetchedAt: string;
  /** Milliseconds to response headers and to the complete body. */
  timings: { headersMs: number; totalMs: number };
  /** Response headers, names lower-cased. */
  headers: Record<string, string>;
  /** Raw body size in bytes. */
  bytes: number;
  /**
   * The body was cut at the crawler's read cap (5 MB): the end of the page (footer, later list items) was not read.
   * Whatever is judged on such a page by its absence is 未核实 unless the browser rendered it (src/analyze/truncated.ts).
   */
  truncated?: boolean;
  contentType: string;
  /** The charset used to decode the body, and how it was chosen. */
  charset: string;
  charsetSource: string;
  /** The decoded HTML. */
  html: string;
  /** Outgoing references. */
  links: LinkRef[];
  /** True for the start page (or the page it redirected to). */
  isHomepage: boolean;
  /**
   * Facts of the page's static HTML computed when it was crawled (src/facts/: family id → stored form). Read them
   * through the families' accessors, never directly; absent for pages without stored facts (computed on use).
   */
  facts?: Record<string, unknown>;
}

/** What happened when a link target was checked. */
export type LinkOutcome = 'ok' | 'broken' | 'unverified';

export interface LinkResult {
  target: string;
  outcome: LinkOutcome;
  /** Final HTTP status, when a response arrived. */
  status?: number;
  /**
   * Error class: timeout, dns, dns-temporary, refused, reset, tls, redirect-loop, too-many-redirects, soft-404,
   * invalid-url, headers-too-large, … ; for unverified results also offline (this machine cannot reach the outside).
   */
  error?: string;
  /** Human-readable detail (English, for logs and the `detail` field). */
  detail: string;
  method: 'HEAD' | 'GET' | 'none';
  finalUrl?: string;
  redirects: string[];
  checkedAt: string;
  ms: number;
  /**
   * Oddities of a response a browser opens anyway (`large-headers:<bytes>`, `long-redirect-chain:<hops>`): they go
   * to the audit's notes, never into a verdict. Not stored with the result.
   */
  notices?: string[];
}

/** A rendered (browser) snapshot of a page, when the browser collector ran. */
export interface RenderedPage {
  url: string;
  html: string;
  at: string;
  screenshot?: string;
}

/** DNS and IPv6 observations for the site's host. */
export interface NetworkObservation {
  host: string;
  a: string[];
  aaaa: string[];
  dnsError?: string;
  /** The homepage fetched over IPv6 (null when not tried). */
  homepageV6?: { ok: boolean; status?: number; error?: string; ms: number } | null;
  /** Internal 2nd/3rd-level links fetched over IPv6. */
  linksV6?: { tried: number; ok: number; failures: { url: string; error: string }[] } | null;
}

/** The unit and the audit settings a check may need. */
export interface SiteInfo {
  url: string;
  host: string;
  /** The unit's name when configured (e.g. 长沙市人民政府). */
  name?: string;
  /** city (市州) or provincial department (省直). */
  unitType: 'city' | 'provincial';
  /** For department sites: the parent government's portal domain, e.g. hunan.gov.cn. */
  parentDomain?: string;
}

/** Evidence attached to a finding: free-form, but these keys are common. */
export interface Evidence {
  anchorText?: string;
  linkKind?: LinkKind;
  onHomepage?: boolean;
  snippet?: string;
  at?: string;
  screenshot?: string;
  pagesChecked?: string[];
  /** When a check could not decide, it says so here and emits no deduction-bearing finding. */
  unverified?: boolean;
  /** Browser confirmation state: confirmed on the rendered DOM, or unconfirmed (no browser). */
  confirmation?: 'rendered' | 'static' | 'unconfirmed';
  /**
   * Machine-assisted findings: `required` until a reviewer decides (the finding does not count meanwhile, 待确认);
   * reports then show the decision (`confirmed`, `rejected`, `adjusted`). Stored findings keep `required`.
   */
  confirm?: 'required' | 'confirmed' | 'rejected' | 'adjusted';
  [key: string]: unknown;
}

export interface Finding {
  check: string;
  /** The page the finding is about (for site-level findings: the homepage). */
  url: string;
  target?: string;
  detail?: string;
  /** Chinese, for people. */
  message: string;
  evidence: Evidence;
}

/** Tunables shared by checks; a config file or the CLI may override them. */
export interface CheckOptions {
  /** Days a column may go without a new item, by column type. */
  stalePeriods: Record<string, number>;
  homepageStaleDays: number;
  ipv6LinkThreshold: number;
}

/**
 * What a check examined. `checked`: it had what it needed and its findings (or their absence) stand;
 * `unverified`: it ran but could not decide (the rows it feeds stay pending, 未核实); `not-run`: it had nothing to
 * examine (collector not run, no data). Scopes are stored per run and read by the scoring engine.
 */
export type CheckScopeStatus = 'checked' | 'unverified' | 'not-run';

export interface CheckScope {
  status: CheckScopeStatus;
  /** Chinese: what was examined, e.g. "已检测 40 个页面" / "已读取留言 120 条（2020-06-16 至 2021-06-10）". */
  summary?: string;
  /** Chinese: why the check could not decide (status ≠ checked), e.g. "未找到留言渠道". */
  reason?: string;
  stats?: Record<string, number | string>;
}

/** What a check returns when it also says what it examined. */
export interface CheckOutput {
  findings: Finding[];
  scope?: CheckScope;
}

/** One stored observation of a gatherer (src/gather/): a kind, a key unique within the kind, JSON data. */
export interface Observation<T = unknown> {
  kind: string;
  key: string;
  url?: string;
  data: T;
}

/** A gatherer's account of its run (what it read, or why it could not). */
export interface GatherStatus {
  status: 'ok' | 'partial' | 'failed' | 'skipped';
  /** Chinese summary of what was read. */
  summary?: string;
  /** Chinese reason when not ok. */
  reason?: string;
  stats?: Record<string, number | string>;
}

/** Read-only access to a run's observations, for checks. */
export interface ObservationSet {
  /** The data of every observation of a kind, in emit order (empty when none). */
  list<T = unknown>(kind: string): T[];
  /** Observations of a kind with their keys and URLs. */
  entries<T = unknown>(kind: string): Observation<T>[];
  /** A gatherer's status, or undefined when it did not run. */
  status(gathererId: string): GatherStatus | undefined;
}

/** Kind under which gatherers' statuses are stored (key = gatherer id). */
export const GATHER_STATUS_KIND = 'gather-status';

/** An ObservationSet over a list (tests, stored runs). */
export function observationSet(all: readonly Observation[] = []): ObservationSet {
  const byKind = new Map<string, Observation[]>();
  for (const o of all) {
    let l = byKind.get(o.kind);
    if (!l) byKind.set(o.kind, (l = []));
    l.push(o);
  }
  return {
    list: <T>(kind: string) => (byKind.get(kind) ?? []).map((o) => o.data as T),
    entries: <T>(kind: string) => (byKind.get(kind) ?? []) as Observation<T>[],
    status: (id: string) => (byKind.get(GATHER_STATUS_KIND) ?? []).find((o) => o.key === id)?.data as GatherStatus | undefined,
  };
}

/** Everything a check may read. No I/O: it is all in memory already. */
export interface AuditContext {
  site: SiteInfo;
  /** Monitoring time point, YYYY-MM-DD (Asia/Shanghai). */
  asOf: string;
  /** Pages of the run (HTML pages of the audited site only). */
  pages: PageObservation[];
  homepage: PageObservation | undefined;
  /**
   * Results of the link checks that did not open fine (broken or unverified), keyed by target URL. A target that is
   * absent opened fine or was not checked: on a large site the ok results would be most of the memory.
   */
  linkResults: Map<string, LinkResult>;
  /** Browser snapshots keyed by page URL; `browser.available` says whether a browser could run at all. */
  browser: { available: boolean; reason?: string; pages: Map<string, RenderedPage>; homepageScreenshot?: string };
  network?: NetworkObservation;
  /** The site's availability for the week containing asOf, from stored probes (monitoring); absent when never probed. */
  availability?: AvailabilitySummary;
  /** What the gatherers (src/gather/) collected after the crawl; empty when none ran. */
  observations?: ObservationSet;
  /** The run's id, for checks that sample (a seed: a rescore samples the same items). */
  runId?: number;
  options: CheckOptions;
}

/** Weekly availability of one site (the dashboard query's row). */
export interface AvailabilitySummary {
  site: string;
  /** ISO week, e.g. 2021-W24. */
  week: string;
  probes: number;
  failures: number;
  /** failures / probes (0 when no probes). */
  ratio: number;
  /** failures ≥ 5 % of the week's probes. */
  veto: boolean;
  /** Days of the week with fewer than 20 probes (insufficient sampling). */
  insufficientDays: number;
  notMeasuredHours: number;
  /**
   * Probes inside announced maintenance windows (src/monitor/maintenance.ts), by the inspector's decision; already
   * part of probes/failures. Absent when no window touches the week. `availabilityVerdict` reads it.
   */
  maintenance?: MaintenanceCounts;
}

/** Probes recorded inside maintenance windows, by what the inspector decided about each window. */
export interface MaintenanceCounts {
  /** Inside windows not decided yet: a verdict must hold whether they count or not. */
  pendingProbes: number;
  pendingFailures: number;
  /** Inside windows decided 不计入: left out of the week's numbers. */
  excludedProbes: number;
  excludedFailures: number;
  /** Inside windows decided 计入: counted like any other probe. */
  countedProbes: number;
  countedFailures: number;
  /** Ids of the windows touching the period. */
  windows: number[];
}

export interface CheckMeta {
  id: string;
  /** Chinese title for reports. */
  title: string;
  /** Short English description for developers. */
  description: string;
  /** Findings need a reviewer's confirmation before they count (e.g. source-label). */
  machineAssisted?: boolean;
  /** Every finding is confirm-required: the runner stamps `evidence.confirm = 'required'` unless the finding says otherwise. */
  confirm?: 'required';
  /** Does the check read page HTML (so the runner must load it)? */
  needsHtml?: boolean;
}

export interface Check extends CheckMeta {
  /** A plain array means scope `checked`. */
  run(ctx: AuditContext): Finding[] | CheckOutput;
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
  stalePeriods: {
    news: 14,
    notice: 183,
    policy: 183,
    personnel: 365,
    plan: 365,
    leader: 365,
    organization: 365,
    overview: 365,
  },
  homepageStaleDays: 14,
  ipv6LinkThreshold: 0.85,
};
