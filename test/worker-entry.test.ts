import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleWorker, workerEntry } from '../src/runtime/worker-entry.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-worker-entry-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('worker entry (TypeScript workers bundled once, cached by content)', () => {
  it('bundles a TS entry with its imports, reuses the bundle, and rebuilds when a source changes', async () => {
    const src = path.join(dir, 'src');
    const cache = path.join(dir, 'cache');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'b.ts'), 'export const value: number = 1;\n');
    fs.writeFileSync(path.join(src, 'a.ts'), "import { value } from './b.ts';\nexport const doubled: number = value * 2;\n");
    const first = bundleWorker(path.join(src, 'a.ts'), cache);
    expect(fs.existsSync(first)).toBe(true);
    expect(((await import(pathToFileURL(first).href)) as { doubled: number }).doubled).toBe(2);
    const stat = fs.statSync(first);
    expect(bundleWorker(path.join(src, 'a.ts'), cache)).toBe(first);
    expect(fs.statSync(first).mtimeMs).toBe(stat.mtimeMs); // not rebuilt

    fs.writeFileSync(path.join(src, 'b.ts'), 'export const value: number = 21;\n');
    const second = bundleWorker(path.join(src, 'a.ts'), cache);
    expect(second).not.toBe(first);
    // The earlier bundle stays for a day (a process started before the change still uses it), then goes.
    expect(fs.existsSync(first)).toBe(true);
    expect(((await import(pathToFileURL(second).href)) as { doubled: number }).doubled).toBe(42);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    fs.utimesSync(first, twoDaysAgo, twoDaysAgo);
    fs.writeFileSync(path.join(src, 'b.ts'), 'export const value: number = 5;\n');
    const third = bundleWorker(path.join(src, 'a.ts'), cache);
    expect(fs.existsSync(first)).toBe(false);
    expect(fs.existsSync(second)).toBe(true);
    expect(((await import(pathToFileURL(third).href)) as { doubled: number }).doubled).toBe(10);
  });

  it('throws on a source that does not compile (the caller falls back to tsx)', () => {
    fs.writeFileSync(path.join(dir, 'bad.ts'), 'export const = ;\n');
    expect(() => bundleWorker(path.join(dir, 'bad.ts'), path.join(dir, 'cache2'))).toThrow();
    const fallback = new URL('file:///fallback.mjs');
    expect(workerEntry(pathToFileURL(path.join(dir, 'bad.ts')) as URL, fallback)).toBe(fallback);
  });

  it('builds the bundle again when the file it handed out is gone', () => {
    const entry = path.join(dir, `gone-${process.pid}.ts`);
    fs.writeFileSync(entry, 'export const x: number = 1;\n');
    const fallback = new URL('file:///fallback.mjs');
    const first = workerEntry(pathToFileURL(entry) as URL, fallback);
    expect(first).not.toBe(fallback);
    fs.rmSync(first);
    const again = workerEntry(pathToFileURL(entry) as URL, fallback);
    expect(again).not.toBe(fallback);
    expect(fs.existsSync(again)).toBe(true);
    const cacheDir = path.dirname(again.pathname);
    for (const f of fs.readdirSync(cacheDir)) if (f.startsWith(`gone-${process.pid}`)) fs.rmSync(path.join(cacheDir, f));
  });

  it('GOVSITE_WORKER_BUNDLE=0 always uses the fallback', () => {
    const fallback = new URL('file:///fallback.mjs');
    process.env.GOVSITE_WORKER_BUNDLE = '0';
    try {
      expect(workerEntry(new URL('../src/store/writer-worker.ts', import.meta.url), fallback)).toBe(fallback);
    } finally {
      delete process.env.GOVSITE_WORKER_BUNDLE;
    }
  });

  it('the store writer thread starts from its bundle and opens the database', async () => {
    const entry = workerEntry(new URL('../src/store/writer-worker.ts', import.meta.url), new URL('file:///fallback.mjs'));
    expect(entry.pathname).toMatch(/node_modules\/\.cache\/govsite\/writer-worker-[0-9a-f]{16}\.mjs$/);
    const w = new Worker(entry, { workerData: { file: path.join(dir, 'w.db') } });
    try {
      const first = await new Promise<unknown>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      });
      expect(first).toEqual({ t: 'ready' });
    } finally {
      await w.terminate();
    }
    expect(fs.existsSync(path.join(dir, 'w.db'))).toBe(true);
  });
});
