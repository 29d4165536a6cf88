/**
 * Is an account fresh at the as-of day? The rubric's veto clause 5 (监测时间点前2周内无更新) and the 僵尸/睡眠 clause
 * decided from evidence only. Pure.
 *
 * Evidence, in order of trust: a feed read by govsite, a post page an inspector pasted, a confirmed manual entry (all
 * "verified"), and the spreadsheet's 最近更新 (shown, never decides).
 * - fresh: a verified post dated within the 14 days before as-of (a post exists: when it was seen does not matter);
 * - stale: no such post, and verified evidence observed on or after the as-of day says the newest post is older
 *   (a feed read that day, or a post/entry the inspector gives as the newest). Evidence observed before as-of cannot
 *   rule out a post since: 未核实. A feed with undated items, or only modification times in the window, is 未核实 too;
 * - zombie (僵尸/睡眠, a proposal a reviewer confirms): stale with the newest post more than 3 months before as-of, or,
 *   without verified evidence, a 最近更新 that old in the registry.
 */
import { addDays, daysBetween } from '../analyze/dates.ts';
import { shanghaiDay } from '../monitor/time.ts';
import type { AccountStatus, PostSource } from './types.ts';
import type { FeedNewest } from './feeds.ts';

export const STALE_DAYS = 14;
export const WARN_DAYS = 10;
export const ZOMBIE_MONTHS = 3;

/** One dated piece of evidence for an account. */
export interface DatedEvidence {
  source: PostSource;
  /** Asia/Shanghai day of the post. */
  day: string;
  at?: string;
  url?: string;
  title?: string;
  how?: string;
  /** ISO time govsite observed it. */
  observedAt: string;
  /** Manual entries count only when confirmed. */
  confirmed?: boolean;
  /** This evidence names the newest post as of when it was observed (feeds, pasted latest posts, manual entries). */
  asNewest?: boolean;
}

/** The feed as read for this verdict. */
export interface FeedReading {
  url: string;
  ok: boolean;
  error?: string;
  /** ISO time of the read. */
  fetchedAt: string;
  newest?: FeedNewest;
}

export type FreshnessVerdict = 'fresh' | 'stale' | 'unverified' | 'not-applicable';

export interface Freshness {
  verdict: FreshnessVerdict;
  /** The newest post the evidence shows (verified first; the registry's 最近更新 when nothing verified). */
  newest?: DatedEvidence;
  /** Days from the newest post to as-of. */
  ageDays?: number;
  /** No verified post for more than 3 months (a proposal). */
  zombie?: 'verified' | 'registry';
  /** Chinese: why the verdict is what it is (always set for unverified). */
  reason: string;
  /** Every piece of evidence considered, newest post first. */
  evidence: DatedEvidence[];
}

/** `day` minus n calendar months (the day clamped to the month's length). */
export function minusMonths(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const total = y * 12 + (m - 1) - n;
  const yy = Math.floor(total / 12);
  const mm = (total % 12) + 1;
  const last = new Date(Date.UTC(yy, mm, 0)).getUTCDate();
  return `${yy}-${String(mm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

const SOURCE_ZH: Record<PostSource, string> = { feed: '订阅源', post: '粘贴的文章页面', manual: '人工录入', registry: '名录“最近更新”' };
export function sourceZh(s: PostSource): string {
  return SOURCE_ZH[s];
}

function describe(e: DatedEvidence): string {
  return `${e.day}（${SOURCE_ZH[e.source]}${e.how && e.source === 'post' ? `，${e.how}` : ''}）`;
}

export function judgeFreshness(input: {
  asOf: string;
  status: AccountStatus;
  platform?: string;
  /** The account's registered feed address (a feed not read yet is said so). */
  feedUrl?: string;
  feed?: FeedReading;
  /** Pasted posts and manual entries (stored). */
  entries: DatedEvidence[];
  registryUpdated?: string;
  /** When the registry row was last imported (ISO): the observation time of 最近更新. */
  registryObservedAt?: string;
}): Freshness {
  const { asOf } = input;
  const evidence: DatedEvidence[] = [];
  const notes: string[] = [];
  if (input.feed) {
    const f = input.feed;
    if (!f.ok) notes.push(`订阅源无法读取：${f.error ?? '未知错误'}`);
    else if (f.newest) {
      const n = f.newest;
      if (n.newest) evidence.push({ source: 'feed', day: n.newest.day, at: n.newest.at, ...(n.newest.url ? { url: n.newest.url } : {}), ...(n.newest.title ? { title: n.newest.title } : {}), how: f.url, observedAt: f.fetchedAt, asNewest: true });
      if (n.newestBound?.modifiedOnly && (!n.newest || n.newestBound.at > n.newest.at)) notes.push(`订阅源最新条目只有修改时间（${n.newestBound.day}），没有发布时间`);
      if (n.skipped.undated) notes.push(`订阅源有 ${n.skipped.undated} 条没有日期的条目`);
      if (!n.newestBound) notes.push(n.items === 0 ? '订阅源没有条目' : '订阅源中没有监测时间点前的原创条目');
    }
  }
  for (const e of input.entries) {
    if (e.source === 'manual' && e.confirmed === false) continue;
    if (e.day > asOf) continue;
    evidence.push({ ...e, asNewest: e.asNewest ?? true });
  }
  evidence.sort((a, b) => (a.day === b.day ? (b.observedAt > a.observedAt ? 1 : -1) : a.day < b.day ? 1 : -1));
  const registry: DatedEvidence | undefined =
    input.registryUpdated && input.registryUpdated <= asOf ? { source: 'registry', day: input.registryUpdated, observedAt: input.registryObservedAt ?? '', how: '名录' } : undefined;
  const all = registry ? [...evidence, registry] : evidence;

  if (input.status !== '正常') {
    return { verdict: 'not-applicable', ...(all[0] ? { newest: all[0], ageDays: daysBetween(all[0].day, asOf) } : {}), reason: `运营状态为“${input.status}”，不检查更新情况`, evidence: all };
  }

  const windowStart = addDays(asOf, -STALE_DAYS);
  const zombieBefore = minusMonths(asOf, ZOMBIE_MONTHS);
  const newest = evidence[0];
  if (newest && newest.day >= windowStart) {
    return { verdict: 'fresh', newest, ageDays: daysBetween(newest.day, asOf), reason: `最新发布 ${describe(newest)}，在监测时间点前 ${STALE_DAYS} 天内`, evidence: all };
  }
  const feedUnsure = input.feed?.ok && input.feed.newest && (input.feed.newest.skipped.undated > 0 || (input.feed.newest.newestBound?.modifiedOnly && input.feed.newest.newestBound.day >= windowStart));
  if (newest) {
    const age = daysBetween(newest.day, asOf);
    // Proof that nothing newer exists: evidence naming the newest post, observed on or after as-of.
    const proof = evidence.find((e) => e.asNewest && shanghaiDay(e.observedAt) >= asOf);
    if (proof && !feedUnsure) {
      const zombie = newest.day < zombieBefore ? ('verified' as const) : undefined;
      return {
        verdict: 'stale',
        newest,
        ageDays: age,
        ...(zombie ? { zombie } : {}),
        reason: `最新发布 ${describe(newest)}，距监测时间点 ${asOf} 已 ${age} 天（核实于 ${shanghaiDay(proof.observedAt)}）`,
        evidence: all,
      };
    }
    const why = feedUnsure ? notes.join('；') : `最近一次核实于 ${shanghaiDay(evidence.reduce((b, e) => (e.observedAt > b ? e.observedAt : b), ''))}，早于监测时间点 ${asOf}，其后是否有新发布未知`;
    return { verdict: 'unverified', newest, ageDays: age, reason: `已知最新发布 ${describe(newest)}；${why}`, evidence: all };
  }
  const zombie = registry && registry.day < zombieBefore ? ('registry' as const) : undefined;
  const base = notes.length
    ? notes.join('；')
    : input.feed
      ? '订阅源中没有可用的发布时间'
      : input.feedUrl
        ? '订阅源尚未读取（审计或夜间巡检时读取），也没有粘贴的文章或人工录入的发布时间'
        : '未配置订阅源，也没有粘贴的文章或人工录入的发布时间';
  return {
    verdict: 'unverified',
    ...(registry ? { newest: registry, ageDays: daysBetween(registry.day, asOf) } : {}),
    ...(zombie ? { zombie } : {}),
    reason: registry ? `${base}；名录“最近更新”为 ${registry.day}（仅供参考，不作为判定依据）` : base,
    evidence: all,
  };
}
