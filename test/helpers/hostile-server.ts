import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';

/**
 * A hostile web server on loopback for tests: odd shapes, sizes and behaviours real government servers show (content
 * after </html>, "404" in ordinary text, pages past the read cap, empty or mislabelled homepages, srcset, meta refresh,
 * malformed hrefs …). One route table: a route is a path (exact match, query ignored) and a handler; each scenario
 * lives under its own path prefix, so a test audits `server.url + '/<scenario>/'` as a site of its own and its links
 * stay inside the scenario. Add a scenario by adding routes to HOSTILE_ROUTES (or pass extra routes to
 * startHostileServer). Everything unknown is a plain 404. Network faults (20 KB headers, a 15-hop chain, a homepage
 * that resets once) are routes too; a resolver answering EAI_AGAIN is `fakeLookup` below (pass it as `lookup`).
 */

export interface HostileRequest {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  /** How many times this path was requested so far, this request included (1 on the first request). */
  hits: number;
}

export type HostileRoute = (x: HostileRequest) => void | Promise<void>;

export interface HostileServer {
  /** http://127.0.0.1:<port> (no trailing slash). */
  url: string;
  /** Requests seen for a path (query ignored). */
  hits(path: string): number;
  close(): Promise<void>;
}

/** Sends an HTML page (UTF-8). */
export function sendHtml(res: http.ServerResponse, body: string, o: { status?: number; headers?: Record<string, string> } = {}): void {
  const buf = Buffer.from(body, 'utf8');
  res.writeHead(o.status ?? 200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(buf.length), ...o.headers });
  res.end(buf);
}

/** Streams `total` bytes made of `head`, repeated `filler` and `tail` (pages larger than the crawler's read cap). */
export function streamHtml(res: http.ServerResponse, head: string, filler: string, total: number, tail: string): void {
  const h = Buffer.from(head);
  const f = Buffer.from(filler.repeat(Math.max(1, Math.floor(64 * 1024 / Buffer.byteLength(filler)))));
  const t = Buffer.from(tail);
  const middle = Math.max(0, total - h.length - t.length);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(h.length + middle + t.length) });
  res.write(h);
  let left = middle;
  const pump = () => {
    while (left > 0) {
      const chunk = left >= f.length ? f : f.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end(t);
  };
  res.on('error', () => undefined);
  pump();
}

/** A small government-looking page: title, header, navigation, `body`, and a complete footer (unless `footer` is ''). */
export function govPage(title: string, body: string, o: { footer?: string; head?: string } = {}): string {
  const footer = o.footer ?? FOOTER;
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title>${o.head ?? ''}</head><body>` +
    `<div class="header"><h1>青山市人民政府</h1></div>${body}${footer}</body></html>`;
}

export const FOOTER =
  '<div class="footer">主办单位：青山市人民政府办公室 联系电话：0739-1234567 网站标识码：4399000001 湘ICP备00000001号 湘公网安备43999902000001号</div>';

const memo = new Map<string, string>();
const once = (key: string, make: () => string) => memo.get(key) ?? (memo.set(key, make()), memo.get(key)!);

/** Bytes of the "content after </html>" page: just under the crawler's 5 MB read cap. */
export const AFTER_HTML_BYTES = 5_000_000;
/** Bytes of the truncated page: well past the 5 MB cap, its footer at the very end. */
export const TRUNCATED_BYTES = 8_700_000;

/**
 * A homepage whose content goes on after </html>: a normal page, then thousands of top-level list rows (an endless
 * template loop, a CMS appending to the file) up to `bytes`, the footer last. `wrapper: false` drops html/body.
 */
export function afterHtmlPage(prefix: string, bytes: number, wrapper = true): string {
  const head = wrapper
    ? `<!DOCTYPE html><html><head><meta charset="utf-8"><title>青山市人民政府</title></head><body><div class="header"><h1>青山市人民政府</h1></div>` +
      `<div class="nav"><a href="${prefix}">首页</a> <a href="${prefix}list.html">通知公告</a></div></body></html>\n`
    : `<title>青山市人民政府</title><div class="header"><h1>青山市人民政府</h1></div><div class="nav"><a href="${prefix}">首页</a></div>\n`;
  const rows: string[] = [];
  let size = Buffer.byteLength(head) + Buffer.byteLength(FOOTER);
  for (let n = 0; size < bytes - 200; n++) {
    const row = `<div class="item"><a href="${prefix}list.html">青山市政务信息第${n}条</a><span>2021-06-${String((n % 9) + 1).padStart(2, '0')}</span></div>\n`;
    rows.push(row);
    size += Buffer.byteLength(row);
  }
  return head + rows.join('') + FOOTER;
}

/** A short page that mentions "404" the ordinary way (a room, a bus line, a document number, a list item, a query). */
export function ordinary404Page(prefix: string): string {
  return govPage('青山市人民政府',
    `<div class="nav"><a href="${prefix}">首页</a> <a href="${prefix}list.html">信息公开</a> <a href="${prefix}cal.html?day=404">活动日历</a></div>` +
    '<p>办公地址：青山市人民路1号行政中心 404 室</p><p>乘坐公交 404 路到市政府站下车</p>' +
    '<p>最新文件：湘青政发〔2021〕404号</p>');
}

function html(body: string | (() => string), o: { status?: number; headers?: Record<string, string> } = {}): HostileRoute {
  return ({ res }) => sendHtml(res, typeof body === 'function' ? body() : body, o);
}

function notFound(): HostileRoute {
  return ({ res }) => sendHtml(res, '<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>', { status: 404 });
}

function image(): HostileRoute {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  return ({ res }) => {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
    res.end(png);
  };
}

/** Pages of issue 19's cases (srcset, picture, meta refresh, malformed and harmless hrefs). */
export const I19_HOME = (p: string) => govPage('青山市人民政府',
  `<div class="nav"><a href="${p}">首页</a> <a href="${p}refresh-missing.html">旧版页面</a> <a href="${p}refresh-ok.html">新版页面</a> ` +
  `<a href="${p}refresh-slow.html">五秒以上跳转</a></div>` +
  `<img src="${p}img/banner.png" srcset="${p}img/banner.png 1x, ${p}img/banner@2x.png 2x, ${p}img/missing@2x.png 3x" alt="横幅">` +
  `<picture><source type="image/webp" srcset="${p}img/missing.webp"><source type="image/png" srcset="${p}img/photo.png 800w"><img src="${p}img/photo.png" alt="风景"></picture>` +
  // five malformed hrefs
  '<ul class="bad"><li><a href="//////">斜杠</a></li><li><a href="http://">空地址</a></li><li><a href="http://exa mple">空格</a></li>' +
  '<li><a href="http://[::1/">方括号未闭合</a></li><li><a href="http://www.qs.gov.cn]/">多余方括号</a></li></ul>' +
  // five harmless pseudo-links
  '<ul class="ok"><li><a href="javascript:void(0)">收藏</a></li><li><a href="mailto:qs@qs.gov.cn">写信</a></li>' +
  '<li><a href="tel:0739-1234567">电话</a></li><li><a href="">空</a></li><li><a href="#">顶部</a></li></ul>');

export const HOSTILE_ROUTES: Record<string, HostileRoute> = {
  // 11.1 — content after </html> (5 MB), and the same without an html/body wrapper.
  '/after-html/': html(() => once('after-html', () => afterHtmlPage('/after-html/', AFTER_HTML_BYTES))),
  '/after-html/list.html': html(govPage('通知公告', '<ul><li><a href="/after-html/">返回首页</a><span>2021-06-10</span></li></ul>')),
  '/no-wrapper/': html(() => once('no-wrapper', () => afterHtmlPage('/no-wrapper/', AFTER_HTML_BYTES, false))),
  '/no-wrapper/list.html': html(govPage('通知公告', '<ul><li><a href="/no-wrapper/">返回首页</a></li></ul>')),

  // 11.2 — "404" in ordinary text on a short homepage and a short list page.
  '/ordinary-404/': html(ordinary404Page('/ordinary-404/')),
  '/ordinary-404/list.html': html(govPage('信息公开', '<ul><li>信息404</li><li><a href="/ordinary-404/doc.html">湘青政发〔2021〕404号</a></li></ul>')),
  '/ordinary-404/cal.html': html(govPage('活动日历', '<p>第 404 期活动安排</p>')),
  '/ordinary-404/doc.html': html(govPage('关于印发办法的通知', '<p>湘青政发〔2021〕404号</p>')),

  // 11.5 — a page cut at the 5 MB read cap: its footer comes after 8.7 MB.
  '/truncated/': ({ res }) =>
    streamHtml(res,
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>青山市人民政府</title></head><body><div class="header"><h1>青山市人民政府</h1></div>' +
      '<div class="nav"><a href="/truncated/">首页</a></div><div class="list">',
      '<p>青山市政务信息公开内容（长页面）</p>\n', TRUNCATED_BYTES, `</div>${FOOTER}</body></html>`),

  // 11.6 — an empty 200 homepage, and an HTML page served as image/png.
  '/empty/': ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': '0' });
    res.end();
  },
  '/png-html/': ({ res }) => {
    const body = Buffer.from(govPage('青山市人民政府', '<p>首页</p>'));
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(body.length) });
    res.end(body);
  },

  // Issue 19 — srcset, picture, meta refresh, malformed hrefs, harmless pseudo-links.
  '/i19/': html(I19_HOME('/i19/')),
  '/i19/img/banner.png': image(),
  '/i19/img/banner@2x.png': image(),
  '/i19/img/photo.png': image(),
  '/i19/refresh-missing.html': html(govPage('跳转中', '<p>正在跳转…</p>', { head: '<meta http-equiv="refresh" content="0; url=/i19/gone.html">' })),
  '/i19/refresh-ok.html': html(govPage('跳转中', '<p>正在跳转…</p>', { head: '<meta http-equiv="Refresh" content="1;URL=\'/i19/ok.html\'">' })),
  '/i19/ok.html': html(govPage('新版页面', '<p>新版页面内容</p>')),
  '/i19/refresh-slow.html': html(govPage('即将跳转', '<p>本页面将在 30 秒后跳转到新地址。</p>', { head: '<meta http-equiv="refresh" content="30; url=/i19/gone-later.html">' })),
  // A short working start page whose links say "Not Found" and "404".
  '/i19-short/': html(govPage('青山市人民政府', '<a href="/i19-short/a.html">Not Found</a> <a href="/i19-short/b.html">404</a>')),
  '/i19-short/a.html': html(govPage('说明', '<p>说明页面</p>')),
  '/i19-short/b.html': html(govPage('说明', '<p>说明页面（二）</p>')),
  '/i19/gone.html': notFound(),

  // 11.3 — response headers of 20 KB (a big cookie) on a homepage and a linked page: Chromium opens both.
  '/big-headers/': bigHeaders(govPage('青山市人民政府', '<p>首页</p><a href="/big-headers/page.html">通知公告</a>'), 20),
  '/big-headers/page.html': bigHeaders(govPage('通知公告', '<p>通知公告</p>'), 20),
  // 11.3 — a homepage linking a 15-hop redirect chain (Chromium follows 20).
  '/chain/': html(govPage('青山市人民政府', '<p>首页</p><a href="/chain/15">旧版网站</a>')),
  ...Object.fromEntries(Array.from({ length: 16 }, (_, n) => [`/chain/${n}`, chainHop(n)])),
  // 11.7 — a page linking another host name; with `fakeLookup({ 'flaky.test': ['EAI_AGAIN', '127.0.0.1'] })` its first
  // lookup fails temporarily, the second resolves (the link is rechecked, not broken).
  '/dns/': ({ req, res }) => sendHtml(res, govPage('青山市人民政府', `<p>首页</p><a href="http://flaky.test:${req.socket.localPort}/dns/ok.html">友情链接</a>`)),
  '/dns/ok.html': html(govPage('友情链接', '<p>正常页面</p>')),
  // 11.9 — a homepage whose first request is answered by a TCP reset.
  '/reset-once/': ({ req, res, hits }) => {
    if (hits === 1) return void req.socket.resetAndDestroy();
    sendHtml(res, govPage('青山市人民政府', '<p>首页</p>'));
  },
};

/** A page sent with about `kb` KB of response headers (several 4 KB cookies, as real portals send). */
function bigHeaders(body: string, kb: number): HostileRoute {
  const cookies: string[] = [];
  for (let i = 0; i * 4 < kb; i++) cookies.push(`c${i}=${'x'.repeat(Math.min(4, kb - i * 4) * 1024 - 8)}; Path=/`);
  return ({ res }) => {
    const buf = Buffer.from(body, 'utf8');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(buf.length), 'set-cookie': cookies });
    res.end(buf);
  };
}

/** /chain/n redirects to /chain/n-1; /chain/0 is a page. */
function chainHop(n: number): HostileRoute {
  return ({ res }) => {
    if (n === 0) return sendHtml(res, govPage('新版网站', '<p>经过多次跳转后到达的正常页面。</p>'));
    res.writeHead(302, { location: `/chain/${n - 1}` });
    res.end();
  };
}

export async function startHostileServer(routes: Record<string, HostileRoute> = HOSTILE_ROUTES): Promise<HostileServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const n = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, n);
    const route = routes[url.pathname];
    res.on('error', () => undefined);
    if (!route) return sendHtml(res, '<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>', { status: 404 });
    Promise.resolve(route({ req, res, url, hits: n })).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (p) => hits.get(p) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A DNS lookup function (what `net.connect({ lookup })`, undici and node:http agents call) answering from a table: an
 * address, an error code (ENOTFOUND, EAI_AGAIN …), or a list of answers used in turn (the last one repeats), e.g.
 * `{ 'www.a.test': ['EAI_AGAIN', '127.0.0.1'] }` fails once, then resolves.
 */
type Answer = string; // an IPv4/IPv6 address, or an error code such as ENOTFOUND / EAI_AGAIN

/** The number of lookups made per host name (for assertions). */
export type LookupCounts = Map<string, number>;

export function fakeLookup(table: Record<string, Answer | Answer[]>, opts: { otherwise?: Answer } = {}): LookupFunction & { counts: LookupCounts } {
  const counts: LookupCounts = new Map();
  const fn = ((hostname: string, options: unknown, cb?: unknown) => {
    const callback = (typeof options === 'function' ? options : cb) as (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    const host = hostname.toLowerCase();
    const n = counts.get(host) ?? 0;
    counts.set(host, n + 1);
    const entry = table[host] ?? opts.otherwise ?? 'ENOTFOUND';
    const list = Array.isArray(entry) ? entry : [entry];
    const answer = list[Math.min(n, list.length - 1)];
    process.nextTick(() => {
      if (/^E[A-Z_]+$/.test(answer)) {
        const e = Object.assign(new Error(`getaddrinfo ${answer} ${hostname}`), { code: answer, errno: -3001, syscall: 'getaddrinfo', hostname });
        callback(e);
        return;
      }
      const family = answer.includes(':') ? 6 : 4;
      if (all) callback(null, [{ address: answer, family }]);
      else callback(null, answer, family);
    });
  }) as LookupFunction & { counts: LookupCounts };
  fn.counts = counts;
  return fn;
}
