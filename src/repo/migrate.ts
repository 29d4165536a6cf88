/**
 * `govsite store migrate --from sqlite:./data/govsite.db --to postgres://…`: copies a one-machine database's shared
 * data into PostgreSQL, in batches, idempotently (every row is keyed: run again, nothing is doubled; a daily roll-up
 * copied again is set to the source's value, not added to).
 *
 * Copied: runs (ids kept), findings, check scopes, scores, gatherer observations, rendered pages (screenshot paths),
 * probes (a one-machine probe becomes vantage `local`, its slot its start time), daily roll-ups, heartbeats, warnings,
 * nightly runs and sites, and the queue mode's rounds if any; and what lives outside runs — maintenance windows and
 * the inspector's decisions, the warning delivery log, simulated inquiries, the new-media registry (accounts,
 * websites, evidence, monitored sites) — and rescore requests, ids kept. Not copied: pages, HTML and link results — the audit's
 * working data, which stays in the SQLite file (rescoring and the dashboard read findings and scopes).
 * Stop the one-machine monitor first; run ids continue above the copied ones.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { PgRepo } from './postgres.ts';

export interface MigrateOptions {
  from: string;
  to: string;
  schema?: string;
  batch?: number;
  onProgress?: (table: string, rows: number) => void;
}

interface TableCopy {
  table: string;
  /** Target columns, in order; `map` turns a source row into them. */
  columns: string[];
  map: (r: Record<string, unknown>) => unknown[];
  conflict: string;
  /** Source query (default SELECT * FROM table). */
  select?: string;
  partitions?: (rows: unknown[][]) => number[];
}

const id = (r: Record<string, unknown>, k: string) => r[k] ?? null;

/** A table copied column for column, keyed rows skipped when already there. */
function same(table: string, columns: string[]): TableCopy {
  return { table, columns, map: (r) => columns.map((k) => id(r, k)), conflict: 'ON CONFLICT DO NOTHING' };
}

const TABLES: TableCopy[] = [
  {
    table: 'runs',
    columns: ['id', 'job_key', 'site_url', 'site_key', 'site_id', 'site_name', 'rubric', 'as_of', 'started_at', 'finished_at', 'status', 'pid', 'owner', 'options', 'stats', 'error', 'network', 'browser', 'screenshot', 'notes'],
    map: (r) => ['id', 'job_key', 'site_url', 'site_key', 'site_id', 'site_name', 'rubric', 'as_of', 'started_at', 'finished_at', 'status', 'pid', 'owner', 'options', 'stats', 'error', 'network', 'browser', 'screenshot', 'notes'].map((k) => id(r, k)),
    conflict: 'ON CONFLICT (id) DO NOTHING',
  },
  { table: 'findings', columns: ['id', 'run_id', 'check_id', 'url', 'target', 'detail', 'message', 'evidence'], map: (r) => ['id', 'run_id', 'check_id', 'url', 'target', 'detail', 'message', 'evidence'].map((k) => id(r, k)), conflict: 'ON CONFLICT (id) DO NOTHING' },
  { table: 'scores', columns: ['id', 'run_id', 'rubric', 'manual_file', 'computed_at', 'total', 'veto', 'provisional', 'score'], map: (r) => ['id', 'run_id', 'rubric', 'manual_file', 'computed_at', 'total', 'veto', 'provisional', 'score'].map((k) => id(r, k)), conflict: 'ON CONFLICT (id) DO NOTHING' },
  { table: 'check_scopes', columns: ['run_id', 'check_id', 'status', 'scope'], map: (r) => ['run_id', 'check_id', 'status', 'scope'].map((k) => id(r, k)), conflict: 'ON CONFLICT DO NOTHING' },
  { table: 'observations', columns: ['run_id', 'kind', 'key', 'seq', 'url', 'data'], map: (r) => ['run_id', 'kind', 'key', 'seq', 'url', 'data'].map((k) => id(r, k)), conflict: 'ON CONFLICT DO NOTHING' },
  { table: 'rendered', columns: ['run_id', 'url', 'at', 'screenshot'], select: 'SELECT run_id, url, at, screenshot FROM rendered', map: (r) => ['run_id', 'url', 'at', 'screenshot'].map((k) => id(r, k)), conflict: 'ON CONFLICT DO NOTHING' },
  {
    table: 'monitor_probes',
    columns: ['site_id', 'vantage', 'slot_at', 'attempt', 'at', 'day', 'outcome', 'failed', 'blocked', 'status', 'ms', 'phases', 'family', 'address', 'bytes', 'error', 'excluded'],
    map: (r) => [
      r.site_id, r.vantage ?? 'local', new Date((r.slot_at as string | null) ?? (r.at as string)), r.attempt ?? 0, new Date(r.at as string), r.day, r.outcome, r.failed,
      r.blocked ?? 0, r.status ?? null, r.ms, r.phases ?? null, r.family ?? null, r.address ?? null, r.bytes ?? 0, r.error ?? null, r.excluded ?? 0,
    ],
    conflict: 'ON CONFLICT DO NOTHING',
    partitions: (rows) => rows.map((x) => (x[2] as Date).getTime()),
  },
  {
    table: 'monitor_daily',
    columns: ['day', 'site_id', 'probes', 'failures', 'blocked', 'first_at', 'last_at'],
    map: (r) => [r.day, r.site_id, r.probes, r.failures, r.blocked ?? 0, r.first_at ?? null, r.last_at ?? null],
    conflict: 'ON CONFLICT (day, site_id) DO UPDATE SET probes = excluded.probes, failures = excluded.failures, blocked = excluded.blocked, first_at = excluded.first_at, last_at = excluded.last_at',
  },
  {
    table: 'vantage_daily',
    columns: ['day', 'site_id', 'vantage', 'probes', 'failures', 'blocked', 'unmeasured', 'first_at', 'last_at'],
    map: (r) => ['day', 'site_id', 'vantage', 'probes', 'failures', 'blocked', 'unmeasured', 'first_at', 'last_at'].map((k) => id(r, k)),
    conflict: 'ON CONFLICT (day, site_id, vantage) DO UPDATE SET probes = excluded.probes, failures = excluded.failures, blocked = excluded.blocked, unmeasured = excluded.unmeasured, first_at = excluded.first_at, last_at = excluded.last_at',
  },
  { table: 'monitor_heartbeats', columns: ['minute', 'at', 'pid', 'probes', 'failures', 'degraded'], map: (r) => ['minute', 'at', 'pid', 'probes', 'failures', 'degraded'].map((k) => id(r, k)), conflict: 'ON CONFLICT DO NOTHING' },
  { table: 'monitor_warnings', columns: ['site_id', 'condition', 'week', 'channel', 'sent_at', 'message'], map: (r) => ['site_id', 'condition', 'week', 'channel', 'sent_at', 'message'].map((k) => id(r, k)), conflict: 'ON CONFLICT DO NOTHING' },
  {
    table: 'nightly_runs',
    columns: ['id', 'as_of', 'started_at', 'finished_at', 'status', 'pid', 'owner', 'lease_until', 'resumes', 'sites_total', 'mode'],
    map: (r) => ['id', 'as_of', 'started_at', 'finished_at', 'status', 'pid', 'owner', 'lease_until', 'resumes', 'sites_total', 'mode'].map((k) => id(r, k)),
    conflict: 'ON CONFLICT DO NOTHING',
  },
  {
    table: 'nightly_sites',
    columns: ['run_id', 'site_id', 'host', 'status', 'attempts', 'audit_run_id', 'findings', 'summary', 'error', 'started_at', 'finished_at'],
    map: (r) => ['run_id', 'site_id', 'host', 'status', 'attempts', 'audit_run_id', 'findings', 'summary', 'error', 'started_at', 'finished_at'].map((k) => id(r, k)),
    conflict: 'ON CONFLICT DO NOTHING',
  },
  { table: 'probe_rounds', columns: ['vantage', 'round_at', 'worker', 'probes', 'failures', 'blocked', 'impaired', 'reason', 'canaries', 'finished_at'], map: (r) => ['vantage', 'round_at', 'worker', 'probes', 'failures', 'blocked', 'impaired', 'reason', 'canaries', 'finished_at'].map((k) => id(r, k)), conflict: 'ON CONFLICT DO NOTHING' },
  { table: 'settled_windows', columns: ['window_at', 'settled_at', 'slots', 'vantages'], map: (r) => ['window_at', 'settled_at', 'slots', 'vantages'].map((k) => id(r, k)), conflict: 'ON CONFLICT DO NOTHING' },
  // records outside runs (ids kept, so references — posts to accounts, rescore requests to runs — hold)
  same('monitor_maintenance', ['id', 'site_id', 'starts_at', 'ends_at', 'note', 'created_by', 'created_at', 'decision', 'decided_by', 'decided_at', 'reason']),
  same('monitor_alert_log', ['id', 'site_id', 'condition', 'week', 'channel', 'channel_type', 'ok', 'at', 'last_at', 'attempts', 'error', 'message']),
  same('inquiries', ['id', 'site', 'channel', 'asked_at', 'title', 'note', 'replied_at', 'reply_note', 'created_at', 'updated_at']),
  same('newmedia_accounts', ['id', 'unit', 'unit_key', 'name', 'platform', 'platform_label', 'account_key', 'account_id', 'subject', 'status', 'homepage', 'feed', 'registry_updated', 'origin', 'created_at', 'updated_at']),
  same('newmedia_websites', ['id', 'unit', 'unit_key', 'name', 'url', 'url_key', 'status', 'moved_to', 'origin', 'created_at', 'updated_at']),
  {
    ...same('newmedia_posts', ['id', 'account', 'source', 'ok', 'published_at', 'day', 'url', 'title', 'how', 'error', 'confirmed', 'observed_at', 'by']),
    columns: ['id', 'account', 'source', 'ok', 'published_at', 'day', 'url', 'title', 'how', 'error', 'confirmed', 'observed_at', '"by"'], // a reserved word in PostgreSQL
  },
  same('newmedia_monitored', ['site_id', 'name', 'url', 'unit', 'synced_at']),
  same('rescore_requests', ['run_id', 'revision', 'manual_path', 'manual', 'profile', 'requested_by', 'requested_at', 'done_revision', 'done_at']),
];

/** Tables with identity ids: new rows continue above the copied ones. */
const ID_TABLES = ['runs', 'findings', 'scores', 'nightly_runs', 'monitor_maintenance', 'monitor_alert_log', 'inquiries', 'newmedia_accounts', 'newmedia_websites', 'newmedia_posts'];

export async function migrateSqliteToPostgres(o: MigrateOptions): Promise<{ copied: Record<string, number>; skipped: number }> {
  const file = path.resolve(o.from);
  let src: Database.Database;
  try {
    src = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new Error(`无法打开 SQLite 数据库 ${o.from}：${(e as Error).message}`);
  }
  const repo = await PgRepo.open(o.to, { ...(o.schema ? { schema: o.schema } : {}), max: 2 });
  const batch = o.batch ?? 5000;
  const copied: Record<string, number> = {};
  let skipped = 0;
  try {
    const marker = `migrated_from:${file}`;
    const had = await sql<{ value: string }>`SELECT value FROM meta WHERE key = ${marker}`.execute(repo.db);
    const runs = await sql<{ n: number }>`SELECT count(*) AS n FROM runs`.execute(repo.db);
    if (had.rows.length === 0 && runs.rows[0].n > 0) {
      throw new Error(`目标数据库 ${repo.label} 已有检查记录，且不是从 ${file} 迁移的：请迁移到一个新的（空的）数据库`);
    }
    await sql`INSERT INTO meta (key, value) VALUES (${marker}, ${new Date().toISOString()}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`.execute(repo.db);
    const present = new Set((src.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    for (const t of TABLES) {
      if (!present.has(t.table)) continue;
      const cols = new Set((src.prepare(`PRAGMA table_info(${t.table})`).all() as { name: string }[]).map((c) => c.name));
      const select = t.select ?? `SELECT * FROM ${t.table}`;
      let n = 0;
      let buf: unknown[][] = [];
      const flush = async () => {
        if (!buf.length) return;
        if (t.partitions) await repo.ensurePartitions(t.partitions(buf));
        const params: unknown[] = [];
        const values = buf.map((row) => `(${row.map((v) => {
          params.push(v);
          return `$${params.length}`;
        }).join(', ')})`);
        const res = await repo.pool.query(`INSERT INTO ${t.table} (${t.columns.join(', ')}) VALUES ${values.join(', ')} ${t.conflict}`, params);
        skipped += buf.length - (res.rowCount ?? buf.length);
        n += buf.length;
        o.onProgress?.(t.table, n);
        buf = [];
      };
      // PostgreSQL takes at most 65,535 parameters per statement
      const rowsPerInsert = Math.max(1, Math.min(batch, Math.floor(60_000 / t.columns.length)));
      for (const r of src.prepare(select).iterate() as Iterable<Record<string, unknown>>) {
        if (t.table === 'runs' && !cols.has('job_key')) r.job_key = null;
        buf.push(t.map(r));
        if (buf.length >= rowsPerInsert) await flush();
      }
      await flush();
      copied[t.table] = n;
    }
    for (const t of ID_TABLES) {
      await sql`SELECT setval(pg_get_serial_sequence(${t}, 'id'), GREATEST((SELECT max(id) FROM ${sql.table(t)}), 1))`.execute(repo.db);
    }
  } finally {
    src.close();
    await repo.close();
  }
  return { copied, skipped };
}
