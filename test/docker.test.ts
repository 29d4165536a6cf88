/**
 * No Docker engine here: the deployment files are checked against the repository instead — the same Node major as
 * package.json and README.md, Debian Chromium, README's install command, the compose commands accepted by the CLI,
 * one shared data volume, and the dashboard port as in README.md.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { SERVE_OPTIONS } from '../src/cli/serve-main.ts';
import { USAGE } from '../src/cli/usage.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

const dockerfile = read('docker/Dockerfile');
const compose = parse(read('docker/compose.yaml'), { merge: true }) as {
  services: Record<string, { command: string[]; ports?: string[]; volumes?: string[]; image?: string; build?: { context: string; dockerfile: string } }>;
  volumes: Record<string, unknown>;
};
const readme = read('README.md');
const dockerReadme = read('docker/README.md');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; bin: Record<string, string> };

/** Instructions of the Dockerfile with continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

describe('docker deployment files', () => {
  it('use the Node major of package.json and README.md (Debian bookworm slim)', () => {
    const froms = instructions.filter((l) => /^FROM\s/i.test(l)).map((l) => l.split(/\s+/)[1]);
    expect(froms.length).toBeGreaterThan(0);
    const majors = new Set(froms.map((f) => /^node:(\d+)-bookworm-slim$/.exec(f)?.[1]));
    expect([...majors]).toEqual(['20']);
    const min = /^>=\s*(\d+)/.exec(pkg.engines.node)?.[1];
    const below = /<\s*(\d+)/.exec(pkg.engines.node)?.[1];
    expect(Number(min)).toBeLessThanOrEqual(20);
    expect(Number(below)).toBeGreaterThan(20);
    expect(readme).toMatch(/Node 20\b/);
  });

  it('installs Debian Chromium with apt-get and dependencies with README’s npm ci', () => {
    const runs = instructions.filter((l) => /^RUN\s/i.test(l)).join('\n');
    expect(runs).toMatch(/apt-get install[^\n]*\bchromium\b/);
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(readme).toMatch(/\bnpm ci\b/);
    expect(dockerfile).toMatch(/GOVSITE_CHROMIUM=\/usr\/bin\/chromium/);
    const entry = instructions.find((l) => /^ENTRYPOINT\s/i.test(l))!;
    expect(entry).toContain('bin/govsite.js');
    expect(pkg.bin.govsite).toBe('bin/govsite.js');
    // The writer thread's bundle is built into the image (the app directory is read-only for the node user).
    const bundle = instructions.find((l) => /^RUN\s.*bundleWorker\('\/app\/(src\/store\/writer-worker\.ts)'\)/.test(l));
    expect(bundle, 'RUN … bundleWorker(…)').toBeTruthy();
    expect(fs.existsSync(path.join(ROOT, /\/app\/(src\/[^']+)'/.exec(bundle!)![1]))).toBe(true);
    expect(instructions.indexOf(bundle!)).toBeLessThan(instructions.findIndex((l) => /^USER\s/i.test(l)));
    // Every directory the image copies exists.
    for (const l of instructions.filter((x) => /^COPY\s/i.test(x) && !/--from=/.test(x))) {
      const parts = l.split(/\s+/).slice(1, -1);
      for (const p of parts) expect(fs.existsSync(path.join(ROOT, p)), p).toBe(true);
    }
  });

  it('compose runs the monitor and the dashboard on one data volume with the mounted sites file', () => {
    const { monitor, dashboard } = compose.services;
    expect(monitor.command.join(' ')).toBe('monitor --config /config/sites.yaml --db /data/govsite.db');
    expect(dashboard.command.join(' ')).toBe('serve --host 0.0.0.0 --port 8080 --db /data/govsite.db --config /config/sites.yaml');
    for (const s of [monitor, dashboard]) {
      expect(s.volumes).toContain('govsite-data:/data');
      expect(s.volumes!.some((v) => /:\/config$/.test(v))).toBe(true);
      expect(s.image).toBe('govsite:latest');
    }
    expect(Object.keys(compose.volumes)).toEqual(['govsite-data', 'govsite-pg']); // govsite-pg: the distributed profile's PostgreSQL
    expect(monitor.build).toMatchObject({ context: '..', dockerfile: 'docker/Dockerfile' });
  });

  it('the commands are ones the CLI accepts', () => {
    const serveArgs = compose.services.dashboard.command.slice(1);
    expect(() => parseArgs({ args: serveArgs, options: SERVE_OPTIONS, allowPositionals: false, strict: true })).not.toThrow();
    const cmd = instructions.find((l) => /^CMD\s/i.test(l))!;
    const cmdArgs = JSON.parse(cmd.replace(/^CMD\s+/i, '')) as string[];
    expect(cmdArgs[0]).toBe('serve');
    expect(() => parseArgs({ args: cmdArgs.slice(1), options: SERVE_OPTIONS, allowPositionals: false, strict: true })).not.toThrow();
    expect(USAGE).toMatch(/govsite monitor --config/);
    expect(USAGE).toMatch(/govsite serve/);
  });

  it('publishes the dashboard port README.md names', () => {
    const d = compose.services.dashboard;
    const port = d.command[d.command.indexOf('--port') + 1];
    expect(port).toBe('8080');
    expect(d.ports!.some((p) => p.endsWith(`:${port}`))).toBe(true);
    expect(instructions.find((l) => /^EXPOSE\s/i.test(l))).toBe(`EXPOSE ${port}`);
    expect(readme).toMatch(new RegExp(`govsite serve[^\\n]*--port ${port}\\b`));
    expect(dockerReadme).toContain(`http://127.0.0.1:${port}/`);
    expect(dockerReadme).toContain('docker compose -f docker/compose.yaml up');
    expect(dockerReadme).toContain(compose.services.monitor.command.join(' '));
    expect(dockerReadme).toContain(d.command.join(' '));
  });
});
