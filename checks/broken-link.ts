import type { Check, Finding, LinkKind } from '../src/model.ts';

const KIND_ZH: Record<LinkKind, string> = {
  a: '链接', img: '图片', script: '脚本', link: '样式/资源', iframe: '内嵌页面', form: '表单地址', attachment: '附件', media: '音视频', other: '资源',
};

function reasonZh(error: string | undefined, status: number | undefined): string {
  if (error === 'timeout') return '访问超时';
  if (error === 'dns') return '域名无法解析';
  if (error === 'dns-temporary') return '域名解析暂时失败';
  if (error === 'refused') return '连接被拒绝';
  if (error === 'reset') return '连接被重置';
  if (error === 'tls') return '证书或加密连接错误';
  if (error === 'redirect-loop') return '重定向循环';
  if (error === 'too-many-redirects') return '重定向次数过多';
  if (error === 'headers-too-large') return '响应头过大';
  if (error === 'soft-404') return '打开后为错误页面';
  if (error === 'invalid-url') return '链接地址无效';
  if (status) return `HTTP ${status}`;
  return '无法打开';
}

/** Where a reference came from, for people: "srcset 2x" → "srcset 中的 2x 图片", a meta refresh → "自动跳转". */
function viaZh(via: string | undefined): string {
  if (!via) return '';
  if (via.startsWith('meta refresh')) return '（页面自动跳转 meta refresh 的目标）';
  const srcset = /srcset(?: (.+))?$/.exec(via);
  if (srcset) return `（${via.startsWith('picture') ? '<picture> 中 <source> 的 ' : ''}srcset 候选图片${srcset[1] ? ` ${srcset[1]}` : ''}）`;
  return `（${via}）`;
}

/**
 * 可用性 / 链接无法打开: one finding per (page, target) whose target cannot be opened.
 * Targets that are "unverified" (WAF 403, rate limit, skipped host) never produce a finding.
 */
const check: Check = {
  id: 'broken-link',
  title: '链接无法打开',
  description: 'A link, image (srcset candidates included), script, attachment, meta-refresh target or other reference on a page cannot be opened (HTTP ≥ 400, network failure, redirect loop, soft 404, malformed URL).',
  run(ctx) {
    const out: Finding[] = [];
    for (const page of ctx.pages) {
      for (const link of page.links) {
        const r = ctx.linkResults.get(link.target);
        if (!r || r.outcome !== 'broken') continue;
        const where = page.isHomepage ? '首页' : '页面';
        out.push({
          check: 'broken-link',
          url: page.url,
          target: link.target,
          detail: r.detail,
          message: `${where}上的${KIND_ZH[link.kind] ?? '链接'}${viaZh(link.via)}无法打开（${reasonZh(r.error, r.status)}）${link.text ? `：${link.text}` : ''}`,
          evidence: {
            anchorText: link.text,
            linkKind: link.kind,
            ...(link.via ? { via: link.via } : {}),
            onHomepage: page.isHomepage,
            inFooter: link.inFooter,
            status: r.status,
            error: r.error,
            finalUrl: r.finalUrl,
            at: r.checkedAt,
          },
        });
      }
    }
    return out;
  },
};

export default check;
