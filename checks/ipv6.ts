/**
 * IPv6改造: the site's domain has an AAAA record, its homepage loads over IPv6, and enough of its 2nd/3rd-level
 * internal links load over IPv6 (share ≥ options.ipv6LinkThreshold). Reads ctx.network (src/collect/network.ts).
 *
 * Evidence-free silence: no ctx.network → no finding (the runner records "not measured"). Anything that says nothing
 * about the site — the host does not resolve at all, the AAAA lookup itself failed, this machine has no IPv6, the page
 * fails over IPv4 as well, a tiny link sample — gives an `unverified` finding, never a deduction.
 */
import type { AuditContext, Check, CheckOutput, Finding, NetworkObservation } from '../src/model.ts';
import { scopeFromFindings } from '../src/checks.ts';

/** Error classes written by the network collector that mean "not measurable", not "fails". */
const NOT_MEASURABLE = new Set(['no-local-ipv6', 'also-fails-over-ipv4']);
/** Below this many counted links, a low share is reported as unverified rather than deducted. */
const MIN_LINK_SAMPLE = 5;

function errClass(error: string | undefined): string {
  return (error ?? '').split(':')[0].trim();
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

/** Did the lookup of this record type fail (as opposed to answer "no records")? dnsError looks like "a: ESERVFAIL; aaaa: ETIMEOUT". */
function lookupFailed(n: NetworkObservation, type: 'a' | 'aaaa'): boolean {
  if (!n.dnsError) return false;
  return n.dnsError.split(';').some((part) => part.trim().toLowerCase().startsWith(`${type}:`));
}

const check: Check = {
  id: 'ipv6',
  title: 'IPv6改造',
  description: 'AAAA record present, homepage loads over IPv6, share of sampled internal links loading over IPv6 ≥ threshold.',
  needsHtml: false,
  run(ctx: AuditContext): CheckOutput {
    if (!ctx.network) return { findings: [], scope: { status: 'not-run', reason: 'IPv6 检测未执行（网站地址为 IP 地址或本机地址，或未启用网络检测）' } };
    return scopeFromFindings(judge(ctx), '已检测 AAAA 记录、首页及二三级页面的 IPv6 访问');
  },
};

function judge(ctx: AuditContext): Finding[] {
    const n = ctx.network;
    if (!n) return [];
    const url = ctx.homepage?.url ?? ctx.site.url;
    const a = Array.isArray(n.a) ? n.a : [];
    const aaaa = Array.isArray(n.aaaa) ? n.aaaa : [];
    const threshold = Number.isFinite(ctx.options?.ipv6LinkThreshold) ? ctx.options.ipv6LinkThreshold : 0.85;
    const baseEvidence = {
      host: n.host,
      a,
      aaaa,
      ...(n.dnsError ? { dnsError: n.dnsError } : {}),
      homepageV6: n.homepageV6 ?? null,
      linksV6: n.linksV6 ? { tried: n.linksV6.tried, ok: n.linksV6.ok, failures: (n.linksV6.failures ?? []).slice(0, 20) } : null,
      threshold,
      onHomepage: true,
    };

    const unverified = (detail: string, message: string): Finding[] => [
      { check: 'ipv6', url, detail, message, evidence: { ...baseEvidence, unverified: true } },
    ];

    // The host does not resolve at all: an availability/DNS matter, not an IPv6 deduction.
    if (a.length === 0 && aaaa.length === 0) {
      return unverified(
        `host does not resolve (${n.dnsError ?? 'no A and no AAAA'})`,
        `站点域名 ${n.host} 未能解析（A、AAAA 记录均未取得），IPv6 改造情况无法核实。`,
      );
    }

    if (aaaa.length === 0) {
      if (lookupFailed(n, 'aaaa')) {
        return unverified(
          `AAAA lookup failed (${n.dnsError})`,
          `站点域名 ${n.host} 的 AAAA 记录查询失败（${n.dnsError}），IPv6 改造情况无法核实。`,
        );
      }
      return [
        {
          check: 'ipv6',
          url,
          detail: 'no-aaaa: the host has A records but no AAAA record',
          message: `未按要求完成IPv6改造：站点域名 ${n.host} 没有 AAAA（IPv6）解析记录。`,
          evidence: { ...baseEvidence, reasons: ['no-aaaa'] },
        },
      ];
    }

    const reasons: string[] = [];
    const details: string[] = [];
    const messages: string[] = [];
    const notes: string[] = [];
    const noteMessages: string[] = [];

    const home = n.homepageV6;
    if (home && !home.ok) {
      const cls = errClass(home.error);
      if (NOT_MEASURABLE.has(cls)) {
        notes.push(`homepage over IPv6 not measurable (${home.error})`);
        noteMessages.push(
          cls === 'no-local-ipv6' ? '检测机无 IPv6 网络，无法测试首页 IPv6 访问' : '首页通过 IPv4 也无法访问，无法判断是否为 IPv6 问题',
        );
      } else {
        reasons.push('homepage-v6');
        details.push(`homepage does not load over IPv6 (${home.error ?? (home.status !== undefined ? `status ${home.status}` : 'failed')})`);
        messages.push(`首页无法通过 IPv6 访问（${home.status !== undefined ? `HTTP ${home.status}` : (home.error ?? '').split(':')[0] || '访问失败'}）`);
      }
    }

    const links = n.linksV6;
    if (links && links.tried > 0) {
      const failures = links.failures ?? [];
      const local = failures.filter((f) => NOT_MEASURABLE.has(errClass(f.error))).length;
      const tried = links.tried - local;
      const ok = Math.min(links.ok, tried);
      if (tried <= 0) {
        notes.push('internal links over IPv6 not measurable (no local IPv6)');
        noteMessages.push('检测机无 IPv6 网络，无法测试内部链接 IPv6 访问');
      } else {
        const share = ok / tried;
        if (share < threshold) {
          if (tried < MIN_LINK_SAMPLE) {
            notes.push(`only ${tried} internal links measured (${ok} ok): sample too small`);
            noteMessages.push(`仅测得 ${tried} 个内部链接（${ok} 个可通过 IPv6 访问），样本过少`);
          } else {
            reasons.push('links-v6');
            details.push(`${ok}/${tried} sampled internal links load over IPv6 (${pct(share)} < ${pct(threshold)})`);
            messages.push(`抽查的二、三级链接中通过 IPv6 可访问的比例为 ${pct(share)}（${ok}/${tried}），低于 ${pct(threshold)}`);
          }
        }
      }
    }

    if (reasons.length) {
      return [
        {
          check: 'ipv6',
          url,
          detail: details.join('; '),
          message: `未按要求完成IPv6改造：${messages.join('；')}。`,
          evidence: { ...baseEvidence, reasons },
        },
      ];
    }
    if (notes.length) {
      return unverified(notes.join('; '), `IPv6 改造情况未能完全核实：${noteMessages.join('；')}。`);
    }
    return [];
}

export default check;
