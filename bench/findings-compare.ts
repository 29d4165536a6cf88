/**
 * Findings before and after a change of the pipeline (issue 16): audits every fixture site (fixtures/sites/*, the demo
 * with its companion platform) and every page of ../shared/real-pages/ with the CLI of a source tree, and writes the
 * JSON findings, scopes, gatherer statuses and score totals, normalised (server ports, times, screenshot paths), one
 * file per site. A second call compares two such directories and prints every difference.
 *
 *   node --import tsx bench/findings-compare.ts save <dir> [--root <tree>] [--no-browser] [--only demo,policy]
 *   node --import tsx bench/findings-compare.ts compare <dirA> <dirB>
 *
 * `--root` is the tree whose `bin/govsite.js` audits (default: this one), e.g. an exported copy of main
 * (`git archive main | tar -x -C /tmp/before`, with node_modules and ../shared linked beside it). The fixture servers
 * are always this tree's. It reports; it asserts nothing (exit 1 when compare finds a difference).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFixtureServer, demoSiteDir, DEMO_SKIP_HOSTS, type FixtureServer } from '../src/demo/server.ts';

const HERE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const REAL = path.resolve(HERE, '..', 'shared', 'real-pages');

interface Site {
  id: string;
  /** Fixture directory to serve (its companions start with it). */
  dir: string;
  args: string[];
  extra?: Record<string, string>;
}

const REAL_PAGES: { file: string; name: string; extra?: Record<string, string> }[] = [
  { file: 'shanxi.gov.cn-article.html', name: '山西省人民政府' },
  { file: 'fgw.zj.gov.cn-article.html', name: '浙江省发展和改革委员会' },
  { file: 'www.gov.cn-gazette.html', name: '中华人民共和国中央人民政府' },
  { file: 'cmse.gov.cn-page.html', name: '中国载人航天工程' },
  { file: 'xiangtan/article-utf16-declared-gb2312.html', name: '湘潭市人民政府', extra: { 'static/js/foot.js': 'xiangtan/foot.js' } },
  { file: 'hunan-hospital-not-gov.html', name: '湖南中医药大学第一附属医院' },
];

function sites(): Site[] {
  const skip = DEMO_SKIP_HOSTS.flatMap((h) => ['--skip-host', h]);
  const out: Site[] = [
    { id: 'demo', dir: demoSiteDir('demo'), args: ['--name', '青山市人民政府', ...skip, '--linkage', path.join(demoSiteDir('demo'), '_linkage', '2021Q2.yaml')] },
    { id: 'demo-dept', dir: demoSiteDir('demo-dept'), args: ['--name', '湖南省示例厅', '--rubric', 'hunan-2021-provincial', ...skip, '--linkage', path.join(demoSiteDir('demo-dept'), '_linkage', '2021Q2.yaml')] },
    { id: 'demo-platform', dir: path.join(HERE, 'fixtures', 'sites', 'demo-platform'), args: ['--name', '湖南政务服务网', ...skip] },
    { id: 'policy', dir: path.join(HERE, 'fixtures', 'sites', 'policy'), args: ['--name', '绿水市人民政府', ...skip, '--linkage', path.join(HERE, 'fixtures', 'policy', 'linkage-2021Q2.xlsx')] },
  ];
  for (const s of out) s.args = s.args.filter((a, i, all) => !(a === '--linkage' && !fs.existsSync(all[i + 1])) && !(all[i - 1] === '--linkage' && !fs.existsSync(a)));
  if (fs.existsSync(REAL)) {
    for (const p of REAL_PAGES) {
      out.push({
        id: 'real-' + p.file.replace(/[/.]/g, '_'),
        dir: p.file,
        // The pages link to the real internet: nothing outside loopback is queried.
        args: ['--name', p.name, '--max-pages', '1', '--timeout', '3', ...['cn', 'com', 'net', 'org', 'gov', 'io'].flatMap((h) => ['--skip-host', h])],
        extra: p.extra,
      });
    }
  }
  return out;
}

/** Serves a real page as a one-page site (as test/real-pages-audit.test.ts does). */
async function serveReal(site: Site, tmp: string): Promise<FixtureServer> {
  const dir = fs.mkdtempSync(path.join(tmp, 'real-'));
  fs.copyFileSync(path.join(REAL, site.dir), path.join(dir, 'index.html'));
  for (const [to, from] of Object.entries(site.extra ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
    fs.copyFileSync(path.join(REAL, from), path.join(dir, to));
  }
  const routes = Object.fromEntries(Object.keys(site.extra ?? {}).map((to) => ['/' + to, { status: 200, headers: { 'content-type': 'application/javascript' }, file: to }]));
  return startFixtureServer(dir, { routes });
}

function runCli(root: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(root, 'bin', 'govsite.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOVSITE_LOG: 'warn' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.once('exit', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - t0 }));
  });
}

const VOLATILE = new Set(['at', 'checkedAt', 'fetchedAt', 'ms', 'startedAt', 'finishedAt', 'screenshot', 'homepageScreenshot', 'elapsedMs', 'timings', 'headersMs', 'totalMs']);

/** Ports of the servers → names; times and screenshot paths dropped; keys sorted. */
function normalise(x: unknown, ports: Map<string, string>): unknown {
  if (typeof x === 'string') {
    let s = x;
    for (const [port, name] of ports) s = s.split(`:${port}`).join(`:<${name}>`);
    return s.replace(/run-\d+-/g, 'run-N-');
  }
  if (Array.isArray(x)) return x.map((v) => normalise(v, ports));
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x).sort()) {
      if (VOLATILE.has(k)) continue;
      out[k] = normalise((x as Record<string, unknown>)[k], ports);
    }
    return out;
  }
  return x;
}

async function save(dir: string, root: string, browser: boolean, only: Set<string> | null) {
  fs.mkdirSync(dir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-compare-'));
  try {
    for (const site of sites()) {
      if (only && !only.has(site.id)) continue;
      const server = site.id.startsWith('real-') ? await serveReal(site, tmp) : await startFixtureServer(site.dir);
      try {
        const ports = new Map<string, string>([[String(server.port), 'SITE']]);
        for (const [name, c] of Object.entries(server.companions)) ports.set(String(c.port), name);
        const db = path.join(tmp, `${site.id}.db`);
        const r = await runCli(root, ['audit', server.url + '/', '--as-of', '2021-06-15', '--no-network', '--format', 'json', '--db', db, ...(browser ? [] : ['--no-browser']), ...site.args], tmp);
        if (r.code !== 0) {
          process.stderr.write(`${site.id}: exit ${r.code}\n${r.stderr}\n`);
          fs.writeFileSync(path.join(dir, `${site.id}.json`), JSON.stringify({ error: r.code, stderr: r.stderr.split('\n').slice(-3) }, null, 1));
          continue;
        }
        const report = JSON.parse(r.stdout);
        const doc = normalise(
          {
            findings: report.findings,
            scopes: report.scopes,
            gather: report.gather,
            stats: { pagesCrawled: report.stats?.pagesCrawled, linksChecked: report.stats?.linksChecked, brokenLinks: report.stats?.brokenLinks, unverifiedLinks: report.stats?.unverifiedLinks, findings: report.stats?.findings },
            score: report.score ? { total: report.score.total, provisional: report.score.provisional, veto: report.score.veto, items: report.score.items } : null,
            notes: report.notes,
            browser: report.browser,
          },
          ports,
        );
        fs.writeFileSync(path.join(dir, `${site.id}.json`), JSON.stringify(doc, null, 1) + '\n');
        process.stdout.write(`${site.id}: ${report.findings.length} findings, ${Object.keys(report.scopes ?? {}).length} scopes (${(r.ms / 1000).toFixed(1)} s)\n`);
      } finally {
        await server.close();
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The document with every array sorted (by its items' JSON): pages are crawled several at a time, so the order in
 * which they are stored — and with it the order of findings and of page lists in evidence — varies from run to run.
 */
function canonical(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(canonical).sort((p, q) => (JSON.stringify(p) < JSON.stringify(q) ? -1 : JSON.stringify(p) > JSON.stringify(q) ? 1 : 0));
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, canonical(v)]));
  return x;
}

/** Line-level differences of two normalised documents, by top-level section (order-only differences are noted, not counted). */
function compare(a: string, b: string): number {
  let orderOnly = 0;
  const files = [...new Set([...fs.readdirSync(a), ...fs.readdirSync(b)])].filter((f) => f.endsWith('.json')).sort();
  let diffs = 0;
  for (const f of files) {
    const fa = path.join(a, f);
    const fb = path.join(b, f);
    if (!fs.existsSync(fa) || !fs.existsSync(fb)) {
      console.log(`${f}: only in ${fs.existsSync(fa) ? a : b}`);
      diffs++;
      continue;
    }
    const da = JSON.parse(fs.readFileSync(fa, 'utf8'));
    const db = JSON.parse(fs.readFileSync(fb, 'utf8'));
    for (const section of [...new Set([...Object.keys(da), ...Object.keys(db)])]) {
      const sa = JSON.stringify(da[section], null, 1)?.split('\n') ?? [];
      const sb = JSON.stringify(db[section], null, 1)?.split('\n') ?? [];
      if (sa.join('\n') === sb.join('\n')) continue;
      if (JSON.stringify(canonical(da[section])) === JSON.stringify(canonical(db[section]))) {
        console.log(`${f} ${section}: same up to crawl order`);
        orderOnly++;
        continue;
      }
      diffs++;
      if (section === 'findings' && Array.isArray(da.findings) && Array.isArray(db.findings)) {
        const key = (x: Record<string, unknown>) => JSON.stringify(x);
        const ka = new Map<string, number>();
        for (const x of da.findings) ka.set(key(x), (ka.get(key(x)) ?? 0) + 1);
        const kb = new Map<string, number>();
        for (const x of db.findings) kb.set(key(x), (kb.get(key(x)) ?? 0) + 1);
        const gone = [...ka].filter(([k, n]) => (kb.get(k) ?? 0) < n).map(([k]) => k);
        const added = [...kb].filter(([k, n]) => (ka.get(k) ?? 0) < n).map(([k]) => k);
        console.log(`${f} findings: ${gone.length} only before, ${added.length} only after${!gone.length && !added.length ? ' (same set, other order)' : ''}`);
        for (const k of gone) console.log(`  - ${k.slice(0, 400)}`);
        for (const k of added) console.log(`  + ${k.slice(0, 400)}`);
        continue;
      }
      console.log(`${f} ${section}: differs`);
      const setB = new Set(sb);
      const setA = new Set(sa);
      for (const l of sa) if (!setB.has(l)) console.log(`  - ${l.slice(0, 300)}`);
      for (const l of sb) if (!setA.has(l)) console.log(`  + ${l.slice(0, 300)}`);
    }
  }
  console.log(diffs ? `${diffs} difference(s)` : `identical (${files.length} sites${orderOnly ? `; ${orderOnly} section(s) differ only in crawl order` : ''})`);
  return diffs;
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'save') {
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { root: { type: 'string' }, 'no-browser': { type: 'boolean' }, only: { type: 'string' } } });
  if (!positionals[0]) throw new Error('save <dir>');
  await save(path.resolve(positionals[0]), path.resolve(values.root ?? HERE), !values['no-browser'], values.only ? new Set(values.only.split(',')) : null);
} else if (cmd === 'compare') {
  if (rest.length !== 2) throw new Error('compare <dirA> <dirB>');
  process.exitCode = compare(rest[0], rest[1]) ? 1 : 0;
} else {
  console.error('usage: findings-compare.ts save <dir> [--root TREE] [--no-browser] [--only ids] | compare <dirA> <dirB>');
  process.exitCode = 2;
}
