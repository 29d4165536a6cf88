import type { Db } from '../store/db.ts';

/**
 * Tables of the monitor (availability probes, roll-ups, heartbeats, warnings, nightly runs).
 * Every statement is idempotent: call `ensureMonitorSchema(db)` whenever a monitor function gets a db.
 *
 * Times: `at`, `*_at` columns are ISO-8601 UTC strings (sortable); `day` is the Asia/Shanghai calendar day;
 * heartbeat `minute` is epoch minutes.
 */
export const MONITOR_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS monitor_probes (
  id        INTEGER PRIMARY KEY,
  site_id   TEXT    NOT NULL,
  at        TEXT    NOT NULL,            -- probe start, ISO UTC
  day       TEXT    NOT NULL,            -- Asia/Shanghai day of 'at'
  outcome   TEXT    NOT NULL,            -- ok | timeout | dns | refused | tls | reset | http | empty | error
  failed    INTEGER NOT NULL,            -- 1 when the outcome counts as "could not open"
  status    INTEGER,                     -- final HTTP status when a response arrived
  ms        INTEGER NOT NULL,            -- total duration
  phases    TEXT,                        -- JSON {dns, connect, tls, ttfb, body} in ms, as available
  family    INTEGER,                     -- 4 or 6
  address   TEXT,                        -- peer address used
  bytes     INTEGER NOT NULL DEFAULT 0,  -- body bytes received (bodies are not kept)
  error     TEXT,                        -- error code or note (e.g. ECONNREFUSED, js-challenge)
  excluded  INTEGER NOT NULL DEFAULT 0,  -- 1 = discarded by the monitor-side outage guard (not in roll-ups)
  cert_expires TEXT                      -- notAfter of the HTTPS certificate presented (ISO UTC)
);
CREATE INDEX IF NOT EXISTS monitor_probes_site_at ON monitor_probes(site_id, at);
CREATE INDEX IF NOT EXISTS monitor_probes_at ON monitor_probes(at);

CREATE TABLE IF NOT EXISTS monitor_daily (
  day       TEXT    NOT NULL,
  site_id   TEXT    NOT NULL,
  probes    INTEGER NOT NULL DEFAULT 0,
  failures  INTEGER NOT NULL DEFAULT 0,
  first_at  TEXT,
  last_at   TEXT,
  PRIMARY KEY (day, site_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS monitor_daily_site ON monitor_daily(site_id, day);

CREATE TABLE IF NOT EXISTS monitor_heartbeats (
  minute    INTEGER PRIMARY KEY,         -- epoch minutes during which the monitor was running
  at        TEXT    NOT NULL,
  pid       INTEGER,
  probes    INTEGER NOT NULL DEFAULT 0,  -- probes started in that minute (filled by the outage guard)
  failures  INTEGER NOT NULL DEFAULT 0,
  degraded  INTEGER NOT NULL DEFAULT 0   -- 1 = monitor-side outage: the minute counts as not measured
);

CREATE TABLE IF NOT EXISTS monitor_warnings (
  site_id   TEXT NOT NULL,
  condition TEXT NOT NULL,               -- availability | homepage-stale | empty-columns
  week      TEXT NOT NULL,               -- ISO week, Asia/Shanghai
  channel   TEXT NOT NULL,               -- channel name
  sent_at   TEXT NOT NULL,
  message   TEXT NOT NULL,
  PRIMARY KEY (site_id, condition, week, channel)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS nightly_runs (
  id          INTEGER PRIMARY KEY,
  as_of       TEXT    NOT NULL,
  started_at  TEXT    NOT NULL,
  finished_at TEXT,
  status      TEXT    NOT NULL CHECK (status IN ('running', 'done', 'abandoned')),
  pid         INTEGER,
  owner       TEXT,                      -- JSON RunOwner (store/owner.ts): the owner by more than its pid
  lease_until INTEGER,                   -- epoch ms; a live owner renews it
  resumes     INTEGER NOT NULL DEFAULT 0,
  sites_total INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS nightly_runs_status ON nightly_runs(status, id);

CREATE TABLE IF NOT EXISTS nightly_sites (
  run_id       INTEGER NOT NULL REFERENCES nightly_runs(id) ON DELETE CASCADE,
  site_id      TEXT    NOT NULL,
  host         TEXT,
  status       TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  audit_run_id INTEGER,
  findings     INTEGER,
  summary      TEXT,                     -- JSON {homepageNewestDate?, emptyColumns?}
  error        TEXT,
  started_at   TEXT,
  finished_at  TEXT,
  PRIMARY KEY (run_id, site_id)
) WITHOUT ROWID;
`;

const ensured = new WeakSet<object>();

/** Creates the monitor tables when missing (idempotent, cheap after the first call per connection). */
export function ensureMonitorSchema(db: Db): void {
  if (ensured.has(db)) return;
  db.exec(MONITOR_SCHEMA_SQL);
  // Additive columns for databases created by an earlier version.
  const cols = new Set((db.prepare('PRAGMA table_info(nightly_runs)').all() as { name: string }[]).map((c) => c.name));
  if (!cols.has('owner')) {
    try {
      db.exec('ALTER TABLE nightly_runs ADD COLUMN owner TEXT');
    } catch (e) {
      // another process added it first; a read-only connection reads without it (SELECT * tolerates its absence)
      if (!/duplicate column|readonly/i.test((e as Error).message)) throw e;
    }
  }
  addColumn(db, 'monitor_probes', 'cert_expires', 'TEXT');
  ensured.add(db);
}

/** ALTER TABLE … ADD COLUMN when the column is missing (databases from an earlier version). */
function addColumn(db: Db, table: string, column: string, type: string): void {
  const cols = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
  if (cols.has(column)) return;
  try {
    db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  } catch (e) {
    if (!/duplicate column|readonly/i.test((e as Error).message)) throw e;
  }
}
