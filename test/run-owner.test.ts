/**
 * Issue 11.4: a run killed with kill -9 must be found dead even when its pid now belongs to another live process
 * (containers give the same pid on every restart). Owners are told by a lock the live process holds, its boot id and
 * its start time (src/store/owner.ts); old rows without an owner keep the pid rule.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NightlyBusyError, runNightly, unfinishedNightlyRun } from '../src/monitor/nightly.ts';
import { openDatabase } from '../src/store/db.ts';
import { OWNERS_DIR, bootId, currentOwner, ownerAlive, procStartTime } from '../src/store/owner.ts';
import { Store } from '../src/store/store.ts';

const repoRoot = path.resolve(import.meta.dirname, '..');
const imp = (p: string) => JSON.stringify(pathToFileURL(path.join(repoRoot, p)).href);

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-owner-'));
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts a child running `body` (TypeScript, top-level await), resolves once it printed "ready". */
async function child(body: string, args: string[]): Promise<{ proc: ChildProcess; exited: Promise<unknown> }> {
  const script = path.join(dir, `child-${children.length}.mts`);
  fs.writeFileSync(script, body);
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const exited = new Promise((r) => proc.on('exit', r));
  let out = '';
  let err = '';
  proc.stderr!.on('data', (c) => (err += c));
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (c) => {
      out += c;
      if (out.includes('ready')) resolve();
    });
    proc.on('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
  });
  return { proc, exited };
}

const AUDIT_CHILD = `import { Store } from ${imp('src/store/store.ts')};
const store = Store.open(process.argv[2]);
for (let i = 0; i < 2; i++) store.createRun({ siteUrl: 'http://www.qs.gov.cn/', siteKey: 'qs.gov.cn:80', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`;

function statuses(file: string): Record<number, string> {
  const db = openDatabase(file);
  try {
    return Object.fromEntries((db.prepare('SELECT id, status FROM runs ORDER BY id').all() as { id: number; status: string }[]).map((r) => [r.id, r.status]));
  } finally {
    db.close();
  }
}

describe('audit runs: owner by more than the pid', () => {
  it('a killed run whose pid now belongs to a live process is marked interrupted', async () => {
    const file = path.join(dir, 'g.db');
    const c = await child(AUDIT_CHILD, [file]);
    c.proc.kill('SIGKILL');
    await c.exited;
    // The pid is reused: by this very process (a restarted container's pid) and by another live process.
    const db = openDatabase(file);
    db.prepare('UPDATE runs SET pid = ? WHERE id = 1').run(process.pid);
    db.prepare('UPDATE runs SET pid = ? WHERE id = 2').run(process.ppid);
    db.close();
    const store = Store.open(file);
    try {
      expect(store.getRun(1)!.status).toBe('interrupted');
      expect(store.getRun(2)!.status).toBe('interrupted');
      expect(store.getRun(1)!.error).toMatch(/process ended/);
    } finally {
      store.close();
    }
    // The dead owner's lock file was cleaned up.
    expect(fs.readdirSync(path.join(dir, OWNERS_DIR)).filter((n) => n.startsWith(`${c.proc.pid}-`))).toEqual([]);
  }, 30_000);

  it('a run of a live process (another process, same database) stays running until that process is killed', async () => {
    const file = path.join(dir, 'g.db');
    const c = await child(AUDIT_CHILD, [file]);
    const a = Store.open(file);
    a.close();
    expect(statuses(file)).toEqual({ 1: 'running', 2: 'running' });
    c.proc.kill('SIGKILL');
    await c.exited;
    Store.open(file).close();
    expect(statuses(file)).toEqual({ 1: 'interrupted', 2: 'interrupted' });
  }, 30_000);

  it('runs of this process stay running; rows without an owner keep the pid rule', () => {
    const file = path.join(dir, 'g.db');
    const store = Store.open(file);
    try {
      const mine = store.createRun({ siteUrl: 'http://www.qs.gov.cn/', siteKey: 'qs.gov.cn:80', rubric: 'hunan-2021-city', asOf: '2021-06-15' });
      const ins = store.db.prepare(`INSERT INTO runs (site_url, site_key, rubric, as_of, started_at, status, pid) VALUES ('http://x.gov.cn/', 'x', 'hunan-2021-city', '2021-06-15', '2021-06-15T00:00:00Z', 'running', ?)`);
      const oldAlive = Number(ins.run(process.ppid).lastInsertRowid);
      const oldDead = Number(ins.run(2 ** 22 + 12345).lastInsertRowid); // above pid_max: no such process
      expect(store.recoverInterrupted()).toBe(1);
      expect(store.getRun(mine)!.status).toBe('running');
      expect(store.getRun(oldAlive)!.status).toBe('running');
      expect(store.getRun(oldDead)!.status).toBe('interrupted');
    } finally {
      store.close();
    }
  });

  it('without a lock: another boot, or the same pid with another start time, is dead', () => {
    if (!bootId() || !procStartTime(process.pid)) return; // not Linux
    const me = currentOwner();
    expect(me.lock).toBeUndefined();
    expect(ownerAlive(me, me.pid)).toBe(true);
    expect(ownerAlive({ ...me, start: String(Number(me.start) + 1) }, me.pid)).toBe(false);
    expect(ownerAlive({ ...me, boot: '00000000-0000-0000-0000-000000000000' }, me.pid)).toBe(false);
    expect(ownerAlive({ pid: process.ppid, boot: me.boot, pidns: me.pidns, start: procStartTime(process.ppid) }, process.ppid)).toBe(true);
    expect(ownerAlive({ pid: process.ppid, boot: me.boot, pidns: me.pidns, start: '1' }, process.ppid)).toBe(false);
  });
});

describe('nightly runs: owner by more than the pid', () => {
  it('a killed nightly run whose pid is reused (fresh lease) is resumed, not reported busy', async () => {
    const file = path.join(dir, 'n.db');
    const c = await child(
      `import { openDatabase } from ${imp('src/store/db.ts')};
import { runNightly } from ${imp('src/monitor/nightly.ts')};
const db = openDatabase(process.argv[2]);
const sites = [{ id: 'a', name: '甲', url: 'http://a.gov.cn/', rubric: 'hunan-2021-city', hasPublicServices: true }];
void runNightly({ db, sites, asOf: '2021-06-15', auditFn: () => { process.stdout.write('ready\\n'); return new Promise(() => {}); } });
setInterval(() => {}, 1000);
`,
      [file],
    );
    c.proc.kill('SIGKILL');
    await c.exited;
    const db = openDatabase(file);
    try {
      // Another live process now has the dead owner's pid; the lease (2 minutes) is still fresh.
      db.prepare('UPDATE nightly_runs SET pid = ?').run(process.ppid);
      expect(unfinishedNightlyRun(db)).toMatchObject({ id: 1, ownerAlive: false });
      const sites = [{ id: 'a', name: '甲', url: 'http://a.gov.cn/', rubric: 'hunan-2021-city' as const, hasPublicServices: true }];
      const r = await runNightly({ db, sites, auditFn: async () => ({ runId: 1, findings: [] }) });
      expect(r).toMatchObject({ runId: 1, resumed: true, done: 1 });
    } catch (e) {
      expect(e).not.toBeInstanceOf(NightlyBusyError);
      throw e;
    } finally {
      db.close();
    }
  }, 30_000);

  it('a live nightly owner in another process is still reported busy', async () => {
    const file = path.join(dir, 'n.db');
    await child(
      `import { openDatabase } from ${imp('src/store/db.ts')};
import { runNightly } from ${imp('src/monitor/nightly.ts')};
const db = openDatabase(process.argv[2]);
const sites = [{ id: 'a', name: '甲', url: 'http://a.gov.cn/', rubric: 'hunan-2021-city', hasPublicServices: true }];
void runNightly({ db, sites, asOf: '2021-06-15', auditFn: () => { process.stdout.write('ready\\n'); return new Promise(() => {}); } });
setInterval(() => {}, 1000);
`,
      [file],
    );
    const db = openDatabase(file);
    try {
      expect(unfinishedNightlyRun(db)).toMatchObject({ id: 1, ownerAlive: true });
      const sites = [{ id: 'a', name: '甲', url: 'http://a.gov.cn/', rubric: 'hunan-2021-city' as const, hasPublicServices: true }];
      await expect(runNightly({ db, sites, auditFn: async () => ({ runId: 1, findings: [] }) })).rejects.toBeInstanceOf(NightlyBusyError);
    } finally {
      db.close();
    }
  }, 30_000);
});
