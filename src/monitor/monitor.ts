/**
 * The long-running monitor: availability probes for every site (scheduler + batched recording + outage guard),
 * heartbeats every minute (periods without them count as "not measured"), hourly availability warnings,
 * daily pruning of raw probes, the nightly audit on a cron schedule (node-cron, Asia/Shanghai), and an
 * interrupted nightly run resumed at start. SIGINT/SIGTERM stop it cleanly: in-flight probes are cancelled
 * (not recorded), in-flight audits are aborted (their sites resume next time), buffers are flushed.
 */
import fs from 'node:fs';
import cron, { type ScheduledTask } from 'node-cron';
import pino from 'pino';
import { nonBlockingLog } from '../runtime/log-stream.ts';
import type { Db } from '../store/db.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';
import type { SiteConfig, SitesConfig } from './config.ts';
import { loadSitesConfig, probesPerDayFor } from './config.ts';
import type { AuditFn, NightlyLogger, NightlyResult } from './nightly.ts';
import { NightlyBusyError, runNightly, unfinishedNightlyRun } from './nightly.ts';
import type { LookupFn, ProbeResult } from './probe.ts';
import { DEFAULT_PROBE_TIMEOUT_MS, probeUrl } from './probe.ts';
import { weeklyAvailability } from './ratios.ts';
import type { ProbeFn, ScheduledSite } from './scheduler.ts';
import { ProbeScheduler } from './scheduler.ts';
import { ensureMonitorSchema } from './schema.ts';
import { LoopStallTracker, stallLimitMs } from './stall.ts';
import { ProbeRecorder, lastHeartbeat, pruneProbes, writeHeartbeats } from './store.ts';
import { addDays, isoWeekAt, minuteOf, shanghaiDay } from './time.ts';
import type { SendOptions } from './warnings.ts';
import { evaluateWarnings, sendWarnings } from './warnings.ts';

export type MonitorLogger = NightlyLogger;

export interface StartMonitorOptions {
  db: Db;
  config: SitesConfig;
  /** When given, the file is watched and sites are reloaded when it changes (invalid edits are logged and ignored). */
  configPath?: string;
  /** The audit for the nightly run; without it only probes run. */
  auditFn?: AuditFn;
  clock?: Clock;
  /** Probe implementation (default: `probeUrl` with `lookup` and `probeTimeoutMs`). */
  probe?: ProbeFn;
  lookup?: LookupFn;
  probeTimeoutMs?: number;
  /** Heartbeat period, ms (default 60,000). */
  heartbeatMs?: number;
  /** Recorder flush period, ms (default 1,000). */
  flushMs?: number;
  /** Availability-warning evaluation period, ms (default 1 h; 0 disables). */
  warningIntervalMs?: number;
  /** Install SIGINT/SIGTERM handlers (default true). */
  handleSignals?: boolean;
  /** Schedule the nightly cron (default: config.nightly.enabled and an auditFn given). */
  nightly?: boolean;
  /** Resume an interrupted nightly run at start (default true when an auditFn is given). */
  resumeNightly?: boolean;
  /** Start even when another live monitor process wrote heartbeats to this database in the last 2 minutes. */
  allowConcurrent?: boolean;
  /** Overrides the compressed "day" (benchmarks only). */
  dayMs?: number;
  sendOptions?: SendOptions;
  logger?: MonitorLogger;
}

export interface MonitorHandle {
  readonly scheduler: ProbeScheduler;
  readonly recorder: ProbeRecorder;
  /** Resolves when the monitor has stopped. */
  readonly done: Promise<void>;
  /** Stops everything (idempotent). */
  stop(reason?: string): Promise<void>;
  /** Runs (or resumes) the nightly audit now. */
  runNightlyNow(): Promise<NightlyResult | undefined>;
  /** Re-reads the site list. */
  setSites(sites: readonly SiteConfig[]): void;
  /** Evaluates and sends availability warnings now. */
  checkWarnings(): Promise<void>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The default logger: JSON lines on stderr. */
export function defaultMonitorLogger(): MonitorLogger {
  return pino({ name: 'govsite-monitor', level: process.env.GOVSITE_LOG_LEVEL ?? 'info' }, nonBlockingLog(2));
}

export function toScheduledSites(sites: readonly SiteConfig[], cfg?: Pick<SitesConfig, 'probes'>): ScheduledSite[] {
  return sites.map((s) => ({ id: s.id, url: s.url, probesPerDay: probesPerDayFor(s, cfg) }));
}

/** Starts the monitor; returns a handle. */
export function startMonitor(opts: StartMonitorOptions): MonitorHandle {
  const { db } = opts;
  ensureMonitorSchema(db);
  const clock = opts.clock ?? systemClock;
  if (!opts.allowConcurrent) {
    const hb = lastHeartbeat(db);
    if (hb?.pid && hb.pid !== process.pid && hb.minute >= minuteOf(clock.now()) - 2 && processAlive(hb.pid)) {
      throw new Error(`另一个监测进程（PID ${hb.pid}）正在使用该数据库；同一数据库只能运行一个监测进程`);
    }
  }
  const log = opts.logger ?? defaultMonitorLogger();
  let config = opts.config;
  const timeoutMs = opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const heartbeatMs = opts.heartbeatMs ?? 60_000;
  const flushMs = opts.flushMs ?? 1_000;
  const warningIntervalMs = opts.warningIntervalMs ?? 3_600_000;
  let sites = config.sites;
  const siteById = () => new Map(sites.map((s) => [s.id, s]));
  let byId = siteById();

  const probe: ProbeFn =
    opts.probe ??
    ((site, signal) => probeUrl(site.url, { timeoutMs, lookup: opts.lookup, signal, now: () => clock.now() }));

  const recorder = new ProbeRecorder(db, {
    outageGuard: config.probes.outageGuard,
    hostOf: (id, r) => {
      try {
        return new URL(byId.get(id)?.url ?? r.url).hostname;
      } catch {
        return id;
      }
    },
  });

  // Timeouts measured while this process was frozen are dropped (only with the real clock).
  const stall = clock === systemClock ? new LoopStallTracker() : null;
  stall?.start();
  let droppedStalled = 0;
  let lastStallLog = 0;
  const accept = (r: ProbeResult): boolean => {
    if (!stall || r.outcome !== 'timeout') return true;
    const from = Date.parse(r.at);
    if (stall.stalledMs(from, from + r.ms) < stallLimitMs(timeoutMs)) return true;
    droppedStalled++;
    if (Date.now() - lastStallLog > 60_000) {
      lastStallLog = Date.now();
      log.warn({ dropped: droppedStalled }, 'monitor event loop stalled: timed-out probes during the stall are not counted');
    }
    return false;
  };

  const scheduler = new ProbeScheduler({
    sites: toScheduledSites(sites, config),
    probe,
    clock,
    dayMs: opts.dayMs,
    concurrency: config.probes.concurrency,
    perHost: config.probes.perHost,
    politenessMs: config.probes.politenessMs,
    onResult: (site, result) => {
      if (accept(result)) recorder.add(site.id, result);
    },
    onError: (site, err) => log.error({ site: site.id, err: (err as Error)?.message }, 'probe crashed'),
  });

  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const timers = new Set<unknown>();
  const every = (ms: number, fn: () => void) => {
    const tick = () => {
      timers.delete(h);
      if (stopped) return;
      try {
        fn();
      } catch (e) {
        log.error({ err: (e as Error).message }, 'monitor task failed');
      }
      if (!stopped) {
        h = clock.setTimeout(tick, ms);
        timers.add(h);
      }
    };
    let h = clock.setTimeout(tick, ms);
    timers.add(h);
  };

  // ---- heartbeats (gaps up to 10 min inside one live process are filled; longer gaps = suspended = not measured)
  let lastMinute = minuteOf(clock.now());
  writeHeartbeats(db, lastMinute, lastMinute);
  let lastPruneDay = '';
  const heartbeat = () => {
    const now = clock.now();
    const m = minuteOf(now);
    writeHeartbeats(db, Math.max(lastMinute + 1, m - 10), m);
    lastMinute = m;
    recorder.flush();
    const degraded = recorder.evaluateOutages(now, timeoutMs + flushMs + 5_000);
    if (degraded.length) log.warn({ minutes: degraded.map((x) => new Date(x * 60_000).toISOString()) }, 'monitor-side outage: minutes not counted');
    const today = shanghaiDay(now);
    if (today !== lastPruneDay) {
      lastPruneDay = today;
      const n = pruneProbes(db, addDays(today, -config.probes.retentionDays));
      if (n) log.info({ rows: n }, 'pruned old probe rows');
    }
  };
  every(heartbeatMs, heartbeat);
  every(flushMs, () => recorder.flush());

  // ---- availability warnings
  let warningBusy = false;
  const checkWarnings = async () => {
    if (warningBusy || !config.warnings.enabled || config.warnings.channels.length === 0) return;
    warningBusy = true;
    try {
      recorder.flush();
      const now = clock.now();
      const week = isoWeekAt(now);
      const rows = weeklyAvailability(db, { week, now });
      const all = [];
      for (const r of rows) {
        const s = byId.get(r.site);
        if (!s) continue;
        all.push(
          ...evaluateWarnings({
            site: { id: s.id, name: s.name, url: s.url, region: s.region },
            asOf: shanghaiDay(now),
            availability: r,
            thresholds: config.warnings,
          }).filter((w) => w.condition === 'availability'),
        );
      }
      if (all.length) {
        const res = await sendWarnings(db, all, config.warnings.channels, { now: () => clock.now(), ...opts.sendOptions });
        if (res.delivered) log.info({ delivered: res.delivered }, 'availability warnings sent');
        for (const r of res.results) if (!r.ok) log.warn({ channel: r.channel, err: r.error }, 'warning delivery failed');
      }
    } catch (e) {
      log.error({ err: (e as Error).message }, 'warning check failed');
    } finally {
      warningBusy = false;
    }
  };
  if (warningIntervalMs > 0) every(warningIntervalMs, () => void checkWarnings());

  // ---- nightly
  const nightlyAc = new AbortController();
  let nightlyRunning: Promise<NightlyResult | undefined> | null = null;
  const runNightlyNow = (): Promise<NightlyResult | undefined> => {
    if (!opts.auditFn) return Promise.resolve(undefined);
    if (nightlyRunning) return nightlyRunning;
    recorder.flush();
    nightlyRunning = runNightly({
      db,
      sites,
      auditFn: opts.auditFn,
      now: () => clock.now(),
      concurrency: config.nightly.concurrency,
      signal: nightlyAc.signal,
      warnings: { ...config.warnings, send: opts.sendOptions },
      logger: log,
    })
      .catch((e) => {
        if (e instanceof NightlyBusyError) log.warn({ runId: e.runId, pid: e.pid }, e.message);
        else log.error({ err: (e as Error).message }, 'nightly run failed');
        return undefined;
      })
      .finally(() => {
        nightlyRunning = null;
      });
    return nightlyRunning;
  };
  let task: ScheduledTask | null = null;
  const wantCron = opts.nightly ?? (config.nightly.enabled && !!opts.auditFn);
  if (wantCron && opts.auditFn) {
    task = cron.schedule(config.nightly.cron, () => void runNightlyNow(), {
      timezone: config.nightly.timezone,
      name: 'govsite-nightly',
      noOverlap: true,
    });
  }
  if (opts.auditFn && (opts.resumeNightly ?? true)) {
    const u = unfinishedNightlyRun(db);
    if (u && !u.ownerAlive) {
      log.info({ runId: u.id, asOf: u.asOf }, 'resuming interrupted nightly run');
      void runNightlyNow();
    }
  }

  // ---- config reload
  const setSites = (next: readonly SiteConfig[]) => {
    sites = [...next];
    byId = siteById();
    scheduler.setSites(toScheduledSites(sites, config));
    log.info({ sites: sites.length }, 'site list updated');
  };
  let watching = false;
  const onConfigChange = (cur: fs.Stats, prev: fs.Stats) => {
    if (cur.mtimeMs === prev.mtimeMs || !opts.configPath) return;
    try {
      config = loadSitesConfig(opts.configPath);
      setSites(config.sites);
    } catch (e) {
      log.error({ err: (e as Error).message }, 'sites file invalid; keeping the previous list');
    }
  };
  if (opts.configPath) {
    fs.watchFile(opts.configPath, { interval: 5_000, persistent: false }, onConfigChange);
    watching = true;
  }

  // ---- signals
  const onSignal = (sig: NodeJS.Signals) => {
    log.info({ signal: sig }, 'stopping monitor');
    void stop(sig);
  };
  const handleSignals = opts.handleSignals ?? true;
  if (handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  scheduler.start();
  log.info({ sites: sites.length, nightly: wantCron ? config.nightly.cron : null }, 'monitor started');

  let stopping: Promise<void> | null = null;
  const stop = (reason = 'stop'): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      stopped = true;
      for (const h of timers) clock.clearTimeout(h);
      timers.clear();
      if (handleSignals) {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
      if (watching && opts.configPath) fs.unwatchFile(opts.configPath, onConfigChange);
      if (task) await task.destroy();
      stall?.stop();
      nightlyAc.abort(new Error(`monitor ${reason}`));
      await scheduler.stop();
      if (nightlyRunning) await nightlyRunning;
      try {
        recorder.flush();
        const m = minuteOf(clock.now());
        writeHeartbeats(db, Math.max(lastMinute + 1, m - 10), m);
      } catch (e) {
        log.error({ err: (e as Error).message }, 'final flush failed');
      }
      log.info({ reason, probes: recorder.written, droppedStalled }, 'monitor stopped');
      resolveDone();
    })();
    return stopping;
  };

  return { scheduler, recorder, done, stop, runNightlyNow, setSites, checkWarnings };
}
