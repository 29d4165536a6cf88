/**
 * The registry snapshot an audit hands the new-media gatherer (`gather['new-media'].registry`), read from the store,
 * and the callback that stores the feed readings it makes. The unit of the audited site is matched as
 * `unitForSite` says: the sites file's `newMediaUnit` or the site's name (`--name`), then a registered website at the
 * site's address.
 */
import type { Db } from '../store/db.ts';
import { shanghaiDay } from '../monitor/time.ts';
import { nameKey } from './normalize.ts';
import type { ObservationSet } from '../model.ts';
import { KIND, type AccountObs, type FeedReadingObs, type RegistrySnapshot } from './observations.ts';
import { entriesOf } from './status.ts';
import { addPost, ensureNewMediaSchema, listAccounts, listMonitored, listPosts, listWebsites, unitForSite } from './store.ts';

/** Accounts of other units handed over for matching (a province's registry can be large). */
const MAX_OTHERS = 20_000;

export function registrySnapshot(db: Db, site: { url: string; name?: string; siteId?: string; unit?: string }, opts: { by?: string } = {}): RegistrySnapshot {
  ensureNewMediaSchema(db);
  // The sites file's unit for this site id, when it was synced.
  const monitored = listMonitored(db);
  const mine = site.siteId ? monitored.find((m) => m.siteId === site.siteId) : undefined;
  const match = unitForSite(db, { url: site.url, ...(site.name ? { name: site.name } : {}), ...(site.unit ?? mine?.unit ? { unit: site.unit ?? mine?.unit } : {}) });
  const all = listAccounts(db);
  const unitKey = match ? nameKey(match.unit) : undefined;
  const own = unitKey ? all.filter((a) => nameKey(a.unit) === unitKey) : [];
  const posts = listPosts(db, own.map((a) => a.id));
  const websites = listWebsites(db);
  const knownSites: RegistrySnapshot['knownSites'] = [
    ...monitored.map((m) => ({ url: m.url, name: m.name, source: 'sites-file' as const })),
    ...websites.map((w) => ({ url: w.url, ...(w.name ? { name: w.name } : {}), source: 'registry' as const })),
  ];
  const by = opts.by ?? 'audit';
  return {
    ...(match ? { unit: match.unit, matchedBy: match.by } : {}),
    accounts: own.map((a) => ({
      id: a.id,
      unit: a.unit,
      name: a.name,
      platform: a.platform,
      platformLabel: a.platformLabel,
      status: a.status,
      ...(a.accountId ? { accountId: a.accountId } : {}),
      ...(a.subject ? { subject: a.subject } : {}),
      ...(a.homepage ? { homepage: a.homepage } : {}),
      ...(a.feed ? { feed: a.feed } : {}),
      ...(a.registryUpdated ? { registryUpdated: a.registryUpdated } : {}),
      updatedAt: a.updatedAt,
      entries: entriesOf(posts.filter((p) => p.account === a.id)),
    })),
    websites: unitKey ? websites.filter((w) => nameKey(w.unit) === unitKey).map((w) => ({ id: w.id, unit: w.unit, url: w.url, status: w.status, ...(w.name ? { name: w.name } : {}), ...(w.movedTo ? { movedTo: w.movedTo } : {}) })) : [],
    others: all
      .filter((a) => !unitKey || nameKey(a.unit) !== unitKey)
      .slice(0, MAX_OTHERS)
      .map((a) => ({ unit: a.unit, name: a.name, platform: a.platform, platformLabel: a.platformLabel, status: a.status, ...(a.accountId ? { accountId: a.accountId } : {}), ...(a.homepage ? { homepage: a.homepage } : {}) })),
    knownSites,
    record: (accountId: number, r: FeedReadingObs) => {
      try {
        const n = r.newest?.newest;
        addPost(db, accountId, {
          source: 'feed',
          ok: r.ok,
          ...(n ? { publishedAt: n.at, day: n.day, ...(n.title ? { title: n.title } : {}) } : {}),
          url: r.url,
          ...(r.error ? { error: r.error } : {}),
          how: r.format ?? 'feed',
          observedAt: r.fetchedAt,
          by,
        });
      } catch {
        /* the store is busy or read-only: the observation still carries the reading */
      }
    },
  };
}

/** The day a feed reading was made (Asia/Shanghai). */
export function readingDay(r: FeedReadingObs): string {
  return shanghaiDay(r.fetchedAt);
}

/**
 * The audit's facts for the new-media early warning: each registered account of the unit (运营状态 正常) with a
 * verified newest post (feed, pasted post, confirmed entry), from the run's observations.
 */
export function newMediaFacts(ctx: { observations?: ObservationSet }): { name: string; platform: string; day: string; source: string }[] {
  const out: { name: string; platform: string; day: string; source: string }[] = [];
  try {
    for (const a of ctx.observations?.list<AccountObs>(KIND.account) ?? []) {
      const n = a.freshness?.newest;
      if (a.status !== '正常' || !n || n.source === 'registry') continue;
      out.push({ name: a.name, platform: a.platformLabel, day: n.day, source: n.source });
    }
  } catch {
    return [];
  }
  return out;
}
