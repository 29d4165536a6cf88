/**
 * Command implementations for the CLI (the CLI parses arguments and calls these):
 *   govsite monitor       --config sites.yaml [--db FILE]
 *   govsite probe <url>   [--count N] [--interval S] [--timeout S] [--format text|json]
 *   govsite availability  [--site ID] [--week 2021-W24 | --from DATE --to DATE] [--group week|range] [--format text|json]
 *   govsite run-now       --config sites.yaml [--site ID …] [--concurrency N] [--no-warnings] [--format text|json]
 *   govsite sites add     --config sites.yaml --id ID --name 名称 --url URL --rubric hunan-2021-city … [--replace]
 *   govsite sites list    --config sites.yaml [--format text|json]
 *   govsite sites remove  --config sites.yaml --id ID
 * Each returns a process exit code: 0 success, 1 "ran, but something is wrong" (probe failures), 2 usage or
 * configuration error (message on stderr, Chinese).
 */
import { zhProbeNote, zhText } from '../report/zh.ts';
import type { Db } from '../store/db.ts';
import { openDatabase } from '../store/db.ts';
import type { SiteConfig, SiteInput, SitesConfig } from './config.ts';
import { RUBRICS, SitesConfigError, addSite, loadSitesConfig, probesPerDayFor, removeSite } from './config.ts';
import type { MonitorHandle, MonitorLogger } from './monitor.ts';
import { startMonitor } from './monitor.ts';
import type { AuditFn, NightlyResult } from './nightly.ts';
import { NightlyBusyError, runNightly } from './nightly.ts';
import type { LookupFn, ProbeResult } from './probe.ts';
import { OUTCOME_LABELS, isFailureOutcome, probeUrl } from './probe.ts';
import type { AvailabilityRow } from './ratios.ts';
import { weeklyAvailability, availabilityVerdict, type AvailabilityVerdict } from './ratios.ts';
import { ensureMonitorSchema } from './schema.ts';
import { SHANGHAI_OFFSET_MS, dayProblem, weekProblem } from './time.ts';

export type OutputFormat = 'text' | 'json';

export interface CommandIO {
  out?: (s: string) => void;
  err?: (s: string) => void;
}

export interface DbOption {
  /** An open database (the caller closes it) … */
  db?: Db;
  /** … or a path to open (closed by the command). Default: data/govsite.db */
  dbPath?: string;
}

export const DEFAULT_DB_PATH = 'data/govsite.db';

function io(x: CommandIO = {}): Required<CommandIO> {
  return {
    out: x.out ?? ((s) => void process.stdout.write(s.endsWith('\n') ? s : `${s}\n`)),
    err: x.err ?? ((s) => void process.stderr.write(s.endsWith('\n') ? s : `${s}\n`)),
  };
}

function withDb<T>(o: DbOption, fn: (db: Db) => T): T {
  if (o.db) {
    ensureMonitorSchema(o.db);
    return fn(o.db);
  }
  const db = openDatabase(o.dbPath ?? DEFAULT_DB_PATH);
  ensureMonitorSchema(db);
  let closeNow = true;
  try {
    const r = fn(db);
    if (r instanceof Promise) {
      closeNow = false;
      return r.finally(() => db.close()) as T;
    }
    return r;
  } finally {
    if (closeNow) db.close();
  }
}

function fail(e: unknown, o: Required<CommandIO>): number {
  const msg = e instanceof Error ? e.message : String(e);
  o.err(`错误：${msg}`);
  return 2;
}

/** 'YYYY-MM-DD HH:mm:ss' in Asia/Shanghai. */
export function formatShanghai(iso: string | number): string {
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  return new Date(t + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

function pct(r: number, digits = 2): string {
  return `${(r * 100).toFixed(digits)}%`;
}

/** Pads by display width (CJK characters count double). */
function pad(s: string, width: number, right = false): string {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  const fill = ' '.repeat(Math.max(0, width - w));
  return right ? fill + s : s + fill;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

// ---------------------------------------------------------------- probe

export interface ProbeCommandOptions {
  url: string;
  /** Probes to run (default 1). */
  count?: number;
  /** Seconds between probe starts (default 0 = back to back). */
  interval?: number;
  /** Deadline per probe, seconds (default 15). */
  timeout?: number;
  format?: OutputFormat;
  lookup?: LookupFn;
  signal?: AbortSignal;
}

export interface ProbeCommandJson {
  url: string;
  probes: { at: string; outcome: ProbeResult['outcome']; status?: number; ms: number; error?: string; family?: number; address?: string; bytes?: number }[];
  failures: number;
  ratio: number;
}

/** `govsite probe <url>`: the monitor's own probe, N times. Exit 0 when every probe succeeded, 1 otherwise. */
export async function runProbeCommand(opts: ProbeCommandOptions, ioOpts?: CommandIO): Promise<number> {
  const o = io(ioOpts);
  const count = opts.count ?? 1;
  const interval = opts.interval ?? 0;
  const timeout = opts.timeout ?? 15;
  try {
    const u = new URL(opts.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('');
  } catch {
    return fail(new Error(`网址无效：${opts.url}（应以 http:// 或 https:// 开头）`), o);
  }
  if (!Number.isInteger(count) || count < 1 || count > 10_000) return fail(new Error('--count 应为 1 到 10000 之间的整数'), o);
  if (!(interval >= 0) || interval > 86_400) return fail(new Error('--interval 应为 0 到 86400 之间的秒数'), o);
  if (!(timeout > 0) || timeout > 600) return fail(new Error('--timeout 应为 0 到 600 之间的秒数'), o);
  const json = opts.format === 'json';
  if (!json) o.out(`探测 ${opts.url}（完整响应时限 ${timeout} 秒，共 ${count} 次${count > 1 && interval ? `，间隔 ${interval} 秒` : ''}）`);
  const results: ProbeResult[] = [];
  for (let i = 0; i < count; i++) {
    if (opts.signal?.aborted) break;
    const started = Date.now();
    let r: ProbeResult;
    try {
      r = await probeUrl(opts.url, { timeoutMs: Math.round(timeout * 1000), lookup: opts.lookup, signal: opts.signal });
    } catch {
      break; // cancelled
    }
    results.push(r);
    if (!json) {
      const addr = r.address ? `IPv${r.family ?? '?'} ${r.address}` : '';
      o.out(
        `${pad(String(i + 1), 4, true)}  ${formatShanghai(r.at)}  ${pad(OUTCOME_LABELS[r.outcome], 14)} ${pad(r.status ? String(r.status) : '—', 4, true)} ${pad(`${r.ms} ms`, 9, true)}  ${pad(`${r.bytes} 字节`, 12, true)}  ${addr}${r.error && r.outcome !== 'ok' ? `  （${probeReason(r.error)}）` : r.error ? `  ［${zhProbeNote(r.error)}］` : ''}`,
      );
    }
    if (i < count - 1 && interval > 0) await sleep(Math.max(0, started + interval * 1000 - Date.now()), opts.signal);
  }
  const failures = results.filter((r) => isFailureOutcome(r.outcome)).length;
  const ratio = results.length ? failures / results.length : 0;
  if (json) {
    const body: ProbeCommandJson = {
      url: opts.url,
      probes: results.map((r) => ({
        at: r.at,
        outcome: r.outcome,
        ...(r.status !== undefined ? { status: r.status } : {}),
        ms: r.ms,
        ...(r.error ? { error: r.error } : {}),
        ...(r.family ? { family: r.family } : {}),
        ...(r.address ? { address: r.address } : {}),
        bytes: r.bytes,
      })),
      failures,
      ratio,
    };
    o.out(JSON.stringify(body, null, 2));
  } else {
    o.out(`结果：共 ${results.length} 次，失败 ${failures} 次，失败占比 ${pct(ratio, 1)}${failures * 20 >= results.length && results.length > 0 ? '（达到 5%）' : ''}`);
  }
  return failures > 0 ? 1 : 0;
}

// ---------------------------------------------------------------- availability

export interface AvailabilityCommandOptions extends DbOption {
  site?: string;
  week?: string;
  from?: string;
  to?: string;
  /** With --from/--to: one row per ISO week (default) or one per range. */
  group?: 'week' | 'range';
  /** Sites file: configured sites without probes are listed too, with their names. */
  config?: string;
  format?: OutputFormat;
  now?: number | Date;
}

export interface AvailabilityJsonRow {
  site: string;
  week: string;
  from: string;
  to: string;
  probes: number;
  failures: number;
  ratio: number;
  veto: boolean;
  sufficient: boolean;
  insufficientDays: number;
  notMeasuredHours: number;
  complete: boolean;
  /** The week's 单否 verdict: veto (complete, fully sampled, ≥ 5 %), clear, or pending (待监测). */
  verdict: AvailabilityVerdict;
}

/** `govsite availability`: weekly (or range) availability ratios. */
export function runAvailabilityCommand(opts: AvailabilityCommandOptions, ioOpts?: CommandIO): number {
  const o = io(ioOpts);
  const now = opts.now ?? Date.now();
  const weekBad = opts.week !== undefined ? weekProblem(opts.week, '--week', now) : undefined;
  if (weekBad) return fail(new Error(weekBad), o);
  for (const [k, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
    const bad = v !== undefined ? dayProblem(v, k, now) : undefined;
    if (bad) return fail(new Error(bad), o);
  }
  if (opts.week && (opts.from || opts.to)) return fail(new Error('--week 与 --from/--to 不能同时使用'), o);
  let cfg: SitesConfig | undefined;
  try {
    if (opts.config) cfg = loadSitesConfig(opts.config);
  } catch (e) {
    return fail(e, o);
  }
  try {
    return withDb(opts, (db) => {
      const rows = weeklyAvailability(db, {
        siteId: opts.site,
        siteIds: cfg?.sites.map((s) => s.id),
        week: opts.week,
        from: opts.from,
        to: opts.to,
        groupBy: opts.group,
        now: opts.now,
      });
      if (opts.format === 'json') {
        const out: AvailabilityJsonRow[] = rows.map((r) => ({
          site: r.site,
          week: r.week,
          from: r.from,
          to: r.to,
          probes: r.probes,
          failures: r.failures,
          ratio: Math.round(r.ratio * 1e6) / 1e6,
          veto: r.veto,
          sufficient: r.sufficient,
          insufficientDays: r.insufficientDays,
          notMeasuredHours: r.notMeasuredHours,
          complete: r.complete,
          verdict: availabilityVerdict(r),
        }));
        o.out(JSON.stringify(out, null, 2));
        return 0;
      }
      o.out(formatAvailabilityText(rows, cfg?.sites));
      return 0;
    });
  } catch (e) {
    return fail(e, o);
  }
}

/** Chinese table of availability rows. */
export function formatAvailabilityText(rows: readonly AvailabilityRow[], sites?: readonly SiteConfig[]): string {
  if (rows.length === 0) return '所选时段没有监测数据。';
  const names = new Map(sites?.map((s) => [s.id, s.name]) ?? []);
  const lines: string[] = [];
  const periods = [...new Set(rows.map((r) => `${r.week}|${r.from}|${r.to}`))];
  for (const p of periods) {
    const [week, from, to] = p.split('|');
    const rs = rows.filter((r) => r.week === week && r.from === from && r.to === to);
    const complete = rs[0]?.complete;
    lines.push(`网站可用性 ${week}（${from} 至 ${to}${complete ? '' : '，尚未结束'}）`);
    lines.push(
      `${pad('网站', 28)} ${pad('探测', 6, true)} ${pad('失败', 6, true)} ${pad('失败占比', 9, true)}  ${pad('单否(≥5%)', 9)} ${pad('不足20次天数', 12, true)} ${pad('未监测小时', 10, true)}`,
    );
    for (const r of rs) {
      const label = names.get(r.site) ? `${names.get(r.site)}(${r.site})` : r.site;
      const verdict = availabilityVerdict(r);
      const veto = verdict === 'veto' ? '是' : verdict === 'clear' ? '否' : r.veto ? '待监测*' : '待监测';
      lines.push(
        `${pad(label, 28)} ${pad(String(r.probes), 6, true)} ${pad(String(r.failures), 6, true)} ${pad(pct(r.ratio), 9, true)}  ${pad(veto, 9)} ${pad(String(r.insufficientDays), 12, true)} ${pad(r.notMeasuredHours.toFixed(1), 10, true)}`,
      );
    }
    lines.push('');
  }
  const vetoes = rows.filter((r) => availabilityVerdict(r) === 'veto');
  const pending = rows.filter((r) => availabilityVerdict(r) === 'pending');
  if (pending.length)
    lines.push('待监测：没有探测数据，或时段未结束，或有日期探测少于 20 次——单否结论尚不能作出（* 失败占比已达 5%）。');
  lines.push(`共 ${rows.length} 行；单否 ${vetoes.length} 行，待监测 ${pending.length} 行。`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- sites add / list / remove

export type SitesAddOptions = Omit<SiteInput, 'probesPerDay' | 'maxPages' | 'concurrency' | 'politenessMs' | 'hasPublicServices'> & {
  probesPerDay?: number | string;
  maxPages?: number | string;
  concurrency?: number | string;
  politenessMs?: number | string;
  hasPublicServices?: boolean | string;
  config: string;
  /** Replace an entry with the same id instead of refusing. */
  replace?: boolean;
  format?: OutputFormat;
};

const NUMERIC_SITE_FIELDS = ['probesPerDay', 'maxPages', 'concurrency', 'politenessMs'];

/** CLI values arrive as strings: numbers and booleans are converted; empty values dropped. */
function coerceSiteInput(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || v === '') continue;
    if (NUMERIC_SITE_FIELDS.includes(k) && typeof v === 'string' && /^\d+$/.test(v.trim())) out[k] = Number(v.trim());
    else if (k === 'hasPublicServices' && typeof v === 'string') out[k] = /^(?:true|yes|1|是)$/i.test(v.trim()) ? true : /^(?:false|no|0|否)$/i.test(v.trim()) ? false : v;
    else out[k] = v;
  }
  return out;
}

/** `govsite sites add` (numeric and boolean fields may be given as strings). */
export function runSitesAddCommand(opts: SitesAddOptions, ioOpts?: CommandIO): number {
  const o = io(ioOpts);
  const { config, replace, format, ...raw } = opts;
  try {
    const site = addSite(config, coerceSiteInput(raw as Record<string, unknown>) as SiteInput, { replace });
    if (format === 'json') o.out(JSON.stringify(site, null, 2));
    else o.out(`已${replace ? '添加或更新' : '添加'}网站 ${site.id}：${site.name} ${site.url}（${site.rubric}）→ ${config}`);
    return 0;
  } catch (e) {
    return fail(e, o);
  }
}

/** `govsite sites list`. */
export function runSitesListCommand(opts: { config: string; format?: OutputFormat }, ioOpts?: CommandIO): number {
  const o = io(ioOpts);
  try {
    const cfg = loadSitesConfig(opts.config);
    if (opts.format === 'json') {
      o.out(JSON.stringify(cfg.sites, null, 2));
      return 0;
    }
    if (cfg.sites.length === 0) {
      o.out(`${opts.config} 中还没有网站（用 govsite sites add 添加）。`);
      return 0;
    }
    o.out(`${pad('id', 20)} ${pad('单位名称', 26)} ${pad('指标', 22)} ${pad('每日探测', 8, true)}  网址`);
    for (const s of cfg.sites) {
      o.out(`${pad(s.id, 20)} ${pad(s.name, 26)} ${pad(s.rubric, 22)} ${pad(String(probesPerDayFor(s, cfg)), 8, true)}  ${s.url}${s.region ? `  [${s.region}]` : ''}${s.hasPublicServices ? '' : '  (无对外服务)'}`);
    }
    o.out(`共 ${cfg.sites.length} 个网站；夜间巡检 ${cfg.nightly.enabled ? `"${cfg.nightly.cron}"（${cfg.nightly.timezone}）` : '已停用'}，通知渠道 ${cfg.warnings.channels.length} 个。`);
    return 0;
  } catch (e) {
    return fail(e, o);
  }
}

/** `govsite sites remove`. */
export function runSitesRemoveCommand(opts: { config: string; id: string; format?: OutputFormat }, ioOpts?: CommandIO): number {
  const o = io(ioOpts);
  try {
    const site = removeSite(opts.config, opts.id);
    if (opts.format === 'json') o.out(JSON.stringify({ removed: site }, null, 2));
    else o.out(`已从 ${opts.config} 删除网站 ${site.id}（${site.name}）。已存的监测数据保留在数据库中。`);
    return 0;
  } catch (e) {
    return fail(e, o);
  }
}

// ---------------------------------------------------------------- run-now

export interface RunNowOptions extends DbOption {
  config: string;
  auditFn: AuditFn;
  /** Only these site ids (default all). */
  site?: string[];
  concurrency?: number;
  asOf?: string;
  /** Do not send warnings. */
  noWarnings?: boolean;
  format?: OutputFormat;
  signal?: AbortSignal;
  logger?: MonitorLogger;
}

/** A failed probe's reason beside its outcome word: a bare code (ECONNREFUSED, HTTP 503) when the word says it already. */
function probeReason(error: string): string {
  return /^(E[A-Z_]+|HTTP \d{3})$/.test(error) ? error : zhProbeNote(error);
}

function nightlyText(r: NightlyResult): string {
  const lines = [
    `夜间巡检 #${r.runId}（监测时间点 ${r.asOf}）${r.resumed ? '：续跑上次中断的巡检' : ''}`,
    `共 ${r.total} 个网站：完成 ${r.done}（本次检查 ${r.audited}${r.alreadyDone ? `，此前已完成 ${r.alreadyDone}` : ''}），失败 ${r.failed}${r.interrupted ? '；巡检被中断，下次启动时续跑' : ''}`,
  ];
  for (const s of r.sites.filter((x) => x.status === 'failed')) lines.push(`  失败：${s.siteId}（尝试 ${s.attempts} 次）${s.error ? `：${zhText(s.error)}` : ''}`);
  if (r.warnings) {
    lines.push(`预警：${r.warnings.evaluated} 条触发，新发送 ${r.warnings.delivered} 条，本周已发送过 ${r.warnings.skipped} 条`);
    for (const d of r.warnings.results.filter((x) => !x.ok)) lines.push(`  通知渠道 ${d.channel} 发送失败：${zhText(d.error)}`);
  }
  return lines.join('\n');
}

/** `govsite run-now`: the nightly run, now (resumes an interrupted one). Exit 1 when some site failed. */
export async function runRunNowCommand(opts: RunNowOptions, ioOpts?: CommandIO): Promise<number> {
  const o = io(ioOpts);
  let cfg: SitesConfig;
  try {
    cfg = loadSitesConfig(opts.config);
  } catch (e) {
    return fail(e, o);
  }
  let sites = cfg.sites;
  if (opts.site?.length) {
    const missing = opts.site.filter((id) => !sites.some((s) => s.id === id));
    if (missing.length) return fail(new Error(`站点配置中没有这些网站：${missing.join(', ')}`), o);
    sites = sites.filter((s) => opts.site!.includes(s.id));
  }
  if (sites.length === 0) return fail(new Error(`${opts.config} 中没有网站`), o);
  const asOfBad = opts.asOf !== undefined ? dayProblem(opts.asOf, '--as-of') : undefined;
  if (asOfBad) return fail(new Error(asOfBad), o);
  try {
    return await withDb(opts, async (db) => {
      const r = await runNightly({
        db,
        sites,
        auditFn: opts.auditFn,
        concurrency: opts.concurrency ?? cfg.nightly.concurrency,
        asOf: opts.asOf,
        signal: opts.signal,
        warnings: opts.noWarnings ? undefined : cfg.warnings,
        logger: opts.logger,
      });
      o.out(opts.format === 'json' ? JSON.stringify(r, null, 2) : nightlyText(r));
      return r.failed > 0 || r.interrupted ? 1 : 0;
    });
  } catch (e) {
    if (e instanceof NightlyBusyError) {
      o.err(e.message);
      return 1;
    }
    return fail(e, o);
  }
}

// ---------------------------------------------------------------- monitor

export interface MonitorCommandOptions extends DbOption {
  config: string;
  /** The nightly audit; without it only availability probes run. */
  auditFn?: AuditFn;
  /** Disable the nightly cron even when an audit function is given. */
  noNightly?: boolean;
  lookup?: LookupFn;
  logger?: MonitorLogger;
  /** Stops the monitor (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Receives the handle once started (tests, embedding). */
  onStarted?: (h: MonitorHandle) => void;
  format?: OutputFormat;
}

/** `govsite monitor`: runs probes (+ nightly audits) until SIGINT/SIGTERM. */
export async function runMonitorCommand(opts: MonitorCommandOptions, ioOpts?: CommandIO): Promise<number> {
  const o = io(ioOpts);
  let cfg: SitesConfig;
  try {
    cfg = loadSitesConfig(opts.config);
  } catch (e) {
    return fail(e, o);
  }
  try {
    return await withDb(opts, async (db) => {
      const h = startMonitor({
        db,
        config: cfg,
        configPath: opts.config,
        auditFn: opts.auditFn,
        nightly: opts.noNightly ? false : undefined,
        lookup: opts.lookup,
        logger: opts.logger,
      });
      const perDay = cfg.sites.reduce((n, s) => n + probesPerDayFor(s, cfg), 0);
      const nightly = opts.auditFn && !opts.noNightly && cfg.nightly.enabled ? `夜间巡检 "${cfg.nightly.cron}"（${cfg.nightly.timezone}，并发 ${cfg.nightly.concurrency}）` : '不做夜间巡检';
      if (opts.format === 'json') o.out(JSON.stringify({ event: 'started', sites: cfg.sites.length, probesPerDay: perDay, nightly: !!(opts.auditFn && !opts.noNightly && cfg.nightly.enabled) }));
      else o.out(`监测已启动：${cfg.sites.length} 个网站，每天共约 ${perDay} 次探测；${nightly}。按 Ctrl+C 停止。`);
      opts.onStarted?.(h);
      if (opts.signal) {
        if (opts.signal.aborted) void h.stop('signal');
        else opts.signal.addEventListener('abort', () => void h.stop('signal'), { once: true });
      }
      await h.done;
      if (opts.format === 'json') o.out(JSON.stringify({ event: 'stopped', probes: h.recorder.written }));
      else o.out(`监测已停止（本次记录探测 ${h.recorder.written} 次）。`);
      return 0;
    });
  } catch (e) {
    return fail(e, o);
  }
}

export { RUBRICS, SitesConfigError };

/** Usage lines (Chinese) for the CLI's help. */
export const MONITOR_COMMAND_HELP: Record<string, string> = {
  monitor: 'govsite monitor --config sites.yaml [--db 文件] [--no-nightly] [--format text|json]  持续监测（每站每天 ≥20 次探测）并按计划夜间巡检',
  probe: 'govsite probe <网址> [--count N] [--interval 秒] [--timeout 秒] [--format text|json]  按监测规则探测首页',
  availability:
    'govsite availability [--site ID] [--week 2021-W24 | --from 日期 --to 日期] [--group week|range] [--config sites.yaml] [--format text|json]  每周可用性（失败占比、单否、监测不足）',
  'run-now': 'govsite run-now --config sites.yaml [--site ID …] [--concurrency N] [--as-of 日期] [--no-warnings] [--format text|json]  立即执行（或续跑）夜间巡检',
  'sites add': `govsite sites add --config sites.yaml --id ID --name 单位名称 --url 网址 --rubric ${RUBRICS.join('|')} [--region 长沙市] [--parent-domain hunan.gov.cn] [--manual 文件] [--no-services] [--probes-per-day N] [--max-pages N] [--delay MS] [--replace]`,
  'sites list': 'govsite sites list --config sites.yaml [--format text|json]',
  'sites remove': 'govsite sites remove --config sites.yaml --id ID',
};
