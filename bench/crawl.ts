/**
 * npm run bench:crawl [-- --pages 3000 --concurrency 32 --runs 3 --skip-linkinator --no-browser --root TREE]
 *
 * Generates a loopback site of N pages (~20 links each, some missing; bench/site-server.ts) and measures what a user
 * waits for: the whole `govsite audit` command (process start to exit: crawl, link checks, browser, gatherers, checks,
 * score, the JSON report written) against linkinator's whole command-line run (`linkinator URL --recurse`), each a
 * fresh process under /usr/bin/time. The tools take turns `--runs` times; the summary gives medians and ranges of
 * pages/s, CPU seconds per 1,000 pages (user + system of the process and the processes it waited for — Chromium
 * included) and peak RSS (the largest single process). On a small shared machine one run of either tool can be 20 %
 * off: compare medians, and say when the runs were taken. It reports; it asserts nothing.
 *
 * The command line runs from its bundle (npm run build, run here first) as after `npm ci`. `--root TREE` measures
 * the command line of another source tree instead (e.g. an exported copy of an older commit, to compare).
 */
import { spawn, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const { values } = parseArgs({
  options: {
    pages: { type: 'string' },
    concurrency: { type: 'string' },
    runs: { type: 'string' },
    'skip-linkinator': { type: 'boolean' },
    'no-browser': { type: 'boolean' },
    root: { type: 'string' },
  },
});
const runs = Math.max(1, Number(values.runs ?? 3) || 1);
const pages = Number(values.pages ?? 3000);
const concurrency = Number(values.concurrency ?? 32);
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(values.root ?? path.join(here, '..'));
const TIME = '/usr/bin/time';

function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'site-server.ts'), String(pages)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.once('line', (l) => resolve({ port: Number(l), stop: () => child.kill('SIGTERM') }));
    child.once('exit', (c) => reject(new Error(`site server exited ${c}`)));
  });
}

interface Measured {
  /** Wall seconds, process start to exit. */
  s: number;
  /** CPU seconds (user + system), the process and the children it waited for. */
  cpu: number;
  /** Peak RSS of the largest process, MB. */
  rssMb: number;
}

/** Runs a command under /usr/bin/time (wall, CPU, peak RSS); without it, wall time only. */
function timed(cmd: string[], env: NodeJS.ProcessEnv): Promise<Measured & { code: number }> {
  const haveTime = fs.existsSync(TIME);
  const fmt = path.join(os.tmpdir(), `govsite-bench-time-${process.pid}.txt`);
  const argv = haveTime ? [TIME, '-o', fmt, '-f', '%e %U %S %M', ...cmd] : cmd;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      const wall = (performance.now() - t0) / 1000;
      if (!haveTime) return resolve({ code: code ?? 1, s: wall, cpu: NaN, rssMb: NaN });
      const line = fs.readFileSync(fmt, 'utf8').trim().split('\n').pop()!;
      fs.rmSync(fmt, { force: true });
      const [e, u, sy, m] = line.split(/\s+/).map(Number);
      if (code !== 0) process.stderr.write(err);
      resolve({ code: code ?? 1, s: e, cpu: u + sy, rssMb: Math.round(m / 1024) });
    });
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-bench-'));

async function govsite(url: string, k: number): Promise<Measured & { pages: number; links: number; broken: number; crawlS: number; findings: number; cut?: string }> {
  const db = path.join(tmp, `bench-${k}.db`);
  const out = path.join(tmp, `report-${k}.json`);
  const cmd = [process.execPath, path.join(root, 'bin', 'govsite.js'), 'audit', url, '--max-pages', String(Math.ceil(pages * 1.2)), '--max-depth', '1000',
    '--concurrency', String(concurrency), '--per-host', String(concurrency), '--db', db, '--as-of', '2021-06-15', '--format', 'json', '--out', out,
    ...(values['no-browser'] ? ['--no-browser'] : [])];
  const r = await timed(cmd, { ...process.env, GOVSITE_LOG: 'silent' });
  if (r.code !== 0) throw new Error(`govsite exited ${r.code}`);
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  for (const f of fs.readdirSync(tmp)) if (f.startsWith(`bench-${k}.db`) || f === `report-${k}.json`) fs.rmSync(path.join(tmp, f), { force: true });
  fs.rmSync(path.join(tmp, 'screenshots'), { recursive: true, force: true });
  // The audit's note when its content checks read only the first pages (maxContentPages).
  const cut = (report.notes as string[] | undefined)?.find((n) => n.includes('内容类检查只读取了前'));
  return { ...r, pages: report.stats.pagesCrawled + (report.stats.pagesAliased ?? 0), links: report.stats.linksChecked, broken: report.stats.brokenLinks, crawlS: report.stats.crawlMs / 1000, findings: report.findings.length, ...(cut ? { cut } : {}) };
}

async function linkinator(url: string): Promise<Measured & { pages: number; links: number; broken: number }> {
  const out = path.join(tmp, 'linkinator.json');
  const cli = path.join(here, '..', 'node_modules', 'linkinator', 'build', 'src', 'cli.js');
  const sh = `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} ${JSON.stringify(url)} --recurse --concurrency ${concurrency} --timeout 15000 --format json > ${JSON.stringify(out)}`;
  const r = await timed(['sh', '-c', sh], process.env);
  // linkinator exits 1 when it found broken links.
  const res = JSON.parse(fs.readFileSync(out, 'utf8')) as { links: { url: string; state: string }[] };
  fs.rmSync(out, { force: true });
  const htmlPages = new Set(res.links.filter((l) => /\.html$|\/$/.test(l.url) && l.state === 'OK').map((l) => l.url));
  return { ...r, pages: htmlPages.size, links: res.links.length, broken: res.links.filter((l) => l.state === 'BROKEN').length };
}

const median = (xs: number[]) => {
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const range = (xs: number[], digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const fmt = (xs: number[], digits = 0) => `${median(xs).toFixed(digits)}（${range(xs, digits)}）`;

// The command line as after `npm ci`: from its bundle.
if (fs.existsSync(path.join(root, 'scripts', 'build.mjs'))) {
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { encoding: 'utf8' });
  process.stdout.write(built.stderr);
}
const server = await startServer();
const url = `http://127.0.0.1:${server.port}/`;
console.log(`govsite: ${root}`);
console.log(`站点: ${url}  页面数: ${pages}  并发: ${concurrency}  轮数: ${runs}  浏览器: ${values['no-browser'] ? '否' : '是'}  (${os.cpus().length} 核, 负载 ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})  ${new Date().toISOString()}`);
try {
  const g: { pps: number; cpuK: number; rss: number; pages: number; crawlPps: number; cut?: string }[] = [];
  const l: { pps: number; cpuK: number; rss: number }[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let k = 1; k <= runs; k++) {
    const r = await govsite(url, k);
    const pps = r.pages / r.s;
    g.push({ pps, cpuK: (r.cpu / r.pages) * 1000, rss: r.rssMb, pages: r.pages, crawlPps: r.pages / r.crawlS, ...(r.cut ? { cut: r.cut } : {}) });
    console.log(`第 ${k} 轮 govsite audit : ${r.pages} 页, ${r.links} 个链接目标, ${r.broken} 个失效, ${r.findings} 条问题; 进程启动到退出 ${r.s.toFixed(2)} s = ${pps.toFixed(0)} 页/秒` +
      `（其中抓取 ${r.crawlS.toFixed(2)} s）; CPU ${r.cpu.toFixed(1)} s = ${((r.cpu / r.pages) * 1000).toFixed(2)} s/千页; 峰值 RSS ${r.rssMb} MB  [负载 ${os.loadavg()[0].toFixed(1)}]`);
    if (!values['skip-linkinator']) {
      const x = await linkinator(url);
      const lpps = x.pages / x.s;
      l.push({ pps: lpps, cpuK: (x.cpu / x.pages) * 1000, rss: x.rssMb });
      ratios.push(pps / lpps);
      cpuRatios.push(((r.cpu / r.pages) * 1000) / ((x.cpu / x.pages) * 1000));
      console.log(`第 ${k} 轮 linkinator    : ${x.pages} 页, ${x.links} 个链接, ${x.broken} 个失效; 进程启动到退出 ${x.s.toFixed(2)} s = ${lpps.toFixed(0)} 页/秒; ` +
        `CPU ${x.cpu.toFixed(1)} s = ${((x.cpu / x.pages) * 1000).toFixed(2)} s/千页; 峰值 RSS ${x.rssMb} MB; 本轮速度比 ${(pps / lpps).toFixed(2)}×  [负载 ${os.loadavg()[0].toFixed(1)}]`);
    }
  }
  console.log(`\n== 汇总（${runs} 轮，中位数与范围）==`);
  console.log(`govsite 完整审计（进程启动到退出）: ${fmt(g.map((x) => x.pps))} 页/秒; CPU ${fmt(g.map((x) => x.cpuK), 2)} s/千页; 峰值 RSS ${range(g.map((x) => x.rss))} MB; 其中抓取阶段 ${fmt(g.map((x) => x.crawlPps))} 页/秒`);
  if (l.length) {
    console.log(`linkinator 完整运行（进程启动到退出）: ${fmt(l.map((x) => x.pps))} 页/秒; CPU ${fmt(l.map((x) => x.cpuK), 2)} s/千页; 峰值 RSS ${range(l.map((x) => x.rss))} MB`);
    console.log(`速度比 govsite 完整审计 / linkinator = ${median(ratios).toFixed(2)}×（各轮 ${range(ratios, 2)}；目标 ≥ 2×）`);
    console.log(`每页 CPU 比 govsite / linkinator = ${median(cpuRatios).toFixed(2)}（各轮 ${range(cpuRatios, 2)}；目标 ≤ 1）`);
  }
  const least = Math.min(...g.map((x) => x.pages));
  console.log(`govsite 是否每轮都抓取全部页面（链接检查、页面事实）: ${least >= pages ? '是' : `否（最少 ${least}/${pages}）`}`);
  const cut = g.find((x) => x.cut)?.cut;
  console.log(`内容类检查是否覆盖全部页面: ${cut ? `否（${cut}）` : '是'}`);
} finally {
  server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
