/** `govsite audit` and `govsite score` with the shared PostgreSQL store (GOVSITE_DB / --db postgres://…). */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { PgRepo } from '../src/repo/postgres.ts';
import { freshSchema, havePg, PG_URL, tempDir } from './helpers/backends.ts';

const ok = await havePg();

describe.skipIf(!ok)('CLI on the shared PostgreSQL store', () => {
  let server: http.Server;
  let base: string;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/' || req.url === '/a.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><head><meta charset="utf-8"><title>测试市人民政府</title></head><body><a href="/a.html">通知</a><a href="/gone.html">旧文</a><p>2021-06-10</p></body></html>`);
      } else res.writeHead(404).end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    schema = await freshSchema();
    tmp = tempDir();
  });
  afterAll(async () => {
    server?.close();
    await schema?.drop();
    tmp?.remove();
  });

  it('audit publishes its run there, and score rescores it there', async () => {
    const out = path.join(tmp.dir, 'a.json');
    const code = await main(['audit', base, '--db', schema.url, '--no-browser', '--no-gather', '--as-of', '2021-06-15', '--format', 'json', '--out', out]);
    expect(code).toBe(0);
    const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { runId: number; findings: { check: string; target?: string }[] };
    expect(report.findings.some((f) => f.check === 'broken-link' && f.target?.endsWith('/gone.html'))).toBe(true);
    const repo = await PgRepo.open(PG_URL, { schema: schema.schema, max: 2 });
    try {
      const run = await repo.getRun(report.runId);
      expect(run).toMatchObject({ status: 'done', siteUrl: base, asOf: '2021-06-15' });
      expect((await repo.findings(report.runId)).length).toBe(report.findings.length);
      expect(await repo.scores(report.runId)).toHaveLength(1);
      const out2 = path.join(tmp.dir, 'b.json');
      expect(await main(['score', '--run', String(report.runId), '--db', schema.url, '--format', 'json', '--out', out2])).toBe(0);
      expect(JSON.parse(fs.readFileSync(out2, 'utf8')).runId).toBe(report.runId);
      expect(await repo.scores(report.runId)).toHaveLength(2);
    } finally {
      await repo.close();
    }
  }, 60_000);
});
