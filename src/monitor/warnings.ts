/**
 * Early warnings (预警): conditions that come before a veto, sent ONCE per site, condition, ISO week and
 * channel to configured channels — generic JSON webhook, DingTalk robot, WeCom robot, e-mail (SMTP).
 *
 * Default thresholds (a commercial monitor's practice, see norms.md): failure share ≥ 3 % so far this week
 * (with at least 20 probes), homepage not updated for more than 10 days, more than 2 empty columns.
 * A delivery is remembered only after the channel accepted it; a failed channel is retried next time.
 */
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import { request } from '../runtime/undici.ts';
import type { AvailabilitySummary } from '../model.ts';
import type { Db } from '../store/db.ts';
import type { ChannelConfig } from './config.ts';
import { channelName } from './config.ts';
import { ensureMonitorSchema } from './schema.ts';
import { logAlertAttempt } from './alert-log.ts';
import { daysBetween, isValidDay, isoWeekOf, shanghaiDay } from './time.ts';

export type WarningCondition = 'availability' | 'homepage-stale' | 'empty-columns' | 'new-media-stale';

export const CONDITION_LABELS: Record<WarningCondition, string> = {
  availability: '首页打不开次数占比偏高',
  'homepage-stale': '首页长时间未更新',
  'empty-columns': '空白栏目偏多',
  'new-media-stale': '政务新媒体长时间未更新',
};

export interface WarningThresholds {
  /** Failure share so far this week (default 0.03). */
  failureRatio: number;
  /** Probes this week before the ratio is trusted (default 20). */
  minProbes: number;
  /** Homepage newest item older than this many days (default 10). */
  homepageStaleDays: number;
  /** More than this many empty columns (default 2). */
  emptyColumns: number;
  /** A registered new-media account whose newest verified post is older than this many days (default 10). */
  newMediaStaleDays: number;
}

export const DEFAULT_WARNING_THRESHOLDS: WarningThresholds = {
  failureRatio: 0.03,
  minProbes: 20,
  homepageStaleDays: 10,
  emptyColumns: 2,
  newMediaStaleDays: 10,
};

/** What the latest audit says about a site (for the content warnings). */
export interface AuditDigest {
  /** Newest item date seen on the homepage, YYYY-MM-DD. */
  homepageNewestDate?: string;
  /** Number of empty columns found. */
  emptyColumns?: number;
  /** The unit's registered new-media accounts (运营状态 正常) with their newest verified post (src/newmedia). */
  newMedia?: { name: string; platform: string; day: string; source: string }[];
}

export interface WarningSite {
  id: string;
  name?: string;
  url?: string;
  region?: string;
}

export interface MonitorWarning {
  siteId: string;
  siteName?: string;
  url?: string;
  region?: string;
  condition: WarningCondition;
  /** ISO week the warning belongs to (once per condition per week). */
  week: string;
  /** Chinese text for people. */
  message: string;
  data: Record<string, unknown>;
}

function pct(r: number): string {
  return `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
}

/**
 * Decides which warnings hold for one site (no I/O). `availability` is the site's summary for the week so far;
 * `audit` the latest audit's digest.
 */
export function evaluateWarnings(input: {
  site: WarningSite;
  asOf: string;
  availability?: AvailabilitySummary;
  audit?: AuditDigest;
  thresholds?: Partial<WarningThresholds>;
}): MonitorWarning[] {
  const t = { ...DEFAULT_WARNING_THRESHOLDS, ...input.thresholds };
  const { site, asOf } = input;
  const week = isoWeekOf(asOf);
  const who = site.name ? `${site.name}（${site.url ?? site.id}）` : (site.url ?? site.id);
  const base = { siteId: site.id, ...(site.name ? { siteName: site.name } : {}), ...(site.url ? { url: site.url } : {}), ...(site.region ? { region: site.region } : {}), week };
  const out: MonitorWarning[] = [];

  const a = input.availability;
  if (a && a.probes >= t.minProbes && a.probes > 0 && a.failures / a.probes >= t.failureRatio) {
    const ratio = a.failures / a.probes;
    const vetoNote = a.failures * 20 >= a.probes ? '已达到单项否决线 5%' : '单项否决线为 5%';
    out.push({
      ...base,
      condition: 'availability',
      message:
        `${who}：本周（${a.week}）截至目前首页超过 15 秒仍打不开 ${a.failures} 次，共监测 ${a.probes} 次，` +
        `失败占比 ${pct(ratio)}，达到预警线 ${pct(t.failureRatio)}（${vetoNote}）。请尽快排查网站可用性。`,
      data: { week: a.week, probes: a.probes, failures: a.failures, ratio, threshold: t.failureRatio, insufficientDays: a.insufficientDays },
    });
  }

  const d = input.audit;
  if (d?.homepageNewestDate && isValidDay(d.homepageNewestDate)) {
    const days = daysBetween(d.homepageNewestDate, asOf);
    if (days > t.homepageStaleDays) {
      out.push({
        ...base,
        condition: 'homepage-stale',
        message:
          `${who}：首页最新信息日期为 ${d.homepageNewestDate}，截至 ${asOf} 已 ${days} 天未更新（预警线 ${t.homepageStaleDays} 天；` +
          `首页超过 2 周不更新将被单项否决）。`,
        data: { homepageNewestDate: d.homepageNewestDate, days, threshold: t.homepageStaleDays },
      });
    }
  }
  const quiet = (d?.newMedia ?? [])
    .filter((a) => a && typeof a.day === 'string' && isValidDay(a.day))
    .map((a) => ({ ...a, days: daysBetween(a.day, asOf) }))
    .filter((a) => a.days > t.newMediaStaleDays);
  if (quiet.length) {
    const list = quiet.map((a) => `「${a.name}」（${a.platform}）最新发布 ${a.day}，已 ${a.days} 天`).join('；');
    out.push({
      ...base,
      condition: 'new-media-stale',
      message: `${who}：政务新媒体 ${quiet.length} 个账号超过 ${t.newMediaStaleDays} 天未更新：${list}（监测时间点前 2 周内无更新将被单项否决）。`,
      data: { accounts: quiet, threshold: t.newMediaStaleDays },
    });
  }
  if (typeof d?.emptyColumns === 'number' && d.emptyColumns > t.emptyColumns) {
    out.push({
      ...base,
      condition: 'empty-columns',
      message: `${who}：最近一次检查发现空白栏目 ${d.emptyColumns} 个（预警线：超过 ${t.emptyColumns} 个；空白栏目达到 5 个将被单项否决）。`,
      data: { emptyColumns: d.emptyColumns, threshold: t.emptyColumns },
    });
  }
  return out;
}

export interface DeliveryResult {
  channel: string;
  type: ChannelConfig['type'];
  ok: boolean;
  /** Warnings delivered by this channel in this call. */
  sent: number;
  error?: string;
}

export interface SendOptions {
  now?: () => number;
  /** HTTP timeout per webhook call, ms (default 10,000). */
  timeoutMs?: number;
  /** Warnings per message (default 10; DingTalk robots allow ~20 messages a minute). */
  maxPerMessage?: number;
  /** Overrides the e-mail transport (tests: nodemailer's jsonTransport). */
  mailTransport?: (channel: Extract<ChannelConfig, { type: 'email' }>) => nodemailer.Transporter;
  env?: NodeJS.ProcessEnv;
}

/** Has this warning already gone out on this channel this week? */
export function wasSent(db: Db, w: Pick<MonitorWarning, 'siteId' | 'condition' | 'week'>, channel: string): boolean {
  ensureMonitorSchema(db);
  return !!db.prepare(`SELECT 1 FROM monitor_warnings WHERE site_id = ? AND condition = ? AND week = ? AND channel = ?`).get(w.siteId, w.condition, w.week, channel);
}

function channelAccepts(c: ChannelConfig, w: MonitorWarning): boolean {
  if (c.sites && !c.sites.includes(w.siteId)) return false;
  if (c.regions && (!w.region || !c.regions.includes(w.region))) return false;
  return true;
}

/** The Chinese text of one message carrying several warnings. */
export function formatWarningText(ws: readonly MonitorWarning[], nowMs = Date.now()): string {
  const head = `【政府网站监测预警】${shanghaiDay(nowMs)}，共 ${ws.length} 条`;
  return [head, ...ws.map((w, i) => `${i + 1}. [${CONDITION_LABELS[w.condition]}] ${w.message}`), '（本提醒每个网站每项每周只发送一次）'].join('\n');
}

async function postJson(url: string, body: unknown, timeoutMs: number, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return text;
  }
}

function checkRobotReply(reply: unknown): void {
  if (reply && typeof reply === 'object' && 'errcode' in reply) {
    const r = reply as { errcode: unknown; errmsg?: unknown };
    if (r.errcode !== 0 && r.errcode !== '0') throw new Error(`robot error ${String(r.errcode)}: ${String(r.errmsg ?? '')}`);
  }
}

/** DingTalk "加签": appends timestamp and HMAC-SHA256 signature to the robot URL. */
export function signDingTalkUrl(url: string, secret: string, timestamp = Date.now()): string {
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
}

async function deliver(c: ChannelConfig, ws: MonitorWarning[], opts: Required<Pick<SendOptions, 'timeoutMs'>> & SendOptions, nowMs: number): Promise<void> {
  const text = formatWarningText(ws, nowMs);
  switch (c.type) {
    case 'webhook': {
      await postJson(
        c.url,
        {
          source: 'govsite',
          at: new Date(nowMs).toISOString(),
          text,
          warnings: ws.map((w) => ({ site: w.siteId, siteName: w.siteName, url: w.url, region: w.region, condition: w.condition, week: w.week, message: w.message, data: w.data })),
        },
        opts.timeoutMs,
        c.headers,
      );
      return;
    }
    case 'dingtalk': {
      const url = c.secret ? signDingTalkUrl(c.url, c.secret, nowMs) : c.url;
      checkRobotReply(await postJson(url, { msgtype: 'text', text: { content: text } }, opts.timeoutMs));
      return;
    }
    case 'wecom': {
      checkRobotReply(await postJson(c.url, { msgtype: 'text', text: { content: text } }, opts.timeoutMs));
      return;
    }
    case 'email': {
      const env = opts.env ?? process.env;
      const pass = c.pass ?? (c.passEnv ? env[c.passEnv] : undefined);
      const transport =
        opts.mailTransport?.(c) ??
        nodemailer.createTransport({
          host: c.host,
          port: c.port ?? (c.secure ? 465 : 25),
          secure: c.secure,
          ...(c.user ? { auth: { user: c.user, pass: pass ?? '' } } : {}),
          tls: { rejectUnauthorized: c.rejectUnauthorized },
          connectionTimeout: opts.timeoutMs,
          greetingTimeout: opts.timeoutMs,
          socketTimeout: opts.timeoutMs,
        });
      try {
        const first = ws[0];
        await transport.sendMail({
          from: c.from,
          to: c.to.join(', '),
          subject: `【政府网站监测预警】${first.siteName ?? first.siteId} ${CONDITION_LABELS[first.condition]}${ws.length > 1 ? ` 等 ${ws.length} 条` : ''}`,
          text,
        });
      } finally {
        transport.close();
      }
      return;
    }
  }
}

/**
 * Sends the warnings not yet sent this week to every channel that accepts them, batching several warnings per
 * message, and remembers each delivery (per channel). Never throws for delivery trouble: see `results`.
 */
/** Where deliveries are remembered when it is not this SQLite database (the shared repository in queue mode). */
export interface SentLedger {
  wasSent(w: Pick<MonitorWarning, 'siteId' | 'condition' | 'week'>, channel: string): Promise<boolean>;
  markSent(ws: readonly MonitorWarning[], channel: string, sentAt: string): Promise<void>;
  /** Records a delivery attempt (the dashboard's alert log: the shared repository keeps one too). */
  logAttempt?(channel: { name: string; type: string }, ws: readonly MonitorWarning[], result: { ok: boolean; error?: string; at: number }): void | Promise<void>;
}

function isLedger(x: Db | SentLedger): x is SentLedger {
  return typeof (x as SentLedger).markSent === 'function';
}

export async function sendWarnings(
  db: Db | SentLedger,
  warnings: readonly MonitorWarning[],
  channels: readonly ChannelConfig[],
  options: SendOptions = {},
): Promise<{ delivered: number; skipped: number; results: DeliveryResult[] }> {
  const opts = { timeoutMs: 10_000, ...options };
  const maxPer = Math.max(1, opts.maxPerMessage ?? 10);
  const now = opts.now ?? Date.now;
  let ledger: SentLedger;
  if (isLedger(db)) ledger = db;
  else {
    const sqlite = db;
    ensureMonitorSchema(sqlite);
    const mark = sqlite.prepare(`INSERT OR IGNORE INTO monitor_warnings (site_id, condition, week, channel, sent_at, message) VALUES (?, ?, ?, ?, ?, ?)`);
    ledger = {
      wasSent: async (w, channel) => wasSent(sqlite, w, channel),
      markSent: async (ws, channel, iso) => {
        sqlite.transaction(() => {
          for (const w of ws) mark.run(w.siteId, w.condition, w.week, channel, iso, w.message);
        })();
      },
    };
  }
  // the alert log (dashboard): the one-machine store's table, or the shared repository's
  const logAttempt = async (ch: { name: string; type: string }, ws: MonitorWarning[], r: { ok: boolean; error?: string; at: number }) => {
    if (isLedger(db)) await db.logAttempt?.(ch, ws, r);
    else logAlertAttempt(db, ch, ws, r);
  };
  const results: DeliveryResult[] = [];
  let delivered = 0;
  let skipped = 0;
  for (const c of channels) {
    const name = channelName(c);
    const seen = new Set<string>();
    const todo: MonitorWarning[] = [];
    for (const w of warnings) {
      if (!channelAccepts(c, w)) continue;
      const key = `${w.siteId}\u0000${w.condition}\u0000${w.week}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (await ledger.wasSent(w, name)) skipped++;
      else todo.push(w);
    }
    if (todo.length === 0) continue;
    let sent = 0;
    let error: string | undefined;
    for (let i = 0; i < todo.length; i += maxPer) {
      const batch = todo.slice(i, i + maxPer);
      const at = now();
      try {
        await deliver(c, batch, opts, at);
      } catch (e) {
        error = (e as Error).message;
        await logAttempt({ name, type: c.type }, batch, { ok: false, error, at });
        break;
      }
      await logAttempt({ name, type: c.type }, batch, { ok: true, at });
      await ledger.markSent(batch, name, new Date(at).toISOString());
      sent += batch.length;
    }
    delivered += sent;
    results.push({ channel: name, type: c.type, ok: error === undefined, sent, ...(error ? { error } : {}) });
  }
  return { delivered, skipped, results };
}
