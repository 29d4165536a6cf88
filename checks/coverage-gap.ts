import type { Check, Finding } from '../src/model.ts';
import { accountLabel, newMediaInput, noUnitScope, registryMatch } from '../src/newmedia/check-input.ts';
import { siteUrlKey } from '../src/newmedia/normalize.ts';

/**
 * 全面监管 (本地区或部门政府网站和政务新媒体未纳入监管范围): websites the unit's site lists as its own (部门网站 /
 * 县市区网站 / 乡镇网站 … lists) that are neither in the sites file nor in the registry, and accounts the homepage
 * links to on a platform that the registry lacks (accounts on the 新媒体矩阵 page are new-media-registry's). Whether a
 * listed site belongs to the region is for a reviewer: every finding waits for confirmation.
 */
function hostKey(u: string): string {
  try {
    return new URL(u).host.toLowerCase().replace(/^www\./, '');
  } catch {
    return '';
  }
}

const check: Check = {
  id: 'coverage-gap',
  title: '未纳入监管范围',
  description: 'Own websites (部门/县市区网站 lists) not in the sites file or registry, and homepage account links not in the registry; a reviewer confirms.',
  confirm: 'required',
  run(ctx) {
    const input = newMediaInput(ctx);
    if ('scope' in input) return { findings: [], scope: input.scope };
    const noUnit = noUnitScope(input);
    if (noUnit) return { findings: [], scope: noUnit };
    if (input.known.length === 0) return { findings: [], scope: { status: 'not-run', reason: '没有站点配置或名录网站可供比对' } };
    const knownKeys = new Set(input.known.map((k) => siteUrlKey(k.url)));
    // A site registered at its host root covers every path on that host.
    const knownHosts = new Set(input.known.filter((k) => !siteUrlKey(k.url).includes('/')).map((k) => hostKey(k.url)));
    const findings: Finding[] = [];
    for (const s of input.ownSites) {
      if (knownKeys.has(siteUrlKey(s.url)) || knownHosts.has(hostKey(s.url))) continue;
      findings.push({
        check: check.id,
        url: s.pageUrl,
        target: s.url,
        detail: `「${s.label}」列出「${s.name}」${s.url}，不在站点配置和名录中`,
        message: `网站「${s.label}」中列出的「${s.name || s.url}」（${s.url}）不在监测站点和名录中，疑似未纳入监管范围，请复核确认。`,
        evidence: { kind: 'website', label: s.label, name: s.name, page: s.pageUrl },
      });
    }
    const homeLinks = input.links.filter((l) => !l.onMatrixPage && l.onHomepage);
    for (const l of homeLinks) {
      const m = registryMatch(l, input.registry.accounts);
      if (m.byId || m.byName || m.byUrl) continue;
      const who = l.name ? accountLabel(l) : `${l.platformLabel}账号`;
      findings.push({
        check: check.id,
        url: l.pageUrl,
        target: l.url!,
        detail: `首页链接的${l.platformLabel}账号 ${l.url}${l.name ? `（${l.name}）` : ''} 不在名录中`,
        message: `首页链接的${who}（${l.url}）不在政务新媒体名录中，疑似未纳入监管范围，请复核确认。`,
        evidence: { kind: 'account', platform: l.platformLabel, ...(l.name ? { name: l.name } : {}), snippet: l.snippet },
      });
    }
    return {
      findings,
      scope: { status: 'checked', summary: `已比对网站列出的 ${input.ownSites.length} 个本地区网站、首页 ${homeLinks.length} 个新媒体账号链接与监测站点和名录` },
    };
  },
};

export default check;
