/**
 * The dashboard over the shared PostgreSQL store (queue mode): what the scheduler and the workers record — every
 * configured site's confirmed weekly availability with each vantage point's own ratio, site pages, published audits
 * with their score sheets — and the reviewers' daily work, with the same pages and forms as the one-machine dashboard
 * (views*.ts) and the same review code (review.ts, maintenance-actions.ts):
 *   - confirm / reject findings and enter manual items (the site's manual-items file stays the source of decisions);
 *   - simulated inquiries (模拟咨询) and reply times entered by hand (inquiry-reply re-run from stored observations);
 *   - maintenance windows and the inspector's decision (the availability check of the audits concerned re-run);
 *   - the site's new-media accounts in the shared registry (the 新媒体 tab: edits, pasted posts, manual entries);
 * after each, the run is rescored: in queue mode by a `rescore:{run}:{n}` job a worker takes, else in this process
 * (src/repo/rescore.ts). Audits themselves are the scheduler's and workers' (`govsite run-now --queue`).
 *
 * Pages: GET / · /sites/:id · /sites/:id/newmedia · /runs/:id · /runs/:id/findings · /alerts · /queues · /login
 * Files: GET /runs/:id/report.html · /runs/:id/report.xlsx · /runs/:id/screenshot · /runs/:id/evidence/:n/screenshot
 * API:   GET /api/availability · /api/runs/:id · /api/alerts · /api/queues
 *        POST /api/runs/:id/decisions · /api/runs/:id/manual · /api/sites/:id/inquiries · /api/inquiries/:id/reply
 *             /api/sites/:id/maintenance · /api/maintenance/:id · /api/sites/:id/newmedia/…
 *        (writes: operator token as Bearer, or login + CSRF)
 * Security as the main dashboard (guard.ts): loopback Host check when bound to loopback, same-origin writes, strict
 * CSP and headers.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import type { Logger } from 'pino';
import type { Repo } from '../repo/types.ts';
import type { RunRow } from '../store/store.ts';
import type { AuditReport } from '../report/audit-report.ts';
import { oneLine, ruleCatalog, ruleRef } from '../report/audit-report.ts';
import { renderHtml } from '../report/html.ts';
import { renderXlsx } from '../report/xlsx.ts';
import type { ScoreResult } from '../score/types.ts';
import { currentRubric } from '../score/rubric.ts';
import { siteKey } from '../collect/crawl.ts';
import { GATHER_STATUS_KIND } from '../model.ts';
import type { SiteConfig } from '../monitor/config.ts';
import { AVAILABILITY_VERDICT_ZH, availabilityVerdict, MIN_PROBES_PER_DAY_RULE } from '../monitor/ratios.ts';
import { addDays, dayStartMs, isValidWeek, isoWeekAt, weekProblem, weekRange } from '../monitor/time.ts';
import { DEFAULT_WARNING_THRESHOLDS } from '../monitor/warnings.ts';
import { InquiryError } from '../inquiry/store.ts';
import { syncInquiryInRepo } from '../inquiry/service.ts';
import { inProcessRescorer, type Rescorer, type RescoreResult } from '../repo/rescore.ts';
import { manualSnapshot, profileOf } from '../repo/rerun.ts';
import { gatherStatuses, reportFromParts } from '../audit/stored-report.ts';
import { AuthThrottle, randomToken, SessionStore, type Flash, type ThrottleOptions } from './auth.ts';
import { ASSETS } from './assets.ts';
import { ConfigSource } from './config-source.ts';
import { typedText } from './form-echo.ts';
import { contentDisposition, reportFileName } from './downloads.ts';
import { bodyOf, failReply, installErrorPages, installGuard, intParam, isFormPost, q1, readStoredImage, registerLoginRoutes, safeBack } from './guard.ts';
import { esc, href, layout, pct, type PageOptions, type Viewer } from './layout.ts';
import { addWindowInRepo, changeWindowInRepo } from './maintenance-actions.ts';
import { QueueMonitor, registerQueueRoutes } from './queues.ts';
import { manualFileFor, readManualForDisplay, ReviewError, scoreSummary, writeDecision, writeManualEntry } from './review.ts';
import type { SiteRecord } from './sites-index.ts';
import { shiftWeek } from './sites-index.ts';
import { apiRunDocument } from './views-review.ts';
import { findingsSection, type RunView, type ScoreRecord } from './views-run.ts';
import { alertsPage, maintenanceSection, siteAlertsSection, type ListParams } from './views-province.ts';
import { findingsPage, runPage, sitePage, type HistoryRow } from './views.ts';
import { registerNewMediaRoutes } from './newmedia.ts';

export interface ClusterDashboardOptions {
  repo: Repo;
  configFile?: string;
  allowMissingConfig?: boolean;
  host?: string;
  /** Queue mode: queue health at /queues, and reviews rescored by `rescore` jobs. */
  queue?: { url: string; prefix: string };
  /** Where rescoring happens (default: a job on the `rescore` queue in queue mode, else in this process). */
  rescorer?: Rescorer;
  /** The operator token; when absent a random one is generated (see `token`). */
  token?: string;
  secureCookies?: boolean;
  authThrottle?: ThrottleOptions;
  now?: () => number;
  logger?: Logger;
}

export interface ClusterDashboard {
  app: FastifyInstance;
  token: string;
  tokenGenerated: boolean;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

type PageActive = PageOptions['active'];
const TABS = ['overview', 'alerts', 'queues'] as const;

/** The audit JSON document of a published run (latest score, decisions applied), read from the shared store. */
export async function storedReportFromRepo(repo: Repo, runId: number): Promise<AuditReport | undefined> {
  const run = await repo.getRun(runId);
  if (!run) return undefined;
  return reportFromParts({
    run,
    score: (await repo.latestScore(runId))?.score as ScoreResult | undefined,
    findings: await repo.findings(runId),
    scopes: await repo.checkScopes(runId),
    gather: gatherStatuses(await repo.observations(runId, [GATHER_STATUS_KIND])),
  });
}

/** Runs one task at a time per key (a manual-items file): edits and the snapshot they are rescored with stay in order. */
class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

export async function createClusterDashboard(o: ClusterDashboardOptions): Promise<ClusterDashboard> {
  const clock = o.now ?? Date.now;
  const repo = o.repo;
  const config = new ConfigSource(o.configFile, { allowMissing: o.allowMissingConfig });
  const loopbackOnly = o.host === undefined || /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i.test(o.host);
  const tokenGenerated = !o.token;
  const token = o.token ?? randomToken();
  const sessions = new SessionStore(clock);
  const throttle = new AuthThrottle(o.authThrottle, clock);
  const serial = new KeyedSerial();
  let ownRescorer: Rescorer | undefined;
  if (!o.rescorer && o.queue) {
    const { queueRescorer } = await import('../queue/rescore.ts');
    ownRescorer = queueRescorer(repo, { queueUrl: o.queue.url, prefix: o.queue.prefix });
  }
  const rescorer = o.rescorer ?? ownRescorer ?? inProcessRescorer(repo);

  const app = Fastify({
    ...(o.logger ? { loggerInstance: o.logger } : { logger: false }),
    bodyLimit: 256 * 1024,
    trustProxy: false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 500 },
  } as never) as unknown as FastifyInstance;
  await app.register(formbody, { bodyLimit: 256 * 1024 });

  const viewerOf = (req: FastifyRequest): Viewer => (req.gs?.session ? { reviewer: req.gs.session.reviewer, csrf: req.gs.session.csrf } : {});
  const secure = (req: FastifyRequest) => !!o.secureCookies || req.protocol === 'https';
  function takeFlash(req: FastifyRequest): Flash | undefined {
    const s = req.gs?.session;
    if (!s?.flash) return undefined;
    const f = s.flash;
    delete s.flash;
    return f;
  }
  function sendPage(req: FastifyRequest, reply: FastifyReply, title: string, body: string, status = 200, active?: PageActive) {
    const snap = config.get();
    return reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(layout({ title, body, viewer: viewerOf(req), flash: takeFlash(req), active, here: req.url, tabs: o.queue ? TABS : TABS.slice(0, 2), ...(snap.error ? { banner: `站点配置文件有误，仍使用上次有效的配置：${snap.error}` } : {}) }));
  }
  function fail(req: FastifyRequest, reply: FastifyReply, status: number, message: string) {
    return failReply(req, reply, status, message, sendPage);
  }


  const guardOpts = { token, sessions, throttle, loopbackOnly, fail, ...(o.logger ? { logger: o.logger } : {}) };
  const guard = installGuard(app, guardOpts);
  installErrorPages(app, fail, o.logger);
  registerLoginRoutes(app, { ...guardOpts, guard, secure, sendPage: (req, reply, title, body, status, active) => sendPage(req, reply, title, body, status, active) });

  // ----------------------------------------------------------------------------------------------------------------
  // Data helpers

  const weekOf = (q: unknown) => {
    const w = q1(q, 'week', 10);
    return w && !weekProblem(w, 'week', clock()) ? w : isoWeekAt(clock());
  };
  const warnRatio = () => config.get().config.warnings.failureRatio ?? DEFAULT_WARNING_THRESHOLDS.failureRatio;
  const configSite = (id: string) => config.get().byId.get(id);
  const keyOf = (url: string) => {
    try {
      return siteKey(url);
    } catch {
      return undefined;
    }
  };
  const recordOf = (s: SiteConfig): SiteRecord => ({ id: s.id, name: s.name, url: s.url, key: keyOf(s.url) ?? null, rubric: s.rubric, region: s.region ?? null, configured: true });
  /** The configured site a run belongs to: by its site id, else by its address. */
  const siteOfRun = (run: RunRow): SiteConfig | undefined => {
    const snap = config.get();
    if (run.siteId && snap.byId.has(run.siteId)) return snap.byId.get(run.siteId);
    return run.siteId ? undefined : snap.config.sites.find((s) => keyOf(s.url) === run.siteKey);
  };
  /** The latest finished audit of a site. */
  const latestRun = async (s: SiteConfig): Promise<RunRow | undefined> => {
    const key = keyOf(s.url);
    if (!key) return undefined;
    const runs = await repo.listRuns({ siteKey: key, limit: 20 });
    return runs.find((x) => x.status === 'done' && (x.siteId === s.id || x.siteId === null));
  };

  const loadRun = async (id: string): Promise<{ run: RunRow; report: AuditReport } | undefined> => {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const run = await repo.getRun(Number(id));
    if (!run) return undefined;
    const report = await storedReportFromRepo(repo, run.id);
    return report ? { run, report } : undefined;
  };
  const runView = async (req: FastifyRequest, run: RunRow, report: AuditReport, back: string, extra: Partial<RunView> = {}): Promise<RunView> => {
    const manualFile = manualFileFor(run, siteOfRun(run));
    const { manual, error } = readManualForDisplay(manualFile);
    const scores: ScoreRecord[] = await repo.scores(run.id, 20);
    const rubric = currentRubric(run.rubric);
    return {
      run, report, viewer: viewerOf(req), back, scores,
      ...(manualFile ? { manualFile } : {}),
      ...(manual ? { manual } : {}),
      ...(error ? { manualError: `人工评分文件有误：${error}` } : {}),
      ...(rubric ? { rubric } : {}),
      ...extra,
    };
  };
  const fmtScore = (s: { total: number; provisional: boolean }) => `${Math.round(s.total * 100) / 100} 分${s.provisional ? '（暂定）' : ''}`;
  /** What a rescore came to, for the reviewer's confirmation. */
  const rescoreText = (r: RescoreResult | undefined) =>
    !r ? '' : r.queued ? `，已加入重新评分队列（任务 ${r.jobId}），稍后刷新页面查看新的得分` : r.score ? `，重新评分：${fmtScore(r.score)}` : '';
  const rescoreJson = (r: RescoreResult | undefined) =>
    !r ? {} : r.queued ? { rescore: { queued: true, jobId: r.jobId, revision: r.revision } } : { rescore: { queued: false, revision: r.revision, status: r.status }, ...(r.score ? { score: scoreSummary(r.score) } : {}) };

  function reviewerOf(req: FastifyRequest): string {
    if (req.gs.by === 'session') return req.gs.session!.reviewer;
    const r = bodyOf(req).reviewer;
    return typeof r === 'string' && oneLine(r, 60) ? oneLine(r, 60) : '接口调用';
  }

  /** Answers a write: a form comes back to where it was posted from with a message; the API gets JSON. */
  async function afterWrite(req: FastifyRequest, reply: FastifyReply, fallback: string, work: () => Promise<{ json: unknown; text: string }>) {
    const back = safeBack(bodyOf(req)._back, fallback);
    let r: { json: unknown; text: string };
    try {
      r = await work();
    } catch (e) {
      const err = e instanceof InquiryError ? new ReviewError(400, e.message) : e;
      if (!(err instanceof ReviewError)) throw e;
      if (isFormPost(req) && req.gs.session) {
        req.gs.session.flash = { kind: 'error', text: `${err.message}${typedText(bodyOf(req))}` };
        return reply.redirect(back, 303);
      }
      return fail(req, reply, err.status, err.message);
    }
    if (isFormPost(req)) {
      if (req.gs.session) req.gs.session.flash = { kind: 'ok', text: r.text };
      return reply.redirect(back, 303);
    }
    return reply.header('cache-control', 'no-store').send(r.json);
  }

  /** Rescores a run with its manual-items file as it is now. */
  const rescoreRun = (run: RunRow, manualFile: string | undefined, by: string) => {
    const site = siteOfRun(run);
    let manual;
    try {
      manual = manualSnapshot(manualFile);
    } catch (e) {
      throw new ReviewError(500, `已保存，但重新评分失败：${(e as Error).message}`);
    }
    return rescorer
      .rescore(run.id, { manual, profile: profileOf(run, site ? { hasPublicServices: site.hasPublicServices } : {}), by })
      .catch((e: Error) => {
        throw new ReviewError(500, `已保存，但重新评分失败：${e.message}`);
      });
  };

  // ----------------------------------------------------------------------------------------------------------------
  // Static assets and health

  app.get('/static/:name', async (req, reply) => {
    const a = ASSETS[(req.params as { name: string }).name];
    if (!a) return fail(req, reply, 404, '文件不存在');
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.header('content-type', a.type).header('etag', a.etag).header('cache-control', 'public, max-age=300').send(a.body);
  });
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());
  app.get('/healthz', async (_req, reply) => reply.header('cache-control', 'no-store').send({ ok: true }));

  // ----------------------------------------------------------------------------------------------------------------
  // Overview and availability

  app.get('/api/availability', async (req, reply) => {
    const week = weekOf(req.query);
    const ids = config.get().config.sites.map((s) => s.id);
    const rows = await repo.weeklyAvailability({ week, siteIds: ids, now: clock() });
    const r = weekRange(week);
    const vantages = await repo.vantageAvailability(r);
    return reply.header('cache-control', 'no-store').send({ week, ...r, rows: rows.map((x) => ({ ...x, verdict: availabilityVerdict(x), vantages: vantages.filter((v) => v.site === x.site) })) });
  });

  app.get('/', async (req, reply) => {
    const week = weekOf(req.query);
    const page = intParam(req.query, 'page', 1, 1, 1_000_000);
    const size = 50;
    const sites = config.get().config.sites;
    const shown = sites.slice((page - 1) * size, page * size);
    const r = weekRange(week);
    const rows = await repo.weeklyAvailability({ week, siteIds: shown.map((s) => s.id), now: clock() });
    const vantages = await repo.vantageAvailability(r);
    const body: string[] = [];
    body.push(`<h1>总览 ${esc(week)}（${esc(r.from)} 至 ${esc(r.to)}）</h1>`);
    body.push('<p class="muted">队列模式：失败次数为经确认的失败（同一轮次另一监测点也失败，或只有一个监测点时立即重试也失败）；监测点受损的轮次记为未监测。复核、人工评分、模拟咨询和维护时段在网站和检查页面中登录后进行；立即检查请用 govsite run-now --queue。</p>');
    body.push(`<p><a href="${esc(href('/', { week: isoWeekAt(Date.parse(`${r.from}T00:00:00+08:00`) - 7 * 86_400_000) }))}">上一周</a>${o.queue ? ' · <a href="/queues">队列状态</a>' : ''}</p>`);
    body.push('<table class="data"><thead><tr><th>网站</th><th>探测</th><th>失败（确认）</th><th>失败占比</th><th>单否</th><th>各监测点</th><th>最近检查</th></tr></thead><tbody>');
    for (const s of shown) {
      const a = rows.find((x) => x.site === s.id);
      const verdict = a ? availabilityVerdict(a) : 'pending';
      const vs = vantages.filter((v) => v.site === s.id).map((v) => `${esc(v.vantage)} ${pct(v.ratio, v.probes)}${v.unmeasured ? `（未监测 ${v.unmeasured}）` : ''}${v.blocked ? `（拦截 ${v.blocked}）` : ''}`).join('<br>');
      const run = await latestRun(s);
      const score = run ? ((await repo.latestScore(run.id))?.score as { total?: number; provisional?: boolean } | undefined) : undefined;
      const runCell = run
        ? `<a href="/runs/${run.id}">#${run.id}</a> ${esc(run.asOf)}${score?.total !== undefined ? ` ${esc(Math.round(score.total * 100) / 100)} 分${score.provisional ? '（暂定）' : ''}` : ''}`
        : '—';
      body.push(
        `<tr data-site="${esc(s.id)}"><td><a href="/sites/${esc(encodeURIComponent(s.id))}">${esc(s.name)}</a><br><span class="muted small">${esc(s.id)}</span></td><td class="num">${a?.probes ?? 0}</td><td class="num">${a?.failures ?? 0}</td><td class="num">${pct(a?.ratio ?? null, a?.probes ?? 0)}</td><td>${esc(AVAILABILITY_VERDICT_ZH[verdict])}</td><td class="small">${vs || '—'}</td><td>${runCell}</td></tr>`,
      );
    }
    body.push('</tbody></table>');
    const pages = Math.max(1, Math.ceil(sites.length / size));
    if (pages > 1) body.push(`<p>第 ${page} / ${pages} 页 ${page < pages ? `<a href="${esc(href('/', { week, page: page + 1 }))}">下一页</a>` : ''}</p>`);
    return sendPage(req, reply, '总览', body.join('\n'), 200, 'overview');
  });

  // ----------------------------------------------------------------------------------------------------------------
  // Site page: availability, probe log, latest audit, 模拟咨询, history, maintenance windows, alerts

  app.get('/sites/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const cfg = configSite(id);
    if (!cfg) return fail(req, reply, 404, `sites.yaml 中没有编号为 ${id} 的网站`);
    const site = recordOf(cfg);
    const week = weekOf(req.query);
    const range = weekRange(week);
    const now = clock();
    const weeks = await repo.weeklyAvailability({ siteId: site.id, from: weekRange(shiftWeek(week, -7)).from, to: range.to, now });
    const days = await repo.dailyAvailability({ siteId: site.id, from: range.from, to: range.to });
    const filter = q1(req.query, 'probes', 10) === 'all' ? 'all' : 'failed';
    const ppage = intParam(req.query, 'ppage', 1, 1, 100_000);
    const log = await repo.probeLog({ siteId: site.id, fromMs: dayStartMs(range.from), toMs: dayStartMs(addDays(range.to, 1)), failedOnly: filter === 'failed', limit: 50, offset: (ppage - 1) * 50 });
    const here = href(`/sites/${encodeURIComponent(site.id)}`, { week: q1(req.query, 'week', 10) });
    const latest = await latestRun(cfg);
    let run: RunView | undefined;
    if (latest) {
      const report = await storedReportFromRepo(repo, latest.id);
      if (report) run = await runView(req, latest, report, here);
    }
    const history: HistoryRow[] = [];
    for (const r of site.key ? await repo.listRuns({ siteKey: site.key, limit: 30 }) : []) {
      if (r.siteId !== null && r.siteId !== site.id) continue;
      const [s] = await repo.scores(r.id, 1);
      history.push({ runId: r.id, asOf: r.asOf, startedAt: r.startedAt, status: r.status, ...(s ? { total: s.total, provisional: s.provisional, veto: s.veto } : {}) });
    }
    const windows = await Promise.all((await repo.listMaintenanceWindows(site.id, undefined, 50)).map(async (w) => ({ ...w, ...(await repo.windowProbeCounts(w)) })));
    const alerts = await repo.listAlerts({ siteId: site.id, limit: 10, offset: 0 });
    const body = sitePage({
      site,
      configured: true,
      week,
      weekRange: range,
      weeks,
      days,
      probes: { rows: log.rows, total: log.total, page: ppage, size: 50, filter },
      ...(run ? { run } : {}),
      history,
      jobs: [],
      viewer: viewerOf(req),
      warnRatio: warnRatio(),
      minPerDay: MIN_PROBES_PER_DAY_RULE,
      inquiries: await repo.listInquiries([site.id, site.key ?? undefined]),
      extra: { bottom: [maintenanceSection({ siteId: site.id, windows, viewer: viewerOf(req), back: here }), siteAlertsSection(site.id, alerts.rows, alerts.total)].join('\n') },
      runNow: false,
    });
    return sendPage(req, reply, site.name ?? site.id, body, 200, 'site');
  });

  // ----------------------------------------------------------------------------------------------------------------
  // Runs

  app.get('/runs/:id', async (req, reply) => {
    const loaded = await loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const v = await runView(req, loaded.run, loaded.report, `/runs/${loaded.run.id}`);
    const site = siteOfRun(loaded.run);
    return sendPage(req, reply, `检查 #${loaded.run.id}`, runPage(v, site ? recordOf(site) : undefined), 200, 'run');
  });

  app.get('/runs/:id/findings', async (req, reply) => {
    const loaded = await loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const check = q1(req.query, 'check', 100) ?? '';
    const offset = intParam(req.query, 'offset', 0, 0, 10_000_000);
    const back = href(`/runs/${loaded.run.id}/findings`, { check, offset });
    const v = await runView(req, loaded.run, loaded.report, back, { onlyCheck: check, offset, perCheck: 200 });
    return sendPage(req, reply, `检查 #${loaded.run.id} 问题清单`, findingsPage(v, `问题清单：${check}`) + findingsSection(v), 200, 'run');
  });

  app.get('/api/runs/:id', async (req, reply) => {
    const loaded = await loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    return reply.header('cache-control', 'no-store').header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(apiRunDocument(loaded.report)));
  });

  app.get('/runs/:id/report.html', async (req, reply) => {
    const loaded = await loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const fn = reportFileName({ site: loaded.report.site, asOf: loaded.report.asOf, runId: loaded.run.id, ext: 'html' });
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-disposition', contentDisposition(fn.name, fn.ascii))
      .header('content-security-policy', "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .header('cache-control', 'no-store')
      .send(renderHtml(loaded.report));
  });

  app.get('/runs/:id/report.xlsx', async (req, reply) => {
    const loaded = await loadRun((req.params as { id: string }).id);
    if (!loaded) return fail(req, reply, 404, '没有这次检查');
    const fn = reportFileName({ site: loaded.report.site, asOf: loaded.report.asOf, runId: loaded.run.id, ext: 'xlsx' });
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', contentDisposition(fn.name, fn.ascii))
      .header('cache-control', 'no-store')
      .send(await renderXlsx(loaded.report));
  });

  app.get('/runs/:id/screenshot', async (req, reply) => {
    const loaded = await loadRun((req.params as { id: string }).id);
    const img = loaded ? await readStoredImage(loaded.run.screenshot) : undefined;
    if (!img) return fail(req, reply, 404, '没有截图');
    return reply.header('content-type', img.type).header('cache-control', 'private, max-age=300').send(img.body);
  });

  app.get('/runs/:id/evidence/:n/screenshot', async (req, reply) => {
    const { id, n } = req.params as { id: string; n: string };
    const loaded = /^\d{1,7}$/.test(n) ? await loadRun(id) : undefined;
    const f = loaded?.report.findings[Number(n)];
    const img = f ? await readStoredImage(typeof f.evidence?.screenshot === 'string' ? f.evidence.screenshot : undefined) : undefined;
    if (!img) return fail(req, reply, 404, '没有截图');
    return reply.header('content-type', img.type).header('cache-control', 'private, max-age=300').send(img.body);
  });

  // ----------------------------------------------------------------------------------------------------------------
  // Reviews: decisions and manual items (the site's manual-items file), then the run is rescored

  app.post('/api/runs/:id/decisions', { config: { write: true } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const run = /^\d{1,15}$/.test(id) ? await repo.getRun(Number(id)) : undefined;
    if (!run) return fail(req, reply, 404, '没有这次检查');
    const site = siteOfRun(run);
    return afterWrite(req, reply, `/runs/${run.id}`, async () => {
      const findings = await repo.findings(run.id);
      const by = reviewerOf(req);
      const lockKey = manualFileFor(run, site) ?? `run:${run.id}`;
      // the edit and the snapshot it is rescored with, in order per manual-items file
      const { e, r } = await serial.run(lockKey, async () => {
        const e = writeDecision({ run, findings, ...(site ? { site } : {}) }, bodyOf(req), by, clock());
        return { e, r: await rescoreRun(run, e.manualFile, by) };
      });
      const verb = e.action === 'confirm' ? '已确认' : e.action === 'reject' ? '已排除' : '已撤销复核';
      return { json: { ok: true, runId: run.id, ...e, ...rescoreJson(r) }, text: `${verb}${rescoreText(r)}` };
    });
  });

  app.post('/api/runs/:id/manual', { config: { write: true } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const run = /^\d{1,15}$/.test(id) ? await repo.getRun(Number(id)) : undefined;
    if (!run) return fail(req, reply, 404, '没有这次检查');
    const site = siteOfRun(run);
    return afterWrite(req, reply, `/runs/${run.id}`, async () => {
      const by = reviewerOf(req);
      const lockKey = manualFileFor(run, site) ?? `run:${run.id}`;
      const { e, r } = await serial.run(lockKey, async () => {
        const e = writeManualEntry({ run, ...(site ? { site } : {}) }, bodyOf(req), by, clock());
        return { e, r: await rescoreRun(run, e.manualFile, by) };
      });
      const rubric = currentRubric(run.rubric);
      const label = rubric ? ruleRef(ruleCatalog(undefined, rubric), e.rule, { withLevel2: true, text: false }) : '该细则';
      return { json: { ok: true, runId: run.id, ...e, ...rescoreJson(r) }, text: `${e.removed ? '已删除' : '已保存'}人工评分：${label}${rescoreText(r)}` };
    });
  });

  // ----------------------------------------------------------------------------------------------------------------
  // 模拟咨询: record a question; a reply time entered by hand re-runs inquiry-reply on the latest audit and rescores it

  const syncText = (s: Awaited<ReturnType<typeof syncInquiryInRepo>>) =>
    s.runId === undefined ? '' : s.rescore?.queued ? `；检查 #${s.runId} 已重新核对，已加入重新评分队列（任务 ${s.rescore.jobId}）` : s.score ? `；检查 #${s.runId} 已重新评分：${fmtScore(s.score)}` : '';

  app.post('/api/sites/:id/inquiries', { config: { write: true } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const cfg = configSite(id);
    if (!cfg) return fail(req, reply, 404, `没有编号为 ${id} 的网站`);
    const b = bodyOf(req);
    const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : '');
    return afterWrite(req, reply, `/sites/${encodeURIComponent(id)}#inquiries`, async () => {
      const rec = await repo.addInquiry({ site: cfg.id, channel: str('channel'), askedAt: str('askedAt'), title: str('title'), note: str('note') || undefined }, new Date(clock()));
      const sync = await syncInquiryInRepo(repo, rec.id, { rescorer, by: reviewerOf(req), ...(cfg.manual ? { manualFile: cfg.manual } : {}), hasPublicServices: cfg.hasPublicServices });
      return {
        json: { ok: true, inquiry: rec, runId: sync.runId, ...(sync.score ? { score: sync.score.total } : {}), ...rescoreJson(sync.rescore) },
        text: `已登记模拟咨询 #${rec.id}${sync.runId === undefined ? '；下次检查时将在已公开留言中查找答复' : syncText(sync)}`,
      };
    });
  });

  app.post('/api/inquiries/:id/reply', { config: { write: true } }, async (req, reply) => {
    const id = Number((req.params as { id: string }).id);
    const rec = Number.isInteger(id) && id > 0 ? await repo.getInquiry(id) : undefined;
    if (!rec) return fail(req, reply, 404, '没有这条模拟咨询');
    const b = bodyOf(req);
    const v = typeof b.repliedAt === 'string' ? b.repliedAt.trim() : '';
    const cfg = configSite(rec.site);
    return afterWrite(req, reply, `/sites/${encodeURIComponent(rec.site)}#inquiries`, async () => {
      const upd = await repo.setInquiryReply(id, v ? v : null, typeof b.note === 'string' ? b.note : undefined, new Date(clock()));
      const sync = await syncInquiryInRepo(repo, id, { rescorer, by: reviewerOf(req), ...(cfg?.manual ? { manualFile: cfg.manual } : {}), ...(cfg ? { hasPublicServices: cfg.hasPublicServices } : {}) });
      return {
        json: { ok: true, inquiry: upd, runId: sync.runId, ...(sync.score ? { score: sync.score.total } : {}), ...rescoreJson(sync.rescore) },
        text: `${upd.repliedAt ? `已录入答复时间 ${upd.repliedAt}` : '已清除答复时间'}${syncText(sync)}`,
      };
    });
  });

  // ----------------------------------------------------------------------------------------------------------------
  // Maintenance windows: register, decide, remove; the audits they touch are judged again and rescored

  const rescoredText = (r: { rescored: number[]; queued: string[] }) =>
    r.rescored.length ? `，${r.queued.length ? '已重新核对并加入重新评分队列' : '已重新评分'}检查 ${r.rescored.map((x) => `#${x}`).join('、')}` : '';

  app.post('/api/sites/:id/maintenance', { config: { write: true } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const cfg = configSite(id);
    if (!cfg) return fail(req, reply, 404, `没有编号为 ${id} 的网站`);
    return afterWrite(req, reply, `/sites/${encodeURIComponent(id)}#maintenance`, async () => {
      const r = await addWindowInRepo(repo, rescorer, cfg.id, bodyOf(req), reviewerOf(req), clock(), configSite);
      return { json: { ok: true, ...r }, text: `已登记维护时段${rescoredText(r)}` };
    });
  });

  app.post('/api/maintenance/:id', { config: { write: true } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    return afterWrite(req, reply, '/', async () => {
      const r = await changeWindowInRepo(repo, rescorer, id, bodyOf(req), reviewerOf(req), clock(), configSite);
      const verb = r.removed ? '已删除维护时段' : r.window?.decision === 'count' ? '已决定：维护时段内的监测计入可用性' : r.window?.decision === 'exclude' ? '已决定：维护时段内的监测不计入可用性' : '已撤销决定';
      return { json: { ok: true, ...r }, text: `${verb}${rescoredText(r)}` };
    });
  });

  // ----------------------------------------------------------------------------------------------------------------
  // 新媒体 tab of a site: the unit's accounts in the shared registry (newmedia.ts, the same tab as on one machine)

  registerNewMediaRoutes(app, {
    registry: repo,
    site: (id) => {
      const cfg = configSite(id);
      return cfg ? recordOf(cfg) : undefined;
    },
    latestRun: async (site) => {
      const cfg = configSite(site.id);
      const run = cfg ? await latestRun(cfg) : undefined;
      const report = run ? await storedReportFromRepo(repo, run.id) : undefined;
      return run && report ? { id: run.id, report } : undefined;
    },
    observations: (runId, kinds) => repo.observations(runId, kinds),
    config: () => config.get(),
    clock,
    sendPage: (req, reply, title, body, status, active) => sendPage(req, reply, title, body, status, active),
    fail,
    afterWrite: (req, reply, fallback, ok) => afterWrite(req, reply, fallback, async () => ok()),
    viewerOf,
    reviewerOf,
  });

  // ----------------------------------------------------------------------------------------------------------------
  // 预警记录

  const facets = () => {
    const sites = config.get().config.sites;
    return { regions: [...new Set(sites.map((s) => s.region).filter((x): x is string => !!x))].sort(), rubrics: [...new Set(sites.map((s) => s.rubric))].sort() };
  };
  const alertQuery = (req: FastifyRequest, size: number) => {
    const p: ListParams = {
      ...(q1(req.query, 'rubric', 100) ? { rubric: q1(req.query, 'rubric', 100) } : {}),
      ...(q1(req.query, 'region', 100) ? { region: q1(req.query, 'region', 100) } : {}),
      ...(q1(req.query, 'q', 100) ? { q: q1(req.query, 'q', 100) } : {}),
      page: intParam(req.query, 'page', 1, 1, 1_000_000),
      size: intParam(req.query, 'size', size, 10, 200),
    };
    const status = q1(req.query, 'status', 10);
    const site = q1(req.query, 'site', 200);
    const week = q1(req.query, 'week', 10);
    let siteIds: string[] | undefined;
    if (p.rubric || p.region || p.q) {
      const q = p.q?.toLowerCase();
      siteIds = config.get().config.sites
        .filter((s) => (!p.rubric || s.rubric === p.rubric) && (!p.region || s.region === p.region) && (!q || `${s.id} ${s.name} ${s.url}`.toLowerCase().includes(q)))
        .map((s) => s.id);
    }
    const params = { ...p, ...(status === 'failed' || status === 'sent' ? { status: status as 'failed' | 'sent' } : {}), ...(site ? { site } : {}), ...(week && isValidWeek(week) ? { week } : {}) };
    return { params, q: { ...(site ? { siteId: site } : {}), ...(siteIds ? { siteIds } : {}), ...(params.status ? { status: params.status } : {}), ...(params.week ? { week: params.week } : {}), limit: p.size, offset: (p.page - 1) * p.size } };
  };

  app.get('/alerts', async (req, reply) => {
    const { params, q } = alertQuery(req, 50);
    const { rows, total } = await repo.listAlerts(q);
    const names = new Map<string, string>();
    for (const a of rows) if (!names.has(a.siteId)) names.set(a.siteId, configSite(a.siteId)?.name ?? a.siteId);
    return sendPage(req, reply, '预警记录', alertsPage({ params, rows, total, names, facets: facets() }), 200, 'alerts');
  });

  app.get('/api/alerts', async (req, reply) => {
    const { params, q } = alertQuery(req, 100);
    const r = await repo.listAlerts(q);
    return reply.header('cache-control', 'no-store').send({ total: r.total, page: params.page, size: params.size, alerts: r.rows });
  });

  // ----------------------------------------------------------------------------------------------------------------
  // Queue health

  let queueMonitor: QueueMonitor | undefined;
  if (o.queue) {
    queueMonitor = new QueueMonitor(o.queue.url, o.queue.prefix);
    registerQueueRoutes(app, { monitor: queueMonitor, rounds: () => repo.vantageRounds({ fromMs: clock() - 3_600_000, toMs: clock() + 60_000 }), sendPage: (req, reply, title, body) => sendPage(req, reply, title, body, 200, 'queues') });
  }

  await app.ready();
  let closed = false;
  return {
    app,
    token,
    tokenGenerated,
    async listen(port: number, host: string) {
      await app.listen({ port, host });
      const a = app.server.address() as AddressInfo;
      return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await queueMonitor?.close();
      await ownRescorer?.close?.();
    },
  };
}
