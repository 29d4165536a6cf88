/**
 * Availability ratios from the daily roll-ups (fast for 15,000 sites × months: one indexed range scan,
 * aggregated in SQL).
 *
 * Verdict policy (documented for inspectors):
 *  - `veto` is the rule's arithmetic only: failures / probes ≥ 5 % (probes > 0).
 *  - Sampling is judged separately: a day with fewer than 20 probes is an "insufficient day"; days of the
 *    period that have not ended yet count as insufficient too (the week is not complete). A veto is only a
 *    final verdict when `insufficientDays` is 0 — the `availability` check marks it unverified otherwise.
 *  - `notMeasuredHours`: elapsed hours of the period during which the monitor was not running (no heartbeat)
 *    or was itself cut off (outage guard). Those periods count neither as up nor as down: probes simply
 *    do not exist for them.
 */
import type { AvailabilitySummary, MaintenanceCounts } from '../model.ts';
import { maintenanceCounts } from './maintenance.ts';
import type { Db } from '../store/db.ts';
import { ensureMonitorSchema } from './schema.ts';
import { measuredMinutes } from './store.ts';
import { addDays, dayStartMs, daysBetween, isValidDay, isoWeekAt, isoWeekOf, shanghaiDay, weekRange } from './time.ts';

export const VETO_RATIO = 0.05;
export const MIN_PROBES_PER_DAY_RULE = 20;

/** True when failures reach 5 % of probes (integer arithmetic: no rounding surprises at the boundary). */
export function isVeto(probes: number, failures: number): boolean {
  return probes > 0 && failures * 20 >= probes;
}

/**
 * The 单否 verdict of one monitored week, the same everywhere (CLI, dashboard, audit): `veto` only for a complete,
 * fully sampled week at ≥ 5 %; `pending` (待监测) without probes or while the week is unfinished or thin; else `clear`.
 */
export type AvailabilityVerdict = 'veto' | 'clear' | 'pending';

export function availabilityVerdict(r: { probes: number; failures: number; insufficientDays: number; maintenance?: MaintenanceCounts }): AvailabilityVerdict {
  if (!(r.probes > 0) || r.insufficientDays > 0) return 'pending';
  const c = countedNumbers(r);
  if (!(c.probes > 0)) return 'pending';
  const m = r.maintenance;
  if (m && m.pendingProbes > 0) {
    // Announced maintenance the inspector has not ruled on: the verdict must be the same whether it counts or not.
    const withIt = isVeto(c.probes, c.failures);
    const rest = c.probes - m.pendingProbes;
    const without = rest > 0 ? isVeto(rest, c.failures - m.pendingFailures) : undefined;
    if (without === undefined || withIt !== without) return 'pending';
    return withIt ? 'veto' : 'clear';
  }
  return isVeto(c.probes, c.failures) ? 'veto' : 'clear';
}

/** The week's numbers after leaving out the probes of maintenance windows the inspector decided not to count. */
export function countedNumbers(r: { probes: number; failures: number; maintenance?: MaintenanceCounts }): { probes: number; failures: number; ratio: number | null } {
  const m = r.maintenance;
  const probes = Math.max(0, r.probes - (m?.excludedProbes ?? 0));
  const failures = Math.max(0, Math.min(probes, r.failures - (m?.excludedFailures ?? 0)));
  return { probes, failures, ratio: probes > 0 ? failures / probes : null };
}

/** Why a week is 待定 because of maintenance windows (Chinese), or undefined when the windows do not matter. */
export function maintenancePendingReason(r: { probes: number; failures: number; insufficientDays: number; maintenance?: MaintenanceCounts }): string | undefined {
  const m = r.maintenance;
  if (!m || !(m.pendingProbes > 0) || r.insufficientDays > 0) return undefined;
  if (availabilityVerdict(r) !== 'pending') return undefined;
  return `维护时段内监测 ${m.pendingProbes} 次（打不开 ${m.pendingFailures} 次）是否计入会改变单否结论，待检查人员决定`;
}

/** Chinese words for the verdict (tables and tags). */
export const AVAILABILITY_VERDICT_ZH: Readonly<Record<AvailabilityVerdict, string>> = Object.freeze({
  veto: '单否（≥5%）',
  clear: '未达单否线',
  pending: '待监测',
});

/** One row of `weeklyAvailability`: the model's summary plus the period and sampling flags. */
export interface AvailabilityRow extends AvailabilitySummary {
  /** First and last day of the period (clipped to the requested range). */
  from: string;
  to: string;
  /** The period has ended. */
  complete: boolean;
  /** Every day of the period has ≥ 20 probes (a veto is then a final verdict). */
  sufficient: boolean;
}

export interface DailyAvailability {
  site: string;
  day: string;
  probes: number;
  failures: number;
  ratio: number;
  /** ≥ 20 probes that day. */
  sufficient: boolean;
  firstAt?: string;
  lastAt?: string;
}

export interface AvailabilityQuery {
  siteId?: string;
  /** Sites that must appear even without probes in the period (rows with zeros). */
  siteIds?: readonly string[];
  /** ISO week, e.g. 2021-W24. */
  week?: string;
  /** Range of days (Asia/Shanghai), both included. */
  from?: string;
  to?: string;
  /** 'week' (default): one row per site per ISO week overlapping the range; 'range': one row per site. */
  groupBy?: 'week' | 'range';
  /** Clock (default now): decides which days have ended and which hours count as not measured. */
  now?: number | Date;
  /** Probes per day required (default 20). */
  minPerDay?: number;
  /** Attach maintenance-window counts to the rows (default true; see maintenance.ts). */
  maintenance?: boolean;
}

function nowMs(n: number | Date | undefined): number {
  return n === undefined ? Date.now() : typeof n === 'number' ? n : n.getTime();
}

/** Resolves week / from / to into a range of days. Without any, the current week. */
export function resolvePeriod(q: Pick<AvailabilityQuery, 'week' | 'from' | 'to' | 'now'>): { from: string; to: string } {
  if (q.week) {
    if (q.from || q.to) throw new Error('use either week or from/to, not both');
    return weekRange(q.week);
  }
  if (q.from || q.to) {
    const today = shanghaiDay(nowMs(q.now));
    const from = q.from ?? q.to!;
    const to = q.to ?? (from > today ? from : today);
    for (const d of [from, to]) if (!isValidDay(d)) throw new Error(`invalid date (expected YYYY-MM-DD): ${d}`);
    if (to < from) throw new Error(`range ends before it starts: ${from} .. ${to}`);
    if (daysBetween(from, to) > 3660) throw new Error('range longer than 10 years');
    return { from, to };
  }
  return weekRange(isoWeekAt(nowMs(q.now)));
}

export const MONDAY_JD = 2440591.5; // julianday('1970-01-05'), a Monday

/** Same numbering as the SQL expression: whole weeks since Monday 1970-01-05. */
export function weekIndex(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const jd = Date.UTC(y, m - 1, d) / 86_400_000 + 2440587.5;
  return Math.floor((jd - MONDAY_JD) / 7);
}

interface Bucket {
  wk: number;
  from: string;
  to: string;
  label: string;
  days: number;
  complete: boolean;
  notMeasuredHours: number;
}

/** A period of an availability query (an ISO week, clipped to the range, or the whole range) before measuring. */
export interface AvailabilityBucket {
  /** Week index (whole weeks since Monday 1970-01-05), or 0 for a whole range. */
  wk: number;
  from: string;
  to: string;
  label: string;
  days: number;
  complete: boolean;
  /** The elapsed part of the period, epoch ms [start, end): "not measured" is counted over it. */
  startMs: number;
  endMs: number;
}

/** What an availability query reads, whatever the store: the periods, the day range and the options. */
export interface AvailabilityPlan {
  from: string;
  to: string;
  now: number;
  minPerDay: number;
  /** One bucket: no week grouping in SQL. */
  single: boolean;
  buckets: AvailabilityBucket[];
}

/** Resolves an availability query into its periods (pure: shared by the SQLite and PostgreSQL stores). */
export function planAvailability(q: AvailabilityQuery = {}): AvailabilityPlan {
  const { from, to } = resolvePeriod(q);
  const now = nowMs(q.now);
  const minPerDay = q.minPerDay ?? MIN_PROBES_PER_DAY_RULE;
  const groupBy = q.groupBy ?? 'week';
  const buckets: AvailabilityBucket[] = [];
  const bucket = (wk: number, bFrom: string, bTo: string, label: string): AvailabilityBucket => {
    const periodStart = dayStartMs(bFrom);
    const periodEnd = dayStartMs(addDays(bTo, 1));
    return { wk, from: bFrom, to: bTo, label, days: daysBetween(bFrom, bTo) + 1, complete: now >= periodEnd, startMs: periodStart, endMs: Math.min(now, periodEnd) };
  };
  if (groupBy === 'range') {
    const label = isoWeekOf(from) === isoWeekOf(to) && daysBetween(from, to) === 6 ? isoWeekOf(from) : `${from}..${to}`;
    buckets.push(bucket(0, from, to, label));
  } else {
    let d = from;
    while (d <= to) {
      const week = isoWeekOf(d);
      const range = weekRange(week);
      const end = range.to < to ? range.to : to;
      buckets.push(bucket(weekIndex(d), d, end, week));
      d = addDays(end, 1);
    }
  }
  return { from, to, now, minPerDay, single: buckets.length === 1, buckets };
}

/** Minutes of a bucket's elapsed part (the denominator of "not measured"). */
export function bucketMinutes(b: AvailabilityBucket): number {
  return b.endMs > b.startMs ? Math.ceil(b.endMs / 60_000) - Math.ceil(b.startMs / 60_000) : 0;
}

/**
 * Builds the rows of an availability query from the per-site (and per-week) sums a store read
 * (`[site, wk, probes, failures, fullDays]`, sorted by site then wk) and the measured minutes of each bucket.
 */
export function assembleAvailability(
  plan: AvailabilityPlan,
  q: Pick<AvailabilityQuery, 'siteId' | 'siteIds'>,
  rows: readonly (readonly [string, number, number, number, number])[],
  measured: readonly number[],
): AvailabilityRow[] {
  const buckets: Bucket[] = plan.buckets.map((b, i) => ({
    wk: b.wk, from: b.from, to: b.to, label: b.label, days: b.days, complete: b.complete,
    notMeasuredHours: Math.round((Math.max(0, bucketMinutes(b) - (measured[i] ?? 0)) / 60) * 10) / 10,
  }));
  const row = (site: string, b: Bucket, probes: number, failures: number, fullDays: number): AvailabilityRow => {
    const insufficientDays = Math.max(0, b.days - fullDays);
    return {
      site,
      week: b.label,
      from: b.from,
      to: b.to,
      probes,
      failures,
      ratio: probes > 0 ? failures / probes : 0,
      veto: isVeto(probes, failures),
      insufficientDays,
      notMeasuredHours: b.notMeasuredHours,
      complete: b.complete,
      sufficient: insufficientDays === 0,
    };
  };

  // Sites that must appear even without probes.
  const forced = new Set<string>();
  if (q.siteId) forced.add(q.siteId);
  for (const s of q.siteIds ?? []) if (!q.siteId || s === q.siteId) forced.add(s);
  const bucketByWk = new Map(buckets.map((b) => [b.wk, b]));

  const out: AvailabilityRow[] = [];
  const emitSite = (site: string, found: Map<number, [number, number, number]> | null) => {
    for (const b of buckets) {
      const a = found?.get(b.wk);
      if (a) out.push(row(site, b, a[0], a[1], a[2]));
      else if (forced.has(site)) out.push(row(site, b, 0, 0, 0));
    }
  };
  const zeroOnly = [...forced].sort();
  let zi = 0;
  let i = 0;
  while (i < rows.length) {
    const site = rows[i][0];
    while (zi < zeroOnly.length && zeroOnly[zi] < site) emitSite(zeroOnly[zi++], null);
    if (zi < zeroOnly.length && zeroOnly[zi] === site) zi++;
    const found = new Map<number, [number, number, number]>();
    for (; i < rows.length && rows[i][0] === site; i++) {
      const [, wk, probes, failures, fullDays] = rows[i];
      if (bucketByWk.has(wk)) found.set(wk, [probes, failures, fullDays]);
    }
    emitSite(site, found);
  }
  while (zi < zeroOnly.length) emitSite(zeroOnly[zi++], null);
  return out;
}

/**
 * Availability per site per ISO week (or per site over a range with `groupBy: 'range'`), from daily roll-ups.
 * Weeks run Monday–Sunday in Asia/Shanghai. Rows are sorted by site, then week.
 */
export function weeklyAvailability(db: Db, q: AvailabilityQuery = {}): AvailabilityRow[] {
  ensureMonitorSchema(db);
  const plan = planAvailability(q);
  const measured = plan.buckets.map((b) => (b.endMs > b.startMs ? measuredMinutes(db, b.startMs, b.endMs) : 0));
  const single = plan.single;
  const wkExpr = single ? `${plan.buckets[0].wk}` : `CAST((julianday(day) - ${MONDAY_JD}) / 7 AS INTEGER)`;
  const sql = `SELECT site_id, ${wkExpr} AS wk, sum(probes) AS probes, sum(failures) AS failures, sum(probes >= ?) AS fullDays
               FROM monitor_daily WHERE day >= ? AND day <= ? ${q.siteId ? 'AND site_id = ?' : ''}
               GROUP BY site_id${single ? '' : ', wk'} ORDER BY site_id${single ? '' : ', wk'}`;
  const params: unknown[] = [plan.minPerDay, plan.from, plan.to];
  if (q.siteId) params.push(q.siteId);
  const rows = db.prepare(sql).raw().all(...params) as [string, number, number, number, number][];
  const out = assembleAvailability(plan, q, rows, measured);
  if (out.length && q.maintenance !== false) {
    const counts = maintenanceCounts(db, {
      ...(q.siteId ? { siteId: q.siteId } : {}),
      periods: plan.buckets.map((b) => ({ key: b.label, from: b.from, to: b.to })),
    });
    if (counts.size) for (const r of out) {
      const c = counts.get(r.site)?.get(r.week);
      if (c) r.maintenance = c;
    }
  }
  return out;
}

/** Per-day availability of one site (or all sites) over a range of days. Days without probes are included for one site. */
export function dailyAvailability(
  db: Db,
  q: { siteId?: string; from: string; to: string; minPerDay?: number },
): DailyAvailability[] {
  ensureMonitorSchema(db);
  const minPerDay = q.minPerDay ?? MIN_PROBES_PER_DAY_RULE;
  const rows = db
    .prepare(
      `SELECT site_id, day, probes, failures, first_at, last_at FROM monitor_daily
       WHERE day >= ? AND day <= ? ${q.siteId ? 'AND site_id = ?' : ''} ORDER BY site_id, day`,
    )
    .all(...(q.siteId ? [q.from, q.to, q.siteId] : [q.from, q.to])) as {
    site_id: string;
    day: string;
    probes: number;
    failures: number;
    first_at: string | null;
    last_at: string | null;
  }[];
  const mk = (site: string, day: string, probes: number, failures: number, firstAt?: string | null, lastAt?: string | null): DailyAvailability => ({
    site,
    day,
    probes,
    failures,
    ratio: probes > 0 ? failures / probes : 0,
    sufficient: probes >= minPerDay,
    ...(firstAt ? { firstAt } : {}),
    ...(lastAt ? { lastAt } : {}),
  });
  if (!q.siteId) return rows.map((r) => mk(r.site_id, r.day, r.probes, r.failures, r.first_at, r.last_at));
  const byDay = new Map(rows.map((r) => [r.day, r]));
  const out: DailyAvailability[] = [];
  for (let d = q.from; d <= q.to; d = addDays(d, 1)) {
    const r = byDay.get(d);
    out.push(mk(q.siteId, d, r?.probes ?? 0, r?.failures ?? 0, r?.first_at, r?.last_at));
  }
  return out;
}

/**
 * What the audit runner puts into `ctx.availability`: the site's summary for the ISO week containing `asOf`,
 * or undefined when the site has no probes that week (never probed → no finding).
 */
export function availabilityForAudit(db: Db, siteId: string, asOf: string, opts: { now?: number | Date } = {}): AvailabilitySummary | undefined {
  const [weekOf, weekBefore] = auditWeeks(asOf);
  const [cur] = weeklyAvailability(db, { siteId, week: weekOf, now: opts.now });
  const [prev] = weeklyAvailability(db, { siteId, week: weekBefore, now: opts.now });
  return auditSummaryOf(cur, prev);
}

/** The two weeks an audit's availability comes from: the week of asOf and the one before it. */
export function auditWeeks(asOf: string): [string, string] {
  return [isoWeekOf(asOf), isoWeekOf(addDays(asOf, -7))];
}

/**
 * The week containing asOf when it is over and fully sampled; else the last week before it ("监测1周" is a whole
 * week); else what there is of the current week (then not sufficient: the clause stays 待监测).
 */
export function auditSummaryOf(cur: AvailabilityRow | undefined, prev: AvailabilityRow | undefined): AvailabilitySummary | undefined {
  let row = cur && cur.probes > 0 && cur.complete && cur.sufficient ? cur : undefined;
  if (!row) row = prev && prev.probes > 0 ? prev : cur && cur.probes > 0 ? cur : undefined;
  if (!row) return undefined;
  const { site, week, probes, failures, ratio, veto, insufficientDays, notMeasuredHours, maintenance } = row;
  return { site, week, probes, failures, ratio, veto, insufficientDays, notMeasuredHours, ...(maintenance ? { maintenance } : {}) };
}
