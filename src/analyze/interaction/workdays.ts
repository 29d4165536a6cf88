import chineseDays from 'chinese-days';
import { addDays, daysBetween } from '../dates.ts';

/**
 * Chinese working days (工作日) for reply latencies: weekends and statutory holidays are rest days, 调休 weekend days
 * are working days (`chinese-days`, whose data covers 2004 to its release year; outside that range only weekends
 * are known, and `calendarCovers` says so).
 *
 * The rubric counts replies "within N working days" of a question. Counting rule used throughout govsite: the
 * working days after the day of the question up to and including the day of the reply — a question of Thursday
 * 2021-09-30 answered on Monday 2021-10-11 took 3 working days (10-08, the 调休 Saturday 10-09, 10-11); a reply on
 * the same day or on the next rest day took 0.
 */

const cache = new Map<string, boolean>();
const dataYears = { min: 2004, max: maxDataYear() };

function maxDataYear(): number {
  // The latest year with a known holiday: probe Jan 1 (always a holiday) downwards from a few years ahead.
  for (let y = 2100; y >= 2004; y--) {
    try {
      const d = chineseDays.getDayDetail(`${y}-01-01`);
      if (d && d.work === false && /New Year|元旦/.test(d.name ?? '')) return y;
    } catch {
      /* keep looking */
    }
  }
  return 2004;
}

/** Does the holiday calendar know the statutory holidays of this date's year? */
export function calendarCovers(ymd: string): boolean {
  const y = Number(ymd.slice(0, 4));
  return y >= dataYears.min && y <= dataYears.max;
}

/** Is this YYYY-MM-DD a working day (weekday not a holiday, or a 调休 working weekend)? */
export function isWorkingDay(ymd: string): boolean {
  let v = cache.get(ymd);
  if (v === undefined) {
    try {
      v = chineseDays.isWorkday(ymd);
    } catch {
      const dow = new Date(ymd + 'T00:00:00Z').getUTCDay();
      v = dow !== 0 && dow !== 6;
    }
    if (cache.size > 20_000) cache.clear();
    cache.set(ymd, v);
  }
  return v;
}

/** Longest span counted day by day (about 27 years); longer spans are data errors, not latencies. */
const MAX_SPAN_DAYS = 10_000;

/**
 * Working days from `a` to `b` (YYYY-MM-DD, a time after the date is ignored): the working days d with a < d ≤ b.
 * 0 when b is a or the rest days right after it; negative (the same count, signed) when b is before a;
 * NaN for malformed dates or spans over ~27 years.
 */
export function workingDaysBetween(a: string, b: string): number {
  const from = (a ?? '').slice(0, 10);
  const to = (b ?? '').slice(0, 10);
  const span = daysBetween(from, to);
  if (!Number.isFinite(span) || Math.abs(span) > MAX_SPAN_DAYS) return NaN;
  if (span < 0) return -workingDaysBetween(to, from);
  let n = 0;
  let d = from;
  for (let i = 0; i < span; i++) {
    d = addDays(d, 1);
    if (isWorkingDay(d)) n++;
  }
  return n;
}

/** The date `n` working days after `a` (the deadline of "within n working days"): the n-th working day after a. */
export function addWorkingDays(a: string, n: number): string {
  let d = a.slice(0, 10);
  let left = Math.max(0, Math.floor(n));
  for (let i = 0; left > 0 && i < MAX_SPAN_DAYS; i++) {
    d = addDays(d, 1);
    if (isWorkingDay(d)) left--;
  }
  return d;
}

export interface LatencyDistribution {
  /** Letters with both a question date and a reply date (and the reply not before the question). */
  count: number;
  median?: number;
  /** Share (0–1) of those letters answered after more than `over` working days. */
  shareOver?: number;
  over: number;
  max?: number;
  /** Letters whose reply date is before their question date (data errors, left out). */
  inconsistent: number;
}

/** Median and share over `over` working days of some latencies (negative or NaN values are counted as inconsistent). */
export function latencyDistribution(latencies: number[], over = 5): LatencyDistribution {
  const ok = latencies.filter((x) => Number.isFinite(x) && x >= 0).sort((x, y) => x - y);
  const inconsistent = latencies.length - ok.length;
  if (ok.length === 0) return { count: 0, over, inconsistent };
  const mid = Math.floor(ok.length / 2);
  const median = ok.length % 2 ? ok[mid] : (ok[mid - 1] + ok[mid]) / 2;
  const shareOver = ok.filter((x) => x > over).length / ok.length;
  return { count: ok.length, median, shareOver, over, max: ok[ok.length - 1], inconsistent };
}
