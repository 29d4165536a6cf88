import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../src/audit/run.ts';

// 领导信息 and 政策解读 usually sit under 政务公开. When that page cannot be looked at (a busy server, a WAF), a
// missing required column is not proven: 未核实, not 未开设. When it is really gone (404), visitors cannot see the
// column either: the finding stands.
const HOME = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>青山市人民政府</title></head><body>
<ul class="nav"><li><a href="/zjqs/index.html">走进青山</a></li><li><a href="/jgzn/index.html">机构职能</a></li>
<li><a href="/xwzx/index.html">青山要闻</a></li><li><a href="/zcwj/index.html">政策文件</a></li><li><a href="/zwgk/index.html">政务公开</a></li></ul>
<div class="footer">主办单位：青山市人民政府办公室</div></body></html>`;
const page = (t: string) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${t}</title></head><body><h1>${t}</h1><p>${t}栏目</p></body></html>`;

let status = 503;
let server: http.Server;
let base = '';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-reqcol-'));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = req.url ?? '/';
    if (u === '/') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HOME);
    if (u === '/zwgk/index.html') return void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(status === 503 ? 'busy' : 'not found');
    const names: Record<string, string> = { '/zjqs/index.html': '走进青山', '/jgzn/index.html': '机构职能', '/xwzx/index.html': '青山要闻', '/zcwj/index.html': '政策文件' };
    if (names[u]) return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(names[u]));
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const missing = async (db: string) => {
  const report = await runAudit({ url: base, dbFile: path.join(dir, db), browser: false, network: false, maxPages: 20, asOf: '2021-06-15', gatherers: false });
  return report.findings.filter((f) => f.check === 'required-column');
};

describe('required-column when a page the homepage links to could not be opened', () => {
  it('政务公开 answers 503 (again on the second look): the missing columns are 未核实, with the page named', async () => {
    status = 503;
    const f = await missing('busy.db');
    expect(f.map((x) => x.detail).sort()).toEqual(['政策解读', '领导信息']);
    for (const x of f) {
      expect(x.evidence?.unverified).toBe(true);
      expect(x.message).toContain(`${base}zwgk/index.html：HTTP 503`);
    }
  });

  it('政务公开 is gone (404): the columns are not there for visitors either — the findings stand', async () => {
    status = 404;
    const f = await missing('gone.db');
    expect(f.map((x) => x.detail).sort()).toEqual(['政策解读', '领导信息']);
    for (const x of f) {
      expect(x.evidence?.unverified).toBeUndefined();
      expect(x.message).toMatch(/^未开设「/);
    }
  });
});
