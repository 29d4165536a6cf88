/**
 * The shared repository's contract, run against both backends (SQLite file, PostgreSQL schema): each test gets a
 * fresh database or schema, dropped afterwards.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../src/monitor/probe.ts';
import { dayStartMs, shanghaiDay } from '../src/monitor/time.ts';
import { SqliteRepo } from '../src/repo/sqlite.ts';
import { PgRepo } from '../src/repo/postgres.ts';
import type { Repo, RoundProbe, RunBundle } from '../src/repo/types.ts';
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

const W = 10_000; // window length
const T0 = Date.UTC(2021, 5, 14, 1, 0, 0); // 2021-06-14 09:00 Shanghai

function probe(siteId: string, slotAt: number, outcome: ProbeResult['outcome'], attempt = 0, extra: Partial<ProbeResult> = {}): RoundProbe {
  const at = new Date(slotAt + attempt * 500).toISOString();
  return {
    siteId,
    slotAt,
    attempt,
    result: { url: `http://${siteId}.gov.test/`, finalUrl: `http://${siteId}.gov.test/`, at, outcome, ...(outcome === 'ok' ? { status: 200 } : {}), ms: 50, phases: {}, bytes: 100, redirects: 0, ...extra },
  };
}

function bundle(status: 'done' | 'failed' = 'done', n = 2): RunBundle {
  return {
    run: { status, finishedAt: '2021-06-15T02:10:00.000Z', stats: { pagesCrawled: 12 }, error: status === 'failed' ? 'homepage cannot be opened' : null, network: null, browser: { available: false }, screenshot: '/shots/run-1-home.png', notes: ['一条说明'], options: { manualFile: 'manual/a.yaml' } },
    findings: Array.from({ length: n }, (_, i) => ({ check: 'broken-link', url: 'http://a.gov.test/', target: `http://a.gov.test/x${i}`, message: `链接 ${i} 打不开`, evidence: { status: 404 } })),
    scopes: { 'broken-link': { status: 'checked', summary: '已检查 10 个链接' } },
    scores: [{ rubric: 'hunan-2021-city', manualFile: null, computedAt: '2021-06-15T02:10:00.000Z', total: 97.5, veto: false, provisional: true, score: { total: 97.5, verdict: '暂定' } }],
    observations: [
      { kind: 'gather-status', key: 'interaction', data: { status: 'ok' } },
      { kind: 'letter', key: 'L1', url: 'http://a.gov.test/l1', data: { title: '来信一' } },
    ],
    rendered: [{ url: 'http://a.gov.test/', at: '2021-06-15T02:09:00.000Z', screenshot: '/shots/run-1-home.png' }],
  };
}

describe.each(BACKENDS)('shared repository on $name', ({ name, skip }) => {
  it.skipIf(skip)('claims a run once per job key and publishes its results, replacing an earlier attempt', async () => {
    const repo = await fresh(name);
    const claim = { jobKey: 'audit:a:2021-06-15', siteUrl: 'http://a.gov.test/', siteKey: 'a.gov.test', siteId: 'a', siteName: '甲市人民政府', rubric: 'hunan-2021-city', asOf: '2021-06-15', owner: 'w1' };
    const id = await repo.claimRun(claim);
    expect(await repo.claimRun({ ...claim, owner: 'w2' })).toBe(id);
    expect((await repo.getRun(id))?.status).toBe('running');
    await repo.publishRun(id, bundle('done', 3));
    await repo.publishRun(id, bundle('done', 2)); // a retried job publishes again: replaced, not doubled
    const run = await repo.getRun(id);
    expect(run).toMatchObject({ id, status: 'done', siteId: 'a', siteName: '甲市人民政府', stats: { pagesCrawled: 12 }, notes: ['一条说明'], screenshot: '/shots/run-1-home.png' });
    expect((await repo.runByJobKey('audit:a:2021-06-15'))?.id).toBe(id);
    const f = await repo.findings(id);
    expect(f.map((x) => x.target)).toEqual(['http://a.gov.test/x0', 'http://a.gov.test/x1']);
    expect(f[0]).toMatchObject({ check: 'broken-link', message: '链接 0 打不开', evidence: { status: 404 } });
    expect(await repo.checkScopes(id)).toEqual({ 'broken-link': { status: 'checked', summary: '已检查 10 个链接' } });
    expect((await repo.observations(id)).map((o) => o.key)).toEqual(['interaction', 'L1']);
    expect(await repo.observations(id, ['letter'])).toEqual([{ kind: 'letter', key: 'L1', url: 'http://a.gov.test/l1', data: { title: '来信一' } }]);
    expect((await repo.latestScore(id))?.score).toEqual({ total: 97.5, verdict: '暂定' });
    const sid = await repo.saveScore(id, { rubric: 'hunan-2021-city', total: 90, veto: false, provisional: false, score: { total: 90 } });
    const scores = await repo.scores(id);
    expect(scores[0]).toMatchObject({ id: sid, total: 90, provisional: false });
    expect(scores).toHaveLength(2);
    expect((await repo.listRuns({ siteKey: 'a.gov.test' })).map((r) => r.id)).toEqual([id]);
    const other = await repo.claimRun({ ...claim, jobKey: 'audit:a:2021-06-16', asOf: '2021-06-16' });
    expect(other).not.toBe(id);
  });

  it.skipIf(skip)('keeps nightly bookkeeping: one run per date, a site done in the same commit as its results', async () => {
    const repo = await fresh(name);
    const sites = [{ id: 'a', host: 'a.gov.test' }, { id: 'b', host: 'b.gov.test' }];
    const n = await repo.openNightly('2021-06-15', sites, 'scheduler');
    expect(n.created).toBe(true);
    expect(await repo.openNightly('2021-06-15', sites, 'scheduler')).toEqual({ id: n.id, created: false });
    await repo.nightlySiteStarted(n.id, 'a');
    const id = await repo.claimRun({ jobKey: 'audit:a:2021-06-15', siteUrl: 'http://a.gov.test/', siteKey: 'a.gov.test', rubric: 'hunan-2021-city', asOf: '2021-06-15', owner: 'w' });
    await repo.publishRun(id, bundle(), { nightlyRunId: n.id, siteId: 'a', digest: { emptyColumns: 3 }, findings: 2 });
    await repo.nightlySiteStarted(n.id, 'b');
    await repo.nightlySiteFailed(n.id, 'b', 'homepage cannot be opened', false);
    expect(await repo.finishNightlyIfComplete(n.id)).toBe(false);
    expect(await repo.nightlyInfo(n.id)).toMatchObject({ total: 2, done: 1, failed: 0, pending: 1, status: 'running' });
    await repo.nightlySiteFailed(n.id, 'b', 'homepage cannot be opened', true);
    expect((await repo.openNightlyRuns()).map((r) => r.id)).toEqual([n.id]);
    expect(await repo.finishNightlyIfComplete(n.id)).toBe(true);
    expect(await repo.finishNightlyIfComplete(n.id)).toBe(false);
    const rows = await repo.nightlySites(n.id);
    expect(rows).toEqual([
      { siteId: 'a', status: 'done', attempts: 1, auditRunId: id, findings: 2, summary: { emptyColumns: 3 }, error: null },
      { siteId: 'b', status: 'failed', attempts: 1, auditRunId: null, findings: null, summary: null, error: 'homepage cannot be opened' },
    ]);
  });

  it.skipIf(skip)('records a round once and confirms failures across vantages when its window settles', async () => {
    const repo = await fresh(name);
    const s = (k: number) => T0 + 1000 * k;
    // window T0: three vantages
    // down: fails at v1 and v2 (confirmed); flaky: fails at v1 only (not confirmed); up: fine; waf: blocked at v1, v2, v3
    expect(await repo.recordRound({ vantage: 'v1', roundAt: T0, worker: 'w1', impaired: false, canaries: [], probes: [probe('down', s(1), 'timeout'), probe('down', s(1), 'timeout', 1), probe('flaky', s(2), 'reset'), probe('flaky', s(2), 'reset', 1), probe('up', s(3), 'ok'), probe('waf', s(4), 'http', 0, { status: 403, blocked: true })] })).toBe(true);
    // recorded again (a retried job): nothing added
    expect(await repo.recordRound({ vantage: 'v1', roundAt: T0, worker: 'w9', impaired: false, canaries: [], probes: [probe('up', s(3), 'timeout')] })).toBe(false);
    await repo.recordRound({ vantage: 'v2', roundAt: T0, worker: 'w2', impaired: false, canaries: [], probes: [probe('down', s(1), 'refused'), probe('down', s(1), 'refused', 1), probe('flaky', s(2), 'ok'), probe('up', s(3), 'ok'), probe('waf', s(4), 'http', 0, { status: 429, blocked: true })] });
    // v3 is cut off: every probe fails, its round is impaired → not measured
    await repo.recordRound({ vantage: 'v3', roundAt: T0, worker: 'w3', impaired: true, reason: 'canaries', canaries: [{ url: 'http://canary.test/', ok: false, outcome: 'refused' }], probes: [probe('down', s(1), 'refused'), probe('flaky', s(2), 'refused'), probe('up', s(3), 'refused'), probe('waf', s(4), 'refused')] });
    // window T0+W: one vantage only — a failure confirmed by its immediate retry, another not
    await repo.recordRound({ vantage: 'v1', roundAt: T0 + W, worker: 'w1', impaired: false, canaries: [], probes: [probe('down', s(11), 'timeout'), probe('down', s(11), 'timeout', 1), probe('flaky', s(12), 'timeout'), probe('flaky', s(12), 'ok', 1), probe('up', s(13), 'ok')] });

    // not yet: windows settle only when they are old enough
    expect((await repo.settle({ before: T0, windowMs: W })).windows).toBe(0);
    const r = await repo.settle({ before: T0 + 2 * W, windowMs: W });
    expect(r).toEqual({ windows: 2, slots: 6, confirmedFailures: 2, unconfirmedFailures: 2 });
    expect((await repo.settle({ before: T0 + 2 * W, windowMs: W })).windows).toBe(0); // once

    const day = shanghaiDay(T0);
    const daily = await repo.dailyAvailability({ from: day, to: day });
    expect(daily.map((d) => [d.site, d.probes, d.failures])).toEqual([
      ['down', 2, 2],
      ['flaky', 2, 0],
      ['up', 2, 0],
      ['waf', 0, 0], // blocked everywhere: a class of its own, neither a probe nor a failure
    ]);
    const v = await repo.vantageAvailability({ from: day, to: day });
    expect(v.map((x) => [x.site, x.vantage, x.probes, x.failures, x.blocked, x.unmeasured])).toEqual([
      ['down', 'v1', 2, 2, 0, 0],
      ['down', 'v2', 1, 1, 0, 0],
      ['down', 'v3', 0, 0, 0, 1],
      ['flaky', 'v1', 2, 2, 0, 0],
      ['flaky', 'v2', 1, 0, 0, 0],
      ['flaky', 'v3', 0, 0, 0, 1],
      ['up', 'v1', 2, 0, 0, 0],
      ['up', 'v2', 1, 0, 0, 0],
      ['up', 'v3', 0, 0, 0, 1],
      ['waf', 'v1', 0, 0, 1, 0],
      ['waf', 'v2', 0, 0, 1, 0],
      ['waf', 'v3', 0, 0, 0, 1],
    ]);
    const rounds = await repo.vantageRounds({ fromMs: T0, toMs: T0 + 2 * W });
    expect(rounds).toEqual([
      { vantage: 'v1', rounds: 2, impaired: 0, lastAt: T0 + W },
      { vantage: 'v2', rounds: 1, impaired: 0, lastAt: T0 },
      { vantage: 'v3', rounds: 1, impaired: 1, lastAt: T0 },
    ]);
    // the minutes of settled windows with a measuring vantage count as measured
    const week = await repo.weeklyAvailability({ week: '2021-W24', now: T0 + 120_000, siteIds: ['down', 'up', 'waf'] });
    expect(week.map((x) => [x.site, x.probes, x.failures])).toEqual([
      ['down', 2, 2],
      ['flaky', 2, 0],
      ['up', 2, 0],
      ['waf', 0, 0],
    ]);
    const expectNotMeasuredMin = Math.ceil((T0 + 120_000) / 60_000) - Math.ceil(dayStartMs('2021-06-14') / 60_000) - 1;
    expect(week[0].notMeasuredHours).toBe(Math.round((expectNotMeasuredMin / 60) * 10) / 10);
  });

  it.skipIf(skip)('computes weekly ratios and the audit summary like the one-machine monitor', async () => {
    const repo = await fresh(name);
    // 7 days × 24 slots for two sites, one vantage; site "bad" fails 2 slots a day, confirmed by the retry
    const from = dayStartMs('2021-06-14');
    for (let d = 0; d < 7; d++) {
      const probes: RoundProbe[] = [];
      for (let k = 0; k < 24; k++) {
        const at = from + d * 86_400_000 + k * 3_600_000;
        probes.push(probe('good', at, 'ok'));
        if (k < 2) probes.push(probe('bad', at, 'timeout'), probe('bad', at, 'timeout', 1));
        else probes.push(probe('bad', at, 'ok'));
      }
      await repo.recordRound({ vantage: 'only', roundAt: from + d * 86_400_000, worker: 'w', impaired: false, canaries: [], probes });
    }
    await repo.settle({ before: from + 8 * 86_400_000, windowMs: 86_400_000 });
    const rows = await repo.weeklyAvailability({ week: '2021-W24', now: from + 8 * 86_400_000 });
    expect(rows.map((r) => [r.site, r.probes, r.failures, r.veto, r.insufficientDays, r.complete, r.notMeasuredHours])).toEqual([
      ['bad', 168, 14, true, 0, true, 0],
      ['good', 168, 0, false, 0, true, 0],
    ]);
    const range = await repo.weeklyAvailability({ from: '2021-06-10', to: '2021-06-20', now: from + 8 * 86_400_000, siteId: 'bad' });
    expect(range.map((r) => [r.week, r.probes])).toEqual([['2021-W23', 0], ['2021-W24', 168]]);
    expect(await repo.availabilityForAudit('bad', '2021-06-21', { now: from + 8 * 86_400_000 })).toMatchObject({ week: '2021-W24', probes: 168, failures: 14, veto: true, insufficientDays: 0 });
    expect(await repo.availabilityForAudit('nobody', '2021-06-21', { now: from + 8 * 86_400_000 })).toBeUndefined();
  });

  it.skipIf(skip)('remembers sent warnings per site, condition, week and channel', async () => {
    const repo = await fresh(name);
    const w = { siteId: 'a', condition: 'availability' as const, week: '2021-W24', message: '预警', data: {} };
    expect(await repo.wasSent(w, 'hook')).toBe(false);
    await repo.markSent([w], 'hook', '2021-06-15T00:00:00.000Z');
    await repo.markSent([w], 'hook', '2021-06-15T01:00:00.000Z');
    expect(await repo.wasSent(w, 'hook')).toBe(true);
    expect(await repo.wasSent(w, 'mail')).toBe(false);
    expect(await repo.wasSent({ ...w, week: '2021-W25' }, 'hook')).toBe(false);
  });
});

describe.skipIf(!pgOk)('PostgreSQL specifics', () => {
  it('keeps probe rows in monthly partitions and drops whole old months', async () => {
    const s = await freshSchema();
    const repo = await PgRepo.open(PG_URL, { schema: s.schema, max: 2 });
    cleanups.push(s.drop, () => repo.close());
    const may = Date.UTC(2021, 4, 31, 12);
    const june = Date.UTC(2021, 5, 2, 12);
    await repo.recordRound({ vantage: 'v', roundAt: may, worker: 'w', impaired: false, canaries: [], probes: [probe('a', may, 'ok')] });
    await repo.recordRound({ vantage: 'v', roundAt: june, worker: 'w', impaired: false, canaries: [], probes: [probe('a', june, 'ok'), probe('b', june + 5, 'ok')] });
    const parts = await repo.pool.query(`SELECT c.relname, (SELECT count(*) FROM ${s.schema}.monitor_probes_y2021m06) AS june FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'monitor_probes' AND p.relnamespace = '${s.schema}'::regnamespace ORDER BY 1`);
    expect(parts.rows.map((r) => r.relname)).toEqual(['monitor_probes_y2021m05', 'monitor_probes_y2021m06']);
    expect(Number(parts.rows[0].june)).toBe(2);
    expect(await repo.pruneProbes('2021-06-02')).toBe(1);
    const left = await repo.pool.query(`SELECT count(*) AS n FROM monitor_probes`);
    expect(Number(left.rows[0].n)).toBe(2);
    // migrations are versioned: opening again runs none
    expect(await repo.migrate()).toEqual([]);
  });

  it('copies a one-machine SQLite database in batches, idempotently (store migrate)', async () => {
    const { Store } = await import('../src/store/store.ts');
    const { recordProbes, writeHeartbeats } = await import('../src/monitor/store.ts');
    const { migrateSqliteToPostgres } = await import('../src/repo/migrate.ts');
    const t = tempDir();
    cleanups.push(t.remove);
    const file = path.join(t.dir, 'govsite.db');
    const store = Store.open(file);
    const runId = store.createRun({ siteUrl: 'http://a.gov.test/', siteKey: 'a.gov.test', siteId: 'a', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
    store.saveFindings(runId, bundle('done', 3).findings as never);
    store.saveCheckScopes(runId, { 'broken-link': { status: 'checked' } });
    store.saveScore(runId, { rubric: 'hunan-2021-city', total: 88, veto: false, provisional: true, score: { total: 88 } });
    store.finishRun(runId, 'done', { stats: { pagesCrawled: 3 } });
    recordProbes(store.db, Array.from({ length: 250 }, (_, i) => ({ siteId: i % 2 ? 'a' : 'b', result: probe('x', T0 + i * 60_000, i % 10 ? 'ok' : 'timeout').result })));
    writeHeartbeats(store.db, Math.floor(T0 / 60_000), Math.floor(T0 / 60_000) + 300);
    store.close();
    const s = await freshSchema();
    cleanups.push(s.drop);
    const first = await migrateSqliteToPostgres({ from: file, to: PG_URL, schema: s.schema, batch: 100 });
    expect(first.copied).toMatchObject({ runs: 1, findings: 3, check_scopes: 1, scores: 1, monitor_probes: 250, monitor_heartbeats: 301 });
    expect(first.skipped).toBe(0);
    const again = await migrateSqliteToPostgres({ from: file, to: PG_URL, schema: s.schema, batch: 100 });
    expect(again.skipped).toBe(1 + 3 + 1 + 1 + 250 + 301); // keyed rows: nothing doubled (roll-ups are set, not added)
    const repo = await PgRepo.open(PG_URL, { schema: s.schema, max: 2 });
    cleanups.push(() => repo.close());
    expect((await repo.getRun(runId))?.status).toBe('done');
    expect(await repo.findings(runId)).toHaveLength(3);
    const day = shanghaiDay(T0);
    const daily = await repo.dailyAvailability({ from: day, to: shanghaiDay(T0 + 250 * 60_000) });
    expect(daily.reduce((n, d) => n + d.probes, 0)).toBe(250);
    expect(daily.reduce((n, d) => n + d.failures, 0)).toBe(25);
    // new runs continue above the copied ids
    const next = await repo.claimRun({ jobKey: 'audit:a:2021-06-16', siteUrl: 'http://a.gov.test/', siteKey: 'a.gov.test', rubric: 'hunan-2021-city', asOf: '2021-06-16', owner: 'w' });
    expect(next).toBeGreaterThan(runId);
  });
});
