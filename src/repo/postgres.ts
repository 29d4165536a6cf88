/**
 * The shared repository on PostgreSQL (Kysely 0.28 + pg 8): for a scheduler, many workers on several machines and the
 * dashboard. Schema and migrations: pg-schema.ts. Every write a retried job can repeat is idempotent (runs by job key,
 * rounds by vantage and window, probes by site, slot, vantage and attempt, settled windows by start).
 */
import zlib from 'node:zlib';
import { Kysely, Migrator, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { toRun, type RunRow } from '../store/store.ts';
import { isFailureOutcome } from '../monitor/probe.ts';
import { shanghaiDay, addDays, dayStartMs } from '../monitor/time.ts';
import {
  assembleAvailability, auditSummaryOf, auditWeeks, planAvailability, MIN_PROBES_PER_DAY_RULE,
  type AvailabilityQuery, type AvailabilityRow, type DailyAvailability,
} from '../monitor/ratios.ts';
import type { MonitorWarning } from '../monitor/warnings.ts';
import type { CheckScope, Finding, Observation } from '../model.ts';
import { settleWindow, type WindowProbe } from './confirm.ts';
import { monthsBetween, pgMigrations, probePartitionName } from './pg-schema.ts';
import { PgRecords } from './pg-records.ts';
import type {
  ClaimRun, NightlyInfo, NightlyMark, NightlySiteRow, Repo, RoundRecord, RunBundle, ScoreBrief, SettleResult, VantageRounds, VantageRow,
} from './types.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type DB = any;
type Q = Kysely<DB> | Transaction<DB>;

const pack = (s: string) => zlib.deflateRawSync(Buffer.from(s, 'utf8'), { level: 1 });
const unpack = (b: Buffer) => zlib.inflateRawSync(b).toString('utf8');

/** bigint and numeric as JS numbers (ids, counts and sums stay far below 2^53); timestamps as Date. */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PgOptions {
  /** A schema to work in (created when missing): tests give each one its own. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /** Run the migrations at open (default true). */
  migrate?: boolean;
}

/** postgres://user@host:5432/db → postgres://host:5432/db (no credentials in messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return 'postgres://…';
  }
}

function chunks<T>(a: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < a.length; i += n) out.push(a.slice(i, i + n) as T[]);
  return out;
}

export class PgRepo extends PgRecords implements Repo {
  readonly kind = 'postgres' as const;
  readonly label: string;
  readonly db: Kysely<DB>;
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly partitions = new Set<string>();

  private constructor(url: string, o: PgOptions) {
    super();
    this.schema = o.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) throw new Error(`invalid schema name: ${this.schema}`);
    this.pool = new pg.Pool({
      connectionString: url,
      max: o.max ?? 10,
      types: TYPES,
      ...(o.schema ? { options: `-c search_path=${o.schema}` } : {}),
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server (restart) must not crash the process: the pool replaces it.
    this.pool.on('error', () => undefined);
    this.db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: this.pool }) });
    this.label = redactUrl(url);
  }

  /** Connects, creates the schema when asked for one, and runs pending migrations. */
  static async open(url: string, o: PgOptions = {}): Promise<PgRepo> {
    const repo = new PgRepo(url, o);
    try {
      if (o.schema) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(o.schema)}`.execute(repo.db);
      if (o.migrate !== false) await repo.migrate();
    } catch (e) {
      await repo.db.destroy().catch(() => undefined);
      throw new Error(`cannot use PostgreSQL ${repo.label}: ${(e as Error).message}`);
    }
    return repo;
  }

  async migrate(): Promise<string[]> {
    const migrator = new Migrator({ db: this.db, provider: pgMigrations, migrationTableSchema: this.schema });
    for (let attempt = 1; ; attempt++) {
      const { error, results } = await migrator.migrateToLatest();
      if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      // The migrator looks for its table across every schema of the database: a schema, table or column dropped
      // meanwhile (by another application or test) fails that look-up ("schema … does not exist", "column … of
      // relation … does not exist", "cache lookup failed"). Look again, a moment later.
      const raced = /does not exist|cache lookup failed/.test(String((error as Error)?.message ?? error));
      if (attempt < 6 && raced) {
        await new Promise((r) => setTimeout(r, 25 * attempt));
        continue;
      }
      throw error instanceof Error ? error : new Error(String(error));
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  // ------------------------------------------------------------------ runs

  async claimRun(a: ClaimRun): Promise<number> {
    const r = await sql<{ id: number }>`
      INSERT INTO runs (job_key, site_url, site_key, site_id, site_name, rubric, as_of, started_at, status, pid, owner, options)
      VALUES (${a.jobKey}, ${a.siteUrl}, ${a.siteKey}, ${a.siteId ?? null}, ${a.siteName ?? null}, ${a.rubric}, ${a.asOf},
              ${new Date().toISOString()}, 'running', ${process.pid}, ${a.owner}, ${JSON.stringify(a.options ?? {})})
      ON CONFLICT (job_key) DO UPDATE SET status = 'running', owner = excluded.owner, pid = excluded.pid,
        started_at = excluded.started_at, finished_at = NULL, error = NULL
      RETURNING id`.execute(this.db);
    return r.rows[0].id;
  }

  async publishRun(runId: number, b: RunBundle, nightly?: NightlyMark): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const r = b.run;
      await sql`UPDATE runs SET status = ${r.status}, finished_at = ${r.finishedAt ?? new Date().toISOString()}, stats = ${JSON.stringify(r.stats ?? {})},
          error = ${r.error ?? null}, network = ${r.network ? JSON.stringify(r.network) : null}, browser = ${r.browser ? JSON.stringify(r.browser) : null},
          screenshot = ${r.screenshot ?? null}, notes = ${JSON.stringify(r.notes ?? [])}, options = ${JSON.stringify(r.options ?? {})}, pid = NULL
        WHERE id = ${runId}`.execute(trx);
      for (const t of ['findings', 'check_scopes', 'scores', 'observations', 'rendered']) await sql`DELETE FROM ${sql.table(t)} WHERE run_id = ${runId}`.execute(trx);
      for (const part of chunks(b.findings, 1000)) {
        await trx
          .insertInto('findings')
          .values(part.map((f) => ({ run_id: runId, check_id: f.check, url: f.url, target: f.target ?? null, detail: f.detail ?? null, message: f.message, evidence: JSON.stringify(f.evidence ?? {}) })))
          .execute();
      }
      const scopes = Object.entries(b.scopes ?? {});
      if (scopes.length) await trx.insertInto('check_scopes').values(scopes.map(([id, sc]) => ({ run_id: runId, check_id: id, status: sc.status, scope: JSON.stringify(sc) }))).execute();
      if (b.scores.length) {
        await trx
          .insertInto('scores')
          .values(b.scores.map((s) => ({ run_id: runId, rubric: s.rubric, manual_file: s.manualFile, computed_at: s.computedAt, total: s.total, veto: s.veto ? 1 : 0, provisional: s.provisional ? 1 : 0, score: JSON.stringify(s.score) })))
          .execute();
      }
      const seen = new Map<string, number>();
      b.observations.forEach((o, i) => seen.set(`${o.kind}\u0000${o.key}`, i)); // a (kind, key) emitted twice keeps the last value
      const obs = [...seen.values()].sort((x, y) => x - y).map((i) => b.observations[i]);
      for (const part of chunks(obs.map((o, i) => ({ o, i })), 500)) {
        await trx
          .insertInto('observations')
          .values(part.map(({ o, i }) => ({ run_id: runId, kind: o.kind, key: o.key, seq: i + 1, url: o.url ?? null, data: pack(JSON.stringify(o.data ?? null)) })))
          .execute();
      }
      if (b.rendered.length) {
        const byUrl = new Map(b.rendered.map((x) => [x.url, x]));
        await trx.insertInto('rendered').values([...byUrl.values()].map((x) => ({ run_id: runId, url: x.url, at: x.at, screenshot: x.screenshot ?? null }))).execute();
      }
      if (nightly) await this.markNightly(trx, runId, b, nightly);
    });
  }

  private async markNightly(trx: Q, runId: number, b: RunBundle, n: NightlyMark): Promise<void> {
    const now = new Date().toISOString();
    if (b.run.status === 'done') {
      await sql`UPDATE nightly_sites SET status = 'done', audit_run_id = ${runId}, findings = ${n.findings ?? b.findings.length},
          summary = ${JSON.stringify(n.digest ?? {})}, finished_at = ${now}, error = NULL
        WHERE run_id = ${n.nightlyRunId} AND site_id = ${n.siteId}`.execute(trx);
    } else {
      await sql`UPDATE nightly_sites SET status = 'failed', audit_run_id = ${runId}, error = ${(b.run.error ?? 'audit failed').slice(0, 2000)}, finished_at = ${now}
        WHERE run_id = ${n.nightlyRunId} AND site_id = ${n.siteId}`.execute(trx);
    }
  }

  async getRun(id: number): Promise<RunRow | undefined> {
    const r = await sql<Record<string, unknown>>`SELECT * FROM runs WHERE id = ${id}`.execute(this.db);
    return r.rows[0] ? toRun(r.rows[0]) : undefined;
  }

  async runByJobKey(jobKey: string): Promise<RunRow | undefined> {
    const r = await sql<Record<string, unknown>>`SELECT * FROM runs WHERE job_key = ${jobKey}`.execute(this.db);
    return r.rows[0] ? toRun(r.rows[0]) : undefined;
  }

  async listRuns(o: { siteKey?: string; limit?: number } = {}): Promise<RunRow[]> {
    const r = o.siteKey
      ? await sql<Record<string, unknown>>`SELECT * FROM runs WHERE site_key = ${o.siteKey} ORDER BY id DESC LIMIT ${o.limit ?? 50}`.execute(this.db)
      : await sql<Record<string, unknown>>`SELECT * FROM runs ORDER BY id DESC LIMIT ${o.limit ?? 50}`.execute(this.db);
    return r.rows.map(toRun);
  }

  async findings(runId: number): Promise<Finding[]> {
    const r = await sql<Record<string, unknown>>`SELECT * FROM findings WHERE run_id = ${runId} ORDER BY id`.execute(this.db);
    return r.rows.map((x) => ({
      check: x.check_id as string,
      url: x.url as string,
      ...(x.target ? { target: x.target as string } : {}),
      ...(x.detail ? { detail: x.detail as string } : {}),
      message: x.message as string,
      evidence: JSON.parse(x.evidence as string),
    }));
  }

  async checkScopes(runId: number): Promise<Record<string, CheckScope> | undefined> {
    const r = await sql<{ check_id: string; scope: string }>`SELECT check_id, scope FROM check_scopes WHERE run_id = ${runId}`.execute(this.db);
    if (r.rows.length === 0) return undefined;
    return Object.fromEntries(r.rows.map((x) => [x.check_id, JSON.parse(x.scope) as CheckScope]));
  }

  async observations(runId: number, kinds?: readonly string[]): Promise<Observation[]> {
    const r = kinds?.length
      ? await sql<{ kind: string; key: string; url: string | null; data: Buffer }>`SELECT kind, key, url, data FROM observations WHERE run_id = ${runId} AND kind = ANY(${[...kinds]}) ORDER BY seq`.execute(this.db)
      : await sql<{ kind: string; key: string; url: string | null; data: Buffer }>`SELECT kind, key, url, data FROM observations WHERE run_id = ${runId} ORDER BY seq`.execute(this.db);
    return r.rows.map((x) => ({ kind: x.kind, key: x.key, ...(x.url ? { url: x.url } : {}), data: JSON.parse(unpack(x.data)) }));
  }

  async latestScore(runId: number) {
    const r = await sql<{ computed_at: string; manual_file: string | null; score: string }>`
      SELECT computed_at, manual_file, score FROM scores WHERE run_id = ${runId} ORDER BY id DESC LIMIT 1`.execute(this.db);
    const x = r.rows[0];
    return x ? { computedAt: x.computed_at, manualFile: x.manual_file, score: JSON.parse(x.score) as unknown } : undefined;
  }

  async scores(runId: number, limit = 20): Promise<ScoreBrief[]> {
    const r = await sql<{ id: number; computed_at: string; total: number; veto: number; provisional: number; manual_file: string | null }>`
      SELECT id, computed_at, total, veto, provisional, manual_file FROM scores WHERE run_id = ${runId} ORDER BY id DESC LIMIT ${limit}`.execute(this.db);
    return r.rows.map((s) => ({ id: s.id, computedAt: s.computed_at, total: s.total, veto: s.veto === 1, provisional: s.provisional === 1, manualFile: s.manual_file }));
  }

  async saveScore(runId: number, s: { rubric: string; manualFile?: string; total: number; veto: boolean; provisional: boolean; score: unknown }): Promise<number> {
    const r = await sql<{ id: number }>`
      INSERT INTO scores (run_id, rubric, manual_file, computed_at, total, veto, provisional, score)
      VALUES (${runId}, ${s.rubric}, ${s.manualFile ?? null}, ${new Date().toISOString()}, ${s.total}, ${s.veto ? 1 : 0}, ${s.provisional ? 1 : 0}, ${JSON.stringify(s.score)})
      RETURNING id`.execute(this.db);
    return r.rows[0].id;
  }

  // ------------------------------------------------------------------ probes

  /** Creates the monthly partitions the given slot times fall in (once per process and month). */
  async ensurePartitions(times: readonly number[]): Promise<void> {
    if (times.length === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (const t of times) {
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    const missing = monthsBetween(lo, hi).filter((m) => !this.partitions.has(m));
    if (missing.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`govsite-partitions:${this.schema}`}))`.execute(trx);
      for (const m of missing) {
        const [y, mo] = m.split('-').map(Number);
        const from = new Date(Date.UTC(y, mo - 1, 1)).toISOString();
        const to = new Date(Date.UTC(y, mo, 1)).toISOString();
        await sql`CREATE TABLE IF NOT EXISTS ${sql.table(probePartitionName(m))} PARTITION OF monitor_probes FOR VALUES FROM (${sql.lit(from)}) TO (${sql.lit(to)})`.execute(trx);
      }
    });
    for (const m of missing) this.partitions.add(m);
  }

  async recordRound(r: RoundRecord): Promise<boolean> {
    await this.ensurePartitions(r.probes.map((p) => p.slotAt));
    return this.db.transaction().execute(async (trx) => {
      const first = r.probes.filter((p) => p.attempt === 0);
      const ins = await sql<{ vantage: string }>`
        INSERT INTO probe_rounds (vantage, round_at, worker, probes, failures, blocked, impaired, reason, canaries, finished_at)
        VALUES (${r.vantage}, ${r.roundAt}, ${r.worker}, ${first.length}, ${first.filter((p) => isFailureOutcome(p.result.outcome) && !p.result.blocked).length},
                ${first.filter((p) => p.result.blocked).length}, ${r.impaired ? 1 : 0}, ${r.reason ?? null}, ${JSON.stringify(r.canaries)}, ${new Date().toISOString()})
        ON CONFLICT (vantage, round_at) DO NOTHING RETURNING vantage`.execute(trx);
      if (ins.rows.length === 0) return false;
      for (const part of chunks(r.probes, 2000)) {
        await trx
          .insertInto('monitor_probes')
          .values(
            part.map((p) => {
              const x = p.result;
              return {
                site_id: p.siteId, vantage: r.vantage, slot_at: new Date(p.slotAt), attempt: p.attempt, at: new Date(x.at), day: shanghaiDay(x.at),
                outcome: x.outcome, failed: isFailureOutcome(x.outcome) ? 1 : 0, blocked: x.blocked ? 1 : 0, status: x.status ?? null, ms: Math.round(x.ms),
                phases: Object.keys(x.phases).length ? JSON.stringify(x.phases) : null, family: x.family ?? null, address: x.address ?? null, bytes: x.bytes,
                error: x.error ?? null, excluded: r.impaired ? 1 : 0,
              };
            }),
          )
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      return true;
    });
  }

  async settle(o: { before: number; windowMs: number; pid?: number }): Promise<SettleResult> {
    const out: SettleResult = { windows: 0, slots: 0, confirmedFailures: 0, unconfirmedFailures: 0 };
    const windows = await sql<{ round_at: number }>`
      SELECT DISTINCT round_at FROM probe_rounds p WHERE round_at < ${o.before}
        AND NOT EXISTS (SELECT 1 FROM settled_windows s WHERE s.window_at = p.round_at) ORDER BY round_at LIMIT 5000`.execute(this.db);
    for (const { round_at: w } of windows.rows) {
      await this.db.transaction().execute(async (trx) => {
        const mark = await sql<{ window_at: number }>`
          INSERT INTO settled_windows (window_at, settled_at) VALUES (${w}, ${new Date().toISOString()}) ON CONFLICT DO NOTHING RETURNING window_at`.execute(trx);
        if (mark.rows.length === 0) return;
        const rounds = await sql<{ vantage: string; impaired: number }>`SELECT vantage, impaired FROM probe_rounds WHERE round_at = ${w}`.execute(trx);
        const probes = await sql<{ site_id: string; vantage: string; slot_at: Date; attempt: number; failed: number; blocked: number; at: Date }>`
          SELECT site_id, vantage, slot_at, attempt, failed, blocked, at FROM monitor_probes
          WHERE slot_at >= ${new Date(w)} AND slot_at < ${new Date(w + o.windowMs)}`.execute(trx);
        const v = settleWindow(
          rounds.rows.map((r) => ({ vantage: r.vantage, impaired: r.impaired === 1 })),
          probes.rows.map((p): WindowProbe => ({ siteId: p.site_id, vantage: p.vantage, slotAt: p.slot_at.getTime(), attempt: p.attempt, failed: p.failed === 1 && p.blocked === 0, blocked: p.blocked === 1, at: p.at.toISOString() })),
        );
        for (const part of chunks(v.confirmed, 1000)) {
          await trx
            .insertInto('monitor_daily')
            .values(part.map((c) => ({ day: c.day, site_id: c.siteId, probes: c.probes, failures: c.failures, blocked: c.blocked, first_at: c.firstAt, last_at: c.lastAt })))
            .onConflict((oc) =>
              oc.columns(['day', 'site_id']).doUpdateSet({
                probes: sql`monitor_daily.probes + excluded.probes`,
                failures: sql`monitor_daily.failures + excluded.failures`,
                blocked: sql`monitor_daily.blocked + excluded.blocked`,
                first_at: sql`least(coalesce(monitor_daily.first_at, excluded.first_at), excluded.first_at)`,
                last_at: sql`greatest(coalesce(monitor_daily.last_at, excluded.last_at), excluded.last_at)`,
              }),
            )
            .execute();
        }
        for (const part of chunks(v.vantages, 1000)) {
          await trx
            .insertInto('vantage_daily')
            .values(part.map((c) => ({ day: c.day, site_id: c.siteId, vantage: c.vantage, probes: c.probes, failures: c.failures, blocked: c.blocked, unmeasured: c.unmeasured, first_at: c.firstAt, last_at: c.lastAt })))
            .onConflict((oc) =>
              oc.columns(['day', 'site_id', 'vantage']).doUpdateSet({
                probes: sql`vantage_daily.probes + excluded.probes`,
                failures: sql`vantage_daily.failures + excluded.failures`,
                blocked: sql`vantage_daily.blocked + excluded.blocked`,
                unmeasured: sql`vantage_daily.unmeasured + excluded.unmeasured`,
                first_at: sql`least(coalesce(vantage_daily.first_at, excluded.first_at), excluded.first_at)`,
                last_at: sql`greatest(coalesce(vantage_daily.last_at, excluded.last_at), excluded.last_at)`,
              }),
            )
            .execute();
        }
        if (v.measured) {
          const minutes: { minute: number; at: string; pid: number | null }[] = [];
          for (let m = Math.floor(w / 60_000); m <= Math.floor((w + o.windowMs - 1) / 60_000); m++) minutes.push({ minute: m, at: new Date(m * 60_000).toISOString(), pid: o.pid ?? null });
          await trx.insertInto('monitor_heartbeats').values(minutes).onConflict((oc) => oc.doNothing()).execute();
        }
        await sql`UPDATE settled_windows SET slots = ${v.slots}, vantages = ${rounds.rows.length} WHERE window_at = ${w}`.execute(trx);
        out.windows++;
        out.slots += v.slots;
        out.confirmedFailures += v.confirmedFailures;
        out.unconfirmedFailures += v.unconfirmedFailures;
      });
    }
    return out;
  }

  private async measuredMinutes(fromMs: number, toMs: number): Promise<number> {
    if (toMs <= fromMs) return 0;
    const r = await sql<{ n: number }>`SELECT count(*) AS n FROM monitor_heartbeats WHERE minute >= ${Math.ceil(fromMs / 60_000)} AND minute < ${Math.ceil(toMs / 60_000)} AND degraded = 0`.execute(this.db);
    return r.rows[0].n;
  }

  async weeklyAvailability(q: AvailabilityQuery = {}): Promise<AvailabilityRow[]> {
    const plan = planAvailability(q);
    const measured = await Promise.all(plan.buckets.map((b) => this.measuredMinutes(b.startMs, b.endMs)));
    const wk = plan.single ? sql`${plan.buckets[0].wk}::int` : sql`((day::date - date '1970-01-05') / 7)`;
    const r = await sql<{ site_id: string; wk: number; probes: number; failures: number; full: number }>`
      SELECT site_id, ${wk} AS wk, sum(probes)::int AS probes, sum(failures)::int AS failures, sum((probes >= ${plan.minPerDay})::int)::int AS full
      FROM monitor_daily WHERE day >= ${plan.from} AND day <= ${plan.to} ${q.siteId ? sql`AND site_id = ${q.siteId}` : sql``}
      GROUP BY site_id${plan.single ? sql`` : sql`, 2`} ORDER BY site_id COLLATE "C"${plan.single ? sql`` : sql`, 2`}`.execute(this.db);
    const out = assembleAvailability(plan, q, r.rows.map((x) => [x.site_id, x.wk, x.probes, x.failures, x.full] as const), measured);
    if (out.length && q.maintenance !== false) {
      // probes inside announced maintenance windows, counted apart (as weeklyAvailability on SQLite does)
      const counts = await this.maintenanceCounts({ ...(q.siteId ? { siteId: q.siteId } : {}), periods: plan.buckets.map((b) => ({ key: b.label, from: b.from, to: b.to })) });
      if (counts.size) for (const row of out) {
        const c = counts.get(row.site)?.get(row.week);
        if (c) row.maintenance = c;
      }
    }
    return out;
  }

  async dailyAvailability(q: { siteId?: string; from: string; to: string; minPerDay?: number }): Promise<DailyAvailability[]> {
    const minPerDay = q.minPerDay ?? MIN_PROBES_PER_DAY_RULE;
    const r = await sql<{ site_id: string; day: string; probes: number; failures: number; first_at: string | null; last_at: string | null }>`
      SELECT site_id, day, probes, failures, first_at, last_at FROM monitor_daily
      WHERE day >= ${q.from} AND day <= ${q.to} ${q.siteId ? sql`AND site_id = ${q.siteId}` : sql``} ORDER BY site_id COLLATE "C", day`.execute(this.db);
    const mk = (site: string, day: string, probes: number, failures: number, firstAt?: string | null, lastAt?: string | null): DailyAvailability => ({
      site, day, probes, failures, ratio: probes > 0 ? failures / probes : 0, sufficient: probes >= minPerDay,
      ...(firstAt ? { firstAt } : {}), ...(lastAt ? { lastAt } : {}),
    });
    if (!q.siteId) return r.rows.map((x) => mk(x.site_id, x.day, x.probes, x.failures, x.first_at, x.last_at));
    const byDay = new Map(r.rows.map((x) => [x.day, x]));
    const out: DailyAvailability[] = [];
    for (let d = q.from; d <= q.to; d = addDays(d, 1)) {
      const x = byDay.get(d);
      out.push(mk(q.siteId, d, x?.probes ?? 0, x?.failures ?? 0, x?.first_at, x?.last_at));
    }
    return out;
  }

  async vantageAvailability(q: { from: string; to: string; siteId?: string }): Promise<VantageRow[]> {
    const r = await sql<{ site_id: string; vantage: string; probes: number; failures: number; blocked: number; unmeasured: number }>`
      SELECT site_id, vantage, sum(probes)::int AS probes, sum(failures)::int AS failures, sum(blocked)::int AS blocked, sum(unmeasured)::int AS unmeasured
      FROM vantage_daily WHERE day >= ${q.from} AND day <= ${q.to} ${q.siteId ? sql`AND site_id = ${q.siteId}` : sql``}
      GROUP BY site_id, vantage ORDER BY site_id COLLATE "C", vantage COLLATE "C"`.execute(this.db);
    return r.rows.map((x) => ({ site: x.site_id, vantage: x.vantage, probes: x.probes, failures: x.failures, blocked: x.blocked, unmeasured: x.unmeasured, ratio: x.probes > 0 ? x.failures / x.probes : 0 }));
  }

  async vantageRounds(q: { fromMs: number; toMs: number }): Promise<VantageRounds[]> {
    const r = await sql<{ vantage: string; rounds: number; impaired: number; last: number | null }>`
      SELECT vantage, count(*)::int AS rounds, sum(impaired)::int AS impaired, max(round_at) AS last FROM probe_rounds
      WHERE round_at >= ${q.fromMs} AND round_at < ${q.toMs} GROUP BY vantage ORDER BY vantage COLLATE "C"`.execute(this.db);
    return r.rows.map((x) => ({ vantage: x.vantage, rounds: x.rounds, impaired: x.impaired ?? 0, lastAt: x.last }));
  }

  async availabilityForAudit(siteId: string, asOf: string, o: { now?: number } = {}) {
    const [weekOf, weekBefore] = auditWeeks(asOf);
    const [cur] = await this.weeklyAvailability({ siteId, week: weekOf, now: o.now });
    const [prev] = await this.weeklyAvailability({ siteId, week: weekBefore, now: o.now });
    return auditSummaryOf(cur, prev);
  }

  /** Drops whole months of probe rows before `beforeDay`'s month and deletes older rows of that month. */
  async pruneProbes(beforeDay: string): Promise<number> {
    const cutoff = new Date(dayStartMs(beforeDay));
    const cutMonth = `${cutoff.getUTCFullYear()}-${String(cutoff.getUTCMonth() + 1).padStart(2, '0')}`;
    const parts = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'monitor_probes' AND p.relnamespace = ${this.schema}::regnamespace`.execute(this.db);
    let n = 0;
    for (const { name } of parts.rows) {
      const m = /^monitor_probes_y(\d{4})m(\d{2})$/.exec(name);
      if (!m || `${m[1]}-${m[2]}` >= cutMonth) continue;
      const c = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(name)}`.execute(this.db);
      await sql`DROP TABLE ${sql.table(name)}`.execute(this.db);
      this.partitions.delete(`${m[1]}-${m[2]}`);
      n += c.rows[0].n;
    }
    const del = await sql`DELETE FROM monitor_probes WHERE slot_at < ${cutoff}`.execute(this.db);
    return n + Number(del.numAffectedRows ?? 0);
  }

  // ------------------------------------------------------------------ warnings

  async wasSent(w: Pick<MonitorWarning, 'siteId' | 'condition' | 'week'>, channel: string): Promise<boolean> {
    const r = await sql`SELECT 1 FROM monitor_warnings WHERE site_id = ${w.siteId} AND condition = ${w.condition} AND week = ${w.week} AND channel = ${channel}`.execute(this.db);
    return r.rows.length > 0;
  }

  async markSent(ws: readonly MonitorWarning[], channel: string, sentAt: string): Promise<void> {
    if (ws.length === 0) return;
    await this.db
      .insertInto('monitor_warnings')
      .values(ws.map((w) => ({ site_id: w.siteId, condition: w.condition, week: w.week, channel, sent_at: sentAt, message: w.message })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  // ------------------------------------------------------------------ nightly (queue mode)

  async openNightly(asOf: string, sites: readonly { id: string; host: string }[], owner: string): Promise<{ id: number; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const ins = await sql<{ id: number }>`
        INSERT INTO nightly_runs (as_of, started_at, status, owner, sites_total, mode) VALUES (${asOf}, ${new Date().toISOString()}, 'running', ${owner}, ${sites.length}, 'queue')
        ON CONFLICT (as_of) WHERE mode = 'queue' DO NOTHING RETURNING id`.execute(trx);
      if (ins.rows.length === 0) {
        const had = await sql<{ id: number }>`SELECT id FROM nightly_runs WHERE as_of = ${asOf} AND mode = 'queue'`.execute(trx);
        return { id: had.rows[0].id, created: false };
      }
      const id = ins.rows[0].id;
      for (const part of chunks(sites, 1000)) {
        await trx.insertInto('nightly_sites').values(part.map((s) => ({ run_id: id, site_id: s.id, host: s.host, status: 'pending' }))).onConflict((oc) => oc.doNothing()).execute();
      }
      return { id, created: true };
    });
  }

  async nightlySiteStarted(id: number, siteId: string): Promise<void> {
    await sql`UPDATE nightly_sites SET status = 'running', attempts = attempts + 1, started_at = ${new Date().toISOString()}, error = NULL
      WHERE run_id = ${id} AND site_id = ${siteId} AND status != 'done'`.execute(this.db);
  }

  async nightlySiteFailed(id: number, siteId: string, error: string, final: boolean): Promise<void> {
    await sql`UPDATE nightly_sites SET status = ${final ? 'failed' : 'pending'}, error = ${error.slice(0, 2000)}, finished_at = ${new Date().toISOString()}
      WHERE run_id = ${id} AND site_id = ${siteId} AND status != 'done'`.execute(this.db);
  }

  async nightlyInfo(id: number): Promise<NightlyInfo | undefined> {
    const r = await sql<{ id: number; as_of: string; status: NightlyInfo['status'] }>`SELECT id, as_of, status FROM nightly_runs WHERE id = ${id}`.execute(this.db);
    const x = r.rows[0];
    if (!x) return undefined;
    const c = await sql<{ total: number; done: number; failed: number; pending: number }>`
      SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed,
        count(*) FILTER (WHERE status IN ('pending', 'running'))::int AS pending FROM nightly_sites WHERE run_id = ${id}`.execute(this.db);
    return { id: x.id, asOf: x.as_of, status: x.status, ...c.rows[0] };
  }

  async nightlySites(id: number): Promise<NightlySiteRow[]> {
    const r = await sql<{ site_id: string; status: NightlySiteRow['status']; attempts: number; audit_run_id: number | null; findings: number | null; summary: string | null; error: string | null }>`
      SELECT site_id, status, attempts, audit_run_id, findings, summary, error FROM nightly_sites WHERE run_id = ${id} ORDER BY site_id COLLATE "C"`.execute(this.db);
    return r.rows.map((x) => ({ siteId: x.site_id, status: x.status, attempts: x.attempts, auditRunId: x.audit_run_id, findings: x.findings, summary: x.summary ? JSON.parse(x.summary) : null, error: x.error }));
  }

  async finishNightlyIfComplete(id: number): Promise<boolean> {
    const r = await sql`UPDATE nightly_runs SET status = 'done', finished_at = ${new Date().toISOString()} WHERE id = ${id} AND status = 'running'
      AND NOT EXISTS (SELECT 1 FROM nightly_sites WHERE run_id = ${id} AND status IN ('pending', 'running'))`.execute(this.db);
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  async openNightlyRuns(): Promise<NightlyInfo[]> {
    const r = await sql<{ id: number }>`SELECT id FROM nightly_runs WHERE status = 'running' AND mode = 'queue' ORDER BY id`.execute(this.db);
    const out: NightlyInfo[] = [];
    for (const { id } of r.rows) {
      const i = await this.nightlyInfo(id);
      if (i) out.push(i);
    }
    return out;
  }
}
