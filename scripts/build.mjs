#!/usr/bin/env node
/**
 * npm run build (npm ci runs it as `prepare`): bundles the command line into dist/govsite.mjs with esbuild, so that
 * `govsite` starts without compiling TypeScript (bin/govsite.js runs the bundle when it was built from the sources as
 * they are now — checked by content — and the sources through tsx otherwise: a missing or stale bundle never breaks a
 * run, it only starts slower). Also builds the store writer thread's bundle (src/runtime/worker-entry.ts).
 *
 * The bundle is the sources as they are: every check (checks/*.ts) and gatherer (src/gather/*.ts) is imported
 * statically and registered for src/checks.ts / src/gather/_runner.ts, which would otherwise discover them by reading
 * their directories; `import.meta.url` keeps meaning the source file's own address (paths to rubrics, fixtures, the
 * writer thread's entry are computed from it). Packages stay external (resolved from node_modules as before).
 *
 * A failure prints a warning and exits 0: the command line then runs through tsx.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `--out DIR` builds elsewhere (tests); bin/govsite.js runs only ROOT/dist.
const outArg = process.argv.indexOf('--out');
const DIST = outArg > 0 && process.argv[outArg + 1] ? path.resolve(process.argv[outArg + 1]) : path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'govsite.mjs');
const MANIFEST = path.join(DIST, 'govsite.json');

/** The module files of a discovered directory (the rule of src/checks.ts and src/gather/_runner.ts). */
export function discovered(dir) {
  return fs
    .readdirSync(path.join(ROOT, dir))
    .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_') && !f.includes('.test.'))
    .sort();
}

/** Content hash of the bundle's inputs plus the lists of discovered modules (a new check file makes it stale). */
export function inputsHash(inputs) {
  const h = createHash('sha256');
  for (const f of inputs) h.update(f).update('\0').update(fs.readFileSync(path.join(ROOT, f))).update('\0');
  h.update(discovered('checks').join('\n')).update('\0').update(discovered('src/gather').join('\n'));
  return h.digest('hex').slice(0, 20);
}

async function build() {
  const esbuild = await import('esbuild');
  const checks = discovered('checks');
  const gatherers = discovered('src/gather');
  const id = (f) => f.replace(/\.ts$/, '');
  // The checks and gatherers are a chunk of their own, loaded when an audit first asks for them.
  const entry = [
    `import { runCli } from './src/cli/main.ts';`,
    `globalThis.__GOVSITE_BUNDLED__ = { load: () => import('govsite:registry') };`,
    `export { runCli };`,
    `export { warmWorkers } from './src/store/writer.ts';`,
  ].join('\n');
  const registry = [
    ...checks.map((f, i) => `import * as c${i} from './checks/${f}';`),
    ...gatherers.map((f, i) => `import * as g${i} from './src/gather/${f}';`),
    `export const checks = { ${checks.map((f, i) => `${JSON.stringify(id(f))}: c${i}`).join(', ')} };`,
    `export const gatherers = { ${gatherers.map((f, i) => `${JSON.stringify(id(f))}: g${i}`).join(', ')} };`,
  ].join('\n');
  const registryModule = {
    name: 'govsite-registry',
    setup(b) {
      b.onResolve({ filter: /^govsite:registry$/ }, () => ({ path: 'registry', namespace: 'govsite' }));
      b.onLoad({ filter: /.*/, namespace: 'govsite' }, () => ({ contents: registry, resolveDir: ROOT, loader: 'ts' }));
    },
  };
  /** import.meta.url of a source file, as an address relative to the bundle (the tree may move as a whole). */
  const metaUrl = {
    name: 'source-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.namespace !== 'file' || args.path.includes(`${path.sep}node_modules${path.sep}`) || !fs.existsSync(args.path)) return undefined;
        let text = await fs.promises.readFile(args.path, 'utf8');
        if (text.includes('import.meta.url')) {
          const rel = path.relative(DIST, args.path).split(path.sep).join('/');
          text = text.replace(/\bimport\.meta\.url\b/g, `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
  const res = await esbuild.build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'govsite-entry.ts', loader: 'ts' },
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Dynamically imported modules (other commands, report formats, the registry) stay separate chunks: a command
    // loads what it uses, as it does from the sources.
    splitting: true,
    outdir: DIST,
    entryNames: 'govsite',
    outExtension: { '.js': '.mjs' },
    // Chunks sit beside the entry: import.meta.url of a source file is rewritten relative to that directory.
    chunkNames: 'chunk-[hash]',
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [registryModule, metaUrl],
    banner: { js: '// Built by scripts/build.mjs from the TypeScript sources: do not edit (npm run build).' },
  });
  const inputs = Object.keys(res.metafile.inputs).filter((f) => f !== 'govsite-entry.ts' && !f.includes(':') && !f.includes('node_modules/')).sort();
  // Chunks first, the entry last (renamed into place): a run that starts meanwhile sees the old bundle or the new one.
  // Chunks are named by content; those of earlier builds go after a day (a long-running process — the monitor, the
  // dashboard — started before this build still loads its own chunks lazily).
  const keep = new Set(res.outputFiles.map((f) => path.basename(f.path)));
  const dayAgo = Date.now() - 86_400_000;
  for (const f of fs.existsSync(DIST) ? fs.readdirSync(DIST) : []) {
    if (!/^chunk-.*\.mjs$/.test(f) || keep.has(f)) continue;
    try {
      if (fs.statSync(path.join(DIST, f)).mtimeMs < dayAgo) fs.rmSync(path.join(DIST, f), { force: true });
    } catch {
      /* gone already */
    }
  }
  let bytes = 0;
  const files = [...res.outputFiles].sort((a, b) => Number(a.path === OUT) - Number(b.path === OUT));
  for (const f of files) {
    fs.mkdirSync(path.dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, f.contents);
    fs.renameSync(tmp, f.path);
    bytes += f.contents.byteLength;
  }
  const manifest = { inputs, hash: inputsHash(inputs), checks: checks.length, gatherers: gatherers.length };
  fs.writeFileSync(`${MANIFEST}.${process.pid}.tmp`, JSON.stringify(manifest));
  fs.renameSync(`${MANIFEST}.${process.pid}.tmp`, MANIFEST);
  // The writer thread's own bundle, from the bundle just built.
  const m = await import(pathToFileURL(OUT).href);
  m.warmWorkers();
  return { inputs: inputs.length, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const t0 = performance.now();
    const r = await build();
    process.stderr.write(`govsite: built dist/govsite.mjs (${r.inputs} source files, ${Math.round(r.bytes / 1024)} KB, ${Math.round(performance.now() - t0)} ms)\n`);
  } catch (e) {
    process.stderr.write(`govsite: build skipped (${e?.message ?? e}); the command line runs the TypeScript sources through tsx\n`);
  }
}
