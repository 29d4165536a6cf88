import type { Check, Finding } from '../src/model.ts';
import { accountLabel, newMediaInput, noUnitScope } from '../src/newmedia/check-input.ts';
import { personSubject } from '../src/newmedia/normalize.ts';

/**
 * 政务新媒体建设 第1条: the unit has more than one account on one platform (accounts not 已注销/已关停; 其他 grouped
 * by the platform's own name), or an account whose 认证主体 is a person. A 认证主体 that says 个人 is a finding; one that
 * only looks like a person's name (a surname, 2–4 characters, no organisation word) waits for a reviewer.
 */
const check: Check = {
  id: 'new-media-duplicate',
  title: '政务新媒体重复开设',
  description: 'More than one account of the unit on one platform, or an account registered to a person (认证主体).',
  run(ctx) {
    const input = newMediaInput(ctx);
    if ('scope' in input) return { findings: [], scope: input.scope };
    const noUnit = noUnitScope(input);
    if (noUnit) return { findings: [], scope: noUnit };
    const open = input.accounts.filter((a) => a.status !== '已注销' && a.status !== '已关停');
    const findings: Finding[] = [];
    const byPlatform = new Map<string, typeof open>();
    for (const a of open) {
      const l = byPlatform.get(a.platformLabel);
      if (l) l.push(a);
      else byPlatform.set(a.platformLabel, [a]);
    }
    for (const [platform, list] of byPlatform) {
      if (list.length < 2) continue;
      const names = list.map((a) => a.name).join('、');
      findings.push({
        check: check.id,
        url: input.home,
        target: `newmedia-duplicate:${encodeURIComponent(input.unit.unit!)}/${encodeURIComponent(platform)}`,
        detail: `${input.unit.unit} 在${platform}开设 ${list.length} 个账号：${names}`,
        message: `同一平台开设多个政务新媒体账号：「${input.unit.unit}」在${platform}开设 ${list.length} 个账号（${names}）。`,
        evidence: { kind: 'same-platform', unit: input.unit.unit, platform, accounts: list.map((a) => ({ name: a.name, ...(a.accountId ? { accountId: a.accountId } : {}), status: a.status })) },
      });
    }
    for (const a of open) {
      const p = personSubject(a.subject);
      if (!p) continue;
      findings.push({
        check: check.id,
        url: input.home,
        target: a.target,
        detail: `${a.unit} ${a.platformLabel}「${a.name}」认证主体：${a.subject}`,
        message:
          p === 'explicit'
            ? `政务新媒体${accountLabel(a)}以个人名义开设（认证主体：${a.subject}）。`
            : `政务新媒体${accountLabel(a)}的认证主体「${a.subject}」疑似个人，请复核确认。`,
        evidence: { kind: 'person', unit: a.unit, account: { name: a.name, platform: a.platformLabel }, subject: a.subject, ...(p === 'name-like' ? { confirm: 'required' as const } : {}) },
      });
    }
    return { findings, scope: { status: 'checked', summary: `已检查名录中「${input.unit.unit}」${open.length} 个账号（${byPlatform.size} 个平台）的开设平台和认证主体` } };
  },
};

export default check;
