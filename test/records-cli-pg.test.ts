/**
 * The records outside runs with GOVSITE_DB=postgres://…: `govsite newmedia` and `govsite inquiry` work there, an audit
 * into the shared store reads the site's inquiries and the new-media registry from it (and sends its feed readings
 * back), and warning deliveries are logged there.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { newmediaCommand } from '../src/cli/newmedia-main.ts';
import { PgRepo } from '../src/repo/postgres.ts';
import { sendWarnings } from '../src/monitor/warnings.ts';
import { freshSchema, havePg, PG_URL, tempDir } from './helpers/backends.ts';

const ok = await havePg();
const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'newmedia', 'registry.xlsx');

/** Captures what a CLI command writes to stdout. */
async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
  try {
    const code = await fn();
    return { code, out: chunks.join('') };
  } finally {
    process.stdout.write = orig;
  }
}

describe.skipIf(!ok)('records outside runs on the shared PostgreSQL store', () => {
  let server: http.Server;
  let base: string;
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  let tmp: ReturnType<typeof tempDir>;
  let repo: PgRepo;
  let hookFails = true;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = req.url ?? '/';
      req.resume();
      if (url === '/' || url === '/a.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html><head><meta charset="utf-8"><title>测试市人民政府</title></head><body><a href="/a.html">通知</a><p>2021-06-10</p></body></html>`);
      } else if (url === '/feed.xml') {
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(
          `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>测试发布</title><item><title>今日要闻</title><link>${base}p1</link><pubDate>Wed, 09 Jun 2021 10:00:00 +0800</pubDate></item></channel></rss>`,
        );
      } else if (url === '/hook') {
        res.writeHead(hookFails ? 503 : 200).end('{}');
      } else res.writeHead(404).end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    schema = await freshSchema();
    tmp = tempDir();
    repo = await PgRepo.open(PG_URL, { schema: schema.schema, max: 2 });
  });
  afterAll(async () => {
    await repo?.close();
    server?.close();
    await schema?.drop();
    tmp?.remove();
  });

  it('govsite newmedia import / list / set-post keep the registry there', async () => {
    let out = '';
    expect(await newmediaCommand(['import', FIXTURE, '--db', schema.url], (s) => (out += s))).toBe(0);
    expect(out).toMatch(/账号：导入 \d+ 个（新增 \d+/);
    const accounts = await repo.listAccounts();
    expect(accounts.length).toBeGreaterThan(3);
    out = '';
    expect(await newmediaCommand(['import', FIXTURE, '--db', schema.url], (s) => (out += s))).toBe(0);
    expect(out).toMatch(/新增 0，更新 0/); // a second import changes nothing
    const a = accounts[0];
    out = '';
    expect(await newmediaCommand(['set-post', '--account', String(a.id), '--at', '2021-06-08', '--evidence', '登录平台查看，最新一篇为 6 月 8 日', '--db', schema.url], (s) => (out += s))).toBe(0);
    expect(out).toContain('已记录');
    expect((await repo.listPosts([a.id])).map((p) => [p.source, p.day, p.by])).toEqual([['manual', '2021-06-08', 'cli']]);
    out = '';
    expect(await newmediaCommand(['list', '--unit', a.unit, '--as-of', '2021-06-15', '--db', schema.url, '--format', 'json'], (s) => (out += s))).toBe(0);
    const listed = JSON.parse(out) as { accounts: { id: number; freshness: { newest?: { day: string; source: string } } }[] };
    expect(listed.accounts.find((x) => x.id === a.id)?.freshness.newest).toMatchObject({ day: '2021-06-08', source: 'manual' });
  });

  it('an audit into the shared store reads the inquiries and the registry from it; govsite inquiry reply rescores there', async () => {
    const feedAcct = await repo.upsertAccount({ unit: '测试市人民政府', name: '测试发布', platform: '微信', platformLabel: '微信', status: '正常', feed: `${base}feed.xml` }, 'cli', '2021-06-01T00:00:00Z');
    const q = await repo.addInquiry({ site: base, channel: `${base}a.html`, askedAt: '2021-06-01 10:00', title: '办理居住证需要哪些材料' });
    const outFile = path.join(tmp.dir, 'a.json');
    const code = await main(['audit', base, '--db', schema.url, '--name', '测试市人民政府', '--no-browser', '--as-of', '2021-06-15', '--format', 'json', '--out', outFile]);
    expect(code).toBe(0);
    const report = JSON.parse(fs.readFileSync(outFile, 'utf8')) as { runId: number };
    const obs = await repo.observations(report.runId, ['interaction.inquiry', 'newmedia-unit', 'newmedia-account']);
    expect(obs.find((o) => o.kind === 'interaction.inquiry')?.key).toBe(String(q.id));
    expect(obs.find((o) => o.kind === 'newmedia-unit')?.data).toMatchObject({ unit: '测试市人民政府' });
    expect(obs.find((o) => o.kind === 'newmedia-account')?.key).toBe(String(feedAcct.id));
    // the gatherer's feed reading went back to the shared registry
    expect((await repo.listPosts([feedAcct.id])).map((p) => [p.source, p.ok, p.day, p.by])).toEqual([['feed', true, '2021-06-09', `audit:${report.runId}`]]);

    const before = (await repo.scores(report.runId)).length;
    const r = await capture(() => main(['inquiry', 'reply', '--id', String(q.id), '--replied-at', '2021-06-02 09:00', '--db', schema.url]));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`已录入模拟咨询 #${q.id} 的答复时间：2021-06-02 09:00`);
    expect(r.out).toContain(`检查 #${report.runId}：答复 2021-06-02 09:00（人工录入）`);
    expect(r.out).toMatch(/重新评分：[\d.]+ 分/);
    expect((await repo.scores(report.runId)).length).toBe(before + 1);
    const inq = (await repo.observations(report.runId, ['interaction.inquiry']))[0].data as { repliedAt?: string; repliedBy?: string };
    expect(inq).toMatchObject({ repliedAt: '2021-06-02 09:00', repliedBy: 'manual' });
    expect((await repo.checkScopes(report.runId))?.['inquiry-reply']?.status).toBe('checked');
    const list = await capture(() => main(['inquiry', 'list', '--db', schema.url, '--format', 'json']));
    expect(JSON.parse(list.out)).toHaveLength(1);
  }, 90_000);

  it('logs warning deliveries (failed, then delivered) in the shared store', async () => {
    const w = { siteId: 'a', condition: 'availability' as const, week: '2021-W24', message: '甲：打不开占比 6%', data: {} };
    const channels = [{ type: 'webhook' as const, name: '省平台', url: `${base}hook` }];
    await sendWarnings(repo, [w as never], channels as never, { now: () => Date.parse('2021-06-16T02:00:00Z') });
    hookFails = false;
    await sendWarnings(repo, [w as never], channels as never, { now: () => Date.parse('2021-06-16T03:00:00Z') });
    await sendWarnings(repo, [w as never], channels as never, { now: () => Date.parse('2021-06-16T04:00:00Z') }); // already sent: nothing
    const { rows } = await repo.listAlerts({ limit: 10, offset: 0 });
    expect(rows.map((r) => [r.channel, r.ok, r.channelType])).toEqual([['省平台', true, 'webhook'], ['省平台', false, 'webhook']]);
    expect(rows[1].error).toContain('503');
  });
});
