import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/db.ts';
import { SCHEMA_VERSION, Store, packLinks, unpackLinks } from '../src/store/store.ts';
import type { LinkRef } from '../src/model.ts';
import { makePage } from './helpers/page.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-store-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const HTML = `<html><head><title>青山市人民政府</title></head><body>
<a href="/zwgk/index.html">政务公开</a><img src="/logo.png" alt="标志"><a href="/files/a.pdf">附件</a>
<div class="footer"><a href="https://bszs.conac.cn/sitename?method=show&id=1">党政机关</a> 网站标识码4300000001</div></body></html>`;

describe('observation store: links', () => {
  it('stores a page with its links and reads them back in document order', () => {
    const store = Store.open(path.join(dir, 'a.db'));
    try {
      const runId = store.createRun({ siteUrl: 'http://www.qs.gov.cn/', siteKey: 'qs.gov.cn:80', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
      const page = makePage('http://www.qs.gov.cn/', HTML, { isHomepage: true });
      expect(page.links.length).toBe(4);
      expect(page.links.some((l) => l.inFooter)).toBe(true);
      store.addPage(runId, page);
      store.addPage(runId, makePage('http://www.qs.gov.cn/empty.html', '<html><body>无链接</body></html>'));
      store.flush();
      const back = [...store.iteratePages(runId)];
      expect(back.map((p) => p.url)).toEqual(['http://www.qs.gov.cn/', 'http://www.qs.gov.cn/empty.html']);
      expect(back[0].links).toEqual(page.links);
      expect(back[1].links).toEqual([]);
      expect([...store.iteratePages(runId, { withHtml: false })][0].links).toEqual(page.links);
    } finally {
      store.close();
    }
  });

  it('keeps short text as it is and deflates long text; both read back the same, and so do rows deflated before', () => {
    const store = Store.open(path.join(dir, 'pack.db'));
    try {
      const runId = store.createRun({ siteUrl: 'http://www.qs.gov.cn/', siteKey: 'qs.gov.cn:80', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
      const long = HTML.replace('</body>', `${'<p>政务公开 “引号” \\ 😀</p>'.repeat(400)}${Array.from({ length: 150 }, (_, i) => `<a href="/c/${i}.html">栏目${i}</a>`).join('')}</body>`);
      const small = makePage('http://www.qs.gov.cn/', HTML, { isHomepage: true });
      const large = makePage('http://www.qs.gov.cn/long.html', long);
      small.facts = { doc: { chars: HTML.length }, big: { items: Array.from({ length: 12 }, (_, i) => `条目${i}`.repeat(20)) } };
      large.facts = { doc: { chars: long.length }, big: { items: Array.from({ length: 200 }, (_, i) => `条目${i}`.repeat(20)) } };
      store.addPage(runId, small);
      store.addPage(runId, large);
      store.saveRendered(runId, { url: 'http://www.qs.gov.cn/', html: HTML, at: '2021-06-15T00:00:00Z' });
      store.saveObservations(runId, [{ kind: 'k', key: 'short', data: { a: 1 } }, { kind: 'k', key: 'long', data: { a: '长'.repeat(5000) } }]);
      store.flush();
      const db = openDatabase(path.join(dir, 'pack.db'));
      try {
        const kinds = db.prepare('SELECT url, typeof(html) AS h, typeof(links) AS l, typeof(facts_bulk) AS f FROM pages ORDER BY id').all();
        expect(kinds).toEqual([
          { url: 'http://www.qs.gov.cn/', h: 'text', l: 'text', f: 'text' },
          { url: 'http://www.qs.gov.cn/long.html', h: 'blob', l: 'blob', f: 'blob' },
        ]);
      } finally {
        db.close();
      }
      const back = [...store.iteratePages(runId)];
      expect(back.map((p) => p.html)).toEqual([HTML, long]);
      expect(back.map((p) => p.links)).toEqual([small.links, large.links]);
      expect(back.map((p) => p.facts)).toEqual([small.facts, large.facts]);
      expect(store.rendered(runId).get('http://www.qs.gov.cn/')?.html).toBe(HTML);
      expect(store.observations(runId).map((o) => o.data)).toEqual([{ a: 1 }, { a: '长'.repeat(5000) }]);
    } finally {
      store.close();
    }
  });

  it('lazy pages decode links and facts once and then drop the stored forms: every later read gives the same values', () => {
    const store = Store.open(path.join(dir, 'lazy.db'));
    try {
      const runId = store.createRun({ siteUrl: 'http://www.qs.gov.cn/', siteKey: 'qs.gov.cn:80', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
      const page = makePage('http://www.qs.gov.cn/', HTML, { isHomepage: true });
      page.facts = { doc: { chars: HTML.length }, big: { items: Array.from({ length: 40 }, (_, i) => `条目${i}`.repeat(20)) } };
      store.addPage(runId, page);
      store.addPage(runId, makePage('http://www.qs.gov.cn/b.html', HTML));
      store.flush();
      const eager = [...store.iteratePages(runId)];
      const lazy = [...store.iteratePages(runId, { withHtml: 'lazy' })];
      // Read in every order: facts before links, a bulk family twice, the HTML last.
      const f = lazy[0].facts as Record<string, unknown>;
      expect(f.big).toEqual(page.facts.big);
      expect(f.big).toBe((lazy[0].facts as Record<string, unknown>).big);
      expect(lazy[0].facts).toBe(f);
      expect(lazy[0].links).toEqual(page.links);
      expect(lazy[0].links).toBe(lazy[0].links);
      expect(lazy.map((p) => p.html)).toEqual([HTML, HTML]);
      expect(JSON.parse(JSON.stringify(lazy))).toEqual(JSON.parse(JSON.stringify(eager)));
      // Links and large facts read by row id when first used: the same pages, whatever is read first.
      const byId = [...store.iteratePages(runId, { withHtml: 'lazy', largeById: true })];
      expect((byId[0].facts as Record<string, unknown>).big).toEqual(page.facts.big);
      expect(JSON.parse(JSON.stringify(byId))).toEqual(JSON.parse(JSON.stringify(eager)));
      const again = [...store.iteratePages(runId, { withHtml: 'lazy', largeById: true })];
      expect(again[0].links).toEqual(page.links);
      expect(again[1].links).toEqual(eager[1].links);
      expect(JSON.parse(JSON.stringify(again))).toEqual(JSON.parse(JSON.stringify(eager)));
      // A value set replaces the stored one for good.
      lazy[1].facts = { doc: { chars: 1 } };
      expect(lazy[1].facts).toEqual({ doc: { chars: 1 } });
      lazy[1].links = [];
      expect(lazy[1].links).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('packs links losslessly (text with quotes, backslashes, emoji; footer flags)', () => {
    const links: LinkRef[] = [
      { target: 'http://a.gov.cn/x?q="1"&b=\\', kind: 'a', text: '“引号” \\ 😀', inFooter: false },
      { target: 'http://a.gov.cn/f.pdf', kind: 'attachment', text: '', inFooter: true },
    ];
    expect(unpackLinks(packLinks(links))).toEqual(links);
    expect(unpackLinks(packLinks([]))).toEqual([]);
    // Pages read together share their repeated targets and texts (one string each), with the same values.
    const shared = new Map<string, string>();
    expect(unpackLinks(packLinks(links), shared)).toEqual(links);
    expect(unpackLinks(packLinks(links), shared)).toEqual(links);
    expect([...shared.keys()].sort()).toEqual(['http://a.gov.cn/f.pdf', 'http://a.gov.cn/x?q="1"&b=\\', '“引号” \\ 😀'].sort());
  });

  it('opens a database written before schema 2 (links as rows) and reads its old runs', () => {
    const file = path.join(dir, 'old.db');
    const db = openDatabase(file);
    // The schema-1 tables that changed, as an earlier govsite wrote them.
    db.exec(`
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE runs (id INTEGER PRIMARY KEY, site_url TEXT NOT NULL, site_key TEXT NOT NULL, site_id TEXT, site_name TEXT,
        rubric TEXT NOT NULL, as_of TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('running','done','failed','interrupted')), pid INTEGER,
        options TEXT NOT NULL DEFAULT '{}', stats TEXT NOT NULL DEFAULT '{}', error TEXT, network TEXT, browser TEXT,
        screenshot TEXT, notes TEXT NOT NULL DEFAULT '[]');
      CREATE TABLE pages (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url TEXT NOT NULL, final_url TEXT NOT NULL, redirects TEXT NOT NULL, status INTEGER, error TEXT, depth INTEGER NOT NULL,
        fetched_at TEXT NOT NULL, headers_ms INTEGER NOT NULL, total_ms INTEGER NOT NULL, headers TEXT NOT NULL,
        bytes INTEGER NOT NULL, content_type TEXT NOT NULL, charset TEXT NOT NULL, charset_source TEXT NOT NULL,
        is_homepage INTEGER NOT NULL, soft404 TEXT, html BLOB NOT NULL, UNIQUE (run_id, url));
      CREATE TABLE links (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE, target TEXT NOT NULL, kind TEXT NOT NULL,
        text TEXT NOT NULL, in_footer INTEGER NOT NULL);
      CREATE INDEX links_page ON links(page_id);
      INSERT INTO runs (id, site_url, site_key, rubric, as_of, started_at, finished_at, status)
        VALUES (1, 'http://www.qs.gov.cn/', 'qs.gov.cn:80', 'hunan-2021-city', '2021-06-15', '2021-06-15T00:00:00Z', '2021-06-15T00:01:00Z', 'done');
    `);
    db.prepare(`INSERT INTO pages (id, run_id, url, final_url, redirects, status, depth, fetched_at, headers_ms, total_ms, headers, bytes,
      content_type, charset, charset_source, is_homepage, html) VALUES (7, 1, 'http://www.qs.gov.cn/', 'http://www.qs.gov.cn/', '[]', 200, 0,
      '2021-06-15T00:00:00Z', 1, 2, '{}', 10, 'text/html', 'utf-8', 'header', 1, ?)`).run(Buffer.alloc(0));
    db.prepare('INSERT INTO links VALUES (1, 7, ?, ?, ?, ?)').run('http://www.qs.gov.cn/b.html', 'a', '第二', 0);
    db.prepare('INSERT INTO links VALUES (1, 7, ?, ?, ?, ?)').run('http://www.qs.gov.cn/a.html', 'a', '第一', 1);
    db.close();

    const store = Store.open(file);
    try {
      expect((store.db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value).toBe(String(SCHEMA_VERSION));
      const [old] = [...store.iteratePages(1, { withHtml: false })];
      expect(old.links).toEqual([
        { target: 'http://www.qs.gov.cn/b.html', kind: 'a', text: '第二', inFooter: false },
        { target: 'http://www.qs.gov.cn/a.html', kind: 'a', text: '第一', inFooter: true },
      ]);
      // A new run in the same file stores its links with the page.
      const runId = store.createRun({ siteUrl: 'http://www.qs.gov.cn/', siteKey: 'qs.gov.cn:80', rubric: 'hunan-2021-city', asOf: '2021-06-16' });
      const page = makePage('http://www.qs.gov.cn/', HTML, { isHomepage: true });
      store.addPage(runId, page);
      store.flush();
      expect([...store.iteratePages(runId)][0].links).toEqual(page.links);
      expect((store.db.prepare('SELECT COUNT(*) AS n FROM links').get() as { n: number }).n).toBe(2);
    } finally {
      store.close();
    }
    // Opening it again is a no-op.
    Store.open(file).close();
  });
});
