/**
 * The dashboard: a fastify 5 app serving Chinese server-rendered pages and a JSON API over the govsite database.
 *
 * Pages:  GET /  ·  /sites/:id  ·  /runs/:id  ·  /runs/:id/findings  ·  /login
 * Files:  GET /runs/:id/screenshot · /runs/:id/evidence/:n/screenshot (only paths recorded in the DB)
 *         GET /runs/:id/report.html · /runs/:id/report.xlsx · /static/app.css · /static/app.js
 * API:    GET /api/availability · /api/sites · /api/sites/:id · /api/runs/:id · /api/jobs/:id
 *         POST /api/runs/:id/decisions · /api/runs/:id/manual · /api/sites/:id/run   (operator token)
 *         POST /login · /logout
 *
 * Security: see auth.ts. Writes need the operator token (Bearer) or a login session + CSRF token; cross-origin
 * writes are refused; when bound to loopback, requests must name a loopback host (DNS rebinding); every response
 * carries a strict CSP (no inline script or style), nosniff and frame-ancestors 'none'.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { Logger } from 'pino';
import { Store, type RunRow } from '../store/store.ts';
import { storedReport } from '../audit/stored-report.ts';
import type { AuditReport } from '../report/audit-report.ts';
import { oneLine, ruleCatalog, ruleRef } from '../report/audit-report.ts';
import { renderHtml } from '../report/html.ts';
import { renderXlsx } from '../report/xlsx.ts';
import { dailyAvailability, MIN_PROBES_PER_DAY_RULE, weeklyAvailability } from '../monitor/ratios.ts';
import { dayProblem, isoWeekAt, shanghaiDay, weekProblem, weekRange, dayStartMs, addDays } from '../monitor/time.ts';
import { digestFindings } from '../monitor/nightly.ts';
import { evaluateWarnings, DEFAULT_WARNING_THRESHOLDS } from '../monitor/warnings.ts';
import { currentRubric } from '../score/rubric.ts';
import type { Finding } from '../model.ts';
import { AuthThrottle, randomToken, SessionStore, type ThrottleOptions, type Flash } from './auth.ts';
import { bodyOf, failReply, installErrorPages, installGuard, intParam, isFormPost, q1, readStoredImage, registerLoginRoutes, safeBack } from './guard.ts';
import { ASSETS } from './assets.ts';
import { addInquiry, getInquiry, InquiryError, listInquiries, setInquiryReply } from '../inquiry/store.ts';
import { syncInquiry } from '../inquiry/service.ts';
import { siteKey } from '../collect/crawl.ts';
import { QueueMonitor, registerQueueRoutes } from './queues.ts';
import { SqliteRepo } from '../repo/sqlite.ts';
import { ConfigSource } from './config-source.ts';
import { registerNewMediaRoutes } from './newmedia.ts';
import { dbRegistry } from '../newmedia/registry.ts';
import { defaultAuditRunner, JobQueue, type AuditRunner } from './jobs.ts';
import { href, layout, type PageOptions, type Viewer } from './layout.ts';
import { applyDecision, applyManualEntry, manualFileFor, readManualForDisplay, ReviewError } from './review.ts';
import { FLAGS, previousWeek, shiftWeek, SiteIndex, SORT_KEYS, type Flag, type OverviewRow, type SiteRecord, type SortKey } from './sites-index.ts';
import { findingsSection, type RunView, type ScoreRecord } from './views-run.ts';
import { registerProvinceRoutes } from './routes-province.ts';
import { apiRunDocument } from './views-review.ts';
import { typedText } from './form-echo.ts';
import { contentDisposition, reportFileName } from './downloads.ts';
import {
  findingsPage,
  overviewPage,
  runPage,
  sitePage,
  type AuditInfo,
  type HistoryRow,
  type OverviewParams,
  type OverviewRowView,
  type ProbeLogRow,
  type WarningInfo,
} from './views.ts';

export interface DashboardOptions {
  /** The database file (also where run-now screenshots go: <dir>/screenshots). */
  dbFile: string;
  /** An open store on dbFile (tests); opened from dbFile otherwise and closed with the dashboard. */
  store?: Store;
  /** sites.yaml; reloaded when it changes. */
  configFile?: string;
  /** A missing configFile means "no sites yet" instead of an error. */
  allowMissingConfig?: boolean;
  /** The operator token; when absent a random one is generated (see Dashboard.token). */
  token?: string;
  /** The address the server will listen on: loopback addresses turn on the Host-header check. */
  host?: string;
  /** Clock (tests). */
  now?: () => number;
  /** Week shown when none is asked for (default: the current week in Asia/Shanghai). */
  defaultWeek?: string;
  /** Audit function for "run now" (default runAudit with the site's settings). */
  auditRunner?: AuditRunner;
  logger?: Logger;
  /** Mark the session cookie Secure (serve behind HTTPS). */
  secureCookies?: boolean;
  /** Wrong-token throttle (Bearer and login share it): burst, window, hold (see AuthThrottle). */
  authThrottle?: ThrottleOptions;
  /** Queue mode: the Redis queue whose health /queues shows (GOVSITE_QUEUE). */
  queue?: { url: string; prefix: string };
}

export interface Dashboard {
  app: FastifyInstance;
  store: Store;
  token: string;
  tokenGenerated: boolean;
  jobs: JobQueue;
  sites: SiteIndex;
  /** Starts listening; resolves with the base URL. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

type PageActive = PageOptions['active'];

export async function createDashboard(o: DashboardOptions): Promise<Dashboard> {
  const clock = o.now ?? Date.now;
  const ownStore = !o.store;
  const store = o.store ?? Store.open(o.dbFile);
  const db = store.db;
  const config = new ConfigSource(o.configFile, { allowMissing: o.allowMissingConfig });
  const sites = new SiteIndex(db, () => config.get(), clock);
  const tokenGenerated = !o.token;
  const token = o.token ?? randomToken();
  const sessions = new SessionStore(clock);
  const throttle = new AuthThrottle(o.authThrottle, clock);
  const jobs = new JobQueue(o.auditRunner ?? defaultAuditRunner, { store, dbFile: o.dbFile, log: o.logger }, 1);
  const loopbackOnly = o.host === undefined || /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i.test(o.host);

  const app = Fastify({
    ...(o.logger ? { loggerInstance: o.logger } : { logger: false }),
    bodyLimit: 256 * 1024,
    trustProxy: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 500 },
  } as never) as unknown as FastifyInstance;
  await app.register(formbody, { bodyLimit: 256 * 1024 });

  const defaultWeek = () => o.defaultWeek ?? isoWeekAt(clock());
  const weekParam = (q: unknown) => {
    const w = q1(q, 'week', 10);
    return w && !weekProblem(w, 'week', clock()) ? w : defaultWeek();
  };
  const thresholds = () => {
    const w = config.get().config.warnings;
    return { failureRatio: w.failureRatio ?? DEFAULT_WARNING_THRESHOLDS.failureRatio, minProbes: w.minProbes, homepageStaleDays: w.homepageStaleDays, emptyColumns: w.emptyColumns };
  };
  const viewerOf = (req: FastifyRequest): Viewer => (req.gs?.session ? { reviewer: req.gs.session.reviewer, csrf: req.gs.session.csrf } : {});
  const secure = (req: FastifyRequest) => !!o.secureCookies || req.protocol === 'https';

  function takeFlash(req: FastifyRequest): Flash | undefined {
    const s = req.gs.session;
    if (!s?.flash) return undefined;
    const f = s.flash;
    delete s.flash;
    return f;
  }

  function sendPage(req: FastifyRequest, reply: FastifyReply, title: string, body: string, status = 200, active?: PageActive) {
    const snap = config.get();
    const banner = snap.error ? `站点配置文件有误，仍使用上次有效的配置：${snap.error}` : undefined;
    reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(layout({ title, body, viewer: viewerOf(req), flash: takeFlash(req), active, here: req.url, ...(banner ? { banner } : {}) }));
    return reply;
  }

  function fail(req: FastifyRequest, reply: FastifyReply, status: number, message: string) {
    return failReply(req, reply, status, message, sendPage);
  }


  // ----------------------------------------------------------------------------------------------------------
  // Hooks: host check, session, security headers, write authorisation, CSRF (guard.ts, shared with cluster.ts)

  const guardOpts = { token, sessions, throttle, loopbackOnly, fail, ...(o.logger ? { logger: o.logger } : {}) };
  const guard = installGuard(app, guardOpts);

  installErrorPages(app, fail, o.logger);

  // ----------------------------------------------------------------------------------------------------------
  // Data helpers



  const scoreRowStmt = db.prepare(
    `SELECT total, veto, provisional, computed_at, json_extract(score, '$.verdict') AS verdict,
       json_array_length(score, '$.veto.pending') AS vpending FROM scores WHERE run_id = ? ORDER BY id DESC LIMIT 1`,
  );
  const runBriefStmt = db.prepare('SELECT id, as_of, finished_at, started_at, status FROM runs WHERE id = ?');

  function auditInfo(site: SiteRecord): AuditInfo | undefined {
    const runId = sites.latestRunId(site);
    if (runId === undefined) return undefined;
    const run = runBriefStmt.get(runId) as { id: number; as_of: string; finished_at: string | null } | undefined;
    if (!run) return undefined;
    const s = scoreRowStmt.get(runId) as { total: number; veto: number; provisional: number; verdict: string | null; vpending: number | null } | undefined;
    return {
      runId,
      asOf: run.as_of,
      finishedAt: run.finished_at,
      ...(s
        ? { total: s.total, provisional: s.provisional === 1, veto: s.veto === 1, vetoPending: s.vpending ?? 0, ...(s.verdict ? { verdict: s.verdict } : {}) }
        : {}),
    };
  }

  const contentFindingsStmt = db.prepare(`SELECT check_id, url, message, evidence FROM findings WHERE run_id = ? AND check_id IN ('homepage-stale', 'empty-column')`);
  const sentWarningsStmt = db.prepare('SELECT DISTINCT condition FROM monitor_warnings WHERE site_id = ? AND week = ?');

  function warningsFor(row: OverviewRow, audit: AuditInfo | undefined): WarningInfo[] {
    const t = thresholds();
    const today = shanghaiDay(clock());
    const asOf = row.cur.to < today ? row.cur.to : today;
    let digest = {};
    if (audit) {
      const fs2 = (contentFindingsStmt.all(audit.runId) as { check_id: string; url: string; message: string; evidence: string }[]).map(
        (r): Finding => ({ check: r.check_id, url: r.url, message: r.message, evidence: safeJson(r.evidence) }),
      );
      digest = digestFindings(fs2);
    }
    const ws = evaluateWarnings({
      site: { id: row.site.id, ...(row.site.name ? { name: row.site.name } : {}), ...(row.site.url ? { url: row.site.url } : {}), ...(row.site.region ? { region: row.site.region } : {}) },
      asOf: row.cur.from > today ? row.cur.from : asOf,
      ...(row.cur.probes > 0
        ? {
            availability: {
              site: row.site.id,
              week: row.cur.week,
              probes: row.cur.probes,
              failures: row.cur.failures,
              ratio: row.cur.ratio ?? 0,
              veto: row.cur.veto,
              insufficientDays: row.cur.insufficientDays,
              notMeasuredHours: 0,
            },
          }
        : {}),
      audit: digest,
      thresholds: { failureRatio: t.failureRatio, minProbes: t.minProbes, homepageStaleDays: t.homepageStaleDays, emptyColumns: t.emptyColumns },
    });
    const sent = new Set((sentWarningsStmt.all(row.site.id, row.cur.week) as { condition: string }[]).map((r) => r.condition));
    const out: WarningInfo[] = ws.map((w) => ({ condition: w.condition, message: w.message, sent: sent.has(w.condition) }));
    for (const c of sent) {
      if (!out.some((w) => w.condition === c) && (c === 'availability' || c === 'homepage-stale' || c === 'empty-columns' || c === 'new-media-stale'))
        out.push({ condition: c, message: '本周已发送过该预警', sent: true });
    }
    return out;
  }

  function overviewParams(q: unknown): OverviewParams {
    const sort = q1(q, 'sort', 20);
    const dir = q1(q, 'dir', 4);
    const flag = q1(q, 'flag', 20);
    const size = intParam(q, 'size', 50, 10, 200);
    return {
      week: weekParam(q),
      sort: sort && (SORT_KEYS as readonly string[]).includes(sort) ? (sort as SortKey) : 'site',
      dir: dir === 'desc' ? 'desc' : 'asc',
      ...(q1(q, 'rubric', 100) ? { rubric: q1(q, 'rubric', 100) } : {}),
      ...(q1(q, 'region', 100) ? { region: q1(q, 'region', 100) } : {}),
      ...(q1(q, 'q', 100) ? { q: q1(q, 'q', 100) } : {}),
      ...(flag && (FLAGS as readonly string[]).includes(flag) ? { flag: flag as Flag } : {}),
      page: intParam(q, 'page', 1, 1, 1_000_000),
      size,
    };
  }

  function overviewData(p: OverviewParams, limit: number, offset: number) {
    const t = thresholds();
    const result = sites.overview(
      { week: p.week, sort: p.sort, dir: p.dir, rubric: p.rubric, region: p.region, q: p.q, flag: p.flag, limit, offset },
      { failureRatio: t.failureRatio, minProbes: t.minProbes, emptyColumns: t.emptyColumns },
    );
    province.attachMaintenance(result.rows);
    const rows: OverviewRowView[] = result.rows.map((r) => {
      const audit = auditInfo(r.site);
      return { ...r, ...(audit ? { audit } : {}), warnings: warningsFor(r, audit) };
    });
    return { result, rows };
  }

  function runView(req: FastifyRequest, run: RunRow, report: AuditReport, back: string, extra: Partial<RunView> = {}): RunView {
    const site = sites.siteOfRun(run);
    const cfgSite = site ? config.get().byId.get(site.id) : undefined;
    const manualFile = manualFileFor(run, cfgSite);
    const { manual, error } = readManualForDisplay(manualFile);
    const scores = (
      db.prepare('SELECT id, computed_at, total, veto, provisional, manual_file FROM scores WHERE run_id = ? ORDER BY id DESC LIMIT 20').all(run.id) as {
        id: number;
        computed_at: string;
        total: number;
        veto: number;
        provisional: number;
        manual_file: string | null;
      }[]
    ).map((s): ScoreRecord => ({ id: s.id, computedAt: s.computed_at, total: s.total, veto: s.veto === 1, provisional: s.provisional === 1, manualFile: s.manual_file }));
    const rubric = currentRubric(run.rubric);
    return {
      run,
      report,
      viewer: viewerOf(req),
      back,
      ...(manualFile ? { manualFile } : {}),
      ...(manual ? { manual } : {}),
      ...(error ? { manualError: `人工评分文件有误：${error}` } : {}),
      ...(rubric ? { rubric } : {}),
      scores,
      ...extra,
    };
  }

  function probeLog(siteId: string, week: string, filter: 'failed' | 'all', page: number, size: number) {
    const r = weekRange(week);
    const from = new Date(dayStartMs(r.from)).toISOString();
    const to = new Date(dayStartMs(addDays(r.to, 1))).toISOString();
    const cond = filter === 'failed' ? 'AND failed = 1' : '';
    const total = (db.prepare(`SELECT count(*) AS n FROM monitor_probes WHERE site_id = ? AND at >= ? AND at < ? ${cond}`).get(siteId, from, to) as { n: number }).n;
    const rows = (
      db
        .prepare(
          `SELECT at, outcome, failed, status, ms, error, address, family, excluded FROM monitor_probes
           WHERE site_id = ? AND at >= ? AND at < ? ${cond} ORDER BY at DESC LIMIT ? OFFSET ?`,
        )
        .all(siteId, from, to, size, (page - 1) * size) as Record<string, unknown>[]
    ).map(
      (x): ProbeLogRow => ({
        at: x.at as string,
        outcome: x.outcome as string,
        failed: x.failed === 1,
        status: (x.status as number | null) ?? null,
        ms: x.ms as number,
        error: (x.error as string | null) ?? null,
        address: (x.address as string | null) ?? null,
        family: (x.family as number | null) ?? null,
        excluded: x.excluded === 1,
      }),
    );
    return { rows, total, page, size, filter };
  }

  function history(site: SiteRecord): HistoryRow[] {
    return sites.runIds(site, 30).map((id) => {
      const r = runBriefStmt.get(id) as { id: number; as_of: string; started_at: string; status: string };
      const s = scoreRowStmt.get(id) as { total: number; veto: number; provisional: number } | undefined;
      return { runId: id, asOf: r.as_of, startedAt: r.started_at, status: r.status, ...(s ? { total: s.total, provisional: s.provisional === 1, veto: s.veto === 1 } : {}) };
    });
  }

  function loadRun(id: string): { run: RunRow; report: AuditReport } | undefined {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const run = store.getRun(Number(id));
    if (!run) return undefined;
    const report = storedReport(store, run.id);
    return report ? { run, report } : undefined;
  }

  // ----------------------------------------------------------------------------------------------------------
  // Static assets and health

  app.get('/static/:name', async (req, reply) => {
    const a = ASSETS[(req.params as { name: string }).name];
    if (!a) return fail(req, reply, 404, '文件不存在');
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.header('content-type', a.type).header('etag', a.etag).header('cache-control', 'public, max-age=300').send(a.body);
  });

  app.get('/favicon.ico', async (_req, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());

  app.get('/healthz', async (_req, reply) => reply.header('cache-control', 'no-store').send({ ok: true }));

  // Province views: status, alerts, 整改, overview export, maintenance windows (routes-province.ts).
  const province = registerProvinceRoutes(app, {
    db, store, sites, clock, q1, intParam, fail, viewerOf, reviewerOf, afterWrite, weekParam, overviewParams, overviewData, thresholds,
    configSite: (id) => config.get().byId.get(id),
    sendPage: (req, reply, title, body, status, active) => sendPage(req, reply, title, body, status, active as PageActive),
  });

  // ----------------------------------------------------------------------------------------------------------
  // Pages

  app.get('/', async (req, reply) => {
    const p = overviewParams(req.query);
    const { result, rows } = overviewData(p, p.size, (p.page - 1) * p.size);
    const body = overviewPage({ params: p, result, rows, facets: sites.facets(), warnRatio: thresholds().failureRatio, viewer: viewerOf(req) });
    return sendPage(req, reply, '总览', body, 200, 'overview');
  });

  app.get('/sites/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const site = sites.get(id);
    if (!site) return fail(req, reply, 404, `没有编号为 ${id} 的网站`);
    const week = weekParam(req.query);
    const range = weekRange(week);
    const now = clock();
    const weeks = weeklyAvailability(db, { siteId: site.id, from: weekRange(shiftWeek(week, -7)).from, to: range.to, now });
    const days = dailyAvailability(db, { siteId: site.id, from: range.from, to: range.to });
    const filter = q1(req.query, 'probes', 10) === 'all' ? 'all' : 'failed';
    const probes = probeLog(site.id, week, filter, intParam(req.query, 'ppage', 1, 1, 100_000), 50);
    const runId = sites.latestRunId(site);
    const here = href(`/sites/${encodeURIComponent(site.id)}`, { week: q1(req.query, 'week', 10) });
    let run: RunView | undefined;
    if (runId !== undefined) {
      const loaded = loadRun(String(runId));
      if (loaded) run = runView(req, loaded.run, loaded.report, here);
    }
    const body = sitePage({
      site,
      configured: config.get().byId.has(site.id),
      week,
      weekRange: range,
      weeks,
      days,
      probes,
      ...(run ? { run } : {}),
      history: history(site),
      jobs: jobs.forSite(site.id),
      viewer: viewerOf(req),
      warnRatio: thresholds().failureRatio,
      minPerDay: MIN_PROBES_PER_DAY_RULE,
      inquiries: listInquiries(db, inquirySites(site)),
      extra: province.sitePanels(req, site, here),
    });
    return sendPage(req, reply, site.name ?? site.id, body, 200, 'site');
  });

  app.get('/runs/:id', async (req, reply) => {
    const loaded = loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const v = runView(req, loaded.run, loaded.report, `/runs/${loaded.run.id}`);
    return sendPage(req, reply, `检查 #${loaded.run.id}`, runPage(v, sites.siteOfRun(loaded.run)), 200, 'run');
  });

  app.get('/runs/:id/findings', async (req, reply) => {
    const loaded = loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const check = q1(req.query, 'check', 100) ?? '';
    const offset = intParam(req.query, 'offset', 0, 0, 10_000_000);
    const back = href(`/runs/${loaded.run.id}/findings`, { check, offset });
    const v = runView(req, loaded.run, loaded.report, back, { onlyCheck: check, offset, perCheck: 200 });
    const body = findingsPage(v, `问题清单：${check}`) + findingsSection(v);
    return sendPage(req, reply, `检查 #${loaded.run.id} 问题清单`, body, 200, 'run');
  });

  app.get('/runs/:id/screenshot', async (req, reply) => {
    const loaded = loadRun((req.params as { id: string }).id);
    const img = loaded ? await readStoredImage(loaded.run.screenshot) : undefined;
    if (!img) return fail(req, reply, 404, '没有截图');
    return reply.header('content-type', img.type).header('cache-control', 'private, max-age=300').send(img.body);
  });

  app.get('/runs/:id/evidence/:n/screenshot', async (req, reply) => {
    const { id, n } = req.params as { id: string; n: string };
    const loaded = /^\d{1,7}$/.test(n) ? loadRun(id) : undefined;
    const f = loaded?.report.findings[Number(n)];
    const img = f ? await readStoredImage(typeof f.evidence?.screenshot === 'string' ? f.evidence.screenshot : undefined) : undefined;
    if (!img) return fail(req, reply, 404, '没有截图');
    return reply.header('content-type', img.type).header('cache-control', 'private, max-age=300').send(img.body);
  });

  app.get('/runs/:id/report.html', async (req, reply) => {
    const loaded = loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const html = renderHtml(loaded.report);
    const fn = reportFileName({ site: loaded.report.site, asOf: loaded.report.asOf, runId: loaded.run.id, ext: 'html' });
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-disposition', contentDisposition(fn.name, fn.ascii))
      .header('content-security-policy', "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .header('cache-control', 'no-store')
      .send(html);
  });

  app.get('/runs/:id/report.xlsx', async (req, reply) => {
    const loaded = loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const buf = await renderXlsx(loaded.report);
    const fn = reportFileName({ site: loaded.report.site, asOf: loaded.report.asOf, runId: loaded.run.id, ext: 'xlsx' });
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', contentDisposition(fn.name, fn.ascii))
      .header('cache-control', 'no-store')
      .send(buf);
  });

  // ----------------------------------------------------------------------------------------------------------
  // Login

  registerLoginRoutes(app, { ...guardOpts, guard, secure, sendPage: (req, reply, title, body, status, active) => sendPage(req, reply, title, body, status, active) });

  // ----------------------------------------------------------------------------------------------------------
  // JSON API (reads)

  app.get('/api/availability', async (req, reply) => {
    const site = q1(req.query, 'site', 200);
    const week = q1(req.query, 'week', 10);
    const from = q1(req.query, 'from', 10);
    const to = q1(req.query, 'to', 10);
    const weekBad = week ? weekProblem(week, 'week', clock()) : undefined;
    if (weekBad) return fail(req, reply, 400, weekBad);
    for (const [k, d] of [['from', from], ['to', to]] as const) {
      const bad = d ? dayProblem(d, k, clock()) : undefined;
      if (bad) return fail(req, reply, 400, bad);
    }
    if (week && (from || to)) return fail(req, reply, 400, 'week 与 from/to 只能二选一');
    const period = week || from || to ? { ...(week ? { week } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) } : { week: defaultWeek() };
    let rows;
    try {
      rows = weeklyAvailability(db, {
        ...period,
        ...(site ? { siteId: site } : { siteIds: config.get().config.sites.map((s) => s.id) }),
        now: clock(),
      });
    } catch (e) {
      return fail(req, reply, 400, (e as Error).message);
    }
    const range = period.week ? weekRange(period.week) : { from: rows[0]?.from ?? from ?? '', to: rows[rows.length - 1]?.to ?? to ?? '' };
    return reply.header('cache-control', 'no-store').send({ ...(period.week ? { week: period.week } : {}), from: range.from, to: range.to, rows });
  });

  app.get('/api/sites', async (req, reply) => {
    const p = overviewParams(req.query);
    const limit = intParam(req.query, 'limit', p.size, 1, 1000);
    const offset = req.query && q1(req.query, 'offset', 12) ? intParam(req.query, 'offset', 0, 0, 100_000_000) : (p.page - 1) * limit;
    const { result, rows } = overviewData(p, limit, offset);
    return reply.header('cache-control', 'no-store').send({
      week: result.week.cur.week,
      previousWeek: result.week.prev.week,
      total: result.total,
      offset,
      limit,
      summary: result.summary,
      notMeasuredHours: result.notMeasuredHours,
      sites: rows.map((r) => ({
        id: r.site.id,
        name: r.site.name,
        url: r.site.url,
        region: r.site.region,
        rubric: r.site.rubric,
        configured: r.site.configured,
        thisWeek: r.cur,
        lastWeek: r.prev,
        latestAudit: r.audit ?? null,
        warnings: r.warnings,
      })),
    });
  });

  app.get('/api/sites/:id', async (req, reply) => {
    const site = sites.get((req.params as { id: string }).id);
    if (!site) return fail(req, reply, 404, '没有这个网站');
    const week = weekParam(req.query);
    const range = weekRange(week);
    return reply.header('cache-control', 'no-store').send({
      site: { ...site },
      week,
      weeks: weeklyAvailability(db, { siteId: site.id, from: weekRange(shiftWeek(week, -7)).from, to: range.to, now: clock() }),
      days: dailyAvailability(db, { siteId: site.id, from: range.from, to: range.to }),
      latestAudit: auditInfo(site) ?? null,
      runs: history(site),
      jobs: jobs.forSite(site.id),
      ...province.siteJson(site),
    });
  });

  app.get('/api/runs/:id', async (req, reply) => {
    const loaded = loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    return reply.header('cache-control', 'no-store').header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(apiRunDocument(loaded.report)));
  });

  app.get('/api/jobs/:id', async (req, reply) => {
    const job = jobs.get((req.params as { id: string }).id);
    if (!job) return fail(req, reply, 404, '没有这个任务');
    return reply.header('cache-control', 'no-store').send(job);
  });

  // ----------------------------------------------------------------------------------------------------------
  // JSON API (writes) — also the targets of the dashboard's forms

  function reviewerOf(req: FastifyRequest): string {
    if (req.gs.by === 'session') return req.gs.session!.reviewer;
    const r = bodyOf(req).reviewer;
    return typeof r === 'string' && oneLine(r, 60) ? oneLine(r, 60) : '接口调用';
  }

  function afterWrite(req: FastifyRequest, reply: FastifyReply, fallback: string, ok: () => { json: unknown; text: string }) {
    const back = safeBack(bodyOf(req)._back, fallback);
    try {
      const r = ok();
      if (isFormPost(req)) {
        if (req.gs.session) req.gs.session.flash = { kind: 'ok', text: r.text };
        return reply.redirect(back, 303);
      }
      return reply.header('cache-control', 'no-store').send(r.json);
    } catch (e) {
      if (!(e instanceof ReviewError)) throw e;
      if (isFormPost(req) && req.gs.session) {
        req.gs.session.flash = { kind: 'error', text: `${e.message}${typedText(bodyOf(req))}` };
        return reply.redirect(back, 303);
      }
      return fail(req, reply, e.status, e.message);
    }
  }

  // The 新媒体 tab of a site (src/web/newmedia.ts).
  registerNewMediaRoutes(app, {
    registry: dbRegistry(db),
    site: (id) => sites.get(id),
    latestRun: async (site) => {
      const id = sites.latestRunId(site);
      const loaded = id !== undefined ? loadRun(String(id)) : undefined;
      return loaded ? { id: loaded.run.id, report: loaded.report } : undefined;
    },
    observations: async (runId, kinds) => store.observations(runId, kinds),
    config: () => config.get(),
    clock,
    sendPage,
    fail,
    afterWrite,
    viewerOf,
    reviewerOf,
  });

  const fmtScore = (s: { total: number; provisional: boolean }) => `${Math.round(s.total * 100) / 100} 分${s.provisional ? '（暂定）' : ''}`;

  app.post('/api/runs/:id/decisions', { config: { write: true } }, async (req, reply) => {
    const loaded = loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const site = sites.siteOfRun(loaded.run);
    const cfgSite = site ? config.get().byId.get(site.id) : undefined;
    return afterWrite(req, reply, `/runs/${loaded.run.id}`, () => {
      const r = applyDecision({ store, run: loaded.run, ...(cfgSite ? { site: cfgSite } : {}) }, bodyOf(req), reviewerOf(req), clock());
      const verb = r.action === 'confirm' ? '已确认' : r.action === 'reject' ? '已排除' : '已撤销复核';
      return { json: { ok: true, runId: loaded.run.id, ...r }, text: `${verb}，重新评分：${fmtScore(r.score)}` };
    });
  });

  app.post('/api/runs/:id/manual', { config: { write: true } }, async (req, reply) => {
    const loaded = loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const site = sites.siteOfRun(loaded.run);
    const cfgSite = site ? config.get().byId.get(site.id) : undefined;
    return afterWrite(req, reply, `/runs/${loaded.run.id}`, () => {
      const r = applyManualEntry({ store, run: loaded.run, ...(cfgSite ? { site: cfgSite } : {}) }, bodyOf(req), reviewerOf(req), clock());
      // The rule as people read it (二级指标, number), never its id alone.
      const rubric = currentRubric(loaded.run.rubric);
      const label = rubric ? ruleRef(ruleCatalog(undefined, rubric), r.rule, { withLevel2: true, text: false }) : '该细则';
      return { json: { ok: true, runId: loaded.run.id, ...r }, text: `${r.removed ? '已删除' : '已保存'}人工评分：${label}，重新评分：${fmtScore(r.score)}` };
    });
  });

  // 模拟咨询: record an inspector's question; enter a reply time by hand (re-runs inquiry-reply on the latest audit).
  const inquirySites = (site: SiteRecord): string[] => {
    const keys = [site.id];
    try {
      if (site.url) keys.push(siteKey(site.url));
    } catch {
      /* no usable address */
    }
    return keys;
  };
  const inquiryReply = async (req: FastifyRequest, reply: FastifyReply, back: string, work: () => Promise<{ json: unknown; text: string }>) => {
    let r: { json: unknown; text: string };
    try {
      r = await work();
    } catch (e) {
      if (!(e instanceof InquiryError)) throw e;
      return afterWrite(req, reply, back, () => {
        throw new ReviewError(400, e.message);
      });
    }
    return afterWrite(req, reply, back, () => r);
  };

  app.post('/api/sites/:id/inquiries', { config: { write: true } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const site = sites.get(id);
    if (!site) return fail(req, reply, 404, `没有编号为 ${id} 的网站`);
    const b = bodyOf(req) as Record<string, unknown>;
    const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
    return inquiryReply(req, reply, `/sites/${encodeURIComponent(id)}`, async () => {
      const rec = addInquiry(db, { site: site.id, channel: str('channel'), askedAt: str('askedAt'), title: str('title'), note: str('note') || undefined });
      const sync = await syncInquiry(store, rec.id);
      const scored = sync.score ? `；检查 #${sync.runId} 已重新评分：${fmtScore(sync.score)}` : '；下次检查时将在已公开留言中查找答复';
      return { json: { ok: true, inquiry: rec, runId: sync.runId, score: sync.score?.total }, text: `已登记模拟咨询 #${rec.id}${scored}` };
    });
  });

  app.post('/api/inquiries/:id/reply', { config: { write: true } }, async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    const rec = Number.isInteger(id) && id > 0 ? getInquiry(db, id) : undefined;
    if (!rec) return fail(req, reply, 404, '没有这条模拟咨询');
    const b = bodyOf(req) as Record<string, unknown>;
    const v = typeof b.repliedAt === 'string' ? b.repliedAt.trim() : '';
    const back = `/sites/${encodeURIComponent(rec.site)}`;
    return inquiryReply(req, reply, back, async () => {
      const upd = setInquiryReply(db, id, v ? v : null, typeof b.note === 'string' ? b.note : undefined);
      const sync = await syncInquiry(store, id);
      const scored = sync.score ? `；检查 #${sync.runId} 已重新评分：${fmtScore(sync.score)}` : '';
      return { json: { ok: true, inquiry: upd, runId: sync.runId, score: sync.score?.total }, text: `${upd.repliedAt ? `已录入答复时间 ${upd.repliedAt}` : '已清除答复时间'}${scored}` };
    });
  });

  app.post('/api/sites/:id/run', { config: { write: true } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const site = config.get().byId.get(id);
    if (!site) return fail(req, reply, 404, `sites.yaml 中没有编号为 ${id} 的网站：只能检查已配置的网站`);
    const { job, created } = jobs.start(site, reviewerOf(req));
    if (isFormPost(req)) {
      if (req.gs.session) req.gs.session.flash = { kind: 'ok', text: created ? `已开始检查 ${site.name}` : `${site.name} 的检查已在进行中` };
      return reply.redirect(safeBack(bodyOf(req)._back, `/sites/${encodeURIComponent(id)}`), 303);
    }
    return reply.code(202).header('cache-control', 'no-store').send({ ok: true, created, job });
  });

  // Queue mode: queue health (waiting / active / failed per queue, workers, vantage rounds) on our own page.
  let queueMonitor: QueueMonitor | undefined;
  if (o.queue) {
    queueMonitor = new QueueMonitor(o.queue.url, o.queue.prefix);
    const shared = new SqliteRepo(store);
    registerQueueRoutes(app, {
      monitor: queueMonitor,
      rounds: () => shared.vantageRounds({ fromMs: clock() - 3_600_000, toMs: clock() + 60_000 }),
      sendPage: (req, reply, title, body) => sendPage(req, reply, title, body),
    });
  }

  await app.ready();

  let closed = false;
  return {
    app,
    store,
    token,
    tokenGenerated,
    jobs,
    sites,
    async listen(port: number, host: string): Promise<string> {
      await app.listen({ port, host });
      const addr = app.server.address() as AddressInfo;
      const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      return `http://${h === '0.0.0.0' || h === '[::]' ? '127.0.0.1' : h}:${addr.port}`;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await jobs.close();
      await app.close();
      await queueMonitor?.close();
      if (ownStore) store.close();
    },
  };
}

function safeJson(s: string): Finding['evidence'] {
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' ? (v as Finding['evidence']) : {};
  } catch {
    return {};
  }
}

export { previousWeek };
