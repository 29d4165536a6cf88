import type { ChannelGroup, ChannelKind, ChannelRole } from './channels.ts';
import type { Letter } from './letters.ts';
import type { Activity } from './activities.ts';
import type { LetterStatistics } from './statistics.ts';
import type { LatencyDistribution } from './workdays.ts';
import { addDays } from '../dates.ts';
import { workingDaysBetween } from './workdays.ts';

/**
 * What the `interaction` gatherer (src/gather/interaction.ts) records for the 互动交流 checks: the observation kinds and
 * their data, the date windows of the rubric, the letters' sample. Shared by the gatherer and the checks so that both
 * read the same definitions.
 */

export const INTERACTION_GATHERER = 'interaction';

export const OBS = {
  channel: 'interaction.channel',
  letter: 'interaction.letter',
  activity: 'interaction.activity',
  statistics: 'interaction.statistics',
  summary: 'interaction.summary',
  inquiry: 'interaction.inquiry',
} as const;

/** Why a list walk stopped, for people. */
export const STOP_ZH: Record<string, string> = {
  year: '已读到一年前',
  end: '已读完全部列表',
  'page-limit': '达到列表页数上限',
  'letter-limit': '达到留言条数上限',
  budget: '达到请求数上限',
  error: '列表页读取出错',
  repeat: '翻页返回重复内容',
  'script-pagination': '翻页由脚本实现，未继续翻页',
  stopped: '采集被中止',
};

export type ListRead = 'read' | 'empty' | 'none' | 'unreadable' | 'not-applicable';
export type StopReason = 'year' | 'end' | 'page-limit' | 'letter-limit' | 'budget' | 'error' | 'repeat' | 'script-pagination' | 'stopped';

export interface ChannelObs {
  url: string;
  text: string;
  kind: ChannelKind;
  group: ChannelGroup;
  role: ChannelRole;
  email?: string;
  /** Pages the link was found on (at most 5). */
  foundOn: string[];
  host: string;
  /** On another host than the audited site (followed as the site's own channel). */
  otherHost: boolean;
  /** The channel page answered (mailto: channels are never requested). */
  opened: boolean;
  status?: number;
  error?: string;
  /** Where the published letters (or activities) were read. */
  listUrl?: string;
  listKind?: 'html' | 'hanweb' | 'json' | 'rendered';
  /** The list is filled by script (read through its endpoint or the browser, or not at all). */
  scriptList?: boolean;
  /** read: letters found; empty: the list says it is empty; none: no list found; unreadable: a list we could not read. */
  listRead: ListRead;
  placeholder?: string;
  letters: number;
  lettersInYear: number;
  oldest?: string;
  newest?: string;
  pagesRead: number;
  stoppedBy?: StopReason;
  /** The count the list states (共 N 条, totalRecord). */
  totalStated?: number;
  details: { tried: number; read: number; failed: number };
  requests: number;
  /** Problems met (Chinese), at most 10. */
  errors: string[];
}

export interface LetterObs extends Letter {
  key: string;
  channel: string;
  channelText: string;
  listUrl: string;
  detailRead?: boolean;
  detailError?: string;
  /** Distinct letter fields recognised on the detail page. */
  recognized?: number;
  /** Dates on the detail page outside every recognised field. */
  otherDates?: string[];
  /** Working days from the question to the reply (askedAt → repliedAt), when both are known. */
  latency?: number;
  /** 1…5 when drawn for the 随机抽查5条 sample (seeded by the run id). */
  sampleRank?: number;
}

export interface ActivityObs extends Activity {
  key: string;
  channel: string;
  detailRead?: boolean;
  detailError?: string;
}

export interface StatisticsObs extends LetterStatistics {
  where: 'channel' | 'list' | 'stats-link' | 'page';
}

export interface SummaryObs {
  asOf: string;
  yearFrom: string;
  channels: number;
  consultChannels: number;
  letters: number;
  lettersInYear: number;
  oldest?: string;
  newest?: string;
  latency: LatencyDistribution;
  sampled: number;
  activities: number;
  statistics: number;
  requests: number;
  /** The homepage was rendered to find channels (static HTML showed none); scripted = it may build its navigation by script and could not be rendered. */
  homepage?: { rendered: boolean; scripted: boolean };
}

export interface InquiryObs {
  id: number;
  site: string;
  channel: string;
  askedAt: string;
  title: string;
  note?: string;
  /** Reply entered by hand (YYYY-MM-DD HH:MM), when any. */
  repliedAt?: string;
  repliedBy?: 'manual' | 'published';
  /** The published letter matched by title and time. */
  match?: { url?: string; title?: string; askedAt?: string; repliedAt?: string; channel: string; score: number };
  /** Working days from asking to the reply (by hand first, else the matched letter's reply). */
  latency?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Date windows

function shiftMonths(ymd: string, months: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(ymd);
  if (!m) return ymd;
  let y = +m[1];
  let mo = +m[2] - 1 + months;
  y += Math.floor(mo / 12);
  mo = ((mo % 12) + 12) % 12;
  const last = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  const d = Math.min(+m[3], last);
  return `${y}-${String(mo + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The date n calendar months before (2021-06-15, 3 → 2021-03-15; 2021-05-31, 3 → 2021-02-28). */
export function monthsBefore(asOf: string, n: number): string {
  return shiftMonths(asOf, -n);
}

/** 监测时间点前1年: the same day a year earlier. */
export function yearBefore(asOf: string): string {
  return shiftMonths(asOf, -12);
}

/** The date a letter is placed in time by: its question date, else any date its row showed. */
export function letterDate(l: Letter): string | undefined {
  return l.askedAt ?? l.listDate ?? l.publishedAt ?? l.repliedAt ?? l.handledAt;
}

/** The newest date a letter carries (question, reply, publication): the board's freshness. */
export function letterNewest(l: Letter): string | undefined {
  let best: string | undefined;
  for (const d of [l.askedAt, l.repliedAt, l.publishedAt, l.listDate, l.handledAt]) if (d && (!best || d > best)) best = d;
  return best;
}

/** Working days a letter waited for its reply (NaN-free: undefined when a date is missing or inconsistent). */
export function letterLatency(l: Letter): number | undefined {
  if (!l.askedAt || !l.repliedAt) return undefined;
  const n = workingDaysBetween(l.askedAt, l.repliedAt);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Is a date within the year before as-of (inclusive)? */
export function inYear(d: string | undefined, asOf: string): boolean {
  return !!d && d >= yearBefore(asOf) && d <= addDays(asOf, 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Sampling (随机抽查5条, seeded by the run id: a rescore samples the same letters)

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Items in a random order fixed by the seed (stable: the input is sorted by key first). */
export function seededOrder<T>(items: readonly T[], key: (t: T) => string, seed: string | number): T[] {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const rnd = seededRandom(fnv1a(`interaction-sample|${seed}`));
  for (let i = sorted.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [sorted[i], sorted[j]] = [sorted[j], sorted[i]];
  }
  return sorted;
}

/** Letters that may be drawn for the sample: published replies (not test letters, not said to be unanswered) of the year. */
export function samplePopulation<T extends Letter>(letters: readonly T[], asOf: string): T[] {
  return letters.filter((l) => !l.test && l.status !== 'pending' && (!letterDate(l) || inYear(letterDate(l), asOf)));
}

/** A stable key of a letter within a channel (its detail URL, else title, date and number). */
export function letterKey(channel: string, l: Letter): string {
  return l.url ?? `${channel}#${l.title ?? ''}|${l.askedAt ?? l.listDate ?? ''}|${l.number ?? ''}`;
}

/** Short Chinese date range, e.g. 2020-06-16 至 2021-06-10. */
export function rangeZh(oldest?: string, newest?: string): string {
  if (!oldest && !newest) return '无日期';
  if (oldest === newest || !oldest || !newest) return (newest ?? oldest)!;
  return `${oldest} 至 ${newest}`;
}
