/**
 * What the new-media checks read from a run's observations (pure), and the scope when there is nothing to read.
 */
import type { AuditContext, CheckScope } from '../model.ts';
import { nameKey, siteUrlKey } from './normalize.ts';
import { GATHERER_ID, KIND, type AccountObs, type ClosedObs, type KnownObs, type LinkObs, type ListedObs, type OwnSiteObs, type RegistryObs, type UnitObs } from './observations.ts';
import type { AccountRecord } from './types.ts';

export interface NewMediaInput {
  unit: UnitObs;
  accounts: AccountObs[];
  registry: RegistryObs;
  listed: (ListedObs & { matrixLabel?: string })[];
  links: (LinkObs & { onMatrixPage?: boolean; onHomepage?: boolean })[];
  ownSites: OwnSiteObs[];
  known: KnownObs['sites'];
  closed: ClosedObs[];
  /** The page findings about the unit as a whole point at. */
  home: string;
}

/** The gatherer's observations, or the scope to return when it did not run. */
export function newMediaInput(ctx: AuditContext): NewMediaInput | { scope: CheckScope } {
  const obs = ctx.observations;
  const st = obs?.status(GATHERER_ID);
  if (!obs || !st) return { scope: { status: 'not-run', reason: '未运行政务新媒体采集（new-media）' } };
  if (st.status === 'skipped' || st.status === 'failed') return { scope: { status: st.status === 'failed' ? 'unverified' : 'not-run', reason: st.reason ?? '政务新媒体采集未完成' } };
  const unit = obs.list<UnitObs>(KIND.unit)[0] ?? { registryLoaded: false, accounts: 0, websites: 0 };
  return {
    unit,
    accounts: obs.list<AccountObs>(KIND.account),
    registry: obs.list<RegistryObs>(KIND.registry)[0] ?? { accounts: [] },
    listed: obs.list(KIND.listed),
    links: obs.list(KIND.link),
    ownSites: obs.list<OwnSiteObs>(KIND.ownSite),
    known: obs.list<KnownObs>(KIND.known)[0]?.sites ?? [],
    closed: obs.list<ClosedObs>(KIND.closed),
    home: ctx.homepage?.url ?? ctx.site.url,
  };
}

/** The scope when the unit has no registry entry. */
export function noUnitScope(input: NewMediaInput): CheckScope | undefined {
  if (!input.unit.registryLoaded) return { status: 'not-run', reason: input.unit.reason ?? '未加载政务新媒体名录' };
  if (!input.unit.unit) return { status: 'not-run', reason: input.unit.reason ?? '名录中没有本单位' };
  return undefined;
}

/** An account as people name it: 「青山发布」（微信）. */
export function accountLabel(a: Pick<AccountRecord, 'name' | 'platformLabel'>): string {
  return `「${a.name}」（${a.platformLabel}）`;
}

/** Registry accounts that are the same account as a listed one: same platform, and the same ID or name. */
export function registryMatch(
  listed: { name: string; platform: string; platformLabel: string; accountId?: string; url?: string },
  registry: (AccountRecord & { id?: number })[],
): { byId?: AccountRecord; byName?: AccountRecord; byUrl?: AccountRecord } {
  const samePlatform = registry.filter((r) => r.platformLabel === listed.platformLabel || (r.platform === listed.platform && listed.platform !== '其他'));
  const id = listed.accountId?.toLowerCase();
  const byId = id ? samePlatform.find((r) => r.accountId?.toLowerCase() === id) : undefined;
  const k = listed.name ? nameKey(listed.name) : '';
  const byName = k ? samePlatform.find((r) => nameKey(r.name) === k) : undefined;
  let byUrl: AccountRecord | undefined;
  if (listed.url) {
    const uk = siteUrlKey(listed.url);
    byUrl = samePlatform.find((r) => (r.homepage && siteUrlKey(r.homepage) === uk) || (r.accountId && r.accountId.length >= 4 && listed.url!.includes(r.accountId)));
  }
  return { ...(byId ? { byId } : {}), ...(byName ? { byName } : {}), ...(byUrl ? { byUrl } : {}) };
}
