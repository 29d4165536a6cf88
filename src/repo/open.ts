/**
 * Which store a command uses: `--db` when given, else `GOVSITE_DB`, else `./data/govsite.db` (SQLite).
 *   ./data/govsite.db, sqlite:./data/govsite.db   → SQLite (the one-machine default)
 *   postgres://user@host:5432/govsite             → PostgreSQL (many workers; `?schema=name` picks a schema)
 */
import path from 'node:path';
import type { Repo } from './types.ts';

export const DEFAULT_DB_FILE = path.join('data', 'govsite.db');

export type DbSpec = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string };

export function isPostgresUrl(s: string | undefined): boolean {
  return !!s && /^postgres(?:ql)?:\/\//i.test(s.trim());
}

/** Parses a `--db` / `GOVSITE_DB` value. */
export function parseDbSpec(v: string | undefined, env: NodeJS.ProcessEnv = process.env): DbSpec {
  const s = (v ?? env.GOVSITE_DB ?? '').trim();
  if (!s) return { kind: 'sqlite', file: DEFAULT_DB_FILE };
  if (isPostgresUrl(s)) {
    let schema: string | undefined;
    let url = s;
    try {
      const u = new URL(s);
      schema = u.searchParams.get('schema') ?? undefined;
      if (schema) {
        u.searchParams.delete('schema');
        url = u.href;
      }
    } catch {
      throw new Error(`数据库地址无效：${s.replace(/\/\/[^@/]*@/, '//…@')}`);
    }
    return { kind: 'postgres', url, ...(schema ? { schema } : {}) };
  }
  const file = s.startsWith('sqlite:') ? s.slice('sqlite:'.length) : s;
  if (!file) throw new Error('数据库文件名为空（sqlite:路径）');
  return { kind: 'sqlite', file };
}

/** Opens the repository a spec names (PostgreSQL: connects and migrates). */
export async function openRepo(spec: DbSpec, o: { max?: number } = {}): Promise<Repo> {
  if (spec.kind === 'postgres') {
    const { PgRepo } = await import('./postgres.ts');
    return PgRepo.open(spec.url, { ...(spec.schema ? { schema: spec.schema } : {}), ...(o.max ? { max: o.max } : {}) });
  }
  const { SqliteRepo } = await import('./sqlite.ts');
  return SqliteRepo.open(spec.file);
}
