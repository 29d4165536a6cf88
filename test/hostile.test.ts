import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAudit } from '../src/audit/run.ts';
import { Store } from '../src/store/store.ts';
import { fakeLookup, startHostileServer, type HostileServer } from './helpers/hostile-server.ts';

/**
 * Hostile and odd input on a loopback server (test/helpers/hostile-server.ts): each defect of issue 11 (items 1, 2,
 * 5, 6) and issue 19 reproduced end to end through `runAudit` (crawl on the store's writer thread, checks, score).
 */

let server: HostileServer;
let dir: string;

beforeAll(async () => {
  server = await startHostileServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-hostile-'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function audit(scenario: string, o: Partial<Parameters<typeof runAudit>[0]> = {}) {
  return runAudit({ url: `${server.url}/${scenario}/`, asOf: '2021-06-15', dbFile: path.join(dir, `g${n++}.db`), browser: false, site: { name: '青山市人民政府' }, ...o });
}

describe('11.1 a 5 MB page of many top-level nodes is analysed (linear, not quadratic)', () => {
  for (const scenario of ['after-html', 'no-wrapper']) {
    it(`${scenario}: the audit finishes and reads the footer after the 5 MB of rows`, async () => {
      const report = await audit(scenario);
      expect(report.stats.pagesCrawled).toBeGreaterThanOrEqual(2);
      const missing = report.findings.filter((f) => /^footer-(sponsor|contact|site-code|icp|police-filing)$/.test(f.check));
      expect(missing).toEqual([]);
    }, 120_000);
  }
});

describe('11.2 "404" in ordinary text is not an error page', () => {
  it('a short homepage mentioning 404室 / 公交404路 / 〔2021〕404号 / 信息404 / ?day=404 is audited, its links crawled', async () => {
    const report = await audit('ordinary-404');
    expect(report.stats.pagesCrawled).toBe(4);
    expect(report.findings.filter((f) => f.check === 'broken-link')).toEqual([]);
  }, 60_000);
});

describe('issue 19: references a browser loads or follows', () => {
  it('srcset, <picture> sources, meta refresh and malformed hrefs give exactly these broken links', async () => {
    const report = await audit('i19');
    const p = `${server.url}/i19/`;
    const got = report.findings.filter((f) => f.check === 'broken-link').map((f) => `${f.url} -> ${f.target} | ${f.evidence.error} | ${f.evidence.via ?? ''}`).sort();
    expect(got).toEqual([
      `${p} -> ${p}img/missing.webp | http-404 | picture source (image/webp) srcset`,
      `${p} -> ${p}img/missing@2x.png | http-404 | srcset 3x`,
      `${p} -> ${p}refresh-missing.html | http-404 | `,
      `${p} -> http:// | invalid-url | `,
      `${p} -> http://[::1/ | invalid-url | `,
      `${p} -> http://exa mple | invalid-url | `,
      `${p} -> http://www.qs.gov.cn]/ | invalid-url | `,
      `${p} -> ////// | invalid-url | `,
      `${p}refresh-slow.html -> ${p}gone-later.html | http-404 | meta refresh (30s)`,
    ].sort());
    const refresh = report.findings.find((f) => f.target === `${p}refresh-missing.html`)!;
    expect(refresh.detail).toContain('after a meta refresh');
    const bad = report.findings.find((f) => f.target === 'http://exa mple')!;
    expect(bad.evidence).toMatchObject({ anchorText: '空格', linkKind: 'a' });
    expect(bad.message).toContain('链接地址无效');
    expect(report.findings.find((f) => f.target === `${p}img/missing@2x.png`)!.message).toContain('srcset');
  }, 60_000);

  it('a short working start page whose links say "Not Found" and "404" is audited', async () => {
    const report = await audit('i19-short');
    expect(report.stats.pagesCrawled).toBe(3);
  }, 60_000);
});

describe('11.5 a page cut at the 5 MB read cap', () => {
  it('is recorded as truncated; its footer items are 未核实 (pending), never "missing" deductions', async () => {
    const report = await audit('truncated');
    const store = Store.open(path.join(dir, `g${n - 1}.db`));
    try {
      const home = [...store.iteratePages(report.runId!)].find((p) => p.isHomepage)!;
      expect(home.truncated).toBe(true);
    } finally {
      store.close();
    }
    expect(report.notes?.some((x) => x.includes('截断'))).toBe(true);
    const footer = report.findings.filter((f) => f.check.startsWith('footer-') || f.check === 'error-report-entry');
    expect(footer.length).toBeGreaterThan(0);
    for (const f of footer) expect(f.evidence, f.check).toMatchObject({ unverified: true, truncated: true });
    const identity = report.score!.items.find((i) => i.id === 'function.site-identity')!;
    expect(identity.deducted).toBe(0);
    expect(identity.pending).toBe(true);
    expect(report.scopes?.['footer-icp']?.status).toBe('unverified');
  }, 120_000);
});

describe('11.6 nothing examined is not full marks', () => {
  for (const [scenario, reason] of [['empty', 'empty-body'], ['png-html', 'not-html']] as const) {
    it(`${scenario}: homepage-empty is reported, the homepage-stale veto is pending, page checks are not-run, the score is provisional (暂定), not a plain 100`, async () => {
      const report = await audit(scenario);
      const empty = report.findings.filter((f) => f.check === 'homepage-empty');
      expect(empty).toHaveLength(1);
      expect(empty[0]).toMatchObject({ url: `${server.url}/${scenario}/`, evidence: { reason, onHomepage: true } });
      expect(report.notes?.some((x) => x.startsWith('首页') && x.includes('无法检查'))).toBe(true);
      expect(report.scopes?.['homepage-stale']?.status).toBe('unverified');
      for (const id of ['broken-link', 'footer-icp', 'error-report-entry', 'page-tags', 'site-name']) {
        expect(report.scopes?.[id], id).toMatchObject({ status: 'not-run', reason: expect.stringContaining('未读取到可分析的网页') });
      }
      const stale = report.score!.veto.items!.find((i) => i.rule.includes('首页超过2周不更新'))!;
      expect(stale).toMatchObject({ failed: false, pending: true });
      expect(report.score!.provisional).toBe(true);
      expect(report.score!.items.find((i) => i.id === 'function.site-identity')!.pending).toBe(true);
    }, 60_000);
  }
});

describe('network faults from the same fixture (11.3, 11.7, 11.9): what Chromium opens, govsite opens', () => {
  const fast = { recheckDelayMs: 10, homepageRetryDelayMs: 10 };
  it('20 KB response headers: the homepage and the linked page open, nothing broken', async () => {
    const report = await audit('big-headers', fast);
    expect(report.stats.pagesCrawled).toBe(2);
    expect(report.findings.filter((f) => f.check === 'broken-link')).toEqual([]);
  }, 60_000);

  it('a 15-hop redirect chain is followed to its page, not a broken link', async () => {
    const report = await audit('chain', fast);
    expect(report.findings.filter((f) => f.check === 'broken-link')).toEqual([]);
    expect(server.hits('/chain/0')).toBeGreaterThan(0);
  }, 60_000);

  it('a homepage that resets once is retried and audited', async () => {
    const report = await audit('reset-once', fast);
    expect(report.stats.pagesCrawled).toBe(1);
    expect(server.hits('/reset-once/')).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('a temporary DNS failure (EAI_AGAIN) is looked up again: the link is fine', async () => {
    const lookup = fakeLookup({ 'flaky.test': ['EAI_AGAIN', '127.0.0.1'] }, { otherwise: '127.0.0.1' });
    const report = await audit('dns', { ...fast, lookup });
    expect(report.findings.filter((f) => f.check === 'broken-link')).toEqual([]);
    expect(lookup.counts.get('flaky.test')).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
