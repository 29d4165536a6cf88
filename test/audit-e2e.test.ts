import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { startFixtureServer, demoSiteDir, DEMO_SKIP_HOSTS, type FixtureServer } from '../src/demo/server.ts';
import { runAudit, AuditError } from '../src/audit/run.ts';
import { Store } from '../src/store/store.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'govsite.js');

/** The broken-link rows of fixtures/sites/demo/EXPECTED.md: [page path, target (path or absolute URL)]. */
function expectedBrokenLinks(base: string): string[] {
  const md = fs.readFileSync(path.join(demoSiteDir('demo'), 'EXPECTED.md'), 'utf8');
  const rows: string[] = [];
  for (const line of md.split('\n')) {
    const cells = line.split('|').map((c) => c.trim().replace(/^`|`$/g, ''));
    if (cells[1] !== 'broken-link') continue;
    const page = new URL(cells[2], base + '/').href;
    const target = new URL(cells[3], base + '/').href;
    rows.push(`${page} -> ${target}`);
  }
  return rows.sort();
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-e2e-'));
}

describe('govsite audit of the demo site (no browser)', () => {
  let server: FixtureServer;
  let dir: string;
  let report: Awaited<ReturnType<typeof runAudit>>;

  beforeAll(async () => {
    server = await startFixtureServer(demoSiteDir('demo'));
    dir = tmpDir();
    report = await runAudit({
      url: server.url + '/',
      asOf: '2021-06-15',
      dbFile: path.join(dir, 'g.db'),
      browser: false,
      skipHosts: [...DEMO_SKIP_HOSTS],
      site: { name: '青山市人民政府' },
    });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists exactly the planted broken links', () => {
    const got = report.findings.filter((f) => f.check === 'broken-link').map((f) => `${f.url} -> ${f.target}`).sort();
    expect(got).toEqual(expectedBrokenLinks(server.url));
  });

  it('does not report WAF 403, 429-then-OK, HEAD-unreliable or unfetchable links', () => {
    const targets = report.findings.filter((f) => f.check === 'broken-link').map((f) => f.target!);
    expect(targets.some((t) => t.includes('/hdjl/'))).toBe(false);
    expect(targets.some((t) => /W020210412556677889900\.xlsx|W020210412512345678901\.pdf|W020210305601234567890\.zip/.test(t))).toBe(false);
    expect(targets.some((t) => /^(mailto|tel|javascript):/.test(t))).toBe(false);
  });

  it('has the JSON fields of the contract', () => {
    expect(report).toMatchObject({ site: { url: server.url + '/', name: '青山市人民政府' }, rubric: 'hunan-2021-city', asOf: '2021-06-15' });
    expect(typeof report.startedAt).toBe('string');
    expect(typeof report.finishedAt).toBe('string');
    expect(report.stats.pagesCrawled).toBeGreaterThanOrEqual(35);
    expect(report.stats.brokenLinks).toBe(expectedBrokenLinks(server.url).length);
    expect(report.stats.linksChecked).toBeGreaterThan(40);
    const home = report.findings.find((f) => f.check === 'broken-link' && f.url === server.url + '/');
    expect(home).toMatchObject({ detail: 'HTTP 404', evidence: { onHomepage: true, linkKind: expect.any(String) } });
    expect(home!.message).toMatch(/首页/);
    const inner = report.findings.find((f) => f.check === 'broken-link' && f.url !== server.url + '/');
    expect(inner!.evidence.onHomepage).toBe(false);
    expect(report.score?.items.length).toBeGreaterThan(20);
  });

  it('finds the planted content defects', () => {
    const has = (check: string, page: string) => report.findings.some((f) => f.check === check && f.url === server.url + page);
    expect(has('stale-column', '/xwzx/tzgg/index.html')).toBe(true);
    expect(has('empty-column', '/zwgk/rsxx/index.html')).toBe(true);
    expect(has('date-format', '/xwzx/qsyw/202106/t20210603_7003.html')).toBe(true);
    expect(has('source-label', '/xwzx/qsyw/202105/t20210528_7004.html')).toBe(true);
    // The demo has its 政策解读 column (/zwgk/zcjd/): no required column is missing.
    expect(report.findings.some((f) => f.check === 'required-column')).toBe(false);
    expect(report.findings.some((f) => f.check === 'homepage-stale')).toBe(false);
  });

  it('decodes the GBK and UTF-16-declared-gb2312 pages', () => {
    const store = Store.open(path.join(dir, 'g.db'));
    try {
      const pages = [...store.iteratePages(report.runId!)];
      const gbk = pages.find((p) => p.url.includes('7012'));
      const u16 = pages.find((p) => p.url.includes('7013'));
      expect(gbk?.charset).toBe('gb18030');
      expect(u16?.charset).toMatch(/utf-16/);
      for (const p of [gbk!, u16!]) {
        expect(p.html).toContain('青山市人民政府');
        expect(p.html).not.toContain('\ufffd');
      }
    } finally {
      store.close();
    }
  });

  it('rescoring a stored run without crawling gives the same score', () => {
    const r = spawnSync(process.execPath, [BIN, 'score', '--run', String(report.runId), '--db', path.join(dir, 'g.db'), '--format', 'json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.score.total).toBe(report.score!.total);
    expect(doc.findings.length).toBe(report.findings.length);
  });
});

describe('govsite audit CLI', () => {
  let server: FixtureServer;
  let dir: string;
  beforeAll(async () => {
    server = await startFixtureServer(demoSiteDir('demo-dept'));
    dir = tmpDir();
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Async: the fixture server lives in this process, so the test must not block its event loop.
  const run = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const t = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.once('close', (status) => {
        clearTimeout(t);
        resolve({ status, stdout, stderr });
      });
    });

  it('writes one JSON document to stdout, logs to stderr, exit 0', async () => {
    const r = await run(['audit', server.url + '/', '--format', 'json', '--no-browser', '--rubric', 'hunan-2021-provincial', '--as-of', '2021-06-15', '--skip-host', 'conac.cn', '--skip-host', 'beian.gov.cn', '--skip-host', 'beian.miit.gov.cn', '--db', 'x.db']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.rubric).toBe('hunan-2021-provincial');
    expect(doc.findings.filter((f: { check: string }) => f.check === 'broken-link')).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(true);
  });

  it('prints a Chinese summary by default', async () => {
    const r = await run(['audit', server.url + '/', '--no-browser', '--as-of', '2021-06-15', '--db', 'y.db', '--skip-host', 'conac.cn', '--skip-host', 'beian.gov.cn']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/抓取页面/);
  });

  it('fails with a one-line reason: bad URL, unreachable homepage, unwritable db, bad arguments', async () => {
    // a malformed URL is a bad argument (exit 2, before any request): one reason and the one usage hint
    const bad = await run(['audit', 'not a url', '--db', 'z.db']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/网址无效：“not a url”/), '用法见 govsite --help']);

    const down = await run(['audit', 'http://127.0.0.1:1/', '--db', 'z.db', '--no-browser']);
    expect(down.status).toBe(1);
    expect(down.stderr).toMatch(/首页无法打开/);

    fs.writeFileSync(path.join(dir, 'afile'), 'x');
    const nodb = await run(['audit', server.url + '/', '--db', 'afile/sub/g.db', '--no-browser']);
    expect(nodb.status).toBe(1);
    expect(nodb.stderr).toMatch(/无法(创建|打开|写入)/);

    expect((await run(['audit', server.url + '/', '--max-pages', 'many'])).status).toBe(2);
    expect((await run(['audit', server.url + '/', '--as-of', '2021-13-40'])).status).toBe(2);
    expect((await run(['audit', server.url + '/', '--format', 'pdf'])).status).toBe(2);
    expect((await run(['audit', server.url + '/', '--bogus'])).status).toBe(2);
    expect((await run(['frobnicate'])).status).toBe(2);
  });
});

describe('crash consistency', () => {
  it('a killed audit leaves a consistent database; the next audit is not mixed with it', async () => {
    const server = await startFixtureServer(demoSiteDir('demo'), { routes: { '/xwzx/qsyw/index.html': { slowMs: 60_000, then: { status: 200, file: 'xwzx/qsyw/index.html' } } } });
    const dir = tmpDir();
    const db = path.join(dir, 'g.db');
    try {
      const child = spawn(process.execPath, [BIN, 'audit', server.url + '/', '--db', db, '--no-browser', '--as-of', '2021-06-15', '--timeout', '120'], { stdio: 'ignore' });
      // Wait until the first batch of pages is committed, then kill -9.
      for (let i = 0; i < 300 && !(server.hits.get('/xwzx/qsyw/index.html') ?? 0); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1000));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      const report = await runAudit({ url: server.url + '/', dbFile: db, browser: false, asOf: '2021-06-15', skipHosts: [...DEMO_SKIP_HOSTS], timeoutMs: 2000 });
      const store = Store.open(db);
      try {
        const runs = store.listRuns();
        expect(runs).toHaveLength(2);
        const killed = runs.find((r) => r.id !== report.runId)!;
        expect(killed.status).toBe('interrupted');
        expect(store.getRun(report.runId!)!.status).toBe('done');
        expect(store.db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
        const urls = [...store.iteratePages(report.runId!, { withHtml: false })].map((p) => p.url);
        expect(new Set(urls).size).toBe(urls.length);
        expect(store.findings(killed.id)).toEqual([]);
      } finally {
        store.close();
      }
    } finally {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a homepage that redirects to another site is audited where it lands', async () => {
    const target = await startFixtureServer(demoSiteDir('demo-dept'));
    const portal = await startFixtureServer(demoSiteDir('demo'), { routes: { '/': { redirect: target.url + '/', status: 302 } } });
    try {
      const r = await runAudit({ url: portal.url + '/', dbFile: ':memory:', browser: false, asOf: '2021-06-15', skipHosts: [...DEMO_SKIP_HOSTS] });
      expect(r.stats.pagesCrawled).toBeGreaterThan(5);
      expect(r.notes?.some((n) => n.includes(`首页跳转至 ${target.url}/`))).toBe(true);
      expect(r.site.url).toBe(portal.url + '/');
    } finally {
      await portal.close();
      await target.close();
    }
  });

  it('AuditError for a URL that is not http(s)', async () => {
    await expect(runAudit({ url: 'ftp://example.gov.cn/', dbFile: ':memory:', browser: false })).rejects.toBeInstanceOf(AuditError);
  });
});
