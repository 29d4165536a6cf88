import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../src/audit/run.ts';

// Which pages the content checks read. Every crawled page, up to the shared bound (a broken link on the 2,500th page is
// a finding like one on the 25th); when an audit is told to read fewer, the nearest to the homepage — the same pages
// on every run, whatever order the concurrent crawl finished them in (responses here arrive in random order).
const head = (title: string) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>`;
const ARTICLES = 40;
const page = (url: string): { status: number; body: string } => {
  if (url === '/') {
    const list = Array.from({ length: 8 }, (_, c) => `<li><a href="/c/${c}/index.html">栏目${c}</a></li>`).join('');
    return { status: 200, body: `${head('青山市人民政府')}<ul>${list}</ul><div class="footer">主办单位：青山市人民政府办公室</div></body></html>` };
  }
  const col = /^\/c\/(\d)\/index\.html$/.exec(url);
  if (col) {
    const items = Array.from({ length: ARTICLES / 8 }, (_, i) => {
      const k = Number(col[1]) * (ARTICLES / 8) + i;
      return `<li><a href="/c/${col[1]}/t${k}.html">关于做好第${k}项工作的通知</a><span>2021-06-10</span></li>`;
    }).join('');
    return { status: 200, body: `${head(`栏目${col[1]} - 青山市人民政府`)}<ul>${items}</ul></body></html>` };
  }
  const art = /^\/c\/\d\/t(\d+)\.html$/.exec(url);
  if (art) {
    return {
      status: 200,
      body: `${head(`关于做好第${art[1]}项工作的通知`)}<h1>关于做好第${art[1]}项工作的通知</h1><p>发布时间：2021-06-10</p><p>正文内容。</p><a href="/missing/${art[1]}.html">相关文件</a></body></html>`,
    };
  }
  return { status: 404, body: `${head('404')}页面不存在</body></html>` };
};

let server: http.Server;
let base = '';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-content-pages-'));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const r = page(req.url ?? '/');
    // Random delays: the crawl finishes pages of one depth in a different order every run.
    setTimeout(() => {
      res.writeHead(r.status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : r.body);
    }, Math.floor(Math.random() * 15));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const brokenFrom = (r: { findings: { check: string; url: string }[] }) =>
  r.findings.filter((f) => f.check === 'broken-link').map((f) => f.url).sort();

describe('pages the content checks read', () => {
  it('reads every crawled page by default: every broken link is a finding', async () => {
    const r = await runAudit({ url: base, dbFile: path.join(dir, 'all.db'), browser: false, network: false, maxPages: 100, concurrency: 8, asOf: '2021-06-15' });
    expect(r.stats.pagesCrawled).toBe(1 + 8 + ARTICLES);
    expect(brokenFrom(r)).toHaveLength(ARTICLES);
    expect((r.notes ?? []).some((n) => n.includes('内容类检查只读取了前'))).toBe(false);
  });

  it('when told to read fewer, reads the nearest pages, and the same ones on every run', async () => {
    const runs = [];
    for (let k = 0; k < 3; k++) {
      runs.push(await runAudit({ url: base, dbFile: path.join(dir, `cut-${k}.db`), browser: false, network: false, maxPages: 100, concurrency: 8, maxContentPages: 20, asOf: '2021-06-15' }));
    }
    for (const r of runs) expect(r.notes).toContain('页面较多，内容类检查只读取了前 20 个页面（按与首页的距离）');
    // Homepage and the 8 columns (depth 0–1), then the 11 articles first in address order.
    const expected = Array.from({ length: ARTICLES }, (_, k) => `${base}c/${Math.floor(k / 5)}/t${k}.html`).sort().slice(0, 11);
    for (const r of runs) expect(brokenFrom(r)).toEqual(expected);
  });
});
