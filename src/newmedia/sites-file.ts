/**
 * The new-media part of the sites file: per site, the unit's accounts (`newMedia:`) and its closed websites
 * (`closedSites:`), merged into the registry under the site's unit (`newMediaUnit`, else the site's `name`).
 *
 * ```yaml
 * sites:
 *   - id: qingshan
 *     name: 青山市人民政府
 *     url: http://www.qingshan.gov.cn/
 *     rubric: hunan-2021-city
 *     newMedia:
 *       - { name: 青山发布, platform: 微信, id: qingshanfabu, subject: 青山市人民政府办公室, feed: http://rsshub.local/… }
 *       - { name: 指尖青山, platform: App, status: 正常 }
 *     closedSites:
 *       - { name: 青山市旅游局网站, url: http://lyj.qingshan.gov.cn/, status: 已关停, movedTo: http://www.qingshan.gov.cn/ }
 * ```
 */
import { z } from 'zod';
import type { Db } from '../store/db.ts';
import { cleanText, normalizePlatform, normalizeStatus, normalizeUnitName, normalizeUrl, parseRegistryDate } from './normalize.ts';
import { ensureNewMediaSchema, upsertAccount, upsertWebsite, type ApplySummary } from './store.ts';
import type { AccountRecord, WebsiteRecord } from './types.ts';

const url = z.string().refine((s) => typeof normalizeUrl(s) === 'string', { error: '应为 http:// 或 https:// 开头的网址' });
const status = z.string().refine((s) => normalizeStatus(s) !== null, { error: '运营状态应为 正常、已注销、已关停 或 已报关停' });

export const NewMediaAccountSchema = z.strictObject({
  /** 账号名称. */
  name: z.string({ error: 'name（账号名称）必填' }).trim().min(1, { error: 'name（账号名称）不能为空' }),
  /** 平台: 微信 / 微博 / 抖音 / 今日头条 / 快手 / App / 其他 (or another platform's name, read as 其他). */
  platform: z.string({ error: 'platform（平台）必填' }).trim().min(1, { error: 'platform（平台）不能为空' }),
  /** 账号ID. */
  id: z.union([z.string(), z.number()]).transform(String).optional(),
  /** 认证主体. */
  subject: z.string().optional(),
  status: status.optional(),
  homepage: url.optional(),
  /** 订阅地址: RSS 2.0 / Atom / JSON Feed. */
  feed: url.optional(),
  /** 最近更新 (YYYY-MM-DD). */
  updated: z.union([z.string(), z.date()]).refine((v) => !!parseRegistryDate(v), { error: 'updated（最近更新）应为日期 YYYY-MM-DD' }).optional(),
});
export type NewMediaAccountInput = z.output<typeof NewMediaAccountSchema>;

export const ClosedSiteSchema = z.strictObject({
  name: z.string().optional(),
  url,
  status: status.optional(),
  /** Where the content went (the parent site). */
  movedTo: url.optional(),
});

export const NewMediaListSchema = z.array(NewMediaAccountSchema, { error: 'newMedia 应为账号列表' });
export const ClosedSiteListSchema = z.array(ClosedSiteSchema, { error: 'closedSites 应为网站列表' });

/** The parts of a configured site this module reads. */
export interface SiteNewMedia {
  id: string;
  name: string;
  url: string;
  newMediaUnit?: string;
  newMedia?: NewMediaAccountInput[];
  closedSites?: z.output<typeof ClosedSiteSchema>[];
}

/** The registry unit of a configured site: `newMediaUnit`, else its name. */
export function unitOfSite(site: Pick<SiteNewMedia, 'name' | 'newMediaUnit'>): string {
  return normalizeUnitName(site.newMediaUnit ?? site.name);
}

export function accountFromSitesFile(unit: string, a: NewMediaAccountInput): AccountRecord {
  const p = normalizePlatform(a.platform)!;
  const updated = a.updated ? parseRegistryDate(a.updated) : undefined;
  const id = a.id ? cleanText(a.id).replace(/\s+/g, '') : '';
  return {
    unit,
    name: cleanText(a.name),
    platform: p.platform,
    platformLabel: p.label,
    status: (a.status && normalizeStatus(a.status)) || '正常',
    ...(id ? { accountId: id } : {}),
    ...(a.subject && cleanText(a.subject) ? { subject: cleanText(a.subject) } : {}),
    ...(a.homepage ? { homepage: normalizeUrl(a.homepage)! } : {}),
    ...(a.feed ? { feed: normalizeUrl(a.feed)! } : {}),
    ...(updated ? { registryUpdated: updated } : {}),
  };
}

/**
 * Writes the sites file's accounts and closed websites into the registry (origin `sites-file:<site id>`) and removes
 * the ones an earlier version of the file listed and this one no longer does; remembers the sites themselves (the
 * monitored sites, for 全面监管). `full`: `sites` is the whole file (sites no longer in it are forgotten).
 */
export function syncSitesFile(db: Db, sites: readonly SiteNewMedia[], now: string, opts: { full?: boolean } = {}): ApplySummary & { removed: number } {
  ensureNewMediaSchema(db);
  const total: ApplySummary = { accounts: { added: 0, updated: 0, unchanged: 0 }, websites: { added: 0, updated: 0, unchanged: 0 } };
  let removed = 0;
  db.transaction(() => {
    // The monitored sites themselves (全面监管): all of them when the whole file is given, else these.
    if (opts.full) db.prepare(`DELETE FROM newmedia_monitored`).run();
    const mon = db.prepare(`INSERT INTO newmedia_monitored (site_id, name, url, unit, synced_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT(site_id) DO UPDATE SET name = excluded.name, url = excluded.url, unit = excluded.unit, synced_at = excluded.synced_at`);
    for (const s of sites) mon.run(s.id, s.name, s.url, unitOfSite(s), now);
    for (const e of sitesFileEntries(sites)) {
      const origin = e.origin;
      const keepA = new Set<number>();
      const keepW = new Set<number>();
      for (const rec of e.accounts) {
        const r = upsertAccount(db, rec, origin, now);
        total.accounts[r.action]++;
        keepA.add(r.id);
      }
      for (const rec of e.websites) {
        const r = upsertWebsite(db, rec, origin, now);
        total.websites[r.action]++;
        keepW.add(r.id);
      }
      // Rows an earlier version of this site's entry listed and this one does not.
      for (const { id } of db.prepare(`SELECT id FROM newmedia_accounts WHERE origin = ?`).all(origin) as { id: number }[]) {
        if (!keepA.has(id)) removed += db.prepare(`DELETE FROM newmedia_accounts WHERE id = ?`).run(id).changes;
      }
      for (const { id } of db.prepare(`SELECT id FROM newmedia_websites WHERE origin = ?`).all(origin) as { id: number }[]) {
        if (!keepW.has(id)) removed += db.prepare(`DELETE FROM newmedia_websites WHERE id = ?`).run(id).changes;
      }
    }
  })();
  return { ...total, removed };
}

/** What the sites file puts into the registry, per site: its origin tag, unit, accounts and closed websites. */
export function sitesFileEntries(sites: readonly SiteNewMedia[]): { siteId: string; origin: string; unit: string; accounts: AccountRecord[]; websites: WebsiteRecord[] }[] {
  return sites.map((s) => {
    const unit = unitOfSite(s);
    return {
      siteId: s.id,
      origin: `sites-file:${s.id}`,
      unit,
      accounts: (s.newMedia ?? []).map((a) => accountFromSitesFile(unit, a)),
      websites: (s.closedSites ?? []).map(
        (w): WebsiteRecord => ({
          unit,
          url: normalizeUrl(w.url)!,
          status: (w.status && normalizeStatus(w.status)) || '已关停',
          ...(w.name ? { name: cleanText(w.name) } : {}),
          ...(w.movedTo ? { movedTo: normalizeUrl(w.movedTo)! } : {}),
        }),
      ),
    };
  });
}
