#!/usr/bin/env node
// govsite command-line entry. Runs dist/govsite.mjs — the bundle `npm run build` writes (`npm ci` runs it as
// `prepare`) — when it was built from the sources as they are now (compared by content), else the TypeScript sources
// through tsx: a missing or stale bundle only makes the start slower. GOVSITE_BUNDLE=0 always runs the sources.
let runCli;
if (process.env.GOVSITE_BUNDLE !== '0') {
  try {
    const fs = await import('node:fs');
    const manifest = JSON.parse(fs.readFileSync(new URL('../dist/govsite.json', import.meta.url), 'utf8'));
    const { inputsHash } = await import('../scripts/build.mjs');
    if (Array.isArray(manifest.inputs) && inputsHash(manifest.inputs) === manifest.hash) ({ runCli } = await import('../dist/govsite.mjs'));
  } catch {
    runCli = undefined; // no bundle, or built from other sources
  }
}
if (!runCli) {
  delete globalThis.__GOVSITE_BUNDLED__;
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli/main.ts'));
}
await runCli(process.argv.slice(2));
