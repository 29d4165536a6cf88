/**
 * Network oddities that browsers take in stride and that must not become failed audits, failed probes or broken links
 * (issue 11 items 3, 7, 9; issue 10 item 3) — all on loopback, faults injected by test/helpers/net-faults.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, classifyError } from '../src/collect/http.ts';
import { HostLimiter } from '../src/collect/hosts.ts';
import { LinkChecker } from '../src/collect/linkcheck.ts';
import { crawlSite } from '../src/collect/crawl.ts';
import { probeUrl } from '../src/monitor/probe.ts';
import { runAudit, AuditError } from '../src/audit/run.ts';
import type { LinkResult } from '../src/model.ts';
import { OutsideReach } from '../src/collect/reach.ts';
import { fakeLookup, startNetFaults, type NetFaultsServer } from './helpers/net-faults.ts';

let odd: NetFaultsServer;
beforeAll(async () => {
  odd = await startNetFaults({ pages: { '/': '<html><body><p>首页</p></body></html>' } });
});
afterAll(() => odd.close());

function audit(url: string, extra: Partial<Parameters<typeof runAudit>[0]> = {}) {
  return runAudit({ url, asOf: '2021-06-15', browser: false, network: false, timeoutMs: 3000, recheckDelayMs: 10, homepageRetryDelayMs: 10, ...extra });
}

describe('responses a browser opens (11.3)', () => {
  it('20 KB of response headers: GET and HEAD open, noted as large headers', async () => {
    const c = new HttpClient();
    try {
      const get = await c.fetch(`${odd.url}/big-headers/20`);
      expect(get.error).toBeUndefined();
      expect(get.status).toBe(200);
      expect(get.body.toString()).toContain('正文');
      expect(get.notices?.some((n) => n.startsWith('large-headers:'))).toBe(true);
      const head = await c.fetch(`${odd.url}/big-headers/20`, { method: 'HEAD' });
      expect(head).toMatchObject({ status: 200 });
      expect(head.error).toBeUndefined();
      expect(head.notices?.some((n) => n.startsWith('large-headers:'))).toBe(true);
      // Beyond what a browser takes (256 KB): a failure of its own kind, not a network error.
      const huge = await c.fetch(`${odd.url}/big-headers/300`);
      expect(huge.error).toBe('headers-too-large');
    } finally {
      await c.close();
    }
  });

  it('a chain of 15 redirects opens (browsers follow 20); 21 are too many', async () => {
    const c = new HttpClient();
    try {
      const r = await c.fetch(`${odd.url}/chain/15`);
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ status: 200, finalUrl: `${odd.url}/chain/0` });
      expect(r.redirects).toHaveLength(15);
      expect(r.notices).toContain('long-redirect-chain:15');
      const head = await c.fetch(`${odd.url}/chain/20`, { method: 'HEAD' });
      expect(head).toMatchObject({ status: 200 });
      expect((await c.fetch(`${odd.url}/chain/21`)).error).toBe('too-many-redirects');
    } finally {
      await c.close();
    }
  });

  it('the link checker judges both as opening, with the oddity noted', async () => {
    const c = new HttpClient();
    try {
      const lc = new LinkChecker({ http: c, limiter: new HostLimiter(2, 0), timeoutMs: 3000, recheckDelayMs: 10 });
      const big = await lc.check(`${odd.url}/big-headers/20`, 'attachment');
      expect(big).toMatchObject({ outcome: 'ok', status: 200 });
      expect(big!.notices?.some((n) => n.startsWith('large-headers:'))).toBe(true);
      const chain = await lc.check(`${odd.url}/chain/15`, 'a');
      expect(chain).toMatchObject({ outcome: 'ok', status: 200 });
      expect(chain!.notices).toContain('long-redirect-chain:15');
    } finally {
      await c.close();
    }
  });

  it('the availability probe counts them as up (noted), not as failures', async () => {
    const big = await probeUrl(`${odd.url}/big-headers/20`, { timeoutMs: 3000 });
    expect(big.outcome).toBe('ok');
    expect(big.error).toMatch(/large-headers:\d+/);
    const chain = await probeUrl(`${odd.url}/chain/15`, { timeoutMs: 3000 });
    expect(chain).toMatchObject({ outcome: 'ok', redirects: 15 });
    expect(chain.error).toMatch(/redirects:15/);
    expect((await probeUrl(`${odd.url}/chain/21`, { timeoutMs: 3000 })).error).toBe('too-many-redirects');
  });

  it('an audit of a homepage with a big cookie and a long redirect chain runs, and says so in its notes', async () => {
    const site = await startNetFaults({
      pages: { '/': '<html><head><title>青山市人民政府</title></head><body><a href="/chain/12">政务公开</a><a href="/big-headers/24">通知公告</a></body></html>' },
    });
    try {
      // The homepage itself sends 20 KB of headers: redirect / to /big-headers/20.
      const report = await audit(`${site.url}/big-headers/20`);
      expect(report.findings.filter((f) => f.check === 'broken-link')).toEqual([]);
      expect(report.stats.pagesCrawled).toBeGreaterThanOrEqual(1);
      expect(report.notes?.some((n) => /响应头超过 16 KB/.test(n))).toBe(true);
      const chainSite = await audit(`${site.url}/`);
      expect(chainSite.findings.filter((f) => f.check === 'broken-link')).toEqual([]);
      expect(chainSite.notes?.some((n) => /重定向/.test(n) && /12/.test(n))).toBe(true);
      expect(chainSite.notes?.some((n) => /响应头超过 16 KB/.test(n))).toBe(true);
    } finally {
      await site.close();
    }
  });
});

describe('temporary DNS failures are checked again (11.7)', () => {
  it('EAI_AGAIN is its own class: dns-temporary', () => {
    expect(classifyError(Object.assign(new Error('getaddrinfo EAI_AGAIN x'), { code: 'EAI_AGAIN' }))[0]).toBe('dns-temporary');
    expect(classifyError(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }))[0]).toBe('dns');
  });

  it('a target whose name fails EAI_AGAIN once opens when checked again; a lasting one is broken, a missing name at once', async () => {
    const ext = await startNetFaults({ pages: { '/x.html': '<html><body>外部页面</body></html>' } });
    const site = await startNetFaults({
      pages: {
        '/': `<html><body><a href="http://flaky.test:${ext.port}/x.html">甲</a><a href="http://stuck.test:${ext.port}/x.html">乙</a>
          <a href="http://gone.test:${ext.port}/x.html">丙</a></body></html>`,
      },
    });
    const lookup = fakeLookup({ 'flaky.test': ['EAI_AGAIN', '127.0.0.1'], 'stuck.test': 'EAI_AGAIN', 'gone.test': 'ENOTFOUND' });
    const last = new Map<string, LinkResult>();
    try {
      const summary = await crawlSite({ startUrl: `${site.url}/`, timeoutMs: 3000, recheckDelayMs: 10, lookup, onLinkResult: (r) => last.set(new URL(r.target).hostname, r) });
      expect(last.get('flaky.test')).toMatchObject({ outcome: 'ok', status: 200 });
      expect(last.get('stuck.test')).toMatchObject({ outcome: 'broken', error: 'dns-temporary' });
      expect(last.get('stuck.test')!.detail).toMatch(/failed again/);
      expect(last.get('gone.test')).toMatchObject({ outcome: 'broken', error: 'dns' });
      expect(lookup.counts.get('gone.test')).toBe(1); // not transient: asked once
      expect(lookup.counts.get('stuck.test')).toBeGreaterThanOrEqual(2);
      expect(summary.brokenLinks).toBe(2);
    } finally {
      await site.close();
      await ext.close();
    }
  });
});

describe('the homepage is fetched again after a reset (11.9)', () => {
  it('one or two resets: the audit runs, and notes the retry', async () => {
    for (const times of [1, 2]) {
      const site = await startNetFaults({ pages: { '/': '<html><head><title>青山市人民政府</title></head><body><p>首页</p></body></html>' }, resetFirst: { '/': times } });
      try {
        const report = await audit(`${site.url}/`);
        expect(report.stats.pagesCrawled).toBe(1);
        expect(site.hits.get('/')).toBe(times + 1);
        expect(report.notes?.some((n) => /首页.*重试/.test(n))).toBe(true);
      } finally {
        await site.close();
      }
    }
  });

  it('a homepage that keeps resetting fails after a bounded number of attempts', async () => {
    const site = await startNetFaults({ resetFirst: { '/': 1000 } });
    try {
      await expect(audit(`${site.url}/`)).rejects.toBeInstanceOf(AuditError);
      expect(site.hits.get('/')).toBe(3);
    } finally {
      await site.close();
    }
  });

  it('a missing homepage (404) is not retried', async () => {
    const site = await startNetFaults({});
    try {
      await expect(audit(`${site.url}/`)).rejects.toThrow(/homepage cannot be opened/);
      expect(site.hits.get('/')).toBe(1);
    } finally {
      await site.close();
    }
  });
});

describe('our network is not their fault (10.3)', () => {
  let ext: NetFaultsServer;
  let site: NetFaultsServer;
  const externals = ['www.gov.test', 'www.hunan.test', 'www.a.test', 'www.b.test'];
  beforeAll(async () => {
    ext = await startNetFaults({ pages: { '/ok.html': '<html><body>外部正常页面</body></html>' } });
    const links = externals.map((h, i) => `<a href="http://${h}:${ext.port}/${i === 0 ? 'missing' : 'ok'}.html">外部${i}</a>`).join('');
    site = await startNetFaults({
      pages: { '/': `<html><head><title>青山市人民政府</title></head><body>${links}<a href="http://dead.test:${ext.port}/ok.html">已停用网站</a><a href="/nosuch.html">内部缺失页面</a></body></html>` },
    });
  });
  afterAll(async () => {
    await site.close();
    await ext.close();
  });

  const brokenTargets = (r: Awaited<ReturnType<typeof runAudit>>) => r.findings.filter((f) => f.check === 'broken-link').map((f) => new URL(f.target!).hostname + new URL(f.target!).pathname).sort();

  it('offline machine (every external name fails): external links are unverified with one note; internal ones still judged', async () => {
    const lookup = fakeLookup({ 'www.a.test': 'EAI_AGAIN', 'www.b.test': 'EAI_AGAIN' }, { otherwise: 'ENOTFOUND' });
    const report = await audit(`${site.url}/`, { lookup });
    expect(brokenTargets(report)).toEqual(['127.0.0.1/nosuch.html']);
    const notes = (report.notes ?? []).filter((n) => /本机网络不可达/.test(n));
    expect(notes).toHaveLength(1);
    expect(report.notes![0]).toMatch(/本机网络不可达/);
    expect(report.stats.brokenLinks).toBe(1);
    expect(report.stats.unverifiedLinks).toBeGreaterThanOrEqual(5);
  });

  it('offline machine where connections fail (refused): the same', async () => {
    // Names resolve, but nothing answers on the port (a firewall that rejects): connect failures.
    const closed = await startNetFaults({});
    const port = closed.port;
    await closed.close();
    const s = await startNetFaults({
      pages: { '/': `<html><body>${['p.test', 'q.test', 'r.test'].map((h) => `<a href="http://${h}:${port}/">${h}</a>`).join('')}</body></html>` },
    });
    try {
      const report = await audit(`${s.url}/`, { lookup: fakeLookup({}, { otherwise: '127.0.0.1' }) });
      expect(brokenTargets(report)).toEqual([]);
      expect(report.notes![0]).toMatch(/本机网络不可达/);
    } finally {
      await s.close();
    }
  });

  it('control: the outside is reachable, so a missing external page and a dead host stay broken', async () => {
    const lookup = fakeLookup({ 'dead.test': 'ENOTFOUND' }, { otherwise: '127.0.0.1' });
    const report = await audit(`${site.url}/`, { lookup });
    expect(brokenTargets(report)).toEqual(['127.0.0.1/nosuch.html', 'dead.test/ok.html', 'www.gov.test/missing.html']);
    expect((report.notes ?? []).some((n) => /本机网络不可达/.test(n))).toBe(false);
  });

  it('fewer than three external hosts failing is not enough to blame our network', async () => {
    const s = await startNetFaults({ pages: { '/': `<html><body><a href="http://x.test:${ext.port}/ok.html">甲</a><a href="http://y.test:${ext.port}/ok.html">乙</a></body></html>` } });
    try {
      const report = await audit(`${s.url}/`, { lookup: fakeLookup({}, { otherwise: 'ENOTFOUND' }) });
      expect(brokenTargets(report)).toEqual(['x.test/ok.html', 'y.test/ok.html']);
    } finally {
      await s.close();
    }
  });

  it('a configured canary decides: failing, the machine is offline; opening, dead hosts stay broken', async () => {
    const s = await startNetFaults({ pages: { '/': `<html><body><a href="http://x.test:${ext.port}/ok.html">甲</a></body></html>` } });
    try {
      const offline = await audit(`${s.url}/`, { lookup: fakeLookup({}, { otherwise: 'ENOTFOUND' }), canaryUrls: [`http://canary.test:${ext.port}/ok.html`] });
      expect(brokenTargets(offline)).toEqual([]);
      expect(offline.notes![0]).toMatch(/本机网络不可达.*canary\.test/);
      const online = await audit(`${site.url}/`, { lookup: fakeLookup({ 'canary.test': '127.0.0.1' }, { otherwise: 'ENOTFOUND' }), canaryUrls: [`http://canary.test:${ext.port}/ok.html`] });
      expect(brokenTargets(online)).toHaveLength(6);
      expect((online.notes ?? []).some((n) => /本机网络不可达/.test(n))).toBe(false);
    } finally {
      await s.close();
    }
  });
});

describe('the offline rule (src/collect/reach.ts)', () => {
  const r = (target: string, over: Partial<LinkResult>): LinkResult => ({ target, outcome: 'broken', detail: 'x', method: 'HEAD', redirects: [], checkedAt: 't', ms: 1, ...over });
  const outside = (u: string) => !u.startsWith('http://site.test/');

  it('three hosts failing without an answer, none answering: offline; the site itself and 404s are never touched', () => {
    const reach = new OutsideReach(outside);
    reach.note(r('http://site.test/a.html', { error: 'dns' }));
    reach.note(r('http://a.test/', { error: 'dns' }));
    reach.note(r('http://b.test/', { error: 'dns-temporary' }));
    expect(reach.byHosts()).toBeNull(); // two hosts are not enough
    reach.note(r('http://c.test/x', { error: 'refused' }));
    reach.note(r('http://c.test/y', { error: 'timeout' }));
    const v = reach.byHosts()!;
    expect(v).toMatchObject({ basis: 'hosts', failedHosts: 3 });
    const changed = reach.unverified(v);
    expect(changed.map((x) => x.target).sort()).toEqual(['http://a.test/', 'http://b.test/', 'http://c.test/x', 'http://c.test/y']);
    expect(changed.every((x) => x.outcome === 'unverified' && x.error === 'offline')).toBe(true);
  });

  it('one external answer (any status, a redirect, a TLS handshake) proves the outside reachable', () => {
    for (const answer of [{ status: 404, error: 'http-404' }, { error: 'tls' }, { error: 'dns', redirects: ['http://d.test/'] }, { outcome: 'ok' as const }]) {
      const reach = new OutsideReach(outside);
      for (const h of ['a', 'b', 'c']) reach.note(r(`http://${h}.test/`, { error: 'dns' }));
      reach.note(r('http://d.test/', answer));
      expect(reach.byHosts()).toBeNull();
    }
  });

  it('a failure that opens when checked again is no longer a candidate', () => {
    const reach = new OutsideReach(outside);
    for (const h of ['a', 'b', 'c']) reach.note(r(`http://${h}.test/`, { error: 'dns-temporary' }));
    reach.note(r('http://a.test/', { outcome: 'ok', status: 200 }));
    expect(reach.byHosts()).toBeNull();
  });
});
