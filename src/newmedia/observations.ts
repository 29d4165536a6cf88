/**
 * What the new-media gatherer (src/gather/new-media.ts) records for the checks, and the registry snapshot an audit
 * hands it. Observation kinds (one JSON value per key):
 *
 *   newmedia-unit      'unit'          the unit the audited site belongs to, how it was matched, what was loaded
 *   newmedia-account   <account id>    a registered account of the unit with its feed reading and freshness verdict
 *   newmedia-registry  'accounts'      the registry accounts the checks compare pages with (the unit's and others
 *                                      named on the site)
 *   newmedia-listed    <platform|name> an account the unit's 新媒体矩阵 page lists
 *   newmedia-link      <url>           a link to an account on a platform host elsewhere on the site
 *   own-site-link      <url key>       a link in the site's own website lists (部门网站 / 县市区网站 …)
 *   newmedia-known     'sites'         websites under supervision: the sites file's and the registry's
 *   closed-site        <url key>       a website registered as closed, as it answered
 */
import type { ClosedSiteVerdict } from './closed-site.ts';
import type { DatedEvidence, Freshness } from './freshness.ts';
import type { FeedNewest } from './feeds.ts';
import type { ListedAccount, OwnSiteLink } from './matrix.ts';
import type { AccountRecord, WebsiteRecord } from './types.ts';

export const GATHERER_ID = 'new-media';

export const KIND = {
  unit: 'newmedia-unit',
  account: 'newmedia-account',
  registry: 'newmedia-registry',
  listed: 'newmedia-listed',
  link: 'newmedia-link',
  ownSite: 'own-site-link',
  known: 'newmedia-known',
  closed: 'closed-site',
} as const;

/** A registry account as handed to the gatherer. */
export interface SnapshotAccount extends AccountRecord {
  id: number;
  /** Pasted posts and manual entries. */
  entries: DatedEvidence[];
  /** When the registry row last changed (the observation time of 最近更新). */
  updatedAt?: string;
}

export interface SnapshotWebsite extends WebsiteRecord {
  id: number;
}

/** A feed reading as the gatherer made it (also what it asks the store to remember). */
export interface FeedReadingObs {
  url: string;
  ok: boolean;
  status?: number;
  error?: string;
  fetchedAt: string;
  format?: string;
  newest?: FeedNewest;
}

/** The registry part of an audit (built from the store by src/newmedia/gather-input.ts). */
export interface RegistrySnapshot {
  /** The unit that owns the audited site, when one matched. */
  unit?: string;
  matchedBy?: 'unit' | 'name' | 'website';
  /** The unit's accounts. */
  accounts: SnapshotAccount[];
  /** The unit's websites (open and closed). */
  websites: SnapshotWebsite[];
  /** Accounts of other units (for "is this account registered anywhere?"), bounded. */
  others: AccountRecord[];
  /** Websites under supervision: the sites file's and every registry website. */
  knownSites: { url: string; name?: string; source: 'sites-file' | 'registry' }[];
  /** Remembers a feed reading in the store (for the dashboard and `newmedia list`). */
  record?: (accountId: number, reading: FeedReadingObs) => void;
}

export interface UnitObs {
  unit?: string;
  matchedBy?: RegistrySnapshot['matchedBy'];
  /** The registry was handed to the gatherer at all. */
  registryLoaded: boolean;
  accounts: number;
  websites: number;
  reason?: string;
}

export interface AccountObs extends AccountRecord {
  id: number;
  /** The finding target that names this account (its homepage, feed or a newmedia: URI). */
  target: string;
  feedReading?: FeedReadingObs;
  freshness: Freshness;
}

export interface RegistryObs {
  unit?: string;
  accounts: (AccountRecord & { id?: number })[];
}

export interface ListedObs extends ListedAccount {}
export interface LinkObs extends ListedAccount {}
export interface OwnSiteObs extends OwnSiteLink {}

export interface KnownObs {
  sites: RegistrySnapshot['knownSites'];
}

export interface ClosedObs {
  website: WebsiteRecord & { id?: number };
  verdict: ClosedSiteVerdict;
  fetchedAt: string;
}

/** The finding target of an account: its homepage, else its feed, else a `newmedia:` URI of platform and ID/name. */
export function accountTarget(a: Pick<AccountRecord, 'homepage' | 'feed' | 'platformLabel' | 'accountId' | 'name'>): string {
  return a.homepage ?? a.feed ?? `newmedia:${encodeURIComponent(a.platformLabel)}/${encodeURIComponent(a.accountId ?? a.name)}`;
}
