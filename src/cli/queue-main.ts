import { parseArgs } from 'node:util';
import path from 'node:path';
import { isRedisUrl, queuePrefix, queueTimings, redactRedis, VANTAGE_RE, redisConnection, AUDIT_QUEUE } from '../queue/common.ts';
import { loadSitesConfig } from '../monitor/config.ts';
import { parseDbSpec, openRepo, type DbSpec } from '../repo/open.ts';
import type { Repo } from '../repo/types.ts';
import { makeLogger } from './options.ts';
import { UsageError } from './usage.ts';

/**
 * Queue mode and the shared store:
 *   govsite worker --vantage ID [--queues probe,audit,rescore] [--queue redis://…] [--db postgres://…]
 *   govsite monitor --queue redis://… --config sites.yaml [--db postgres://…]   (the scheduler: see monitor-main.ts)
 *   govsite run-now --queue redis://… --config sites.yaml                        (enqueues today's nightly audits)
 *   govsite store migrate --from sqlite:./data/govsite.db --to postgres://…
 * `GOVSITE_QUEUE` and `GOVSITE_DB` stand for --queue and --db.
 */

export const WORKER_USAGE = `govsite worker — 队列模式的工作进程（探测与夜间巡检）

用法:
  govsite worker --vantage ID [--queues probe,audit,rescore] [--queue redis://…] [--db postgres://…]

选项:
  --vantage ID         监测点编号（字母、数字、连字符），每条探测记录都记下它；不同网络位置的工作进程用不同编号
  --queues 列表        处理哪些任务：probe（可用性探测）、audit（夜间巡检）、rescore（复核后重新评分），默认全部
  --queue URL          Redis 地址（默认环境变量 GOVSITE_QUEUE）
  --db URL             共享数据库（默认环境变量 GOVSITE_DB；PostgreSQL：postgres://…）
  --concurrency N      同时进行的巡检数（默认 2）
  --screenshots 目录   首页截图目录（应与看板共享，例如同一数据卷）
  --scratch 目录       巡检工作库的临时目录（默认系统临时目录）
  --no-browser         不使用浏览器渲染确认
  -v, --verbose        输出运行日志
`;

export function queueUrlOf(v: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const s = (v ?? env.GOVSITE_QUEUE ?? '').trim();
  if (!s) return undefined;
  if (!isRedisUrl(s)) throw new UsageError(`--queue / GOVSITE_QUEUE 应为 redis:// 地址（当前为 "${s}"）`);
  return s;
}

export async function openRepoOrExit(spec: DbSpec): Promise<Repo> {
  try {
    return await openRepo(spec);
  } catch (e) {
    throw new Error(`无法打开数据库：${(e as Error).message}`);
  }
}

/** Stops on the first SIGINT/SIGTERM; resolves then. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function workerCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      vantage: { type: 'string' }, queues: { type: 'string' }, queue: { type: 'string' }, db: { type: 'string' }, concurrency: { type: 'string' },
      screenshots: { type: 'string' }, scratch: { type: 'string' }, 'no-browser': { type: 'boolean' }, chromium: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(WORKER_USAGE);
    return 0;
  }
  const vantage = values.vantage?.trim().toLowerCase();
  if (!vantage || !VANTAGE_RE.test(vantage)) throw new UsageError('worker 需要 --vantage ID（小写字母、数字、连字符，最长 32 个字符），例如 --vantage changsha-1');
  const queues = (values.queues ?? 'probe,audit,rescore').split(',').map((q) => q.trim()).filter(Boolean);
  for (const q of queues) if (q !== 'probe' && q !== 'audit' && q !== 'rescore') throw new UsageError(`--queues 只能包含 probe、audit 和 rescore（当前为 "${q}"）`);
  const queueUrl = queueUrlOf(values.queue);
  if (!queueUrl) throw new UsageError('worker 需要队列地址：--queue redis://… 或环境变量 GOVSITE_QUEUE');
  const spec = parseDbSpec(values.db);
  const concurrency = values.concurrency !== undefined ? Number(values.concurrency) : undefined;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)) throw new UsageError('--concurrency 应为 1 到 32 之间的整数');
  const timings = queueTimings();
  const prefix = queuePrefix();
  const { resolveFromEnv, startWorker } = await import('../queue/worker.ts');
  const lookup = resolveFromEnv(process.env.GOVSITE_RESOLVE);
  const log = makeLogger(!!values.verbose);
  const repo = await openRepoOrExit(spec);
  const screenshotDir = values.screenshots ?? process.env.GOVSITE_SCREENSHOTS ?? (spec.kind === 'sqlite' ? path.join(path.dirname(path.resolve(spec.file)), 'screenshots') : undefined);
  const w = await startWorker({
    repo, queueUrl, prefix, vantage, queues: queues as ('probe' | 'audit' | 'rescore')[], timings,
    ...(concurrency ? { auditConcurrency: concurrency } : {}),
    ...(values.scratch ? { scratchDir: values.scratch } : {}),
    ...(screenshotDir ? { screenshotDir } : {}),
    browser: !values['no-browser'] && process.env.GOVSITE_NO_BROWSER !== '1',
    network: process.env.GOVSITE_NO_NETWORK !== '1',
    gatherers: process.env.GOVSITE_NO_GATHER !== '1',
    ...(values.chromium ?? process.env.GOVSITE_CHROMIUM ? { chromiumPath: values.chromium ?? process.env.GOVSITE_CHROMIUM } : {}),
    ...(lookup ? { lookup } : {}),
    logger: log,
    auditLogger: log,
  });
  process.stderr.write(`工作进程已启动：监测点 ${vantage}，任务 ${queues.join('、')}；队列 ${redactRedis(queueUrl)}，数据库 ${repo.label}（${w.id}）\n`);
  await untilSignal();
  process.stderr.write('正在停止工作进程（进行中的任务将由其他工作进程接手）…\n');
  await w.stop();
  await repo.close();
  process.stderr.write(`工作进程已停止：探测轮次 ${w.stats.rounds}，探测 ${w.stats.probes} 次，巡检 ${w.stats.audits} 个（失败 ${w.stats.auditsFailed}）\n`);
  return 0;
}

/** `govsite monitor --queue …`: the scheduler (no probing, no auditing in this process). */
export async function schedulerCommand(o: { config: string; db?: string; queueUrl: string; noNightly?: boolean; verbose?: boolean; format?: 'text' | 'json' }): Promise<number> {
  let cfg;
  try {
    cfg = loadSitesConfig(o.config);
  } catch (e) {
    process.stderr.write(`错误：${(e as Error).message}\n`);
    return 2;
  }
  const spec = parseDbSpec(o.db);
  const repo = await openRepoOrExit(spec);
  const { startScheduler } = await import('../queue/scheduler.ts');
  const log = makeLogger(o.verbose ?? true);
  const timeout = process.env.GOVSITE_PROBE_TIMEOUT_MS ? Number(process.env.GOVSITE_PROBE_TIMEOUT_MS) : undefined;
  if (timeout !== undefined && !(timeout >= 100 && timeout <= 120_000)) throw new UsageError('GOVSITE_PROBE_TIMEOUT_MS 应为 100 到 120000 之间的毫秒数');
  const h = await startScheduler({ repo, queueUrl: o.queueUrl, prefix: queuePrefix(), config: cfg, ...(timeout ? { probeTimeoutMs: timeout } : {}), configPath: o.config, ...(o.noNightly ? { nightly: false } : {}), logger: log });
  const msg = `调度进程已启动：${cfg.sites.length} 个网站，探测轮次 ${queueTimings().roundMs / 1000} 秒；${o.noNightly || !cfg.nightly.enabled ? '不做夜间巡检' : `夜间巡检 "${cfg.nightly.cron}"（${cfg.nightly.timezone}）`}；队列 ${redactRedis(o.queueUrl)}，数据库 ${repo.label}。按 Ctrl+C 停止。`;
  if (o.format === 'json') process.stdout.write(`${JSON.stringify({ event: 'started', mode: 'scheduler', sites: cfg.sites.length })}\n`);
  else process.stdout.write(`${msg}\n`);
  await untilSignal();
  await h.stop();
  await repo.close();
  if (o.format === 'json') process.stdout.write(`${JSON.stringify({ event: 'stopped' })}\n`);
  else process.stdout.write('调度进程已停止。\n');
  return 0;
}

/** `govsite run-now --queue …`: opens today's nightly run and enqueues its audits for the workers. */
export async function runNowQueueCommand(o: { config: string; db?: string; queueUrl: string; sites?: string[]; asOf?: string; format?: 'text' | 'json' }): Promise<number> {
  const cfg = loadSitesConfig(o.config);
  const sites = o.sites?.length ? cfg.sites.filter((s) => o.sites!.includes(s.id)) : cfg.sites;
  const unknown = (o.sites ?? []).filter((id) => !cfg.sites.some((s) => s.id === id));
  if (unknown.length) throw new UsageError(`sites.yaml 中没有这些网站：${unknown.join('、')}`);
  const repo = await openRepoOrExit(parseDbSpec(o.db));
  const { Queue } = await import('bullmq');
  const { enqueueNightly } = await import('../queue/scheduler.ts');
  const { shanghaiDay } = await import('../monitor/time.ts');
  const conn = redisConnection(o.queueUrl);
  const audit = new Queue(AUDIT_QUEUE, { connection: conn as never, prefix: queuePrefix() });
  try {
    const asOf = o.asOf ?? shanghaiDay(Date.now());
    const r = await enqueueNightly(repo, audit, sites, asOf, `run-now:${process.pid}`, { perHost: cfg.nightly.perHost, perPlatform: cfg.nightly.perPlatform });
    if (o.format === 'json') process.stdout.write(`${JSON.stringify({ ...r, asOf })}\n`);
    else process.stdout.write(`夜间巡检 #${r.nightlyRunId}（${asOf}）${r.created ? '已建立' : '已存在'}：加入队列 ${r.enqueued} 个网站，由工作进程执行。\n`);
    return 0;
  } finally {
    await audit.close();
    conn.disconnect();
    await repo.close();
  }
}

export async function storeCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'migrate') throw new UsageError('store 的子命令：migrate（govsite store migrate --from sqlite:./data/govsite.db --to postgres://…）');
  const { values } = parseArgs({ args: rest, options: { from: { type: 'string' }, to: { type: 'string' }, batch: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write('govsite store migrate --from sqlite:./data/govsite.db --to postgres://用户@主机:5432/库 [--batch 5000]\n  把单机 SQLite 数据库中的共享数据（检查结果、评分、探测、汇总、预警与预警记录、夜间巡检、维护时段、模拟咨询、新媒体名录）分批复制到 PostgreSQL；可重复执行，不会重复写入。\n');
    return 0;
  }
  if (!values.from || !values.to) throw new UsageError('store migrate 需要 --from sqlite:文件 和 --to postgres://…');
  const from = parseDbSpec(values.from);
  const to = parseDbSpec(values.to);
  if (from.kind !== 'sqlite') throw new UsageError('--from 应为 SQLite 数据库（sqlite:./data/govsite.db）');
  if (to.kind !== 'postgres') throw new UsageError('--to 应为 PostgreSQL 地址（postgres://…）');
  const batch = values.batch ? Number(values.batch) : 5000;
  if (!Number.isInteger(batch) || batch < 100 || batch > 100_000) throw new UsageError('--batch 应为 100 到 100000 之间的整数');
  const { migrateSqliteToPostgres } = await import('../repo/migrate.ts');
  const r = await migrateSqliteToPostgres({
    from: from.file, to: to.url, ...(to.schema ? { schema: to.schema } : {}), batch,
    onProgress: (table, n) => process.stderr.write(`\r\x1b[K${table}: ${n} 行`),
  });
  process.stderr.write('\r\x1b[K');
  process.stdout.write(`已复制到 PostgreSQL：${Object.entries(r.copied).map(([t, n]) => `${t} ${n} 行`).join('，')}${r.skipped ? `；已存在而跳过 ${r.skipped} 行` : ''}\n`);
  return 0;
}
