/**
 * 域名规范: government sites use only .gov.cn or .政务 (xn--zfr164b) domains; a department site uses a subdomain of
 * its government's portal domain (ctx.site.parentDomain, e.g. hunan.gov.cn → jtt.hunan.gov.cn).
 *
 * The configured host (ctx.site.host) is judged, plus the homepage's final host when a redirect moved it to another
 * name. IP addresses and loopback names (tests, demos) cannot be judged: an `unverified` finding, no deduction.
 */
import net from 'node:net';
import { domainToUnicode } from 'node:url';
import { getDomain } from 'tldts';
import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { scopeFromFindings } from '../src/checks.ts';

const NORM = '《政府网站发展指引》（国办发〔2017〕47号）';
/** Suffixes allowed for government sites: .gov.cn and .政务 (punycode). */
const GOV_SUFFIXES = ['gov.cn', 'xn--zfr164b'];

/** Lower-case ASCII (punycode) host without port, brackets or trailing dot; '' when unusable. */
function normalizeHost(raw: string | undefined | null): string {
  if (!raw) return '';
  let h = String(raw).trim();
  if (!h) return '';
  // Accept a full URL by mistake.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h)) {
    try {
      h = new URL(h).hostname;
    } catch {
      return '';
    }
  }
  h = h.replace(/^\[(.*)\](:\d+)?$/, '$1');
  if (!net.isIPv6(h)) h = h.replace(/:\d+$/, '');
  if (net.isIP(h)) return h.toLowerCase();
  try {
    h = new URL(`http://${h}/`).hostname; // IDN → punycode, lower-case
  } catch {
    return '';
  }
  return h.replace(/\.+$/, '');
}

function isIpOrLoopback(host: string): boolean {
  return net.isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost');
}

function underSuffix(host: string, suffix: string): boolean {
  return host.endsWith(`.${suffix}`);
}

function isGovDomain(host: string): boolean {
  return GOV_SUFFIXES.some((s) => underSuffix(host, s));
}

/** Parent portal domain as a bare domain: "www.hunan.gov.cn" → "hunan.gov.cn". */
function parentBase(parent: string): string {
  return parent.replace(/^www\./, '');
}

/** Chinese form of IDN hosts (xn--…) for people; ASCII hosts unchanged. */
function displayHost(host: string): string {
  if (!host.includes('xn--')) return host;
  try {
    return domainToUnicode(host) || host;
  } catch {
    return host;
  }
}

const check: Check = {
  id: 'domain',
  title: '域名规范',
  description: 'Site domain is under .gov.cn / .政务; a department site is a subdomain of its government portal domain (site.parentDomain).',
  needsHtml: false,
  run(ctx: AuditContext): CheckOutput {
    return scopeFromFindings(judge(ctx), `已检查网站域名 ${ctx.site.host ?? ''}`.trim());
  },
};

function judge(ctx: AuditContext): Finding[] {
    const url = ctx.homepage?.url ?? ctx.site.url;
    const configured = normalizeHost(ctx.site.host) || normalizeHost(ctx.site.url);
    const hosts: string[] = [];
    if (configured) hosts.push(configured);
    const finalHost = normalizeHost(ctx.homepage?.finalUrl);
    if (finalHost && !isIpOrLoopback(finalHost) && !hosts.includes(finalHost)) hosts.push(finalHost);

    if (!configured) {
      return [
        {
          check: 'domain',
          url,
          detail: 'site host unknown or malformed',
          message: '未能取得网站域名，域名规范无法核实。',
          evidence: { unverified: true, host: ctx.site.host ?? '' },
        },
      ];
    }

    const isDepartment = ctx.site.unitType === 'provincial' || !!ctx.site.parentDomain;
    const parent = ctx.site.parentDomain ? parentBase(normalizeHost(ctx.site.parentDomain)) : '';
    const findings: Finding[] = [];

    for (const host of hosts) {
      const evidenceBase = {
        host,
        registrableDomain: getDomain(host) ?? undefined,
        unitType: ctx.site.unitType,
        ...(parent ? { parentDomain: parent } : {}),
        onHomepage: true,
        ...(host !== configured ? { redirectedFrom: configured } : {}),
      };
      if (isIpOrLoopback(host)) {
        findings.push({
          check: 'domain',
          url,
          detail: `host ${host} is an IP address or loopback name: domain rules not applicable (test or demo)`,
          message: `网站地址 ${host} 为 IP 地址或本机地址，域名规范无法核实。`,
          evidence: { ...evidenceBase, unverified: true },
        });
        continue;
      }
      const shown = displayHost(host);
      const rules: string[] = [];
      const parts: string[] = [];
      if (!isGovDomain(host)) {
        rules.push('not-gov-cn');
        parts.push(`政府网站只能使用以 .gov.cn 或 .政务 结尾的域名`);
      }
      if (isDepartment) {
        if (parent) {
          if (host !== parent && !underSuffix(host, parent)) {
            rules.push('not-under-parent');
            parts.push(`部门网站应使用本级政府门户网站的下级域名（应为 *.${displayHost(parent)}）`);
          }
        } else if (rules.length === 0) {
          findings.push({
            check: 'domain',
            url,
            detail: 'department site without a configured parent portal domain: subdomain rule not checked',
            message: `部门网站 ${shown} 未配置本级政府门户网站域名，是否使用门户网站下级域名无法核实。`,
            evidence: { ...evidenceBase, unverified: true },
          });
          continue;
        }
      }
      if (rules.length) {
        findings.push({
          check: 'domain',
          url,
          detail: rules.map((r) => (r === 'not-gov-cn' ? `${host} is not under .gov.cn/.政务` : `${host} is not under ${parent}`)).join('; '),
          message: `网站域名 ${shown} 不符合域名规范：${parts.join('；')}（${NORM}）。`,
          evidence: { ...evidenceBase, rules },
        });
      }
    }
    return findings;
}

export default check;
