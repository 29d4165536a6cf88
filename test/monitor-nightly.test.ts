import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SiteConfig } from '../src/monitor/config.ts';
import { parseSitesConfig } from '../src/monitor/config.ts';
import type { AuditFn } from '../src/monitor/nightly.ts';
import { NightlyBusyError, digestFindings, runNightly } from '../src/monitor/nightly.ts';
import { ensureMonitorSchema } from '../src/monitor/schema.ts';
import { openDatabase } from '../src/store/db.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');

function makeSites(n: number, host?: (i: number) => string): SiteConfig[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    name: `测试网站${i}`,
    url: `http://${host ? host(i) : `s${i}.xt.gov.cn`}/`,
    rubric: 'hunan-2021-city',
    hasPublicServices: true,
  }));
}

function tick(ms = 5) {
  return new Promise((r) => setTimeout(r, ms));
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-nightly-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('runNightly (in process)', () => {
  it('audits every site with bounded parallelism and one audit per host at a time', async () => {
    const db = openDatabase(':memory:');
    let running = 0;
    let max = 0;
    const hostsNow = new Map<string, number>();
    let maxPerHost = 0;
    const auditFn: AuditFn = async (site) => {
      const host = new URL(site.url).hostname;
      running++;
      hostsNow.set(host, (hostsNow.get(host) ?? 0) + 1);
      max = Math.max(max, running);
      maxPerHost = Math.max(maxPerHost, hostsNow.get(host)!);
      await tick();
      running--;
      hostsNow.set(host, hostsNow.get(host)! - 1);
      return { runId: 100 + Number(site.id.slice(1)), findings: [] };
    };
    const sites = makeSites(9, (i) => (i < 6 ? 'shared.xt.gov.cn' : `own${i}.xt.gov.cn`));
    const r = await runNightly({ db, sites, auditFn, concurrency: 3, asOf: '2021-06-15' });
    expect(r).toMatchObject({ total: 9, done: 9, failed: 0, audited: 9, resumed: false, interrupted: false, asOf: '2021-06-15' });
    expect(max).toBeLessThanOrEqual(3);
    expect(maxPerHost).toBe(1);
    expect(r.sites.find((s) => s.siteId === 's4')).toMatchObject({ status: 'done', auditRunId: 104, attempts: 1 });
    const run = db.prepare('SELECT status FROM nightly_runs WHERE id = ?').get(r.runId) as { status: string };
    expect(run.status).toBe('done');
    db.close();
  });

  it('a failing site is recorded as failed; the others complete', async () => {
    const db = openDatabase(':memory:');
    const r = await runNightly({
      db,
      sites: makeSites(3),
      auditFn: async (site) => {
        if (site.id === 's1') throw new Error('crawler exploded');
        return { runId: 1, findings: [] };
      },
    });
    expect(r.done).toBe(2);
    expect(r.failed).toBe(1);
    expect(r.sites.find((s) => s.siteId === 's1')).toMatchObject({ status: 'failed', error: 'crawler exploded' });
    db.close();
  });

  it('an aborted run resumes without redoing finished sites', async () => {
    const db = openDatabase(':memory:');
    const calls: string[] = [];
    const ac = new AbortController();
    const auditFn: AuditFn = async (site, { signal }) => {
      calls.push(site.id);
      if (calls.length === 3) ac.abort();
      await tick(2);
      if (signal.aborted) throw new Error('aborted');
      return { runId: calls.length, findings: [] };
    };
    const sites = makeSites(6);
    const r1 = await runNightly({ db, sites, auditFn, concurrency: 1, signal: ac.signal });
    expect(r1.interrupted).toBe(true);
    expect(r1.done).toBe(2);
    const done1 = r1.sites.filter((s) => s.status === 'done').map((s) => s.siteId);
    calls.length = 0;
    const r2 = await runNightly({ db, sites, auditFn, concurrency: 1 });
    expect(r2).toMatchObject({ runId: r1.runId, resumed: true, alreadyDone: 2, done: 6, interrupted: false });
    expect(calls.filter((id) => done1.includes(id))).toEqual([]);
    expect(calls).toHaveLength(4);
    db.close();
  });

  it('refuses to take over a run owned by a live process; abandons stale ones', async () => {
    const db = openDatabase(':memory:');
    ensureMonitorSchema(db);
    db.prepare(`INSERT INTO nightly_runs (as_of, started_at, status, pid, lease_until) VALUES ('2021-06-15', ?, 'running', ?, ?)`).run(new Date().toISOString(), process.ppid, Date.now() + 60_000);
    await expect(runNightly({ db, sites: makeSites(1), auditFn: async () => ({ runId: 1, findings: [] }) })).rejects.toBeInstanceOf(NightlyBusyError);
    // the owner stopped renewing its lease two days ago: the run is stale and gets abandoned
    db.prepare(`UPDATE nightly_runs SET started_at = ?, lease_until = ?`).run(new Date(Date.now() - 2 * 86_400_000).toISOString(), Date.now() - 86_400_000);
    const r = await runNightly({ db, sites: makeSites(1), auditFn: async () => ({ runId: 1, findings: [] }) });
    expect(r.resumed).toBe(false);
    const statuses = db.prepare('SELECT status FROM nightly_runs ORDER BY id').all() as { status: string }[];
    expect(statuses.map((s) => s.status)).toEqual(['abandoned', 'done']);
    db.close();
  });

  it('sends early warnings from the audit digest after the run', async () => {
    const bodies: { warnings: { site: string; condition: string }[] }[] = [];
    const server = http.createServer((req, res) => {
      let d = '';
      req.on('data', (c) => (d += c));
      req.on('end', () => {
        bodies.push(JSON.parse(d));
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const cfg = parseSitesConfig(`
warnings:
  channels: [{ type: webhook, url: "http://127.0.0.1:${port}/hook" }]
sites:
  - { id: a, name: 甲市人民政府, url: "http://a.gov.cn/", rubric: hunan-2021-city }
  - { id: b, name: 乙市人民政府, url: "http://b.gov.cn/", rubric: hunan-2021-city }
`);
    const db = openDatabase(':memory:');
    const r = await runNightly({
      db,
      sites: cfg.sites,
      asOf: '2021-06-16',
      warnings: cfg.warnings,
      auditFn: async (site) =>
        site.id === 'a'
          ? { runId: 1, findings: [], summary: { homepageNewestDate: '2021-06-01', emptyColumns: 0 } }
          : { runId: 2, findings: [{ check: 'empty-columns', url: site.url, message: '空白栏目', evidence: { emptyColumns: 4 } }] },
    });
    expect(r.warnings).toMatchObject({ evaluated: 2, delivered: 2 });
    expect(bodies.flatMap((b) => b.warnings.map((w) => `${w.site}:${w.condition}`)).sort()).toEqual(['a:homepage-stale', 'b:empty-columns']);
    db.close();
    await new Promise<void>((res) => server.close(() => res()));
  });

  it('digestFindings reads explicit evidence and counts empty-column findings', () => {
    expect(
      digestFindings([
        { check: 'homepage-update', url: 'u', message: 'm', evidence: { newestDate: '2021-06-01 10:00' } },
        { check: 'empty-column', url: 'u1', message: 'm', evidence: {} },
        { check: 'empty-column', url: 'u2', message: 'm', evidence: {} },
        { check: 'empty-column', url: 'u3', message: 'm', evidence: { unverified: true } },
      ]),
    ).toEqual({ homepageNewestDate: '2021-06-01', emptyColumns: 2 });
    expect(digestFindings([])).toEqual({});
  });
});

describe('runNightly resume after kill -9 (child process)', () => {
  it('restarts without duplicating results or redoing finished sites', async () => {
    const dbPath = path.join(dir, 'nightly.db');
    const script = path.join(dir, 'child.mts');
    const imp = (p: string) => JSON.stringify(pathToFileURL(path.join(repoRoot, p)).href);
    fs.writeFileSync(
      script,
      `import { openDatabase } from ${imp('src/store/db.ts')};
import { runNightly } from ${imp('src/monitor/nightly.ts')};
const [dbPath, delay] = process.argv.slice(2);
const db = openDatabase(dbPath);
db.exec('CREATE TABLE IF NOT EXISTS fake_results (id INTEGER PRIMARY KEY, site_id TEXT NOT NULL, pid INTEGER); CREATE TABLE IF NOT EXISTS audit_calls (site_id TEXT, pid INTEGER)');
const sites = Array.from({ length: 8 }, (_, i) => ({ id: 's' + i, name: '网站' + i, url: 'http://s' + i + '.xt.gov.cn/', rubric: 'hunan-2021-city', hasPublicServices: true }));
const r = await runNightly({
  db, sites, concurrency: 2, asOf: '2021-06-15',
  auditFn: async (site, { db, markDone }) => {
    db.prepare('INSERT INTO audit_calls VALUES (?, ?)').run(site.id, process.pid);
    await new Promise((res) => setTimeout(res, Number(delay)));
    let runId = 0;
    db.transaction(() => {
      runId = Number(db.prepare('INSERT INTO fake_results (site_id, pid) VALUES (?, ?)').run(site.id, process.pid).lastInsertRowid);
      markDone?.(runId);
    })();
    return { runId, findings: [] };
  },
});
process.stdout.write(JSON.stringify(r));
db.close();
`,
    );
    const start = (delay: number) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, dbPath, String(delay)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (err += c));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      return { child, exited, out: () => out, err: () => err };
    };

    // 1st run: kill -9 once 3 sites are done (and others are in progress)
    const first = start(200);
    let doneBefore = 0;
    for (let i = 0; i < 3000; i++) {
      await tick(10);
      if (!fs.existsSync(dbPath)) continue;
      try {
        const probe = openDatabase(dbPath, { readonly: true });
        try {
          const row = probe.prepare(`SELECT count(*) AS n FROM nightly_sites WHERE status = 'done'`).get() as { n: number };
          doneBefore = row.n;
        } finally {
          probe.close();
        }
      } catch {
        continue; // schema not there yet
      }
      if (doneBefore >= 3) break;
    }
    first.child.kill('SIGKILL');
    const ex1 = await first.exited;
    expect(ex1.signal, first.err()).toBe('SIGKILL');

    const db = openDatabase(dbPath);
    const doneIds = (db.prepare(`SELECT site_id FROM nightly_sites WHERE status = 'done'`).all() as { site_id: string }[]).map((r) => r.site_id);
    const firstPid = first.child.pid!;
    expect(doneIds.length).toBeGreaterThanOrEqual(3);
    expect(doneIds.length).toBeLessThan(8);
    db.close();

    // 2nd run: resumes
    const second = start(5);
    const ex2 = await second.exited;
    expect(ex2.code, second.err()).toBe(0);
    const result = JSON.parse(second.out());
    expect(result).toMatchObject({ resumed: true, total: 8, done: 8, failed: 0, alreadyDone: doneIds.length, interrupted: false });

    const check = openDatabase(dbPath);
    const results = check.prepare('SELECT site_id, count(*) AS n FROM fake_results GROUP BY site_id ORDER BY site_id').all() as { site_id: string; n: number }[];
    expect(results).toHaveLength(8);
    expect(results.every((r) => r.n === 1)).toBe(true); // no duplicated results
    const secondCalls = (check.prepare('SELECT site_id FROM audit_calls WHERE pid = ?').all(second.child.pid) as { site_id: string }[]).map((r) => r.site_id);
    expect(secondCalls.filter((id) => doneIds.includes(id))).toEqual([]); // finished sites not redone
    expect(secondCalls.length).toBe(8 - doneIds.length);
    // every site done in run 1 has its result from the first process
    const fromFirst = (check.prepare('SELECT site_id FROM fake_results WHERE pid = ?').all(firstPid) as { site_id: string }[]).map((r) => r.site_id).sort();
    expect(fromFirst).toEqual([...doneIds].sort());
    const runs = check.prepare('SELECT status, resumes FROM nightly_runs').all();
    expect(runs).toEqual([{ status: 'done', resumes: 1 }]);
    check.close();
  }, 60_000);
});
