/**
 * Reviewers' daily work on the dashboard over the shared PostgreSQL store: confirm / reject findings and manual items
 * (written to the site's manual-items file), simulated inquiries with a reply time entered by hand, maintenance
 * decisions — each rescoring the run: in this process without a queue, by a `rescore:{run}:{n}` job a worker takes in
 * queue mode (idempotent by job id; an older revision never overwrites a newer score).
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createClusterDashboard, type ClusterDashboard } from '../src/web/cluster.ts';
import { PgRepo } from '../src/repo/postgres.ts';
import { loadManual } from '../src/score/manual.ts';
import { enqueueRescore } from '../src/queue/rescore.ts';
import { startWorker } from '../src/queue/worker.ts';
import { RESCORE_QUEUE, redisConnection } from '../src/queue/common.ts';
import { DOWN_FROM, DOWN_TO, seedCluster } from './helpers/cluster-seed.ts';
import { dropRedisPrefix, freshSchema, havePg, haveRedis, PG_URL, REDIS_URL, tempDir, uniqueName } from './helpers/backends.ts';

const pgOk = await havePg();
const redisOk = pgOk && (await haveRedis());
const TOKEN = 'cluster-review-token-0123456789';
const H = { host: '127.0.0.1' };
const AUTH = { ...H, authorization: `Bearer ${TOKEN}` };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(o: { queue?: { url: string; prefix: string } } = {}) {
  const s = await freshSchema();
  const repo = await PgRepo.open(PG_URL, { schema: s.schema, max: 4 });
  const t = tempDir();
  cleanups.push(s.drop, () => repo.close(), t.remove);
  const seed = await seedCluster(repo, t.dir);
  const dash = await createClusterDashboard({ repo, configFile: seed.configFile, token: TOKEN, ...(o.queue ? { queue: o.queue } : {}) });
  cleanups.push(() => dash.close());
  return { repo, dash, ...seed };
}

/** Logs in through the form; returns the cookie and the page's CSRF token. */
async function login(dash: ClusterDashboard, reviewer: string): Promise<{ cookie: string; csrf: string }> {
  const r = await dash.app.inject({ method: 'POST', url: '/login', headers: { ...H, origin: 'http://127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ reviewer, token: TOKEN, next: '/' }).toString() });
  expect(r.statusCode).toBe(303);
  const cookie = String(r.headers['set-cookie']).split(';')[0];
  const page = await dash.app.inject({ method: 'GET', url: '/', headers: { ...H, cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  expect(csrf).toBeTruthy();
  return { cookie, csrf: csrf! };
}

function form(dash: ClusterDashboard, url: string, auth: { cookie: string; csrf?: string }, fields: Record<string, string>) {
  return dash.app.inject({
    method: 'POST',
    url,
    headers: { ...H, cookie: auth.cookie, origin: 'http://127.0.0.1', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...(auth.csrf ? { _csrf: auth.csrf } : {}), ...fields }).toString(),
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const KEY_A = 'broken-link|http://www.qs.gov.test/xxgk/|http://www.qs.gov.test/old/a.html';
const KEY_SRC = 'source-label|http://www.qs.gov.test/xxgk/t1.html|http://www.qs.gov.test/xxgk/t1.html';

describe.skipIf(!pgOk)('the dashboard over PostgreSQL: reviews rescored in this process (no queue)', () => {
  it('shows the site and run pages with the review forms once logged in, and refuses writes without the token', async () => {
    const { dash, runId } = await setup();
    const anon = await dash.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: H });
    expect(anon.statusCode).toBe(200);
    expect(anon.body).toContain('登录后可复核');
    expect(anon.body).toContain('/static/app.css');
    expect((await dash.app.inject({ method: 'GET', url: '/static/app.css', headers: H })).statusCode).toBe(200);
    const auth = await login(dash, '张三');
    const page = await dash.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: { ...H, cookie: auth.cookie } });
    expect(page.body).toContain(`action="/api/runs/${runId}/decisions"`);
    expect(page.body).toContain(`action="/api/runs/${runId}/manual"`);
    expect(page.body).toContain('评审人：张三');
    const site = await dash.app.inject({ method: 'GET', url: '/sites/qs?week=2021-W24', headers: { ...H, cookie: auth.cookie } });
    expect(site.statusCode).toBe(200);
    expect(site.body).toContain('action="/api/sites/qs/inquiries"');
    expect(site.body).toContain('action="/api/sites/qs/maintenance"');
    expect(site.body).toContain('监测点 changsha-1（立即重试）');
    expect(site.body).not.toContain('立即检查</button>');
    expect(site.body).toContain(`<a href="/runs/${runId}">#${runId}</a>`); // history
    expect(site.body).toContain(`action="/api/runs/${runId}/decisions"`); // the latest audit, with its review forms
    // no credentials → 401; a session without the CSRF token → 403; a wrong Bearer → 401
    expect((await dash.app.inject({ method: 'POST', url: `/api/runs/${runId}/decisions`, headers: H, payload: { key: KEY_A, action: 'confirm' } })).statusCode).toBe(401);
    expect((await form(dash, `/api/runs/${runId}/decisions`, { cookie: auth.cookie }, { key: KEY_A, action: 'confirm' })).statusCode).toBe(403);
    expect((await dash.app.inject({ method: 'POST', url: `/api/runs/${runId}/decisions`, headers: { ...H, authorization: 'Bearer wrong-token-wrong-token' }, payload: { key: KEY_A, action: 'confirm' } })).statusCode).toBe(401);
  });

  it('confirm / reject / manual items write the manual-items file and rescore the run at once', async () => {
    const { repo, dash, runId, manualFile } = await setup();
    const before = await repo.scores(runId);
    const auth = await login(dash, '张三');
    // reject without a reason: refused, back to the row with the typed text
    let r = await form(dash, `/api/runs/${runId}/decisions`, auth, { key: KEY_A, action: 'reject', _back: `/runs/${runId}#f-0` });
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe(`/runs/${runId}#f-0`);
    let page = await dash.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: { ...H, cookie: auth.cookie } });
    expect(page.body).toContain('排除（reject）需要填写理由');
    expect(fs.existsSync(manualFile)).toBe(false);
    r = await form(dash, `/api/runs/${runId}/decisions`, auth, { key: KEY_A, action: 'reject', reason: '链接已在检查后修复', _back: `/runs/${runId}#f-0` });
    expect(r.statusCode).toBe(303);
    page = await dash.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: { ...H, cookie: auth.cookie } });
    expect(page.body).toMatch(/已排除，重新评分：[\d.]+ 分/);
    const manual = loadManual(manualFile);
    expect(manual.decisions).toMatchObject([{ key: KEY_A, action: 'reject', reason: '链接已在检查后修复', reviewer: '张三' }]);
    const afterReject = await repo.scores(runId);
    expect(afterReject.length).toBe(before.length + 1);
    expect(afterReject[0].manualFile).toBe(manualFile);
    expect(afterReject[0].total).toBeGreaterThan(before[0].total);

    // the API: confirm the source label (a confirm-required finding now counts), a manual item
    const c = await dash.app.inject({ method: 'POST', url: `/api/runs/${runId}/decisions`, headers: AUTH, payload: { key: KEY_SRC, action: 'confirm', reviewer: '李四' } });
    expect(c.statusCode).toBe(200);
    const cj = c.json() as { ok: boolean; action: string; score: { total: number }; rescore: { queued: boolean } };
    expect(cj).toMatchObject({ ok: true, action: 'confirm', rescore: { queued: false } });
    expect(cj.score.total).toBeLessThan(afterReject[0].total);
    expect((await dash.app.inject({ method: 'POST', url: `/api/runs/${runId}/manual`, headers: AUTH, payload: { rule: 'bogus.rule', count: 1 } })).statusCode).toBe(400);
    const m = await dash.app.inject({ method: 'POST', url: `/api/runs/${runId}/manual`, headers: AUTH, payload: { rule: 'release.topics.1', count: 1, note: '专题未更新', reviewer: '王五' } });
    expect(m.statusCode).toBe(200);
    const mj = m.json() as { rule: string; removed: boolean; score: { total: number } };
    expect(mj).toMatchObject({ rule: 'release.topics.1', removed: false });
    expect(mj.score.total).toBeLessThan(cj.score.total);
    expect(loadManual(manualFile).items).toMatchObject([{ rule: 'release.topics.1', count: 1, note: '专题未更新', reviewer: '王五' }]);
    const rm = await dash.app.inject({ method: 'POST', url: `/api/runs/${runId}/manual`, headers: AUTH, payload: { rule: 'release.topics.1', remove: '1' } });
    expect((rm.json() as { removed: boolean; score: { total: number } })).toMatchObject({ removed: true, score: { total: cj.score.total } });
    const doc = (await dash.app.inject({ method: 'GET', url: `/api/runs/${runId}`, headers: H })).json() as { decisions: { key: string; action: string; reviewer?: string }[]; score: { total: number } };
    expect(doc.decisions.map((d) => [d.key, d.action, d.reviewer])).toEqual(expect.arrayContaining([[KEY_A, 'reject', '张三'], [KEY_SRC, 'confirm', '李四']]));
    expect(doc.score.total).toBe(cj.score.total);
    // undo the rejection: the deduction comes back
    const u = await dash.app.inject({ method: 'POST', url: `/api/runs/${runId}/decisions`, headers: AUTH, payload: { key: KEY_A, action: 'clear' } });
    expect((u.json() as { score: { total: number } }).score.total).toBeLessThan(cj.score.total);
    expect(loadManual(manualFile).decisions.map((d) => d.key)).toEqual([KEY_SRC]);
  });

  it('a simulated inquiry and its reply time: inquiry-reply re-run from the stored observations, the run rescored', async () => {
    const { repo, dash, runId } = await setup();
    const auth = await login(dash, '王五');
    let r = await form(dash, '/api/sites/qs/inquiries', auth, { channel: 'http://www.qs.gov.test/hd/', askedAt: '2021-06-02 10:00', title: '办理居住证需要哪些材料', _back: '/sites/qs' });
    expect(r.statusCode).toBe(303);
    const [q] = await repo.listInquiries(['qs']);
    expect(q).toMatchObject({ site: 'qs', title: '办理居住证需要哪些材料', askedAt: '2021-06-02 10:00' });
    let page = await dash.app.inject({ method: 'GET', url: '/sites/qs', headers: { ...H, cookie: auth.cookie } });
    expect(page.body).toMatch(new RegExp(`已登记模拟咨询 #${q.id}；检查 #${runId} 已重新评分：[\\d.]+ 分`));
    expect(page.body).toContain(`action="/api/inquiries/${q.id}/reply"`);
    const scores = (await repo.scores(runId)).length;
    r = await form(dash, `/api/inquiries/${q.id}/reply`, auth, { repliedAt: '2021-06-15 09:00', _back: '/sites/qs' });
    expect(r.statusCode).toBe(303);
    page = await dash.app.inject({ method: 'GET', url: '/sites/qs', headers: { ...H, cookie: auth.cookie } });
    expect(page.body).toContain('已录入答复时间 2021-06-15 09:00');
    expect((await repo.scores(runId)).length).toBe(scores + 1);
    // answered after 9 working days: the inquiry-reply check says so, from the stored observation
    const f = (await repo.findings(runId)).filter((x) => x.check === 'inquiry-reply');
    expect(f.length).toBe(1);
    expect((await repo.observations(runId, ['interaction.inquiry']))[0].data).toMatchObject({ repliedAt: '2021-06-15 09:00', repliedBy: 'manual' });
    // a bad time: refused with the reason
    const bad = await dash.app.inject({ method: 'POST', url: `/api/inquiries/${q.id}/reply`, headers: AUTH, payload: { repliedAt: '2021-05-01 09:00' } });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: string }).error).toContain('早于提问时间');
  });

  it('a maintenance window and the inspector’s decision re-judge the audit’s availability and rescore it', async () => {
    const { repo, dash, runId } = await setup();
    const veto = await repo.findings(runId);
    expect(veto.some((f) => f.check === 'availability')).toBe(false); // published without the availability check
    const fmt = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
    const add = await dash.app.inject({ method: 'POST', url: '/api/sites/qs/maintenance', headers: AUTH, payload: { from: fmt(DOWN_FROM), to: fmt(DOWN_TO), note: '系统升级公告' } });
    expect(add.statusCode).toBe(200);
    const aj = add.json() as { window: { id: number; decision: string }; rescored: number[] };
    expect(aj.window.decision).toBe('pending');
    expect(aj.rescored).toEqual([runId]);
    // pending: the ten failures would make the 单否 or not — 待定, never a veto
    let f = (await repo.findings(runId)).find((x) => x.check === 'availability')!;
    expect(f.evidence).toMatchObject({ unverified: true, maintenance: { pendingProbes: 10, pendingFailures: 10 } });
    const excl = await dash.app.inject({ method: 'POST', url: `/api/maintenance/${aj.window.id}`, headers: AUTH, payload: { decision: 'exclude', reason: '已提前公告' } });
    expect((excl.json() as { rescored: number[] }).rescored).toEqual([runId]);
    expect((await repo.findings(runId)).some((x) => x.check === 'availability')).toBe(false);
    expect((await repo.checkScopes(runId))?.availability?.status).toBe('checked');
    const count = await dash.app.inject({ method: 'POST', url: `/api/maintenance/${aj.window.id}`, headers: AUTH, payload: { decision: 'count' } });
    expect((count.json() as { rescored: number[] }).rescored).toEqual([runId]);
    f = (await repo.findings(runId)).find((x) => x.check === 'availability')!;
    expect(f.evidence).toMatchObject({ veto: true, failures: 10, probes: 168 });
    expect(f.evidence.unverified).toBeUndefined();
    const latest = (await repo.latestScore(runId))?.score as { veto: { failed: boolean } };
    expect(latest.veto.failed).toBe(true);
    const page = await dash.app.inject({ method: 'GET', url: '/sites/qs?week=2021-W24', headers: H });
    expect(page.body).toContain('data-decision="count"');
    expect(page.body).toContain('10 次');
  });
});

describe.skipIf(!pgOk)('the dashboard over PostgreSQL: the 新媒体 tab on the shared registry', () => {
  it('lists the unit’s accounts, adds one and records a manual entry there', async () => {
    const { repo, dash } = await setup();
    await repo.upsertAccount({ unit: '青山市人民政府', name: '青山发布', platform: '微信', platformLabel: '微信', status: '正常' }, 'import:x.xlsx', '2021-06-01T00:00:00Z');
    const auth = await login(dash, '赵六');
    let page = await dash.app.inject({ method: 'GET', url: '/sites/qs/newmedia', headers: { ...H, cookie: auth.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('青山发布');
    expect((await dash.app.inject({ method: 'GET', url: '/sites/qs', headers: H })).body).toContain('href="/sites/qs/newmedia"');
    let r = await form(dash, '/api/sites/qs/newmedia/accounts', auth, { name: '指尖青山', platform: 'App', status: '正常' });
    expect(r.statusCode).toBe(303);
    const acc = (await repo.listAccounts({ unit: '青山市人民政府' })).find((a) => a.name === '指尖青山')!;
    expect(acc).toMatchObject({ platform: 'App', origin: 'dashboard:赵六' });
    r = await form(dash, `/api/sites/qs/newmedia/accounts/${acc.id}/post`, auth, { at: '2021-06-10', evidence: '登录应用查看，最新一条为 6 月 10 日' });
    expect(r.statusCode).toBe(303);
    expect((await repo.listPosts([acc.id])).map((p) => [p.source, p.day, p.by])).toEqual([['manual', '2021-06-10', 'dashboard:赵六']]);
    const api = (await dash.app.inject({ method: 'GET', url: '/api/sites/qs/newmedia', headers: H })).json() as { unit: string; accounts: { name: string }[] };
    expect(api.unit).toBe('青山市人民政府');
    expect(api.accounts.map((a) => a.name).sort()).toEqual(['指尖青山', '青山发布'].sort());
    r = await form(dash, `/api/sites/qs/newmedia/accounts/${acc.id}/delete`, auth, {});
    expect(r.statusCode).toBe(303);
    expect(await repo.getAccount(acc.id)).toBeUndefined();
    page = await dash.app.inject({ method: 'GET', url: '/sites/qs/newmedia', headers: { ...H, cookie: auth.cookie } });
    expect(page.body).toContain('已删除账号「指尖青山」');
    expect(await repo.listMonitored()).toEqual([{ siteId: 'qs', name: '青山市人民政府', url: 'http://www.qs.gov.test/', unit: '青山市人民政府' }]);
  });
});

describe.skipIf(!redisOk)('the dashboard over PostgreSQL in queue mode: reviews rescored by a worker', () => {
  it('enqueues rescore:{run}:{n} once per request; a worker scores from the shared store, an older revision never overwrites a newer one', async () => {
    const prefix = uniqueName('gsrescore');
    cleanups.push(() => dropRedisPrefix(prefix));
    const { repo, dash, runId } = await setup({ queue: { url: REDIS_URL, prefix } });
    const before = (await repo.scores(runId)).length;
    const auth = await login(dash, '张三');
    // two reviews before any worker runs: two revisions, two jobs
    let r = await form(dash, `/api/runs/${runId}/decisions`, auth, { key: KEY_A, action: 'reject', reason: '已修复', _back: `/runs/${runId}` });
    expect(r.statusCode).toBe(303);
    const page = await dash.app.inject({ method: 'GET', url: `/runs/${runId}`, headers: { ...H, cookie: auth.cookie } });
    expect(page.body).toContain(`已排除，已加入重新评分队列（任务 rescore:${runId}:2）`);
    r = await dash.app.inject({ method: 'POST', url: `/api/runs/${runId}/decisions`, headers: AUTH, payload: { key: KEY_SRC, action: 'confirm' } });
    expect(r.json()).toMatchObject({ ok: true, rescore: { queued: true, jobId: `rescore:${runId}:3`, revision: 3 } });
    expect((await repo.scores(runId)).length).toBe(before); // nothing scored yet: no worker
    const conn = redisConnection(REDIS_URL);
    const q = new Queue(RESCORE_QUEUE, { connection: conn as never, prefix });
    cleanups.push(async () => {
      await q.close();
      conn.disconnect();
    });
    // idempotent: the same request added again is the same job
    await enqueueRescore(q, runId, 3);
    expect(await q.getJobCounts('waiting', 'delayed', 'active')).toMatchObject({ waiting: 2 });

    const w = await startWorker({ repo, queueUrl: REDIS_URL, prefix, vantage: 'rescorer', queues: ['rescore'] });
    cleanups.push(() => w.stop());
    await until('revision 3 scored', async () => (await repo.rescoreRequest(runId))?.doneRevision === 3);
    const j2 = await q.getJob(`rescore:${runId}:2`);
    await until('job 2 finished', async () => (await j2?.isCompleted()) ?? false);
    expect((await q.getJob(`rescore:${runId}:2`))?.returnvalue).toMatchObject({ status: 'superseded' });
    expect((await q.getJob(`rescore:${runId}:3`))?.returnvalue).toMatchObject({ status: 'done' });
    const scores = await repo.scores(runId);
    expect(scores.length).toBe(before + 1);
    const latest = (await repo.latestScore(runId))?.score as { decisions: { key: string; action: string }[] };
    expect(latest.decisions.map((d) => [d.key, d.action]).sort()).toEqual([[KEY_A, 'reject'], [KEY_SRC, 'confirm']].sort());
    // the queue page lists the rescore queue
    const qp = await dash.app.inject({ method: 'GET', url: '/queues', headers: H });
    expect(qp.body).toContain('重新评分（rescore）');
  }, 40_000);
});
