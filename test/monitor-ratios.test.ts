import { describe, expect, it } from 'vitest';
import { findingsOf } from '../src/checks.ts';
import checkAvailability from '../checks/availability.ts';
import type { ProbeOutcome, ProbeResult } from '../src/monitor/probe.ts';
import { availabilityForAudit, dailyAvailability, isVeto, weeklyAvailability } from '../src/monitor/ratios.ts';
import { ensureMonitorSchema } from '../src/monitor/schema.ts';
import { ProbeRecorder, excludeMinute, recordProbes, writeHeartbeats } from '../src/monitor/store.ts';
import { dayStartMs, isoWeekOf, shanghaiDay, weekRange } from '../src/monitor/time.ts';
import { openDatabase } from '../src/store/db.ts';
import { makeContext, makePage } from './helpers/page.ts';

const H = 3_600_000;

function result(atMs: number, outcome: ProbeOutcome = 'ok', url = 'http://www.xt.gov.cn/'): ProbeResult {
  return { url, finalUrl: url, at: new Date(atMs).toISOString(), outcome, ...(outcome === 'ok' ? { status: 200 } : {}), ms: 120, phases: { connect: 3 }, bytes: 1000, redirects: 0 };
}

/** n probes spread over the Shanghai day `day`, the first `fail` of them failing. */
function seedDay(db: ReturnType<typeof openDatabase>, site: string, day: string, n: number, fail = 0) {
  const start = dayStartMs(day);
  const recs = [];
  for (let k = 0; k < n; k++) recs.push({ siteId: site, result: result(start + Math.floor((k * 24 * H) / n) + 1000, k < fail ? 'timeout' : 'ok') });
  recordProbes(db, recs);
}

function heartbeatsFor(db: ReturnType<typeof openDatabase>, fromMs: number, toMs: number) {
  writeHeartbeats(db, Math.floor(fromMs / 60_000), Math.ceil(toMs / 60_000) - 1);
}

function fresh() {
  const db = openDatabase(':memory:');
  ensureMonitorSchema(db);
  return db;
}

describe('calendar (Asia/Shanghai, ISO weeks)', () => {
  it('maps instants to Shanghai days and ISO weeks', () => {
    expect(shanghaiDay('2021-06-13T16:30:00Z')).toBe('2021-06-14'); // 00:30 Monday in Shanghai
    expect(shanghaiDay('2021-06-13T15:59:59Z')).toBe('2021-06-13');
    expect(isoWeekOf('2021-06-14')).toBe('2021-W24');
    expect(weekRange('2021-W24')).toEqual({ from: '2021-06-14', to: '2021-06-20' });
    expect(isoWeekOf('2021-01-03')).toBe('2020-W53');
    expect(weekRange('2020-W53')).toEqual({ from: '2020-12-28', to: '2021-01-03' });
    expect(isoWeekOf('2024-12-30')).toBe('2025-W01');
    expect(() => weekRange('2021-W53')).toThrow();
  });
});

describe('weekly availability from roll-ups', () => {
  const week = '2021-W24';
  const { from } = weekRange(week);
  const after = dayStartMs('2021-06-21') + H; // the week is over

  it('counts probes and failures; veto at exactly 5 %', () => {
    const db = fresh();
    heartbeatsFor(db, dayStartMs(from), dayStartMs('2021-06-21'));
    // 7 days × 24 = 168 probes; 8 failures = 4.76 % (no veto), 9 failures = 5.36 % (veto)
    for (let i = 0; i < 7; i++) seedDay(db, 'a', shanghaiDay(dayStartMs(from) + i * 24 * H), 24, i === 0 ? 8 : 0);
    for (let i = 0; i < 7; i++) seedDay(db, 'b', shanghaiDay(dayStartMs(from) + i * 24 * H), 24, i < 3 ? 3 : 0);
    // exactly 5 %: 20 probes × 7 = 140 probes, 7 failures
    for (let i = 0; i < 7; i++) seedDay(db, 'c', shanghaiDay(dayStartMs(from) + i * 24 * H), 20, 1);
    const rows = weeklyAvailability(db, { week, now: after });
    const by = Object.fromEntries(rows.map((r) => [r.site, r]));
    expect(by.a).toMatchObject({ site: 'a', week, probes: 168, failures: 8, veto: false, insufficientDays: 0, notMeasuredHours: 0, complete: true, sufficient: true });
    expect(by.a.ratio).toBeCloseTo(8 / 168, 10);
    expect(by.b).toMatchObject({ probes: 168, failures: 9, veto: true, insufficientDays: 0 });
    expect(by.c).toMatchObject({ probes: 140, failures: 7, veto: true, insufficientDays: 0 });
    expect(isVeto(140, 6)).toBe(false);
    expect(isVeto(0, 0)).toBe(false);
  });

  it('flags insufficient days (fewer than 20 probes, or none) and not-measured hours', () => {
    const db = fresh();
    // the monitor ran Monday–Friday and was down Saturday + Sunday (48 h not measured)
    heartbeatsFor(db, dayStartMs(from), dayStartMs('2021-06-19'));
    for (let i = 0; i < 5; i++) seedDay(db, 'x', shanghaiDay(dayStartMs(from) + i * 24 * H), i === 2 ? 12 : 24, i === 2 ? 10 : 0);
    const [row] = weeklyAvailability(db, { week, siteId: 'x', now: after });
    expect(row.probes).toBe(4 * 24 + 12);
    expect(row.failures).toBe(10);
    expect(row.veto).toBe(true); // 9.3 %
    expect(row.insufficientDays).toBe(3); // Wednesday (12) + Saturday + Sunday (0)
    expect(row.sufficient).toBe(false);
    expect(row.notMeasuredHours).toBe(48);
    const days = dailyAvailability(db, { siteId: 'x', from: '2021-06-14', to: '2021-06-20' });
    expect(days.map((d) => d.probes)).toEqual([24, 24, 12, 24, 24, 0, 0]);
    expect(days.map((d) => d.sufficient)).toEqual([true, true, false, true, true, false, false]);
  });

  it('a week still in progress: future days are insufficient, only elapsed time can be unmeasured', () => {
    const db = fresh();
    const now = dayStartMs('2021-06-16') + 12 * H; // Wednesday noon
    heartbeatsFor(db, dayStartMs(from), now);
    seedDay(db, 'x', '2021-06-14', 24, 2);
    seedDay(db, 'x', '2021-06-15', 24, 0);
    const [row] = weeklyAvailability(db, { week, now });
    expect(row.complete).toBe(false);
    expect(row.insufficientDays).toBe(5);
    expect(row.notMeasuredHours).toBe(0);
    const [cur] = weeklyAvailability(db, { now }); // default: the current week
    expect(cur.week).toBe(week);
  });

  it('from/to ranges split into ISO weeks (clipped) or one range row', () => {
    const db = fresh();
    for (const d of ['2021-06-19', '2021-06-20', '2021-06-21', '2021-06-22']) seedDay(db, 's', d, 24, d === '2021-06-21' ? 6 : 0);
    const rows = weeklyAvailability(db, { from: '2021-06-19', to: '2021-06-22', now: after + 7 * 24 * H });
    expect(rows.map((r) => [r.week, r.from, r.to, r.probes, r.failures])).toEqual([
      ['2021-W24', '2021-06-19', '2021-06-20', 48, 0],
      ['2021-W25', '2021-06-21', '2021-06-22', 48, 6],
    ]);
    const [range] = weeklyAvailability(db, { from: '2021-06-19', to: '2021-06-22', groupBy: 'range', now: after + 7 * 24 * H });
    expect(range).toMatchObject({ week: '2021-06-19..2021-06-22', probes: 96, failures: 6, veto: true, insufficientDays: 0 });
  });

  it('days follow Asia/Shanghai midnight', () => {
    const db = fresh();
    recordProbes(db, [{ siteId: 'z', result: result(Date.parse('2021-06-13T16:30:00Z'), 'timeout') }]);
    const d = dailyAvailability(db, { siteId: 'z', from: '2021-06-13', to: '2021-06-14' });
    expect(d.map((x) => [x.day, x.probes, x.failures])).toEqual([
      ['2021-06-13', 0, 0],
      ['2021-06-14', 1, 1],
    ]);
  });

  it('lists configured sites without probes only when asked; the audit view is absent without probes', () => {
    const db = fresh();
    seedDay(db, 'a', '2021-06-14', 24);
    expect(weeklyAvailability(db, { week, now: after }).map((r) => r.site)).toEqual(['a']);
    const rows = weeklyAvailability(db, { week, siteIds: ['a', 'b'], now: after });
    expect(rows.map((r) => [r.site, r.probes, r.insufficientDays])).toEqual([
      ['a', 24, 6],
      ['b', 0, 7],
    ]);
    expect(availabilityForAudit(db, 'b', '2021-06-16', { now: after })).toBeUndefined();
    const a = availabilityForAudit(db, 'a', '2021-06-16', { now: after });
    expect(a).toEqual({ site: 'a', week, probes: 24, failures: 0, ratio: 0, veto: false, insufficientDays: 6, notMeasuredHours: 168 });
  });

  it('the outage guard removes a minute where nearly every host failed', () => {
    const db = fresh();
    const t0 = dayStartMs('2021-06-14') + 10 * H;
    heartbeatsFor(db, t0 - H, t0 + H);
    const rec = new ProbeRecorder(db, { outageGuard: { minHosts: 5, minProbes: 10, ratio: 0.8 } });
    // minute 1: 30 hosts, all fail (the monitor lost its network); minute 3: 30 hosts, one fails (a real failure)
    for (let i = 0; i < 30; i++) rec.add(`s${i}`, result(t0 + 1000 + i, 'dns', `http://s${i}.gov.cn/`));
    for (let i = 0; i < 30; i++) rec.add(`s${i}`, result(t0 + 3 * 60_000 + i, i === 0 ? 'timeout' : 'ok', `http://s${i}.gov.cn/`));
    const degraded = rec.evaluateOutages(t0 + 10 * 60_000, 20_000);
    expect(degraded).toEqual([Math.floor(t0 / 60_000)]);
    const [s0] = weeklyAvailability(db, { week, siteId: 's0', now: after });
    expect(s0).toMatchObject({ probes: 1, failures: 1 });
    const [s1] = weeklyAvailability(db, { week, siteId: 's1', now: after });
    expect(s1).toMatchObject({ probes: 1, failures: 0 });
    // the degraded minute counts as not measured (1 of the 120 heartbeat minutes) plus everything outside
    const hb = db.prepare('SELECT degraded FROM monitor_heartbeats WHERE minute = ?').get(Math.floor(t0 / 60_000)) as { degraded: number };
    expect(hb.degraded).toBe(1);
    expect(excludeMinute(db, Math.floor(t0 / 60_000))).toBe(0); // idempotent
  });

  it('stays fast enough on many sites (roll-up query, no raw probes)', () => {
    const db = fresh();
    const ins = db.prepare('INSERT INTO monitor_daily (day, site_id, probes, failures) VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (let s = 0; s < 2000; s++) for (let d = 14; d <= 20; d++) ins.run(`2021-06-${d}`, `site-${s}`, 24, s % 17 === 0 && d === 14 ? 9 : 0);
    })();
    const rows = weeklyAvailability(db, { week, now: after });
    expect(rows).toHaveLength(2000);
    expect(rows.filter((r) => r.veto)).toHaveLength(118);
    expect(rows[0]).toMatchObject({ probes: 168, insufficientDays: 0 });
  });
});

describe('availability check', () => {
  const page = makePage('http://www.xt.gov.cn/', '<html><body>首页</body></html>', { isHomepage: true });
  const base = { site: 'xt', week: '2021-W24', probes: 168, failures: 9, ratio: 9 / 168, veto: true, insufficientDays: 0, notMeasuredHours: 0 };

  it('no availability data → no finding; below 5 % → no finding', () => {
    expect(findingsOf(checkAvailability, makeContext([page]))).toEqual([]);
    expect(findingsOf(checkAvailability, makeContext([page], { availability: { ...base, failures: 8, ratio: 8 / 168, veto: false } }))).toEqual([]);
  });

  it('a veto with sufficient sampling is a finding stating the ratio', () => {
    const [f] = findingsOf(checkAvailability, makeContext([page], { availability: base }));
    expect(f.check).toBe('availability');
    expect(f.url).toBe('http://www.xt.gov.cn/');
    expect(f.evidence.veto).toBe(true);
    expect(f.evidence.unverified).toBeUndefined();
    expect(f.evidence.sampling).toBe('sufficient');
    expect(f.detail).toContain('9/168');
    expect(f.detail).toContain('5.4%');
    expect(f.message).toContain('5.4%');
    expect(f.message).toContain('单项否决');
  });

  it('a veto on insufficient sampling is marked unverified', () => {
    const [f] = findingsOf(checkAvailability, makeContext([page], { availability: { ...base, insufficientDays: 2 } }));
    expect(f.evidence.veto).toBe(true);
    expect(f.evidence.unverified).toBe(true);
    expect(f.evidence.insufficientDays).toBe(2);
    expect(f.message).toContain('监测不充分');
  });

  it('survives hostile numbers', () => {
    expect(findingsOf(checkAvailability, makeContext([page], { availability: { ...base, probes: 0, failures: 3 } }))).toEqual([]);
    expect(findingsOf(checkAvailability, makeContext([page], { availability: { ...base, probes: Number.NaN } }))).toEqual([]);
  });
});
