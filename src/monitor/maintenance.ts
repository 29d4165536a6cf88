/**
 * Maintenance windows (计划停机): downtime a unit announced in advance. Probes keep running and are recorded as
 * usual; the probes that fall inside a window are counted apart, and the inspector decides per window whether they
 * count toward the week's availability (`count`) or not (`exclude`). Until the inspector decides (`pending`), a week
 * whose 单否 verdict depends on the window stays 待定 — `availabilityVerdict` in ratios.ts is the one place that
 * decides, from the counts computed here.
 *
 * Times are ISO UTC (`starts_at` inclusive, `ends_at` exclusive), entered and shown in Asia/Shanghai.
 */
import type { Db } from '../store/db.ts';
import type { MaintenanceCounts } from '../model.ts';
import { ensureMonitorSchema } from './schema.ts';
import { SHANGHAI_OFFSET_MS, dayStartMs, addDays } from './time.ts';

export const MAINTENANCE_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS monitor_maintenance (
  id          INTEGER PRIMARY KEY,
  site_id     TEXT NOT NULL,
  starts_at   TEXT NOT NULL,               -- ISO UTC, inclusive
  ends_at     TEXT NOT NULL,               -- ISO UTC, exclusive
  note        TEXT,                        -- the unit's announcement (text or URL)
  created_by  TEXT,
  created_at  TEXT NOT NULL,
  decision    TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'count', 'exclude')),
  decided_by  TEXT,
  decided_at  TEXT,
  reason      TEXT
);
CREATE INDEX IF NOT EXISTS monitor_maintenance_site ON monitor_maintenance(site_id, starts_at);
CREATE INDEX IF NOT EXISTS monitor_maintenance_end ON monitor_maintenance(ends_at);
`;

export type { MaintenanceCounts };

export type MaintenanceDecision = 'pending' | 'count' | 'exclude';

export const MAINTENANCE_DECISION_ZH: Readonly<Record<MaintenanceDecision, string>> = Object.freeze({
  pending: '待检查人员决定',
  count: '计入可用性',
  exclude: '不计入可用性',
});

/** Longest window accepted (a "maintenance" of months is not planned downtime). */
export const MAX_WINDOW_MS = 7 * 86_400_000;

const ensured = new WeakSet<object>();

export function ensureMaintenanceSchema(db: Db): void {
  if (ensured.has(db)) return;
  ensureMonitorSchema(db);
  db.exec(MAINTENANCE_SCHEMA_SQL);
  ensured.add(db);
}

export interface MaintenanceWindow {
  id: number;
  siteId: string;
  startsAt: string;
  endsAt: string;
  note: string | null;
  createdBy: string | null;
  createdAt: string;
  decision: MaintenanceDecision;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
}

export class MaintenanceError extends Error {}

/** "2021-06-16 22:00" / "2021-06-16T22:00" (Asia/Shanghai) or a full ISO time → epoch ms; undefined when unreadable. */
export function parseShanghaiTime(s: string): number | undefined {
  const t = s.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (m) {
    const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0));
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return undefined;
    const ms = Date.UTC(y, mo - 1, d, h, mi, se) - SHANGHAI_OFFSET_MS;
    const back = new Date(ms + SHANGHAI_OFFSET_MS);
    if (back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1) return undefined;
    return ms;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/** A stored row (either backend) as a window. */
export function maintenanceFromRow(r: Record<string, unknown>): MaintenanceWindow {
  return {
    id: Number(r.id),
    siteId: r.site_id as string,
    startsAt: r.starts_at as string,
    endsAt: r.ends_at as string,
    note: (r.note as string | null) ?? null,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: r.created_at as string,
    decision: r.decision as MaintenanceDecision,
    decidedBy: (r.decided_by as string | null) ?? null,
    decidedAt: (r.decided_at as string | null) ?? null,
    reason: (r.reason as string | null) ?? null,
  };
}

const row = maintenanceFromRow;

/** A new window checked (the same rules on every backend); MaintenanceError when it cannot be registered. */
export function validateWindow(w: { siteId: string; startsAt: number; endsAt: number }): void {
  if (!w.siteId) throw new MaintenanceError('缺少网站编号');
  if (!Number.isFinite(w.startsAt) || !Number.isFinite(w.endsAt)) throw new MaintenanceError('维护时段的起止时间无效');
  if (w.endsAt <= w.startsAt) throw new MaintenanceError('维护时段的结束时间应晚于开始时间');
  if (w.endsAt - w.startsAt > MAX_WINDOW_MS) throw new MaintenanceError('维护时段不能超过 7 天');
}

/** The columns a decision sets (decided_by/at and reason cleared when back to pending). */
export function decisionValues(d: { decision: MaintenanceDecision; by: string; reason?: string; now: number }): { decision: MaintenanceDecision; decidedBy: string | null; decidedAt: string | null; reason: string | null } {
  if (!['pending', 'count', 'exclude'].includes(d.decision)) throw new MaintenanceError('decision 应为 count（计入）、exclude（不计入）或 pending（待定）');
  const pending = d.decision === 'pending';
  return { decision: d.decision, decidedBy: pending ? null : d.by, decidedAt: pending ? null : new Date(d.now).toISOString(), reason: pending ? null : (d.reason ?? null) };
}

export function addMaintenanceWindow(
  db: Db,
  w: { siteId: string; startsAt: number; endsAt: number; note?: string; createdBy?: string; now: number },
): MaintenanceWindow {
  ensureMaintenanceSchema(db);
  validateWindow(w);
  const { lastInsertRowid } = db
    .prepare('INSERT INTO monitor_maintenance (site_id, starts_at, ends_at, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(w.siteId, new Date(w.startsAt).toISOString(), new Date(w.endsAt).toISOString(), w.note ?? null, w.createdBy ?? null, new Date(w.now).toISOString());
  return getMaintenanceWindow(db, Number(lastInsertRowid))!;
}

export function getMaintenanceWindow(db: Db, id: number): MaintenanceWindow | undefined {
  ensureMaintenanceSchema(db);
  const r = db.prepare('SELECT * FROM monitor_maintenance WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  return r ? row(r) : undefined;
}

/** The inspector's decision on a window (or back to pending). */
export function decideMaintenanceWindow(db: Db, id: number, d: { decision: MaintenanceDecision; by: string; reason?: string; now: number }): MaintenanceWindow {
  ensureMaintenanceSchema(db);
  const v = decisionValues(d);
  const r = db
    .prepare('UPDATE monitor_maintenance SET decision = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ?')
    .run(v.decision, v.decidedBy, v.decidedAt, v.reason, id);
  if (!r.changes) throw new MaintenanceError(`没有编号为 ${id} 的维护时段`);
  return getMaintenanceWindow(db, id)!;
}

export function removeMaintenanceWindow(db: Db, id: number): boolean {
  ensureMaintenanceSchema(db);
  return db.prepare('DELETE FROM monitor_maintenance WHERE id = ?').run(id).changes > 0;
}

/** Windows of a site (newest first), optionally only those overlapping [fromMs, toMs). */
export function listMaintenanceWindows(db: Db, siteId: string, range?: { fromMs: number; toMs: number }, limit = 200): MaintenanceWindow[] {
  ensureMaintenanceSchema(db);
  const rows = range
    ? db
        .prepare('SELECT * FROM monitor_maintenance WHERE site_id = ? AND ends_at > ? AND starts_at < ? ORDER BY starts_at DESC LIMIT ?')
        .all(siteId, new Date(range.fromMs).toISOString(), new Date(range.toMs).toISOString(), limit)
    : db.prepare('SELECT * FROM monitor_maintenance WHERE site_id = ? ORDER BY starts_at DESC LIMIT ?').all(siteId, limit);
  return (rows as Record<string, unknown>[]).map(row);
}

/** Probes recorded inside one window (counted once, failed or not; probes discarded by the outage guard left out). */
export function windowProbeCounts(db: Db, w: Pick<MaintenanceWindow, 'siteId' | 'startsAt' | 'endsAt'>): { probes: number; failures: number } {
  ensureMaintenanceSchema(db);
  const r = db
    .prepare('SELECT count(*) AS n, coalesce(sum(failed), 0) AS f FROM monitor_probes WHERE site_id = ? AND at >= ? AND at < ? AND excluded = 0')
    .get(w.siteId, w.startsAt, w.endsAt) as { n: number; f: number };
  return { probes: r.n, failures: r.f };
}

export function emptyCounts(): MaintenanceCounts {
  return { pendingProbes: 0, pendingFailures: 0, excludedProbes: 0, excludedFailures: 0, countedProbes: 0, countedFailures: 0, windows: [] };
}

/** A period of days (Asia/Shanghai, both included) with a key the caller uses to find its counts. */
export interface CountPeriod {
  key: string;
  from: string;
  to: string;
}

const RANK: Record<MaintenanceDecision, number> = { exclude: 3, pending: 2, count: 1 };

/**
 * Maintenance counts per site and period. A probe inside several windows counts once, under the strongest decision
 * (不计入 over 待定 over 计入). Sites without windows in the periods are absent from the result (cheap when there are
 * none: one indexed query).
 */
export function maintenanceCounts(db: Db, q: { siteId?: string; siteIds?: readonly string[]; periods: readonly CountPeriod[] }): Map<string, Map<string, MaintenanceCounts>> {
  ensureMaintenanceSchema(db);
  const out = new Map<string, Map<string, MaintenanceCounts>>();
  if (!q.periods.length) return out;
  const from = q.periods.reduce((a, p) => (p.from < a ? p.from : a), q.periods[0].from);
  const to = q.periods.reduce((a, p) => (p.to > a ? p.to : a), q.periods[0].to);
  const fromIso = new Date(dayStartMs(from)).toISOString();
  const toIso = new Date(dayStartMs(addDays(to, 1))).toISOString();
  const params: unknown[] = [fromIso, toIso];
  let filter = '';
  if (q.siteId) {
    filter = 'AND site_id = ?';
    params.push(q.siteId);
  } else if (q.siteIds) {
    filter = 'AND site_id IN (SELECT value FROM json_each(?))';
    params.push(JSON.stringify(q.siteIds));
  }
  const windows = (
    db.prepare(`SELECT * FROM monitor_maintenance WHERE ends_at > ? AND starts_at < ? ${filter} ORDER BY site_id, starts_at LIMIT 10000`).all(...params) as Record<string, unknown>[]
  ).map(row);
  if (!windows.length) return out;
  const probeStmt = db.prepare('SELECT id, day, failed FROM monitor_probes WHERE site_id = ? AND at >= ? AND at < ? AND excluded = 0 AND at >= ? AND at < ?');
  const bySite = new Map<string, MaintenanceWindow[]>();
  for (const w of windows) {
    const list = bySite.get(w.siteId) ?? [];
    list.push(w);
    bySite.set(w.siteId, list);
  }
  for (const [site, list] of bySite) {
    const perPeriod = tallyMaintenance(list, (w) => probeStmt.all(site, w.startsAt, w.endsAt, fromIso, toIso) as { id: number; day: string; failed: number }[], q.periods);
    if (perPeriod.size) out.set(site, perPeriod);
  }
  return out;
}

/**
 * One site's counts per period from its windows and the probes inside each window (`id` identifies a probe — or, on
 * the shared store, a confirmed slot — so one inside several windows counts once, under the strongest decision:
 * 不计入 over 待定 over 计入). Periods without windows are absent.
 */
export function tallyMaintenance(
  list: readonly MaintenanceWindow[],
  probesOf: (w: MaintenanceWindow) => Iterable<{ id: number | string; day: string; failed: number }>,
  periods: readonly CountPeriod[],
): Map<string, MaintenanceCounts> {
  const seen = new Map<number | string, { day: string; failed: number; decision: MaintenanceDecision }>();
  for (const w of list) {
    for (const p of probesOf(w)) {
      const prev = seen.get(p.id);
      if (!prev || RANK[w.decision] > RANK[prev.decision]) seen.set(p.id, { day: p.day, failed: p.failed, decision: w.decision });
    }
  }
  const perPeriod = new Map<string, MaintenanceCounts>();
  for (const period of periods) {
    const c = emptyCounts();
    c.windows = list.filter((w) => w.endsAt > new Date(dayStartMs(period.from)).toISOString() && w.startsAt < new Date(dayStartMs(addDays(period.to, 1))).toISOString()).map((w) => w.id);
    if (!c.windows.length) continue;
    for (const p of seen.values()) {
      if (p.day < period.from || p.day > period.to) continue;
      if (p.decision === 'pending') {
        c.pendingProbes++;
        c.pendingFailures += p.failed;
      } else if (p.decision === 'exclude') {
        c.excludedProbes++;
        c.excludedFailures += p.failed;
      } else {
        c.countedProbes++;
        c.countedFailures += p.failed;
      }
    }
    perPeriod.set(period.key, c);
  }
  return perPeriod;
}
