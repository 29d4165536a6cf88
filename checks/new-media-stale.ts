import type { Check, Finding } from '../src/model.ts';
import { accountLabel, newMediaInput, noUnitScope } from '../src/newmedia/check-input.ts';
import { sourceZh, STALE_DAYS } from '../src/newmedia/freshness.ts';

/**
 * 政务新媒体健康状况 单否第5项 (监测时间点前2周内无更新): a registered account of the unit (运营状态 正常) whose newest
 * post, by a verified date — a feed govsite read, a post page an inspector pasted, a confirmed manual entry — is more
 * than 14 days before as-of, with evidence seen on or after as-of that nothing newer exists. A missing date or a
 * failing feed is 未核实, never stale: the scope is then `unverified` and names the accounts, so the clause passes by
 * machine only when every account has a verified post within the 14 days.
 */
const check: Check = {
  id: 'new-media-stale',
  title: '政务新媒体2周内无更新',
  description: 'Registered new-media accounts of the unit without a verified post in the 14 days before as-of (feeds, pasted posts, confirmed entries).',
  run(ctx) {
    const input = newMediaInput(ctx);
    if ('scope' in input) return { findings: [], scope: input.scope };
    const noUnit = noUnitScope(input);
    if (noUnit) return { findings: [], scope: noUnit };
    const active = input.accounts.filter((a) => a.freshness.verdict !== 'not-applicable');
    if (active.length === 0) return { findings: [], scope: { status: 'not-run', reason: `名录中「${input.unit.unit}」没有运营状态为“正常”的政务新媒体账号` } };
    const findings: Finding[] = [];
    const undecided: string[] = [];
    const bySource: Record<string, number> = {};
    let fresh = 0;
    for (const a of active) {
      const f = a.freshness;
      if (f.verdict === 'unverified') {
        undecided.push(`${accountLabel(a)}：${f.reason}`);
        continue;
      }
      if (f.newest) bySource[f.newest.source] = (bySource[f.newest.source] ?? 0) + 1;
      if (f.verdict === 'fresh') {
        fresh++;
        continue;
      }
      const n = f.newest!;
      findings.push({
        check: check.id,
        url: input.home,
        target: a.target,
        detail: `${a.unit} ${a.platformLabel}「${a.name}」最新发布 ${n.day}（${sourceZh(n.source)}${n.title ? `「${n.title.slice(0, 40)}」` : ''}${n.url ? ` ${n.url}` : ''}），距 ${ctx.asOf} 已 ${f.ageDays} 天`,
        message: `政务新媒体${accountLabel(a)}监测时间点前2周内无更新：最新发布日期为 ${n.day}（${sourceZh(n.source)}），距 ${ctx.asOf} 已 ${f.ageDays} 天。`,
        evidence: {
          unit: a.unit,
          account: { name: a.name, platform: a.platformLabel, ...(a.accountId ? { accountId: a.accountId } : {}) },
          newestDate: n.day,
          newestSource: n.source,
          ...(n.at ? { newestAt: n.at } : {}),
          ...(n.url ? { newestUrl: n.url } : {}),
          ...(n.title ? { newestTitle: n.title } : {}),
          ...(n.how ? { how: n.how } : {}),
          observedAt: n.observedAt,
          ageDays: f.ageDays,
          thresholdDays: STALE_DAYS,
          asOf: ctx.asOf,
          ...(a.feedReading ? { feed: a.feedReading.url, feedSkipped: a.feedReading.newest?.skipped } : {}),
        },
      });
    }
    const sources = Object.entries(bySource).map(([s, n]) => `${sourceZh(s as never)} ${n} 个`).join('、');
    const summary =
      `已核实「${input.unit.unit}」${active.length - undecided.length}/${active.length} 个账号的最新发布日期${sources ? `（${sources}）` : ''}：` +
      `${fresh} 个两周内有更新${findings.length ? `，${findings.length} 个两周内无更新` : ''}`;
    const stats = { accounts: active.length, fresh, stale: findings.length, unverified: undecided.length };
    if (undecided.length) {
      return { findings, scope: { status: 'unverified', summary, reason: `${undecided.length} 个账号未核实：${undecided.slice(0, 5).join('；')}${undecided.length > 5 ? ' 等' : ''}`, stats } };
    }
    return { findings, scope: { status: 'checked', summary, stats } };
  },
};

export default check;
