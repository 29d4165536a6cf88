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
    expect(fs.existsSync(first)).toBe(false); // the stale bundle is removed
    expect(((await import(pathToFileURL(second).href)) as { doubled: number }).doubled).toBe(42);
  });

  it('throws on a source that does not compile (the caller falls back to tsx)', () => {
    fs.writeFileSync(path.join(dir, 'bad.ts'), 'export const = ;\n');
    expect(() => bundleWorker(path.join(dir, 'bad.ts'), path.join(dir, 'cache2'))).toThrow();
    const fallback = new URL('file:///fallback.mjs');
    expect(workerEntry(pathToFileURL(path.join(dir, 'bad.ts')) as URL, fallback)).toBe(fallback);
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
