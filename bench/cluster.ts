/**
 * npm run bench:cluster [-- --sites 15000 --day 120 --duration 60 --warmup 15 --per-day 24 --workers 1,2,3 --round 1000
 *                           --timeout 15 --refuse 0.02 --query-sites 15000 --skip-baseline --skip-query]
 *
 * Queue mode at national scale on this machine: 15,000 sites × 24 probes a "day", the day compressed to `--day`
 * seconds, run for `--duration` seconds with 1, 2 and 3 worker processes (one vantage, sharing its rounds) behind a
 * scheduler process, on PostgreSQL and Redis (loopback; a fresh schema and key prefix per run, dropped afterwards).
 * In the same run, the one-machine scheduler (bench/probes.ts, SQLite) as the baseline.
 *
 * Prints per configuration: probes/s (first attempts with their slot in the measured span), schedule lag p50/p99/max
 * (probe start − slot), CPU of Redis and PostgreSQL (share of one core), peak RSS per worker and of the scheduler; then
 * the weekly-ratio query for all sites on PostgreSQL (8 weeks of roll-ups). It reports; it asserts nothing.
 * Needs PostgreSQL (GOVSITE_BENCH_PG, default postgres://root@127.0.0.1:5432/test) and Redis (GOVSITE_BENCH_REDIS).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    sites: { type: 'string' }, day: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, 'per-day': { type: 'string' },
    workers: { type: 'string' }, round: { type: 'string' }, timeout: { type: 'string' }, refuse: { type: 'string' }, ports: { type: 'string' },
    'query-sites': { type: 'string' }, 'skip-baseline': { type: 'boolean' }, 'skip-query': { type: 'boolean' },
  },
});
const N = Number(values.sites ?? 15_000);
const daySec = Number(values.day ?? 120);
const durationSec = Number(values.duration ?? 60);
const warmupSec = Number(values.warmup ?? 15);
const perDay = Number(values['per-day'] ?? 24);
const workerCounts = (values.workers ?? '1,2,3').split(',').map(Number).filter((n) => n > 0);
const roundMs = Number(values.round ?? 1000);
const timeoutSec = Number(values.timeout ?? 15);
const refuseShare = Number(values.refuse ?? 0.02);
const nPorts = Number(values.ports ?? 4);
const querySites = Number(values['query-sites'] ?? N);
const PG_URL = process.env.GOVSITE_BENCH_PG ?? 'postgres://root@127.0.0.1:5432/test';
const REDIS_URL = process.env.GOVSITE_BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const mb = (b: number) => (b / 1048576).toFixed(0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-cluster-bench-'));

function lines(child: ChildProcess): AsyncIterable<string> {
  return readline.createInterface({ input: child.stdout! });
}

async function startServer(): Promise<{ ports: number[]; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/probes.ts'), '--serve', String(nPorts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const l of lines(child)) return { ports: JSON.parse(l) as number[], stop: () => child.kill('SIGTERM') };
  throw new Error('server did not start');
}

/** utime + stime (clock ticks) of processes whose command name matches. */
function cpuTicks(names: RegExp): number {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!names.test(comm)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return total;
}
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  function pctl(sorted: number[], p: number): number {
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0;
  }

  // ------------------------------------------------------------------ sites
  const server = await startServer();
  const refusePort = 1; // nothing listens on port 1: connection refused
  const sites = Array.from({ length: N }, (_, i) => {
    const addr = `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${((i & 255) % 254) + 1}`;
    const refuse = refuseShare > 0 && i % Math.round(1 / refuseShare) === 1;
    return { id: `site-${i}`, url: `http://${addr}:${refuse ? refusePort : server.ports[i % server.ports.length]}/` };
  });
  const configFile = path.join(tmp, 'sites.yaml');
  fs.writeFileSync(
    configFile,
    `nightly: { enabled: false }\nwarnings: { enabled: false }\nprobes: { perDay: ${perDay}, outageGuard: { minProbes: 1000000 } }\nsites:\n${sites.map((s) => `  - { id: ${s.id}, name: 测试${s.id}, url: '${s.url}', rubric: hunan-2021-city }`).join('\n')}\n`,
  );
  console.log(`站点 ${N} 个（拒绝连接 ${sites.filter((s) => s.url.includes(`:${refusePort}/`)).length}），每“天” ${perDay} 次，压缩日 ${daySec} s，每种配置运行 ${durationSec} s（前 ${warmupSec} s 预热不计），轮次 ${roundMs} ms，超时 ${timeoutSec} s，${os.cpus().length} 核`);
  console.log(`按计划每秒 ${((N * perDay) / daySec).toFixed(0)} 次探测`);

  // ------------------------------------------------------------------ baseline: the one-machine scheduler
  if (!values['skip-baseline']) {
    console.log('\n== 单进程调度（SQLite，bench/probes.ts）==');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/probes.ts'), '--sites', String(N), '--day', String(daySec), '--duration', String(durationSec), '--per-day', String(perDay), '--timeout', String(timeoutSec), '--hang', '0', '--refuse', String(refuseShare), '--warmup', String(warmupSec), '--skip-query'], { stdio: ['ignore', 'pipe', 'inherit'] });
    for await (const l of lines(child)) if (/次\/秒|调度延迟|峰值 RSS/.test(l)) console.log(`  ${l}`);
  }

  // ------------------------------------------------------------------ queue mode
  interface Result { workers: number; probesPerSec: number; lag: { p50: number; p99: number; max: number }; redisCpu: number; pgCpu: number; workerRss: number[]; schedulerRss: number; rounds: number }
  const results: Result[] = [];
  for (const k of workerCounts) {
    const schema = `bench_${process.pid}_${k}`;
    const prefix = `gsbench-${process.pid}-${k}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
    const env = {
      ...process.env,
      GOVSITE_DB: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`,
      GOVSITE_QUEUE: REDIS_URL,
      GOVSITE_QUEUE_PREFIX: prefix,
      GOVSITE_ROUND_MS: String(roundMs),
      GOVSITE_DAY_MS: String(daySec * 1000),
      GOVSITE_SETTLE_MS: String(Math.max(1000, roundMs)),
      GOVSITE_PROBE_TIMEOUT_MS: String(timeoutSec * 1000),
      GOVSITE_VANTAGE_TTL_MS: '15000',
      GOVSITE_LOG: process.env.GOVSITE_LOG ?? 'warn',
    };
    const procs: ChildProcess[] = [];
    const spawnGov = (args: string[]) => {
      const p = spawn(process.execPath, [path.join(root, 'bin/govsite.js'), ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      procs.push(p);
      return p;
    };
    // the schema is migrated once before the processes start (they would race on it otherwise)
    const { PgRepo } = await import('../src/repo/postgres.ts');
    const repo = await PgRepo.open(PG_URL, { schema, max: 2 });
    const workers = Array.from({ length: k }, () => spawnGov(['worker', '--vantage', 'bench', '--queues', 'probe']));
    await sleep(3000); // workers register their vantage before the first tick
    const scheduler = spawnGov(['monitor', '--config', configFile]);
    // the span is measured from the first recorded round on (start-up of the processes is not part of it)
    for (let i = 0; i < 240; i++) {
      if ((await repo.pool.query('SELECT 1 FROM probe_rounds LIMIT 1')).rows.length) break;
      await sleep(500);
    }
    const t0 = Date.now();
    const measureFrom = t0 + warmupSec * 1000;
    const peak = { workers: workers.map(() => 0), scheduler: 0 };
    let cpu0: { redis: number; pg: number; at: number } | undefined;
    const sampler = setInterval(() => {
      workers.forEach((w, i) => (peak.workers[i] = Math.max(peak.workers[i], rssOf(w.pid))));
      peak.scheduler = Math.max(peak.scheduler, rssOf(scheduler.pid));
      if (!cpu0 && Date.now() >= measureFrom) cpu0 = { redis: cpuTicks(/^redis-server/), pg: cpuTicks(/^postgres/), at: Date.now() };
    }, 500);
    await sleep(durationSec * 1000);
    const measureTo = Date.now();
    const cpu1 = { redis: cpuTicks(/^redis-server/), pg: cpuTicks(/^postgres/), at: Date.now() };
    // rounds are written when they end: let the last ones of the span finish before stopping
    await sleep(2 * roundMs + 3_000);
    clearInterval(sampler);
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))));
    // probes whose slot lies in the measured span
    const to = measureTo;
    const q = await repo.pool.query(
      `SELECT count(*)::int AS n, percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM at - slot_at)) * 1000 AS p50,
         percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM at - slot_at)) * 1000 AS p99, max(extract(epoch FROM at - slot_at)) * 1000 AS mx
       FROM monitor_probes WHERE attempt = 0 AND slot_at >= $1 AND slot_at < $2`,
      [new Date(measureFrom), new Date(Math.max(measureFrom + 1000, to))],
    );
    const rounds = (await repo.pool.query(`SELECT count(*)::int AS n FROM probe_rounds`)).rows[0].n as number;
    const span = Math.max(1, (Math.max(measureFrom + 1000, to) - measureFrom) / 1000);
    const wall = (cpu1.at - (cpu0?.at ?? t0)) / 1000;
    const r: Result = {
      workers: k,
      probesPerSec: q.rows[0].n / span,
      lag: { p50: Number(q.rows[0].p50 ?? 0), p99: Number(q.rows[0].p99 ?? 0), max: Number(q.rows[0].mx ?? 0) },
      redisCpu: (cpu1.redis - (cpu0?.redis ?? 0)) / TICKS / wall,
      pgCpu: (cpu1.pg - (cpu0?.pg ?? 0)) / TICKS / wall,
      workerRss: peak.workers,
      schedulerRss: peak.scheduler,
      rounds,
    };
    results.push(r);
    console.log(`\n== 队列模式：调度进程 + ${k} 个工作进程（PostgreSQL + Redis）==`);
    console.log(`  探测 ${r.probesPerSec.toFixed(0)} 次/秒（计划 ${((N * perDay) / daySec).toFixed(0)}）；轮次 ${rounds}`);
    console.log(`  调度延迟（探测开始 − 时间槽）p50 ${r.lag.p50.toFixed(0)} ms，p99 ${r.lag.p99.toFixed(0)} ms，最大 ${r.lag.max.toFixed(0)} ms`);
    console.log(`  Redis CPU ${(r.redisCpu * 100).toFixed(0)}%，PostgreSQL CPU ${(r.pgCpu * 100).toFixed(0)}%（单核的百分比）`);
    console.log(`  峰值 RSS：工作进程 ${r.workerRss.map(mb).join(' / ')} MB，调度进程 ${mb(r.schedulerRss)} MB`);
    await repo.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
  server.stop();

  // ------------------------------------------------------------------ weekly query on PostgreSQL
  if (!values['skip-query']) {
    const schema = `bench_q_${process.pid}`;
    const { PgRepo } = await import('../src/repo/postgres.ts');
    const { weekRange, dayStartMs, addDays } = await import('../src/monitor/time.ts');
    const repo = await PgRepo.open(PG_URL, { schema, max: 2 });
    const dropSchema = async () => {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    };
    try {
    const week = '2021-W24';
    const { from } = weekRange(week);
    const s0 = performance.now();
    await repo.pool.query(
      `INSERT INTO monitor_daily (day, site_id, probes, failures, blocked, first_at, last_at)
       SELECT to_char($1::date + d, 'YYYY-MM-DD'), 'site-' || i, CASE WHEN i % 97 = 0 THEN 18 ELSE 24 END, CASE WHEN i % 13 = 0 THEN 2 ELSE 0 END, 0, NULL, NULL
       FROM generate_series(-49, 6) AS d, generate_series(0, $2::int - 1) AS i`,
      [from, querySites],
    );
    await repo.pool.query(`INSERT INTO monitor_heartbeats (minute, at) SELECT m, '' FROM generate_series($1::bigint, $2::bigint) AS m`, [dayStartMs(from) / 60_000, dayStartMs(addDays(from, 7)) / 60_000 - 1]);
    await repo.pool.query('ANALYZE monitor_daily; ANALYZE monitor_heartbeats');
    const seedMs = performance.now() - s0;
    const now = dayStartMs(addDays(from, 8));
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < 5; i++) {
      const q0 = performance.now();
      n = (await repo.weeklyAvailability({ week, now })).length;
      times.push(performance.now() - q0);
    }
    const one0 = performance.now();
    await repo.weeklyAvailability({ week, now, siteId: `site-${Math.floor(querySites / 2)}` });
    const oneMs = performance.now() - one0;
    const sorted = [...times].sort((a, b) => a - b);
    console.log('\n== 每周可用性查询（PostgreSQL）==');
    console.log(`  ${querySites} 个网站 × 8 周日汇总（${((querySites * 56) / 1e6).toFixed(2)}M 行，写入 ${(seedMs / 1000).toFixed(1)} s）：全部网站 ${week} 首次 ${times[0].toFixed(0)} ms，中位 ${pctl(sorted, 50).toFixed(0)} ms（${n} 行）；单个网站 ${oneMs.toFixed(1)} ms`);
  } finally {
    await repo.close();
    await dropSchema();
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(0);
