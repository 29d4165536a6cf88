import { type ParseArgsConfig } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { UsageError } from './usage.ts';
import { nonBlockingLog } from '../runtime/log-stream.ts';
import { dayProblem } from '../monitor/time.ts';
import { loadRubric, type Rubric } from '../score/rubric.ts';
import { loadManual, type ManualFile } from '../score/manual.ts';

/**
 * Options and logging shared by the commands (audit, demo, score, serve, monitor, inquiry, newmedia): each value is
 * checked before the first request, and a bad one is a UsageError (exit 2) with a Chinese reason. main.ts dispatches
 * to the commands; they import from here, never from main.ts.
 */

export function makeLogger(verbose: boolean) {
  return pino({ level: process.env.GOVSITE_LOG ?? (verbose ? 'info' : 'warn'), base: undefined }, nonBlockingLog(2));
}

export const AUDIT_OPTIONS = {
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

export function numOpt(v: string | undefined, name: string, min: number, max: number): number | undefined {
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

export function canaryOpt(v: string): string {
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

export function progressPrinter(enabled: boolean) {
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
