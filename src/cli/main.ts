import { parseArgs, type ParseArgsConfig } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { runAudit, AuditError, unitTypeOfRubric } from '../audit/run.ts';
import type { AuditReport } from '../report/audit-report.ts';
import { zhArgError, zhText } from '../report/zh.ts';
import { writeOutput } from './output.ts';
import { USAGE, UsageError } from './usage.ts';
import { guardStdio, nonBlockingLog } from '../runtime/log-stream.ts';
import { dayProblem } from '../monitor/time.ts';
import { parseDbSpec } from '../repo/open.ts';
import { loadRubric, type Rubric } from '../score/rubric.ts';
import { loadManual, type ManualFile } from '../score/manual.ts';

/**
 * govsite command line. Every command prints Chinese summaries for people; logs go to stderr in English (pino).
 * Exit codes: 0 = the job ran (findings or not); 1 = it could not run (one-line reason); 2 = bad arguments.
 */

export function makeLogger(verbose: boolean) {
  return pino({ level: process.env.GOVSITE_LOG ?? (verbose ? 'info' : 'warn'), base: undefined }, nonBlockingLog(2));
}

const AUDIT_OPTIONS = {
  rubric: { type: 'string' },
  'as-of': { type: 'string' },
  'max-pages': { type: 'string' },
  'max-depth': { type: 'string' },
  concurrency: { type: 'string' },
  'per-host': { type: 'string' },
  delay: { type: 'string' },
  timeout: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  db: { type: 'string' },
  manual: { type: 'string' },
  name: { type: 'string' },
  'site-id': { type: 'string' },
  'parent-domain': { type: 'string' },
  'no-services': { type: 'boolean' },
  'no-browser': { type: 'boolean' },
  'no-network': { type: 'boolean' },
  'skip-host': { type: 'string', multiple: true },
  gather: { type: 'string', multiple: true },
  'no-gather': { type: 'boolean' },
  canary: { type: 'string', multiple: true },
  linkage: { type: 'string', multiple: true },
  chromium: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function intOpt(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${name} 应为整数（收到“${v}”）`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} 应在 ${min} 到 ${max} 之间（收到 ${n}）`);
  return n;
}

function numOpt(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} 应为 ${min} 到 ${max} 之间的数（收到“${v}”）`);
  return n;
}

const FORMATS = ['text', 'json', 'html', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];

export function formatOpt(v: string | undefined): Format {
  const f = (v ?? 'text') as Format;
  if (!FORMATS.includes(f)) throw new UsageError(`--format 应为 ${FORMATS.join('、')} 之一（收到“${v}”）`);
  return f;
}

/** A monitoring time point given on the command line: a real date from 2000-01-01 to one year after today. */
export function checkAsOf(v: string | undefined, what = '--as-of'): string | undefined {
  if (v === undefined) return undefined;
  const problem = dayProblem(v, what);
  if (problem) throw new UsageError(problem);
  return v;
}

/** `--gather interaction.budget=100` (repeatable) → { interaction: { budget: 100 } }; numbers and true/false are typed. */
export function gatherOpt(v: string[] | undefined): Record<string, Record<string, unknown>> | undefined {
  if (!v?.length) return undefined;
  const out: Record<string, Record<string, unknown>> = {};
  for (const item of v) {
    const m = /^([a-z0-9][a-z0-9-]*)\.([A-Za-z][\w-]*)=(.*)$/.exec(item.trim());
    if (!m) throw new UsageError(`--gather 的格式应为 采集器.选项=值，如 interaction.budget=100（收到“${item}”）`);
    const raw = m[3].trim();
    const value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
    (out[m[1]] ??= {})[m[2]] = value;
  }
  return out;
}

function canaryOpt(v: string): string {
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
  } catch {
    /* below */
  }
  throw new UsageError(`--canary 应为 http(s) 网址（收到“${v}”）`);
}

/** `--linkage FILE` (repeatable): the 联动传播 lists, added to the linkage gatherer's files (paths from the working directory). */
export function withLinkage(gather: Record<string, Record<string, unknown>> | undefined, files: string[] | undefined): Record<string, Record<string, unknown>> | undefined {
  if (!files?.length) return gather;
  const out = { ...(gather ?? {}) };
  const prev = out.linkage?.files;
  const list = [...(Array.isArray(prev) ? prev.map(String) : typeof prev === 'string' ? [prev] : []), ...files];
  out.linkage = { ...(out.linkage ?? {}), files: list };
  return out;
}

function progressPrinter(enabled: boolean) {
  if (!enabled) return undefined;
  let last = 0;
  return (p: { pagesDone: number; queued: number; linksChecked: number }) => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    process.stderr.write(`\r\x1b[K已抓取 ${p.pagesDone} 页，待抓取 ${p.queued} 页，已检查链接 ${p.linksChecked} 个`);
  };
}

export type AuditValues = { [K in keyof typeof AUDIT_OPTIONS]?: (typeof AUDIT_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof AUDIT_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** A --rubric value: a rubric id or file that loads and validates (else a usage error, before any request). */
export function rubricArg(v: string): Rubric {
  try {
    return loadRubric(v);
  } catch (e) {
    throw new UsageError(`评分细则 "${v}" 无法使用（应为 hunan-2021-city、hunan-2021-provincial 或评分细则文件）：${(e as Error).message}`);
  }
}

/** A --manual file given on the command line: it must exist and be a valid manual-items file. */
export function manualArg(file: string): ManualFile {
  try {
    return loadManual(file);
  } catch (e) {
    throw new UsageError(`人工评分文件 ${file} 无法使用：${(e as Error).message}`);
  }
}

/** An --out file: its directory must exist and be writable, and it must not be a directory. */
export function outArg(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const abs = path.resolve(file);
  let isDir = false;
  try {
    isDir = fs.statSync(abs).isDirectory();
  } catch {
    /* does not exist yet: fine */
  }
  if (isDir) throw new UsageError(`--out ${file} 是一个目录，请给出文件名`);
  try {
    fs.accessSync(path.dirname(abs), fs.constants.W_OK);
  } catch (e) {
    throw new UsageError(`--out ${file} 无法写入：目录 ${path.dirname(abs)} ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? '不存在' : '不可写'}`);
  }
  return file;
}

/** The audit options of `govsite audit` / `govsite demo`, every one checked before the first request. */
export function auditArgs(v: AuditValues, extra: { asOfDefault?: string } = {}) {
  // Cheap checks first; then the files (the rubric is parsed and validated).
  const format = formatOpt(v.format);
  if (format === 'xlsx' && !v.out && process.stdout.isTTY) throw new UsageError('--format xlsx 输出二进制文件，请用 --out 指定文件，如 --out 报告.xlsx');
  const a = {
    format,
    rubric: v.rubric ?? 'hunan-2021-city',
    asOf: checkAsOf(v['as-of']) ?? extra.asOfDefault,
    maxPages: intOpt(v['max-pages'], 'max-pages', 1, 10_000_000),
    maxDepth: intOpt(v['max-depth'], 'max-depth', 0, 1000),
    concurrency: intOpt(v.concurrency, 'concurrency', 1, 256),
    perHost: intOpt(v['per-host'], 'per-host', 1, 256),
    delayMs: intOpt(v.delay, 'delay', 0, 60_000),
    timeoutMs: (numOpt(v.timeout, 'timeout', 0.1, 300) ?? 15) * 1000,
    out: outArg(v.out),
  };
  if (v.chromium !== undefined) {
    try {
      fs.accessSync(v.chromium, fs.constants.X_OK);
    } catch {
      throw new UsageError(`--chromium ${v.chromium} 不存在或不可执行`);
    }
  }
  rubricArg(a.rubric);
  if (v.manual !== undefined) manualArg(v.manual);
  return a;
}

/**
 * The site address of `govsite audit`: an http(s) URL; a bare host name (www.example.gov.cn, with an optional port
 * and path) is tried with http:// and the user is told. Anything else is a bad argument (exit 2), before any request.
 */
export function auditUrlArg(raw: string, note: (s: string) => void = (s) => void process.stderr.write(s)): string {
  const t = raw.trim();
  let candidate = t;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(t) || /^[^/:]+:\d+(\/|$)/.test(t)) {
    if (!/^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)*(:\d{1,5})?(\/\S*)?$/u.test(t)) throw new UsageError(`网址无效：“${raw}”（应为 http:// 或 https:// 开头的网址，如 https://www.example.gov.cn/）`);
    candidate = `http://${t}`;
  }
  let u: URL;
  try {
    u = new URL(candidate);
  } catch {
    throw new UsageError(`网址无效：“${raw}”（应为 http:// 或 https:// 开头的网址，如 https://www.example.gov.cn/）`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`只能检查 http 或 https 网址（收到“${raw}”）`);
  if (!u.hostname) throw new UsageError(`网址缺少主机名：“${raw}”`);
  if (candidate !== t) note(`未写协议，按 ${u.href} 检查（网站使用 HTTPS 时请写 https://）\n`);
  return candidate === t ? t : u.href;
}

export async function auditCommand(url: string | undefined, v: AuditValues, extra: { asOfDefault?: string } = {}): Promise<number> {
  if (!url) throw new UsageError('audit 需要一个网址：govsite audit <网址>');
  const a = auditArgs(v, extra);
  url = auditUrlArg(url);
  const log = makeLogger(!!v.verbose);
  const spec = parseDbSpec(v.db);
  const dbFile = spec.kind === 'sqlite' ? spec.file : path.join('data', 'govsite.db');
  // The shared PostgreSQL store: the audit runs in a scratch working store and publishes its results there.
  const repo = spec.kind === 'postgres' ? await (await import('../repo/open.ts')).openRepo(spec) : undefined;
  const audit = repo ? (x: Parameters<typeof runAudit>[0]) => import('../queue/publish.ts').then((m) => m.auditIntoRepo(repo, x)) : runAudit;
  const report = await audit({
    url,
    rubric: a.rubric,
    asOf: a.asOf,
    maxPages: a.maxPages,
    maxDepth: a.maxDepth,
    concurrency: a.concurrency,
    perHost: a.perHost,
    delayMs: a.delayMs,
    timeoutMs: a.timeoutMs,
    dbFile,
    manualFile: v.manual,
    site: {
      name: v.name,
      id: v['site-id'],
      parentDomain: v['parent-domain'],
      unitType: unitTypeOfRubric(a.rubric),
      hasPublicServices: !v['no-services'],
    },
    browser: !v['no-browser'],
    chromiumPath: v.chromium,
    network: !v['no-network'],
    skipHosts: v['skip-host'],
    gather: withLinkage(gatherOpt(v.gather), v.linkage),
    gatherers: !v['no-gather'],
    ...(v.canary?.length ? { canaryUrls: v.canary.map(canaryOpt) } : {}),
    log,
    onProgress: progressPrinter(process.stderr.isTTY && a.format === 'text' && !v.verbose),
  }).finally(() => repo?.close());
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  await writeOutput(report, a.format, a.out);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '-h' || cmd === '--help' || (cmd === 'help' && !rest.length)) {
    process.stdout.write(USAGE);
    return cmd ? 0 : 2;
  }
  // `govsite <command> [<sub>] --help` and `govsite help <command> [<sub>]`: that command's own usage.
  const { helpRequested, unknownCommandMessage } = await import('./help.ts');
  const usage = await helpRequested(argv);
  if (usage !== undefined) {
    process.stdout.write(usage);
    return 0;
  }
  if (cmd === 'help') throw new UsageError(unknownCommandMessage(rest[0]));
  if (cmd === '--version' || cmd === '-V') {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`govsite ${pkg.version}\n`);
    return 0;
  }
  switch (cmd) {
    case 'audit': {
      const { values, positionals } = parseArgs({ args: rest, options: AUDIT_OPTIONS, allowPositionals: true, strict: true });
      if (values.help) return help();
      if (positionals.length > 1) throw new UsageError(`audit 只接受一个网址（收到 ${positionals.length} 个）`);
      return auditCommand(positionals[0], values);
    }
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { ...AUDIT_OPTIONS, port: { type: 'string' } }, allowPositionals: false, strict: true });
      if (values.help) return help();
      const { demoCommand } = await import('./demo.ts');
      return demoCommand(values);
    }
    case 'score': {
      const { scoreCommand } = await import('./score-cmd.ts');
      return scoreCommand(rest);
    }
    case 'rubric': {
      const { rubricCommand } = await import('./rubric-main.ts');
      return rubricCommand(rest);
    }
    case 'probe':
    case 'monitor':
    case 'availability':
    case 'run-now':
    case 'sites': {
      const { monitorCommands } = await import('./monitor-main.ts');
      return monitorCommands(cmd, rest);
    }
    case 'inquiry': {
      const { inquiryCommand } = await import('./inquiry-cmd.ts');
      return inquiryCommand(rest);
    }
    case 'serve': {
      const { serveCommand } = await import('./serve-main.ts');
      return serveCommand(rest);
    }
    case 'newmedia': {
      const { newmediaCommand } = await import('./newmedia-main.ts');
      return newmediaCommand(rest);
    }
    case 'worker': {
      const { workerCommand } = await import('./queue-main.ts');
      return workerCommand(rest);
    }
    case 'store': {
      const { storeCommand } = await import('./queue-main.ts');
      return storeCommand(rest);
    }
    default:
      throw new UsageError(unknownCommandMessage(cmd));
  }
}

function help(): number {
  process.stdout.write(USAGE);
  return 0;
}

export type { AuditReport };

const LONG_RUNNING = new Set(['monitor', 'serve', 'worker']);

export async function runCli(argv: string[]): Promise<void> {
  // A reader of stdout/stderr that has gone (EPIPE) must not turn a clean stop into an uncaught exception.
  guardStdio();
  try {
    process.exitCode = await main(argv);
    // Commands end here even if a library left a keep-alive socket, timer or a log write to a stalled pipe behind
    // (long-running ones get a little longer: they have just shut down and may still be writing their last lines).
    setTimeout(() => process.exit(), LONG_RUNNING.has(argv[0] ?? '') ? 2_000 : 200).unref();
  } catch (e) {
    const err = e as Error & { code?: string };
    // Messages for people in Chinese: parseArgs' English and machine reasons go through the translation table.
    if (e instanceof UsageError || err.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`govsite：${err.code?.startsWith('ERR_PARSE_ARGS') ? zhArgError(err.code, err.message) : err.message}\n用法见 govsite --help\n`);
      process.exitCode = 2;
    } else if (e instanceof AuditError) {
      process.stderr.write(`govsite：审计未能进行：${zhText(err.message)}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`govsite：${zhText(err.message)}\n`);
      if (process.env.GOVSITE_DEBUG) process.stderr.write(`${err.stack}\n`);
      process.exitCode = 1;
    }
  }
}
