/**
 * The dashboard in a real browser (playwright-core + Debian Chromium): overview ratios, the site page's chart and
 * table, a reviewer rejecting a finding (score changes), the same action without the token refused, a hostile
 * page title shown as text (no dialog), no CSP violations. Screenshots go to test-artifacts/.
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
import { Store } from '../src/store/store.ts';
import { recordProbes, writeHeartbeats, type ProbeRecord } from '../src/monitor/store.ts';
import { addDays, dayStartMs, weekRange } from '../src/monitor/time.ts';
import { siteKey } from '../src/collect/crawl.ts';
import { scoreStoredRun } from '../src/audit/score-run.ts';
import { loadManual, saveManual, type ManualFile } from '../src/score/manual.ts';
import { loadRubric } from '../src/score/rubric.ts';
import { scoreAudit } from '../src/score/engine.ts';
import type { Finding } from '../src/model.ts';

const CHROMIUM = process.env.GOVSITE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = fs.existsSync(CHROMIUM);
const REQUIRED = process.env.GOVSITE_REQUIRE_BROWSER === '1';
if (!HAVE && !REQUIRED) console.warn(`[web-browser.test] skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set GOVSITE_CHROMIUM)`);

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(REPO, 'test-artifacts');
const TOKEN = 'browser-test-token-abcdefghijkl';
const NOW = Date.parse('2021-06-21T04:00:00Z');
const HOME = 'http://www.qingshan.example/';
const OLD = 'http://www.qingshan.example/old.html';
const HOSTILE = '<script>alert(1)</script>';

const FINDINGS: Finding[] = [
  {
    check: 'broken-link',
    url: HOME,
    target: OLD,
    detail: 'GET 404 Not Found',
    message: '首页链接无法打开（HTTP 404）',
    evidence: { anchorText: '旧版网站入口', linkKind: 'a', onHomepage: true, status: 404, snippet: '<a href="/old.html">旧版网站入口</a>' },
  },
  {
    check: 'broken-link',
    url: 'http://www.qingshan.example/202106/t20210610_7001.html',
    target: 'http://www.qingshan.example/files/2021.doc',
    detail: 'GET 404',
    message: `链接无法打开，页面标题：${HOSTILE}`,
    evidence: { anchorText: '<img src=x onerror=alert(2)>', pageTitle: HOSTILE, snippet: `"><svg onload=alert(3)>${HOSTILE}`, status: 404 },
  },
  {
    check: 'date-format',
    url: 'http://www.qingshan.example/202106/t20210611_7002.html',
    message: '发布时间未按 YYYY-MM-DD 格式显示：“2021年6月11日”',
    evidence: { snippet: '发布时间：2021年6月11日　来源：青山市人民政府办公室' },
  },
];

function probes(siteId: string, url: string, from: string, perDay: number[], failures: number[]): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  perDay.forEach((n, d) => {
    const day = addDays(from, d);
    for (let i = 0; i < n; i++) {
      const failed = i < failures[d];
      out.push({
        siteId,
        result: {
          url,
          finalUrl: url,
          at: new Date(dayStartMs(day) + Math.floor((i * 86_400_000) / n) + 90_000).toISOString(),
          outcome: failed ? (i % 2 ? 'refused' : 'timeout') : 'ok',
          ...(failed ? {} : { status: 200 }),
          ms: failed ? 15_000 : 410,
          phases: {},
          family: 4,
          address: '203.0.113.9',
          bytes: failed ? 0 : 25_000,
          ...(failed ? { error: i % 2 ? 'ECONNREFUSED' : 'deadline' } : {}),
          redirects: 0,
        },
      });
    }
  });
  return out;
}

const W = (w: string) => weekRange(w).from;
const ALL24 = [24, 24, 24, 24, 24, 24, 24];

function expectedTotal(manual: Partial<ManualFile> | null): number {
  const m = manual ? ({ site: HOME, rubric: 'hunan-2021-city', items: [], decisions: [], ...manual } as ManualFile) : null;
  return scoreAudit({ rubric: loadRubric('hunan-2021-city'), findings: FINDINGS, manual: m, profile: { unitType: 'city', hasPublicServices: true } }).total;
}

const suite = HAVE || REQUIRED ? describe : describe.skip;

suite('dashboard in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let dash: Dashboard;
  let base = '';
  let dir = '';
  let runId = 0;
  let manualFile = '';
  const dialogs: string[] = [];
  const cspErrors: string[] = [];

  beforeAll(async () => {
    if (!HAVE) throw new Error(`GOVSITE_REQUIRE_BROWSER=1 but no chromium at ${CHROMIUM} (apt-get install -y chromium)`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss().catch(() => undefined);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-web-browser-'));
    // A homepage screenshot, as the browser collector would have stored it.
    const shot = path.join(dir, 'screenshots', 'run-1-home.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.setContent(
      '<html><body style="margin:0;font-family:sans-serif"><div style="background:#b22;color:#fff;padding:20px;font-size:28px">青山市人民政府门户网站</div>' +
        '<div style="padding:20px">要闻动态 · 政务公开 · 政务服务 · 互动交流</div><div style="height:260px;background:#eee;margin:0 20px"></div></body></html>',
    );
    await page.screenshot({ path: shot, fullPage: true });

    const dbFile = path.join(dir, 'govsite.db');
    const configFile = path.join(dir, 'sites.yaml');
    fs.mkdirSync(path.join(dir, 'manual'));
    manualFile = path.join(dir, 'manual', 'qingshan.yaml');
    fs.writeFileSync(
      configFile,
      [
        'sites:',
        '  - id: qingshan',
        '    name: 青山市人民政府',
        `    url: ${HOME}`,
        '    rubric: hunan-2021-city',
        '    region: 青山市',
        '    manual: manual/qingshan.yaml',
        '  - id: baishui',
        '    name: 白水市人民政府',
        '    url: http://www.baishui.example/',
        '    rubric: hunan-2021-city',
        '    region: 白水市',
        '  - id: demo-dept',
        '    name: 湖南省示例厅',
        '    url: http://sft.hunan-demo.example/',
        '    rubric: hunan-2021-provincial',
        '    region: 省直',
        '    hasPublicServices: false',
        '',
      ].join('\n'),
    );
    const store = Store.open(dbFile);
    recordProbes(store.db, [
      ...probes('qingshan', HOME, W('2021-W22'), ALL24, [0, 0, 0, 0, 0, 0, 0]),
      ...probes('qingshan', HOME, W('2021-W23'), ALL24, [0, 0, 1, 0, 0, 0, 0]),
      ...probes('qingshan', HOME, W('2021-W24'), ALL24, [0, 1, 0, 0, 2, 0, 0]),
      ...probes('baishui', 'http://www.baishui.example/', W('2021-W23'), ALL24, [1, 1, 1, 0, 1, 0, 1]),
      ...probes('baishui', 'http://www.baishui.example/', W('2021-W24'), ALL24, [2, 2, 2, 2, 2, 1, 1]),
      ...probes('demo-dept', 'http://sft.hunan-demo.example/', W('2021-W23'), ALL24, [0, 0, 0, 0, 0, 0, 0]),
      ...probes('demo-dept', 'http://sft.hunan-demo.example/', W('2021-W24'), [24, 24, 12, 12, 24, 24, 24], [0, 0, 0, 0, 1, 0, 0]),
    ]);
    writeHeartbeats(store.db, Math.floor(dayStartMs(W('2021-W22')) / 60_000), Math.floor(dayStartMs(addDays(W('2021-W24'), 7)) / 60_000) - 1);
    runId = store.createRun({ siteUrl: HOME, siteKey: siteKey(HOME), siteId: 'qingshan', siteName: '青山市人民政府', rubric: 'hunan-2021-city', asOf: '2021-06-15', options: { unitType: 'city', hasPublicServices: true } });
    store.saveFindings(runId, FINDINGS);
    store.finishRun(runId, 'done', { stats: { pagesCrawled: 48, linksChecked: 310, brokenLinks: 2 }, screenshot: shot, browser: { available: true } });
    saveManual(manualFile, { site: HOME, rubric: 'hunan-2021-city', items: [], decisions: [] });
    scoreStoredRun(store, runId, { rubric: 'hunan-2021-city', manualFile, profile: { unitType: 'city', hasPublicServices: true } });
    store.close();

    dash = await createDashboard({ dbFile, configFile, token: TOKEN, now: () => NOW, defaultWeek: '2021-W24', auditRunner: async () => ({}) });
    base = await dash.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await dash?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const scoreText = async () => (await page.getByTestId('score-total').first().textContent())?.trim();

  it('overview shows the seeded weekly ratios, the veto line, sampling flags and the score', async () => {
    await page.goto(`${base}/`);
    expect(await page.locator('tr[data-site]').count()).toBe(3);
    const ratio = async (site: string, kind: 'cur' | 'prev') => (await page.locator(`tr[data-site="${site}"] td[data-kind="${kind}"] .ratio`).textContent())?.trim();
    expect(await ratio('qingshan', 'cur')).toBe('1.8%'); // 3 / 168
    expect(await ratio('qingshan', 'prev')).toBe('0.6%'); // 1 / 168
    expect(await ratio('baishui', 'cur')).toBe('7.1%'); // 12 / 168
    expect(await ratio('baishui', 'prev')).toBe('3.0%'); // 5 / 168
    expect(await ratio('demo-dept', 'cur')).toBe('0.7%'); // 1 / 144
    const baishui = page.locator('tr[data-site="baishui"]');
    expect(await baishui.locator('td[data-kind="cur"]').textContent()).toContain('≥5% 单否');
    // one verdict: the 单否 column beside it says 不合格 as well (a complete week at ≥ 5 %)
    expect(await baishui.textContent()).toContain('不合格（单否：可用性 2021-W24）');
    expect(await baishui.locator('td[data-kind="cur"]').getAttribute('data-failures')).toBe('12');
    expect(await baishui.textContent()).toContain('首页打不开次数占比偏高');
    expect(await page.locator('tr[data-site="demo-dept"] td[data-kind="cur"]').textContent()).toContain('采样不足 2 天');
    expect(await page.locator('tr[data-site="qingshan"] [data-testid="site-score"]').textContent()).toBe(String(expectedTotal(null)));
    expect(await page.locator('tr[data-site="qingshan"]').textContent()).toContain('暂定');
    expect(await page.locator('[data-card="veto-cur"] .value').textContent()).toBe('1');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-overview.png'), fullPage: true });

    // Sorting by this week's ratio (server side) puts 白水市 first.
    await page.locator('th a', { hasText: '本周失败占比' }).click();
    await page.waitForURL(/sort=cur/);
    expect(await page.locator('tr[data-site]').first().getAttribute('data-site')).toBe('baishui');
    // Filtering by rubric.
    await page.goto(`${base}/?rubric=hunan-2021-provincial`);
    expect(await page.locator('tr[data-site]').count()).toBe(1);
    expect(await page.locator('tr[data-site]').first().getAttribute('data-site')).toBe('demo-dept');
  });

  it('site page: daily chart and table show the chosen week, 8-week chart, probe log with reasons', async () => {
    await page.goto(`${base}/`);
    await page.locator('tr[data-site="qingshan"] a.name').click();
    await page.waitForURL(/\/sites\/qingshan/);
    const days = ['2021-06-14', '2021-06-15', '2021-06-16', '2021-06-17', '2021-06-18', '2021-06-19', '2021-06-20'];
    const bars = page.locator('svg[data-chart="daily"] g[data-key]');
    expect(await bars.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-key')))).toEqual(days);
    expect(await bars.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-failures')))).toEqual(['0', '1', '0', '0', '2', '0', '0']);
    expect(await bars.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-probes')))).toEqual(Array(7).fill('24'));
    expect(await page.locator('svg[data-chart="daily"] .vetoline').count()).toBe(1);
    const rows = page.locator('table[data-table="daily"] tr[data-day]');
    expect(await rows.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-day')))).toEqual(days);
    expect(await rows.nth(4).locator('td').nth(2).textContent()).toBe('2');
    expect(await rows.nth(4).locator('td').nth(3).textContent()).toBe('8.3%');
    const weeks = page.locator('svg[data-chart="weekly"] g[data-key]');
    expect(await weeks.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-key')))).toEqual([
      '2021-W17', '2021-W18', '2021-W19', '2021-W20', '2021-W21', '2021-W22', '2021-W23', '2021-W24',
    ]);
    expect(await weeks.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-failures')))).toEqual(['0', '0', '0', '0', '0', '0', '1', '3']);
    expect(await page.locator('table[data-table="weekly"] tr[data-week="2021-W24"]').textContent()).toContain('1.8%');
    expect(await page.getByTestId('week-summary').textContent()).toContain('监测 168 次，打不开 3 次');
    const probeRows = page.locator('table.probes tbody tr');
    expect(await probeRows.count()).toBe(3);
    expect(await page.locator('table.probes').textContent()).toMatch(/超时|连接被拒绝/);
    // The homepage screenshot is served from the stored path.
    const img = page.locator('#screenshot img');
    await img.scrollIntoViewIfNeeded();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    const probesBottom = await page.locator('table.probes').evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-site.png'), fullPage: true, clip: { x: 0, y: 0, width: 1400, height: Math.ceil(probesBottom) + 24 } });
    // Another week via the week navigation.
    await page.locator('#availability a.button', { hasText: '上一周' }).click();
    await page.waitForURL(/week=2021-W23/);
    expect(await page.locator('svg[data-chart="daily"] g[data-key]').first().getAttribute('data-key')).toBe('2021-06-07');
  });

  it('a hostile page title is shown as text: no script runs, no dialog', async () => {
    await page.goto(`${base}/runs/${runId}`);
    const hostileRow = page.locator('tr[data-finding="1"]');
    expect(await hostileRow.locator('td.msg').textContent()).toContain(HOSTILE);
    expect(await hostileRow.textContent()).toContain('<img src=x onerror=alert(2)>');
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(1);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('svg[onload]').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  });

  it('without the token the reject is refused (401) and nothing changes', async () => {
    await page.goto(`${base}/runs/${runId}`);
    const before = await scoreText();
    const manualBefore = fs.readFileSync(manualFile, 'utf8');
    expect(await page.locator('form.review').count()).toBe(0);
    expect(await page.locator('tr[data-finding="0"]').textContent()).toContain('登录后可复核');
    const res = await page.request.post(`${base}/api/runs/${runId}/decisions`, { form: { key: `broken-link|${HOME}|${OLD}`, action: 'reject', reason: '试图未登录排除' } });
    expect(res.status()).toBe(401);
    const api = await page.request.post(`${base}/api/runs/${runId}/decisions`, { data: { key: `broken-link|${HOME}|${OLD}`, action: 'reject', reason: 'x' } });
    expect(api.status()).toBe(401);
    await page.reload();
    expect(await scoreText()).toBe(before);
    expect(fs.readFileSync(manualFile, 'utf8')).toBe(manualBefore);
  });

  it('a reviewer logs in, rejects a finding with a reason, and the score changes', async () => {
    const before = expectedTotal(null);
    await page.goto(`${base}/runs/${runId}`);
    expect(await scoreText()).toBe(String(before));
    await page.locator('tr[data-finding="0"] a', { hasText: '登录后可复核' }).click();
    await page.waitForURL(/\/login/);
    await page.locator('#reviewer').fill('张三');
    await page.locator('#token').fill(TOKEN);
    await page.locator('button', { hasText: '登录' }).click();
    await page.waitForURL(new RegExp(`/runs/${runId}`));
    expect(await page.locator('.topbar .who').textContent()).toContain('张三');

    // The script refuses a rejection without a reason before any request.
    const row = page.locator('tr[data-finding="0"]');
    await row.locator('button', { hasText: '排除' }).click();
    await page.waitForTimeout(200);
    expect(await row.locator('input[name="reason"]').evaluate((el: HTMLInputElement) => el.validationMessage)).toBe('排除时请填写理由');
    expect(loadManual(manualFile).decisions).toHaveLength(0);

    await row.locator('input[name="reason"]').fill('复核时链接可以正常打开');
    await Promise.all([page.waitForURL(new RegExp(`/runs/${runId}`)), row.locator('button', { hasText: '排除' }).click()]);
    const want = expectedTotal({ decisions: [{ key: `broken-link|${HOME}|${OLD}`, action: 'reject', reason: '复核时链接可以正常打开' }] });
    expect(want).toBeGreaterThan(before);
    await expect.poll(scoreText).toBe(String(want));
    expect(await page.locator('.flash.ok').textContent()).toContain('已排除');
    expect(await page.locator('tr[data-finding="0"]').textContent()).toContain('复核排除');
    expect(await page.locator('tr[data-finding="0"] .decision').textContent()).toContain('张三');
    const m = loadManual(manualFile);
    expect(m.decisions).toHaveLength(1);
    expect(m.decisions[0]).toMatchObject({ key: `broken-link|${HOME}|${OLD}`, action: 'reject', reason: '复核时链接可以正常打开', reviewer: '张三', date: '2021-06-21' });

    // A manual item from the 待人工评分 list.
    const pending = page.locator('tr[data-pending="service.item-disclosure.2"]');
    await pending.locator('input[name="value"]').fill('1');
    await pending.locator('input[name="note"]').fill('1处事项分类不准确');
    await Promise.all([page.waitForURL(new RegExp(`/runs/${runId}`)), pending.locator('button', { hasText: '保存' }).click()]);
    const want2 = expectedTotal({
      decisions: [{ key: `broken-link|${HOME}|${OLD}`, action: 'reject', reason: '复核时链接可以正常打开' }],
      items: [{ rule: 'service.item-disclosure.2', count: 1 }],
    });
    await expect.poll(scoreText).toBe(String(want2));
    expect(loadManual(manualFile).items[0]).toMatchObject({ rule: 'service.item-disclosure.2', count: 1, reviewer: '张三' });
    expect(await page.locator('tr[data-rule="service.item-disclosure.2"]').textContent()).toContain('1处事项分类不准确');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-run-reviewed.png'), fullPage: false });
    await page.locator('#findings').screenshot({ path: path.join(ARTIFACTS, 'web-run-findings.png') });
    expect(dialogs).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});
