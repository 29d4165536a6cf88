/**
 * What an audit reads from outside runs, brought into its scratch working store — and what it records there sent back.
 *
 * An audit on a worker (or `govsite audit` with GOVSITE_DB=postgres://…) runs into a scratch SQLite file, where the
 * pipeline reads the site's simulated inquiries (interaction gatherer) and the new-media registry (new-media gatherer)
 * as on one machine. Those live in the shared repository: before the audit, the site's inquiries and the registry (all
 * accounts and websites — the gatherer matches other units' accounts too — the monitored sites, and the evidence of
 * the site's own unit) are copied in, ids kept; after it, the feed readings the gatherer stored (`by = audit:<run>`)
 * go back to the repository. The audit pipeline itself is unchanged.
 */
import { siteKey } from '../collect/crawl.ts';
import type { Store } from '../store/store.ts';
import { ensureInquirySchema } from '../inquiry/store.ts';
import { accountKey, ensureNewMediaSchema, listPosts } from '../newmedia/store.ts';
import { nameKey, siteUrlKey } from '../newmedia/normalize.ts';
import type { Repo } from '../repo/types.ts';

export interface SeededSite {
  id?: string;
  url: string;
  name?: string;
  /** The sites file's `newMediaUnit`. */
  unit?: string;
}

/** Copies the site's inquiries and the registry into the working store; returns the counts copied. */
export async function seedWorkingStore(repo: Repo, store: Store, site: SeededSite): Promise<{ inquiries: number; accounts: number; websites: number; posts: number }> {
  const db = store.db;
  let key: string | undefined;
  try {
    key = siteKey(site.url);
  } catch {
    key = undefined;
  }
  const inquiries = await repo.listInquiries([site.id, key]);
  const monitored = await repo.listMonitored();
  const accounts = await repo.listAccounts();
  const websites = await repo.listWebsites();
  const mine = site.id ? monitored.find((m) => m.siteId === site.id) : undefined;
  const unit = await repo.unitForSite({ url: site.url, ...(site.name ? { name: site.name } : {}), ...(site.unit ?? mine?.unit ? { unit: site.unit ?? mine?.unit } : {}) });
  const own = unit ? accounts.filter((a) => nameKey(a.unit) === nameKey(unit.unit)).map((a) => a.id) : [];
  const posts = own.length ? await repo.listPosts(own) : [];
  ensureInquirySchema(db);
  ensureNewMediaSchema(db);
  db.transaction(() => {
    const insQ = db.prepare(
      `INSERT OR REPLACE INTO inquiries (id, site, channel, asked_at, title, note, replied_at, reply_note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const q of inquiries) insQ.run(q.id, q.site, q.channel, q.askedAt, q.title, q.note ?? null, q.repliedAt ?? null, q.replyNote ?? null, q.createdAt, q.updatedAt);
    const insM = db.prepare('INSERT OR REPLACE INTO newmedia_monitored (site_id, name, url, unit, synced_at) VALUES (?, ?, ?, ?, ?)');
    for (const m of monitored) insM.run(m.siteId, m.name, m.url, m.unit, '');
    const insA = db.prepare(
      `INSERT OR REPLACE INTO newmedia_accounts (id, unit, unit_key, name, platform, platform_label, account_key, account_id, subject, status, homepage, feed,
         registry_updated, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const a of accounts) {
      insA.run(a.id, a.unit, nameKey(a.unit), a.name, a.platform, a.platformLabel, accountKey(a), a.accountId ?? null, a.subject ?? null, a.status, a.homepage ?? null,
        a.feed ?? null, a.registryUpdated ?? null, a.origin, a.createdAt, a.updatedAt);
    }
    const insW = db.prepare(
      `INSERT OR REPLACE INTO newmedia_websites (id, unit, unit_key, name, url, url_key, status, moved_to, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const w of websites) insW.run(w.id, w.unit, nameKey(w.unit), w.name ?? null, w.url, siteUrlKey(w.url), w.status, w.movedTo ?? null, w.origin, w.updatedAt, w.updatedAt);
    const insP = db.prepare(
      `INSERT OR REPLACE INTO newmedia_posts (id, account, source, ok, published_at, day, url, title, how, error, confirmed, observed_at, by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const p of posts) {
      insP.run(p.id, p.account, p.source, p.ok ? 1 : 0, p.publishedAt ?? null, p.day ?? null, p.url ?? null, p.title ?? null, p.how ?? null, p.error ?? null,
        p.confirmed === false ? 0 : 1, p.observedAt, p.by ?? null);
    }
  })();
  return { inquiries: inquiries.length, accounts: accounts.length, websites: websites.length, posts: posts.length };
}

/** Sends the feed readings the audit `runId` stored in the working store back to the repository; the number sent. */
export async function returnFeedReadings(repo: Repo, store: Store, runId: number): Promise<number> {
  const mine = listPosts(store.db).filter((p) => p.source === 'feed' && p.by === `audit:${runId}`);
  let sent = 0;
  for (const p of mine) {
    try {
      await repo.addPost(p.account, {
      source: 'feed', ok: p.ok, ...(p.publishedAt ? { publishedAt: p.publishedAt } : {}), ...(p.day ? { day: p.day } : {}), ...(p.url ? { url: p.url } : {}),
      ...(p.title ? { title: p.title } : {}), ...(p.how ? { how: p.how } : {}), ...(p.error ? { error: p.error } : {}), observedAt: p.observedAt, by: p.by,
      });
      sent++;
    } catch {
      // the account was removed from the registry meanwhile: its reading stays in the run's observations
    }
  }
  return sent;
}
