import { parseArgs, type ParseArgsConfig } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDashboard } from '../web/server.ts';
import { isLoopbackAddress, loadToken } from '../web/auth.ts';
import { intOpt, makeLogger } from './options.ts';
import { UsageError } from './usage.ts';
import { queueUrlOf } from './queue-main.ts';
import { queuePrefix } from '../queue/common.ts';
import { isPostgresUrl } from '../repo/open.ts';

export const SERVE_USAGE = `govsite serve — 监测看板（网页 + JSON 接口）

用法:
  govsite serve [--port N] [--host H] [--db FILE] [--config sites.yaml] [--token-file F]
  govsite serve --demo [--port N]      用示例数据启动看板（临时数据库，不影响正式数据）

选项:
  --port N           端口（默认 8080）
  --host H           监听地址（默认 127.0.0.1，仅本机可访问；容器中用 0.0.0.0）
  --db FILE          数据库文件（默认 ./data/govsite.db；也可用环境变量 GOVSITE_DB）；postgres://… 为多机共享数据库（队列模式）
  --config FILE      站点配置文件（默认 ./sites.yaml，不存在时只显示数据库中的网站）
  --queue URL        队列模式：显示队列状态页 /queues（等待、进行中、失败的任务，工作进程与监测点）；默认 GOVSITE_QUEUE
  --token-file F     操作口令文件（第一行）；也可用环境变量 GOVSITE_TOKEN。
                     复核、人工评分、立即检查需要该口令；未指定时每次启动随机生成并打印在终端
  --demo             生成示例数据（示例网站的检查结果 + 9 周的模拟监测数据）并打开看板
  -v, --verbose      输出运行日志（stderr）
`;

export const SERVE_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  db: { type: 'string' },
  config: { type: 'string' },
  'token-file': { type: 'string' },
  queue: { type: 'string' },
  demo: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** `govsite serve`: runs until SIGINT/SIGTERM; resolves with the exit code. */
export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: SERVE_OPTIONS, allowPositionals: false, strict: true });
  if (values.help) {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  const port = intOpt(values.port, 'port', 0, 65535) ?? 8080;
  const host = values.host ?? '127.0.0.1';
  if (!host.trim() || /\s/.test(host)) throw new UsageError(`--host 应为地址（收到“${host}”）`);
  if (values.demo && values.config) throw new UsageError('--demo 自带站点配置文件，请不要同时给出 --config');
  const token = loadToken({ tokenFile: values['token-file'], env: process.env, readFile: (f) => fs.readFileSync(f, 'utf8') });
  const log = makeLogger(!!values.verbose);
  const queueUrl = queueUrlOf(values.queue);
  const dbValue = values.db ?? process.env.GOVSITE_DB;
  if (isPostgresUrl(dbValue)) {
    // The shared PostgreSQL store (queue mode): the cluster dashboard (reviews rescored by workers in queue mode).
    if (values.demo) throw new UsageError('--demo 使用临时 SQLite 数据库：请不要同时给出 PostgreSQL 地址');
    const { createClusterDashboard } = await import('../web/cluster.ts');
    const { openRepo, parseDbSpec } = await import('../repo/open.ts');
    const repo = await openRepo(parseDbSpec(dbValue));
    const dash = await createClusterDashboard({
      repo, configFile: values.config ?? 'sites.yaml', allowMissingConfig: values.config === undefined, host,
      ...(token ? { token } : {}),
      ...(queueUrl ? { queue: { url: queueUrl, prefix: queuePrefix() } } : {}), logger: log,
    });
    let url: string;
    try {
      url = await dash.listen(port, host);
    } catch (e) {
      await dash.close();
      await repo.close();
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EADDRINUSE') throw new Error(`端口 ${port} 已被占用：请用 --port 换一个端口`);
      throw new Error(`看板无法启动：${err.message}`);
    }
    await announceAndWait(`看板已启动（PostgreSQL ${repo.label}${queueUrl ? '，复核后的重新评分由工作进程执行' : ''}）：${url}/`, dash, host, '复核、人工评分、模拟咨询、维护时段');
    await dash.close();
    await repo.close();
    return 0;
  }

  let dbFile = values.db ?? path.join('data', 'govsite.db');
  let configFile = values.config ?? 'sites.yaml';
  let allowMissingConfig = values.config === undefined;
  let defaultWeek: string | undefined;
  let demoClose: (() => Promise<void>) | undefined;
  if (values.demo) {
    const { seedDemo } = await import('../web/demo-seed.ts');
    const dir = values.db ? path.dirname(path.resolve(values.db)) : fs.mkdtempSync(path.join(os.tmpdir(), 'govsite-demo-'));
    if (values.db && fs.existsSync(values.db) && fs.statSync(values.db).size > 0)
      throw new Error(`--demo 不会写入已有数据库 ${values.db}：请换一个新文件名，或不指定 --db（使用临时目录）`);
    if (values.db && (fs.existsSync(path.join(dir, 'sites.yaml')) || fs.existsSync(path.join(dir, 'manual'))))
      throw new Error(`--demo 会在 ${dir} 中写入 sites.yaml 和 manual/，该目录中已有同名文件：请把 --db 放到一个新目录`);
    process.stderr.write(`正在生成示例数据（${dir}）…\n`);
    let demo: Awaited<ReturnType<typeof seedDemo>>;
    try {
      demo = await seedDemo({ dir, ...(values.db ? { dbFile: values.db } : {}), log });
    } catch (e) {
      if (!values.db) fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`示例数据生成失败：${(e as Error).message}`);
    }
    dbFile = demo.dbFile;
    configFile = demo.configFile;
    allowMissingConfig = false;
    defaultWeek = demo.week;
    const ownDir = !values.db;
    demoClose = async () => {
      await demo.close();
      // The demo's temporary directory goes with it (a --db file given by the user stays).
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    };
    process.stderr.write(`示例数据已生成：数据库 ${demo.dbFile}，站点配置 ${demo.configFile}${demo.crawled ? `，示例网站 ${demo.siteUrl}` : ''}\n`);
  }

  let dash: Awaited<ReturnType<typeof createDashboard>>;
  try {
    dash = await createDashboard({
      dbFile,
      configFile,
      allowMissingConfig,
      ...(token ? { token } : {}),
      host,
      ...(defaultWeek ? { defaultWeek } : {}),
      ...(queueUrl ? { queue: { url: queueUrl, prefix: queuePrefix() } } : {}),
      logger: log,
    });
  } catch (e) {
    await demoClose?.();
    throw e;
  }
  let url: string;
  try {
    url = await dash.listen(port, host);
  } catch (e) {
    await dash.close();
    await demoClose?.();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(`端口 ${port} 已被占用：请用 --port 换一个端口`);
    if (err.code === 'EACCES') throw new Error(`没有权限监听 ${host}:${port}`);
    throw new Error(`看板无法启动：${err.message}`);
  }
  await announceAndWait(`看板已启动：${url}/`, dash, host, '复核、人工评分、立即检查时');
  process.stderr.write('正在停止看板…\n');
  await dash.close();
  await demoClose?.();
  return 0;
}

/** Says where the dashboard listens (and its one-time token), then waits for Ctrl+C or SIGTERM. */
async function announceAndWait(started: string, dash: { tokenGenerated: boolean; token: string }, host: string, tokenUse: string): Promise<void> {
  process.stderr.write(`${started}\n`);
  if (dash.tokenGenerated) {
    process.stderr.write(`本次启动的操作口令（${tokenUse}登录用）：${dash.token}\n`);
    process.stderr.write('（固定口令请用 --token-file 文件 或环境变量 GOVSITE_TOKEN 指定）\n');
  }
  if (!isLoopbackAddress(host)) process.stderr.write(`注意：看板监听 ${host}，同一网络中的其他计算机也能访问（写操作仍需口令）\n`);
  process.stderr.write('按 Ctrl+C 停止\n');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
