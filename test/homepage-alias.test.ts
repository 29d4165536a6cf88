import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../src/audit/run.ts';
import { Store } from '../src/store/store.ts';
import { homepageSignature, isHomepageAlias } from '../src/collect/homepage-alias.ts';
import type { FetchResult } from '../src/collect/http.ts';

// The same homepage under a second address must not be analysed (and deducted) twice: the static homepage is linked
// as /index.html (identical bytes), the dynamic one as /index.shtml (a clock makes every response differ); two links
// that redirect to one article, and two that redirect to one error page, are one page each.
const head = (title: string) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>`;
const STATIC_HOME = `${head('青山市人民政府')}<div class="nav"><a href="/index.html">首页</a> <a href="/a.html">政务公开</a>
<a href="/old.html">旧地址文章</a> <a href="/gone1.html">失效一</a> <a href="/gone2.html">失效二</a> <a href="/zwgk/index.html">栏目</a> <a href="/a.html?from=home">分享</a> <a href="/x/same.html">甲</a> <a href="/y/same.html">乙</a></div>
<ul><li><a href="/a.html">关于做好2021年防汛工作的通知</a><span>2021-06-10</span></li></ul>
<div class="footer">主办单位：青山市人民政府办公室</div></body></html>`;
const ARTICLE = `${head('关于做好2021年防汛工作的通知')}<h1>关于做好2021年防汛工作的通知</h1><p>发布时间：2021-06-10</p><p>正文内容，各单位认真落实。</p></body></html>`;
const ERROR = `${head('404 页面不存在')}<h1>404</h1><p>您访问的页面不存在或已被删除。</p></body></html>`;
const SAME = `${head('通知公告 - 青山市人民政府')}<ul><li><a href="only.html">本栏目说明页面</a></li></ul></body></html>`;
const COLUMN = `${head('政务公开 - 青山市人民政府')}<ul><li><a href="/a.html">关于做好2021年防汛工作的通知</a> 2021-06-10</li></ul></body></html>`;

let n = 0;
const dynamicHome = () =>
  `${head('青山市人民政府')}<div>当前时间：2021年06月15日 10:${String(n++ % 60).padStart(2, '0')}:00 访问量 ${1000 + n}</div>
<a href="/index.shtml">首页</a> <a href="/default.html">另一个页面</a> <a href="/a.html">通知</a></body></html>`;

let server: http.Server;
let staticBase = '';
let dynamicBase = '';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-alias-'));

function serve(port: number | undefined, handler: (url: string) => { status: number; body?: string; location?: string }) {
  const s = http.createServer((req, res) => {
    const r = handler(req.url ?? '/');
    res.writeHead(r.status, { 'content-type': 'text/html; charset=utf-8', ...(r.location ? { location: r.location } : {}) });
    res.end(req.method === 'HEAD' ? undefined : r.body ?? '');
  });
  return new Promise<http.Server>((ok) => s.listen(port ?? 0, '127.0.0.1', () => ok(s)));
}
let dynServer: http.Server;

beforeAll(async () => {
  server = await serve(undefined, (u) => {
    if (u === '/' || u === '/index.html') return { status: 200, body: STATIC_HOME };
    if (u === '/a.html' || u === '/a.html?from=home') return { status: 200, body: ARTICLE };
    if (u === '/zwgk/index.html') return { status: 200, body: COLUMN };
    if (u === '/old.html') return { status: 301, location: '/a.html' };
    if (u === '/gone1.html' || u === '/gone2.html') return { status: 302, location: '/404.html' };
    if (u === '/404.html') return { status: 200, body: ERROR };
    // The same bytes in two directories: their relative links lead to different pages.
    if (u === '/x/same.html' || u === '/y/same.html') return { status: 200, body: SAME };
    if (u === '/x/only.html' || u === '/y/only.html') return { status: 200, body: `${head(u)}<p>${u}</p></body></html>` };
    return { status: 404, body: 'not found' };
  });
  staticBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  dynServer = await serve(undefined, (u) => {
    if (u === '/' || u === '/index.shtml') return { status: 200, body: dynamicHome() };
    if (u === '/default.html') return { status: 200, body: `${head('专题专栏')}<p>另一个页面</p></body></html>` };
    if (u === '/a.html') return { status: 200, body: ARTICLE };
    return { status: 404, body: 'not found' };
  });
  dynamicBase = `http://127.0.0.1:${(dynServer.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.close();
  dynServer.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function storedUrls(db: string, runId: number): string[] {
  const store = Store.open(db);
  try {
    return [...store.iteratePages(runId, { includeSoft404: true })].map((p) => p.url).sort();
  } finally {
    store.close();
  }
}

describe('the same page under a second address', () => {
  it('static homepage linked as /index.html: analysed once, its link checked, the report says so', async () => {
    const db = path.join(dir, 's.db');
    const report = await runAudit({ url: staticBase, dbFile: db, browser: false, network: false, maxPages: 20, asOf: '2021-06-15' });
    const urls = storedUrls(db, report.runId!);
    expect(urls).not.toContain(`${staticBase}index.html`);
    // /old.html and /a.html end on one page, /a.html?from=home serves its bytes; /gone1 and /gone2 end on one error
    // page: each stored once.
    expect(urls.filter((u) => u.includes('/a.html') || u.endsWith('/old.html'))).toHaveLength(1);
    expect(urls.filter((u) => u.includes('/gone'))).toHaveLength(1);
    // The same bytes in another directory are another page: both stored, and the pages their relative links reach.
    for (const p of ['x/same.html', 'y/same.html', 'x/only.html', 'y/only.html']) expect(urls).toContain(`${staticBase}${p}`);
    // No finding is reported on the second address of the homepage.
    expect(report.findings.filter((f) => f.url === `${staticBase}index.html`)).toEqual([]);
    // Page-level findings of the homepage appear once (page tags: the homepage lacks SiteName/SiteIDCode …).
    const tags = report.findings.filter((f) => f.check === 'page-tags');
    expect(new Set(tags.map((f) => f.url)).size).toBe(tags.length);
    // Links: the alias is fine, the moved article is fine, both links to the error page are broken.
    const broken = report.findings.filter((f) => f.check === 'broken-link').map((f) => f.target).sort();
    expect(broken).toEqual([`${staticBase}gone1.html`, `${staticBase}gone2.html`]);
    expect((report.notes ?? []).join('\n')).toMatch(/个地址打开的是已抓取的同一页面（如 http:\/\/127\.0\.0\.1:\d+\/index\.html 即首页）/);
  });

  it('dynamic homepage (a clock in it) as /index.shtml: the same title in the same directory is the homepage; another page is not', async () => {
    const db = path.join(dir, 'd.db');
    const report = await runAudit({ url: dynamicBase, dbFile: db, browser: false, network: false, maxPages: 20, asOf: '2021-06-15' });
    const urls = storedUrls(db, report.runId!);
    expect(urls).toContain(`${dynamicBase}default.html`);
    expect(urls).not.toContain(`${dynamicBase}index.shtml`);
    expect(report.findings.filter((f) => f.url === `${dynamicBase}index.shtml`)).toEqual([]);
  });
});

describe('isHomepageAlias', () => {
  const res = (finalUrl: string, body: string, status = 200): FetchResult =>
    ({ url: finalUrl, finalUrl, status, redirects: [], headers: {}, body: Buffer.from(body), bytes: body.length, startedAt: '', headersMs: 1, totalMs: 1 }) as unknown as FetchResult;
  const home = homepageSignature(res('http://x.gov.cn/', `${head('青山市人民政府')}时间 10:00</body></html>`))!;

  it('is the homepage: an index name beside it with the same title', () => {
    expect(isHomepageAlias(home, res('http://x.gov.cn/index.html', `${head('青山市人民政府')}时间 10:01</body></html>`))).toBe(true);
    expect(isHomepageAlias(home, res('http://x.gov.cn/Default.aspx', `${head(' 青山市人民政府 ')}时间 10:02</body></html>`))).toBe(true);
    expect(isHomepageAlias(home, res('https://www.x.gov.cn/', `${head('青山市人民政府')}时间 10:03</body></html>`))).toBe(true);
    expect(isHomepageAlias(home, res('https://www.x.gov.cn/index.shtml', `${head('青山市人民政府')}时间 10:04</body></html>`))).toBe(true);
  });

  it('is not: another title, another directory, another host, a query, an error status', () => {
    expect(isHomepageAlias(home, res('http://x.gov.cn/index.html', `${head('青山市人民政府 English')}x</body></html>`))).toBe(false);
    expect(isHomepageAlias(home, res('http://x.gov.cn/zwgk/index.html', `${head('青山市人民政府')}x</body></html>`))).toBe(false);
    expect(isHomepageAlias(home, res('http://y.gov.cn/index.html', `${head('青山市人民政府')}x</body></html>`))).toBe(false);
    expect(isHomepageAlias(home, res('http://x.gov.cn/index.html?lang=en', `${head('青山市人民政府')}x</body></html>`))).toBe(false);
    expect(isHomepageAlias(home, res('http://x.gov.cn/index.html', `${head('青山市人民政府')}x</body></html>`, 404))).toBe(false);
    expect(isHomepageAlias(home, res('http://x.gov.cn/', `${head('青山市人民政府')}时间 10:00</body></html>`))).toBe(false);
  });
});
