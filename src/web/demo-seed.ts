/**
 * `govsite serve --demo`: a populated dashboard for a first look, without touching real data or the Internet.
 *
 * Writes into a fresh directory:
 *  - sites.yaml with three fictional units (青山市 — the bundled demo site; 白水市; 湖南省示例厅) and their
 *    manual-items files (manual/<id>.yaml, written by the dashboard's review forms);
 *  - govsite.db with nine weeks of synthetic availability probes up to the demo week (白水市 above the 5 % line in
 *    the demo week, 示例厅 with under-sampled days), monitor heartbeats, and audits:
 *      青山市: the real audit of the bundled demo site (fixtures/sites/demo served on 127.0.0.1, exactly as
 *              `govsite demo` does; the fixture server keeps running so evidence links open) — or, when the
 *              fixture is not available, a synthetic run with typical findings;
 *      白水市: a synthetic run with a few findings;
 *      示例厅: not audited yet.
 *  - with the real audit, the example new-media registry (fixtures/newmedia/registry.xlsx's content, its feeds and
 *    closed sites served by a second loopback server), so the 新媒体 tab has data.
 * Probe outcomes come from a fixed pseudo-random sequence: every seed gives the same numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Finding } from '../model.ts';
import { Store } from '../store/store.ts';
import { recordProbes, writeHeartbeats, type ProbeRecord } from '../monitor/store.ts';
import type { ProbeOutcome } from '../monitor/probe.ts';
import { addDays, dayStartMs, isoWeekOf, weekRange } from '../monitor/time.ts';
import { availabilityForAudit } from '../monitor/ratios.ts';
import { scoreStoredRun } from '../audit/score-run.ts';
import { siteKey } from '../collect/crawl.ts';
import { saveManual } from '../score/manual.ts';
import { DEMO_SKIP_HOSTS } from '../demo/server.ts';
import { addMaintenanceWindow } from '../monitor/maintenance.ts';
import { logAlertAttempt } from '../monitor/alert-log.ts';

/** The demo's monitoring time point (same as `govsite demo`: the bundled site's dates are fixed around it). */
export const DEMO_AS_OF = '2021-06-15';
export const DEMO_WEEK = isoWeekOf(DEMO_AS_OF);

export interface DemoSeedOptions {
  /** Directory for sites.yaml, manual/ and (by default) the database. */
  dir: string;
  /** Database file (default <dir>/govsite.db). Must not hold data yet. */
  dbFile?: string;
  /** Audit the bundled demo site (default: when fixtures/sites/demo exists). */
  crawl?: boolean;
  /** Render with Chromium during the demo audit (default true; skipped when Chromium is missing). */
  browser?: boolean;
  log?: Logger;
}

export interface DemoSeed {
  dbFile: string;
  configFile: string;
  /** The demo week (the dashboard's default week). */
  week: string;
  siteUrl: string;
  /** True when 青山市 was audited by crawling the bundled demo site. */
  crawled: boolean;
  /** Stops the demo site server (if any). */
  close(): Promise<void>;
}

interface DemoSite {
  id: string;
  name: string;
  url: string;
  rubric: 'hunan-2021-city' | 'hunan-2021-provincial';
  region: string;
  hasPublicServices: boolean;
}

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAIL_KINDS: { outcome: ProbeOutcome; error: string; status?: number; ms: number }[] = [
  { outcome: 'timeout', error: 'deadline', ms: 15_000 },
  { outcome: 'refused', error: 'ECONNREFUSED', ms: 35 },
  { outcome: 'http', error: 'HTTP 503', status: 503, ms: 420 },
  { outcome: 'dns', error: 'ENOTFOUND', ms: 2_000 },
  { outcome: 'reset', error: 'ECONNRESET', ms: 900 },
];

/** Failures wanted per day: a function of (site, week index 0..8, day index 0..6). */
type FailurePlan = (week: number, day: number, rand: () => number) => number;

function synthProbes(site: DemoSite, weeks: string[], plan: FailurePlan, probesPerDay: (week: number, day: number) => number, seed: number, addr: string): ProbeRecord[] {
  const rand = prng(seed);
  const out: ProbeRecord[] = [];
  weeks.forEach((week, wi) => {
    const { from } = weekRange(week);
    for (let di = 0; di < 7; di++) {
      const day = addDays(from, di);
      const n = probesPerDay(wi, di);
      const fails = new Set<number>();
      const want = Math.min(n, plan(wi, di, rand));
      while (fails.size < want) fails.add(Math.floor(rand() * n));
      const start = dayStartMs(day);
      for (let i = 0; i < n; i++) {
        const at = new Date(start + Math.floor(((i + 0.5) * 86_400_000) / n) + Math.floor(rand() * 120_000)).toISOString();
        if (fails.has(i)) {
          const k = FAIL_KINDS[Math.floor(rand() * FAIL_KINDS.length)];
          out.push({
            siteId: site.id,
            result: {
              url: site.url,
              finalUrl: site.url,
              at,
              outcome: k.outcome,
              ...(k.status ? { status: k.status } : {}),
              ms: k.ms + Math.floor(rand() * 50),
              phases: {},
              ...(k.outcome !== 'dns' ? { family: 4 as const, address: addr } : {}),
              bytes: k.outcome === 'http' ? 512 : 0,
              error: k.error,
              redirects: 0,
            },
          });
        } else {
          const ms = 180 + Math.floor(rand() * 900);
          out.push({
            siteId: site.id,
            result: {
              url: site.url,
              finalUrl: site.url,
              at,
              outcome: 'ok',
              status: 200,
              ms,
              phases: { dns: 3, connect: 20, ttfb: Math.floor(ms * 0.6), body: Math.floor(ms * 0.3) },
              family: 4,
              address: addr,
              bytes: 40_000 + Math.floor(rand() * 20_000),
              redirects: 0,
            },
          });
        }
      }
    }
  });
  return out;
}

function f(check: string, url: string, message: string, evidence: Finding['evidence'], extra: Partial<Finding> = {}): Finding {
  return { check, url, message, evidence, ...extra };
}

/** Typical findings of a small city portal (used when the bundled demo site cannot be crawled). */
function qingshanFindings(base: string): Finding[] {
  const u = (p: string) => new URL(p, base).href;
  return [
    f('broken-link', u('/'), '首页链接无法打开（HTTP 404）', { anchorText: '2020年政府工作报告', linkKind: 'a', onHomepage: true, status: 404, snippet: '<a href="/zwgk/gzbg/202001/t20200115_3301.html">2020年政府工作报告</a>' }, { target: u('/zwgk/gzbg/202001/t20200115_3301.html'), detail: 'GET 404 Not Found' }),
    f('broken-link', u('/xwzx/zwdt/'), '页面链接无法打开（连接超时）', { anchorText: '青山市统计信息网', linkKind: 'a', error: 'timeout' }, { target: 'http://tjj.qingshan.example/', detail: 'timeout after 15s' }),
    f('date-format', u('/xwzx/zwdt/202106/t20210608_7012.html'), '发布时间未按 YYYY-MM-DD 格式显示：“2021年6月8日”', { snippet: '发布时间：2021年6月8日　来源：青山市人民政府办公室' }),
    f('footer-police-filing', u('/'), '页面底部未发现公安机关备案标识', { confirmation: 'static', pagesChecked: [u('/')] }),
    f('stale-column', u('/zwgk/tzgg/'), '“通知公告”栏目超过 6 个月未更新（最近一条 2020-11-20）', { column: '通知公告', lastUpdate: '2020-11-20' }),
  ];
}

function baishuiFindings(base: string): Finding[] {
  const u = (p: string) => new URL(p, base).href;
  return [
    f('broken-link', u('/'), '首页链接无法打开（HTTP 500）', { anchorText: '政务服务网', linkKind: 'a', onHomepage: true, status: 500 }, { target: u('/zwfw/'), detail: 'GET 500 Internal Server Error' }),
    f('empty-column', u('/zwgk/rsxx/'), '“人事信息”栏目没有任何信息（空白栏目）', { column: '人事信息' }),
    f('footer-site-code', u('/'), '页面底部未发现网站标识码', { confirmation: 'static', pagesChecked: [u('/')] }),
  ];
}

function insertSyntheticRun(store: Store, site: DemoSite, findings: Finding[], manualFile: string, startedAt: string, asOf = DEMO_AS_OF): number {
  const runId = store.createRun({
    siteUrl: site.url,
    siteKey: siteKey(site.url),
    siteId: site.id,
    siteName: site.name,
    rubric: site.rubric,
    asOf,
    options: { unitType: site.rubric === 'hunan-2021-provincial' ? 'provincial' : 'city', hasPublicServices: site.hasPublicServices, manualFile, synthetic: true },
  });
  store.db.prepare('UPDATE runs SET started_at = ? WHERE id = ?').run(startedAt, runId);
  store.saveFindings(runId, findings);
  store.finishRun(runId, 'done', {
    stats: { pagesCrawled: 186, linksChecked: 2410, brokenLinks: findings.filter((x) => x.check === 'broken-link').length, unverifiedLinks: 6 },
    browser: { available: false, reason: 'synthetic demo run' },
    notes: ['示例数据：本次检查结果为演示用的模拟数据，不是真实抓取结果'],
  });
  scoreStoredRun(store, runId, { rubric: site.rubric, manualFile, profile: { unitType: site.rubric === 'hunan-2021-provincial' ? 'provincial' : 'city', hasPublicServices: site.hasPublicServices } });
  return runId;
}

function yamlSites(sites: DemoSite[]): string {
  const lines = [
    '# govsite 示例配置（govsite serve --demo 生成；单位均为虚构）',
    'warnings:',
    '  failureRatio: 0.03',
    'sites:',
  ];
  for (const s of sites) {
    lines.push(
      `  - id: ${s.id}`,
      `    name: ${s.name}`,
      `    url: ${s.url}`,
      `    rubric: ${s.rubric}`,
      `    region: ${s.region}`,
      `    hasPublicServices: ${s.hasPublicServices}`,
      `    manual: manual/${s.id}.yaml`,
      // The demo's pages are frozen at its monitoring time point, and its footer badges point at real hosts that
      // are not queried: "run now" on the dashboard audits it as `govsite demo` does.
      `    asOf: '${DEMO_AS_OF}'`,
      `    skipHosts: [${DEMO_SKIP_HOSTS.join(', ')}]`,
    );
  }
  return lines.join('\n') + '\n';
}

export async function seedDemo(o: DemoSeedOptions): Promise<DemoSeed> {
  fs.mkdirSync(o.dir, { recursive: true });
  const dbFile = o.dbFile ?? path.join(o.dir, 'govsite.db');
  const configFile = path.join(o.dir, 'sites.yaml');
  const manualDir = path.join(o.dir, 'manual');
  fs.mkdirSync(manualDir, { recursive: true });

  let server: { url: string; close(): Promise<void> } | undefined;
  let newMediaServer: { url: string; close(): Promise<void> } | undefined;
  let skipHosts: readonly string[] = [];
  let linkageFile: string | undefined;
  let crawl = o.crawl;
  if (crawl !== false) {
    try {
      const { startFixtureServer, demoSiteDir, DEMO_SKIP_HOSTS } = await import('../demo/server.ts');
      const dir = demoSiteDir('demo');
      if (fs.existsSync(dir)) {
        server = await startFixtureServer(dir);
        skipHosts = DEMO_SKIP_HOSTS;
        linkageFile = path.join(dir, '_linkage', '2021Q2.yaml');
        crawl = true;
      } else if (crawl === true) throw new Error(`demo site not found: ${dir}`);
      else crawl = false;
    } catch (e) {
      if (crawl === true) throw e;
      o.log?.warn({ err: (e as Error).message }, 'demo site not available; using synthetic demo data');
      crawl = false;
    }
  }

  const sites: DemoSite[] = [
    { id: 'qingshan', name: '青山市人民政府', url: server ? `${server.url}/` : 'http://www.qingshan.example/', rubric: 'hunan-2021-city', region: '青山市', hasPublicServices: true },
    { id: 'baishui', name: '白水市人民政府', url: 'http://www.baishui.example/', rubric: 'hunan-2021-city', region: '白水市', hasPublicServices: true },
    { id: 'demo-dept', name: '湖南省示例厅', url: 'http://sft.hunan-demo.example/', rubric: 'hunan-2021-provincial', region: '省直', hasPublicServices: false },
  ];
  fs.writeFileSync(configFile, yamlSites(sites));
  for (const s of sites) {
    saveManual(path.join(manualDir, `${s.id}.yaml`), { site: s.url, rubric: s.rubric, asOf: DEMO_AS_OF, items: [], decisions: [] });
  }

  const store = Store.open(dbFile);
  try {
    if ((store.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n > 0) throw new Error(`database ${dbFile} already holds audit runs; the demo needs a new file`);
    // Nine weeks of probes up to the demo week.
    const weeks: string[] = [];
    for (let i = 8; i >= 0; i--) weeks.push(isoWeekOf(addDays(weekRange(DEMO_WEEK).from, -7 * i)));
    const demoIdx = 8;
    const probes: ProbeRecord[] = [
      ...synthProbes(sites[0], weeks, (w, _d, r) => (w === demoIdx ? [0, 1, 0, 0, 2, 0, 0][_d] : r() < 0.25 ? 1 : 0), () => 24, 11, '203.0.113.10'),
      ...synthProbes(
        sites[1],
        weeks,
        (w, d, r) => (w === demoIdx ? [1, 3, 2, 0, 4, 1, 1][d] : w === demoIdx - 1 ? [1, 1, 0, 2, 1, 0, 1][d] : r() < 0.35 ? 1 : 0),
        () => 24,
        22,
        '203.0.113.20',
      ),
      ...synthProbes(sites[2], weeks, (_w, _d, r) => (r() < 0.12 ? 1 : 0), (w, d) => (w === demoIdx && (d === 2 || d === 3) ? 12 : 24), 33, '203.0.113.30'),
    ];
    recordProbes(store.db, probes);
    const from = Math.floor(dayStartMs(weekRange(weeks[0]).from) / 60_000);
    const to = Math.floor(dayStartMs(addDays(weekRange(DEMO_WEEK).to, 1)) / 60_000) - 1;
    writeHeartbeats(store.db, from, to);

    // Audits.
    if (crawl && server) {
      // The example new-media registry (fixtures/newmedia): its feeds and closed sites on a second loopback server.
      try {
        const { startFixtureServer, demoSiteDir } = await import('../demo/server.ts');
        const { seedSampleRegistry } = await import('../newmedia/sample-registry.ts');
        const loopDir = path.join(demoSiteDir('demo'), '..', '..', 'newmedia', 'loopback');
        if (fs.existsSync(loopDir)) {
          const demoUrl = server.url;
          newMediaServer = await startFixtureServer(loopDir, { routes: { '/swj/': { redirect: `${demoUrl}/`, status: 301 } } });
          await seedSampleRegistry(store.db, { feeds: newMediaServer.url, closed: newMediaServer.url, parent: demoUrl }, '2021-06-15T00:00:00.000Z');
        }
      } catch (e) {
        o.log?.warn({ err: (e as Error).message }, 'example new-media registry not loaded');
      }
      const { runAudit } = await import('../audit/run.ts');
      const availability = availabilityForAudit(store.db, 'qingshan', DEMO_AS_OF);
      await runAudit({
        url: sites[0].url,
        rubric: sites[0].rubric,
        asOf: DEMO_AS_OF,
        store,
        dbFile,
        site: { id: 'qingshan', name: sites[0].name, unitType: 'city', hasPublicServices: true },
        manualFile: path.join(manualDir, 'qingshan.yaml'),
        browser: o.browser ?? true,
        skipHosts: [...skipHosts],
        ...(linkageFile ? { gather: { linkage: { files: [linkageFile] } } } : {}),
        ...(availability ? { availability } : {}),
        ...(o.log ? { log: o.log } : {}),
      });
    } else {
      insertSyntheticRun(store, sites[0], qingshanFindings(sites[0].url), path.join(manualDir, 'qingshan.yaml'), '2021-06-15T01:00:00.000Z');
    }
    // 白水市 was audited a week earlier too: the 整改 view shows what was fixed since and what is still open.
    const earlier = [...baishuiFindings(sites[1].url), f('date-format', new URL('/xwzx/202105/t20210520_5101.html', sites[1].url).href, '发布时间未按 YYYY-MM-DD 格式显示：“2021年5月20日”', { snippet: '发布时间：2021年5月20日' })];
    insertSyntheticRun(store, sites[1], earlier, path.join(manualDir, 'baishui.yaml'), '2021-06-08T02:00:00.000Z', addDays(DEMO_AS_OF, -7));
    insertSyntheticRun(store, sites[1], baishuiFindings(sites[1].url), path.join(manualDir, 'baishui.yaml'), '2021-06-15T02:00:00.000Z');
    seedProvinceExtras(store, sites);
  } catch (e) {
    store.close();
    await server?.close();
    await newMediaServer?.close();
    throw e;
  }
  store.close();
  return {
    dbFile,
    configFile,
    week: DEMO_WEEK,
    siteUrl: sites[0].url,
    crawled: !!crawl && !!server,
    async close() {
      await server?.close();
      await newMediaServer?.close();
    },
  };
}

/** Province-view demo data: 白水市's announced maintenance night (undecided) and its warning deliveries, one failed. */
function seedProvinceExtras(store: Store, sites: DemoSite[]): void {
  const bs = sites[1];
  const { from } = weekRange(DEMO_WEEK);
  const at = (day: number, h: number) => dayStartMs(addDays(from, day)) + h * 3_600_000;
  addMaintenanceWindow(store.db, { siteId: bs.id, startsAt: at(4, 0), endsAt: at(4, 6), note: '系统升级公告（示例）', createdBy: '示例检查员', now: at(1, 9) });
  const warning = { siteId: bs.id, condition: 'availability', week: DEMO_WEEK, message: `${bs.name}（${bs.url}）：本周（${DEMO_WEEK}）首页打不开次数占比达到预警线 3%（示例）。` };
  logAlertAttempt(store.db, { name: '省平台 Webhook', type: 'webhook' }, [warning], { ok: true, at: at(3, 10) });
  store.db
    .prepare('INSERT OR IGNORE INTO monitor_warnings (site_id, condition, week, channel, sent_at, message) VALUES (?, ?, ?, ?, ?, ?)')
    .run(bs.id, 'availability', DEMO_WEEK, '省平台 Webhook', new Date(at(3, 10)).toISOString(), warning.message);
  for (const h of [10, 11]) logAlertAttempt(store.db, { name: '钉钉值班群', type: 'dingtalk' }, [warning], { ok: false, error: 'robot error 310000: keywords not in content（示例）', at: at(3, h) });
}
