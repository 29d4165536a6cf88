/**
 * The dashboard's list of sites and the overview query.
 *
 * Sites are the configured ones (sites.yaml order) plus sites that only exist in the database (probed or audited
 * under an id no longer configured, or audited from the CLI without an id — listed as `key:<host:port>`).
 * They live in a TEMP table of the dashboard's own connection, rebuilt only when the configuration or the set of
 * known sites changes, so the overview is one SQL statement: the two weeks' daily roll-ups aggregated per site,
 * joined to the sites, filtered, sorted and cut with LIMIT/OFFSET. Nothing loads all sites into JavaScript.
 */
import type { Db } from '../store/db.ts';
import type { MaintenanceCounts } from '../model.ts';
import { siteKey } from '../collect/crawl.ts';
import { ensureMonitorSchema } from '../monitor/schema.ts';
import { measuredMinutes } from '../monitor/store.ts';
import { addDays, dayStartMs, isoWeekOf, shanghaiDay, weekRange } from '../monitor/time.ts';
import { MIN_PROBES_PER_DAY_RULE } from '../monitor/ratios.ts';
import { maintenanceCounts } from '../monitor/maintenance.ts';
import type { ConfigSnapshot } from './config-source.ts';

export interface SiteRecord {
  id: string;
  name: string | null;
  url: string | null;
  /** siteKey(url): how audit runs are filed (host:port). */
  key: string | null;
  rubric: string | null;
  region: string | null;
  configured: boolean;
}

export const SORT_KEYS = ['site', 'name', 'region', 'rubric', 'cur', 'prev', 'score'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const FLAGS = ['veto', 'warn', 'insufficient', 'unaudited', 'unconfigured', 'newmedia'] as const;
export type Flag = (typeof FLAGS)[number];

export interface OverviewQuery {
  week: string;
  sort?: SortKey;
  dir?: 'asc' | 'desc';
  rubric?: string;
  region?: string;
  /** Free text: id, name or URL contains it. */
  q?: string;
  flag?: Flag;
  limit: number;
  offset: number;
}

export interface WeekNumbers {
  week: string;
  from: string;
  to: string;
  probes: number;
  failures: number;
  /** failures / probes; null without probes. */
  ratio: number | null;
  veto: boolean;
  /** Days of the week with fewer than 20 probes (days not ended yet count: as weeklyAvailability). */
  insufficientDays: number;
  /** Ended days with fewer than 20 probes. */
  insufficientEndedDays: number;
  complete: boolean;
  /** Probes inside maintenance windows (attached by the dashboard for the rows it shows; see maintenance.ts). */
  maintenance?: MaintenanceCounts;
}

export interface OverviewRow {
  site: SiteRecord;
  cur: WeekNumbers;
  prev: WeekNumbers;
}

export interface OverviewResult {
  rows: OverviewRow[];
  total: number;
  /** Among the filtered sites. */
  summary: { sites: number; probed: number; vetoCur: number; vetoPrev: number; warnCur: number };
  week: { cur: { week: string; from: string; to: string; complete: boolean }; prev: { week: string; from: string; to: string } };
  notMeasuredHours: number;
}

const KEY_PREFIX = 'key:';

interface DbOnly {
  name: string | null;
  url: string | null;
  key: string | null;
  rubric: string | null;
}

export function previousWeek(week: string): string {
  return isoWeekOf(addDays(weekRange(week).from, -7));
}

export function shiftWeek(week: string, n: number): string {
  return isoWeekOf(addDays(weekRange(week).from, 7 * n));
}

export class SiteIndex {
  private builtVersion = -1;
  private dirty = true;
  /** Site ids seen in runs or roll-ups → what we know of them. */
  private readonly idSites = new Map<string, DbOnly>();
  /** site_key of runs without a site id → what we know of them. */
  private readonly keySites = new Map<string, DbOnly>();
  private lastRunId = 0;
  private dailyScannedAt = -Infinity;
  private dailyInitial = false;
  private readonly byId = new Map<string, SiteRecord>();

  constructor(
    private readonly db: Db,
    private readonly config: () => ConfigSnapshot,
    private readonly clock: () => number,
  ) {
    ensureMonitorSchema(db);
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS web_sites (
      id TEXT PRIMARY KEY, name TEXT, url TEXT, key TEXT, rubric TEXT, region TEXT,
      configured INTEGER NOT NULL, ord INTEGER NOT NULL, search TEXT NOT NULL)`);
    // Probes of maintenance windows an inspector decided not to count, per site, for the weeks of one overview query.
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS web_maint (
      site_id TEXT PRIMARY KEY, cx INTEGER NOT NULL, cxf INTEGER NOT NULL, px INTEGER NOT NULL, pxf INTEGER NOT NULL)`);
  }

  /**
   * The overview's counts, filters and sorting use the same shares as its rows: without the probes of maintenance
   * windows decided 不计入 (the rows subtract them too, see countedNumbers). Sites without such windows: no row here.
   */
  private loadMaintenance(cur: { from: string; to: string }, prev: { from: string; to: string }): void {
    const counts = maintenanceCounts(this.db, { periods: [{ key: 'cur', ...cur }, { key: 'prev', ...prev }] });
    const ins = this.db.prepare('INSERT INTO temp.web_maint (site_id, cx, cxf, px, pxf) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM temp.web_maint').run();
      for (const [site, m] of counts) {
        const c = m.get('cur');
        const p = m.get('prev');
        if (!c?.excludedProbes && !p?.excludedProbes) continue;
        ins.run(site, c?.excludedProbes ?? 0, c?.excludedFailures ?? 0, p?.excludedProbes ?? 0, p?.excludedFailures ?? 0);
      }
    })();
  }

  /** Brings the TEMP table up to date (cheap when nothing changed). */
  refresh(): void {
    const snap = this.config();
    this.discover();
    if (snap.version !== this.builtVersion || this.dirty) this.rebuild(snap);
  }

  get(id: string): SiteRecord | undefined {
    this.refresh();
    return this.byId.get(id);
  }

  /** The record a run belongs to (configured site by id, else by key). */
  siteOfRun(run: { siteId: string | null; siteKey: string }): SiteRecord | undefined {
    this.refresh();
    if (run.siteId && this.byId.has(run.siteId)) return this.byId.get(run.siteId);
    for (const s of this.byId.values()) if (s.key === run.siteKey && s.configured) return s;
    for (const s of this.byId.values()) if (s.key === run.siteKey) return s;
    return undefined;
  }

  /** Distinct regions and rubrics of the configured sites (for the filter selects). */
  facets(): { regions: string[]; rubrics: string[] } {
    this.refresh();
    const regions = this.db.prepare('SELECT DISTINCT region FROM temp.web_sites WHERE region IS NOT NULL ORDER BY region').all() as { region: string }[];
    const rubrics = this.db.prepare('SELECT DISTINCT rubric FROM temp.web_sites WHERE rubric IS NOT NULL ORDER BY rubric').all() as { rubric: string }[];
    return { regions: regions.map((r) => r.region), rubrics: rubrics.map((r) => r.rubric) };
  }

  private discover(): void {
    // New audit runs (rowid order; a run's site id and key never change).
    const runs = this.db
      .prepare('SELECT id, site_id, site_key, site_url, site_name, rubric FROM runs WHERE id > ? ORDER BY id LIMIT 200000')
      .all(this.lastRunId) as { id: number; site_id: string | null; site_key: string; site_url: string; site_name: string | null; rubric: string }[];
    for (const r of runs) {
      this.lastRunId = r.id;
      const info: DbOnly = { name: r.site_name, url: r.site_url, key: r.site_key, rubric: r.rubric };
      if (r.site_id) {
        const had = this.idSites.get(r.site_id);
        this.idSites.set(r.site_id, { ...info, name: r.site_name ?? had?.name ?? null });
        if (!had) this.dirty = true;
      } else if (r.site_key) {
        if (!this.keySites.has(r.site_key)) this.dirty = true;
        this.keySites.set(r.site_key, { ...info, name: r.site_name ?? this.keySites.get(r.site_key)?.name ?? null });
      }
    }
    // Probed site ids: everything once, then the last two days every 30 s.
    const wall = Date.now();
    if (!this.dailyInitial || wall - this.dailyScannedAt > 30_000) {
      const rows = (this.dailyInitial
        ? this.db.prepare('SELECT DISTINCT site_id FROM monitor_daily WHERE day >= ?').all(addDays(shanghaiDay(Math.min(this.clock(), wall)), -2))
        : this.db.prepare('SELECT DISTINCT site_id FROM monitor_daily').all()) as { site_id: string }[];
      this.dailyInitial = true;
      this.dailyScannedAt = wall;
      for (const r of rows) {
        if (!this.idSites.has(r.site_id)) {
          this.idSites.set(r.site_id, { name: null, url: null, key: null, rubric: null });
          this.dirty = true;
        }
      }
    }
  }

  private rebuild(snap: ConfigSnapshot): void {
    const records: SiteRecord[] = [];
    const ids = new Set<string>();
    const keys = new Set<string>();
    for (const s of snap.config.sites) {
      const key = siteKey(s.url) || null;
      records.push({ id: s.id, name: s.name, url: s.url, key, rubric: s.rubric, region: s.region ?? null, configured: true });
      ids.add(s.id);
      if (key) keys.add(key);
    }
    for (const [id, info] of [...this.idSites].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (ids.has(id)) continue;
      records.push({ id, name: info.name, url: info.url, key: info.key, rubric: info.rubric, region: null, configured: false });
      ids.add(id);
      if (info.key) keys.add(info.key);
    }
    for (const [key, info] of [...this.keySites].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (keys.has(key)) continue;
      records.push({ id: KEY_PREFIX + key, name: info.name, url: info.url, key, rubric: info.rubric, region: null, configured: false });
    }
    const ins = this.db.prepare('INSERT OR IGNORE INTO temp.web_sites (id, name, url, key, rubric, region, configured, ord, search) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM temp.web_sites').run();
      records.forEach((r, i) =>
        ins.run(r.id, r.name, r.url, r.key, r.rubric, r.region, r.configured ? 1 : 0, i, `${r.id}\n${r.name ?? ''}\n${r.url ?? ''}`.toLowerCase()),
      );
    })();
    this.byId.clear();
    for (const r of records) this.byId.set(r.id, r);
    this.builtVersion = snap.version;
    this.dirty = false;
  }

  /** The latest finished audit run of a site (by start time), if any. */
  latestRunId(site: SiteRecord): number | undefined {
    if (!site.key) return undefined;
    const r = this.db
      .prepare(`SELECT id FROM runs WHERE site_key = ? AND status = 'done' AND (site_id = ? OR site_id IS NULL) ORDER BY started_at DESC, id DESC LIMIT 1`)
      .get(site.key, site.id) as { id: number } | undefined;
    return r?.id;
  }

  /** Runs of a site, newest first. */
  runIds(site: SiteRecord, limit = 30): number[] {
    if (!site.key) return [];
    const rows = this.db
      .prepare(`SELECT id FROM runs WHERE site_key = ? AND (site_id = ? OR site_id IS NULL) ORDER BY started_at DESC, id DESC LIMIT ?`)
      .all(site.key, site.id, limit) as { id: number }[];
    return rows.map((r) => r.id);
  }

  overview(q: OverviewQuery, thresholds: { failureRatio: number; minProbes: number; emptyColumns: number }): OverviewResult {
    this.refresh();
    const now = this.clock();
    const today = shanghaiDay(now);
    const cur = weekRange(q.week);
    const prevWeek = previousWeek(q.week);
    const prev = weekRange(prevWeek);
    const curComplete = now >= dayStartMs(addDays(cur.to, 1));
    const scoreExpr = `(SELECT s.total FROM scores s WHERE s.run_id = (${LATEST_RUN_SQL}) ORDER BY s.id DESC LIMIT 1)`;
    const needScore = q.sort === 'score' || q.flag === 'unaudited';
    const where: string[] = [];
    const params: Record<string, unknown> = {
      pf: prev.from,
      pt: prev.to,
      cf: cur.from,
      ct: cur.to,
      today,
      min: MIN_PROBES_PER_DAY_RULE,
      limit: q.limit,
      offset: q.offset,
      wr: thresholds.failureRatio,
      wmin: thresholds.minProbes,
      week: q.week,
      empties: thresholds.emptyColumns,
    };
    if (q.rubric) {
      where.push('rubric = @rubric');
      params.rubric = q.rubric;
    }
    if (q.region) {
      where.push('region = @region');
      params.region = q.region;
    }
    if (q.q) {
      where.push(`search LIKE @q ESCAPE '\\'`);
      params.q = `%${q.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    }
    this.loadMaintenance(cur, prev);
    const warnSql = `((acp >= @wmin AND acp > 0 AND acfl >= @wr * acp)
        OR EXISTS (SELECT 1 FROM monitor_warnings w WHERE w.site_id = b.id AND w.week = @week)
        OR EXISTS (SELECT 1 FROM findings f WHERE f.run_id = (${LATEST_RUN_SQL.replace(/ws\./g, 'b.')}) AND f.check_id = 'homepage-stale')
        OR (SELECT count(*) FROM findings f WHERE f.run_id = (${LATEST_RUN_SQL.replace(/ws\./g, 'b.')}) AND f.check_id = 'empty-column'
            AND coalesce(json_extract(f.evidence, '$.unverified'), 0) = 0) > @empties)`;
    switch (q.flag) {
      case 'veto':
        where.push('acp > 0 AND acfl * 20 >= acp');
        break;
      case 'warn':
        where.push(warnSql);
        break;
      case 'insufficient':
        where.push('(cendedDays - cfullEnded) > 0');
        break;
      case 'unaudited':
        where.push('sc IS NULL');
        break;
      case 'unconfigured':
        where.push('configured = 0');
        break;
      case 'newmedia':
        // The latest audit found a registered new-media account without a post in the 2 weeks before as-of.
        where.push(`EXISTS (SELECT 1 FROM findings f WHERE f.run_id = (${LATEST_RUN_SQL.replace(/ws\./g, 'b.')}) AND f.check_id = 'new-media-stale')`);
        break;
    }
    const dir = q.dir === 'desc' ? 'DESC' : 'ASC';
    const sortExpr: Record<SortKey, string> = {
      site: 'ord',
      name: 'coalesce(name, id)',
      region: 'region',
      rubric: 'rubric',
      cur: 'cr',
      prev: 'pr',
      score: 'sc',
    };
    const expr = sortExpr[q.sort ?? 'site'];
    const endedDays = Math.max(0, Math.min(7, Math.round((dayStartMs(today) - dayStartMs(cur.from)) / 86_400_000)));
    params.ended = endedDays;
    const cte = `
      WITH av AS (
        SELECT site_id,
          sum(CASE WHEN day >= @cf THEN probes ELSE 0 END) AS cp,
          sum(CASE WHEN day >= @cf THEN failures ELSE 0 END) AS cfl,
          sum(CASE WHEN day >= @cf AND probes >= @min THEN 1 ELSE 0 END) AS cfull,
          sum(CASE WHEN day >= @cf AND day < @today AND probes >= @min THEN 1 ELSE 0 END) AS cfullEnded,
          sum(CASE WHEN day <= @pt THEN probes ELSE 0 END) AS pp,
          sum(CASE WHEN day <= @pt THEN failures ELSE 0 END) AS pfl,
          sum(CASE WHEN day <= @pt AND probes >= @min THEN 1 ELSE 0 END) AS pfull
        FROM monitor_daily WHERE day >= @pf AND day <= @ct GROUP BY site_id
      ), b0 AS (
        SELECT ws.id, ws.name, ws.url, ws.key, ws.rubric, ws.region, ws.configured, ws.ord, ws.search,
          coalesce(av.cp, 0) AS cp, coalesce(av.cfl, 0) AS cfl, coalesce(av.cfull, 0) AS cfull, coalesce(av.cfullEnded, 0) AS cfullEnded,
          coalesce(av.pp, 0) AS pp, coalesce(av.pfl, 0) AS pfl, coalesce(av.pfull, 0) AS pfull, @ended AS cendedDays,
          max(0, coalesce(av.cp, 0) - coalesce(m.cx, 0)) AS acp,
          max(0, min(coalesce(av.cp, 0) - coalesce(m.cx, 0), coalesce(av.cfl, 0) - coalesce(m.cxf, 0))) AS acfl,
          max(0, coalesce(av.pp, 0) - coalesce(m.px, 0)) AS app,
          max(0, min(coalesce(av.pp, 0) - coalesce(m.px, 0), coalesce(av.pfl, 0) - coalesce(m.pxf, 0))) AS apfl
          ${needScore ? `, ${scoreExpr} AS sc` : ''}
        FROM temp.web_sites ws LEFT JOIN av ON av.site_id = ws.id LEFT JOIN temp.web_maint m ON m.site_id = ws.id
      ), b AS (
        SELECT *, CASE WHEN acp > 0 THEN acfl * 1.0 / acp END AS cr, CASE WHEN app > 0 THEN apfl * 1.0 / app END AS pr FROM b0
      )`;
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const counts = `count(*) AS n_total, sum(cp > 0) AS n_probed, sum(acp > 0 AND acfl * 20 >= acp) AS n_veto,
        sum(app > 0 AND apfl * 20 >= app) AS n_veto_prev, sum(acp >= @wmin AND acp > 0 AND acfl >= @wr * acp) AS n_warn`;
    const sql = `${cte}
      SELECT id, name, url, key, rubric, region, configured, cp, cfl, cfull, cfullEnded, pp, pfl, pfull,
        ${counts.replace(/ AS (n_\w+)/g, ' OVER () AS $1')}
      FROM b ${whereSql}
      ORDER BY (${expr} IS NULL), ${expr} ${dir}, ord ASC, id ASC
      LIMIT @limit OFFSET @offset`;
    const used = (s: string) => Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`@${k}\\b`).test(s)));
    const rows = this.db.prepare(sql).all(used(sql)) as Record<string, number | string | null>[];
    const pick = (c: Record<string, number | string | null>) => ({
      sites: Number(c.n_total ?? 0),
      probed: Number(c.n_probed ?? 0),
      vetoCur: Number(c.n_veto ?? 0),
      vetoPrev: Number(c.n_veto_prev ?? 0),
      warnCur: Number(c.n_warn ?? 0),
    });
    let summary: OverviewResult['summary'];
    if (rows.length) summary = pick(rows[0]);
    else {
      const countSql = `${cte} SELECT ${counts} FROM b ${whereSql}`;
      summary = pick(this.db.prepare(countSql).get(used(countSql)) as Record<string, number | null>);
    }
    const total = summary.sites;
    const notMeasuredMin = (() => {
      const start = dayStartMs(cur.from);
      const end = Math.min(now, dayStartMs(addDays(cur.to, 1)));
      if (end <= start) return 0;
      const totalMin = Math.ceil(end / 60_000) - Math.ceil(start / 60_000);
      return Math.max(0, totalMin - measuredMinutes(this.db, start, end));
    })();
    const prevComplete = now >= dayStartMs(addDays(prev.to, 1));
    const prevEnded = Math.max(0, Math.min(7, Math.round((dayStartMs(today) - dayStartMs(prev.from)) / 86_400_000)));
    return {
      rows: rows.map((r) => ({
        site: {
          id: String(r.id),
          name: (r.name as string) ?? null,
          url: (r.url as string) ?? null,
          key: (r.key as string) ?? null,
          rubric: (r.rubric as string) ?? null,
          region: (r.region as string) ?? null,
          configured: r.configured === 1,
        },
        cur: weekNumbers(q.week, cur, Number(r.cp), Number(r.cfl), Number(r.cfull), endedDays - Number(r.cfullEnded), curComplete),
        prev: weekNumbers(prevWeek, prev, Number(r.pp), Number(r.pfl), Number(r.pfull), prevEnded - Number(r.pfull), prevComplete),
      })),
      total,
      summary,
      week: { cur: { week: q.week, ...cur, complete: curComplete }, prev: { week: prevWeek, ...prev } },
      notMeasuredHours: Math.round((notMeasuredMin / 60) * 10) / 10,
    };
  }
}

/** Correlated subquery: the latest finished run of the site row `ws` (index runs_site(site_key, started_at)). */
export const LATEST_RUN_SQL = `SELECT r.id FROM runs r WHERE r.site_key = ws.key AND r.status = 'done' AND (r.site_id = ws.id OR r.site_id IS NULL)
  ORDER BY r.started_at DESC, r.id DESC LIMIT 1`;

function weekNumbers(
  week: string,
  range: { from: string; to: string },
  probes: number,
  failures: number,
  fullDays: number,
  insufficientEnded: number,
  complete: boolean,
): WeekNumbers {
  return {
    week,
    from: range.from,
    to: range.to,
    probes,
    failures,
    ratio: probes > 0 ? failures / probes : null,
    veto: probes > 0 && failures * 20 >= probes,
    insufficientDays: Math.max(0, 7 - fullDays),
    insufficientEndedDays: Math.max(0, insufficientEnded),
    complete,
  };
}
