/**
 * Calendar helpers for monitoring, all in Asia/Shanghai.
 *
 * China has used a fixed UTC+8 offset without daylight saving since 1991, so a constant offset is exact
 * for every date the monitor can meet. Days are `YYYY-MM-DD` strings, ISO weeks are `YYYY-Www`
 * (weeks run Monday–Sunday; week 1 is the week holding the year's first Thursday).
 */

export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;
export const TIMEZONE = 'Asia/Shanghai';

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;

function toMs(t: number | Date | string): number {
  if (typeof t === 'number') return t;
  if (t instanceof Date) return t.getTime();
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new Error(`invalid time: ${t}`);
  return ms;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isValidDay(s: string): boolean {
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

function assertDay(s: string): void {
  if (!isValidDay(s)) throw new Error(`invalid date (expected YYYY-MM-DD): ${s}`);
}

/** The Asia/Shanghai calendar day of an instant. */
export function shanghaiDay(t: number | Date | string): string {
  return new Date(toMs(t) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Epoch ms of 00:00 Asia/Shanghai on `day`. */
export function dayStartMs(day: string): number {
  assertDay(day);
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d) - SHANGHAI_OFFSET_MS;
}

/** `day` plus n calendar days. */
export function addDays(day: string, n: number): string {
  assertDay(day);
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/** Whole days from a to b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((dayStartMs(b) - dayStartMs(a)) / DAY_MS);
}

/** Every day from `from` to `to`, both included (empty when to < from). */
export function daysInRange(from: string, to: string): string[] {
  const out: string[] = [];
  const n = daysBetween(from, to);
  for (let i = 0; i <= n; i++) out.push(addDays(from, i));
  return out;
}

/** ISO week (`2021-W24`) of a calendar day. */
export function isoWeekOf(day: string): string {
  assertDay(day);
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const dow = (date.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(date.getTime() + (3 - dow) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const week1Monday = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * DAY_MS;
  const week = 1 + Math.floor((thursday.getTime() - week1Monday) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** ISO week of an instant, in Asia/Shanghai. */
export function isoWeekAt(t: number | Date | string): string {
  return isoWeekOf(shanghaiDay(t));
}

/** Number of ISO weeks (52 or 53) in a year. */
export function isoWeeksInYear(year: number): number {
  return isoWeekOf(`${year}-12-28`) === `${year}-W53` ? 53 : 52;
}

/** True for a well-formed, existing ISO week. */
export function isValidWeek(s: string): boolean {
  const m = WEEK_RE.exec(s);
  if (!m) return false;
  const w = +m[2];
  return w >= 1 && w <= isoWeeksInYear(+m[1]);
}

/** Monday and Sunday of an ISO week. Throws on a malformed week. */
export function weekRange(week: string): { from: string; to: string } {
  if (!isValidWeek(week)) throw new Error(`invalid ISO week (expected e.g. 2021-W24): ${week}`);
  const m = WEEK_RE.exec(week)!;
  const year = +m[1];
  const w = +m[2];
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const mondayMs = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * DAY_MS + (w - 1) * 7 * DAY_MS;
  const from = new Date(mondayMs).toISOString().slice(0, 10);
  return { from, to: addDays(from, 6) };
}

/** Minute index (epoch minutes) of an instant. */
export function minuteOf(t: number): number {
  return Math.floor(t / 60_000);
}

// ---------------------------------------------------------------- plausible dates

/** The earliest date govsite accepts as a monitoring time point or a reviewer's date. */
export const EARLIEST_DAY = '2000-01-01';

/** The latest date accepted: one year after today (Asia/Shanghai); 29 February goes to 1 March. */
export function latestPlausibleDay(now: number | Date = Date.now()): string {
  const [y, m, d] = shanghaiDay(now).split('-').map(Number);
  return new Date(Date.UTC(y + 1, m - 1, d)).toISOString().slice(0, 10);
}

/**
 * Why a date cannot be used (Chinese, naming the option `what`), or undefined when it is a real calendar date from
 * 2000-01-01 to one year after today. `0000-01-01` or `2999-12-31` would otherwise run a whole audit against
 * nonsense (every page "not updated for 2,000 years").
 */
export function dayProblem(s: string, what: string, now: number | Date = Date.now()): string | undefined {
  if (!DAY_RE.test(s)) return `${what} 应为日期 YYYY-MM-DD（收到 "${s}"）`;
  const last = latestPlausibleDay(now);
  if (s < EARLIEST_DAY || s > last) return `${what} 的日期 ${s} 不合理：应在 ${EARLIEST_DAY} 至 ${last}（今天起一年内）之间`;
  if (!isValidDay(s)) return `${what} 的日期 ${s} 不存在`;
  return undefined;
}

/** Why an ISO week cannot be used (Chinese), or undefined: a real week whose days fall in the plausible range. */
export function weekProblem(s: string, what: string, now: number | Date = Date.now()): string | undefined {
  const m = WEEK_RE.exec(s);
  if (!m) return `${what} 应为 ISO 周，例如 2021-W24（收到 "${s}"）`;
  const last = latestPlausibleDay(now);
  const range = `应在 ${EARLIEST_DAY} 至 ${last}（今天起一年内）之间`;
  // Years far outside the range are refused before any week arithmetic (which assumes four-digit years).
  if (+m[1] < +EARLIEST_DAY.slice(0, 4) - 1 || +m[1] > +last.slice(0, 4) + 1) return `${what} 的周 ${s} 不合理：${range}`;
  if (!isValidWeek(s)) return `${what} 的周 ${s} 不存在`;
  const { from, to } = weekRange(s);
  if (to < EARLIEST_DAY || from > last) return `${what} 的周 ${s}（${from} 至 ${to}）不合理：${range}`;
  return undefined;
}
