/**
 * The shared repository's contract, continued: the records that live outside runs (maintenance windows, the warning
 * delivery log, simulated inquiries, the new-media registry) and the edits of a published run (re-run checks,
 * observations, rescore requests) — every method on both backends, each test on a fresh database or schema.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../src/monitor/probe.ts';
import { dayStartMs } from '../src/monitor/time.ts';
import { recordProbes, writeHeartbeats } from '../src/monitor/store.ts';
import { MaintenanceError } from '../src/monitor/maintenance.ts';
import { InquiryError } from '../src/inquiry/store.ts';
import { SqliteRepo } from '../src/repo/sqlite.ts';
import { PgRepo } from '../src/repo/postgres.ts';
import { inProcessRescorer, performRescore } from '../src/repo/rescore.ts';
import type { Repo, RoundProbe, RunBundle } from '../src/repo/types.ts';
import type { AccountRecord } from '../src/newmedia/types.ts';
import { freshSchema, havePg, PG_URL, tempDir } from './helpers/backends.ts';

const pgOk = await havePg();
const BACKENDS = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: !pgOk },
] as const;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fresh(kind: 'sqlite' | 'postgres'): Promise<Repo> {
  if (kind === 'sqlite') {
    const t = tempDir();
    const repo = SqliteRepo.open(path.join(t.dir, 'govsite.db'));
    cleanups.push(t.remove, () => repo.close());
    return repo;
  }
  const s = await freshSchema();
  const repo = await PgRepo.open(PG_URL, { schema: s.schema, max: 3 });
  cleanups.push(s.drop, () => repo.close());
  return repo;
}

function result(siteId: string, at: number, outcome: ProbeResult['outcome']): ProbeResult {
  return { url: `http://${siteId}.gov.test/`, finalUrl: `http://${siteId}.gov.test/`, at: new Date(at).toISOString(), outcome, ...(outcome === 'ok' ? { status: 200 } : {}), ms: 50, phases: {}, bytes: 100, redirects: 0 };
}

/**
 * One hourly slot per entry, stored the way each store's monitor stores it: on SQLite one probe per slot (the
 * one-machine monitor), on PostgreSQL two vantages per slot — 'down' fails on both (confirmed), 'flaky' on one only
 * (not confirmed: an up slot).
 */
async function seedSlots(repo: Repo, siteId: string, fromMs: number, hours: number, kind: (h: number) => 'up' | 'down' | 'flaky'): Promise<void> {
  if (repo instanceof SqliteRepo) {
    recordProbes(repo.db, Array.from({ length: hours }, (_, h) => ({ siteId, result: result(siteId, fromMs + h * 3_600_000, kind(h) === 'down' ? 'timeout' : 'ok') })));
    writeHeartbeats(repo.db, Math.floor(fromMs / 60_000), Math.floor((fromMs + hours * 3_600_000) / 60_000));
    return;
  }
  for (const v of ['v1', 'v2']) {
    const probes: RoundProbe[] = [];
    for (let h = 0; h < hours; h++) {
      const slotAt = fromMs + h * 3_600_000;
      const k = kind(h);
      const fails = k === 'down' || (k === 'flaky' && v === 'v1');
      probes.push({ siteId, slotAt, attempt: 0, result: result(siteId, slotAt, fails ? 'timeout' : 'ok') });
    }
    await repo.recordRound({ vantage: v, roundAt: fromMs, worker: 'w', impaired: false, canaries: [], probes });
  }
  await repo.settle({ before: fromMs + 1, windowMs: hours * 3_600_000 });
}

function bundle(findings: number): RunBundle {
  return {
    run: { status: 'done', finishedAt: '2021-06-15T02:10:00.000Z', stats: {}, error: null, network: null, browser: { available: false }, screenshot: null, notes: [], options: {} },
    findings: Array.from({ length: findings }, (_, i) => ({ check: 'broken-link', url: 'http://a.gov.test/', target: `http://a.gov.test/x${i}`, message: `链接 ${i} 打不开`, evidence: { status: 404 } })),
    scopes: { 'broken-link': { status: 'checked', summary: '已检查' }, 'inquiry-reply': { status: 'not-run', reason: '未登记模拟咨询' } },
    scores: [],
    observations: [{ kind: 'interaction.inquiry', key: '1', data: { title: '旧' } }, { kind: 'interaction.letter', key: 'L1', data: { title: '来信' } }],
    rendered: [],
  };
}

async function publishedRun(repo: Repo, o: { jobKey: string; siteId: string; siteKey: string; asOf: string; findings?: number }): Promise<number> {
  const id = await repo.claimRun({ jobKey: o.jobKey, siteUrl: `http://${o.siteKey}/`, siteKey: o.siteKey, siteId: o.siteId, rubric: 'hunan-2021-city', asOf: o.asOf, owner: 'test' });
  await repo.publishRun(id, bundle(o.findings ?? 2));
  return id;
}

const acct = (x: Partial<AccountRecord> & { name: string }): AccountRecord => ({ unit: '青山市人民政府', platform: '微信', platformLabel: '微信', status: '正常', ...x });

describe.each(BACKENDS)('shared repository records on $name', ({ name, skip }) => {
  it.skipIf(skip)('keeps maintenance windows and counts the probes inside them apart, as the weekly ratio counts them', async () => {
    const repo = await fresh(name);
    const monday = dayStartMs('2021-06-14');
    // a week of hourly slots; on Tuesday 02:00–06:00 (Shanghai) the site is down four hours, and one slot is flaky
    await seedSlots(repo, 'a', monday, 7 * 24, (h) => (h >= 26 && h < 30 ? 'down' : h === 31 ? 'flaky' : 'up'));
    await expect(repo.addMaintenanceWindow({ siteId: 'a', startsAt: monday + 10, endsAt: monday, now: monday })).rejects.toThrow(MaintenanceError);
    await expect(repo.addMaintenanceWindow({ siteId: 'a', startsAt: monday, endsAt: monday + 8 * 86_400_000, now: monday })).rejects.toThrow('不能超过 7 天');
    const w = await repo.addMaintenanceWindow({ siteId: 'a', startsAt: monday + 26 * 3_600_000, endsAt: monday + 32 * 3_600_000, note: '系统升级公告', createdBy: '张三', now: monday });
    expect(w).toMatchObject({ siteId: 'a', note: '系统升级公告', createdBy: '张三', decision: 'pending', decidedBy: null, startsAt: new Date(monday + 26 * 3_600_000).toISOString() });
    expect(typeof w.id).toBe('number');
    const other = await repo.addMaintenanceWindow({ siteId: 'b', startsAt: monday, endsAt: monday + 3_600_000, now: monday });
    expect(await repo.getMaintenanceWindow(w.id)).toEqual(w);
    expect((await repo.listMaintenanceWindows('a')).map((x) => x.id)).toEqual([w.id]);
    expect(await repo.listMaintenanceWindows('a', { fromMs: monday + 40 * 3_600_000, toMs: monday + 50 * 3_600_000 })).toEqual([]);
    // six slots inside: four down (confirmed), one flaky (one vantage only: up), one up
    expect(await repo.windowProbeCounts(w)).toEqual({ probes: 6, failures: 4 });
    const week = { key: '2021-W24', from: '2021-06-14', to: '2021-06-20' };
    const counts = await repo.maintenanceCounts({ siteIds: ['a', 'b'], periods: [week, { key: 'next', from: '2021-06-21', to: '2021-06-27' }] });
    expect(counts.get('a')?.get('2021-W24')).toEqual({ pendingProbes: 6, pendingFailures: 4, excludedProbes: 0, excludedFailures: 0, countedProbes: 0, countedFailures: 0, windows: [w.id] });
    expect(counts.get('a')?.has('next')).toBe(false);
    expect(counts.get('b')?.get('2021-W24')?.windows).toEqual([other.id]);
    const now = monday + 8 * 86_400_000;
    const [before] = await repo.weeklyAvailability({ siteId: 'a', week: '2021-W24', now });
    expect(before).toMatchObject({ probes: 168, failures: 4, maintenance: { pendingProbes: 6, pendingFailures: 4 } });

    const decided = await repo.decideMaintenanceWindow(w.id, { decision: 'exclude', by: '李四', reason: '已提前公告', now });
    expect(decided).toMatchObject({ decision: 'exclude', decidedBy: '李四', reason: '已提前公告', decidedAt: new Date(now).toISOString() });
    const [after] = await repo.weeklyAvailability({ siteId: 'a', week: '2021-W24', now });
    expect(after.maintenance).toMatchObject({ pendingProbes: 0, excludedProbes: 6, excludedFailures: 4 });
    expect(await repo.decideMaintenanceWindow(w.id, { decision: 'pending', by: '李四', reason: 'x', now })).toMatchObject({ decision: 'pending', decidedBy: null, decidedAt: null, reason: null });
    await expect(repo.decideMaintenanceWindow(w.id + 1000, { decision: 'count', by: '李四', now })).rejects.toThrow(MaintenanceError);
    await expect(repo.decideMaintenanceWindow(w.id, { decision: 'maybe' as never, by: '李四', now })).rejects.toThrow(MaintenanceError);
    expect(await repo.removeMaintenanceWindow(w.id)).toBe(true);
    expect(await repo.removeMaintenanceWindow(w.id)).toBe(false);
    expect(await repo.getMaintenanceWindow(w.id)).toBeUndefined();
    const [gone] = await repo.weeklyAvailability({ siteId: 'a', week: '2021-W24', now });
    expect(gone.maintenance).toBeUndefined();

    // the site page's probe log: newest first, failures only or all, paged (on the shared store every vantage's row)
    const day = { siteId: 'a', fromMs: monday + 86_400_000, toMs: monday + 2 * 86_400_000 };
    const failed = await repo.probeLog({ ...day, failedOnly: true, limit: 3, offset: 0 });
    expect(failed.total).toBe(name === 'postgres' ? 9 : 4);
    expect(failed.rows.length).toBe(3);
    expect(failed.rows.every((r) => r.failed && r.outcome === 'timeout')).toBe(true);
    expect(failed.rows[0].at >= failed.rows[2].at).toBe(true);
    const rest = await repo.probeLog({ ...day, failedOnly: true, limit: 100, offset: 3 });
    expect(rest.rows.length).toBe(failed.total - 3);
    const all = await repo.probeLog({ ...day, failedOnly: false, limit: 1, offset: 0 });
    expect(all.total).toBe(name === 'postgres' ? 48 : 24);
    expect(all.rows[0]).toMatchObject({ outcome: 'ok', failed: false, status: 200, excluded: false, at: new Date(monday + 47 * 3_600_000).toISOString() });
    if (name === 'postgres') expect(all.rows[0].vantage).toMatch(/^v[12]$/);
  });

  it.skipIf(skip)('logs warning deliveries, folding repeated failures, and lists them with deliveries remembered before the log', async () => {
    const repo = await fresh(name);
    const hook = { name: 'webhook:ops', type: 'webhook' };
    const w1 = { siteId: 'a', condition: 'availability', week: '2021-W24', message: '甲：打不开占比 6%' };
    const w2 = { siteId: 'b', condition: 'homepage-stale', week: '2021-W24', message: '乙：首页 3 周未更新' };
    const t = Date.UTC(2021, 5, 15, 1);
    await repo.logAttempt(hook, [w1], { ok: false, error: 'HTTP 502', at: t });
    await repo.logAttempt(hook, [w1], { ok: false, error: 'HTTP 503', at: t + 60_000 });
    await repo.logAttempt(hook, [w1, w2], { ok: true, at: t + 120_000 });
    // a delivery remembered only in the "already sent" ledger (sent before the log existed)
    await repo.markSent([{ siteId: 'c', condition: 'availability', week: '2021-W23', message: '丙：打不开', data: {} } as never], 'mail:x', new Date(t - 86_400_000).toISOString());
    const all = await repo.listAlerts({ limit: 10, offset: 0 });
    expect(all.total).toBe(4);
    expect(all.rows.map((r) => [r.siteId, r.ok, r.attempts, r.channelType])).toEqual([
      ['b', true, 1, 'webhook'],
      ['a', true, 1, 'webhook'],
      ['a', false, 2, 'webhook'],
      ['c', true, 1, null],
    ]);
    expect(all.rows[2]).toMatchObject({ error: 'HTTP 503', at: new Date(t).toISOString(), lastAt: new Date(t + 60_000).toISOString() });
    expect((await repo.listAlerts({ status: 'failed', limit: 10, offset: 0 })).rows.map((r) => r.siteId)).toEqual(['a']);
    expect((await repo.listAlerts({ status: 'sent', siteIds: ['a', 'c'], limit: 10, offset: 0 })).total).toBe(2);
    expect((await repo.listAlerts({ siteId: 'a', week: '2021-W24', limit: 1, offset: 1 })).rows.map((r) => r.ok)).toEqual([false]);
  });

  it.skipIf(skip)('records simulated inquiries and the reply times entered by hand', async () => {
    const repo = await fresh(name);
    await expect(repo.addInquiry({ site: 'a', channel: 'ftp://x', askedAt: '2021-06-01 10:00', title: '问' })).rejects.toThrow(InquiryError);
    await expect(repo.addInquiry({ site: 'a', channel: 'http://a.gov.test/hd', askedAt: '6月1日', title: '问' })).rejects.toThrow(InquiryError);
    const now = new Date('2021-06-02T00:00:00Z');
    const q1 = await repo.addInquiry({ site: 'a', channel: 'http://a.gov.test/hd', askedAt: '2021-06-01 10:00', title: '办理居住证需要哪些材料', note: ' 网上留言 ' }, now);
    expect(q1).toMatchObject({ site: 'a', channel: 'http://a.gov.test/hd', askedAt: '2021-06-01 10:00', title: '办理居住证需要哪些材料', note: '网上留言', createdAt: now.toISOString() });
    const q2 = await repo.addInquiry({ site: 'http://www.b.gov.test:8080/x', channel: 'http://b.gov.test/', askedAt: '2021-05-30 9:05', title: '问二' });
    expect(q2.site).toBe('b.gov.test:8080'); // filed under the site key (host without www.)
    expect(await repo.getInquiry(q1.id)).toEqual(q1);
    expect(await repo.getInquiry(q1.id + 1000)).toBeUndefined();
    expect((await repo.listInquiries()).map((q) => q.id)).toEqual([q2.id, q1.id]);
    expect((await repo.listInquiries(['a', undefined])).map((q) => q.id)).toEqual([q1.id]);
    expect((await repo.listInquiries(['http://www.b.gov.test:8080/'])).map((q) => q.id)).toEqual([q2.id]);
    expect(await repo.listInquiries([])).toEqual([]);
    await expect(repo.setInquiryReply(q1.id, '2021-05-31 10:00')).rejects.toThrow('早于提问时间');
    await expect(repo.setInquiryReply(q1.id + 1000, '2021-06-03 10:00')).rejects.toThrow(InquiryError);
    const replied = await repo.setInquiryReply(q1.id, '2021-06-03 9:30', '电话答复');
    expect(replied).toMatchObject({ repliedAt: '2021-06-03 09:30', replyNote: '电话答复' });
    const cleared = await repo.setInquiryReply(q1.id, null);
    expect(cleared.repliedAt).toBeUndefined();
  });

  it.skipIf(skip)('keeps the new-media registry: natural keys, units, evidence and the sites file', async () => {
    const repo = await fresh(name);
    const now = '2021-06-10T00:00:00.000Z';
    const first = await repo.applyRecords(
      {
        accounts: [acct({ name: '青山发布' }), acct({ name: '青山发布', platform: '微博', platformLabel: '微博', accountId: 'QS01', origin: 'import:a.xlsx#账号!3' } as never), acct({ unit: '白水市人民政府', name: '白水发布' })],
        websites: [{ unit: '青山市人民政府', name: '旅游局网站', url: 'http://lyj.qingshan.gov.test/', status: '已关停', movedTo: 'http://www.qingshan.gov.test/' }, { unit: '白水市人民政府', url: 'http://www.baishui.gov.test/', status: '正常' }],
      },
      'import:a.xlsx',
      now,
    );
    expect(first).toEqual({ accounts: { added: 3, updated: 0, unchanged: 0 }, websites: { added: 2, updated: 0, unchanged: 0 } });
    // the same again: unchanged; a WeChat account registered by name gets its ID: the same row
    const again = await repo.applyRecords({ accounts: [acct({ name: '青山发布' }), acct({ name: '青山发布', accountId: 'qsfb' })], websites: [] }, 'import:b.xlsx', now, { keepMissing: true });
    expect(again.accounts).toEqual({ added: 0, updated: 1, unchanged: 1 });
    const qs = await repo.listAccounts({ unit: '青山市人民政府' });
    expect(qs.map((a) => [a.platform, a.name, a.accountId ?? null])).toEqual([['微信', '青山发布', 'qsfb'], ['微博', '青山发布', 'QS01']]);
    expect(qs[1].origin).toBe('import:a.xlsx#账号!3');
    expect((await repo.listAccounts()).map((a) => a.unit)).toEqual(['白水市人民政府', '青山市人民政府', '青山市人民政府']);
    expect(await repo.getAccount(qs[0].id)).toEqual(qs[0]);
    expect(await repo.listUnits()).toEqual([
      { unit: '白水市人民政府', accounts: 1, websites: 1 },
      { unit: '青山市人民政府', accounts: 2, websites: 1 },
    ]);
    expect((await repo.findAccounts(String(qs[1].id))).map((a) => a.id)).toEqual([qs[1].id]);
    expect((await repo.findAccounts('青山发布')).length).toBe(2);
    expect((await repo.findAccounts('青山市人民政府/微博/青山发布')).map((a) => a.id)).toEqual([qs[1].id]);
    expect((await repo.findAccounts('qs01')).map((a) => a.id)).toEqual([qs[1].id]);
    expect(await repo.unitForSite({ name: '青山市人民政府', url: 'http://x.test/' })).toEqual({ unit: '青山市人民政府', by: 'name' });
    expect(await repo.unitForSite({ url: 'https://baishui.gov.test/index.html' })).toEqual({ unit: '白水市人民政府', by: 'website' });
    expect(await repo.unitForSite({ url: 'http://lyj.qingshan.gov.test/' })).toBeUndefined(); // closed sites do not name the unit
    expect((await repo.listWebsites({ unit: '青山市人民政府' })).map((w) => [w.url, w.status, w.movedTo])).toEqual([['http://lyj.qingshan.gov.test/', '已关停', 'http://www.qingshan.gov.test/']]);
    const up = await repo.upsertAccount(acct({ name: '青山发布', accountId: 'qsfb', status: '已关停' }), 'dashboard', now);
    expect(up).toEqual({ id: qs[0].id, action: 'updated' });

    // evidence: a feed keeps only its latest reading; newest observation first
    await repo.addPost(qs[0].id, { source: 'feed', ok: false, url: 'http://rss.test/a', error: 'HTTP 500', observedAt: '2021-06-08T00:00:00Z', by: 'audit:1' });
    await repo.addPost(qs[0].id, { source: 'feed', ok: true, publishedAt: '2021-06-07T10:00:00+08:00', day: '2021-06-07', url: 'http://rss.test/a', title: '最新', observedAt: '2021-06-09T00:00:00Z', by: 'audit:2' });
    const manual = await repo.addPost(qs[1].id, { source: 'manual', publishedAt: '2021-06-05', day: '2021-06-05', how: '登录平台查看', observedAt: '2021-06-09T01:00:00Z', by: 'cli', confirmed: true });
    const posts = await repo.listPosts([qs[0].id, qs[1].id]);
    expect(posts.map((p) => [p.account, p.source, p.ok, p.by])).toEqual([[qs[1].id, 'manual', true, 'cli'], [qs[0].id, 'feed', true, 'audit:2']]);
    expect(posts[0]).toMatchObject({ id: manual, day: '2021-06-05', how: '登录平台查看', confirmed: true });
    expect(await repo.listPosts([])).toEqual([]);
    expect((await repo.listPosts()).length).toBe(2);
    expect(await repo.deleteAccount(qs[1].id)).toBe(true);
    expect((await repo.listPosts()).map((p) => p.account)).toEqual([qs[0].id]); // its evidence went with it
    expect(await repo.deleteAccount(qs[1].id)).toBe(false);

    // the sites file: its accounts and closed websites, the monitored sites; a later version drops what it no longer lists
    const site = { id: 'qingshan', name: '青山市人民政府', url: 'http://www.qingshan.gov.test/', newMedia: [{ name: '指尖青山', platform: 'App' }, { name: '青山政务', platform: '抖音', id: 'qszw' }], closedSites: [{ url: 'http://old.qingshan.gov.test/' }] };
    const s1 = await repo.syncSitesFile([site], now, { full: true });
    expect(s1).toEqual({ accounts: { added: 2, updated: 0, unchanged: 0 }, websites: { added: 1, updated: 0, unchanged: 0 }, removed: 0 });
    expect(await repo.listMonitored()).toEqual([{ siteId: 'qingshan', name: '青山市人民政府', url: 'http://www.qingshan.gov.test/', unit: '青山市人民政府' }]);
    const s2 = await repo.syncSitesFile([{ ...site, newMedia: [site.newMedia[0]], closedSites: [] }, { id: 'b', name: '白水市人民政府', url: 'http://www.baishui.gov.test/' }], now, { full: true });
    expect(s2).toEqual({ accounts: { added: 0, updated: 0, unchanged: 1 }, websites: { added: 0, updated: 0, unchanged: 0 }, removed: 2 });
    expect((await repo.listMonitored()).map((m) => m.siteId)).toEqual(['b', 'qingshan']);
    const sites = await repo.listWebsites();
    const bw = sites.find((w) => w.url === 'http://www.baishui.gov.test/')!;
    expect(await repo.deleteWebsite(bw.id)).toBe(true);
    expect(await repo.deleteWebsite(bw.id)).toBe(false);
  });

  it.skipIf(skip)('edits a published run: finished runs by site, re-run check results, observations, rescore revisions', async () => {
    const repo = await fresh(name);
    const r1 = await publishedRun(repo, { jobKey: 'audit:a:2021-06-01', siteId: 'a', siteKey: 'a.gov.test', asOf: '2021-06-01' });
    const r2 = await publishedRun(repo, { jobKey: 'audit:a:2021-06-15', siteId: 'a', siteKey: 'a.gov.test', asOf: '2021-06-15' });
    const r3 = await publishedRun(repo, { jobKey: 'cli:x', siteId: 'b', siteKey: 'b.gov.test', asOf: '2021-06-15' });
    await repo.claimRun({ jobKey: 'audit:a:2021-06-16', siteUrl: 'http://a.gov.test/', siteKey: 'a.gov.test', siteId: 'a', rubric: 'hunan-2021-city', asOf: '2021-06-16', owner: 'w' }); // still running
    expect((await repo.doneRuns({ siteId: 'a', limit: 10 })).map((r) => r.id)).toEqual([r2, r1]);
    expect((await repo.doneRuns({ siteId: 'a', asOfFrom: '2021-06-02', limit: 10 })).map((r) => r.id)).toEqual([r2]);
    expect((await repo.doneRuns({ siteId: 'a', asOfTo: '2021-06-02', limit: 10 })).map((r) => r.id)).toEqual([r1]);
    expect((await repo.doneRuns({ siteIdOrKey: 'b.gov.test', limit: 1 })).map((r) => r.id)).toEqual([r3]);
    expect((await repo.doneRuns({ siteIdOrKey: 'a', limit: 1 }))[0]).toMatchObject({ id: r2, status: 'done', asOf: '2021-06-15' });

    // re-run check results: only those checks' findings replaced; their scopes merged into the stored ones
    await repo.replaceCheckResults(r2, ['inquiry-reply'], [{ check: 'inquiry-reply', url: 'http://a.gov.test/hd', target: 'inquiry:1', message: '模拟咨询超过 5 个工作日未答复', evidence: { confirm: 'required' } }], {
      'inquiry-reply': { status: 'checked', summary: '已核对模拟咨询 1 条' },
    });
    await repo.replaceCheckResults(r2, ['broken-link'], []);
    expect((await repo.findings(r2)).map((f) => f.check)).toEqual(['inquiry-reply']);
    expect(await repo.checkScopes(r2)).toEqual({ 'broken-link': { status: 'checked', summary: '已检查' }, 'inquiry-reply': { status: 'checked', summary: '已核对模拟咨询 1 条' } });
    expect((await repo.findings(r1)).length).toBe(2);

    // observations: replaced by (kind, key), new ones after the others
    await repo.saveObservations(r2, [{ kind: 'interaction.inquiry', key: '1', url: 'http://a.gov.test/hd', data: { title: '新' } }, { kind: 'interaction.inquiry', key: '2', data: { title: '二' } }]);
    const obs = await repo.observations(r2);
    expect(obs.map((o) => [o.kind, o.key, (o.data as { title: string }).title])).toEqual([
      ['interaction.inquiry', '1', '新'],
      ['interaction.letter', 'L1', '来信'],
      ['interaction.inquiry', '2', '二'],
    ]);
    expect(obs[0].url).toBe('http://a.gov.test/hd');

    // rescore requests: revisions; a superseded revision stores nothing
    const profile = { unitType: 'city' as const, hasPublicServices: true };
    expect(await repo.rescoreRequest(r2)).toBeUndefined();
    expect(await repo.requestRescore(r2, { manual: null, profile, by: '张三' })).toBe(1);
    const manual = { path: '/srv/manual/a.yaml', content: 'site: http://a.gov.test/\nrubric: hunan-2021-city\nitems: []\ndecisions: []\n' };
    expect(await repo.requestRescore(r2, { manual, profile, by: '李四' })).toBe(2);
    expect(await repo.rescoreRequest(r2)).toMatchObject({ runId: r2, revision: 2, manual, profile, requestedBy: '李四', doneRevision: null });
    const scoresBefore = (await repo.scores(r2)).length;
    expect(await performRescore(repo, r2, 1)).toMatchObject({ status: 'superseded' });
    expect(await repo.saveRescore(r2, 1, { rubric: 'hunan-2021-city', total: 1, veto: false, provisional: true, score: {} })).toBeUndefined();
    expect((await repo.scores(r2)).length).toBe(scoresBefore);
    const done = await performRescore(repo, r2, 2);
    expect(done.status).toBe('done');
    expect(done.score?.total).toBeGreaterThan(0);
    const [latest] = await repo.scores(r2);
    expect(latest).toMatchObject({ manualFile: '/srv/manual/a.yaml', total: done.score!.total });
    expect((await repo.rescoreRequest(r2))?.doneRevision).toBe(2);
    expect(await performRescore(repo, r2, 2)).toMatchObject({ status: 'already' }); // a job run twice stores once
    expect((await repo.scores(r2)).length).toBe(scoresBefore + 1);
    expect(await performRescore(repo, r3, 1)).toMatchObject({ status: 'missing' });
    const inProc = await inProcessRescorer(repo).rescore(r3, { manual: null, profile });
    expect(inProc).toMatchObject({ queued: false, revision: 1, status: 'done' });
  });
});

describe.skipIf(!pgOk)('store migrate: the records outside runs', () => {
  it('copies maintenance windows, the alert log, inquiries and the new-media registry in batches, idempotently, ids kept', async () => {
    const { migrateSqliteToPostgres } = await import('../src/repo/migrate.ts');
    const t = tempDir();
    cleanups.push(t.remove);
    const file = path.join(t.dir, 'govsite.db');
    const src = SqliteRepo.open(file);
    const monday = dayStartMs('2021-06-14');
    const w = await src.addMaintenanceWindow({ siteId: 'a', startsAt: monday, endsAt: monday + 3_600_000, note: '升级', now: monday });
    await src.decideMaintenanceWindow(w.id, { decision: 'exclude', by: '李四', now: monday });
    await src.logAttempt({ name: 'hook', type: 'webhook' }, [{ siteId: 'a', condition: 'availability', week: '2021-W24', message: '预警' }], { ok: false, error: 'HTTP 500', at: monday });
    const q = await src.addInquiry({ site: 'a', channel: 'http://a.gov.test/hd', askedAt: '2021-06-01 10:00', title: '问' });
    await src.setInquiryReply(q.id, '2021-06-02 10:00');
    const accounts = Array.from({ length: 150 }, (_, i) => acct({ name: `账号${i}`, accountId: `id${i}` }));
    await src.applyRecords({ accounts, websites: [{ unit: '青山市人民政府', url: 'http://old.qingshan.gov.test/', status: '已关停' }] }, 'import:x.xlsx', '2021-06-10T00:00:00Z');
    const listed = await src.listAccounts();
    await src.addPost(listed[3].id, { source: 'manual', publishedAt: '2021-06-05', day: '2021-06-05', how: '人工查看', observedAt: '2021-06-09T00:00:00Z', by: 'cli' });
    await src.syncSitesFile([{ id: 'qingshan', name: '青山市人民政府', url: 'http://www.qingshan.gov.test/' }], '2021-06-10T00:00:00Z', { full: true });
    await src.close();

    const s = await freshSchema();
    cleanups.push(s.drop);
    const first = await migrateSqliteToPostgres({ from: file, to: PG_URL, schema: s.schema, batch: 100 });
    expect(first.copied).toMatchObject({ monitor_maintenance: 1, monitor_alert_log: 1, inquiries: 1, newmedia_accounts: 150, newmedia_websites: 1, newmedia_posts: 1, newmedia_monitored: 1 });
    expect(first.skipped).toBe(0);
    const again = await migrateSqliteToPostgres({ from: file, to: PG_URL, schema: s.schema, batch: 100 });
    expect(again.skipped).toBe(1 + 1 + 1 + 150 + 1 + 1 + 1);
    const pg = await PgRepo.open(PG_URL, { schema: s.schema, max: 2 });
    cleanups.push(() => pg.close());
    const back = SqliteRepo.open(file);
    cleanups.push(() => back.close());
    expect(await pg.getMaintenanceWindow(w.id)).toEqual(await back.getMaintenanceWindow(w.id));
    expect(await pg.listAlerts({ limit: 10, offset: 0 })).toEqual(await back.listAlerts({ limit: 10, offset: 0 }));
    expect(await pg.listInquiries()).toEqual(await back.listInquiries());
    expect(await pg.listAccounts()).toEqual(await back.listAccounts());
    expect(await pg.listPosts()).toEqual(await back.listPosts());
    expect(await pg.listMonitored()).toEqual(await back.listMonitored());
    // new rows continue above the copied ids
    const next = await pg.addInquiry({ site: 'a', channel: 'http://a.gov.test/hd', askedAt: '2021-06-03 10:00', title: '问二' });
    expect(next.id).toBeGreaterThan(q.id);
    expect((await pg.upsertAccount(acct({ name: '新账号' }), 'cli', '2021-06-11T00:00:00Z')).id).toBeGreaterThan(Math.max(...listed.map((a) => a.id)));
  });
});
