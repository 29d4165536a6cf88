import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findingsOf } from '../src/checks.ts';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { fetchVia, mapResolver, observeNetwork, systemResolver } from '../src/collect/network.ts';
import type { Resolver } from '../src/collect/network.ts';
import ipv6Check from '../checks/ipv6.ts';
import { makeContext, makePage } from './helpers/page.ts';

/** Can this machine listen on ::1? (Some containers have IPv6 disabled.) */
async function canBindV6(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '::1', port: 0, ipv6Only: true }, () => s.close(() => resolve(true)));
  });
}
const V6 = await canBindV6();
if (!V6) console.warn('[network.test] IPv6 tests skipped: cannot bind ::1 on this machine (IPv6 disabled)');

const HOME_HTML = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>示例市人民政府</title></head><body>
<a href="/xwzx/">新闻中心</a><a href="/202106/t20210610_7001.html">示例市召开全市政务公开工作会议</a>
<div class="footer">网站标识码：4399000001 湘ICP备12345678号-1</div></body></html>`;

interface Seen {
  host: string;
  family: string;
  path: string;
}
const seen: Seen[] = [];

/** One handler for every fixture listener; behaviour may depend on the address family the request came in on. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const family = req.socket.localFamily ?? (net.isIPv6(req.socket.localAddress ?? '') ? 'IPv6' : 'IPv4');
  const path = (req.url ?? '/').replace(/\?.*$/, '');
  seen.push({ host: String(req.headers.host ?? ''), family, path });
  const html = (body: string, status = 200, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...extra });
    res.end(body);
  };
  if (path === '/') return html(HOME_HTML);
  if (path === '/xwzx/' || path === '/202106/t20210610_7001.html' || path === '/202106/t20210611_7002.html') return html('<p>正文</p>');
  if (path === '/old-home') return html('', 301, { location: '/xwzx/' });
  if (path === '/elsewhere') return html('', 302, { location: 'http://www.other.gov.cn/' });
  if (path === '/v6broken.html') return family === 'IPv6' ? html('<p>错误</p>', 500) : html('<p>正文</p>');
  return html('<p>页面不存在</p>', 404);
}

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
let portV6 = 0; // www.v6.gov.cn: listening on ::1 AND 127.0.0.1 (same port)
let portV4 = 0; // www.v4only.gov.cn: 127.0.0.1 only
let portHang = 0; // accepts on ::1 and 127.0.0.1, never answers

async function listen(server: net.Server, host: string, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: host.includes(':') }, () => resolve());
  });
  servers.push(server);
  server.on('connection', (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  server.on('secureConnection', (sock: net.Socket) => sockets.add(sock));
  return (server.address() as AddressInfo).port;
}

async function closedPort(host: string): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen({ host, port: 0 }, () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  portV4 = await listen(http.createServer(handler), '127.0.0.1');
  if (V6) {
    portV6 = await listen(http.createServer(handler), '::1');
    await listen(http.createServer(handler), '127.0.0.1', portV6);
    const hang = net.createServer(() => undefined); // sockets stay open, nothing is written
    portHang = await listen(hang, '::1');
    await listen(net.createServer(() => undefined), '127.0.0.1', portHang);
  }
});

afterAll(async () => {
  for (const sock of sockets) sock.destroy();
  for (const s of servers) {
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

const resolver = mapResolver({
  'www.v6.gov.cn': { a: ['127.0.0.1'], aaaa: ['::1'] },
  'www.v4only.gov.cn': { a: ['127.0.0.1'] },
  'www.v6dead.gov.cn': { a: ['127.0.0.1'], aaaa: ['::1'] },
  'www.hang.gov.cn': { a: ['127.0.0.1'], aaaa: ['::1'] },
});

describe('mapResolver', () => {
  it('answers from the table, case- and trailing-dot-insensitive, and falls back', async () => {
    expect(await resolver.resolve6('WWW.V6.gov.cn.')).toEqual(['::1']);
    expect(await resolver.resolve4('www.v6.gov.cn')).toEqual(['127.0.0.1']);
    expect(await resolver.resolve6('www.v4only.gov.cn')).toEqual([]);
    expect(await resolver.resolve4('www.unknown.gov.cn')).toEqual([]);
    const fb: Resolver = { resolve4: async () => ['10.0.0.1'], resolve6: async () => ['fd00::1'] };
    const r = mapResolver({ 'www.v6.gov.cn': { aaaa: ['::1'] } }, fb);
    expect(await r.resolve4('www.v6.gov.cn')).toEqual([]); // listed host: no fallback
    expect(await r.resolve4('www.other.gov.cn')).toEqual(['10.0.0.1']);
    expect(await r.resolve6('www.other.gov.cn')).toEqual(['fd00::1']);
  });

  it('systemResolver exposes resolve4/resolve6', () => {
    expect(typeof systemResolver.resolve4).toBe('function');
    expect(typeof systemResolver.resolve6).toBe('function');
  });
});

describe('fetchVia', () => {
  it('connects to the given IPv4 address and sends the URL host in the Host header', async () => {
    const r = await fetchVia(`http://www.v4only.gov.cn:${portV4}/xwzx/`, '127.0.0.1', { timeoutMs: 3000 });
    expect(r.ok).toBe(true);
    expect(r.status).toBe(200);
    expect(r.bytes).toBeGreaterThan(0);
    expect(seen.at(-1)).toMatchObject({ host: `www.v4only.gov.cn:${portV4}`, family: 'IPv4', path: '/xwzx/' });
  });

  it('reports a refused port, an invalid address and an invalid URL without throwing', async () => {
    const refused = await fetchVia(`http://www.v4only.gov.cn:${await closedPort('127.0.0.1')}/`, '127.0.0.1', { timeoutMs: 3000 });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/^refused: /);
    expect((await fetchVia('http://www.v4only.gov.cn/', 'not-an-ip')).error).toMatch(/^invalid-address/);
    expect((await fetchVia('::not a url::', '127.0.0.1')).error).toMatch(/^invalid-url/);
    expect((await fetchVia('ftp://www.v4only.gov.cn/', '127.0.0.1')).error).toMatch(/^invalid-url/);
  });

  it('records HTTP errors as not ok', async () => {
    const r = await fetchVia(`http://www.v4only.gov.cn:${portV4}/missing.html`, '127.0.0.1', { timeoutMs: 3000 });
    expect(r).toMatchObject({ ok: false, status: 404, error: 'http-404' });
  });

  it('follows same-host redirects and accepts a redirect to another host as an answer', async () => {
    const same = await fetchVia(`http://www.v4only.gov.cn:${portV4}/old-home`, '127.0.0.1', { timeoutMs: 3000 });
    expect(same).toMatchObject({ ok: true, status: 200 });
    expect(seen.at(-1)?.path).toBe('/xwzx/');
    const other = await fetchVia(`http://www.v4only.gov.cn:${portV4}/elsewhere`, '127.0.0.1', { timeoutMs: 3000 });
    expect(other).toMatchObject({ ok: true, status: 302 });
  });

  describe.skipIf(!V6)('over IPv6 (::1)', () => {
    it('sends the right Host header over ::1', async () => {
      const r = await fetchVia(`http://www.v6.gov.cn:${portV6}/202106/t20210610_7001.html`, '::1', { timeoutMs: 3000 });
      expect(r).toMatchObject({ ok: true, status: 200 });
      expect(seen.at(-1)).toMatchObject({ host: `www.v6.gov.cn:${portV6}`, family: 'IPv6', path: '/202106/t20210610_7001.html' });
      // Also accepts the bracketed form of the address.
      expect((await fetchVia(`http://www.v6.gov.cn:${portV6}/`, '[::1]', { timeoutMs: 3000 })).ok).toBe(true);
    });

    it('sends the host name as TLS SNI for https', async () => {
      let sni = '';
      const server = tls.createServer({
        SNICallback: (name, cb) => {
          sni = name;
          cb(new Error('fixture has no certificate'));
        },
      });
      const port = await listen(server, '::1');
      const r = await fetchVia(`https://www.v6.gov.cn:${port}/`, '::1', { timeoutMs: 3000 });
      expect(r.ok).toBe(false);
      expect(sni).toBe('www.v6.gov.cn');
    });

    it('times out against a server that never answers (short timeout)', async () => {
      const r = await fetchVia(`http://www.hang.gov.cn:${portHang}/`, '::1', { timeoutMs: 300 });
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/^timeout: /);
    });

    it('refused over IPv6', async () => {
      const r = await fetchVia(`http://www.v6.gov.cn:${await closedPort('::1')}/`, '::1', { timeoutMs: 3000 });
      expect(r.error).toMatch(/^refused: /);
    });
  });
});

describe('observeNetwork', () => {
  it('v4-only host: A record, no AAAA, nothing fetched over IPv6; the ipv6 check reports it', async () => {
    const obs = await observeNetwork({
      homepageUrl: `http://www.v4only.gov.cn:${portV4}/`,
      internalLinks: [`http://www.v4only.gov.cn:${portV4}/xwzx/`],
      resolver,
      timeoutMs: 2000,
    });
    expect(obs).toMatchObject({ host: 'www.v4only.gov.cn', a: ['127.0.0.1'], aaaa: [], homepageV6: null, linksV6: null });
    expect(obs.dnsError).toBeUndefined();
    const ctx = makeContext([makePage(`http://www.v4only.gov.cn:${portV4}/`, HOME_HTML, { isHomepage: true })], { network: obs });
    const f = findingsOf(ipv6Check, ctx);
    expect(f).toHaveLength(1);
    expect(f[0].detail).toMatch(/no-aaaa/);
    expect(f[0].evidence.unverified).toBeUndefined();
  });

  it('unresolvable host: dnsError, no fetches', async () => {
    const obs = await observeNetwork({ homepageUrl: 'http://www.nowhere.gov.cn/', internalLinks: [], resolver, timeoutMs: 1000 });
    expect(obs.a).toEqual([]);
    expect(obs.aaaa).toEqual([]);
    expect(obs.dnsError).toMatch(/no-address/);
    expect(obs.homepageV6).toBeNull();
  });

  it('resolver failures and hangs are recorded, not thrown', async () => {
    const bad: Resolver = {
      resolve4: async () => ['127.0.0.1'],
      resolve6: async () => {
        throw Object.assign(new Error('queryAaaa ESERVFAIL www.x.gov.cn'), { code: 'ESERVFAIL' });
      },
    };
    const obs = await observeNetwork({ homepageUrl: 'http://www.x.gov.cn/', internalLinks: [], resolver: bad, timeoutMs: 1000 });
    expect(obs.a).toEqual(['127.0.0.1']);
    expect(obs.dnsError).toBe('aaaa: ESERVFAIL');

    const hanging: Resolver = { resolve4: () => new Promise(() => undefined), resolve6: () => new Promise(() => undefined) };
    const obs2 = await observeNetwork({ homepageUrl: 'http://www.x.gov.cn/', internalLinks: [], resolver: hanging, timeoutMs: 200 });
    expect(obs2.dnsError).toMatch(/^a: .*; aaaa: /);

    const invalid = await observeNetwork({ homepageUrl: 'not a url', internalLinks: [], resolver });
    expect(invalid.dnsError).toBe('invalid-url');
  });

  describe.skipIf(!V6)('with an IPv6 fixture on ::1', () => {
    it('v6 host: homepage over ::1, links sampled (same host only, broken-everywhere links left out)', async () => {
      const home = `http://www.v6.gov.cn:${portV6}/`;
      const links = [
        `${home}xwzx/`,
        `${home}202106/t20210610_7001.html`,
        `${home}202106/t20210611_7002.html`,
        `${home}202106/t20210610_7001.html#top`, // duplicate once the fragment is dropped
        `${home}gone.html`, // 404 over IPv4 too: not an IPv6 matter
        `${home}v6broken.html`, // fails over IPv6 only
        `${home}files/report.pdf`, // attachment: not sampled
        'http://www.other.gov.cn/xwzx/', // another host: not sampled
        home, // the homepage itself
      ];
      const before = seen.length;
      const obs = await observeNetwork({ homepageUrl: home, internalLinks: links, resolver, timeoutMs: 3000 });
      expect(obs).toMatchObject({ host: 'www.v6.gov.cn', a: ['127.0.0.1'], aaaa: ['::1'] });
      expect(obs.homepageV6).toMatchObject({ ok: true, status: 200 });
      expect(obs.linksV6).toEqual({ tried: 4, ok: 3, failures: [{ url: `${home}v6broken.html`, error: 'http-500' }] });
      const v6Paths = seen.slice(before).filter((s) => s.family === 'IPv6').map((s) => s.path);
      expect(v6Paths).toContain('/');
      expect(v6Paths).not.toContain('/files/report.pdf');
      expect(seen.slice(before).every((s) => s.host === `www.v6.gov.cn:${portV6}`)).toBe(true);

      // 3 of 4 = 75 % < 85 %, but a 4-link sample is too small to deduct: unverified.
      const ctx = makeContext([makePage(home, HOME_HTML, { isHomepage: true })], { network: obs });
      const f = findingsOf(ipv6Check, ctx);
      expect(f).toHaveLength(1);
      expect(f[0].evidence.unverified).toBe(true);
      // With a lower threshold the site passes.
      expect(findingsOf(ipv6Check, { ...ctx, options: { ...ctx.options, ipv6LinkThreshold: 0.7 } })).toEqual([]);
    });

    it('sample size bounds the links fetched', async () => {
      const home = `http://www.v6.gov.cn:${portV6}/`;
      const links = Array.from({ length: 12 }, (_, i) => `${home}xwzx/?page=${i}`);
      const obs = await observeNetwork({ homepageUrl: home, internalLinks: links, resolver, timeoutMs: 3000, sample: 5 });
      expect(obs.linksV6?.tried).toBe(5);
      expect(obs.linksV6?.ok).toBe(5);
    });

    it('AAAA pointing at a dead IPv6 service: homepage fails over IPv6, links not tried', async () => {
      // www.v6dead.gov.cn: AAAA ::1 but only the IPv4 fixture listens on this port.
      const home = `http://www.v6dead.gov.cn:${portV4}/`;
      const obs = await observeNetwork({ homepageUrl: home, internalLinks: [`${home}xwzx/`], resolver, timeoutMs: 2000 });
      expect(obs.aaaa).toEqual(['::1']);
      expect(obs.homepageV6?.ok).toBe(false);
      expect(obs.homepageV6?.error).toMatch(/^refused: /);
      expect(obs.linksV6).toBeNull();
      const f = findingsOf(ipv6Check, makeContext([makePage(home, HOME_HTML, { isHomepage: true })], { network: obs }));
      expect(f).toHaveLength(1);
      expect(f[0].detail).toMatch(/homepage does not load over IPv6/);
      expect(f[0].evidence.unverified).toBeUndefined();
    });

    it('hanging server: homepage times out over IPv6 and IPv4 → recorded as also failing over IPv4', async () => {
      const home = `http://www.hang.gov.cn:${portHang}/`;
      const obs = await observeNetwork({ homepageUrl: home, internalLinks: [`${home}xwzx/`], resolver, timeoutMs: 300 });
      expect(obs.homepageV6?.ok).toBe(false);
      expect(obs.homepageV6?.error).toMatch(/^also-fails-over-ipv4: over IPv6 timeout/);
      expect(obs.linksV6).toBeNull();
      const f = findingsOf(ipv6Check, makeContext([makePage(home, HOME_HTML, { isHomepage: true })], { network: obs }));
      expect(f[0].evidence.unverified).toBe(true);
    });
  });
});
