import { describe, expect, it } from 'vitest';
import { FakeClock } from '../src/monitor/clock.ts';
import { parseSitesConfig } from '../src/monitor/config.ts';
import { startMonitor } from '../src/monitor/monitor.ts';
import type { ProbeResult } from '../src/monitor/probe.ts';
import { weeklyAvailability } from '../src/monitor/ratios.ts';
import type { ScheduledSite } from '../src/monitor/scheduler.ts';
import { ProbeScheduler, siteOffsetFraction, slotTimes } from '../src/monitor/scheduler.ts';
import { ensureMonitorSchema } from '../src/monitor/schema.ts';
import { dayStartMs, shanghaiDay } from '../src/monitor/time.ts';
import { openDatabase } from '../src/store/db.ts';
import { tightHeapActive } from '../src/runtime/heap.ts';

const DAY = 86_400_000;
const MONDAY = dayStartMs('2021-06-14'); // 00:00 Asia/Shanghai

function ok(site: ScheduledSite, at: number): ProbeResult {
  return { url: site.url, finalUrl: site.url, at: new Date(at).toISOString(), outcome: 'ok', status: 200, ms: 5, phases: {}, bytes: 10, redirects: 0 };
}

function sites(n: number, perDay = 24, host?: (i: number) => string): ScheduledSite[] {
  return Array.from({ length: n }, (_, i) => ({ id: `site-${i}`, url: `http://${host ? host(i) : `s${i}.example.gov.cn`}/`, probesPerDay: perDay }));
}

const silent = { info() {}, warn() {}, error() {} };

describe('probe scheduler (fake clock)', () => {
  it('keeps the heap tight while it runs and releases the mode when stopped', async () => {
    const clock = new FakeClock(MONDAY);
    const s = new ProbeScheduler({ sites: sites(3), clock, probe: async (site) => ok(site, clock.now()), onResult: () => {} });
    expect(tightHeapActive()).toBe(false);
    s.start();
    s.start(); // idempotent: entered once
    expect(tightHeapActive()).toBe(true);
    await clock.advance(3_600_000);
    await s.stop();
    expect(tightHeapActive()).toBe(false);
    await s.stop();
    expect(tightHeapActive()).toBe(false);
  });

  it('fires exactly N probes per site per Shanghai day, evenly spaced, with per-site offsets', async () => {
    const clock = new FakeClock(MONDAY);
    const fired = new Map<string, number[]>();
    const s = new ProbeScheduler({
      sites: sites(200),
      clock,
      probe: async (site) => ok(site, clock.now()),
      onResult: (site, _r, info) => {
        const list = fired.get(site.id) ?? [];
        list.push(info.scheduledAt);
        fired.set(site.id, list);
        expect(info.lagMs).toBe(0); // the fake clock does not move while probes run
      },
    });
    s.start();
    await clock.advance(DAY);
    await s.stop();
    expect(fired.size).toBe(200);
    const offsets = new Set<number>();
    const perMinute = new Map<number, number>();
    for (const [id, times] of fired) {
      expect(times).toHaveLength(24);
      expect(times.every((t) => shanghaiDay(t) === '2021-06-14')).toBe(true);
      for (let k = 1; k < times.length; k++) expect(Math.abs(times[k] - times[k - 1] - 3_600_000)).toBeLessThanOrEqual(1);
      expect(times[0] - MONDAY).toBe(Math.floor(siteOffsetFraction(id) * 3_600_000));
      expect(times).toEqual(slotTimes(id, 24, MONDAY));
      offsets.add(times[0]);
      for (const t of times) perMinute.set(Math.floor(t / 60_000), (perMinute.get(Math.floor(t / 60_000)) ?? 0) + 1);
    }
    expect(offsets.size).toBeGreaterThan(190); // not all at once
    // 200 sites × 24 = 4800 probes over 1440 minutes: no minute should carry a burst
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(20);
    expect(s.stats.completed).toBe(4800);
    expect(s.stats.missed).toBe(0);
  });

  it('never schedules fewer than 20 a day, and offsets are deterministic', async () => {
    const clock = new FakeClock(MONDAY);
    let count = 0;
    const s = new ProbeScheduler({ sites: [{ id: 'few', url: 'http://few.gov.cn/', probesPerDay: 5 }], clock, probe: async (x) => ok(x, clock.now()), onResult: () => count++ });
    s.start();
    await clock.advance(DAY);
    await s.stop();
    expect(count).toBe(20);
    expect(siteOffsetFraction('changsha')).toBe(siteOffsetFraction('changsha'));
    expect(siteOffsetFraction('changsha')).not.toBe(siteOffsetFraction('xiangtan'));
  });

  it('started mid-day: only the remaining slots of the day, then full days', async () => {
    const clock = new FakeClock(MONDAY + 12 * 3_600_000 + 1);
    const days = new Map<string, number>();
    const s = new ProbeScheduler({
      sites: sites(1),
      clock,
      probe: async (x) => ok(x, clock.now()),
      onResult: (_s, r) => days.set(shanghaiDay(r.at), (days.get(shanghaiDay(r.at)) ?? 0) + 1),
    });
    s.start();
    await clock.advance(DAY + 12 * 3_600_000);
    await s.stop();
    expect(days.get('2021-06-15')).toBe(24);
    expect(days.get('2021-06-14')).toBeGreaterThanOrEqual(11);
    expect(days.get('2021-06-14')).toBeLessThanOrEqual(12);
  });

  it('bounds probes in flight and keeps one probe per host at a time', async () => {
    const clock = new FakeClock(MONDAY);
    const pending: (() => void)[] = [];
    const perHostNow = new Map<string, number>();
    let maxPerHost = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const s = new ProbeScheduler({
      // 60 sites on 3 hosts (shared hosting), plus 60 on their own hosts; probes hang until released
      sites: [...sites(60, 24, (i) => `h${i % 3}.shared.gov.cn`), ...sites(60, 24).map((x) => ({ ...x, id: `own-${x.id}` }))],
      clock,
      concurrency: 10,
      perHost: 1,
      probe: (site) =>
        new Promise<ProbeResult>((resolve) => {
          const host = new URL(site.url).hostname;
          perHostNow.set(host, (perHostNow.get(host) ?? 0) + 1);
          maxPerHost = Math.max(maxPerHost, perHostNow.get(host)!);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          pending.push(() => {
            perHostNow.set(host, perHostNow.get(host)! - 1);
            inFlight--;
            resolve(ok(site, clock.now()));
          });
        }),
      onResult: () => {},
    });
    s.start();
    await clock.advance(3_600_000); // one slot for every site becomes due
    expect(inFlight).toBe(10);
    // release probes batch by batch
    for (let round = 0; round < 50 && pending.length; round++) {
      const batch = pending.splice(0);
      batch.forEach((f) => f());
      await clock.advance(1);
    }
    await s.stop();
    expect(maxInFlight).toBeLessThanOrEqual(10);
    expect(maxPerHost).toBe(1);
    expect(s.stats.completed).toBe(120);
  });

  it('politeness gap between starts on one host', async () => {
    const clock = new FakeClock(MONDAY);
    const starts: number[] = [];
    const s = new ProbeScheduler({
      sites: sites(10, 24, () => 'same.gov.cn'),
      clock,
      politenessMs: 5_000,
      probe: async (x) => {
        starts.push(clock.now());
        return ok(x, clock.now());
      },
      onResult: () => {},
    });
    s.start();
    await clock.advance(3_600_000);
    await s.stop();
    expect(starts).toHaveLength(10);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(5_000);
  });

  it('stop() cancels in-flight probes without reporting them', async () => {
    const clock = new FakeClock(MONDAY);
    let results = 0;
    let errors = 0;
    const s = new ProbeScheduler({
      sites: sites(5),
      clock,
      probe: (_x, signal) => new Promise<ProbeResult>((_r, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      onResult: () => results++,
      onError: () => errors++,
    });
    s.start();
    await clock.advance(3_600_000);
    expect(s.stats.inFlight).toBe(5);
    await s.stop();
    expect(results).toBe(0);
    expect(errors).toBe(0);
    expect(s.stats.inFlight).toBe(0);
  });

  it('setSites adds and removes sites while running', async () => {
    const clock = new FakeClock(MONDAY);
    const seen = new Set<string>();
    const s = new ProbeScheduler({ sites: sites(2), clock, probe: async (x) => ok(x, clock.now()), onResult: (x) => seen.add(x.id) });
    s.start();
    await clock.advance(3_600_000);
    s.setSites([{ id: 'new', url: 'http://new.gov.cn/', probesPerDay: 24 }]);
    seen.clear();
    await clock.advance(3_600_000);
    await s.stop();
    expect([...seen]).toEqual(['new']);
  });
});

describe('startMonitor (fake clock, fake probe)', () => {
  it('refuses to start when another live monitor uses the database', () => {
    const db = openDatabase(':memory:');
    const clock = new FakeClock(MONDAY);
    ensureMonitorSchema(db);
    db.prepare('INSERT INTO monitor_heartbeats (minute, at, pid) VALUES (?, ?, ?)').run(Math.floor(MONDAY / 60_000), new Date(MONDAY).toISOString(), process.ppid);
    const config = parseSitesConfig('sites: []');
    expect(() => startMonitor({ db, config, clock, handleSignals: false, logger: silent, probe: async (s) => ok(s, 0) })).toThrow(/另一个监测进程/);
    db.close();
  });

  it('records probes into roll-ups, writes heartbeats, stops cleanly', async () => {
    const db = openDatabase(':memory:');
    const config = parseSitesConfig(`
sites:
  - { id: a, name: 甲市人民政府, url: "http://a.gov.cn/", rubric: hunan-2021-city }
  - { id: b, name: 乙市人民政府, url: "http://b.gov.cn/", rubric: hunan-2021-city, probesPerDay: 48 }
`);
    const clock = new FakeClock(MONDAY);
    const h = startMonitor({
      db,
      config,
      clock,
      handleSignals: false,
      warningIntervalMs: 0,
      logger: silent,
      probe: async (site) => ({ ...ok(site, clock.now()), ...(site.id === 'b' ? { outcome: 'timeout' as const, status: undefined } : {}) }),
    });
    await clock.advance(DAY);
    await h.stop();
    await h.done;
    const rows = weeklyAvailability(db, { week: '2021-W24', now: MONDAY + DAY });
    const by = Object.fromEntries(rows.map((r) => [r.site, r]));
    expect(by.a).toMatchObject({ probes: 24, failures: 0 });
    expect(by.b).toMatchObject({ probes: 48, failures: 48, veto: true });
    const hb = db.prepare('SELECT count(*) AS n FROM monitor_heartbeats').get() as { n: number };
    expect(hb.n).toBeGreaterThanOrEqual(1440);
    // the day was fully measured: 6 future days of the week are not counted as not-measured
    expect(by.a.notMeasuredHours).toBe(0);
    db.close();
  });
});

describe('event-loop stall tracker', () => {
  it('reports stalls overlapping a probe window', async () => {
    const { LoopStallTracker, stallLimitMs } = await import('../src/monitor/stall.ts');
    let t = 1_000_000;
    const tr = new LoopStallTracker(100, 150, 60_000, () => t);
    tr.start();
    tr.stop(); // drive it by hand
    for (let i = 0; i < 10; i++) {
      t += 100;
      tr.tick();
    }
    const stallStart = t + 100;
    t += 100 + 5_000; // frozen for 5 s
    tr.tick();
    expect(tr.stalledMs(stallStart - 10_000, stallStart + 20_000)).toBe(5_000);
    expect(tr.stalledMs(stallStart + 4_000, stallStart + 20_000)).toBe(1_000);
    expect(tr.stalledMs(0, stallStart)).toBe(0);
    expect(stallLimitMs(15_000)).toBe(1_500);
    expect(stallLimitMs(3_000)).toBe(1_000);
  });
});
