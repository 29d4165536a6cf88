/**
 * 政务新媒体 and the region's websites, for the unit that owns the audited site:
 *   - each registered account's feed (RSS / Atom / JSON Feed), read politely; with the pasted posts and manual entries
 *     of the registry, a freshness verdict per account (src/newmedia/freshness.ts);
 *   - the site's own 政务新媒体矩阵 / 新媒体导航 page (from the crawl): the accounts it lists;
 *   - links to platform accounts and the site's own website lists (部门网站 / 县市区网站 …) on every crawled page;
 *   - the websites registered as closed (已关停 / 已报关停): requested once each, like an availability probe.
 *
 * The registry comes from the audit (`config.registry`, built by src/newmedia/gather-input.ts from the store); without
 * it the gatherer still reads the pages. Options (sites file `gather.new-media`): `budget` (requests, default 300),
 * `maxFeeds` (default 100), `maxClosedSites` (default 50).
 */
import type { Gatherer, GatherEnv } from './_types.ts';
import { feedNewest, parseFeed } from '../newmedia/feeds.ts';
import { judgeFreshness } from '../newmedia/freshness.ts';
import { extractOwnSiteLists } from '../newmedia/matrix.ts';
import { docFacts } from '../facts/doc.ts';
import { gatherFacts, NEWMEDIA_MAX_PAGE_CHARS } from '../facts/gather.ts';
import { classifyClosedSite } from '../newmedia/closed-site.ts';
import { nameKey, siteUrlKey } from '../newmedia/normalize.ts';
import { accountTarget, GATHERER_ID, KIND, type AccountObs, type FeedReadingObs, type RegistrySnapshot, type UnitObs } from '../newmedia/observations.ts';


function num(v: unknown, d: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : d;
}

async function readFeed(env: GatherEnv, url: string): Promise<FeedReadingObs> {
  const r = await env.fetch(url, { maxBytes: 8 * 1024 * 1024, headers: { accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/json, application/xml;q=0.9, */*;q=0.5' } });
  const base = { url, fetchedAt: r.at, ...(r.status ? { status: r.status } : {}) };
  if (!r.ok) {
    const error =
      r.error === 'budget'
        ? '请求数已达上限，未读取'
        : r.status !== undefined && r.status >= 300
          ? `HTTP ${r.status}`
          : `${r.error ?? '读取失败'}${r.errorDetail ? `（${r.errorDetail.slice(0, 80)}）` : ''}`;
    return { ...base, ok: false, error };
  }
  const parsed = parseFeed(r.text, r.contentType);
  if (!parsed.ok) return { ...base, ok: false, error: parsed.error };
  return { ...base, ok: true, format: parsed.format, newest: feedNewest(parsed.items, env.asOf) };
}

const gatherer: Gatherer = {
  id: GATHERER_ID,
  description: 'New-media accounts of the audited unit (feeds, the site\'s matrix page), own-site lists, registered closed websites.',
  async run(env) {
    const reg = env.config.registry as RegistrySnapshot | undefined;
    const maxFeeds = num(env.config.maxFeeds, 100);
    const maxClosed = num(env.config.maxClosedSites, 50);
    const unitObs: UnitObs = {
      registryLoaded: !!reg,
      accounts: reg?.accounts.length ?? 0,
      websites: reg?.websites.length ?? 0,
      ...(reg?.unit ? { unit: reg.unit, matchedBy: reg.matchedBy } : {}),
      ...(!reg ? { reason: '未加载政务新媒体名录' } : !reg.unit ? { reason: '名录中没有与本网站对应的单位（按单位名称或名录登记的网站地址匹配）' } : {}),
    };
    env.emit(KIND.unit, 'unit', unitObs);
    if (reg) {
      env.emit(KIND.known, 'sites', { sites: reg.knownSites });
      env.emit(KIND.registry, 'accounts', { ...(reg.unit ? { unit: reg.unit } : {}), accounts: [...reg.accounts.map(({ entries: _e, updatedAt: _u, ...a }) => a), ...reg.others] });
    }

    // 1. Feeds and freshness of the unit's accounts.
    let feedsRead = 0;
    let feedsFailed = 0;
    let feedsSkipped = 0;
    const verdicts: Record<string, number> = {};
    for (const a of reg?.accounts ?? []) {
      if (env.signal.aborted) break;
      let reading: FeedReadingObs | undefined;
      if (a.feed && a.status === '正常') {
        if (feedsRead + feedsFailed >= maxFeeds) feedsSkipped++;
        else {
          reading = await readFeed(env, a.feed);
          if (reading.ok) feedsRead++;
          else feedsFailed++;
          reg!.record?.(a.id, reading);
        }
      }
      const freshness = judgeFreshness({
        asOf: env.asOf,
        status: a.status,
        platform: a.platform,
        ...(a.feed ? { feedUrl: a.feed } : {}),
        ...(reading ? { feed: reading } : {}),
        entries: a.entries,
        ...(a.registryUpdated ? { registryUpdated: a.registryUpdated, ...(a.updatedAt ? { registryObservedAt: a.updatedAt } : {}) } : {}),
      });
      verdicts[freshness.verdict] = (verdicts[freshness.verdict] ?? 0) + 1;
      const { entries: _e, updatedAt: _u, ...rec } = a;
      const obs: AccountObs = { ...rec, target: accountTarget(a), ...(reading ? { feedReading: reading } : {}), freshness };
      env.emit(KIND.account, String(a.id), obs, a.homepage ?? a.feed);
    }

    // 2. Pages: the matrix page, platform links, own-site lists. A cheap text test first: most pages have none.
    let pagesRead = 0;
    let matrixPages = 0;
    const ownSeen = new Set<string>();
    const linkSeen = new Set<string>();
    const listedSeen = new Set<string>();
    for (const p of env.pages()) {
      if (env.signal.aborted) break;
      pagesRead++;
      const chars = docFacts(p).chars;
      if (!chars || chars > NEWMEDIA_MAX_PAGE_CHARS || (p.status !== null && p.status >= 400)) continue;
      const url = p.finalUrl || p.url;
      const facts = gatherFacts(p);
      const label = facts.matrixLabel ?? undefined;
      if (label) {
        const listed = facts.listedAccounts ?? [];
        if (listed.length) matrixPages++;
        for (const a of listed) {
          const key = `${a.platformLabel}|${nameKey(a.name)}`;
          if (listedSeen.has(key)) continue;
          listedSeen.add(key);
          env.emit(KIND.listed, key, { ...a, matrixLabel: label }, url);
        }
      }
      if (facts.platformLinks) {
        for (const l of facts.platformLinks) {
          if (!l.url || linkSeen.has(l.url)) continue;
          linkSeen.add(l.url);
          env.emit(KIND.link, l.url, { ...l, onMatrixPage: !!label, onHomepage: p.isHomepage }, url);
        }
      }
      if (facts.ownListHint) {
        for (const o of extractOwnSiteLists(p.html, url, env.site.url)) {
          const k = siteUrlKey(o.url);
          if (ownSeen.has(k)) continue;
          ownSeen.add(k);
          env.emit(KIND.ownSite, k, o, url);
        }
      }
    }

    // 3. Websites registered as closed: do they still answer?
    const closed = (reg?.websites ?? []).filter((w) => w.status === '已关停' || w.status === '已报关停');
    const closedStates: Record<string, number> = {};
    for (const w of closed.slice(0, maxClosed)) {
      if (env.signal.aborted) break;
      const r = await env.fetch(w.url, { maxBytes: 2 * 1024 * 1024, budget: `${GATHERER_ID}:closed` });
      const verdict =
        r.error === 'budget'
          ? { state: 'unverified' as const, detail: '请求数已达上限，未访问' }
          : classifyClosedSite(
              { url: w.url, parents: [env.site.url, ...(w.movedTo ? [w.movedTo] : [])] },
              { ok: r.ok, ...(r.status !== undefined ? { status: r.status } : {}), ...(r.error ? { error: r.error } : {}), finalUrl: r.finalUrl, redirects: r.redirects, contentType: r.contentType, text: r.text },
            );
      closedStates[verdict.state] = (closedStates[verdict.state] ?? 0) + 1;
      env.emit(KIND.closed, siteUrlKey(w.url), { website: w, verdict, fetchedAt: r.at }, w.url);
    }

    const parts: string[] = [];
    if (reg?.unit) {
      parts.push(`名录单位「${reg.unit}」：账号 ${reg.accounts.length} 个（读取订阅源 ${feedsRead} 个${feedsFailed ? `，失败 ${feedsFailed} 个` : ''}${feedsSkipped ? `，超出上限未读 ${feedsSkipped} 个` : ''}）`);
      parts.push(`登记关停网站 ${closed.length} 个`);
    }
    parts.push(`读取页面 ${pagesRead} 个，新媒体矩阵页面 ${matrixPages} 个`);
    const stats = { accounts: reg?.accounts.length ?? 0, feedsRead, feedsFailed, feedsSkipped, pagesRead, matrixPages, closedSites: closed.length, ...Object.fromEntries(Object.entries(verdicts).map(([k, v]) => [`verdict.${k}`, v])), ...Object.fromEntries(Object.entries(closedStates).map(([k, v]) => [`closed.${k}`, v])) };
    env.status({
      status: !reg || !reg.unit ? 'partial' : feedsFailed || feedsSkipped ? 'partial' : 'ok',
      summary: parts.join('；'),
      ...(unitObs.reason ? { reason: unitObs.reason } : feedsFailed ? { reason: `${feedsFailed} 个订阅源无法读取` } : {}),
      stats,
    });
  },
};

export default gatherer;
