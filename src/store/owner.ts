import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * Who owns a `running` row (an audit run, a nightly run), told by more than a pid.
 *
 * In a container the process gets the same pid on every restart, so "is pid N alive" says yes for a run whose
 * process was killed. An owner therefore records:
 * - `lock`: the name of a lock file beside the database (`.govsite-owners/<name>`), a small SQLite file the live
 *   process holds an exclusive lock on for as long as it runs. The kernel drops the lock when the process ends, even
 *   by kill -9, and the lock is seen from every process and container sharing the data volume. Held → alive; free or
 *   gone → dead. This is the answer whenever the lock file exists.
 * - `boot` (/proc/sys/kernel/random/boot_id), `start` (the process start time from /proc/<pid>/stat), `pidns` (the pid
 *   namespace): when there is no usable lock, a process of another boot is dead, and in our own pid namespace the pid
 *   must still have the same start time. A process in another pid namespace without a lock cannot be seen: it counts
 *   as alive (a live run is never marked interrupted).
 * Rows written before owners were recorded keep the old rule (the pid exists).
 */
export interface RunOwner {
  pid: number;
  boot?: string;
  start?: string;
  pidns?: string;
  lock?: string;
}

export const OWNERS_DIR = '.govsite-owners';

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

let bootCache: string | null | undefined;
/** This machine's boot id (Linux), undefined elsewhere. */
export function bootId(): string | undefined {
  if (bootCache === undefined) bootCache = readProc('/proc/sys/kernel/random/boot_id')?.trim() || null;
  return bootCache ?? undefined;
}

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), undefined when unreadable. */
export function procStartTime(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const v = fields[19];
  return v && /^\d+$/.test(v) ? v : undefined;
}

let nsCache: string | null | undefined;
function pidNamespace(): string | undefined {
  if (nsCache === undefined) {
    try {
      nsCache = fs.readlinkSync('/proc/self/ns/pid');
    } catch {
      nsCache = null;
    }
  }
  return nsCache ?? undefined;
}

let selfStart: string | null | undefined;
function ownStart(): string | undefined {
  if (selfStart === undefined) selfStart = procStartTime(process.pid) ?? null;
  return selfStart ?? undefined;
}

/** Does a process with this id exist (on this machine, in this pid namespace)? */
export function pidAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isFileDb(dbFile: string | undefined): dbFile is string {
  return !!dbFile && dbFile !== ':memory:' && !dbFile.startsWith('file:');
}

function ownersDir(dbFile: string): string {
  return path.join(path.dirname(path.resolve(dbFile)), OWNERS_DIR);
}

interface HeldLock {
  name: string;
  file: string;
  db: Database.Database;
}

/** Locks this process holds, by owners directory (null: the lock could not be taken there). */
const held = new Map<string, HeldLock | null>();
let exitHook = false;

function releaseAll(): void {
  for (const [dir, h] of held) {
    if (!h) continue;
    try {
      h.db.close();
    } catch {
      /* ending anyway */
    }
    try {
      fs.unlinkSync(h.file);
    } catch {
      /* already gone */
    }
    held.delete(dir);
  }
}

/** Takes (once per directory) this process's lock beside the database; undefined when it cannot. */
function holdLock(dbFile: string): string | undefined {
  const dir = ownersDir(dbFile);
  if (held.has(dir)) return held.get(dir)?.name;
  let h: HeldLock | null = null;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const name = `${process.pid}-${randomBytes(8).toString('hex')}.lock`;
    const file = path.join(dir, name);
    // Locked under a temporary name, then renamed (the lock stays with the file): a sweeper never sees the lock file
    // unlocked between its creation and the lock.
    const tmp = `${file}.tmp`;
    const db = new Database(tmp);
    try {
      db.exec('CREATE TABLE IF NOT EXISTS owner (pid INTEGER)');
      db.exec('BEGIN EXCLUSIVE');
      fs.renameSync(tmp, file);
      h = { name, file, db };
    } catch (e) {
      db.close();
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  } catch {
    h = null;
  }
  held.set(dir, h);
  if (h && !exitHook) {
    exitHook = true;
    process.once('exit', releaseAll);
  }
  return h?.name;
}

/** This process as the owner of rows in the database `dbFile` (takes its lock beside a database file). */
export function currentOwner(dbFile?: string): RunOwner {
  const o: RunOwner = { pid: process.pid };
  const boot = bootId();
  const start = ownStart();
  const ns = pidNamespace();
  if (boot) o.boot = boot;
  if (start) o.start = start;
  if (ns) o.pidns = ns;
  if (isFileDb(dbFile)) {
    const lock = holdLock(dbFile);
    if (lock) o.lock = lock;
  }
  return o;
}

/** Parses an owner column (JSON); null for old rows or anything unreadable. */
export function parseOwner(v: unknown): RunOwner | null {
  if (typeof v !== 'string' || !v) return null;
  try {
    const o = JSON.parse(v) as RunOwner;
    return o && typeof o === 'object' && Number.isInteger(o.pid) ? o : null;
  } catch {
    return null;
  }
}

/** Is this owner the current process (any thread of it)? */
export function isCurrentProcess(owner: RunOwner | null, legacyPid?: number | null): boolean {
  if (!owner) return legacyPid === process.pid;
  if (owner.pid !== process.pid) return false;
  const same = (a: string | undefined, b: string | undefined) => a === undefined || b === undefined || a === b;
  return same(owner.boot, bootId()) && same(owner.start, ownStart()) && same(owner.pidns, pidNamespace());
}

type LockState = 'held' | 'free' | 'missing' | 'unknown';

/** Tries the owner's lock without waiting; a free lock's file is removed (its process has ended). */
function lockState(dbFile: string, name: string): LockState {
  if (!/^[\w.-]+\.lock$/.test(name)) return 'unknown';
  const file = path.join(ownersDir(dbFile), name);
  if (!fs.existsSync(file)) return 'missing';
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 0, fileMustExist: true });
  } catch {
    return fs.existsSync(file) ? 'unknown' : 'missing';
  }
  let state: LockState;
  try {
    db.exec('BEGIN EXCLUSIVE');
    db.exec('ROLLBACK');
    state = 'free';
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    state = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') ? 'held' : 'unknown';
  } finally {
    db.close();
  }
  if (state === 'free') fs.rmSync(file, { force: true });
  return state;
}

/**
 * Is the owner of a `running` row still alive? `legacyPid` is the row's pid column (used alone for rows without an
 * owner); `dbFile` the database the row is in (its lock directory).
 */
export function ownerAlive(owner: RunOwner | null, legacyPid: number | null | undefined, dbFile?: string): boolean {
  if (!owner) return pidAlive(legacyPid);
  if (isCurrentProcess(owner)) return true;
  const boot = bootId();
  if (owner.boot && boot && owner.boot !== boot) return false; // the machine restarted since
  if (owner.lock && isFileDb(dbFile)) {
    const s = lockState(dbFile, owner.lock);
    if (s === 'held') return true;
    if (s === 'free' || s === 'missing') return false;
  }
  const ns = pidNamespace();
  if (owner.pidns && ns && owner.pidns !== ns) return true; // cannot see that process: never call a live run dead
  if (!pidAlive(owner.pid)) return false;
  if (owner.start) {
    const now = procStartTime(owner.pid);
    if (now !== undefined) return now === owner.start; // the pid was given to another process
  }
  return true;
}

/** Removes lock files of processes that have ended (at most `max` checked); the main thread only. */
export function sweepOwnerLocks(dbFile: string | undefined, max = 50): number {
  if (!isMainThread || !isFileDb(dbFile)) return 0;
  const dir = ownersDir(dbFile);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.lock'));
  } catch {
    return 0;
  }
  const mine = held.get(dir)?.name;
  let removed = 0;
  for (const n of names.slice(0, max)) {
    if (n === mine) continue;
    if (lockState(dbFile, n) === 'free') removed++;
  }
  return removed;
}
