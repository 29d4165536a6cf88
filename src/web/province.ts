/**
 * Data behind the province views of the dashboard (views-province.ts): each site's current status (last probe,
 * response-time trend, certificate expiry, IPv6), and the cross-site list of findings with their 整改 status.
 *
 * Every query is bounded: status reads the last probes of the sites on one page (index monitor_probes(site_id, at));
 * the 整改 list compares each site's latest finished run with the one before it in one SQL statement with
 * LIMIT/OFFSET, and looks further back only for the rows on the page.
 *
 * 整改 status of a finding (identity `check|url|target`, as reviewer decisions): seen in the latest run → 未整改
 * (open, however many runs it has been seen in); seen in the run before but not in the latest → 已整改 in the latest
 * run. Findings that are not deductions are listed with a tag saying so: 复核排除 (a reviewer rejected it), 未核实
 * (the machine could not verify it), 待确认 (waiting for a reviewer).
 */
import type { Db } from '../store/db.ts';
import { ensureMonitorSchema } from '../monitor/schema.ts';
import type { SiteRecord } from './sites-index.ts';
import type { ScoreResult } from '../score/types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Current status

export interface SparkPoint {
  at: string;
  ms: number;
  failed: boolean;
}

export type Ipv6State = 'ok' | 'failed' | 'unverified' | 'not-run' | 'unaudited';

export interface SiteStatus {
  lastProbe?: { at: string; outcome: string; failed: boolean; status: number | null; ms: number; error: string | null; family: number | null };
  /** The last probes, oldest first (response-time trend). */
  spark: SparkPoint[];
  /** Certificate expiry seen by the latest HTTPS probe (ISO), with the probe's time. */
  cert?: { expires: string; seenAt: string };
  /** Site URL is plain http (no certificate to watch). */
  plainHttp: boolean;
  ipv6: { state: Ipv6State; text: string; runId?: number; asOf?: string };
}

const SPARK_POINTS = 48;
const CERT_LOOKBACK_MS = 7 * 86_400_000;

export const IPV6_LABELS: Record<Ipv6State, string> = {
  ok: '已支持',
  failed: '未达标',
  unverified: '未核实',
  'not-run': '未检测',
  unaudited: '未检查',
};

export class StatusReader {
  private readonly lastProbe;
  private readonly spark;
  private readonly cert;
  private readonly scope;
  private readonly ipv6Findings;

  constructor(private readonly db: Db) {
    ensureMonitorSchema(db);
    this.lastProbe = db.prepare('SELECT at, outcome, failed, status, ms, error, family FROM monitor_probes WHERE site_id = ? ORDER BY at DESC LIMIT 1');
    this.spark = db.prepare(`SELECT at, ms, failed FROM monitor_probes WHERE site_id = ? AND excluded = 0 ORDER BY at DESC LIMIT ${SPARK_POINTS}`);
    this.cert = db.prepare('SELECT cert_expires, at FROM monitor_probes WHERE site_id = ? AND at >= ? AND cert_expires IS NOT NULL ORDER BY at DESC LIMIT 1');
    this.scope = db.prepare(`SELECT status, scope FROM check_scopes WHERE run_id = ? AND check_id = 'ipv6'`);
    this.ipv6Findings = db.prepare(`SELECT message, evidence FROM findings WHERE run_id = ? AND check_id = 'ipv6' LIMIT 5`);
  }

  status(site: SiteRecord, latestRun: { id: number; asOf: string } | undefined): SiteStatus {
    const lp = this.lastProbe.get(site.id) as { at: string; outcome: string; failed: number; status: number | null; ms: number; error: string | null; family: number | null } | undefined;
    const spark = (this.spark.all(site.id) as { at: string; ms: number; failed: number }[]).reverse().map((p) => ({ at: p.at, ms: p.ms, failed: p.failed === 1 }));
    let cert: SiteStatus['cert'];
    if (lp) {
      const since = new Date(Date.parse(lp.at) - CERT_LOOKBACK_MS).toISOString();
      const c = this.cert.get(site.id, since) as { cert_expires: string; at: string } | undefined;
      if (c) cert = { expires: c.cert_expires, seenAt: c.at };
    }
    return {
      ...(lp ? { lastProbe: { ...lp, failed: lp.failed === 1 } } : {}),
      spark,
      ...(cert ? { cert } : {}),
      plainHttp: !!site.url && /^http:/i.test(site.url),
      ipv6: this.ipv6(latestRun),
    };
  }

  private ipv6(run: { id: number; asOf: string } | undefined): SiteStatus['ipv6'] {
    if (!run) return { state: 'unaudited', text: '尚无检查' };
    const at = { runId: run.id, asOf: run.asOf };
    const findings = (this.ipv6Findings.all(run.id) as { message: string; evidence: string }[]).map((f) => ({ message: f.message, evidence: safeObj(f.evidence) }));
    const counted = findings.find((f) => !f.evidence.unverified && f.evidence.confirmation !== 'unconfirmed');
    if (counted) return { state: 'failed', text: counted.message, ...at };
    if (findings.length) return { state: 'unverified', text: findings[0].message, ...at };
    const sc = this.scope.get(run.id) as { status: string; scope: string } | undefined;
    if (!sc) return { state: 'not-run', text: 'IPv6 检测未执行', ...at };
    const scope = safeObj(sc.scope) as { summary?: string; reason?: string };
    if (sc.status === 'checked') return { state: 'ok', text: scope.summary ?? '已检测，未发现问题', ...at };
    return { state: sc.status === 'unverified' ? 'unverified' : 'not-run', text: scope.reason ?? 'IPv6 检测未执行', ...at };
  }
}

function safeObj(s: string): Record<string, unknown> {
  try {
    const v = JSON.parse(s) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Whole days from `nowMs` to an ISO expiry (negative when expired). */
export function daysUntil(iso: string, nowMs: number): number {
  return Math.floor((Date.parse(iso) - nowMs) / 86_400_000);
}

// ---------------------------------------------------------------------------------------------------------------
// 整改 (rectification)

export type RectStatus = 'open' | 'fixed';

export interface RectQuery {
  rubric?: string;
  region?: string;
  /** Free text in site id/name/URL. */
  q?: string;
  /** One site only. */
  siteId?: string;
  check?: string;
  /** open (default), fixed, or both. */
  status?: RectStatus | 'all';
  limit: number;
  offset: number;
}

export type RectTag = 'unverified' | 'waiting' | 'rejected' | 'confirmed';

export interface RectRow {
  siteId: string;
  siteName: string | null;
  region: string | null;
  status: RectStatus;
  check: string;
  url: string;
  target: string | null;
  message: string;
  /** The run the row's finding comes from (latest for open ones; the one before for fixed ones). */
  runId: number;
  asOf: string;
  /** For 已整改: the run that no longer shows it. */
  fixedRunId?: number;
  fixedAsOf?: string;
  /** First run (among the site's last runs) that showed it, and in how many of those runs it was seen. */
  firstRunId?: number;
  firstAsOf?: string;
  seenRuns?: number;
  /** Why it is not an ordinary deduction: 未核实, 待确认, 复核排除 (or 已确认). */
  tag?: RectTag;
  reviewer?: string;
}

export interface RectResult {
  rows: RectRow[];
  total: number;
  counts: { open: number; fixed: number };
}

/** Correlated subqueries over temp.web_sites `ws`: the latest finished run and the one before it. */
const RUN_N = (n: number) => `(SELECT r.id FROM runs r WHERE r.site_key = ws.key AND r.status = 'done' AND (r.site_id = ws.id OR r.site_id IS NULL)
  ORDER BY r.started_at DESC, r.id DESC LIMIT 1 OFFSET ${n})`;

const SAME_KEY = `g.check_id = f.check_id AND g.url = f.url AND coalesce(g.target, '') = coalesce(f.target, '')`;

/** How far back "first seen" looks (runs per site). */
export const HISTORY_RUNS = 12;

export function rectification(db: Db, q: RectQuery): RectResult {
  const where: string[] = ['ws.key IS NOT NULL'];
  const params: Record<string, unknown> = { limit: q.limit, offset: q.offset };
  if (q.rubric) {
    where.push('ws.rubric = @rubric');
    params.rubric = q.rubric;
  }
  if (q.region) {
    where.push('ws.region = @region');
    params.region = q.region;
  }
  if (q.siteId) {
    where.push('ws.id = @site');
    params.site = q.siteId;
  }
  if (q.q) {
    where.push(`ws.search LIKE @q ESCAPE '\\'`);
    params.q = `%${q.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  }
  const checkSql = q.check ? 'AND f.check_id = @check' : '';
  if (q.check) params.check = q.check;
  const status = q.status ?? 'open';
  const cte = `
    WITH lr AS (
      SELECT ws.id AS site_id, ws.name, ws.region, ws.ord, ${RUN_N(0)} AS latest, ${RUN_N(1)} AS prev
      FROM temp.web_sites ws WHERE ${where.join(' AND ')}
    ), rows AS (
      SELECT lr.site_id, lr.name, lr.region, lr.ord, 'open' AS st, f.id AS fid, lr.latest AS run_id, NULL AS fixed_run
      FROM lr JOIN findings f ON f.run_id = lr.latest WHERE lr.latest IS NOT NULL ${checkSql}
      UNION ALL
      SELECT lr.site_id, lr.name, lr.region, lr.ord, 'fixed', f.id, lr.prev, lr.latest
      FROM lr JOIN findings f ON f.run_id = lr.prev
      WHERE lr.prev IS NOT NULL ${checkSql} AND NOT EXISTS (SELECT 1 FROM findings g WHERE g.run_id = lr.latest AND ${SAME_KEY})
    )`;
  const used = (s: string) => Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`@${k}\\b`).test(s)));
  const countSql = `${cte} SELECT st, count(*) AS n FROM rows GROUP BY st`;
  const counts = { open: 0, fixed: 0 };
  for (const r of db.prepare(countSql).all(used(countSql)) as { st: RectStatus; n: number }[]) counts[r.st] = r.n;
  const stWhere = status === 'all' ? '' : `WHERE rows.st = '${status === 'fixed' ? 'fixed' : 'open'}'`;
  const sql = `${cte}
    SELECT rows.site_id, rows.name, rows.region, rows.st, rows.run_id, rows.fixed_run,
      f.check_id, f.url, f.target, f.message, f.evidence, r.as_of, fr.as_of AS fixed_as_of, r.site_key
    FROM rows JOIN findings f ON f.id = rows.fid JOIN runs r ON r.id = rows.run_id LEFT JOIN runs fr ON fr.id = rows.fixed_run
    ${stWhere}
    ORDER BY rows.ord, rows.site_id, rows.st DESC, f.check_id, f.url, f.id
    LIMIT @limit OFFSET @offset`;
  const raw = db.prepare(sql).all(used(sql)) as {
    site_id: string;
    name: string | null;
    region: string | null;
    st: RectStatus;
    run_id: number;
    fixed_run: number | null;
    check_id: string;
    url: string;
    target: string | null;
    message: string;
    evidence: string;
    as_of: string;
    fixed_as_of: string | null;
    site_key: string;
  }[];
  const decisions = new Map<number, Map<string, { action: string; reviewer?: string }>>();
  const decisionsOf = (runId: number) => {
    let m = decisions.get(runId);
    if (!m) {
      m = new Map();
      const s = db.prepare(`SELECT json_extract(score, '$.decisions') AS d FROM scores WHERE run_id = ? ORDER BY id DESC LIMIT 1`).get(runId) as { d: string | null } | undefined;
      const list = s?.d ? (JSON.parse(s.d) as ScoreResult['decisions']) : [];
      for (const d of list ?? []) m.set(d.key, { action: d.action, ...(d.reviewer ? { reviewer: d.reviewer } : {}) });
      decisions.set(runId, m);
    }
    return m;
  };
  const history = db.prepare(
    `SELECT r.id, r.as_of FROM runs r JOIN findings g ON g.run_id = r.id
     WHERE r.id IN (SELECT id FROM runs WHERE site_key = ? AND status = 'done' AND (site_id = ? OR site_id IS NULL) ORDER BY started_at DESC, id DESC LIMIT ${HISTORY_RUNS})
       AND g.check_id = ? AND g.url = ? AND coalesce(g.target, '') = ?
     GROUP BY r.id ORDER BY r.started_at ASC, r.id ASC`,
  );
  const rows = raw.map((r): RectRow => {
    const ev = safeObj(r.evidence);
    const key = `${r.check_id}|${r.url}|${r.target ?? ''}`;
    const d = decisionsOf(r.run_id).get(key);
    let tag: RectTag | undefined;
    if (d?.action === 'reject') tag = 'rejected';
    else if (ev.unverified || ev.confirmation === 'unconfirmed') tag = 'unverified';
    else if (ev.confirm === 'required' && !d) tag = 'waiting';
    else if (d?.action === 'confirm' || d?.action === 'adjust') tag = 'confirmed';
    const seen = history.all(r.site_key, r.site_id, r.check_id, r.url, r.target ?? '') as { id: number; as_of: string }[];
    return {
      siteId: r.site_id,
      siteName: r.name,
      region: r.region,
      status: r.st,
      check: r.check_id,
      url: r.url,
      target: r.target,
      message: r.message,
      runId: r.run_id,
      asOf: r.as_of,
      ...(r.fixed_run ? { fixedRunId: r.fixed_run, fixedAsOf: r.fixed_as_of ?? '' } : {}),
      ...(seen.length ? { firstRunId: seen[0].id, firstAsOf: seen[0].as_of, seenRuns: seen.length } : {}),
      ...(tag ? { tag } : {}),
      ...(d?.reviewer ? { reviewer: d.reviewer } : {}),
    };
  });
  return { rows, total: status === 'all' ? counts.open + counts.fixed : counts[status === 'fixed' ? 'fixed' : 'open'], counts };
}

// ---------------------------------------------------------------------------------------------------------------
// Quarters

/** "2021-Q2" → its first and last day; undefined when malformed. */
export function quarterRange(q: string): { from: string; to: string } | undefined {
  const m = /^(\d{4})-Q([1-4])$/.exec(q);
  if (!m) return undefined;
  const y = Number(m[1]);
  const n = Number(m[2]);
  const pad = (x: number) => String(x).padStart(2, '0');
  const lastDay = new Date(Date.UTC(y, n * 3, 0)).getUTCDate();
  return { from: `${y}-${pad(n * 3 - 2)}-01`, to: `${y}-${pad(n * 3)}-${pad(lastDay)}` };
}

/** The quarter a day belongs to. */
export function quarterOf(day: string): string {
  const [y, m] = day.split('-').map(Number);
  return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
}
