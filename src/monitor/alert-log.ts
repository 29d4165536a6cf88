/**
 * The history of early-warning deliveries (预警记录): every attempt to send a warning through a channel, delivered
 * or failed, for the dashboard's alert history. `monitor_warnings` stays what it was — the "already sent this week"
 * memory that keeps a warning to once per condition, week and channel; this table adds the failures and the channel
 * type. Repeated failures of the same warning on the same channel update one row (attempts, last error) instead of
 * adding a row per retry, so a channel that is down for a week does not fill the database.
 */
import type { Db } from '../store/db.ts';
import { ensureMonitorSchema } from './schema.ts';

export const ALERT_LOG_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS monitor_alert_log (
  id           INTEGER PRIMARY KEY,
  site_id      TEXT    NOT NULL,
  condition    TEXT    NOT NULL,
  week         TEXT    NOT NULL,
  channel      TEXT    NOT NULL,           -- channel name (config.ts channelName)
  channel_type TEXT    NOT NULL,           -- webhook | dingtalk | wecom | email
  ok           INTEGER NOT NULL,           -- 1 delivered, 0 failed
  at           TEXT    NOT NULL,           -- first attempt of this row, ISO UTC
  last_at      TEXT    NOT NULL,           -- last attempt (failures are retried)
  attempts     INTEGER NOT NULL DEFAULT 1,
  error        TEXT,
  message      TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS monitor_alert_log_site ON monitor_alert_log(site_id, at);
CREATE INDEX IF NOT EXISTS monitor_alert_log_at ON monitor_alert_log(at);
CREATE INDEX IF NOT EXISTS monitor_alert_log_key ON monitor_alert_log(site_id, condition, week, channel, id);
`;

const ensured = new WeakSet<object>();

export function ensureAlertLogSchema(db: Db): void {
  if (ensured.has(db)) return;
  ensureMonitorSchema(db);
  db.exec(ALERT_LOG_SCHEMA_SQL);
  ensured.add(db);
}

export interface AlertAttempt {
  siteId: string;
  condition: string;
  week: string;
  message: string;
}

/** Records one delivery attempt of several warnings through one channel (in the caller's transaction or its own). */
export function logAlertAttempt(
  db: Db,
  channel: { name: string; type: string },
  warnings: readonly AlertAttempt[],
  result: { ok: boolean; error?: string; at: number },
): void {
  ensureAlertLogSchema(db);
  const iso = new Date(result.at).toISOString();
  const latest = db.prepare(
    'SELECT id, ok FROM monitor_alert_log WHERE site_id = ? AND condition = ? AND week = ? AND channel = ? ORDER BY id DESC LIMIT 1',
  );
  const bump = db.prepare('UPDATE monitor_alert_log SET attempts = attempts + 1, last_at = ?, error = ?, message = ? WHERE id = ?');
  const ins = db.prepare(
    `INSERT INTO monitor_alert_log (site_id, condition, week, channel, channel_type, ok, at, last_at, attempts, error, message)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
  );
  const error = result.ok ? null : (result.error ?? 'unknown error').slice(0, 500);
  db.transaction(() => {
    for (const w of warnings) {
      const prev = latest.get(w.siteId, w.condition, w.week, channel.name) as { id: number; ok: number } | undefined;
      if (!result.ok && prev && prev.ok === 0) bump.run(iso, error, w.message, prev.id);
      else ins.run(w.siteId, w.condition, w.week, channel.name, channel.type, result.ok ? 1 : 0, iso, iso, error, w.message);
    }
  })();
}

export interface AlertRecord {
  siteId: string;
  condition: string;
  week: string;
  channel: string;
  /** Unknown for deliveries recorded before the log existed. */
  channelType: string | null;
  ok: boolean;
  at: string;
  lastAt: string;
  attempts: number;
  error: string | null;
  message: string;
}

export interface AlertQuery {
  siteId?: string;
  /** Only these sites (e.g. the configured ones of a region). */
  siteIds?: readonly string[];
  /** 'failed' = failures only, 'sent' = deliveries only. */
  status?: 'failed' | 'sent';
  /** ISO week. */
  week?: string;
  limit: number;
  offset: number;
}

/**
 * Alert history, newest first: the log's rows plus deliveries remembered in `monitor_warnings` without a log row
 * (sent by a version before the log existed).
 */
export function listAlerts(db: Db, q: AlertQuery): { rows: AlertRecord[]; total: number } {
  ensureAlertLogSchema(db);
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: q.limit, offset: q.offset };
  if (q.siteId) {
    where.push('site_id = @site');
    params.site = q.siteId;
  }
  if (q.siteIds) {
    where.push(`site_id IN (SELECT value FROM json_each(@sites))`);
    params.sites = JSON.stringify(q.siteIds);
  }
  if (q.week) {
    where.push('week = @week');
    params.week = q.week;
  }
  if (q.status === 'failed') where.push('ok = 0');
  if (q.status === 'sent') where.push('ok = 1');
  const union = `
    SELECT site_id, condition, week, channel, channel_type, ok, at, last_at, attempts, error, message, id AS ord FROM monitor_alert_log
    UNION ALL
    SELECT w.site_id, w.condition, w.week, w.channel, NULL, 1, w.sent_at, w.sent_at, 1, NULL, w.message, 0 FROM monitor_warnings w
    WHERE NOT EXISTS (SELECT 1 FROM monitor_alert_log l WHERE l.site_id = w.site_id AND l.condition = w.condition
                      AND l.week = w.week AND l.channel = w.channel AND l.ok = 1)`;
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const used = (s: string) => Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`@${k}\\b`).test(s)));
  const countSql = `SELECT count(*) AS n FROM (${union}) ${whereSql}`;
  const total = (db.prepare(countSql).get(used(countSql)) as { n: number }).n;
  const sql = `SELECT * FROM (${union}) ${whereSql} ORDER BY last_at DESC, ord DESC LIMIT @limit OFFSET @offset`;
  const rows = (db.prepare(sql).all(used(sql)) as Record<string, unknown>[]).map(alertFromRow);
  return { rows, total };
}

/** A row of the alert history query (either backend) as a record. */
export function alertFromRow(r: Record<string, unknown>): AlertRecord {
  return {
    siteId: r.site_id as string,
    condition: r.condition as string,
    week: r.week as string,
    channel: r.channel as string,
    channelType: (r.channel_type as string | null) ?? null,
    ok: Number(r.ok) === 1,
    at: r.at as string,
    lastAt: r.last_at as string,
    attempts: Number(r.attempts),
    error: (r.error as string | null) ?? null,
    message: r.message as string,
  };
}
