import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The command line's bundle (scripts/build.mjs, `npm run build`, run by npm ci as `prepare`): built into a temporary
 * directory here, it runs commands with the checks and gatherers compiled in, finds files relative to the sources
 * (rubrics), and its manifest says which sources it was built from (bin/govsite.js compares them before using it).
 */
const ROOT = path.resolve(import.meta.dirname, '..');
let dir: string;

beforeAll(() => {
  // Inside the tree (test-artifacts/ is ignored by git): the bundle resolves its packages from node_modules.
  fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
  dir = fs.mkdtempSync(path.join(ROOT, 'test-artifacts', 'build-'));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--out', dir], { encoding: 'utf8' });
  expect(r.stderr).toMatch(/built dist\/govsite\.mjs/);
}, 60_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (code: string) =>
  spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOVSITE_LOG: 'silent' } });

describe('the command line bundle', () => {
  it('records its sources, and their hash matches the tree it was built from', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'govsite.json'), 'utf8'));
    expect(manifest.inputs).toContain('src/cli/main.ts');
    expect(manifest.inputs).toContain('checks/broken-link.ts');
    const { inputsHash } = await import(pathToFileURL(path.join(ROOT, 'scripts', 'build.mjs')).href);
    expect(inputsHash(manifest.inputs)).toBe(manifest.hash);
  });

  it('carries every check and gatherer, and runs a command that reads files beside the sources', () => {
    const bundle = pathToFileURL(path.join(dir, 'govsite.mjs')).href;
    const r = run(`const m = await import(${JSON.stringify(bundle)});
      const reg = await globalThis.__GOVSITE_BUNDLED__.load();
      console.log(JSON.stringify({ checks: Object.keys(reg.checks).sort(), gatherers: Object.keys(reg.gatherers).sort() }));
      await m.runCli(['rubric', 'list']);`);
    expect(r.status, r.stderr).toBe(0);
    const [first, ...rest] = r.stdout.trim().split('\n');
    const reg = JSON.parse(first);
    const ids = (d: string) => fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.replace(/\.ts$/, '')).sort();
    expect(reg.checks).toEqual(ids('checks'));
    expect(reg.gatherers).toEqual(ids('src/gather'));
    expect(rest.join('\n')).toMatch(/^hunan-2021-city\t/m);
  });
});
