/**
 * A review on the dashboard over the shared PostgreSQL store in a real browser (playwright-core + Debian Chromium):
 * log in, reject a finding with a reason from the run page, come back to the row with the new score; screenshots in
 * test-artifacts/cluster-review.png (the row) and cluster-review-page.png (the whole page).
 *
 * Skipped with a message when Chromium or PostgreSQL is missing, unless GOVSITE_REQUIRE_BROWSER=1 /
 * GOVSITE_REQUIRE_SERVICES=1 (CI): then it fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createClusterDashboard, type ClusterDashboard } from '../src/web/cluster.ts';
import { PgRepo } from '../src/repo/postgres.ts';
import { loadManual } from '../src/score/manual.ts';
import { seedCluster } from './helpers/cluster-seed.ts';
import { freshSchema, havePg, PG_URL, tempDir } from './helpers/backends.ts';

const CHROMIUM = process.env.GOVSITE_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = fs.existsSync(CHROMIUM);
const REQUIRED = process.env.GOVSITE_REQUIRE_BROWSER === '1';
if (!HAVE && !REQUIRED) console.warn(`[cluster-review-browser.test] skipped: no chromium at ${CHROMIUM}`);
const pgOk = await havePg();
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(REPO, 'test-artifacts');
const TOKEN = 'cluster-browser-token-abcdefgh';
const suite = (HAVE || REQUIRED) && pgOk ? describe : describe.skip;

suite('a review on the dashboard over PostgreSQL, in a real browser', () => {
  let browser: Browser;
  let page: Page;
  let dash: ClusterDashboard;
  let repo: PgRepo;
  let base = '';
  let runId = 0;
  let manualFile = '';
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let tmp: ReturnType<typeof tempDir>;
  const cspErrors: string[] = [];

  beforeAll(async () => {
    if (!HAVE) throw new Error(`GOVSITE_REQUIRE_BROWSER=1 but no chromium at ${CHROMIUM}`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    schema = await freshSchema();
    repo = await PgRepo.open(PG_URL, { schema: schema.schema, max: 3 });
    tmp = tempDir();
    const seed = await seedCluster(repo, tmp.dir);
    runId = seed.runId;
    manualFile = seed.manualFile;
    dash = await createClusterDashboard({ repo, configFile: seed.configFile, token: TOKEN });
    base = await dash.listen(0, '127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await dash?.close();
    await repo?.close();
    await schema?.drop();
    tmp?.remove();
  });

  it('logs in from the run page, rejects a finding with a reason and comes back to the row, rescored', async () => {
    await page.goto(`${base}/runs/${runId}`);
    const [before] = await repo.scores(runId);
    await page.locator('#f-0 a', { hasText: '登录后可复核' }).click();
    await page.fill('#reviewer', '张三');
    await page.fill('#token', TOKEN);
    await page.click('button[type="submit"].primary');
    await page.waitForURL((u) => u.pathname === `/runs/${runId}`);
    const row = page.locator('#f-0');
    await row.locator('input[name="reason"]').fill('链接已在检查后修复');
    await row.locator('button[value="reject"]').click();
    await page.waitForURL((u) => u.pathname === `/runs/${runId}` && u.hash === '#f-0');
    const flash = await page.locator('.flash.ok').textContent();
    expect(flash).toMatch(/已排除，重新评分：[\d.]+ 分/);
    expect(await page.locator('#f-0').textContent()).toContain('链接已在检查后修复');
    expect(await page.locator('#f-0').getAttribute('class')).toContain('excluded');
    expect(loadManual(manualFile).decisions).toMatchObject([{ action: 'reject', reviewer: '张三', reason: '链接已在检查后修复' }]);
    const [latest] = await repo.scores(runId);
    expect(latest.manualFile).toBe(manualFile);
    expect(latest.total).toBeGreaterThan(before.total); // the rejected broken link no longer deducts
    expect(cspErrors).toEqual([]);
    // the reviewed row as the reviewer sees it after coming back, and the whole page
    await page.screenshot({ path: path.join(ARTIFACTS, 'cluster-review.png') });
    await page.screenshot({ path: path.join(ARTIFACTS, 'cluster-review-page.png'), fullPage: true });
  }, 60_000);
});
