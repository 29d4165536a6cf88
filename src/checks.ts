import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AuditContext, Check, CheckOutput, CheckScope, Finding } from './model.ts';
import { nothingToAnalyse } from './analyze/emptiness.ts';

/**
 * The check registry: every `checks/<id>.ts` file whose default export is a Check. Adding a check is adding a file.
 * A check's id must equal its file name; a check that throws is reported as a failure of that check, never a crash.
 */

export const CHECKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'checks');

let loaded: Promise<Check[]> | null = null;

/** Modules compiled into the command line's bundle (scripts/build.mjs), by kind and id; undefined when running from sources. */
export async function bundledModules(kind: 'checks' | 'gatherers'): Promise<Record<string, { default?: unknown }> | undefined> {
  const b = (globalThis as { __GOVSITE_BUNDLED__?: { load(): Promise<Record<string, Record<string, { default?: unknown }>>> } }).__GOVSITE_BUNDLED__;
  return b ? (await b.load())[kind] : undefined;
}

function isCheck(x: unknown): x is Check {
  const c = x as Check;
  return !!c && typeof c.id === 'string' && typeof c.title === 'string' && typeof c.run === 'function';
}

export function loadChecks(dir = CHECKS_DIR): Promise<Check[]> {
  if (dir === CHECKS_DIR && loaded) return loaded;
  // In the command line's bundle (scripts/build.mjs) the checks are compiled in, by file name.
  const p = (async () => {
    const bundled = dir === CHECKS_DIR ? await bundledModules('checks') : undefined;
    const files = bundled ? Object.keys(bundled).map((id) => `${id}.ts`).sort() : fs.readdirSync(dir).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_')).sort();
    const out: Check[] = [];
    for (const f of files) {
      const mod = bundled ? bundled[f.replace(/\.ts$/, '')] : await import(pathToFileURL(path.join(dir, f)).href);
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
  /** What each check examined (a check returning a plain array: `checked`; a check that threw: `unverified`). */
  scopes: Record<string, CheckScope>;
}

/** A check's return value as findings + scope. */
export function normalizeCheckOutput(out: Finding[] | CheckOutput): { findings: Finding[]; scope: CheckScope } {
  if (Array.isArray(out)) return { findings: out, scope: { status: 'checked' } };
  const findings = Array.isArray(out?.findings) ? out.findings : [];
  const s = out?.scope;
  const status = s && (s.status === 'checked' || s.status === 'unverified' || s.status === 'not-run') ? s.status : 'checked';
  return { findings, scope: { ...(s ?? {}), status } };
}

/** Runs checks over a context; optionally only some ids. */
export function runChecks(checks: Check[], ctx: AuditContext, only?: Set<string>): CheckRunResult {
  const findings: Finding[] = [];
  const errors: Record<string, string> = {};
  const timings: Record<string, number> = {};
  const scopes: Record<string, CheckScope> = {};
  // No page with anything to analyse (an empty homepage, HTML served as image/png): page checks examined nothing.
  const nothing = nothingToAnalyse(ctx);
  for (const c of checks) {
    if (only && !only.has(c.id)) continue;
    const t0 = performance.now();
    try {
      const raw = c.run(ctx);
      const out = normalizeCheckOutput(raw);
      // A check that says nothing of its scope examined the run's pages.
      if (Array.isArray(raw) && !out.scope.summary) {
        if (nothing && out.findings.length === 0) out.scope = { status: 'not-run', reason: nothing };
        else out.scope.summary = `已检测 ${ctx.pages?.length ?? 0} 个页面`;
      }
      for (const f of out.findings) {
        const evidence = f.evidence ?? {};
        const stamped = c.confirm === 'required' && evidence.confirm === undefined ? { ...evidence, confirm: 'required' as const } : evidence;
        findings.push({ ...f, evidence: stamped, check: c.id });
      }
      scopes[c.id] = out.scope;
    } catch (e) {
      errors[c.id] = (e as Error).stack ?? String(e);
      scopes[c.id] = { status: 'unverified', reason: '检查程序运行出错，未产生结论' };
    }
    timings[c.id] = Math.round(performance.now() - t0);
  }
  return { findings, errors, timings, scopes };
}

/** The findings of one check over a context, whatever form it returns (tests, tools). Stamping as in runChecks. */
export function findingsOf(c: Check, ctx: AuditContext): Finding[] {
  return runChecks([c], ctx).findings;
}

/**
 * The scope of a check whose only findings may be `unverified` ones: when every finding is unverified the check could
 * not decide (status unverified, the findings' messages as the reason); otherwise it examined what it needed.
 */
export function scopeFromFindings(findings: Finding[], summary: string): CheckOutput {
  const doubtful = findings.filter((f) => f.evidence?.unverified === true);
  if (findings.length > 0 && doubtful.length === findings.length)
    return { findings, scope: { status: 'unverified', reason: doubtful.map((f) => f.message.replace(/。$/, '')).join('；') } };
  return { findings, scope: { status: 'checked', summary } };
}
