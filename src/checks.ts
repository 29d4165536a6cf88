import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AuditContext, Check, Finding } from './model.ts';

/**
 * The check registry: every `checks/<id>.ts` file whose default export is a Check. Adding a check is adding a file.
 * A check's id must equal its file name; a check that throws is reported as a failure of that check, never a crash.
 */

export const CHECKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'checks');

let loaded: Promise<Check[]> | null = null;

function isCheck(x: unknown): x is Check {
  const c = x as Check;
  return !!c && typeof c.id === 'string' && typeof c.title === 'string' && typeof c.run === 'function';
}

export function loadChecks(dir = CHECKS_DIR): Promise<Check[]> {
  if (dir === CHECKS_DIR && loaded) return loaded;
  const p = (async () => {
    const files = fs.readdirSync(dir).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_')).sort();
    const out: Check[] = [];
    for (const f of files) {
      const mod = await import(pathToFileURL(path.join(dir, f)).href);
      const c = mod.default;
      if (!isCheck(c)) throw new Error(`checks/${f}: the default export is not a check (id, title, run)`);
      const id = f.replace(/\.(ts|js|mjs)$/, '');
      if (c.id !== id) throw new Error(`checks/${f}: check id "${c.id}" must equal the file name "${id}"`);
      out.push(c);
    }
    return out;
  })();
  if (dir === CHECKS_DIR) loaded = p;
  return p;
}

export interface CheckRunResult {
  findings: Finding[];
  /** Milliseconds each check took. */
  timings: Record<string, number>;
  /** Checks that threw: id → message. They produce no findings (never a guess). */
  errors: Record<string, string>;
}

/** Runs checks over a context; optionally only some ids. */
export function runChecks(checks: Check[], ctx: AuditContext, only?: Set<string>): CheckRunResult {
  const findings: Finding[] = [];
  const errors: Record<string, string> = {};
  const timings: Record<string, number> = {};
  for (const c of checks) {
    if (only && !only.has(c.id)) continue;
    const t0 = performance.now();
    try {
      for (const f of c.run(ctx)) findings.push({ ...f, check: c.id });
    } catch (e) {
      errors[c.id] = (e as Error).stack ?? String(e);
    }
    timings[c.id] = Math.round(performance.now() - t0);
  }
  return { findings, errors, timings };
}
