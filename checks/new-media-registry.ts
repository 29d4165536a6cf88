import type { Check, Finding } from '../src/model.ts';
import { accountLabel, newMediaInput, noUnitScope, registryMatch } from '../src/newmedia/check-input.ts';

/**
 * 政务新媒体建设 第3条 (填报信息错误) and 全面监管: the unit's own 政务新媒体矩阵 / 新媒体导航 page lists an account the
 * registry lacks (kind `unregistered`), or describes one differently (kind `mismatch`: another 账号ID for the same
 * name, another name for the same 账号ID, or an account the registry says is 已注销/已关停). Matching by name and ID
 * on a page is a proposal: every finding waits for a reviewer's confirmation.
 */
const check: Check = {
  id: 'new-media-registry',
  title: '政务新媒体填报信息不一致',
  description: 'Accounts on the unit\'s own new-media matrix page that the registry lacks or describes differently; a reviewer confirms.',
  confirm: 'required',
  run(ctx) {
    const input = newMediaInput(ctx);
    if ('scope' in input) return { findings: [], scope: input.scope };
    const noUnit = noUnitScope(input);
    if (noUnit) return { findings: [], scope: noUnit };
    if (input.listed.length === 0) return { findings: [], scope: { status: 'not-run', reason: '未找到网站的政务新媒体矩阵（新媒体导航）页面' } };
    const registry = input.registry.accounts;
    const findings: Finding[] = [];
    let matched = 0;
    for (const l of input.listed) {
      const m = registryMatch(l, registry);
      const target = `newmedia:${encodeURIComponent(l.platformLabel)}/${encodeURIComponent(l.accountId ?? l.name)}`;
      const shown = `${l.platformLabel}「${l.name}」${l.accountId ? `（账号ID ${l.accountId}）` : ''}`;
      const base = { url: l.pageUrl, target, check: check.id };
      const ev = { listed: { name: l.name, platform: l.platformLabel, ...(l.accountId ? { accountId: l.accountId } : {}), how: l.how }, snippet: l.snippet, page: l.pageUrl };
      if (!m.byId && !m.byName && !m.byUrl) {
        findings.push({
          ...base,
          detail: `新媒体矩阵页面列出 ${shown}，名录中没有`,
          message: `网站政务新媒体矩阵列出的${accountLabel(l)}不在政务新媒体名录中，未纳入监管范围，请复核确认。`,
          evidence: { kind: 'unregistered', ...ev },
        });
        continue;
      }
      matched++;
      const diffs: { field: string; registry: string; page: string }[] = [];
      if (m.byName && l.accountId && m.byName.accountId && m.byName.accountId.toLowerCase() !== l.accountId.toLowerCase() && !m.byId) {
        diffs.push({ field: '账号ID', registry: m.byName.accountId, page: l.accountId });
      }
      if (m.byId && !m.byName) diffs.push({ field: '账号名称', registry: m.byId.name, page: l.name });
      const reg = m.byId ?? m.byName ?? m.byUrl!;
      if (reg.status === '已注销' || reg.status === '已关停') diffs.push({ field: '运营状态', registry: reg.status, page: '网站仍在列出' });
      if (!diffs.length) continue;
      const said = diffs.map((d) => `${d.field}：名录为「${d.registry}」，网站为「${d.page}」`).join('；');
      findings.push({
        ...base,
        detail: `${shown}：${said}`,
        message: `政务新媒体${accountLabel(l)}在名录中的填报信息与网站不一致（${said}），请复核确认。`,
        evidence: { kind: 'mismatch', ...ev, registryAccount: { unit: reg.unit, name: reg.name, platform: reg.platformLabel, ...(reg.accountId ? { accountId: reg.accountId } : {}), status: reg.status }, differences: diffs },
      });
    }
    const pages = [...new Set(input.listed.map((l) => l.pageUrl))];
    return {
      findings,
      scope: { status: 'checked', summary: `已比对新媒体矩阵页面（${pages.length} 个）列出的 ${input.listed.length} 个账号与名录：${matched} 个已登记` },
    };
  },
};

export default check;
