/**
 * npm run bench:probes [-- --sites 15000 --day 120 --duration 120 --per-day 24 --timeout 15 --hang 0.025 --refuse 0.02
 *                          --concurrency 2000 --per-host N --ports 4 --query-sites 15000 --skip-query]
 *
 * Simulates the availability monitor for many sites on loopback: one local HTTP server (a child process,
 * several ports) answers most sites, hangs past the probe deadline for some (`--hang` share), and some sites
 * point at a closed port (`--refuse` share). Every site has its own host name, resolved by an injected lookup
 * to its own 127.x.y.z address (so sockets never collide in TIME_WAIT). The real scheduler, probe and recorder
 * run with a compressed day (`--day` seconds for 24 hours), for `--duration` seconds.
 *
 * Prints: probes/s, outcomes, peak RSS, peak probes in flight and peak hanging probes, scheduling lag
 * p50/p99/max (start time − slot time), event-loop delay, and the time of the weekly-ratio query for all sites
 * (a week of roll-ups seeded for every site). It reports; it asserts nothing.
 * Goals: 1,000 hanging probes at once on 2 cores; RSS < 300 MB; p99 lag < 2 s; query < 200 ms.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const self = fileURLToPath(import.meta.url);
const bootRss = process.memoryUsage().rss;

// ------------------------------------------------------------------ server child
if (process.argv[2] === '--serve') {
  const ports = Number(process.argv[3] ?? 4);
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>测试市人民政府</title></head><body>${'<a href="/202106/t20210610_7001.html">通知公告</a>'.repeat(30)}<div>网站标识码4300000000 湘ICP备00000000号</div></body></html>`;
  const servers: http.Server[] = [];
  const out: number[] = [];
  for (let i = 0; i < ports; i++) {
    const s = http.createServer((req, res) => {
      if (req.url === '/hang') return; // never answers; the client gives up at its deadline
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page);
    });
    s.maxConnections = 100_000;
    s.keepAliveTimeout = 1_000;
    s.headersTimeout = 120_000;
    s.requestTimeout = 0;
    await new Promise<void>((r) => s.listen({ port: 0, host: '0.0.0.0', backlog: 4096 }, r));
    out.push((s.address() as net.AddressInfo).port);
    servers.push(s);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.on('SIGTERM', () => process.exit(0));
  await new Promise(() => {});
}

// ------------------------------------------------------------------ benchmark
const { values } = parseArgs({
  options: {
    sites: { type: 'string' },
    day: { type: 'string' },
    duration: { type: 'string' },
    'per-day': { type: 'string' },
    timeout: { type: 'string' },
    hang: { type: 'string' },
    refuse: { type: 'string' },
    ports: { type: 'string' },
    concurrency: { type: 'string' },
    'per-host': { type: 'string' },
    'query-sites': { type: 'string' },
    'skip-query': { type: 'boolean' },
    warmup: { type: 'string' },
  },
});
const N = Number(values.sites ?? 15_000);
const daySec = Number(values.day ?? 120);
const durationSec = Number(values.duration ?? daySec);
const perDay = Number(values['per-day'] ?? 24);
const timeoutSec = Number(values.timeout ?? 15);
const hangShare = Number(values.hang ?? 0.025);
const refuseShare = Number(values.refuse ?? 0.02);
const nPorts = Number(values.ports ?? 4);
const concurrency = Number(values.concurrency ?? 2000);
const perHost = Number(values['per-host'] ?? Math.max(1, Math.ceil((timeoutSec * perDay) / daySec) + 1));
const querySites = Number(values['query-sites'] ?? N);
const warmupSec = Number(values.warmup ?? 20);

const { openDatabase } = await import('../src/store/db.ts');
const { ensureMonitorSchema } = await import('../src/monitor/schema.ts');
const { ProbeScheduler } = await import('../src/monitor/scheduler.ts');
const { probeUrl, staticLookup } = await import('../src/monitor/probe.ts');
const { ProbeRecorder, writeHeartbeats } = await import('../src/monitor/store.ts');
const { weeklyAvailability } = await import('../src/monitor/ratios.ts');
const { LoopStallTracker, stallLimitMs } = await import('../src/monitor/stall.ts');
const { dayStartMs, weekRange, addDays } = await import('../src/monitor/time.ts');

function startServer(): Promise<{ ports: number[]; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', self, '--serve', String(nPorts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.once('line', (l) => resolve({ ports: JSON.parse(l) as number[], stop: () => child.kill('SIGTERM') }));
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
}

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

function pctl(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-probes-bench-'));
const server = await startServer();
const refusePort = await closedPort();

type Kind = 'ok' | 'hang' | 'refuse';
const kinds: Kind[] = [];
const hangEvery = hangShare > 0 ? 1 / hangShare : Infinity;
const refuseEvery = refuseShare > 0 ? 1 / refuseShare : Infinity;
const sites = Array.from({ length: N }, (_, i) => {
  const kind: Kind = Number.isFinite(hangEvery) && i % Math.round(hangEvery) === 0 ? 'hang' : Number.isFinite(refuseEvery) && i % Math.round(refuseEvery) === 1 ? 'refuse' : 'ok';
  kinds.push(kind);
  const port = kind === 'refuse' ? refusePort : server.ports[i % server.ports.length];
  return { id: `site-${i}`, url: `http://s${i}.bench.gov.test:${port}/${kind === 'hang' ? 'hang' : ''}`, probesPerDay: perDay };
});
const kindById = new Map(sites.map((s, i) => [s.id, kinds[i]]));
const addressOf = (host: string): string | undefined => {
  const m = /^s(\d+)\.bench\.gov\.test$/.exec(host);
  if (!m) return undefined;
  const i = Number(m[1]);
  return `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255) + 1 > 254 ? 254 : (i & 255) + 1}`;
};
const lookup = staticLookup((h) => addressOf(h));

console.log(
  `站点 ${N} 个（挂起 ${kinds.filter((k) => k === 'hang').length}，拒绝连接 ${kinds.filter((k) => k === 'refuse').length}），` +
    `每“天” ${perDay} 次，压缩日 ${daySec} s，运行 ${durationSec} s，超时 ${timeoutSec} s，并发上限 ${concurrency}，每主机 ${perHost}，` +
    `${os.cpus().length} 核，服务端口 ${server.ports.join(',')}`,
);

const db = openDatabase(path.join(tmp, 'probes.db'));
ensureMonitorSchema(db);
const recorder = new ProbeRecorder(db, { batchSize: 2000, outageGuard: { enabled: false } });

let lags = new Float64Array(1 << 16);
let lagAt = new Float64Array(1 << 16);
let nLags = 0;
let peakRssSteady = 0;
const outcomes = new Map<string, number>();
let hangingNow = 0;
let peakHanging = 0;
let peakRss = 0;
let peakHeap = 0;
let droppedStalled = 0;
const stall = new LoopStallTracker();
stall.start();
const elDelay = monitorEventLoopDelay({ resolution: 10 });
elDelay.enable();

const scheduler = new ProbeScheduler({
  sites,
  dayMs: daySec * 1000,
  origin: Date.now(),
  concurrency,
  perHost,
  probe: async (site, signal) => {
    const hang = kindById.get(site.id) === 'hang';
    if (hang) {
      hangingNow++;
      if (hangingNow > peakHanging) peakHanging = hangingNow;
    }
    try {
      return await probeUrl(site.url, { timeoutMs: timeoutSec * 1000, lookup, signal });
    } finally {
      if (hang) hangingNow--;
    }
  },
  onResult: (site, r, info) => {
    if (nLags === lags.length) {
      const bigger = new Float64Array(lags.length * 2);
      bigger.set(lags);
      lags = bigger;
      const biggerAt = new Float64Array(lagAt.length * 2);
      biggerAt.set(lagAt);
      lagAt = biggerAt;
    }
    lagAt[nLags] = info.scheduledAt;
    lags[nLags++] = info.lagMs;
    outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    // same rule as the monitor: a timeout measured while this process was frozen is not counted
    if (r.outcome === 'timeout' && stall.stalledMs(Date.parse(r.at), Date.parse(r.at) + r.ms) >= stallLimitMs(timeoutSec * 1000)) {
      droppedStalled++;
      return;
    }
    recorder.add(site.id, r);
  },
  onError: (_s, e) => console.error('probe error', e),
});

const flushTimer = setInterval(() => recorder.flush(), 1000);
const idleRss = process.memoryUsage().rss;
let lastReport = performance.now();
let lastDone = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (performance.now() - t0 > warmupSec * 1000 && m.rss > peakRssSteady) peakRssSteady = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
  const now = performance.now();
  if (now - lastReport >= 10_000) {
    const st = scheduler.stats;
    console.log(
      `  ${((now - t0) / 1000).toFixed(0)} s: 完成 ${st.completed}（${(((st.completed - lastDone) * 1000) / (now - lastReport)).toFixed(0)}/s），` +
        `进行中 ${st.inFlight}（挂起 ${hangingNow}），排队 ${st.queued}，RSS ${mb(m.rss)} MB`,
    );
    lastReport = now;
    lastDone = st.completed;
  }
}, 200);

const t0 = performance.now();
const wallStart = Date.now();
scheduler.start();
await new Promise((r) => setTimeout(r, durationSec * 1000));
const stopAt = performance.now();
const stats = scheduler.stats;
await scheduler.stop();
recorder.flush();
clearInterval(flushTimer);
clearInterval(sampler);
elDelay.disable();
const elapsed = (stopAt - t0) / 1000;

const sorted = lags.slice(0, nLags).sort();
const steadyList: number[] = [];
for (let k = 0; k < nLags; k++) if (lagAt[k] >= wallStart + warmupSec * 1000) steadyList.push(lags[k]);
const steady = Float64Array.from(steadyList).sort();
const expected = (N * perDay * durationSec) / daySec;
console.log('\n== 探测 ==');
console.log(`完成 ${stats.completed} 次（按计划约 ${expected.toFixed(0)} 次），${(stats.completed / elapsed).toFixed(0)} 次/秒；已调度 ${stats.scheduled}，错过 ${stats.missed}，异常 ${stats.errors}`);
console.log(`结果：${[...outcomes].map(([k, v]) => `${k} ${v}`).join('，')}`);
console.log(`峰值进行中 ${stats.maxInFlight}，峰值同时挂起 ${peakHanging}`);
console.log(`峰值 RSS ${mb(peakRss)} MB（堆 ${mb(peakHeap)} MB）；预热 ${warmupSec} s 之后峰值 RSS ${mb(peakRssSteady)} MB`);
console.log(`调度延迟（全部）p50 ${pctl(sorted, 50).toFixed(0)} ms，p99 ${pctl(sorted, 99).toFixed(0)} ms，最大 ${pctl(sorted, 100).toFixed(0)} ms`);
console.log(`调度延迟（预热 ${warmupSec} s 之后）p50 ${pctl(steady, 50).toFixed(0)} ms，p99 ${pctl(steady, 99).toFixed(0)} ms，最大 ${pctl(steady, 100).toFixed(0)} ms`);
console.log(`事件循环延迟 p50 ${(elDelay.percentile(50) / 1e6).toFixed(1)} ms，p99 ${(elDelay.percentile(99) / 1e6).toFixed(1)} ms，最大 ${(elDelay.max / 1e6).toFixed(0)} ms`);
console.log(`进程基线 RSS ${mb(bootRss)} MB（载入模块、建站点表后 ${mb(idleRss)} MB）`);
console.log(`已写入探测记录 ${recorder.written} 行；因本进程卡顿而不计的超时 ${droppedStalled} 次（卡顿合计 ${(stall.totalStalledMs / 1000).toFixed(1)} s）`);
stall.stop();
db.close();
server.stop();

// ------------------------------------------------------------------ weekly query
if (!values['skip-query']) {
  const qdb = openDatabase(path.join(tmp, 'query.db'));
  ensureMonitorSchema(qdb);
  const week = '2021-W24';
  const { from } = weekRange(week);
  const seed0 = performance.now();
  const ins = qdb.prepare('INSERT INTO monitor_daily (day, site_id, probes, failures, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?)');
  // 8 weeks of history (the query must not slow down with months of data)
  qdb.transaction(() => {
    for (let d = -49; d < 7; d++) {
      const day = addDays(from, d);
      const first = new Date(dayStartMs(day) + 60_000).toISOString();
      const last = new Date(dayStartMs(day) + 86_000_000).toISOString();
      for (let i = 0; i < querySites; i++) ins.run(day, `site-${i}`, i % 97 === 0 ? 18 : 24, i % 13 === 0 ? 2 : 0, first, last);
    }
  })();
  writeHeartbeats(qdb, dayStartMs(from) / 60_000, dayStartMs(addDays(from, 7)) / 60_000 - 1);
  qdb.pragma('optimize');
  const seedMs = performance.now() - seed0;
  const now = dayStartMs(addDays(from, 8));
  const times: number[] = [];
  let rows = 0;
  for (let k = 0; k < 5; k++) {
    const q0 = performance.now();
    rows = weeklyAvailability(qdb, { week, now }).length;
    times.push(performance.now() - q0);
  }
  const one0 = performance.now();
  weeklyAvailability(qdb, { week, siteId: `site-${Math.floor(querySites / 2)}`, now });
  const oneMs = performance.now() - one0;
  const sortedT = [...times].sort((a, b) => a - b);
  console.log('\n== 每周可用性查询 ==');
  console.log(
    `${querySites} 个网站 × 8 周日汇总（${((querySites * 56) / 1e6).toFixed(2)}M 行，写入 ${(seedMs / 1000).toFixed(1)} s）：` +
      `全部网站 ${week} 查询 首次 ${times[0].toFixed(0)} ms，中位 ${sortedT[2].toFixed(0)} ms（${rows} 行）；单个网站 ${oneMs.toFixed(1)} ms`,
  );
  qdb.close();
}
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(0);
