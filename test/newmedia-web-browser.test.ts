/**
 * The dashboard's 新媒体 tab in a real browser (playwright-core + Debian Chromium), over a real audit of the demo city
 * with the example registry: accounts with their newest post and its source, the 单否 clauses with evidence or
 * 待人工评分, the overview filter for units with stale accounts, and a reviewer pasting a post, entering a date with
 * its evidence and adding an account. Screenshots go to test-artifacts/.
 *
 * Skipped with a message when Chromium is missing, unless GOVSITE_REQUIRE_BROWSER=1 (CI): then it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createDashboard, type Dashboard } from '../src/web/server.ts';
import { startFixtureServer, demoSiteDir, DEMO_SKIP_HOSTS, type FixtureServer } from '../src/demo/server.ts';
import { runAudit } from '../src/audit/run.ts';
import { buildSampleRegistry } from '../src/newmedia/sample-registry.ts';
import { newmediaCommand } from '../src/cli/newmedia-main.ts';

const CHROMIUM = process.env.GOVSITE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = fs.existsSync(CHROMIUM);
const REQUIRED = process.env.GOVSITE_REQUIRE_BROWSER === '1';
if (!HAVE && !REQUIRED) console.warn(`[newmedia-web-browser.test] skipped: no chromium at ${CHROMIUM}`);

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(REPO, 'test-artifacts');
const LOOP = path.join(REPO, 'fixtures', 'newmedia', 'loopback');
const TOKEN = 'newmedia-browser-token-abcdefgh';
const NOW = Date.parse('2021-06-15T10:00:00Z');

const suite = HAVE || REQUIRED ? describe : describe.skip;

suite('新媒体 tab in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let dash: Dashboard;
  let demo: FixtureServer;
  let loop: FixtureServer;
  let base = '';
  let dir = '';
  const cspErrors: string[] = [];

  beforeAll(async () => {
    if (!HAVE) throw new Error(`GOVSITE_REQUIRE_BROWSER=1 but no chromium at ${CHROMIUM}`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    demo = await startFixtureServer(demoSiteDir('demo'));
    loop = await startFixtureServer(LOOP, { routes: { '/swj/': { redirect: `${demo.url}/`, status: 301 } } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-nm-web-'));
    const xlsx = path.join(dir, 'registry.xlsx');
    fs.writeFileSync(xlsx, await buildSampleRegistry({ feeds: loop.url, closed: loop.url, parent: demo.url }));
    const configFile = path.join(dir, 'sites.yaml');
    fs.writeFileSync(
      configFile,
      `sites:
  - { id: qingshan, name: 青山市人民政府, url: '${demo.url}/', rubric: hunan-2021-city, region: 青山市 }
  - { id: baishui, name: 白水市人民政府, url: 'http://www.baishui.example/', rubric: hunan-2021-city, region: 白水市 }
`,
    );
    const dbFile = path.join(dir, 'govsite.db');
    await newmediaCommand(['import', xlsx, '--config', configFile, '--db', dbFile], () => undefined);
    await runAudit({ url: demo.url + '/', asOf: '2021-06-15', dbFile, browser: false, network: false, skipHosts: [...DEMO_SKIP_HOSTS], site: { name: '青山市人民政府', id: 'qingshan' } });
    dash = await createDashboard({ dbFile, configFile, token: TOKEN, now: () => NOW, defaultWeek: '2021-W24', auditRunner: async () => ({}) });
    base = await dash.listen(0, '127.0.0.1');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await dash?.close();
    await demo?.close();
    await loop?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const row = (platform: string, name: string) => page.locator('tr[data-account]', { has: page.locator('td', { hasText: new RegExp(`^${platform}$`) }) }).filter({ hasText: name });

  it('the site page has a 新媒体 tab listing the unit\'s accounts, their newest post and its source', async () => {
    await page.goto(`${base}/sites/qingshan`);
    await page.locator('nav.tabs a', { hasText: '新媒体' }).click();
    await page.waitForURL(/\/sites\/qingshan\/newmedia$/);
    expect(await page.locator('#newmedia-accounts').textContent()).toContain('名录单位「青山市人民政府」（按单位名称匹配）');
    expect(await page.locator('tr[data-account]').count()).toBe(6);
    const weibo = row('微博', '青山发布');
    expect(await weibo.locator('td.status').textContent()).toContain('两周内无更新');
    expect(await weibo.textContent()).toContain('2021-05-26');
    expect(await weibo.textContent()).toContain('订阅源');
    expect(await row('抖音', '青山发布').textContent()).toContain('超过3个月未更新');
    expect(await row('微信', '青山发布').locator('td.status').textContent()).toContain('两周内有更新');
    const failing = await row('微信', '青山政务').locator('td.status').textContent();
    expect(failing).toContain('未核实');
    expect(failing).toContain('订阅源无法读取：HTTP 500');
    expect(await row('App', '指尖青山').locator('td.status').textContent()).toContain('未核实');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-newmedia-tab.png'), fullPage: true });
  });

  it('lists each new-media veto clause with its evidence or 待人工评分', async () => {
    await page.goto(`${base}/sites/qingshan/newmedia`);
    const clause = (n: number) => page.locator(`#newmedia-veto tr[data-clause="${n}"]`);
    expect(await page.locator('#newmedia-veto tr[data-clause]').count()).toBe(9);
    expect(await clause(5).textContent()).toContain('不合格');
    expect(await clause(5).textContent()).toContain('政务新媒体「青山发布」（微博）监测时间点前2周内无更新');
    expect(await clause(6).textContent()).toContain('待确认');
    expect(await clause(1).textContent()).toContain('待人工评分');
    expect(await page.locator('#newmedia-veto tr[data-item="supervision.consolidation"]').textContent()).toContain('1');
    expect(await page.locator('#newmedia-websites').textContent()).toContain('登记为关停的网站仍可访问');
    await page.locator('#newmedia-veto').screenshot({ path: path.join(ARTIFACTS, 'web-newmedia-veto.png') });
  });

  it('the overview filters units with stale accounts', async () => {
    await page.goto(`${base}/?flag=newmedia`);
    expect(await page.locator('tr[data-site]').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-site')))).toEqual(['qingshan']);
    await page.goto(`${base}/`);
    expect(await page.locator('tr[data-site]').count()).toBe(2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-newmedia-overview-filter.png') });
  });

  it('a reviewer pastes a post, enters a date with its evidence and adds an account', async () => {
    await page.goto(`${base}/login?next=${encodeURIComponent('/sites/qingshan/newmedia')}`);
    await page.locator('#reviewer').fill('李四');
    await page.locator('#token').fill(TOKEN);
    await page.locator('button', { hasText: '登录' }).click();
    await page.waitForURL(/\/sites\/qingshan\/newmedia$/);

    const app = row('App', '指尖青山');
    await app.locator('input[name="url"]').fill(`${loop.url}/posts/generic.html`);
    await Promise.all([page.waitForURL(/\/newmedia$/), app.locator('button', { hasText: '读取发布时间' }).click()]);
    expect(await page.locator('.flash').textContent()).toContain('已记录：指尖青山（App）最新发布 2021-06-09');
    expect(await row('App', '指尖青山').locator('td.status').textContent()).toContain('两周内有更新');
    expect(await row('App', '指尖青山').textContent()).toContain('粘贴的文章页面');

    const wx = row('微信', '青山政务');
    await wx.locator('input[name="at"]').fill('2021-06-13');
    await wx.locator('input[name="evidence"]').fill('6月15日登录公众号后台查看，最新一篇为6月13日');
    await Promise.all([page.waitForURL(/\/newmedia$/), wx.locator('button', { hasText: '人工录入' }).click()]);
    expect(await row('微信', '青山政务').locator('td.status').textContent()).toContain('两周内有更新');
    expect(await row('微信', '青山政务').textContent()).toContain('6月15日登录公众号后台查看');

    // A post of another account is refused, with the reason shown.
    const wb = row('微博', '青山发布');
    await wb.locator('input[name="url"]').fill(`${loop.url}/posts/wechat-other.html`);
    await Promise.all([page.waitForURL(/\/newmedia$/), wb.locator('button', { hasText: '读取发布时间' }).click()]);
    expect(await page.locator('.flash').textContent()).toContain('文章页面显示的账号为「青山应急」');

    await page.locator('form.review input[name="name"]').fill('青山应急');
    await page.locator('form.review select[name="platform"]').selectOption('微信');
    await page.locator('form.review input[name="accountId"]').fill('qsyingji');
    await Promise.all([page.waitForURL(/\/newmedia$/), page.locator('form.review button', { hasText: '保存' }).click()]);
    expect(await page.locator('.flash').textContent()).toContain('已添加账号「青山应急」（微信）');
    expect(await page.locator('tr[data-account]').count()).toBe(7);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-newmedia-edited.png'), fullPage: true });

    // The JSON API says the same.
    const api = await (await fetch(`${base}/api/sites/qingshan/newmedia`)).json();
    expect(api.accounts.find((a: { name: string; platform: string }) => a.name === '指尖青山').freshness).toMatchObject({ verdict: 'fresh', newest: { source: 'post', day: '2021-06-09' } });
    expect(api.veto.find((v: { id: string }) => v.id === 'veto.new-media-health.5')).toMatchObject({ failed: true });
    // Writing without the token is refused.
    const res = await fetch(`${base}/api/sites/qingshan/newmedia/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', platform: '微信' }) });
    expect(res.status).toBe(401);
    expect(cspErrors).toEqual([]);
  });
});
