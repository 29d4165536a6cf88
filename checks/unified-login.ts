import type { AuditContext, Check, CheckOutput, Finding } from '../src/model.ts';
import { servicesSeen } from '../src/analyze/services/observed.ts';
import type { LoginObs } from '../src/analyze/services/types.ts';

/**
 * 统一登录 (市州): the site's channels with a login (办事服务, 互动交流, 在线调查, the site header) go to different
 * account systems instead of one (the province's unified identity service). 网上信访 and 纪检举报 are left out, as the
 * rubric says. A login page that offers the other system's login (a link to its authorisation endpoint) counts as
 * that system. One finding for the site.
 */

const check: Check = {
  id: 'unified-login',
  title: '未实现统一登录',
  description: 'Login links of the channels reach more than one identity system.',
  run(ctx: AuditContext): CheckOutput {
    const got = servicesSeen(ctx);
    if ('out' in got) return got.out;
    const logins = got.seen.logins;
    const home = ctx.homepage?.url ?? ctx.site.url;
    if (!logins.length) return { findings: [], scope: { status: 'checked', summary: '未发现具有登录功能的渠道' } };
    const groups = new Map<string, { label: string; provincial: boolean; links: LoginObs[] }>();
    for (const l of logins) {
      const key = l.delegatesTo ?? l.system.key;
      const g = groups.get(key) ?? { label: l.system.label, provincial: l.system.provincial, links: [] };
      if (l.delegatesTo && !l.system.provincial) {
        const other = logins.find((x) => x.system.key === l.delegatesTo);
        if (other) {
          g.label = other.system.label;
          g.provincial = other.system.provincial;
        }
      }
      g.links.push(l);
      groups.set(key, g);
    }
    const describe = (g: { label: string; links: LoginObs[] }) => {
      const channels = [...new Set(g.links.flatMap((l) => l.channels))].filter((c) => c !== '其他');
      return `${channels.length ? channels.join('、') : '其他页面'} → ${g.label}`;
    };
    const summary = `登录入口 ${logins.length} 个，涉及账号体系 ${groups.size} 套：${[...groups.values()].map(describe).join('；')}`;
    if (groups.size < 2) return { findings: [], scope: { status: 'checked', summary } };
    const findings: Finding[] = [
      {
        check: check.id,
        url: home,
        target: `${home}#unified-login`,
        detail: [...groups.values()].map((g) => `${describe(g)}（${g.links.slice(0, 3).map((l) => `「${l.text}」${l.finalUrl ?? l.target}，见 ${l.page}`).join('；')}）`).join('；'),
        message: `网站各渠道未实现统一注册登录：登录入口指向 ${groups.size} 套不同的账号体系（${[...groups.values()].map((g) => g.label).join('、')}）。`,
        evidence: {
          onHomepage: true,
          systems: [...groups.entries()].map(([key, g]) => ({
            key,
            label: g.label,
            provincial: g.provincial,
            links: g.links.map((l) => ({ page: l.page, text: l.text, target: l.target, finalUrl: l.finalUrl, channels: l.channels })),
          })),
        },
      },
    ];
    return { findings, scope: { status: 'checked', summary } };
  },
};

export default check;
