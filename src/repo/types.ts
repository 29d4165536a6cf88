/**
 * The shared repository: what several processes (scheduler, workers on other machines, the dashboard) read and write.
 *
 * Two implementations behind one interface: SQLite (the one-machine default, the file every command already uses —
 * `SqliteRepo` wraps the existing store and monitor code) and PostgreSQL (`PgRepo`, Kysely + pg, for many workers).
 * The audit pipeline itself keeps its working store (pages, HTML, link results) in SQLite — the default file, or a
 * scratch file per job on a worker — and *publishes* a finished run's results here in one transaction.
 */
import type { CheckScope, Finding, Observation, AvailabilitySummary } from '../model.ts';
import type { RunRow } from '../store/store.ts';
import type { AvailabilityQuery, AvailabilityRow, DailyAvailability } from '../monitor/ratios.ts';
import type { ProbeResult } from '../monitor/probe.ts';
import type { AuditDigest, MonitorWarning } from '../monitor/warnings.ts';
import type { MaintenanceCounts } from '../model.ts';
import type { CountPeriod, MaintenanceDecision, MaintenanceWindow } from '../monitor/maintenance.ts';
import type { AlertAttempt, AlertQuery, AlertRecord } from '../monitor/alert-log.ts';
import type { StoredInquiry } from '../inquiry/store.ts';
import type { ApplySummary, StoredAccount, StoredPost, StoredWebsite, UpsertAction } from '../newmedia/store.ts';
import type { NewPost } from '../newmedia/paste.ts';
import type { SiteNewMedia } from '../newmedia/sites-file.ts';
import type { AccountRecord, WebsiteRecord } from '../newmedia/types.ts';
import type { ScoreProfile } from '../audit/score-run.ts';

export type RepoKind = 'sqlite' | 'postgres';

/** A run's results as published by the process that audited it. */
export interface RunBundle {
  run: Pick<RunRow, 'status' | 'finishedAt' | 'stats' | 'error' | 'network' | 'browser' | 'screenshot' | 'notes' | 'options'>;
  findings: readonly Finding[];
  scopes: Record<string, CheckScope> | undefined;
  scores: readonly StoredScore[];
  observations: readonly Observation[];
  /** Rendered pages: where their screenshots are (HTML stays in the working store). */
  rendered: readonly { url: string; at: string; screenshot?: string }[];
}

export interface StoredScore {
  rubric: string;
  manualFile: string | null;
  computedAt: string;
  total: number;
  veto: boolean;
  provisional: boolean;
  score: unknown;
}

export interface ScoreBrief {
  id: number;
  computedAt: string;
  total: number;
  veto: boolean;
  provisional: boolean;
  manualFile: string | null;
}

/** The nightly bookkeeping a publication commits with the run (one transaction: "results stored" = "site done"). */
export interface NightlyMark {
  nightlyRunId: number;
  siteId: string;
  digest?: AuditDigest;
  findings?: number;
}

export interface ClaimRun {
  /** Idempotency key: the queue job id (`audit:{site}:{date}`); the same key always gets the same run id. */
  jobKey: string;
  siteUrl: string;
  siteKey: string;
  siteId?: string;
  siteName?: string;
  rubric: string;
  asOf: string;
  options?: Record<string, unknown>;
  /** Who runs it (worker id, host, pid): shown while it runs. */
  owner: string;
}

/** One probe of a round. */
export interface RoundProbe {
  siteId: string;
  /** The slot this probe belongs to (epoch ms): every vantage probes a site's slot in the same round. */
  slotAt: number;
  /** 0 = scheduled probe, 1 = immediate retry after a failure. */
  attempt: number;
  result: ProbeResult;
}

/** A vantage's completed round: written whole, once (a retried round job finds it written and adds nothing). */
export interface RoundRecord {
  vantage: string;
  /** Window start, epoch ms. */
  roundAt: number;
  worker: string;
  probes: readonly RoundProbe[];
  canaries: readonly { url: string; ok: boolean; outcome: string }[];
  impaired: boolean;
  reason?: string;
}

export interface SettleResult {
  windows: number;
  slots: number;
  confirmedFailures: number;
  unconfirmedFailures: number;
}

/** Per-vantage availability over a period (first attempts, impaired rounds as "not measured"). */
export interface VantageRow {
  site: string;
  vantage: string;
  probes: number;
  failures: number;
  blocked: number;
  unmeasured: number;
  ratio: number;
}

export interface VantageRounds {
  vantage: string;
  rounds: number;
  impaired: number;
  lastAt: number | null;
}

export interface NightlyInfo {
  id: number;
  asOf: string;
  status: 'running' | 'done' | 'abandoned';
  total: number;
  done: number;
  failed: number;
  pending: number;
}

export interface NightlySiteRow {
  siteId: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  auditRunId: number | null;
  findings: number | null;
  summary: AuditDigest | null;
  error: string | null;
}

/** Remembers which warnings went out (once per site, condition, week and channel). */
export interface WarningLedger {
  wasSent(w: Pick<MonitorWarning, 'siteId' | 'condition' | 'week'>, channel: string): Promise<boolean>;
  markSent(ws: readonly MonitorWarning[], channel: string, sentAt: string): Promise<void>;
}

/** One stored probe as the site page's log shows it. */
export interface ProbeLogRow {
  at: string;
  outcome: string;
  failed: boolean;
  status: number | null;
  ms: number;
  error: string | null;
  address: string | null;
  family: number | null;
  /** Left out (the monitor's outage guard; on the shared store: an impaired round). */
  excluded: boolean;
  /** The vantage point (queue mode). */
  vantage?: string;
  /** 1 = the immediate retry after a failure (queue mode). */
  attempt?: number;
}

/** Announced maintenance windows and the inspector's decisions (src/monitor/maintenance.ts on both stores). */
export interface MaintenanceRepo {
  addMaintenanceWindow(w: { siteId: string; startsAt: number; endsAt: number; note?: string; createdBy?: string; now: number }): Promise<MaintenanceWindow>;
  getMaintenanceWindow(id: number): Promise<MaintenanceWindow | undefined>;
  /** The decision (or back to pending); MaintenanceError when there is no such window. */
  decideMaintenanceWindow(id: number, d: { decision: MaintenanceDecision; by: string; reason?: string; now: number }): Promise<MaintenanceWindow>;
  removeMaintenanceWindow(id: number): Promise<boolean>;
  /** A site's windows, newest first, optionally only those overlapping [fromMs, toMs). */
  listMaintenanceWindows(siteId: string, range?: { fromMs: number; toMs: number }, limit?: number): Promise<MaintenanceWindow[]>;
  /** Probes counted inside one window (as the weekly ratio counts them: confirmed slots on the shared store). */
  windowProbeCounts(w: Pick<MaintenanceWindow, 'siteId' | 'startsAt' | 'endsAt'>): Promise<{ probes: number; failures: number }>;
  /** Counts per site and period (sites without windows absent). */
  maintenanceCounts(q: { siteId?: string; siteIds?: readonly string[]; periods: readonly CountPeriod[] }): Promise<Map<string, Map<string, MaintenanceCounts>>>;
}

/** The warning delivery log (预警记录): every attempt, delivered or failed (src/monitor/alert-log.ts). */
export interface AlertLogRepo {
  logAttempt(channel: { name: string; type: string }, warnings: readonly AlertAttempt[], result: { ok: boolean; error?: string; at: number }): Promise<void>;
  listAlerts(q: AlertQuery): Promise<{ rows: AlertRecord[]; total: number }>;
}

/** Simulated inquiries (模拟咨询, src/inquiry/store.ts). Validation errors are InquiryErrors, as on SQLite. */
export interface InquiryRepo {
  addInquiry(a: { site: string; channel: string; askedAt: string; title: string; note?: string }, now?: Date): Promise<StoredInquiry>;
  getInquiry(id: number): Promise<StoredInquiry | undefined>;
  /** Filed under any of these site keys (ids or addresses), oldest first; all when none given. */
  listInquiries(sites?: readonly (string | undefined)[]): Promise<StoredInquiry[]>;
  setInquiryReply(id: number, repliedAt: string | null, note?: string, now?: Date): Promise<StoredInquiry>;
}

/** The new-media registry (src/newmedia/store.ts): accounts, websites, freshness evidence, the monitored sites. */
export interface NewMediaRepo {
  /** Stores parsed records in one transaction (all or nothing). */
  applyRecords(
    input: { accounts: (AccountRecord & { origin?: string })[]; websites: (WebsiteRecord & { origin?: string })[] },
    origin: string,
    now: string,
    opts?: { keepMissing?: boolean },
  ): Promise<ApplySummary>;
  upsertAccount(rec: AccountRecord, origin: string, now: string, opts?: { keepMissing?: boolean }): Promise<{ id: number; action: UpsertAction }>;
  listAccounts(o?: { unit?: string }): Promise<StoredAccount[]>;
  getAccount(id: number): Promise<StoredAccount | undefined>;
  /** By a typed reference: numeric id, `单位/平台/账号名称`, an account name or 账号ID. */
  findAccounts(ref: string): Promise<StoredAccount[]>;
  deleteAccount(id: number): Promise<boolean>;
  listWebsites(o?: { unit?: string }): Promise<StoredWebsite[]>;
  deleteWebsite(id: number): Promise<boolean>;
  listUnits(): Promise<{ unit: string; accounts: number; websites: number }[]>;
  unitForSite(site: { name?: string; unit?: string; url: string }): Promise<{ unit: string; by: 'unit' | 'name' | 'website' } | undefined>;
  /** A feed keeps only its latest result per account. */
  addPost(account: number, p: NewPost): Promise<number>;
  /** Evidence of some accounts (all when omitted), newest observation first. */
  listPosts(accounts?: readonly number[]): Promise<StoredPost[]>;
  listMonitored(): Promise<{ siteId: string; name: string; url: string; unit: string }[]>;
  /** The sites file's accounts and closed websites (and the sites themselves), as syncSitesFile. */
  syncSitesFile(sites: readonly SiteNewMedia[], now: string, opts?: { full?: boolean }): Promise<ApplySummary & { removed: number }>;
}

/** A pending rescore of a run (the dashboard's reviews in queue mode): revision n is job `rescore:{run}:{n}`. */
export interface RescoreRequest {
  runId: number;
  revision: number;
  /** The manual-items file as it was when the rescore was asked for (null: none yet). */
  manual: { path: string; content: string } | null;
  profile: ScoreProfile;
  requestedBy: string | null;
  requestedAt: string;
  doneRevision: number | null;
}

/** Edits of a published run that do not crawl again: re-run checks, entered facts, rescoring. */
export interface RunEditRepo {
  /** Finished runs of a site (by site id, or id or site key with `siteIdOrKey`) in an as-of range, newest first. */
  doneRuns(q: { siteId?: string; siteIdOrKey?: string; asOfFrom?: string; asOfTo?: string; limit: number }): Promise<RunRow[]>;
  /** Replaces these checks' findings and, when given, their scopes (one transaction). */
  replaceCheckResults(runId: number, checkIds: readonly string[], findings: readonly Finding[], scopes?: Record<string, CheckScope>): Promise<void>;
  /** Adds or replaces observations by (kind, key). */
  saveObservations(runId: number, obs: readonly Observation[]): Promise<void>;
  /** Records a rescore request (what it is scored with) and returns its revision (1, 2, …). */
  requestRescore(runId: number, r: { manual: { path: string; content: string } | null; profile: ScoreProfile; by?: string }): Promise<number>;
  rescoreRequest(runId: number): Promise<RescoreRequest | undefined>;
  /** Stores the score of revision n, unless a newer request exists (then nothing: its own job scores it); the score id. */
  saveRescore(runId: number, revision: number, s: { rubric: string; manualFile?: string; total: number; veto: boolean; provisional: boolean; score: unknown }): Promise<number | undefined>;
}

export interface Repo extends WarningLedger, MaintenanceRepo, AlertLogRepo, InquiryRepo, NewMediaRepo, RunEditRepo {
  readonly kind: RepoKind;
  /** For messages: the file, or the server without credentials. */
  readonly label: string;
  close(): Promise<void>;

  // ---- audit runs
  /** Creates (or finds, by job key) the shared run row of a job; returns its id. */
  claimRun(a: ClaimRun): Promise<number>;
  /** Stores a run's results (replacing what an earlier attempt of the same run published) and, with it, the nightly mark. */
  publishRun(runId: number, b: RunBundle, nightly?: NightlyMark): Promise<void>;
  getRun(id: number): Promise<RunRow | undefined>;
  runByJobKey(jobKey: string): Promise<RunRow | undefined>;
  listRuns(o?: { siteKey?: string; limit?: number }): Promise<RunRow[]>;
  findings(runId: number): Promise<Finding[]>;
  checkScopes(runId: number): Promise<Record<string, CheckScope> | undefined>;
  observations(runId: number, kinds?: readonly string[]): Promise<Observation[]>;
  latestScore(runId: number): Promise<{ computedAt: string; manualFile: string | null; score: unknown } | undefined>;
  scores(runId: number, limit?: number): Promise<ScoreBrief[]>;
  saveScore(runId: number, s: { rubric: string; manualFile?: string; total: number; veto: boolean; provisional: boolean; score: unknown }): Promise<number>;

  // ---- probes, rounds, confirmation
  /** Writes a vantage's round and its probes in one transaction; false when that round was already written. */
  recordRound(r: RoundRecord): Promise<boolean>;
  /**
   * Settles every window that started before `before` and is not settled yet: confirmation across vantages, roll-ups,
   * measured minutes. Each window once (the settled mark commits with its roll-ups).
   */
  settle(o: { before: number; windowMs: number; pid?: number }): Promise<SettleResult>;
  weeklyAvailability(q?: AvailabilityQuery): Promise<AvailabilityRow[]>;
  dailyAvailability(q: { siteId?: string; from: string; to: string; minPerDay?: number }): Promise<DailyAvailability[]>;
  vantageAvailability(q: { from: string; to: string; siteId?: string }): Promise<VantageRow[]>;
  vantageRounds(q: { fromMs: number; toMs: number }): Promise<VantageRounds[]>;
  availabilityForAudit(siteId: string, asOf: string, o?: { now?: number }): Promise<AvailabilitySummary | undefined>;
  /** A site's stored probes in [fromMs, toMs), newest first (every vantage's, retries included), and how many there are. */
  probeLog(q: { siteId: string; fromMs: number; toMs: number; failedOnly: boolean; limit: number; offset: number }): Promise<{ rows: ProbeLogRow[]; total: number }>;
  /** Drops raw probe rows before `beforeDay` (roll-ups stay). */
  pruneProbes(beforeDay: string): Promise<number>;

  // ---- nightly runs (queue mode)
  /** The nightly run of `asOf` (created with its sites when new). */
  openNightly(asOf: string, sites: readonly { id: string; host: string }[], owner: string): Promise<{ id: number; created: boolean }>;
  nightlySiteStarted(nightlyRunId: number, siteId: string): Promise<void>;
  nightlySiteFailed(nightlyRunId: number, siteId: string, error: string, final: boolean): Promise<void>;
  nightlyInfo(id: number): Promise<NightlyInfo | undefined>;
  nightlySites(id: number): Promise<NightlySiteRow[]>;
  /** Marks the run done when no site is pending or running; true when it did so now. */
  finishNightlyIfComplete(id: number): Promise<boolean>;
  /** Running nightly runs (queue mode). */
  openNightlyRuns(): Promise<NightlyInfo[]>;
}
