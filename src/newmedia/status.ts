/**
 * Freshness of stored accounts from the evidence in the store (the last feed reading, pasted posts, manual entries,
 * the registry's 最近更新) — for `govsite newmedia list`, the dashboard's 新媒体 tab and the gatherer (which passes
 * the feed reading it just made instead of the stored one).
 */
import type { Db } from '../store/db.ts';
import { judgeFreshness, type DatedEvidence, type FeedReading, type Freshness } from './freshness.ts';
import { listPosts, type StoredAccount, type StoredPost } from './store.ts';

/** Pasted posts and manual entries of an account as dated evidence. */
export function entriesOf(posts: StoredPost[]): DatedEvidence[] {
  const out: DatedEvidence[] = [];
  for (const p of posts) {
    if (p.source !== 'post' && p.source !== 'manual') continue;
    if (!p.ok || !p.day) continue;
    out.push({
      source: p.source,
      day: p.day,
      ...(p.publishedAt ? { at: p.publishedAt } : {}),
      ...(p.url ? { url: p.url } : {}),
      ...(p.title ? { title: p.title } : {}),
      ...(p.how ? { how: p.how } : {}),
      observedAt: p.observedAt,
      confirmed: p.confirmed !== false,
    });
  }
  return out;
}

/** The stored (latest) feed reading of an account, when one was made for its current feed address. */
export function storedFeedReading(account: StoredAccount, posts: StoredPost[]): FeedReading | undefined {
  if (!account.feed) return undefined;
  const p = posts.find((x) => x.source === 'feed' && x.url === account.feed);
  if (!p) return undefined;
  if (!p.ok) return { url: account.feed, ok: false, error: p.error ?? '读取失败', fetchedAt: p.observedAt };
  const newest = p.day && p.publishedAt ? { at: p.publishedAt, day: p.day, ...(p.title ? { title: p.title } : {}) } : undefined;
  return {
    url: account.feed,
    ok: true,
    fetchedAt: p.observedAt,
    newest: {
      items: newest ? 1 : 0,
      skipped: { pinned: 0, repost: 0, undated: 0, afterAsOf: 0 },
      ...(newest ? { newest, newestBound: { ...newest, modifiedOnly: false } } : {}),
    },
  };
}

export interface AccountStatusRow {
  account: StoredAccount;
  freshness: Freshness;
  feed?: FeedReading;
}

/** Freshness of each account at `asOf` from stored evidence (feed readings as last stored). */
export function accountStatuses(db: Db, accounts: StoredAccount[], asOf: string): AccountStatusRow[] {
  return statusesFromPosts(accounts, listPosts(db, accounts.map((a) => a.id)), asOf);
}

/** `accountStatuses` over evidence already read (any backend). */
export function statusesFromPosts(accounts: StoredAccount[], posts: StoredPost[], asOf: string): AccountStatusRow[] {
  const byAccount = new Map<number, StoredPost[]>();
  for (const p of posts) {
    const list = byAccount.get(p.account);
    if (list) list.push(p);
    else byAccount.set(p.account, [p]);
  }
  return accounts.map((a) => {
    const mine = byAccount.get(a.id) ?? [];
    const feed = storedFeedReading(a, mine);
    const freshness = judgeFreshness({
      asOf,
      status: a.status,
      platform: a.platform,
      ...(a.feed ? { feedUrl: a.feed } : {}),
      ...(feed ? { feed } : {}),
      entries: entriesOf(mine),
      ...(a.registryUpdated ? { registryUpdated: a.registryUpdated, registryObservedAt: a.updatedAt } : {}),
    });
    return { account: a, freshness, ...(feed ? { feed } : {}) };
  });
}
