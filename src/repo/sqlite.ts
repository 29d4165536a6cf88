/**
 * The shared repository on SQLite: the one-machine default. It wraps the existing store and monitor code (same tables,
 * same queries, same speed) and adds the few tables the queue mode needs (sqlite-schema.ts).
 */
import zlib from 'node:zlib';
import type { Db } from '../store/db.ts';
import { Store, type RunRow } from '../store/store.ts';
import { currentOwner } from '../store/owner.ts';
import { dailyAvailability, weeklyAvailability, availabilityForAudit, type AvailabilityQuery } from '../monitor/ratios.ts';
import { pruneProbes } from '../monitor/store.ts';
import { isFailureOutcome } from '../monitor/probe.ts';
import { shanghaiDay } from '../monitor/time.ts';
import type { MonitorWarning } from '../monitor/warnings.ts';
import type { CheckScope, Finding, MaintenanceCounts, Observation } from '../model.ts';
import {
  addMaintenanceWindow, decideMaintenanceWindow, getMaintenanceWindow, listMaintenanceWindows, maintenanceCounts, removeMaintenanceWindow, windowProbeCounts,
  type CountPeriod, type MaintenanceDecision, type MaintenanceWindow,
} from '../monitor/maintenance.ts';
import { listAlerts, logAlertAttempt, type AlertAttempt, type AlertQuery } from '../monitor/alert-log.ts';
import { addInquiry, getInquiry, listInquiries, setInquiryReply, type StoredInquiry } from '../inquiry/store.ts';
import {
  addPost, applyRecords, deleteAccount, deleteWebsite, findAccounts, getAccount, listAccounts, listMonitored, listPosts, listUnits, listWebsites, unitForSite, upsertAccount,
} from '../newmedia/store.ts';
import { syncSitesFile, type SiteNewMedia } from '../newmedia/sites-file.ts';
import type { NewPost } from '../newmedia/paste.ts';
import type { AccountRecord, WebsiteRecord } from '../newmedia/types.ts';
import type { ScoreProfile } from '../audit/score-run.ts';
import { ensureSharedSchema } from './sqlite-schema.ts';
import { settleWindow, type WindowProbe } from './confirm.ts';
import { rescoreFromRow } from './rescore.ts';
import { probeLogRow } from './rows.ts';
import type {
  ClaimRun, NightlyInfo, NightlyMark, NightlySiteRow, ProbeLogRow, RescoreRequest, Repo, RoundRecord, RunBundle, ScoreBrief, SettleResult, VantageRounds, VantageRow,
} from './types.ts';

const pack = (s: string) => zlib.deflateRawSync(Buffer.from(s, 'utf8'), { level: 1 });

export class SqliteRepo implements Repo {
  readonly kind = 'sqlite' as const;
  readonly label: string;
  readonly db: Db;

  constructor(
    readonly store: Store,
    private readonly ownStore = false,
  ) {
    this.db = store.db;
    this.label = store.db.name;
    ensureSharedSchema(this.db);
  }

  static open(file: string): SqliteRepo {
    return new SqliteRepo(Store.open(file), true);
  }

  async close(): Promise<void> {
    if (this.ownStore) this.store.close();
  }

  // ------------------------------------------------------------------ runs

  async claimRun(a: ClaimRun): Promise<number> {
    const row = this.db
      .prepare(
        `INSERT INTO runs (job_key, site_url, site_key, site_id, site_name, rubric, as_of, started_at, status, pid, owner, options)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)
         ON CONFLICT (job_key) WHERE job_key IS NOT NULL DO UPDATE SET status = 'running', owner = excluded.owner, pid = excluded.pid,
           started_at = excluded.started_at, finished_at = NULL, error = NULL
         RETURNING id`,
      )
      .get(a.jobKey, a.siteUrl, a.siteKey, a.siteId ?? null, a.siteName ?? null, a.rubric, a.asOf, new Date().toISOString(), process.pid,
        // the owner as the store tells it (lock, boot id, start time): a run whose worker died is seen as interrupted
        JSON.stringify(currentOwner(this.db.name)),
        JSON.stringify(a.options ?? {})) as { id: number };
    return row.id;
  }

  async publishRun(runId: number, b: RunBundle, nightly?: NightlyMark): Promise<void> {
    const db = this.db;
    db.transaction(() => {
      const r = b.run;
      db.prepare(
        `UPDATE runs SET status = ?, finished_at = ?, stats = ?, error = ?, network = ?, browser = ?, screenshot = ?, notes = ?, options = ?, pid = NULL
         WHERE id = ?`,
      ).run(r.status, r.finishedAt ?? new Date().toISOString(), JSON.stringify(r.stats ?? {}), r.error ?? null, r.network ? JSON.stringify(r.network) : null,
        r.browser ? JSON.stringify(r.browser) : null, r.screenshot ?? null, JSON.stringify(r.notes ?? []), JSON.stringify(r.options ?? {}), runId);
      for (const t of ['findings', 'check_scopes', 'scores', 'observations', 'rendered']) db.prepare(`DELETE FROM ${t} WHERE run_id = ?`).run(runId);
      const insF = db.prepare('INSERT INTO findings (run_id, check_id, url, target, detail, message, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const f of b.findings) insF.run(runId, f.check, f.url, f.target ?? null, f.detail ?? null, f.message, JSON.stringify(f.evidence ?? {}));
      const insS = db.prepare('INSERT INTO check_scopes (run_id, check_id, status, scope) VALUES (?, ?, ?, ?)');
      for (const [id, sc] of Object.entries(b.scopes ?? {})) insS.run(runId, id, sc.status, JSON.stringify(sc));
      const insSc = db.prepare('INSERT INTO scores (run_id, rubric, manual_file, computed_at, total, veto, provisional, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (const s of b.scores) insSc.run(runId, s.rubric, s.manualFile, s.computedAt, s.total, s.veto ? 1 : 0, s.provisional ? 1 : 0, JSON.stringify(s.score));
      const insO = db.prepare('INSERT OR REPLACE INTO observations (run_id, kind, key, seq, url, data) VALUES (?, ?, ?, ?, ?, ?)');
      b.observations.forEach((o, i) => insO.run(runId, o.kind, o.key, i + 1, o.url ?? null, pack(JSON.stringify(o.data ?? null))));
      const insR = db.prepare('INSERT OR REPLACE INTO rendered (run_id, url, html, at, screenshot) VALUES (?, ?, ?, ?, ?)');
      for (const x of b.rendered) insR.run(runId, x.url, pack(''), x.at, x.screenshot ?? null);
      if (nightly) this.markNightly(runId, b, nightly);
    })();
  }

  private markNightly(runId: number, b: RunBundle, n: NightlyMark): void {
    const now = new Date().toISOString();
    if (b.run.status === 'done') {
      this.db
        .prepare(`UPDATE nightly_sites SET status = 'done', audit_run_id = ?, findings = ?, summary = ?, finished_at = ?, error = NULL WHERE run_id = ? AND site_id = ?`)
        .run(runId, n.findings ?? b.findings.length, JSON.stringify(n.digest ?? {}), now, n.nightlyRunId, n.siteId);
    } else {
      this.db
        .prepare(`UPDATE nightly_sites SET status = 'failed', audit_run_id = ?, error = ?, finished_at = ? WHERE run_id = ? AND site_id = ?`)
        .run(runId, (b.run.error ?? 'audit failed').slice(0, 2000), now, n.nightlyRunId, n.siteId);
    }
  }

  async getRun(id: number): Promise<RunRow | undefined> {
    return this.store.getRun(id);
  }

  async runByJobKey(jobKey: string): Promise<RunRow | undefined> {
    const r = this.db.prepare('SELECT id FROM runs WHERE job_key = ?').get(jobKey) as { id: number } | undefined;
    return r ? this.store.getRun(r.id) : undefined;
  }

  async listRuns(o: { siteKey?: string; limit?: number } = {}): Promise<RunRow[]> {
    return this.store.listRuns(o);
  }

  async findings(runId: number): Promise<Finding[]> {
    return this.store.findings(runId);
  }

  async checkScopes(runId: number): Promise<Record<string, CheckScope> | undefined> {
    return this.store.checkScopes(runId);
  }

  async observations(runId: number, kinds?: readonly string[]): Promise<Observation[]> {
    return this.store.observations(runId, kinds);
  }

  async latestScore(runId: number) {
    return this.store.latestScore(runId);
  }

  async scores(runId: number, limit = 20): Promise<ScoreBrief[]> {
    const rows = this.db
      .prepare('SELECT id, computed_at, total, veto, provisional, manual_file FROM scores WHERE run_id = ? ORDER BY id DESC LIMIT ?')
      .all(runId, limit) as { id: number; computed_at: string; total: number; veto: number; provisional: number; manual_file: string | null }[];
    return rows.map((s) => ({ id: s.id, computedAt: s.computed_at, total: s.total, veto: s.veto === 1, provisional: s.provisional === 1, manualFile: s.manual_file }));
  }

  async saveScore(runId: number, s: Parameters<Store['saveScore']>[1]): Promise<number> {
    return this.store.saveScore(runId, s);
  }

  // ------------------------------------------------------------------ probes

  async recordRound(r: RoundRecord): Promise<boolean> {
    const db = this.db;
    const now = new Date().toISOString();
    return db.transaction(() => {
      const first = r.probes.filter((p) => p.attempt === 0);
      const ins = db
        .prepare(
          `INSERT OR IGNORE INTO probe_rounds (vantage, round_at, worker, probes, failures, blocked, impaired, reason, canaries, finished_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(r.vantage, r.roundAt, r.worker, first.length, first.filter((p) => isFailureOutcome(p.result.outcome) && !p.result.blocked).length,
          first.filter((p) => p.result.blocked).length, r.impaired ? 1 : 0, r.reason ?? null, JSON.stringify(r.canaries), now);
      if (ins.changes === 0) return false;
      const insP = db.prepare(
        `INSERT OR IGNORE INTO monitor_probes (site_id, at, day, outcome, failed, status, ms, phases, family, address, bytes, error, excluded,
           vantage, slot_at, attempt, blocked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const p of r.probes) {
        const x = p.result;
        insP.run(p.siteId, x.at, shanghaiDay(x.at), x.outcome, isFailureOutcome(x.outcome) ? 1 : 0, x.status ?? null, Math.round(x.ms),
          Object.keys(x.phases).length ? JSON.stringify(x.phases) : null, x.family ?? null, x.address ?? null, x.bytes, x.error ?? null, r.impaired ? 1 : 0,
          r.vantage, new Date(p.slotAt).toISOString(), p.attempt, x.blocked ? 1 : 0);
      }
      return true;
    })();
  }

  async settle(o: { before: number; windowMs: number; pid?: number }): Promise<SettleResult> {
    const db = this.db;
    const out: SettleResult = { windows: 0, slots: 0, confirmedFailures: 0, unconfirmedFailures: 0 };
    const windows = db
      .prepare(
        `SELECT DISTINCT round_at FROM probe_rounds WHERE round_at < ? AND round_at NOT IN (SELECT window_at FROM settled_windows) ORDER BY round_at LIMIT 5000`,
      )
      .all(o.before) as { round_at: number }[];
    const upDaily = db.prepare(
      `INSERT INTO monitor_daily (day, site_id, probes, failures, blocked, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (day, site_id) DO UPDATE SET probes = probes + excluded.probes, failures = failures + excluded.failures,
         blocked = blocked + excluded.blocked,
         first_at = min(coalesce(first_at, excluded.first_at), excluded.first_at), last_at = max(coalesce(last_at, excluded.last_at), excluded.last_at)`,
    );
    const upVantage = db.prepare(
      `INSERT INTO vantage_daily (day, site_id, vantage, probes, failures, blocked, unmeasured, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (day, site_id, vantage) DO UPDATE SET probes = probes + excluded.probes, failures = failures + excluded.failures,
         blocked = blocked + excluded.blocked, unmeasured = unmeasured + excluded.unmeasured,
         first_at = min(coalesce(first_at, excluded.first_at), excluded.first_at), last_at = max(coalesce(last_at, excluded.last_at), excluded.last_at)`,
    );
    const hb = db.prepare('INSERT OR IGNORE INTO monitor_heartbeats (minute, at, pid) VALUES (?, ?, ?)');
    for (const { round_at: w } of windows) {
      db.transaction(() => {
        const mark = db.prepare('INSERT OR IGNORE INTO settled_windows (window_at, settled_at) VALUES (?, ?)').run(w, new Date().toISOString());
        if (mark.changes === 0) return;
        const rounds = db.prepare('SELECT vantage, impaired FROM probe_rounds WHERE round_at = ?').all(w) as { vantage: string; impaired: number }[];
        const probes = (
          db
            .prepare(
              `SELECT site_id, vantage, slot_at, attempt, failed, blocked, at FROM monitor_probes
               WHERE vantage IS NOT NULL AND slot_at >= ? AND slot_at < ?`,
            )
            .all(new Date(w).toISOString(), new Date(w + o.windowMs).toISOString()) as { site_id: string; vantage: string; slot_at: string; attempt: number; failed: number; blocked: number; at: string }[]
        ).map((p): WindowProbe => ({ siteId: p.site_id, vantage: p.vantage, slotAt: Date.parse(p.slot_at), attempt: p.attempt, failed: p.failed === 1 && p.blocked === 0, blocked: p.blocked === 1, at: p.at }));
        const v = settleWindow(rounds.map((r) => ({ vantage: r.vantage, impaired: r.impaired === 1 })), probes);
        for (const c of v.confirmed) upDaily.run(c.day, c.siteId, c.probes, c.failures, c.blocked, c.firstAt, c.lastAt);
        for (const c of v.vantages) upVantage.run(c.day, c.siteId, c.vantage, c.probes, c.failures, c.blocked, c.unmeasured, c.firstAt, c.lastAt);
        if (v.measured) {
          for (let m = Math.floor(w / 60_000); m <= Math.floor((w + o.windowMs - 1) / 60_000); m++) hb.run(m, new Date(m * 60_000).toISOString(), o.pid ?? null);
        }
        db.prepare('UPDATE settled_windows SET slots = ?, vantages = ? WHERE window_at = ?').run(v.slots, rounds.length, w);
        out.windows++;
        out.slots += v.slots;
        out.confirmedFailures += v.confirmedFailures;
        out.unconfirmedFailures += v.unconfirmedFailures;
      })();
    }
    return out;
  }

  async weeklyAvailability(q: AvailabilityQuery = {}) {
    return weeklyAvailability(this.db, q);
  }

  async dailyAvailability(q: { siteId?: string; from: string; to: string; minPerDay?: number }) {
    return dailyAvailability(this.db, q);
  }

  async vantageAvailability(q: { from: string; to: string; siteId?: string }): Promise<VantageRow[]> {
    const rows = this.db
      .prepare(
        `SELECT site_id, vantage, sum(probes) AS probes, sum(failures) AS failures, sum(blocked) AS blocked, sum(unmeasured) AS unmeasured
         FROM vantage_daily WHERE day >= ? AND day <= ? ${q.siteId ? 'AND site_id = ?' : ''} GROUP BY site_id, vantage ORDER BY site_id, vantage`,
      )
      .all(...(q.siteId ? [q.from, q.to, q.siteId] : [q.from, q.to])) as { site_id: string; vantage: string; probes: number; failures: number; blocked: number; unmeasured: number }[];
    return rows.map((r) => ({ site: r.site_id, vantage: r.vantage, probes: r.probes, failures: r.failures, blocked: r.blocked, unmeasured: r.unmeasured, ratio: r.probes > 0 ? r.failures / r.probes : 0 }));
  }

  async vantageRounds(q: { fromMs: number; toMs: number }): Promise<VantageRounds[]> {
    const rows = this.db
      .prepare(`SELECT vantage, count(*) AS rounds, sum(impaired) AS impaired, max(round_at) AS last FROM probe_rounds WHERE round_at >= ? AND round_at < ? GROUP BY vantage ORDER BY vantage`)
      .all(q.fromMs, q.toMs) as { vantage: string; rounds: number; impaired: number; last: number | null }[];
    return rows.map((r) => ({ vantage: r.vantage, rounds: r.rounds, impaired: r.impaired ?? 0, lastAt: r.last }));
  }

  async availabilityForAudit(siteId: string, asOf: string, o: { now?: number } = {}) {
    return availabilityForAudit(this.db, siteId, asOf, o);
  }

  async probeLog(q: { siteId: string; fromMs: number; toMs: number; failedOnly: boolean; limit: number; offset: number }): Promise<{ rows: ProbeLogRow[]; total: number }> {
    const from = new Date(q.fromMs).toISOString();
    const to = new Date(q.toMs).toISOString();
    const cond = q.failedOnly ? 'AND failed = 1' : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM monitor_probes WHERE site_id = ? AND at >= ? AND at < ? ${cond}`).get(q.siteId, from, to) as { n: number }).n;
    const rows = this.db
      .prepare(
        `SELECT at, outcome, failed, status, ms, error, address, family, excluded, vantage, attempt FROM monitor_probes
         WHERE site_id = ? AND at >= ? AND at < ? ${cond} ORDER BY at DESC LIMIT ? OFFSET ?`,
      )
      .all(q.siteId, from, to, q.limit, q.offset) as Record<string, unknown>[];
    return { rows: rows.map(probeLogRow), total };
  }

  async pruneProbes(beforeDay: string): Promise<number> {
    return pruneProbes(this.db, beforeDay);
  }

  // ------------------------------------------------------------------ warnings

  async wasSent(w: Pick<MonitorWarning, 'siteId' | 'condition' | 'week'>, channel: string): Promise<boolean> {
    return !!this.db.prepare('SELECT 1 FROM monitor_warnings WHERE site_id = ? AND condition = ? AND week = ? AND channel = ?').get(w.siteId, w.condition, w.week, channel);
  }

  async markSent(ws: readonly MonitorWarning[], channel: string, sentAt: string): Promise<void> {
    const mark = this.db.prepare('INSERT OR IGNORE INTO monitor_warnings (site_id, condition, week, channel, sent_at, message) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const w of ws) mark.run(w.siteId, w.condition, w.week, channel, sentAt, w.message);
    })();
  }

  // ------------------------------------------------------------------ nightly (queue mode)

  async openNightly(asOf: string, sites: readonly { id: string; host: string }[], owner: string): Promise<{ id: number; created: boolean }> {
    const db = this.db;
    return db.transaction(() => {
      const had = db.prepare(`SELECT id FROM nightly_runs WHERE as_of = ? AND mode = 'queue' ORDER BY id DESC LIMIT 1`).get(asOf) as { id: number } | undefined;
      if (had) return { id: had.id, created: false };
      const info = db
        .prepare(`INSERT INTO nightly_runs (as_of, started_at, status, pid, owner, sites_total, mode) VALUES (?, ?, 'running', NULL, ?, ?, 'queue')`)
        .run(asOf, new Date().toISOString(), owner, sites.length);
      const id = Number(info.lastInsertRowid);
      const ins = db.prepare(`INSERT OR IGNORE INTO nightly_sites (run_id, site_id, host, status) VALUES (?, ?, ?, 'pending')`);
      for (const s of sites) ins.run(id, s.id, s.host);
      return { id, created: true };
    }).immediate();
  }

  async nightlySiteStarted(id: number, siteId: string): Promise<void> {
    this.db
      .prepare(`UPDATE nightly_sites SET status = 'running', attempts = attempts + 1, started_at = ?, error = NULL WHERE run_id = ? AND site_id = ? AND status != 'done'`)
      .run(new Date().toISOString(), id, siteId);
  }

  async nightlySiteFailed(id: number, siteId: string, error: string, final: boolean): Promise<void> {
    this.db
      .prepare(`UPDATE nightly_sites SET status = ?, error = ?, finished_at = ? WHERE run_id = ? AND site_id = ? AND status != 'done'`)
      .run(final ? 'failed' : 'pending', error.slice(0, 2000), new Date().toISOString(), id, siteId);
  }

  async nightlyInfo(id: number): Promise<NightlyInfo | undefined> {
    const r = this.db.prepare('SELECT id, as_of, status FROM nightly_runs WHERE id = ?').get(id) as { id: number; as_of: string; status: NightlyInfo['status'] } | undefined;
    if (!r) return undefined;
    const c = this.db
      .prepare(`SELECT count(*) AS total, sum(status = 'done') AS done, sum(status = 'failed') AS failed, sum(status IN ('pending', 'running')) AS pending FROM nightly_sites WHERE run_id = ?`)
      .get(id) as { total: number; done: number | null; failed: number | null; pending: number | null };
    return { id: r.id, asOf: r.as_of, status: r.status, total: c.total, done: c.done ?? 0, failed: c.failed ?? 0, pending: c.pending ?? 0 };
  }

  async nightlySites(id: number): Promise<NightlySiteRow[]> {
    const rows = this.db
      .prepare('SELECT site_id, status, attempts, audit_run_id, findings, summary, error FROM nightly_sites WHERE run_id = ? ORDER BY site_id')
      .all(id) as { site_id: string; status: NightlySiteRow['status']; attempts: number; audit_run_id: number | null; findings: number | null; summary: string | null; error: string | null }[];
    return rows.map((r) => ({ siteId: r.site_id, status: r.status, attempts: r.attempts, auditRunId: r.audit_run_id, findings: r.findings, summary: r.summary ? JSON.parse(r.summary) : null, error: r.error }));
  }

  async finishNightlyIfComplete(id: number): Promise<boolean> {
    const info = this.db
      .prepare(
        `UPDATE nightly_runs SET status = 'done', finished_at = ? WHERE id = ? AND status = 'running'
         AND NOT EXISTS (SELECT 1 FROM nightly_sites WHERE run_id = ? AND status IN ('pending', 'running'))`,
      )
      .run(new Date().toISOString(), id, id);
    return info.changes > 0;
  }

  async openNightlyRuns(): Promise<NightlyInfo[]> {
    const ids = this.db.prepare(`SELECT id FROM nightly_runs WHERE status = 'running' AND mode = 'queue' ORDER BY id`).all() as { id: number }[];
    const out: NightlyInfo[] = [];
    for (const { id } of ids) {
      const i = await this.nightlyInfo(id);
      if (i) out.push(i);
    }
    return out;
  }

  // ------------------------------------------------------------------ run edits (re-run checks, rescoring)

  async doneRuns(q: { siteId?: string; siteIdOrKey?: string; asOfFrom?: string; asOfTo?: string; limit: number }): Promise<RunRow[]> {
    const where = ["status = 'done'"];
    const params: unknown[] = [];
    if (q.siteId) {
      where.push('site_id = ?');
      params.push(q.siteId);
    }
    if (q.siteIdOrKey) {
      where.push('(site_id = ? OR site_key = ?)');
      params.push(q.siteIdOrKey, q.siteIdOrKey);
    }
    if (q.asOfFrom) {
      where.push('as_of >= ?');
      params.push(q.asOfFrom);
    }
    if (q.asOfTo) {
      where.push('as_of <= ?');
      params.push(q.asOfTo);
    }
    const ids = this.db.prepare(`SELECT id FROM runs WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`).all(...params, q.limit) as { id: number }[];
    return ids.map((r) => this.store.getRun(r.id)!).filter(Boolean);
  }

  async replaceCheckResults(runId: number, checkIds: readonly string[], findings: readonly Finding[], scopes?: Record<string, CheckScope>): Promise<void> {
    this.db.transaction(() => {
      this.store.replaceCheckFindings(runId, checkIds, findings);
      if (scopes) this.store.saveCheckScopes(runId, scopes, { partial: true });
    })();
  }

  async saveObservations(runId: number, obs: readonly Observation[]): Promise<void> {
    this.store.saveObservations(runId, obs);
  }

  async requestRescore(runId: number, r: { manual: { path: string; content: string } | null; profile: ScoreProfile; by?: string }): Promise<number> {
    const row = this.db
      .prepare(
        `INSERT INTO rescore_requests (run_id, revision, manual_path, manual, profile, requested_by, requested_at) VALUES (?, 1, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET revision = revision + 1, manual_path = excluded.manual_path, manual = excluded.manual, profile = excluded.profile,
           requested_by = excluded.requested_by, requested_at = excluded.requested_at
         RETURNING revision`,
      )
      .get(runId, r.manual?.path ?? null, r.manual?.content ?? null, JSON.stringify(r.profile), r.by ?? null, new Date().toISOString()) as { revision: number };
    return row.revision;
  }

  async rescoreRequest(runId: number): Promise<RescoreRequest | undefined> {
    const r = this.db.prepare('SELECT * FROM rescore_requests WHERE run_id = ?').get(runId) as Record<string, unknown> | undefined;
    return r ? rescoreFromRow(r) : undefined;
  }

  async saveRescore(runId: number, revision: number, s: { rubric: string; manualFile?: string; total: number; veto: boolean; provisional: boolean; score: unknown }): Promise<number | undefined> {
    return this.db.transaction(() => {
      const cur = this.db.prepare('SELECT revision, done_revision FROM rescore_requests WHERE run_id = ?').get(runId) as { revision: number; done_revision: number | null } | undefined;
      if (!cur || cur.revision !== revision || (cur.done_revision ?? 0) >= revision) return undefined;
      const id = this.store.saveScore(runId, s);
      this.db.prepare('UPDATE rescore_requests SET done_revision = ?, done_at = ? WHERE run_id = ?').run(revision, new Date().toISOString(), runId);
      return id;
    }).immediate();
  }

  // ------------------------------------------------------------------ maintenance windows

  async addMaintenanceWindow(w: { siteId: string; startsAt: number; endsAt: number; note?: string; createdBy?: string; now: number }): Promise<MaintenanceWindow> {
    return addMaintenanceWindow(this.db, w);
  }

  async getMaintenanceWindow(id: number): Promise<MaintenanceWindow | undefined> {
    return getMaintenanceWindow(this.db, id);
  }

  async decideMaintenanceWindow(id: number, d: { decision: MaintenanceDecision; by: string; reason?: string; now: number }): Promise<MaintenanceWindow> {
    return decideMaintenanceWindow(this.db, id, d);
  }

  async removeMaintenanceWindow(id: number): Promise<boolean> {
    return removeMaintenanceWindow(this.db, id);
  }

  async listMaintenanceWindows(siteId: string, range?: { fromMs: number; toMs: number }, limit?: number): Promise<MaintenanceWindow[]> {
    return listMaintenanceWindows(this.db, siteId, range, limit);
  }

  async windowProbeCounts(w: Pick<MaintenanceWindow, 'siteId' | 'startsAt' | 'endsAt'>): Promise<{ probes: number; failures: number }> {
    return windowProbeCounts(this.db, w);
  }

  async maintenanceCounts(q: { siteId?: string; siteIds?: readonly string[]; periods: readonly CountPeriod[] }): Promise<Map<string, Map<string, MaintenanceCounts>>> {
    return maintenanceCounts(this.db, q);
  }

  // ------------------------------------------------------------------ alert log

  async logAttempt(channel: { name: string; type: string }, warnings: readonly AlertAttempt[], result: { ok: boolean; error?: string; at: number }): Promise<void> {
    logAlertAttempt(this.db, channel, warnings, result);
  }

  async listAlerts(q: AlertQuery) {
    return listAlerts(this.db, q);
  }

  // ------------------------------------------------------------------ simulated inquiries

  async addInquiry(a: { site: string; channel: string; askedAt: string; title: string; note?: string }, now?: Date): Promise<StoredInquiry> {
    return addInquiry(this.db, a, now) as StoredInquiry;
  }

  async getInquiry(id: number): Promise<StoredInquiry | undefined> {
    return getInquiry(this.db, id);
  }

  async listInquiries(sites?: readonly (string | undefined)[]): Promise<StoredInquiry[]> {
    return listInquiries(this.db, sites);
  }

  async setInquiryReply(id: number, repliedAt: string | null, note?: string, now?: Date): Promise<StoredInquiry> {
    return setInquiryReply(this.db, id, repliedAt, note, now);
  }

  // ------------------------------------------------------------------ new-media registry

  async applyRecords(
    input: { accounts: (AccountRecord & { origin?: string })[]; websites: (WebsiteRecord & { origin?: string })[] },
    origin: string,
    now: string,
    opts: { keepMissing?: boolean } = {},
  ) {
    return applyRecords(this.db, input, origin, now, opts);
  }

  async upsertAccount(rec: AccountRecord, origin: string, now: string, opts: { keepMissing?: boolean } = {}) {
    return upsertAccount(this.db, rec, origin, now, opts);
  }

  async listAccounts(o: { unit?: string } = {}) {
    return listAccounts(this.db, o);
  }

  async getAccount(id: number) {
    return getAccount(this.db, id);
  }

  async findAccounts(ref: string) {
    return findAccounts(this.db, ref);
  }

  async deleteAccount(id: number) {
    return deleteAccount(this.db, id);
  }

  async listWebsites(o: { unit?: string } = {}) {
    return listWebsites(this.db, o);
  }

  async deleteWebsite(id: number) {
    return deleteWebsite(this.db, id);
  }

  async listUnits() {
    return listUnits(this.db);
  }

  async unitForSite(site: { name?: string; unit?: string; url: string }) {
    return unitForSite(this.db, site);
  }

  async addPost(account: number, p: NewPost) {
    return addPost(this.db, account, p);
  }

  async listPosts(accounts?: readonly number[]) {
    return listPosts(this.db, accounts ? [...accounts] : undefined);
  }

  async listMonitored() {
    return listMonitored(this.db);
  }

  async syncSitesFile(sites: readonly SiteNewMedia[], now: string, opts: { full?: boolean } = {}) {
    return syncSitesFile(this.db, sites, now, opts);
  }
}

