/**
 * npm run bench:crawl [-- --pages 3000 --concurrency 32 --runs 3 --skip-linkinator --no-browser --root TREE]
 *
 * Generates a loopback site of N pages (~20 links each, some missing; bench/site-server.ts) and measures what a user
 * waits for: the whole `govsite audit` command (process start to exit: crawl, link checks, browser, gatherers, checks,
 * score, the JSON report written) against linkinator's whole command-line run (`linkinator URL --recurse`), each a
 * fresh process under /usr/bin/time. The tools take turns `--runs` times; the summary gives medians and ranges of
 * pages/s, CPU seconds per 1,000 pages and peak RSS (the largest single process). CPU is counted two ways: the
 * machine's busy time during the run less the site server's own (every process the run caused, Chromium's renderer,
 * GPU and utility processes included — the per-page CPU ratio uses this one), and /usr/bin/time's user + system of the
 * process and the children it waited for (Chromium's helper processes are not waited for, so this misses most of the
 * browser). Each round also measures the floor (bench/floor.mjs): the same requests sent without parsing anything, and
 * Chromium started to render the homepage once; the summary sets them against the time budget of the 2× goal.
 * On a small shared machine one run of either tool can be 20 % off: compare medians, and say when the runs were
 * taken. It reports; it asserts nothing.
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
import { BROWSER_ARGS } from '../src/collect/browser.ts';

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
  /** CPU seconds the whole machine was busy during the run, less the site server's own; NaN where unknown. */
  machineCpu: number;
  /** CPU seconds of the site server during the run (what it took to answer). */
  server: number;
  /** Peak RSS of the largest process, MB. */
  rssMb: number;
}

/** Busy CPU seconds of the whole machine since boot (all cores: user, nice, system, irq). */
function machineBusy(): number {
  let ms = 0;
  for (const c of os.cpus()) ms += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  return ms / 1000;
}

let siteUrl = '';
/** The site server's own CPU seconds so far (its /__cpu), NaN when it does not answer. */
async function serverCpu(): Promise<number> {
  try {
    return Number(await (await fetch(new URL('/__cpu', siteUrl))).text());
  } catch {
    return NaN;
  }
}

/** Runs a command under /usr/bin/time (wall, CPU, peak RSS); without it, wall time only. */
async function timed(cmd: string[], env: NodeJS.ProcessEnv): Promise<Measured & { code: number; stdout: string }> {
  const haveTime = fs.existsSync(TIME);
  const fmt = path.join(os.tmpdir(), `govsite-bench-time-${process.pid}.txt`);
  const argv = haveTime ? [TIME, '-o', fmt, '-f', '%e %U %S %M', ...cmd] : cmd;
  const server0 = await serverCpu();
  const busy0 = machineBusy();
  const t0 = performance.now();
  const r = await new Promise<{ code: number; wall: number; err: string; out: string }>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
    let err = '';
    let out = '';
    child.stdout!.on('data', (d) => (out = (out + d).slice(-4000)));
    child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? 1, wall: (performance.now() - t0) / 1000, err, out }));
  });
  const busy = machineBusy() - busy0;
  const server = (await serverCpu()) - server0;
  const machineCpu = busy - server;
  if (!haveTime) return { code: r.code, s: r.wall, cpu: NaN, machineCpu, server, rssMb: NaN, stdout: r.out };
  const line = fs.readFileSync(fmt, 'utf8').trim().split('\n').pop()!;
  fs.rmSync(fmt, { force: true });
  const [e, u, sy, m] = line.split(/\s+/).map(Number);
  if (r.code !== 0) process.stderr.write(r.err);
  return { code: r.code, s: e, cpu: u + sy, machineCpu, server, rssMb: Math.round(m / 1024), stdout: r.out };
}

/** The floor of one round: the crawl's requests without parsing, and one Chromium rendering of the homepage. */
async function floor(url: string): Promise<{ http: Measured; browser: Measured | null; requests: number }> {
  const script = path.join(here, 'floor.mjs');
  const h = await timed([process.execPath, script, 'http', url], process.env);
  if (h.code !== 0) throw new Error('bench/floor.mjs http failed');
  const requests = (JSON.parse(h.stdout.trim().split('\n').pop()!) as { requests: number }).requests;
  if (values['no-browser']) return { http: h, browser: null, requests };
  const b = await timed([process.execPath, script, 'browser', url, JSON.stringify(BROWSER_ARGS)], process.env);
  return { http: h, browser: b.code === 0 ? b : null, requests };
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
siteUrl = url;
console.log(`govsite: ${root}`);
console.log(`站点: ${url}  页面数: ${pages}  并发: ${concurrency}  轮数: ${runs}  浏览器: ${values['no-browser'] ? '否' : '是'}  (${os.cpus().length} 核, 负载 ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})  ${new Date().toISOString()}`);
console.log('CPU: 整机 = 运行期间整机忙碌时间减去站点服务器自身（含 Chromium 全部进程）; 进程 = /usr/bin/time 的 user+sys（不含 Chromium 未被等待的子进程）');
const perK = (cpu: number, n: number) => (cpu / n) * 1000;
try {
  const g: { pps: number; cpuK: number; mK: number; rss: number; pages: number; crawlPps: number; s: number; m: number; server: number; cut?: string }[] = [];
  const l: { pps: number; cpuK: number; mK: number; rss: number; s: number; m: number }[] = [];
  const fl: { http: Measured; browser: Measured | null; requests: number }[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const procRatios: number[] = [];
  for (let k = 1; k <= runs; k++) {
    const r = await govsite(url, k);
    const pps = r.pages / r.s;
    g.push({ pps, cpuK: perK(r.cpu, r.pages), mK: perK(r.machineCpu, r.pages), rss: r.rssMb, pages: r.pages, crawlPps: r.pages / r.crawlS, s: r.s, m: r.machineCpu, server: r.server, ...(r.cut ? { cut: r.cut } : {}) });
    console.log(`第 ${k} 轮 govsite audit : ${r.pages} 页, ${r.links} 个链接目标, ${r.broken} 个失效, ${r.findings} 条问题; 进程启动到退出 ${r.s.toFixed(2)} s = ${pps.toFixed(0)} 页/秒` +
      `（其中抓取 ${r.crawlS.toFixed(2)} s）; CPU 整机 ${r.machineCpu.toFixed(1)} s = ${perK(r.machineCpu, r.pages).toFixed(2)} s/千页, 进程 ${r.cpu.toFixed(1)} s; 峰值 RSS ${r.rssMb} MB  [负载 ${os.loadavg()[0].toFixed(1)}]`);
    if (!values['skip-linkinator']) {
      const x = await linkinator(url);
      const lpps = x.pages / x.s;
      // A run that did not reach the site's pages (it reports most links broken: timeouts, resets, its own memory)
      // is no measure of speed: said, and left out of the ratios.
      const valid = x.pages >= 0.95 * r.pages && x.broken <= 2 * Math.max(1, r.broken);
      if (valid) {
        l.push({ pps: lpps, cpuK: perK(x.cpu, x.pages), mK: perK(x.machineCpu, x.pages), rss: x.rssMb, s: x.s, m: x.machineCpu });
        ratios.push(pps / lpps);
        cpuRatios.push(perK(r.machineCpu, r.pages) / perK(x.machineCpu, x.pages));
        procRatios.push(perK(r.cpu, r.pages) / perK(x.cpu, x.pages));
      }
      console.log(`第 ${k} 轮 linkinator    : ${x.pages} 页, ${x.links} 个链接, ${x.broken} 个失效; 进程启动到退出 ${x.s.toFixed(2)} s = ${lpps.toFixed(0)} 页/秒; ` +
        `CPU 整机 ${x.machineCpu.toFixed(1)} s = ${perK(x.machineCpu, x.pages).toFixed(2)} s/千页, 进程 ${x.cpu.toFixed(1)} s; 峰值 RSS ${x.rssMb} MB; ` +
        (valid ? `本轮速度比 ${(pps / lpps).toFixed(2)}×` : `本轮未完成检查（页面或失效数与站点不符），不计入比较`) + `  [负载 ${os.loadavg()[0].toFixed(1)}]`);
    }
    const f = await floor(url);
    fl.push(f);
    console.log(`第 ${k} 轮 下限          : 同样 ${f.requests} 个请求、不解析 ${f.http.s.toFixed(2)} s, 整机 CPU ${f.http.machineCpu.toFixed(2)} s` +
      (f.browser ? `; Chromium 启动并渲染首页（含截图）${f.browser.s.toFixed(2)} s, 整机 CPU ${f.browser.machineCpu.toFixed(2)} s` : ''));
  }
  console.log(`\n== 汇总（${runs} 轮，中位数与范围）==`);
  console.log(`govsite 完整审计（进程启动到退出）: ${fmt(g.map((x) => x.pps))} 页/秒; CPU 整机 ${fmt(g.map((x) => x.mK), 2)} s/千页, 进程 ${fmt(g.map((x) => x.cpuK), 2)} s/千页; 峰值 RSS ${range(g.map((x) => x.rss))} MB; 其中抓取阶段 ${fmt(g.map((x) => x.crawlPps))} 页/秒`);
  if (l.length) {
    console.log(`linkinator 完整运行（进程启动到退出）: ${fmt(l.map((x) => x.pps))} 页/秒; CPU 整机 ${fmt(l.map((x) => x.mK), 2)} s/千页, 进程 ${fmt(l.map((x) => x.cpuK), 2)} s/千页; 峰值 RSS ${range(l.map((x) => x.rss))} MB`);
    console.log(`速度比 govsite 完整审计 / linkinator = ${median(ratios).toFixed(2)}×（各轮 ${range(ratios, 2)}；目标 ≥ 2×）`);
    console.log(`每页 CPU 比 govsite / linkinator（整机）= ${median(cpuRatios).toFixed(2)}（各轮 ${range(cpuRatios, 2)}；目标 ≤ 1）; 按进程 CPU 计 ${median(procRatios).toFixed(2)}`);
    // The 2× goal as a budget: half linkinator's time, on this machine's cores, against what no audit can skip.
    const budgetS = median(l.map((x) => x.s)) / 2;
    const cores = os.availableParallelism();
    const httpCpu = median(fl.map((f) => f.http.machineCpu));
    const browserCpu = fl.every((f) => f.browser) ? median(fl.map((f) => f.browser!.machineCpu)) : 0;
    const serverCpu = median(g.map((x) => x.server));
    const ours = median(g.map((x) => x.m));
    console.log(`2× 的预算: linkinator 用时的一半 ${budgetS.toFixed(2)} s, ${cores} 核上至多 ${(budgetS * cores).toFixed(1)} CPU-s; ` +
      `其中站点服务器 ${serverCpu.toFixed(2)} CPU-s、不解析的传输 ${httpCpu.toFixed(2)} CPU-s${browserCpu ? `、Chromium 渲染首页 ${browserCpu.toFixed(2)} CPU-s` : ''}, ` +
      `余 ${(budgetS * cores - serverCpu - httpCpu - browserCpu).toFixed(2)} CPU-s 给进程启动与 ${pages} 个页面的解析、分析、存储、检查、评分和报告（govsite 现用整机 ${ours.toFixed(1)} CPU-s）`);
  }
  const least = Math.min(...g.map((x) => x.pages));
  console.log(`govsite 是否每轮都抓取全部页面（链接检查、页面事实）: ${least >= pages ? '是' : `否（最少 ${least}/${pages}）`}`);
  const cut = g.find((x) => x.cut)?.cut;
  console.log(`内容类检查是否覆盖全部页面: ${cut ? `否（${cut}）` : '是'}`);
} finally {
  server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
