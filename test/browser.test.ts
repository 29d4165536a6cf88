import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHROMIUM_PATH, launchRenderer } from '../src/collect/browser.ts';
import type { Renderer } from '../src/collect/browser.ts';

const CHROMIUM = process.env.GOVSITE_CHROMIUM ?? DEFAULT_CHROMIUM_PATH;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.GOVSITE_REQUIRE_BROWSER === '1') throw new Error(`GOVSITE_REQUIRE_BROWSER=1 but no chromium at ${CHROMIUM}`);
if (!haveChromium) console.warn(`[browser.test] skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium, or set GOVSITE_CHROMIUM)`);

// A 1×1 transparent PNG.
const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const INDEX = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>示例市人民政府门户网站</title>
<meta name="SiteName" content="示例市人民政府门户网站"><meta name="SiteIDCode" content="4399000001"></head>
<body>
<div class="header"><h1>示例市人民政府</h1></div>
<div class="main"><ul>
<li><a href="/202106/t20210610_7001.html">示例市召开全市政务公开工作会议</a><span>2021-06-10</span></li>
</ul></div>
<div class="footer" id="footer">
<script type="text/javascript" src="/js/foot.js"></script>
<script id="_jiucuo_" sitecode="4399000001" src="/exposure/jiucuo.js"></script>
</div>
</body></html>`;

const FOOT_JS = `document.write('<div class="foot-info"><p>主办单位：示例市人民政府办公室　联系电话：0731-12345678</p>');
document.write('<p>网站标识码：4399000001　<a href="https://beian.miit.gov.cn/">湘ICP备12345678号-1</a></p></div>');`;

// Like the national jiucuo.js: finds its own <script> tag, then draws the entry (here a little later, as a timer).
const JIUCUO_JS = `(function(){
  var s = document.getElementById('_jiucuo_');
  var code = s ? s.getAttribute('sitecode') : '';
  setTimeout(function(){
    var a = document.createElement('a');
    a.href = '/exposure/jiucuo.html?site_code=' + code + '&url=' + encodeURIComponent(location.href);
    a.target = '_blank';
    a.innerHTML = '<img src="/exposure/jiucuo.png" alt="政府网站找错">';
    s.parentNode.insertBefore(a, s.nextSibling);
  }, 80);
})();`;

const TALL = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<div style="height:9000px;background:linear-gradient(#fff,#c00)">很长的页面</div></body></html>`;

const LOOP = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><p>busy</p>
<script>while (true) {}</script></body></html>`;

let server: http.Server;
let base = '';
let lastHost = '';
let slowNow = 0;
let slowMax = 0;
let tmp = '';

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'govsite-browser-'));
  server = http.createServer((req, res) => {
    lastHost = String(req.headers.host ?? '');
    const url = req.url ?? '/';
    const send = (type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
      res.writeHead(200, { 'content-type': type, ...extra });
      res.end(body);
    };
    if (url === '/') return send('text/html; charset=utf-8', INDEX);
    if (url === '/js/foot.js') return send('application/javascript; charset=utf-8', FOOT_JS);
    if (url === '/exposure/jiucuo.js') return send('application/javascript; charset=utf-8', JIUCUO_JS);
    if (url === '/exposure/jiucuo.png') return send('image/png', PNG_1PX);
    if (url === '/202106/t20210610_7001.html') return send('text/html; charset=utf-8', '<html><body><h1>示例市召开全市政务公开工作会议</h1></body></html>');
    if (url === '/tall.html') return send('text/html; charset=utf-8', TALL);
    if (url === '/loop.html') return send('text/html; charset=utf-8', LOOP);
    if (url === '/files/report.zip')
      return send('application/zip', Buffer.alloc(2048, 1), { 'content-disposition': 'attachment; filename="report.zip"' });
    if (url === '/hang') return; // never answers
    if (url.startsWith('/slow/')) {
      // Counts the slow pages being served at once: renders on several tabs overlap.
      slowNow++;
      slowMax = Math.max(slowMax, slowNow);
      setTimeout(() => {
        slowNow--;
        send('text/html; charset=utf-8', `<html><body><h1>慢页面 ${url}</h1></body></html>`);
      }, 400);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><body>页面不存在</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A port that was free a moment ago (listen, then close): connecting to it is refused. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function pngSize(buf: Buffer): { width: number; height: number } {
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('launchRenderer: unavailable', () => {
  it('returns {unavailable} for a missing executable', async () => {
    const r = await launchRenderer({ executablePath: '/nonexistent/bin/chromium-bogus' });
    expect('unavailable' in r).toBe(true);
    if ('unavailable' in r) expect(r.unavailable).toContain('/nonexistent/bin/chromium-bogus');
  });

  it('honours GOVSITE_CHROMIUM when no executablePath is given', async () => {
    const saved = process.env.GOVSITE_CHROMIUM;
    process.env.GOVSITE_CHROMIUM = '/nonexistent/env/chromium';
    try {
      const r = await launchRenderer();
      expect(r).toEqual({ unavailable: expect.stringContaining('/nonexistent/env/chromium') });
    } finally {
      if (saved === undefined) delete process.env.GOVSITE_CHROMIUM;
      else process.env.GOVSITE_CHROMIUM = saved;
    }
  });

  it('returns {unavailable} when the executable is not a browser', async () => {
    const r = await launchRenderer({ executablePath: '/bin/false' });
    expect('unavailable' in r).toBe(true);
    if ('unavailable' in r) expect(r.unavailable).toMatch(/failed to start/);
  }, 60_000);
});

describe.skipIf(!haveChromium)('Renderer (headless chromium)', () => {
  let renderer: Renderer;

  beforeAll(async () => {
    const r = await launchRenderer({ timeoutMs: 8000, idleMs: 1500 });
    if ('unavailable' in r) throw new Error(`chromium present but unavailable: ${r.unavailable}`);
    renderer = r;
  }, 60_000);

  afterAll(async () => {
    await renderer?.close();
  }, 30_000);

  it('captures the DOM after scripts: document.write footer and jiucuo entry', async () => {
    const page = await renderer.render(`${base}/`);
    expect(page.error).toBeUndefined();
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${base}/`);
    expect(page.html).toContain('主办单位：示例市人民政府办公室');
    expect(page.html).toContain('湘ICP备12345678号-1');
    expect(page.html).toMatch(/exposure\/jiucuo\.html\?site_code=4399000001&amp;url=/);
    expect(Number.isNaN(Date.parse(page.at))).toBe(false);
    // The static HTML has none of it.
    expect(INDEX).not.toContain('主办单位');
  }, 30_000);

  it('writes a PNG screenshot (full page, capped height) and a first-screen one', async () => {
    const file = path.join(tmp, 'shots', 'home.png');
    const page = await renderer.render(`${base}/`, { screenshotPath: file });
    expect(page.error).toBeUndefined();
    expect(page.screenshot).toBe(file);
    expect(existsSync(file)).toBe(true);
    const buf = readFileSync(file);
    expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);

    const tallFile = path.join(tmp, 'tall.png');
    const tall = await renderer.render(`${base}/tall.html`, { screenshotPath: tallFile });
    expect(tall.screenshotError).toBeUndefined();
    const size = pngSize(readFileSync(tallFile));
    expect(size.height).toBeLessThanOrEqual(4000);
    expect(size.height).toBeGreaterThan(768);

    const vpFile = path.join(tmp, 'first-screen.png');
    await renderer.render(`${base}/tall.html`, { screenshotPath: vpFile, screenshotMode: 'viewport' });
    expect(pngSize(readFileSync(vpFile))).toEqual({ width: 1366, height: 768 });
  }, 60_000);

  it('records errors instead of throwing: refused, download, hang, busy script; keeps working after them', async () => {
    // Own renderer with a short per-render budget, so the hanging cases end quickly.
    const launched = await launchRenderer({ timeoutMs: 4000, idleMs: 500 });
    if ('unavailable' in launched) throw new Error(launched.unavailable);
    const renderer = launched;
    try {
      const refused = await renderer.render(`http://127.0.0.1:${await closedPort()}/`);
      expect(refused.html).toBe('');
      expect(refused.error).toMatch(/^refused: /);

      const dl = await renderer.render(`${base}/files/report.zip`);
      expect(dl.error).toMatch(/^(download|aborted): /);

      const hang = await renderer.render(`${base}/hang`);
      expect(hang.error).toMatch(/^timeout: /);

      const busy = await renderer.render(`${base}/loop.html`);
      expect(busy.error).toBeDefined();

      const again = await renderer.render(`${base}/202106/t20210610_7001.html`);
      expect(again.error).toBeUndefined();
      expect(again.html).toContain('示例市召开全市政务公开工作会议');
    } finally {
      await renderer.close();
    }
  }, 120_000);

  it('renders asked for together on its tabs side by side, each answer for its own page', async () => {
    const urls = [`${base}/`, `${base}/202106/t20210610_7001.html`, `${base}/`];
    const pages = await Promise.all(urls.map((u) => renderer.render(u)));
    expect(pages.map((p) => p.url)).toEqual(urls);
    expect(pages[0].html).toContain('主办单位');
    expect(pages[1].html).toContain('示例市召开全市政务公开工作会议');
    expect(pages[2].html).toContain('主办单位');
    // Six slow pages on three tabs: the server serves more than one at a time, never more than three.
    slowMax = 0;
    const slow = Array.from({ length: 6 }, (_, i) => `${base}/slow/${i}.html`);
    const done = await Promise.all(slow.map((u) => renderer.render(u)));
    done.forEach((p, i) => {
      expect(p.error).toBeUndefined();
      expect(p.html).toContain(`慢页面 /slow/${i}.html`);
    });
    expect(slowMax).toBeGreaterThan(1);
    expect(slowMax).toBeLessThanOrEqual(3);
  }, 60_000);

  it('a tab that hangs does not fail the renders on the other tabs', async () => {
    const launched = await launchRenderer({ timeoutMs: 4000, idleMs: 500, tabs: 2 });
    if ('unavailable' in launched) throw new Error(launched.unavailable);
    try {
      const [busy, ok] = await Promise.all([launched.render(`${base}/loop.html`), launched.render(`${base}/slow/ok.html`)]);
      expect(busy.error).toBeDefined();
      expect(ok.error).toBeUndefined();
      expect(ok.html).toContain('慢页面 /slow/ok.html');
      const after = await launched.render(`${base}/202106/t20210610_7001.html`);
      expect(after.error).toBeUndefined();
      expect(after.html).toContain('示例市召开全市政务公开工作会议');
    } finally {
      await launched.close();
    }
  }, 120_000);
});

describe.skipIf(!haveChromium)('Renderer options', () => {
  it('hostResolverRules maps a .gov.cn name to the loopback server (Host header kept)', async () => {
    const r = await launchRenderer({ hostResolverRules: 'MAP www.example.gov.cn 127.0.0.1', timeoutMs: 8000 });
    if ('unavailable' in r) throw new Error(r.unavailable);
    try {
      const port = new URL(base).port;
      const page = await r.render(`http://www.example.gov.cn:${port}/`);
      expect(page.error).toBeUndefined();
      expect(page.html).toContain('主办单位：示例市人民政府办公室');
      expect(lastHost.startsWith('www.example.gov.cn')).toBe(true);
    } finally {
      await r.close();
    }
    // After close: no throw, an error result.
    const after = await r.render(`${base}/`);
    expect(after.error).toMatch(/closed/);
    await r.close();
  }, 60_000);
});
