/**
 * Network faults on loopback, for tests of the collectors (crawler, link checker, probe, audit):
 *
 * - `startNetFaults()`: an HTTP server on 127.0.0.1 (ephemeral port) with
 *     /big-headers/<KB>     200 HTML whose response headers are about <KB> KB (one big cookie, as real portals send)
 *     /chain/<n>            a chain of n redirects (302 /chain/n → /chain/n-1 … → /chain/0, a 200 page)
 *     pages                 path → HTML (200) or path → status number (that status with a short body)
 *     resetFirst            path → how many first requests of that path are answered by a TCP reset
 *   and counts requests per path (`hits`).
 * - `fakeLookup()`: a DNS lookup function (what `net.connect({ lookup })`, undici and node:http agents call) answering
 *   from a table: an address, an error code (ENOTFOUND, EAI_AGAIN …), or a list of answers used in turn (the last one
 *   repeats), e.g. `{ 'www.a.test': ['EAI_AGAIN', '127.0.0.1'] }` fails once, then resolves.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NetFaultsOptions {
  pages?: Record<string, string | number>;
  resetFirst?: Record<string, number>;
}

export interface NetFaultsServer {
  url: string;
  port: number;
  hits: Map<string, number>;
  close(): Promise<void>;
}

const HTML = { 'content-type': 'text/html; charset=utf-8' };

export async function startNetFaults(o: NetFaultsOptions = {}): Promise<NetFaultsServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    if (n <= (o.resetFirst?.[path] ?? 0)) {
      req.socket.resetAndDestroy();
      return;
    }
    let m = /^\/big-headers\/(\d+)$/.exec(path);
    if (m) {
      const kb = Number(m[1]);
      // Several cookies of 4 KB each (one header line stays under any per-line limit; the total is what counts).
      const cookies: string[] = [];
      for (let i = 0; i * 4 < kb; i++) cookies.push(`c${i}=${'x'.repeat(Math.min(4, kb - i * 4) * 1024 - 8)}; Path=/`);
      res.writeHead(200, { ...HTML, 'set-cookie': cookies });
      res.end(req.method === 'HEAD' ? undefined : `<html><head><title>大响应头页面</title></head><body><p>正文：本页响应头约 ${kb} KB。</p></body></html>`);
      return;
    }
    m = /^\/chain\/(\d+)$/.exec(path);
    if (m) {
      const left = Number(m[1]);
      if (left > 0) {
        res.writeHead(302, { location: `/chain/${left - 1}` });
        res.end();
      } else {
        res.writeHead(200, HTML);
        res.end(req.method === 'HEAD' ? undefined : '<html><head><title>跳转终点</title></head><body><p>经过多次跳转后到达的正常页面。</p></body></html>');
      }
      return;
    }
    const page = o.pages?.[path];
    if (typeof page === 'string') {
      res.writeHead(200, HTML);
      res.end(req.method === 'HEAD' ? undefined : page);
      return;
    }
    const status = typeof page === 'number' ? page : 404;
    res.writeHead(status, HTML);
    res.end(req.method === 'HEAD' ? undefined : `<html><head><title>${status}</title></head><body>${status}</body></html>`);
  });
  server.keepAliveTimeout = 200;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { fakeLookup, type LookupCounts } from './hostile-server.ts';
