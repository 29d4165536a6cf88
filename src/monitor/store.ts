/**
 * Writing probe results, daily roll-ups and heartbeats; the monitor-side outage guard; pruning.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../store/db.ts';
import type { ProbeResult } from './probe.ts';
import { isFailureOutcome } from './probe.ts';
import { ensureMonitorSchema } from './schema.ts';
import { dayStartMs, minuteOf, shanghaiDay } from './time.ts';

export interface ProbeRecord {
  siteId: string;
  result: ProbeResult;
}

interface Statements {
  insertProbe: Database.Statement<unknown[]>;
  upsertDaily: Database.Statement<unknown[]>;
}

const stmtCache = new WeakMap<Db, Statements>();

function statements(db: Db): Statements {
  let s = stmtCache.get(db);
  if (!s) {
    ensureMonitorSchema(db);
    s = {
      insertProbe: db.prepare(
        `INSERT INTO monitor_probes (site_id, at, day, outcome, failed, status, ms, phases, family, address, bytes, error, cert_expires)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      upsertDaily: db.prepare(
        `INSERT INTO monitor_daily (day, site_id, probes, failures, first_at, last_at) VALUES (?, ?, 1, ?, ?, ?)
         ON CONFLICT (day, site_id) DO UPDATE SET
           probes = probes + 1,
           failures = failures + excluded.failures,
           first_at = min(coalesce(first_at, excluded.first_at), excluded.first_at),
           last_at = max(coalesce(last_at, excluded.last_at), excluded.last_at)`,
      ),
    };
    stmtCache.set(db, s);
  }
  return s;
}

/** Stores probe results and updates the daily roll-ups, all in one transaction. */
export function recordProbes(db: Db, records: readonly ProbeRecord[]): void {
  if (records.length === 0) return;
  const s = statements(db);
  db.transaction(() => {
    for (const { siteId, result: r } of records) {
      const failed = isFailureOutcome(r.outcome) ? 1 : 0;
      const day = shanghaiDay(r.at);
      const phases = Object.keys(r.phases).length ? JSON.stringify(r.phases) : null;
      s.insertProbe.run(siteId, r.at, day, r.outcome, failed, r.status ?? null, Math.round(r.ms), phases, r.family ?? null, r.address ?? null, r.bytes, r.error ?? null, r.certExpires ?? null);
      s.upsertDaily.run(day, siteId, failed, r.at, r.at);
    }
  })();
}

/**
 * Marks the minutes [fromMinute, toMinute] as "monitor running" (heartbeat rows). Existing rows are kept
 * (a degraded flag set by the outage guard stays).
 */
export function writeHeartbeats(db: Db, fromMinute: number, toMinute: number, pid = process.pid): void {
  ensureMonitorSchema(db);
  const ins = db.prepare(`INSERT OR IGNORE INTO monitor_heartbeats (minute, at, pid) VALUES (?, ?, ?)`);
  db.transaction(() => {
    for (let m = fromMinute; m <= toMinute; m++) ins.run(m, new Date(m * 60_000).toISOString(), pid);
  })();
}

/** Minutes in [fromMs, toMs) during which the monitor was running and not degraded. */
export function measuredMinutes(db: Db, fromMs: number, toMs: number): number {
  ensureMonitorSchema(db);
  if (toMs <= fromMs) return 0;
  const row = db
    .prepare(`SELECT count(*) AS n FROM monitor_heartbeats WHERE minute >= ? AND minute < ? AND degraded = 0`)
    .get(Math.ceil(fromMs / 60_000), Math.ceil(toMs / 60_000)) as { n: number };
  return row.n;
}

export interface OutageGuardOptions {
  enabled?: boolean;
  /** Failure share of a minute's probes at which the monitor itself is presumed cut off (default 0.8). */
  ratio?: number;
  /** Distinct failing hosts needed (default 10): one host down is never a monitor outage. */
  minHosts?: number;
  /** Probes in the minute needed (default 20). */
  minProbes?: number;
}

interface MinuteBucket {
  probes: number;
  failures: number;
  failedHosts: Set<string>;
}

/**
 * Buffers probe results, writes them in batches, and guards against monitor-side outages: when, within one
 * minute, nearly all probes of many different hosts fail (the monitor lost its network or DNS), those failures
 * say nothing about the sites. The minute is then marked `degraded` (counted as not measured) and its failed
 * probes are excluded from the roll-ups. Successful probes of that minute stay counted.
 */
export class ProbeRecorder {
  private buffer: ProbeRecord[] = [];
  private buckets = new Map<number, MinuteBucket>();
  private readonly guard: Required<OutageGuardOptions>;
  /** Minutes marked degraded so far (for logs and tests). */
  degradedMinutes: number[] = [];
  written = 0;

  constructor(
    private readonly db: Db,
    opts: { outageGuard?: OutageGuardOptions; batchSize?: number; hostOf?: (siteId: string, r: ProbeResult) => string } = {},
  ) {
    ensureMonitorSchema(db);
    this.guard = { enabled: true, ratio: 0.8, minHosts: 10, minProbes: 20, ...opts.outageGuard };
    this.batchSize = opts.batchSize ?? 1000;
    this.hostOf = opts.hostOf ?? ((_id, r) => hostOfUrl(r.url));
  }

  private readonly batchSize: number;
  private readonly hostOf: (siteId: string, r: ProbeResult) => string;

  add(siteId: string, result: ProbeResult): void {
    this.buffer.push({ siteId, result });
    if (this.guard.enabled) {
      const m = minuteOf(Date.parse(result.at));
      let b = this.buckets.get(m);
      if (!b) this.buckets.set(m, (b = { probes: 0, failures: 0, failedHosts: new Set() }));
      b.probes++;
      if (isFailureOutcome(result.outcome)) {
        b.failures++;
        if (b.failedHosts.size < this.guard.minHosts) b.failedHosts.add(this.hostOf(siteId, result));
      }
    }
    if (this.buffer.length >= this.batchSize) this.flush();
  }

  get pending(): number {
    return this.buffer.length;
  }

  /** Writes buffered results. */
  flush(): void {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    recordProbes(this.db, batch);
    this.written += batch.length;
  }

  /**
   * Judges every minute bucket that ended at least `graceMs` before `nowMs` (probes are bucketed by start time,
   * so grace must exceed the probe deadline). Returns the minutes marked degraded now.
   */
  evaluateOutages(nowMs: number, graceMs: number): number[] {
    if (!this.guard.enabled) return [];
    const done: number[] = [];
    const degraded: number[] = [];
    for (const [m, b] of this.buckets) {
      if ((m + 1) * 60_000 + graceMs > nowMs) continue;
      done.push(m);
      const g = this.guard;
      if (b.probes >= g.minProbes && b.failures / b.probes >= g.ratio && b.failedHosts.size >= g.minHosts) degraded.push(m);
    }
    if (done.length === 0) return [];
    this.flush();
    const db = this.db;
    const setCounts = db.prepare(`UPDATE monitor_heartbeats SET probes = probes + ?, failures = failures + ? WHERE minute = ?`);
    db.transaction(() => {
      for (const m of done) {
        const b = this.buckets.get(m)!;
        setCounts.run(b.probes, b.failures, m);
        this.buckets.delete(m);
      }
      for (const m of degraded) excludeMinute(db, m);
    })();
    this.degradedMinutes.push(...degraded);
    return degraded;
  }
}

function hostOfUrl(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** Excludes the failed probes started during `minute` from the roll-ups and marks the minute degraded. */
export function excludeMinute(db: Db, minute: number): number {
  ensureMonitorSchema(db);
  const from = new Date(minute * 60_000).toISOString();
  const to = new Date((minute + 1) * 60_000).toISOString();
  let n = 0;
  db.transaction(() => {
    const groups = db
      .prepare(
        `SELECT site_id, day, count(*) AS n FROM monitor_probes
         WHERE at >= ? AND at < ? AND failed = 1 AND excluded = 0 GROUP BY site_id, day`,
      )
      .all(from, to) as { site_id: string; day: string; n: number }[];
    const dec = db.prepare(`UPDATE monitor_daily SET probes = max(0, probes - ?), failures = max(0, failures - ?) WHERE day = ? AND site_id = ?`);
    for (const g of groups) {
      dec.run(g.n, g.n, g.day, g.site_id);
      n += g.n;
    }
    db.prepare(`UPDATE monitor_probes SET excluded = 1 WHERE at >= ? AND at < ? AND failed = 1 AND excluded = 0`).run(from, to);
    db.prepare(
      `INSERT INTO monitor_heartbeats (minute, at, pid, degraded) VALUES (?, ?, ?, 1)
       ON CONFLICT (minute) DO UPDATE SET degraded = 1`,
    ).run(minute, from, process.pid);
  })();
  return n;
}

/** Deletes raw probe rows older than `beforeDay` (Asia/Shanghai); roll-ups are kept. Returns rows deleted. */
export function pruneProbes(db: Db, beforeDay: string): number {
  ensureMonitorSchema(db);
  const cutoff = new Date(dayStartMs(beforeDay)).toISOString();
  const del = db.prepare(`DELETE FROM monitor_probes WHERE id IN (SELECT id FROM monitor_probes WHERE at < ? ORDER BY at LIMIT 20000)`);
  let total = 0;
  for (;;) {
    const { changes } = del.run(cutoff);
    total += changes;
    if (changes < 20_000) break;
  }
  return total;
}

/** The most recent heartbeat (to detect another live monitor on the same database). */
export function lastHeartbeat(db: Db): { minute: number; pid: number | null } | undefined {
  ensureMonitorSchema(db);
  return db.prepare(`SELECT minute, pid FROM monitor_heartbeats ORDER BY minute DESC LIMIT 1`).get() as { minute: number; pid: number | null } | undefined;
}

export interface StoredProbe {
  siteId: string;
  at: string;
  outcome: string;
  failed: boolean;
  status?: number;
  ms: number;
  phases?: Record<string, number>;
  family?: number;
  address?: string;
  bytes: number;
  error?: string;
  excluded: boolean;
}

/** Raw probes of a site in [fromIso, toIso) (newest last). */
export function listProbes(db: Db, siteId: string, fromIso: string, toIso: string, limit = 10_000): StoredProbe[] {
  ensureMonitorSchema(db);
  const rows = db
    .prepare(
      `SELECT site_id, at, outcome, failed, status, ms, phases, family, address, bytes, error, excluded
       FROM monitor_probes WHERE site_id = ? AND at >= ? AND at < ? ORDER BY at LIMIT ?`,
    )
    .all(siteId, fromIso, toIso, limit) as Record<string, unknown>[];
  return rows.map((r) => ({
    siteId: r.site_id as string,
    at: r.at as string,
    outcome: r.outcome as string,
    failed: r.failed === 1,
    ...(r.status != null ? { status: r.status as number } : {}),
    ms: r.ms as number,
    ...(r.phases ? { phases: JSON.parse(r.phases as string) as Record<string, number> } : {}),
    ...(r.family != null ? { family: r.family as number } : {}),
    ...(r.address != null ? { address: r.address as string } : {}),
    bytes: r.bytes as number,
    ...(r.error != null ? { error: r.error as string } : {}),
    excluded: r.excluded === 1,
  }));
}
