import path from 'node:path';
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { AuditContext, AvailabilitySummary, CheckOptions, Finding, NetworkObservation, PageObservation, RenderedPage, SiteInfo } from '../model.ts';
import { DEFAULT_CHECK_OPTIONS } from '../model.ts';
import { crawlSite, siteKey, type CrawlSummary } from '../collect/crawl.ts';
import { tightHeap } from '../runtime/heap.ts';
import { Store } from '../store/store.ts';
import { openWriter } from '../store/writer.ts';
import { loadChecks, runChecks } from '../checks.ts';
import type { AuditReport } from '../report/audit-report.ts';
import { defaultTabs, launchRenderer, type Renderer, type RenderResult } from '../collect/browser.ts';
import { Semaphore } from '../collect/hosts.ts';
import { observeNetwork, type Resolver } from '../collect/network.ts';
import { scoreStoredRun } from './score-run.ts';
import { withDecisions } from '../score/engine.ts';
import { ensureMonitorSchema } from '../monitor/schema.ts';
import { availabilityForAudit } from '../monitor/ratios.ts';
import { dayProblem } from '../monitor/time.ts';
import { homepageDates } from '../../checks/homepage-stale.ts';
import { runGatherers } from '../gather/_runner.ts';
import { newMediaFacts, registrySnapshot } from '../newmedia/gather-input.ts';
import { GATHERER_ID as NEWMEDIA_GATHERER } from '../newmedia/observations.ts';
import { withInquiries } from '../inquiry/store.ts';
import { observationSet } from '../model.ts';
import { networkNotes, offlineNote } from './network-notes.ts';
import type { LookupFunction } from 'node:net';
import { loadRubric } from '../score/rubric.ts';
import { loadManual } from '../score/manual.ts';
import { applyTruncation, truncatedPagesNote } from '../analyze/truncated.ts';
import { pageEmptiness } from '../analyze/emptiness.ts';
import { docFacts } from '../facts/doc.ts';

/**
 * One audit of one site, streamed (docs/architecture.md): the browser starts with the crawl and renders the homepage
 * meanwhile; pages are parsed, analysed (their facts) and stored while the crawl goes on; then DNS/IPv6, the pages to
 * confirm rendered while the gatherers run, the checks (once, over the facts) and the score.
 * The same function serves `govsite audit`, the nightly run and the dashboard's "run now".
 */

export interface AuditOptions {
  url: string;
  rubric?: string;
  /** Monitoring time point YYYY-MM-DD; default today in Asia/Shanghai. */
  asOf?: string;
  maxPages?: number;
  maxDepth?: number;
  concurrency?: number;
  perHost?: number;
  delayMs?: number;
  timeoutMs?: number;
  /** An open store, or the database file path (default ./data/govsite.db). */
  store?: Store;
  dbFile?: string;
  site?: Partial<Pick<SiteInfo, 'name' | 'parentDomain' | 'unitType'>> & { id?: string; hasPublicServices?: boolean };
  manualFile?: string;
  /**
   * A configured manual file that does not exist yet means "no manual entries yet" (the nightly run): the audit is
   * scored without it, with a note. Without this flag a missing file is an error, like a malformed one — both are
   * found before the first request.
   */
  manualMayBeMissing?: boolean;
  /** Render with Chromium (default true). */
  browser?: boolean;
  chromiumPath?: string;
  /** Chromium --host-resolver-rules (tests, staging). */
  hostResolverRules?: string;
  /** Where screenshots go (default: <db dir>/screenshots). */
  screenshotDir?: string;
  /** DNS/IPv6 observation (default true, skipped for IP-literal and localhost hosts). */
  network?: boolean;
  resolver?: Resolver;
  /** DNS lookup for the crawl and link checks (default: the system's; tests and staging inject one). */
  lookup?: LookupFunction;
  /**
   * URLs that tell whether this machine reaches the outside (src/collect/reach.ts): when external links fail without
   * an answer and none of these can be reached either, those links are unverified (本机网络不可达). Without canaries,
   * the external hosts tried decide (at least 3 distinct hosts, all failing, none answering).
   */
  canaryUrls?: string[];
  /** Pause before transient link failures are checked a second time (default 2 s). */
  recheckDelayMs?: number;
  /** Pause before the first homepage retry, doubled for each further one (default 1 s). */
  homepageRetryDelayMs?: number;
  skipHosts?: string[];
  checkOptions?: Partial<CheckOptions>;
  /** Weekly availability for the week of asOf (from monitoring); looked up by site id in the store when not given. */
  availability?: AvailabilitySummary;
  /** The run id to audit under (a worker's scratch store uses the id the shared repository gave the job). */
  runId?: number;
  /** Called inside the transaction that marks the run done (the nightly run records the site as finished there). */
  onCommit?: (runId: number) => void;
  /** Options per gatherer id (src/gather/<id>.ts), e.g. `{ interaction: { budget: 300 } }`; `{ enabled: false }` skips one. */
  gather?: Record<string, Record<string, unknown> | undefined>;
  /** Run the gatherers (default true); a list runs only those ids. */
  gatherers?: boolean | string[];
  /**
   * Most pages the content checks read, nearest the homepage first (crawl depth, then address). Default: every page
   * of a crawl of up to 10,000 pages; of a larger one, the nearest 2,000 (memory: a 100,000-page audit stays under
   * 400 MB). The report notes a cut.
   */
  maxContentPages?: number;
  signal?: AbortSignal;
  log?: Logger;
  onProgress?: (p: { pagesDone: number; queued: number; linksChecked: number }) => void;
}

export class AuditError extends Error {
  constructor(message: string, readonly runId?: number) {
    super(message);
  }
}

export function todayShanghai(d = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

export function unitTypeOfRubric(rubric: string): 'city' | 'provincial' {
  return /provincial|省直|dept|department/i.test(rubric) ? 'provincial' : 'city';
}

/** Checks whose "missing" verdict on static HTML must be confirmed on the rendered page. */
const RENDER_CONFIRMED = /^(footer-|error-report-entry$|site-name$)/;
const MAX_RENDERS = 30;
/** Pages up to which the checks and the gatherers share one set of (lazy) page objects. */
const SHARED_PAGES = 10_000;
/** Pages the content checks read of a crawl beyond SHARED_PAGES (the nearest to the homepage). */
const LARGE_CRAWL_CONTENT_PAGES = 2_000;

function isLoopbackOrIp(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || /^[\d.]+$/.test(h) || h.includes(':');
}

export async function runAudit(o: AuditOptions): Promise<AuditReport> {
  // The whole audit (crawl, then checks over pages and link results) keeps the heap near its live size (see tightHeap).
  const releaseHeap = tightHeap();
  try {
    return await audit(o);
  } finally {
    releaseHeap();
  }
}

async function audit(o: AuditOptions): Promise<AuditReport> {
  let start: URL;
  try {
    start = new URL(o.url);
  } catch {
    throw new AuditError(`invalid URL: ${o.url}`);
  }
  if (start.protocol !== 'http:' && start.protocol !== 'https:') throw new AuditError(`only http and https URLs can be audited: ${o.url}`);
  start.hash = '';
  const url = start.href;
  const rubric = o.rubric ?? 'hunan-2021-city';
  const asOf = o.asOf ?? todayShanghai();
  const asOfProblem = dayProblem(asOf, '监测时间点');
  if (asOfProblem) throw new AuditError(asOfProblem);
  // The rubric and the manual file are read now, not after an hour of crawling.
  try {
    loadRubric(rubric);
  } catch (e) {
    throw new AuditError(`评分细则 "${rubric}" 无法使用：${(e as Error).message}`);
  }
  const notes: string[] = [];
  let manualFile = o.manualFile;
  if (manualFile && o.manualMayBeMissing && !fs.existsSync(manualFile)) {
    notes.push(`人工评分文件 ${manualFile} 尚未建立：本次评分不含人工评分和复核决定`);
    manualFile = undefined;
  }
  if (manualFile) {
    try {
      loadManual(manualFile);
    } catch (e) {
      throw new AuditError(`人工评分文件 ${manualFile} 无法使用：${(e as Error).message}`);
    }
  }
  const ownStore = !o.store;
  const store = o.store ?? Store.open(o.dbFile ?? path.join('data', 'govsite.db'));
  const log = o.log;
  const startedAt = new Date().toISOString();
  const unitType = o.site?.unitType ?? unitTypeOfRubric(rubric);
  const runId = store.createRun({
    ...(o.runId !== undefined ? { id: o.runId } : {}),
    siteUrl: url, siteKey: siteKey(url), siteId: o.site?.id, siteName: o.site?.name, rubric, asOf,
    options: { maxPages: o.maxPages ?? 2000, maxDepth: o.maxDepth ?? 10, concurrency: o.concurrency ?? 4, unitType, hasPublicServices: o.site?.hasPublicServices ?? true, manualFile: o.manualFile ?? null, parentDomain: o.site?.parentDomain ?? null },
  });
  log?.info({ runId, url, rubric, asOf }, 'audit started');
  const phase = phaseTimer(log);
  const crawlFrom = async (startUrl: string): Promise<CrawlSummary> => {
    const writer = openWriter(store, store.db.name);
    try {
      const summary = await crawlSite({
        startUrl,
        maxPages: o.maxPages,
        maxDepth: o.maxDepth,
        concurrency: o.concurrency ?? 4,
        perHost: o.perHost,
        delayMs: o.delayMs,
        timeoutMs: o.timeoutMs,
        skipHost: o.skipHosts?.length ? (h) => o.skipHosts!.some((s) => h === s || h.endsWith('.' + s)) : undefined,
        ...(o.lookup ? { lookup: o.lookup } : {}),
        ...(o.canaryUrls?.length ? { canaryUrls: o.canaryUrls } : {}),
        ...(o.recheckDelayMs !== undefined ? { recheckDelayMs: o.recheckDelayMs } : {}),
        ...(o.homepageRetryDelayMs !== undefined ? { homepageRetryDelayMs: o.homepageRetryDelayMs } : {}),
        signal: o.signal,
        // With a database file, pages are decoded, parsed and stored on the writer thread; else here, then stored.
        processor: writer.processor(runId, startUrl) ?? undefined,
        onPage: (p, x) => writer.page(runId, p, x.soft404),
        onLinkResult: (r) => writer.result(runId, r),
        onProgress: o.onProgress,
      });
      await writer.close();
      return summary;
    } catch (e) {
      await writer.close().catch(() => undefined);
      store.finishRun(runId, 'failed', { error: (e as Error).message });
      if (ownStore) store.close();
      throw new AuditError(`crawl failed: ${(e as Error).message}`, runId);
    }
  };
  // The browser starts with the audit and renders the homepage while the crawl goes on (its tabs render side by side).
  const screenshotDir = o.screenshotDir ?? path.join(path.dirname(path.resolve(o.dbFile ?? path.join('data', 'govsite.db'))), 'screenshots');
  const launching = o.browser !== false ? launchRenderer({ executablePath: o.chromiumPath, hostResolverRules: o.hostResolverRules }) : null;
  const usable = launching?.then((r) => ('unavailable' in r ? null : r));
  const renderHomeAt = (u: string) =>
    usable?.then((r) => r?.render(u, { screenshotPath: path.join(screenshotDir, `run-${runId}-home.png`), screenshotMode: 'full' }) ?? null).catch((e: Error) => ({ url: u, html: '', at: new Date().toISOString(), error: e.message }) as RenderResult);
  // Replaced by the rendering of the page an entry page (引导页) leads to, once the crawl has found one.
  let homeRender = renderHomeAt(url);
  let closing: Promise<void> | undefined;
  const closeBrowser = () =>
    (closing ??= (async () => {
      const r = await launching?.catch(() => null);
      if (r && !('unavailable' in r)) await r.close().catch(() => undefined);
    })());
  try {
    return await afterLaunch();
  } finally {
    await closeBrowser();
  }

  async function afterLaunch(): Promise<AuditReport> {
    let summary = await crawlFrom(url);
    // A homepage that redirects to another site (x.gov.cn → www.x.hunan.gov.cn) is audited where it lands.
    const landing = summary.homepage.finalUrl;
    if (summary.homepage.ok && summary.pagesCrawled === 0 && siteKey(landing) !== siteKey(url)) {
      notes.push(`首页跳转至 ${landing}，按跳转后的网站检查`);
      summary = await crawlFrom(landing);
    }
    phase('crawl');
    if (!summary.homepage.ok) {
      const reason = `homepage cannot be opened: ${summary.homepage.detail ?? summary.homepage.error ?? 'HTTP ' + summary.homepage.status}`;
      store.finishRun(runId, 'failed', { error: reason, stats: statsOf(summary) });
      if (ownStore) store.close();
      throw new AuditError(reason, runId);
    }
    if (summary.entryPage) {
      const { entry } = summary.entryPage;
      notes.push(`${url} 为引导页（仅有“进入网站”一类链接），按其进入的页面 ${entry} 作为首页检查`);
      const splash = homeRender;
      homeRender = splash ? splash.then(() => renderHomeAt(entry)).then((r) => r ?? null) : undefined;
    }
    if (summary.aborted) notes.push('审计被中止，结果不完整');
    // "This machine cannot reach the outside" goes first: it changes how every external link result reads.
    const offline = offlineNote(summary);
    if (offline) notes.unshift(offline);
    notes.push(...networkNotes(summary));

    const stats = { ...statsOf(summary), crawlMs: phase.ms.crawl };
    try {
      // DNS and IPv6
      let network: NetworkObservation | undefined;
      if (o.network !== false && !isLoopbackOrIp(start.hostname)) {
        const internal = internalSample(store, runId);
        network = await observeNetwork({ homepageUrl: url, internalLinks: internal, resolver: o.resolver, timeoutMs: Math.min(o.timeoutMs ?? 15_000, 15_000) });
      } else {
        notes.push('IPv6 与域名解析检测未执行（IP 地址或本机地址）');
      }

      // Browser: homepage always (screenshot), then pages where static HTML lacks footer items / entry / name.
      const browser: AuditContext['browser'] = { available: false, pages: new Map<string, RenderedPage>() };
      let renderer: Renderer | null = null;
      if (launching) {
        const r = await launching;
        if ('unavailable' in r) {
          browser.reason = r.unavailable;
          notes.push(`浏览器不可用（${r.unavailable}），页脚、找错入口、网站名称类问题未经渲染确认`);
        } else {
          renderer = await usable!;
          browser.available = true;
        }
      } else {
        browser.reason = 'disabled by --no-browser';
        notes.push('未启用浏览器渲染，页脚、找错入口、网站名称类问题未经渲染确认');
      }
      const linkResults = store.linkResults(runId, { problemsOnly: true });
      const site = { url, host: start.hostname, unitType, ...(o.site?.name ? { name: o.site.name } : {}), ...(o.site?.parentDomain ? { parentDomain: o.site.parentDomain } : {}) } as SiteInfo;
      const hasPublicServices = o.site?.hasPublicServices ?? true;

      const checks = await loadChecks();
      const maxContent = o.maxContentPages ?? (summary.pagesCrawled <= SHARED_PAGES ? SHARED_PAGES : LARGE_CRAWL_CONTENT_PAGES);
      // HTML is read lazily: the checks reduce over the pages' stored facts and read a page's HTML only when they must.
      // The gatherers read every page: up to SHARED_PAGES they share these page objects (read once); beyond, each
      // gatherer streams them from the store, and only the checks' first pages stay in memory.
      // (The crawl's count says which: beyond, no page objects beyond the checks' are made at all.)
      let all: PageObservation[] | null = summary.pagesCrawled <= Math.max(maxContent, SHARED_PAGES) ? [] : null;
      if (all) {
        for (const p of store.iteratePages(runId, { withHtml: 'lazy' })) {
          if (all.length >= Math.max(maxContent, SHARED_PAGES)) {
            all = null;
            break;
          }
          all.push(p);
        }
      }
      const pagesCut = !all || all.length > maxContent;
      // When cut, the checks read the pages nearest the homepage (crawl depth, then address): the same pages on every
      // run of the same site, whatever order the crawl finished them in.
      let pages: PageObservation[];
      if (all) pages = pagesCut ? [...all].sort((a, b) => a.depth - b.depth || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0)).slice(0, maxContent) : all;
      else {
        pages = [];
        for (const p of store.iteratePages(runId, { withHtml: 'lazy', nearestFirst: true })) {
          if (pages.length >= maxContent) break;
          pages.push(p);
        }
      }
      const homepage = pages.find((p) => p.isHomepage);
      phase('load pages');
      const options = { ...DEFAULT_CHECK_OPTIONS, ...o.checkOptions, stalePeriods: { ...DEFAULT_CHECK_OPTIONS.stalePeriods, ...o.checkOptions?.stalePeriods } };
      const availability = o.availability ?? storedAvailability(store, o.site?.id, asOf);

      // The homepage's rendering (started with the crawl), then the pages whose footer items, 找错 entry or name the
      // static HTML lacks while scripts may write them: decided from the pages' facts now, rendered while the gatherers
      // run. A page cut at the read cap may be named by any check (some read the gatherers' observations): then the
      // pages to render are decided after the gatherers, from every check's static findings, as they always were.
      let homeNote: string | undefined;
      const renderHome = async () => {
        const home = await homeRender;
        if (!home) return;
        if (!home.error || home.html) {
          if (!summary.entryPage) browser.pages.set(url, home);
          if (homepage && homepage.url !== url) browser.pages.set(homepage.url, home);
          store.saveRendered(runId, home);
        }
        if (home.screenshot && fs.existsSync(home.screenshot)) browser.homepageScreenshot = home.screenshot;
        else if (home.error) homeNote = `首页渲染失败：${home.error}`;
      };
      const renderPages = async (findings: Finding[]) => {
        const toRender = pagesToConfirm(findings, pages).filter((u) => !browser.pages.has(u)).slice(0, MAX_RENDERS);
        // Asked for together (the renderer's tabs take them side by side), kept in the order asked; an abort stops the
        // ones not started yet.
        const gate = new Semaphore(defaultTabs());
        const done = await Promise.all(toRender.map((u) => gate.run(async () => (o.signal?.aborted ? null : renderer!.render(u)))));
        toRender.forEach((u, i) => {
          const rp = done[i];
          if (!rp?.html || o.signal?.aborted) return;
          browser.pages.set(u, rp);
          store.saveRendered(runId, rp);
        });
      };
      const staticCtx = (): AuditContext => ({ site, asOf, runId, homepage, linkResults, browser: { ...browser, pages: new Map() }, network, availability, options, pages });
      const early = !!renderer && !pages.some((p) => p.truncated);
      let confirming: Promise<void> | undefined;
      if (early) {
        const first = runChecks(checks.filter((c) => RENDER_CONFIRMED.test(c.id)), staticCtx());
        const home = homeRender!.then(() => undefined);
        // Findings of the first pass name the pages; the homepage's own rendering comes first (it is never rendered twice).
        confirming = (async () => {
          await home;
          await renderHome();
          await renderPages(first.findings);
        })();
        confirming.catch(() => undefined);
      }

      // Gatherers: what the crawl of the site's own host does not reach (boards on other hosts, document libraries,
      // service platforms, feeds). Each is bounded and never fatal; its status says what it read.
      let gatherStatuses: AuditReport['gather'];
      if (o.gatherers !== false) {
        const g = await runGatherers({
          store, runId, site, asOf, rubric, hasPublicServices,
          homepage: store.homepage(runId),
          linkResults,
          ...(all ? { crawledPages: all } : {}),
          // The new-media gatherer reads the unit's registry (src/newmedia) from the store; the interaction gatherer gets the
          // site's simulated inquiries (src/inquiry).
          config: { ...withInquiries(store.db, [o.site?.id, siteKey(url)], o.gather), [NEWMEDIA_GATHERER]: { ...o.gather?.[NEWMEDIA_GATHERER], registry: registrySnapshot(store.db, { url, ...(o.site?.name ? { name: o.site.name } : {}), ...(o.site?.id ? { siteId: o.site.id } : {}) }, { by: `audit:${runId}` }) } },
          renderer: async () => renderer,
          // The homepage was rendered while the crawl ran: a gatherer that wants it rendered gets that rendering.
          ...(homeRender ? { rendered: async (u: string) => ((u === url && !summary.entryPage) || u === homepage?.url || u === homepage?.finalUrl ? await homeRender : undefined) } : {}),
          screenshotDir,
          fetcher: { timeoutMs: Math.min(o.timeoutMs ?? 15_000, 30_000), delayMs: o.delayMs, perHost: Math.min(o.perHost ?? 2, 2), skipHost: o.skipHosts?.length ? (h) => o.skipHosts!.some((s) => h === s || h.endsWith('.' + s)) : undefined },
          ...(Array.isArray(o.gatherers) ? { only: o.gatherers } : {}),
          signal: o.signal,
          log,
        });
        notes.push(...g.notes);
        if (Object.keys(g.statuses).length) gatherStatuses = g.statuses;
        log?.info({ timings: g.timings }, 'gatherer timings');
        phase('gatherers');
      }
      if (pagesCut) notes.push(`页面较多，内容类检查只读取了前 ${maxContent} 个页面（按与首页的距离）`);

      const ctxBase = {
        site,
        asOf,
        runId,
        homepage,
        linkResults,
        observations: observationSet(store.observations(runId)),
        browser,
        network,
        availability,
        options,
      };
      const ctx: AuditContext = { ...ctxBase, pages };
      // The audit says what it got when the homepage has nothing to analyse (an empty 200, HTML served as image/png).
      const homeEmpty = homepage ? pageEmptiness(homepage) : undefined;
      if (homeEmpty?.empty) notes.push(`首页${homeEmpty.zh}：首页内容无法检查，依赖首页内容的检查项未核实`);
      const truncatedNote = truncatedPagesNote(pages);
      if (truncatedNote) notes.push(truncatedNote);
      // Pages cut at the read cap: what their unread end would decide is 未核实 (src/analyze/truncated.ts).
      const check = () => applyTruncation(runChecks(checks, ctx), ctx);
      if (renderer && !early) {
        // The pages to confirm come from every check's static findings (see above).
        const first = check();
        phase('checks (static)');
        await renderHome();
        await renderPages(first.findings);
      } else if (confirming) await confirming;
      if (homeNote) notes.push(homeNote);
      phase('browser');
      // Nothing is rendered from here on: Chromium shuts down while the checks and the score run (awaited at the end).
      void closeBrowser();
      const result = check();
      log?.info({ timings: result.timings }, 'check timings');
      phase('checks');
      for (const [id, err] of Object.entries(result.errors)) {
        log?.error({ check: id, err }, 'check failed');
        notes.push(`检查项 ${id} 运行出错，未产生结论`);
      }
      const findings = sortFindings(result.findings);
      store.saveFindings(runId, findings);
      store.saveCheckScopes(runId, result.scopes);
      phase('store findings');
      const facts = auditFacts(ctx, findings);
      const report: AuditReport = {
        site: { url, ...(o.site?.name ? { name: o.site.name } : {}) },
        rubric,
        asOf,
        startedAt,
        finishedAt: '',
        runId,
        stats: { ...stats, findings: findings.length },
        findings,
        ...(browser.homepageScreenshot ? { screenshot: browser.homepageScreenshot } : {}),
        browser: { available: browser.available, ...(browser.reason ? { reason: browser.reason } : {}) },
        notes,
        facts,
        scopes: result.scopes,
        ...(gatherStatuses ? { gather: gatherStatuses } : {}),
      };
      const scored = scoreStoredRun(store, runId, { rubric, manualFile, profile: { unitType, hasPublicServices: o.site?.hasPublicServices ?? true } });
      if (scored.score) {
        report.score = scored.score;
        report.findings = withDecisions(findings, scored.score);
      }
      phase('score');
      report.stats.checksMs = (phase.ms['checks (static)'] ?? 0) + (phase.ms.checks ?? 0);
      // "done" and the caller's own bookkeeping (the nightly run's site status) commit together.
      store.db.transaction(() => {
        store.finishRun(runId, 'done', { stats, network: network ?? null, browser: report.browser ?? null, screenshot: browser.homepageScreenshot ?? null, notes });
        o.onCommit?.(runId);
      })();
      report.finishedAt = new Date().toISOString();
      log?.info({ runId, pages: stats.pagesCrawled, findings: findings.length }, 'audit finished');
      return report;
    } catch (e) {
      store.finishRun(runId, 'failed', { error: (e as Error).message, stats });
      throw e;
    } finally {
      if (ownStore) store.close();
    }
  }
}

/** The week's availability from the monitor's probes, when this site id has any. */
function storedAvailability(store: Store, siteId: string | undefined, asOf: string): AvailabilitySummary | undefined {
  if (!siteId) return undefined;
  ensureMonitorSchema(store.db);
  return availabilityForAudit(store.db, siteId, asOf);
}

/** Facts for early warnings and dashboards that findings alone do not carry. */
function auditFacts(ctx: AuditContext, findings: Finding[]): NonNullable<AuditReport['facts']> {
  let homepageNewestDate: string | undefined;
  try {
    homepageNewestDate = homepageDates(ctx)?.newest?.date;
  } catch {
    homepageNewestDate = undefined;
  }
  const emptyColumns = findings.filter((f) => f.check === 'empty-column' && !f.evidence.unverified && f.evidence.confirmation !== 'unconfirmed').length;
  const newMedia = newMediaFacts(ctx);
  return { ...(homepageNewestDate ? { homepageNewestDate } : {}), emptyColumns, ...(newMedia.length ? { newMedia } : {}) };
}

/** Logs how long each phase of the audit took (info level) and keeps the figures (ms by phase name). */
function phaseTimer(log: Logger | undefined): ((name: string) => void) & { ms: Record<string, number> } {
  let t = performance.now();
  let cpu = process.cpuUsage();
  const ms: Record<string, number> = {};
  const fn = (name: string) => {
    const now = performance.now();
    ms[name] = (ms[name] ?? 0) + Math.round(now - t);
    // CPU of this process (all its threads) during the phase; Chromium's own processes are not counted.
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    log?.info({ phase: name, ms: Math.round(now - t), cpuMs: Math.round((used.user + used.system) / 1000), rssMb: Math.round(process.memoryUsage.rss() / 1048576), heapMb: Math.round(process.memoryUsage().heapUsed / 1048576) }, 'audit phase');
    t = now;
  };
  return Object.assign(fn, { ms });
}

function statsOf(s: CrawlSummary): AuditReport['stats'] {
  return {
    pagesCrawled: s.pagesCrawled,
    pagesFailed: s.pagesFailed,
    pagesSkipped: s.pagesSkipped,
    linksChecked: s.linksChecked,
    brokenLinks: s.brokenLinks,
    unverifiedLinks: s.unverifiedLinks,
    // Addresses that opened a page already crawled (checked as links, analysed once).
    ...(s.aliases?.count ? { pagesAliased: s.aliases.count } : {}),
  };
}

/**
 * Pages that a footer / entry / name finding names (directly or in evidence.pagesChecked) and that carry scripts, and
 * pages cut at the read cap that a finding names (the rendered DOM is the whole page).
 */
function pagesToConfirm(findings: Finding[], pages: PageObservation[]): string[] {
  const byUrl = new Map(pages.map((p) => [p.url, p]));
  const want = new Set<string>();
  for (const f of findings) {
    const urls = [f.url, ...(Array.isArray(f.evidence?.pagesChecked) ? (f.evidence.pagesChecked as string[]) : [])];
    for (const u of urls) if (byUrl.get(u)?.truncated) want.add(u);
  }
  for (const f of findings) {
    if (!RENDER_CONFIRMED.test(f.check)) continue;
    const urls = [f.url, ...(Array.isArray(f.evidence?.pagesChecked) ? (f.evidence.pagesChecked as string[]) : [])];
    for (const u of urls) {
      const p = byUrl.get(u);
      if (p && docFacts(p).script) want.add(u);
    }
  }
  return [...want];
}

/** 2nd- and 3rd-level internal pages (depth 1–2) for the IPv6 link share. */
function internalSample(store: Store, runId: number): string[] {
  const rows = store.db.prepare('SELECT url FROM pages WHERE run_id = ? AND depth BETWEEN 1 AND 2 AND soft404 IS NULL ORDER BY id LIMIT 200').all(runId) as { url: string }[];
  return rows.map((r) => r.url);
}

const CHECK_RANK = ['availability', 'homepage-stale', 'broken-link'];
const collator = new Intl.Collator(); // localeCompare's own comparison, made once (thousands of findings are sorted)
function sortFindings(f: Finding[]): Finding[] {
  const rank = (c: string) => {
    const i = CHECK_RANK.indexOf(c);
    return i < 0 ? CHECK_RANK.length : i;
  };
  return f
    .map((x, i) => ({ x, i }))
    .sort((a, b) => rank(a.x.check) - rank(b.x.check) || collator.compare(a.x.check, b.x.check) || a.i - b.i)
    .map((e) => e.x);
}
