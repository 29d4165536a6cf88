import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../src/audit/run.ts';
import { Store } from '../src/store/store.ts';
import { entryPageTarget } from '../src/analyze/entry-page.ts';
import { extractLinks } from '../src/analyze/links.ts';
import { loadHtml } from '../src/analyze/dom.ts';
import { DEFAULT_CHROMIUM_PATH } from '../src/collect/browser.ts';

// A site that opens on a welcome page (引导页): a picture and 「进入网站」. The portal one click further is the
// homepage an inspector scores; the welcome page must not lose the homepage's points (footer items, 找错, page tags).
const PORTAL = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>青山市人民政府门户网站</title>
<meta name="SiteName" content="青山市人民政府"><meta name="SiteDomain" content="www.qingshan.gov.cn"><meta name="SiteIDCode" content="4300000001"></head><body>
<div class="header"><h1>青山市人民政府</h1></div>
<ul class="nav"><li><a href="/index.html">首页</a></li><li><a href="/zjqs/">走进青山</a></li><li><a href="/zwgk/">政务公开</a></li></ul>
<ul class="news"><li><a href="/a.html">关于做好2021年防汛工作的通知</a><span>2021-06-10</span></li></ul>
<div class="footer">主办单位：青山市人民政府办公室 联系电话：0731-1234567 网站标识码：4300000001 湘ICP备12345678号 湘公网安备43010202000001号
<a href="/jiucuo.html">我为政府网站找错</a> <a href="http://bszs.conac.cn/sitename?method=show&amp;id=1"><img src="/red.png" alt="党政机关"></a></div></body></html>`;
const WELCOME = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>青山市人民政府欢迎您</title></head>
<body style="background:#c00"><div class="welcome"><a href="/index.html"><img src="/enter.png" alt="进入网站"></a></div></body></html>`;
const FOOTER = PORTAL.slice(PORTAL.indexOf('<div class="footer">'), PORTAL.indexOf('</body>'));
const page = (t: string) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${t}</title></head><body><h1>${t}</h1><p>${t}的内容。</p>${FOOTER}</body></html>`;

let server: http.Server;
let base = '';
const dir = mkdtempSync(path.join(os.tmpdir(), 'govsite-entry-'));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = req.url ?? '/';
    const send = (status: number, body: string, type = 'text/html; charset=utf-8') => res.writeHead(status, { 'content-type': type }).end(req.method === 'HEAD' ? undefined : body);
    if (u === '/') return send(200, WELCOME);
    if (u === '/index.html') return send(200, PORTAL);
    if (u === '/enter.png' || u === '/red.png') return send(200, 'png', 'image/png');
    const names: Record<string, string> = { '/zjqs/': '走进青山', '/zwgk/': '政务公开', '/a.html': '关于做好2021年防汛工作的通知', '/jiucuo.html': '我为政府网站找错' };
    if (names[u]) return send(200, page(names[u]));
    send(404, 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const FOOTER_CHECKS = /^(footer-|error-report-entry$|page-tags$)/;
/** Footer and 找错 findings, and page-tag findings of the homepage (the inner pages carry the portal's footer). */
const homepageFooterFindings = (r: Awaited<ReturnType<typeof runAudit>>) =>
  r.findings.filter((f) => FOOTER_CHECKS.test(f.check) && (f.check !== 'page-tags' || f.url === base || f.url === `${base}index.html`));

async function audit(name: string, browser: boolean) {
  const db = path.join(dir, `${name}.db`);
  const report = await runAudit({ url: base, dbFile: db, browser, network: false, maxPages: 20, asOf: '2021-06-15', screenshotDir: path.join(dir, name) });
  const store = Store.open(db);
  try {
    const pages = [...store.iteratePages(report.runId!, { includeSoft404: true })].map((p) => ({ url: p.url, home: p.isHomepage }));
    return { report, pages };
  } finally {
    store.close();
  }
}

describe('an entry page (引导页) at the start address', () => {
  it('the portal it enters is audited as the homepage; the welcome page loses no homepage point; the report says so', async () => {
    const { report, pages } = await audit('static', false);
    expect(pages.find((p) => p.home)?.url).toBe(`${base}index.html`);
    expect(pages.some((p) => p.url === base)).toBe(false);
    expect(homepageFooterFindings(report)).toEqual([]);
    expect(report.notes?.join('\n')).toContain(`${base} 为引导页（仅有“进入网站”一类链接），按其进入的页面 ${base}index.html 作为首页检查`);
  });

  it.skipIf(!existsSync(process.env.GOVSITE_CHROMIUM ?? DEFAULT_CHROMIUM_PATH))('with the browser: the homepage screenshot and confirmations are of the portal', async () => {
    const { report } = await audit('browser', true);
    expect(homepageFooterFindings(report)).toEqual([]);
    expect(report.screenshot).toBeTruthy();
  }, 60_000);
});

describe('entryPageTarget', () => {
  const inScope = (u: string) => u.startsWith('http://x.gov.cn/');
  const target = (html: string, url = 'http://x.gov.cn/') => {
    const $ = loadHtml(html);
    return entryPageTarget($, extractLinks($, url), url, inScope);
  };

  it('finds the entry: an image link 「进入网站」, a text link 进入首页, an iframe around the portal, one link to an index page', () => {
    expect(target(WELCOME.replace('/index.html', 'http://x.gov.cn/index.html'))).toBe('http://x.gov.cn/index.html');
    expect(target('<body><p>欢迎访问</p><a href="/portal/">进入首页</a> <a href="/en/">English</a></body>')).toBe('http://x.gov.cn/portal/');
    expect(target('<body><iframe src="/portal/index.shtml" width="100%" height="100%"></iframe></body>')).toBe('http://x.gov.cn/portal/index.shtml');
    expect(target('<body><a href="/main.html"><img src="/bg.jpg"></a></body>')).toBe('http://x.gov.cn/main.html');
  });

  it('is not an entry page: a real homepage, a page of many links, only another language or the mobile version', () => {
    expect(target(PORTAL.replaceAll('/', 'http://x.gov.cn/').replace('http://x.gov.cn/index.html', '/index.html'))).toBeUndefined();
    expect(target(`<body>${Array.from({ length: 6 }, (_, i) => `<a href="/c${i}/">栏目${i}</a>`).join('')}<a href="/index.html">进入</a></body>`)).toBeUndefined();
    expect(target('<body><a href="/en/index.html">English</a></body>')).toBeUndefined();
    expect(target('<body><a href="/wap/index.html">手机版</a></body>')).toBeUndefined();
    expect(target('<body><a href="/news/123.html">通知</a></body>')).toBeUndefined();
    // A script-drawn homepage with a few static links, one of them the usual 「首页」: not an entry page.
    expect(target('<body><div id="app"></div><a href="/index.html">首页</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></body>')).toBeUndefined();
    expect(target(`<body><p>${'正文内容，'.repeat(60)}</p><a href="/index.html">进入首页</a></body>`)).toBeUndefined();
  });
});
