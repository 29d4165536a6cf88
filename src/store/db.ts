import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

/**
 * Opens (creating when needed) the govsite SQLite database in WAL mode.
 * Throws an Error with a one-line reason when the file cannot be created or opened.
 */
export function openDatabase(file: string, opts: { readonly?: boolean } = {}): Db {
  if (file !== ':memory:') {
    const dir = path.dirname(path.resolve(file));
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new Error(`cannot create data directory ${dir}: ${(e as Error).message}`);
    }
  }
  let db: Db;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false });
  } catch (e) {
    throw new Error(`cannot open database ${file}: ${(e as Error).message}`);
  }
  if (!opts.readonly) {
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
    } catch (e) {
      db.close();
      throw new Error(`cannot write database ${file}: ${(e as Error).message}`);
    }
  }
  return db;
}
