/**
 * PostgreSQL and Redis for tests, on loopback. Each test gets its own PostgreSQL schema (dropped afterwards) and its
 * own Redis key prefix (deleted afterwards): no leftovers, and tests can run side by side.
 * When a service is missing the tests using it are skipped with a message — except under `GOVSITE_REQUIRE_SERVICES=1`
 * (.ci/run), where they fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const PG_URL = process.env.GOVSITE_TEST_PG ?? 'postgres://root@127.0.0.1:5432/test';
export const REDIS_URL = process.env.GOVSITE_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const REQUIRE = process.env.GOVSITE_REQUIRE_SERVICES === '1';

async function probePg(): Promise<string | null> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function probeRedis(): Promise<string | null> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    r.disconnect();
  }
}

let pgState: Promise<string | null> | undefined;
let redisState: Promise<string | null> | undefined;

/** True when PostgreSQL answers; else false (skip) — or throws when services are required. */
export async function havePg(): Promise<boolean> {
  const err = await (pgState ??= probePg());
  if (err && REQUIRE) throw new Error(`PostgreSQL is required (GOVSITE_REQUIRE_SERVICES=1) but not reachable at ${PG_URL}: ${err}`);
  if (err) console.warn(`PostgreSQL not reachable at ${PG_URL} (${err}): its tests are skipped`);
  return !err;
}

export async function haveRedis(): Promise<boolean> {
  const err = await (redisState ??= probeRedis());
  if (err && REQUIRE) throw new Error(`Redis is required (GOVSITE_REQUIRE_SERVICES=1) but not reachable at ${REDIS_URL}: ${err}`);
  if (err) console.warn(`Redis not reachable at ${REDIS_URL} (${err}): its tests are skipped`);
  return !err;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A fresh schema; returns its name and a function dropping it. */
export async function freshSchema(): Promise<{ schema: string; url: string; drop: () => Promise<void> }> {
  const schema = uniqueName('t');
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  return {
    schema,
    url: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`,
    drop: async () => {
      const d = new pg.Client({ connectionString: PG_URL });
      await d.connect();
      await d.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await d.end();
    },
  };
}

/** Deletes every Redis key under a prefix. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export function tempDir(prefix = 'govsite-test-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
