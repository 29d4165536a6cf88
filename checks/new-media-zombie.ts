import type { Check, Finding } from '../src/model.ts';
import { accountLabel, newMediaInput, noUnitScope } from '../src/newmedia/check-input.ts';
import { sourceZh, ZOMBIE_MONTHS } from '../src/newmedia/freshness.ts';

/**
 * 已停止维护但尚未注销 (政务新媒体建设 第2条) and the 僵尸/睡眠 part of veto clause 6: a registered account (运营状态 正常)
 * with no post for more than 3 months — by a verified date, or, when nothing verified exists, by the registry's own
 * 最近更新. A proposal: every finding waits for a reviewer's confirmation.
 */
const check: Check = {
  id: 'new-media-zombie',
  title: '政务新媒体僵尸账号',
  description: 'Registered accounts (运营状态 正常) without a post for more than 3 months; a reviewer confirms.',
  confirm: 'required',
  run(ctx) {
    const input = newMediaInput(ctx);
    if ('scope' in input) return { findings: [], scope: input.scope };
    const noUnit = noUnitScope(input);
    if (noUnit) return { findings: [], scope: noUnit };
    const active = input.accounts.filter((a) => a.freshness.verdict !== 'not-applicable');
    if (active.length === 0) return { findings: [], scope: { status: 'not-run', reason: `名录中「${input.unit.unit}」没有运营状态为“正常”的政务新媒体账号` } };
    const findings: Finding[] = [];
    const undecided: string[] = [];
    for (const a of active) {
      const f = a.freshness;
      if (!f.zombie) {
        if (f.verdict === 'unverified') undecided.push(`${accountLabel(a)}：${f.reason}`);
        continue;
      }
      const n = f.newest!;
      const byRegistry = f.zombie === 'registry';
      findings.push({
        check: check.id,
        url: input.home,
        target: a.target,
        detail: `${a.unit} ${a.platformLabel}「${a.name}」最新发布 ${n.day}（${sourceZh(n.source)}），距 ${ctx.asOf} 已 ${f.ageDays} 天（超过 ${ZOMBIE_MONTHS} 个月）`,
        message: byRegistry
          ? `政务新媒体${accountLabel(a)}疑似已停止维护：名录登记的最近更新为 ${n.day}，已超过${ZOMBIE_MONTHS}个月（订阅源等未能核实），请复核确认。`
          : `政务新媒体${accountLabel(a)}超过${ZOMBIE_MONTHS}个月未更新（最新发布 ${n.day}，${sourceZh(n.source)}），疑似“僵尸”账号（已停止维护但未注销），请复核确认。`,
        evidence: {
          unit: a.unit,
          account: { name: a.name, platform: a.platformLabel, ...(a.accountId ? { accountId: a.accountId } : {}) },
          newestDate: n.day,
          newestSource: n.source,
          ...(n.url ? { newestUrl: n.url } : {}),
          ageDays: f.ageDays,
          months: ZOMBIE_MONTHS,
          asOf: ctx.asOf,
          basis: f.zombie,
        },
      });
    }
    const summary = `已检查「${input.unit.unit}」${active.length} 个账号：${findings.length ? `${findings.length} 个超过${ZOMBIE_MONTHS}个月未更新（待确认）` : `${active.length - undecided.length} 个${ZOMBIE_MONTHS}个月内有更新`}`;
    if (undecided.length) return { findings, scope: { status: 'unverified', summary, reason: `${undecided.length} 个账号未核实：${undecided.slice(0, 5).join('；')}${undecided.length > 5 ? ' 等' : ''}` } };
    return { findings, scope: { status: 'checked', summary } };
  },
};

export default check;
