import type { Check, Finding } from '../src/model.ts';
import { boards, gatherMissing, incompleteWhy, interactionData, letterFacts, lettersRead, unreadableWhy } from '../src/analyze/interaction/assess.ts';
import { daysBetween } from '../src/analyze/dates.ts';
import { latencyDistribution } from '../src/analyze/interaction/workdays.ts';
import { inYear, letterDate, letterLatency, monthsBefore, yearBefore, type LetterObs } from '../src/analyze/interaction/observations.ts';

/**
 * 单否 6 (second half): a letter of a consultation channel, dated within the year before as-of and more than three months
 * before it, that is still unanswered — its status says so (未回复 / 待回复 / 办理中 …) or its page has the reply
 * block with every reply field empty. Never inferred from a reply the parser did not find. Confirm-required: the 单否
 * fails only once a reviewer confirms. Many boards publish only answered letters: finding none proves nothing, and the
 * scope says what was read. The scope's stats carry the reply-latency distribution of the year's letters.
 */

function signalOf(l: LetterObs): { kind: 'status' | 'empty-reply'; zh: string; snippet: string } | undefined {
  if (l.status === 'pending') {
    const snippet = l.fields.status?.snippet ?? l.statusText ?? '';
    return { kind: 'status', zh: l.statusKind === 'in-progress' ? `状态仍为「${l.statusText}」` : `状态为「${l.statusText}」`, snippet };
  }
  if (l.status !== 'answered' && l.detailRead && l.replyBlock === 'empty') {
    const f = l.fields.replyText ?? l.fields.repliedAt ?? l.fields.replyUnit;
    return { kind: 'empty-reply', zh: `答复栏（${f?.label ?? '回复内容'}）为空`, snippet: f?.snippet ?? '' };
  }
  return undefined;
}

const check: Check = {
  id: 'message-unanswered',
  title: '超过3个月未回应的留言',
  description: 'Letters within the year before as-of and over 3 months old whose status says unanswered, or whose reply block is empty.',
  confirm: 'required',
  run(ctx) {
    const d = interactionData(ctx);
    const missing = gatherMissing(d);
    if (missing) return missing;
    const list = boards(d);
    if (!list.length) return { findings: [], scope: { status: 'not-run', reason: '未找到咨询建言类栏目（见“互动交流渠道”）' } };
    const from = yearBefore(ctx.asOf);
    const to = monthsBefore(ctx.asOf, 3);
    const all = d.letters;
    const tests = all.filter((l) => l.test);
    const letters = all.filter((l) => !l.test);
    const unsure = list.map(unreadableWhy).filter((x): x is string => !!x);
    if (!letters.length) {
      return { findings: [], scope: { status: 'unverified', reason: unsure.length ? `未读取到已公开的留言：${unsure.join('；')}` : '咨询建言类栏目未公开留言，无法判断是否存在超过3个月未回应的留言' } };
    }
    const window = letters.filter((l) => {
      const dt = l.askedAt ?? l.listDate;
      return !!dt && dt >= from && dt < to;
    });
    const findings: Finding[] = [];
    for (const l of window) {
      const s = signalOf(l);
      if (!s) continue;
      const asked = (l.askedAt ?? l.listDate)!;
      const title = (l.title ?? '').slice(0, 40);
      findings.push({
        check: check.id,
        url: l.url ?? l.listUrl,
        target: l.url ?? l.key,
        detail: `${asked} 提交，${s.zh}`,
        message: `留言「${title}」于 ${asked} 提交，至监测时间点 ${ctx.asOf} 已超过3个月，${s.zh}，疑似未回应。`,
        evidence: {
          signal: s.kind,
          snippet: s.snippet,
          letter: letterFacts(l),
          askedDateLabel: l.askedAt ? l.fields.askedAt?.label : '（列表日期）',
          daysSinceAsked: daysBetween(asked, ctx.asOf),
          window: { from, before: to },
          detailRead: l.detailRead === true,
        },
      });
    }
    const year = letters.filter((l) => inYear(letterDate(l), ctx.asOf));
    const lat = latencyDistribution(year.map((l) => l.latency ?? letterLatency(l)).filter((x): x is number => x !== undefined), 5);
    const stats: Record<string, number | string> = { letters: letters.length, lettersInYear: year.length, inWindow: window.length, flagged: findings.length, latencyCount: lat.count };
    if (lat.median !== undefined) stats.latencyMedian = lat.median;
    if (lat.shareOver !== undefined) stats.latencyOver5Share = Math.round(lat.shareOver * 1000) / 1000;
    if (lat.max !== undefined) stats.latencyMax = lat.max;
    const summary =
      `${lettersRead(d, letters)}，其中监测时间点前1年内且超过3个月（${from} 至 ${to} 前）的 ${window.length} 条` +
      (findings.length ? `，${findings.length} 条状态为未回复/办理中或答复栏为空` : `，未发现状态为未回复/办理中或答复栏为空的留言（仅公开已答复留言的栏目不能据此证明不存在未回应留言）`) +
      (tests.length ? `；测试信件 ${tests.length} 条未计入` : '');
    const partial = [...unsure, ...list.map(incompleteWhy).filter((x): x is string => !!x)];
    if (partial.length) return { findings, scope: { status: 'unverified', summary, reason: `部分留言未能读取：${partial.join('；')}`, stats } };
    return { findings, scope: { status: 'checked', summary, stats } };
  },
};

export default check;
