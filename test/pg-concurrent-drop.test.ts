/**
 * Opening the shared store (migrations) while another schema of the database is being dropped: Kysely's migrator
 * scans every schema for its table, and a schema dropped during that scan failed the open with "schema … does not
 * exist" (seen as a flaky CI test when another test file dropped its schema). The open looks again.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PgRepo } from '../src/repo/postgres.ts';
import { freshSchema, havePg, PG_URL, uniqueName } from './helpers/backends.ts';

const ok = await havePg();

describe.skipIf(!ok)('PgRepo.open while other schemas come and go', () => {
  it('every open succeeds', async () => {
    let stop = false;
    const churn = (async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        while (!stop) {
          const names = Array.from({ length: 10 }, () => uniqueName('churn'));
          for (const n of names) await c.query(`CREATE SCHEMA ${n}; CREATE TABLE ${n}.t (a int, b text, c int)`);
          await c.query(names.map((n) => `DROP SCHEMA ${n} CASCADE`).join(';'));
        }
      } finally {
        await c.end();
      }
    })();
    const failures: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const s = await freshSchema();
        try {
          const repo = await PgRepo.open(PG_URL, { schema: s.schema, max: 2 });
          await repo.close();
        } catch (e) {
          failures.push((e as Error).message);
        } finally {
          await s.drop();
        }
      }
    } finally {
      stop = true;
      await churn;
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
