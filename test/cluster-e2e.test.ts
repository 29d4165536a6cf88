/**
 * Queue mode end to end on loopback: a scheduler and three worker processes with different vantages, fixture sites on
 * 127.0.0.x, PostgreSQL and Redis.
 * - v1 and v2 reach everything; v3 is cut off (every name resolves to an address where nothing listens): its canary
 *   fails, so its rounds are "not measured", never failures.
 * - down.test answers 503 to everybody: its failures are confirmed (two vantages fail in the same slot).
 * - Two sites on one host (shared.test) are audited by different workers: the Redis semaphore keeps their crawls from
 *   overlapping (the fixture server records which site each in-flight request belongs to).
 * - The worker auditing slow.test is killed by pid mid-audit: the job is taken over and the audit completes once.
 * Nothing here waits on a fixed delay or asserts a duration: it polls the database for the states it expects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { PgRepo } from '../src/repo/postgres.ts';
import { enqueueNightly } from '../src/queue/scheduler.ts';
import { loadSitesConfig } from '../src/monitor/config.ts';
import { shanghaiDay } from '../src/monitor/time.ts';
import { runAvailabilityRepoCommand } from '../src/monitor/availability-repo.ts';
import { dropRedisPrefix, freshSchema, havePg, haveRedis, PG_URL, REDIS_URL, tempDir, uniqueName } from './helpers/backends.ts';

const ok = (await havePg()) && (await haveRedis());
const BIN = path.resolve('bin/govsite.js');

interface Fixture {
  name: string;
  addr: string;
  port: number;
  server: http.Server;
}

/** In-flight crawl requests on shared.test by site prefix, and whether /a/ and /b/ were ever in flight together. */
const shared = { active: { a: 0, b: 0 }, overlapped: false, maxInFlight: 0, requests: 0 };

function page(title: string, links: string[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>更新日期：2021-06-10</p>${links.map((l, i) => `<a href="${l}">栏目${i}</a>`).join(' ')}<div class="footer">网站标识码4300000000 湘ICP备00000000号</div></body></html>`;
}

async function serve(name: string, addr: string, handler: http.RequestListener): Promise<Fixture> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, addr, r));
  return { name, addr, port: (server.address() as AddressInfo).port, server };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(200);
  }
}

describe.skipIf(!ok)('queue mode: scheduler + three workers on loopback', () => {
  const fixtures: Fixture[] = [];
  const procs: { name: string; p: ChildProcess; log: string[] }[] = [];
  let tmp: ReturnType<typeof tempDir>;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let repo: PgRepo;
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  let configFile: string;

  const start = (name: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    p.stdout!.on('data', (b) => log.push(String(b)));
    p.stderr!.on('data', (b) => log.push(String(b)));
    procs.push({ name, p, log });
    return p;
  };

  beforeAll(async () => {
    tmp = tempDir('govsite-cluster-');
    schema = await freshSchema();
    prefix = uniqueName('gstest');
    const hold = (ms: number) => new Promise((r) => setTimeout(r, ms));
    fixtures.push(await serve('up.test', '127.0.0.2', (_q, s) => s.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page('上市人民政府', ['/a.html']))));
    fixtures.push(await serve('down.test', '127.0.0.3', (_q, s) => s.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>维护中</body></html>')));
    fixtures.push(await serve('canary.test', '127.0.0.4', (_q, s) => s.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>ok</body></html>')));
    fixtures.push(
      await serve('shared.test', '127.0.0.5', async (req, res) => {
        const url = req.url ?? '/';
        const crawl = !/govsite-monitor/.test(String(req.headers['user-agent'] ?? ''));
        const which = url.startsWith('/a/') ? 'a' : url.startsWith('/b/') ? 'b' : null;
        if (crawl && which) {
          shared.requests++;
          shared.active[which]++;
          if (shared.active.a > 0 && shared.active.b > 0) shared.overlapped = true;
          shared.maxInFlight = Math.max(shared.maxInFlight, shared.active.a + shared.active.b);
          await hold(60);
          shared.active[which]--;
        }
        if (!which) return res.writeHead(404).end();
        const m = /^\/([ab])\/(?:p(\d+)\.html)?$/.exec(url);
        if (!m) return res.writeHead(404).end();
        const links = m[2] ? [`/${which}/`] : Array.from({ length: 6 }, (_, i) => `/${which}/p${i}.html`);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(`共享平台 ${which} ${m[2] ?? '首页'}`, links));
      }),
    );
    fixtures.push(
      await serve('slow.test', '127.0.0.6', async (req, res) => {
        const url = req.url ?? '/';
        if (!/govsite-monitor/.test(String(req.headers['user-agent'] ?? ''))) await hold(250);
        const m = /^\/(?:p(\d+)\.html)?$/.exec(url);
        if (!m) return res.writeHead(404).end();
        const links = m[1] ? ['/'] : Array.from({ length: 16 }, (_, i) => `/p${i}.html`);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(`慢市 ${m[1] ?? '首页'}`, links));
      }),
    );
    const port = (n: string) => fixtures.find((f) => f.name === n)!.port;
    const resolveOk = fixtures.map((f) => `${f.name}=${f.addr}`).join(',');
    configFile = path.join(tmp.dir, 'sites.yaml');
    fs.writeFileSync(
      configFile,
      `nightly: { enabled: false, perHost: 1 }
probes:
  perDay: 20
  canaries: ['http://canary.test:${port('canary.test')}/']
warnings: { enabled: false }
sites:
  - { id: up, name: 上市人民政府, url: 'http://up.test:${port('up.test')}/', rubric: hunan-2021-city }
  - { id: down, name: 下市人民政府, url: 'http://down.test:${port('down.test')}/', rubric: hunan-2021-city }
  - { id: sa, name: 共享甲, url: 'http://shared.test:${port('shared.test')}/a/', rubric: hunan-2021-provincial, concurrency: 2, platform: hunan-cluster }
  - { id: sb, name: 共享乙, url: 'http://shared.test:${port('shared.test')}/b/', rubric: hunan-2021-provincial, concurrency: 2, platform: hunan-cluster }
  - { id: slow, name: 慢市人民政府, url: 'http://slow.test:${port('slow.test')}/', rubric: hunan-2021-city, concurrency: 1 }
`,
    );
    repo = await PgRepo.open(PG_URL, { schema: schema.schema, max: 3 });
    env = {
      ...process.env,
      GOVSITE_DB: schema.url,
      GOVSITE_QUEUE: REDIS_URL,
      GOVSITE_QUEUE_PREFIX: prefix,
      GOVSITE_ROUND_MS: '1000',
      GOVSITE_DAY_MS: '20000', // 20 probes a "day" of 20 s: every site once a second
      GOVSITE_SETTLE_MS: '1000',
      GOVSITE_VANTAGE_TTL_MS: '4000',
      GOVSITE_QUEUE_LOCK_MS: '4000',
      GOVSITE_PROBE_TIMEOUT_MS: '1500',
      GOVSITE_NO_BROWSER: '1',
      GOVSITE_NO_NETWORK: '1',
      GOVSITE_NO_GATHER: '1',
      GOVSITE_RESOLVE: resolveOk,
      GOVSITE_LOG: 'info',
    };
    start('scheduler', ['monitor', '--config', configFile]);
    start('w1', ['worker', '--vantage', 'v1', '--scratch', path.join(tmp.dir, 'w1')]);
    start('w2', ['worker', '--vantage', 'v2', '--scratch', path.join(tmp.dir, 'w2')]);
    start('w3', ['worker', '--vantage', 'v3', '--queues', 'probe'], { GOVSITE_RESOLVE: '*=127.0.0.250' }); // cut off
  }, 60_000);

  afterAll(async () => {
    for (const x of procs) if (x.p.exitCode === null && x.p.signalCode === null) x.p.kill('SIGKILL');
    for (const f of fixtures) f.server.close();
    await repo?.close();
    await schema?.drop();
    if (prefix) await dropRedisPrefix(prefix);
    tmp?.remove();
  });

  const dump = () => procs.map((x) => `--- ${x.name}\n${x.log.join('').slice(-3000)}`).join('\n');

  it('confirms an outage seen from two vantages and leaves a cut-off vantage unmeasured', async () => {
    try {
      await until('settled rounds of all three vantages with failures of down.test', async () => {
        const rounds = await repo.vantageRounds({ fromMs: 0, toMs: Date.now() });
        const day = shanghaiDay(Date.now());
        const daily = await repo.dailyAvailability({ from: day, to: day });
        const down = daily.find((d) => d.site === 'down');
        const up = daily.find((d) => d.site === 'up');
        const v = await repo.vantageAvailability({ from: day, to: day });
        return rounds.length === 3 && rounds.every((r) => r.rounds >= 2) && (down?.failures ?? 0) >= 2 && (up?.probes ?? 0) >= 2 && v.some((x) => x.vantage === 'v3' && x.unmeasured > 0) &&
          // a round recorded after its window settled is not counted (a worker still starting): wait for counted ones
          ['v1', 'v2'].every((vv) => v.some((x) => x.site === 'up' && x.vantage === vv && x.probes > 0)) && { rounds, daily, v };
      });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${dump()}`);
    }
    const day = shanghaiDay(Date.now());
    const rounds = await repo.vantageRounds({ fromMs: 0, toMs: Date.now() });
    const v3 = rounds.find((r) => r.vantage === 'v3')!;
    expect(v3.impaired).toBe(v3.rounds); // every round of the cut-off vantage: not measured
    expect(rounds.find((r) => r.vantage === 'v1')!.impaired).toBe(0);
    const daily = await repo.dailyAvailability({ from: day, to: day });
    const down = daily.find((d) => d.site === 'down')!;
    const up = daily.find((d) => d.site === 'up')!;
    expect(down.failures).toBe(down.probes); // down for everybody: every measured slot a confirmed failure
    expect(up.failures).toBe(0); // v3's failures never count
    const v = await repo.vantageAvailability({ from: day, to: day });
    for (const x of v.filter((r) => r.vantage === 'v3')) expect([x.probes, x.failures]).toEqual([0, 0]);
    expect(v.find((x) => x.site === 'up' && x.vantage === 'v1'), JSON.stringify(v)).toBeDefined();
    expect(v.find((x) => x.site === 'up' && x.vantage === 'v1')!.failures).toBe(0);

    // govsite availability over the shared store: confirmed and per-vantage ratios
    const out: string[] = [];
    expect(await runAvailabilityRepoCommand({ kind: 'postgres', url: PG_URL, schema: schema.schema }, { format: 'json', from: day, to: day, group: 'range', config: configFile }, { out: (s) => out.push(s) })).toBe(0);
    const rows = JSON.parse(out.join('')) as { site: string; probes: number; failures: number; vantages: { vantage: string; unmeasured: number }[] }[];
    const downRow = rows.find((r) => r.site === 'down')!;
    expect(downRow.failures).toBeGreaterThan(0);
    expect(downRow.vantages.map((x) => x.vantage)).toEqual(['v1', 'v2', 'v3']);
    expect(downRow.vantages.find((x) => x.vantage === 'v3')!.unmeasured).toBeGreaterThan(0);
  }, 120_000);

  it('audits each site once across workers: semaphores hold per host, a killed worker’s audit is taken over', async () => {
    const asOf = shanghaiDay(Date.now());
    const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const audit = new Queue('audit', { connection: conn, prefix });
    const cfg = loadSitesConfig(configFile);
    const sites = cfg.sites.filter((s) => ['slow', 'sa', 'sb'].includes(s.id));
    const { nightlyRunId } = await enqueueNightly(repo, audit, sites, asOf, 'test', { perHost: 1, perPlatform: 2 });
    try {
      // the worker auditing slow.test, mid-crawl
      const running = await until('the slow audit running', async () => {
        const r = await repo.runByJobKey(`audit:slow:${asOf}`);
        return r?.status === 'running' && r;
      });
      const owner = (await repo.pool.query(`SELECT owner FROM runs WHERE id = $1`, [running.id])).rows[0].owner as string;
      const pid = Number(/:(\d+):[0-9a-f]+$/.exec(owner)![1]);
      const victim = procs.find((x) => x.p.pid === pid)!;
      expect(['w1', 'w2']).toContain(victim.name);
      process.kill(pid, 'SIGKILL');
      const info = await until('the nightly run done', async () => {
        const i = await repo.nightlyInfo(nightlyRunId);
        return i && i.pending === 0 && i;
      });
      expect(info).toMatchObject({ total: 3, done: 3, failed: 0 });
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${dump()}`);
    } finally {
      await audit.close();
      conn.disconnect();
    }
    const slowRuns = (await repo.pool.query(`SELECT id, status, job_key FROM runs WHERE site_id = 'slow'`)).rows;
    expect(slowRuns).toHaveLength(1); // completed once
    expect(slowRuns[0]).toMatchObject({ status: 'done', job_key: `audit:slow:${asOf}` });
    const nightlySites = await repo.nightlySites(nightlyRunId);
    const slow = nightlySites.find((s) => s.siteId === 'slow')!;
    expect(slow.status).toBe('done');
    expect(slow.attempts).toBeGreaterThanOrEqual(2); // started by the killed worker, then by the one that took it over
    expect(slow.auditRunId).toBe(slowRuns[0].id);
    const findings = (await repo.pool.query(`SELECT count(*)::int AS n FROM findings WHERE run_id = $1`, [slowRuns[0].id])).rows[0].n;
    const scores = (await repo.pool.query(`SELECT count(*)::int AS n FROM scores WHERE run_id = $1`, [slowRuns[0].id])).rows[0].n;
    expect(scores).toBe(1); // published by one attempt only
    expect(findings).toBeGreaterThanOrEqual(0);
    // the two audits on shared.test never crawled at the same time, though two workers took them
    expect(shared.requests).toBeGreaterThan(10);
    expect(shared.overlapped).toBe(false);
    const shRuns = (await repo.pool.query(`SELECT site_id, status FROM runs WHERE site_id IN ('sa', 'sb') ORDER BY site_id`)).rows;
    expect(shRuns).toEqual([{ site_id: 'sa', status: 'done' }, { site_id: 'sb', status: 'done' }]);
  }, 150_000);

  it('shows queue health on the dashboard (waiting / active / failed per queue, workers, vantages)', async () => {
    const { createDashboard } = await import('../src/web/server.ts');
    const dash = await createDashboard({ dbFile: path.join(tmp.dir, 'dash.db'), token: 'x'.repeat(20), queue: { url: REDIS_URL, prefix } });
    try {
      const api = await dash.app.inject({ method: 'GET', url: '/api/queues', headers: { host: '127.0.0.1' } });
      expect(api.statusCode).toBe(200);
      const h = api.json() as { queues: { queue: string; completed: number; failed: number }[]; vantages: { vantage: string }[]; workers: { vantage: string }[] };
      expect(h.queues.map((q) => q.queue)).toEqual(['control', 'audit', 'rescore', 'probe-v1', 'probe-v2', 'probe-v3']);
      expect(h.queues.find((q) => q.queue === 'audit')!.completed).toBeGreaterThanOrEqual(3);
      expect(h.queues.find((q) => q.queue === 'probe-v1')!.completed).toBeGreaterThan(0);
      expect(h.vantages.map((v) => v.vantage)).toEqual(['v1', 'v2', 'v3']);
      const page = await dash.app.inject({ method: 'GET', url: '/queues', headers: { host: '127.0.0.1' } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('队列状态');
      expect(page.body).toContain('夜间巡检（audit）');
    } finally {
      await dash.close();
    }
    // the dashboard over the shared PostgreSQL store: confirmed and per-vantage availability, published runs
    const { createClusterDashboard } = await import('../src/web/cluster.ts');
    const cd = await createClusterDashboard({ repo, configFile, queue: { url: REDIS_URL, prefix } });
    try {
      const h = { host: '127.0.0.1' };
      const home = await cd.app.inject({ method: 'GET', url: '/', headers: h });
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain('下市人民政府');
      expect(home.body).toMatch(/v3 [^<]*（未监测 \d+）/);
      const api = (await cd.app.inject({ method: 'GET', url: '/api/availability', headers: h })).json() as { rows: { site: string; failures: number; vantages: { vantage: string }[] }[] };
      expect(api.rows.find((r) => r.site === 'down')!.failures).toBeGreaterThan(0);
      const slow = await repo.runByJobKey(`audit:slow:${shanghaiDay(Date.now())}`);
      const report = await cd.app.inject({ method: 'GET', url: `/runs/${slow!.id}/report.html`, headers: h });
      expect(report.statusCode).toBe(200);
      expect(report.body).toContain('慢市人民政府');
      const json = (await cd.app.inject({ method: 'GET', url: `/api/runs/${slow!.id}`, headers: h })).json() as { runId: number; score?: unknown };
      expect(json.runId).toBe(slow!.id);
      expect(json.score).toBeDefined();
      // writes need the operator token (reviews on this dashboard: test/cluster-review.test.ts)
      expect((await cd.app.inject({ method: 'POST', url: `/api/runs/${slow!.id}/decisions`, headers: h, payload: { action: 'confirm' } })).statusCode).toBe(401);
      expect((await cd.app.inject({ method: 'GET', url: '/queues', headers: h })).body).toContain('队列状态');
    } finally {
      await cd.close();
    }
  }, 60_000);
});
