/**
 * npm run bench:crawl [-- --pages 3000 --concurrency 16 --skip-linkinator]
 * Generates a loopback site of N pages (~20 links each, some missing), audits it with govsite and with linkinator 7
 * in the same run, and prints pages/s of both, their ratio, and govsite's peak RSS. It reports; it asserts nothing.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const { values } = parseArgs({
  options: { pages: { type: 'string' }, concurrency: { type: 'string' }, 'skip-linkinator': { type: 'boolean' } },
});
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
console.log(`站点: ${url}  页面数: ${pages}  并发: ${concurrency}  (${os.cpus().length} 核)`);
try {
  const g = await runChild('govsite', url, path.join(tmp, 'bench.db'));
  const crawlPps = g.pages / ((g.crawlMs ?? g.ms) / 1000);
  const auditPps = g.pages / (g.ms / 1000);
  console.log(`govsite    : ${g.pages} 页, ${g.links} 个链接目标, ${g.broken} 个失效; 抓取+链接检查+入库 ${((g.crawlMs ?? 0) / 1000).toFixed(1)} s = ${crawlPps.toFixed(0)} 页/秒; ` +
    `含全部内容检查与评分的完整审计 ${(g.ms / 1000).toFixed(1)} s = ${auditPps.toFixed(0)} 页/秒（检查 ${((g.checksMs ?? 0) / 1000).toFixed(1)} s）; 峰值 RSS ${g.maxRssMb} MB`);
  if (!values['skip-linkinator']) {
    const l = await runChild('linkinator', url, '');
    const lps = l.pages / (l.ms / 1000);
    console.log(`linkinator : ${l.pages} 页, ${l.links} 个链接, ${l.broken} 个失效, ${(l.ms / 1000).toFixed(1)} s = ${lps.toFixed(0)} 页/秒, 峰值 RSS ${l.maxRssMb} MB`);
    console.log(`速度比（抓取与链接检查，与 linkinator 所做的工作相同）govsite / linkinator = ${(crawlPps / lps).toFixed(2)}×（目标 ≥ 2×）`);
    console.log(`速度比（govsite 完整审计，含 19 项内容检查）/ linkinator = ${(auditPps / lps).toFixed(2)}×`);
  }
  console.log(`govsite 是否抓取全部页面: ${g.pages >= pages ? '是' : `否（${g.pages}/${pages}）`}`);
} finally {
  server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
