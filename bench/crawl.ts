/**
 * npm run bench:crawl [-- --pages 3000 --concurrency 16 --runs 3 --skip-linkinator]
 * Generates a loopback site of N pages (~20 links each, some missing), audits it with govsite and with linkinator 7
 * in the same run, and prints pages/s of both, their ratio, and govsite's peak RSS. It reports; it asserts nothing.
 * The tools take turns `--runs` times (each run a fresh process) and the summary gives medians and ranges: on a
 * small shared machine one run of either tool can be 20 % off.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const { values } = parseArgs({
  options: { pages: { type: 'string' }, concurrency: { type: 'string' }, runs: { type: 'string' }, 'skip-linkinator': { type: 'boolean' } },
});
const runs = Math.max(1, Number(values.runs ?? 3) || 1);
const pages = Number(values.pages ?? 3000);
const concurrency = Number(values.concurrency ?? 16);
const here = path.dirname(new URL(import.meta.url).pathname);

function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'site-server.ts'), String(pages)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.once('line', (l) => resolve({ port: Number(l), stop: () => child.kill('SIGTERM') }));
    child.once('exit', (c) => reject(new Error(`site server exited ${c}`)));
  });
}

interface ChildResult { tool: string; pages: number; links: number; broken: number; ms: number; maxRssMb: number; crawlMs?: number; checksMs?: number }

function runChild(tool: string, url: string, db: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'children.ts'), tool, url, String(pages), String(concurrency), db], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, GOVSITE_LOG: 'silent' },
    });
    let buf = '';
    child.stdout!.on('data', (d) => (buf += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(buf.trim().split('\n').pop()!)) : reject(new Error(`${tool} exited ${code}`))));
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-bench-'));
const server = await startServer();
const url = `http://127.0.0.1:${server.port}/`;
console.log(`站点: ${url}  页面数: ${pages}  并发: ${concurrency}  轮数: ${runs}  (${os.cpus().length} 核)`);
const median = (xs: number[]) => {
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const range = (xs: number[], digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
try {
  const g: { crawlPps: number; auditPps: number; rss: number; pages: number }[] = [];
  const l: { pps: number; rss: number }[] = [];
  const ratios: number[] = [];
  const auditRatios: number[] = [];
  for (let k = 1; k <= runs; k++) {
    const db = path.join(tmp, `bench-${k}.db`);
    const r = await runChild('govsite', url, db);
    fs.rmSync(db, { force: true });
    const crawlPps = r.pages / ((r.crawlMs ?? r.ms) / 1000);
    const auditPps = r.pages / (r.ms / 1000);
    g.push({ crawlPps, auditPps, rss: r.maxRssMb, pages: r.pages });
    console.log(`第 ${k} 轮 govsite    : ${r.pages} 页, ${r.links} 个链接目标, ${r.broken} 个失效; 抓取+链接检查+入库 ${((r.crawlMs ?? 0) / 1000).toFixed(2)} s = ${crawlPps.toFixed(0)} 页/秒; ` +
      `含全部内容检查与评分的完整审计 ${(r.ms / 1000).toFixed(1)} s = ${auditPps.toFixed(0)} 页/秒（检查 ${((r.checksMs ?? 0) / 1000).toFixed(1)} s）; 峰值 RSS ${r.maxRssMb} MB`);
    if (!values['skip-linkinator']) {
      const x = await runChild('linkinator', url, '');
      const pps = x.pages / (x.ms / 1000);
      l.push({ pps, rss: x.maxRssMb });
      ratios.push(crawlPps / pps);
      auditRatios.push(auditPps / pps);
      console.log(`第 ${k} 轮 linkinator : ${x.pages} 页, ${x.links} 个链接, ${x.broken} 个失效, ${(x.ms / 1000).toFixed(2)} s = ${pps.toFixed(0)} 页/秒, 峰值 RSS ${x.maxRssMb} MB;` +
        ` 本轮速度比 ${(crawlPps / pps).toFixed(2)}×`);
    }
  }
  console.log(`\n== 汇总（${runs} 轮，中位数与范围）==`);
  console.log(`govsite 抓取+链接检查+入库: ${median(g.map((x) => x.crawlPps)).toFixed(0)} 页/秒（${range(g.map((x) => x.crawlPps))}）; ` +
    `完整审计: ${median(g.map((x) => x.auditPps)).toFixed(0)} 页/秒（${range(g.map((x) => x.auditPps))}）; 峰值 RSS ${range(g.map((x) => x.rss))} MB`);
  if (l.length) {
    console.log(`linkinator: ${median(l.map((x) => x.pps)).toFixed(0)} 页/秒（${range(l.map((x) => x.pps))}）; 峰值 RSS ${range(l.map((x) => x.rss))} MB`);
    console.log(`速度比（抓取与链接检查，与 linkinator 所做的工作相同）govsite / linkinator = ${median(ratios).toFixed(2)}×（各轮 ${range(ratios, 2)}；目标 ≥ 2×）`);
    console.log(`速度比（govsite 完整审计，含 19 项内容检查）/ linkinator = ${median(auditRatios).toFixed(2)}×（各轮 ${range(auditRatios, 2)}）`);
  }
  const least = Math.min(...g.map((x) => x.pages));
  console.log(`govsite 是否每轮都抓取全部页面: ${least >= pages ? '是' : `否（最少 ${least}/${pages}）`}`);
} finally {
  server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
