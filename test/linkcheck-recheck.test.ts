import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawlSite } from '../src/collect/crawl.ts';
import { HostLimiter } from '../src/collect/hosts.ts';
import { HttpClient } from '../src/collect/http.ts';
import { LinkChecker } from '../src/collect/linkcheck.ts';
import type { LinkResult } from '../src/model.ts';

// A flaky path fails at first (503 to HEAD and the GET after it, or no answer at all); later requests succeed.
const seen = new Map<string, number>();
let server: http.Server;
let base = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = req.url ?? '/';
    const n = (seen.get(u) ?? 0) + 1;
    seen.set(u, n);
    if (u === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<html><body><a href="/slow.html">慢页面</a><img src="/flaky-503.png" alt="图">
        <a href="/files/flaky-hang.pdf">附件</a><a href="/always-502.html">坏网关</a><a href="/gone.html">不存在</a></body></html>`);
    } else if ((u === '/flaky-503.png' && n <= 2) || u === '/always-502.html') {
      res.writeHead(u === '/always-502.html' ? 502 : 503, { 'content-type': 'text/html' });
      res.end('busy');
    } else if ((u === '/files/flaky-hang.pdf' || u === '/slow.html') && n === 1) {
      // no answer: the client's deadline passes
    } else if (u.startsWith('/search.do')) {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('keyword required');
    } else if (u === '/gone.html' || u === '/nosuch.do') {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('not found');
    } else {
      res.writeHead(200, { 'content-type': u.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : u.endsWith('.html') ? '<html><body>正文内容</body></html>' : 'data');
    }
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('transient failures are checked a second time', () => {
  it('a 503 or a hang that passes is not broken; a persistent 502 and a 404 are', async () => {
    const last = new Map<string, LinkResult>();
    const summary = await crawlSite({
      startUrl: `${base}/`, maxPages: 10, timeoutMs: 400, linkTimeoutMs: 400, recheckDelayMs: 20,
      onLinkResult: (r) => last.set(r.target.replace(base, ''), r),
    });
    expect(last.get('/flaky-503.png')).toMatchObject({ outcome: 'ok' });
    expect(last.get('/files/flaky-hang.pdf')).toMatchObject({ outcome: 'ok' });
    expect(last.get('/slow.html')).toMatchObject({ outcome: 'ok' }); // a page of the site that timed out once
    expect(last.get('/always-502.html')).toMatchObject({ outcome: 'broken', status: 502 });
    expect(last.get('/always-502.html')!.detail).toMatch(/failed again when checked a second time/);
    expect(last.get('/gone.html')).toMatchObject({ outcome: 'broken', status: 404 });
    expect(last.get('/gone.html')!.detail).not.toMatch(/again/); // a 404 is not transient: checked once
    expect(summary.brokenLinks).toBe(2);
    expect(seen.get('/gone.html')).toBe(1);
  });
});

describe('form actions are requested without the visitor input', () => {
  it('a search endpoint that errors without a keyword is unverified; a missing endpoint is broken', async () => {
    const client = new HttpClient({});
    try {
      const lc = new LinkChecker({ http: client, limiter: new HostLimiter(2, 0), timeoutMs: 2000, recheckDelayMs: 10 });
      expect(await lc.check(`${base}/search.do`, 'form')).toMatchObject({ outcome: 'unverified', error: 'form-without-input', status: 500 });
      expect(await lc.check(`${base}/nosuch.do`, 'form')).toMatchObject({ outcome: 'broken', status: 404 });
      // The same answers to a link are broken.
      expect(await lc.check(`${base}/search.do?x=1`, 'a')).toMatchObject({ outcome: 'broken', status: 500 });
    } finally {
      await client.close();
    }
  });
});
