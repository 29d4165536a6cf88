import zlib from 'node:zlib';
import type { Db } from './db.ts';
import { openDatabase } from './db.ts';
import { currentOwner, ownerAlive, parseOwner, pidAlive, sweepOwnerLocks } from './owner.ts';
import type { CheckScope, Finding, LinkRef, LinkResult, NetworkObservation, Observation, PageObservation, RenderedPage } from '../model.ts';

/**
 * The observation store: runs, pages, links, link results, rendered snapshots, findings and scores.
 * Everything of one audit hangs off its run id, so a run that crashed half-way never mixes with the next one:
 * it stays `running` until a later open finds its process gone and marks it `interrupted` (the owner is told by more
 * than its pid: see owner.ts).
 * Writes are batched in transactions (one per batch), so a kill leaves whole batches or nothing.
 */

/**
 * 2: a page's outgoing links are stored with the page (`pages.links`), no longer as rows of a `links` table.
 * 3: `runs.owner` says which process runs it by more than its pid (owner.ts); rows without it use the pid.
 * 4: `pages.truncated` (the body was cut at the read cap).
 * 5: `pages.facts` / `pages.facts_bulk`: the page's facts (src/facts/), computed while the page was crawled — small
 *    families as JSON text (read for every page by the gatherers), large ones as deflated JSON (see packFacts).
 */
export const SCHEMA_VERSION = 5;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  site_url TEXT NOT NULL,
  site_key TEXT NOT NULL,
  site_id TEXT,
  site_name TEXT,
  rubric TEXT NOT NULL,
  as_of TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running','done','failed','interrupted')),
  pid INTEGER,
  owner TEXT,
  options TEXT NOT NULL DEFAULT '{}',
  stats TEXT NOT NULL DEFAULT '{}',
  error TEXT,
  network TEXT,
  browser TEXT,
  screenshot TEXT,
  notes TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS runs_site ON runs(site_key, started_at);
CREATE TABLE IF NOT EXISTS pages (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  final_url TEXT NOT NULL,
  redirects TEXT NOT NULL,
  status INTEGER,
  error TEXT,
  depth INTEGER NOT NULL,
  fetched_at TEXT NOT NULL,
  headers_ms INTEGER NOT NULL,
  total_ms INTEGER NOT NULL,
  headers TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  charset TEXT NOT NULL,
  charset_source TEXT NOT NULL,
  is_homepage INTEGER NOT NULL,
  soft404 TEXT,
  html BLOB NOT NULL,
  links BLOB,
  truncated INTEGER,
  facts TEXT,
  facts_bulk BLOB,
  UNIQUE (run_id, url)
);
CREATE TABLE IF NOT EXISTS link_results (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  target TEXT NOT NULL,
  outcome TEXT NOT NULL,
  status INTEGER,
  error TEXT,
  detail TEXT NOT NULL,
  method TEXT NOT NULL,
  final_url TEXT,
  redirects TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  ms INTEGER NOT NULL,
  PRIMARY KEY (run_id, target)
);
CREATE TABLE IF NOT EXISTS rendered (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  html BLOB NOT NULL,
  at TEXT NOT NULL,
  screenshot TEXT,
  PRIMARY KEY (run_id, url)
);
CREATE TABLE IF NOT EXISTS findings (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  check_id TEXT NOT NULL,
  url TEXT NOT NULL,
  target TEXT,
  detail TEXT,
  message TEXT NOT NULL,
  evidence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_run ON findings(run_id, check_id);
CREATE TABLE IF NOT EXISTS scores (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  rubric TEXT NOT NULL,
  manual_file TEXT,
  computed_at TEXT NOT NULL,
  total REAL NOT NULL,
  veto INTEGER NOT NULL,
  provisional INTEGER NOT NULL,
  score TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scores_run ON scores(run_id, computed_at);
CREATE TABLE IF NOT EXISTS observations (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  seq INTEGER NOT NULL,
  url TEXT,
  data BLOB NOT NULL,
  PRIMARY KEY (run_id, kind, key)
);
CREATE TABLE IF NOT EXISTS check_scopes (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  check_id TEXT NOT NULL,
  status TEXT NOT NULL,
  scope TEXT NOT NULL,
  PRIMARY KEY (run_id, check_id)
);
`;

export interface RunRow {
  id: number;
  siteUrl: string;
  siteKey: string;
  siteId: string | null;
  siteName: string | null;
  rubric: string;
  asOf: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'done' | 'failed' | 'interrupted';
  options: Record<string, unknown>;
  stats: Record<string, number>;
  error: string | null;
  network: NetworkObservation | null;
  browser: { available: boolean; reason?: string } | null;
  screenshot: string | null;
  notes: string[];
}

/**
 * Text shorter than this is stored as it is (an SQLite TEXT value), longer text deflated (a BLOB). Below a few KB
 * deflate's fixed cost per call (~40 µs: a fresh stream with its window and hash tables) outweighs the two or three
 * KB it saves: the links and facts of a small page, a short page. Readers take either (`unpack`).
 */
const PACK_MIN_CHARS = 4_096;
const pack = (s: string): string | Buffer => (s.length < PACK_MIN_CHARS ? s : zlib.deflateRawSync(Buffer.from(s, 'utf8'), { level: 1 }));
const unpack = (b: Buffer | string): string => (typeof b === 'string' ? b : zlib.inflateRawSync(b).toString('utf8'));

/**
 * A page's outgoing links, stored with the page: deflated JSON, one array [target, kind, text, inFooter 0/1] per link
 * in document order, with a fifth element `via` when the link has one (srcset, meta refresh). One value per page instead of ~20 rows with two indexes: the store writer spent most of its
 * time on those rows, and every reader wants a page's links together with the page anyway.
 */
export function packLinks(links: readonly LinkRef[]): Buffer | string {
  return pack(JSON.stringify(links.map((l) => (l.via ? [l.target, l.kind, l.text, l.inFooter ? 1 : 0, l.via] : [l.target, l.kind, l.text, l.inFooter ? 1 : 0]))));
}

/**
 * A page's links from their stored form. With `shared` (one map per read of a run's pages), a target or text that
 * another page of the run already has is that page's string: a site's navigation, header and footer repeat on every
 * page, and each read would otherwise hold its own copies.
 */
export function unpackLinks(b: Buffer | string, shared?: Map<string, string>): LinkRef[] {
  const rows = JSON.parse(unpack(b)) as [string, LinkRef['kind'], string, number, string?][];
  const one = (x: string): string => {
    if (!shared) return x;
    const have = shared.get(x);
    if (have !== undefined) return have;
    if (shared.size < SHARED_STRINGS) shared.set(x, x);
    return x;
  };
  return rows.map(([target, kind, text, f, via]) => {
    const t = one(target);
    const x = text ? one(text) : text;
    return via ? { target: t, kind, text: x, inFooter: f === 1, via } : { target: t, kind, text: x, inFooter: f === 1 };
  });
}

/** Most strings one read of a run's pages shares among its pages' links (see unpackLinks). */
const SHARED_STRINGS = 200_000;

export { pidAlive };

/**
 * Makes `page.html` a property that reads the stored HTML when first read (and keeps it from then on). It stays an
 * own, enumerable property, so a copy of the page (`{ ...page }`) carries the HTML as before.
 */
function lazyHtml(page: PageObservation, read: () => string): void {
  let html: string | undefined;
  Object.defineProperty(page, 'html', {
    enumerable: true,
    configurable: true,
    get() {
      html ??= read();
      return html;
    },
    set(v: string) {
      html = v;
    },
  });
}

/** Families whose JSON is longer go to the deflated column; the rest stay readable text. */
const BULKY_FACT = 400;
/** Key of the small-facts JSON listing the families stored in the bulk column. */
const BULK_KEYS = '#bulk';

/**
 * A page's facts as stored: small families (a few hundred bytes: what the gatherers test on every page) as JSON text,
 * large ones (list items, classification reasons) deflated apart, so that reading a page's small facts never
 * inflates the large ones.
 */
export function packFacts(facts: Record<string, unknown> | undefined): { facts: string | null; factsBulk: Buffer | string | null } {
  if (!facts) return { facts: null, factsBulk: null };
  const small: Record<string, unknown> = {};
  const bulk: Record<string, string> = {};
  for (const [id, v] of Object.entries(facts)) {
    const json = JSON.stringify(v);
    if (json === undefined) continue;
    if (json.length > BULKY_FACT) bulk[id] = json;
    else small[id] = v;
  }
  const ids = Object.keys(bulk);
  if (ids.length) small[BULK_KEYS] = ids;
  return { facts: JSON.stringify(small), factsBulk: ids.length ? pack(`{${ids.map((id) => `${JSON.stringify(id)}:${bulk[id]}`).join(',')}}`) : null };
}

export function unpackFacts(text: string, bulk: Buffer | string | null): Record<string, unknown> {
  const small = JSON.parse(text) as Record<string, unknown>;
  const ids = small[BULK_KEYS];
  delete small[BULK_KEYS];
  if (Array.isArray(ids) && ids.length && bulk) Object.assign(small, JSON.parse(unpack(bulk)) as Record<string, unknown>);
  return small;
}

/** A stored column's value, or the function that reads it when first needed. */
type Stored = Buffer | string | (() => Buffer | string | null);
const readStored = (s: Stored): Buffer | string | null => (typeof s === 'function' ? s() : s);

/**
 * `page.facts` read when first asked for: the small families from their text, each large family from the deflated
 * column only when that family is read.
 */
function lazyFacts(page: PageObservation, text: string, bulk: Stored | null): void {
  let facts: Record<string, unknown> | undefined;
  // The stored forms are dropped once decoded: a page read by every check keeps its facts, not their text as well.
  let stored: string | null = text;
  let storedBulk: Stored | null = bulk;
  Object.defineProperty(page, 'facts', {
    enumerable: true,
    configurable: true,
    get() {
      if (facts || stored === null) return facts;
      const small = JSON.parse(stored) as Record<string, unknown>;
      const blob = storedBulk;
      stored = null;
      storedBulk = null;
      const ids = small[BULK_KEYS];
      delete small[BULK_KEYS];
      facts = small;
      if (Array.isArray(ids) && ids.length && blob) {
        let all: Record<string, unknown> | undefined;
        let packed: Stored | null = blob;
        for (const id of ids as string[]) {
          Object.defineProperty(facts, id, {
            enumerable: true,
            configurable: true,
            get: () => {
              if (!all) {
                const b = readStored(packed!);
                all = b ? (JSON.parse(unpack(b)) as Record<string, unknown>) : {};
                packed = null;
              }
              return all[id];
            },
          });
        }
      }
      return facts;
    },
    set(v: Record<string, unknown>) {
      facts = v;
      stored = null;
      storedBulk = null;
    },
  });
}

/** A property decoded from its stored form when first read (then kept); an own, enumerable property like the rest. */
function lazyProperty<K extends 'links'>(page: PageObservation, key: K, stored: Stored, decode: (b: Buffer | string | null) => PageObservation[K]): void {
  let value: PageObservation[K] | undefined;
  let blob: Stored | null = stored;
  Object.defineProperty(page, key, {
    enumerable: true,
    configurable: true,
    get() {
      if (blob) {
        value = decode(readStored(blob));
        blob = null;
      }
      return value;
    },
    set(v: PageObservation[K]) {
      value = v;
      blob = null;
    },
  });
}

/** The pages table's columns but the HTML (rows of a lazy iteration). */
const PAGE_COLUMNS_BUT_HTML = 'id, run_id, url, final_url, redirects, status, error, depth, fetched_at, headers_ms, total_ms, headers, bytes, content_type, charset, charset_source, is_homepage, soft404, links, truncated, facts, facts_bulk';
/** The same, with only whether there are links and large facts (read by row id when first used: `largeById`). */
const PAGE_COLUMNS_SMALL = PAGE_COLUMNS_BUT_HTML.replace('links', 'links IS NOT NULL AS links').replace('facts_bulk', 'facts_bulk IS NOT NULL AS facts_bulk');

/** Brings a database written by an earlier version up to SCHEMA_VERSION (additive changes only: old runs stay readable). */
function migrate(db: Db): void {
  if (!needsMigration(db)) return; // the common case: no write lock taken
  // IMMEDIATE: two processes opening an old database at once migrate it once.
  db.transaction(() => {
    if (!needsMigration(db)) return;
    const cols = pageColumns(db);
    if (!cols.has('links')) db.exec('ALTER TABLE pages ADD COLUMN links BLOB');
    if (!cols.has('truncated')) db.exec('ALTER TABLE pages ADD COLUMN truncated INTEGER');
    if (!cols.has('facts')) db.exec('ALTER TABLE pages ADD COLUMN facts TEXT');
    if (!cols.has('facts_bulk')) db.exec('ALTER TABLE pages ADD COLUMN facts_bulk BLOB');
    if (!columns(db, 'runs').has('owner')) db.exec('ALTER TABLE runs ADD COLUMN owner TEXT');
    db.prepare('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
  }).immediate();
}

function columns(db: Db, table: 'pages' | 'runs'): Set<string> {
  return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
}

function pageColumns(db: Db): Set<string> {
  return columns(db, 'pages');
}

function needsMigration(db: Db): boolean {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  const cols = pageColumns(db);
  return !row || Number(row.value) < SCHEMA_VERSION || !cols.has('links') || !cols.has('truncated') || !cols.has('facts') || !cols.has('facts_bulk') || !columns(db, 'runs').has('owner');
}

export class Store {
  readonly db: Db;
  /** Page rows waiting for the next batch, already encoded (the page's HTML string and DOM-sized objects die young). */
  private pageBuf: Record<string, unknown>[] = [];
  private resultBuf: { r: LinkResult; runId: number }[] = [];
  private readonly insPage;
  private readonly insResult;
  /** Databases written before schema 2 keep their links in a `links` table; their runs are read from it. */
  private readonly legacyLinks;

  constructor(db: Db) {
    this.db = db;
    db.exec(SCHEMA);
    migrate(db);
    this.insPage = db.prepare(`INSERT OR IGNORE INTO pages (run_id, url, final_url, redirects, status, error, depth, fetched_at, headers_ms, total_ms,
      headers, bytes, content_type, charset, charset_source, is_homepage, soft404, html, links, truncated, facts, facts_bulk)
      VALUES (@runId, @url, @finalUrl, @redirects, @status, @error, @depth, @fetchedAt, @headersMs, @totalMs, @headers, @bytes,
      @contentType, @charset, @charsetSource, @isHomepage, @soft404, @html, @links, @truncated, @facts, @factsBulk)`);
    const hasLegacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'links'").get() !== undefined;
    this.legacyLinks = hasLegacy ? db.prepare('SELECT target, kind, text, in_footer FROM links WHERE page_id = ? ORDER BY rowid') : null;
    this.insResult = db.prepare(`INSERT OR REPLACE INTO link_results (run_id, target, outcome, status, error, detail, method, final_url, redirects, checked_at, ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.recoverInterrupted();
  }

  static open(file: string): Store {
    return new Store(openDatabase(file));
  }

  close(): void {
    this.flush();
    this.db.close();
  }

  /**
   * Runs left `running` by a process that no longer exists are marked `interrupted` (their data stays, unmixed).
   * The owner is identified by its lock, boot id and start time, not by the pid alone (pids repeat in containers).
   */
  recoverInterrupted(): number {
    const rows = this.db.prepare("SELECT id, pid, owner FROM runs WHERE status = 'running'").all() as { id: number; pid: number | null; owner: string | null }[];
    let n = 0;
    const mark = this.db.prepare("UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?), error = COALESCE(error, 'process ended before the audit finished') WHERE id = ? AND status = 'running'");
    for (const r of rows) {
      if (!ownerAlive(parseOwner(r.owner), r.pid, this.db.name)) {
        n += mark.run(new Date().toISOString(), r.id).changes;
      }
    }
    sweepOwnerLocks(this.db.name);
    return n;
  }

  /** `id`: a run id given by the shared repository (a worker's scratch store audits under the published run's id). */
  createRun(a: { id?: number; siteUrl: string; siteKey: string; siteId?: string; siteName?: string; rubric: string; asOf: string; options?: Record<string, unknown> }): number {
    const info = this.db
      .prepare(`INSERT INTO runs (id, site_url, site_key, site_id, site_name, rubric, as_of, started_at, status, pid, owner, options)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`)
      .run(a.id ?? null, a.siteUrl, a.siteKey, a.siteId ?? null, a.siteName ?? null, a.rubric, a.asOf, new Date().toISOString(), process.pid,
        JSON.stringify(currentOwner(this.db.name)), JSON.stringify(a.options ?? {}));
    return Number(info.lastInsertRowid);
  }

  finishRun(runId: number, status: 'done' | 'failed', extra: { stats?: object; error?: string; network?: NetworkObservation | null; browser?: object | null; screenshot?: string | null; notes?: string[] } = {}): void {
    this.flush();
    this.db
      .prepare(`UPDATE runs SET status = ?, finished_at = ?, stats = COALESCE(?, stats), error = ?, network = COALESCE(?, network),
        browser = COALESCE(?, browser), screenshot = COALESCE(?, screenshot), notes = COALESCE(?, notes) WHERE id = ?`)
      .run(
        status,
        new Date().toISOString(),
        extra.stats ? JSON.stringify(extra.stats) : null,
        extra.error ?? null,
        extra.network ? JSON.stringify(extra.network) : null,
        extra.browser ? JSON.stringify(extra.browser) : null,
        extra.screenshot ?? null,
        extra.notes ? JSON.stringify(extra.notes) : null,
        runId,
      );
  }

  addPage(runId: number, page: PageObservation, soft404: string | null = null): void {
    const p = page;
    this.pageBuf.push({
      runId, url: p.url, finalUrl: p.finalUrl, redirects: JSON.stringify(p.redirects), status: p.status, error: p.error ?? null,
      depth: p.depth, fetchedAt: p.fetchedAt, headersMs: p.timings.headersMs, totalMs: p.timings.totalMs,
      headers: JSON.stringify(p.headers), bytes: p.bytes, contentType: p.contentType, charset: p.charset,
      charsetSource: p.charsetSource, isHomepage: p.isHomepage ? 1 : 0, soft404, html: pack(p.html), links: packLinks(p.links),
      truncated: p.truncated ? 1 : null, ...packFacts(p.facts),
    });
    if (this.pageBuf.length >= 50) this.flush();
  }

  addLinkResult(runId: number, r: LinkResult): void {
    this.resultBuf.push({ r, runId });
    if (this.resultBuf.length >= 500) this.flush();
  }

  /** Writes buffered pages, links and results in one transaction. */
  flush(): void {
    if (this.pageBuf.length === 0 && this.resultBuf.length === 0) return;
    const pages = this.pageBuf;
    const results = this.resultBuf;
    this.pageBuf = [];
    this.resultBuf = [];
    this.db.transaction(() => {
      for (const row of pages) this.insPage.run(row);
      for (const { r, runId } of results) {
        this.insResult.run(runId, r.target, r.outcome, r.status ?? null, r.error ?? null, r.detail, r.method, r.finalUrl ?? null,
          JSON.stringify(r.redirects), r.checkedAt, r.ms);
      }
    })();
  }

  getRun(runId: number): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as Record<string, unknown> | undefined;
    return r ? toRun(r) : undefined;
  }

  listRuns(opts: { siteKey?: string; limit?: number } = {}): RunRow[] {
    const rows = (opts.siteKey
      ? this.db.prepare('SELECT * FROM runs WHERE site_key = ? ORDER BY id DESC LIMIT ?').all(opts.siteKey, opts.limit ?? 50)
      : this.db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(opts.limit ?? 50)) as Record<string, unknown>[];
    return rows.map(toRun);
  }

  /**
   * Pages of a run, HTML decoded, in crawl order, with their stored facts. Soft-404 pages are left out unless asked
   * for. `withHtml: 'lazy'` decodes a page's HTML when it is first read (the facts answer most questions without it),
   * and its links and facts too (a gatherer that skips a page never decodes them).
   */
  /**
   * The run's pages in the order they were stored, or with `nearestFirst` by their distance from the homepage (crawl
   * depth, then address): the same pages in the same order whatever order the crawl happened to finish them in.
   */
  *iteratePages(runId: number, opts: { withHtml?: boolean | 'lazy'; includeSoft404?: boolean; homepageOnly?: boolean; nearestFirst?: boolean; largeById?: boolean } = {}): Generator<PageObservation> {
    const withHtml = opts.withHtml ?? true;
    // Lazily: the HTML column is not read with the rows; a page's HTML is read by its id when first asked for. With
    // `largeById`, so are its links and large facts: for a pass that reads them for few of the pages (the gatherers
    // streaming a large crawl), reading them with every row was most of the pass.
    const byId = withHtml === 'lazy' && opts.largeById === true;
    const cols = withHtml === 'lazy' ? (byId ? PAGE_COLUMNS_SMALL : PAGE_COLUMNS_BUT_HTML) : '*';
    const rows = this.db
      .prepare(`SELECT ${cols} FROM pages WHERE run_id = ? ${opts.includeSoft404 ? '' : 'AND soft404 IS NULL'} ${opts.homepageOnly ? 'AND is_homepage = 1' : ''} ORDER BY ${opts.nearestFirst ? 'depth, url, id' : 'id'}`)
      .iterate(runId) as Iterable<Record<string, unknown>>;
    const legacy = this.legacyLinks;
    const shared = new Map<string, string>();
    for (const r of rows) {
      const lazy = withHtml === 'lazy';
      const links = r.links
        ? lazy ? [] : unpackLinks(r.links as Buffer | string, shared)
        : legacy
          ? (legacy.all(r.id) as { target: string; kind: LinkRef['kind']; text: string; in_footer: number }[]).map((l) => ({
              target: l.target, kind: l.kind, text: l.text, inFooter: l.in_footer === 1,
            }))
          : [];
      const page: PageObservation = {
        url: r.url as string,
        finalUrl: r.final_url as string,
        redirects: JSON.parse(r.redirects as string),
        status: r.status as number | null,
        ...(r.error ? { error: r.error as string } : {}),
        depth: r.depth as number,
        fetchedAt: r.fetched_at as string,
        timings: { headersMs: r.headers_ms as number, totalMs: r.total_ms as number },
        headers: JSON.parse(r.headers as string),
        bytes: r.bytes as number,
        ...(r.truncated === 1 ? { truncated: true } : {}),
        contentType: r.content_type as string,
        charset: r.charset as string,
        charsetSource: r.charset_source as string,
        html: withHtml === true ? unpack(r.html as Buffer | string) : '',
        links,
        isHomepage: r.is_homepage === 1,
        ...(r.facts && !lazy ? { facts: unpackFacts(r.facts as string, r.facts_bulk as Buffer | string | null) } : {}),
      };
      if (lazy) {
        // The row itself is not kept (its packed columns stay only where they are decoded from, until they are).
        const id = r.id as number;
        lazyHtml(page, () => this.storedHtml(id));
        if (r.links) lazyProperty(page, 'links', byId ? () => this.storedColumn('links', id) : (r.links as Buffer | string), (b) => (b ? unpackLinks(b, shared) : []));
        if (r.facts) lazyFacts(page, r.facts as string, byId ? (r.facts_bulk ? () => this.storedColumn('facts_bulk', id) : null) : (r.facts_bulk as Buffer | string | null));
      }
      yield page;
    }
  }

  private columnById: Partial<Record<'html' | 'links' | 'facts_bulk', ReturnType<Db['prepare']>>> = {};
  /** One stored column of a page by row id, as stored (null when the row is gone). */
  private storedColumn(col: 'html' | 'links' | 'facts_bulk', id: number): Buffer | string | null {
    const st = (this.columnById[col] ??= this.db.prepare(`SELECT ${col} AS v FROM pages WHERE id = ?`));
    const r = st.get(id) as { v: Buffer | string | null } | undefined;
    return r ? r.v : null;
  }

  /** A stored page's HTML by row id ('' when the row is gone). */
  private storedHtml(id: number): string {
    const v = this.storedColumn('html', id);
    return v === null ? '' : unpack(v);
  }

  /** The run's homepage with its HTML (the first page flagged as homepage), or undefined. */
  homepage(runId: number): PageObservation | undefined {
    for (const p of this.iteratePages(runId, { withHtml: true, homepageOnly: true })) return p; // return closes the statement
    return undefined;
  }

  /** Link results of a run by target; `problemsOnly` leaves out the ones that opened fine (most of them). */
  linkResults(runId: number, opts: { problemsOnly?: boolean } = {}): Map<string, LinkResult> {
    const rows = this.db
      .prepare(`SELECT * FROM link_results WHERE run_id = ?${opts.problemsOnly ? " AND outcome != 'ok'" : ''}`)
      .all(runId) as Record<string, unknown>[];
    const m = new Map<string, LinkResult>();
    for (const r of rows) {
      m.set(r.target as string, {
        target: r.target as string,
        outcome: r.outcome as LinkResult['outcome'],
        ...(r.status !== null ? { status: r.status as number } : {}),
        ...(r.error ? { error: r.error as string } : {}),
        detail: r.detail as string,
        method: r.method as LinkResult['method'],
        ...(r.final_url ? { finalUrl: r.final_url as string } : {}),
        redirects: JSON.parse(r.redirects as string),
        checkedAt: r.checked_at as string,
        ms: r.ms as number,
      });
    }
    return m;
  }

  saveRendered(runId: number, page: RenderedPage): void {
    this.db
      .prepare('INSERT OR REPLACE INTO rendered (run_id, url, html, at, screenshot) VALUES (?, ?, ?, ?, ?)')
      .run(runId, page.url, pack(page.html), page.at, page.screenshot ?? null);
  }

  rendered(runId: number): Map<string, RenderedPage> {
    const rows = this.db.prepare('SELECT * FROM rendered WHERE run_id = ?').all(runId) as Record<string, unknown>[];
    return new Map(rows.map((r) => [r.url as string, { url: r.url as string, html: unpack(r.html as Buffer | string), at: r.at as string, ...(r.screenshot ? { screenshot: r.screenshot as string } : {}) }]));
  }

  /** Replaces the findings of a run (checks are re-run as a whole). */
  saveFindings(runId: number, findings: Finding[]): void {
    const ins = this.db.prepare('INSERT INTO findings (run_id, check_id, url, target, detail, message, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM findings WHERE run_id = ?').run(runId);
      for (const f of findings) ins.run(runId, f.check, f.url, f.target ?? null, f.detail ?? null, f.message, JSON.stringify(f.evidence ?? {}));
    })();
  }

  findings(runId: number): Finding[] {
    const rows = this.db.prepare('SELECT * FROM findings WHERE run_id = ? ORDER BY id').all(runId) as Record<string, unknown>[];
    return rows.map((r) => ({
      check: r.check_id as string,
      url: r.url as string,
      ...(r.target ? { target: r.target as string } : {}),
      ...(r.detail ? { detail: r.detail as string } : {}),
      message: r.message as string,
      evidence: JSON.parse(r.evidence as string),
    }));
  }

  /**
   * Stores gatherer observations of a run. A (kind, key) seen again replaces the earlier value (a gatherer re-run, or
   * the same letter reached through two lists); emit order is kept by `seq`.
   */
  saveObservations(runId: number, obs: readonly Observation[]): void {
    if (obs.length === 0) return;
    const next = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS m FROM observations WHERE run_id = ?').get(runId) as { m: number }).m;
    const ins = this.db.prepare(`INSERT INTO observations (run_id, kind, key, seq, url, data) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_id, kind, key) DO UPDATE SET url = excluded.url, data = excluded.data`);
    this.db.transaction(() => {
      obs.forEach((o, i) => ins.run(runId, o.kind, o.key, next + i + 1, o.url ?? null, pack(JSON.stringify(o.data ?? null))));
    })();
  }

  /** A run's observations in emit order (optionally of some kinds only). */
  observations(runId: number, kinds?: readonly string[]): Observation[] {
    const rows = (kinds?.length
      ? this.db.prepare(`SELECT kind, key, url, data FROM observations WHERE run_id = ? AND kind IN (${kinds.map(() => '?').join(',')}) ORDER BY seq`).all(runId, ...kinds)
      : this.db.prepare('SELECT kind, key, url, data FROM observations WHERE run_id = ? ORDER BY seq').all(runId)) as { kind: string; key: string; url: string | null; data: Buffer }[];
    return rows.map((r) => ({ kind: r.kind, key: r.key, ...(r.url ? { url: r.url } : {}), data: JSON.parse(unpack(r.data)) }));
  }

  /** Replaces what each check examined in a run (all checks, or only the ones given when `partial`). */
  saveCheckScopes(runId: number, scopes: Record<string, CheckScope>, o: { partial?: boolean } = {}): void {
    const ins = this.db.prepare('INSERT OR REPLACE INTO check_scopes (run_id, check_id, status, scope) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      if (!o.partial) this.db.prepare('DELETE FROM check_scopes WHERE run_id = ?').run(runId);
      for (const [id, sc] of Object.entries(scopes)) ins.run(runId, id, sc.status, JSON.stringify(sc));
    })();
  }

  /** What each check examined in a run; undefined for runs stored before scopes existed (scoring then trusts findings alone). */
  checkScopes(runId: number): Record<string, CheckScope> | undefined {
    const rows = this.db.prepare('SELECT check_id, scope FROM check_scopes WHERE run_id = ?').all(runId) as { check_id: string; scope: string }[];
    if (rows.length === 0) return undefined;
    return Object.fromEntries(rows.map((r) => [r.check_id, JSON.parse(r.scope) as CheckScope]));
  }

  /** Replaces the findings of some checks only (a re-run of chosen checks over stored observations). */
  replaceCheckFindings(runId: number, checkIds: readonly string[], findings: readonly Finding[]): void {
    const ins = this.db.prepare('INSERT INTO findings (run_id, check_id, url, target, detail, message, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const del = this.db.prepare('DELETE FROM findings WHERE run_id = ? AND check_id = ?');
    this.db.transaction(() => {
      for (const id of checkIds) del.run(runId, id);
      for (const f of findings) ins.run(runId, f.check, f.url, f.target ?? null, f.detail ?? null, f.message, JSON.stringify(f.evidence ?? {}));
    })();
  }

  saveScore(runId: number, s: { rubric: string; manualFile?: string; total: number; veto: boolean; provisional: boolean; score: unknown }): number {
    const info = this.db
      .prepare('INSERT INTO scores (run_id, rubric, manual_file, computed_at, total, veto, provisional, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(runId, s.rubric, s.manualFile ?? null, new Date().toISOString(), s.total, s.veto ? 1 : 0, s.provisional ? 1 : 0, JSON.stringify(s.score));
    return Number(info.lastInsertRowid);
  }

  latestScore(runId: number): { computedAt: string; manualFile: string | null; score: unknown } | undefined {
    const r = this.db.prepare('SELECT * FROM scores WHERE run_id = ? ORDER BY id DESC LIMIT 1').get(runId) as Record<string, unknown> | undefined;
    return r ? { computedAt: r.computed_at as string, manualFile: r.manual_file as string | null, score: JSON.parse(r.score as string) } : undefined;
  }
}

export function toRun(r: Record<string, unknown>): RunRow {
  return {
    id: r.id as number,
    siteUrl: r.site_url as string,
    siteKey: r.site_key as string,
    siteId: (r.site_id as string) ?? null,
    siteName: (r.site_name as string) ?? null,
    rubric: r.rubric as string,
    asOf: r.as_of as string,
    startedAt: r.started_at as string,
    finishedAt: (r.finished_at as string) ?? null,
    status: r.status as RunRow['status'],
    options: JSON.parse(r.options as string),
    stats: JSON.parse(r.stats as string),
    error: (r.error as string) ?? null,
    network: r.network ? JSON.parse(r.network as string) : null,
    browser: r.browser ? JSON.parse(r.browser as string) : null,
    screenshot: (r.screenshot as string) ?? null,
    notes: JSON.parse((r.notes as string) ?? '[]'),
  };
}
