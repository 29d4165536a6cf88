import type { Letter } from './letters.ts';
import { addDays } from '../dates.ts';
import { workingDaysBetween } from './workdays.ts';

/**
 * Simulated inquiries (模拟咨询): the question an inspector asked as a user on a site's channel, and its reply —
 * entered by hand, or found among the letters the site publishes (same title, asked on the same day or a few days
 * later). Pure: the records come from the inquiry store (src/inquiry/store.ts), the letters from the gatherer.
 */

export interface InquiryRecord {
  id: number;
  /** Site id (sites file) or the site's address. */
  site: string;
  /** The channel the question was submitted on (URL). */
  channel: string;
  /** When it was asked, `YYYY-MM-DD HH:MM` (Beijing time). */
  askedAt: string;
  title: string;
  note?: string;
  /** The reply time entered by hand, `YYYY-MM-DD HH:MM`. */
  repliedAt?: string;
  replyNote?: string;
}

export interface InquiryMatch {
  url?: string;
  title?: string;
  askedAt?: string;
  repliedAt?: string;
  channel: string;
  /** 1 = same title and day; lower for looser matches. */
  score: number;
}

function norm(s: string): string {
  return (s ?? '').replace(/[\s\p{P}\p{S}]/gu, '').toLowerCase();
}

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < s.length - 1; i++) {
    const b = s.slice(i, i + 2);
    m.set(b, (m.get(b) ?? 0) + 1);
  }
  return m;
}

/** Dice similarity of two titles (0–1) on character bigrams, punctuation and spaces ignored. */
export function titleSimilarity(a: string, b: string): number {
  const x = norm(a);
  const y = norm(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  if ((x.length >= 6 && y.includes(x)) || (y.length >= 6 && x.includes(y))) return 0.9;
  const bx = bigrams(x);
  const by = bigrams(y);
  let inter = 0;
  for (const [k, n] of bx) inter += Math.min(n, by.get(k) ?? 0);
  const total = Math.max(1, x.length - 1) + Math.max(1, y.length - 1);
  return (2 * inter) / total;
}

/**
 * The published letter that is this inquiry: a title at least 80 % similar, asked on the inquiry's day or up to three
 * days later (boards show the registration day), or — when the board shows no question date — the same title exactly.
 */
export function matchInquiry(inq: InquiryRecord, letters: readonly (Letter & { channel?: string })[]): InquiryMatch | undefined {
  const day = inq.askedAt.slice(0, 10);
  let best: InquiryMatch | undefined;
  for (const l of letters) {
    if (!l.title) continue;
    const sim = titleSimilarity(inq.title, l.title);
    if (sim < 0.8) continue;
    let score = sim;
    if (l.askedAt) {
      if (l.askedAt < addDays(day, -1) || l.askedAt > addDays(day, 3)) continue;
      if (l.askedAt === day) score += 0.05;
    } else if (sim < 1) continue;
    else score -= 0.1;
    if (l.repliedAt) score += 0.01;
    const repliedAt = l.repliedAt ? `${l.repliedAt}${l.repliedTime ? ` ${l.repliedTime}` : ''}` : undefined;
    if (!best || score > best.score) best = { url: l.url, title: l.title, askedAt: l.askedAt, repliedAt, channel: l.channel ?? '', score: Math.min(1, Math.round(score * 100) / 100) };
  }
  return best;
}

/** Working days from asking to the reply, counted as for letters (the day asked not counted). */
export function inquiryLatency(askedAt: string, repliedAt: string | undefined): number | undefined {
  if (!repliedAt) return undefined;
  const n = workingDaysBetween(askedAt.slice(0, 10), repliedAt.slice(0, 10));
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** `2021-06-01 10:00` / `2021-06-01T10:00` / `2021-06-01` → `YYYY-MM-DD HH:MM` (00:00 when no time), or undefined. */
export function normalizeDateTime(v: string): string | undefined {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::\d{2})?)?\s*$/.exec(v ?? '');
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '00'] = m.slice(1);
  const dt = new Date(Date.UTC(+y, +mo - 1, +d));
  if (dt.getUTCMonth() !== +mo - 1 || dt.getUTCDate() !== +d || +h > 23 || +mi > 59) return undefined;
  return `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')} ${h.padStart(2, '0')}:${mi}`;
}
