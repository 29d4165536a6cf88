import { describe, expect, it } from 'vitest';
import { findingsOf } from '../src/checks.ts';
import ipv6 from '../checks/ipv6.ts';
import domain from '../checks/domain.ts';
import type { AuditContext, NetworkObservation, SiteInfo } from '../src/model.ts';
import { makeContext, makePage } from './helpers/page.ts';

const HOME = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>示例市人民政府</title></head><body>
<a href="/202106/t20210610_7001.html">示例市召开全市政务公开工作会议</a>
<div class="footer">主办单位：示例市人民政府办公室 网站标识码：4399000001 湘ICP备12345678号-1</div></body></html>`;

/** Pages served from loopback (as in the demo), judged as the configured host. */
function ctxFor(over: Omit<Partial<AuditContext>, 'site'> & { site?: Partial<SiteInfo> } = {}, homeExtra = {}): AuditContext {
  const page = makePage('http://127.0.0.1:8080/', HOME, { isHomepage: true, ...homeExtra });
  const site: SiteInfo = { host: 'www.example.gov.cn', url: 'http://www.example.gov.cn/', unitType: 'city', ...over.site };
  return makeContext([page], { ...over, site });
}

function net(over: Partial<NetworkObservation> = {}): NetworkObservation {
  return {
    host: 'www.example.gov.cn',
    a: ['192.0.2.10'],
    aaaa: ['2001:db8::10'],
    homepageV6: { ok: true, status: 200, ms: 40 },
    linksV6: { tried: 30, ok: 30, failures: [] },
    ...over,
  };
}

function failures(n: number, error = 'timeout: no response within 10000 ms') {
  return Array.from({ length: n }, (_, i) => ({ url: `http://www.example.gov.cn/202106/t20210610_70${10 + i}.html`, error }));
}

describe('ipv6 check', () => {
  it('is silent without a network observation (not measured)', () => {
    expect(findingsOf(ipv6, ctxFor())).toEqual([]);
  });

  it('passes a site with AAAA, homepage and links over IPv6', () => {
    expect(findingsOf(ipv6, ctxFor({ network: net() }))).toEqual([]);
    expect(findingsOf(ipv6, ctxFor({ network: net({ linksV6: { tried: 30, ok: 26, failures: failures(4) } }) }))).toEqual([]);
    // Exactly at the threshold is not below it.
    expect(findingsOf(ipv6, ctxFor({ network: net({ linksV6: { tried: 20, ok: 17, failures: failures(3) } }) }))).toEqual([]);
  });

  it('reports a missing AAAA record (one finding, url = homepage)', () => {
    const f = findingsOf(ipv6, ctxFor({ network: net({ aaaa: [], homepageV6: null, linksV6: null }) }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ check: 'ipv6', url: 'http://127.0.0.1:8080/' });
    expect(f[0].detail).toMatch(/^no-aaaa/);
    expect(f[0].message).toContain('AAAA');
    expect(f[0].message).toContain('未按要求完成IPv6改造');
    expect(f[0].evidence.unverified).toBeUndefined();
    expect(f[0].evidence.reasons).toEqual(['no-aaaa']);
  });

  it('does not deduct when the host does not resolve at all, or the AAAA lookup failed', () => {
    const none = findingsOf(ipv6, ctxFor({ network: net({ a: [], aaaa: [], dnsError: 'no-address: the host has neither A nor AAAA records', homepageV6: null, linksV6: null }) }));
    expect(none).toHaveLength(1);
    expect(none[0].evidence.unverified).toBe(true);
    const aaaaFailed = findingsOf(ipv6, ctxFor({ network: net({ aaaa: [], dnsError: 'aaaa: ETIMEOUT', homepageV6: null, linksV6: null }) }));
    expect(aaaaFailed).toHaveLength(1);
    expect(aaaaFailed[0].evidence.unverified).toBe(true);
    // A failed A lookup and no AAAA: nothing known about the host, unverified.
    const aFailed = findingsOf(ipv6, ctxFor({ network: net({ a: [], aaaa: [], dnsError: 'a: ESERVFAIL', homepageV6: null, linksV6: null }) }));
    expect(aFailed[0].evidence.unverified).toBe(true);
  });

  it('reports a homepage that does not load over IPv6', () => {
    const f = findingsOf(ipv6, ctxFor({ network: net({ homepageV6: { ok: false, error: 'timeout: no response within 10000 ms', ms: 10000 }, linksV6: null }) }));
    expect(f).toHaveLength(1);
    expect(f[0].detail).toMatch(/homepage does not load over IPv6/);
    expect(f[0].message).toContain('首页无法通过 IPv6 访问');
    expect(f[0].evidence.reasons).toEqual(['homepage-v6']);
    const http = findingsOf(ipv6, ctxFor({ network: net({ homepageV6: { ok: false, status: 502, error: 'http-502', ms: 30 } }) }));
    expect(http[0].message).toContain('HTTP 502');
  });

  it('does not deduct when this machine has no IPv6 or the homepage fails over IPv4 too', () => {
    const local = findingsOf(ipv6, ctxFor({ network: net({ homepageV6: { ok: false, error: 'no-local-ipv6: this machine has no IPv6 address', ms: 0 }, linksV6: null }) }));
    expect(local).toHaveLength(1);
    expect(local[0].evidence.unverified).toBe(true);
    expect(local[0].message).toContain('检测机无 IPv6 网络');
    const down = findingsOf(ipv6, ctxFor({ network: net({ homepageV6: { ok: false, error: 'also-fails-over-ipv4: over IPv6 timeout; over IPv4 timeout', ms: 10000 }, linksV6: null }) }));
    expect(down[0].evidence.unverified).toBe(true);
    const links = findingsOf(ipv6, ctxFor({ network: net({ linksV6: { tried: 10, ok: 0, failures: failures(10, 'no-local-ipv6: connect ENETUNREACH') } }) }));
    expect(links[0].evidence.unverified).toBe(true);
  });

  it('reports a low share of internal links over IPv6, per the configured threshold', () => {
    const network = net({ linksV6: { tried: 30, ok: 20, failures: failures(10) } });
    const f = findingsOf(ipv6, ctxFor({ network }));
    expect(f).toHaveLength(1);
    expect(f[0].detail).toMatch(/20\/30 sampled internal links/);
    expect(f[0].message).toContain('66.7%');
    expect(f[0].message).toContain('85%');
    expect(f[0].evidence.reasons).toEqual(['links-v6']);
    const ctx = ctxFor({ network });
    expect(findingsOf(ipv6, { ...ctx, options: { ...ctx.options, ipv6LinkThreshold: 0.6 } })).toEqual([]);
  });

  it('combines several reasons into one finding', () => {
    const f = findingsOf(ipv6, 
      ctxFor({ network: net({ homepageV6: { ok: false, error: 'reset: socket hang up', ms: 5 }, linksV6: { tried: 10, ok: 2, failures: failures(8) } }) }),
    );
    expect(f).toHaveLength(1);
    expect(f[0].evidence.reasons).toEqual(['homepage-v6', 'links-v6']);
    expect(f[0].detail).toMatch(/homepage.*; 2\/10/);
  });

  it('does not deduct on a tiny link sample', () => {
    const f = findingsOf(ipv6, ctxFor({ network: net({ linksV6: { tried: 3, ok: 1, failures: failures(2) } }) }));
    expect(f).toHaveLength(1);
    expect(f[0].evidence.unverified).toBe(true);
  });

  it('survives odd observations', () => {
    const odd = { host: 'www.example.gov.cn', a: ['192.0.2.1'], aaaa: ['2001:db8::1'], linksV6: { tried: 6, ok: 6 } } as unknown as NetworkObservation;
    expect(findingsOf(ipv6, ctxFor({ network: odd }))).toEqual([]);
    const noArrays = { host: 'x' } as unknown as NetworkObservation;
    expect(() => findingsOf(ipv6, ctxFor({ network: noArrays }))).not.toThrow();
  });
});

describe('domain check', () => {
  it('accepts .gov.cn and .政务 hosts (pages may be served from loopback)', () => {
    expect(findingsOf(domain, ctxFor())).toEqual([]);
    expect(findingsOf(domain, ctxFor({ site: { host: 'WWW.Changsha.GOV.CN.' } }))).toEqual([]);
    expect(findingsOf(domain, ctxFor({ site: { host: 'www.example.gov.cn:8080' } }))).toEqual([]);
    expect(findingsOf(domain, ctxFor({ site: { host: '湖南.政务' } }))).toEqual([]);
    expect(findingsOf(domain, ctxFor({ site: { host: 'www.xn--6kr114d.xn--zfr164b' } }))).toEqual([]);
  });

  it('reports a host outside .gov.cn / .政务, citing the norm in Chinese', () => {
    for (const host of ['www.example.com', 'examplegov.cn', 'www.gov.cn.example.com', 'www.example.org.cn']) {
      const f = findingsOf(domain, ctxFor({ site: { host } }));
      expect(f, host).toHaveLength(1);
      expect(f[0].check).toBe('domain');
      expect(f[0].url).toBe('http://127.0.0.1:8080/');
      expect(f[0].message).toContain('.gov.cn');
      expect(f[0].message).toContain('.政务');
      expect(f[0].message).toContain('政府网站发展指引');
      expect(f[0].evidence.rules).toEqual(['not-gov-cn']);
      expect(f[0].evidence.unverified).toBeUndefined();
    }
  });

  it('department sites must be under the parent portal domain', () => {
    const site = { unitType: 'provincial' as const, parentDomain: 'hunan.gov.cn' };
    expect(findingsOf(domain, ctxFor({ site: { ...site, host: 'jtt.hunan.gov.cn' } }))).toEqual([]);
    expect(findingsOf(domain, ctxFor({ site: { ...site, host: 'www.hunan.gov.cn' } }))).toEqual([]);
    expect(findingsOf(domain, ctxFor({ site: { ...site, parentDomain: 'www.hunan.gov.cn', host: 'jtt.hunan.gov.cn' } }))).toEqual([]);

    const own = findingsOf(domain, ctxFor({ site: { ...site, host: 'www.hnjt.gov.cn' } }));
    expect(own).toHaveLength(1);
    expect(own[0].evidence.rules).toEqual(['not-under-parent']);
    expect(own[0].message).toContain('部门网站应使用本级政府门户网站的下级域名');
    expect(own[0].message).toContain('*.hunan.gov.cn');

    // Look-alike: "xhunan.gov.cn" is not under hunan.gov.cn.
    expect(findingsOf(domain, ctxFor({ site: { ...site, host: 'jtt.xhunan.gov.cn' } }))[0].evidence.rules).toEqual(['not-under-parent']);

    const both = findingsOf(domain, ctxFor({ site: { ...site, host: 'www.hnjt.com' } }));
    expect(both).toHaveLength(1);
    expect(both[0].evidence.rules).toEqual(['not-gov-cn', 'not-under-parent']);

    // A city-level department: parentDomain alone makes it a department site.
    expect(findingsOf(domain, ctxFor({ site: { unitType: 'city', parentDomain: 'changsha.gov.cn', host: 'jyj.changsha.gov.cn' } }))).toEqual([]);
    expect(findingsOf(domain, ctxFor({ site: { unitType: 'city', parentDomain: 'changsha.gov.cn', host: 'www.csedu.gov.cn' } }))).toHaveLength(1);
  });

  it('a provincial site without a configured parent domain: subdomain rule unverified', () => {
    const f = findingsOf(domain, ctxFor({ site: { unitType: 'provincial', host: 'jtt.hunan.gov.cn' } }));
    expect(f).toHaveLength(1);
    expect(f[0].evidence.unverified).toBe(true);
    // …but a non-.gov.cn host is still a finding.
    const g = findingsOf(domain, ctxFor({ site: { unitType: 'provincial', host: 'www.hnjt.com' } }));
    expect(g[0].evidence.unverified).toBeUndefined();
    expect(g[0].evidence.rules).toEqual(['not-gov-cn']);
  });

  it('IP-address and loopback hosts are unverified, never deducted', () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '::1', '192.0.2.7', 'demo.localhost']) {
      const f = findingsOf(domain, ctxFor({ site: { host } }));
      expect(f, host).toHaveLength(1);
      expect(f[0].evidence.unverified, host).toBe(true);
    }
  });

  it('judges the host the homepage redirected to as well', () => {
    const f = findingsOf(domain, ctxFor({}, { finalUrl: 'http://www.example-portal.com/index.html', redirects: ['http://www.example.gov.cn/'] }));
    expect(f).toHaveLength(1);
    expect(f[0].evidence.host).toBe('www.example-portal.com');
    expect(f[0].evidence.redirectedFrom).toBe('www.example.gov.cn');
  });

  it('copes with a missing or malformed host', () => {
    const f = findingsOf(domain, ctxFor({ site: { host: '', url: 'not a url' } }));
    expect(f).toHaveLength(1);
    expect(f[0].evidence.unverified).toBe(true);
    expect(() => findingsOf(domain, ctxFor({ site: { host: 'bad host name with spaces' } }))).not.toThrow();
  });
});
