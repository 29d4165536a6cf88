/**
 * Routes of the province views (registered by server.ts with its helpers):
 *   GET  /status · /alerts · /rectification · /export/overview.xlsx
 *   GET  /api/status · /api/alerts · /api/rectification
 *   POST /api/sites/:id/maintenance · /api/maintenance/:id        (operator token)
 * and the site page's extra panels (sitePanels).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../store/db.ts';
import type { Store } from '../store/store.ts';
import type { SiteConfig } from '../monitor/config.ts';
import { listAlerts, ensureAlertLogSchema } from '../monitor/alert-log.ts';
import { ensureMaintenanceSchema, listMaintenanceWindows, maintenanceCounts, windowProbeCounts } from '../monitor/maintenance.ts';
import { weeklyAvailability } from '../monitor/ratios.ts';
import { addDays, dayStartMs, isValidWeek, isoWeekOf, shanghaiDay, weekRange } from '../monitor/time.ts';
import { CHECK_TITLES } from '../report/audit-report.ts';
import type { ScoreResult } from '../score/types.ts';
import { contentDisposition, fileNamePart } from './downloads.ts';
import { addWindow, changeWindow } from './maintenance-actions.ts';
import { quarterOf, quarterRange, rectification, StatusReader, type RectQuery } from './province.ts';
import { quarterOverviewXlsx, weekOverviewXlsx, type ExportAudit, type QuarterExportRow } from './overview-xlsx.ts';
import type { Viewer } from './layout.ts';
import type { OverviewRow, SiteIndex, SiteRecord, WeekNumbers } from './sites-index.ts';
import type { OverviewParams, OverviewRowView } from './views.ts';
import {
  alertsPage,
  maintenanceSection,
  rectificationPage,
  siteAlertsSection,
  siteRectSection,
  siteStatusPanel,
  statusPage,
  type ListParams,
  type StatusRowView,
} from './views-province.ts';

export interface ProvinceHelpers {
  db: Db;
  store: Store;
  sites: SiteIndex;
  clock: () => number;
  configSite(id: string): SiteConfig | undefined;
  q1(q: unknown, name: string, max?: number): string | undefined;
  intParam(q: unknown, name: string, def: number, min: number, max: number): number;
  sendPage(req: FastifyRequest, reply: FastifyReply, title: string, body: string, status?: number, active?: string): FastifyReply;
  fail(req: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply;
  viewerOf(req: FastifyRequest): Viewer;
  reviewerOf(req: FastifyRequest): string;
  afterWrite(req: FastifyRequest, reply: FastifyReply, fallback: string, ok: () => { json: unknown; text: string }): FastifyReply;
  weekParam(q: unknown): string;
  overviewParams(q: unknown): OverviewParams;
  overviewData(p: OverviewParams, limit: number, offset: number): { result: { rows: OverviewRow[]; total: number; week: { cur: { week: string; from: string; to: string }; prev: { week: string } } }; rows: OverviewRowView[] };
  thresholds(): { failureRatio: number; minProbes: number; emptyColumns: number };
}

/** Everything a province page shows at most per page, and the export's bound. */
const EXPORT_MAX = 100_000;

export function registerProvinceRoutes(app: FastifyInstance, h: ProvinceHelpers) {
  const { db, sites } = h;
  ensureAlertLogSchema(db);
  ensureMaintenanceSchema(db);
  const reader = new StatusReader(db);
  const latestRunStmt = db.prepare(
    `SELECT id, as_of FROM runs WHERE site_key = ? AND status = 'done' AND (site_id = ? OR site_id IS NULL) ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  const latestRun = (s: SiteRecord) => {
    if (!s.key) return undefined;
    const r = latestRunStmt.get(s.key, s.id) as { id: number; as_of: string } | undefined;
    return r ? { id: r.id, asOf: r.as_of } : undefined;
  };
  const maintSummaryStmt = db.prepare(
    `SELECT sum(decision = 'pending') AS pending, sum(ends_at > ?) AS active FROM monitor_maintenance WHERE site_id = ?`,
  );
  const maintSummary = (id: string) => {
    const r = maintSummaryStmt.get(new Date(h.clock()).toISOString(), id) as { pending: number | null; active: number | null };
    return { pending: r.pending ?? 0, active: r.active ?? 0 };
  };

  function listParams(q: unknown, size = 50): ListParams {
    return {
      ...(h.q1(q, 'rubric', 100) ? { rubric: h.q1(q, 'rubric', 100) } : {}),
      ...(h.q1(q, 'region', 100) ? { region: h.q1(q, 'region', 100) } : {}),
      ...(h.q1(q, 'q', 100) ? { q: h.q1(q, 'q', 100) } : {}),
      page: h.intParam(q, 'page', 1, 1, 1_000_000),
      size: h.intParam(q, 'size', size, 10, 200),
    };
  }

  /** The filtered sites of one page (configured order), through the overview query. */
  function sitePage(p: ListParams, limit: number, offset: number) {
    const week = isoWeekOf(shanghaiDay(h.clock()));
    return sites.overview({ week, sort: 'site', dir: 'asc', rubric: p.rubric, region: p.region, q: p.q, limit, offset }, h.thresholds());
  }

  function statusRows(p: ListParams) {
    const ov = sitePage(p, p.size, (p.page - 1) * p.size);
    const rows: StatusRowView[] = ov.rows.map((r) => ({ site: r.site, status: reader.status(r.site, latestRun(r.site)), maintenance: maintSummary(r.site.id) }));
    return { rows, total: ov.total };
  }

  app.get('/status', async (req, reply) => {
    const p = listParams(req.query);
    const { rows, total } = statusRows(p);
    return h.sendPage(req, reply, '运行状态', statusPage({ params: p, rows, total, facets: sites.facets(), now: h.clock() }), 200, 'status');
  });

  app.get('/api/status', async (req, reply) => {
    const p = listParams(req.query);
    const { rows, total } = statusRows(p);
    return reply.header('cache-control', 'no-store').send({
      total,
      page: p.page,
      size: p.size,
      sites: rows.map((r) => ({ id: r.site.id, name: r.site.name, url: r.site.url, region: r.site.region, ...r.status, maintenance: r.maintenance })),
    });
  });

  function alertQuery(req: FastifyRequest, p: ListParams) {
    const status = h.q1(req.query, 'status', 10);
    const site = h.q1(req.query, 'site', 200);
    const week = h.q1(req.query, 'week', 10);
    let siteIds: string[] | undefined;
    if (p.rubric || p.region || p.q) siteIds = sitePage(p, EXPORT_MAX, 0).rows.map((r) => r.site.id);
    return {
      params: { ...p, ...(status === 'failed' || status === 'sent' ? { status: status as 'failed' | 'sent' } : {}), ...(site ? { site } : {}), ...(week && isValidWeek(week) ? { week } : {}) },
      siteIds,
    };
  }

  app.get('/alerts', async (req, reply) => {
    const { params, siteIds } = alertQuery(req, listParams(req.query));
    const { rows, total } = listAlerts(db, {
      ...(params.site ? { siteId: params.site } : {}),
      ...(siteIds ? { siteIds } : {}),
      ...(params.status ? { status: params.status } : {}),
      ...(params.week ? { week: params.week } : {}),
      limit: params.size,
      offset: (params.page - 1) * params.size,
    });
    const names = new Map<string, string>();
    for (const a of rows) if (!names.has(a.siteId)) names.set(a.siteId, sites.get(a.siteId)?.name ?? a.siteId);
    return h.sendPage(req, reply, '预警记录', alertsPage({ params, rows, total, names, facets: sites.facets() }), 200, 'alerts');
  });

  app.get('/api/alerts', async (req, reply) => {
    const { params, siteIds } = alertQuery(req, listParams(req.query, 100));
    const r = listAlerts(db, {
      ...(params.site ? { siteId: params.site } : {}),
      ...(siteIds ? { siteIds } : {}),
      ...(params.status ? { status: params.status } : {}),
      ...(params.week ? { week: params.week } : {}),
      limit: params.size,
      offset: (params.page - 1) * params.size,
    });
    return reply.header('cache-control', 'no-store').send({ total: r.total, page: params.page, size: params.size, alerts: r.rows });
  });

  function rectParams(req: FastifyRequest, size = 50) {
    const p = listParams(req.query, size);
    const st = h.q1(req.query, 'status', 10);
    const status: 'open' | 'fixed' | 'all' = st === 'fixed' || st === 'all' ? st : 'open';
    const check = h.q1(req.query, 'check', 100);
    const site = h.q1(req.query, 'site', 200);
    return { ...p, status, ...(check ? { check } : {}), ...(site ? { site } : {}) };
  }

  function rectQuery(p: ReturnType<typeof rectParams>): RectQuery {
    sites.refresh();
    return {
      ...(p.rubric ? { rubric: p.rubric } : {}),
      ...(p.region ? { region: p.region } : {}),
      ...(p.q ? { q: p.q } : {}),
      ...(p.check ? { check: p.check } : {}),
      ...(p.site ? { siteId: p.site } : {}),
      status: p.status,
      limit: p.size,
      offset: (p.page - 1) * p.size,
    };
  }

  app.get('/rectification', async (req, reply) => {
    const p = rectParams(req);
    const result = rectification(db, rectQuery(p));
    return h.sendPage(req, reply, '整改跟踪', rectificationPage({ params: p, result, checks: Object.keys(CHECK_TITLES), facets: sites.facets() }), 200, 'rectification');
  });

  app.get('/api/rectification', async (req, reply) => {
    const p = rectParams(req, 100);
    const result = rectification(db, rectQuery(p));
    return reply.header('cache-control', 'no-store').send({ total: result.total, counts: result.counts, page: p.page, size: p.size, findings: result.rows });
  });

  // ------------------------------------------------------------------------------------------------------------
  // Overview export

  const scoreOf = db.prepare(`SELECT total, provisional, json_extract(score, '$.veto') AS veto, json_extract(score, '$.verdict') AS verdict FROM scores WHERE run_id = ? ORDER BY id DESC LIMIT 1`);
  const exportAudit = (runId: number, asOf: string): ExportAudit => {
    const s = scoreOf.get(runId) as { total: number; provisional: number; veto: string | null; verdict: string | null } | undefined;
    if (!s) return { runId, asOf };
    let veto: ScoreResult['veto'] | undefined;
    try {
      veto = s.veto ? (JSON.parse(s.veto) as ScoreResult['veto']) : undefined;
    } catch {
      veto = undefined;
    }
    return { runId, asOf, total: s.total, provisional: s.provisional === 1, score: { veto: veto ?? { failed: false, reasons: [] }, ...(s.verdict ? { verdict: s.verdict } : {}) } };
  };
  const quarterRunStmt = db.prepare(
    `SELECT id, as_of FROM runs WHERE site_key = ? AND status = 'done' AND (site_id = ? OR site_id IS NULL) AND as_of >= ? AND as_of <= ?
     ORDER BY as_of DESC, started_at DESC, id DESC LIMIT 1`,
  );
  const quarterWarnStmt = db.prepare(
    `SELECT condition, count(DISTINCT week) AS n FROM monitor_warnings WHERE site_id = ? AND sent_at >= ? AND sent_at < ? GROUP BY condition ORDER BY condition`,
  );
  const generatedAt = () => new Date(h.clock() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

  app.get('/export/overview.xlsx', async (req, reply) => {
    const quarter = h.q1(req.query, 'quarter', 10);
    const p = h.overviewParams(req.query);
    const scope = [p.region, p.rubric ? (p.rubric === 'hunan-2021-provincial' ? '省直' : p.rubric === 'hunan-2021-city' ? '市州' : p.rubric) : undefined].filter(Boolean).join('-');
    const prefix = scope ? `${fileNamePart(scope, 40)}-` : '';
    let buf: Buffer;
    let label: string;
    if (quarter !== undefined) {
      const qr = quarterRange(quarter);
      if (!qr) return h.fail(req, reply, 400, `季度应写成 2021-Q2 的形式（收到 ${quarter}）`);
      const today = shanghaiDay(h.clock());
      if (qr.from > today) return h.fail(req, reply, 400, `${quarter} 尚未开始`);
      // Whole ISO weeks starting in the quarter ("监测1周" is a whole week).
      let firstMon = weekRange(isoWeekOf(qr.from)).from;
      if (firstMon < qr.from) firstMon = addDays(firstMon, 7);
      const lastMon = weekRange(isoWeekOf(qr.to)).from;
      const ov = sites.overview({ week: isoWeekOf(qr.from), sort: p.sort, dir: p.dir, rubric: p.rubric, region: p.region, q: p.q, limit: EXPORT_MAX, offset: 0 }, h.thresholds());
      const ids = ov.rows.map((r) => r.site.id);
      const weeks = lastMon >= firstMon ? weeklyAvailability(db, { from: firstMon, to: addDays(lastMon, 6), siteIds: ids, now: h.clock() }) : [];
      const bySite = new Map<string, typeof weeks>();
      for (const w of weeks) {
        const list = bySite.get(w.site) ?? [];
        list.push(w);
        bySite.set(w.site, list);
      }
      const fromIso = new Date(dayStartMs(qr.from)).toISOString();
      const toIso = new Date(dayStartMs(addDays(qr.to, 1))).toISOString();
      const rows: QuarterExportRow[] = ov.rows.map((r) => {
        const run = r.site.key ? (quarterRunStmt.get(r.site.key, r.site.id, qr.from, qr.to) as { id: number; as_of: string } | undefined) : undefined;
        const warnings = (quarterWarnStmt.all(r.site.id, fromIso, toIso) as { condition: string; n: number }[]).map((x) => ({ condition: x.condition, count: x.n }));
        return { site: r.site, weeks: (bySite.get(r.site.id) ?? []).filter((w) => w.probes > 0), ...(run ? { audit: exportAudit(run.id, run.as_of) } : {}), warnings };
      });
      buf = await quarterOverviewXlsx({ quarter, range: qr, generatedAt: generatedAt(), rows });
      label = quarter;
    } else {
      const { result, rows } = h.overviewData(p, EXPORT_MAX, 0);
      attachMaintenance(rows);
      buf = await weekOverviewXlsx({
        week: result.week.cur.week,
        prevWeek: result.week.prev.week,
        range: { from: result.week.cur.from, to: result.week.cur.to },
        generatedAt: generatedAt(),
        rows: rows.map((r) => ({ site: r.site, cur: r.cur, prev: r.prev, ...(r.audit ? { audit: exportAudit(r.audit.runId, r.audit.asOf) } : {}), warnings: r.warnings })),
      });
      label = result.week.cur.week;
    }
    const name = `${prefix}政府网站检查总览-${label}.xlsx`;
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', contentDisposition(name, `govsite-overview-${label}.xlsx`))
      .header('cache-control', 'no-store')
      .send(buf);
  });

  // ------------------------------------------------------------------------------------------------------------
  // Maintenance windows (writes)

  app.post('/api/sites/:id/maintenance', { config: { write: true } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const site = sites.get(id);
    if (!site) return h.fail(req, reply, 404, `没有编号为 ${id} 的网站`);
    return h.afterWrite(req, reply, `/sites/${encodeURIComponent(id)}#maintenance`, () => {
      const r = addWindow(h.store, site.id, (req.body ?? {}) as Record<string, unknown>, h.reviewerOf(req), h.clock(), h.configSite);
      return { json: { ok: true, ...r }, text: `已登记维护时段${r.rescored.length ? `，已按新的维护时段重新评分检查 ${r.rescored.map((x) => `#${x}`).join('、')}` : ''}` };
    });
  });

  app.post('/api/maintenance/:id', { config: { write: true } }, async (req, reply) => {
    const id = (req.params as { id: string }).id;
    return h.afterWrite(req, reply, '/', () => {
      const r = changeWindow(h.store, id, (req.body ?? {}) as Record<string, unknown>, h.reviewerOf(req), h.clock(), h.configSite);
      const verb = r.removed ? '已删除维护时段' : r.window?.decision === 'count' ? '已决定：维护时段内的监测计入可用性' : r.window?.decision === 'exclude' ? '已决定：维护时段内的监测不计入可用性' : '已撤销决定';
      return { json: { ok: true, ...r }, text: `${verb}${r.rescored.length ? `，已重新评分检查 ${r.rescored.map((x) => `#${x}`).join('、')}` : ''}` };
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  // Shared with server.ts

  function attachMaintenance(rows: { site: SiteRecord; cur: WeekNumbers; prev: WeekNumbers }[]): void {
    if (!rows.length) return;
    const cur = rows[0].cur;
    const prev = rows[0].prev;
    const counts = maintenanceCounts(db, {
      siteIds: rows.map((r) => r.site.id),
      periods: [
        { key: 'cur', from: cur.from, to: cur.to },
        { key: 'prev', from: prev.from, to: prev.to },
      ],
    });
    if (!counts.size) return;
    for (const r of rows) {
      const c = counts.get(r.site.id);
      if (c?.get('cur')) r.cur.maintenance = c.get('cur');
      if (c?.get('prev')) r.prev.maintenance = c.get('prev');
    }
  }

  function sitePanels(req: FastifyRequest, site: SiteRecord, back: string): { top: string; bottom: string } {
    const now = h.clock();
    const status = reader.status(site, latestRun(site));
    const windows = listMaintenanceWindows(db, site.id, undefined, 50).map((w) => ({ ...w, ...windowProbeCounts(db, w) }));
    const alerts = listAlerts(db, { siteId: site.id, limit: 10, offset: 0 });
    sites.refresh();
    const rect = rectification(db, { siteId: site.id, status: 'all', limit: 30, offset: 0 });
    return {
      top: siteStatusPanel(status, now, site.id),
      bottom: [maintenanceSection({ siteId: site.id, windows, viewer: h.viewerOf(req), back }), siteRectSection(site.id, rect), siteAlertsSection(site.id, alerts.rows, alerts.total)].join('\n'),
    };
  }

  /** Extra fields of GET /api/sites/:id: current status, maintenance windows (with their probes), last alerts. */
  function siteJson(site: SiteRecord) {
    return {
      status: reader.status(site, latestRun(site)),
      maintenance: listMaintenanceWindows(db, site.id, undefined, 50).map((w) => ({ ...w, ...windowProbeCounts(db, w) })),
      alerts: listAlerts(db, { siteId: site.id, limit: 20, offset: 0 }).rows,
    };
  }

  return { sitePanels, attachMaintenance, siteJson };
}

export { quarterOf };
