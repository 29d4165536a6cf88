import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../store/atomic.ts';

/**
 * The script a worker thread starts from, for a worker written in TypeScript.
 *
 * govsite runs its TypeScript sources through tsx (no build step). On Node 20 a worker thread does not inherit the
 * loader hooks of the thread that starts it, so a worker has to register tsx again and then resolve and load every
 * module through tsx's hooks thread: the store writer took ~230 ms to start on an idle machine and ~400 ms during a
 * crawl — a sixth of a 3,000-page crawl, spent while the crawler had to process every page itself.
 *
 * Instead, the worker's own modules are bundled by esbuild (tsx's compiler) into one plain ES module, cached in
 * `node_modules/.cache/govsite/` beside the packages it imports (so that bare imports resolve as before). The cache
 * is keyed by the contents of every source file in the bundle: editing any of them rebuilds it on the next start.
 * Whatever goes wrong (no esbuild, read-only directory, build error) falls back to `fallback`, the tsx bootstrap.
 * GOVSITE_WORKER_BUNDLE=0 always uses the fallback.
 */
export function workerEntry(tsEntry: URL, fallback: URL): URL {
  if (process.env.GOVSITE_WORKER_BUNDLE === '0') return fallback;
  const entry = fileURLToPath(tsEntry);
  try {
    let file = built.get(entry);
    if (!file || !fs.existsSync(file)) {
      file = bundleWorker(entry);
      built.set(entry, file);
    }
    return pathToFileURL(file) as URL;
  } catch {
    return fallback;
  }
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'govsite');
/** Bundles built by this process, by entry file. */
const built = new Map<string, string>();

interface Manifest {
  /** Source files of the bundle, relative to the project root. */
  inputs: string[];
  hash: string;
}

function contentHash(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(f).update('\0');
    h.update(fs.readFileSync(path.join(ROOT, f))).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * The path of an up-to-date bundle of `entry` (a TypeScript file of this project) in `cacheDir`, building it when a
 * source file changed. Throws when it cannot build or write.
 */
export function bundleWorker(entry: string, cacheDir = CACHE_DIR): string {
  const name = path.basename(entry).replace(/\.[cm]?ts$/, '');
  const manifestFile = path.join(cacheDir, `${name}.json`);
  // A cached bundle whose sources are unchanged.
  try {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
    const file = path.join(cacheDir, `${name}-${m.hash}.mjs`);
    if (Array.isArray(m.inputs) && m.inputs.length > 0 && contentHash(m.inputs) === m.hash && fs.existsSync(file)) return file;
  } catch {
    /* no manifest, or a source file gone: build */
  }
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const out = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    metafile: true,
    outfile: path.join(cacheDir, `${name}.mjs`),
    logLevel: 'silent',
  });
  const inputs = Object.keys(out.metafile!.inputs).sort();
  const hash = contentHash(inputs);
  const file = path.join(cacheDir, `${name}-${hash}.mjs`);
  // Atomic writes: two processes building at once each leave a whole file.
  writeFileAtomic(file, Buffer.from(out.outputFiles![0].contents));
  writeFileAtomic(manifestFile, JSON.stringify({ inputs, hash } satisfies Manifest));
  // Bundles of earlier sources go after a day: a long-running process (the monitor) started before a code update
  // keeps starting its writer threads from the bundle of its own sources.
  const dayAgo = Date.now() - 86_400_000;
  for (const f of fs.readdirSync(cacheDir)) {
    const other = path.join(cacheDir, f);
    if (!f.startsWith(`${name}-`) || !f.endsWith('.mjs') || other === file) continue;
    try {
      if (fs.statSync(other).mtimeMs < dayAgo) fs.rmSync(other, { force: true });
    } catch {
      /* gone already */
    }
  }
  return file;
}
