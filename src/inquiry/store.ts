import type { Db } from '../store/db.ts';
import { siteKey } from '../collect/crawl.ts';
import { normalizeDateTime, type InquiryRecord } from '../analyze/interaction/inquiries.ts';

/**
 * The simulated-inquiry records (模拟咨询): questions an inspector asked a site as a user, and the reply time when
 * entered by hand. They live outside runs (one inspector question feeds every later audit of the site), keyed by the
 * site's id (sites file) or its address. govsite never submits anything to a site: these are the inspector's notes.
 */
export const INQUIRY_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS inquiries (
  id          INTEGER PRIMARY KEY,
  site        TEXT NOT NULL,            -- site id of the sites file, or the site key (host) of its address
  channel     TEXT NOT NULL,            -- the channel the question was submitted on (URL)
  asked_at    TEXT NOT NULL,            -- YYYY-MM-DD HH:MM, Beijing time
  title       TEXT NOT NULL,
  note        TEXT,
  replied_at  TEXT,                     -- reply time entered by hand, YYYY-MM-DD HH:MM
  reply_note  TEXT,
  created_at  TEXT NOT NULL,            -- ISO UTC
  updated_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inquiries_site ON inquiries(site, asked_at);
`;

export function ensureInquirySchema(db: Db): void {
  db.exec(INQUIRY_SCHEMA_SQL);
}

export class InquiryError extends Error {}

/** The site key an inquiry is filed under: a site id as given, or the host of an address. */
export function inquirySiteKey(site: string): string {
  const s = (site ?? '').trim();
  if (/^https?:\/\//i.test(s)) {
    try {
      return siteKey(s);
    } catch {
      return s;
    }
  }
  return s;
}

/** An inquiry as stored (with its bookkeeping times). */
export type StoredInquiry = InquiryRecord & { createdAt: string; updatedAt: string };

/** A stored row (either backend) as the record people and the gatherer read. */
export function inquiryFromRow(r: Record<string, unknown>): StoredInquiry {
  return {
    id: Number(r.id),
    site: r.site as string,
    channel: r.channel as string,
    askedAt: r.asked_at as string,
    title: r.title as string,
    ...(r.note ? { note: r.note as string } : {}),
    ...(r.replied_at ? { repliedAt: r.replied_at as string } : {}),
    ...(r.reply_note ? { replyNote: r.reply_note as string } : {}),
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  };
}

const row = inquiryFromRow;

/** A new inquiry checked and normalised (the same rules on every backend); InquiryError when it cannot be recorded. */
export function validateInquiry(a: { site: string; channel: string; askedAt: string; title: string; note?: string }): { site: string; channel: string; askedAt: string; title: string; note: string | null } {
  const site = inquirySiteKey(a.site);
  if (!site) throw new InquiryError('需要网站编号或网址（--site）');
  const askedAt = normalizeDateTime(a.askedAt);
  if (!askedAt) throw new InquiryError(`提问时间应为 YYYY-MM-DD HH:MM（收到 "${a.askedAt}"）`);
  const title = (a.title ?? '').trim();
  if (!title) throw new InquiryError('需要咨询标题（--title）');
  if (title.length > 300) throw new InquiryError('咨询标题过长（最多 300 字）');
  let channel = (a.channel ?? '').trim();
  if (channel) {
    try {
      const u = new URL(channel);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      channel = u.href;
    } catch {
      throw new InquiryError(`咨询渠道应为 http(s) 网址（收到 "${a.channel}"）`);
    }
  } else throw new InquiryError('需要咨询渠道的网址（--channel）');
  return { site, channel, askedAt, title, note: a.note?.trim() || null };
}

/** The reply time to store (null clears it), checked against the question's time. */
export function validateReplyTime(cur: Pick<InquiryRecord, 'askedAt'>, repliedAt: string | null): string | null {
  if (repliedAt === null) return null;
  const n = normalizeDateTime(repliedAt);
  if (!n) throw new InquiryError(`答复时间应为 YYYY-MM-DD HH:MM（收到 "${repliedAt}"）`);
  if (n < cur.askedAt) throw new InquiryError(`答复时间 ${n} 早于提问时间 ${cur.askedAt}`);
  return n;
}

/** The distinct site keys a list of site ids / addresses files inquiries under. */
export function inquiryKeys(sites: readonly (string | undefined)[]): string[] {
  return [...new Set(sites.filter((s): s is string => !!s).map(inquirySiteKey))];
}

export function addInquiry(db: Db, a: { site: string; channel: string; askedAt: string; title: string; note?: string }, now = new Date()): InquiryRecord {
  ensureInquirySchema(db);
  const v = validateInquiry(a);
  const t = now.toISOString();
  const info = db
    .prepare('INSERT INTO inquiries (site, channel, asked_at, title, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(v.site, v.channel, v.askedAt, v.title, v.note, t, t);
  return getInquiry(db, Number(info.lastInsertRowid))!;
}

export function getInquiry(db: Db, id: number): StoredInquiry | undefined {
  ensureInquirySchema(db);
  const r = db.prepare('SELECT * FROM inquiries WHERE id = ?').get(id) as Record<string, unknown> | undefined;
  return r ? row(r) : undefined;
}

/** Inquiries filed under any of these site keys (site ids or hosts), oldest first; all when none given. */
export function listInquiries(db: Db, sites?: readonly (string | undefined)[]): StoredInquiry[] {
  ensureInquirySchema(db);
  const keys = inquiryKeys(sites ?? []);
  const rows = (sites === undefined
    ? db.prepare('SELECT * FROM inquiries ORDER BY asked_at, id').all()
    : keys.length
      ? db.prepare(`SELECT * FROM inquiries WHERE site IN (${keys.map(() => '?').join(',')}) ORDER BY asked_at, id`).all(...keys)
      : []) as Record<string, unknown>[];
  return rows.map(row);
}

/** Sets (or clears, with null) the reply time entered by hand. */
export function setInquiryReply(db: Db, id: number, repliedAt: string | null, note?: string, now = new Date()): StoredInquiry {
  ensureInquirySchema(db);
  const cur = getInquiry(db, id);
  if (!cur) throw new InquiryError(`没有编号为 ${id} 的模拟咨询`);
  const v = validateReplyTime(cur, repliedAt);
  db.prepare('UPDATE inquiries SET replied_at = ?, reply_note = ?, updated_at = ? WHERE id = ?').run(v, note?.trim() || null, now.toISOString(), id);
  return getInquiry(db, id)!;
}

/** The gatherer options of an audit with the site's inquiries added (`gather.interaction.inquiries`). */
export function withInquiries(db: Db, sites: readonly (string | undefined)[], gather: Record<string, Record<string, unknown> | undefined> | undefined): Record<string, Record<string, unknown> | undefined> | undefined {
  let list: InquiryRecord[];
  try {
    list = listInquiries(db, sites);
  } catch {
    return gather;
  }
  if (!list.length) return gather;
  return { ...(gather ?? {}), interaction: { ...(gather?.interaction ?? {}), inquiries: list } };
}
