import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAvailabilityCommand, formatAvailabilityText, runMonitorCommand, runRunNowCommand } from '../src/monitor/commands.ts';
import type { MonitorHandle } from '../src/monitor/monitor.ts';
import { staticLookup } from '../src/monitor/probe.ts';
import { ensureMonitorSchema } from '../src/monitor/schema.ts';
import { writeHeartbeats } from '../src/monitor/store.ts';
import { dayStartMs } from '../src/monitor/time.ts';
import { openDatabase } from '../src/store/db.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-cmd-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const silent = { info() {}, warn() {}, error() {} };

function capture() {
  const c = { out: '', err: '' };
  return { c, io: { out: (s: string) => (c.out += `${s}\n`), err: (s: string) => (c.err += `${s}\n`) } };
}

describe('govsite availability', () => {
  it('JSON rows per site and week; text table in Chinese', () => {
    const db = openDatabase(':memory:');
    ensureMonitorSchema(db);
    const ins = db.prepare('INSERT INTO monitor_daily (day, site_id, probes, failures) VALUES (?, ?, ?, ?)');
    for (let d = 14; d <= 20; d++) {
      ins.run(`2021-06-${d}`, 'cs', 24, d === 15 ? 10 : 0);
      ins.run(`2021-06-${d}`, 'xt', d === 20 ? 12 : 24, 0);
    }
    writeHeartbeats(db, dayStartMs('2021-06-14') / 60_000, dayStartMs('2021-06-21') / 60_000 - 1);
    const { c, io } = capture();
    expect(runAvailabilityCommand({ db, week: '2021-W24', format: 'json', now: dayStartMs('2021-06-22') }, io)).toBe(0);
    const rows = JSON.parse(c.out);
    expect(rows).toEqual([
      { site: 'cs', week: '2021-W24', from: '2021-06-14', to: '2021-06-20', probes: 168, failures: 10, ratio: 0.059524, veto: true, sufficient: true, insufficientDays: 0, notMeasuredHours: 0, complete: true, verdict: 'veto' },
      { site: 'xt', week: '2021-W24', from: '2021-06-14', to: '2021-06-20', probes: 156, failures: 0, ratio: 0, veto: false, sufficient: false, insufficientDays: 1, notMeasuredHours: 0, complete: true, verdict: 'pending' },
    ]);
    const t = capture();
    expect(runAvailabilityCommand({ db, site: 'cs', from: '2021-06-14', to: '2021-06-20', now: dayStartMs('2021-06-22') }, t.io)).toBe(0);
    expect(t.c.out).toContain('网站可用性 2021-W24');
    expect(t.c.out).toContain('5.95%');
    expect(t.c.out).toContain('是');
    // Unmeasured is not passed: a thin week, and a site without probes, are 待监测 — never 否.
    const thin = capture();
    expect(runAvailabilityCommand({ db, site: 'xt', week: '2021-W24', now: dayStartMs('2021-06-22') }, thin.io)).toBe(0);
    expect(thin.c.out).toContain('待监测');
    expect(thin.c.out).not.toMatch(/\s否\s/);
    const none = formatAvailabilityText([{ site: 'zz', week: '2021-W23', from: '2021-06-07', to: '2021-06-13', probes: 0, failures: 0, ratio: 0, veto: false, insufficientDays: 7, notMeasuredHours: 0, complete: true, sufficient: false }]);
    expect(none).toContain('待监测');
    expect(none).toContain('单否 0 行，待监测 1 行');
    const bad = capture();
    expect(runAvailabilityCommand({ db, week: '2021-24' }, bad.io)).toBe(2);
    expect(bad.c.err).toContain('--week');
    db.close();
  });
});

describe('govsite run-now', () => {
  it('runs the nightly audit of the configured sites and prints a Chinese summary', async () => {
    const cfg = path.join(dir, 'sites.yaml');
    fs.writeFileSync(cfg, `sites:\n  - { id: a, name: 甲, url: "http://a.gov.cn/", rubric: hunan-2021-city }\n  - { id: b, name: 乙, url: "http://b.gov.cn/", rubric: hunan-2021-provincial }\n`);
    const dbPath = path.join(dir, 'g.db');
    const { c, io } = capture();
    const code = await runRunNowCommand({ config: cfg, dbPath, auditFn: async () => ({ runId: 7, findings: [] }), logger: silent }, io);
    expect(code).toBe(0);
    expect(c.out).toMatch(/夜间巡检 #1/);
    expect(c.out).toContain('完成 2');
    const j = capture();
    expect(await runRunNowCommand({ config: cfg, dbPath, site: ['b'], auditFn: async () => ({ runId: 8, findings: [] }), format: 'json', logger: silent }, j.io)).toBe(0);
    expect(JSON.parse(j.c.out)).toMatchObject({ runId: 2, total: 1, done: 1 });
    const miss = capture();
    expect(await runRunNowCommand({ config: cfg, dbPath, site: ['zz'], auditFn: async () => ({ runId: 9, findings: [] }) }, miss.io)).toBe(2);
  });
});

describe('govsite monitor', () => {
  it('starts, probes over loopback, and stops cleanly on SIGTERM', async () => {
    const server = http.createServer((_req, res) => res.end('<html><body>首页</body></html>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const cfg = path.join(dir, 'sites.yaml');
    fs.writeFileSync(cfg, `sites:\n  - { id: a, name: 甲, url: "http://www.a.gov.cn:${port}/", rubric: hunan-2021-city }\n`);
    const dbPath = path.join(dir, 'm.db');
    let handle: MonitorHandle | undefined;
    const listenersBefore = process.listenerCount('SIGTERM');
    const { c, io } = capture();
    const running = runMonitorCommand(
      {
        config: cfg,
        dbPath,
        lookup: staticLookup({ 'www.a.gov.cn': '127.0.0.1' }),
        logger: silent,
        onStarted: (h) => {
          handle = h;
        },
      },
      io,
    );
    for (let i = 0; i < 200 && !handle; i++) await new Promise((r) => setTimeout(r, 5));
    expect(handle).toBeDefined();
    expect(c.out).toContain('监测已启动：1 个网站');
    process.emit('SIGTERM', 'SIGTERM');
    expect(await running).toBe(0);
    expect(c.out).toContain('监测已停止');
    const db = openDatabase(dbPath);
    const hb = db.prepare('SELECT count(*) AS n FROM monitor_heartbeats').get() as { n: number };
    expect(hb.n).toBeGreaterThanOrEqual(1);
    db.close();
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
    await new Promise<void>((r) => server.close(() => r()));
  });
});
