/**
 * The new-media registry in the store: accounts and websites per unit (imported, from the sites file or entered on the
 * dashboard) and the freshness evidence of each account (feed results, pasted posts, manual entries). These tables live
 * outside runs, like the monitor's: `ensureNewMediaSchema(db)` creates them when missing.
 *
 * Natural keys (re-import updates, never duplicates):
 *   account = unit + platform label + (账号ID when given, else 账号名称) — an account first registered without its ID
 *             and later with it is the same row (matched by name, the ID filled in);
 *   website = its address without scheme, `www.`, index page or trailing slash.
 */
import type { Db } from '../store/db.ts';
import { nameKey, siteUrlKey } from './normalize.ts';
import type { AccountRecord, AccountStatus, Platform, PostEvidence, PostSource, WebsiteRecord } from './types.ts';

export const NEWMEDIA_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS newmedia_accounts (
  id              INTEGER PRIMARY KEY,
  unit            TEXT NOT NULL,              -- 单位名称 as registered
  unit_key        TEXT NOT NULL,              -- 单位名称 for matching (spaces removed, lower-case)
  name            TEXT NOT NULL,              -- 账号名称
  platform        TEXT NOT NULL,              -- 微信|微博|抖音|今日头条|快手|App|其他
  platform_label  TEXT NOT NULL,              -- as written (百家号 … for 其他)
  account_key     TEXT NOT NULL,              -- 'id:<账号ID>' or 'name:<账号名称>'
  account_id      TEXT,                       -- 账号ID
  subject         TEXT,                       -- 认证主体
  status          TEXT NOT NULL,              -- 正常|已注销|已关停|已报关停
  homepage        TEXT,                       -- 主页地址
  feed            TEXT,                       -- 订阅地址
  registry_updated TEXT,                      -- 最近更新 (YYYY-MM-DD) as registered
  origin          TEXT NOT NULL,              -- import:<file>#<sheet>!<row> | sites-file:<site id> | dashboard | cli
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  UNIQUE (unit_key, platform_label, account_key)
);
CREATE INDEX IF NOT EXISTS newmedia_accounts_unit ON newmedia_accounts(unit_key);

CREATE TABLE IF NOT EXISTS newmedia_websites (
  id          INTEGER PRIMARY KEY,
  unit        TEXT NOT NULL,
  unit_key    TEXT NOT NULL,
  name        TEXT,
  url         TEXT NOT NULL,
  url_key     TEXT NOT NULL UNIQUE,
  status      TEXT NOT NULL,                  -- 正常|已注销|已关停|已报关停
  moved_to    TEXT,                           -- 迁移至 (the parent site), when registered
  origin      TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS newmedia_websites_unit ON newmedia_websites(unit_key);

CREATE TABLE IF NOT EXISTS newmedia_posts (
  id            INTEGER PRIMARY KEY,
  account       INTEGER NOT NULL REFERENCES newmedia_accounts(id) ON DELETE CASCADE,
  source        TEXT NOT NULL,                -- feed | post | manual
  ok            INTEGER NOT NULL DEFAULT 1,   -- 0 = a feed that could not be read (error says why)
  published_at  TEXT,                         -- ISO with offset, or YYYY-MM-DD
  day           TEXT,                         -- Asia/Shanghai day of published_at
  url           TEXT,                         -- the post, or the feed
  title         TEXT,
  how           TEXT,                         -- how the time was read, or the inspector's evidence
  error         TEXT,
  confirmed     INTEGER NOT NULL DEFAULT 1,
  observed_at   TEXT NOT NULL,
  by            TEXT                          -- cli | dashboard | audit:<run> | nightly
);
CREATE INDEX IF NOT EXISTS newmedia_posts_account ON newmedia_posts(account, observed_at);

CREATE TABLE IF NOT EXISTS newmedia_monitored (   -- the sites file's sites, as last synced (全面监管: 纳入监管范围)
  site_id     TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  url         TEXT NOT NULL,
  unit        TEXT NOT NULL,
  synced_at   TEXT NOT NULL
);
`;

const ensured = new WeakSet<object>();

/** Creates the registry tables when missing (idempotent, cheap after the first call per connection). */
export function ensureNewMediaSchema(db: Db): void {
  if (ensured.has(db)) return;
  db.exec(NEWMEDIA_SCHEMA_SQL);
  ensured.add(db);
}

/** A stored account. */
export interface StoredAccount extends AccountRecord {
  id: number;
  origin: string;
  createdAt: string;
  updatedAt: string;
}

export interface StoredWebsite extends WebsiteRecord {
  id: number;
  origin: string;
  updatedAt: string;
}

export interface AccountRow {
  id: number;
  unit: string;
  unit_key: string;
  name: string;
  platform: string;
  platform_label: string;
  account_key: string;
  account_id: string | null;
  subject: string | null;
  status: string;
  homepage: string | null;
  feed: string | null;
  registry_updated: string | null;
  origin: string;
  created_at: string;
  updated_at: string;
}

export function toAccount(r: AccountRow): StoredAccount {
  return {
    id: Number(r.id),
    unit: r.unit,
    name: r.name,
    platform: r.platform as Platform,
    platformLabel: r.platform_label,
    status: r.status as AccountStatus,
    ...(r.account_id ? { accountId: r.account_id } : {}),
    ...(r.subject ? { subject: r.subject } : {}),
    ...(r.homepage ? { homepage: r.homepage } : {}),
    ...(r.feed ? { feed: r.feed } : {}),
    ...(r.registry_updated ? { registryUpdated: r.registry_updated } : {}),
    origin: r.origin,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface WebsiteRow {
  id: number;
  unit: string;
  name: string | null;
  url: string;
  status: string;
  moved_to: string | null;
  origin: string;
  updated_at: string;
}

export function toWebsite(r: WebsiteRow): StoredWebsite {
  return {
    id: Number(r.id),
    unit: r.unit,
    url: r.url,
    status: r.status as AccountStatus,
    ...(r.name ? { name: r.name } : {}),
    ...(r.moved_to ? { movedTo: r.moved_to } : {}),
    origin: r.origin,
    updatedAt: r.updated_at,
  };
}

export type UpsertAction = 'added' | 'updated' | 'unchanged';

export function accountKey(a: Pick<AccountRecord, 'accountId' | 'name'>): string {
  return a.accountId ? `id:${a.accountId.toLowerCase()}` : `name:${nameKey(a.name)}`;
}

const ACCOUNT_FIELDS = ['unit', 'name', 'platform', 'platform_label', 'account_id', 'subject', 'status', 'homepage', 'feed', 'registry_updated'] as const;

/**
 * Inserts or updates one account by its natural key. Fields absent from `rec` keep their stored value only for
 * 最近更新 and 订阅地址 when `keepMissing` says so (a spreadsheet without those columns does not erase them).
 */
export function upsertAccount(db: Db, rec: AccountRecord, origin: string, now: string, opts: { keepMissing?: boolean } = {}): { id: number; action: UpsertAction } {
  ensureNewMediaSchema(db);
  const candidates = db.prepare(`SELECT * FROM newmedia_accounts WHERE unit_key = ? AND platform_label = ?`).all(nameKey(rec.unit), rec.platformLabel) as AccountRow[];
  const row = matchAccount(rec, candidates);
  const plan = planAccount(rec, row, opts);
  if (!row) {
    const info = db
      .prepare(
        `INSERT INTO newmedia_accounts (unit, unit_key, name, platform, platform_label, account_key, account_id, subject, status, homepage, feed, registry_updated, origin, created_at, updated_at)
         VALUES (@unit, @unit_key, @name, @platform, @platform_label, @account_key, @account_id, @subject, @status, @homepage, @feed, @registry_updated, @origin, @now, @now)`,
      )
      .run({ ...plan.values, unit_key: plan.unitKey, account_key: plan.accountKey, origin, now });
    return { id: Number(info.lastInsertRowid), action: 'added' };
  }
  if (plan.action === 'unchanged') return { id: row.id, action: 'unchanged' };
  db.prepare(
    `UPDATE newmedia_accounts SET unit = @unit, name = @name, platform = @platform, platform_label = @platform_label, account_key = @account_key,
       account_id = @account_id, subject = @subject, status = @status, homepage = @homepage, feed = @feed, registry_updated = @registry_updated,
       origin = @origin, updated_at = @now WHERE id = @id`,
  ).run({ ...plan.values, account_key: plan.accountKey, origin, now, id: row.id });
  return { id: row.id, action: 'updated' };
}

/**
 * The stored account a record is (among the stored accounts of its unit and platform label): by its key; registered
 * earlier without its ID (the same name); or, listed now by name only, the one stored account of that name.
 */
export function matchAccount(rec: AccountRecord, candidates: readonly AccountRow[]): AccountRow | undefined {
  const key = accountKey(rec);
  let row = candidates.find((r) => r.account_key === key);
  if (!row && rec.accountId) row = candidates.find((r) => r.account_key === `name:${nameKey(rec.name)}`);
  if (!row && !rec.accountId) {
    const same = candidates.filter((r) => nameKey(r.name) === nameKey(rec.name));
    if (same.length === 1) row = same[0];
  }
  return row;
}

export type AccountValues = Pick<AccountRow, (typeof ACCOUNT_FIELDS)[number]>;

/** What an upsert writes (the same on every backend): the values, keys and whether it adds, updates or leaves the row. */
export function planAccount(rec: AccountRecord, row: AccountRow | undefined, opts: { keepMissing?: boolean } = {}): { values: AccountValues; unitKey: string; accountKey: string; action: UpsertAction } {
  const values: AccountValues = {
    unit: rec.unit,
    name: rec.name,
    platform: rec.platform,
    platform_label: rec.platformLabel,
    account_id: rec.accountId ?? (opts.keepMissing ? row?.account_id ?? null : null),
    subject: rec.subject ?? (opts.keepMissing ? row?.subject ?? null : null),
    status: rec.status,
    homepage: rec.homepage ?? (opts.keepMissing ? row?.homepage ?? null : null),
    feed: rec.feed ?? (opts.keepMissing ? row?.feed ?? null : null),
    registry_updated: rec.registryUpdated ?? (opts.keepMissing ? row?.registry_updated ?? null : null),
  };
  const newKey = accountKey({ accountId: values.account_id ?? undefined, name: rec.name });
  const unitKey = nameKey(rec.unit);
  if (!row) return { values, unitKey, accountKey: newKey, action: 'added' };
  const changed = ACCOUNT_FIELDS.some((f) => (row as unknown as Record<string, unknown>)[f] !== values[f]);
  return { values, unitKey, accountKey: newKey, action: !changed && newKey === row.account_key ? 'unchanged' : 'updated' };
}

/** What a website upsert writes: its values and whether the stored row (by address) changes. */
export function planWebsite(rec: WebsiteRecord, row: WebsiteRow | undefined): { values: { unit: string; unit_key: string; name: string | null; url: string; status: string; moved_to: string | null }; urlKey: string; action: UpsertAction } {
  const values = { unit: rec.unit, unit_key: nameKey(rec.unit), name: rec.name ?? null, url: rec.url, status: rec.status, moved_to: rec.movedTo ?? null };
  const urlKey = siteUrlKey(rec.url);
  if (!row) return { values, urlKey, action: 'added' };
  const same = row.unit === values.unit && row.name === values.name && row.url === values.url && row.status === values.status && row.moved_to === values.moved_to;
  return { values, urlKey, action: same ? 'unchanged' : 'updated' };
}

/** Inserts or updates one website by its address. */
export function upsertWebsite(db: Db, rec: WebsiteRecord, origin: string, now: string): { id: number; action: UpsertAction } {
  ensureNewMediaSchema(db);
  const row = db.prepare(`SELECT * FROM newmedia_websites WHERE url_key = ?`).get(siteUrlKey(rec.url)) as WebsiteRow | undefined;
  const plan = planWebsite(rec, row);
  if (!row) {
    const info = db
      .prepare(
        `INSERT INTO newmedia_websites (unit, unit_key, name, url, url_key, status, moved_to, origin, created_at, updated_at)
         VALUES (@unit, @unit_key, @name, @url, @url_key, @status, @moved_to, @origin, @now, @now)`,
      )
      .run({ ...plan.values, url_key: plan.urlKey, origin, now });
    return { id: Number(info.lastInsertRowid), action: 'added' };
  }
  if (plan.action === 'unchanged') return { id: row.id, action: 'unchanged' };
  db.prepare(
    `UPDATE newmedia_websites SET unit = @unit, unit_key = @unit_key, name = @name, url = @url, status = @status, moved_to = @moved_to, origin = @origin, updated_at = @now WHERE id = @id`,
  ).run({ ...plan.values, origin, now, id: row.id });
  return { id: row.id, action: 'updated' };
}

export interface ApplySummary {
  accounts: Record<UpsertAction, number>;
  websites: Record<UpsertAction, number>;
}

/** Stores parsed records in one transaction (all or nothing). */
export function applyRecords(
  db: Db,
  input: { accounts: (AccountRecord & { origin?: string })[]; websites: (WebsiteRecord & { origin?: string })[] },
  origin: string,
  now: string,
  opts: { keepMissing?: boolean } = {},
): ApplySummary {
  ensureNewMediaSchema(db);
  const out: ApplySummary = { accounts: { added: 0, updated: 0, unchanged: 0 }, websites: { added: 0, updated: 0, unchanged: 0 } };
  db.transaction(() => {
    for (const a of input.accounts) out.accounts[upsertAccount(db, stripRecord(a), a.origin ?? origin, now, opts).action]++;
    for (const w of input.websites) out.websites[upsertWebsite(db, stripRecord(w), w.origin ?? origin, now).action]++;
  })();
  return out;
}

/** The record fields only (sheet/row/origin bookkeeping dropped). */
export function stripRecord<T extends object>(r: T): T {
  const { sheet: _s, row: _r, origin: _o, ...rest } = r as T & { sheet?: unknown; row?: unknown; origin?: unknown };
  return rest as T;
}

/** Accounts, optionally of one unit (by name, matched without spaces), ordered by unit, platform, name. */
export function listAccounts(db: Db, opts: { unit?: string } = {}): StoredAccount[] {
  ensureNewMediaSchema(db);
  const rows = opts.unit
    ? (db.prepare(`SELECT * FROM newmedia_accounts WHERE unit_key = ? ORDER BY platform, name, id`).all(nameKey(opts.unit)) as AccountRow[])
    : (db.prepare(`SELECT * FROM newmedia_accounts ORDER BY unit_key, platform, name, id`).all() as AccountRow[]);
  return rows.map(toAccount);
}

export function getAccount(db: Db, id: number): StoredAccount | undefined {
  ensureNewMediaSchema(db);
  const r = db.prepare(`SELECT * FROM newmedia_accounts WHERE id = ?`).get(id) as AccountRow | undefined;
  return r ? toAccount(r) : undefined;
}

export function listWebsites(db: Db, opts: { unit?: string } = {}): StoredWebsite[] {
  ensureNewMediaSchema(db);
  const rows = opts.unit
    ? (db.prepare(`SELECT * FROM newmedia_websites WHERE unit_key = ? ORDER BY url_key`).all(nameKey(opts.unit)) as WebsiteRow[])
    : (db.prepare(`SELECT * FROM newmedia_websites ORDER BY unit_key, url_key`).all() as WebsiteRow[]);
  return rows.map(toWebsite);
}

/** Distinct unit names of the registry with their account and website counts. */
export function listUnits(db: Db): { unit: string; accounts: number; websites: number }[] {
  ensureNewMediaSchema(db);
  return db
    .prepare(
      `SELECT unit, SUM(a) AS accounts, SUM(w) AS websites FROM (
         SELECT unit_key, MIN(unit) AS unit, COUNT(*) AS a, 0 AS w FROM newmedia_accounts GROUP BY unit_key
         UNION ALL SELECT unit_key, MIN(unit), 0, COUNT(*) FROM newmedia_websites GROUP BY unit_key
       ) GROUP BY unit_key ORDER BY unit_key`,
    )
    .all() as { unit: string; accounts: number; websites: number }[];
}

/**
 * Finds accounts by a reference a person types: the numeric id, `单位/平台/账号名称`, or an account name or 账号ID
 * (unique across the registry, else ambiguous).
 */
export function findAccounts(db: Db, ref: string): StoredAccount[] {
  ensureNewMediaSchema(db);
  const r = ref.trim();
  if (/^\d+$/.test(r)) {
    const a = getAccount(db, Number(r));
    if (a) return [a];
  }
  return matchAccountRef(listAccounts(db), r);
}

/** Accounts a typed reference names among all accounts (`单位/平台/账号名称`, an account name, or an 账号ID). */
export function matchAccountRef(all: readonly StoredAccount[], ref: string): StoredAccount[] {
  const r = ref.trim();
  const parts = r.split(/[/／]/).map((p) => p.trim());
  if (parts.length === 3) {
    return all.filter((a) => nameKey(a.unit) === nameKey(parts[0]) && (a.platform === parts[1] || a.platformLabel === parts[1]) && nameKey(a.name) === nameKey(parts[2]));
  }
  const k = nameKey(r);
  const byName = all.filter((a) => nameKey(a.name) === k);
  if (byName.length) return byName;
  return all.filter((a) => a.accountId && a.accountId.toLowerCase() === r.toLowerCase());
}

export function deleteAccount(db: Db, id: number): boolean {
  ensureNewMediaSchema(db);
  return db.prepare(`DELETE FROM newmedia_accounts WHERE id = ?`).run(id).changes > 0;
}

export function deleteWebsite(db: Db, id: number): boolean {
  ensureNewMediaSchema(db);
  return db.prepare(`DELETE FROM newmedia_websites WHERE id = ?`).run(id).changes > 0;
}

/** A stored piece of freshness evidence (feed results included, failures too). */
export interface StoredPost extends Omit<PostEvidence, 'publishedAt' | 'day'> {
  id: number;
  account: number;
  ok: boolean;
  publishedAt?: string;
  day?: string;
  error?: string;
  by?: string;
}

/** Remembers a feed result, a pasted post or a manual entry. A feed keeps only its latest result per account. */
export function addPost(
  db: Db,
  account: number,
  p: { source: Exclude<PostSource, 'registry'>; ok?: boolean; publishedAt?: string; day?: string; url?: string; title?: string; how?: string; error?: string; confirmed?: boolean; observedAt: string; by?: string },
): number {
  ensureNewMediaSchema(db);
  return db.transaction(() => {
    if (p.source === 'feed') db.prepare(`DELETE FROM newmedia_posts WHERE account = ? AND source = 'feed'`).run(account);
    const info = db
      .prepare(
        `INSERT INTO newmedia_posts (account, source, ok, published_at, day, url, title, how, error, confirmed, observed_at, by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(account, p.source, p.ok === false ? 0 : 1, p.publishedAt ?? null, p.day ?? null, p.url ?? null, p.title ?? null, p.how ?? null, p.error ?? null, p.confirmed === false ? 0 : 1, p.observedAt, p.by ?? null);
    return Number(info.lastInsertRowid);
  })();
}

export interface PostRow {
  id: number;
  account: number;
  source: string;
  ok: number;
  published_at: string | null;
  day: string | null;
  url: string | null;
  title: string | null;
  how: string | null;
  error: string | null;
  confirmed: number;
  observed_at: string;
  by: string | null;
}

/** Evidence of some accounts (all when `accounts` is omitted), newest observation first. */
export function listPosts(db: Db, accounts?: number[]): StoredPost[] {
  ensureNewMediaSchema(db);
  const rows = accounts
    ? accounts.length
      ? (db.prepare(`SELECT * FROM newmedia_posts WHERE account IN (${accounts.map(() => '?').join(',')}) ORDER BY observed_at DESC, id DESC`).all(...accounts) as PostRow[])
      : []
    : (db.prepare(`SELECT * FROM newmedia_posts ORDER BY observed_at DESC, id DESC`).all() as PostRow[]);
  return rows.map(toPost);
}

/** A stored evidence row (either backend) as a post. */
export function toPost(r: PostRow): StoredPost {
  return {
    id: Number(r.id),
    account: Number(r.account),
    source: r.source as PostSource,
    ok: Number(r.ok) === 1,
    ...(r.published_at ? { publishedAt: r.published_at } : {}),
    ...(r.day ? { day: r.day } : {}),
    ...(r.url ? { url: r.url } : {}),
    ...(r.title ? { title: r.title } : {}),
    ...(r.how ? { how: r.how } : {}),
    ...(r.error ? { error: r.error } : {}),
    confirmed: Number(r.confirmed) === 1,
    observedAt: r.observed_at,
    ...(r.by ? { by: r.by } : {}),
  };
}

/**
 * The registry unit that owns an audited site. In order: the sites file's `newMediaUnit` or the site's name (its
 * 单位名称), then `--name`, equal to a registry unit (spaces ignored); then a registered website (正常) at the
 * site's address. undefined when none matches.
 */
export function unitForSite(db: Db, site: { name?: string; unit?: string; url: string }): { unit: string; by: 'unit' | 'name' | 'website' } | undefined {
  ensureNewMediaSchema(db);
  return matchUnit(listUnits(db), site, (key) => (db.prepare(`SELECT unit FROM newmedia_websites WHERE url_key = ? AND status = '正常'`).get(key) as { unit: string } | undefined)?.unit);
}

/** `unitForSite` over the registry's units and a lookup of an open registered website's unit by address key. */
export function matchUnit(
  unitList: readonly { unit: string }[],
  site: { name?: string; unit?: string; url: string },
  websiteUnit: (urlKey: string) => string | undefined,
): { unit: string; by: 'unit' | 'name' | 'website' } | undefined {
  const units = new Map(unitList.map((u) => [nameKey(u.unit), u.unit]));
  if (site.unit && units.has(nameKey(site.unit))) return { unit: units.get(nameKey(site.unit))!, by: 'unit' };
  if (site.name && units.has(nameKey(site.name))) return { unit: units.get(nameKey(site.name))!, by: 'name' };
  const w = websiteUnit(siteUrlKey(site.url));
  if (w) return { unit: w, by: 'website' };
  return undefined;
}

/** The sites file's sites as last synced (what is 纳入监管范围 besides the registry's websites). */
export function listMonitored(db: Db): { siteId: string; name: string; url: string; unit: string }[] {
  ensureNewMediaSchema(db);
  return (db.prepare(`SELECT site_id AS siteId, name, url, unit FROM newmedia_monitored ORDER BY site_id`).all() as { siteId: string; name: string; url: string; unit: string }[]);
}
