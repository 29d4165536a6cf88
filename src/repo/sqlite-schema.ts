/**
 * What the shared repository adds to a SQLite database (additive, idempotent: the monitor's `ensure…Schema` pattern):
 * runs claimed by queue jobs (`runs.job_key`), probes with their vantage and slot, vantage rounds, per-vantage daily
 * roll-ups, settled windows and rescore requests. Old databases gain the columns; nothing existing changes meaning.
 */
import type { Db } from '../store/db.ts';
import { ensureMonitorSchema } from '../monitor/schema.ts';

const TABLES = `
CREATE TABLE IF NOT EXISTS probe_rounds (
  vantage     TEXT    NOT NULL,
  round_at    INTEGER NOT NULL,          -- window start, epoch ms
  worker      TEXT,
  probes      INTEGER NOT NULL DEFAULT 0,
  failures    INTEGER NOT NULL DEFAULT 0,
  blocked     INTEGER NOT NULL DEFAULT 0,
  impaired    INTEGER NOT NULL DEFAULT 0,
  reason      TEXT,
  canaries    TEXT,
  finished_at TEXT    NOT NULL,
  PRIMARY KEY (vantage, round_at)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS probe_rounds_at ON probe_rounds(round_at);

CREATE TABLE IF NOT EXISTS vantage_daily (
  day        TEXT    NOT NULL,
  site_id    TEXT    NOT NULL,
  vantage    TEXT    NOT NULL,
  probes     INTEGER NOT NULL DEFAULT 0,
  failures   INTEGER NOT NULL DEFAULT 0,
  blocked    INTEGER NOT NULL DEFAULT 0,
  unmeasured INTEGER NOT NULL DEFAULT 0,
  first_at   TEXT,
  last_at    TEXT,
  PRIMARY KEY (day, site_id, vantage)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rescore_requests (   -- the dashboard's rescoring in queue mode: revision n = job rescore:{run}:{n}
  run_id        INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  revision      INTEGER NOT NULL,
  manual_path   TEXT,
  manual        TEXT,                     -- the manual-items file's content when asked for (NULL: none yet)
  profile       TEXT    NOT NULL,         -- JSON { unitType, hasPublicServices }
  requested_by  TEXT,
  requested_at  TEXT    NOT NULL,
  done_revision INTEGER,
  done_at       TEXT
);

CREATE TABLE IF NOT EXISTS settled_windows (
  window_at  INTEGER PRIMARY KEY,        -- epoch ms
  settled_at TEXT    NOT NULL,
  slots      INTEGER NOT NULL DEFAULT 0,
  vantages   INTEGER NOT NULL DEFAULT 0
);
`;

const ensured = new WeakSet<object>();

function columns(db: Db, table: string): Set<string> {
  return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
}

function addColumn(db: Db, table: string, def: string): void {
  try {
    db.exec(`ALTER TABLE ${table} ADD COLUMN ${def}`);
  } catch (e) {
    if (!/duplicate column/i.test((e as Error).message)) throw e;
  }
}

/** Creates the shared-repository tables and columns when missing (cheap after the first call per connection). */
export function ensureSharedSchema(db: Db): void {
  if (ensured.has(db)) return;
  ensureMonitorSchema(db);
  db.exec(TABLES);
  const probes = columns(db, 'monitor_probes');
  if (!probes.has('vantage')) addColumn(db, 'monitor_probes', 'vantage TEXT');
  if (!probes.has('slot_at')) addColumn(db, 'monitor_probes', 'slot_at TEXT');
  if (!probes.has('attempt')) addColumn(db, 'monitor_probes', 'attempt INTEGER NOT NULL DEFAULT 0');
  if (!probes.has('blocked')) addColumn(db, 'monitor_probes', 'blocked INTEGER NOT NULL DEFAULT 0');
  db.exec('CREATE UNIQUE INDEX IF NOT EXISTS monitor_probes_slot ON monitor_probes(site_id, slot_at, vantage, attempt) WHERE vantage IS NOT NULL');
  if (!columns(db, 'monitor_daily').has('blocked')) addColumn(db, 'monitor_daily', 'blocked INTEGER NOT NULL DEFAULT 0');
  if (!columns(db, 'runs').has('job_key')) addColumn(db, 'runs', 'job_key TEXT');
  db.exec('CREATE UNIQUE INDEX IF NOT EXISTS runs_job_key ON runs(job_key) WHERE job_key IS NOT NULL');
  const nightly = columns(db, 'nightly_runs');
  if (!nightly.has('mode')) addColumn(db, 'nightly_runs', 'mode TEXT');
  ensured.add(db);
}
