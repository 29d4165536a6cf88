/**
 * The shared repository's records outside runs, on PostgreSQL: maintenance windows, the warning delivery log,
 * simulated inquiries, the new-media registry — and run edits (re-run checks, entered facts, rescore requests).
 * Validation, matching and counting are the SQLite modules' own pure helpers, so both stores decide alike; only the
 * queries differ. PgRepo extends this class.
 */
import zlib from 'node:zlib';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CheckScope, Finding, MaintenanceCounts, Observation } from '../model.ts';
import { toRun, type RunRow } from '../store/store.ts';
import {
  decisionValues, MaintenanceError, maintenanceFromRow, tallyMaintenance, validateWindow,
  type CountPeriod, type MaintenanceDecision, type MaintenanceWindow,
} from '../monitor/maintenance.ts';
import { addDays, dayStartMs, shanghaiDay } from '../monitor/time.ts';
import { alertFromRow, type AlertAttempt, type AlertQuery, type AlertRecord } from '../monitor/alert-log.ts';
import { InquiryError, inquiryFromRow, inquiryKeys, validateInquiry, validateReplyTime, type StoredInquiry } from '../inquiry/store.ts';
import {
  matchAccount, matchAccountRef, matchUnit, planAccount, planWebsite, stripRecord, toAccount, toPost, toWebsite,
  type AccountRow, type ApplySummary, type PostRow, type StoredAccount, type StoredPost, type StoredWebsite, type UpsertAction, type WebsiteRow,
} from '../newmedia/store.ts';
import { nameKey, siteUrlKey } from '../newmedia/normalize.ts';
import { sitesFileEntries, unitOfSite, type SiteNewMedia } from '../newmedia/sites-file.ts';
import type { NewPost } from '../newmedia/paste.ts';
import type { AccountRecord, WebsiteRecord } from '../newmedia/types.ts';
import type { ScoreProfile } from '../audit/score-run.ts';
import { confirmedSlot, type SlotProbe } from './confirm.ts';
import { rescoreFromRow } from './rescore.ts';
import type { ProbeLogRow, RescoreRequest } from './types.ts';
import { probeLogRow } from './rows.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type DB = any;
type Q = Kysely<DB> | Transaction<DB>;
type Row = Record<string, unknown>;

const pack = (s: string) => zlib.deflateRawSync(Buffer.from(s, 'utf8'), { level: 1 });

function chunks<T>(a: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < a.length; i += n) out.push(a.slice(i, i + n) as T[]);
  return out;
}

export abstract class PgRecords {
  abstract readonly db: Kysely<DB>;

  // ------------------------------------------------------------------ run edits

  async doneRuns(q: { siteId?: string; siteIdOrKey?: string; asOfFrom?: string; asOfTo?: string; limit: number }): Promise<RunRow[]> {
    const r = await sql<Row>`SELECT * FROM runs WHERE status = 'done'
      ${q.siteId ? sql`AND site_id = ${q.siteId}` : sql``}
      ${q.siteIdOrKey ? sql`AND (site_id = ${q.siteIdOrKey} OR site_key = ${q.siteIdOrKey})` : sql``}
      ${q.asOfFrom ? sql`AND as_of >= ${q.asOfFrom}` : sql``}
      ${q.asOfTo ? sql`AND as_of <= ${q.asOfTo}` : sql``}
      ORDER BY id DESC LIMIT ${q.limit}`.execute(this.db);
    return r.rows.map(toRun);
  }

  async replaceCheckResults(runId: number, checkIds: readonly string[], findings: readonly Finding[], scopes?: Record<string, CheckScope>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (checkIds.length) await sql`DELETE FROM findings WHERE run_id = ${runId} AND check_id = ANY(${[...checkIds]})`.execute(trx);
      for (const part of chunks(findings, 1000)) {
        await trx
          .insertInto('findings')
          .values(part.map((f) => ({ run_id: runId, check_id: f.check, url: f.url, target: f.target ?? null, detail: f.detail ?? null, message: f.message, evidence: JSON.stringify(f.evidence ?? {}) })))
          .execute();
      }
      const sc = Object.entries(scopes ?? {});
      if (sc.length) {
        await trx
          .insertInto('check_scopes')
          .values(sc.map(([id, s]) => ({ run_id: runId, check_id: id, status: s.status, scope: JSON.stringify(s) })))
          .onConflict((oc) => oc.columns(['run_id', 'check_id']).doUpdateSet({ status: sql`excluded.status`, scope: sql`excluded.scope` }))
          .execute();
      }
    });
  }

  async saveObservations(runId: number, obs: readonly Observation[]): Promise<void> {
    if (obs.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const m = await sql<{ m: number }>`SELECT COALESCE(MAX(seq), 0)::int AS m FROM observations WHERE run_id = ${runId}`.execute(trx);
      const next = m.rows[0].m;
      const seen = new Map<string, number>();
      obs.forEach((o, i) => seen.set(`${o.kind}\u0000${o.key}`, i));
      const list = [...seen.values()].sort((a, b) => a - b).map((i) => obs[i]);
      for (const part of chunks(list.map((o, i) => ({ o, i })), 500)) {
        await trx
          .insertInto('observations')
          .values(part.map(({ o, i }) => ({ run_id: runId, kind: o.kind, key: o.key, seq: next + i + 1, url: o.url ?? null, data: pack(JSON.stringify(o.data ?? null)) })))
          .onConflict((oc) => oc.columns(['run_id', 'kind', 'key']).doUpdateSet({ url: sql`excluded.url`, data: sql`excluded.data` }))
          .execute();
      }
    });
  }

  async requestRescore(runId: number, r: { manual: { path: string; content: string } | null; profile: ScoreProfile; by?: string }): Promise<number> {
    const x = await sql<{ revision: number }>`
      INSERT INTO rescore_requests (run_id, revision, manual_path, manual, profile, requested_by, requested_at)
      VALUES (${runId}, 1, ${r.manual?.path ?? null}, ${r.manual?.content ?? null}, ${JSON.stringify(r.profile)}, ${r.by ?? null}, ${new Date().toISOString()})
      ON CONFLICT (run_id) DO UPDATE SET revision = rescore_requests.revision + 1, manual_path = excluded.manual_path, manual = excluded.manual,
        profile = excluded.profile, requested_by = excluded.requested_by, requested_at = excluded.requested_at
      RETURNING revision`.execute(this.db);
    return x.rows[0].revision;
  }

  async rescoreRequest(runId: number): Promise<RescoreRequest | undefined> {
    const r = await sql<Row>`SELECT * FROM rescore_requests WHERE run_id = ${runId}`.execute(this.db);
    return r.rows[0] ? rescoreFromRow(r.rows[0]) : undefined;
  }

  async saveRescore(runId: number, revision: number, s: { rubric: string; manualFile?: string; total: number; veto: boolean; provisional: boolean; score: unknown }): Promise<number | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const cur = await sql<{ revision: number; done_revision: number | null }>`SELECT revision, done_revision FROM rescore_requests WHERE run_id = ${runId} FOR UPDATE`.execute(trx);
      const c = cur.rows[0];
      if (!c || c.revision !== revision || (c.done_revision ?? 0) >= revision) return undefined;
      const ins = await sql<{ id: number }>`
        INSERT INTO scores (run_id, rubric, manual_file, computed_at, total, veto, provisional, score)
        VALUES (${runId}, ${s.rubric}, ${s.manualFile ?? null}, ${new Date().toISOString()}, ${s.total}, ${s.veto ? 1 : 0}, ${s.provisional ? 1 : 0}, ${JSON.stringify(s.score)})
        RETURNING id`.execute(trx);
      await sql`UPDATE rescore_requests SET done_revision = ${revision}, done_at = ${new Date().toISOString()} WHERE run_id = ${runId}`.execute(trx);
      return ins.rows[0].id;
    });
  }

  async probeLog(q: { siteId: string; fromMs: number; toMs: number; failedOnly: boolean; limit: number; offset: number }): Promise<{ rows: ProbeLogRow[]; total: number }> {
    const where = sql`site_id = ${q.siteId} AND slot_at >= ${new Date(q.fromMs)} AND slot_at < ${new Date(q.toMs)} ${q.failedOnly ? sql`AND failed = 1` : sql``}`;
    const total = await sql<{ n: number }>`SELECT count(*)::int AS n FROM monitor_probes WHERE ${where}`.execute(this.db);
    const rows = await sql<Row>`SELECT at, outcome, failed, status, ms, error, address, family, excluded, vantage, attempt FROM monitor_probes
      WHERE ${where} ORDER BY at DESC, vantage COLLATE "C", attempt LIMIT ${q.limit} OFFSET ${q.offset}`.execute(this.db);
    return { rows: rows.rows.map(probeLogRow), total: total.rows[0].n };
  }

  // ------------------------------------------------------------------ maintenance windows

  async addMaintenanceWindow(w: { siteId: string; startsAt: number; endsAt: number; note?: string; createdBy?: string; now: number }): Promise<MaintenanceWindow> {
    validateWindow(w);
    const r = await sql<Row>`
      INSERT INTO monitor_maintenance (site_id, starts_at, ends_at, note, created_by, created_at)
      VALUES (${w.siteId}, ${new Date(w.startsAt).toISOString()}, ${new Date(w.endsAt).toISOString()}, ${w.note ?? null}, ${w.createdBy ?? null}, ${new Date(w.now).toISOString()})
      RETURNING *`.execute(this.db);
    return maintenanceFromRow(r.rows[0]);
  }

  async getMaintenanceWindow(id: number): Promise<MaintenanceWindow | undefined> {
    const r = await sql<Row>`SELECT * FROM monitor_maintenance WHERE id = ${id}`.execute(this.db);
    return r.rows[0] ? maintenanceFromRow(r.rows[0]) : undefined;
  }

  async decideMaintenanceWindow(id: number, d: { decision: MaintenanceDecision; by: string; reason?: string; now: number }): Promise<MaintenanceWindow> {
    const v = decisionValues(d);
    const r = await sql<Row>`UPDATE monitor_maintenance SET decision = ${v.decision}, decided_by = ${v.decidedBy}, decided_at = ${v.decidedAt}, reason = ${v.reason}
      WHERE id = ${id} RETURNING *`.execute(this.db);
    if (!r.rows[0]) throw new MaintenanceError(`没有编号为 ${id} 的维护时段`);
    return maintenanceFromRow(r.rows[0]);
  }

  async removeMaintenanceWindow(id: number): Promise<boolean> {
    const r = await sql`DELETE FROM monitor_maintenance WHERE id = ${id}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  async listMaintenanceWindows(siteId: string, range?: { fromMs: number; toMs: number }, limit = 200): Promise<MaintenanceWindow[]> {
    const r = await sql<Row>`SELECT * FROM monitor_maintenance WHERE site_id = ${siteId}
      ${range ? sql`AND ends_at > ${new Date(range.fromMs).toISOString()} AND starts_at < ${new Date(range.toMs).toISOString()}` : sql``}
      ORDER BY starts_at DESC LIMIT ${limit}`.execute(this.db);
    return r.rows.map(maintenanceFromRow);
  }

  /**
   * A site's measured slots in [fromIso, toIso), each with whether it counts and failed as the weekly ratio counts it
   * (confirmation across vantages, impaired rounds not measured: confirm.ts).
   */
  private async slots(siteId: string, fromIso: string, toIso: string): Promise<{ id: number; at: string; day: string; failed: number }[]> {
    const r = await sql<{ vantage: string; slot_at: Date; attempt: number; failed: number; blocked: number; excluded: number; at: Date }>`
      SELECT vantage, slot_at, attempt, failed, blocked, excluded, at FROM monitor_probes
      WHERE site_id = ${siteId} AND slot_at >= ${new Date(fromIso)} AND slot_at < ${new Date(toIso)} ORDER BY slot_at`.execute(this.db);
    const bySlot = new Map<number, SlotProbe[]>();
    for (const p of r.rows) {
      const t = p.slot_at.getTime();
      let list = bySlot.get(t);
      if (!list) bySlot.set(t, (list = []));
      list.push({ siteId, vantage: p.vantage, slotAt: t, attempt: p.attempt, failed: p.failed === 1 && p.blocked === 0, blocked: p.blocked === 1, excluded: p.excluded === 1, at: p.at.toISOString() });
    }
    const out: { id: number; at: string; day: string; failed: number }[] = [];
    for (const [t, list] of bySlot) {
      const v = confirmedSlot(list);
      if (v.counted) out.push({ id: t, at: new Date(t).toISOString(), day: shanghaiDay(t), failed: v.failed ? 1 : 0 });
    }
    return out;
  }

  async windowProbeCounts(w: Pick<MaintenanceWindow, 'siteId' | 'startsAt' | 'endsAt'>): Promise<{ probes: number; failures: number }> {
    const s = await this.slots(w.siteId, w.startsAt, w.endsAt);
    return { probes: s.length, failures: s.reduce((n, x) => n + x.failed, 0) };
  }

  async maintenanceCounts(q: { siteId?: string; siteIds?: readonly string[]; periods: readonly CountPeriod[] }): Promise<Map<string, Map<string, MaintenanceCounts>>> {
    const out = new Map<string, Map<string, MaintenanceCounts>>();
    if (!q.periods.length) return out;
    const from = q.periods.reduce((a, p) => (p.from < a ? p.from : a), q.periods[0].from);
    const to = q.periods.reduce((a, p) => (p.to > a ? p.to : a), q.periods[0].to);
    const fromIso = new Date(dayStartMs(from)).toISOString();
    const toIso = new Date(dayStartMs(addDays(to, 1))).toISOString();
    const r = await sql<Row>`SELECT * FROM monitor_maintenance WHERE ends_at > ${fromIso} AND starts_at < ${toIso}
      ${q.siteId ? sql`AND site_id = ${q.siteId}` : q.siteIds ? sql`AND site_id = ANY(${[...q.siteIds]})` : sql``}
      ORDER BY site_id, starts_at LIMIT 10000`.execute(this.db);
    if (!r.rows.length) return out;
    const bySite = new Map<string, MaintenanceWindow[]>();
    for (const w of r.rows.map(maintenanceFromRow)) {
      const list = bySite.get(w.siteId) ?? [];
      list.push(w);
      bySite.set(w.siteId, list);
    }
    for (const [site, list] of bySite) {
      const lo = list.reduce((a, w) => (w.startsAt < a ? w.startsAt : a), list[0].startsAt);
      const hi = list.reduce((a, w) => (w.endsAt > a ? w.endsAt : a), list[0].endsAt);
      const slots = await this.slots(site, lo > fromIso ? lo : fromIso, hi < toIso ? hi : toIso);
      const perPeriod = tallyMaintenance(list, (w) => slots.filter((s) => s.at >= w.startsAt && s.at < w.endsAt), q.periods);
      if (perPeriod.size) out.set(site, perPeriod);
    }
    return out;
  }

  // ------------------------------------------------------------------ alert log

  async logAttempt(channel: { name: string; type: string }, warnings: readonly AlertAttempt[], result: { ok: boolean; error?: string; at: number }): Promise<void> {
    if (!warnings.length) return;
    const iso = new Date(result.at).toISOString();
    const error = result.ok ? null : (result.error ?? 'unknown error').slice(0, 500);
    await this.db.transaction().execute(async (trx) => {
      for (const w of warnings) {
        const prev = await sql<{ id: number; ok: number }>`SELECT id, ok FROM monitor_alert_log
          WHERE site_id = ${w.siteId} AND condition = ${w.condition} AND week = ${w.week} AND channel = ${channel.name} ORDER BY id DESC LIMIT 1`.execute(trx);
        const p = prev.rows[0];
        if (!result.ok && p && p.ok === 0) {
          await sql`UPDATE monitor_alert_log SET attempts = attempts + 1, last_at = ${iso}, error = ${error}, message = ${w.message} WHERE id = ${p.id}`.execute(trx);
        } else {
          await sql`INSERT INTO monitor_alert_log (site_id, condition, week, channel, channel_type, ok, at, last_at, attempts, error, message)
            VALUES (${w.siteId}, ${w.condition}, ${w.week}, ${channel.name}, ${channel.type}, ${result.ok ? 1 : 0}, ${iso}, ${iso}, 1, ${error}, ${w.message})`.execute(trx);
        }
      }
    });
  }

  async listAlerts(q: AlertQuery): Promise<{ rows: AlertRecord[]; total: number }> {
    const union = sql`
      SELECT site_id, condition, week, channel, channel_type, ok::int AS ok, at, last_at, attempts, error, message, id AS ord FROM monitor_alert_log
      UNION ALL
      SELECT w.site_id, w.condition, w.week, w.channel, NULL, 1, w.sent_at, w.sent_at, 1, NULL, w.message, 0 FROM monitor_warnings w
      WHERE NOT EXISTS (SELECT 1 FROM monitor_alert_log l WHERE l.site_id = w.site_id AND l.condition = w.condition
                        AND l.week = w.week AND l.channel = w.channel AND l.ok = 1)`;
    const conds = [
      ...(q.siteId ? [sql`site_id = ${q.siteId}`] : []),
      ...(q.siteIds ? [sql`site_id = ANY(${[...q.siteIds]})`] : []),
      ...(q.week ? [sql`week = ${q.week}`] : []),
      ...(q.status === 'failed' ? [sql`ok = 0`] : []),
      ...(q.status === 'sent' ? [sql`ok = 1`] : []),
    ];
    const where = conds.length ? sql`WHERE ${sql.join(conds, sql` AND `)}` : sql``;
    const total = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (${union}) u ${where}`.execute(this.db);
    const rows = await sql<Row>`SELECT * FROM (${union}) u ${where} ORDER BY last_at COLLATE "C" DESC, ord DESC LIMIT ${q.limit} OFFSET ${q.offset}`.execute(this.db);
    return { rows: rows.rows.map(alertFromRow), total: total.rows[0].n };
  }

  // ------------------------------------------------------------------ simulated inquiries

  async addInquiry(a: { site: string; channel: string; askedAt: string; title: string; note?: string }, now = new Date()): Promise<StoredInquiry> {
    const v = validateInquiry(a);
    const t = now.toISOString();
    const r = await sql<Row>`INSERT INTO inquiries (site, channel, asked_at, title, note, created_at, updated_at)
      VALUES (${v.site}, ${v.channel}, ${v.askedAt}, ${v.title}, ${v.note}, ${t}, ${t}) RETURNING *`.execute(this.db);
    return inquiryFromRow(r.rows[0]);
  }

  async getInquiry(id: number): Promise<StoredInquiry | undefined> {
    const r = await sql<Row>`SELECT * FROM inquiries WHERE id = ${id}`.execute(this.db);
    return r.rows[0] ? inquiryFromRow(r.rows[0]) : undefined;
  }

  async listInquiries(sites?: readonly (string | undefined)[]): Promise<StoredInquiry[]> {
    if (sites === undefined) return (await sql<Row>`SELECT * FROM inquiries ORDER BY asked_at, id`.execute(this.db)).rows.map(inquiryFromRow);
    const keys = inquiryKeys(sites);
    if (!keys.length) return [];
    return (await sql<Row>`SELECT * FROM inquiries WHERE site = ANY(${keys}) ORDER BY asked_at, id`.execute(this.db)).rows.map(inquiryFromRow);
  }

  async setInquiryReply(id: number, repliedAt: string | null, note?: string, now = new Date()): Promise<StoredInquiry> {
    const cur = await this.getInquiry(id);
    if (!cur) throw new InquiryError(`没有编号为 ${id} 的模拟咨询`);
    const v = validateReplyTime(cur, repliedAt);
    const r = await sql<Row>`UPDATE inquiries SET replied_at = ${v}, reply_note = ${note?.trim() || null}, updated_at = ${now.toISOString()} WHERE id = ${id} RETURNING *`.execute(this.db);
    return inquiryFromRow(r.rows[0]);
  }

  // ------------------------------------------------------------------ new-media registry

  private async upsertAccountIn(q: Q, rec: AccountRecord, origin: string, now: string, opts: { keepMissing?: boolean } = {}): Promise<{ id: number; action: UpsertAction }> {
    const candidates = (await sql<AccountRow>`SELECT * FROM newmedia_accounts WHERE unit_key = ${nameKey(rec.unit)} AND platform_label = ${rec.platformLabel}`.execute(q)).rows;
    const row = matchAccount(rec, candidates);
    const p = planAccount(rec, row, opts);
    const v = p.values;
    if (!row) {
      const r = await sql<{ id: number }>`
        INSERT INTO newmedia_accounts (unit, unit_key, name, platform, platform_label, account_key, account_id, subject, status, homepage, feed, registry_updated, origin, created_at, updated_at)
        VALUES (${v.unit}, ${p.unitKey}, ${v.name}, ${v.platform}, ${v.platform_label}, ${p.accountKey}, ${v.account_id}, ${v.subject}, ${v.status}, ${v.homepage}, ${v.feed},
                ${v.registry_updated}, ${origin}, ${now}, ${now})
        RETURNING id`.execute(q);
      return { id: r.rows[0].id, action: 'added' };
    }
    if (p.action === 'unchanged') return { id: Number(row.id), action: 'unchanged' };
    await sql`UPDATE newmedia_accounts SET unit = ${v.unit}, name = ${v.name}, platform = ${v.platform}, platform_label = ${v.platform_label}, account_key = ${p.accountKey},
        account_id = ${v.account_id}, subject = ${v.subject}, status = ${v.status}, homepage = ${v.homepage}, feed = ${v.feed}, registry_updated = ${v.registry_updated},
        origin = ${origin}, updated_at = ${now} WHERE id = ${row.id}`.execute(q);
    return { id: Number(row.id), action: 'updated' };
  }

  private async upsertWebsiteIn(q: Q, rec: WebsiteRecord, origin: string, now: string): Promise<{ id: number; action: UpsertAction }> {
    const row = (await sql<WebsiteRow>`SELECT * FROM newmedia_websites WHERE url_key = ${siteUrlKey(rec.url)}`.execute(q)).rows[0];
    const p = planWebsite(rec, row);
    const v = p.values;
    if (!row) {
      const r = await sql<{ id: number }>`
        INSERT INTO newmedia_websites (unit, unit_key, name, url, url_key, status, moved_to, origin, created_at, updated_at)
        VALUES (${v.unit}, ${v.unit_key}, ${v.name}, ${v.url}, ${p.urlKey}, ${v.status}, ${v.moved_to}, ${origin}, ${now}, ${now}) RETURNING id`.execute(q);
      return { id: r.rows[0].id, action: 'added' };
    }
    if (p.action === 'unchanged') return { id: Number(row.id), action: 'unchanged' };
    await sql`UPDATE newmedia_websites SET unit = ${v.unit}, unit_key = ${v.unit_key}, name = ${v.name}, url = ${v.url}, status = ${v.status}, moved_to = ${v.moved_to},
        origin = ${origin}, updated_at = ${now} WHERE id = ${row.id}`.execute(q);
    return { id: Number(row.id), action: 'updated' };
  }

  async applyRecords(
    input: { accounts: (AccountRecord & { origin?: string })[]; websites: (WebsiteRecord & { origin?: string })[] },
    origin: string,
    now: string,
    opts: { keepMissing?: boolean } = {},
  ): Promise<ApplySummary> {
    const out: ApplySummary = { accounts: { added: 0, updated: 0, unchanged: 0 }, websites: { added: 0, updated: 0, unchanged: 0 } };
    await this.db.transaction().execute(async (trx) => {
      for (const a of input.accounts) out.accounts[(await this.upsertAccountIn(trx, stripRecord(a), a.origin ?? origin, now, opts)).action]++;
      for (const w of input.websites) out.websites[(await this.upsertWebsiteIn(trx, stripRecord(w), w.origin ?? origin, now)).action]++;
    });
    return out;
  }

  async upsertAccount(rec: AccountRecord, origin: string, now: string, opts: { keepMissing?: boolean } = {}): Promise<{ id: number; action: UpsertAction }> {
    return this.db.transaction().execute((trx) => this.upsertAccountIn(trx, rec, origin, now, opts));
  }

  async listAccounts(o: { unit?: string } = {}): Promise<StoredAccount[]> {
    const r = o.unit
      ? await sql<AccountRow>`SELECT * FROM newmedia_accounts WHERE unit_key = ${nameKey(o.unit)} ORDER BY platform, name, id`.execute(this.db)
      : await sql<AccountRow>`SELECT * FROM newmedia_accounts ORDER BY unit_key, platform, name, id`.execute(this.db);
    return r.rows.map(toAccount);
  }

  async getAccount(id: number): Promise<StoredAccount | undefined> {
    const r = await sql<AccountRow>`SELECT * FROM newmedia_accounts WHERE id = ${id}`.execute(this.db);
    return r.rows[0] ? toAccount(r.rows[0]) : undefined;
  }

  async findAccounts(ref: string): Promise<StoredAccount[]> {
    const r = ref.trim();
    if (/^\d+$/.test(r) && r.length < 16) {
      const a = await this.getAccount(Number(r));
      if (a) return [a];
    }
    return matchAccountRef(await this.listAccounts(), r);
  }

  async deleteAccount(id: number): Promise<boolean> {
    const r = await sql`DELETE FROM newmedia_accounts WHERE id = ${id}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  async listWebsites(o: { unit?: string } = {}): Promise<StoredWebsite[]> {
    const r = o.unit
      ? await sql<WebsiteRow>`SELECT * FROM newmedia_websites WHERE unit_key = ${nameKey(o.unit)} ORDER BY url_key`.execute(this.db)
      : await sql<WebsiteRow>`SELECT * FROM newmedia_websites ORDER BY unit_key, url_key`.execute(this.db);
    return r.rows.map(toWebsite);
  }

  async deleteWebsite(id: number): Promise<boolean> {
    const r = await sql`DELETE FROM newmedia_websites WHERE id = ${id}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  async listUnits(): Promise<{ unit: string; accounts: number; websites: number }[]> {
    const r = await sql<{ unit: string; accounts: number; websites: number }>`
      SELECT min(unit) AS unit, sum(a)::int AS accounts, sum(w)::int AS websites FROM (
        SELECT unit_key, min(unit) AS unit, count(*) AS a, 0 AS w FROM newmedia_accounts GROUP BY unit_key
        UNION ALL SELECT unit_key, min(unit), 0, count(*) FROM newmedia_websites GROUP BY unit_key
      ) u GROUP BY unit_key ORDER BY unit_key`.execute(this.db);
    return r.rows;
  }

  async unitForSite(site: { name?: string; unit?: string; url: string }): Promise<{ unit: string; by: 'unit' | 'name' | 'website' } | undefined> {
    const w = await sql<{ unit: string }>`SELECT unit FROM newmedia_websites WHERE url_key = ${siteUrlKey(site.url)} AND status = '正常'`.execute(this.db);
    return matchUnit(await this.listUnits(), site, () => w.rows[0]?.unit);
  }

  async addPost(account: number, p: NewPost): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      if (p.source === 'feed') await sql`DELETE FROM newmedia_posts WHERE account = ${account} AND source = 'feed'`.execute(trx);
      const r = await sql<{ id: number }>`
        INSERT INTO newmedia_posts (account, source, ok, published_at, day, url, title, how, error, confirmed, observed_at, "by")
        VALUES (${account}, ${p.source}, ${p.ok === false ? 0 : 1}, ${p.publishedAt ?? null}, ${p.day ?? null}, ${p.url ?? null}, ${p.title ?? null}, ${p.how ?? null},
                ${p.error ?? null}, ${p.confirmed === false ? 0 : 1}, ${p.observedAt}, ${p.by ?? null})
        RETURNING id`.execute(trx);
      return r.rows[0].id;
    });
  }

  async listPosts(accounts?: readonly number[]): Promise<StoredPost[]> {
    if (accounts && !accounts.length) return [];
    const r = accounts
      ? await sql<PostRow>`SELECT * FROM newmedia_posts WHERE account = ANY(${[...accounts]}) ORDER BY observed_at DESC, id DESC`.execute(this.db)
      : await sql<PostRow>`SELECT * FROM newmedia_posts ORDER BY observed_at DESC, id DESC`.execute(this.db);
    return r.rows.map(toPost);
  }

  async listMonitored(): Promise<{ siteId: string; name: string; url: string; unit: string }[]> {
    const r = await sql<{ siteId: string; name: string; url: string; unit: string }>`SELECT site_id AS "siteId", name, url, unit FROM newmedia_monitored ORDER BY site_id`.execute(this.db);
    return r.rows;
  }

  async syncSitesFile(sites: readonly SiteNewMedia[], now: string, opts: { full?: boolean } = {}): Promise<ApplySummary & { removed: number }> {
    const total: ApplySummary = { accounts: { added: 0, updated: 0, unchanged: 0 }, websites: { added: 0, updated: 0, unchanged: 0 } };
    let removed = 0;
    await this.db.transaction().execute(async (trx) => {
      if (opts.full) await sql`DELETE FROM newmedia_monitored`.execute(trx);
      for (const s of sites) {
        await sql`INSERT INTO newmedia_monitored (site_id, name, url, unit, synced_at) VALUES (${s.id}, ${s.name}, ${s.url}, ${unitOfSite(s)}, ${now})
          ON CONFLICT (site_id) DO UPDATE SET name = excluded.name, url = excluded.url, unit = excluded.unit, synced_at = excluded.synced_at`.execute(trx);
      }
      for (const e of sitesFileEntries(sites)) {
        const keepA: number[] = [];
        const keepW: number[] = [];
        for (const rec of e.accounts) {
          const r = await this.upsertAccountIn(trx, rec, e.origin, now);
          total.accounts[r.action]++;
          keepA.push(r.id);
        }
        for (const rec of e.websites) {
          const r = await this.upsertWebsiteIn(trx, rec, e.origin, now);
          total.websites[r.action]++;
          keepW.push(r.id);
        }
        // Rows an earlier version of this site's entry listed and this one does not.
        const a = await sql`DELETE FROM newmedia_accounts WHERE origin = ${e.origin} AND NOT (id = ANY(${keepA}))`.execute(trx);
        const w = await sql`DELETE FROM newmedia_websites WHERE origin = ${e.origin} AND NOT (id = ANY(${keepW}))`.execute(trx);
        removed += Number(a.numAffectedRows ?? 0) + Number(w.numAffectedRows ?? 0);
      }
    });
    return { ...total, removed };
  }
}
