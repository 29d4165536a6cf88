import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_SKIP_HOSTS, demoSiteDir, startFixtureServer, type FixtureServer } from '../src/demo/server.ts';
import { runAudit } from '../src/audit/run.ts';
import { Store } from '../src/store/store.ts';
import { openDatabase } from '../src/store/db.ts';
import { DEFAULT_CHROMIUM_PATH } from '../src/collect/browser.ts';
import { observationSet, type Finding, type ObservationSet } from '../src/model.ts';
import { COMPAT_KIND, SERVICE_KINDS, type CompatObs, type GuideObs, type HallObs, type ItemObs, type LoginObs } from '../src/analyze/services/types.ts';

/**
 * The services and render-compat gatherers in real audits of the demo sites (the city's own hall and the platform
 * companion server; the department's JSON-filled platform hall), their budget, the sites-file hall option, and the
 * browser path for platform pages whose data no script literal reveals.
 */

const SERVICE_CHECKS = new Set(['service-entry', 'guide-missing', 'guide-elements', 'guide-material-format', 'guide-vague', 'forms-missing', 'service-classification', 'unified-login', 'browser-compat']);

/** Rows of a demo site's EXPECTED.md "## Findings" table for the service checks: [check, page, target]. */
function expectedRows(site: 'demo' | 'demo-dept'): string[] {
  const md = fs.readFileSync(path.join(demoSiteDir(site), 'EXPECTED.md'), 'utf8');
  const section = md.split(/^## /m).find((s) => s.startsWith('Findings')) ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*check\s*\|/.test(l) && !/^\|\s*-/.test(l))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()))
    .filter(([check]) => SERVICE_CHECKS.has(check))
    .map(([check, page, target]) => `${check} ${page} ${target}`)
    .sort();
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-services-'));
}

function observationsOf(dbFile: string, runId: number): ObservationSet {
  const store = new Store(openDatabase(dbFile));
  try {
    return observationSet(store.observations(runId));
  } finally {
    store.close?.();
  }
}

function local(server: FixtureServer) {
  const p = server.companions.PLATFORM?.url;
  return (u: string | undefined) => (u ?? '').split(server.url).join('').split(p ?? '\0').join('{{PLATFORM}}');
}

const rows = (findings: Finding[], loc: (u: string | undefined) => string) =>
  findings.filter((f) => SERVICE_CHECKS.has(f.check)).map((f) => `${f.check} ${loc(f.url) || '/'} ${loc(f.target)}`).sort();

describe('services gatherer: the demo city (own hall + platform)', () => {
  let server: FixtureServer;
  let dir: string;
  let report: Awaited<ReturnType<typeof runAudit>>;
  let obs: ObservationSet;
  let loc: (u: string | undefined) => string;

  beforeAll(async () => {
    server = await startFixtureServer(demoSiteDir('demo'));
    loc = local(server);
    dir = tmp();
    report = await runAudit({ url: server.url + '/', asOf: '2021-06-15', dbFile: path.join(dir, 'g.db'), browser: false, skipHosts: [...DEMO_SKIP_HOSTS], site: { name: '青山市人民政府' } });
    obs = observationsOf(path.join(dir, 'g.db'), report.runId!);
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the entries, both halls, the items by category and every guide (static pages and platform JSON)', () => {
    expect(report.gather?.services).toMatchObject({ status: 'ok', summary: '办事入口 2 个，办事事项 7 个（本站 7 个、平台 0 个），办事指南读取 6 / 6 个，无指南链接的事项 1 个；登录入口 3 个' });
    expect(report.notes).toContain('已读取的办事指南：居民身份证换领（本站）、生育登记（本站）、城乡居民基本养老保险参保登记（平台）、个体工商户设立登记（本站）、建筑工程施工许可（本站）、道路运输经营许可（平台）。');
    expect(obs.list<HallObs>(SERVICE_KINDS.hall).map((h) => [loc(h.url), h.where, h.via, h.items, Object.keys(h.categories).sort().join(',')])).toEqual([
      ['/bsfw/index.html', 'site', 'html', 7, 'legal,person'],
      ['{{PLATFORM}}/hnzwfw/1/5/439900/index.htm', 'platform', 'html', 2, 'legal,person'],
    ]);
    expect(obs.list<ItemObs>(SERVICE_KINDS.item).map((i) => [i.name, i.category, loc(i.guideUrl)])).toEqual([
      ['居民身份证换领', '个人办事', '/bsfw/bszn/gr001.html'],
      ['生育登记', '个人办事', '/bsfw/bszn/gr002.html'],
      ['城乡居民基本养老保险参保登记', '个人办事', '{{PLATFORM}}/hnywtb/service/guide.html?id=QS-P01'],
      ['个体工商户设立登记', '法人办事', '/bsfw/bszn/fr001.html'],
      ['建筑工程施工许可', '法人办事', '/bsfw/bszn/fr002.html'],
      ['道路运输经营许可', '法人办事', '{{PLATFORM}}/hnywtb/service/guide.html?id=QS-P02'],
      ['户外广告设置审批', '法人办事', ''],
    ]);
    expect(obs.list<GuideObs>(SERVICE_KINDS.guide).map((g) => [loc(g.url), g.where, g.via, loc(g.jsonUrl), g.reading?.isGuide])).toEqual([
      ['/bsfw/bszn/gr001.html', 'site', 'html', '', true],
      ['/bsfw/bszn/gr002.html', 'site', 'html', '', true],
      ['{{PLATFORM}}/hnywtb/service/guide.html?id=QS-P01', 'platform', 'json', '{{PLATFORM}}/hnywtb/unifyTaskToWt/getUnifyTaskInfo?unifyId=QS-P01', true],
      ['/bsfw/bszn/fr001.html', 'site', 'html', '', true],
      ['/bsfw/bszn/fr002.html', 'site', 'html', '', true],
      ['{{PLATFORM}}/hnywtb/service/guide.html?id=QS-P02', 'platform', 'json', '{{PLATFORM}}/hnywtb/unifyTaskToWt/getUnifyTaskInfo?unifyId=QS-P02', true],
    ]);
    expect(obs.list<LoginObs>(SERVICE_KINDS.login).map((l) => [loc(l.page), l.text, l.channels.join('、'), l.system.key.includes('/oauth2') ? 'oauth2' : 'own'])).toEqual([
      ['/', '用户登录', '全站、办事服务', 'oauth2'],
      ['/zxdc/index.html', '登录', '在线调查、其他', 'own'],
      ['{{PLATFORM}}/hnzwfw/1/5/439900/index.htm', '登录', '办事服务', 'oauth2'],
    ]);
  });

  it('produces exactly the service findings listed in EXPECTED.md', () => {
    expect(rows(report.findings, loc)).toEqual(expectedRows('demo'));
    const ie = report.findings.find((f) => f.check === 'browser-compat')!;
    expect(ie.evidence).toMatchObject({ confirmation: 'static', markers: [{ kind: 'activex' }, { kind: 'ie-conditional' }, { kind: 'ie-only-text' }] });
    expect(report.scopes?.['forms-missing']).toEqual({ status: 'not-run', reason: '市州指标无表格样式一项' });
    expect(report.scopes?.['browser-compat']?.status).toBe('checked');
    expect(report.gather?.['render-compat']).toMatchObject({ status: 'partial', reason: '浏览器不可用' });
  });

  it('fills the 办事服务 rows, 统一登录 and 可用性 2 of the score sheet', () => {
    const s = report.score!;
    const item = (id: string) => s.items.find((i) => i.id === id)!;
    expect(item('service.guides')).toMatchObject({ deducted: 5, pending: false });
    expect(item('service.item-disclosure').explain).toContain('待人工评分（第2条）');
    expect(item('function.unified-login')).toMatchObject({ deducted: 1, pending: false });
    const veto = s.veto.items!.find((v) => v.id === 'veto.website-health.5')!;
    expect(veto).toMatchObject({ failed: false, pending: true });
  });
});

describe('services gatherer: the demo department (JSON-filled platform hall)', () => {
  let server: FixtureServer;
  let dir: string;
  beforeAll(async () => {
    server = await startFixtureServer(demoSiteDir('demo-dept'));
    dir = tmp();
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads the hall and the guides through the endpoints their scripts call; forms-missing is the only finding', async () => {
    const report = await runAudit({ url: server.url + '/', rubric: 'hunan-2021-provincial', asOf: '2021-06-15', dbFile: path.join(dir, 'd.db'), browser: false, skipHosts: [...DEMO_SKIP_HOSTS], site: { name: '湖南省示例厅' } });
    const loc = local(server);
    const obs = observationsOf(path.join(dir, 'd.db'), report.runId!);
    expect(obs.list<HallObs>(SERVICE_KINDS.hall).map((h) => [loc(h.url), h.via, loc(h.jsonUrl), h.items])).toEqual([
      ['{{PLATFORM}}/portal/branch-hall?orgCode=4300000099', 'json', '{{PLATFORM}}/portal/api/branchHallItems?orgCode=4300000099', 3],
    ]);
    expect(obs.list<GuideObs>(SERVICE_KINDS.guide).map((g) => [g.reading?.title, g.where, g.via])).toEqual([
      ['示例从业人员资格认定', 'platform', 'json'],
      ['示例行业许可证核发', 'platform', 'json'],
      ['示例设施备案', 'platform', 'json'],
    ]);
    expect(rows(report.findings, loc)).toEqual(expectedRows('demo-dept'));
    const item = (id: string) => report.score!.items.find((i) => i.id === id)!;
    expect(item('service.forms')).toMatchObject({ deducted: 1 });
    expect(item('service.guides')).toMatchObject({ deducted: 0, pending: false });
  });

  it('a unit without public services is not judged (gatherer skipped, checks not-run)', async () => {
    const report = await runAudit({
      url: server.url + '/', rubric: 'hunan-2021-provincial', asOf: '2021-06-15', dbFile: path.join(dir, 'n.db'), browser: false,
      skipHosts: [...DEMO_SKIP_HOSTS], site: { name: '湖南省示例厅', hasPublicServices: false }, gatherers: ['services'],
    });
    expect(report.gather?.services).toEqual({ status: 'skipped', reason: '本单位无对外服务职能，不考核办事服务' });
    for (const id of ['service-entry', 'guide-missing', 'guide-elements', 'forms-missing']) {
      expect(report.scopes?.[id]).toEqual({ status: 'not-run', reason: '本单位无对外服务职能，不考核办事服务' });
    }
    expect(report.findings.filter((f) => SERVICE_CHECKS.has(f.check))).toEqual([]);
  });

  it('stops at its request budget and says how many guides it read', async () => {
    const report = await runAudit({
      url: server.url + '/', rubric: 'hunan-2021-provincial', asOf: '2021-06-15', dbFile: path.join(dir, 'b.db'), browser: false,
      skipHosts: [...DEMO_SKIP_HOSTS], gatherers: ['services'], gather: { services: { budget: 5 } },
    });
    expect(report.gather?.services).toMatchObject({ status: 'partial', reason: '请求数达到上限（5）' });
    expect(report.gather?.services?.summary).toMatch(/办事指南读取 [0-2] \/ 3 个/);
    expect(report.notes?.some((n) => /请求数达到上限 5/.test(n))).toBe(true);
  });
});

describe('services gatherer: the hall named in the sites file', () => {
  let platform: FixtureServer;
  let site: FixtureServer;
  let dir: string;
  beforeAll(async () => {
    platform = await startFixtureServer(path.join(demoSiteDir('demo'), '..', 'demo-platform'));
    dir = tmp();
    const root = path.join(dir, 'site');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'index.html'), '<html><head><title>某厅</title></head><body><h1>某厅</h1><p>欢迎访问。</p></body></html>');
    site = await startFixtureServer(root);
  });
  afterAll(async () => {
    await site.close();
    await platform.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a site that does not link its hall: service-entry proposes the veto; with gather.services.hall the hall is read', async () => {
    const bare = await runAudit({ url: site.url + '/', rubric: 'hunan-2021-provincial', asOf: '2021-06-15', dbFile: path.join(dir, 'a.db'), browser: false, gatherers: ['services'] });
    expect(bare.findings.filter((f) => f.check === 'service-entry').map((f) => f.evidence.confirm)).toEqual(['required']);
    expect(bare.score!.veto.items!.find((v) => v.id === 'veto.website-health.4')).toMatchObject({ failed: false, pending: true });
    const hall = `${platform.url}/portal/branch-hall?orgCode=4300000099`;
    const named = await runAudit({ url: site.url + '/', rubric: 'hunan-2021-provincial', asOf: '2021-06-15', dbFile: path.join(dir, 'b.db'), browser: false, gatherers: ['services'], gather: { services: { hall } } });
    expect(named.findings.filter((f) => f.check === 'service-entry')).toEqual([]);
    expect(named.gather?.services?.summary).toBe('办事入口 1 个，办事事项 3 个（本站 0 个、平台 3 个），办事指南读取 3 / 3 个；登录入口 1 个');
  });
  it('a link to the platform\'s front page is a service entry, but the province\'s items there are not the unit\'s', async () => {
    const root = path.join(dir, 'front');
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'index.html'), `<html><head><title>某厅</title></head><body><a href="${platform.url}/">湖南政务服务网</a></body></html>`);
    const front = await startFixtureServer(root);
    try {
      const r = await runAudit({ url: front.url + '/', rubric: 'hunan-2021-provincial', asOf: '2021-06-15', dbFile: path.join(dir, 'c.db'), browser: false, gatherers: ['services'] });
      expect(r.gather?.services?.summary).toBe('办事入口 1 个，办事事项 0 个（本站 0 个、平台 0 个），办事指南读取 0 / 0 个；登录入口 0 个');
      expect(r.findings.filter((f) => SERVICE_CHECKS.has(f.check))).toEqual([]);
      expect(r.scopes?.['guide-missing']).toEqual({ status: 'unverified', reason: '未找到办事事项列表，无法检查办事指南是否齐全' });
    } finally {
      await front.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// With a browser: guides that only the rendered page shows, and pages that break in Chromium.

const CHROMIUM = process.env.GOVSITE_CHROMIUM ?? DEFAULT_CHROMIUM_PATH;
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium && process.env.GOVSITE_REQUIRE_BROWSER === '1') throw new Error(`GOVSITE_REQUIRE_BROWSER=1 but no chromium at ${CHROMIUM}`);

const TAGS = '<meta name="SiteName" content="某市人民政府" /><meta name="SiteDomain" content="www.x.gov.cn" /><meta name="SiteIDCode" content="4399000002" />';
const FILES: Record<string, string> = {
  'index.html': `<html><head><title>某市人民政府</title>${TAGS}</head><body><h1>某市人民政府</h1><ul><li><a href="/bs/index.html">网上办事大厅</a></li><li><a href="/news/index.html">新闻</a></li></ul></body></html>`,
  'bs/index.html': `<html><head><title>办事大厅</title>${TAGS}</head><body><h2>个人办事</h2><ul><li><span>某证明开具</span> <a href="/bs/guide.html?item=7">办事指南</a></li></ul></body></html>`,
  // The data URL is assembled from pieces: no literal tells where it is; only the rendered page shows the guide.
  'bs/guide.html': `<html><head><title>办事指南</title></head><body><div id="g">加载中</div><script>
    var parts = ['/bs', 'data', 'g7.json'];
    fetch(parts.join('/').replace('/bs/data', '/bs/data')).then(function (r) { return r.json(); }).then(function (d) {
      var h = '<table>';
      Object.keys(d).forEach(function (k) { h += '<tr><td>' + k + '</td><td>' + d[k] + '</td></tr>'; });
      document.getElementById('g').innerHTML = h + '</table>';
    });
  </script></body></html>`,
  'bs/data/g7.json': JSON.stringify({ 事项名称: '某证明开具', 设定依据: '《某办法》', 申请条件: '本市居民', 办理材料: '身份证原件1份', 办理地点: '一楼', 办理机构: '某局', 收费标准: '不收费', 办理时间: '工作日9:00-17:00', 联系电话: '0739-1', 办理流程: '申请—办结' }),
  // A news column whose script throws and blanks the page in a modern browser.
  'news/index.html': `<html><head><title>新闻</title>${TAGS}<meta name="ColumnName" content="新闻" /></head><body><div id="list"><ul>${Array.from({ length: 12 }, (_, i) => `<li><a href="/news/t2021060${(i % 9) + 1}_${i}.html">某市召开第${i + 1}次工作会议部署近期重点工作任务</a><span>2021-06-0${(i % 9) + 1}</span></li>`).join('')}</ul></div><script>document.body.innerHTML = ''; window.external.AddFavorite(location.href, document.title);</script></body></html>`,
};

describe.skipIf(!haveChromium)('with Chromium: rendered guides and pages that break in a modern browser', () => {
  let site: FixtureServer;
  let dir: string;
  beforeAll(async () => {
    dir = tmp();
    const root = path.join(dir, 'site');
    for (const [rel, body] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), body);
    }
    site = await startFixtureServer(root);
  });
  afterAll(async () => {
    await site.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads a guide through the browser, and reports a page whose rendering collapses (待确认, with screenshot)', async () => {
    const report = await runAudit({ url: site.url + '/', asOf: '2021-06-15', dbFile: path.join(dir, 'r.db'), browser: true, gatherers: ['services', 'render-compat'] });
    const obs = observationsOf(path.join(dir, 'r.db'), report.runId!);
    const g = obs.list<GuideObs>(SERVICE_KINDS.guide);
    expect(g.map((x) => [x.via, x.reading?.isGuide, x.reading?.missing])).toEqual([['rendered', true, []]]);
    const compat = obs.list<CompatObs>(COMPAT_KIND).find((c) => c.url.endsWith('/news/index.html'))!;
    expect(compat).toMatchObject({ rendered: true, renderedChars: 0 });
    expect(compat.pageErrors?.length).toBeGreaterThan(0);
    const f = report.findings.filter((x) => x.check === 'browser-compat');
    expect(f.map((x) => [x.url.replace(site.url, ''), x.evidence.confirm])).toEqual([['/news/index.html', 'required']]);
    expect(fs.existsSync(String(f[0].evidence.screenshot))).toBe(true);
  }, 120_000);
});
