/**
 * The dashboard over the shared PostgreSQL store (queue mode): read-only pages for what the scheduler and the workers
 * record — every configured site's confirmed weekly availability with each vantage point's own ratio, the latest audit
 * with its score and reports, and queue health.
 *
 * Pages: GET / · /runs/:id/report.html · /queues      API: GET /api/availability · /api/runs/:id · /api/queues
 * Reviews, manual scoring and "run now" are the SQLite dashboard's (src/web/server.ts) and not offered here yet: their
 * pages say so. Security as the main dashboard: loopback Host check when bound to loopback, strict CSP and headers.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Repo } from '../repo/types.ts';
import type { AuditReport } from '../report/audit-report.ts';
import { renderHtml } from '../report/html.ts';
import type { ScoreResult } from '../score/types.ts';
import { withDecisions } from '../score/engine.ts';
import { siteKey } from '../collect/crawl.ts';
import { AVAILABILITY_VERDICT_ZH, availabilityVerdict } from '../monitor/ratios.ts';
import { isoWeekAt, weekProblem, weekRange } from '../monitor/time.ts';
import { isLoopbackHost, SECURITY_HEADERS } from './auth.ts';
import { ConfigSource } from './config-source.ts';
import { esc, href, layout, pct, when } from './layout.ts';
import { QueueMonitor, registerQueueRoutes } from './queues.ts';

export interface ClusterDashboardOptions {
  repo: Repo;
  configFile?: string;
  allowMissingConfig?: boolean;
  host?: string;
  queue?: { url: string; prefix: string };
  now?: () => number;
  logger?: Logger;
}

/** The audit JSON document of a published run (latest score, decisions applied), read from the shared store. */
export async function storedReportFromRepo(repo: Repo, runId: number): Promise<AuditReport | undefined> {
  const run = await repo.getRun(runId);
  if (!run) return undefined;
  const latest = await repo.latestScore(runId);
  const score = latest?.score as ScoreResult | undefined;
  const findings = withDecisions(await repo.findings(runId), score);
  const scopes = await repo.checkScopes(runId);
  return {
    site: { url: run.siteUrl, ...(run.siteName ? { name: run.siteName } : {}) },
    rubric: run.rubric,
    asOf: run.asOf,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt ?? run.startedAt,
    runId: run.id,
    stats: { pagesCrawled: 0, linksChecked: 0, brokenLinks: 0, ...run.stats, findings: findings.length },
    findings,
    ...(score ? { score } : {}),
    ...(scopes ? { scopes } : {}),
    ...(run.screenshot ? { screenshot: run.screenshot } : {}),
    ...(run.browser ? { browser: run.browser } : {}),
    notes: run.notes,
  };
}

export async function createClusterDashboard(o: ClusterDashboardOptions): Promise<{ app: FastifyInstance; listen(port: number, host: string): Promise<string>; close(): Promise<void> }> {
  const clock = o.now ?? Date.now;
  const repo = o.repo;
  const config = new ConfigSource(o.configFile, { allowMissing: o.allowMissingConfig });
  const loopbackOnly = o.host === undefined || /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/i.test(o.host);
  const app = Fastify({ ...(o.logger ? { loggerInstance: o.logger } : { logger: false }), trustProxy: false } as never) as unknown as FastifyInstance;

  app.addHook('onRequest', async (req, reply) => {
    if (loopbackOnly && !isLoopbackHost(req.headers.host)) {
      return reply.code(403).header('content-type', 'text/plain; charset=utf-8').send('forbidden: this dashboard answers to localhost / 127.0.0.1 only');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply.code(405).header('content-type', 'text/plain; charset=utf-8').send('read-only dashboard');
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(k)) reply.header(k, v);
    return payload;
  });
  const send = (req: FastifyRequest, reply: FastifyReply, title: string, body: string, status = 200) =>
    reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(
      layout({ title, body, viewer: {}, active: 'overview', here: req.url, ...(config.get().error ? { banner: `站点配置文件有误：${config.get().error}` } : {}) }),
    );
  const weekOf = (q: unknown) => {
    const w = (q as Record<string, string | undefined>)?.week;
    return typeof w === 'string' && !weekProblem(w, 'week', clock()) ? w : isoWeekAt(clock());
  };

  app.get('/healthz', async (_req, reply) => reply.send({ ok: true }));

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
    const page = Math.max(1, Number((req.query as Record<string, string>)?.page) || 1);
    const size = 50;
    const sites = config.get().config.sites;
    const shown = sites.slice((page - 1) * size, page * size);
    const r = weekRange(week);
    const rows = await repo.weeklyAvailability({ week, siteIds: shown.map((s) => s.id), now: clock() });
    const vantages = await repo.vantageAvailability(r);
    const body: string[] = [];
    body.push(`<h1>总览 ${esc(week)}（${esc(r.from)} 至 ${esc(r.to)}）</h1>`);
    body.push('<p class="muted">队列模式：失败次数为经确认的失败（同一轮次另一监测点也失败，或只有一个监测点时立即重试也失败）；监测点受损的轮次记为未监测。复核、人工评分和立即检查请使用单机看板（暂不支持 PostgreSQL）。</p>');
    body.push(`<p><a href="${esc(href('/', { week: isoWeekAt(Date.parse(`${r.from}T00:00:00+08:00`) - 7 * 86_400_000) }))}">上一周</a> · <a href="/queues">队列状态</a></p>`);
    body.push('<table class="data"><thead><tr><th>网站</th><th>探测</th><th>失败（确认）</th><th>失败占比</th><th>单否</th><th>各监测点</th><th>最近检查</th></tr></thead><tbody>');
    for (const s of shown) {
      const a = rows.find((x) => x.site === s.id);
      const verdict = a ? availabilityVerdict(a) : 'pending';
      const vs = vantages.filter((v) => v.site === s.id).map((v) => `${esc(v.vantage)} ${pct(v.ratio, v.probes)}${v.unmeasured ? `（未监测 ${v.unmeasured}）` : ''}${v.blocked ? `（拦截 ${v.blocked}）` : ''}`).join('<br>');
      const runs = await repo.listRuns({ siteKey: siteKey(s.url), limit: 5 });
      const run = runs.find((x) => x.status === 'done' && (x.siteId === s.id || x.siteId === null));
      const score = run ? ((await repo.latestScore(run.id))?.score as { total?: number; provisional?: boolean } | undefined) : undefined;
      const runCell = run
        ? `<a href="/runs/${run.id}/report.html">#${run.id}</a> ${esc(run.asOf)}${score?.total !== undefined ? ` ${esc(Math.round(score.total * 100) / 100)} 分${score.provisional ? '（暂定）' : ''}` : ''}`
        : '—';
      body.push(
        `<tr><td>${esc(s.name)}<br><span class="muted small">${esc(s.id)}</span></td><td class="num">${a?.probes ?? 0}</td><td class="num">${a?.failures ?? 0}</td><td class="num">${pct(a?.ratio ?? null, a?.probes ?? 0)}</td><td>${esc(AVAILABILITY_VERDICT_ZH[verdict])}</td><td class="small">${vs || '—'}</td><td>${runCell}</td></tr>`,
      );
    }
    body.push('</tbody></table>');
    const pages = Math.max(1, Math.ceil(sites.length / size));
    if (pages > 1) body.push(`<p>第 ${page} / ${pages} 页 ${page < pages ? `<a href="${esc(href('/', { week, page: page + 1 }))}">下一页</a>` : ''}</p>`);
    return send(req, reply, '总览', body.join('\n'));
  });

  const runOf = async (id: string) => (/^\d{1,15}$/.test(id) ? storedReportFromRepo(repo, Number(id)) : undefined);
  app.get('/api/runs/:id', async (req, reply) => {
    const report = await runOf((req.params as { id: string }).id);
    if (!report) return reply.code(404).send({ error: '没有这次检查' });
    return reply.header('cache-control', 'no-store').header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(report));
  });
  app.get('/runs/:id/report.html', async (req, reply) => {
    const report = await runOf((req.params as { id: string }).id);
    if (!report) return send(req, reply, '未找到', '<h1>没有这次检查</h1>', 404);
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .header('cache-control', 'no-store')
      .send(renderHtml(report));
  });

  let queueMonitor: QueueMonitor | undefined;
  if (o.queue) {
    queueMonitor = new QueueMonitor(o.queue.url, o.queue.prefix);
    registerQueueRoutes(app, { monitor: queueMonitor, rounds: () => repo.vantageRounds({ fromMs: clock() - 3_600_000, toMs: clock() + 60_000 }), sendPage: (req, reply, title, body) => send(req, reply, title, body) });
  }
  app.setNotFoundHandler((req, reply) => send(req, reply, '未找到', '<h1>页面不存在</h1><p><a href="/">返回总览</a></p>', 404));
  await app.ready();
  return {
    app,
    async listen(port: number, host: string) {
      await app.listen({ port, host });
      const a = app.server.address() as AddressInfo;
      return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    },
    async close() {
      await app.close();
      await queueMonitor?.close();
    },
  };
}
