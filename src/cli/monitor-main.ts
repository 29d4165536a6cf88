import { parseArgs, type ParseArgsConfig } from 'node:util';
import path from 'node:path';
import {
  runProbeCommand, runAvailabilityCommand, runMonitorCommand, runRunNowCommand, runSitesAddCommand, runSitesListCommand,
  runSitesRemoveCommand, MONITOR_COMMAND_HELP,
} from '../monitor/commands.ts';
import type { AuditFn } from '../monitor/nightly.ts';
import type { SiteConfig } from '../monitor/config.ts';
import { runAudit } from '../audit/run.ts';
import { Store } from '../store/store.ts';
import { makeLogger } from './options.ts';
import { UsageError } from './usage.ts';
import { queueUrlOf, runNowQueueCommand, schedulerCommand } from './queue-main.ts';
import { isPostgresUrl, parseDbSpec } from '../repo/open.ts';
import fs from 'node:fs';
import Database from 'better-sqlite3';

/** A SQLite file that queue-mode workers wrote rounds to (then availability shows confirmed and per-vantage ratios). */
function hasVantageRounds(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  try {
    const db = new Database(file, { readonly: true });
    try {
      return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'probe_rounds'").get() && !!db.prepare('SELECT 1 FROM probe_rounds LIMIT 1').get();
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

/**
 * The monitoring commands (`probe`, `monitor`, `availability`, `run-now`, `sites …`): argument parsing here, the
 * work in src/monitor/commands.ts. The nightly audit of a configured site is the same `runAudit` as `govsite audit`.
 */

function parse<T extends ParseArgsConfig['options']>(args: string[], options: T, positionals = false) {
  return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true });
}

function num(v: string | undefined, name: string, min = 0, max = Number.MAX_SAFE_INTEGER, int = true): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min || n > max) throw new UsageError(`--${name} 应为 ${min} 到 ${max} 之间的${int ? '整数' : '数'}（收到“${v}”）`);
  return n;
}

function fmt(v: string | undefined): 'text' | 'json' {
  if (v === undefined || v === 'text' || v === 'json') return (v ?? 'text') as 'text' | 'json';
  throw new UsageError(`--format 应为 text 或 json（收到“${v}”）`);
}

function requireConfig(v: string | undefined, cmd: string): string {
  if (!v) throw new UsageError(`${cmd} 需要 --config sites.yaml`);
  return v;
}

/** The nightly audit of one configured site: crawl, checks, score — stored in the monitor's database. */
export function makeAuditFn(opts: { dbFile: string; verbose?: boolean }): AuditFn {
  const log = makeLogger(!!opts.verbose);
  return async (site: SiteConfig, { asOf, db, signal, markDone }) => {
    const store = new Store(db);
    const report = await runAudit({
      url: site.url,
      rubric: site.rubric,
      asOf,
      store,
      dbFile: opts.dbFile,
      maxPages: site.maxPages,
      concurrency: site.concurrency,
      delayMs: site.politenessMs,
      manualFile: site.manual,
      manualMayBeMissing: true,
      skipHosts: site.skipHosts,
      ...(site.gather ? { gather: site.gather } : {}),
      site: { id: site.id, name: site.name, parentDomain: site.parentDomain, hasPublicServices: site.hasPublicServices },
      signal,
      log,
      onCommit: markDone,
    });
    return {
      runId: report.runId!,
      findings: report.findings,
      summary: { ...(report.facts?.homepageNewestDate ? { homepageNewestDate: report.facts.homepageNewestDate } : {}), emptyColumns: report.facts?.emptyColumns ?? 0, ...(report.facts?.newMedia ? { newMedia: report.facts.newMedia } : {}) },
    } as Awaited<ReturnType<AuditFn>>;
  };
}

/** How long `monitor` may take to stop after SIGTERM/SIGINT before it exits anyway (its work resumes on restart). */
const STOP_DEADLINE_MS = 25_000;

/**
 * After the first SIGTERM/SIGINT, the process ends within `ms` even if something in the shutdown hangs (a log pipe
 * nobody reads, an audit that does not abort): the nightly run and the probes are built to survive a kill.
 */
function stopDeadline(ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer ??= setTimeout(() => {
      try {
        process.stderr.write(`govsite: 监测未能在 ${ms / 1000} 秒内正常停止，强制退出\n`);
      } catch {
        /* stderr may be gone too */
      }
      process.exit(1);
    }, ms).unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
  return () => {
    clearTimeout(timer);
    process.off('SIGTERM', arm);
    process.off('SIGINT', arm);
  };
}

export async function monitorCommands(cmd: string, args: string[]): Promise<number> {
  switch (cmd) {
    case 'probe': {
      const { values, positionals } = parse(args, { count: { type: 'string' }, interval: { type: 'string' }, timeout: { type: 'string' }, format: { type: 'string' } }, true);
      if (values.help) return help('probe');
      if (positionals.length !== 1) throw new UsageError('probe 只接受一个网址：govsite probe <网址>');
      return runProbeCommand({
        url: positionals[0],
        count: num(values.count, 'count', 1, 100_000),
        interval: num(values.interval, 'interval', 0, 86_400, false),
        timeout: num(values.timeout, 'timeout', 0.1, 300, false),
        format: fmt(values.format),
      });
    }
    case 'availability': {
      const { values } = parse(args, { site: { type: 'string' }, week: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, group: { type: 'string' }, config: { type: 'string' }, db: { type: 'string' }, format: { type: 'string' } });
      if (values.help) return help('availability');
      if (values.group && values.group !== 'week' && values.group !== 'range') throw new UsageError('--group 应为 week 或 range');
      // The shared store (PostgreSQL, or a SQLite file written by queue-mode workers): confirmed and per-vantage ratios.
      const spec = parseDbSpec(values.db);
      if (spec.kind === 'postgres' || hasVantageRounds(spec.file)) {
        const { runAvailabilityRepoCommand } = await import('../monitor/availability-repo.ts');
        return runAvailabilityRepoCommand(spec, {
          site: values.site, week: values.week, from: values.from, to: values.to,
          group: values.group as 'week' | 'range' | undefined, config: values.config, format: fmt(values.format),
        });
      }
      return runAvailabilityCommand({
        dbPath: spec.file, site: values.site, week: values.week, from: values.from, to: values.to,
        group: values.group as 'week' | 'range' | undefined, config: values.config, format: fmt(values.format),
      });
    }
    case 'monitor': {
      const { values } = parse(args, { config: { type: 'string' }, db: { type: 'string' }, queue: { type: 'string' }, 'no-nightly': { type: 'boolean' }, format: { type: 'string' }, verbose: { type: 'boolean', short: 'v' } });
      if (values.help) return help('monitor');
      // Queue mode: this process becomes the scheduler; probes and audits are the workers'.
      const queueUrl = queueUrlOf(values.queue);
      if (queueUrl) {
        return schedulerCommand({ config: requireConfig(values.config, 'monitor'), db: values.db, queueUrl, noNightly: values['no-nightly'], verbose: values.verbose, format: fmt(values.format) });
      }
      if (isPostgresUrl(values.db ?? process.env.GOVSITE_DB)) {
        throw new UsageError('使用 PostgreSQL 时监测以队列模式运行：请同时给出 --queue redis://…（或环境变量 GOVSITE_QUEUE），并启动工作进程 govsite worker');
      }
      const ms = parseDbSpec(values.db);
      const dbFile = ms.kind === 'sqlite' ? ms.file : path.join('data', 'govsite.db');
      const disarm = stopDeadline(STOP_DEADLINE_MS);
      try {
        return await runMonitorCommand({
          config: requireConfig(values.config, 'monitor'),
          dbPath: dbFile,
          auditFn: makeAuditFn({ dbFile, verbose: values.verbose }),
          noNightly: values['no-nightly'],
          format: fmt(values.format),
        });
      } finally {
        disarm();
      }
    }
    case 'run-now': {
      const { values } = parse(args, { config: { type: 'string' }, db: { type: 'string' }, queue: { type: 'string' }, site: { type: 'string', multiple: true }, concurrency: { type: 'string' }, 'as-of': { type: 'string' }, 'no-warnings': { type: 'boolean' }, format: { type: 'string' }, verbose: { type: 'boolean', short: 'v' } });
      if (values.help) return help('run-now');
      const queueUrl = queueUrlOf(values.queue);
      if (queueUrl) {
        return runNowQueueCommand({ config: requireConfig(values.config, 'run-now'), db: values.db, queueUrl, sites: values.site, asOf: values['as-of'], format: fmt(values.format) });
      }
      if (isPostgresUrl(values.db ?? process.env.GOVSITE_DB)) throw new UsageError('使用 PostgreSQL 时夜间巡检由工作进程执行：请给出 --queue redis://…（或环境变量 GOVSITE_QUEUE）');
      const rs = parseDbSpec(values.db);
      const dbFile = rs.kind === 'sqlite' ? rs.file : path.join('data', 'govsite.db');
      return runRunNowCommand({
        config: requireConfig(values.config, 'run-now'),
        dbPath: dbFile,
        auditFn: makeAuditFn({ dbFile, verbose: values.verbose }),
        site: values.site,
        concurrency: num(values.concurrency, 'concurrency', 1, 64),
        asOf: values['as-of'],
        noWarnings: values['no-warnings'],
        format: fmt(values.format),
      });
    }
    case 'sites': {
      const [sub, ...rest] = args;
      if (sub === 'add') {
        const { values } = parse(rest, {
          config: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, rubric: { type: 'string' },
          region: { type: 'string' }, 'parent-domain': { type: 'string' }, manual: { type: 'string' }, 'no-public-services': { type: 'boolean' },
          'no-services': { type: 'boolean' }, delay: { type: 'string' },
          'probes-per-day': { type: 'string' }, 'max-pages': { type: 'string' }, concurrency: { type: 'string' }, 'politeness-ms': { type: 'string' },
          replace: { type: 'boolean' },
        });
        if (values.help) return help('sites add');
        for (const k of ['id', 'name', 'url', 'rubric'] as const) if (!values[k]) throw new UsageError(`sites add 需要 --${k}`);
        return runSitesAddCommand({
          config: requireConfig(values.config, 'sites add'),
          id: values.id!, name: values.name!, url: values.url!, rubric: values.rubric! as never,
          region: values.region, parentDomain: values['parent-domain'], manual: values.manual,
          // --no-services / --delay as in govsite audit (the older --no-public-services / --politeness-ms still work)
          hasPublicServices: values['no-services'] || values['no-public-services'] ? false : undefined,
          probesPerDay: values['probes-per-day'] as never, maxPages: values['max-pages'] as never,
          concurrency: values.concurrency as never, politenessMs: (values.delay ?? values['politeness-ms']) as never, replace: values.replace,
        });
      }
      if (sub === 'list') {
        const { values } = parse(rest, { config: { type: 'string' }, format: { type: 'string' } });
        if (values.help) return help('sites list');
        return runSitesListCommand({ config: requireConfig(values.config, 'sites list'), format: fmt(values.format) });
      }
      if (sub === 'remove') {
        const { values } = parse(rest, { config: { type: 'string' }, id: { type: 'string' } });
        if (values.help) return help('sites remove');
        if (!values.id) throw new UsageError('sites remove 需要 --id');
        return runSitesRemoveCommand({ config: requireConfig(values.config, 'sites remove'), id: values.id });
      }
      throw new UsageError(sub ? `sites 没有子命令“${sub}”（可用：add、list、remove）` : 'sites 需要子命令：add、list 或 remove');
    }
    default:
      throw new UsageError(`未知命令 ${cmd}`);
  }
}

function help(cmd: string): number {
  process.stdout.write(`${MONITOR_COMMAND_HELP[cmd] ?? ''}\n`);
  return 0;
}
