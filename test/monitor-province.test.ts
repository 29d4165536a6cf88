/**
 * Monitor data behind the province views: maintenance windows (recorded, counted apart, the inspector decides; the
 * one verdict function says 待定 while an undecided window would change the 单否), the alert delivery log (delivered
 * and failed, retries folded into one row), and the certificate expiry a probe records.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/db.ts';
import type { Db } from '../src/store/db.ts';
import { recordProbes, listProbes, type ProbeRecord } from '../src/monitor/store.ts';
import { addDays, dayStartMs, weekRange } from '../src/monitor/time.ts';
import { availabilityForAudit, availabilityVerdict, weeklyAvailability } from '../src/monitor/ratios.ts';
import {
  addMaintenanceWindow,
  decideMaintenanceWindow,
  listMaintenanceWindows,
  MaintenanceError,
  maintenanceCounts,
  parseShanghaiTime,
  windowProbeCounts,
} from '../src/monitor/maintenance.ts';
import { listAlerts } from '../src/monitor/alert-log.ts';
import { evaluateWarnings, sendWarnings } from '../src/monitor/warnings.ts';
import { probeUrl } from '../src/monitor/probe.ts';
import availabilityCheck from '../checks/availability.ts';
import type { AuditContext, CheckOutput } from '../src/model.ts';

const WEEK = '2021-W24';
const FROM = weekRange(WEEK).from; // 2021-06-14

/** 24 probes a day for a week; failures at the given hours (Shanghai) of the given day index. */
function week(siteId: string, fails: { day: number; hours: number[] }[] = []): ProbeRecord[] {
  const out: ProbeRecord[] = [];
  for (let d = 0; d < 7; d++) {
    const bad = new Set(fails.filter((f) => f.day === d).flatMap((f) => f.hours));
    for (let h = 0; h < 24; h++) {
      const failed = bad.has(h);
      out.push({
        siteId,
        result: {
          url: 'http://www.x.gov.cn/',
          finalUrl: 'http://www.x.gov.cn/',
          at: new Date(dayStartMs(addDays(FROM, d)) + h * 3_600_000 + 60_000).toISOString(),
          outcome: failed ? 'timeout' : 'ok',
          ...(failed ? { error: 'deadline' } : { status: 200 }),
          ms: failed ? 15_000 : 300,
          phases: {},
          bytes: failed ? 0 : 1000,
          redirects: 0,
        },
      });
    }
  }
  return out;
}

const AFTER = Date.parse('2021-06-22T04:00:00Z'); // the week is over

function runCheck(a: AuditContext['availability']): CheckOutput {
  return availabilityCheck.run({ availability: a, site: { url: 'http://www.x.gov.cn/' } } as unknown as AuditContext) as CheckOutput;
}

describe('maintenance windows', () => {
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
    // 168 probes; 8 failures on Wednesday 01:00–08:00 (an announced upgrade night) → 4.8 % … and one more on Friday.
    recordProbes(db, week('x', [{ day: 2, hours: [1, 2, 3, 4, 5, 6, 7, 8] }, { day: 4, hours: [10] }]));
  });

  it('reads Shanghai times and refuses backwards or endless windows', () => {
    expect(parseShanghaiTime('2021-06-16 01:00')).toBe(Date.parse('2021-06-15T17:00:00Z'));
    expect(parseShanghaiTime('2021-06-16T01:00')).toBe(Date.parse('2021-06-15T17:00:00Z'));
    expect(parseShanghaiTime('2021-02-30 01:00')).toBeUndefined();
    expect(parseShanghaiTime('昨天')).toBeUndefined();
    const t = Date.parse('2021-06-16T00:00:00Z');
    expect(() => addMaintenanceWindow(db, { siteId: 'x', startsAt: t, endsAt: t, now: AFTER })).toThrow(MaintenanceError);
    expect(() => addMaintenanceWindow(db, { siteId: 'x', startsAt: t, endsAt: t + 8 * 86_400_000, now: AFTER })).toThrow(/7 天/);
  });

  it('without windows: 9 / 168 = 5.4 % is a veto', () => {
    const [row] = weeklyAvailability(db, { siteId: 'x', week: WEEK, now: AFTER });
    expect(row).toMatchObject({ probes: 168, failures: 9, insufficientDays: 0 });
    expect(row.maintenance).toBeUndefined();
    expect(availabilityVerdict(row)).toBe('veto');
  });

  it('an undecided window that would change the verdict makes the week 待定; the inspector decides; the check follows', () => {
    const w = addMaintenanceWindow(db, {
      siteId: 'x',
      startsAt: parseShanghaiTime('2021-06-16 00:30')!,
      endsAt: parseShanghaiTime('2021-06-16 09:00')!,
      note: '系统升级公告 http://www.x.gov.cn/tzgg/1.html',
      createdBy: '李四',
      now: AFTER,
    });
    expect(windowProbeCounts(db, w)).toEqual({ probes: 8, failures: 8 });
    let [row] = weeklyAvailability(db, { siteId: 'x', week: WEEK, now: AFTER });
    expect(row.probes).toBe(168); // recorded as usual
    expect(row.maintenance).toMatchObject({ pendingProbes: 8, pendingFailures: 8, excludedProbes: 0, windows: [w.id] });
    expect(availabilityVerdict(row)).toBe('pending'); // 9/168 ≥ 5 % but 1/160 is not
    let out = runCheck(availabilityForAudit(db, 'x', '2021-06-21', { now: AFTER }));
    expect(out.scope?.status).toBe('unverified');
    expect(out.scope?.reason).toMatch(/维护时段内监测 8 次.*待检查人员决定/);
    expect(out.findings[0].evidence.unverified).toBe(true);

    decideMaintenanceWindow(db, w.id, { decision: 'exclude', by: '王五', reason: '已提前公告', now: AFTER });
    [row] = weeklyAvailability(db, { siteId: 'x', week: WEEK, now: AFTER });
    expect(row.probes).toBe(168);
    expect(row.maintenance).toMatchObject({ pendingProbes: 0, excludedProbes: 8, excludedFailures: 8 });
    expect(availabilityVerdict(row)).toBe('clear');
    out = runCheck(availabilityForAudit(db, 'x', '2021-06-21', { now: AFTER }));
    expect(out.findings).toEqual([]);
    expect(out.scope).toMatchObject({ status: 'checked' });
    expect(out.scope?.summary).toContain('共访问 160 次，打不开 1 次');
    expect(out.scope?.summary).toContain('维护时段内 8 次经检查人员决定不计入');

    decideMaintenanceWindow(db, w.id, { decision: 'count', by: '王五', now: AFTER });
    [row] = weeklyAvailability(db, { siteId: 'x', week: WEEK, now: AFTER });
    expect(availabilityVerdict(row)).toBe('veto');
    out = runCheck(availabilityForAudit(db, 'x', '2021-06-21', { now: AFTER }));
    expect(out.findings[0].evidence.veto).toBe(true);
    expect(out.findings[0].evidence.unverified).toBeUndefined();
    expect(listMaintenanceWindows(db, 'x')[0]).toMatchObject({ decision: 'count', decidedBy: '王五' });
    decideMaintenanceWindow(db, w.id, { decision: 'pending', by: '王五', now: AFTER });
    expect(listMaintenanceWindows(db, 'x')[0]).toMatchObject({ decision: 'pending', decidedBy: null });
  });

  it('an undecided window that does not change the verdict leaves it as it is', () => {
    const db2 = openDatabase(':memory:');
    recordProbes(db2, week('y', [{ day: 1, hours: [3] }]));
    addMaintenanceWindow(db2, { siteId: 'y', startsAt: parseShanghaiTime('2021-06-15 02:00')!, endsAt: parseShanghaiTime('2021-06-15 05:00')!, now: AFTER });
    const [row] = weeklyAvailability(db2, { siteId: 'y', week: WEEK, now: AFTER });
    expect(row.maintenance?.pendingProbes).toBe(3);
    expect(availabilityVerdict(row)).toBe('clear');
    // overlapping windows count a probe once, under the stronger decision
    const w2 = addMaintenanceWindow(db2, { siteId: 'y', startsAt: parseShanghaiTime('2021-06-15 03:00')!, endsAt: parseShanghaiTime('2021-06-15 04:30')!, now: AFTER });
    decideMaintenanceWindow(db2, w2.id, { decision: 'exclude', by: 'x', now: AFTER });
    const c = maintenanceCounts(db2, { siteId: 'y', periods: [{ key: WEEK, ...weekRange(WEEK) }] }).get('y')!.get(WEEK)!;
    expect(c).toMatchObject({ pendingProbes: 1, excludedProbes: 2, excludedFailures: 1 }); // 02:01 pending; 03:01 (failed) and 04:01 excluded
  });
});

describe('alert delivery log', () => {
  let server: http.Server;
  let base = '';
  let failing = true;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = failing && req.url === '/hook' ? 503 : 200;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('records deliveries and failures per channel; retries of a failure update one row', async () => {
    const db = openDatabase(':memory:');
    const site = { id: 'bs', name: '白水市人民政府', url: 'http://www.bs.gov.cn/', region: '白水市' };
    const ws = evaluateWarnings({
      site,
      asOf: '2021-06-16',
      availability: { site: 'bs', week: WEEK, probes: 72, failures: 4, ratio: 4 / 72, veto: true, insufficientDays: 4, notMeasuredHours: 0 },
    });
    const channels = [
      { type: 'webhook' as const, name: '省平台', url: `${base}/hook` },
      { type: 'wecom' as const, name: '企业微信', url: `${base}/wecom` },
    ];
    let t = Date.parse('2021-06-16T02:00:00Z');
    await sendWarnings(db, ws, channels as never, { now: () => t });
    t += 3_600_000;
    await sendWarnings(db, ws, channels as never, { now: () => t }); // webhook fails again; wecom already sent
    let { rows, total } = listAlerts(db, { limit: 50, offset: 0 });
    expect(total).toBe(2);
    const hook = rows.find((r) => r.channel === '省平台')!;
    expect(hook).toMatchObject({ ok: false, attempts: 2, channelType: 'webhook', siteId: 'bs', condition: 'availability', week: WEEK });
    expect(hook.error).toContain('503');
    expect(rows.find((r) => r.channel === '企业微信')).toMatchObject({ ok: true, attempts: 1, channelType: 'wecom' });
    failing = false;
    t += 3_600_000;
    await sendWarnings(db, ws, channels as never, { now: () => t });
    ({ rows, total } = listAlerts(db, { limit: 50, offset: 0 }));
    expect(total).toBe(3);
    expect(rows[0]).toMatchObject({ channel: '省平台', ok: true });
    expect(listAlerts(db, { status: 'failed', limit: 50, offset: 0 }).total).toBe(1);
    expect(listAlerts(db, { siteId: 'other', limit: 50, offset: 0 }).total).toBe(0);
    // deliveries remembered before the log existed still show (as delivered, channel type unknown)
    db.prepare(`INSERT INTO monitor_warnings (site_id, condition, week, channel, sent_at, message) VALUES ('old', 'homepage-stale', '2021-W20', '钉钉', '2021-05-20T01:00:00.000Z', '旧预警')`).run();
    const old = listAlerts(db, { siteId: 'old', limit: 50, offset: 0 });
    expect(old.rows).toEqual([expect.objectContaining({ ok: true, channelType: null, message: '旧预警' })]);
  });
});

describe('probe records the certificate expiry', () => {
  const tls = (f: string) => fs.readFileSync(new URL(`../fixtures/tls/${f}`, import.meta.url), 'utf8');
  let server: https.Server;
  let port = 0;
  beforeAll(async () => {
    server = https.createServer({ key: tls('leaf.key'), cert: tls('leaf.pem') + tls('ca.pem') }, (_req, res) => res.end('<html><body>首页</body></html>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('notAfter of the presented certificate goes into the probe row', async () => {
    const r = await probeUrl(`https://127.0.0.1:${port}/`, { timeoutMs: 5000 });
    expect(r.outcome).toBe('ok');
    expect(r.certExpires).toBe('2126-11-04T01:02:26.000Z');
    const db = openDatabase(':memory:');
    recordProbes(db, [{ siteId: 's', result: r }]);
    const row = db.prepare('SELECT cert_expires FROM monitor_probes').get() as { cert_expires: string };
    expect(row.cert_expires).toBe('2126-11-04T01:02:26.000Z');
    expect(listProbes(db, 's', '2000-01-01', '2200-01-01')).toHaveLength(1);
    const plain = await probeUrl(`http://127.0.0.1:1/`, { timeoutMs: 2000 });
    expect(plain.certExpires).toBeUndefined();
  });
});
