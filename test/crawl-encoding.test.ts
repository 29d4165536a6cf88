import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../src/audit/run.ts';

// A GBK site whose download script finds the file only when the query arrives GBK-encoded, as browsers send it.
const HOME = `<html><head><meta charset="gb2312"><title>青山市人民政府</title></head><body>
<a href="/dl.jsp?file=通知.doc">通知（附件）</a><a href="/dl.jsp?file=不存在.doc">失效附件</a></body></html>`;
let server: http.Server;
let base = '';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-encoding-'));

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(iconv.encode(HOME, 'gbk'));
      return;
    }
    // The raw percent-encoded bytes of the file name, decoded as GBK (the server's encoding).
    const raw = /[?&]file=([^&]*)/.exec(req.url ?? '')?.[1] ?? '';
    const name = iconv.decode(Buffer.from(raw.replace(/%([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1'), 'gbk');
    if (req.url?.startsWith('/dl.jsp') && name === '通知.doc') {
      res.writeHead(200, { 'content-type': 'application/msword', 'content-length': '4' });
      res.end(req.method === 'HEAD' ? undefined : 'data');
    } else {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('crawl of a GBK page with Chinese download queries (store writer thread)', () => {
  it('requests them GBK-encoded: the existing file is fine, only the missing one is broken', async () => {
    const report = await runAudit({ url: base, dbFile: path.join(dir, 'g.db'), browser: false, network: false, maxPages: 5, asOf: '2021-06-15' });
    const broken = report.findings.filter((f) => f.check === 'broken-link').map((f) => f.target);
    expect(broken).toEqual([`${base}dl.jsp?file=%B2%BB%B4%E6%D4%DA.doc`]);
  });
});
